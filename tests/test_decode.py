"""Bytes in, text out: charsets detected, bad input refused with a clear error, never a crash."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.decode import MAX_HTML_BYTES, InputError, decode_html
from farmwatch.analysis.page import analyze_html

TEXT = "Zürich: Überraschung bei der Wahl – „Ergebnis“ erwartet"


@pytest.mark.parametrize("codec", ["utf-8", "cp1252", "utf-16"])
def test_declared_charset_in_meta(codec: str) -> None:
    html = f'<html><head><meta charset="{codec}"></head><body><p>{TEXT}</p></body></html>'
    assert TEXT in decode_html(html.encode(codec))


def test_http_header_charset_wins_over_a_wrong_meta() -> None:
    body = f'<html><head><meta charset="utf-8"></head><body><p>{TEXT}</p></body></html>'.encode("cp1252")
    assert TEXT in decode_html(body, "text/html; charset=windows-1252")


def test_undeclared_legacy_charset_is_detected() -> None:
    japanese = "東京都は新しい計画を発表しました。市民の反応はさまざまです。" * 20
    body = f"<html><body><p>{japanese}</p></body></html>".encode("shift_jis")
    assert japanese in decode_html(body)


def test_undeclared_cp1252_is_not_mojibake() -> None:
    body = f"<html><body><p>{TEXT} {TEXT}</p></body></html>".encode("cp1252")
    assert "Überraschung" in decode_html(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"%PDF-1.7 binary", "binary"),
        (gzip.compress(b"<html>" * 100), "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "binary"),
        (b"<p>" + b"a" * (MAX_HTML_BYTES + 1), "larger"),
    ],
)
def test_unusable_bodies_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_html(body)


def test_text_without_markup_is_refused() -> None:
    with pytest.raises(InputError, match="no HTML"):
        analyze_html(b"just a plain sentence", "https://example.com/")


def test_deeply_nested_markup_is_analysed() -> None:
    # An article 5,000 wrappers deep (past Python's recursion limit, and past the depth the
    # markup is flattened at) is still the page's main text and gets fingerprinted; the menu
    # and footer around the wrappers are still boilerplate.
    article = "The council approved the new budget after a long debate about schools and roads. " * 6
    html = (
        "<html><body><nav class='menu'><a href='/'>Home</a> <a href='/sport'>Sport</a> <a href='/w'>Weather</a></nav>"
        + "<div>" * 5000
        + f"<article><p>{article}</p></article>"
        + "</div>" * 5000
        + "<footer><p>Copyright 2024 Example News, all rights reserved.</p></footer></body></html>"
    )
    analysis = analyze_html(html, "https://example.com/deep")
    assert analysis.main_text == article.strip()
    kinds = {block.text: block.kind for block in analysis.boilerplate_blocks}
    assert kinds == {
        "Home Sport Weather": BlockKind.NAVIGATION,
        "Copyright 2024 Example News, all rights reserved.": BlockKind.FOOTER,
    }
    assert len(analysis.shingles) > 0  # so a copy of it can be found
    assert 0 < analysis.boilerplate_share < 0.2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000) | st.text(max_size=4000).map(lambda t: ("<html><body>" + t).encode("utf-8", "replace")))
def test_any_input_gives_a_report_or_a_clear_error(body: bytes) -> None:
    try:
        analysis = analyze_html(body, "https://example.com/fuzz")
    except InputError as error:
        assert str(error)
    else:
        assert analysis.boilerplate_share >= 0


def test_the_parser_gets_the_bodys_own_bytes_when_they_are_the_texts_utf8() -> None:
    from selectolax.lexbor import LexborHTMLParser

    from farmwatch.analysis.decode import decode_for_parser

    words = "caf\u00e9 \u201cquoted\u201d \u65e5\u672c"
    utf8 = f"<html><head><meta charset='utf-8'></head><body><p>{words}</p></body></html>"
    text, markup = decode_for_parser(utf8.encode("utf-8"))
    assert text == utf8 and markup == utf8.encode("utf-8")
    assert LexborHTMLParser(markup).body.text() == LexborHTMLParser(text).body.text() == words
    latin = utf8.replace("utf-8", "iso-8859-1").replace(words, "caf\u00e9")
    text, markup = decode_for_parser(latin.encode("latin-1"))
    assert text == latin and markup == latin  # anything else is parsed from the decoded text
    bom = b"\xef\xbb\xbf<p>x</p>"  # a UTF-8 byte-order mark
    assert decode_for_parser(bom) == ("<p>x</p>", "<p>x</p>")
    assert decode_for_parser("<p>str</p>") == ("<p>str</p>", "<p>str</p>")
