"""Sheets that cannot be imported say so in one line; templates import only what the officer wrote."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli.cli.app import app
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
    _check_template(tpl, "人员 Roster", validations=4)
    r = run(sqlite_db, "staff", "import", tpl)
    assert r.exit_code == 2 and r.stderr == f"Error: {tpl}, sheet 人员 Roster: {NO_DATA}\n"
    _append(tpl, "人员 Roster", [person("H7", family="航标"), person("H8", family="航标", title="中级")])
    r = json.loads(ok(sqlite_db, "--json", "staff", "import", tpl).stdout)
    assert (r["rows"], r["added"]) == (2, 2)
    listed = json.loads(ok(sqlite_db, "--json", "staff", "list").stdout)
    assert [p["emp_no"] for p in listed["rows"]] == ["H7", "H8"]


def test_ratings_and_grades_templates(sqlite_db, tmp_path):
    ok(sqlite_db, "staff", "import", roster(tmp_path / "r.xlsx", [person("K1"), person("K2")]))
    perf, grades = tmp_path / "perf.xlsx", tmp_path / "grades.xlsx"
    ok(sqlite_db, "perf", "template", perf)
    ok(sqlite_db, "grade", "template", grades)
    _check_template(perf, "考核 Ratings", validations=3)
    _check_template(grades, "等级 Grades", validations=3)
    for f, sheet in ((perf, "考核 Ratings"), (grades, "等级 Grades")):
        r = run(sqlite_db, "perf" if f == perf else "grade", "import", f)
        assert r.stderr == f"Error: {f}, sheet {sheet}: {NO_DATA}\n"
    _append(perf, "考核 Ratings", [["K2", 2025, "优秀", "否"]])
    assert json.loads(ok(sqlite_db, "--json", "perf", "import", perf).stdout)["added"] == 1
    _append(grades, "等级 Grades", [["K1", 2, 3, date(2024, 1, 1)]])
    assert json.loads(ok(sqlite_db, "--json", "grade", "import", grades).stdout)["recorded"] == 1
    shown = json.loads(ok(sqlite_db, "--json", "staff", "show", "K2").stdout)
    assert shown["ratings"] == [{"year": 2025, "rating": "优秀", "disciplinary": False}]
    assert json.loads(ok(sqlite_db, "--json", "staff", "show", "K1").stdout)["grade"] == "2-3"


def test_bank_template_imports_only_what_was_written(sqlite_db, tmp_path):
    tpl = tmp_path / "bank.xlsx"
    ok(sqlite_db, "bank", "template", tpl)
    _check_template(tpl, "题库 Questions", validations=2)
    r = run(sqlite_db, "bank", "import", tpl)
    assert r.exit_code == 2 and r.stderr == f"Error: {tpl}, sheet 题库 Questions: {NO_DATA}\n"
    question = ["KF-T1-901", 1, "客服", "single", "来电应在几声铃响内接听？", "一声", "三声", "五声", "十声",
                None, None, None, None, "B", 2, 0.8, "服务规范", None, None]
    _append(tpl, "题库 Questions", [question])
    r = json.loads(ok(sqlite_db, "--json", "bank", "import", tpl).stdout)
    assert (r["questions"], r["added"]) == (1, 1)
    assert json.loads(ok(sqlite_db, "--json", "bank", "stats").stdout)["rows"][0]["active"] == 1
