import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecli.domain.analysis import Response, cronbach_alpha, flag, item_stats, pearson, project, quantile_groups

# 5 candidates × 3 one-point items; totals 3, 2, 2, 1, 0
MATRIX = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [1, 0, 0], [0, 0, 0]]


def responses():
    return [Response(c, i, MATRIX[c][i], 1) for c in range(5) for i in range(3)]


def test_item_statistics_against_hand_computed_values():
    stats = {s.item: s for s in item_stats(responses())}
    assert [stats[i].facility for i in range(3)] == [0.8, 0.4, 0.4]
    # item 0 (1,1,1,1,0) against the rest (2,1,1,0,0): Sxy 0.8, Sxx 0.8, Syy 2.8 → r = 0.53452
    assert stats[0].discrimination == pytest.approx(0.8 / math.sqrt(0.8 * 2.8))
    assert stats[0].discrimination == pytest.approx(0.534522, abs=1e-6)
    # item 1 (1,1,0,0,0) against the rest (2,1,2,1,0): Sxy 0.6, Sxx 1.2, Syy 2.8 → r = 0.32733
    assert stats[1].discrimination == pytest.approx(0.6 / math.sqrt(1.2 * 2.8))
    # item 2 (1,0,1,0,0) against the rest (2,2,1,1,0): the same sums
    assert stats[2].discrimination == pytest.approx(0.327327, abs=1e-6)


def test_cronbach_alpha_hand_computed():
    # item variances (n−1): 0.2, 0.3, 0.3 → 0.8; totals 3,2,2,1,0 → variance 1.3
    assert cronbach_alpha(MATRIX) == pytest.approx(1.5 * (1 - 0.8 / 1.3))  # 0.576923
    assert cronbach_alpha([[1, 1], [1, 1]]) is None  # no variance


def test_pearson_edge_cases():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    assert pearson([1], [1]) is None


def test_flags():
    stats = {s.item: s for s in item_stats(responses())}
    jumped = flag(stats[0], bank_difficulty=0.8, earlier_facility=0.5)
    assert [(f.code, str(f)) for f in jumped] == [("facility_jump", "facility jumped from 0.50 to 0.80: possible leak")]
    assert jumped[0].to_json()["params"] == {"before": 0.5, "after": 0.8}
    assert "far from the bank's difficulty" in flag(stats[1], bank_difficulty=0.9, earlier_facility=None)[0]
    reversed_ = [Response(c, "x", 1 - MATRIX[c][0], 1) for c in range(5)] + [r for r in responses() if r.item != 0]
    neg = {s.item: s for s in item_stats(reversed_)}["x"]
    first = flag(neg, bank_difficulty=None, earlier_facility=None)[0]
    assert first.code == "negative_discrimination" and str(first).startswith("negative discrimination")


@given(st.lists(st.integers(0, 500), min_size=2, max_size=7), st.integers(0, 10),
       st.floats(0, 0.3), st.data())
def test_projection_conserves_headcount_apart_from_attrition(counts, years, attrition, data):
    rates = data.draw(st.lists(st.floats(0, 1), min_size=len(counts), max_size=len(counts)))
    rows = project(counts, years=years, attrition=attrition, step_rates=rates)
    assert len(rows) == years + 1
    for y, row in enumerate(rows):
        assert sum(row) == pytest.approx(sum(counts) * (1 - attrition) ** y, rel=1e-9, abs=1e-6)
        assert all(x >= -1e-9 for x in row)


def test_quantile_groups_cut_evenly_and_in_order():
    groups = quantile_groups(list(range(23, 0, -1)), key=float)
    assert [len(g) for g in groups] == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    assert [x for g in groups for x in g] == list(range(1, 24))
    assert quantile_groups([5, 1, 3], key=float) == [[1], [3], [5]]  # fewer items than groups: one each
    assert quantile_groups([], key=float) == []
