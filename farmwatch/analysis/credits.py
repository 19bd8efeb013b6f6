"""Credit lines and source links: how a page says where its text came from.

Finds wire-service credits ("Reuters contributed to this report", "(AP) —"),
republication notes ("Originally published at…", "Republished with permission",
"The post … appeared first on …", "via …") and the links that go with them
("Source link", "Read the original"). Whether a credit names the page's actual
source is decided later, when the source is known (see provenance).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from farmwatch.analysis.blocks import Block
from farmwatch.analysis.lazy_pattern import LazyPattern
from farmwatch.analysis.urls import absolute_url, host_of, same_site

try:  # the compiled word screen (setup.py); without it, the word list below (_WordScreen), the same answers
    from farmwatch.analysis._text import WordScreen as _CompiledScreen  # type: ignore[import-not-found]
except ImportError:
    _CompiledScreen = None

WIRE_SERVICES: dict[str, tuple[str, ...]] = {
    "Reuters": ("reuters", "thomson reuters"),
    "Associated Press": ("associated press", "the associated press", "ap"),
    "AFP": ("afp", "agence france-presse", "agence france presse"),
    "Bloomberg": ("bloomberg", "bloomberg news"),
    "UPI": ("upi", "united press international"),
    "dpa": ("dpa", "deutsche presse-agentur"),
    "PA Media": ("pa", "pa media", "press association", "pa wire"),
    "Xinhua": ("xinhua", "xinhua news agency"),
    "ANSA": ("ansa",),
    "EFE": ("efe", "agencia efe"),
    "Kyodo": ("kyodo", "kyodo news"),
    "Yonhap": ("yonhap",),
    "TASS": ("tass",),
    "AAP": ("aap", "australian associated press"),
    "The Canadian Press": ("the canadian press", "canadian press"),
    "CNN Wire": ("cnn wire", "cnn newsource"),
    "Tribune News Service": ("tribune news service",),
    "Dow Jones": ("dow jones", "dow jones newswires"),
    "KNA": ("kna",),
    "epd": ("epd",),
    "APA": ("apa",),
    "SDA": ("sda", "keystone-sda"),
    "PAP": ("pap", "polska agencja prasowa"),
    "PTI": ("pti", "press trust of india"),
    "IANS": ("ians", "indo-asian news service"),
    "ANI": ("ani", "asian news international"),
    "UNI": ("uni", "united news of india"),
    "APP": ("app", "associated press of pakistan"),
    "BSS": ("bss", "bangladesh sangbad sangstha"),
    "Bernama": ("bernama",),
    "Antara": ("antara",),
    "Anadolu Agency": ("anadolu agency", "anadolu ajansı", "anadolu ajansi"),
    "Interfax": ("interfax",),
    "RIA Novosti": ("ria novosti",),
    "Jiji Press": ("jiji press", "jiji"),
    "Europa Press": ("europa press",),
    "Lusa": ("lusa",),
    "ANP": ("anp",),
    "Belga": ("belga",),
    "CTK": ("ctk", "čtk"),
    "MTI": ("mti",),
    "NTB": ("ntb",),
    "Ritzau": ("ritzau",),
    "Prensa Latina": ("prensa latina",),
    "Notimex": ("notimex",),
    "IRNA": ("irna",),
    "WAM": ("wam",),
    "SPA": ("saudi press agency",),
    "QNA": ("qna",),
    "KUNA": ("kuna",),
}
# The agencies' names as papers in other scripts print them ("اسلام آباد (اے پی پی) وزیراعظم…", "(رويترز)",
# "МОСКВА, 30 ноября. /ТАСС/."): each a name, not an ordinary word, and read as the Latin aliases are.
WIRE_NAMES_IN_OTHER_SCRIPTS: dict[str, tuple[str, ...]] = {
    "Reuters": ("رويترز", "رائٹرز", "رویترز", "рейтер", "рейтерс", "로이터"),
    "Associated Press": ("أسوشيتد برس", "ассошиэйтед пресс"),
    "AFP": ("أ ف ب", "فرانس برس", "اے ایف پی", "франс пресс", "франс-пресс"),
    "dpa": ("د ب أ",),
    "Xinhua": ("شينخوا", "синьхуа"),
    "TASS": ("тасс",),
    "RIA Novosti": ("риа новости",),
    "Interfax": ("интерфакс",),
    "Anadolu Agency": ("الأناضول", "وكالة الأناضول"),
    "APP": ("اے پی پی",),
    "IRNA": ("ایرنا", "إرنا"),
    "SPA": ("واس",),
    "WAM": ("وام",),
    "QNA": ("قنا",),
    "KUNA": ("كونا",),
    "Yonhap": ("연합뉴스",),
}
WIRE_SERVICES = {name: (*names, *WIRE_NAMES_IN_OTHER_SCRIPTS.get(name, ())) for name, names in WIRE_SERVICES.items()}
# Short names that are also ordinary words: they count only when written in capitals (dpa and epd are lower-case).
_CAPITALS_ONLY = {"ap", "pa", "apa", "pap", "sda", "efe", "aap", "afp", "upi", "kna", "ansa", "tass"}
_CAPITALS_ONLY |= {"pti", "ians", "ani", "uni", "app", "bss", "anp", "ctk", "mti", "ntb", "irna", "wam", "qna"}
_CAPITALS_ONLY |= {"kuna"}
_ALIAS_TO_WIRE = {alias: name for name, aliases in WIRE_SERVICES.items() for alias in aliases}
_WIRE_ALT = "|".join(sorted((re.escape(a) for a in _ALIAS_TO_WIRE), key=len, reverse=True))


def _prefix_tree(words: dict[str, str]) -> str:
    """An alternation of the words with their common prefixes factored out ("a(?:fp|p(?:a|p)?|…)"), each word
    followed by its regex (mostly ""): what the plain alternation matches, but the engine tries one branch per
    character rather than every word at each position of the text, and every branch opening with a letter lets
    it skip to the positions holding one of them."""
    tree: dict = {}
    for word, after in words.items():
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = after

    def alternation(node: dict) -> str:
        branches = [re.escape(char) + alternation(child) for char, child in sorted(node.items()) if char]
        end = node.get("")
        if end:
            branches.append(end)
        if not branches:
            return ""
        optional = "?" if end == "" else ""
        if len(branches) == 1 and not optional:
            return branches[0]
        return f"(?:{'|'.join(branches)}){optional}"

    return alternation(tree)


_OTHER_SCRIPT_ALT = "|".join(
    sorted((re.escape(a) for aliases in WIRE_NAMES_IN_OTHER_SCRIPTS.values() for a in aliases), key=len, reverse=True)
)


# Credit lines that name a wire service.
_WIRE_PATTERNS = (
    LazyPattern(
        rf"\b(?P<name>{_WIRE_ALT})\b(?:\s+\w+)?\s+contributed(?:\s+\w+)?\s+to\s+this\s+(?:report|story|article)", re.I
    ),
    # A dateline: "WASHINGTON (Reuters) -", "Bogotá (dpa) -", "Frankfurt/Main (dpa) -" (letters of any script).
    LazyPattern(rf"^\s*[^\W\d_](?:[^\W\d_]|[ .,'’/-]){{1,40}}\((?P<name>{_WIRE_ALT})\)\s*[-–—:]", re.I),
    # A dateline with its date: "WASHINGTON, Nov 30 (Reuters) -", "PARIS, 30 novembre (AFP) -", and the
    # Indian and Pakistani agencies' "NEW DELHI, Nov 30 (PTI) The …" (no dash: a capital opens the story).
    LazyPattern(
        rf"^\s*[^\W\d_][\w .,'’/-]{{0,40}}\d[\w .,'’/-]{{0,20}}\((?P<name>{_WIRE_ALT})\)\s*"
        rf"(?:[-–—:]|(?=(?-i:[A-Z])))",
        re.I,
    ),
    LazyPattern(rf"^\s*\((?P<name>{_WIRE_ALT})\)\s*[-–—]", re.I),
    # The same dateline in other scripts, where papers print no dash: "اسلام آباد (اے پی پی) وزیراعظم نے",
    # "МОСКВА, 30 ноября. /ТАСС/." (these names are no ordinary words, so the line needs no more).
    LazyPattern(rf"^\s*[^\W\d_][^()/\n]{{0,60}}?[(/]\s*(?P<name>{_OTHER_SCRIPT_ALT})\s*[)/]", re.I),
    LazyPattern(rf"(?:^|[\s(])(?:source|quelle|fuente|źródło|fonte|bron)\s*:\s*(?P<name>{_WIRE_ALT})\b", re.I),
    LazyPattern(
        rf"\b(?:with|mit)\s+(?:reporting|material|agencies|files)\s+(?:from|by|von)\s+(?P<name>{_WIRE_ALT})\b", re.I
    ),
    LazyPattern(rf"\(\s*(?P<name>{_WIRE_ALT})\s*\)\s*$", re.I),
    LazyPattern(rf"^\s*[-–—©]\s*(?P<name>{_WIRE_ALT})\s*$", re.I),
    LazyPattern(rf"\bcopyright\s+(?:\d{{4}}\s+)?(?:the\s+)?(?P<name>{_WIRE_ALT})\b", re.I),
)
# For each wire pattern, words one of which its every match holds (in lower case), or None (anchored, or cheap
# already): read as _PATTERN_NEEDS is. "contributed" spares the first pattern's alternation at every position.
_WIRE_NEEDS: tuple[tuple[str, ...] | None, ...] = (
    ("contributed",),
    None,
    None,
    None,
    None,
    ("source", "quelle", "fuente", "źródło", "fonte", "bron"),
    ("with", "mit"),
    (")",),
    None,
    ("copyright",),
)
_REUTERS_SIGNOFF = LazyPattern(
    r"\b(?:reporting|writing)\s+by\s+[^;]{2,80};\s*(?:additional reporting|editing)\s+by", re.I
)

# Republication notes; the group "name" (when present) names the credited source.
_NAME = r"(?P<name>[A-Z0-9][\w&'.\- ]{1,60}?)"
_DOMAIN = r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}"  # a publisher named by its domain: "jis.gov.jm"
_REPUBLICATION_PATTERNS: tuple[tuple[str, LazyPattern], ...] = (
    (
        "originally_published",
        LazyPattern(
            rf"\b(?:this\s+(?:article|story|post|piece)\s+)?(?:was\s+)?(?:originally|first)\s+(?:published|appeared|posted|ran)"
            rf"(?:\s+(?:in|on|at|by))?\s+{_NAME}(?:[.,;:(]|\s+on\b|\s+and\b|$)",
            re.I,
        ),
    ),
    ("originally_published", LazyPattern(r"\b(?:originally|first)\s+(?:published|appeared|posted)\b", re.I)),
    # The same note in the other languages of the corpora: German, French, Spanish, Italian, Portuguese, Polish, Dutch.
    (
        "originally_published",
        LazyPattern(
            rf"(?:(?:erschien|erschienen)\s+(?:zuerst|ursprünglich)\s+(?:bei|auf|in|im)"
            rf"|(?:initialement|originellement|d'abord)\s+(?:publié|paru)e?\s+(?:sur|dans|par)"
            rf"|(?:publicad[oa]|aparecid[oa])\s+(?:originalmente|inicialmente|primero)\s+(?:en|por)"
            rf"|(?:pubblicat[oa])\s+(?:originariamente|originalmente|inizialmente)\s+(?:su|da|in)"
            rf"|(?:publicad[oa])\s+originalmente\s+(?:no|na|em)"
            rf"|(?:ukazał|ukazała|opublikowany|opublikowana)\s+(?:się\s+)?(?:pierwotnie|oryginalnie)\s+(?:w|na)"
            rf"|(?:verscheen|gepubliceerd)\s+(?:eerder|oorspronkelijk)\s+(?:bij|op|in))\s+{_NAME}(?:[.,;:(]|$)",
            re.I,
        ),
    ),
    ("appeared_first", LazyPattern(rf"\bappeared\s+first\s+on\s+{_NAME}(?:[.,;]|$)", re.I)),
    (
        "republished",
        LazyPattern(
            rf"\b(?:re(?:published|printed|posted)|shared)\s+(?:here\s+)?(?:with|by)\s+(?:kind\s+)?permission(?:\s+(?:of|from)\s+{_NAME}(?:[.,;]|$))?",
            re.I,
        ),
    ),
    ("republished", LazyPattern(rf"\brepublished\s+(?:from|under)\s+{_NAME}(?:[.,;]|$)", re.I)),
    (
        "source_link",
        LazyPattern(
            r"^\s*(?:source\s+link|source|original\s+(?:source|article|story|link)|read\s+(?:the\s+)?"
            r"(?:original|full)\s+(?:article|story)(?:\s+(?:here|at|on))?|read\s+(?:the\s+)?original"
            r"(?:\s+(?:post|piece))?\s+(?:here|at|on)|read\s+more\s+(?:at|on))\s*[:.]?\s*"
            r"(?P<rest>.{0,80})$",
            re.I,
        ),
    ),
    ("source_named", LazyPattern(rf"^\s*(?:source|sources|quelle|fuente|źródło|fonte)\s*:\s*{_NAME}\s*\.?\s*$", re.I)),
    ("via", LazyPattern(rf"^\s*(?:h/t|hat tip|via)\s*:?\s+{_NAME}\s*\.?\s*$", re.I)),
    # "(via The Atlantic)" inside a paragraph; "Via Stack Overflow Blog: …" opening one.
    ("via", LazyPattern(rf"\((?:h/t|hat tip|via)\s*:?\s+{_NAME}\)", re.I)),
    # "Via Python⇒Speed: …": the name runs to the colon, capitalised, or is a domain ("H/T wsvn.com: …").
    ("via", LazyPattern(rf"^\s*(?i:h/t|hat tip|via)\s+(?P<name>[A-Z0-9][^:\n]{{1,60}}?|{_DOMAIN})\s*:\s")),
    # A hat tip in words: "Thanks to Vice for the story."
    (
        "via",
        LazyPattern(
            rf"^\s*(?:many\s+)?thanks\s+to\s+{_NAME}\s+for\s+(?:the|this)\s+(?:story|tip|article|post|report)\b",
            re.I,
        ),
    ),
    ("courtesy", LazyPattern(rf"\bcourtesy\s+of\s+{_NAME}(?:[.,;]|$)", re.I)),
    # A credit for the text itself ("Story credit - KnowTechie"); a bare "Credit:" is usually a photo's.
    (
        "courtesy",
        LazyPattern(rf"^\s*(?:story|article|text|content|post)\s+credits?\s*[:\-–—]\s*{_NAME}\s*\.?\s*$", re.I),
    ),
)
# For each pattern above, words one of which its every match holds (in lower case), or None (anchored patterns,
# cheap already): a pattern is tried only on a text holding one. Case-insensitive matching reads İ, ı and ſ as
# i, i and s, which str.lower does not: a text holding one of them is tried with every pattern.
_PATTERN_NEEDS: tuple[tuple[str, ...] | None, ...] = (
    ("originally", "first"),
    ("originally", "first"),
    (
        "erschien",
        "initialement",
        "originellement",
        "d'abord",
        "publicad",
        "aparecid",
        "pubblicat",
        "ukaza",
        "opublikowan",
        "verscheen",
        "gepubliceerd",
    ),
    ("appeared",),
    ("permission",),
    ("republished",),
    None,
    None,
    None,
    ("h/t", "hat tip", "via"),
    None,
    None,
    ("courtesy",),
    None,
)
_FOLDED_APART = "İıſ"
# Cheap first scans: a block can hold a wire credit only if it names a wire service, and a
# republication note or source link only if it has one of these words.
# Both run on lower-cased text without re.I, which is several times faster on Python's re.
_ANY_WIRE = re.compile(rf"\b{_prefix_tree(dict.fromkeys(_ALIAS_TO_WIRE, ''))}\b")
_NOTE_WORDS = (
    "originally first appeared republished reprinted reposted shared permission source quelle fuente źródło fonte"
    " bron h/t courtesy thanks credit read continue original erschien initialement originellement d'abord publicad"
    " aparecid pubblicat ukazał opublikowan verscheen gepubliceerd"
)
# Any of the words anywhere, "hat tip", and "via" as a word (\bvia\b, written to open with its letter).
_ANY_NOTE = re.compile(_prefix_tree({**dict.fromkeys(_NOTE_WORDS.split(), ""), "hat tip": "", "via": r"(?<!\wvia)\b"}))
# Every credit pattern above needs one of these words (a set lookup per word is far cheaper than
# one big alternation per block on Python's re).
_WORD = re.compile(r"\w+")
_TRIGGERS = frozenset(
    # A block naming a wire holds every word of its alias: the longest one is enough to look for ("the" of
    # "the associated press" would let nearly every block through).
    {max(_WORD.findall(alias), key=len) for alias in _ALIAS_TO_WIRE}
    | set(
        [
            "originally",
            "first",
            "appeared",
            "republished",
            "reprinted",
            "reposted",
            "shared",
            "permission",
            "source",
            "sources",
            "quelle",
            "fuente",
            "źródło",
            "fonte",
            "bron",
            "via",
            "h",
            "hat",
            "courtesy",
            "thanks",
            "credit",
            "credits",
            "read",
            "continue",
            "original",
            "erschien",
            "erschienen",
            "initialement",
            "originellement",
            "abord",
            "publicado",
            "publicada",
            "aparecido",
            "aparecida",
            "pubblicato",
            "pubblicata",
            "ukazał",
            "ukazała",
            "opublikowany",
            "opublikowana",
            "verscheen",
            "gepubliceerd",
            "reporting",
            "writing",
        ]
    )
)
_WIRE_WORDS = frozenset(max(_WORD.findall(alias), key=len) for alias in _ALIAS_TO_WIRE)


class _WordScreen:
    """Whether one of a text's words (_WORD.findall) is in `first`, and whether one is in `second`: the Python
    form of the compiled _text.WordScreen, which makes no list of the words and looks up few of them."""

    __slots__ = ("first", "second")

    def __init__(self, first: frozenset[str], second: frozenset[str]) -> None:
        self.first, self.second = first, second

    def meet(self, text: str) -> tuple[bool, bool]:
        words = _WORD.findall(text)
        return not self.first.isdisjoint(words), not self.second.isdisjoint(words)


def _word_screen(first: frozenset[str], second: frozenset[str]) -> _WordScreen:
    return _CompiledScreen(first, second) if _CompiledScreen is not None else _WordScreen(first, second)


_TRIGGER_SCREEN = _word_screen(_TRIGGERS, _WIRE_WORDS)  # any credit pattern's word; a wire's
_WIRE_SCREEN = _word_screen(_WIRE_WORDS, _WIRE_WORDS)
# Link texts that mark a link as pointing at the page's source.
_SOURCE_LINK_TEXT = re.compile(
    r"^\s*(?:source(?:\s+link)?|original(?:\s+(?:source|article|story|post|link))?|read\s+(?:the\s+)?(?:original|full|more)"
    r"(?:\s+(?:article|story|here))*|continue\s+reading|via\b.*|read\s+more\s+(?:at|on)\b.*|quelle|fuente|źródło|fonte)\s*:?\s*$",
    re.I,
)
_MAX_CREDIT_BLOCK = 400  # credit lines are short; long paragraphs are story text


@dataclass(slots=True)
class Credit:
    name: str  # who is credited ("Reuters", "The Epoch Times", or the linked host)
    text: str  # the credit line as written
    kind: (
        str  # wire | originally_published | appeared_first | republished | source_link | source_named | via | courtesy
    )
    url: str | None = None  # the link that goes with the credit, if any

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "text": self.text, "kind": self.kind, "url": self.url}


def _block_links(block: Block, base_url: str | None) -> list[str]:
    return [u for u in (absolute_url(base_url, href) for href in block.links) if u]


def _external(links: list[str], page_url: str | None) -> list[str]:
    return [link for link in links if not page_url or not same_site(link, page_url)]


def _links_elsewhere(block: Block, page_url: str | None) -> list[str]:
    """The block's links to other sites, normalised."""
    return _external(_block_links(block, page_url), page_url)


