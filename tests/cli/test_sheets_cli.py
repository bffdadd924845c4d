"""Sheets that cannot be imported say so in one line; templates import only what the officer wrote."""

from __future__ import annotations

import json
import os
import random
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli.cli.app import app
from gradecli.domain.ladder import Ladder
from gradecli.domain.policy import Policy
from tests.cli.test_cycle_cli import fill, org, plausible  # noqa: F401 (org is a fixture)
from tests.helpers import ROSTER_HEADERS, person, roster, write_xlsx

runner = CliRunner()
NO_DATA = "no data rows; write one row per record under the header row (row 1), then import again"


def run(db, *args):
    return runner.invoke(app, ["--db", db, *[str(a) for a in args]])


def ok(db, *args):
    r = run(db, *args)
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture
def sqlite_db(tmp_path):
    return f"sqlite:///{tmp_path / 'hr.db'}"


def _bank_headers() -> list[str]:
    from gradecli.formats.bank_excel import columns

    return [c.header for c in columns()]


# every import: (command words before FILE, words after it, headers of its sheet)
IMPORTS = {
    "staff import": (["staff", "import"], [], ROSTER_HEADERS),
    "perf import": (["perf", "import"], [], ["工号", "年度", "考核等次", "处分"]),
    "grade import": (["grade", "import"], [], ["工号", "等", "级", "生效日期"]),
    "allowance import": (["allowance", "import"], [], ["岗位序列", "等", "级", "月津贴", "生效日期"]),
    "bank import": (["bank", "import"], [], _bank_headers()),
    "cycle register --file": (["cycle", "register", "2026"], ["--file"], ["工号"]),
    "cycle import-answers": (["cycle", "import-answers", "2026"], [], ["周期", "工号", "姓名", "试卷", "题1", "题2"]),
    "cycle import-scores": (["cycle", "import-scores", "2026"], [], ["工号", "实操成绩"]),
    "first-evaluation --scores": (["first-evaluation", "--as-of", "2026-01-01"], ["--scores"], ["工号", "理论成绩"]),
}


def _import(db, name: str, f: Path):
    before, flag, _ = IMPORTS[name]
    return run(db, *before, *flag, f)


@pytest.mark.parametrize("blank", ["headers only", "only blank rows"])
@pytest.mark.parametrize("name", list(IMPORTS))
def test_a_sheet_without_data_rows_is_refused(name, blank, sqlite_db, tmp_path):
    headers = IMPORTS[name][2]
    rows = [[" "] * len(headers), [None] * len(headers), ["", "\t"]] if blank == "only blank rows" else []
    sheet = "数据"
    f = write_xlsx(tmp_path / "empty.xlsx", headers, rows, sheet)
    r = _import(sqlite_db, name, f)
    assert r.exit_code == 2, r.output
    assert r.stderr == f"Error: {f}, sheet {sheet}: {NO_DATA}\n"


def test_blank_rows_between_data_rows_are_skipped_silently(sqlite_db, tmp_path):
    f = roster(tmp_path / "r.xlsx", [person("K1"), [None] * 11, [" "] * 11, person("K2"), [""] * 11])
    r = ok(sqlite_db, "--json", "staff", "import", f)
    data = json.loads(r.stdout)
    assert (data["rows"], data["added"], data["notes"]) == (2, 2, [])


@pytest.mark.parametrize("what", ["wrong path", "csv", "renamed text"])
def test_a_file_that_is_not_a_workbook(what, sqlite_db, tmp_path):
    f = tmp_path / {"wrong path": "nosuch.xlsx", "csv": "roster.csv", "renamed text": "roster.xlsx"}[what]
    says = {"wrong path": f"{f}: no such file; check the file name and the folder",
            "csv": f"{f}: a CSV file, not an Excel workbook; open it in Excel and save it as an Excel Workbook (.xlsx), "
                   "then import that file",
            "renamed text": f"{f}: not an Excel workbook (whatever its name says); open it in Excel and save it as an "
                            "Excel Workbook (.xlsx), then import that file"}[what]
    if what != "wrong path":
        f.write_text("工号,姓名\nK1,张三\n", encoding="utf-8")
    for cmd in (["staff", "import"], ["perf", "import"], ["grade", "import"], ["allowance", "import"],
                ["cycle", "import-answers", "2026"], ["cycle", "import-scores", "2026"], ["cycle", "register", "2026", "--file"]):
        r = run(sqlite_db, *cmd, f)
        assert r.exit_code == 2, r.output
        assert r.stderr == f"Error: {says}\n", cmd
    assert not (tmp_path / "hr.db").exists()  # refused before the database is opened


