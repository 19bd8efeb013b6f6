"""Whether two pages share a story, and how much: the edge between them (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from farmwatch.analysis.align import THRESHOLDS, Alignment, Grade, align, align_both, assess_reuse
from farmwatch.analysis.facts import PageFacts, links_to
from farmwatch.analysis.fingerprint import overlap, shingle_hashes
from farmwatch.analysis.text import PreparedText, prepare
from farmwatch.analysis.urls import registrable_domain
from farmwatch.config import MatchSettings

try:  # the compiled look-up (setup.py: _align.pyx); without it, numpy's (the same counts and comparison)
    from farmwatch.analysis._align import passages_in as _compiled_passages_in  # type: ignore[import-not-found]
except ImportError:
    _compiled_passages_in = None

_NAME_STOPWORDS = {"the", "news", "daily", "online", "com", "www", "times", "media", "magazine", "post", "hub"}


@dataclass(slots=True)
class Edge:
    """Shared text between page a and page b, from a's side."""

    other: int
    shared: int
    size: int  # a's shingles
    other_size: int  # b's shingles
    jaccard: float
    containment: float  # share of a's text found in b
    other_containment: float  # share of b's text found in a
    passages: list[int] = field(default_factory=list)  # a's main-text paragraphs found in b
    names_other: bool = False  # a's text names b's publisher
    named_by_other: bool = False  # b's text names a's publisher
    # From the alignment (farmwatch/analysis/align.py): share of a's text aligned to b and of b's to a,
    # the reuse grade of a from b, and a's aligned spans [start, end, source_start, source_end, similarity,
    # quoted] as character offsets into a's and b's main text.
    coverage: float = 0.0
    other_coverage: float = 0.0
    reuse: str | None = None
    spans: list[list] = field(default_factory=list)
    # Pages of b's publisher a was graded against together with b (farmwatch/analysis/matching.py,
    # graded_together): `reuse` is the grade of all of them as one source, none of which is one alone.
    graded_with: list[int] = field(default_factory=list)
    # P(a derives from b) by the reuse model from the alignment alone (align.ReuseModel; 0.0 where nothing
    # aligns, None on edges stored before it was kept): how sure the text evidence is, who came first aside.
    reuse_probability: float | None = None

    def seen_from(self, other: int, passages: list[int]) -> Edge:
        """The same edge from b's side: b's sizes and shares first, b's passages, a as the other page.
        (Alignment is not symmetric: the caller sets b's reuse grade and spans from aligning b with a.)"""
        return Edge(
            other=other,
            shared=self.shared,
            size=self.other_size,
            other_size=self.size,
            jaccard=self.jaccard,
            containment=self.other_containment,
            other_containment=self.containment,
            passages=passages,
            names_other=self.named_by_other,
            named_by_other=self.names_other,
            coverage=self.other_coverage,
            other_coverage=self.coverage,
        )


def paragraph_shingles(paragraphs: list[str], n: int) -> list[np.ndarray]:
    return [shingle_hashes(p, n) for p in paragraphs]


def passages_found(paragraph_shingles: list[np.ndarray], other: np.ndarray, min_share: float) -> list[int]:
    """Paragraphs with at least min_share of their shingles in `other` (sorted, unique): one look-up for all
    paragraphs' shingles, counted per paragraph."""
    if _compiled_passages_in is not None and isinstance(other, np.ndarray) and other.dtype == np.uint64:
        # A hash table of `other` in C, one probe per shingle; None when an input is not as it reads them
        # (numpy's path then).
        found = _compiled_passages_in(list(paragraph_shingles), np.ascontiguousarray(other), float(min_share))
        if found is not None:
            return found
    return _numpy_passages_found(paragraph_shingles, other, min_share)


