"""Whole cycles through evaluation, notice, objections and closing, checked against the ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from openpyxl import load_workbook

from gradecli.services import grades
from gradecli.services.context import Context
from tests.cli.story import ROOT, ok, publish_semiannual, run, seed_office, sit
from tests.helpers import person, roster, write_xlsx


def kinds(db, emp):
    return [(e["kind"], e["to"], e["effective"].isoformat()) for e in grades.history(Context(url=db), emp).rows]


@pytest.fixture
def org(db_url, tmp_path):
    return seed_office(db_url, tmp_path)


def test_whole_annual_cycle(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K2"], ["K3"]]))
    ok(db, "cycle", "issue-papers", "2026", "--seed", "a")
    r = run(db, "cycle", "evaluate", "2026")
    assert r.exit_code == 1 and "import the answer sheets" in r.stderr
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 70, "K3": 95})
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026").stdout)
    out = {r["emp_no"]: r["outcome_code"] for r in res["rows"]}
    assert out == {"K1": "promoted", "K2": "qualified_not_promoted", "K3": "fast_track"}
    q = res["quotas"]["客服 → tier 3"]
    assert q["quota"] == 1 and q["derivation"]["code"] == "quota_share_of_eligible"  # a derivation is data
    assert q["derivation"]["params"] == {"percent": 40, "base": 2, "exact": 0.8, "floor": 0, "raised": True}
    assert q["derivation"]["text"] == "40 percent of 2 eligible = 0.8, rounded down to 0, raised to 1 because someone passed"
    pub = json.loads(ok(db, "--json", "cycle", "publish", "2026", "--out", tmp_path / "n", today="2026-11-20").stdout)
    assert pub["window_ends"] == "2026-11-27"
    html = (tmp_path / "n" / "notice-2026-r1.html").read_text(encoding="utf-8")
    assert "theory exam ≥ 60" in html and "K2" in html and "2026-11-27" in html and "40 percent of 2 eligible = 0.8" in html
    results = html.split("3. Results")[1]
    assert "qualified; the quota is filled, not promoted" in results and "deferral:" not in results  # public wording only
    assert "disciplinary" not in results and "disciplinary record in 2025" not in html and "rating 不合格" not in html
    # the deferral rule, not a span of months
    assert "no registration for the next inter-tier exam or the next intra-tier exam held after it takes effect" in html
    ok(db, "cycle", "appeal", "2026", "K2", "--reason", "名次有误", today="2026-11-22")
    r = run(db, "cycle", "close", "2026", today="2026-11-30")
    assert r.exit_code == 1 and "objections still pending: K2" in r.stderr
    ok(db, "cycle", "resolve", "2026", "K2", "--reject", "--note", "名次核对无误")
    r = run(db, "cycle", "appeal", "2026", "K1", "--reason", "x", today="2026-11-28")
    assert r.exit_code == 1 and "closed on 2026-11-27" in r.stderr
    r = run(db, "cycle", "close", "2026", today="2026-11-25")
    assert r.exit_code == 1 and "objection window runs until 2026-11-27" in r.stderr
    closed = json.loads(ok(db, "--json", "cycle", "close", "2026", today="2026-11-30").stdout)
    assert closed["effective"] == "2026-12-01"
    assert kinds(db, "K1")[-1] == ("tier_promotion", "3-1", "2026-12-01")
    assert kinds(db, "K3")[-1] == ("fast_track", "3-1", "2026-12-01")
    assert kinds(db, "K2")[-1][0] == "initial_placement"  # qualified, not promoted: no event
    assert ("demotion", "1-3", "2026-12-01") in kinds(db, "K4")  # rated 不合格: down one level, to tier 1's top
    assert ("deferral", None, "2026-12-01") in kinds(db, "K4")  # a deferral carries no grade
    assert kinds(db, "K5")[-1] == ("deferral", None, "2026-12-01")  # disciplinary record
    # outcomes, not events: the grade each person holds after closing is the notice's
    as_of = {r["emp_no"]: (r["tier"], r["level"]) for r in grades.as_of(Context(url=db), date(2026, 12, 1)).rows}
    assert {k: as_of[k] for k in ("K1", "K2", "K3", "K4", "K5")} == {
        "K1": (3, 1), "K2": (2, 3), "K3": (3, 1), "K4": (1, 3), "K5": (2, 2)}
    hist = grades.history(Context(url=db), "K1").rows[-1]
    assert hist["evidence"]["composite"] and hist["cycle"] == "2026"
    again = json.loads(ok(db, "--json", "cycle", "close", "2026", today="2026-12-01").stdout)
    assert again["events"] == 0 and len(kinds(db, "K1")) == 2
    r = run(db, "cycle", "import-scores", "2026", tmp_path / "2026-skill.xlsx", "--part", "skill")
    assert r.exit_code == 1 and "closed and read-only" in r.stderr
    ok(db, "audit", "verify")
    # the deferral bars K5 from the next cycle of each kind after 2026-12-01: 2026H2 and 2027, not 2027H1
    deferral = grades.history(Context(url=db), "K5").rows[-1]
    assert deferral["cycle"] == "2026" and deferral["evidence"]["cycle"] == "2026"
    for period in ("2026H2", "2027H1"):
        ok(db, "cycle", "create", "--kind", "semiannual", "--period", period)
    el = {r["emp_no"]: r for r in json.loads(ok(db, "--json", "cycle", "eligibility", "2026H2").stdout)["rows"]}
    assert el["K5"]["eligible"] is False
    assert [r["text"] for r in el["K5"]["reasons"]] == ["deferral decided in cycle 2026: bars the cycles 2026H2, 2027"]
    assert el["K5"]["next_date"] == "2027-06-15"  # the exam of 2027H1, the first semiannual cycle not barred
    el = {r["emp_no"]: r for r in json.loads(ok(db, "--json", "cycle", "eligibility", "2027H1").stdout)["rows"]}
    assert el["K5"]["eligible"] is True and el["K5"]["reasons"] == []


def test_semiannual_cycles_appeal_and_second_failure(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H1", "--exam-date", "2026-06-15")
    ok(db, "cycle", "register", "2026H1", "--file", write_xlsx(tmp_path / "r1.xlsx", ["工号"], [["K6"]]))
    ok(db, "cycle", "issue-papers", "2026H1", "--seed", "h1")
    sit(db, "2026H1", tmp_path, {"K6": -6}, {"K6": 70})
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026H1").stdout)
    assert res["rows"][0]["outcome_code"] == "failed"
    ok(db, "cycle", "publish", "2026H1", "--out", tmp_path / "n1", today="2026-06-20")
    ok(db, "cycle", "close", "2026H1", today="2026-06-30")
    assert kinds(db, "K6")[-1][0] == "initial_placement"  # a first failure changes nothing

    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2")
    ok(db, "cycle", "register", "2026H2", "--file", write_xlsx(tmp_path / "r2.xlsx", ["工号"], [["K6"], ["K7"]]))
    ok(db, "cycle", "issue-papers", "2026H2", "--seed", "h2")
    sit(db, "2026H2", tmp_path, {"K6": -6, "K7": 6}, {"K6": 70, "K7": 7.8})  # K7's 78 keyed as 7.8
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026H2").stdout)
    out = {r["emp_no"]: r for r in res["rows"]}
    assert out["K7"]["outcome_code"] == "failed" and out["K7"]["outcome"]["code"] == "failed"
    failed = out["K7"]["reasons"][0]
    assert failed["code"] == "failed" and failed["text"] == "failed: skill 7.8 < pass mark 60"
    assert failed["params"]["parts"] == [{"code": "skill_below_pass", "params": {"score": 7.8, "mark": 60},
                                          "text": "skill 7.8 < pass mark 60"}]
    assert any(d["emp_no"] == "K6" and d["kind"] == "demotion" and d["to"] == "1-3" for d in res["decisions"])
    ok(db, "cycle", "publish", "2026H2", "--out", tmp_path / "n2", today="2026-12-20")
    ok(db, "cycle", "appeal", "2026H2", "K7", "--reason", "实操成绩登记有误", today="2026-12-21")
    ok(db, "cycle", "resolve", "2026H2", "K7", "--uphold", "--note", "复核为 78.0", today="2026-12-22")
    # only the reopened candidate may be corrected
    r = run(db, "cycle", "import-scores", "2026H2", write_xlsx(tmp_path / "x.xlsx", ["工号", "实操成绩"], [["K6", 90]]), "--part", "skill")
    assert r.exit_code == 2 and "published and are final" in r.stderr
    ok(db, "cycle", "import-scores", "2026H2", write_xlsx(tmp_path / "fix.xlsx", ["工号", "实操成绩"], [["K7", 78]]), "--part", "skill")
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026H2").stdout)
    assert {r["emp_no"]: r["outcome_code"] for r in res["rows"]}["K7"] == "promoted"
    pub = json.loads(ok(db, "--json", "cycle", "publish", "2026H2", "--out", tmp_path / "n2", today="2026-12-23").stdout)
    k7 = [c for c in pub["changes"] if c["code"] == "result_changed" and c["params"]["emp_no"] == "K7"]
    assert pub["revision"] == 2 and len(k7) == 1 and k7[0]["text"].startswith("K7 ") and "Skill 7.8 → 78.0" in k7[0]["text"]
    revised = (tmp_path / "n2" / "notice-2026H2-r2.html").read_text(encoding="utf-8")
    assert "revision 2</title>" in revised and "After review, 1 objection(s) were upheld" in revised
    # the objection's text, the resolution note and the reasons stay internal (个人信息保护)
    assert "实操成绩登记有误" not in revised and "复核为 78.0" not in revised and "< pass mark" not in revised
    ok(db, "cycle", "results", "2026H2", "--out", tmp_path / "internal.xlsx")
    internal = load_workbook(tmp_path / "internal.xlsx")
    assert internal.sheetnames[0] == "Internal notes" and all(n.startswith("Internal") for n in internal.sheetnames)
    texts = {str(c.value) for ws in internal.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert {"实操成绩登记有误", "复核为 78.0"} <= texts
    ok(db, "cycle", "close", "2026H2", today="2027-01-04")
    assert kinds(db, "K7")[-1] == ("level_promotion", "2-2", "2027-02-01")
    assert kinds(db, "K6")[-1] == ("demotion", "1-3", "2027-02-01")


def test_force_close_needs_a_reason_and_is_recorded(org, tmp_path):
    db = org
    publish_semiannual(db, tmp_path, {"K7": 80}, seed="f")
    r = run(db, "cycle", "close", "2026H2", "--force", today="2026-12-21")
    assert r.exit_code == 2 and "--force needs --reason" in r.stderr
    done = json.loads(ok(db, "--json", "cycle", "close", "2026H2", "--force", "--reason", "上级要求提前生效", today="2026-12-21").stdout)
    assert done["events"] == 1 and done["effective"] == "2027-01-01"


def test_first_evaluation_preview_publish_object_close(db_url, tmp_path):
    db = db_url
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [
        person("N1", title="中级", start=date(2010, 1, 1)), person("N2", title="中级", start=date(2023, 3, 1), hire=date(2023, 3, 1)),
        person("N3", professional="否")]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [["N1", y, "优秀", "否"] for y in (2023, 2024, 2025)] + [["N2", 2025, "良好", "否"]]))
    scores = write_xlsx(tmp_path / "s.xlsx", ["工号", "理论成绩"], [["N1", 35]])
    prev = json.loads(ok(db, "--json", "first-evaluation", "--as-of", "2026-01-01", "--scores", scores,
                         "--out", tmp_path / "fe.xlsx").stdout)
    by = {r["emp_no"]: r for r in prev["rows"]}
    assert set(by) == {"N1", "N2"}  # N3 is not professional-technical
    # same title, placed by the appraisal record; a low exam score lowers nobody
    assert by["N1"]["grade"] == "4-3"
    assert by["N1"]["reasons"][0] == {"code": "placement_by_appraisals", "params": {"ratings": ["优秀"] * 3, "mean": 4,
                                                                                "tier": 4},
                                      "text": "appraisals 优秀, 优秀, 优秀: mean 4.00 points → tier 4"}
    assert by["N1"]["reasons"][-1]["code"] == "placement_exam_reference" and by["N1"]["exam"] == 35
    assert by["N2"]["grade"] == "3-1"
    assert grades.as_of(Context(url=db), date(2026, 1, 1)).rows == []  # a preview writes nothing
    r = run(db, "first-evaluation", "--as-of", "2026-01-01", "--apply")
    assert r.exit_code == 1 and "--publish" in r.stderr  # published first, by default
    pub = json.loads(ok(db, "--json", "first-evaluation", "--as-of", "2026-01-01", "--publish", tmp_path / "n",
                        today="2026-01-05").stdout)
    assert pub["cycle"] == "F2026" and pub["notice"]["window_ends"] == "2026-01-12"
    html = (tmp_path / "n" / "notice-F2026-r1.html").read_text(encoding="utf-8")
    assert "Public notice of the first grade placement" in html and "work performance is the main basis" in html
    assert "N1" in html and "优秀" not in html.split("3. Results")[1]  # appraisals stay internal
    assert grades.as_of(Context(url=db), date(2026, 1, 1)).rows == []  # nothing in the ledger until closing
    ok(db, "cycle", "appeal", "F2026", "N2", "--reason", "2024年度考核漏录", today="2026-01-08")
    ok(db, "cycle", "resolve", "F2026", "N2", "--uphold", "--note", "补录2024年度考核", today="2026-01-09")
    ok(db, "perf", "import", write_xlsx(tmp_path / "p2.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [["N2", 2024, "优秀", "否"]]))
    again = json.loads(ok(db, "--json", "first-evaluation", "--as-of", "2026-01-01", "--publish", tmp_path / "n",
                          today="2026-01-10").stdout)
    assert {r["emp_no"]: r["grade"] for r in again["rows"]}["N2"] == "3-1"  # mean 3.5: still tier 3
    assert again["notice"]["revision"] == 2
    ok(db, "cycle", "close", "F2026", today="2026-01-20")
    assert kinds(db, "N1") == [("initial_placement", "4-3", "2026-01-01")]
    assert json.loads(ok(db, "--json", "audit", "cycle", "F2026").stdout)["ok"]
    left = json.loads(ok(db, "--json", "first-evaluation", "--as-of", "2026-01-01").stdout)
    assert left["rows"] == []
    direct = tmp_path / "direct.toml"
    direct.write_text("[first_evaluation]\nnotice_required = false\n", encoding="utf-8")
    ok(db, "staff", "import", roster(tmp_path / "r2.xlsx", [person("N4", hire=date(2020, 1, 1))]))
    ok(db, "--policy", direct, "first-evaluation", "--as-of", "2026-03-01", "--apply")
    assert kinds(db, "N4") == [("initial_placement", "1-3", "2026-03-01")]  # no appraisal: tier 1; 10 years: level 3


CLOSE_SCRIPT = """
import sys
from gradecli.services.context import Context
from gradecli.services import evaluation
ctx = Context(url=sys.argv[1], pretend_today=__import__("datetime").date(2027, 1, 4))
print(evaluation.close(ctx, "2026H2").data["events"])
"""


def test_two_closes_at_once_write_one_set_of_events(org, tmp_path):
    db = org
    publish_semiannual(db, tmp_path, {"K6": 80, "K7": 80}, seed="c")
    procs = [subprocess.Popen([sys.executable, "-c", CLOSE_SCRIPT, db], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    counts = sorted(int(out.strip().splitlines()[-1]) for out, _ in results)
    assert counts == [0, 2], results
    ledger = grades.history(Context(url=db), "K6").rows + grades.history(Context(url=db), "K7").rows
    assert sum(1 for e in ledger if e["kind"] == "level_promotion") == 2
    ok(db, "audit", "verify")
