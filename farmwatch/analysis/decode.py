"""Turn raw response bytes into HTML text: charset detection and input checks.

The order follows the HTML standard's encoding sniffing: a byte-order mark, then
the HTTP Content-Type charset, then a <meta charset> in the first bytes, then
statistical detection (charset-normalizer) as the last resort.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from farmwatch.errors import InputError  # defined there; imported from here too

MAX_HTML_BYTES = 10 * 1024 * 1024  # larger bodies are refused, not truncated silently

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_\-:.]+)""", re.I)
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
    b"OggS",
    b"ID3",
    b"\x7fELF",
)


# Codecs Python looks up by name that are not a web page's character encoding: they transform text into
# text (punycode, idna, escapes) or fail on anything (undefined); the HTML standard knows none of them
# (utf-7 it maps to "replacement"). A label naming one counts as no label. Codecs that are not text
# encodings at all (zlib, base64, rot13, bz2, hex, uu, quopri) are caught by `_is_text_encoding`.
_NOT_PAGE_CODECS = frozenset(
    {"punycode", "undefined", "idna", "unicode-escape", "raw-unicode-escape", "utf-7", "charmap", "palmos"}
)


def _known_codec(name: str | bytes | None) -> str | None:
    """The Python codec a charset label names, or None for a label that names no text encoding of pages."""
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    name = name.strip().lower()
    # The HTML standard maps these labels to supersets; follow it.
    name = {"iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CODECS:
        return None
    return info.name


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _known_codec(match.group(1)) if match else None


def looks_binary(body: bytes) -> bool:
    head = body[:1024]
    if head.startswith(_BINARY_MAGIC):
        return True
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    # Text (in any 8-bit charset or UTF-8) has almost no NUL bytes.
    return head.count(b"\x00") > len(head) // 100 + 1


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    """Decode an HTML body to text, detecting its charset.

    Raises InputError for bodies that are empty, too large or binary.
    """
    return decode_for_parser(body, content_type)[0]


def decode_for_parser(body: bytes | str, content_type: str | None = None) -> tuple[str, bytes | str]:
    """decode_html's text, and what to hand the HTML parser for it: the body itself when it is
    that text's UTF-8 (lexbor parses UTF-8 bytes; given the text, selectolax encodes it back,
    which costs a fifth of the parse), else the text.

    Raises InputError for bodies that are empty, too large or binary.
    """
    if isinstance(body, str):
        if len(body) > MAX_HTML_BYTES:
            raise InputError(f"page is larger than {MAX_HTML_BYTES} bytes")
        return body, body
    if not body.strip():
        raise InputError("page is empty")
    if len(body) > MAX_HTML_BYTES:
        raise InputError(f"page is larger than {MAX_HTML_BYTES} bytes")
    if looks_binary(body):
        raise InputError("page is binary, not HTML")
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = body[len(bom) :].decode(codec, errors="replace")
            return text, text
    declared = charset_from_content_type(content_type)
    if declared is None:
        match = _META_CHARSET.search(body[:4096])
        declared = _known_codec(match.group(1)) if match else None
    if declared in ("utf-16-le", "utf-16-be", "utf-16", "utf-32"):
        declared = None  # an ASCII-compatible page cannot really be UTF-16
    if declared:
        try:
            text = body.decode(declared)
            return text, body if declared == "utf-8" else text
        except (UnicodeError, LookupError, ValueError):
            pass  # the declaration lies; fall through to detection
    try:
        return body.decode("utf-8"), body
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    codec = best.encoding if best is not None else "cp1252"
    text = body.decode(codec, errors="replace")
    return text, text


# --- the shape of the markup: bounded before the parser sees it ---
#
# An HTML parser's tree builder walks its stack of open elements for many start tags (is a <p> open in
# button scope?), so markup nested n deep costs time quadratic in n: 100,000 nested <div>s took lexbor
# 16 s to parse and the whole analysis 30 s. `check_markup` runs before parsing, in one pass over the
# tags with an approximate stack of open elements (void elements, raw text, comments, the commonest
# implied end tags): start tags that would open an element deeper than MAX_DEPTH are dropped (as Blink's
# parser does at 512, their content goes to the deepest allowed element), and markup with more than
# MAX_ELEMENTS elements, MAX_TEXT_CHARS characters of text or MAX_TAG_CHARS characters inside start tags
# (or shares of each adding up to one: analysis costs about 50 us an element, 1 us a character of text and
# 0.5 us one of attributes) is refused. The largest of the 2,445
# pages of the shared corpora has 10,126 elements. With these, a page of any shape up to the 5 MB body
# cap is analysed, or refused, in about 2 s of CPU at most (tests/test_hostile.py, README).

MAX_DEPTH = 512
MAX_ELEMENTS = 20_000
MAX_TEXT_CHARS = 1_000_000
MAX_TAG_CHARS = 4_000_000  # characters inside start tags (names and attributes)

_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>\x00]*)|<!--")
_VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_RAW_TEXT = frozenset(
    ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"]
)
_CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
        "li",
        "dd",
        "dt",
    ]
)
# A start tag of the group closes an open element of the group, unless one of the boundaries is nearer.
_SIBLINGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
for _names, _bounds in (
    ("li", "ul ol menu"),
    ("dd dt", "dl"),
    ("td th", "tr table"),
    ("tr", "table"),
    ("tbody thead tfoot", "table"),
    ("option", "select datalist optgroup"),
    ("optgroup", "select"),
    ("h1 h2 h3 h4 h5 h6", "body"),
):
    for _name in _names.split():
        _SIBLINGS[_name] = (frozenset(_names.split()), frozenset(_bounds.split()))
