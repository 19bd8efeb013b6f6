"""Build a held-out corpus of people's rewrites of reference texts or news, in the provenance-dev format.

The hidden evaluation has a corpus of people's cut-and-paste, light and heavy revisions of reference
articles and texts written independently on the same topics (in the manner of Clough & Stevenson's
corpus of plagiarised short answers). This script builds one like it from texts written by hand, not by
a program: ``bench/rewrites/<source id>.json`` holds, for one of provenance-dev's original pages, short
answers (150-300 words) of four kinds:

- ``cut``: passages of the source word for word, joined by a few words;
- ``light``: the source's passages with words swapped, clauses dropped or added, sentences merged;
- ``heavy``: the source's points rewritten through, in another order and other words;
- ``non``: the same topic written without the source (kind ``independent``, truth original).

The sources are provenance-dev's own HTML, copied as they are, beside every other original of
provenance-dev (unrelated pages the answers must not be matched with). Each answer is a page on one of
a dozen writers' sites (a course blog, a forum, a personal site: each writer answers once per source,
in mixed kinds, as the corpus's participants did), dated months to years after its source unless
``--dates none`` drops every date (the pages' and pages.jsonl's), ``--dates day`` gives the answers' dates as the day
alone (as printed papers' archives do); ``--quotes single`` prints the texts'
quotations in straight single quotes, as British papers and plain-text copy do (the sources keep theirs).
Arrival order is shuffled (seeded), so about half of the answers arrive before their source.

``--texts bench/journalism`` builds the same from newspaper stories written by hand from English news
stories taken as agency copy (in the manner of the METER corpus of Press Association copy and British
papers): kinds ``wholly`` (a sub-editor's version of the agency copy alone: cut, merged, reordered,
restyled), ``partially`` (a third to a half from the agency copy, the rest the paper's own reporting) and
``non`` (the paper's own report of the same event, perhaps quoting the same public statement), printed by
nine newspaper sites, dated 1 to 30 hours after the agency story (truth kinds ``wholly_derived``,
``partially_derived``, ``independent``, as in reuse-dev).

``--takes N`` (news): the agency story is not one page but N takes on the agency's site, as a news agency moves a
story (PA's copy in METER: a story in several pieces, each newspaper story derived from them together): take k
holds the k-th of N consecutive runs of the story's paragraphs, moved 40 minutes after the one before; the papers'
stories are derived from all of them (truth ``sources``: every take), and the takes are the originals to leave
alone.

Run::

    .venv/bin/python bench/rewrites.py [--texts bench/rewrites] [--out /tmp/rewrites] [--seed 7] [--dates all|none] \
        [--quotes as-written|single] [--takes 1]
    .venv/bin/farmwatch eval provenance /tmp/rewrites --show-mistakes
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from unseen_templates import PROVENANCE_DEV, Article, load_originals

REWRITES = Path(__file__).resolve().parent / "rewrites"
# The texts' kinds and the truth kind each becomes (independent: written without the source, truth original).
KINDS = {"cut": "cut", "light": "light", "heavy": "heavy", "non": "independent"}
KINDS |= {"wholly": "wholly_derived", "partially": "partially_derived"}
NEWS_KINDS = {"wholly", "partially"}
_DATE_META = re.compile(
    rb"<meta[^>]+(?:published|date|pubdate|dc\.date|timestamp)[^>]*>|<time[^>]*>.*?</time>", re.I | re.S
)
_DATE_LD = re.compile(rb'"date(?:Published|Created|Modified)"\s*:\s*"[^"]*"\s*,?', re.I)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs_html(text: str) -> str:
    return "\n".join(f"<p>{esc(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def title_of(text: str, topic: str) -> str:
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return first[:70].rstrip(" ,;:") if len(first) < 90 else f"Notes on {topic[:60]}"


def tpl_course_blog(writer: str, title: str, body: str, when: datetime | None) -> str:
    date = f'<meta property="article:published_time" content="{when.isoformat()}">' if when else ""
    shown = f'<p class="byline">Posted by {esc(writer)} on {when:%d %B %Y}</p>' if when else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{esc(title)} | {esc(writer)}'s coursework</title>
{date}</head><body>
<header><a href="/">{esc(writer)}'s coursework</a><nav><a href="/">Home</a><a href="/archive">Archive</a>
<a href="/about">About me</a></nav></header>
<main><article><h1>{esc(title)}</h1>{shown}
{paragraphs_html(body)}
</article>
<section class="comments"><h3>2 comments</h3><p>Great summary, thanks for sharing!</p>
<p>This helped me with my assignment too.</p>
<form><label>Leave a reply <textarea name="c"></textarea></label><button>Post comment</button></form></section></main>
<aside><h3>Recent posts</h3><ul><li><a href="/week-3">Week 3 reflections</a></li><li>
<a href="/reading-list">My reading list</a></li></ul></aside>
<footer>&copy; {esc(writer)} &middot; Powered by a static site generator</footer></body></html>"""


