"""Alignment of a possible copy with a possible source, and the reuse grade, as a user sees them."""

import pytest

from farmwatch.analysis.align import align, reuse_grade
from farmwatch.analysis.text import prepare

SOURCE = (
    "The city council approved a new budget for public libraries on Tuesday evening.\n"
    "Funding for branch renovations will rise by twelve percent over the next three years. "
    "The budget also creates forty part-time jobs for students in the summer reading programme. "
    "Mayor Elena Ruiz said: “Every neighbourhood deserves a library that stays open all winter.” "
    "Opposition members argued that road maintenance had been neglected in favour of cultural projects. "
    "The final vote was seven to four after a debate that lasted nearly five hours."
)

REWORDED = (
    "On Tuesday evening the city council passed a new budget for public libraries. "
    "The final vote, seven to four, came after a debate lasting almost five hours. "
    "Funding for renovations of branches is set to rise by twelve percent in the next three years."
)

INDEPENDENT = (
    "Residents packed the council chamber as the library budget came up for a decision. "
    "Mayor Elena Ruiz told them: “Every neighbourhood deserves a library that stays open all winter.” "
    "Several librarians in the audience said they hoped the money would arrive before the cold months. "
    "A local bookseller welcomed the news but asked for longer weekend opening hours at the central branch."
)

UNRELATED = (
    "The football club signed a young striker from Brazil after a long negotiation with his agent. "
    "Supporters gathered outside the stadium to welcome him before the weekend match. "
    "The coach said the new player would need several weeks to adapt to the climate."
)


def test_reworded_copy_aligns_to_the_right_sentences_on_both_sides():
    a, b = prepare(REWORDED), prepare(SOURCE)
    al = align(a, b)
    pairs = {(a.text[s.start : s.end], b.text[s.source_start : s.source_end]) for s in al.spans}
    texts_a = " | ".join(x for x, _ in pairs)
    texts_b = " | ".join(y for _, y in pairs)
    assert "passed a new budget" in texts_a and "approved a new budget" in texts_b
    assert "seven to four" in texts_a and "The final vote was seven to four" in texts_b
    for s in al.spans:
        # Each span starts and ends on sentence boundaries of both texts.
        assert s.start in a.sent_starts.tolist() and s.end in a.sent_ends.tolist()
        assert s.source_start in b.sent_starts.tolist() and s.source_end in b.sent_ends.tolist()
        # The first sentence of the copy comes from the first of the source, not from elsewhere.
        if a.text[s.start :].startswith("On Tuesday"):
            assert b.text[s.source_start :].startswith("The city council approved")
    assert al.coverage > 0.9
    assert 0.3 < al.source_coverage < 0.8
    assert reuse_grade(al) == "wholly"


def test_a_copy_of_part_of_a_text_is_partially_derived():
    a = prepare(REWORDED.split(". ")[0] + ". " + UNRELATED)
    al = align(a, prepare(SOURCE))
    assert al.spans and al.coverage < 0.6
    assert reuse_grade(al) in ("partially", None)
    assert reuse_grade(al) is not None or al.coverage < 0.3


@pytest.mark.parametrize("marks", ["“”", "''"], ids=["curly-double", "straight-single"])
def test_independent_report_sharing_only_a_quotation_is_not_reuse(marks: str):
    # The report may quote in other marks than the source (British papers: 'straight single quotes').
    independent = INDEPENDENT.replace("“", marks[0]).replace("”", marks[1])
    al = align(prepare(independent), prepare(SOURCE))
    assert al.quoted_share > 0  # the shared quotation is found...
    assert all(s.quoted for s in al.spans)  # ...and marked as a quotation
    assert reuse_grade(al) is None


def test_unrelated_texts_have_no_spans():
    al = align(prepare(UNRELATED), prepare(SOURCE))
    assert al.spans == [] and al.coverage == 0.0
    assert reuse_grade(al) is None


def test_chinese_copy_is_found():
    source = "北京市政府周二宣布，将在明年投入五十亿元改善公共交通。新的地铁线路预计在三年内建成。市民对此表示欢迎。"
    copy = "北京市政府宣布，明年将投入五十亿元改善公共交通。新的地铁线路预计三年内建成。"
    other = "上海的足球俱乐部签下了一名来自巴西的年轻前锋。球迷们在体育场外迎接他。"
    al = align(prepare(copy), prepare(source))
    assert reuse_grade(al) is not None and al.coverage > 0.8
    assert reuse_grade(align(prepare(other), prepare(source))) is None


def test_urdu_copy_offsets_slice_the_right_sentences():
    source = (
        "اسلام آباد۔ وزیر اعظم نے توانائی کے بحران پر قابو پانے کے لیے نئی پالیسی کا اعلان کیا ہے۔ "
        "پالیسی کے تحت آئندہ تین برسوں میں پانچ نئے بجلی گھر تعمیر کیے جائیں گے۔ "
        "حزب اختلاف نے اس اعلان کو ناکافی قرار دیا۔"
    )
    copy = (
        "وزیر اعظم نے توانائی بحران پر قابو پانے کیلئے نئی پالیسی کا اعلان کر دیا۔"
        "آئندہ تین برسوں میں پانچ نئے بجلی گھر تعمیر کیے جائیں گے۔"
    )
    a, b = prepare(copy), prepare(source)
    al = align(a, b)
    assert reuse_grade(al) == "wholly"
    (span,) = al.spans
    assert a.text[span.start : span.end] == copy
    assert b.text[span.source_start : span.source_end].startswith("وزیر اعظم نے توانائی")
    assert b.text[span.source_start : span.source_end].endswith("تعمیر کیے جائیں گے۔")


