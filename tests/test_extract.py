"""The main-text extractor as a moderator sees it: which text is the article, and what
every other block is."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from farmwatch.analysis.blocks import Block, BlockKind
from farmwatch.analysis.decode import decode_html
from farmwatch.analysis.extract import extract_blocks, main_text
from farmwatch.analysis.extract.thresholds import MAX_PATH

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
SEED = CORPORA / "seed"


def blocks_of(html: str) -> list[Block]:
    return extract_blocks(LexborHTMLParser(html))


def block_with(blocks: list[Block], snippet: str) -> Block:
    for block in blocks:
        if snippet in block.text:
            return block
    raise AssertionError(f"no block holds {snippet!r}")


ARTICLE = """
<p>The city council voted on Tuesday to expand the bus network, adding four new routes
that will connect the northern suburbs with the central station by next spring.</p>
<p>Officials said the plan, which costs 12 million euros, had been delayed twice because of
disagreements over where the new depot should be built and who would pay for it.</p>
<h2>What changes for riders</h2>
<p>Riders on the northern lines will see buses every ten minutes at peak hours instead of
every twenty, and night service will run until two in the morning on weekends.</p>
"""

SYNTHETIC = f"""<!doctype html>
<html><head><title>Council expands bus network</title>
<meta property="og:title" content="Council expands bus network">
<link rel="canonical" href="https://news.example/bus">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Council expands bus network"}}</script>
</head><body>
<div id="cookie-banner"><p>We use cookies to improve your experience on our website.</p></div>
<header class="site-header"><div class="logo"><a href="/">City News</a></div>
<nav class="main-menu"><ul><li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/culture">Culture</a></li></ul></nav></header>
<div class="layout has-sidebar">
<main><article class="post">
<h1 class="entry-title">Council expands bus network</h1>
<div class="entry-meta"><span class="byline">By Jane Doe</span> <time>March 3, 2024</time></div>
<div class="entry-content">{ARTICLE}
<div class="sharedaddy"><h3>Share this:</h3><ul><li><a href="https://twitter.com/share">Twitter</a></li>
<li><a href="https://facebook.com/sharer">Facebook</a></li></ul></div>
</div>
<div class="author-bio"><p>Jane Doe covers transport and city hall for City News and has written about
public transit for more than a decade.</p></div>
<div class="related-posts"><h3>Related articles</h3><ul>
<li><a href="/a">Tram line to close for repairs over the summer</a></li>
<li><a href="/b">New cycle lanes open along the river</a></li></ul></div>
<div id="comments" class="comments-area"><h3 class="comments-title">2 comments</h3>
<ol class="comment-list"><li class="comment"><p>Finally! I have waited years for a decent night bus to the
northern suburbs and this is great news for everyone living there.</p></li></ol>
<div id="respond"><h3>Leave a Reply</h3><form><p>Your email address will not be published.</p>
<textarea name="comment"></textarea></form></div></div>
</article></main>
<aside class="sidebar"><div class="widget newsletter"><h4>Get our newsletter</h4>
<p>Sign up to receive the best stories of the week in your inbox every Friday morning.</p></div></aside>
</div>
<footer class="site-footer"><p>Copyright © 2024 City News. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy</a></li><li><a href="/imprint">Imprint</a></li></ul></footer>
</body></html>"""


def test_synthetic_page_main_text_is_the_article() -> None:
    blocks = blocks_of(SYNTHETIC)
    text = main_text(blocks)
    assert "The city council voted on Tuesday" in text
    assert "Officials said the plan" in text
    assert "What changes for riders" in text
    assert "night service will run until two" in text
    for boilerplate in (
        "We use cookies",
        "Politics",
        "Share this",
        "covers transport and city hall",
        "Tram line to close",
        "waited years for a decent night bus",
        "Leave a Reply",
        "Sign up to receive",
        "All rights reserved",
    ):
        assert boilerplate not in text, boilerplate


def test_synthetic_page_boilerplate_kinds() -> None:
    blocks = blocks_of(SYNTHETIC)
    assert block_with(blocks, "Council expands bus network").kind is BlockKind.TITLE
    assert block_with(blocks, "We use cookies").kind is BlockKind.LEGAL
    assert block_with(blocks, "Politics").kind is BlockKind.NAVIGATION
    assert block_with(blocks, "By Jane Doe").kind is BlockKind.BYLINE
    assert block_with(blocks, "Share this").kind is BlockKind.SHARE
    assert block_with(blocks, "Twitter").kind is BlockKind.SHARE
    assert block_with(blocks, "covers transport and city hall").kind is BlockKind.AUTHOR_BIO
    assert block_with(blocks, "Related articles").kind is BlockKind.RELATED
    assert block_with(blocks, "Tram line to close").kind is BlockKind.RELATED
    assert block_with(blocks, "waited years for a decent night bus").kind is BlockKind.COMMENTS
    assert block_with(blocks, "Leave a Reply").kind is BlockKind.COMMENTS
    assert block_with(blocks, "Sign up to receive").kind is BlockKind.NEWSLETTER
    assert block_with(blocks, "All rights reserved").kind is BlockKind.FOOTER
    assert block_with(blocks, "Imprint").kind is BlockKind.FOOTER


def test_blocks_are_in_document_order_with_tags_paths_and_links() -> None:
    blocks = blocks_of(SYNTHETIC)
    texts = [b.text for b in blocks]
    assert texts.index(next(t for t in texts if "city council voted" in t)) < texts.index(
        next(t for t in texts if "Officials said" in t)
    )
    share = block_with(blocks, "Twitter")  # a share bar may come as one block
    assert share.kind is BlockKind.SHARE
    assert "https://twitter.com/share" in share.links and "https://facebook.com/sharer" in share.links
    assert share.link_density > 0.5
    paragraph = block_with(blocks, "The city council voted")
    assert paragraph.tag == "p"
    assert paragraph.link_density == 0.0
    assert "article" in paragraph.path and paragraph.path.endswith("/p")


def test_blocks_come_back_from_a_worker_process_as_they_were() -> None:
    """Analysis worker processes (eval, bulk import) hand blocks back pickled: every field and kind survives."""
    blocks = blocks_of(SYNTHETIC)
    again = pickle.loads(pickle.dumps(blocks, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == blocks
    assert {b.kind for b in again} == {b.kind for b in blocks}
    assert all(type(b.kind) is BlockKind for b in again)


def test_the_tree_is_left_intact_for_metadata() -> None:
    tree = LexborHTMLParser(SYNTHETIC)
    before = tree.html
    extract_blocks(tree, "https://news.example/bus")
    assert tree.html == before
    assert tree.css_first('meta[property="og:title"]').attributes["content"] == "Council expands bus network"
    assert tree.css_first("link[rel=canonical]").attributes["href"] == "https://news.example/bus"
    assert json.loads(tree.css_first('script[type="application/ld+json"]').text())["@type"] == "NewsArticle"
    assert len(tree.css("a[href]")) == 10


def test_main_text_joins_main_blocks_one_per_line_without_the_headline() -> None:
    blocks = [
        Block("Headline", BlockKind.TITLE),
        Block("Menu", BlockKind.NAVIGATION),
        Block("First paragraph.", BlockKind.MAIN),
        Block("Second paragraph.", BlockKind.MAIN),
    ]
    assert main_text(blocks) == "First paragraph.\nSecond paragraph."  # the headline is a block of its own
    assert main_text([]) == ""


def test_whitespace_and_inline_markup_are_normalised() -> None:
    html = (
        "<body><article><p>  The <b>W</b>ord   is\n split <a href='/x'>across</a> <em>many</em>"
        " elements, and it still reads as one sentence.</p></article></body>"
    )
    blocks = blocks_of(html)
    assert len(blocks) == 1
    assert blocks[0].text == "The Word is split across many elements, and it still reads as one sentence."
    assert blocks[0].links == ["/x"]


def test_hidden_script_and_style_text_is_not_text() -> None:
    html = (
        "<body><article><p>Visible paragraph text that is long enough to count as prose here.</p>"
        "<p style='display:none'>Hidden paragraph that nobody sees on the page at all.</p>"
        "<script>var tracking = 'script text';</script><style>.x{color:red}</style>"
        "<p>Another visible paragraph <span class='screen-reader-text'>skip me</span>with words.</p>"
        "</article></body>"
    )
    text = main_text(blocks_of(html))
    assert "Visible paragraph" in text
    assert "Hidden paragraph" not in text
    assert "script text" not in text
    assert "color:red" not in text
    assert "skip me" not in text


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<html></html>",
        "<html><head><title>No body</title></head></html>",
        "<frameset><frame src='a.html'></frameset>",
        "<p><b>bold <i>italic</p></b> stray </div></span><table><tr><td>cell",
        "<<<>>>&&&;;</p></p></p>",
        "<script>document.write('<p>x</p>')</script>",
        "\x00\x01binary-ish\ufffd text",
    ],
)
def test_malformed_or_empty_pages_never_crash(html: str) -> None:
    blocks = blocks_of(html)
    assert isinstance(blocks, list)
    assert isinstance(main_text(blocks), str)


def test_pages_without_body_or_text_give_no_blocks() -> None:
    assert blocks_of("") == []
    assert blocks_of("<frameset><frame src='a.html'></frameset>") == []
    assert blocks_of("<html><head><title>t</title></head><body></body></html>") == []


def test_deeply_nested_page_is_handled() -> None:
    depth = 5000
    html = (
        "<div>" * depth + "<p>Deep inside many wrappers there is still a real sentence of text.</p>" + "</div>" * depth
    )
    blocks = blocks_of(html)
    assert main_text(blocks) == "Deep inside many wrappers there is still a real sentence of text."
    path = blocks[0].path
    assert len(path) <= MAX_PATH  # the signature keeps the innermost part of the chain,
    assert path.startswith("div/") and path.endswith("/div/p")  # cut between elements


def test_huge_flat_text_is_one_main_block() -> None:
    words = "word " * 200_000
    blocks = blocks_of(f"<body>{words}</body>")
    assert len(blocks) == 1
    assert blocks[0].kind is BlockKind.MAIN
    assert len(blocks[0].text) == len(words) - 1


@pytest.fixture(scope="module")
def repost_blocks() -> list[Block]:
    path = SEED / "repost.html"
    if not path.exists():
        pytest.skip("shared corpora not available")
    return extract_blocks(LexborHTMLParser(decode_html(path.read_bytes())), "https://truthusanewshub.com/")


def test_seed_repost_main_text(repost_blocks: list[Block]) -> None:
    case = json.loads((SEED / "case.json").read_text())["repost"]["expected"]
    text = main_text(repost_blocks)
    for snippet in case["main_text_must_include"]:
        assert snippet in text
    for snippet in case["boilerplate_must_include"]:
        assert snippet not in text
        assert not block_with(repost_blocks, snippet).is_main
    assert "Reuters contributed to this report." in text  # the article's own credit line


def test_seed_repost_boilerplate_kinds(repost_blocks: list[Block]) -> None:
    assert block_with(repost_blocks, "I'm TruthUSA, the author behind").kind is BlockKind.AUTHOR_BIO
    assert block_with(repost_blocks, "Leave a Reply").kind is BlockKind.COMMENTS
    assert block_with(repost_blocks, "This site uses Akismet to reduce spam").kind is BlockKind.COMMENTS
    assert block_with(repost_blocks, "Armenia-Azerbaijan Border Clashes Raise").kind is BlockKind.TITLE
    source = block_with(repost_blocks, "Source link")
    assert source.kind is BlockKind.SOURCE_CREDIT
    assert source.links == [
        "https://www.theepochtimes.com/world/armenia-azerbaijan-border-clashes-raise-concerns-for-fragile-peace-talks-5588314"
    ]


def test_seed_original_main_text() -> None:
    path = SEED / "original.html"
    if not path.exists():
        pytest.skip("shared corpora not available")
    text = main_text(extract_blocks(LexborHTMLParser(decode_html(path.read_bytes()))))
    assert "Cross-border violence between Armenia and Azerbaijan erupted" in text


@pytest.mark.parametrize("page_id", ["100noticias.com-millones", "blog.python.org", "zeit.de.zugverkehr"])
def test_a_few_real_pages(page_id: str) -> None:
    corpus = CORPORA / "extraction-dev"
    truth = corpus / "truth.jsonl"
    if not truth.exists():
        pytest.skip("shared corpora not available")
    row = next(json.loads(line) for line in truth.open(encoding="utf-8") if f'"{page_id}"' in line)
    html = decode_html((corpus / row["html_file"]).read_bytes())
    text = " ".join(main_text(extract_blocks(LexborHTMLParser(html), row["url"])).split())
    for snippet in row["with"]:
        assert " ".join(snippet.split()) in text
    for snippet in row["without"]:
        assert " ".join(snippet.split()) not in text


def test_a_named_anchor_left_open_is_not_a_link() -> None:
    paragraph = "Old pages wrap whole articles in a named anchor that was never closed, and it is still text."
    blocks = blocks_of(f'<body><a name="top"><p>{paragraph}</p><p>{paragraph} Again.</p></body>')
    assert [b.kind for b in blocks] == [BlockKind.MAIN, BlockKind.MAIN]
    assert blocks[0].link_density == 0.0


def test_a_gallery_tells_its_story_in_captions() -> None:
    slides = "".join(
        f'<figure><img src="{i}.jpg"><figcaption>Slide {i}: what you need is a long coat, a hat and a scarf,'
        f" and this costume will be ready in ten minutes flat.</figcaption></figure>"
        for i in range(6)
    )
    html = (
        "<body><article><h1>Easy costumes</h1><div class='post-content'><p>Six easy ideas for the last minute.</p>"
        f"</div><div class='slides'>{slides}</div><figure><figcaption>Photo: Getty Images</figcaption></figure>"
        "</article></body>"
    )
    blocks = blocks_of(html)
    assert "Slide 3: what you need is a long coat" in main_text(blocks)
    assert block_with(blocks, "Getty Images").kind is BlockKind.CAPTION


def test_calls_to_action_and_notices_inside_the_article_are_boilerplate() -> None:
    """Pitches a site drops into its articles, in several languages, each with its kind."""
    notices = {
        "If you enjoyed reading this story, would you consider supporting our newsroom with a small monthly "
        "donation? Every contribution keeps our reporting free for everyone.": BlockKind.NEWSLETTER,
        "For the latest stories and breaking news updates download the City News apps for iOS and Android.": (
            BlockKind.NEWSLETTER
        ),
        "Wenn Ihnen unser Artikel gefallen hat: Unterstützen Sie diese Form des Journalismus.": BlockKind.NEWSLETTER,
        "*Werbung. Dieser Beitrag enthält Werbung für eine Modemarke.": BlockKind.ADS,
        "This article is the copyrighted property of City News. Written permission must be obtained before "
        "reprint in online or print media.": BlockKind.LEGAL,
        "This entry was posted in Transport. Bookmark the permalink.": BlockKind.RELATED,
    }
    body = "".join(f"<p>{text}</p>" for text in notices)
    blocks = blocks_of(
        f"<html><body><article><h1>Council expands bus network</h1>{ARTICLE}{body}</article></body></html>"
    )
    assert "city council voted on Tuesday" in main_text(blocks)
    for text, kind in notices.items():
        assert block_with(blocks, text[:40]).kind is kind, text


# --- Boxes on templates with meaningless class names (label.box_rules) -------------------

PARAGRAPHS = "".join(
    f'<div class="t{n} q{n}">{text}</div>'
    for n, text in enumerate(
        (
            "The city council voted on Tuesday to expand the bus network, adding four new routes that will "
            "connect the northern suburbs with the central station by next spring.",
            "Officials said the plan, which costs 12 million euros, had been delayed twice because of "
            "disagreements over where the new depot should be built and who would pay for it.",
            "Riders on the northern lines will see buses every ten minutes at peak hours instead of every "
            "twenty, and night service will run until two in the morning on weekends.",
        )
    )
)


def soup_page(after: str, before: str = "") -> str:
    """A template of divs with class names that say nothing: the article, then `after`."""
    return (
        f'<html><body><div class="a1"><div class="b7">{before}<div class="c-x01"><div class="c-x02">'
        f'<div class="hd7">Council expands bus network</div><div class="bd0">{PARAGRAPHS}</div>'
        f"{after}</div></div></div></div></body></html>"
    )


def test_a_label_gives_its_kind_to_the_rest_of_its_box() -> None:
    blocks = blocks_of(
        soup_page(
            '<div class="au2"><div class="au2a">About the author</div><div class="au2b">Jane Doe is an '
            "award-winning creator and the founder of this site. Follow her for daily tips and grab her "
            "bestselling e-book at half price this week only.</div></div>"
            '<div class="c-x11"><div class="c-x11h">More from City News</div><div class="c-x12">'
            '<div class="c-x15">Our reporters spent a week riding every night bus in the city and found '
            "the service better than its reputation.</div></div></div>"
        )
    )
    assert block_with(blocks, "About the author").kind is BlockKind.AUTHOR_BIO
    assert block_with(blocks, "award-winning creator").kind is BlockKind.AUTHOR_BIO
    assert block_with(blocks, "spent a week riding").kind is BlockKind.RELATED
    text = main_text(blocks)
    assert "Officials said the plan" in text and "night service will run" in text


def test_a_label_over_the_article_itself_does_not_take_it() -> None:
    # A label heading a box that holds the article's text, or a line that is a link or a
    # field rather than a section's name, leaves the text alone.
    html = (
        '<html><body><div class="w1"><div class="w2"><div class="l1">Advertisement</div>'
        f'<div class="bd0">{PARAGRAPHS}</div></div></div></body></html>'
    )
    assert "Officials said the plan" in main_text(blocks_of(html))
    blocks = blocks_of(
        soup_page(
            '<div class="x1"><div class="x2"><a href="/tram">Read: Tram line to close</a></div>'
            "<div>The council will also review the tram timetable after complaints from riders about "
            "overcrowded carriages during the morning peak.</div></div>"
        )
    )
    assert "review the tram timetable" in main_text(blocks)


def test_short_lines_in_a_box_of_boilerplate_share_its_kind() -> None:
    blocks = blocks_of(
        soup_page(
            '<div class="nl8"><div class="nl8a">Get the good stuff</div><div class="nl8b">Sign up for the '
            "City News newsletter: the best stories, delivered daily.</div>"
            '<div class="nl8c"><input placeholder="Email"><span>Sign me up</span></div></div>'
        )
    )
    assert block_with(blocks, "Get the good stuff").kind is BlockKind.NEWSLETTER
    assert block_with(blocks, "Sign me up").kind is BlockKind.NEWSLETTER
    assert "riders" not in block_with(blocks, "Get the good stuff").text
    assert "night service will run" in main_text(blocks)


TEASERS = "".join(
    f'<div class="k{n} r4"><a href="/story-{n}"><div class="k3">{title}</div></a><div class="k5">{excerpt}</div></div>'
    for n, (title, excerpt) in enumerate(
        (
            ("Tram line to close for repairs", "The tram line along the river will close for the summer while "
             "engineers replace the tracks."),
            ("New cycle lanes open", "Cyclists can now ride from the station to the university without "
             "sharing the road with cars."),
            ("Parking fees to rise", "Drivers will pay a euro more an hour in the centre from April, the "
             "council decided."),
        )
    )
)  # fmt: skip


def test_excerpts_under_link_titles_in_cards_are_teasers() -> None:
    blocks = blocks_of(soup_page(f'<div class="g1"><div class="g2">{TEASERS}</div></div>'))
    for excerpt in ("engineers replace the tracks", "without sharing the road", "a euro more an hour"):
        assert block_with(blocks, excerpt).kind is BlockKind.RELATED, excerpt
    assert "Officials said the plan" in main_text(blocks)


def test_linked_subheadings_and_cards_within_the_article_stay_text() -> None:
    # A listicle: linked headings over paragraphs in the body itself, and cards with the
    # article's text after them, are the article.
    listicle = "".join(
        f'<h3><a href="/p{n}">Product {n}</a></h3><p>Product {n} is a sturdy bicycle lock that resisted our '
        f"saw for {n + 3} minutes and weighs under a kilogram, which makes it easy to carry.</p>"
        for n in range(4)
    )
    text = main_text(blocks_of(f"<html><body><article>{listicle}</article></body></html>"))
    assert all(f"Product {n} is a sturdy" in text for n in range(4))
    html = soup_page("", before="").replace('<div class="bd0">', f'<div class="bd0"><div class="g1">{TEASERS}</div>')
    text = main_text(blocks_of(html))
    assert "engineers replace the tracks" in text and "Officials said the plan" in text


def test_a_table_layout_keeps_its_masthead_and_menus_out_of_the_text() -> None:
    cells = "".join(
        f'<tr><td class="txt"><font size="2">{p}</font></td></tr>'
        for p in (
            "The city council voted on Tuesday to expand the bus network, adding four new routes.",
            "Officials said the plan, which costs 12 million euros, had been delayed twice.",
            "Riders on the northern lines will see buses every ten minutes at peak hours.",
            "Night service will run until two in the morning on weekends, the council said.",
        )
    )
    html = (
        '<html><body><table><tr><td><font size="5"><b>THE DAILY LEDGER</b></font> '
        "<font>Independent news since 1999</font></td></tr>"
        '<tr><td><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></td></tr></table>'
        '<table><tr><td class="left"><table><tr><td><b>Sections</b></td></tr>'
        '<tr><td><a href="/world">World News</a></td></tr><tr><td><a href="/weird">Weird News</a></td></tr>'
        "</table></td><td><table>"
        "<tr><td>Our new columnist explains what the network changes mean for you.</td></tr>"
        f"<tr><td><b>Council expands bus network</b></td></tr>{cells}</table></td></tr></table></body></html>"
    )
    blocks = blocks_of(html)
    assert block_with(blocks, "THE DAILY LEDGER").kind is BlockKind.HEADER
    assert block_with(blocks, "Home").kind is BlockKind.NAVIGATION
    assert block_with(blocks, "Weird News").kind is not BlockKind.MAIN
    text = main_text(blocks)
    assert "Officials said the plan" in text and "Night service will run" in text
    assert "Our new columnist explains" in text  # a sentence in the article's cell is its text


def _forum_thread(paragraphs: int, replies: list[str]) -> str:
    """A phpBB-style thread: the whole page is one table, the first post in a cell beside its author's, replies
    in rows shaped the same, then a "Similar Topics" listing with other threads' excerpts."""
    post = "<br /><br />".join(
        f"The harbour authority said on Monday that cargo volumes rose by {n} percent in the third quarter, "
        f"driven by container traffic from new routes to the south and a rebound in grain shipments."
        for n in range(3, 3 + paragraphs)
    )
    answers = "".join(
        f'<tr><td class="row2"><b>user{n}</b><br />Joined: Mar 2021</td><td class="row2"><span>Posted: Tue Oct 5, '
        f'2021 Post subject: Re: Cargo volumes up</span><hr /><span class="postbody">{text}</span></td></tr>'
        for n, text in enumerate(replies)
    )
    similar = "".join(
        f'<tr><td class="row1"><span class="topictitle"><a href="/t{n}">Thread {n} about the city budget</a></span>'
        f'<br /><span class="gensmall">The mayor presented a budget on Friday that cuts spending on road repairs '
        f"by {n} million while raising the library fund, and opposition members said they would vote no.</span>"
        f'</td><td class="row2">Local News</td><td class="row1">{n}</td><td class="row2">{n * 120}</td></tr>'
        for n in range(5)
    )
    return (
        '<html><body><table><tr><td class="bodyline"><table><tr><td><span class="maintitle">Harbour Talk Forums'
        "</span><br /><span>Discuss the port and the city</span></td></tr><tr><td>"
        '<a href="/faq.php">FAQ</a> <a href="/search.php">Search</a> <a href="/members.php">Memberlist</a></td></tr>'
        '</table><table class="forumline"><tr><th>Author</th><th>Message</th></tr><tr><td class="row1">'
        '<b>admin</b><br />Joined: 14 Feb 2009<br />Posts: 48213</td><td class="row1"><span>Posted: Mon Oct 4, '
        f'2021 Post subject: Cargo volumes up</span><hr /><span class="postbody"><b>Quote:</b><br /><br />{post}'
        "<br /><br />_________________<br />-- posted by admin. Reposting the news so you don't have to."
        "</span></td></tr>"
        f'{answers}</table><table class="forumline"><tr><th colspan="4">Similar Topics</th></tr>'
        f"{similar}</table><table><tr><td>Jump to: <select><option>Local News</option></select></td></tr></table>"
        '<table class="forumline"><tr><td class="catHead">Who is Online</td></tr></table>'
        "</td></tr></table></body></html>"
    )


