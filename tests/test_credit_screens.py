"""find_credits' cheap screens (words a pattern needs, wire names as whole words) never change what it finds."""

from __future__ import annotations

import re

import pytest

from farmwatch.analysis import credits
from farmwatch.analysis.blocks import Block, BlockKind

_NOTE_WORDS = (
    r"originally|first|appeared|re(?:published|printed|posted)|shared|permission|source|quelle|fuente|źródło",
    r"fonte|bron|\bvia\b|h/t|hat tip|courtesy|thanks|credit|read|continue|original|erschien|initialement",
    r"originellement|d'abord|publicad|aparecid|pubblicat|ukazał|opublikowan|verscheen|gepubliceerd",
)
LINES = [
    "This article was originally published on The Conversation.",
    # Case-insensitive patterns read İ as i and ſ as s, str.lower does not: found only if not screened out.
    "Read: this piece was ORİGİNALLY published in Example News.",
    "Read: this piece was republiſhed from Example News.",
    "Dieser Artikel erschien zuerst bei Der Spiegel.",
    "Artykuł ukazał się pierwotnie w Gazeta Wyborcza.",
    "Republished with permission of Grist.",
    "Reprinted by kind permission from The Atlantic.",
    "The post A Day Out appeared first on Travel Blog.",
    "Courtesy of NASA.",
    "(via The Atlantic)",
    "H/T wsvn.com: the story",
    "Reuters contributed to this report.",
    "WASHINGTON (Reuters) - The Senate voted on Tuesday.",
    "Thomson Reuters staff contributed to this story.",
    "[Source: The Verge]",
    "Source: AFP",
    "Reporting by Jane Doe; editing by John Roe",
    "Agence France-Presse",
    "keystone-sda",
    "Credit: Jane Doe ____ posted by admin",
    "The first thing to read is the source of the original story.",
    "Shared with permission.",
    "Staff of the AP contributed to this report; AFP contribİuted too.",
    "Our thanks via Reuters, and material from dpa (via AFP)",
    "Seen vİa AFP. Copyright 2024 The Associated Press",
    "With reporting from Reuters (Reuters)",
    "Reporting by Jane Doe, editing by John Roe",
]


class _Everything(frozenset):
    """A set every word list meets: the wire screen lets every window through."""

    def isdisjoint(self, other: object) -> bool:
        return False


def _found(blocks: list[Block]) -> list[tuple[str, str, str, str | None]]:
    found, links = credits.find_credits(blocks, "https://farm.example/a")
    return [(c.name, c.text, c.kind, c.url) for c in found] + [("link", u, "", None) for u in links]


@pytest.mark.parametrize("line", LINES)
def test_screens_change_nothing(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [
        Block(text=line, kind=BlockKind.MAIN, tag="p", links=["https://source.example/story"]),
        Block(text=("A long paragraph of story text. " * 15) + line, kind=BlockKind.MAIN, tag="p"),
    ]
    screened = _found(blocks)
    monkeypatch.setattr(credits, "_PATTERN_NEEDS", (None,) * len(credits._REPUBLICATION_PATTERNS))
    monkeypatch.setattr(credits, "_WIRE_NEEDS", (None,) * len(credits._WIRE_PATTERNS))
    monkeypatch.setattr(credits, "_ANY_NOTE", re.compile("|".join(_NOTE_WORDS)))  # its first form
    monkeypatch.setattr(credits, "_ANY_WIRE", re.compile(rf"\b(?:{credits._WIRE_ALT})\b"))  # and this one's
    # The word lists read in Python, and every window scanned for wires.
    monkeypatch.setattr(credits, "_TRIGGER_SCREEN", credits._WordScreen(credits._TRIGGERS, _Everything()))
    monkeypatch.setattr(credits, "_WIRE_SCREEN", credits._WordScreen(_Everything(), _Everything()))
    assert screened == _found(blocks)


def test_prefix_trees_match_what_the_plain_alternations_match() -> None:
    """_ANY_WIRE and _ANY_NOTE, written as prefix trees, find a match in the texts the plain alternations do."""
    import random

    rng = random.Random(11)
    plain_wire = re.compile(rf"\b(?:{credits._WIRE_ALT})\b")
    plain_note = re.compile("|".join(_NOTE_WORDS))
    vocabulary = [*credits._ALIAS_TO_WIRE, *credits._NOTE_WORDS.split(), "hat tip", "via", "xvia", "vias", "ap-", "a"]
    characters = [*"abcdefghijklmnoprstuvwxyz _-().1", "é", "ф", "ı"]
    for _ in range(30000):
        words = []
        for _ in range(rng.randint(0, 4)):
            word = rng.choice(vocabulary)
            cut = rng.randrange(len(word) + 1)
            words.append(word[:cut] + rng.choice(characters) + word[cut:] if rng.random() < 0.3 else word)
        sample = rng.choice(["", " ", "x"]).join(words)
        assert bool(credits._ANY_WIRE.search(sample)) == bool(plain_wire.search(sample)), sample
        assert bool(credits._ANY_NOTE.search(sample)) == bool(plain_note.search(sample)), sample