def test_a_locked_file(sqlite_db, tmp_path, monkeypatch):
    import gradecli.formats.excel as excel

    f = roster(tmp_path / "r.xlsx", [person("K1")])

    def locked(*_a, **_k):
        raise PermissionError(13, "Permission denied", str(f))

    monkeypatch.setattr(excel, "open", locked, raising=False)  # as Excel on Windows holds an open workbook
    r = run(sqlite_db, "staff", "import", f)
    assert r.exit_code == 2
    assert r.stderr == (f"Error: {f}: cannot be read (permission denied); close it in Excel or any other program, "
                        "make sure you may read it, then import again\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files anyway")
def test_an_unreadable_file(sqlite_db, tmp_path):
    f = roster(tmp_path / "r.xlsx", [person("K1")])
    f.chmod(0)
    r = run(sqlite_db, "staff", "import", f)
    assert r.exit_code == 2 and r.stderr.startswith(f"Error: {f}: cannot be read (permission denied)")


# ---------------------------------------------------------------- templates

def _append(path: Path, sheet: str, rows) -> Path:
    wb = load_workbook(path)
    for row in rows:
        wb[sheet].append(row)
    wb.save(path)
    return path


def _check_template(path: Path, sheet: str, *, validations: int) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    assert ws.max_row == 1, "no example row in the sheet that is imported"
    assert all(c.comment is not None for c in ws[1])
    assert len(ws.data_validations.dataValidation) >= validations
    notes = wb["说明 Notes"]
    assert [c.value for c in notes[1]][0] == "说明 / Notes"
    assert any(row[0] == "示例 / Example — 仅供参考 (shows how a filled row looks)"
               for row in notes.iter_rows(values_only=True))


def test_roster_template_imports_only_what_was_written(sqlite_db, tmp_path):
    tpl = tmp_path / "roster.xlsx"
    ok(sqlite_db, "staff", "template", tpl)
    _check_template(tpl, "Roster", validations=4)
    r = run(sqlite_db, "staff", "import", tpl)
    assert r.exit_code == 2 and r.stderr == f"Error: {tpl}, sheet Roster: {NO_DATA}\n"
    _append(tpl, "Roster", [person("H7", family="航标"), person("H8", family="航标", title="中级")])
    r = json.loads(ok(sqlite_db, "--json", "staff", "import", tpl).stdout)
    assert (r["rows"], r["added"]) == (2, 2)
    listed = json.loads(ok(sqlite_db, "--json", "staff", "list").stdout)
    assert [p["emp_no"] for p in listed["rows"]] == ["H7", "H8"]


def test_ratings_and_grades_templates(sqlite_db, tmp_path):
    ok(sqlite_db, "staff", "import", roster(tmp_path / "r.xlsx", [person("K1"), person("K2")]))
    perf, grades = tmp_path / "perf.xlsx", tmp_path / "grades.xlsx"
    ok(sqlite_db, "perf", "template", perf)
    ok(sqlite_db, "grade", "template", grades)
    _check_template(perf, "Ratings", validations=3)
    _check_template(grades, "Grades", validations=3)
    for f, sheet in ((perf, "Ratings"), (grades, "Grades")):
        r = run(sqlite_db, "perf" if f == perf else "grade", "import", f)
        assert r.stderr == f"Error: {f}, sheet {sheet}: {NO_DATA}\n"
    _append(perf, "Ratings", [["K2", 2025, "优秀", "否"]])
    assert json.loads(ok(sqlite_db, "--json", "perf", "import", perf).stdout)["added"] == 1
    _append(grades, "Grades", [["K1", 2, 3, date(2024, 1, 1)]])
    assert json.loads(ok(sqlite_db, "--json", "grade", "import", grades).stdout)["recorded"] == 1
    shown = json.loads(ok(sqlite_db, "--json", "staff", "show", "K2").stdout)
    assert shown["ratings"] == [{"year": 2025, "rating": "优秀", "disciplinary": False}]
    assert json.loads(ok(sqlite_db, "--json", "staff", "show", "K1").stdout)["grade"] == "2-3"


