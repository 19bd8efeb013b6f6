"""Generate a held-out republication corpus whose farm templates farmwatch has never seen.

The hidden evaluation corpus uses the same generator as provenance-dev but with farm templates that
are not in provenance-dev. This script imitates that: it takes provenance-dev's ORIGINAL pages only
(their HTML copied as they are), reads each one's headline and main-text paragraphs with
farmwatch's own analysis (reading only), and writes copies of them on six invented farm sites whose
templates were written here without looking at provenance-dev's farm pages, plus partner-site
syndications and the originals' own AMP / print versions:

- kinds ``exact``, ``truncated`` (first 30-60 % of paragraphs), ``spun`` (synonym swaps from a small
  table and reordered sentences), ``merged`` (halves of two originals), ``own`` (the farm's own posts,
  texts taken from extraction-dev pages that are not in provenance-dev), ``syndicated`` (canonical
  link + credit note), ``alternate`` (``/amp/`` or ``?print=1`` on the original's site);
- farm boilerplate: menus, tickers, share buttons, newsletter boxes, related-post teasers (with
  excerpts of other articles), tag clouds, cookie notices, self-promoting author bios, comment forms
  with comments, ads, footers; source lines in varied phrasing and position, linked, named or absent;
- dates hours to days after the original (``published_at`` and ``article:published_time``), a few
  copies undated or backdated before their original;
- arrival order shuffled (fixed seed) so that about a third of the copies arrive before their source;
- with ``--more-templates``, five more farm sites (a Ghost-like members theme, a Drupal news portal, an East
  Asian-style news portal with ranking and ads between text chunks, a Next.js page with hashed class names and the
  article again in ``__NEXT_DATA__``, a phpBB-style forum thread) share the copies with the six; without it the
  corpus is the same as before they were added.

The output has the provenance-dev format (``pages.jsonl`` + ``html/``) and is deterministic.

Run::

    .venv/bin/python bench/unseen_templates.py [--out /tmp/unseen-templates] [--seed 20240611] [--date-base row]
        [--more-templates]
    .venv/bin/farmwatch eval provenance /tmp/unseen-templates --show-mistakes
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.page import analyze_html

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
PROVENANCE_DEV = CORPORA / "provenance-dev"
EXTRACTION_DEV = CORPORA / "extraction-dev"

# ---------------------------------------------------------------------------------------------------
# Source material


@dataclass
class Article:
    id: str
    url: str
    site: str
    outlet: str
    published_at: datetime | None
    headline: str
    paragraphs: list[str]
    html_file: str = ""
    row_published_at: str | None = None  # published_at as pages.jsonl gives it


def _outlet_name(site: str, site_name: str | None) -> str:
    if site_name and 2 < len(site_name) < 40:
        return site_name.strip()
    return site


def load_originals(corpus: Path, date_base: str = "row") -> list[Article]:
    """The original pages of provenance-dev with their headline and main-text paragraphs."""
    articles: list[Article] = []
    for line in (corpus / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["truth"]["kind"] != "original":
            continue
        body = (corpus / row["html_file"]).read_bytes()
        analysis = analyze_html(body, row["url"])
        headline = next((b.text for b in analysis.blocks if b.kind is BlockKind.TITLE), None)
        headline = headline or analysis.metadata.title or row["id"]
        paragraphs = [b.text for b in analysis.main_blocks if len(b.text.split()) >= 6]
        if len(paragraphs) < 3:
            paragraphs = [b.text for b in analysis.main_blocks if b.text.strip()]
        published = datetime.fromisoformat(row["published_at"]) if row.get("published_at") else None
        # pages.jsonl gives the day at 08:00; the page itself often says a later hour. With date_base "page",
        # copies are dated after whichever is later, so a copy meant to be "after" is after it on the page too;
        # with "row" (the default) after pages.jsonl's date, as provenance-dev's copies are (15 of its 96
        # dated copies are under 12 hours after it, so some precede the hour the original page gives).
        if date_base == "page" and analysis.published_at and (published is None or analysis.published_at > published):
            published = analysis.published_at
        articles.append(
            Article(
                id=row["id"],
                url=row["url"],
                site=row["site"],
                outlet=_outlet_name(row["site"], analysis.metadata.site_name),
                published_at=published,
                headline=headline,
                paragraphs=paragraphs,
                html_file=row["html_file"],
                row_published_at=row.get("published_at"),
            )
        )
    return articles


def _word_runs(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def load_own_texts(extraction: Path, originals: list[Article], limit: int) -> list[tuple[str, list[str]]]:
    """(headline, paragraphs) of English extraction-dev pages whose site is not a provenance-dev site.

    The text is the page's main text as farmwatch extracts it, paragraphs of at least eight words."""
    sites = {a.site.removeprefix("www.") for a in originals}
    # extraction-dev shares pages with provenance-dev under other ids: drop any page sharing an 8-word run.
    known = {grams for a in originals for p in a.paragraphs for grams in _word_runs(p)}
    texts: list[tuple[str, list[str]]] = []
    for line in (extraction / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if any(row["id"].startswith(site) for site in sites):
            continue
        try:
            analysis = analyze_html((extraction / row["html_file"]).read_bytes(), f"https://{row['id']}.test/")
        except Exception:  # unusable pages are skipped
            continue
        paragraphs = [b.text for b in analysis.main_blocks if len(b.text.split()) >= 8]
        joined = " ".join(paragraphs)
        if len(paragraphs) < 4 or len(joined.split()) < 200:
            continue
        if sum(c.isascii() for c in joined) / len(joined) < 0.99:
            continue
        if len(re.findall(r"\b(the|and|of|to)\b", joined)) < len(joined.split()) / 12:
            continue
        if any(run in known for p in paragraphs for run in _word_runs(p)):
            continue
        headline = next((b.text for b in analysis.blocks if b.kind is BlockKind.TITLE), None)
        headline = headline or analysis.metadata.title or " ".join(paragraphs[0].split()[:9])
        texts.append((headline, paragraphs[:12]))
        if len(texts) >= limit:
            break
    return texts


# ---------------------------------------------------------------------------------------------------
# Spinning

SYNONYMS: dict[str, list[str]] = {
    "said": ["stated", "remarked", "noted"],
    "says": ["states", "notes"],
    "big": ["large", "huge"],
    "large": ["big", "sizeable"],
    "small": ["little", "tiny"],
    "important": ["significant", "crucial"],
    "new": ["fresh", "novel"],
    "old": ["aged", "former"],
    "people": ["individuals", "folks"],
    "company": ["firm", "business"],
    "companies": ["firms", "businesses"],
    "government": ["administration", "authorities"],
    "city": ["town", "municipality"],
    "country": ["nation", "land"],
    "help": ["assist", "aid"],
    "helped": ["assisted", "aided"],
    "make": ["create", "produce"],
    "made": ["created", "produced"],
    "show": ["demonstrate", "display"],
    "shows": ["demonstrates", "displays"],
    "start": ["begin", "commence"],
    "started": ["began", "commenced"],
    "begin": ["start", "commence"],
    "end": ["finish", "conclusion"],
    "use": ["utilize", "employ"],
    "used": ["utilized", "employed"],
    "buy": ["purchase", "acquire"],
    "get": ["obtain", "receive"],
    "got": ["obtained", "received"],
    "need": ["require", "want"],
    "needs": ["requires", "wants"],
    "also": ["additionally", "likewise"],
    "however": ["nevertheless", "nonetheless"],
    "but": ["yet", "though"],
    "very": ["extremely", "really"],
    "many": ["numerous", "several"],
    "most": ["the majority of", "nearly all"],
    "about": ["roughly", "approximately"],
    "around": ["roughly", "about"],
    "first": ["initial", "earliest"],
    "last": ["final", "previous"],
    "year": ["12 months", "annum"],
    "years": ["decades", "12 months"],
    "week": ["7 days", "seven days"],
    "month": ["4 weeks", "thirty days"],
    "change": ["alter", "shift"],
    "changes": ["alterations", "shifts"],
    "problem": ["issue", "difficulty"],
    "problems": ["issues", "difficulties"],
    "good": ["great", "fine"],
    "bad": ["poor", "terrible"],
    "great": ["excellent", "superb"],
    "high": ["elevated", "excessive"],
    "low": ["reduced", "minimal"],
    "fast": ["quick", "speedy"],
    "quickly": ["rapidly", "swiftly"],
    "told": ["informed", "advised"],
    "according": ["in accordance"],
    "expected": ["anticipated", "predicted"],
    "plan": ["scheme", "strategy"],
    "plans": ["schemes", "strategies"],
    "announced": ["introduced", "declared"],
    "report": ["document", "account"],
    "reported": ["documented", "noted"],
    "increase": ["rise", "enhance"],
    "decrease": ["decline", "reduce"],
    "market": ["marketplace", "sector"],
    "money": ["cash", "funds"],
    "children": ["kids", "youngsters"],
    "home": ["house", "residence"],
    "work": ["job", "labor"],
    "world": ["globe", "planet"],
    "game": ["match", "recreation"],
    "team": ["group", "squad"],
    "state": ["province", "region"],
    "including": ["together with", "such as"],
    "because": ["since", "as"],
    "while": ["whereas", "whilst"],
    "now": ["presently", "at the moment"],
    "recently": ["lately", "not too long ago"],
    "often": ["frequently", "typically"],
    "way": ["method", "manner"],
    "part": ["portion", "section"],
    "number": ["quantity", "range"],
    "idea": ["notion", "concept"],
    "area": ["region", "space"],
    "think": ["believe", "suppose"],
    "believe": ["think", "consider"],
}


def spin_text(text: str, rng: random.Random, rate: float) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        options = SYNONYMS.get(word.lower())
        if not options or rng.random() > rate:
            return word
        new = rng.choice(options)
        return new[0].upper() + new[1:] if word[0].isupper() else new

    return re.sub(r"[A-Za-z]+", swap, text)


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text) if s]


def spin_paragraphs(paragraphs: list[str], rng: random.Random) -> list[str]:
    rate = rng.uniform(0.35, 0.7)
    spun: list[str] = []
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        if len(sentences) >= 3 and rng.random() < 0.6:
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        spun.append(spin_text(" ".join(sentences), rng, rate))
    # Also move one paragraph, as spinners reorder.
    if len(spun) >= 4 and rng.random() < 0.5:
        i = rng.randrange(1, len(spun) - 1)
        spun[i], spun[i + 1] = spun[i + 1], spun[i]
    return spun


# ---------------------------------------------------------------------------------------------------
# Farm templates


@dataclass
class Post:
    """What a farm page shows: article, its credit, date and the teasers around it."""

    url: str
    headline: str
    paragraphs: list[str]
    published: datetime | None
    credit: tuple[str, str | None] | None  # (outlet name, link) or None
    credit_at_top: bool
    teasers: list[tuple[str, str, str]]  # (headline, url, excerpt) of other posts
    tags: list[str]
    canonical: str | None = None
    extra_head: list[str] = field(default_factory=list)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def meta_date(post: Post) -> str:
    if post.published is None:
        return ""
    return f'<meta property="article:published_time" content="{post.published.isoformat()}">'


def human_date(post: Post, fmt: str) -> str:
    return post.published.strftime(fmt) if post.published else ""