def tpl_forum(writer: str, title: str, body: str, when: datetime | None) -> str:
    date = f'<meta name="date" content="{when:%Y-%m-%d}">' if when else ""
    shown = f'<span class="posted">{when:%b %d, %Y %H:%M}</span>' if when else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{esc(title)} - Discussion board</title>{date}</head><body>
<div id="top">
<a href="/">Discussion board</a> &raquo; <a href="/f/general">General discussion</a> | <a href="/login">Log in</a>
<a href="/register">Register</a></div>
<div class="thread"><h2>{esc(title)}</h2>
<div class="post"><div class="author">{esc(writer)}<br>Member &middot; 214 posts</div>{shown}
<div class="content">{paragraphs_html(body)}</div>
<div class="actions"><a href="#">Quote</a> <a href="#">Report</a> <a href="#">Like</a></div></div>
<div class="post"><div class="author">guest_reader</div><div class="content"><p>Interesting, thanks.</p></div></div>
</div>
<div id="bottom">Forum rules &middot; Privacy &middot; Contact the moderators</div></body></html>"""


def tpl_personal(writer: str, title: str, body: str, when: datetime | None) -> str:
    ld = json.dumps(
        {"@type": "BlogPosting", "headline": title, "author": writer}
        | ({"datePublished": when.isoformat()} if when else {})
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<script type="application/ld+json">{ld}</script>
</head><body>
<div class="wrap"><div class="site-title">{esc(writer)}</div>
<div class="tagline">Thoughts, notes and things I am learning</div>
<div class="entry"><h1 class="entry-title">{esc(title)}</h1>
<div class="entry-content">{paragraphs_html(body)}</div>
<div class="entry-meta">Filed under: Notes &middot; <a href="#">Share on social media</a></div></div>
<div class="sidebar"><h4>About</h4><p>I write about what I read and study. Subscribe for new posts.</p>
<form><input type="email" placeholder="Your email"><button>Subscribe</button></form></div>
<div class="footer">All posts &copy; {esc(writer)}</div></div></body></html>"""


