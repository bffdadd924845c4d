"""The whole story on random small organisations: after each cycle closes, the grade every person
holds and is paid for is the one on the notice (`audit cycle` passes), whatever the ratings,
answers, absences and transfers. This is the check that would have caught a deferral undoing a
same-day demotion."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli import simulate
from gradecli.cli.app import app
from gradecli.domain.policy import RATINGS
from gradecli.services import papers
from gradecli.services.context import Context
from tests.helpers import ALLOWANCE_HEADERS as HEAD, allowance_rows as table_rows
from tests.helpers import person, roster, write_xlsx

BANKS = Path(__file__).resolve().parents[2] / "question_bank"
runner = CliRunner()


def ok(db, *args, today=None):
    r = runner.invoke(app, ["--db", db, *(["--today", today] if today else []), *[str(a) for a in args]])
    assert r.exit_code == 0, (args, r.output)
    return r


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with the sample banks (tiers 1–4) and an allowance table, made once."""
    folder = tmp_path_factory.mktemp("story")
    db = f"sqlite:///{folder / 'template.db'}"
    ok(db, "bank", "import", *[BANKS / f / f"tier-{t}.yaml" for f in ("客服", "common") for t in (1, 2, 3, 4)])
    ok(db, "allowance", "import", write_xlsx(folder / "t.xlsx", HEAD, table_rows(date(2024, 1, 1))))
    return folder / "template.db"


people_st = st.lists(
    st.fixed_dictionaries({
        "tier": st.integers(1, 3), "level": st.integers(1, 3),
        "since": st.sampled_from([date(2022, 1, 1), date(2024, 3, 1), date(2025, 12, 1)]),
        "rating": st.sampled_from(RATINGS), "disciplinary": st.sampled_from([False, False, False, True]),
        "frontline": st.booleans(), "ability": st.floats(-4, 4), "skill": st.integers(30, 98),
        "absent": st.sampled_from(["", "", "", "", "theory", "skill"]),
        "moves_out": st.sampled_from([None, None, None, "2026-11-25", "2026-12-01"]),
    }),
    min_size=3, max_size=9)


def _sit(db: str, code: str, folder: Path, people: dict[str, dict], seed: int) -> None:
    ok(db, "cycle", "answer-sheet", code, "--out", folder / f"{code}.xlsx")
    wb = load_workbook(folder / f"{code}.xlsx")
    registered = [r[1].value for ws in wb.worksheets for r in ws.iter_rows(min_row=2) if r[1].value]
    if not registered:
        return
    ctx = Context(url=db)
    with ctx.uow() as uow:
        simulate.fill_answer_sheet(folder / f"{code}.xlsx", folder / f"{code}-filled.xlsx",
                                   lambda p: papers.load_paper(uow.s, p)[1], lambda e: people[e]["ability"],
                                   random.Random(seed), absent={e for e in registered if people[e]["absent"] == "theory"})
    ctx.engine.dispose()
    ok(db, "cycle", "import-answers", code, folder / f"{code}-filled.xlsx")
    skill = [[e, "缺考" if people[e]["absent"] == "skill" else people[e]["skill"]] for e in registered]
    ok(db, "cycle", "import-scores", code, write_xlsx(folder / f"{code}-skill.xlsx", ["工号", "实操成绩"], skill),
       "--part", "skill")


def _cycle(db, folder, people, kind, code, published, closed, seed):
    ok(db, "cycle", "create", "--kind", kind, "--period", code)
    ok(db, "cycle", "register", code, "--all-eligible", "--with-fast-track")
    listed = json.loads(ok(db, "--json", "cycle", "show", code).stdout)["rows"]
    if not listed:
        return None
    ok(db, "cycle", "issue-papers", code, "--seed", f"s{seed}")
    _sit(db, code, folder, people, seed)
    ok(db, "cycle", "evaluate", code)
    ok(db, "cycle", "publish", code, "--out", folder / f"n-{code}", today=published)
    return ok(db, "--json", "cycle", "close", code, today=closed)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(people=people_st, seed=st.integers(0, 10_000))
def test_after_closing_the_ledger_and_payroll_hold_the_notice(template, people, seed):
    folder = Path(tempfile.mkdtemp(prefix="story-"))
    try:
        with sqlite3.connect(template) as src, sqlite3.connect(folder / "story.db") as dst:
            src.backup(dst)  # the template's last writes may still sit in its WAL file
        db = f"sqlite:///{folder / 'story.db'}"
        by_emp = {f"P{i:02d}": p for i, p in enumerate(people, 1)}
        ok(db, "staff", "import", roster(folder / "r.xlsx", [
            person(e, title="中级", frontline="是" if p["frontline"] or p["moves_out"] else "否", hire=date(2020, 1, 1))
            for e, p in by_emp.items()]))
        ok(db, "grade", "import", write_xlsx(folder / "g.xlsx", ["工号", "等", "级", "生效日期"],
                                             [[e, p["tier"], p["level"], p["since"]] for e, p in by_emp.items()]))
        ok(db, "perf", "import", write_xlsx(folder / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                            [[e, y, p["rating"], "是" if p["disciplinary"] else "否"]
                                             for e, p in by_emp.items() for y in (2025, 2026)]))
        _cycle(db, folder, by_emp, "annual", "2026", "2026-11-20", "2026-11-30", seed)
        for e, p in by_emp.items():  # some leave a front-line post around the effective date
            if p["moves_out"]:
                ok(db, "staff", "transfer", e, "--post", "客服内勤", "--no-frontline", "--date", p["moves_out"])
        _cycle(db, folder, by_emp, "semiannual", "2026H2", "2026-12-20", "2027-01-04", seed + 1)
        for month in ("2026-12", "2027-01", "2027-02"):
            ok(db, "allowance", "compute", "--month", month)
        for code in ("2026", "2026H2"):
            r = runner.invoke(app, ["--db", db, "--json", "audit", "cycle", code])
            if "no cycle" in r.output:
                continue
            assert r.exit_code == 0, r.output
            assert json.loads(r.stdout)["ok"]
        ok(db, "audit", "verify")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
