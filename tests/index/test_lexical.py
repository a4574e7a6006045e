"""BM25 scores among a question's candidates: the same however many unrelated passages the library holds."""

from __future__ import annotations

import numpy as np

from assistant.index.lexical import BM25

GUIDANCE = ["Strengths-based practice looks at what a person can do and the people around them.",
            "A strengths-based assessment starts with the person's own goals and strengths.",
            "Carers have a right to an assessment of their own needs for support.",
            "Practice leaders help teams work in a strengths-based way with families."]
UNRELATED = [f"Bins in ward {i} are collected on Tuesday; the council tax band sets what you pay." for i in range(40)]


def test_scores_among_passages_do_not_move_when_unrelated_passages_join():
    small = BM25.build(GUIDANCE)
    big = BM25.build(UNRELATED[:20] + GUIDANCE + UNRELATED[20:])
    terms = {"strength": 1.0, "base": 1.0, "assess": 1.0, "carer": 0.5}
    a = small.score_among(terms, np.arange(4))
    b = big.score_among(terms, np.arange(20, 24)[::-1])  # any order: scores come back in the order asked
    assert np.allclose(a, b[::-1])
    # the whole-library idf does move: "strength" is in three of four passages here, rare among the bins
    assert big.idf["strength"] > small.idf["strength"] + 1.0
    assert a.argmax() == 1  # the passage with both "strengths-based" and "assessment" leads


def test_a_word_in_every_candidate_tells_them_apart_less_than_a_rare_one():
    bm = BM25.build(GUIDANCE)
    common = bm.score_among({"strength": 1.0}, np.array([0, 1, 3]))  # in all three
    rare = bm.score_among({"goal": 1.0}, np.array([0, 1, 3]))  # in one
    assert rare.max() > common.max() > 0
    assert np.count_nonzero(rare) == 1


def test_no_terms_or_no_passages_give_zeros():
    bm = BM25.build(GUIDANCE)
    assert bm.score_among({}, np.arange(4)).tolist() == [0.0] * 4
    assert bm.score_among({"strength": 1.0}, np.array([], dtype=np.int64)).shape == (0,)
    assert bm.score_among({"unheardof": 1.0}, np.arange(4)).tolist() == [0.0] * 4