def tpl_newspaper(paper: str, title: str, body: str, when: datetime | None) -> str:
    name = paper.replace("-", " ").title()
    date = f'<meta property="article:published_time" content="{when.isoformat()}">' if when else ""
    shown = f'<time datetime="{when.isoformat()}">{when:%A %d %B %Y, %H:%M}</time>' if when else ""
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{esc(title)} | {esc(name)}</title>
{date}<meta property="og:site_name" content="{esc(name)}"></head><body>
<header class="masthead"><a href="/">{esc(name)}</a>
<nav><a href="/news">News</a> <a href="/sport">Sport</a> <a href="/business">Business</a>
<a href="/opinion">Opinion</a></nav>
</header>
<div class="breaking">Breaking: live updates on the day's top stories</div>
<main><article><h1>{esc(title)}</h1><div class="byline">By our reporter {shown}</div>
<div class="article-body">{paragraphs_html(body)}</div>
<div class="share">Share this article: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
</article>
<aside class="most-read"><h3>Most read</h3><ol><li><a href="/news/1">Council tax rise approved</a></li>
<li><a href="/news/2">Weather warning issued for weekend</a></li>
<li><a href="/sport/3">Late winner seals cup tie</a></li></ol>
</aside></main>
<footer>&copy; {esc(name)} Ltd. All rights reserved. <a href="/terms">Terms</a> <a href="/privacy">Privacy</a></footer>
</body></html>"""


def tpl_wire(agency: str, title: str, body: str, when: datetime | None) -> str:
    """A news agency's page for one take of a story (its wire service's plain layout)."""
    date = f'<meta property="article:published_time" content="{when.isoformat()}">' if when else ""
    shown = f'<p class="dateline">{when:%d %B %Y %H:%M} GMT</p>' if when else ""
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>{esc(title)} | {esc(agency)} wire</title>{date}
<meta property="og:site_name" content="{esc(agency)}"></head><body>
<div class="wire-header"><a href="/">{esc(agency)} wire service</a> <a href="/subscribers">Subscribers</a></div>
<div class="story"><h1>{esc(title)}</h1>{shown}
<div class="copy">{paragraphs_html(body)}</div>
<p class="endnote">More to follow. Copyright {esc(agency)}. For subscribers' use only.</p></div>
</body></html>"""


