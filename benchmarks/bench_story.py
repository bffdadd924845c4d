"""The whole story of gradecli/demo.py for N staff (default 100,000), stage by stage, through the services.

The organisation comes from demo.py's builders (build_roster with size=N, build_ratings for three
years, build_existing_grades), written as the same workbooks, on a fresh SQLite database. Stages:

  1 roster import · 2 ratings import (3 years) · 3 existing grades import · 4 bank import (the
  shipped question_bank) · 5 first evaluation (--apply) · 6 annual cycle 2026 for 客服 · 7 semiannual
  cycle 2026H2 for 客服 · 8 allowance (table, 2026-12, 2027-01, a back-dated correction, arrears)
  · 9 reports (pyramid, cycle, items, projection, each with --out)

Each cycle runs create, eligibility (--out), register --all-eligible --with-fast-track, issue papers,
answer-sheet export, import answers, import skill scores, show (--out, as the demo does), evaluate,
publish, close, on the demo's dates (ctx.pretend_today, as demo.evaluate_publish_close does).
Filling the answer sheet with simulated answers (gradecli/simulate.py) and writing the workbooks
the story imports is set-up: timed on its own "set-up" lines and left out of the stage figures.

    cd benchmarks && ../.venv/bin/python bench_story.py [N] [--profile STEP]

Every measured line starts with its STEP key (e.g. 6.evaluate); --profile STEP runs that one step
under cProfile and prints the top functions by own time (tottime) at the end.
Peak memory is the process's RSS high-water mark so far (it only grows). Figures only; nothing asserts.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import sys
import time
import traceback
from datetime import date, timedelta
from pathlib import Path

from _common import WORK, peak_mb, size_and_profile

N, PROFILE = size_and_profile(100_000)
TODAY = date(2026, 11, 26)  # demo.run's default "today"
FAMILY = "客服"


class Bench:
    """Times measured steps (grouped into stages) and set-up work apart; prints as it goes."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float, str, float, str]] = []  # name, measured s, rate, peak MB, status
        self.stage_name = ""
        self.stage_no = 0
        self.stage_secs = 0.0
        self.setup_secs = 0.0
        self.profile_text = ""
        self.failed: list[str] = []  # steps that failed inside a stage that went on

    def start(self, no: int, name: str) -> None:
        self.stage_no, self.stage_name, self.stage_secs = no, name, 0.0
        self.stage_count: tuple[int, str] | None = None  # (rows or candidates, unit) for the stage's rate
        print(f"{no}. {name}", flush=True)

    def end(self, status: str = "ok") -> None:
        n, unit = self.stage_count or (0, "")
        rate = f"{n:,} {unit}, {n / self.stage_secs:,.0f}/s" if n and self.stage_secs > 0 else ""
        self.stages.append((f"{self.stage_no}. {self.stage_name}", self.stage_secs, rate, peak_mb(), status))
        print(f"   = stage {self.stage_no} {self.stage_name}: {self.stage_secs:.2f} s measured"
              f"{' (' + rate + ')' if rate else ''}{'' if status == 'ok' else ' — ' + status}; peak so far {peak_mb():,.0f} MB\n", flush=True)

    def step(self, key: str, label: str, fn, count=None, unit: str = "rows", rate: bool = True):  # noqa: ANN001, ANN201
        """Run one measured step; count (an int, or a function of the result) gives the rate."""
        key = f"{self.stage_no}.{key}"
        prof = cProfile.Profile() if PROFILE == key else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        try:
            result = fn()
        except Exception:
            print(f"   {key:<22} {pad(label, 40)} {time.perf_counter() - t0:9.2f} s  FAILED", flush=True)
            raise
        finally:
            if prof:
                prof.disable()
            secs = time.perf_counter() - t0
            self.stage_secs += secs
            if prof:
                buf = io.StringIO()
                pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
                self.profile_text = buf.getvalue()
        n = count(result) if callable(count) else count
        shown = f"{n:,} {unit}, {n / secs:,.0f}/s" if rate and n and secs > 0 else (f"{n:,} {unit}" if n is not None else "")
        print(f"   {key:<22} {pad(label, 40)} {secs:9.2f} s  {shown:<30} peak so far {peak_mb():,.0f} MB"
              f"{'  (under cProfile)' if prof else ''}", flush=True)
        return result

    def setup(self, label: str, fn):  # noqa: ANN001, ANN201
        t0 = time.perf_counter()
        result = fn()
        secs = time.perf_counter() - t0
        self.setup_secs += secs
        print(f"   {'set-up':<22} {pad(label, 40)} {secs:9.2f} s  {'(not measured)':<30} peak so far {peak_mb():,.0f} MB",
              flush=True)
        return result


