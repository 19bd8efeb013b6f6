"""Patterns compiled at their first use (credits' wire and note patterns, phrases' one-by-one patterns) find
what the same patterns compiled at import find."""

from __future__ import annotations

import re

import pytest

from farmwatch.analysis import credits
from farmwatch.analysis.blocks import BlockKind
from farmwatch.analysis.extract import phrases

TEXTS = [
    "WASHINGTON (Reuters) - The Senate voted on Tuesday.",
    "NEW DELHI, Nov 30 (PTI) The government said",
    "Reuters contributed to this report.",
    "Copyright 2024 The Associated Press",
    "This article was originally published on The Conversation.",
    "Republished with permission of Grist.",
    "Reporting by Jane Doe; editing by John Roe",
    "H/T wsvn.com: the story",
    "nothing to see here",
]


@pytest.mark.parametrize("text", TEXTS)
def test_lazy_credit_patterns_match_as_compiled_ones(text: str) -> None:
    lazy = [*credits._WIRE_PATTERNS, *(p for _k, p in credits._REPUBLICATION_PATTERNS), credits._REUTERS_SIGNOFF]
    for pattern in lazy:
        compiled = re.compile(pattern.pattern, pattern.flags)
        for method in ("search", "match"):
            found, expected = getattr(pattern, method)(text), getattr(compiled, method)(text)
            assert (found and (found.span(), found.groupdict())) == (
                expected and (expected.span(), expected.groupdict())
            )


def _first_phrase(text: str) -> BlockKind | None:
    """The kind of the first phrase pattern (case-insensitive, in list order) that matches and allows the length."""
    for kind, pattern, longest in phrases._PHRASES:
        if len(text) <= longest and re.match(pattern.pattern, text, re.IGNORECASE):
            return kind
    return None


@pytest.mark.parametrize(
    "text",
    [
        "Share this article",
        # Longer than a share bar may be: the one-by-one patterns are tried after the alternation's first match.
        "Share your thoughts: your email address will not be published, and comments are moderated. " * 2,
        "Leave a Reply",
        "Related: " + "A headline about the news of the day and more. " * 3,
        "Photo: Jane Doe",
    ],
)
def test_long_blocks_past_their_first_match_get_the_next_pattern_that_allows_them(text: str) -> None:
    assert phrases._phrase_kind(text) == _first_phrase(text)
