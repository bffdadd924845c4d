"""A cycle of each kind from create to scored, through the command line."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli.cli.app import app
from gradecli.services import cycles
from gradecli.services.context import Context
from tests.helpers import person, roster, write_xlsx

runner = CliRunner()
BANKS = Path(__file__).resolve().parents[2] / "question_bank"


def run(db, *args):
    return runner.invoke(app, ["--db", db, *[str(a) for a in args]])


def ok(db, *args):
    r = run(db, *args)
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture
def org(db_url, tmp_path):
    people = [person(f"K{i}", title="中级", frontline="是" if i == 5 else "否") for i in range(1, 7)]
    people.append(person("H1", family="航标"))
    ok(db_url, "staff", "import", roster(tmp_path / "r.xlsx", people))
    grades = [["K1", 2, 3, date(2024, 1, 1)], ["K2", 2, 3, date(2024, 1, 1)], ["K3", 2, 3, date(2025, 12, 1)],
              ["K4", 2, 1, date(2025, 1, 1)], ["K5", 2, 1, date(2025, 9, 1)], ["K6", 2, 2, date(2026, 3, 1)],
              ["H1", 2, 3, date(2020, 1, 1)]]
    ok(db_url, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"], grades))
    ratings = [[f"K{i}", 2025, "优秀" if i == 3 else "良好", "否"] for i in range(1, 7)]
    ok(db_url, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"], ratings))
    ok(db_url, "bank", "import", *[BANKS / f / f"tier-{t}.yaml" for f in ("客服", "common") for t in (2, 3)])
    return db_url


def fill(sheet: Path, out: Path, value_for) -> None:
    wb = load_workbook(sheet)
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row[4:]:
                cell.value = value_for(ws.cell(row=1, column=cell.column).comment.text)
    wb.save(out)


def plausible(comment: str):
    if comment.startswith("single") or comment.startswith("multiple"):
        return random.choice("ABCD")
    if comment.startswith("true or false"):
        return random.choice(["对", "错"])
    if comment.startswith("fill"):
        return "答案"
    return 3


def test_annual_cycle_from_create_to_scored(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026", "--family", "客服", "--code", "2026")
    el = json.loads(ok(db, "--json", "cycle", "eligibility", "2026", "--out", tmp_path / "el.xlsx").stdout)
    status = {r["emp_no"]: r for r in el["rows"]}
    assert status["K1"]["eligible"] is True and status["K2"]["eligible"] is True
    assert status["K3"]["fast_track_applicant"] is True  # 优秀, inside the 24-month wait
    assert status["K3"]["status"]["code"] == "fast_track_applicant" and status["K3"]["may_register"] is True
    assert status["K4"]["eligible"] is False and status["K4"]["reasons"][0]["code"] == "not_top_of_tier"
    assert status["K4"]["reasons"][0]["text"] == "not at the top level of tier 2 (holds 2-1; a tier step needs level 3)"
    assert "H1" not in status  # outside the cycle's scope
    # a step out of order: papers before registration
    r = run(db, "cycle", "issue-papers", "2026")
    assert r.exit_code == 1 and "first register candidates" in r.stderr
    # an ineligible name in a file refuses the whole file
    bad = write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K4"]])
    r = run(db, "cycle", "register", "2026", "--file", bad)
    assert r.exit_code == 1 and "K4" in r.stderr and "not at the top level" in r.stderr
    assert json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)["rows"] == []
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg2.xlsx", ["工号"], [["K1"], ["K2"], ["K3"]]))
    ok(db, "cycle", "withdraw", "2026", "K2")
    r = json.loads(ok(db, "--json", "cycle", "issue-papers", "2026", "--seed", "t").stdout)
    assert r["groups"][0]["tier"] == 3  # an annual candidate sits the paper of the tier applied for
    ok(db, "paper", "export", "--cycle", "2026", "--out", tmp_path / "papers", "--format", "html")
    assert len(list((tmp_path / "papers").glob("*-key.html"))) == 2
    r = run(db, "cycle", "withdraw", "2026", "K1")
    assert r.exit_code == 1 and "withdrawal" in r.stderr
    ok(db, "cycle", "answer-sheet", "2026", "--out", tmp_path / "sheet.xlsx")
    ws = load_workbook(tmp_path / "sheet.xlsx").worksheets[0]
    assert [c.value for c in ws[1]][:5] == ["周期 / Cycle", "工号 / Employee No.", "姓名 / Name", "试卷 / Paper", "题1 / Q1"]
    assert ws.max_column == 4 + 47
    random.seed(1)
    fill(tmp_path / "sheet.xlsx", tmp_path / "filled.xlsx", plausible)
    r = json.loads(ok(db, "--json", "cycle", "import-answers", "2026", tmp_path / "filled.xlsx").stdout)
    assert r["scored"] == 2 and r["state"] == "papers_issued"
    shown = json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)
    assert shown["missing"]["skill"] == ["K1", "K3"]
    skill = write_xlsx(tmp_path / "skill.xlsx", ["工号 / Employee No.", "实操成绩 / Skill score"], [["K1", 78.5], ["K3", 91]])
    r = json.loads(ok(db, "--json", "cycle", "import-scores", "2026", skill, "--part", "skill").stdout)
    assert r["state"] == "scored"
    shown = json.loads(ok(db, "--json", "cycle", "show", "2026", "--out", tmp_path / "res.xlsx").stdout)
    by = {r["emp_no"]: r for r in shown["rows"]}
    assert by["K1"]["skill"] == 78.5 and by["K3"]["performance"] == 95 and by["K1"]["performance"] == 85
    assert float(by["K1"]["theory"]) >= 0 and (tmp_path / "res.xlsx").exists()
    # re-importing replaces and says so
    r = json.loads(ok(db, "--json", "cycle", "import-answers", "2026", tmp_path / "filled.xlsx").stdout)
    assert sorted(r["replaced"]) == ["K1", "K3"]


def test_semiannual_cycle_and_bad_answer_sheets(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2", "--family", "客服", "--code", "2026H2")
    r = json.loads(ok(db, "--json", "cycle", "register", "2026H2", "--all-eligible").stdout)
    assert r["registered"] == 2  # K4 (12 months at 2-1), K5 (front-line: 8 months)
    ok(db, "cycle", "issue-papers", "2026H2", "--mode", "shared", "--variants", "2", "--seed", "s")
    ok(db, "cycle", "answer-sheet", "2026H2", "--out", tmp_path / "sheet.xlsx")
    random.seed(2)
    fill(tmp_path / "sheet.xlsx", tmp_path / "filled.xlsx", plausible)
    wb = load_workbook(tmp_path / "filled.xlsx")
    ws = wb.worksheets[0]
    ws["E2"] = "E"            # not among four options
    ws.cell(row=2, column=4 + 47).value = 9   # short answer over its 5 points
    ws["D3"] = "P2-9999-A"    # not the candidate's paper
    ws.append(["2026H2", "K6", "", "P2-0001-A"])  # not registered
    ws.cell(row=1, column=4 + 48).value = "题48"   # past the paper's last question ...
    ws.cell(row=2, column=4 + 48).value = "A"       # ... and answered there
    wb.save(tmp_path / "bad.xlsx")
    r = run(db, "cycle", "import-answers", "2026H2", tmp_path / "bad.xlsx")
    assert r.exit_code == 2
    err = r.stderr
    assert "row 2, column 题1: 'E' is not an option (A–D)" in err
    assert "row 2, column 题47: 9 is outside 0–5 points" in err
    assert "row 3, column 试卷: paper P2-9999-A is not" in err
    assert "row 4, column 工号: K6 is not registered for cycle 2026H2" in err
    assert "row 2, column 题48: the paper has 47 questions; leave this column empty" in err
    ctx = Context(url=db)
    assert all(r["theory"] is None for r in cycles.show(ctx, "2026H2").rows), "nothing written"
    other = load_workbook(tmp_path / "filled.xlsx")
    other.worksheets[0]["A2"] = "2026H1"
    other.save(tmp_path / "other.xlsx")
    r = run(db, "cycle", "import-answers", "2026H2", tmp_path / "other.xlsx")
    assert r.exit_code == 2 and "this sheet is for cycle 2026H1, not 2026H2" in r.stderr
    # an answer past the last question is found wherever its column stands
    early = load_workbook(tmp_path / "filled.xlsx")
    ws = early.worksheets[0]
    ws.insert_cols(5)
    ws.cell(row=1, column=5).value = "题48"
    ws.cell(row=3, column=5).value = "B"
    early.save(tmp_path / "early.xlsx")
    r = run(db, "cycle", "import-answers", "2026H2", tmp_path / "early.xlsx")
    assert r.exit_code == 2 and "row 3, column 题48: the paper has 47 questions; leave this column empty" in r.stderr
    bad_skill = write_xlsx(tmp_path / "s.xlsx", ["工号", "实操成绩"], [["K4", 101], ["K5", "良"]])
    r = run(db, "cycle", "import-scores", "2026H2", bad_skill, "--part", "skill")
    assert r.exit_code == 2 and "101 is outside 0–100" in r.stderr and "'良' is not a number" in r.stderr
    # a candidate with no row is absent
    wb = load_workbook(tmp_path / "filled.xlsx")
    wb.worksheets[0].delete_rows(3)
    wb.save(tmp_path / "one.xlsx")
    r = json.loads(ok(db, "--json", "cycle", "import-answers", "2026H2", tmp_path / "one.xlsx").stdout)
    assert len(r["absent"]) == 1


def test_create_rules(org):
    db = org
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2027")
    r = run(db, "cycle", "create", "--kind", "annual", "--period", "2027")
    assert r.exit_code == 1 and "already exists" in r.stderr
    r = run(db, "cycle", "create", "--kind", "semiannual", "--period", "2027")
    assert r.exit_code == 2 and "2026H1 or 2026H2" in r.stderr
    listing = json.loads(ok(db, "--json", "cycle", "list").stdout)
    assert listing["rows"][0]["exam_date"] == "2027-11-15"


def test_certificates_required_by_the_policy_bar_a_tier_step(org, tmp_path):
    """The policy asks a certificate for tier 3; the roster's 证书 column says who holds it."""
    db = org
    policy = tmp_path / "policy.toml"
    ok(db, "policy", "init", policy)
    text = policy.read_text(encoding="utf-8")
    assert "certificate_requirements = {  }" in text
    policy.write_text(text.replace("certificate_requirements = {  }", 'certificate_requirements = { 3 = ["客服中级证书"] }'),
                      encoding="utf-8")
    ok(db, "policy", "check", policy)
    headers = ["工号", "姓名", "部门", "岗位序列", "岗位", "专业技术岗位", "一线岗位", "职称", "参加工作日期", "入职日期", "在职", "证书"]
    ok(db, "staff", "import", roster(tmp_path / "c.xlsx", [person("K1", title="中级") + ["客服中级证书"],
                                                          person("K2", title="中级") + [""]], headers))
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026", "--family", "客服", "--code", "2026")
    el = json.loads(ok(db, "--policy", policy, "--json", "cycle", "eligibility", "2026").stdout)
    status = {r["emp_no"]: r for r in el["rows"]}
    assert status["K1"]["eligible"] is True
    assert status["K2"]["eligible"] is False
    assert [r["text"] for r in status["K2"]["reasons"]] == ["lacks the certificate 客服中级证书, required for tier 3"]
    assert status["K2"]["reasons"][0]["params"] == {"certificates": ["客服中级证书"], "tier": 3}
    shown = json.loads(ok(db, "--json", "staff", "show", "K1").stdout)
    assert shown["certificates"] == ["客服中级证书"]