def _numpy_passages_found(paragraph_shingles: list[np.ndarray], other: np.ndarray, min_share: float) -> list[int]:
    sizes = np.array([len(s) for s in paragraph_shingles], dtype=np.int64)
    if not len(other) or not sizes.sum():
        return []
    every = np.concatenate(paragraph_shingles)
    at = np.searchsorted(other, every)
    at[at >= len(other)] = 0
    hits = np.concatenate(([0], np.cumsum(other[at] == every)))
    ends = np.cumsum(sizes)
    found = hits[ends] - hits[ends - sizes]
    return [int(i) for i in np.flatnonzero((sizes > 0) & (found >= min_share * sizes))]


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    name = name.strip()
    words = [w for w in re.findall(r"\w+", name.lower()) if w not in _NAME_STOPWORDS]
    if words and sum(len(w) for w in words) >= 4:
        return re.compile(r"\b" + re.escape(name) + r"\b", re.I)
    # A short name is an ordinary word in lower case ("dw", "ft"): it counts only as written, an acronym in
    # capitals ("DW", "NPR") or with its domain ("DW.COM").
    if _ACRONYM.fullmatch(name) or _SHORT_DOMAIN.fullmatch(name):
        flags = re.I if "." in name else 0
        return re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w|\.\w)", flags)
    return None


_ACRONYM = re.compile(r"[A-Z]{2,3}", re.ASCII)
_SHORT_DOMAIN = re.compile(r"[a-z0-9]{2,3}(?:\.[a-z]{2,6})+", re.ASCII | re.I)


# The characters other than ASCII that a case-insensitive pattern of ASCII letters matches though their
# lower case is no ASCII letter (İ and ı match i, ſ matches s; checked in tests/test_fingerprint.py).
# Looked for one by one with `in`, which skips a text whose widest character is narrower at once and searches
# the rest as fast as memchr, where a pattern tests every character (a page's whole text, once per candidate).
_FOLDS_TO_ASCII = "\u0130\u0131\u017f"


@lru_cache(maxsize=4096)
def _name_key(name: str) -> str | None:
    """The lower case of an ASCII name as its pattern reads it (stripped); None for other names."""
    name = name.strip()
    return name.lower() if name.isascii() else None


# Kept per text: a page is compared with many candidates, its text asked about each one's names (a str
# keeps its hash, so a look-up is one comparison).
@lru_cache(maxsize=64)
def _lowered(text: str) -> str:
    """The text in lower case, for text_names' shortcut; "" when there is none for this text (a character
    whose lower case is longer, or one of _FOLDS_TO_ASCII)."""
    lowered = text.lower()
    if len(lowered) != len(text) or any(c in text for c in _FOLDS_TO_ASCII):
        return ""
    return lowered


def text_names(text: str, names: list[str]) -> bool:
    # A regular expression search of a whole text costs ~25 µs (and compiling a name's pattern, the first
    # time, ~150 µs) and most names are absent: a name of ASCII characters can match only where its lower
    # case is a substring of the text's (unless the text holds a character of _FOLDS_TO_ASCII), so the
    # pattern is made and searched only there. Same answers, several times faster.
    lowered: str | None = None
    for name in names:
        key = _name_key(name)
        if key is not None:
            if lowered is None:
                lowered = _lowered(text)
            if lowered and key not in lowered:
                continue
        pattern = _name_pattern(name)
        if pattern is not None and pattern.search(text):
            return True
    return False


def compare(
    shingles_a: np.ndarray,
    paragraph_shingles_a: list[np.ndarray],
    text_a: str,
    facts_a: PageFacts,
    shingles_b: np.ndarray,
    text_b: str,
    facts_b: PageFacts,
    shingle_words: int,
    settings: MatchSettings,
    force: bool = False,
    paragraph_shingles_b: list[np.ndarray] | None = None,
) -> tuple[Edge, Edge] | None:
    """The edge between two pages in both directions, or None when they do not share a story.

    Page a is compared with many candidates, so its paragraphs come already shingled
    (paragraph_shingles); page b's (its text's lines) are shingled here when not given, only when the two
    do share a story."""
    ov = overlap(shingles_a, shingles_b)
    contained = max(ov.containment_a, ov.containment_b)
    passage = ov.shared >= settings.passage_shingles and contained >= settings.passage_containment
    verbatim = ov.shared >= settings.min_shared_shingles and (
        ov.jaccard >= settings.min_jaccard or contained >= settings.min_containment or passage
    )
    if not (verbatim or force):  # force: the alignment found reuse that the shingles miss (edited text)
        return None
    passages_a = passages_found(paragraph_shingles_a, shingles_b, settings.passage_min_share)
    shingled_b = (
        paragraph_shingles_b
        if paragraph_shingles_b is not None
        else paragraph_shingles(text_b.split("\n"), shingle_words)
    )
    passages_b = passages_found(shingled_b, shingles_a, settings.passage_min_share)
    a_names_b = facts_a.site != facts_b.site and text_names(text_a, facts_b.names())
    b_names_a = facts_a.site != facts_b.site and text_names(text_b, facts_a.names())
    edge_a = Edge(
        other=facts_b.id,
        shared=ov.shared,
        size=ov.size_a,
        other_size=ov.size_b,
        jaccard=round(ov.jaccard, 4),
        containment=round(ov.containment_a, 4),
        other_containment=round(ov.containment_b, 4),
        passages=passages_a,
        names_other=a_names_b,
        named_by_other=b_names_a,
    )
    return edge_a, edge_a.seen_from(facts_a.id, passages_b)