def _credit_name(raw: str | None, links: list[str]) -> str | None:
    if raw:
        raw = raw.strip(" .,:;-–—")
        return _ALIAS_TO_WIRE.get(raw.lower(), raw) if raw else None
    if links:
        return host_of(links[0])
    return None


def find_credits(blocks: list[Block], page_url: str | None = None) -> tuple[list[Credit], list[str]]:
    """Credit lines and source links found in the page's blocks.

    Returns (credits, source_links): source links are normalised absolute URLs
    to other sites that the page presents as its source.
    """
    credits: list[Credit] = []
    source_links: list[str] = []
    for number, block in enumerate(blocks):
        text = block.text  # whitespace-normalised by the extractor
        if not text:
            continue
        short = len(text) <= _MAX_CREDIT_BLOCK
        # Whether a wire could be named: unknown (None) unless the block's own words are read below.
        wire_words: bool | None = None
        if short:
            # _ANY_WIRE matches whole words only, so a block it matches holds each word of the alias named
            # (the longest one is enough to look for): most blocks let through name none, and skip its scan.
            triggered, wire_words = _TRIGGER_SCREEN.meet(text.lower())
            if not triggered:
                continue  # no word any credit pattern needs: spare the block the dozen specific patterns
        if short and (text[0] in "[(" or any(rule in text for rule in _RULE_STARTS)):
            text = _unwrapped(text)
            wire_words = None  # other words now
        if (
            len(text) <= _MAX_LABEL
            and _LABEL_ONLY.match(text)
            and number + 1 < len(blocks)
            and len(blocks[number + 1].text) <= _LABELLED_VALUE
        ):
            # A field's label and value in blocks of their own ("Via" | "caktusgroup.com"): read as one line.
            value = blocks[number + 1]
            block = Block(
                text=f"{text.rstrip(': ')}: {_unwrapped(value.text)}",
                kind=value.kind,
                links=value.links,
                tag=value.tag,
                path=value.path,
            )
            text = block.text  # a label and a value of at most _LABELLED_VALUE: still short
            wire_words = None
        # A wire credit can close a long paragraph; look at the last sentence too.
        windows = [text] if short else [text[:200], text[-200:]]
        for window in windows:
            if wire_words is False:
                continue
            lowered = window.lower()
            if wire_words is None and not _WIRE_SCREEN.meet(lowered)[0]:
                continue  # its words name no wire (far cheaper than _ANY_WIRE's scan of a long window)
            if not _ANY_WIRE.search(lowered):
                continue  # one cheap scan spares the eight wire patterns on most blocks
            screened = not any(char in window for char in _FOLDED_APART)
            for pattern, needs in zip(_WIRE_PATTERNS, _WIRE_NEEDS, strict=True):
                if needs and screened and not any(word in lowered for word in needs):
                    continue  # a word every match holds is missing (see _PATTERN_NEEDS)
                match = pattern.search(window)
                if match:
                    alias = match.group("name").lower()
                    if alias in _CAPITALS_ONLY and match.group("name") != match.group("name").upper():
                        continue  # "AP", "PA": only as capitals, not as ordinary words
                    credits.append(Credit(_ALIAS_TO_WIRE[alias], window if short else match.group(0), "wire"))
                    break
        if short and ";" in text and _REUTERS_SIGNOFF.search(text):  # the sign-off's ";" first: cheap
            credits.append(Credit("Reuters", text, "wire"))
        if short:
            noted = bool(_ANY_NOTE.search(text.lower())) and _note(
                text, partial(_links_elsewhere, block, page_url), credits, source_links
            )
            if not noted and (line := _CREDIT_LINE.match(text)) and not _in_figure(block):
                # "Credit: X" alone on a line: under a photo it is the photo's, elsewhere the text's.
                credits.append(Credit(_credit_name(line.group("name"), []) or "unnamed", text, "courtesy"))
            continue
        # A note can open or close a long block (a blog body that is one block): a note at its very start, or
        # its last sentence when short. Which of the block's links is the note's own is unknown: credited by
        # name only.
        opening = _WORD.match(text[:20].lower())
        notes = [(text[:200], True)] if opening and opening.group() in _OPENING_WORDS else []
        notes.append((_closing_sentence(text), False))
        for note, anchored in notes:
            if note and _ANY_NOTE.search(note.lower()) and _note(note, [], credits, source_links, anchored):
                break
    unique_credits: dict[tuple[str, str], Credit] = {}
    for credit in credits:
        unique_credits.setdefault((credit.name.lower(), credit.kind), credit)
    return list(unique_credits.values()), list(dict.fromkeys(source_links))