def head(post: Post, site_title: str, extra: str = "", date_meta: bool = True) -> str:
    """The page's <head>; with date_meta False, no article:published_time (the template dates the page its own way)."""
    canonical = f'<link rel="canonical" href="{esc(post.canonical)}">' if post.canonical else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(post.headline)} | {esc(site_title)}</title>"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta property="og:title" content="{esc(post.headline)}">'
        f'<meta property="og:site_name" content="{esc(site_title)}">'
        f'<meta property="og:type" content="article">{meta_date(post) if date_meta else ""}{canonical}{extra}'
        + "".join(post.extra_head)
        + "</head>"
    )


def credit_html(post: Post, phrase: str) -> str:
    """One credit line: `phrase` has {name} (the outlet, linked when the post has a link)."""
    if post.credit is None:
        return ""
    name, link = post.credit
    shown = f'<a href="{esc(link)}" rel="nofollow" target="_blank">{esc(name)}</a>' if link else esc(name)
    return phrase.format(name=shown)


COMMENTERS = ["Mike R.", "jenny_b", "TruthSeeker77", "Carla", "Dev Patel", "anon", "Rob from Ohio"]
COMMENTS = [
    "Great article, thanks for sharing this!",
    "I have been saying this for years and nobody listens. Finally someone reports it.",
    "Check out my site for more on this topic, link in profile.",
    "This is exactly why I stopped trusting the mainstream media.",
    "Very informative. Bookmarked for later reading.",
    "Does anyone know if this applies to people outside the US as well?",
    "Earn $500 a day working from home, visit my page to find out how!!!",
]


def comments_html(rng: random.Random, wrap: Callable[[str, str], str]) -> str:
    picked = rng.sample(range(len(COMMENTS)), 3)
    return "".join(wrap(rng.choice(COMMENTERS), COMMENTS[i]) for i in picked)


def tpl_wordpress(post: Post, rng: random.Random) -> str:
    """dailybuzzhub.example: a WordPress theme, credit at the end."""
    phrase = rng.choice(["Source: {name}", "Source link: {name}", "This story was first published by {name}."])
    credit = f'<p class="source">{credit_html(post, phrase)}</p>' if post.credit else ""
    paras = "".join(f"<p>{esc(p)}</p>" for p in post.paragraphs)
    body = credit + paras if post.credit and post.credit_at_top else paras + credit
    related = "".join(
        f'<article class="related-post"><a href="{esc(u)}"><h4>{esc(h)}</h4></a><p>{esc(x)}</p></article>'
        for h, u, x in post.teasers[:3]
    )
    tags = "".join(f'<a href="/tag/{esc(t.lower())}/" rel="tag">{esc(t)}</a>' for t in post.tags)
    comments = comments_html(
        rng,
        lambda who, said: (
            f'<li class="comment"><div class="comment-author vcard"><b class="fn">{esc(who)}</b> says:</div>'
            f'<div class="comment-content"><p>{esc(said)}</p></div></li>'
        ),
    )
    return (
        head(post, "Daily Buzz Hub") + '<body class="post-template-default single single-post">'
        '<div id="page" class="site"><header id="masthead" class="site-header">'
        '<div class="site-branding"><p class="site-title"><a href="/">Daily Buzz Hub</a></p>'
        '<p class="site-description">Your daily dose of what matters</p></div>'
        '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
        '<li><a href="/">Home</a></li><li><a href="/category/news/">News</a></li>'
        '<li><a href="/category/politics/">Politics</a></li><li><a href="/category/tech/">Tech</a></li>'
        '<li><a href="/category/lifestyle/">Lifestyle</a></li><li><a href="/contact/">Contact</a></li></ul></nav>'
        "</header>"
        '<div class="breaking-news-ticker"><span class="ticker-title">Breaking News</span><ul>'
        + "".join(f'<li><a href="{esc(u)}">{esc(h)}</a></li>' for h, u, _ in post.teasers[3:6])
        + "</ul></div>"
        '<div id="content" class="site-content"><div id="primary" class="content-area">'
        '<main id="main" class="site-main">'
        '<article class="post type-post status-publish format-standard hentry">'
        f'<header class="entry-header"><h1 class="entry-title">{esc(post.headline)}</h1>'
        f'<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date published">'
        f'{human_date(post, "%B %d, %Y")}</time></span> <span class="byline">by <span class="author vcard">'
        '<a class="url fn n" href="/author/admin/">admin</a></span></span></div></header>'
        '<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul>'
        '<li><a class="share-facebook" href="#">Facebook</a></li><li><a class="share-twitter" href="#">Twitter</a></li>'
        '<li><a class="share-whatsapp" href="#">WhatsApp</a></li></ul></div>'
        f'<div class="entry-content">{body}</div>'
        f'<footer class="entry-footer"><span class="tags-links">Tagged {tags}</span></footer>'
        "</article>"
        '<div class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>'
        f"{related}</div>"
        '<div id="comments" class="comments-area"><h2 class="comments-title">3 thoughts on this post</h2>'
        f'<ol class="comment-list">{comments}</ol>'
        '<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>'
        '<form id="commentform" class="comment-form"><p class="comment-notes">Your email address will not be '
        "published. Required fields are marked *</p><p><label>Comment</label><textarea></textarea></p>"
        "<p><label>Name *</label><input></p><p><label>Email *</label><input></p>"
        '<p class="form-submit"><input type="submit" value="Post Comment"></p></form></div></div>'
        "</main></div>"
        '<aside id="secondary" class="widget-area"><section class="widget widget_search"><form>'
        '<input placeholder="Search …"></form></section><section class="widget widget_recent_entries">'
        '<h2 class="widget-title">Recent Posts</h2><ul>'
        + "".join(f'<li><a href="{esc(u)}">{esc(h)}</a></li>' for h, u, _ in post.teasers)
        + '</ul></section><section class="widget widget_text"><div class="textwidget">'
        "<p>ADVERTISEMENT</p><p>Get 70% off premium VPN today - limited offer for our readers!</p></div></section>"
        '<section class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2><div class="tagcloud">'
        + "".join(f'<a href="/tag/{t.lower()}/">{t}</a> ' for t in TAG_POOL)
        + "</div></section></aside></div>"
        '<footer id="colophon" class="site-footer"><div class="site-info">© 2024 Daily Buzz Hub. All rights reserved. '
        '<a href="/privacy-policy/">Privacy Policy</a> | <a href="/dmca/">DMCA</a> | Proudly powered by WordPress'
        "</div></footer></div>"
        '<div id="cookie-notice" role="dialog"><span id="cn-notice-text">We use cookies to ensure that we give you '
        "the best experience on our website. If you continue to use this site we will assume that you are happy "
        'with it.</span><a href="#" id="cn-accept-cookie">Ok</a></div></body></html>'
    )


def tpl_blogger(post: Post, rng: random.Random) -> str:
    """newsflash24.example: a Blogger layout, paragraphs separated by <br>, credit at the top or bottom."""
    phrase = rng.choice(
        ["Originally published at {name}.", "<i>Originally published at {name}</i>", "Article courtesy of {name}"]
    )
    credit = credit_html(post, phrase)
    text = "<br /><br />".join(esc(p) for p in post.paragraphs)
    if post.credit and post.credit_at_top:
        text = credit + "<br /><br />" + text
    elif post.credit:
        text = text + "<br /><br />" + credit
    popular = "".join(
        f'<li><div class="item-title"><a href="{esc(u)}">{esc(h)}</a></div>'
        f'<div class="item-snippet">{esc(x)}</div></li>'
        for h, u, x in post.teasers[:4]
    )
    labels = ", ".join(f'<a href="/search/label/{esc(t)}" rel="tag">{esc(t)}</a>' for t in post.tags)
    comments = comments_html(
        rng,
        lambda who, said: (
            f'<div class="comment-block"><div class="comment-header"><cite class="user">{esc(who)}</cite></div>'
            f'<p class="comment-content">{esc(said)}</p><span class="comment-actions"><a href="#">Reply</a>'
            "</span></div>"
        ),
    )
    return (
        head(post, "NewsFlash 24")
        + '<body class="version-1-3-3 variant-indie"><div class="outer-wrapper"><div class="header-outer">'
        '<div class="header section" id="header"><div class="widget Header"><h1 class="title">'
        '<a href="/">NewsFlash 24</a></h1><p class="description">News as it happens, 24/7</p></div></div></div>'
        '<div class="tabs-outer"><ul class="tabs"><li><a href="/">Home</a></li><li><a href="/search/label/World">'
        'World</a></li><li><a href="/search/label/Health">Health</a></li><li><a href="/search/label/Money">Money</a>'
        '</li><li><a href="/p/about.html">About Us</a></li></ul></div>'
        '<div class="main-outer"><div class="main section" id="main"><div class="widget Blog" id="Blog1">'
        '<div class="blog-posts hfeed"><div class="date-outer">'
        f'<h2 class="date-header"><span>{human_date(post, "%A, %d %B %Y")}</span></h2>'
        '<div class="date-posts"><div class="post-outer"><div class="post hentry">'
        f'<h3 class="post-title entry-title">{esc(post.headline)}</h3>'
        '<div class="post-header"><div class="post-header-line-1"></div></div>'
        f'<div class="post-body entry-content" id="post-body-{rng.randrange(10**17, 10**18)}">'
        f'{text}<div style="clear: both;"></div></div>'
        '<div class="post-footer"><div class="post-footer-line post-footer-line-1"><span class="post-author vcard">'
        'Posted by <span class="fn">NewsFlash Editor</span></span> <span class="post-timestamp">at '
        f'<abbr class="published">{human_date(post, "%I:%M %p")}</abbr></span> '
        '<span class="post-comment-link">3 comments:</span></div>'
        '<div class="post-share-buttons"><a class="share-button sb-email" href="#">Email This</a>'
        '<a class="share-button sb-blog" href="#">BlogThis!</a><a class="share-button sb-twitter" href="#">'
        'Share to Twitter</a><a class="share-button sb-facebook" href="#">Share to Facebook</a></div>'
        f'<div class="post-footer-line post-footer-line-2"><span class="post-labels">Labels: {labels}</span></div>'
        "</div></div>"
        f'<div class="comments" id="comments"><h4>3 comments:</h4><div class="comments-content">{comments}</div>'
        '<p class="comment-footer"><a href="#">Post a Comment</a></p></div></div></div></div>'
        '<div class="blog-pager" id="blog-pager"><a class="blog-pager-newer-link" href="#">Newer Post</a> '
        '<a class="blog-pager-older-link" href="#">Older Post</a> <a class="home-link" href="/">Home</a></div>'
        '<div class="post-feeds"><div class="feed-links">Subscribe to: <a class="feed-link" href="#">'
        "Post Comments (Atom)</a></div></div></div></div></div>"
        '<div class="sidebar section" id="sidebar-right-1"><div class="widget PopularPosts" id="PopularPosts1">'
        f'<h2>Popular Posts</h2><div class="widget-content popular-posts"><ul>{popular}</ul></div></div>'
        '<div class="widget FollowByEmail"><h2 class="title">Follow by Email</h2><form><input class="follow-by-email-'
        'address" placeholder="Email address..."><input type="submit" value="Submit"></form></div>'
        '<div class="widget HTML"><div class="widget-content"><ins class="adsbygoogle"></ins>Sponsored: Doctors '
        "stunned by this one weird trick to lose belly fat</div></div></div></div>"
        '<div class="footer-outer"><div class="widget Attribution"><div class="widget-content">Powered by '
        '<a href="https://www.blogger.com">Blogger</a>. Theme images by <a href="#">Michael Elkan</a>.</div></div>'
        "</div></div></body></html>"
    )


