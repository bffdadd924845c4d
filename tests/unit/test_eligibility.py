from dataclasses import replace
from datetime import date

import pytest

from gradecli.domain.dates import add_months, months_between
from gradecli.domain.eligibility import Person, check, join_names, split_names, wait_months
from gradecli.domain.ladder import Grade
from gradecli.domain.policy import Policy

P = Policy()


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
    assert "below the wait of 12 months (until 2026-06-15)" in no.reasons[0]


def test_month_end_start_waits_to_the_shorter_months_end():
    p = person(grade_since=date(2025, 1, 31))
    assert check(p, kind="semiannual", exam_date=date(2026, 1, 31), policy=P).eligible
    assert not check(p, kind="semiannual", exam_date=date(2026, 1, 30), policy=P).eligible


def test_frontline_waits_two_thirds():
    assert wait_months(P, tier_step=False, frontline=True) == 8
    assert wait_months(P, tier_step=True, frontline=True) == 16
    p = person(grade_since=date(2025, 10, 15), frontline=True)
    assert check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P).eligible
    assert not check(p, kind="semiannual", exam_date=date(2026, 6, 14), policy=P).eligible


def test_frontline_share_rounds_up_to_whole_months():
    pol = Policy.model_validate({"eligibility": {"level_wait_months": 10}})
    assert wait_months(pol, tier_step=False, frontline=True) == 7  # 6.67 → 7


def test_tier_step_needs_top_level_and_24_months():
    ok = check(person(grade=Grade(3, 3), grade_since=date(2024, 11, 15)), kind="annual",
               exam_date=date(2026, 11, 15), policy=P)
    assert ok.eligible and ok.target == Grade(4, 1) and ok.exam_tier == 4
    mid = check(person(grade=Grade(3, 2)), kind="annual", exam_date=date(2026, 11, 15), policy=P)
    assert "not at the top level of tier 3" in mid.reasons[0]


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
    assert r.reasons == ["title 初级 is below 中级, required for tier 4"]
    assert r.next_date is None  # time alone will not cure it
    assert check(replace(top, title="中级"), kind="annual", exam_date=date(2026, 11, 15), policy=policy).eligible
    r = check(person(grade=Grade(4, 3), grade_since=date(2024, 1, 1), title="中级"), kind="annual",
              exam_date=date(2026, 11, 15), policy=policy)
    assert r.reasons == ["title 中级 is below 副高级, required for tier 5"]
    # a level step stays inside the tier held: no title is asked
    inside = person(grade=Grade(4, 1), grade_since=date(2024, 1, 1), title="初级")
    assert check(inside, kind="semiannual", exam_date=date(2026, 12, 15), policy=policy).eligible


def test_top_of_ladder_and_top_of_tier():
    r = check(person(grade=Grade(5, 3), title="正高级"), kind="annual", exam_date=date(2026, 11, 15), policy=P)
    assert r.reasons[0].startswith("at the top of the ladder")
    r = check(person(grade=Grade(2, 3)), kind="semiannual", exam_date=date(2026, 11, 15), policy=P)
    assert "the next step is the annual inter-tier exam" in r.reasons[0]
    assert r.exam_tier == 2


def test_every_reason_is_listed():
    p = person(professional=False, grade=None, active=False)
    r = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert r.reasons == ["not in a professional-technical post", "not active", "no grade yet (首次评定 first)"]


def test_deferral_blocks_until_its_end_and_sets_next_date():
    p = person(grade_since=date(2024, 1, 1), deferral_until=date(2026, 9, 1))
    r = check(p, kind="semiannual", exam_date=date(2026, 6, 15), policy=P)
    assert r.reasons == ["deferral (延期选升) running until 2026-09-01"] and r.next_date == date(2026, 9, 1)
    assert check(p, kind="semiannual", exam_date=date(2026, 12, 15), policy=P).eligible


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
    assert r.reasons == ["lacks the certificates 客服中级证书、安全员证, required for tier 3"]
    one = check(replace(top, certificates=frozenset({"安全员证"})), kind="annual", exam_date=date(2026, 11, 15), policy=policy)
    assert one.reasons == ["lacks the certificate 客服中级证书, required for tier 3"]
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