def _unwrapped(text: str) -> str:
    """The text without brackets around all of it ("[Source: The Verge]"), or up to a rule drawn under it
    ("Credit: X ____ -- posted by admin": a forum signature follows)."""
    text = _RULE_AND_AFTER.sub("", text)
    if len(text) > 2 and ((text[0] == "[" and text[-1] == "]") or (text[0] == "(" and text[-1] == ")" and ":" in text)):
        return text[1:-1].strip()  # "(Reuters)" alone keeps its brackets: a wire dateline's own
    return text


_RULE_STARTS = ("____", "----", "====", "~~~~", "****")  # cheap tests before the pattern
_RULE_AND_AFTER = re.compile(r"\s*[_=~*\-]{4,}(?:\s.*)?$", re.S)
_MAX_LABEL = 12  # "Sources:", "Credits:": a label alone is a word and a colon
_LABEL_ONLY = re.compile(r"^\s*(?:source|sources|via|credits?|quelle|fuente|źródło|fonte|bron)\s*:?\s*$", re.I)
_LABELLED_VALUE = 120  # the value of a labelled field is a name or a link, not a paragraph


# The words a note can open with (the patterns above, read at a block's start): most paragraphs open with
# none of them, and are spared the patterns.
_OPENING_TEXT = (
    "originally first this was appeared republished reprinted reposted shared source sources quelle fuente źródło"
    " fonte bron via h hat courtesy thanks many story article text content post read original continue erschien"
    " erschienen"
    " initialement originellement d publicado publicada aparecido aparecida pubblicato pubblicata ukazał ukazała"
    " opublikowany opublikowana verscheen gepubliceerd"
)
_OPENING_WORDS = frozenset(_OPENING_TEXT.split())
_CREDIT_LINE = re.compile(rf"^\s*credits?\s*:\s*{_NAME}\s*\.?\s*$", re.I)