OWN_WORDS = (
    "Libraries across the city will get more money after councillors backed the spending plan this week. "
    "Branch buildings are to be renovated, with their budget growing twelve percent within three years. "
    "Mayor Elena Ruiz said: “Every neighbourhood deserves a library that stays open all winter.” "
    "Students will be able to apply for forty part-time summer jobs in the reading programme. "
    "Critics on the opposition benches complained that roads were being neglected for cultural projects. "
    "Councillors voted seven to four once nearly five hours of debate had ended."
)

OWN_MATERIAL = (
    "Parents at the Eastside branch have campaigned for two years to keep the children's room open. "
    "Their petition gathered more than three thousand signatures from families across the district. "
    "Local teachers say the homework club draws dozens of pupils every afternoon during the school term. "
    "The branch manager hopes the renovation will add a quiet study area and faster computers for visitors."
)


def test_independent_report_with_the_same_quotes_and_facts_in_its_own_words_is_not_reuse():
    al = align(prepare(OWN_WORDS), prepare(SOURCE))
    assert al.containment < 0.15 and al.longest_run < 8  # the same facts, little of the same phrasing
    assert reuse_grade(al) is None


def test_half_the_source_verbatim_and_as_much_of_its_own_is_partially_derived():
    taken = " ".join(SOURCE.replace("\n", " ").split(". ")[:3]) + "."
    al = align(prepare(taken + " " + OWN_MATERIAL), prepare(SOURCE))
    assert 0.3 < al.coverage < 0.7 and al.longest_run >= 10
    assert reuse_grade(al) == "partially"


def test_verbatim_features_ignore_quotations_and_measure_both_directions():
    copy = prepare(REWORDED)
    al = align(copy, copy)
    assert al.containment == 1.0 and al.source_containment == 1.0 and al.longest_run == copy.n_tokens
    quoted = align(prepare(INDEPENDENT), prepare(SOURCE))
    assert quoted.containment < 0.1  # the shared quotation is not verbatim evidence


def test_model_defaults_are_the_fitted_model():
    from farmwatch.analysis.align import _MODEL_FILE, MODEL, ReuseModel

    assert ReuseModel.load(_MODEL_FILE) == ReuseModel() == MODEL


def test_two_books_are_aligned_on_their_first_sentences_in_bounded_memory():
    import random
    import string
    import tracemalloc

    from farmwatch.analysis.align import MAX_SENTENCES

    rnd = random.Random(1)
    vocab = ["".join(rnd.choice(string.ascii_lowercase) for _ in range(8)) for _ in range(20_000)]
    book = " ".join(" ".join(rnd.choice(vocab) for _ in range(12)) + "." for _ in range(3 * MAX_SENTENCES))
    a, b = prepare(book), prepare(book)
    whole = align(a, b)
    # The first MAX_SENTENCES sentences align, as one span; the rest of either text is not read.
    assert len(whole.spans) == 1
    span = whole.spans[0]
    assert span.start == span.source_start == 0 and span.end == int(a.sent_ends[MAX_SENTENCES - 1])
    assert abs(whole.coverage - 1 / 3) < 0.01 and abs(whole.source_coverage - 1 / 3) < 0.01
    assert whole.containment == 1.0  # the verbatim evidence reads the texts whole
    # The worst case: two long texts whose sentences all share words (a few dozen stems in all).
    small = [f"{rnd.choice(string.ascii_lowercase)}{i % 40:02d}xxx" for i in range(200)]
    c, d = (
        prepare(" ".join(" ".join(rnd.choice(small) for _ in range(12)) + "." for _ in range(5 * MAX_SENTENCES)))
        for _ in range(2)
    )
    tracemalloc.start()
    align(c, d)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200e6


def test_a_verbatim_passage_that_is_a_small_share_of_both_pages_is_still_reuse() -> None:
    import random
    import string

    rnd = random.Random(4)
    vocab = ["".join(rnd.choice(string.ascii_lowercase) for _ in range(7)) for _ in range(3000)]

    def text(sentences: int) -> str:
        return " ".join(" ".join(rnd.choice(vocab) for _ in range(15)) + "." for _ in range(sentences))

    source = text(28)  # about 420 words
    passage = " ".join(source.split(". ")[5:10]) + "."  # five sentences: a 75-word run, 18% of the source
    merged = text(30) + " " + passage + " " + text(20)  # a long farm page holding it among other text
    al = align(prepare(merged), prepare(source))
    assert al.longest_run >= 60 and max(al.containment, al.source_containment) < 0.2
    assert reuse_grade(al) == "partially"


def test_align_both_is_align_each_way() -> None:
    import itertools
    import random
    import string

    from farmwatch.analysis.align import MAX_SENTENCES, align_both

    rnd = random.Random(2)
    vocab = ["".join(rnd.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(400)]
    book = [" ".join(rnd.choice(vocab) for _ in range(8)) + "." for _ in range(MAX_SENTENCES + 40)]
    taken = " ".join(SOURCE.replace("\n", " ").split(". ")[:3]) + "."
    texts = [SOURCE, REWORDED, INDEPENDENT, UNRELATED, OWN_WORDS, OWN_MATERIAL, taken + " " + OWN_MATERIAL, ""]
    texts += ["北京市政府周二宣布，将在明年投入五十亿元改善公共交通。新的地铁线路预计在三年内建成。"]
    texts += ["One sentence only."]
    texts += [" ".join(book), " ".join(book[30:] + book[:30]), " ".join(book[5 : MAX_SENTENCES - 20])]
    for x, y in itertools.product(texts, repeat=2):
        # Fresh texts for align_both, so it also runs with nothing derived yet.
        expected = (align(prepare(x), prepare(y)), align(prepare(y), prepare(x)))
        assert align_both(prepare(x), prepare(y)) == expected
