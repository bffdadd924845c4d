from datetime import date
from decimal import Decimal as D

from gradecli.domain.evaluation import (Candidate, QuotaRule, composite, evaluate, first_placement,
                                        share_quota)
from gradecli.domain.ladder import Grade
from gradecli.domain.policy import Policy

P = Policy()


def c(emp, theory="80", skill="80", rating="良好", **kw):
    return Candidate(emp_no=emp, target_tier=3, theory=None if theory is None else D(theory),
                     skill=None if skill is None else D(skill), rating=rating, **kw)


def outcomes(decisions):
    return {d.emp_no: d.outcome for d in decisions}


def texts(messages):
    return [str(m) for m in messages]


def test_composite_is_weighted_and_exact():
    assert composite(D("80"), D("70"), 85, P) == D("78.50")
    assert composite(D("77.5"), D("66.6"), 75, P) == D("73.48")  # 31 + 19.98 + 22.5


def test_every_part_must_pass_and_each_failure_is_named():
    ds, _, _ = evaluate([c("K1", theory="59.5"), c("K2", skill="59"), c("K3", rating="基本合格"),
                         c("K4", theory=None), c("K5", rating=None)], rule=QuotaRule("none"), policy=P, appraisal_year=2025)
    by = {d.emp_no: d for d in ds}
    assert by["K1"].outcome == "failed" and texts(by["K1"].failed_parts) == ["theory 59.5 < pass mark 60"]
    # reasons are data: a code and the values, rendered only when shown
    assert [(m.code, m.params) for m in by["K1"].failed_parts] == [("theory_below_pass", {"score": D("59.5"), "mark": 60})]
    assert by["K1"].reasons[0].code == "failed" and by["K1"].reasons[0].params["parts"] == by["K1"].failed_parts
    assert texts(by["K2"].failed_parts) == ["skill 59 < pass mark 60"]
    assert "performance 基本合格 below 合格" in texts(by["K3"].failed_parts)
    assert by["K3"].deferral  # below 合格 also defers
    assert by["K4"].outcome == "absent" and [m.code for m in by["K4"].reasons] == ["absent_theory"]
    assert texts(by["K5"].failed_parts) == ["no appraisal rating for 2025"]


def test_quota_share_rounds_down_at_least_one_when_anyone_passed():
    assert share_quota(7, 40, True) == 2
    assert share_quota(2, 40, True) == 1
    assert share_quota(2, 40, False) == 0
    ds, quota, how = evaluate([c("K1"), c("K2", theory="50")], rule=QuotaRule("share", 40), policy=P, appraisal_year=2025)
    assert quota == 1 and how.code == "quota_share_of_registered" and how.params["raised"] is True
    assert str(how) == "40 percent of 2 registered = 0.8, rounded down to 0, raised to 1 because someone passed"
    assert outcomes(ds) == {"K1": "promoted", "K2": "failed"}


def test_ranking_ties_break_on_performance_skill_time_then_number():
    # all but K1 have composite 83.00: K2 has the better rating, K3–K5 tie on rating and skill,
    # K4 and K5 waited longer than K3, and K4 < K5 by number
    cands = [c("K1", theory="75", skill="80", rating="良好"),     # 30 + 24 + 25.5 = 79.50
             c("K2", theory="76.25", skill="80", rating="优秀"),  # 30.5 + 24 + 28.5 = 83.00
             c("K3", theory="80", skill="85", rating="良好", days_in_grade=400),  # 32 + 25.5 + 25.5
             c("K4", theory="80", skill="85", rating="良好", days_in_grade=500),
             c("K5", theory="80", skill="85", rating="良好", days_in_grade=500)]
    ds, _, _ = evaluate(cands, rule=QuotaRule("seats", 3), policy=P, appraisal_year=2025)
    rank = {d.emp_no: d.rank for d in ds}
    assert rank == {"K2": 1, "K4": 2, "K5": 3, "K3": 4, "K1": 5}
    assert outcomes(ds) == {"K2": "promoted", "K4": "promoted", "K5": "promoted",
                            "K3": "qualified_not_promoted", "K1": "qualified_not_promoted"}


def test_fast_track_outside_quota_capped():
    cands = [c(f"K{i}", theory="95", skill="95", rating="优秀") for i in range(1, 4)] + [c("K9")]
    # quota 4 → cap max(1, floor(0.8)) = 1 fast-track place
    ds, quota, _ = evaluate(cands, rule=QuotaRule("seats", 4), policy=P, appraisal_year=2025)
    o = outcomes(ds)
    assert quota == 4
    assert o["K1"] == "fast_track"
    assert [o["K2"], o["K3"], o["K9"]] == ["promoted", "promoted", "promoted"]
    ds, _, _ = evaluate(cands, rule=QuotaRule("seats", 1), policy=P, appraisal_year=2025)
    o = outcomes(ds)
    assert o["K1"] == "fast_track" and o["K2"] == "promoted"
    assert o["K3"] == "qualified_not_promoted" and o["K9"] == "qualified_not_promoted"