def takes_of(source: Article, count: int) -> list[tuple[str, str, str, datetime | None, str]]:
    """The story as `count` takes: (id, url, html file, time moved, text) each, in order."""
    paragraphs = source.paragraphs
    size = -(-len(paragraphs) // count)
    pieces = [paragraphs[i : i + size] for i in range(0, len(paragraphs), size)]
    out = []
    for k, piece in enumerate(pieces, 1):
        when = source.published_at + timedelta(minutes=40 * (k - 1)) if source.published_at else None
        take_id = f"{source.id}--take-{k}"
        out.append((take_id, f"{source.url.rstrip('/')}/take-{k}", f"html/{take_id}.html", when, "\n\n".join(piece)))
    return out


TEMPLATES = (tpl_course_blog, tpl_forum, tpl_personal)
PAPERS = (
    "daily-courier",
    "evening-echo",
    "morning-star-gazette",
    "the-chronicle",
    "weekly-sentinel",
    "city-herald",
    "national-dispatch",
    "the-argus-post",
    "county-express",
)


def undated(body: bytes) -> bytes:
    """The page without its machine-readable dates (meta tags, <time>, JSON-LD dates)."""
    return _DATE_LD.sub(b"", _DATE_META.sub(b"", body))


def load_texts(folder: Path = REWRITES) -> list[dict]:
    sets = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    for s in sets:
        bad = [a["kind"] for a in s["answers"] if a["kind"] not in KINDS]
        if bad:
            raise ValueError(f"{s['source']}: unknown kinds {bad}")
    return sets


def british_quotes(text: str) -> str:
    """The text with its double quotation marks (curly or straight) turned into straight single ones, as
    British papers and plain-text copy print them: a quotation must count as one in either style."""
    return text.replace("“", "'").replace("”", "'").replace('"', "'")


def build(
    out: Path, seed: int, dates: str = "all", texts: Path = REWRITES, quotes: str = "as-written", takes: int = 1
) -> dict[str, int]:
    rng = random.Random(seed)
    sets = load_texts(texts)
    if quotes == "single":
        for s in sets:
            for answer in s["answers"]:
                answer["text"] = british_quotes(answer["text"])
    news = any(a["kind"] in NEWS_KINDS for s in sets for a in s["answers"])
    # Papers print hours after the agency: after the later of pages.jsonl's date (the day at 08:00) and the
    # hour the agency page itself gives, so that no paper is dated before the story it took.
    originals: dict[str, Article] = {a.id: a for a in load_originals(PROVENANCE_DEV, "page" if news else "row")}
    if out.exists():
        shutil.rmtree(out)
    (out / "html").mkdir(parents=True)
    rows: list[tuple[float, dict]] = []
    # Sources moved as several takes: each take a page of its own, the story's own page left out.
    source_ids: dict[str, list[str]] = {}
    for s in sets if news and takes > 1 else []:
        source = originals.pop(s["source"])
        source_ids[source.id] = []
        for take_id, url, html_file, when, text in takes_of(source, takes):
            source_ids[source.id].append(take_id)
            moved = when if dates != "none" else None
            page = tpl_wire(source.outlet, source.headline, text, moved)
            (out / html_file).write_text(page, encoding="utf-8")
            truth = {"verdict": "original", "sources": [], "kind": "original", "attributed": None}
            row = {"id": take_id, "url": url, "site": source.site, "html_file": html_file}
            row |= {"published_at": moved.isoformat() if moved else None, "truth": truth}
            rows.append((rng.random(), row))
        originals[source.id] = source  # still the papers' story and time, not a page
    for a in originals.values():
        if a.id in source_ids:
            continue
        body = (PROVENANCE_DEV / a.html_file).read_bytes()
        (out / a.html_file).write_bytes(body if dates != "none" else undated(body))
        truth = {"verdict": "original", "sources": [], "kind": "original", "attributed": None}
        published = a.row_published_at if dates != "none" else None
        rows.append(
            (
                rng.random(),
                {
                    "id": a.id,
                    "url": a.url,
                    "site": a.site,
                    "html_file": a.html_file,
                    "published_at": published,
                    "truth": truth,
                },
            )
        )
    writers = max(len(s["answers"]) for s in sets)
    for n_set, s in enumerate(sets):
        source = originals[s["source"]]
        base = source.published_at or datetime(2020, 1, 1)
        for n_answer, answer in enumerate(s["answers"]):
            writer_no = (n_answer + n_set) % writers  # each writer answers once per source, in mixed kinds
            if news:  # papers print the story hours after the agency's
                writer = PAPERS[writer_no % len(PAPERS)]
                site = f"{writer}.example"
                template = tpl_newspaper
                after = timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
            else:
                writer = f"writer{writer_no:02d}"
                site = f"{writer}.example"
                template = TEMPLATES[writer_no % len(TEMPLATES)]
                after = timedelta(days=rng.randint(60, 1100), hours=rng.randint(0, 23))
            when: datetime | date | None = base + after if dates != "none" else None
            if when is not None and dates == "day":  # printed papers' archives often give the day alone
                when = when.date()
            title = title_of(answer["text"], source.headline)
            page_id = f"{s['source']}--{answer['kind']}-{n_answer}"
            html_file = f"html/{page_id}.html"
            (out / html_file).write_text(template(writer, title, answer["text"], when), encoding="utf-8")
            kind = KINDS[answer["kind"]]
            derived = kind != "independent"
            truth = {
                "verdict": "republished" if derived else "original",
                "sources": source_ids.get(source.id, [source.id]) if derived else [],
                "kind": kind,
                "attributed": False if derived else None,
            }
            url = f"https://{site}/{n_set + 1}/{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')[:50]}"
            rows.append(
                (
                    rng.random(),
                    {
                        "id": page_id,
                        "url": url,
                        "site": site,
                        "html_file": html_file,
                        "published_at": when.isoformat() if when else None,
                        "truth": truth,
                    },
                )
            )
    rows.sort(key=lambda r: r[0])
    with (out / "pages.jsonl").open("w", encoding="utf-8") as f:
        for _, row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for _, row in rows:
        counts[row["truth"]["kind"]] = counts.get(row["truth"]["kind"], 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=Path, default=REWRITES, help="folder of hand-written texts")
    parser.add_argument("--out", type=Path, default=Path("/tmp/rewrites"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--dates",
        choices=["all", "none", "day"],
        default="all",
        help="keep or drop every date; day: the answers' (papers') dates as the day alone, without the hour",
    )
    parser.add_argument(
        "--quotes", choices=["as-written", "single"], default="as-written", help="single: the texts quote 'so'"
    )
    parser.add_argument("--takes", type=int, default=1, help="news: the agency story as this many takes (pages)")
    args = parser.parse_args()
    print(json.dumps(build(args.out, args.seed, args.dates, args.texts, args.quotes, args.takes)))


if __name__ == "__main__":
    main()
