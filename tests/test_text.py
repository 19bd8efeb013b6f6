"""Text preparation for reuse detection: sentences, tokens, quotations and index keys, as a user sees them."""

import numpy as np

from farmwatch.analysis.text import PreparedText, candidate_keys, prepare, unique_sorted

ENGLISH = (
    "The city council approved a new budget for public libraries on Tuesday evening. "
    "Funding for branch renovations will rise by twelve percent over the next three years.\n"
    "Mayor Elena Ruiz said the plan would “keep every neighbourhood branch open” through the winter. "
    "Opposition members argued that road maintenance had been neglected in favour of cultural projects."
)


def test_sentences_have_offsets_into_the_text_and_paragraphs_break_them():
    p = prepare(ENGLISH)
    assert p.sentences[0] == "The city council approved a new budget for public libraries on Tuesday evening."
    assert p.sentences[1].endswith("next three years.")
    assert p.sentences[2].startswith("Mayor Elena Ruiz")
    for s, e, text in zip(p.sent_starts, p.sent_ends, p.sentences, strict=True):
        assert ENGLISH[s:e] == text


def test_decimal_points_do_not_end_sentences():
    p = prepare("Prices rose 8.5 percent in May. They fell later.")
    assert p.sentences == ["Prices rose 8.5 percent in May.", "They fell later."]


def test_urdu_sentences_and_token_offsets():
    text = "وزیر اعظم نے اجلاس کی صدارت کی۔ انہوں نے کہا کہ معیشت بہتر ہو رہی ہے؟\nدوسرا پیراگراف یہاں ہے"
    p = prepare(text)
    assert p.sentences == [
        "وزیر اعظم نے اجلاس کی صدارت کی۔",
        "انہوں نے کہا کہ معیشت بہتر ہو رہی ہے؟",
        "دوسرا پیراگراف یہاں ہے",
    ]
    words = [text[s:e] for s, e in zip(p.tok_starts, p.tok_ends, strict=True)]
    assert words[:4] == ["وزیر", "اعظم", "نے", "اجلاس"]
    # Function words are not content words; the rest are.
    content = {w for w, c in zip(words, p.tok_content, strict=True) if c}
    assert "نے" not in content and "اجلاس" in content and "معیشت" in content


def test_cjk_is_split_into_character_bigrams_and_sentences():
    p = prepare("我们今天去北京。他们明天回上海！")
    assert p.sentences == ["我们今天去北京。", "他们明天回上海！"]
    grams = [p.text[s:e] for s, e in zip(p.tok_starts, p.tok_ends, strict=True)]
    assert grams[:3] == ["我们", "们今", "今天"]


def test_thai_and_devanagari_words_keep_their_vowel_signs():
    p = prepare("नमस्ते दुनिया। यह एक परीक्षा है।")
    words = [p.text[s:e] for s, e in zip(p.tok_starts, p.tok_ends, strict=True)]
    assert words[:2] == ["नमस्ते", "दुनिया"]
    assert len(p.sentences) == 2
    t = prepare("สวัสดีครับ")
    assert "".join(t.text[s] for s in t.tok_starts) + t.text[-1] == "สวัสดีครับ"


def test_quoted_regions_mark_tokens():
    p = prepare(ENGLISH)
    quoted = {p.text[s:e] for s, e, q in zip(p.tok_starts, p.tok_ends, p.tok_quoted, strict=True) if q}
    assert {"keep", "neighbourhood", "branch", "open"} <= quoted
    assert "Mayor" not in quoted and "plan" not in quoted
    ((qs, qe),) = p.quotes.tolist()
    assert p.text[qs:qe] == "“keep every neighbourhood branch open”"


def test_urdu_quotations_opened_with_right_marks_are_the_quoted_text_not_the_prose_between_them():
    # Urdu opens a quotation with ’’ and closes it with ‘‘ (in the text's logical order); some writers
    # use ‘‘…’’. The prose between two quotations is not quoted.
    text = "اداکار نے فلم ’’مستی زادے‘‘ کی عکس بندی شروع کر دی اور کہا کہ فلم ‘‘اک ویلن’’ کامیاب رہی۔"
    quoted = [text[s:e] for s, e in prepare(text).quotes.tolist()]
    assert quoted == ["’’مستی زادے‘‘", "‘‘اک ویلن’’"]
    # English single quotes and apostrophes are read as before.
    english = "The minister said ‘we will not stop’ and left; the O’Neills’ shop stayed shut."
    assert [english[s:e] for s, e in prepare(english).quotes.tolist()] == ["‘we will not stop’"]


