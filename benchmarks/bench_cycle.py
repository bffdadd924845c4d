"""A semiannual exam cycle for N candidates (default 20,000), stage by stage, through the services.

Set-up (timed, not measured): a fresh SQLite database; a roster of N 客服 staff, their existing
grades (2-1 since 2024-01-01, so every one may take a level step) and 2025 ratings, each written
as xlsx and imported through the services; the shipped sample banks.
Measured: cycle create, eligibility, registration (--all-eligible), individual papers, answer-sheet
export, and the import of a filled answer sheet, which is also compared with a same-run baseline
that only reads the same filled sheet with python-calamine (target ratio ≤ 3).

    cd benchmarks && ../.venv/bin/python bench_cycle.py [N] [--profile STAGE]

--profile STAGE prints the top functions by own time (tottime) of one measured stage
(create, eligibility, register, issue_papers, answer_sheet, import_answers).
Figures only; nothing asserts.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import time
from datetime import date, timedelta
from pathlib import Path

from _common import WORK, peak_mb, size_and_profile

N, PROFILE = size_and_profile(20_000)
PERIOD = "2026H2"
FAMILY = "客服"
BANKS = Path(__file__).resolve().parent.parent / "question_bank"


def fresh_db(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def set_up(ctx, folder: Path) -> None:  # noqa: ANN001
    from gradecli.formats.excel import SheetOut, write_workbook
    from gradecli.formats.sheets import grade_columns, performance_columns, roster_columns
    from gradecli.services import bank, grades, perf, staff

    def write(path: Path, title: str, columns, rows) -> Path:  # noqa: ANN001
        return write_workbook(path, [SheetOut(title, [c.header for c in columns], rows)])

    posts = ["在线客服", "热线客服", "售后专员"]  # office posts: the full 12-month wait, long served
    titles = ["初级", "中级"]
    emp = [f"K{i:06d}" for i in range(N)]

    def roster():
        for i, e in enumerate(emp):
            start = date(1995, 1, 1) + timedelta(days=i % 7000)
            yield [e, f"职工{i}", f"客服{i % 3 + 1}部", FAMILY, posts[i % 3], "是", "否", titles[i % 2],
                   start, start + timedelta(days=i % 300), "是", None]

    roster_file = write(folder / "roster.xlsx", "人员 Roster", roster_columns(ctx.policy), roster())
    grade_file = write(folder / "existing-grades.xlsx", "等级 Grades", grade_columns(),
                       ([e, 2, 1, date(2024, 1, 1)] for e in emp))
    ratings = ["良好", "合格", "优秀"]
    perf_file = write(folder / "ratings.xlsx", "考核 Ratings", performance_columns(ctx.policy),
                      ([e, 2025, ratings[i % 3], "否"] for i, e in enumerate(emp)))
    for step in (staff.import_roster_file(ctx, roster_file), grades.import_grades_file(ctx, grade_file),
                 perf.import_perf_file(ctx, perf_file), bank.import_paths(ctx, [BANKS])):
        print(f"  set-up: {step.summary}")


def fill_sheet(ctx, sheet: Path, filled: Path) -> str:  # noqa: ANN001
    """Answers for every candidate, simulated as the demo does (gradecli/simulate.py).

    simulate.fill_answer_sheet loads the whole workbook with openpyxl (normal mode); past a few
    thousand rows that is slow and memory-hungry, so bigger sheets are written afresh with
    write_workbook: same sheets, same headers, same rows, the same simulated responses."""
    from python_calamine import CalamineWorkbook

    from gradecli import simulate
    from gradecli.domain.assembly import PaperItem
    from gradecli.formats.excel import SheetOut, write_workbook
    from gradecli.services.papers import load_paper

    rng = random.Random(2026)
    wb = CalamineWorkbook.from_path(str(sheet))
    data = {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    codes = {row[3] for rows in data.values() for row in rows[1:] if len(row) > 3 and row[3]}
    shared: dict = {}  # one Question object per question version, so the set-up stays small in memory

    def items(code: str) -> list:
        return [PaperItem(shared.setdefault((i.question.qid, i.question.version), i.question), i.order)
                for i in load_paper(uow.s, code)[1]]

    with ctx.uow() as uow:
        cache = {code: items(code) for code in codes}
    ability: dict[str, float] = {}

    def ability_of(emp_no: str) -> float:
        if emp_no not in ability:
            ability[emp_no] = rng.gauss(0.3, 0.8)
        return ability[emp_no]

    if N <= 2000:
        simulate.fill_answer_sheet(sheet, filled, cache.__getitem__, ability_of, rng)
        return "simulate.fill_answer_sheet (openpyxl)"
    sheets = []
    for name, rows in data.items():
        header, body = rows[0], []
        for row in rows[1:]:
            if not row or not row[1]:
                continue
            items = cache[row[3]]
            a = ability_of(row[1])
            answers = [simulate.response(rng, item, a) for item in items]
            body.append(list(row[:4]) + answers + [None] * (len(header) - 4 - len(answers)))
        sheets.append(SheetOut(name, list(header), body))
    write_workbook(filled, sheets)
    return "fresh workbook via write_workbook (simulate.response per cell)"


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return sum(len(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names)


def run(label: str, fn, results: dict, profile: str | None):  # noqa: ANN001, ANN201
    prof = cProfile.Profile() if profile == label else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    try:
        return fn()
    finally:
        if prof:
            prof.disable()
        results[label] = time.perf_counter() - t0
        if prof:
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(10)
            results["_profile"] = buf.getvalue()


def line(label: str, secs: float, rows: int | None = None, unit: str = "rows") -> None:
    rate = f"({rows / secs:,.0f} {unit}/s)" if rows and secs > 0 else ""
    print(f"  {label:<38} {secs:8.2f} s {rate:<22} peak so far {peak_mb():,.0f} MB", flush=True)


def main() -> None:
    from gradecli.domain.errors import GradecliError
    from gradecli.services import cycles
    from gradecli.services.context import Context

    folder = WORK / f"cycle-{N}"
    folder.mkdir(exist_ok=True)
    ctx = Context(url=fresh_db(folder / "cycle.db"))
    print(f"exam cycle {PERIOD} ({FAMILY}, semiannual), {N:,} candidates", flush=True)

    t0 = time.perf_counter()
    ctx.engine  # migrations
    set_up(ctx, folder)
    print(f"  set-up (not measured): {time.perf_counter() - t0:.1f} s", flush=True)

    r: dict = {}
    try:
        out = run("create", lambda: cycles.create(ctx, kind="semiannual", period=PERIOD, families=[FAMILY], code=PERIOD), r, PROFILE)
        line("create cycle", r["create"])
        el = run("eligibility", lambda: cycles.eligibility(ctx, PERIOD), r, PROFILE)
        line("eligibility", r["eligibility"], len(el.rows))
        print(f"    {el.title}")
        out = run("register", lambda: cycles.register(ctx, PERIOD, all_eligible=True), r, PROFILE)
        line("register --all-eligible", r["register"], out.data["registered"])
        print(f"    {out.summary}")
        registered = out.data["total"]
    except GradecliError as exc:
        print(f"  STOPPED: {exc}")
        return finish(r)

    try:
        out = run("issue_papers", lambda: cycles.issue_papers(ctx, PERIOD, seed="bench"), r, PROFILE)
    except GradecliError as exc:
        line("issue papers (refused)", r["issue_papers"])
        print("  papers could NOT be drawn; the stages after it are skipped:")
        for ln in (exc.lines() if hasattr(exc, "lines") else [str(exc)])[:10]:
            print(f"    {ln}")
        return finish(r)
    line("issue papers (individual)", r["issue_papers"], registered, "papers")
    print(f"    {out.summary}")

    sheet = folder / "answer-sheet.xlsx"
    out = run("answer_sheet", lambda: cycles.write_answer_sheet(ctx, PERIOD, sheet), r, PROFILE)
    line("answer-sheet export", r["answer_sheet"], registered)

    filled = folder / "answer-sheet-filled.xlsx"
    t0 = time.perf_counter()
    how = fill_sheet(ctx, sheet, filled)
    print(f"  fill the sheet (set-up, not measured) {time.perf_counter() - t0:7.2f} s — {how}; "
          f"peak so far {peak_mb():,.0f} MB", flush=True)

    try:
        out = run("import_answers", lambda: cycles.import_answers(ctx, PERIOD, filled), r, PROFILE)
    except GradecliError as exc:
        line("import answers (refused)", r["import_answers"])
        for ln in (exc.lines() if hasattr(exc, "lines") else [str(exc)])[:10]:
            print(f"    {ln}")
        return finish(r)
    first = r["import_answers"]
    line("import answers (first)", first, out.data["scored"])
    print(f"    {out.summary}")
    # The ratio takes the best of three on each side, in turns: the first import above, then two
    # that replace every candidate's answers (more work: the old rows are deleted first).
    base, again = _timed(lambda: calamine_read(filled)), float("inf")
    for _ in range(2):
        again = min(again, _timed(lambda: cycles.import_answers(ctx, PERIOD, filled)))
        base = min(base, _timed(lambda: calamine_read(filled)))
    m = min(first, again)
    line("import answers (again, replacing)", again, registered)
    line("baseline: calamine read of the sheet", base, registered)
    print(f"  import answers / calamine read: ratio {m / base:.1f} (best of 3 each; target ≤ 3)")
    finish(r)


def _timed(fn) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def finish(r: dict) -> None:
    measured = sum(v for k, v in r.items() if not k.startswith("_"))
    print(f"  measured stages in all {measured:.1f} s; peak memory {peak_mb():.0f} MB")
    if "_profile" in r:
        print(f"\nprofile of {PROFILE} at N={N:,} (top 10 by tottime):")
        print(r["_profile"])


if __name__ == "__main__":
    main()
