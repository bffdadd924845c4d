"""Rules faithful to the article, end to end on small organisations: competition for seats whose
base is who may compete, honest labels, and published standards with their own pass marks."""

from __future__ import annotations

import json

from tests.cli.story import BANKS, ok, run, sit
from tests.helpers import person, roster, write_xlsx


def _office(db, tmp_path, n=10):
    """n people of 客服 at 2-3 since 2024 (all may step up to tier 3), rated 良好 for 2025."""
    people = [person(f"E{i:02d}") for i in range(1, n + 1)]
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", people))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"],
                                         [[f"E{i:02d}", 2, 3, "2024-01-01"] for i in range(1, n + 1)]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [[f"E{i:02d}", 2025, "良好", "否"] for i in range(1, n + 1)]))
    ok(db, "bank", "import", *[BANKS / f / f"tier-{t}.yaml" for f in ("客服", "common") for t in (2, 3)])


def test_sign_ups_do_not_create_seats_and_the_officer_confirms_the_quota(db_url, tmp_path):
    db = db_url
    _office(db, tmp_path)
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["E01"], ["E02"], ["E03"]]))
    proposal = json.loads(ok(db, "--json", "cycle", "quota", "2026").stdout)
    (row,) = proposal["rows"]
    assert (row["eligible"], row["registered"], row["share_seats"]) == (10, 3, 4)  # 40 % of the 10 who may compete
    assert row["pyramid_seats"] is not None and row["confirmed"] is None
    assert row["projection"]["code"] == "projection" and row["projection"]["params"]["target"] == 20
    assert row["projection"]["text"].endswith("(target 20 %)")
    assert row["share_derivation"] == {"code": "quota_share", "params": {"percent": 40, "base": 10, "exact": 4,
                                                                         "seats": 4},
                                       "text": "40 percent of 10 eligible = 4, rounded down to 4"}
    ok(db, "cycle", "issue-papers", "2026", "--seed", "q")
    sit(db, "2026", tmp_path, {"E01": 6, "E02": 6, "E03": 6}, {"E01": 80, "E02": 75, "E03": 70})
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026").stdout)
    q = res["quotas"]["客服 → tier 3"]
    assert q["quota"] == 4 and q["derivation"]["code"] == "quota_share_of_eligible"
    assert q["derivation"]["text"] == "40 percent of 10 eligible = 4, rounded down to 4"
    assert {r["outcome_code"] for r in res["rows"]} == {"promoted"}  # 3 passed, 4 seats
    # the officer confirms one seat instead: evaluation and the notice follow
    ok(db, "cycle", "quota", "2026", "--quota", "客服:3=1")
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026").stdout)
    assert sorted(r["outcome_code"] for r in res["rows"]) == ["promoted", "qualified_not_promoted", "qualified_not_promoted"]
    officer = res["quotas"]["客服 → tier 3"]["derivation"]  # the officer's derivation, carried to evaluation as data
    assert officer["code"] == "quota_set_by_officer" and officer["text"].startswith("set by the officer: 1 seats")
    ok(db, "cycle", "publish", "2026", "--out", tmp_path / "n", today="2026-11-20")
    html = (tmp_path / "n" / "notice-2026-r1.html").read_text(encoding="utf-8")
    assert "set by the officer: 1 seats" in html and "qualified; the quota is filled, not promoted" in html
    r = run(db, "cycle", "quota", "2026", "--quota", "three=1")
    assert r.exit_code == 2 and "FAMILY:TIER=SEATS" in r.stderr


def test_level_steps_compete_for_seats_too(db_url, tmp_path):
    db = db_url
    people = [person(f"L{i}") for i in range(1, 5)]
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", people))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"],
                                         [[f"L{i}", 2, 1, "2024-01-01"] for i in range(1, 5)]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [[f"L{i}", 2025, "良好", "否"] for i in range(1, 5)]))
    ok(db, "bank", "import", *[BANKS / f / "tier-2.yaml" for f in ("客服", "common")])
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2")
    ok(db, "cycle", "register", "2026H2", "--all-eligible")
    ok(db, "cycle", "issue-papers", "2026H2", "--seed", "l")
    sit(db, "2026H2", tmp_path, {f"L{i}": 6 for i in range(1, 5)}, {"L1": 90, "L2": 85, "L3": 80, "L4": 75})
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026H2").stdout)
    q = res["quotas"]["客服 → tier 2"]
    assert q["quota"] == 2 and q["derivation"]["code"] == "quota_share_of_eligible"
    assert q["derivation"]["params"] == {"percent": 50, "base": 4, "exact": 2, "floor": 2, "raised": False}
    assert sorted(r["outcome_code"] for r in res["rows"]) == ["promoted"] * 2 + ["qualified_not_promoted"] * 2