def verbatim_grade(edge: Edge, settings: MatchSettings) -> str | None:
    """The reuse grade that verbatim overlap alone shows (when the sentence alignment shows none: text
    without sentence breaks, lists, very long sentences)."""
    return _verbatim_grade(edge.shared, edge.containment, settings)


def _verbatim_grade(shared: int, containment: float, settings: MatchSettings) -> str | None:
    if containment >= THRESHOLDS.wholly:
        return "wholly"
    passage = shared >= settings.passage_shingles and containment >= settings.passage_containment
    if containment >= settings.min_containment or passage:
        return "partially"
    return None


def _spans(alignment: Alignment) -> list[list]:
    return [
        [sp.start, sp.end, sp.source_start, sp.source_end, round(sp.similarity, 3), sp.quoted] for sp in alignment.spans
    ]


def _credited(alignment: Alignment, page: PageFacts, other: PageFacts) -> str | None:
    """A page that links the other as its source and holds a few of its sentences (outside quotations) took
    them from it, however small a share of either page they are: the page says so."""
    if alignment.aligned_sentences >= THRESHOLDS.credited_sentences and names_as_source(page, other):
        return "partially"
    return None


def names_as_source(page: PageFacts, other: PageFacts) -> bool:
    """Whether the page links the other as its source or names it its canonical version (on another site)."""
    canonical, source, _ = links_to(page, other)
    return canonical or source


def verify(
    page: MatchInput, other: MatchInput, shingle_words: int, settings: MatchSettings
) -> tuple[Edge, Edge] | None:
    """The edge between two pages in both directions, or None when they do not share a story.

    Two tests, either enough: verbatim overlap of word shingles (whole and truncated copies, long merged
    passages) and a sentence alignment that survives editing (reworded, cut, merged and reordered
    sentences; graded as journalists do). The alignment runs from each side, since it is not symmetric:
    a copy made of a source's sentences cut short aligns with the source, while the source's long sentences
    hold too little of theirs in the copy to align back, so either run may find the reuse alone."""
    return _verify(page, other, shingle_words, settings)[0]


def _compare(
    page: MatchInput, other: MatchInput, shingle_words: int, settings: MatchSettings, force: bool
) -> tuple[Edge, Edge] | None:
    """compare() of two prepared sides (the other's paragraphs come shingled with its stored text)."""
    return compare(
        page.shingles,
        page.paragraph_shingles,
        page.text,
        page.facts,
        other.shingles,
        other.text,
        other.facts,
        shingle_words,
        settings,
        force=force,
        paragraph_shingles_b=other.paragraph_shingles or None,
    )


def _assessed(alignment: Alignment | None) -> tuple[Grade | None, float]:
    """assess_reuse() where anything aligned: (grade, P rounded as edges keep it); (None, 0.0) otherwise."""
    if alignment is None or not alignment.spans:
        return None, 0.0
    grade, probability = assess_reuse(alignment)
    return grade, round(probability, 4)