def pad(text: str, width: int) -> str:
    """Left-justify to a terminal width: CJK characters take two columns."""
    import unicodedata

    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - cols)


def fresh_db(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fill_answers(ctx, sheet: Path, filled: Path, rng: random.Random) -> tuple[dict, set, str]:  # noqa: ANN001
    """Simulated answers (gradecli/simulate.py) for every candidate but the first (absent, as in the
    demo). Up to 2,000 rows the demo's simulate.fill_answer_sheet (openpyxl, normal mode) fills the
    exported sheet; bigger sheets are written afresh with write_workbook: same sheets, headers and
    rows, the same simulated responses (as benchmarks/bench_cycle.py does)."""
    from python_calamine import CalamineWorkbook

    from gradecli import simulate
    from gradecli.formats.excel import SheetOut, write_workbook
    from gradecli.services import papers

    wb = CalamineWorkbook.from_path(str(sheet))
    data = {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    body = [row for rows in data.values() for row in rows[1:] if len(row) > 3 and row[1]]
    with ctx.uow() as uow:
        cache = {p.row.code: p.items for p in papers.load_papers(uow.s, codes=sorted({r[3] for r in body})).values()}
    ability = {str(r[1]): rng.gauss(0.3, 0.8) for r in body}
    absent = {str(body[0][1])} if len(body) > 3 else set()
    if N <= 2000:
        simulate.fill_answer_sheet(sheet, filled, cache.__getitem__, ability.__getitem__, rng, absent)
        return ability, absent, "simulate.fill_answer_sheet"
    sheets = []
    for name, rows in data.items():
        header, out = rows[0], []
        for row in rows[1:]:
            if not row or not row[1] or str(row[1]) in absent:
                continue
            items = cache[row[3]]
            a = ability[str(row[1])]
            answers = [simulate.response(rng, item, a) for item in items]
            out.append(list(row[:4]) + answers + [None] * (len(header) - 4 - len(answers)))
        sheets.append(SheetOut(name, list(header), out))
    write_workbook(filled, sheets)
    return ability, absent, "fresh workbook"


def run_cycle(b: Bench, ctx, kind: str, period: str, folder: Path, rng: random.Random, *,  # noqa: ANN001
              publish_on: date, close_on: date) -> None:
    from gradecli import simulate
    from gradecli.demo import _write
    from gradecli.services import cycles, evaluation

    cdir = folder / f"cycle-{period}"
    b.step("create", f"cycle create {kind} {period}",
           lambda: cycles.create(ctx, kind=kind, period=period, families=[FAMILY], code=period))
    b.step("eligibility", "eligibility --out", lambda: cycles.eligibility(ctx, period, out=cdir / "eligibility.xlsx"),
           lambda r: len(r.rows), "staff")
    reg = b.step("register", "register --all-eligible --with-fast-track",
                 lambda: cycles.register(ctx, period, all_eligible=True, with_fast_track=True),
                 lambda r: r.data["total"], "candidates")
    print(f"      {reg.summary}")
    total = reg.data["total"]
    b.stage_count = (total, "candidates")
    out = b.step("issue_papers", "issue papers (individual)",
                 lambda: cycles.issue_papers(ctx, period, seed=f"demo-{period}"), total, "papers")
    print(f"      {out.summary}")
    sheet = cdir / "answer-sheet.xlsx"
    b.step("answer_sheet", "answer-sheet export", lambda: cycles.write_answer_sheet(ctx, period, sheet), total, "rows")
    filled = cdir / "answer-sheet-filled.xlsx"
    ability, absent, how = b.setup("fill the answer sheet (simulate)", lambda: fill_answers(ctx, sheet, filled, rng))
    print(f"      ({how}; {len(absent)} absent)")
    skills = {e: simulate.skill_score(rng, a) for e, a in ability.items() if e not in absent}
    skill_file = b.setup("write the skill-score sheet", lambda: _write(
        cdir / "skill-scores.xlsx", "实操 Skill", cycles.SKILL_COLUMNS, [{"emp_no": e, "skill": v} for e, v in skills.items()]))
    out = b.step("import_answers", "import answers", lambda: cycles.import_answers(ctx, period, filled),
                 lambda r: r.data["scored"], "candidates")
    print(f"      {out.summary[:160]}")
    out = b.step("import_scores", "import skill scores", lambda: cycles.import_scores(ctx, period, skill_file, part="skill"),
                 lambda r: r.data["rows"], "rows")
    print(f"      {out.summary[:160]}")
    b.step("show", "show --out scores.xlsx", lambda: cycles.show(ctx, period, out=cdir / "scores.xlsx"), total, "rows")
    ctx.pretend_today = publish_on
    out = b.step("evaluate", f"evaluate (today {publish_on})", lambda: evaluation.evaluate(ctx, period),
                 lambda r: len(r.rows), "candidates")
    print(f"      {out.title[:160]}")
    out = b.step("publish", "publish (notice xlsx + html)", lambda: evaluation.publish(ctx, period, out=cdir), total,
                 "candidates")
    print(f"      {out.summary[:160]}")
    ctx.pretend_today = close_on
    out = b.step("close", f"close (today {close_on})", lambda: evaluation.close(ctx, period),
                 lambda r: r.data["events"], "events")
    print(f"      {out.summary[:160]}")
    ctx.pretend_today = None


def run_allowance(b: Bench, ctx, folder: Path) -> None:  # noqa: ANN001
    from gradecli.demo import _write, sample_allowance_rows
    from gradecli.domain.ladder import Grade
    from gradecli.services import allowance, grades

    lp = ctx.policy.ladder
    rows = (sample_allowance_rows(lp.levels_per_tier, lp.tiers, date(TODAY.year - 2, 1, 1))
            + sample_allowance_rows(lp.levels_per_tier, lp.tiers, date(TODAY.year + 1, 1, 1), raise_percent=5))
    table = b.setup("write the allowance table", lambda: _write(
        folder / "inputs" / "allowance-table.xlsx", "津贴 Allowance", allowance.TABLE_COLUMNS, rows))
    b.step("import_table", "allowance import (sample table)", lambda: allowance.import_table(ctx, table), len(rows))
    adir = folder / "allowance"
    months = [date(TODAY.year, 12, 1), date(TODAY.year + 1, 1, 1)]
    for m in months:
        out = b.step(f"compute_{m:%Y%m}", f"allowance compute {m:%Y-%m} --out",
                     lambda m=m: allowance.compute(ctx, month=m, out=adir / f"payroll-{m:%Y-%m}.xlsx"),
                     lambda r: len(r.rows), "employees")
        print(f"      {out.title}")
    # as the demo: the first 客服 grade on 10 December below the top level is corrected back to that day
    graded = b.step("as_of", f"grade as-of {TODAY.year}-12-10 (who to correct)",
                    lambda: grades.as_of(ctx, date(TODAY.year, 12, 10)), lambda r: len(r.rows), "graded")
    who = next(r for r in graded.rows if r["level"] < lp.levels_per_tier and r["family"] == FAMILY)
    ctx.pretend_today = date(TODAY.year + 1, 2, 20)
    out = b.step("correct", "grade correct (back-dated)", lambda: grades.correct(
        ctx, who["emp_no"], to=Grade(who["tier"], who["level"] + 1), on=date(TODAY.year, 12, 10),
        reason="2025 年度定级录入有误，经复核更正（补发津贴）"))
    print(f"      {out.summary}")
    out = b.step("arrears", f"arrears {months[0]:%Y-%m}..{months[-1]:%Y-%m} --out", lambda: allowance.arrears(
        ctx, start=months[0], end=months[-1], out=adir / f"arrears-{months[0]:%Y-%m}-{months[-1]:%Y-%m}.xlsx"),
        lambda r: len(r.rows), "lines", rate=False)
    print(f"      {out.title}")
    ctx.pretend_today = None


def run_reports(b: Bench, ctx, folder: Path) -> None:  # noqa: ANN001
    from gradecli.services import reports

    on = date(TODAY.year + 1, 2, 1)  # when the half-year results take effect (as the demo)
    rdir = folder / "reports"
    ctx.pretend_today = on
    for key, label, fn in [
        ("pyramid", "report pyramid --out", lambda: reports.pyramid(ctx, on=on, out=rdir / "pyramid.xlsx")),
        ("pyramid_family", f"report pyramid --family {FAMILY} --out",
         lambda: reports.pyramid(ctx, family=FAMILY, on=on, out=rdir / f"pyramid-{FAMILY}.xlsx")),
        ("cycle_annual", f"report cycle {TODAY.year} --out",
         lambda: reports.cycle_report(ctx, str(TODAY.year), out=rdir / f"cycle-{TODAY.year}.xlsx")),
        ("cycle_half", f"report cycle {TODAY.year}H2 --out",
         lambda: reports.cycle_report(ctx, f"{TODAY.year}H2", out=rdir / f"cycle-{TODAY.year}H2.xlsx")),
        ("items", f"report items {TODAY.year}H2 --out",
         lambda: reports.items_report(ctx, f"{TODAY.year}H2", out=rdir / f"items-{TODAY.year}H2.xlsx")),
    ]:
        try:  # the reports do not depend on one another: a failing one is noted and the rest go on
            out = b.step(key, label, fn)
            print(f"      {out.title[:160]}")
        except Exception as exc:  # noqa: BLE001
            b.failed.append(key)
            print(f"      FAILED: {type(exc).__name__}: {str(exc)[:300]}")
            traceback.print_exc(limit=-3, file=sys.stdout)

    def projection():  # noqa: ANN202
        listing = reports.projection(ctx, years=5, attrition=0.05)
        reports.projection_xlsx(listing, rdir / "projection.xlsx")
        return listing

    out = b.step("projection", "report projection --out", projection)
    print(f"      {out.title[:160]}")
    ctx.pretend_today = None


def _first_evaluation(ctx, folder):  # noqa: ANN001, ANN202
    """Place, publish, and close after the objection window (the ledger is written at closing)."""
    as_of = date(TODAY.year - 1, 7, 1)
    ctx.pretend_today = as_of
    placed = evaluation.first_evaluation(ctx, as_of=as_of, out=folder / "first-evaluation.xlsx",
                                         publish_to=folder / "first-evaluation")
    ctx.pretend_today = as_of + timedelta(days=ctx.policy.evaluation.objection_days + 1)
    evaluation.close(ctx, placed.extra["cycle"])
    ctx.pretend_today = None
    return placed


def main() -> None:
    from gradecli.demo import SEED, _write, build_existing_grades, build_ratings, build_roster
    from gradecli.formats.sheets import grade_columns, performance_columns, roster_columns
    from gradecli.services import bank, evaluation, grades, perf, staff
    from gradecli.services.context import Context

    folder = WORK / f"story-{N}"
    inputs = folder / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    ctx = Context(url=fresh_db(folder / "story.db"))
    rng = random.Random(SEED)
    b = Bench()
    wall0 = time.perf_counter()
    print(f"the whole story (gradecli/demo.py) for {N:,} staff, today {TODAY}; scratch {folder}", flush=True)

    print("0. set-up")
    b.setup("schema (migrations)", lambda: ctx.engine)
    people = b.setup("build_roster", lambda: build_roster(rng, TODAY, size=N))
    roster_file = b.setup("write roster.xlsx", lambda: _write(inputs / "roster.xlsx", "人员 Roster",
                                                              roster_columns(ctx.policy), people))
    years = [TODAY.year - 3, TODAY.year - 2, TODAY.year - 1]
    ratings = b.setup("build_ratings (3 years)", lambda: build_ratings(rng, people, years))
    perf_file = b.setup("write ratings.xlsx", lambda: _write(inputs / "ratings.xlsx", "考核 Ratings",
                                                             performance_columns(ctx.policy), ratings))
    existing = b.setup("build_existing_grades", lambda: build_existing_grades(
        rng, people, ctx.policy.ladder.levels_per_tier, TODAY))
    grade_file = b.setup("write existing-grades.xlsx", lambda: _write(inputs / "existing-grades.xlsx", "等级 Grades",
                                                                      grade_columns(), existing))
    print(f"      {len(people):,} staff ({sum(p['family'] == FAMILY for p in people):,} {FAMILY}), "
          f"{len(ratings):,} ratings, {len(existing):,} existing grades\n", flush=True)
    n_people, n_ratings, n_existing = len(people), len(ratings), len(existing)
    del people, ratings, existing

    from importlib.resources import files

    banks = Path(str(files("gradecli.question_bank")))

    def stage(no: int, name: str, body) -> bool:  # noqa: ANN001
        b.start(no, name)
        try:
            body()
        except Exception as exc:  # noqa: BLE001 — figures only: note the failure and go on
            msg = "; ".join(exc.lines()) if hasattr(exc, "lines") else f"{type(exc).__name__}: {exc}"
            print(f"   FAILED: {msg[:600]}")
            traceback.print_exc(limit=-3, file=sys.stdout)
            ctx.pretend_today = None
            b.end("FAILED")
            return False
        b.end("ok" if not b.failed else "FAILED: " + ", ".join(b.failed))
        b.failed = []
        return True

    def one(key: str, label: str, fn, count, unit: str = "rows"):  # noqa: ANN001, ANN202
        def body() -> None:
            out = b.step(key, label, fn, count, unit)
            n = count(out) if callable(count) else count
            b.stage_count = (n, unit) if n else None
            print(f"      {(getattr(out, 'summary', None) or out.title)[:160]}")
        return body

    stage(1, "roster import", one("staff_import", "staff import roster.xlsx",
                                  lambda: staff.import_roster_file(ctx, roster_file), n_people))
    stage(2, "ratings import", one("perf_import", "perf import ratings.xlsx (3 years)",
                                   lambda: perf.import_perf_file(ctx, perf_file), n_ratings))
    stage(3, "existing grades import", one("grade_import", "grade import existing-grades.xlsx",
                                           lambda: grades.import_grades_file(ctx, grade_file), n_existing))
    stage(4, "bank import", one("bank_import", "bank import question_bank/", lambda: bank.import_paths(ctx, [banks]),
                                lambda r: r.data["questions"], "questions"))
    stage(5, "first evaluation", one(
        "first_evaluation", "first-evaluation --publish --out, then cycle close",
        lambda: _first_evaluation(ctx, folder),
        lambda r: r.extra["placed"], "placed"))
    annual, half = str(TODAY.year), f"{TODAY.year}H2"
    stage(6, f"annual cycle {annual} ({FAMILY})", lambda: run_cycle(
        b, ctx, "annual", annual, folder, rng, publish_on=date(TODAY.year, 11, 20), close_on=date(TODAY.year, 11, 30)))
    stage(7, f"semiannual cycle {half} ({FAMILY})", lambda: run_cycle(
        b, ctx, "semiannual", half, folder, rng, publish_on=date(TODAY.year, 12, 20), close_on=date(TODAY.year + 1, 1, 4)))
    stage(8, "allowance", lambda: run_allowance(b, ctx, folder))
    stage(9, "reports", lambda: run_reports(b, ctx, folder))

    measured = sum(s[1] for s in b.stages)
    print(f"summary — the whole story for {N:,} staff (measured seconds per stage; peak memory so far at its end)")
    for name, secs, rate, peak, status in b.stages:
        print(f"   {pad(name, 40)} {secs:9.2f} s  {rate:<30} peak so far {peak:7,.0f} MB"
              f"{'' if status == 'ok' else '  ' + status}")
    print(f"   {'total measured':<40} {measured:9.2f} s  {'':<30} peak so far {peak_mb():7,.0f} MB")
    print(f"   {'set-up (not measured)':<40} {b.setup_secs:9.2f} s")
    print(f"   {'wall time in all':<40} {time.perf_counter() - wall0:9.2f} s", flush=True)
    if b.profile_text:
        print(f"\nprofile of {PROFILE} at N={N:,} (top 15 by tottime):")
        print(b.profile_text)


if __name__ == "__main__":
    main()
