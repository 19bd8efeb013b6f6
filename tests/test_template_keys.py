"""A block's template key ignores spacing, case and numbers, whatever the script and whatever spaces it uses."""

from __future__ import annotations

import re
import sys

import pytest
import xxhash

from farmwatch.analysis.templates import block_key


def reference_key(text: str) -> int:
    """The key as defined: words joined by single spaces, lower case, each run of decimal digits one "0"."""
    return xxhash.xxh3_64_intdigest(re.sub(r"\d+", "0", " ".join(text.split()).lower()).encode())


@pytest.mark.parametrize(
    "text",
    [
        "Subscribe to our newsletter for 2024 updates",
        "  Subscribe\tto our\n\nnewsletter for 2024 updates ",
        "SUBSCRIBE TO OUR NEWSLETTER FOR 7 UPDATES",
        "Subscribe to our newsletter for 0000 updates",
    ],
)
def test_spacing_case_and_numbers_do_not_change_the_key(text: str) -> None:
    assert block_key(text) == block_key("subscribe to our newsletter for 1 updates")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "00 0 000a0b00",
        "Price 1,000,000 — up 12.5% on 2023",
        "non\u00a0breaking and\u2009thin and\u3000ideographic spaces",
        "file\x1cgroup\x1drecord\x1eunit\x1fseparators",
        "zero\u200bwidth space and soft\u00adhyphen",
        "Ünïcödé ÀÉÎ “quoted” ‘text’ 42",
        "Arabic-Indic ١٢٣ and Devanagari ४५६ and fullwidth ７８ digits 9",
        "Only Arabic-Indic ١٢٣ digits, “no” others",
        "İstanbul ΣΟΦΟΣ ẞtraße ǅemal",
        "line\u2028separator\u2029paragraph\x85next",
        "tab\tat end\t",
    ],
)
def test_the_key_is_the_defined_one(text: str) -> None:
    block_key.cache_clear()
    assert block_key(text) == reference_key(text)


def test_every_space_but_the_ascii_one_is_unprintable() -> None:
    """What block_key's shortcut relies on (a printable text's only spaces are " "), in this Unicode version."""
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c != " " and c.isprintable()] == []
