from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from gradecli.domain.cycle import ExamCalendar, Period, periods_after
from gradecli.domain.dates import add_months, months_between
from gradecli.domain.eligibility import (Deferral, Person, check, deferral_bar, frontline_days, join_names,
                                         split_names, wait_credit, wait_months)
from gradecli.domain.ladder import Grade
from gradecli.domain.policy import Policy

P = Policy()


def texts(r):
    """The reasons of an eligibility as the English reader sees them."""
    return [str(x) for x in r.reasons]


def codes(r):
    return [x.code for x in r.reasons]


def person(**kw):
    base = dict(emp_no="K1", name="张三", family="客服", professional=True, active=True, title="中级",
                grade=Grade(2, 1), grade_since=date(2025, 1, 1), frontline=False, latest_rating="良好")
    base.update(kw)
    return Person(**base)


@pytest.mark.parametrize("start,months,end", [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day + a year
    (date(2025, 1, 31), 12, date(2026, 1, 31)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2025, 12, 15), 2, date(2026, 2, 15)),
])
def test_add_months_clamps_month_ends(start, months, end):
    assert add_months(start, months) == end


def test_months_between():
    assert months_between(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert months_between(date(2025, 1, 31), date(2025, 2, 27)) == 0
    assert months_between(date(2024, 2, 29), date(2025, 2, 28)) == 12


def test_level_wait_12_months_counted_to_the_exam_date():
    p = person(grade_since=date(2025, 6, 15))
    assert check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P).eligible
    no = check(p, kind="semiannual", exam_date=date(2026, 6, 14), policy=P)
    assert not no.eligible and no.next_date == date(2026, 6, 15)
    assert codes(no) == ["wait_not_met"]
    assert texts(no) == ["at 2-1 since 2025-06-15: 11.9 months elsewhere = 11.9 of 12 months credited "
                          "(met on 2026-06-15 if the post held on 2026-06-14 continues)"]  # 11.97: not rounded up to 12


def test_month_end_start_waits_to_the_shorter_months_end():
    p = person(grade_since=date(2025, 1, 31))
    assert check(p, kind="semiannual", exam_date=date(2026, 1, 31), policy=P).eligible
    assert not check(p, kind="semiannual", exam_date=date(2026, 1, 30), policy=P).eligible


# ---------------------------------------------------------------- front-line time actually served ("缩短晋级年限")

def fl_person(since, *posts, **kw):
    """A person at 2-1 since ``since`` with a post history of (first day, front-line)."""
    now = [fl for first, fl in posts if first <= kw.pop("on", date.max)]
    return person(grade_since=since, posts=tuple(posts), frontline=now[-1] if now else False, **kw)


def test_a_frontline_day_counts_one_and_a_half():
    assert wait_months(P, tier_step=False) == 12 and wait_months(P, tier_step=True) == 24
    # always front-line: 365 days of wait need ⌈365 × 2/3⌉ = 244 days served
    p = fl_person(date(2025, 10, 15), (date(2020, 1, 1), True))
    assert check(p, kind="semiannual", exam_date=date(2026, 6, 16), policy=P).eligible
    no = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert not no.eligible and no.next_date == date(2026, 6, 16)
    assert texts(no) == ["at 2-1 since 2025-10-15: 8.0 months front-line (×1.5 = 11.9) = 11.9 of 12 months "
                          "credited (met on 2026-06-16 if the post held on 2026-06-15 continues)"]
    # a tier step: 730 days need 487 front-line days
    top = fl_person(date(2024, 11, 15), (date(2020, 1, 1), True), grade=Grade(2, 3))
    assert check(top, kind="annual", exam_date=date(2026, 3, 17), policy=P).eligible
    assert check(top, kind="annual", exam_date=date(2026, 3, 16), policy=P).next_date == date(2026, 3, 17)


def test_moving_into_a_frontline_post_just_before_the_exam_earns_only_the_days_served_there():
    p = fl_person(date(2025, 10, 15), (date(2018, 3, 1), False), (date(2026, 5, 1), True))
    r = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert not r.eligible  # the old rule (front-line on the exam date: 8 months) let this one in
    assert texts(r) == ["at 2-1 since 2025-10-15: 1.5 months front-line (×1.5 = 2.2) + 6.5 months elsewhere "
                         "= 8.7 of 12 months credited (met on 2026-08-21 if the post held on 2026-06-15 continues)"]
    # 198 + 45 × 1.5 = 265.5 of 365 days; the rest at 1.5 a day from the exam date: ⌈99.5 / 1.5⌉ = 67 days
    assert r.next_date == date(2026, 8, 21) and r.wait.frontline_days == 45 and r.wait.other_days == 198
    assert check(p, kind="semiannual", exam_date=date(2026, 8, 21), policy=P).eligible