def test_standards_are_published_and_applied(db_url, tmp_path):
    db = db_url
    policy = tmp_path / "p.toml"
    policy.write_text('[standards.tiers.3]\ntext = "能分析诊断常见故障，制定作业计划"\npass_theory = 95\n', encoding="utf-8")
    shown = json.loads(ok(db, "--policy", policy, "--json", "ladder", "standards", "--family", "客服").stdout)
    tier3 = next(r for r in shown["rows"] if r["tier"] == 3)
    assert (tier3["standard"], tier3["pass_theory"], tier3["pass_skill"]) == ("能分析诊断常见故障，制定作业计划", 95, 60)
    _office(db, tmp_path, n=3)
    ok(db, "--policy", policy, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "--policy", policy, "cycle", "register", "2026", "--all-eligible")
    ok(db, "--policy", policy, "cycle", "issue-papers", "2026", "--seed", "s")
    sit(db, "2026", tmp_path, {"E01": 1, "E02": 1, "E03": 1}, {"E01": 80, "E02": 80, "E03": 80})  # about 80–90
    res = json.loads(ok(db, "--policy", policy, "--json", "cycle", "evaluate", "2026").stdout)
    assert all(r["outcome_code"] == "failed" and r["reasons"][0]["params"]["parts"][0]["code"] == "theory_below_pass"
               and r["reasons"][0]["params"]["parts"][0]["params"]["mark"] == 95 for r in res["rows"])  # tier 3's own mark
    ok(db, "--policy", policy, "cycle", "publish", "2026", "--out", tmp_path / "n", today="2026-11-20")
    html = (tmp_path / "n" / "notice-2026-r1.html").read_text(encoding="utf-8")
    assert "Standard of 三等 (客服): 能分析诊断常见故障，制定作业计划" in html and "theory exam ≥ 95," in html


def test_an_applicant_inside_the_wait_who_passes_is_qualified_not_failed(db_url, tmp_path):
    db = db_url
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [person("W1")]))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"], [["W1", 2, 3, "2025-12-01"]]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"], [["W1", 2025, "优秀", "否"]]))
    ok(db, "bank", "import", *[BANKS / f / "tier-3.yaml" for f in ("客服", "common")])
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--all-eligible", "--with-fast-track")
    ok(db, "cycle", "issue-papers", "2026", "--seed", "w")
    sit(db, "2026", tmp_path, {"W1": 0.5}, {"W1": 70})
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026").stdout)
    assert res["rows"][0]["outcome_code"] == "qualified_inside_wait"
    ok(db, "cycle", "publish", "2026", "--out", tmp_path / "n", today="2026-11-20")
    html = (tmp_path / "n" / "notice-2026-r1.html").read_text(encoding="utf-8")
    assert "qualified (waiting time not served, fast-track bar not met)" in html
    assert "does not meet the conditions for promotion" not in html