def _verify(
    page: MatchInput, other: MatchInput, shingle_words: int, settings: MatchSettings
) -> tuple[tuple[Edge, Edge] | None, Alignment, Alignment]:
    """verify's answer, and the alignments of the page with the other page and of the other with the page."""
    forward, backward = align_both(page.prepared, other.prepared)
    grade, probability = _assessed(forward)
    other_grade, other_probability = _assessed(backward)
    grade = grade or _credited(forward, page.facts, other.facts)
    other_grade = other_grade or _credited(backward, other.facts, page.facts)
    pair = _compare(page, other, shingle_words, settings, force=grade is not None or other_grade is not None)
    if pair is None:
        return None, forward, backward
    mine, theirs = pair
    mine.coverage = round(max(forward.coverage, mine.containment), 4)
    theirs.coverage = round(max(backward.coverage if backward else 0.0, theirs.containment), 4)
    mine.other_coverage, theirs.other_coverage = theirs.coverage, mine.coverage
    mine.reuse = grade or verbatim_grade(mine, settings)
    theirs.reuse = other_grade or verbatim_grade(theirs, settings)
    mine.spans = _spans(forward)
    theirs.spans = _spans(backward) if backward is not None else []
    mine.reuse_probability, theirs.reuse_probability = probability, other_probability
    return (mine, theirs), forward, backward


@dataclass(slots=True)
class Matched:
    """What matching a page with its candidates found: its edges, and (page, other page, other's publisher)
    for each page whose text aligns in part with an earlier page on another publisher that is no source of it
    alone, either way round (KeyLayout.aligned keeps them: the publisher's later pages are graded with them)."""

    edges: list[tuple[Edge, Edge]]
    aligned: list[tuple[int, int, str]]


def verify_all(page: MatchInput, others: list[MatchInput], shingle_words: int, settings: MatchSettings) -> Matched:
    """verify with each of the others, in their order; then, per publisher, its pages that the page aligns with
    but that are no source alone, graded together (graded_together): an agency moves one story as several
    takes and updates, each a page of its own, and a paper's story derived from all of them holds too little
    of any one to be graded from it. Their edges take the place of verify's."""
    edges: dict[int, tuple[Edge, Edge]] = {}
    partial: dict[str, list[tuple[MatchInput, Alignment, tuple[Edge, Edge] | None]]] = {}
    aligned: list[tuple[int, int, str]] = []
    own = registrable_domain(page.facts.site)
    for other in others:
        pair, forward, backward = _verify(page, other, shingle_words, settings)
        if pair is not None:
            edges[other.facts.id] = pair
        publisher = registrable_domain(other.facts.site)
        if publisher == own:
            continue
        if forward.aligned_sentences and (pair is None or pair[0].reuse != "wholly"):
            partial.setdefault(publisher, []).append((other, forward, pair))
            if published_before(other.facts, page.facts):
                aligned.append((page.facts.id, other.facts.id, publisher))
        taken = backward.aligned_sentences and (pair is None or pair[1].reuse != "wholly")
        if taken and published_before(page.facts, other.facts):
            aligned.append((other.facts.id, page.facts.id, own))
    for members in partial.values():
        members = [m for m in members if published_before(m[0].facts, page.facts)]
        if len(members) > 1:
            for mine, theirs in graded_together(page, members, shingle_words, settings):
                edges[mine.other] = (mine, theirs)
    return Matched(list(edges.values()), aligned)


def graded_with_publisher(
    page: MatchInput, members: list[MatchInput], shingle_words: int, settings: MatchSettings
) -> list[tuple[Edge, Edge]]:
    """graded_together for one publisher's pages the page aligns with in part, aligned with each here: what
    matching finds for the page when the publisher's last take arrives after it (farmwatch.ingest)."""
    members = [m for m in members if published_before(m.facts, page.facts)]
    # A page moved within TAKES_SPAN of none of the others is in no set of takes with them: not aligned for it.
    times = [m.facts.published_at for m in members]
    found = []
    for other in members:
        if sum(_within(other.facts.published_at, when, TAKES_SPAN) for when in times) < 2:
            continue
        pair, forward, _ = _verify(page, other, shingle_words, settings)
        if forward.aligned_sentences and (pair is None or pair[0].reuse != "wholly"):
            found.append((other, forward, pair))
    return graded_together(page, found, shingle_words, settings) if len(found) > 1 else []


def _within(when: datetime | None, anchor: datetime | None, span: timedelta) -> bool:
    return when is not None and anchor is not None and abs(when - anchor) <= span


