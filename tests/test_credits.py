"""Credit lines and source links as a moderator reads them."""

from __future__ import annotations

import pytest

from farmwatch.analysis.blocks import Block, BlockKind
from farmwatch.analysis.credits import find_credits

PAGE = "https://farm.example.net/story"
_STORY = (
    "The council approved the budget after a long debate about the harbour, the ferry service and the new "
    "railway station, which engineers say will open next spring if the contractors keep to their schedule. "
)


def credits_of(*texts: str, links: list[str] | None = None) -> tuple[list, list[str]]:
    blocks = [Block(text=t, kind=BlockKind.MAIN, links=links or []) for t in texts]
    return find_credits(blocks, PAGE)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Reuters contributed to this report.", "Reuters"),
        ("The Associated Press contributed to this story.", "Associated Press"),
        ("WASHINGTON (Reuters) - The Senate voted on Tuesday to pass the bill.", "Reuters"),
        ("(AP) — Officials said the fire was contained.", "Associated Press"),
        ("Reporting by Jane Doe; Editing by John Roe", "Reuters"),
        ("Quelle: dpa", "dpa"),
        ("With reporting from AFP", "AFP"),
        # Datelines with their date, in the agencies' own styles, and place names in any script.
        ("WASHINGTON, Nov 30 (Reuters) - The Senate voted on Tuesday to pass the bill.", "Reuters"),
        ("PARIS, 30 novembre (AFP) - Le gouvernement a annoncé mardi un plan.", "AFP"),
        ("NEW DELHI, Nov 30 (PTI) The government on Monday said it would act.", "PTI"),
        ("Islamabad, Nov 30 (APP): The Prime Minister chaired a meeting.", "APP"),
        ("KUALA LUMPUR, Nov 30 (Bernama) -- The ministry said on Sunday.", "Bernama"),
        ("Bogotá (dpa) - Gebrochene Wirbelsäule, gebrochener Oberschenkel.", "dpa"),
        ("Frankfurt/Main (dpa) - Der Buchpreis geht an Frank Witzel.", "dpa"),
        # The agencies as papers in other scripts print them, datelines without a dash included.
        ("اسلام آباد (اے پی پی) وزیراعظم نے آج اجلاس کی صدارت کی۔", "APP"),
        ("لاہور ۔25 نومبر(اے پی پی)", "APP"),
        ("وزیراعظم نے آج اجلاس کی صدارت کی۔ (اے پی پی )", "APP"),
        ("میلبورن (رائٹرز) آسٹریلیا کی حکومت نے کہا", "Reuters"),
        ("القاهرة (رويترز) - قال مسؤولون إن الحكومة ستعلن", "Reuters"),
        ("دبي (وام) أعلنت الحكومة اليوم عن خطة جديدة", "WAM"),
        ("МОСКВА, 30 ноября. /ТАСС/. Президент провел совещание.", "TASS"),
        ("서울 (연합뉴스) 정부는 30일 새 계획을 발표했다.", "Yonhap"),
    ],
)
def test_wire_credits(text: str, name: str) -> None:
    credits, _ = credits_of(text)
    assert any(c.name == name and c.kind == "wire" for c in credits), credits


def test_ordinary_words_are_not_wire_services() -> None:
    credits, _ = credits_of("We went to the pa meeting and took an ap course.")
    assert not [c for c in credits if c.kind == "wire"]


