"""等级津贴 use cases: table versions, monthly computation, arrears and clawback, payroll sheets."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, func, select

from gradecli.domain.allowance import Rate, compute_month, month_bounds
from gradecli.domain.errors import BadInput, NotFound, Problem
from gradecli.domain.ledger import GRADE_NEUTRAL_KINDS, changes_grade, grade_steps
from gradecli.domain.ladder import Grade, Ladder
from gradecli.formats import cells, payroll as payroll_out
from gradecli.formats.excel import Column, read_table, write_template
from gradecli.services import admin
from gradecli.services.context import Context, bulk_work
from gradecli.services.results import LazyRows, Listing, Outcome
from gradecli.store import repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import (AllowanceRateRow, AllowanceTableRow, Employee, LedgerEventRow, PayrollLineRow,
                                   PayrollRunRow, PostHistory)

TABLE_COLUMNS = [
    Column("family", "岗位序列", "Post family", cells.text, required=False, blank_ok=True,
           note="a post family, or leave empty for every family"),
    Column("tier", "等", "Tier", cells.integer(1, 9), example=1, note="the tier number"),
    Column("level", "级", "Level", cells.integer(1, 9), example=1, note="the level number"),
    Column("amount", "月津贴", "Monthly amount", cells.decimal(Decimal(0), None, places=2), example=Decimal("300.00"),
           note="yuan a month, at most two decimals, not negative"),
    Column("effective", "生效日期", "Effective from", cells.a_date, example=date(2026, 1, 1),
           note="the first day the amounts apply, YYYY-MM-DD"),
]
TABLE_SHEET = "津贴标准 Allowance"


def parse_month(text: str) -> date:
    try:
        y, m = text.strip().split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        raise BadInput(f"{text!r} is not a month; write YYYY-MM, e.g. 2026-12") from None


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def yuan_text(fen: int) -> str:
    """'1234.50' from 123450 fen, without going through Decimal (a payroll formats many)."""
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


# ---------------------------------------------------------------- tables

def write_table_template(ctx: Context, path: Path) -> Outcome:
    """A blank allowance table: one row per grade and effective date, families from the policy."""
    families = tuple(ctx.policy.ladder.families)
    columns = [replace(TABLE_COLUMNS[0], choices=families, example=families[0] if families else None,
                       note="one of " + "/".join(families) + ", or leave empty for every family"),
               *TABLE_COLUMNS[1:]]
    write_template(path, TABLE_SHEET, columns, [
        "每个生效日期一版津贴标准：该版须覆盖岗位序列的每个等级（等、级）。"
        "One table version per effective date; it must cover every grade (等, 级) of the ladder.",
        "岗位序列留空表示适用于所有岗位序列。An empty 岗位序列 applies to every post family.",
        "月津贴以元为单位，最多两位小数。Monthly amounts in yuan, at most two decimals.",
        "新标准请用新的生效日期，已导入的版本不会被覆盖。A new table takes a new effective date; versions are never overwritten.",
    ])
    return Outcome(f"wrote the allowance table template {path}", {"path": str(path)})


def import_table(ctx: Context, path: Path) -> Outcome:
    table = read_table(path, TABLE_COLUMNS)
    policy = ctx.policy
    versions: dict[date, dict[tuple[str, int, int], tuple[int, int]]] = defaultdict(dict)
    problems, warnings = [], list(table.warnings)
    for row_no, r in table.rows:
        fam = r["family"] or ""
        key = (fam, r["tier"], r["level"])
        ladder = Ladder.for_family(policy, fam or None)
        where = table.where(row_no)
        if not ladder.contains(Grade(r["tier"], r["level"])):
            problems.append(Problem(f"{where}, column 级", f"grade {r['tier']}-{r['level']} is outside the "
                                    f"{fam or 'default'} ladder (tiers 1–{ladder.tiers}, levels 1–{ladder.levels})"))
            continue
        if key in versions[r["effective"]]:
            problems.append(Problem(f"{where}, column 等", f"{fam or 'all families'} {r['tier']}-{r['level']} from "
                                    f"{r['effective']} appears again (first in row {versions[r['effective']][key][1]})"))
            continue
        versions[r["effective"]][key] = (int(r["amount"] * 100), row_no)
    for eff, rates in versions.items():
        for fam in sorted({k[0] for k in rates}):
            ladder = Ladder.for_family(policy, fam or None)
            missing = [str(g) for g in ladder.steps() if (fam, g.tier, g.level) not in rates]
            if missing:
                problems.append(Problem(f"{table.source}, sheet {table.sheet}",
                                        f"the table from {eff} for {fam or 'all families'} lacks grades "
                                        f"{', '.join(missing)}; a table must cover every grade of the ladder"))
                continue
            steps = ladder.steps()
            for lower, higher in zip(steps, steps[1:]):
                a, b = rates[(fam, lower.tier, lower.level)], rates[(fam, higher.tier, higher.level)]
                if b[0] < a[0]:
                    warnings.append(f"{table.where(b[1])}: {fam or 'all'} {higher} pays {yuan(b[0])}, less than "
                                    f"{lower} ({yuan(a[0])}); check the amount")
    if problems:
        raise BadInput(problems=problems)
    added, same = [], []
    with ctx.uow() as uow:
        s = uow.s
        for eff, rates in sorted(versions.items()):
            content = json.dumps(sorted((k, v[0]) for k, v in rates.items()), ensure_ascii=False)
            h = hashlib.sha256(content.encode()).hexdigest()
            fams = ",".join(sorted({k[0] for k in rates}))
            old = s.scalars(select(AllowanceTableRow).where(AllowanceTableRow.effective_from == eff,
                                                            AllowanceTableRow.families == fams)).first()
            if old is not None:
                if old.content_hash != h:
                    raise BadInput(f"{path}: a table for {fams or 'all families'} effective {eff} already exists with "
                                   "other amounts; versions never overwrite each other — give the new table a later "
                                   "effective date")
                same.append(eff)
                continue
            row = AllowanceTableRow(effective_from=eff, families=fams, content_hash=h, source=str(path),
                                    imported_at=repo.now_utc(), imported_by=ctx.actor)
            s.add(row)
            s.flush()
            insert_rows(s, AllowanceRateRow.__table__, [
                {"table_id": row.id, "family": k[0], "tier": k[1], "level": k[2], "amount_fen": v[0]}
                for k, v in sorted(rates.items())])
            added.append(eff)
        uow.commit()
    if not added:
        summary = f"{path}: nothing changed (the table is already imported)"
    else:
        summary = f"{path}: {len(added)} table version(s) from {', '.join(map(str, added))}"
    return Outcome(summary, {"added": [str(d) for d in added], "unchanged": [str(d) for d in same]}, warnings)


class Tables:
    """Every table version, answering: the amount of a grade for a family on a day."""

    def __init__(self, s):  # noqa: ANN001
        self.versions = list(s.scalars(select(AllowanceTableRow).order_by(AllowanceTableRow.effective_from,
                                                                          AllowanceTableRow.id)))
        self.rates: dict[int, dict[tuple[str, int, int], int]] = defaultdict(dict)
        for r in s.scalars(select(AllowanceRateRow)):
            self.rates[r.table_id][(r.family, r.tier, r.level)] = r.amount_fen
        self.starts = sorted({v.effective_from for v in self.versions})

    def rate(self, family: str, day: date, g: Grade) -> Rate | None:
        for v in reversed(self.versions):
            if v.effective_from > day:
                continue
            rates = self.rates[v.id]
            amount = rates.get((family, g.tier, g.level), rates.get(("", g.tier, g.level)))
            if amount is not None:
                return Rate(v.id, amount)
        return None

    def in_force(self, on: date) -> list[AllowanceTableRow]:
        latest: dict[str, AllowanceTableRow] = {}
        for v in self.versions:
            if v.effective_from <= on:
                latest[v.families] = v
        return list(latest.values())


SHOW_COLUMNS = [("family", "岗位序列"), ("grade", "等级"), ("label", "等级名"), ("amount", "月津贴（元）"),
                ("version", "版本"), ("effective_from", "生效日期")]


def show(ctx: Context, *, on: date | None = None) -> Listing:
    on = on or ctx.today
    with ctx.uow() as uow:
        tables = Tables(uow.s)
    rows = []
    for v in tables.in_force(on):
        for (fam, t, lv), fen in sorted(tables.rates[v.id].items()):
            g = Grade(t, lv)
            rows.append({"family": fam or "（全部）", "grade": str(g), "label": Ladder.for_family(ctx.policy, fam or None).label(g),
                         "amount": str(yuan(fen)), "version": v.id, "effective_from": v.effective_from.isoformat()})
    notes = [] if rows else [f"no allowance table is in force on {on}; import one with `gradecli allowance import FILE.xlsx`"]
    a = ctx.policy.allowance
    notes.append("front-line differential: " + (f"{a.frontline_share_percent} % of the grade amount" if a.frontline_mode == "share"
                                                else f"{a.frontline_fixed_yuan} yuan a month"))
    return Listing(f"Allowance table in force on {on}", SHOW_COLUMNS, rows, notes, {"on": on.isoformat()})


# ---------------------------------------------------------------- monthly computation

def _month_lines(ctx: Context, s, month: date):  # noqa: ANN001, ANN202
    """Every employee's line for a month, from today's ledger, posts and tables."""
    first, last = month_bounds(month)
    cols = (Employee.id, Employee.emp_no, Employee.name, Employee.department, Employee.family, Employee.hire_date,
            Employee.leave_date, Employee.active, Employee.frontline)
    staff = [e for e in s.execute(select(*cols).where(Employee.professional, Employee.hire_date <= last)
                                  .order_by(Employee.emp_no))
             if (e.leave_date is None and e.active) or (e.leave_date is not None and e.leave_date >= first)]
    events = repo.events_by_employee(s, until=last)
    posts = defaultdict(list)
    for eid, start, fl in s.execute(select(PostHistory.employee_id, PostHistory.start_date, PostHistory.frontline)
                                    .order_by(PostHistory.start_date, PostHistory.id)):
        posts[eid].append((start, fl))
    tables = Tables(s)
    lines = []
    for n, e in enumerate(staff):
        steps = grade_steps(events.get(e.id, ()))
        if not steps:
            continue
        fam = e.family
        line = compute_month(emp_no=e.emp_no, month=first, employed=(e.hire_date, e.leave_date), grades=steps,
                             frontline=posts.get(e.id) or [(e.hire_date, e.frontline)],
                             rate=lambda day, g, fam=fam: tables.rate(fam, day, g), version_starts=tables.starts,
                             policy=ctx.policy)
        if line.segments or line.missing:
            lines.append((e, line))
        if n % 5000 == 0:
            ctx.progress("allowance", n, len(staff))
    return lines


def _stored_segments(line) -> str:  # noqa: ANN001
    """The stored form: one list per segment — from, to, days, grade, table version, monthly
    amount (fen), front-line, monthly differential (fen), segment total (fen)."""
    return json.dumps([[sg.start.isoformat(), sg.end.isoformat(), sg.days, str(sg.grade), sg.version, sg.amount,
                        sg.frontline, sg.differential, sg.total] for sg in line.segments], separators=(",", ":"))


def _segments(line) -> list[dict]:  # noqa: ANN001
    return [{"from": sg.start.isoformat(), "to": sg.end.isoformat(), "days": sg.days, "grade": str(sg.grade),
             "version": sg.version, "amount": sg.amount, "frontline": sg.frontline,
             "differential": sg.differential, "total": sg.total} for sg in line.segments]


LINE_COLUMNS = [("emp_no", "工号"), ("name", "姓名"), ("department", "部门"), ("family", "岗位序列"), ("grade", "等级"),
                ("days", "天数"), ("base", "基础津贴"), ("differential", "岗位级差"), ("total", "合计")]


def _row(e, line) -> dict:  # noqa: ANN001
    segs = line.segments
    if len(segs) == 1:
        sg = segs[0]
        grade = str(sg.grade)
        days = f"{sg.start:%m-%d}–{sg.end:%m-%d} {grade}{' 一线' if sg.frontline else ''} {sg.days}天"
    else:
        grades = []
        for sg in segs:
            if not grades or grades[-1] != str(sg.grade):
                grades.append(str(sg.grade))
        grade = " → ".join(grades)
        days = "; ".join(f"{sg.start:%m-%d}–{sg.end:%m-%d} {sg.grade}{' 一线' if sg.frontline else ''} {sg.days}天"
                         for sg in segs)
    return {"emp_no": e.emp_no, "name": e.name, "department": e.department, "family": e.family, "grade": grade,
            "tier": segs[-1].grade.tier if segs else None, "days": days,
            "base": yuan_text(line.base), "differential": yuan_text(line.differential), "total": yuan_text(line.total),
            "total_fen": line.total, "base_fen": line.base, "differential_fen": line.differential,
            "segments": _segments(line)}


@bulk_work()
def compute(ctx: Context, *, month: date, out: Path | None = None, replace: bool = False) -> Listing:
    with ctx.uow() as uow:
        s = uow.s
        lines = _month_lines(ctx, s, month)
        missing = [f"{e.emp_no}: {m}" for e, line in lines for m in line.missing]
        if missing:
            raise BadInput(problems=[Problem("", f"{m}; import an allowance table that covers it") for m in missing[:50]])
        rows = LazyRows(lines, lambda pair: _row(*pair))
        total = sum(line.total for _, line in lines)
        run = s.scalars(select(PayrollRunRow).where(PayrollRunRow.month == month)).first()
        notes, diff_rows, stored, backup = [], [], False, None
        if run is not None:
            old = {ln.emp_no: ln.total_fen for ln in s.scalars(select(PayrollLineRow).where(PayrollLineRow.run_id == run.id))}
            new = {e.emp_no: line.total for e, line in lines}
            diff_rows = [(k, old.get(k, 0), new.get(k, 0)) for k in sorted(set(old) | set(new)) if old.get(k, 0) != new.get(k, 0)]
            if not diff_rows:
                notes.append(f"{month:%Y-%m} is stored and unchanged")
            elif not replace:
                notes.append(f"{month:%Y-%m} is stored ({yuan(run.total_fen)} yuan); computed again it differs for "
                             f"{len(diff_rows)} employee(s) by {yuan(total - run.total_fen)} yuan in all: "
                             + "; ".join(f"{k} {yuan(a)} → {yuan(b)}" for k, a, b in diff_rows[:10])
                             + " — add --replace to store the new figures (or use `allowance arrears`)")
        if run is None or (replace and diff_rows):
            if replace:  # inside the transaction: the copy is exactly what this replaces
                backup, backup_notes = admin.automatic_backup(ctx, f"allowance-compute-{month:%Y-%m}",
                                                              f"allowance compute --month {month:%Y-%m} --replace")
                notes.extend(backup_notes)
            if run is not None:
                s.execute(delete(PayrollLineRow).where(PayrollLineRow.run_id == run.id))
                s.execute(delete(PayrollRunRow).where(PayrollRunRow.id == run.id))
                s.flush()
            run = PayrollRunRow(month=month, computed_at=repo.now_utc(), computed_by=ctx.actor, total_fen=total,
                                lines=len(rows), ledger_seq=s.scalar(select(func.max(LedgerEventRow.seq))) or 0,
                                table_id=s.scalar(select(func.max(AllowanceTableRow.id))) or 0)
            s.add(run)
            s.flush()
            insert_rows(s, PayrollLineRow.__table__, [
                {"run_id": run.id, "employee_id": e.id, "emp_no": e.emp_no, "base_fen": line.base,
                 "differential_fen": line.differential, "total_fen": line.total,
                 "segments": _stored_segments(line)}
                for e, line in lines])
            stored = True
            notes.append(f"{month:%Y-%m} stored as a payroll run")
        uow.commit()
    listing = Listing(f"Allowance {month:%Y-%m}: {len(rows)} employees, {yuan(total)} yuan", LINE_COLUMNS, rows, notes,
                      {"month": f"{month:%Y-%m}", "total": str(yuan(total)), "stored": stored, "backup": backup,
                       "differences": [{"emp_no": k, "stored": str(yuan(a)), "now": str(yuan(b))} for k, a, b in diff_rows]})
    if out:
        payroll_out.write_payroll(out, f"{month:%Y-%m}", rows)
        listing.notes.append(f"wrote {out}")
    return listing


# ---------------------------------------------------------------- arrears and clawback

ARREARS_COLUMNS = [("emp_no", "工号"), ("name", "姓名"), ("department", "部门"), ("month", "月份"), ("paid", "已发"),
                   ("due", "应发"), ("difference", "差额"), ("kind", "类别"), ("cause", "原因")]


@bulk_work()
def arrears(ctx: Context, *, start: date, end: date, out: Path | None = None) -> Listing:
    if end < start:
        raise BadInput(f"--to {end:%Y-%m} is before --from {start:%Y-%m}")
    with ctx.uow() as uow:
        s = uow.s
        runs = list(s.scalars(select(PayrollRunRow).where(PayrollRunRow.month >= start, PayrollRunRow.month <= end)
                              .order_by(PayrollRunRow.month)))
        if not runs:
            raise NotFound(f"no stored months between {start:%Y-%m} and {end:%Y-%m}; compute them with `allowance compute`")
        staff = {e.id: e for e in repo.staff_rows(s)}
        rows = []
        for run in runs:
            first, last = month_bounds(run.month)
            stored = {ln.employee_id: ln for ln in s.scalars(select(PayrollLineRow).where(PayrollLineRow.run_id == run.id))}
            paid = {eid: ln.total_fen for eid, ln in stored.items()}
            due_lines = {e.id: line for e, line in _month_lines(ctx, s, run.month)}
            due = {eid: line.total for eid, line in due_lines.items()}
            later = defaultdict(list)
            for ev in s.scalars(select(LedgerEventRow).where(LedgerEventRow.seq > run.ledger_seq,
                                                             LedgerEventRow.effective <= last)):
                later[ev.employee_id].append(f"{ev.kind} #{ev.seq} effective {ev.effective} ({ev.reason[:60]})")
            tables = [f"allowance table from {t.effective_from} imported {t.imported_at:%Y-%m-%d}"
                      for t in s.scalars(select(AllowanceTableRow).where(AllowanceTableRow.id > run.table_id,
                                                                         AllowanceTableRow.effective_from <= last))]
            for eid in sorted(set(paid) | set(due), key=lambda i: staff[i].emp_no):
                diff = due.get(eid, 0) - paid.get(eid, 0)
                if diff == 0:
                    continue
                e = staff[eid]
                rows.append({"emp_no": e.emp_no, "name": e.name, "department": e.department, "month": f"{run.month:%Y-%m}",
                             "paid": str(yuan(paid.get(eid, 0))), "due": str(yuan(due.get(eid, 0))),
                             "difference": str(yuan(diff)), "difference_fen": diff,
                             "kind": "补发 arrears" if diff > 0 else "扣回 clawback",
                             "cause": "; ".join(later.get(eid, []) + tables)
                             or _grade_cause(s, eid, stored.get(eid), due_lines.get(eid))
                             or "posts or roster changed since it was computed"})
    net = sum(r["difference_fen"] for r in rows)
    listing = Listing(f"Arrears {start:%Y-%m} – {end:%Y-%m}: {len(rows)} lines, net {yuan(net)} yuan",
                      ARREARS_COLUMNS, rows, [], {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}", "net": str(yuan(net))})
    if out:
        payroll_out.write_arrears(out, f"{start:%Y-%m} – {end:%Y-%m}", rows)
        listing.notes.append(f"wrote {out}")
    return listing


def _grade_cause(s, employee_id: int, stored, due) -> str | None:  # noqa: ANN001
    """Why a stored month differs when nothing was recorded since it was computed: the first day
    it was paid at another grade than the ledger gives, and the event that sets the ledger's grade
    on that day (e.g. a demotion that an old-style deferral had wrongly undone)."""
    if stored is None or due is None:
        return None
    paid_grade = {}
    for start, end, _days, grade, *_ in json.loads(stored.segments):
        day = date.fromisoformat(start)
        while day <= date.fromisoformat(end):
            paid_grade[day] = grade
            day = date.fromordinal(day.toordinal() + 1)
    for sg in due.segments:
        day = sg.start
        while day <= sg.end:
            if paid_grade.get(day) not in (None, str(sg.grade)):
                return _event_setting(s, employee_id, day, paid_grade[day])
            day = date.fromordinal(day.toordinal() + 1)
    return None


def _event_setting(s, employee_id: int, day: date, paid: str) -> str:  # noqa: ANN001
    evs = repo.events_for(s, employee_id)
    in_force = [ev for ev in evs if ev.effective <= day and changes_grade(ev)]
    ev = max(in_force, key=lambda e: (e.effective, e.seq))
    text = f"{ev.kind} #{ev.seq} effective {ev.effective} sets {ev.to_grade} ({ev.reason[:60]}); paid at {paid} from {day}"
    stale = [d for d in evs if d.kind in GRADE_NEUTRAL_KINDS and d.to_grade is not None and str(d.to_grade) == paid
             and d.effective <= day]
    if stale:
        text += f", when {stale[-1].kind} #{stale[-1].seq} was taken for a grade (a deferral never changes the grade)"
    return text