def test_frontline_credit_is_kept_after_moving_out():
    p = fl_person(date(2025, 9, 1), (date(2018, 3, 1), True), (date(2026, 3, 1), False))
    r = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert r.eligible  # 181 × 1.5 + 106 = 377.5 ≥ 365; the old rule asked the full 12 months (to 2026-09-01)
    assert r.wait.met_on == date(2026, 6, 3)  # 271.5 by 2026-03-01, then a day a day: 94 more
    early = check(p, kind="semiannual", exam_date=date(2026, 6, 2), policy=P)
    assert early.next_date == date(2026, 6, 3)


def test_the_reason_shows_the_months_of_each_kind():
    p = fl_person(date(2025, 1, 1), (date(2018, 3, 1), True), (date(2025, 11, 1), False), grade=Grade(2, 3))
    r = check(p, kind="annual", exam_date=date(2026, 3, 1), policy=P)
    # 304 front-line days (×1.5 = 456) + 120 days elsewhere = 576 of 730; a month is 730 / 24 days
    assert texts(r) == ["at 2-3 since 2025-01-01: 10.0 months front-line (×1.5 = 15.0) + 3.9 months elsewhere "
                        "= 18.9 of 24 months credited (met on 2026-08-02 if the post held on 2026-03-01 continues)"]
    # for scripts: the months as numbers, the dates as dates, whatever the language
    wait = r.reasons[0].to_json()
    assert wait["code"] == "wait_not_met" and wait["params"]["since"] == "2025-01-01"
    assert wait["params"]["met_on"] == "2026-08-02" and wait["params"]["grade"] == "2-3"
    assert wait["params"]["credit"]["code"] == "wait_credit"
    assert wait["params"]["credit"]["params"] == {"frontline": 10.0, "factor": 1.5, "frontline_credited": 15.0,
                                                  "elsewhere": 3.9, "credited": 18.9, "wait": 24}
    assert r.next_date == date(2026, 3, 1) + timedelta(days=730 - 576)
    share = Policy.model_validate({"eligibility": {"frontline_wait_share": "3/4"}})
    assert "(×4/3 = " in str(check(p, kind="annual", exam_date=date(2026, 3, 1), policy=share).reasons[0])


def test_days_before_the_first_recorded_post_are_not_frontline():
    assert frontline_days([(date(2026, 1, 1), True)], date(2025, 12, 1), date(2026, 1, 11)) == 10
    assert frontline_days([], date(2025, 12, 1), date(2026, 1, 11)) == 0
    assert frontline_days([(date(2025, 1, 1), True), (date(2025, 1, 1), False)], date(2025, 1, 1), date(2025, 2, 1)) == 0


SHARE = Fraction(2, 3)
posts_st = st.lists(st.tuples(st.integers(-400, 900), st.booleans()), max_size=6).map(
    lambda xs: [(date(2025, 1, 1) + timedelta(days=d), fl) for d, fl in sorted(xs, key=lambda x: x[0])])


def credit(posts, on, *, since=date(2025, 1, 1), months=12):
    now = [fl for first, fl in posts if first <= on]
    return wait_credit(posts, since=since, on=on, months=months, share=SHARE, frontline_now=bool(now and now[-1]))


@given(posts_st, st.integers(0, 1200), st.integers(0, 1200))
def test_credit_grows_with_days_served(posts, d1, d2):
    a, b = sorted((d1, d2))
    first, later = credit(posts, date(2025, 1, 1) + timedelta(days=a)), credit(posts, date(2025, 1, 1) + timedelta(days=b))
    assert first.credited_days <= later.credited_days
    assert first.frontline_days + first.other_days == a


@given(posts_st, st.integers(0, 1200))
def test_credit_is_plain_days_off_the_front_line_and_half_again_on_it(posts, days):
    on = date(2025, 1, 1) + timedelta(days=days)
    never = [(d, False) for d, _ in posts]
    assert credit(never, on).credited_days == days
    always = [(date(2023, 1, 1), True)] + [(d, True) for d, _ in posts]
    assert credit(always, on).credited_days == Fraction(3, 2) * days