def test_a_family_without_a_bank_is_refused_by_name_and_nothing_is_written(org, tmp_path):
    db = org
    extra = [person("H2", family="航标", dept="航标一队", post="航标维护"),
             person("T1", family="通信", dept="通信中心", post="岸台值班")]
    ok(db, "staff", "import", roster(tmp_path / "r2.xlsx", [person(f"K{i}", title="中级", frontline="是" if i == 5 else "否")
                                                          for i in range(1, 7)] + [person("H1", family="航标")] + extra))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g2.xlsx", ["工号", "等", "级", "生效日期"],
                                         [["H2", 2, 3, date(2020, 1, 1)], ["T1", 2, 3, date(2020, 1, 1)]]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p2.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [[e, 2025, "良好", "否"] for e in ("H1", "H2", "T1")]))
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["H2"], ["T1"]]))
    r = run(db, "cycle", "issue-papers", "2026", "--seed", "x")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert "Error: tier 3 航标 (1 candidates): no question bank for 航标 tier 3: add question_bank/航标/tier-3.yaml " \
           "or import a sheet from `gradecli bank template`" in lines
    assert any(ln.startswith("Error: tier 3 通信 (1 candidates): no question bank for 通信 tier 3") for ln in lines)
    assert not any("客服" in ln for ln in lines)  # the family with a bank is not in the way
    assert json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)["state"] == "open"  # nothing half-written
    r = run(db, "paper", "generate", "--tier", "3", "--family", "通信", "--count", "2")
    assert r.exit_code == 1 and r.stderr.startswith("Error: no question bank for 通信 tier 3: add question_bank/通信/tier-3.yaml")
    ok(db, "bank", "import", BANKS / "航标" / "tier-3.yaml", BANKS / "通信" / "tier-3.yaml")
    out = json.loads(ok(db, "--json", "cycle", "issue-papers", "2026", "--seed", "x").stdout)
    assert sorted(g["family"] for g in out["groups"]) == ["客服", "航标", "通信"]
