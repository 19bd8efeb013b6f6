"""The calibrated direction model: antisymmetric, probabilities, weights as data."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from farmwatch.analysis import direction
from farmwatch.analysis.direction import FEATURES, features, judge_pair, load_model
from tests.test_provenance import COPY, DAY1, DAY2, ORIGINAL, edge, page

YEARS_BEFORE = datetime(2021, 2, 14, 9, 0, tzinfo=UTC)


def _pairs():
    """Pairs with all kinds of evidence, both ways round."""
    original = page(1, ORIGINAL, published_at=DAY1, site_name="The Example Gazette")
    yield page(2, COPY, published_at=DAY2), original, edge(1)
    yield page(2, COPY, source_links=[ORIGINAL], published_at=YEARS_BEFORE), original, edge(1, names_other=True)
    yield page(2, COPY, canonical=ORIGINAL, farm_share=0.7), original, edge(1, containment=0.9, other_containment=0.4)
    yield page(2, COPY, origin="fetched", published_at=DAY2), original, edge(1)
    yield page(2, COPY), page(1, ORIGINAL), edge(1)


@pytest.mark.parametrize("index", range(5))
def test_judgements_of_a_pair_both_ways_are_complementary(index: int) -> None:
    a, b, ab = list(_pairs())[index]
    ba = ab.seen_from(a.id, [])
    x_ab, _ = features(a, b, ab)
    x_ba, _ = features(b, a, ba)
    assert all(x_ab[f] == -x_ba[f] for f in FEATURES)
    forward, backward = judge_pair(a, b, ab), judge_pair(b, a, ba)
    assert forward.probability + backward.probability == pytest.approx(1.0, abs=2e-4)
    assert forward.margin == pytest.approx(-backward.margin, abs=1e-3)
    flipped = {"copied": "copied_by", "copied_by": "copied", "undecided": "undecided"}
    assert backward.relation == flipped[forward.relation]


def test_probability_is_the_sigmoid_of_the_evidence() -> None:
    copy = page(2, COPY, source_links=[ORIGINAL], published_at=DAY2, farm_share=0.5)
    original = page(1, ORIGINAL, published_at=DAY1)
    verdict = judge_pair(copy, original, edge(1))
    signed = sum(e.weight if e.favours == "other" else -e.weight for e in verdict.evidence)
    assert signed == pytest.approx(verdict.margin, abs=1e-2)
    assert verdict.probability == pytest.approx(1 / (1 + math.exp(-verdict.margin)), abs=1e-3)
    assert verdict.probability > 0.9 and verdict.relation == "copied"


def test_no_evidence_is_undecided_at_one_half() -> None:
    a, b = page(1, ORIGINAL), page(1, COPY)  # same arrival, no dates, no links, same sizes
    verdict = judge_pair(a, b, edge(1, containment=0.9, other_containment=0.9))
    assert verdict.relation == "undecided" and verdict.probability == 0.5 and verdict.margin == 0


def test_a_date_years_earlier_beats_weak_and_structural_signals() -> None:
    # The original is years older; the copy arrived first and is the longer text (it adds a paragraph of its own).
    original = page(2, ORIGINAL, published_at=YEARS_BEFORE)
    copy = page(1, COPY, published_at=DAY2)
    verdict = judge_pair(original, copy, edge(1, containment=0.95, other_containment=0.6))
    assert verdict.relation == "copied_by"
    assert verdict.probability < 0.5


def test_a_source_link_beats_a_copy_backdated_by_years() -> None:
    copy = page(2, COPY, published_at=YEARS_BEFORE, source_links=[ORIGINAL])
    original = page(1, ORIGINAL, published_at=DAY2)
    verdict = judge_pair(copy, original, edge(1))
    assert verdict.relation == "copied"
    kinds = {(e.kind, e.favours) for e in verdict.evidence}
    assert ("earlier", "page") in kinds and ("source_link", "other") in kinds


def test_no_composite_evidence_is_weighed() -> None:
    original = page(1, ORIGINAL, published_at=DAY1, composite_of=[2])
    copy = page(2, COPY, published_at=DAY1, composite_of=[1])
    verdict = judge_pair(original, copy, edge(2))
    assert all(e.kind != "composite" for e in verdict.evidence)
    assert verdict.relation == "undecided"


def test_a_client_page_never_displaces_a_fetched_original() -> None:
    fetched = page(1, ORIGINAL, origin="fetched", published_at=DAY2)
    claimed = page(2, COPY, published_at=YEARS_BEFORE)  # a forged earlier date
    verdict = judge_pair(claimed, fetched, edge(1))
    assert verdict.relation == "copied"
    assert any(e.kind == "unverified" and e.favours == "other" for e in verdict.evidence)
    assert judge_pair(fetched, claimed, edge(2)).relation == "copied_by"


def test_the_weights_are_read_from_the_model_file(tmp_path, monkeypatch) -> None:
    model = json.loads(direction.MODEL_PATH.read_text())
    assert set(model["weights"]) == set(FEATURES) and model["fit"]["corpora"]
    model["weights"] = {f: 0.0 for f in FEATURES} | {"earlier": 0.0, "first_seen": 9.0}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model))
    monkeypatch.setattr(direction, "load_model", lambda p=None: load_model(str(path)))
    copy, original = page(2, COPY, published_at=DAY2), page(1, ORIGINAL, published_at=DAY1)
    verdict = judge_pair(copy, original, edge(1))
    assert verdict.margin == 9.0 and [e.kind for e in verdict.evidence if e.weight] == ["first_seen"]


def test_a_wire_services_own_dateline_copied_with_its_story_is_no_credit() -> None:
    # A farm's copy of a wire service's own story keeps its "(Reuters) -" dateline: that came with the text.
    dateline = {"name": "Reuters", "text": "LOS ANGELES (Reuters) - The film won.", "kind": "wire", "url": None}
    wire = page(1, "https://www.reuters.com/article/film", published_at=DAY1, credits=[dateline])
    copy = page(2, COPY, published_at=DAY2, credits=[dateline])
    assert all(e.kind != "credit" for e in judge_pair(copy, wire, edge(1)).evidence)
    # A newspaper crediting the wire for a story the wire's page carries without a dateline does credit it.
    plain = page(1, "https://www.reuters.com/article/film", published_at=DAY1)
    assert any(e.kind == "credit" and e.favours == "other" for e in judge_pair(copy, plain, edge(1)).evidence)