def test_bank_template_imports_only_what_was_written(sqlite_db, tmp_path):
    tpl = tmp_path / "bank.xlsx"
    ok(sqlite_db, "bank", "template", tpl)
    _check_template(tpl, "Question bank", validations=2)
    r = run(sqlite_db, "bank", "import", tpl)
    assert r.exit_code == 2 and r.stderr == f"Error: {tpl}, sheet Question bank: {NO_DATA}\n"
    question = ["KF-T1-901", 1, "客服", "single", "来电应在几声铃响内接听？", "一声", "三声", "五声", "十声",
                None, None, None, None, "B", 2, 0.8, "服务规范", None, None]
    _append(tpl, "Question bank", [question])
    r = json.loads(ok(sqlite_db, "--json", "bank", "import", tpl).stdout)
    assert (r["questions"], r["added"]) == (1, 1)
    assert json.loads(ok(sqlite_db, "--json", "bank", "stats").stdout)["rows"][0]["active"] == 1


def _table_rows(effective: date, base: int) -> list[list]:
    return [["", g.tier, g.level, base + 10 * g.tier + g.level, effective] for g in Ladder.for_family(Policy(), None).steps()]


def test_allowance_template_round_trip(sqlite_db, tmp_path):
    tpl = tmp_path / "allowance.xlsx"
    r = runner.invoke(app, ["--db", f"sqlite:///{tmp_path}/no/such/dir.db", "allowance", "template", str(tpl)])
    assert r.exit_code == 0, r.output  # writing a template needs no database
    _check_template(tpl, "Allowance table", validations=5)
    ws = load_workbook(tpl)["Allowance table"]
    kinds = {str(dv.sqref)[0]: dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"A": "list", "B": "whole", "C": "whole", "D": "decimal", "E": "date"}
    r = run(sqlite_db, "allowance", "import", tpl)
    assert r.exit_code == 2 and r.stderr == f"Error: {tpl}, sheet Allowance table: {NO_DATA}\n"
    _append(tpl, "Allowance table", _table_rows(date(2026, 1, 1), 100) + [[None] * 5] + _table_rows(date(2027, 1, 1), 200))
    r = json.loads(ok(sqlite_db, "--json", "allowance", "import", tpl).stdout)
    assert r["added"] == ["2026-01-01", "2027-01-01"]
    shown = json.loads(ok(sqlite_db, "--json", "allowance", "show", "--on", "2026-06-01").stdout)
    steps = Ladder.for_family(Policy(), None).steps()
    assert len(shown["rows"]) == len(steps)
    assert {r["grade"]: r["amount"] for r in shown["rows"]}["2-3"] == "123.00"


def test_template_register_round_trip(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026", "--family", "客服", "--code", "2026")
    tpl = tmp_path / "register.xlsx"
    r = json.loads(ok(db, "--json", "cycle", "template-register", "2026", "--out", tpl).stdout)
    assert r["may_register"] == 3
    wb = load_workbook(tpl)
    # the reference sheet's name starts with 参考 in every language, so an import passes it by
    assert wb.sheetnames == ["Registration", "说明 Notes", "参考 who may register"]
    assert [c.value for c in wb["Registration"][1]] == ["工号 / Employee No."]  # an import header: bilingual
    assert wb["Registration"].max_row == 1
    ref = [list(row) for row in wb["参考 who may register"].iter_rows(values_only=True)]
    assert ref[0] == ["Employee No.", "Name", "Department", "Target", "Eligibility"]
    assert [(row[0], row[3], row[4]) for row in ref[1:]] == [("K1", "3-1", "eligible"), ("K2", "3-1", "eligible"),
                                                             ("K3", "3-1", "fast-track applicant")]
    r = run(db, "cycle", "register", "2026", "--file", tpl)
    assert r.exit_code == 2 and r.stderr == f"Error: {tpl}, sheet Registration: {NO_DATA}\n"
    _append(tpl, "Registration", [["K1"], [None], ["K3"]])
    r = json.loads(ok(db, "--json", "cycle", "register", "2026", "--file", tpl).stdout)
    assert (r["registered"], r["total"]) == (2, 2)
    shown = json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)
    assert [p["emp_no"] for p in shown["rows"]] == ["K1", "K3"]
    again = tmp_path / "again.xlsx"
    ok(db, "cycle", "template-register", "2026", "--out", again)
    marks = [row[4] for row in load_workbook(again)["参考 who may register"].iter_rows(min_row=2, values_only=True)]
    assert marks == ["eligible · registered", "eligible", "fast-track applicant · registered"]