_IMPLIED_SCAN = 32  # how far down the stack an implied end tag is looked for


@dataclass(slots=True)
class MarkupShape:
    depth: int  # the deepest element kept, as estimated
    elements: int
    text_chars: int
    flattened: int  # start tags dropped for being deeper than MAX_DEPTH


def check_markup(html: str, max_depth: int = MAX_DEPTH) -> tuple[str, MarkupShape]:
    """The markup as the parser should get it (flattened below max_depth) and its shape.
    Raises InputError for markup past MAX_ELEMENTS elements or MAX_TEXT_CHARS characters of text."""
    stack: list[str] = []
    open_count: dict[str, int] = {}
    dropped: dict[str, int] = {}
    cut: list[tuple[int, int]] = []  # spans of dropped tags
    pos = elements = text = deepest = tag_chars = 0
    size = len(html)

    def pop_to(name: str) -> None:
        while stack:
            top = stack.pop()
            open_count[top] -= 1
            if top == name:
                return

    while pos < size:
        match = _TAG.search(html, pos)
        if match is None:
            text += size - pos
            break
        text += match.start() - pos
        if match.group(2) is None:  # a comment
            end = html.find("-->", match.end())
            pos = size if end < 0 else end + 3
            continue
        end = html.find(">", match.end())
        end = size if end < 0 else end + 1
        name = match.group(2).lower()
        if match.group(1):  # an end tag
            if open_count.get(name):
                pop_to(name)
            elif dropped.get(name):
                dropped[name] -= 1
                cut.append((match.start(), end))
            pos = end
            continue
        elements += 1
        tag_chars += end - match.start()
        if elements > MAX_ELEMENTS:
            raise InputError(f"page is too large to analyse: more than {MAX_ELEMENTS} elements")
        foreign_void = html[end - 2 : end] == "/>" and (open_count.get("svg") or open_count.get("math"))
        if name not in _VOID and name not in _RAW_TEXT and not foreign_void:
            if name in _CLOSES_P and open_count.get("p") and "p" in stack[-_IMPLIED_SCAN:]:
                pop_to("p")
            sibling = _SIBLINGS.get(name)
            if sibling is not None:
                group, bounds = sibling
                for top in reversed(stack[-_IMPLIED_SCAN:]):
                    if top in group:
                        pop_to(top)
                        break
                    if top in bounds:
                        break
            if len(stack) >= max_depth:
                dropped[name] = dropped.get(name, 0) + 1
                cut.append((match.start(), end))
            else:
                stack.append(name)
                open_count[name] = open_count.get(name, 0) + 1
                deepest = max(deepest, len(stack))
        pos = end
        if name in _RAW_TEXT:  # its content is text up to its own end tag, never markup
            close = re.compile(f"</{re.escape(name)}", re.I).search(html, pos)
            pos = size if close is None else close.start()
    if elements / MAX_ELEMENTS + text / MAX_TEXT_CHARS + tag_chars / MAX_TAG_CHARS > 1:  # cost is about linear
        raise InputError(
            f"page is too large to analyse: {elements} elements, {text} characters of text and {tag_chars} in "
            f"tags (at most {MAX_ELEMENTS}, {MAX_TEXT_CHARS} and {MAX_TAG_CHARS}, or shares adding up to one)"
        )
    flattened = len(cut)
    shape = MarkupShape(deepest, elements, text, flattened)
    if not cut:
        return html, shape
    pieces, start = [], 0
    for a, b in cut:
        pieces.append(html[start:a])
        start = b
    pieces.append(html[start:])
    return "".join(pieces), shape
