"""audit cycle: the notice, the ledger and the payroll agree — and a database written by the old
code (a deferral that repeated the grade and undid a same-day demotion) is caught and repaired."""

from __future__ import annotations

import json
from datetime import date

import pytest

from gradecli.domain import ledger
from gradecli.services import grades
from gradecli.services.context import Context
from gradecli.store import repo
from tests.helpers import ALLOWANCE_HEADERS as HEAD, allowance_rows as table_rows
from tests.cli.story import ok, run, sit
from tests.cli.test_evaluation_cli import org  # noqa: F401  (a fixture)
from tests.helpers import write_xlsx


def _closed_annual(db, tmp_path):
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K2"], ["K3"]]))
    ok(db, "cycle", "issue-papers", "2026", "--seed", "a")
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 70, "K3": 95})
    ok(db, "cycle", "evaluate", "2026")
    ok(db, "cycle", "publish", "2026", "--out", tmp_path / "n", today="2026-11-20")
    ok(db, "allowance", "import", write_xlsx(tmp_path / "t.xlsx", HEAD, table_rows(date(2025, 1, 1))))


def _as_old_code_wrote_it(monkeypatch):
    """The code before the fix: a deferral event repeated the grade (from = to) and deriving
    grades took it like any other event."""
    real = repo.append_events

    def old_append(session, new, *, actor):  # noqa: ANN001, ANN202
        items = []
        for item in new:
            if item["kind"] == "deferral":
                g = ledger.Grade.parse(item["evidence"]["grade"])
                item = {**item, "from_grade": g, "to_grade": g}
            items.append(item)
        return real(session, items, actor=actor)

    monkeypatch.setattr(repo, "append_events", old_append)
    monkeypatch.setattr(ledger, "GRADE_NEUTRAL_KINDS", frozenset())


def test_audit_passes_after_a_clean_close(org, tmp_path):
    db = org
    _closed_annual(db, tmp_path)
    r = run(db, "audit", "cycle", "2026")
    assert r.exit_code == 0 and "only the notice was checked" in r.stderr  # published, not closed yet
    ok(db, "cycle", "close", "2026", today="2026-11-30")
    ok(db, "allowance", "compute", "--month", "2026-12")
    audit = json.loads(ok(db, "--json", "audit", "cycle", "2026").stdout)
    assert audit["ok"] and audit["rows"] == [] and audit["payroll_months"] == ["2026-12"]
    held = {r["emp_no"]: (r["tier"], r["level"]) for r in grades.as_of(Context(url=db), date(2026, 12, 1)).rows}
    assert held["K4"] == (1, 3)  # 不合格: demoted and deferred, and the demotion stands


def test_old_faulty_pair_is_caught_then_repaired(org, tmp_path, monkeypatch):
    db = org
    _closed_annual(db, tmp_path)
    with monkeypatch.context() as m:
        _as_old_code_wrote_it(m)
        ok(db, "cycle", "close", "2026", today="2026-11-30")
        ok(db, "allowance", "compute", "--month", "2026-12")
        old = json.loads(run(db, "--json", "audit", "cycle", "2026").stdout)
        assert {(r["emp_no"], r["code"]) for r in old["rows"]} >= {("K4", "grade_differs"),
                                                                   ("K4", "deferral_changed_grade")}
    # the stored rows are as the old code left them: the deferral repeats the grade
    hist = grades.history(Context(url=db), "K4").rows
    assert [(h["kind"], h["from"], h["to"]) for h in hist[-2:]] == [("demotion", "2-1", "1-3"), ("deferral", "2-1", "2-1")]
    # today's code derives the demotion, so only the stored payroll is left wrong: exit 1
    r = run(db, "--json", "audit", "cycle", "2026")
    assert r.exit_code == 1
    rows = json.loads(r.stdout)["rows"]
    assert [(x["emp_no"], x["check"]["code"], x["ledger"], x["payroll"]) for x in rows] == [("K4", "payroll", "1-3", "2-1")]
    held = {x["emp_no"]: (x["tier"], x["level"]) for x in grades.as_of(Context(url=db), date(2026, 12, 1)).rows}
    assert held["K4"] == (1, 3)
    arrears = json.loads(ok(db, "--json", "allowance", "arrears", "--from", "2026-12", "--to", "2026-12").stdout)
    (line,) = arrears["rows"]
    assert line["emp_no"] == "K4" and line["difference_fen"] < 0 and line["kind"] == "clawback"
    assert line["cause"]["code"] == "paid_at_other_grade" and line["cause"]["params"]["stale"]["code"] == "deferral"
    assert line["cause"]["text"].startswith("demotion #") and "deferral" in line["cause"]["text"]
    ok(db, "allowance", "compute", "--month", "2026-12", "--replace")
    assert json.loads(ok(db, "--json", "audit", "cycle", "2026").stdout)["ok"]
    ok(db, "audit", "verify")  # no stored row was rewritten


@pytest.mark.parametrize("when", ["2026-11-20", "2026-12-01"])
def test_transfer_after_the_exam_is_applied_again_on_top_of_the_result(org, tmp_path, when):
    """A promoted candidate who leaves a front-line post between the exam and the effective date
    keeps the promotion and the drop: the cycle no longer refuses to close."""
    db = org
    _closed_annual(db, tmp_path)
    ok(db, "staff", "transfer", "K1", "--post", "前线客服", "--frontline", "--date", "2026-01-01")
    ok(db, "staff", "transfer", "K1", "--post", "客服内勤", "--no-frontline", "--date", when)
    closed = json.loads(ok(db, "--json", "cycle", "close", "2026", today="2026-11-30").stdout)
    assert closed["kinds"]["transfer_drop"] == 1
    held = {x["emp_no"]: (x["tier"], x["level"]) for x in grades.as_of(Context(url=db), date(2026, 12, 1)).rows}
    assert held["K1"] == (2, 1)  # promoted 2-3 → 3-1, then down one tier keeping level 1
    assert json.loads(ok(db, "--json", "audit", "cycle", "2026").stdout)["ok"]


def test_a_correction_after_the_exam_is_refused_by_name_and_can_be_excluded(org, tmp_path):
    db = org
    _closed_annual(db, tmp_path)
    ok(db, "grade", "correct", "K1", "--to", "2-2", "--date", "2026-11-20", "--reason", "录入有误")
    r = run(db, "cycle", "close", "2026", today="2026-11-30")
    assert r.exit_code == 1 and "K1: correction #" in r.stderr and "--exclude K1" in r.stderr
    r = run(db, "cycle", "close", "2026", "--exclude", "K1", today="2026-11-30")
    assert r.exit_code == 2 and "--exclude needs --reason" in r.stderr
    ok(db, "cycle", "close", "2026", "--exclude", "K1", "--reason", "等级已更正，人工复核", today="2026-11-30")
    audit = json.loads(ok(db, "--json", "audit", "cycle", "2026").stdout)
    assert audit["ok"] and {(x["emp_no"], x["code"]) for x in audit["remarks"]} == {("K1", "excluded_at_closing")}