def tpl_bootstrap(post: Post, rng: random.Random) -> str:
    """trendcards.example: Bootstrap cards, credit 'Via' in the first or last paragraph."""
    phrase = rng.choice(["Via {name}", "(via {name})", "H/T {name}"])
    paragraphs = list(post.paragraphs)
    credit = credit_html(post, phrase)
    if post.credit and post.credit_at_top:
        paragraphs[0] = f"{credit}: " + esc(paragraphs[0])
        paras = f'<p class="card-text lead">{paragraphs[0]}</p>' + "".join(
            f'<p class="card-text">{esc(p)}</p>' for p in paragraphs[1:]
        )
    else:
        paras = "".join(f'<p class="card-text">{esc(p)}</p>' for p in paragraphs)
        if post.credit:
            paras += f'<p class="card-text"><small class="text-muted">{credit}</small></p>'
    cards = "".join(
        f'<div class="col-md-4"><div class="card mb-3"><div class="card-body"><h5 class="card-title">'
        f'<a href="{esc(u)}" class="stretched-link">{esc(h)}</a></h5><p class="card-text">{esc(x)}</p>'
        '<a href="' + esc(u) + '" class="btn btn-sm btn-outline-primary">Read more</a></div></div></div>'
        for h, u, x in post.teasers[:3]
    )
    side = "".join(
        f'<a href="{esc(u)}" class="list-group-item list-group-item-action">{esc(h)}</a>'
        for h, u, _ in post.teasers[3:]
    )
    badges = "".join(f'<span class="badge bg-secondary me-1">#{esc(t)}</span>' for t in post.tags)
    return (
        head(post, "TrendCards", '<link rel="stylesheet" href="/css/bootstrap.min.css">')
        + '<body><nav class="navbar navbar-expand-lg navbar-dark bg-dark fixed-top"><div class="container">'
        '<a class="navbar-brand" href="/">TrendCards</a><div class="collapse navbar-collapse"><ul class="navbar-nav">'
        '<li class="nav-item"><a class="nav-link active" href="/">Trending</a></li><li class="nav-item">'
        '<a class="nav-link" href="/viral">Viral</a></li><li class="nav-item"><a class="nav-link" href="/money">Money'
        '</a></li><li class="nav-item"><a class="nav-link" href="/science">Science</a></li></ul></div></div></nav>'
        '<div class="alert alert-warning text-center mb-0" role="alert"><strong>Hot:</strong> '
        + (esc(post.teasers[0][0]) if post.teasers else "")
        + '</div><div class="container mt-5 pt-4"><div class="row"><div class="col-lg-8"><div class="card shadow-sm">'
        '<img class="card-img-top" src="/img/placeholder.jpg" alt=""><div class="card-body">'
        f'<h1 class="card-title h2">{esc(post.headline)}</h1>'
        f'<p class="text-muted small">{human_date(post, "%d/%m/%Y %H:%M")} · 4 min read</p>'
        f"{paras}"
        f'<div class="mt-3">{badges}</div>'
        '<div class="btn-group mt-3" role="group"><a class="btn btn-primary btn-sm" href="#">Share on Facebook</a>'
        '<a class="btn btn-info btn-sm" href="#">Tweet</a><a class="btn btn-success btn-sm" href="#">WhatsApp</a>'
        "</div></div></div>"
        '<h4 class="mt-4">You may also like</h4><div class="row">' + cards + "</div>"
        '<div class="card mt-3"><div class="card-body"><h5>Leave a comment</h5><form><div class="mb-3">'
        '<textarea class="form-control" placeholder="Your comment"></textarea></div><button class="btn btn-primary">'
        "Submit</button></form></div></div></div>"
        '<div class="col-lg-4"><div class="card mb-3"><div class="card-header">Trending now</div>'
        f'<div class="list-group list-group-flush">{side}</div></div>'
        '<div class="card mb-3 bg-light"><div class="card-body"><h5 class="card-title">Never miss a story</h5>'
        '<p class="card-text">Join 50,000+ readers and get the best trending stories in your inbox every morning.</p>'
        '<form class="input-group"><input class="form-control" placeholder="you@email.com"><button class="btn '
        'btn-dark">Subscribe</button></form></div></div>'
        '<div class="card mb-3"><div class="card-body text-center"><small>Advertisement</small><p>Top 10 credit cards'
        " with 0% APR until 2026</p></div></div></div></div></div>"
        '<footer class="bg-dark text-white-50 py-4 mt-4"><div class="container"><div class="row"><div class="col">'
        '© TrendCards Media. <a href="/terms">Terms</a> · <a href="/privacy">Privacy</a> · <a href="/advertise">'
        "Advertise with us</a></div></div></div></footer>"
        '<div class="position-fixed bottom-0 w-100 bg-dark text-white p-2" id="cookieConsent">This site uses cookies '
        'for analytics and personalised ads. <button class="btn btn-sm btn-light">Accept all</button></div>'
        "</body></html>"
    )


def tpl_tables(post: Post, rng: random.Random) -> str:
    """worldreport-daily.example: an old table layout with <font> tags, credit 'Credit:' at the end."""
    phrase = rng.choice(["Credit: {name}", "Story credit - {name}", "Content credit: {name}"])
    rows = "".join(
        f'<tr><td class="txt"><font face="Verdana" size="2">{esc(p)}</font></td></tr>' for p in post.paragraphs
    )
    if post.credit:
        line = f'<tr><td class="txt"><font size="1"><b>{credit_html(post, phrase)}</b></font></td></tr>'
        rows = line + rows if post.credit_at_top else rows + line
    links = "".join(f'<tr><td class="lnk">» <a href="{esc(u)}">{esc(h)}</a></td></tr>' for h, u, _ in post.teasers)
    return (
        head(post, "World Report Daily")
        + '<body bgcolor="#ffffff" leftmargin="0" topmargin="0"><table width="100%" border="0" cellpadding="0"'
        ' cellspacing="0"><tr><td bgcolor="#003366" height="60"><font color="white" size="5"><b>WORLD REPORT DAILY'
        '</b></font> <font color="#cccccc" size="2">Independent news since 2009</font></td></tr>'
        '<tr><td bgcolor="#e0e0e0"><a href="/">Home</a> | <a href="/world.html">World</a> | <a href="/us.html">US</a>'
        ' | <a href="/business.html">Business</a> | <a href="/sports.html">Sports</a> | <a href="/archive.html">'
        "Archive</a></td></tr></table>"
        '<table width="980" align="center" border="0" cellpadding="6"><tr>'
        '<td width="160" valign="top" class="left"><table><tr><td><b>Sections</b></td></tr>'
        '<tr><td><a href="/world.html">World News</a></td></tr><tr><td><a href="/health.html">Health</a></td></tr>'
        '<tr><td><a href="/weird.html">Weird News</a></td></tr><tr><td><img src="/ads/160x600.gif" alt="Ad">'
        '</td></tr><tr><td><font size="1">Advertise here! Call 555-0199</font></td></tr></table></td>'
        '<td width="600" valign="top"><table width="100%">'
        f'<tr><td><font size="4" face="Georgia"><b>{esc(post.headline)}</b></font></td></tr>'
        f'<tr><td><font size="1" color="gray">{human_date(post, "%b %d, %Y %H:%M GMT")}</font></td></tr>'
        f"{rows}"
        '<tr><td><font size="1">Email this story | Print this story | <a href="#">Report an error</a></font>'
        "</td></tr></table></td>"
        '<td width="220" valign="top" class="right"><table><tr><td><b>Latest headlines</b></td></tr>'
        f"{links}"
        '<tr><td><form><b>Daily newsletter</b><br><input name="email"><input type="submit" value="Sign up"></form>'
        "</td></tr></table></td></tr></table>"
        '<table width="100%"><tr><td align="center" bgcolor="#003366"><font color="white" size="1">Copyright © '
        "2009-2024 World Report Daily. All rights reserved. Reproduction in whole or in part without permission is "
        "prohibited.</font></td></tr></table></body></html>"
    )