def test_straight_single_quotes_are_quotations_and_apostrophes_are_not():
    # British papers and plain-text copy quote people in straight single quotes; the apostrophes of
    # don't, O'Neill's and rock'n'roll neither open nor close a quotation.
    text = "'I don't know what happened,' she said. The O'Neills' rock'n'roll shop shut. 'We ran.'"
    quoted = [text[s:e] for s, e in prepare(text).quotes.tolist()]
    assert quoted == ["'I don't know what happened,'", "'We ran.'"]
    assert prepare("The dogs' bowls and rock'n'roll.").quotes.size == 0


def test_a_quotation_going_on_in_the_next_paragraph_is_quoted_to_its_paragraphs_end():
    text = (
        "The judge told him: “You knew the dangers of a carbon monoxide leak.\n\n"
        "“You ignored every warning the manufacturer gave.”\n\nHartley was jailed for three years. "
        "His lawyer said: ‘He won’t appeal.’"
    )
    quoted = [text[s:e] for s, e in prepare(text).quotes.tolist()]
    assert quoted == [
        "“You knew the dangers of a carbon monoxide leak.",
        "“You ignored every warning the manufacturer gave.”",
        "‘He won’t appeal.’",
    ]


def test_serialisation_round_trip():
    p = prepare(ENGLISH + "\n他们明天回上海！")
    q = PreparedText.from_bytes(p.to_bytes())
    assert q.text == p.text and q.sentences == p.sentences
    for name in ("tok_starts", "tok_ends", "tok_sent", "tok_hash", "tok_stem", "tok_content", "tok_quoted", "quotes"):
        assert np.array_equal(getattr(q, name), getattr(p, name)), name
    assert np.array_equal(candidate_keys(q), candidate_keys(p))


def test_a_30_word_reworded_copy_is_a_candidate_and_an_unrelated_text_is_not():
    source = prepare(ENGLISH)
    copy = prepare(
        "On Tuesday evening the city council passed a new budget for public libraries. "
        "Funding for branch renovations is set to rise twelve percent during the coming three years."
    )
    unrelated = prepare(
        "The football club signed a young striker from Brazil after a long negotiation with his agent. "
        "Supporters gathered outside the stadium to welcome him before the weekend match."
    )
    assert len(copy.text.split()) <= 32
    ks, kc, ku = candidate_keys(source), candidate_keys(copy), candidate_keys(unrelated)
    assert len(np.intersect1d(ks, kc)) >= 2
    assert len(np.intersect1d(ks, ku)) < 2


def test_keys_are_bounded():
    long_text = " ".join(f"word{i} thing{i * 7} item{i * 13}." for i in range(3000))
    keys = candidate_keys(prepare(long_text))
    assert 0 < len(keys) <= 128
    assert keys.dtype == np.uint64


def test_unique_sorted_is_np_unique():
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 3, 50, 1000):
        values = rng.integers(0, 2**64 - 1, size, dtype=np.uint64, endpoint=True)
        values = np.concatenate([values, values[: size // 3], np.full(size % 3, 2**64 - 1, dtype=np.uint64)])
        found = unique_sorted(values)
        assert found.dtype == np.uint64
        assert np.array_equal(found, np.unique(values))


def test_a_text_past_the_basic_plane_is_prepared_without_loading_numpy_ma():
    """Emoji and mathematical letters take the slower path, which loads nothing more (numpy.ma: ~5 ms a process)."""
    import subprocess
    import sys

    run = (
        "import sys; from farmwatch.analysis.text import prepare;"
        "p = prepare('Math \\U0001d41bold x \\U0001f600 smiles.');"
        "print(p.text[p.tok_starts[1]:p.tok_ends[1]], 'numpy.ma' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["\U0001d41bold", "False"]