REPLIES = [
    "Does anyone know whether the new southern routes will stop at the old terminal as well?",
    "I work at the grain pier and we have been busier than ever since the spring, so this is no surprise.",
]
FORUM_CHROME = (
    "Harbour Talk Forums",
    "Memberlist",
    "Joined: 14 Feb 2009",
    "Author",
    "Quote:",
    "_________________",
    "Similar Topics",
    "Jump to:",
    "Who is",
)


@pytest.mark.parametrize("paragraphs", [6, 2])
def test_a_forum_thread_is_its_first_post_with_replies_as_comments(paragraphs: int) -> None:
    # The listing's excerpts once made the page's outer cell the article; a short post's replies outweigh it.
    blocks = blocks_of(_forum_thread(paragraphs, REPLIES))
    text = main_text(blocks)
    assert "cargo volumes rose by 3 percent" in text and f"rose by {paragraphs + 2} percent" in text
    for chrome in FORUM_CHROME:
        assert block_with(blocks, chrome).kind is not BlockKind.MAIN, chrome
    assert "The mayor presented a budget" not in text
    for reply in REPLIES:
        assert block_with(blocks, reply[:30]).kind is BlockKind.COMMENTS


def test_rows_of_one_cell_after_the_article_are_not_replies() -> None:
    # An old news layout sets an article a paragraph a row: the rows after its longest one are its text.
    cells = "".join(
        f'<tr><td class="txt">{p}</td></tr>'
        for p in (
            "The city council voted on Tuesday to expand the bus network, adding four new routes across the "
            "northern districts, the first change to the network in a decade, after two years of consultation "
            "with residents and a long dispute over the cost of the new depots in the industrial zone.",
            "Officials said the plan, which costs 12 million euros, had been delayed twice.",
            "Night service will run until two in the morning on weekends, the council said.",
        )
    )
    blocks = blocks_of(
        f'<html><body><table><tr><td class="nav"><a href="/">Home</a></td></tr>{cells}</table></body></html>'
    )
    text = main_text(blocks)
    assert "Officials said the plan" in text and "Night service will run" in text