def published_before(earlier: PageFacts, later: PageFacts) -> bool:
    """Whether both pages give a date and the first is the earlier: by the day when either gives the day
    alone, and a page timed on the day a page gives alone counts as before it (an agency's takes, timed, and a
    printed paper's story, dated by its day: nothing says the story came first). Only pages published before a
    page are graded together as its source: an original that several copies each took a part of is never read
    as made of them (their union holds it all); the same day's pages, the direction judge weighs as it does
    any pair (tests/test_takes.py)."""
    if earlier.published_at is None or later.published_at is None:
        return False
    if later.date_only and not earlier.date_only:
        return earlier.published_at.date() <= later.published_at.date()
    if earlier.date_only or later.date_only:
        return earlier.published_at.date() < later.published_at.date()
    return earlier.published_at < later.published_at


TAKES_SPAN = timedelta(hours=48)  # an agency's takes and updates of one story move within a day or two
GRADED_TOGETHER_MOST = 8  # a publisher's pages graded together, at most: those the page aligns with most
_GRADE_RANK = {None: 0, "partially": 1, "wholly": 2}


def graded_together(
    page: MatchInput,
    members: list[tuple[MatchInput, Alignment, tuple[Edge, Edge] | None]],
    shingle_words: int,
    settings: MatchSettings,
) -> list[tuple[Edge, Edge]]:
    """The edges with one publisher's pages (each with the page's alignment with it, read for its coverage, and
    verify's edges, if any) when the page, aligned with their texts joined in the order they were published, is
    graded higher than with any of them alone: each page its text was aligned to gets an edge with that grade,
    its own spans, its share of the coverage and the others in `graded_with`. None otherwise (verify's stand)."""
    members = sorted(members, key=lambda m: -m[1].coverage)
    # One story's takes: the pages moved within TAKES_SPAN of the one the page aligns with most (a publisher's
    # stories weeks apart on a recurring event are no one source, though each may share a part of the page).
    anchor = members[0][0].facts.published_at
    members = [m for m in members if _within(m[0].facts.published_at, anchor, TAKES_SPAN)][:GRADED_TOGETHER_MOST]
    if len(members) < 2:
        return []
    members.sort(key=lambda m: (m[0].facts.published_at is None, m[0].facts.published_at or 0, m[0].facts.first_seen))
    alone = max(_GRADE_RANK[pair[0].reuse if pair else None] for _, _, pair in members)
    starts, at = [], 0
    for other, _, _ in members:
        starts.append(at)
        at += len(other.text) + 1  # joined by newlines: each text's last sentence ends there
    together = align(page.prepared, prepare("\n".join(other.text for other, _, _ in members)))
    grade, together_probability = _assessed(together)
    if grade is None:  # as verify grades one page: the shingles the page shares with them word for word
        verbatim = overlap(page.shingles, np.unique(np.concatenate([other.shingles for other, _, _ in members])))
        grade = _verbatim_grade(verbatim.shared, verbatim.containment_a, settings)
    if _GRADE_RANK[grade] <= alone:
        return []
    spans = _spans(together)
    aligned = sum(end - start for start, end, *_ in spans) or 1
    found: list[tuple[MatchInput, tuple[Edge, Edge] | None, list[list]]] = []
    for (other, _, pair), start in zip(members, starts, strict=True):
        end = start + len(other.text)
        own = [
            [a, b, c - start, min(d, end) - start, sim, quoted] for a, b, c, d, sim, quoted in spans if start <= c < end
        ]
        if own:
            found.append((other, pair, own))
    edges = []
    for other, pair, own in found:
        if pair is None:
            pair = _compare(page, other, shingle_words, settings, force=True)
            if pair is None:  # never: forced
                continue
            pair[1].coverage = pair[1].containment
        mine, theirs = pair
        share = together.coverage * sum(b - a for a, b, *_ in own) / aligned
        mine.coverage = round(max(mine.coverage, share, mine.containment), 4)
        theirs.other_coverage = mine.coverage
        mine.other_coverage = theirs.coverage
        mine.reuse = grade
        mine.reuse_probability = max(mine.reuse_probability or 0.0, together_probability)
        mine.spans = own
        mine.graded_with = [o.facts.id for o, _, _ in found if o is not other]
        edges.append((mine, theirs))
    return edges


@dataclass(slots=True)
class MatchInput:
    """One side of a comparison, prepared once (the page being ingested is compared with many)."""

    facts: PageFacts
    text: str
    shingles: np.ndarray
    prepared: PreparedText
    paragraph_shingles: list[np.ndarray] = field(default_factory=list)
