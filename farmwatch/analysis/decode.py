"""Turn raw response bytes into HTML text: charset detection and input checks.

The order follows the HTML standard's encoding sniffing: a byte-order mark, then
the HTTP Content-Type charset, then a <meta charset> in the first bytes, then
statistical detection (charset-normalizer) as the last resort.
"""

from __future__ import annotations

import codecs
import re

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


def _known_codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    name = name.strip().lower()
    # The HTML standard maps these labels to supersets; follow it.
    name = {"iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


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
        except UnicodeDecodeError:
            pass  # the declaration lies; fall through to detection
    try:
        return body.decode("utf-8"), body
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    codec = best.encoding if best is not None else "cp1252"
    text = body.decode(codec, errors="replace")
    return text, text