@pytest.mark.parametrize(
    "headlines",
    [
        "Tram line to close for repairs over the summer • New cycle lanes open along the river • Is the night bus "
        "worth it? • Parking fees to rise in the centre from April",
        # A headline may end in an abbreviation.
        "Colder temperatures forecast for Wed. after cold wave alert Tues. • Night bus worth it? A rider's view • "
        "Parking fees to rise in the centre from April",
    ],
)
def test_a_ticker_of_headlines_is_not_the_article(headlines: str) -> None:
    ticker = f'<div class="tk9"><div class="tk9a">LIVE</div><div class="tk9b">{headlines}</div></div>'
    text = main_text(blocks_of(soup_page("", before=ticker)))
    assert headlines[:20] not in text
    assert "Officials said the plan" in text
    # Sentences set apart with bullets are text.
    bullets = (
        "The council approved four routes. • The depot will be built in the north. • Night buses run until "
        "two in the morning on weekends from next spring."
    )
    text = main_text(blocks_of(soup_page("").replace('<div class="bd0">', f'<div class="bd0"><div>{bullets}</div>')))
    assert "The council approved four routes." in text


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Similar Topics", BlockKind.RELATED),
        ("Sujets similaires", BlockKind.RELATED),
        ("Temas similares", BlockKind.RELATED),
        ("Shareftin", BlockKind.SHARE),
        ("Share f t in", BlockKind.SHARE),
        ("Email this story | Print this story | Report an error", BlockKind.SHARE),
        ("Sign me up", BlockKind.NEWSLETTER),
        ("Join 50,000+ readers and get the best stories in your inbox every morning.", BlockKind.NEWSLETTER),
        ("Über 20.000 Leser lesen unseren Newsletter", BlockKind.NEWSLETTER),
        ("About the author", BlockKind.AUTHOR_BIO),
        ("Über den Autor", BlockKind.AUTHOR_BIO),
        ("Sobre el autor", BlockKind.AUTHOR_BIO),
        ("À propos de l'auteur", BlockKind.AUTHOR_BIO),
        ("Apr 09, 2020 09:11 GMT", BlockKind.BYLINE),
        ("Advertise here! Call 555-0199", BlockKind.ADS),
        ("#Politics #Science #Breaking", BlockKind.RELATED),
    ],
)
def test_more_boilerplate_wording(line: str, kind: BlockKind) -> None:
    from farmwatch.analysis.extract.phrases import phrase_kind

    assert phrase_kind(line) is kind