def tpl_divsoup(post: Post, rng: random.Random) -> str:
    """viralpulse.example: generated div soup with meaningless class names; 'h/t' at the end."""
    phrase = rng.choice(["h/t {name}", "Hat tip: {name}", "Thanks to {name} for the story."])
    blocks = [f'<div class="t3 q7">{esc(p)}</div>' for p in post.paragraphs]
    # An inline teaser in the middle of the article, as many farms insert.
    if len(blocks) > 3 and post.teasers:
        h, u, _ = post.teasers[-1]
        blocks.insert(len(blocks) // 2, f'<div class="t3 zz1"><b>READ ALSO:</b> <a href="{esc(u)}">{esc(h)}</a></div>')
    if post.credit:
        line = f'<div class="t3 q7 m0">{credit_html(post, phrase)}</div>'
        blocks = [line, *blocks] if post.credit_at_top else [*blocks, line]
    teasers = "".join(
        f'<div class="c-x12 r4"><a class="c-x13" href="{esc(u)}"><div class="c-x14">{esc(h)}</div></a>'
        f'<div class="c-x15">{esc(x)}</div></div>'
        for h, u, x in post.teasers[:4]
    )
    return (
        head(post, "ViralPulse")
        + '<body><div class="a1"><div class="a1b"><div class="h5x"><a href="/" class="h5y">VIRALPULSE</a>'
        '<div class="h6"><a href="/c/trending">Trending</a><a href="/c/omg">OMG</a><a href="/c/news">News</a>'
        '<a href="/c/quiz">Quizzes</a></div></div>'
        '<div class="tk9"><div class="tk9a">LIVE</div><div class="tk9b">'
        + " • ".join(esc(h) for h, _, _ in post.teasers[2:5])
        + "</div></div>"
        '<div class="c-x01"><div class="c-x02"><div class="c-x03">'
        f'<div class="hd7">{esc(post.headline)}</div>'
        '<div class="mt2"><span class="mt2a">By <b>Jessica Lane</b></span> '
        f'<span class="mt2b">{human_date(post, "%Y-%m-%d")}</span></div>'
        '<div class="sh4"><span class="sh4a">Share</span><span class="sh4b">f</span><span class="sh4c">t</span>'
        '<span class="sh4d">in</span></div>'
        f'<div class="bd0">{"".join(blocks)}</div>'
        '<div class="au2"><div class="au2a">About the author</div><div class="au2b">Jessica Lane is an award-winning '
        "digital creator and the founder of ViralPulse. Follow her on Instagram @jesslane for daily tips, and grab her "
        "bestselling e-book '10 Secrets of Going Viral' at 50% off this week only.</div></div>"
        '<div class="nl8"><div class="nl8a">Get the good stuff</div><div class="nl8b">Sign up for the ViralPulse '
        'newsletter: the internet\'s best stories, delivered daily.</div><div class="nl8c"><input '
        'placeholder="Email"><span class="nl8d">Sign me up</span></div></div>'
        f'<div class="c-x11"><div class="c-x11h">More from ViralPulse</div>{teasers}</div>'
        '<div class="cm3"><div class="cm3a">0 Comments</div><div class="cm3b"><textarea placeholder="Join the '
        'discussion..."></textarea><span>Post</span></div></div>'
        '</div><div class="c-x04"><div class="ad1">Sponsored</div><div class="ad2">You won\'t believe what '
        'these child stars look like now</div><div class="ad2">This new gadget is selling out fast across the '
        "country</div></div></div></div>"
        '<div class="ft0"><div class="ft1">© ViralPulse Inc.</div><div class="ft2"><a href="/about">About</a> '
        '<a href="/jobs">Jobs</a> <a href="/privacy">Privacy</a> <a href="/dnsmpi">Do Not Sell My Personal '
        "Information</a></div></div></div></div></body></html>"
    )


def tpl_html5(post: Post, rng: random.Random) -> str:
    """infohaven.example: semantic HTML5 with ads and 'Read also' links inside the article body."""
    phrase = rng.choice(
        [
            "This article first appeared on {name}.",
            "The post appeared first on {name}.",
            "Republished from {name}.",
        ]
    )
    parts: list[str] = []
    for n, p in enumerate(post.paragraphs):
        parts.append(f"<p>{esc(p)}</p>")
        if n == 1:
            parts.append('<aside class="inline-ad"><span>ADVERTISEMENT</span><div class="ad-slot"></div></aside>')
        if n == 3 and len(post.teasers) > 1:
            h, u, _ = post.teasers[1]
            parts.append(f'<p class="read-also"><strong>Read also:</strong> <a href="{esc(u)}">{esc(h)}</a></p>')
    if post.credit:
        line = f'<p class="credit"><em>{credit_html(post, phrase)}</em></p>'
        parts = [line, *parts] if post.credit_at_top else [*parts, line]
    teasers = "".join(f'<li><a href="{esc(u)}">{esc(h)}</a><p>{esc(x)}</p></li>' for h, u, x in post.teasers[:3])
    return (
        head(post, "InfoHaven") + '<body><a class="skip" href="#content">Skip to content</a><header class="masthead">'
        '<div class="logo"><a href="/">InfoHaven</a></div><nav aria-label="Main"><ul>'
        '<li><a href="/news">News</a></li><li><a href="/explainers">Explainers</a></li><li><a href="/money">Money</a>'
        '</li><li><a href="/health">Health</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav></header>'
        '<main id="content"><article><header>'
        f"<h1>{esc(post.headline)}</h1>"
        '<p class="meta">By <span class="author">InfoHaven Staff</span>'
        + (
            f' · <time datetime="{post.published.isoformat()}">{human_date(post, "%d %b %Y")}</time>'
            if post.published
            else ""
        )
        + "</p></header>"
        f'<section class="article-body">{"".join(parts)}</section>'
        '<footer><ul class="share"><li><a href="#">Share</a></li><li><a href="#">Tweet</a></li><li><a href="#">Email'
        "</a></li></ul></footer></article>"
        '<section class="newsletter-box"><h2>Stay informed</h2><p>Get our free morning briefing with the stories you '
        'need to know, straight to your inbox.</p><form><input type="email"><button>Subscribe</button></form>'
        "</section>"
        f'<section class="more-stories"><h2>More stories</h2><ul>{teasers}</ul></section>'
        '<section class="comments"><h2>Join the conversation</h2><p>Comments are moderated. Please be respectful.</p>'
        "<form><textarea></textarea><button>Post comment</button></form></section></main>"
        '<footer class="site-footer"><p>© 2024 InfoHaven Ltd. Content may not be reproduced without permission.</p>'
        '<p><a href="/about">About</a> · <a href="/contact">Contact</a> · <a href="/privacy">Privacy</a> · '
        '<a href="/cookies">Cookies</a></p></footer><div class="cookie-banner">We and our partners use cookies to '
        "personalise content and ads. <button>Accept</button> <button>Manage settings</button></div></body></html>"
    )


# --- The five templates below are used only with --more-templates (see MORE_FARMS).


def script_json(data: object) -> str:
    """JSON for inside a <script> element, with <, > and & escaped as Next.js and CMSs do."""
    text = json.dumps(data, ensure_ascii=False)
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


def reading_minutes(post: Post) -> int:
    return max(1, round(sum(len(p.split()) for p in post.paragraphs) / 230))


GHOST_AUTHORS = [
    (
        "Nathan Clarke",
        "nathan",
        "Nathan writes about the ideas shaping how we live and work. Before founding The Slow Read he spent a "
        "decade in marketing. He lives in Lisbon with two cats and too many notebooks.",
    ),
    (
        "Priya Raman",
        "priya",
        "Priya is a contributing editor at The Slow Read. She covers culture, science and the internet, and runs "
        "a weekly workshop on writing clearly. Book a free intro call on her website.",
    ),
    (
        "Theo Marsh",
        "theo",
        "Theo curates the stories our members love most. When he is not reading he is probably cycling somewhere "
        "without phone signal.",
    ),
]


def tpl_ghost(post: Post, rng: random.Random) -> str:
    """theslowread.example: a Ghost-like minimalist theme, members CTA mid-text, author card, date in JSON-LD."""
    phrase = rng.choice(["Originally published at {name}.", "Read the original at {name}.", "Source: {name}"])
    author, author_slug, bio = rng.choice(GHOST_AUTHORS)
    parts = [f"<p>{esc(p)}</p>" for p in post.paragraphs]
    cta = (
        '<aside class="gh-cta"><div class="gh-cta-inner"><h2 class="gh-cta-title">This story is free for '
        'members</h2><p class="gh-cta-text">Join 12,000 curious readers. Members get every essay in full, the '
        'weekly digest and access to the archive.</p><a class="gh-btn gh-primary-btn" href="#/portal/signup" '
        'data-portal="signup">Subscribe now</a><p class="gh-cta-signin">Already have an account? <a href="#/portal'
        '/signin" data-portal="signin">Sign in</a></p></div></aside>'
    )
    parts.insert(min(len(parts), max(1, len(parts) // 2)), cta)
    if post.credit and post.credit_at_top:
        parts.insert(0, f'<p class="gh-source"><em>{credit_html(post, phrase)}</em></p>')
    elif post.credit:
        parts += ["<hr>", f"<p><em>{credit_html(post, phrase)}</em></p>"]
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "publisher": {"@type": "Organization", "name": "The Slow Read"},
        "author": {"@type": "Person", "name": author, "url": f"https://theslowread.example/author/{author_slug}/"},
        "headline": post.headline,
        "url": post.url,
        "mainEntityOfPage": post.url,
    }
    if post.published:
        ld["datePublished"] = post.published.isoformat()
        ld["dateModified"] = post.published.isoformat()
    lead = split_sentences(post.paragraphs[0])[0] if post.paragraphs else ""
    lead = lead if len(lead) <= 180 else lead[:177].rsplit(" ", 1)[0] + "…"
    cards = "".join(
        f'<article class="gh-card post"><a class="gh-card-link" href="{esc(u)}"><header class="gh-card-header">'
        f'<h3 class="gh-card-title">{esc(h)}</h3></header><div class="gh-card-excerpt">{esc(x)}</div>'
        f'<footer class="gh-card-meta"><span class="gh-card-duration">{rng.randint(3, 9)} min read</span></footer>'
        "</a></article>"
        for h, u, x in post.teasers[:3]
    )
    tag = post.tags[0] if post.tags else "Essays"
    return (
        head(
            post,
            "The Slow Read",
            f'<meta name="description" content="{esc(lead)}"><meta name="generator" content="Ghost 5.82">'
            f'<script type="application/ld+json">{script_json(ld)}</script>',
            date_meta=False,
        )
        + f'<body class="post-template tag-{esc(tag.lower())} has-sans-title has-serif-body">'
        '<div class="gh-site"><header id="gh-head" class="gh-head gh-outer"><div class="gh-head-inner gh-inner">'
        '<div class="gh-head-brand"><a class="gh-head-logo" href="/">The Slow Read</a></div>'
        '<nav class="gh-head-menu"><ul class="nav"><li class="nav-home"><a href="/">Home</a></li>'
        '<li class="nav-archive"><a href="/archive/">Archive</a></li><li class="nav-about"><a href="/about/">About</a>'
        '</li></ul></nav><div class="gh-head-actions"><a class="gh-head-link" href="#/portal/signin">Sign in</a>'
        '<a class="gh-head-btn gh-btn gh-primary-btn" href="#/portal/signup">Subscribe</a></div></div></header>'
        '<main id="gh-main" class="gh-main"><article class="gh-article post">'
        '<header class="gh-article-header gh-canvas">'
        f'<a class="gh-article-tag" href="/tag/{esc(tag.lower())}/">{esc(tag)}</a>'
        f'<h1 class="gh-article-title is-title">{esc(post.headline)}</h1>'
        f'<p class="gh-article-excerpt is-body">{esc(lead)}</p>'
        f'<div class="gh-article-meta"><div class="gh-article-author-name"><a href="/author/{author_slug}/">'
        f"{esc(author)}</a></div>"
        + (
            f'<div class="gh-article-meta-content"><time class="gh-article-meta-date" '
            f'datetime="{post.published:%Y-%m-%d}">{human_date(post, "%d %b %Y")}</time>'
            if post.published
            else '<div class="gh-article-meta-content">'
        )
        + f'<span class="gh-article-meta-length"><span class="bull">—</span> {reading_minutes(post)} min read</span>'
        "</div></div></header>"
        f'<section class="gh-content gh-canvas is-body">{"".join(parts)}</section>'
        '<section class="gh-author-card gh-canvas"><div class="gh-author-image"><img src="/content/images/size/w160/'
        f'{author_slug}.jpg" alt="{esc(author)}"></div><div class="gh-author-info"><h4 class="gh-author-name">'
        f'<a href="/author/{author_slug}/">{esc(author)}</a></h4><p class="gh-author-bio">{esc(bio)}</p>'
        f'<a class="gh-author-more" href="/author/{author_slug}/">More posts →</a></div></section>'
        "</article>"
        '<section class="gh-container is-grid gh-outer"><div class="gh-container-inner gh-inner">'
        f'<h2 class="gh-container-title">You might also like</h2><div class="gh-feed">{cards}</div></div></section>'
        "</main>"
        '<footer class="gh-footer gh-outer"><div class="gh-footer-inner gh-inner"><div class="gh-footer-bar">'
        '<span class="gh-footer-logo is-title">The Slow Read</span><nav class="gh-footer-menu"><ul class="nav">'
        '<li><a href="/sitemap.xml">Sitemap</a></li><li><a href="/privacy/">Privacy</a></li><li><a href="/contact/">'
        'Contact</a></li></ul></nav><div class="gh-footer-copyright">Powered by <a href="https://ghost.org/">Ghost'
        '</a></div></div><div class="gh-footer-signup"><h2 class="gh-footer-signup-header is-title">The Slow Read'
        '</h2><p class="gh-footer-signup-subhead is-body">Thoughtful stories for curious minds, once a week. No '
        'spam, unsubscribe any time.</p><form class="gh-form" data-members-form><input class="gh-form-input" '
        'type="email" placeholder="jamie@example.com" required><button class="gh-button" type="submit">'
        "Subscribe</button></form></div></div></footer></div></body></html>"
    )


def tpl_drupal(post: Post, rng: random.Random) -> str:
    """metroherald-online.example: a Drupal news portal; the credit is a 'source' field above or below the body."""
    label, phrase = rng.choice(
        [("Source", "{name}"), (None, "Article courtesy of {name}"), (None, "Credit: {name}"), ("Via", "{name}")]
    )
    source = ""
    if post.credit:
        label_html = f'<div class="field__label">{label}</div>' if label else ""
        source = (
            '<div class="field field--name-field-source field--type-link field--label-'
            + ("inline" if label else "hidden")
            + f'">{label_html}<div class="field__item">{credit_html(post, phrase)}</div></div>'
        )
    paras = "".join(f"<p>{esc(p)}</p>" for p in post.paragraphs)
    body = (
        '<div class="clearfix text-formatted field field--name-body field--type-text-with-summary '
        f'field--label-hidden field__item">{paras}</div>'
    )
    body = source + body if post.credit_at_top else body + source
    section = post.tags[0] if post.tags else "News"
    related = "".join(
        '<div class="views-row"><div class="views-field views-field-title"><span class="field-content">'
        f'<a href="{esc(u)}" hreflang="en">{esc(h)}</a></span></div><div class="views-field views-field-body">'
        f'<div class="field-content">{esc(x)}</div></div></div>'
        for h, u, x in post.teasers[:4]
    )
    popular = "".join(
        f'<li><a href="{esc(u)}" hreflang="en">{esc(h)}</a></li>' for h, u, _ in [*post.teasers[4:], *post.teasers[:1]]
    )
    tags = "".join(
        f'<div class="field__item"><a href="/taxonomy/term/{30 + i}" hreflang="en">{esc(t)}</a></div>'
        for i, t in enumerate(post.tags)
    )
    comments = comments_html(
        rng,
        lambda who, said: (
            '<article role="article" class="comment js-comment"><footer class="comment__meta">'
            f'<p class="comment__author"><span>{esc(who)}</span></p></footer><div class="comment__content">'
            f'<div class="field field--name-comment-body field__item"><p>{esc(said)}</p></div>'
            '<ul class="links inline"><li><a href="#">Reply</a></li></ul></div></article>'
        ),
    )
    node = rng.randrange(18000, 98000)
    return (
        head(post, "Metro Herald Online", '<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">')
        + '<body class="path-node page-node-type-article"><a href="#main-content" class="visually-hidden focusable '
        'skip-link">Skip to main content</a><div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>'
        '<div class="layout-container"><header role="banner"><div class="region region-header">'
        '<div id="block-sitebranding" class="block block-system block-system-branding-block"><a href="/" rel="home" '
        'class="site-logo">Metro Herald Online</a><div class="site-slogan">Local news. Global view.</div></div>'
        '<div class="search-block-form block block-search" role="search"><form><input type="search" '
        'placeholder="Search"><input type="submit" value="Search" class="button"></form></div></div>'
        '<div class="region region-primary-menu"><nav role="navigation" id="block-mainnavigation" class="block '
        'block-menu navigation menu--main"><ul class="menu"><li class="menu-item"><a href="/">Home</a></li>'
        '<li class="menu-item"><a href="/news">News</a></li><li class="menu-item"><a href="/business">Business</a>'
        '</li><li class="menu-item"><a href="/sport">Sport</a></li><li class="menu-item"><a href="/entertainment">'
        'Entertainment</a></li><li class="menu-item"><a href="/opinion">Opinion</a></li><li class="menu-item">'
        '<a href="/obituaries">Obituaries</a></li></ul></nav></div></header>'
        '<div class="region region-breadcrumb"><div id="block-breadcrumbs" class="block block-system '
        'block-system-breadcrumb-block"><nav class="breadcrumb" role="navigation" aria-labelledby="system-'
        'breadcrumb"><h2 id="system-breadcrumb" class="visually-hidden">Breadcrumb</h2><ol><li><a href="/">Home</a>'
        f'</li><li><a href="/news">News</a></li><li><a href="/news/{esc(section.lower())}">{esc(section)}</a></li>'
        "</ol></nav></div></div>"
        '<main role="main"><a id="main-content" tabindex="-1"></a><div class="layout-content">'
        '<div class="region region-content"><div data-drupal-messages-fallback class="hidden"></div>'
        '<div id="block-pagetitle" class="block block-core block-page-title-block"><h1 class="page-title">'
        f'<span class="field field--name-title field--type-string field--label-hidden">{esc(post.headline)}</span>'
        "</h1></div>"
        '<div id="block-mainpagecontent" class="block block-system block-system-main-block">'
        f'<article role="article" about="/node/{node}" class="node node--type-article node--promoted '
        'node--view-mode-full"><div class="node__meta"><span class="field field--name-uid field--type-entity-'
        'reference field--label-hidden"><span>Metro Herald staff</span></span>'
        + (
            f' <span class="field field--name-created field--type-created field--label-hidden">'
            f"{human_date(post, '%a, %m/%d/%Y - %H:%M')}</span>"
            if post.published
            else ""
        )
        + '</div><div class="node__content"><div class="field field--name-field-image field--type-image '
        f'field--label-hidden field__item"><img src="/sites/default/files/styles/wide/public/{node}.jpg" alt="" '
        'loading="lazy"></div>'
        f"{body}"
        '<div class="field field--name-field-tags field--type-entity-reference field--label-above clearfix">'
        f'<div class="field__label">Tags</div><div class="field__items">{tags}</div></div>'
        '<div class="addtoany_list"><a class="a2a_button_facebook" href="#">Facebook</a><a class="a2a_button_x" '
        'href="#">X</a><a class="a2a_button_email" href="#">Email</a><a class="a2a_button_print" href="#">Print</a>'
        "</div></div>"
        '<section class="field field--name-comment field--type-comment field--label-above comment-wrapper">'
        f'<h2 class="title">Comments</h2>{comments}<h2 class="title comment-form__title">Add new comment</h2>'
        '<form class="comment-comment-form comment-form"><div class="form-item"><label>Your name</label><input>'
        '</div><div class="form-item"><label>Comment</label><textarea></textarea></div><input type="submit" '
        'value="Save" class="button button--primary"></form></section></article></div>'
        '<div class="views-element-container block block-views block-views-blockrelated-articles-block-1">'
        '<h2>Related articles</h2><div class="view view-related-articles view-id-related_articles view-display-id-'
        f'block_1"><div class="view-content">{related}</div></div></div></div></div>'
        '<aside class="layout-sidebar-second" role="complementary"><div class="region region-sidebar-second">'
        '<div class="block block-poll block-poll-recent-block"><h2>Poll</h2><form class="poll-view-form">'
        '<div class="poll-question">Should the city extend late-night public transport services?</div>'
        '<div class="form-radios"><div class="form-item"><input type="radio" name="choice" value="1"> <label>Yes'
        '</label></div><div class="form-item"><input type="radio" name="choice" value="2"> <label>No</label></div>'
        '<div class="form-item"><input type="radio" name="choice" value="3"> <label>Not sure</label></div></div>'
        '<input type="submit" value="Vote" class="button"></form><a href="/poll">Older polls</a></div>'
        '<div class="views-element-container block block-views block-views-blockmost-popular-block-1"><h2>Most '
        f'popular</h2><div class="item-list"><ul>{popular}</ul></div></div>'
        '<div class="block block-block-content"><div class="field field--name-body">Advertisement<div '
        'class="ad-300x250"></div><p>Local businesses: reach 200,000 readers a month. Contact '
        "advertising@metroherald-online.example</p></div></div></div></aside></main>"
        '<footer role="contentinfo"><div class="region region-footer-first"><nav class="block block-menu menu--'
        'sections"><h2>Sections</h2><ul class="menu"><li><a href="/news">News</a></li><li><a href="/business">'
        'Business</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>'
        '<nav class="block block-menu menu--company"><h2>Company</h2><ul class="menu"><li><a href="/about-us">About '
        'us</a></li><li><a href="/advertise">Advertise</a></li><li><a href="/careers">Careers</a></li><li><a '
        'href="/contact">Contact us</a></li></ul></nav><nav class="block block-menu menu--legal"><h2>Legal</h2><ul '
        'class="menu"><li><a href="/terms">Terms of use</a></li><li><a href="/privacy">Privacy notice</a></li><li><a '
        'href="/corrections">Corrections</a></li></ul></nav></div><div class="region region-footer-second"><div '
        'class="block block-block-content">Copyright © 2024 Metro Herald Online. All rights reserved.</div></div>'
        "</footer></div></div></body></html>"
    )


PORTAL_FILLER = [
    "Heavy rain warning issued for southern coastal regions this weekend",
    "Idol group announces first world tour in three years",
    "Central bank keeps benchmark rate unchanged for fifth straight meeting",
    "Commuters face delays as subway line closes for overnight repairs",
    "Top court rules on landmark labor dispute at shipbuilder",
    "Convenience store chain to raise prices of lunch boxes next month",
    "National team coach names squad for upcoming qualifiers",
    "Tourist arrivals hit record high in first quarter",
]

PORTAL_CAPTIONS = [
    "A view of the scene on the day. [Photo: EastAsia Now DB]",
    "File photo. [Photo: Getty Images Bank]",
    "Citizens walk past the site. [Photo: EastAsia Now]",
    "Officials attend a briefing earlier this week. [Photo: provided by the organizers]",
    "This image is unrelated to the specific content of the article. [Photo: Pixabay]",
]


def tpl_portal(post: Post, rng: random.Random) -> str:
    """eastasia-now.example: an East Asian news-portal layout in English: ranking at the top, text in chunks
    between ads, photo gallery, share bar, tags row; the date only as visible text."""
    phrase = rng.choice(["Source: {name}", "Via {name}", "Credit: {name}", "[Source: {name}]"])
    ranking_items = [(h, u) for h, u, _ in post.teasers] + [
        (h, f"/news/articleView.html?idxno={rng.randrange(300000, 399999)}") for h in rng.sample(PORTAL_FILLER, 4)
    ]
    rng.shuffle(ranking_items)
    ranking = "".join(
        f'<li><span class="rank-num rank-{i}">{i}</span><a href="{esc(u)}">{esc(h)}</a></li>'
        for i, (h, u) in enumerate(ranking_items[:10], 1)
    )
    gallery = (
        '<div class="photo-gallery" id="photoGallery"><div class="gallery-count">1 / 3</div>'
        + "".join(
            f'<figure class="gallery-item"><img src="/news/photo/{rng.randrange(202301, 202412)}/'
            f'{rng.randrange(100000, 999999)}_{i}.jpg" alt=""><figcaption class="photo-caption">{esc(caption)}'
            "</figcaption></figure>"
            for i, caption in enumerate(rng.sample(PORTAL_CAPTIONS, 3), 1)
        )
        + '<button class="gallery-prev">Prev</button><button class="gallery-next">Next</button></div>'
    )
    chunks: list[list[str]] = []
    rest = list(post.paragraphs)
    while rest:
        size = rng.choice([2, 2, 3])
        chunks.append(rest[:size])
        rest = rest[size:]
    parts: list[str] = []
    for i, chunk in enumerate(chunks):
        parts.append('<div class="article-text">' + "".join(f"<p>{esc(p)}</p>" for p in chunk) + "</div>")
        if i == 0:
            parts.append(gallery)
        if i < len(chunks) - 1 or len(chunks) == 1:
            parts.append('<div class="ad-slot">Advertisement</div>')
    if post.credit and post.credit_at_top:
        parts.insert(0, f'<div class="article-source">{credit_html(post, phrase)}</div>')
    elif post.credit:
        parts.append(f'<p class="article-source-bottom">{credit_html(post, phrase)}</p>')
    reporter = rng.choice(["Kim Min-jun", "Lee Seo-yeon", "Park Ji-hoon", "Tanaka Yui"])
    email = reporter.lower().replace(" ", ".").replace("-", "") + "@eastasia-now.example"
    recommended = "".join(
        f'<li class="rec-item"><a href="{esc(u)}"><span class="rec-thumb"><img src="/news/thumbnail/{i}.jpg" '
        f'alt=""></span><strong class="rec-title">{esc(h)}</strong><span class="rec-lead">{esc(x)}</span></a></li>'
        for i, (h, u, x) in enumerate(post.teasers[:4])
    )
    tags = " ".join(f'<a href="/news/tagList.html?tag={esc(t)}">#{esc(t)}</a>' for t in post.tags)
    section = post.tags[0] if post.tags else "World"
    stamp = (
        f'<li class="date-input">Published {human_date(post, "%Y.%m.%d %H:%M")}</li>'
        f'<li class="date-update">Updated {(post.published + timedelta(minutes=rng.randint(5, 300))):%Y.%m.%d %H:%M}'
        "</li>"
        if post.published
        else ""
    )
    return (
        head(post, "EastAsia Now", date_meta=False)
        + '<body><div id="skip-nav"><a href="#article-view">Skip to article</a></div><div id="wrap">'
        '<div id="top-util"><div class="util-left"><span class="today">Today\'s paper</span> <a href="/epaper">'
        'E-paper</a> <a href="/jp">Japanese edition</a> <a href="/cn">Chinese edition</a></div><div class="util-'
        'right"><a href="/member/login">Log in</a> | <a href="/member/join">Sign up</a> | <a href="/subscribe">'
        'Subscribe</a></div></div><header id="header"><h1 class="logo"><a href="/">EastAsia Now</a></h1>'
        '<nav id="gnb"><ul><li><a href="/national">National</a></li><li><a href="/politics">Politics</a></li><li>'
        '<a href="/economy">Economy</a></li><li><a href="/society">Society</a></li><li><a href="/world">World</a>'
        '</li><li><a href="/entertainment">Entertainment</a></li><li><a href="/sports">Sports</a></li><li><a '
        'href="/culture">K-Culture</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/photo">Photos</a>'
        "</li></ul></nav></header>"
        '<div class="ranking-box top-ranking"><h3 class="box-title">Most Read</h3><ol class="rank-list">'
        f"{ranking}</ol></div>"
        '<div id="container"><section id="article-view" class="article-view">'
        f'<div class="article-head"><p class="section-name"><a href="/world">{esc(section)}</a></p>'
        f'<h2 class="headline">{esc(post.headline)}</h2>'
        f'<ul class="info-text"><li class="writer">Reporter {esc(reporter)}</li>{stamp}</ul></div>'
        '<div class="share-bar"><button class="btn-share fb">Facebook</button><button class="btn-share tw">X'
        '</button><button class="btn-share kakao">KakaoTalk</button><button class="btn-share line">LINE</button>'
        '<button class="btn-copy">Copy URL</button><button class="btn-font-up">A+</button><button class="btn-font-'
        'down">A-</button><button class="btn-print">Print</button></div>'
        f'<article id="article-view-content-div" class="article-body">{"".join(parts)}</article>'
        f'<div class="writer-box"><span class="name">{esc(reporter)}</span> <a href="mailto:{email}">{email}</a>'
        '<a class="btn-more" href="/news/articleList.html?writer=1">Other articles by this reporter</a></div>'
        '<p class="copyright">ⓒ EastAsia Now. Unauthorized reproduction and redistribution prohibited.</p>'
        f'<div class="tag-row"><span class="tag-label">Tags:</span> {tags}</div>'
        '<div class="reaction-box"><p>How do you feel about this article?</p><button>Like 0</button><button>Sad 0'
        "</button><button>Angry 0</button><button>Want follow-up 0</button></div>"
        f'<div class="recommend-box"><h3 class="box-title">Recommended for you</h3><ul>{recommended}</ul></div>'
        "</section>"
        '<aside id="sidebar"><div class="ad-slot ad-300x600">Advertisement</div><div class="photo-news"><h3>'
        'Photo News</h3><ul><li><a href="/photo/1">Cherry blossoms in full bloom along the river</a></li><li><a '
        'href="/photo/2">Fans gather ahead of sold-out concert</a></li></ul></div><div class="ad-slot">'
        "Advertisement</div></aside></div>"
        '<footer id="footer"><ul class="foot-menu"><li><a href="/company">Company info</a></li><li><a href="/'
        'ethics">Code of ethics</a></li><li><a href="/youth">Youth protection policy</a></li><li><a href="/privacy">'
        'Privacy policy</a></li><li><a href="/copyright">Copyright policy</a></li><li><a href="/ad">Advertising'
        "</a></li></ul><address>EastAsia Now Co., Ltd. | Registration No. 01234 | Publisher &amp; Editor: Choi "
        'Dong-hyun | Youth protection officer: Han Mi-rae | Tel 02-555-0100</address><p class="copyright">'
        "Copyright © 2024 EastAsia Now. All rights reserved.</p></footer></div></body></html>"
    )


def _css(role: str) -> str:
    """A hashed, meaningless class name, as CSS-in-JS emits (the same for a role on every page)."""
    return "css-" + hashlib.sha1(role.encode()).hexdigest()[:6]


def tpl_nextjs(post: Post, rng: random.Random) -> str:
    """snapbrief.example: a Next.js page with hashed class names; the article again in __NEXT_DATA__."""
    phrase = rng.choice(["Via {name}", "Credit: {name}", "Source: {name}", "Article courtesy of {name}"])
    roles = "root nav menu logo link main col h1 meta p body ad src nl nlh btn trend card cardh cardx cookie foot tag"
    c = {r: _css(r) for r in roles.split()}
    parts = [f'<p class="{c["p"]}">{esc(p)}</p>' for p in post.paragraphs]
    if len(parts) > 2:
        parts.insert(
            2,
            f'<div class="{c["ad"]}" data-ad-unit="in-article"><span>Advertisement</span>'
            f'<div id="div-gpt-ad-{rng.randrange(10**12, 10**13)}-0"></div></div>',
        )
    if post.credit and post.credit_at_top:
        parts.insert(0, f'<div class="{c["src"]}"><span>{credit_html(post, phrase)}</span></div>')
    elif post.credit:
        parts.append(f'<p class="{c["p"]} {c["src"]}"><em>{credit_html(post, phrase)}</em></p>')
    slug = slugify(post.headline)
    data = {
        "props": {
            "pageProps": {
                "article": {
                    "id": rng.randrange(100000, 999999),
                    "slug": slug,
                    "title": post.headline,
                    "publishedAt": post.published.isoformat() if post.published else None,
                    "author": {"name": "SnapBrief Newsroom"},
                    "body": [{"type": "paragraph", "text": p} for p in post.paragraphs],
                    "source": {"name": post.credit[0], "url": post.credit[1]} if post.credit else None,
                    "tags": post.tags,
                },
                "related": [{"title": h, "href": u, "excerpt": x} for h, u, x in post.teasers],
            },
            "__N_SSG": True,
        },
        "page": "/[slug]",
        "query": {"slug": slug},
        "buildId": "q8Zk2LmN0bXr5TtYw1cVd",
        "isFallback": False,
        "gsp": True,
        "scriptLoader": [],
    }
    trending = "".join(
        f'<a class="{c["card"]}" href="{esc(u)}"><h3 class="{c["cardh"]}">{esc(h)}</h3>'
        f'<p class="{c["cardx"]}">{esc(x)}</p></a>'
        for h, u, x in post.teasers[:4]
    )
    tags = "".join(f'<a class="{c["tag"]}" href="/topic/{esc(t.lower())}">{esc(t)}</a>' for t in post.tags)
    chunks = "".join(
        f'<script src="/_next/static/chunks/{name}.js" defer=""></script>'
        for name in ["webpack-5f1a2b3c4d5e6f70", "framework-0a1b2c3d4e5f6a7b", "main-9f8e7d6c5b4a3928"]
    )
    canonical = f'<link rel="canonical" href="{esc(post.canonical)}"/>' if post.canonical else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-'
        f'width"/><title>{esc(post.headline)} - SnapBrief</title><meta name="description" content="'
        f'{esc(" ".join(post.paragraphs[0].split()[:25]) if post.paragraphs else "")}"/>'
        f'<meta property="og:title" content="{esc(post.headline)}"/><meta property="og:type" content="article"/>'
        f'<meta property="og:url" content="{esc(post.url)}"/><meta name="twitter:card" content="summary_large_image"/>'
        f'{canonical}<meta name="next-head-count" content="9"/><link rel="preload" href="/_next/static/css/'
        '3e4f5a6b7c8d9e0f.css" as="style"/><link rel="stylesheet" href="/_next/static/css/3e4f5a6b7c8d9e0f.css" '
        f'data-n-g=""/>{chunks}' + "".join(post.extra_head) + "</head>"
        f'<body><div id="__next"><div class="{c["root"]}"><header class="{c["nav"]}"><a class="{c["logo"]}" '
        f'href="/">SnapBrief</a><nav class="{c["menu"]}">'
        + "".join(
            f'<a class="{c["link"]}" href="/{s.lower()}">{s}</a>' for s in ["News", "Tech", "Money", "Culture", "Video"]
        )
        + f'</nav><button class="{c["btn"]}">Sign in</button></header><main class="{c["main"]}">'
        f'<div class="{c["col"]}"><h1 class="{c["h1"]}">{esc(post.headline)}</h1><div class="{c["meta"]}">'
        "<span>By SnapBrief Newsroom</span>"
        + (
            f'<time datetime="{post.published.isoformat()}">{human_date(post, "%b %d, %Y, %I:%M %p UTC")}</time>'
            if post.published
            else ""
        )
        + f"<span>{reading_minutes(post)} min read</span></div>"
        f'<div class="{c["body"]}" data-testid="article-body">{"".join(parts)}</div>'
        f'<div class="{c["meta"]}">{tags}</div>'
        f'<div class="{c["nl"]}"><h2 class="{c["nlh"]}">Get the Brief</h2><p class="{c["cardx"]}">The five stories '
        "you need to know, every weekday at 6am. Free, and you can unsubscribe any time.</p><form><input "
        f'type="email" placeholder="Email address" aria-label="Email address"/><button class="{c["btn"]}" '
        'type="submit">Sign up</button></form></div>'
        f'<section class="{c["trend"]}"><h2 class="{c["nlh"]}">Trending on SnapBrief</h2>{trending}</section>'
        f'</div></main><footer class="{c["foot"]}"><span>© 2024 SnapBrief Media Inc.</span><a href="/about">About'
        '</a><a href="/careers">Careers</a><a href="/terms">Terms</a><a href="/privacy">Privacy</a><a href="/'
        f'cookies">Cookie settings</a></footer></div><div class="{c["cookie"]}" role="dialog" aria-label="Cookie '
        'consent"><p>We use cookies and similar technologies to improve your experience, measure our audience and '
        f'show you relevant ads. <a href="/cookies">Cookie Policy</a></p><button class="{c["btn"]}">Reject all'
        f'</button><button class="{c["btn"]}">Accept all</button></div></div>'
        f'<script id="__NEXT_DATA__" type="application/json">{script_json(data)}</script></body></html>'
    )


FORUM_SIGNATURES = [
    "Truth is out there - you just have to share it.",
    "Visit our sister site for daily deals and coupons!",
    "Opinions are my own. Reposting news so you don't have to.",
]


def tpl_forum(post: Post, rng: random.Random) -> str:
    """newsboard-forums.example: an old phpBB-style forum; text in <td class="postbody"> with <br /><br />,
    sometimes inside a quote box; signature under the post; the date only as 'Posted:' text."""
    phrase = rng.choice(
        ["<b>Source:</b> {name}", "Read the original at {name}", "Article courtesy of {name}", "Credit: {name}"]
    )
    fmt = "%a %b %d, %Y %I:%M %p"
    text = "<br /><br />".join(esc(p) for p in post.paragraphs)
    if rng.random() < 0.4:
        text = (
            '<table width="90%" cellspacing="1" cellpadding="3" border="0" align="center"><tr><td><span class="'
            'genmed"><b>Quote:</b></span></td></tr><tr><td class="quote">' + text + "</td></tr></table>"
        )
    if post.credit and post.credit_at_top:
        text = credit_html(post, phrase) + "<br /><br />" + text
    elif post.credit:
        text = text + "<br /><br />" + credit_html(post, phrase)
    signature = (
        '<br />_________________<br /><span class="signature">-- posted by admin<br />'
        f"{esc(rng.choice(FORUM_SIGNATURES))}</span>"
    )
    forum = f"{post.tags[0]} News" if post.tags else "World News"
    posted = f"Posted: {human_date(post, fmt)}" if post.published else "Posted:"

    def reply(who: str, said: str) -> str:
        when = ""
        if post.published:
            when = (post.published + timedelta(hours=rng.uniform(1, 40))).strftime(fmt)
        return (
            f'<tr><td class="row2" width="150" valign="top"><span class="name"><b>{esc(who)}</b></span><br />'
            f'<span class="postdetails">Member<br />Joined: {rng.choice(["Mar", "Jul", "Nov"])} '
            f"{rng.randint(2010, 2022)}<br />Posts: {rng.randint(3, 4000)}</span></td>"
            f'<td class="row2" valign="top"><table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
            f'<td><span class="postdetails">Posted: {when} &nbsp; Post subject: Re: {esc(post.headline)}</span></td>'
            f'</tr><tr><td colspan="2"><hr /></td></tr><tr><td class="postbody">{esc(said)}</td></tr></table></td></tr>'
        )

    replies = comments_html(rng, reply)
    similar = "".join(
        f'<tr><td class="row1"><span class="topictitle"><a href="{esc(u)}">{esc(h)}</a></span><br />'
        f'<span class="gensmall">{esc(x)}</span></td><td class="row2" align="center"><span class="gensmall">'
        f'{esc(forum)}</span></td><td class="row1" align="center"><span class="postdetails">{rng.randint(0, 60)}'
        f'</span></td><td class="row2" align="center"><span class="postdetails">{rng.randint(40, 9000)}</span></td>'
        "</tr>"
        for h, u, x in post.teasers[:5]
    )
    return (
        head(
            post,
            "NewsBoard Community Forums",
            '<link rel="stylesheet" href="templates/subSilver/subSilver.css">',
            False,
        )
        + '<body bgcolor="#E5E5E5" text="#000000" link="#006699" vlink="#5493B4"><a name="top"></a>'
        '<table width="100%" cellspacing="0" cellpadding="10" border="0" align="center"><tr><td class="bodyline">'
        '<table width="100%" cellspacing="0" cellpadding="0" border="0"><tr><td><a href="index.php"><img src="'
        'templates/subSilver/images/logo_phpBB.gif" border="0" alt="NewsBoard Community Forums" vspace="1" /></a>'
        '</td><td align="center" width="100%" valign="middle"><span class="maintitle">NewsBoard Community Forums'
        '</span><br /><span class="gen">Discuss the news of the day<br />&nbsp; </span><table cellspacing="0" '
        'cellpadding="2" border="0"><tr><td align="center" valign="top" nowrap="nowrap"><span class="mainmenu">'
        '<a href="faq.php" class="mainmenu">FAQ</a> &nbsp; <a href="search.php" class="mainmenu">Search</a> &nbsp; '
        '<a href="memberlist.php" class="mainmenu">Memberlist</a> &nbsp; <a href="groupcp.php" class="mainmenu">'
        'Usergroups</a> &nbsp; <a href="profile.php?mode=register" class="mainmenu">Register</a></span></td></tr>'
        '<tr><td align="center"><span class="mainmenu"><a href="profile.php?mode=editprofile" class="mainmenu">'
        'Profile</a> &nbsp; <a href="privmsg.php?folder=inbox" class="mainmenu">Log in to check your private '
        'messages</a> &nbsp; <a href="login.php" class="mainmenu">Log in</a></span></td></tr></table></td></tr>'
        "</table><br />"
        '<table width="100%" cellspacing="2" cellpadding="2" border="0"><tr><td align="left" valign="bottom" '
        f'colspan="2"><a class="maintitle" href="{esc(post.url)}">{esc(post.headline)}</a><br /></td></tr></table>'
        '<table width="100%" cellspacing="2" cellpadding="2" border="0"><tr><td align="left" valign="bottom" '
        'nowrap="nowrap"><span class="nav"><a href="posting.php?mode=newtopic"><img src="templates/subSilver/'
        'images/lang_english/post.gif" border="0" alt="Post new topic" /></a>&nbsp;&nbsp;<a href="posting.php?mode='
        'reply"><img src="templates/subSilver/images/lang_english/reply.gif" border="0" alt="Reply to topic" /></a>'
        '</span></td><td align="left" valign="middle" width="100%"><span class="nav">&nbsp;&nbsp;&nbsp;<a href="'
        f'index.php" class="nav">NewsBoard Forum Index</a> -&gt; <a href="viewforum.php?f=3" class="nav">'
        f"{esc(forum)}</a></span></td></tr></table>"
        '<table class="forumline" width="100%" cellspacing="1" cellpadding="3" border="0"><tr><th class="thLeft" '
        'width="150" height="26" nowrap="nowrap">Author</th><th class="thRight" nowrap="nowrap">Message</th></tr>'
        '<tr><td class="row1" width="150" align="left" valign="top"><span class="name"><a name="p1"></a><b>admin'
        '</b></span><br /><span class="postdetails">Site Admin<br /><img src="images/avatars/admin.gif" alt="" '
        'border="0" /><br /><br />Joined: 14 Feb 2009<br />Posts: 48213<br />Location: The Internet</span><br />'
        '</td><td class="row1" width="100%" height="28" valign="top"><table width="100%" border="0" cellspacing="0" '
        f'cellpadding="0"><tr><td width="100%"><span class="postdetails">{posted}<span class="gen">&nbsp;</span>'
        f'&nbsp; &nbsp;Post subject: {esc(post.headline)}</span></td><td valign="top" nowrap="nowrap">'
        '<a href="posting.php?mode=quote&amp;p=1"><img src="templates/subSilver/images/lang_english/icon_quote.gif" '
        'alt="Reply with quote" border="0" /></a></td></tr><tr><td colspan="2"><hr /></td></tr><tr>'
        f'<td colspan="2" class="postbody">{text}{signature}</td></tr></table></td></tr>'
        '<tr><td class="row1" width="150" align="left" valign="middle"><span class="nav"><a href="#top" class="nav">'
        'Back to top</a></span></td><td class="row1" width="100%" height="28" valign="bottom" nowrap="nowrap">'
        '<a href="profile.php?mode=viewprofile&amp;u=2">View user\'s profile</a> <a href="privmsg.php?mode=post'
        '&amp;u=2">Send private message</a></td></tr><tr><td class="spaceRow" colspan="2" height="1"></td></tr>'
        f"{replies}</table>"
        '<form action="posting.php" method="post" name="quickreply"><table class="forumline" width="100%" '
        'cellspacing="1" cellpadding="3" border="0"><tr><th class="thHead" height="25">Quick Reply</th></tr><tr>'
        '<td class="row1" align="center"><textarea name="message" rows="8" cols="70" class="post"></textarea><br />'
        '<input type="checkbox" name="attach_sig" checked="checked" /> <span class="gensmall">Attach signature'
        '</span><br /><input type="submit" name="post" class="mainoption" value="Submit" />&nbsp;<input '
        'type="submit" name="preview" class="liteoption" value="Preview" /></td></tr></table></form><br />'
        '<table class="forumline" width="100%" cellspacing="1" cellpadding="3" border="0"><tr><th colspan="4" '
        'class="thHead">Similar Topics</th></tr><tr><td class="catHead"><span class="cattitle">Topic</span></td><td '
        'class="catHead"><span class="cattitle">Forum</span></td><td class="catHead"><span class="cattitle">Replies'
        '</span></td><td class="catHead"><span class="cattitle">Views</span></td></tr>'
        f"{similar}</table><br />"
        '<table width="100%" cellspacing="2" border="0" align="center"><tr><td valign="top" align="left"><span '
        f'class="gensmall">Display posts from previous: <select name="postdays"><option value="0">All Posts</option>'
        '</select></span></td><td align="right" valign="top" nowrap="nowrap"><span class="gensmall">Jump to: '
        f'<select name="f"><option value="3">{esc(forum)}</option><option value="4">Off-Topic</option></select>'
        "</span></td></tr></table>"
        '<table class="forumline" width="100%" cellspacing="1" cellpadding="3" border="0"><tr><td class="catHead">'
        '<span class="cattitle">Who is Online</span></td></tr><tr><td class="row1"><span class="gensmall">Users '
        f"browsing this forum: None. In total there are {rng.randint(40, 400)} users online :: 2 Registered, 0 "
        "Hidden and the rest Guests</span></td></tr></table>"
        '<div align="center"><span class="copyright"><br />Powered by <a href="http://www.phpbb.com/" target="_'
        'phpbb" class="copyright">phpBB</a> © 2001, 2005 phpBB Group<br />All times are GMT</span></div>'
        "</td></tr></table></body></html>"
    )


TAG_POOL = ["Breaking", "World", "Politics", "Health", "Tech", "Money", "Viral", "Science", "Travel", "Sports"]


@dataclass
class Farm:
    name: str
    site: str
    render: Callable[[Post, random.Random], str]
    url_style: str  # "dated" (/YYYY/MM/DD/slug/), "blogger" (/YYYY/MM/slug.html), "query", "slug"


FARMS = [
    Farm("dailybuzzhub", "dailybuzzhub.example", tpl_wordpress, "dated"),
    Farm("newsflash24", "newsflash24.example", tpl_blogger, "blogger"),
    Farm("trendcards", "trendcards.example", tpl_bootstrap, "slug"),
    Farm("worldreport", "worldreport-daily.example", tpl_tables, "query"),
    Farm("viralpulse", "viralpulse.example", tpl_divsoup, "slug"),
    Farm("infohaven", "infohaven.example", tpl_html5, "slug"),
]

# Five more farms, added after FARMS only with --more-templates (the default corpus keeps the six above).
MORE_FARMS = [
    Farm("slowread", "theslowread.example", tpl_ghost, "slug"),
    Farm("metroherald", "metroherald-online.example", tpl_drupal, "dated"),
    Farm("eastasianow", "eastasia-now.example", tpl_portal, "blogger"),
    Farm("snapbrief", "snapbrief.example", tpl_nextjs, "slug"),
    Farm("newsboard", "newsboard-forums.example", tpl_forum, "query"),
]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "post"


def farm_url(farm: Farm, headline: str, when: datetime | None, n: int) -> str:
    slug = slugify(headline)
    if farm.url_style == "dated" and when is not None:
        return f"https://{farm.site}/{when:%Y/%m/%d}/{slug}/"
    if farm.url_style == "blogger" and when is not None:
        return f"https://{farm.site}/{when:%Y/%m}/{slug[:40]}.html"
    if farm.url_style == "query":
        return f"https://www.{farm.site}/story.php?id={40000 + n}"
    return f"https://{farm.site}/{slug}-{n}"


# ---------------------------------------------------------------------------------------------------
# Partner (syndication) and alternate templates


def tpl_syndicated(post: Post, partner: str, outlet: str, link: str, rng: random.Random) -> str:
    note = rng.choice(
        [
            f'This article is republished from <a href="{esc(link)}">{esc(outlet)}</a> under a content-sharing'
            " agreement.",
            f'This story originally appeared in <a href="{esc(link)}">{esc(outlet)}</a> and is reprinted with'
            " permission.",
            f'Published in partnership with {esc(outlet)}. <a href="{esc(link)}">Read the original article</a>.',
        ]
    )
    paras = "".join(f"<p>{esc(p)}</p>" for p in post.paragraphs)
    top = rng.random() < 0.4
    return (
        head(post, partner) + f'<body><header class="ph"><a href="/">{esc(partner)}</a><nav><a href="/news">News</a> '
        '<a href="/opinion">Opinion</a> <a href="/partners">Partner content</a></nav></header>'
        f'<main><article class="story"><h1>{esc(post.headline)}</h1><p class="dek">Partner content · '
        f"{human_date(post, '%B %d, %Y')}</p>"
        + (f'<div class="syndication-note">{note}</div>' if top else "")
        + f'<div class="story-body">{paras}</div>'
        + ("" if top else f'<div class="syndication-note">{note}</div>')
        + "</article></main><footer><p>© 2024 "
        + esc(partner)
        + ". All rights reserved.</p></footer></body></html>"
    )


def tpl_alternate(article: Article, url: str, amp: bool, rng: random.Random) -> str:
    paras = "".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
    date = article.published_at.isoformat() if article.published_at else ""
    canonical = f'<link rel="canonical" href="{esc(article.url)}">' if amp or rng.random() < 0.5 else ""
    html_tag = '<html ⚡ lang="en">' if amp else '<html lang="en">'
    extra = '<script async src="https://cdn.ampproject.org/v0.js"></script><style amp-boilerplate>body{}</style>'
    return (
        f'<!DOCTYPE html>\n{html_tag}<head><meta charset="utf-8"><title>{esc(article.headline)} - {esc(article.outlet)}'
        f"</title>{canonical}"
        + (f'<meta property="article:published_time" content="{date}">' if date else "")
        + f'<meta property="og:site_name" content="{esc(article.outlet)}">'
        + (extra if amp else '<meta name="robots" content="noindex">')
        + "</head><body>"
        + f'<header><a href="/">{esc(article.outlet)}</a></header>'
        + f"<article><h1>{esc(article.headline)}</h1>"
        + (f'<time datetime="{date}">{article.published_at:%B %d, %Y}</time>' if article.published_at else "")
        + paras
        + "</article>"
        + (
            '<footer><a href="/">Back to full site</a></footer>'
            if amp
            else "<footer><p>Printed from " + esc(article.url) + "</p></footer>"
        )
        + "</body></html>"
    )


# ---------------------------------------------------------------------------------------------------
# Corpus


PARTNERS = ["regionalledger.example", "metro-partner-news.example", "thecommonsdesk.example"]


def build(out: Path, seed: int, date_base: str = "row", more_templates: bool = False) -> dict[str, int]:
    rng = random.Random(seed)
    farms = FARMS + MORE_FARMS if more_templates else FARMS
    all_originals = load_originals(PROVENANCE_DEV, date_base)
    originals = [a for a in all_originals if len(a.paragraphs) >= 2]  # the ones worth copying
    own_texts = load_own_texts(EXTRACTION_DEV, all_originals, limit=24)
    if out.exists():
        shutil.rmtree(out)
    (out / "html").mkdir(parents=True)

    rows: list[dict] = []
    position: dict[str, float] = {}
    all_teasers: list[tuple[str, str, str]] = []
    for a in originals:
        excerpt = " ".join(split_sentences(a.paragraphs[0])[:1])[:220]
        all_teasers.append((a.headline, "", excerpt))

    def teasers_for(farm: Farm, exclude: set[str]) -> list[tuple[str, str, str]]:
        chosen = rng.sample([t for t in all_teasers if t[0] not in exclude], 6)
        return [(h, farm_url(farm, h, None, rng.randrange(1000, 9999)), x) for h, _, x in chosen]

    def add(row: dict, body: str | bytes, pos: float) -> None:
        path = out / row["html_file"]
        path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
        rows.append(row)
        position[row["id"]] = pos

    for a in all_originals:
        shutil.copyfile(PROVENANCE_DEV / a.html_file, out / a.html_file)
        row = {
            "id": a.id,
            "url": a.url,
            "site": a.site,
            "html_file": a.html_file,
            "published_at": a.row_published_at,
            "truth": {"verdict": "original", "sources": [], "kind": "original", "attributed": None},
        }
        rows.append(row)
        position[a.id] = rng.random()

    order = list(originals)
    rng.shuffle(order)
    plan = (
        ["exact"] * 42 + ["truncated"] * 24 + ["spun"] * 24 + ["merged"] * 18 + ["syndicated"] * 18 + ["alternate"] * 18
    )
    counter = 0
    used_pairs: list[Article] = []
    for n, kind in enumerate(plan):
        a = order[n % len(order)]
        counter += 1
        if kind == "alternate":
            amp = rng.random() < 0.6
            base = a.url.split("?")[0].rstrip("/")
            host_end = base.find("/", base.find("//") + 2)
            url = (
                base[:host_end] + "/amp" + base[host_end:] + "/"
                if amp
                else a.url + ("&" if "?" in a.url else "?") + "print=1"
            )
            cid = f"{a.id}--{'amp' if amp else 'print'}"
            add(
                {
                    "id": cid,
                    "url": url,
                    "site": a.site,
                    "html_file": f"html/{cid}.html",
                    "published_at": a.row_published_at,
                    "truth": {
                        "verdict": "original",
                        "sources": [],
                        "kind": "alternate",
                        "attributed": None,
                        "same_as": a.id,
                    },
                },
                tpl_alternate(a, url, amp, rng),
                position[a.id] + rng.uniform(-0.3, 0.6),
            )
            continue
        published = (a.published_at or datetime.fromisoformat("2022-01-01T08:00:00+00:00")) + timedelta(
            hours=rng.uniform(2, 96)
        )
        if kind == "syndicated":
            partner = PARTNERS[n % len(PARTNERS)]
            url = f"https://{partner}/partners/{slugify(a.headline)}"
            post = Post(url, a.headline, a.paragraphs, published, (a.outlet, a.url), False, [], [], canonical=a.url)
            cid = f"{partner.split('.')[0]}-syn-{a.id}"
            add(
                {
                    "id": cid,
                    "url": url,
                    "site": partner,
                    "html_file": f"html/{cid}.html",
                    "published_at": published.isoformat(),
                    "truth": {"verdict": "republished", "sources": [a.id], "kind": "syndicated", "attributed": True},
                },
                tpl_syndicated(post, partner, a.outlet, a.url, rng),
                position[a.id] + rng.uniform(-0.3, 0.6),
            )
            continue
        farm = farms[n % len(farms)]
        headline = a.headline
        paragraphs = list(a.paragraphs)
        sources = [a.id]
        if kind == "truncated":
            keep = max(1, round(len(paragraphs) * rng.uniform(0.3, 0.6)))
            paragraphs = paragraphs[:keep]
        elif kind == "spun":
            paragraphs = spin_paragraphs(paragraphs, rng)
            headline = spin_text(headline, rng, 0.8)
        elif kind == "merged":
            b = rng.choice([o for o in originals if o.id != a.id and o not in used_pairs and len(o.paragraphs) >= 4])
            used_pairs.append(b)
            half_a = paragraphs[: max(1, len(paragraphs) // 2)]
            half_b = b.paragraphs[len(b.paragraphs) // 2 :] or b.paragraphs
            paragraphs = half_a + half_b
            sources = [a.id, b.id]
            last = b.published_at or a.published_at
            if last and a.published_at:
                published = max(a.published_at, last) + timedelta(hours=rng.uniform(2, 72))
        # Dates: most after the original, a few backdated or undated.
        roll = rng.random()
        date_note = "after"
        if roll < 0.08:
            published, date_note = None, "none"
        elif roll < 0.15 and a.published_at:
            published, date_note = a.published_at - timedelta(hours=rng.uniform(6, 240)), "before"
        # Credit: linked, named only, or absent.
        roll = rng.random()
        credit: tuple[str, str | None] | None
        if roll < 0.35:
            credit = (a.outlet, a.url)
        elif roll < 0.6:
            credit = (a.outlet, None)
        else:
            credit = None
        if kind == "merged" and credit is not None and rng.random() < 0.5:
            credit = (a.outlet, None)
        tags = rng.sample(TAG_POOL, 3)
        url = farm_url(farm, headline, published, counter)
        post = Post(
            url, headline, paragraphs, published, credit, rng.random() < 0.3, teasers_for(farm, {a.headline}), tags
        )
        cid = f"{farm.name}-{kind}-{a.id}"
        add(
            {
                "id": cid,
                "url": url,
                "site": farm.site,
                "html_file": f"html/{cid}.html",
                "published_at": published.isoformat() if published else None,
                "truth": {
                    "verdict": "republished",
                    "sources": sources,
                    "kind": kind,
                    "attributed": credit is not None,
                },
                "_date": date_note,
            },
            farm.render(post, rng),
            position[a.id] + rng.uniform(-0.3, 0.6),
        )

    for n, (headline, paragraphs) in enumerate(own_texts):
        farm = farms[n % len(farms)]
        published = datetime.fromisoformat("2021-03-01T06:00:00+00:00") + timedelta(hours=rng.uniform(0, 24 * 900))
        url = farm_url(farm, headline, published, 900 + n)
        post = Post(
            url, headline, paragraphs, published, None, False, teasers_for(farm, set()), rng.sample(TAG_POOL, 3)
        )
        cid = f"{farm.name}-own-{n}"
        add(
            {
                "id": cid,
                "url": url,
                "site": farm.site,
                "html_file": f"html/{cid}.html",
                "published_at": published.isoformat(),
                "truth": {"verdict": "original", "sources": [], "kind": "own", "attributed": None},
            },
            farm.render(post, rng),
            rng.random(),
        )

    rows.sort(key=lambda r: position[r["id"]])
    with (out / "pages.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({k: v for k, v in row.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")
    with (out / "dates.json").open("w", encoding="utf-8") as fh:
        json.dump({r["id"]: r["_date"] for r in rows if "_date" in r}, fh, indent=1)

    seen: set[str] = set()
    before = copies = 0
    for row in rows:
        if row["truth"]["verdict"] == "republished":
            copies += 1
            before += row["truth"]["sources"][0] not in seen
        seen.add(row["id"])
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["truth"]["kind"]] = kinds.get(row["truth"]["kind"], 0) + 1
    return {"pages": len(rows), "copies_before_source": before, "copies": copies, **kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/unseen-templates"))
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument(
        "--date-base",
        choices=["row", "page"],
        default="row",
        help="date copies after the original's pages.jsonl date (row) or the later of it and the page's own (page)",
    )
    parser.add_argument(
        "--more-templates",
        action="store_true",
        help="also copy onto five more farm templates (Ghost-like, Drupal, news portal, Next.js, forum); "
        "off by default, so the default corpus is unchanged",
    )
    args = parser.parse_args()
    print(json.dumps(build(args.out, args.seed, args.date_base, args.more_templates)))


if __name__ == "__main__":
    main()