@given(posts_st, st.integers(0, 1200), st.sampled_from([1, 12, 24]))
def test_the_wait_is_met_on_the_first_day_the_credit_reaches_it(posts, days, months):
    on = date(2025, 1, 1) + timedelta(days=days)
    known = [(d, fl) for d, fl in posts if d <= on]  # what is known on the exam date continues after it
    c = credit(known, on, months=months)
    need = c.wait_days
    assert credit(known, c.met_on, months=months).credited_days >= need
    assert c.met_on == date(2025, 1, 1) or credit(known, c.met_on - timedelta(days=1), months=months).credited_days < need
    assert c.met == (c.credited_days >= need)


def test_tier_step_needs_top_level_and_24_months():
    ok = check(person(grade=Grade(3, 3), grade_since=date(2024, 11, 15)), kind="annual",
               exam_date=date(2026, 11, 15), policy=P)
    assert ok.eligible and ok.target == Grade(4, 1) and ok.exam_tier == 4
    mid = check(person(grade=Grade(3, 2)), kind="annual", exam_date=date(2026, 11, 15), policy=P)
    assert codes(mid) == ["not_top_of_tier", "wait_not_met"]  # every reason is listed
    assert texts(mid)[0] == "not at the top level of tier 3 (holds 3-2; a tier step needs level 3)"


def test_no_title_requirement_by_default():
    """The ladder is a second career path: a 中级 stuck at its title still reaches tier 5."""
    assert P.eligibility.title_requirements == {}
    for title, grade in (("初级", Grade(3, 3)), ("中级", Grade(4, 3)), ("无", Grade(4, 3))):
        r = check(person(grade=grade, grade_since=date(2024, 1, 1), title=title), kind="annual",
                  exam_date=date(2026, 11, 15), policy=P)
        assert r.eligible and r.target == Grade(grade.tier + 1, 1), (title, r.reasons)


def test_a_title_requirement_the_policy_sets_bars_a_tier_step():
    policy = Policy.model_validate({"eligibility": {"title_requirements": {"4": "中级", "5": "副高级"}}})
    top = person(grade=Grade(3, 3), grade_since=date(2024, 11, 15), title="初级")
    r = check(top, kind="annual", exam_date=date(2026, 11, 15), policy=policy)
    assert texts(r) == ["title 初级 is below 中级, required for tier 4"] and codes(r) == ["title_below"]
    assert r.next_date is None  # time alone will not cure it
    assert check(replace(top, title="中级"), kind="annual", exam_date=date(2026, 11, 15), policy=policy).eligible
    r = check(person(grade=Grade(4, 3), grade_since=date(2024, 1, 1), title="中级"), kind="annual",
              exam_date=date(2026, 11, 15), policy=policy)
    assert texts(r) == ["title 中级 is below 副高级, required for tier 5"]
    # a level step stays inside the tier held: no title is asked
    inside = person(grade=Grade(4, 1), grade_since=date(2024, 1, 1), title="初级")
    assert check(inside, kind="semiannual", exam_date=date(2026, 12, 15), policy=policy).eligible


def test_top_of_ladder_and_top_of_tier():
    r = check(person(grade=Grade(5, 3), title="正高级"), kind="annual", exam_date=date(2026, 11, 15), policy=P)
    assert texts(r) == ["at the top of the ladder (5-3)"] and codes(r) == ["top_of_ladder"]
    r = check(person(grade=Grade(5, 3), title="正高级"), kind="semiannual", exam_date=date(2026, 11, 15), policy=P)
    assert texts(r) == ["at the top of the ladder (5-3)"]
    r = check(person(grade=Grade(2, 3)), kind="semiannual", exam_date=date(2026, 11, 15), policy=P)
    assert texts(r) == ["at the top level of tier 2 (2-3); the next step is the annual inter-tier exam"]
    assert codes(r) == ["top_of_tier"]
    assert r.exam_tier == 2


def test_every_reason_is_listed():
    p = person(professional=False, grade=None, active=False)
    r = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert texts(r) == ["not in a professional-technical post", "not active",
                        "no grade yet (the first placement comes first)"]
    assert codes(r) == ["not_professional", "not_active", "no_grade"]


# ---------------------------------------------------------------- deferral (延期选升): the next cycle of each kind

def periods(*codes):
    return [Period.parse("annual" if len(c) == 4 else "semiannual", c) for c in codes]


def test_periods_follow_each_other_within_their_kind():
    assert Period.parse("annual", "2026").following().code == "2027"
    assert Period.parse("semiannual", "2026H1").following().code == "2026H2"
    assert Period.parse("semiannual", "2026H2").following().code == "2027H1"
    assert Period.first_of_year("semiannual", 2026).code == "2026H1"
    assert Period.around("semiannual", date(2026, 6, 30)).code == "2026H1"
    assert Period.around("semiannual", date(2026, 7, 1)).code == "2026H2"
    assert Period.around("annual", date(2026, 1, 1)).code == "2026"