def test_every_family_in_every_period(db_url, tmp_path):
    """'分等考试每年举行一次，等内考试每半年一次' for every post: a period holds one cycle for all
    families or several whose scopes do not overlap, each addressed by its own code."""
    db = db_url
    people = [person("A1", family="航标", post="航标维护"), person("A2", family="航标", post="航标维护"),
              person("S1", family="测量", post="外业测量"), person("T1", family="通信", post="岸台值守")]
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", people))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"],
                                         [[p[0], 2, 1, "2024-01-01"] for p in people]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [[p[0], 2025, "良好", "否"] for p in people]))
    hb = json.loads(ok(db, "--json", "cycle", "create", "--kind", "semiannual", "--period", "2026H2",
                       "--family", "航标").stdout)
    assert hb["cycle"] == "2026H2-航标" and hb["period"] == "2026H2"
    r = run(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2", "--family", "航标", "--family", "测量")
    assert r.exit_code == 1 and "cycle 2026H2-航标 already covers 航标 in 2026H2" in r.stderr
    r = run(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2")  # all families would overlap too
    assert r.exit_code == 1 and "2026H2-航标" in r.stderr
    r = run(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2", "--family", "航表")
    assert r.exit_code == 2 and "not a post family" in r.stderr
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2", "--family", "测量", "--family", "通信")
    listed = {c["cycle"]: c for c in json.loads(ok(db, "--json", "cycle", "list").stdout)["rows"]}
    assert set(listed) == {"2026H2-航标", "2026H2-测量+通信"}
    # a draft is re-scoped or deleted, and the log keeps it
    ok(db, "cycle", "scope", "2026H2-测量+通信", "--family", "测量", "--reason", "通信另行组织")
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2", "--family", "通信")
    ok(db, "cycle", "delete", "2026H2-通信", "--reason", "通信本期不考，改下期")
    assert "2026H2-通信" not in {c["cycle"] for c in json.loads(ok(db, "--json", "cycle", "list").stdout)["rows"]}
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2", "--family", "通信")  # the name is free again
    # each cycle registers its own families only
    ok(db, "cycle", "register", "2026H2-航标", "--all-eligible")
    ok(db, "cycle", "register", "2026H2-测量+通信", "--all-eligible")
    assert {r["emp_no"] for r in json.loads(ok(db, "--json", "cycle", "show", "2026H2-航标").stdout)["rows"]} == {"A1", "A2"}
    assert {r["emp_no"] for r in json.loads(ok(db, "--json", "cycle", "show", "2026H2-测量+通信").stdout)["rows"]} == {"S1"}
    r = run(db, "cycle", "delete", "2026H2-航标", "--reason", "x")
    assert r.exit_code == 1


def test_no_second_promotion_before_the_first_takes_effect(db_url, tmp_path):
    db = db_url
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [person("F1"), person("F2")]))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"],
                                         [["F1", 2, 1, "2026-03-01"], ["F2", 2, 1, "2025-01-01"]]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [["F1", 2025, "优秀", "否"], ["F2", 2025, "良好", "否"]]))
    ok(db, "bank", "import", *[BANKS / f / "tier-2.yaml" for f in ("客服", "common")])
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H1", "--effective", "2027-01-01")
    ok(db, "cycle", "register", "2026H1", "--all-eligible", "--with-fast-track")
    ok(db, "cycle", "issue-papers", "2026H1", "--seed", "f")
    sit(db, "2026H1", tmp_path, {"F1": 8, "F2": 0.5}, {"F1": 98, "F2": 70})
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026H1").stdout)
    assert {r["emp_no"]: r["outcome_code"] for r in res["rows"]}["F1"] == "fast_track"
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2")
    el = {r["emp_no"]: r for r in json.loads(ok(db, "--json", "cycle", "eligibility", "2026H2").stdout)["rows"]}
    pending = [x for x in el["F1"]["reasons"] if x["code"] == "promotion_pending"]
    assert not el["F1"]["may_register"] and pending[0]["text"].startswith("promoted in cycle 2026H1 (fast track), not "
                                                                          "yet in force")
    assert pending[0]["params"]["kind"]["code"] == "fast_track"
    ok(db, "cycle", "publish", "2026H1", "--out", tmp_path / "n", today="2026-06-20")
    ok(db, "cycle", "close", "2026H1", today="2026-06-30")  # effective 2027-01-01, after the 2026H2 exam
    el = {r["emp_no"]: r for r in json.loads(ok(db, "--json", "cycle", "eligibility", "2026H2").stdout)["rows"]}
    pending = [x["text"] for x in el["F1"]["reasons"] if x["code"] == "promotion_pending"]
    assert not el["F1"]["may_register"] and pending == [
        "promoted in cycle 2026H1 (fast track), effective 2027-01-01, after this exam on 2026-12-15: one promotion "
        "must take effect before the next is sat"]
    r = run(db, "cycle", "register", "2026H2", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["F1"]]))
    assert r.exit_code == 1