def test_fast_track_applicant_inside_the_wait():
    ok, miss = c("K1", theory="98", skill="92", rating="优秀", inside_wait=True), c("K2", theory="85", skill="85", rating="优秀", inside_wait=True)
    ds, _, _ = evaluate([ok, miss], rule=QuotaRule("seats", 5), policy=P, appraisal_year=2025)
    by = {d.emp_no: d for d in ds}
    assert by["K1"].outcome == "fast_track"
    # passed every part but missed the fast-track bar: qualified, not 未通过
    assert by["K2"].outcome == "qualified_inside_wait" and by["K2"].failed_parts == []


def test_each_tier_is_judged_by_its_own_standard():
    from gradecli.domain.policy import TierStandard

    policy = Policy.model_validate({"standards": {"tiers": {"3": {"text": "三等标准", "pass_theory": 70}},
                                                  "families": {"航标": {"3": {"pass_skill": 75}}}}})
    assert policy.standard("航标", 3) == TierStandard(text="三等标准", pass_theory=70, pass_skill=75)
    assert policy.standard("测量", 3).pass_skill == 60 and policy.standard("测量", 2).pass_theory == 60
    ds, _, _ = evaluate([c("K1", theory="65"), c("K2", theory="72", skill="72")], rule=QuotaRule("none"),
                        policy=policy, appraisal_year=2025, standard=policy.standard("航标", 3))
    by = {d.emp_no: d for d in ds}
    assert texts(by["K1"].failed_parts) == ["theory 65 < pass mark 70"]
    assert texts(by["K2"].failed_parts) == ["skill 72 < pass mark 75"]


def test_disciplinary_record_defers_even_with_good_scores():
    ds, _, _ = evaluate([c("K1", disciplinary=True)], rule=QuotaRule("none"), policy=P, appraisal_year=2025)
    assert ds[0].outcome == "failed" and ds[0].deferral
    assert str(ds[0].reasons[0]) == "deferral: disciplinary record in 2025"
    assert ds[0].reasons[0].code == "deferral" and ds[0].reasons[0].params["reason"].code == "deferral_disciplinary"


def _place(ratings, *, years_service=3, exam=None, title="初级", policy=P):
    return first_placement(emp_no="K1", family="航标", title=title, service_start=date(2025 - years_service, 1, 1),
                           as_of=date(2025, 7, 1), ratings=ratings, exam_score=None if exam is None else D(exam),
                           policy=policy)


def test_first_placement_is_mainly_by_the_appraisal_record():
    assert _place(["优秀", "优秀", "优秀"]).grade == Grade(4, 1)
    assert _place(["良好", "优秀", "良好"]).grade == Grade(3, 1)  # mean 3.33
    assert _place(["合格", "良好", "合格"]).grade == Grade(2, 1)
    assert _place(["基本合格", "合格", "不合格"]).grade == Grade(1, 1)
    assert _place([]).grade == Grade(1, 1) and _place([]).reasons[0].code == "placement_no_appraisal"
    assert str(_place([]).reasons[0]) == "no appraisal in the last 3 years → tier 1"
    # the same title, different records: different grades ("相同专业技术职级的人员…应存在差异")
    assert _place(["优秀"] * 3, title="中级").grade != _place(["合格"] * 3, title="中级").grade


def test_years_of_service_are_secondary():
    assert _place(["良好"] * 3, years_service=6).grade == Grade(3, 2)
    assert _place(["良好"] * 3, years_service=12).grade == Grade(3, 3)
    assert _place(["良好"] * 3, years_service=22).grade == Grade(4, 3)  # 20 years add a tier
    assert _place(["优秀"] * 3, years_service=22).grade == Grade(4, 3)  # never above max_tier (4)


def test_the_exam_lifts_a_borderline_case_and_never_lowers_anyone():
    borderline = ["良好", "良好", "优秀"]  # mean 3.33, within 0.34 of tier 4's 3.6
    assert _place(borderline).grade == Grade(3, 1)
    assert _place(borderline, exam="88").grade == Grade(4, 1)
    assert _place(borderline, exam="80").grade == Grade(3, 1)
    assert _place(["合格"] * 3, exam="95").grade == Grade(2, 1)  # far from the next band: reference only
    for score in ("0", "35", "59.5"):
        assert _place(["优秀"] * 3, exam=score).grade == Grade(4, 1)


def test_a_title_counts_only_where_the_policy_says_so():
    assert _place(["合格"] * 3, title="正高级").grade == Grade(2, 1)
    titled = Policy.model_validate({"first_evaluation": {"title_min_tier": {"正高级": 4}}})
    assert _place(["合格"] * 3, title="正高级", policy=titled).grade == Grade(4, 1)