def test_periods_after_a_date_by_their_exam_dates():
    cal = ExamCalendar(P)
    assert periods_after("annual", date(2026, 12, 1), 2, cal) == periods("2027", "2028")
    assert periods_after("annual", date(2026, 11, 14), 1, cal) == periods("2026")
    assert periods_after("semiannual", date(2026, 12, 1), 3, cal) == periods("2026H2", "2027H1", "2027H2")
    assert periods_after("semiannual", date(2026, 12, 15), 1, cal) == periods("2027H1")  # after, not on, the day
    assert periods_after("annual", date(2026, 12, 1), 0, cal) == []
    # a cycle created with its own exam date counts by that date
    moved = ExamCalendar(P, {"2026H2": date(2026, 11, 28), "2027": date(2028, 1, 10)})
    assert periods_after("semiannual", date(2026, 12, 1), 1, moved) == periods("2027H1")
    assert moved.exam_date(Period.parse("annual", "2027")) == date(2028, 1, 10)
    assert periods_after("annual", date(2027, 12, 1), 1, moved) == periods("2027")


def test_a_deferral_bars_the_next_cycle_of_each_kind():
    """A 2025 rating, decided by cycle 2026 and effective 2026-12-01, bars 2026H2 and 2027 only
    (12 months from that date also barred 2027H1)."""
    d = Deferral(date(2026, 12, 1), "2026")
    bar = deferral_bar(d, cycles=1, calendar=ExamCalendar(P))
    assert bar.barred == tuple(periods("2026H2", "2027"))
    assert bar.free == {"annual": periods("2028")[0], "semiannual": periods("2027H1")[0]}
    assert str(bar.reason()) == "deferral decided in cycle 2026: bars the cycles 2026H2, 2027"
    assert bar.reason().code == "deferral" and bar.reason().params == {"cycle": "2026", "periods": ["2026H2", "2027"]}
    two = deferral_bar(d, cycles=2, calendar=ExamCalendar(P))
    assert str(two.reason()) == "deferral decided in cycle 2026: bars the cycles 2026H2, 2027H1, 2027, 2028"
    assert str(deferral_bar(Deferral(date(2026, 7, 1)), cycles=1, calendar=ExamCalendar(P)).reason()) == \
        "deferral effective 2026-07-01: bars the cycles 2026, 2026H2"


def test_deferral_in_eligibility_names_the_cycles_and_the_next_free_exam():
    p = person(grade_since=date(2024, 1, 1), deferrals=(Deferral(date(2026, 12, 1), "2026"),))
    h2 = check(p, kind="semiannual", exam_date=date(2026, 12, 15), policy=P)
    assert texts(h2) == ["deferral decided in cycle 2026: bars the cycles 2026H2, 2027"]
    assert not h2.eligible and h2.next_date == date(2027, 6, 15)  # 2027H1's exam, the first not barred
    assert check(p, kind="semiannual", exam_date=date(2027, 6, 15), policy=P).eligible
    top = replace(p, grade=Grade(2, 3))
    annual = check(top, kind="annual", exam_date=date(2027, 11, 15), policy=P)
    assert annual.reasons == h2.reasons and annual.next_date == date(2028, 11, 15)
    assert check(top, kind="annual", exam_date=date(2028, 11, 15), policy=P).eligible
    # the calendar gives the real exam dates of created cycles
    cal = ExamCalendar(P, {"2026H2": date(2026, 11, 28)})
    early = check(p, kind="semiannual", exam_date=date(2026, 11, 28), policy=P, calendar=cal,
                  period=Period.parse("semiannual", "2026H2"))
    assert early.eligible  # its exam falls before the deferral took effect
    later = check(p, kind="semiannual", exam_date=date(2027, 6, 15), policy=P, calendar=cal)
    assert texts(later) == ["deferral decided in cycle 2026: bars the cycles 2027H1, 2027"]
    assert later.next_date == date(2027, 12, 15)
    # none when the policy bars no cycle
    none = Policy.model_validate({"eligibility": {"deferral_cycles": 0}})
    assert check(p, kind="semiannual", exam_date=date(2026, 12, 15), policy=none).eligible


