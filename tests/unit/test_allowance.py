from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from gradecli.domain.allowance import Rate, compute_month, day_by_day, differential_for, round_half_up
from gradecli.domain.ladder import Grade
from gradecli.domain.policy import Policy

P = Policy()
AMOUNTS = {Grade(t, lv): 30000 + (t - 1) * 20000 + (lv - 1) * 6000 for t in range(1, 6) for lv in range(1, 4)}


def flat_rate(day, g):
    return Rate(1, AMOUNTS[g])


def month(m, *, grades, frontline=((date(2000, 1, 1), False),), employed=(date(2000, 1, 1), None), rate=flat_rate,
          starts=()):
    return compute_month(emp_no="K1", month=m, employed=employed, grades=list(grades), frontline=list(frontline),
                         rate=rate, version_starts=list(starts), policy=P)


def test_promotion_on_the_17th_of_a_31_day_month():
    line = month(date(2026, 12, 1), grades=[(date(2025, 1, 1), Grade(2, 1)), (date(2026, 12, 17), Grade(2, 2))])
    # 16 days at 500.00 and 15 days at 560.00 of 31
    assert line.total == round_half_up(Fraction(50000 * 16 + 56000 * 15, 31)) == 52903
    assert [(s.start.day, s.end.day, str(s.grade), s.days) for s in line.segments] == [(1, 16, "2-1", 16), (17, 31, "2-2", 15)]
    assert sum(s.total for s in line.segments) == line.total


def test_change_on_29_february():
    line = month(date(2028, 2, 1), grades=[(date(2025, 1, 1), Grade(1, 1)), (date(2028, 2, 29), Grade(1, 2))])
    assert line.total == round_half_up(Fraction(30000 * 28 + 36000, 29))
    assert line.segments[-1].days == 1


def test_table_version_starting_mid_month():
    def rate(day, g):
        return Rate(2, AMOUNTS[g] * 2) if day >= date(2026, 3, 10) else Rate(1, AMOUNTS[g])

    line = month(date(2026, 3, 1), grades=[(date(2025, 1, 1), Grade(1, 1))], rate=rate, starts=[date(2026, 3, 10)])
    assert [s.version for s in line.segments] == [1, 2]
    assert line.total == round_half_up(Fraction(30000 * 9 + 60000 * 22, 31))


def test_transfer_out_of_frontline_mid_month_stops_the_differential_and_drops_the_tier():
    line = month(date(2026, 4, 1), grades=[(date(2025, 1, 1), Grade(3, 2)), (date(2026, 4, 11), Grade(2, 2))],
                 frontline=[(date(2020, 1, 1), True), (date(2026, 4, 11), False)])
    a, b = line.segments
    assert a.frontline and not b.frontline and a.days == 10 and str(b.grade) == "2-2"
    exact = Fraction(76000 * 10, 30) * Fraction(115, 100) + Fraction(56000 * 20, 30)
    assert line.total == round_half_up(exact)
    assert line.differential == line.total - line.base and line.differential > 0


def test_leaving_mid_month_stops_the_day_after():
    line = month(date(2026, 6, 1), grades=[(date(2025, 1, 1), Grade(1, 1))], employed=(date(2020, 1, 1), date(2026, 6, 12)))
    assert line.total == round_half_up(Fraction(30000 * 12, 30)) and line.segments[-1].end == date(2026, 6, 12)


def test_two_events_on_one_day_the_later_wins_and_a_deferral_pays_nothing_different():
    from gradecli.domain.ledger import grade_steps
    from gradecli.store.repo import GradeStep

    steps = grade_steps([GradeStep(1, date(2025, 1, 1), "initial_placement", Grade(1, 1)),
                         GradeStep(2, date(2026, 6, 5), "level_promotion", Grade(1, 2)),
                         GradeStep(3, date(2026, 6, 5), "correction", Grade(1, 3)),
                         GradeStep(4, date(2026, 6, 5), "deferral", Grade(1, 1))])  # written by old code
    assert steps[-1] == (date(2026, 6, 5), Grade(1, 3))
    line = month(date(2026, 6, 1), grades=steps)
    assert [str(s.grade) for s in line.segments] == ["1-1", "1-3"]


def test_hired_mid_month_and_no_grade_yet():
    line = month(date(2026, 6, 1), grades=[(date(2026, 6, 20), Grade(1, 1))], employed=(date(2026, 6, 15), None))
    assert line.segments[0].start == date(2026, 6, 20) and line.total == round_half_up(Fraction(30000 * 11, 30))


grade_st = st.builds(Grade, st.integers(1, 5), st.integers(1, 3))


@settings(max_examples=150, deadline=None)
@given(first=grade_st, changes=st.lists(st.tuples(st.integers(1, 31), grade_st), max_size=5),
       flips=st.lists(st.integers(1, 31), max_size=3), m=st.sampled_from([date(2026, 2, 1), date(2028, 2, 1), date(2026, 4, 1), date(2026, 12, 1)]))
def test_month_matches_the_day_by_day_definition_and_stays_within_bounds(first, changes, flips, m):
    import calendar

    last = calendar.monthrange(m.year, m.month)[1]
    grades = [(date(2020, 1, 1), first)] + sorted((date(m.year, m.month, min(d, last)), g) for d, g in changes)
    fl, state = [(date(2020, 1, 1), False)], False
    for d in sorted({min(x, last) for x in flips}):
        state = not state
        fl.append((date(m.year, m.month, d), state))
    line = compute_month(emp_no="K", month=m, employed=(date(2020, 1, 1), None), grades=grades, frontline=fl,
                         rate=flat_rate, version_starts=[], policy=P)
    exact = day_by_day(month=m, employed=(date(2020, 1, 1), None), grades=grades, frontline=fl, rate=flat_rate, policy=P)
    assert line.total == round_half_up(exact)
    assert sum(s.total for s in line.segments) == line.total
    assert sum(s.days for s in line.segments) == last
    held = [s.amount + (Fraction(differential_for(s.amount, P)) if s.frontline else 0) for s in line.segments]
    assert round_half_up(Fraction(min(held))) <= line.total <= round_half_up(Fraction(max(held)))