@pytest.mark.parametrize(
    "text",
    [
        "Imran Khan (PTI) said on Monday that the party would march.",  # a party, not the agency
        "NEW DELHI, Nov 30 (pti) the lower-case letters are no credit line.",
        "Open the app and tap Settings, then choose the uni account.",
        "تقرير من قنا الجديدة عن الطقس في الصعيد",  # Qena, the city: a name in running text is no credit line
    ],
)
def test_agency_names_that_are_also_abbreviations_need_a_credit_line(text: str) -> None:
    credits, _ = credits_of(text)
    assert not [c for c in credits if c.kind == "wire"], credits


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("This article was originally published on The Conversation.", "originally_published", "The Conversation"),
        ("The post Ten Things appeared first on Daily Example.", "appeared_first", "Daily Example"),
        ("Republished with permission from Example Times.", "republished", "Example Times"),
        ("Source: The Example Gazette", "source_named", "The Example Gazette"),
        ("Via Example Wire", "via", "Example Wire"),
        # Where farms put them: inside or opening a paragraph, closing a long block (a blog body in one block).
        ("Officials confirmed the closure on Monday (via The Atlantic).", "via", "The Atlantic"),
        ("Via Stack Overflow Blog: Rust has been named the most loved language again.", "via", "Stack Overflow Blog"),
        (_STORY * 3 + "Originally published at Shabka.", "originally_published", "Shabka"),
        (_STORY * 3 + "Article courtesy of Boing Boing", "courtesy", "Boing Boing"),
        # After a last sentence that ends in a quotation: the note is still a sentence of its own.
        (
            _STORY
            * 3
            + "He said: “We consider this decision one of the most difficult decisions imposed on us by the wars.” "
            "Originally published at The Intercept",
            "originally_published",
            "The Intercept",
        ),
        ("Story credit - KnowTechie", "courtesy", "KnowTechie"),
        ("Thanks to Daniel Lemire's blog for the story.", "via", "Daniel Lemire's blog"),
        ("Via Python⇒Speed: Docker builds can be slow, and waiting is no way to spend a day.", "via", "Python⇒Speed"),
        # A publisher named by its domain, opening a paragraph; a note opening a blog body that is one block.
        ("H/T wsvn.com: SOUTHWEST MIAMI-DADE, FLA. (WSVN) - An overnight crash left a boy dead.", "via", "wsvn.com"),
        ("Via jis.gov.jm: " + _STORY * 3, "via", "jis.gov.jm"),
        ("Article courtesy of Phys.org " + _STORY * 3, "courtesy", "Phys"),
    ],
)
def test_republication_notes(text: str, kind: str, name: str) -> None:
    credits, _ = credits_of(text)
    assert any(c.kind == kind and c.name == name for c in credits), credits


def test_source_link_is_found_and_resolved() -> None:
    credits, links = credits_of("Source link", links=["https://news.example.com/a?utm_source=x"])
    assert links == ["https://news.example.com/a"]
    assert credits[0].kind == "source_link" and credits[0].name == "news.example.com"


def test_links_to_the_same_site_are_not_source_links() -> None:
    _, links = credits_of("Read more", links=["/category/news/"])
    assert links == []


@pytest.mark.parametrize(
    "text",
    [
        "Dieser Artikel erschien zuerst bei Zeit Online.",
        "Cet article a été initialement publié sur The Conversation.",
        "Este artículo fue publicado originalmente en El País.",
        "Artykuł ukazał się pierwotnie w Gazeta Prawna.",
    ],
)
def test_republication_notes_in_other_languages(text: str) -> None:
    credits, _ = credits_of(text)
    assert any(c.kind == "originally_published" and c.name != "unnamed" for c in credits), credits


def test_a_long_story_paragraph_mentioning_a_first_publication_is_no_credit() -> None:
    text = "The study was first published in Nature last year, and its authors " + _STORY * 3
    assert credits_of(text)[0] == []


def test_a_note_closing_a_long_block_takes_none_of_the_blocks_links() -> None:
    credits, source_links = credits_of(
        _STORY * 3 + "Originally published at Shabka.", links=["https://x.example.org/a"]
    )
    assert [c.url for c in credits] == [None] and source_links == []


def test_a_credit_line_credits_the_text_unless_it_sits_under_a_photo() -> None:
    credits, _ = credits_of("Credit: The Haitian Times")
    assert [(c.name, c.kind) for c in credits] == [("The Haitian Times", "courtesy")]
    caption = Block(text="Credit: Getty Images", kind=BlockKind.CAPTION, tag="figcaption", path="article>figure")
    assert find_credits([caption], PAGE)[0] == []
    assert credits_of("Photo credit: Getty Images")[0] == []


@pytest.mark.parametrize(
    ("blocks", "kind", "name"),
    [
        # A field's label and value in blocks of their own (a CMS's "Source" field).
        (["Via", "caktusgroup.com"], "via", "caktusgroup.com"),
        (["Source", "The Example Gazette"], "source_named", "The Example Gazette"),
        # A note in brackets, or with a rule drawn under it before a forum signature.
        (["[Source: The AMP Blog]"], "source_named", "The AMP Blog"),
        (["Credit: Plant Care Today _________________"], "courtesy", "Plant Care Today"),
        (
            ["Read the original at ABC13 Houston _________________ -- posted by admin Opinions are my own."],
            "source_named",
            "ABC13 Houston",
        ),
        (["Read the original at Wevolver."], "source_named", "Wevolver"),
    ],
)
def test_notes_as_templates_lay_them_out(blocks: list[str], kind: str, name: str) -> None:
    credits, _ = credits_of(*blocks)
    assert any(c.kind == kind and c.name == name for c in credits), credits


def test_a_wire_dateline_alone_keeps_its_brackets() -> None:
    credits, _ = credits_of("(Reuters)")
    assert not [c for c in credits if c.kind in ("source_named", "via")]