@pytest.mark.parametrize(
    "line",
    ["Sharepoint is where the files live.", "About the author's latest novel, critics disagree.", "#1 in sales"],
)
def test_text_that_merely_starts_like_boilerplate_is_not(line: str) -> None:
    from farmwatch.analysis.extract.phrases import phrase_kind

    assert phrase_kind(line) is None


def test_a_short_post_in_a_blog_template_is_the_article_though_teasers_and_comments_hold_more_prose() -> None:
    # Blogger's layout: the post sits in "date-outer" / "date-posts" (date words, a byline's hint) inside the
    # blog's declared "hfeed"; the post body is short, the teasers' excerpts and the comments under it (in the
    # same wrappers) longer.
    post = (
        "A team of researchers has found a small cutting tool that Neanderthals covered with birch tar. "
        "In their paper the group describes the tool and what it revealed about Neanderthal technology."
    )
    comment = "<div class='comment-block'><cite class='user'>Carla</cite><p class='comment-content'>{}</p></div>"
    teaser = "<div class='item'><a href='/p/{0}.html'>Headline number {0} of the week</a><p>{1}</p></div>"
    excerpt = "An excerpt of another article on this blog, long enough to read as prose in the sidebar of the page."
    html = (
        "<html><body><div class='header'><h1 class='title'><a href='/'>NewsFlash 24</a></h1></div>"
        "<div class='main-outer'><div class='widget Blog'><div class='blog-posts hfeed'>"
        "<div class='date-outer'><h2 class='date-header'><span>Wednesday, 23 October 2019</span></h2>"
        "<div class='date-posts'><div class='post-outer'><div class='post hentry'>"
        "<h3 class='post-title entry-title'>Flint flake tool adds to evidence of Neanderthal thinking</h3>"
        f"<div class='post-body entry-content'>{post}<br /><br />Article courtesy of phys.org</div>"
        "<div class='post-footer'>Posted by NewsFlash Editor at 10:01 AM</div></div>"
        "<div class='comments'><h4>3 comments:</h4>"
        + comment.format("Check out my site for more on this topic, link in my profile, thanks everyone.")
        + comment.format("Earn five hundred dollars a day working from home, visit my page to find out how.")
        + comment.format("Great article, thanks for sharing this with all of us here on the blog today.")
        + "</div></div></div></div></div></div></div>"
        "<div class='sidebar'><div class='widget PopularPosts'><h2>Popular Posts</h2>"
        + "".join(teaser.format(n, excerpt) for n in range(6))
        + "</div></div></body></html>"
    )
    text = main_text(blocks_of(html))
    assert post in text
    assert "Earn five hundred dollars" not in text and "An excerpt of another article" not in text