def _in_figure(block: Block) -> bool:
    return block.tag in ("figcaption", "figure", "img") or "figure" in block.path or "caption" in block.path


# A sentence ends at . ! or ?, and any closing quotation marks or brackets after it ("… by wars.”").
_SENTENCE_END = re.compile(r"[.!?][\"'”’»)\]]*\s+(?=[A-Z(\"“])")
_CLOSING_NOTE = 120  # a note closing a long block is a short last sentence ("Originally published at X.")


def _closing_sentence(text: str) -> str:
    """The last sentence of a long block, when short enough to be a note (only the block's tail is read)."""
    tail = text[-(_CLOSING_NOTE + 8) :]
    cuts = [m.end() for m in _SENTENCE_END.finditer(tail)]
    last = tail[cuts[-1] :].strip() if cuts else ""
    return last if len(last) <= _CLOSING_NOTE else ""


def _opens(lead: str) -> bool:
    """Whether a note after `lead` opens its block: nothing before it, or a word or two of its own phrase
    ("Article courtesy of X", "Story via X"), not a sentence."""
    lead = lead.strip()
    return not lead or (len(lead.split()) <= 2 and not _LEAD_END.search(lead))


_LEAD_END = re.compile(r"[.!?:;]")


def _note(
    text: str,
    links: list[str] | Callable[[], list[str]],
    credits: list[Credit],
    source_links: list[str],
    anchored: bool = False,
) -> bool:
    """The republication note or source link in `text` (a block with its links to other sites, or a part of
    one; `anchored`: only a note opening it, see _opens), added to credits and source_links; whether one was
    found. `links` can be a function giving them: called only once a note is found (resolving and normalising
    the links of every block that might hold one was most of find_credits' time on those blocks)."""
    found = False
    lowered = text.lower()
    screened = not any(char in text for char in _FOLDED_APART)
    for (kind, pattern), needs in zip(_REPUBLICATION_PATTERNS, _PATTERN_NEEDS, strict=True):
        if needs and screened and not any(word in lowered for word in needs):
            continue  # a word every match holds is missing: spare the search (most patterns, on most notes)
        match = pattern.search(text)
        if not match or (anchored and not _opens(text[: match.start()])):
            continue
        groups = match.groupdict()
        if callable(links):
            links = links()
        if kind == "source_link" and not links:
            if not groups.get("rest"):
                continue  # a bare "Source" heading with nothing behind it
            kind = "source_named"  # "Source: The Gazette", named but not linked
        name = _credit_name(groups.get("name") or groups.get("rest") or None, links)
        credits.append(Credit(name or "unnamed", text, kind, links[0] if links else None))
        if links:
            source_links.extend(links)
        found = True
        break
    if _SOURCE_LINK_TEXT.match(text):
        if callable(links):
            links = links()
        if links and not any(c.text == text for c in credits):
            credits.append(Credit(_credit_name(None, links) or "unnamed", text, "source_link", links[0]))
            source_links.extend(links)
            found = True
    return found
