"""Shared steps of the cycle tests: a small office with grades, ratings and banks, and a cycle
taken up to its published notice, through the command line."""

from __future__ import annotations

import random
from pathlib import Path

from typer.testing import CliRunner

from gradecli import simulate
from gradecli.cli.app import app
from gradecli.services import papers
from gradecli.services.context import Context
from tests.helpers import person, roster, write_xlsx

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "question_bank"


def run(db, *args, today=None):
    pre = ["--today", today] if today else []
    return runner.invoke(app, ["--db", db, *pre, *[str(a) for a in args]])


def ok(db, *args, today=None):
    r = run(db, *args, today=today)
    assert r.exit_code == 0, r.output
    return r


def seed_office(db, tmp_path):
    """K1–K7 of 客服 with tier-2 grades, 2025 ratings (K3 优秀, K4 不合格, K5 disciplined) and the
    tier 2–3 banks."""
    people = [person(f"K{i}", title="中级") for i in range(1, 8)]
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", people))
    g = [["K1", 2, 3, "2024-01-01"], ["K2", 2, 3, "2024-01-01"], ["K3", 2, 3, "2025-12-01"], ["K4", 2, 1, "2024-01-01"],
         ["K5", 2, 2, "2024-01-01"], ["K6", 2, 1, "2025-01-01"], ["K7", 2, 1, "2025-01-01"]]
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"], g))
    rating = {"K3": "优秀", "K4": "不合格"}
    perf = [[f"K{i}", 2025, rating.get(f"K{i}", "良好"), "是" if i == 5 else "否"] for i in range(1, 8)]
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"], perf))
    ok(db, "bank", "import", *[BANKS / f / f"tier-{t}.yaml" for f in ("客服", "common") for t in (2, 3)])
    return db


def sit(db, code, tmp_path, ability: dict[str, float], skill: dict[str, float]):
    """Answer sheet filled from abilities (+5 ≈ all right, -5 ≈ all wrong), then skill scores."""
    ok(db, "cycle", "answer-sheet", code, "--out", tmp_path / f"{code}.xlsx")
    ctx = Context(url=db)
    with ctx.uow() as uow:
        items = lambda p: papers.load_paper(uow.s, p)[1]  # noqa: E731
        simulate.fill_answer_sheet(tmp_path / f"{code}.xlsx", tmp_path / f"{code}-filled.xlsx", items,
                                   ability.__getitem__, random.Random(3))
    ctx.engine.dispose()
    ok(db, "cycle", "import-answers", code, tmp_path / f"{code}-filled.xlsx")
    ok(db, "cycle", "import-scores", code, write_xlsx(tmp_path / f"{code}-skill.xlsx", ["工号", "实操成绩"],
                                                      [[e, v] for e, v in skill.items()]), "--part", "skill")


def publish_semiannual(db, tmp_path, skill: dict[str, float], *, seed: str):
    """Cycle 2026H2 for ``skill``'s candidates (all answers about right), evaluated and published
    on 2026-12-20: its window ends 2026-12-27, so it closes from 2026-12-28 (or early with --force)."""
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2")
    ok(db, "cycle", "register", "2026H2", "--file", write_xlsx(tmp_path / "reg-2026H2.xlsx", ["工号"], [[e] for e in skill]))
    ok(db, "cycle", "issue-papers", "2026H2", "--seed", seed)
    sit(db, "2026H2", tmp_path, {e: 6 for e in skill}, skill)
    ok(db, "cycle", "evaluate", "2026H2")
    ok(db, "cycle", "publish", "2026H2", "--out", tmp_path / "notices", today="2026-12-20")