def test_a_body_written_with_double_line_breaks_is_read_paragraph_by_paragraph() -> None:
    first = "I am not much of a metal fan these days, but I dabbled in it in high school and still listen now."
    second = "This record changed my mind about the whole genre, and the second side is the best part of it."
    html = (
        "<html><body><article><h1>A record worth hearing</h1><div class='post-body entry-content'>"
        f"Article courtesy of HearYa<br /><br />{first}<br><br>{second}<br />Still a single line.</div>"
        "</article></body></html>"
    )
    blocks = blocks_of(html)
    texts = [b.text for b in blocks]
    assert "Article courtesy of HearYa" in texts
    assert first in texts
    assert f"{second} Still a single line." in texts  # one <br> is a line break inside the paragraph


def test_a_newsletter_box_in_the_text_is_not_article_text() -> None:
    paragraph = "The council approved the new budget after a long debate about the harbour and the ferry service. "
    html = (
        "<html><body><main><div class='css-1q2w3e'><h1>Budget approved</h1>"
        + f"<p class='css-9z8y'>{paragraph * 2}</p>"
        + "<div class='css-4r5t6y'><h3 class='css-7u8i'>Get the Brief</h3>"
        "<p class='css-0o9i'>The five stories you need to know, every weekday at 6am. Free, and you can unsubscribe "
        "any time.</p><input type='email' placeholder='you@example.com'><button>Sign up</button></div>"
        + f"<p class='css-9z8y'>{paragraph * 2}</p></div></main></body></html>"
    )
    blocks = blocks_of(html)
    text = main_text(blocks)
    assert paragraph.strip() in text
    assert "unsubscribe" not in text and "Get the Brief" not in text


