"""Absent candidates (缺考): blank rows, 缺考 in a sheet, the hand correction, and what absence means
for promotion and for the semiannual "twice in a row" demotion."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from tests.cli.story import ok, run, sit
from tests.cli.test_evaluation_cli import org  # noqa: F401  (a fixture)
from tests.helpers import write_xlsx


def _annual_with_papers(db, tmp_path, people=("K1", "K2", "K3")):
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [[p] for p in people]))
    ok(db, "cycle", "issue-papers", "2026", "--seed", "a")


def _filled_then(db, tmp_path, edit):
    """Fill the answer sheet for everyone (all strong), then let ``edit(rows by 工号)`` change cells."""
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 80, "K3": 80})
    wb = load_workbook(tmp_path / "2026-filled.xlsx")
    ws = wb.worksheets[0]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2) if r[1].value}
    edit(rows)
    wb.save(tmp_path / "edited.xlsx")
    return tmp_path / "edited.xlsx"


def test_blank_row_and_written_absence_mark_candidates_absent(org, tmp_path):
    db = org
    _annual_with_papers(db, tmp_path)

    def edit(rows):
        for cell in rows["K1"][4:]:
            cell.value = None  # every answer cell left empty
        rows["K2"][3].value = "缺考"  # written in the 试卷 cell
        for cell in rows["K3"][4:]:
            cell.value = None
        rows["K3"][4].value = "缺考"  # written in the first answer cell

    sheet = _filled_then(db, tmp_path, edit)
    r = json.loads(ok(db, "--json", "cycle", "import-answers", "2026", sheet).stdout)
    assert r["absent"] == ["K1", "K2", "K3"] and r["scored"] == 0
    assert any("K1, K2, K3" in n and "缺考" in n for n in r["notes"])
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026").stdout)
    assert {x["emp_no"]: x["outcome_code"] for x in res["rows"]} == {"K1": "absent", "K2": "absent", "K3": "absent"}
    assert all(x["theory"] is None and x["theory_status"] == "absent" for x in res["rows"])  # null + a status
    ok(db, "cycle", "publish", "2026", "--out", tmp_path / "n", today="2026-11-20")
    html = (tmp_path / "n" / "notice-2026-r1.html").read_text(encoding="utf-8")
    assert html.count("<td>absent</td>") >= 3


def test_absent_by_hand_and_undo_restores_the_score(org, tmp_path):
    db = org
    _annual_with_papers(db, tmp_path)
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 80, "K3": 80})
    r = run(db, "cycle", "absent", "2026", "K1")
    assert r.exit_code == 2 and "--reason" in r.stderr
    ok(db, "cycle", "absent", "2026", "K1", "--reason", "答题卡误录，本人未到场")
    shown = {x["emp_no"]: x for x in json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)["rows"]}
    assert shown["K1"]["theory"] is None  # JSON: absent is null
    ok(db, "cycle", "absent", "2026", "K2", "--part", "skill", "--reason", "实操考核未到场")
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026").stdout)
    out = {x["emp_no"]: x for x in res["rows"]}
    assert out["K1"]["outcome_code"] == "absent" and out["K2"]["outcome_code"] == "absent"
    assert out["K2"]["skill"] is None and out["K2"]["skill_status"] == "absent"
    assert out["K2"]["reasons"] == [{"code": "absent_skill", "params": {}, "text": "absent from the skill assessment"}]
    r = run(db, "cycle", "absent", "2026", "K1", "--undo", "--reason", "x")
    assert r.exit_code == 1 and "evaluated" in r.stderr  # only before evaluation


def test_undo_before_evaluation_restores_the_scored_answers(org, tmp_path):
    db = org
    _annual_with_papers(db, tmp_path)
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 80, "K3": 80})
    before = {x["emp_no"]: x["theory"] for x in json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)["rows"]}
    ok(db, "cycle", "absent", "2026", "K1", "--reason", "误录")
    ok(db, "cycle", "absent", "2026", "K1", "--undo", "--reason", "核对答题卡，本人到场")
    shown = json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)
    assert {x["emp_no"]: x["theory"] for x in shown["rows"]} == before and shown["state"] == "scored"


def test_skill_sheet_accepts_absent_and_every_problem_is_listed_in_one_pass(org, tmp_path):
    db = org
    _annual_with_papers(db, tmp_path)
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 80, "K3": 80})
    bad = write_xlsx(tmp_path / "bad.xlsx", ["工号", "实操成绩"], [["K1", "八十"], ["K9", 70], ["K2", "缺考"]])
    r = run(db, "cycle", "import-scores", "2026", bad, "--part", "skill")
    assert r.exit_code == 2
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and "row 2, column 实操成绩" in errors[0] and "K9 is not registered" in errors[1]
    good = write_xlsx(tmp_path / "good.xlsx", ["工号", "实操成绩"], [["K1", 80], ["K2", "缺考"]])
    r = json.loads(ok(db, "--json", "cycle", "import-scores", "2026", good, "--part", "skill").stdout)
    assert r["state"] == "scored" and "1 candidate(s) absent from the skill assessment: K2" in r["notes"]


def test_answer_sheet_problems_come_in_one_pass(org, tmp_path):
    db = org
    _annual_with_papers(db, tmp_path)

    def edit(rows):
        rows["K1"][1].value = "K9"  # not registered
        rows["K2"][4].value = "Z"  # not an allowed answer
        rows["K3"][3].value = None  # paper cell emptied, answers kept

    sheet = _filled_then(db, tmp_path, edit)
    r = run(db, "cycle", "import-answers", "2026", sheet)
    assert r.exit_code == 2
    assert "K9 is not registered" in r.stderr and "column 题1" in r.stderr and "column 试卷" in r.stderr


def test_absence_counts_as_an_unpassed_exam_for_the_second_in_a_row(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H1", "--exam-date", "2026-06-15")
    ok(db, "cycle", "register", "2026H1", "--file", write_xlsx(tmp_path / "r1.xlsx", ["工号"], [["K6"]]))
    ok(db, "cycle", "issue-papers", "2026H1", "--seed", "h1")
    ok(db, "cycle", "import-answers", "2026H1", write_xlsx(tmp_path / "blank.xlsx", ["周期", "工号", "试卷"],
                                                            [["2026H1", "K6", "缺考"]]))
    ok(db, "cycle", "import-scores", "2026H1", write_xlsx(tmp_path / "s1.xlsx", ["工号", "实操成绩"], [["K6", 70]]),
       "--part", "skill")
    ok(db, "cycle", "evaluate", "2026H1")
    ok(db, "cycle", "publish", "2026H1", "--out", tmp_path / "n1", today="2026-06-20")
    ok(db, "cycle", "close", "2026H1", today="2026-06-30")
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2")
    ok(db, "cycle", "register", "2026H2", "--file", write_xlsx(tmp_path / "r2.xlsx", ["工号"], [["K6"]]))
    ok(db, "cycle", "issue-papers", "2026H2", "--seed", "h2")
    sit(db, "2026H2", tmp_path, {"K6": -6}, {"K6": 70})
    res = json.loads(ok(db, "--json", "cycle", "evaluate", "2026H2").stdout)
    assert any(d["emp_no"] == "K6" and d["kind"] == "demotion" for d in res["decisions"])


def test_the_answer_sheet_as_exported_is_refused_not_read_as_everyone_absent(org, tmp_path):
    db = org
    _annual_with_papers(db, tmp_path)
    blank = tmp_path / "blank.xlsx"
    ok(db, "cycle", "answer-sheet", "2026", "--out", blank)
    r = run(db, "cycle", "import-answers", "2026", blank)
    assert r.exit_code == 2
    assert str(blank) in r.stderr and "no candidate has a single answer" in r.stderr and "缺考" in r.stderr
    shown = json.loads(ok(db, "--json", "cycle", "show", "2026").stdout)
    assert shown["state"] == "papers_issued"  # nothing was written: nobody is marked absent
    assert shown["rows"] and all(c["theory"] is None and c["theory_status"] != "absent" for c in shown["rows"])