def test_template_scores_round_trip(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026", "--family", "客服", "--code", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K2"], ["K3"]]))
    tpl = tmp_path / "skill.xlsx"
    ok(db, "cycle", "template-scores", "2026", "--out", tpl)  # assessors may get their sheet before the papers
    ws = load_workbook(tpl)["Skill scores"]
    panel = [f"评委{n} / Assessor {n}" for n in range(1, 6)]  # the policy's five assessors
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["工号 / Employee No.", "姓名 / Name", "实操成绩 / Skill score", *panel], ["K1", "张三", None] + [None] * 5,
        ["K2", "张三", None] + [None] * 5, ["K3", "张三", None] + [None] * 5]
    assert [dv.type for dv in ws.data_validations.dataValidation] == []  # a number or 缺考: no number-only rule
    ok(db, "cycle", "issue-papers", "2026", "--seed", "t")
    ok(db, "cycle", "answer-sheet", "2026", "--out", tmp_path / "sheet.xlsx")
    random.seed(2)
    fill(tmp_path / "sheet.xlsx", tmp_path / "filled.xlsx", plausible)
    ok(db, "cycle", "import-answers", "2026", tmp_path / "filled.xlsx")
    r = run(db, "cycle", "import-scores", "2026", tpl, "--part", "skill")
    assert r.exit_code == 2
    assert r.stderr == (f"Error: {tpl}, sheet Skill scores: no data rows: column 实操成绩/评委1/评委2/评委3/"
                        "评委4/评委5 is empty in every row; fill it in, then import again\n")
    wb = load_workbook(tpl)
    wb["Skill scores"]["C2"] = 78.5
    wb.save(tpl)
    r = json.loads(ok(db, "--json", "cycle", "import-scores", "2026", tpl, "--part", "skill").stdout)
    assert (r["rows"], r["state"]) == (1, "papers_issued")
    assert r["notes"] == ["2 row(s) without a score, left as they were: K2, K3"]
    wb["Skill scores"]["C3"] = 60
    wb["Skill scores"]["C4"] = "91"
    wb.save(tpl)
    r = json.loads(ok(db, "--json", "cycle", "import-scores", "2026", tpl, "--part", "skill").stdout)
    assert (r["rows"], r["state"], r["replaced"]) == (3, "scored", [])
    shown = {p["emp_no"]: p["skill"] for p in json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)["rows"]}
    assert shown == {"K1": 78.5, "K2": 60.0, "K3": 91.0}  # typed JSON: numbers


def test_skill_scores_from_a_panel_of_assessors(org, tmp_path):
    """'评定过程应公开透明，避免主观因素影响': with five or more marks the highest and the lowest are
    dropped; a recused assessor leaves a blank; every mark is kept as evidence."""
    db = org
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026", "--code", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K2"], ["K3"]]))
    ok(db, "cycle", "issue-papers", "2026", "--seed", "p")
    ok(db, "cycle", "answer-sheet", "2026", "--out", tmp_path / "sheet.xlsx")
    random.seed(3)
    fill(tmp_path / "sheet.xlsx", tmp_path / "filled.xlsx", plausible)
    ok(db, "cycle", "import-answers", "2026", tmp_path / "filled.xlsx")
    heads = ["工号", "评委1", "评委2", "评委3", "评委4", "评委5"]
    panel = write_xlsx(tmp_path / "panel.xlsx", heads, [
        ["K1", 80, 90, 70, 100, 60],      # five marks: drop 100 and 60 → mean of 70, 80, 90 = 80.0
        ["K2", 81, None, 79, 83, None],   # three marks (two recused): plain mean 81.0
        ["K3", "缺考", None, None, None, None]])
    r = json.loads(ok(db, "--json", "cycle", "import-scores", "2026", panel, "--part", "skill").stdout)
    assert r["state"] == "scored" and any("computed from the assessors' marks" in n for n in r["notes"])
    shown = {p["emp_no"]: p for p in json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)["rows"]}
    assert (shown["K1"]["skill"], shown["K2"]["skill"], shown["K3"]["skill"]) == (80.0, 81.0, None)  # K3: 缺考
    assert shown["K1"]["skill_marks"] == ["80.0", "90.0", "70.0", "100.0", "60.0"]  # every mark kept
    assert shown["K2"]["skill_marks"] == ["81.0", None, "79.0", "83.0", None]
    both = write_xlsx(tmp_path / "both.xlsx", ["工号", "实操成绩", "评委1"], [["K1", 80, 80]])
    r = run(db, "cycle", "import-scores", "2026", both, "--part", "skill")
    assert r.exit_code == 2 and r.stderr.endswith(", row 2, column 实操成绩: give either the skill score or the "
                                                  "assessors' marks, not both; clear one of them\n")