def test_a_gallery_counter_is_not_article_text() -> None:
    paragraph = "The new library opened on Saturday and more than two thousand people visited it on the first day. "
    html = (
        "<html><body><article><h1>Library opens</h1>"
        + f"<p>{paragraph * 2}</p><div class='photo-area'><img src='a.jpg'><div class='count'>1 / 3</div></div>"
        + f"<p>{paragraph * 2}</p></article></body></html>"
    )
    assert "1 / 3" not in main_text(blocks_of(html))


@pytest.mark.parametrize(
    "line",
    [
        "Story credit - KnowTechie",
        "Article courtesy of HearYa",
        "H/T Google Online Security Blog",
        "Thanks to Nature for the story.",
        "[Source: The Verge]",
        "(via The Atlantic)",
        "(via timesofisrael.com)",
        "Via HearYa - Indie Music Blog",
    ],
)
def test_a_credit_line_is_a_source_credit_not_article_text(line: str) -> None:
    paragraph = "The new library opened on Saturday and more than two thousand people visited it on the first day. "
    html = f"<html><body><article><h1>Library</h1><p>{paragraph * 2}</p><p>{line}</p></article></body></html>"
    assert block_with(blocks_of(html), line).kind is BlockKind.SOURCE_CREDIT


@pytest.mark.parametrize(
    "line",
    [
        "Via Rail said on Tuesday that it would cancel all trains between Toronto and Montreal this weekend.",
        # A hat tip opening the story's first paragraph: the paragraph is the story's (credits.py reads the tip).
        "H/T KXAN Austin: AUSTIN (KXAN) — Texas voters approved an amendment to the state constitution on Tuesday.",
    ],
)
def test_a_paragraph_opening_with_via_is_article_text(line: str) -> None:
    other = "Trains between the two cities carried more than four million passengers last year, the operator said."
    html = f"<html><body><article><h1>Trains</h1><p>{line}</p><p>{other}</p></article></body></html>"
    assert block_with(blocks_of(html), line).kind is BlockKind.MAIN
