"""Monthly grade allowance (等级津贴) of N staff against a same-run baseline (target ratio ≤ 3).

Set-up (timed, not measured): a fresh SQLite database; N professional-technical staff in
客服/航标/测量 (a third front-line) imported from a roster workbook; everyone graded from a
grades workbook (effective 2025-01-01); 10 % get a mid-month change in 2026-12 (a level
promotion, or a correction for those already at the top level) appended to the ledger; the
sample allowance table (all families, from 2024-01-01).

Baseline: the month's ledger events (effective ≤ 2026-12-31) and the roster, one query of plain rows each.
Measured: `allowance compute --month 2026-12` through the service (computes and stores the
payroll run), then the payroll sheet write of the rows it returned.

    cd benchmarks && ../.venv/bin/python bench_allowance.py [N] [--profile]

--profile runs the compute under cProfile and prints the top functions by tottime.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from _common import WORK, peak_mb

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROWS = int(ARGS[0]) if ARGS else 100_000
PROFILE = "--profile" in sys.argv[1:]
MONTH = date(2026, 12, 1)
MONTH_END = date(2026, 12, 31)

# family → departments, (non-front-line posts, front-line posts)
ORG = {
    "客服": (["客服一部", "客服二部", "客户关系部"], (["在线客服", "热线客服", "售后专员"], ["现场服务"])),
    "航标": (["航标处", "航标一队", "航标二队"], (["航标设计"], ["航标维护", "航标巡检"])),
    "测量": (["测量队"], (["内业数据处理"], ["外业测量"])),
}
TITLES = ["无", "初级", "中级", "副高级", "正高级"]


def _write(path: Path, title: str, columns, rows) -> Path:  # noqa: ANN001
    from gradecli.formats.excel import SheetOut, write_workbook

    return write_workbook(path, [SheetOut(title, [c.header for c in columns],
                                          ([r.get(c.key) for c in columns] for r in rows))])


def roster_rows(n: int):  # noqa: ANN201
    fams = list(ORG)
    for i in range(n):
        fam = fams[i % 3]
        depts, (office, field) = ORG[fam]
        frontline = (i // 3) % 3 == 0  # a third of each family
        posts = field if frontline else office
        start = date(1990, 1, 1) + (date(2020, 1, 1) - date(1990, 1, 1)) * (i % 997) // 997
        yield {"emp_no": f"A{i:06d}", "name": f"职工{i}", "department": depts[(i // 3) % len(depts)], "family": fam,
               "post": posts[(i // 9) % len(posts)], "professional": "是", "frontline": "是" if frontline else "否",
               "title": TITLES[i % 5], "service_start": start, "hire_date": start, "active": "是", "leave_date": None}


def grade_of(i: int):  # noqa: ANN201
    from gradecli.domain.ladder import Grade

    return Grade(1 + i % 5, 1 + (i // 5) % 3)


def grade_rows(n: int):  # noqa: ANN201
    for i in range(n):
        g = grade_of(i)
        yield {"emp_no": f"A{i:06d}", "tier": g.tier, "level": g.level, "effective": date(2025, 1, 1)}


def set_up(folder: Path, n: int) -> tuple:  # noqa: ANN001
    from gradecli.demo import sample_allowance_rows
    from gradecli.domain.ladder import Grade
    from gradecli.domain.policy import Policy
    from gradecli.formats.sheets import grade_columns, roster_columns
    from gradecli.services import allowance, grades, staff
    from gradecli.services.context import Context
    from gradecli.store import repo

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "allowance.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    times: dict[str, float] = {}

    t0 = time.perf_counter()
    roster = folder / "roster.xlsx"
    grade_file = folder / "grades.xlsx"
    table_file = folder / "allowance-table.xlsx"
    if not roster.exists():
        _write(roster, "人员 Roster", roster_columns(Policy()), roster_rows(n))
    if not grade_file.exists():
        _write(grade_file, "等级 Grades", grade_columns(), grade_rows(n))
    _write(table_file, "津贴 Allowance", allowance.TABLE_COLUMNS, sample_allowance_rows(3, 5, date(2024, 1, 1)))
    times["workbooks"] = time.perf_counter() - t0

    ctx = Context(url=f"sqlite:///{db}")
    t0 = time.perf_counter()
    ctx.engine  # migrations
    times["schema"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    staff.import_roster_file(ctx, roster)
    times["roster import"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    grades.import_grades_file(ctx, grade_file)
    times["grade import"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with ctx.uow() as uow:
        ids = repo.employee_ids(uow.s)
        changes = []
        for i in range(0, n, 10):  # 10 %: a level promotion, or a correction at the top level
            g = grade_of(i)
            kind, to = ("level_promotion", Grade(g.tier, g.level + 1)) if g.level < 3 else ("correction", Grade(g.tier, 2))
            emp_no = f"A{i:06d}"
            changes.append({"employee_id": ids[emp_no], "emp_no": emp_no, "kind": kind,
                            "effective": date(2026, 12, 2 + (i // 10) % 27), "from_grade": g, "to_grade": to,
                            "reason": "基准测试：月中变动"})
        repo.append_events(uow.s, changes, actor=ctx.actor)
        uow.commit()
    times["mid-month changes"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    allowance.import_table(ctx, table_file)
    times["allowance table"] = time.perf_counter() - t0
    return ctx, times, len(changes)


def baseline(ctx) -> tuple[float, int, int]:  # noqa: ANN001
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from gradecli.store.models import Employee, LedgerEventRow

    with Session(ctx.engine) as s:
        t0 = time.perf_counter()
        # plain rows of every column, as the month's computation needs them (no ORM objects)
        events = s.execute(select(*LedgerEventRow.__table__.c).where(LedgerEventRow.effective <= MONTH_END)).all()
        staff = s.execute(select(*Employee.__table__.c)).all()
        elapsed = time.perf_counter() - t0
    return elapsed, len(events), len(staff)


def measured(ctx):  # noqa: ANN001, ANN201
    from gradecli.services import allowance

    if PROFILE:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        listing = allowance.compute(ctx, month=MONTH)
        prof.disable()
        elapsed = time.perf_counter() - t0
        pstats.Stats(prof).sort_stats("tottime").print_stats(10)
        return elapsed, listing
    t0 = time.perf_counter()
    listing = allowance.compute(ctx, month=MONTH)
    return time.perf_counter() - t0, listing


def main() -> None:
    folder = WORK / f"allowance-{ROWS}"
    t0 = time.perf_counter()
    ctx, times, changed = set_up(folder, ROWS)
    print(f"allowance: set-up {time.perf_counter() - t0:.1f} s (not measured): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
          + f"; {ROWS:,} staff, {changed:,} mid-month changes in {MONTH:%Y-%m}", flush=True)

    runs = [baseline(ctx) for _ in range(3)]
    b = min(r[0] for r in runs)
    _, n_events, n_staff = runs[0]
    m, listing = measured(ctx)
    rows = listing.rows
    split = sum(1 for r in rows if "→" in r["grade"])

    from gradecli.formats.payroll import write_payroll

    sheet = folder / f"payroll-{MONTH:%Y-%m}.xlsx"
    t0 = time.perf_counter()
    write_payroll(sheet, f"{MONTH:%Y-%m}", rows)
    w = time.perf_counter() - t0

    print(f"allowance {MONTH:%Y-%m}, {ROWS:,} staff: baseline (two queries of plain rows: {n_events:,} ledger events, "
          f"{n_staff:,} employees) {b:.2f} s; gradecli allowance compute {m:.2f} s ({len(rows):,} lines, "
          f"{split:,} with a mid-month change{', under cProfile' if PROFILE else ''}); ratio {m / b:.2f} (target ≤ 3)")
    print(f"payroll sheet: {len(rows):,} rows in {w:.2f} s ({len(rows) / w:,.0f} rows/s); "
          f"peak memory {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