def test_a_deferred_person_is_no_fast_track_applicant():
    p = person(grade_since=date(2026, 7, 1), latest_rating="优秀", deferrals=(Deferral(date(2026, 12, 1), "2026"),))
    r = check(p, kind="semiannual", exam_date=date(2026, 12, 15), policy=P)
    assert not r.eligible and not r.fast_track_applicant
    assert r.next_date == date(2027, 7, 1)  # the wait ends after the deferral


def test_fast_track_applicant_may_register_inside_the_wait():
    p = person(grade_since=date(2026, 1, 1), latest_rating="优秀")
    r = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert not r.eligible and r.fast_track_applicant
    assert not check(person(grade_since=date(2026, 1, 1)), kind="semiannual", exam_date=date(2026, 6, 15),
                     policy=P).fast_track_applicant


def test_certificates_the_policy_sets_for_the_target_tier():
    policy = Policy.model_validate({"eligibility": {"certificate_requirements": {"3": ["客服中级证书", "安全员证"]}}})
    top = person(grade=Grade(2, 3), grade_since=date(2024, 1, 1), title="中级")
    r = check(top, kind="annual", exam_date=date(2026, 11, 15), policy=policy)
    assert not r.eligible and r.next_date is None  # time alone will not cure it
    assert texts(r) == ["lacks the certificates 客服中级证书, 安全员证, required for tier 3"]
    assert r.reasons[0].code == "lacks_certificates" and r.reasons[0].params["certificates"] == ["客服中级证书", "安全员证"]
    one = check(replace(top, certificates=frozenset({"安全员证"})), kind="annual", exam_date=date(2026, 11, 15), policy=policy)
    assert texts(one) == ["lacks the certificate 客服中级证书, required for tier 3"]
    both = replace(top, certificates=frozenset({"安全员证", "客服中级证书", "其他"}))
    assert check(both, kind="annual", exam_date=date(2026, 11, 15), policy=policy).eligible
    # a level step stays inside the tier the person already holds: no certificate is asked
    inside = person(grade=Grade(3, 1), grade_since=date(2024, 1, 1))
    assert check(inside, kind="semiannual", exam_date=date(2026, 11, 15), policy=policy).eligible


def test_certificate_names_are_stored_once_each_in_order():
    assert join_names(["客服中级证书", "安全员证", "", "客服中级证书"]) == "安全员证、客服中级证书"
    assert split_names("安全员证、客服中级证书") == {"安全员证", "客服中级证书"} and split_names("") == frozenset()


def test_certificate_requirements_name_tiers():
    with pytest.raises(ValueError, match="must be a tier number"):
        Policy.model_validate({"eligibility": {"certificate_requirements": {"四": ["x"]}}})


def test_deferral_months_is_now_deferral_cycles():
    assert P.eligibility.deferral_cycles == 1
    with pytest.raises(ValueError, match="deferral_months"):
        Policy.model_validate({"eligibility": {"deferral_months": 12}})


@given(posts_st, st.integers(0, 1200), st.sampled_from([1, 12, 24]))
def test_the_months_shown_add_up_and_never_reach_an_unmet_wait(posts, days, months):
    c = credit(posts, date(2025, 1, 1) + timedelta(days=days), months=months)
    shown = str(c.describe())
    assert c.describe().params["credited"] == Decimal(shown.split(" = ")[-1].split(" of ")[0])
    total = float(shown.split(" = ")[-1].split(" of ")[0])
    exact = float(c.credited_days * months / c.wait_days)
    assert abs(total - exact) <= 0.1
    assert c.met or total < months
    assert shown.endswith(f" of {months} months credited")


def test_the_reasons_read_in_chinese(zh):
    """The same reasons, rendered in the default language: 简体中文 with the glossary's terms."""
    p = fl_person(date(2025, 10, 15), (date(2018, 3, 1), False), (date(2026, 5, 1), True))
    r = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert texts(r) == ["自 2025-10-15 起任 2-1：一线岗位 1.5 个月（×1.5 = 2.2）+ 其他岗位 6.5 个月 = 已计 8.7 个月"
                        "（需 12 个月）（若 2026-06-15 所在岗位不变，将于 2026-08-21 满足）"]
    r = check(person(professional=False, grade=None, active=False), kind="semiannual", exam_date=date(2026, 6, 15),
              policy=P)
    assert texts(r) == ["不在专业技术岗位", "不在职", "尚无等级（须先经首次评定）"]
    d = deferral_bar(Deferral(date(2026, 12, 1), "2026"), cycles=1, calendar=ExamCalendar(P))
    assert str(d.reason()) == "周期 2026 决定延期选升：不得参加 2026H2、2027 周期"
