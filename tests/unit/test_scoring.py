from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecli.domain.bank import Question
from gradecli.domain.scoring import AnswerError, normalise, read_choice, read_judge, score

SINGLE = Question("S", 1, "客服", "single", "?", ("a", "b", "c", "d"), "B", 2, 0.7, ("x",))
MULTI = Question("M", 1, "客服", "multiple", "?", ("a", "b", "c", "d"), "AC", 3, 0.7, ("x",))
JUDGE = Question("J", 1, "客服", "judge", "?", (), True, 1, 0.7, ("x",))
FILL = Question("F", 1, "客服", "fill", "首问____制", (), ("负责", "首问负责"), 2, 0.7, ("x",))
SHORT = Question("H", 1, "客服", "short", "?", (), "要点", 5, 0.7, ("x",))
ID4 = (0, 1, 2, 3)


@pytest.mark.parametrize("raw", ["ca", "A C", "ＡＣ", "a,c", "C、A", " ac "])
def test_lenient_choice_reading(raw):
    assert read_choice(raw, 4) == "AC"


def test_letter_beyond_the_options_is_an_error():
    with pytest.raises(AnswerError, match="'E' is not an option"):
        read_choice("E", 4)
    assert read_choice("E", 5) == "E"


@pytest.mark.parametrize("raw,value", [("√", True), ("对", True), ("T", True), ("true", True), ("×", False),
                                       ("错", False), ("f", False), ("Ｆ", False)])
def test_judge_reading(raw, value):
    assert read_judge(raw) is value


def test_judge_nonsense_is_an_error():
    with pytest.raises(AnswerError):
        read_judge("maybe")


def test_single_and_judge_exact():
    assert score(SINGLE, ID4, "b", multiple_scoring="all_or_nothing") == ("B", Decimal(2))
    assert score(SINGLE, ID4, "AB", multiple_scoring="all_or_nothing")[1] == 0
    assert score(JUDGE, (), "√", multiple_scoring="all_or_nothing")[1] == 1
    assert score(JUDGE, (), "错", multiple_scoring="all_or_nothing")[1] == 0


def test_shuffled_options_are_scored_in_the_letters_the_candidate_saw():
    order = (3, 1, 0, 2)  # shown A = original D, shown B = original B, shown C = original A ...
    assert score(SINGLE, order, "B", multiple_scoring="all_or_nothing")[1] == 2
    assert score(MULTI, order, "CD", multiple_scoring="all_or_nothing")[1] == 3  # shown C=A, D=C


def test_multiple_all_or_nothing_and_half_for_partial():
    assert score(MULTI, ID4, "A", multiple_scoring="all_or_nothing")[1] == 0
    assert score(MULTI, ID4, "A", multiple_scoring="half_for_partial")[1] == Decimal("1.5")
    assert score(MULTI, ID4, "AB", multiple_scoring="half_for_partial")[1] == 0  # a wrong choice earns nothing
    assert score(MULTI, ID4, "AC", multiple_scoring="half_for_partial")[1] == 3


def test_fill_normalises_width_case_and_spaces():
    assert score(FILL, (), " 负 责 ", multiple_scoring="all_or_nothing")[1] == 2
    assert score(FILL, (), "首问负责", multiple_scoring="all_or_nothing")[1] == 2
    assert score(FILL, (), "负担", multiple_scoring="all_or_nothing")[1] == 0
    assert normalise("ＡＢｃ Ｄ") == "abcd"


def test_short_answer_points_from_the_marker():
    assert score(SHORT, (), 3.5, multiple_scoring="all_or_nothing")[1] == Decimal("3.5")
    for bad in (6, -1, "很好"):
        with pytest.raises(AnswerError):
            score(SHORT, (), bad, multiple_scoring="all_or_nothing")


@given(st.sampled_from([None, "", "  "]))
def test_blank_is_unanswered_zero(raw):
    for q in (SINGLE, MULTI, JUDGE, FILL, SHORT):
        assert score(q, ID4 if q.options else (), raw, multiple_scoring="all_or_nothing") == ("", Decimal(0))


@given(st.permutations([0, 1, 2, 3]), st.sets(st.sampled_from("ABCD"), min_size=1))
def test_scoring_is_invariant_under_shuffling(order, picked):
    """Answering the shown letters of the right options always earns full marks, whatever the order."""
    shown = {orig: pos for pos, orig in enumerate(order)}
    right = "".join(sorted("ABCD"[shown["ABCD".index(c)]] for c in MULTI.answer))
    assert score(MULTI, tuple(order), right, multiple_scoring="all_or_nothing")[1] == 3
    given_ = "".join(sorted(picked))
    full = score(MULTI, tuple(order), given_, multiple_scoring="all_or_nothing")[1]
    assert (full == 3) == (given_ == right)


def test_a_panel_drops_the_highest_and_lowest_from_five_marks():
    from decimal import Decimal as D

    from gradecli.domain.scoring import panel_score

    assert panel_score([D(80), D(90), D(70), D(100), D(60)], 5) == (D("80.0"), [D(60), D(100)])
    assert panel_score([D(81), None, D(79), D(83), None], 5) == (D("81.0"), [])  # three marks: the plain mean
    assert panel_score([D("70.5"), D(71)], 5) == (D("70.8"), [])  # 70.75, half up
    assert panel_score([None, None], 5) == (None, [])
    assert panel_score([D(50), D(90), D(70), D(60), D(80)], 0)[0] == D("70.0")  # 0: never drop
