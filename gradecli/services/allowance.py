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
from gradecli.domain.ledger import GRADE_NEUTRAL_KINDS, changes_grade, event_kind, grade_steps
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.values import Money
from gradecli.formats import cells, payroll as payroll_out
from gradecli.formats.excel import Column, read_table, write_template
from gradecli.i18n import Msg, N_, Reason, loads
from gradecli.services import admin
from gradecli.services.context import Context, bulk_work
from gradecli.services.results import LazyRows, Listing, Outcome
from gradecli.store import repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import (AllowanceRateRow, AllowanceTableRow, Employee, LedgerEventRow, PayrollLineRow,
                                   PayrollRunRow, PostHistory)

TABLE_COLUMNS = [
    Column("family", "岗位序列", "Post family", cells.text, required=False, blank_ok=True,
           note=N_("a post family, or leave empty for every family")),
    Column("tier", "等", "Tier", cells.integer(1, 9), example=1, note=N_("the tier number")),
    Column("level", "级", "Level", cells.integer(1, 9), example=1, note=N_("the level number")),
    Column("amount", "月津贴", "Monthly amount", cells.decimal(Decimal(0), None, places=2), example=Decimal("300.00"),
           note=N_("yuan a month, at most two decimals, not negative")),
    Column("effective", "生效日期", "Effective from", cells.a_date, example=date(2026, 1, 1),
           note=N_("the first day the amounts apply, YYYY-MM-DD")),
]
TABLE_SHEET = Msg("Allowance table")  # the sheet of an allowance table template
PROGRESS = Msg("computing the allowance")
ALL_FAMILIES = Reason("all_families", "(all families)")  # a table row whose 岗位序列 is empty
# A line of the arrears sheet: money owed (补发) or money to take back (扣回).
ADJUSTMENTS = {"arrears": Reason("arrears", "arrears"), "clawback": Reason("clawback", "clawback")}


def parse_month(text: str) -> date:
    try:
        y, m = text.strip().split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        raise BadInput(Reason("not_a_month", "'{text}' is not a month; write YYYY-MM, e.g. 2026-12",
                              text=text)) from None


def yuan(fen: int) -> Money:
    return Money.from_fen(fen)


# ---------------------------------------------------------------- tables

def write_table_template(ctx: Context, path: Path) -> Outcome:
    """A blank allowance table: one row per grade and effective date, families from the policy."""
    families = tuple(ctx.policy.ladder.families)
    note = Msg("one of {families}, or leave empty for every family", families="/".join(families)).text()
    columns = [replace(TABLE_COLUMNS[0], choices=families, example=families[0] if families else None, note=note),
               *TABLE_COLUMNS[1:]]
    write_template(path, TABLE_SHEET, columns, [
        Msg("One table version per effective date; it must cover every grade (tier and level) of the ladder."),
        Msg("A row whose post family is empty applies to every post family."),
        Msg("Monthly amounts in yuan, at most two decimals."),
        Msg("A new table takes a new effective date; versions already imported are never overwritten."),
    ])
    return Outcome(Msg("wrote the allowance table template {path}", path=path), {"path": str(path)})


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
        g = Grade(r["tier"], r["level"])
        if not ladder.contains(g):
            bounds = {"grade": str(g), "tiers": ladder.tiers, "levels": ladder.levels}
            problems.append(Problem(where.at(column="级"), Reason(
                "grade_outside_ladder", "grade {grade} is outside the {family} ladder (tiers 1–{tiers}, levels "
                "1–{levels})", family=fam, **bounds) if fam else Reason(
                "grade_outside_ladder", "grade {grade} is outside the default ladder (tiers 1–{tiers}, levels "
                "1–{levels})", **bounds)))
            continue
        if key in versions[r["effective"]]:
            again = {"grade": str(g), "date": r["effective"], "first": versions[r["effective"]][key][1]}
            problems.append(Problem(where.at(column="等"), Reason(
                "duplicate_grade", "grade {grade} of {family} from {date} appears again (first in row {first})",
                family=fam, **again) if fam else Reason(
                "duplicate_grade", "grade {grade} for all families from {date} appears again (first in row {first})",
                **again)))
            continue
        versions[r["effective"]][key] = (int(r["amount"] * 100), row_no)
    for eff, rates in versions.items():
        for fam in sorted({k[0] for k in rates}):
            ladder = Ladder.for_family(policy, fam or None)
            missing = [str(g) for g in ladder.steps() if (fam, g.tier, g.level) not in rates]
            if missing:
                problems.append(Problem(table.where(), Reason(
                    "table_incomplete", "the table from {date} for {family} lacks grades {grades}; a table must cover "
                    "every grade of the ladder", date=eff, family=fam, grades=missing) if fam else Reason(
                    "table_incomplete", "the table from {date} for all families lacks grades {grades}; a table must "
                    "cover every grade of the ladder", date=eff, grades=missing)))
                continue
            steps = ladder.steps()
            for lower, higher in zip(steps, steps[1:]):
                a, b = rates[(fam, lower.tier, lower.level)], rates[(fam, higher.tier, higher.level)]
                if b[0] < a[0]:
                    pays = {"where": table.where(b[1]), "grade": str(higher), "amount": yuan(b[0]),
                            "lower": str(lower), "lower_amount": yuan(a[0])}
                    warnings.append(Msg("{where}: {family} {grade} pays {amount}, less than {lower} ({lower_amount}); "
                                        "check the amount", family=fam, **pays) if fam else
                                    Msg("{where}: {grade} (all families) pays {amount}, less than {lower} "
                                        "({lower_amount}); check the amount", **pays))
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
                    raise BadInput(Reason("table_version_exists", "{path}: a table for {families} effective {date} "
                                          "already exists with other amounts; versions never overwrite each other — "
                                          "give the new table a later effective date", path=path, families=fams,
                                          date=eff) if fams else
                                   Reason("table_version_exists", "{path}: a table for all families effective {date} "
                                          "already exists with other amounts; versions never overwrite each other — "
                                          "give the new table a later effective date", path=path, date=eff))
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
        summary = Msg("{path}: nothing changed (the table is already imported)", path=path)
    else:
        summary = Msg("{path}: {count} table version(s) from {dates}", path=path, count=len(added), dates=added)
    return Outcome(summary, {"added": added, "unchanged": same}, warnings)


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


SHOW_COLUMNS = [("family", Msg("Post family")), ("grade", Msg("Grade")), ("label", Msg("Grade name")),
                ("amount", Msg("Monthly amount (yuan)")), ("version", Msg("Version")),
                ("effective_from", Msg("Effective from"))]


def show(ctx: Context, *, on: date | None = None) -> Listing:
    on = on or ctx.today
    with ctx.uow() as uow:
        tables = Tables(uow.s)
    rows = []
    for v in tables.in_force(on):
        for (fam, t, lv), fen in sorted(tables.rates[v.id].items()):
            g = Grade(t, lv)
            rows.append({"family": fam or ALL_FAMILIES, "grade": str(g),
                         "label": Ladder.for_family(ctx.policy, fam or None).label(g),
                         "amount": yuan(fen), "version": v.id, "effective_from": v.effective_from})
    notes = [] if rows else [Msg("no allowance table is in force on {date}; import one with `gradecli allowance import "
                                 "FILE.xlsx`", date=on)]
    a = ctx.policy.allowance
    notes.append(Msg("front-line differential: {percent} percent of the grade amount", percent=a.frontline_share_percent)
                 if a.frontline_mode == "share" else
                 Msg("front-line differential: {amount} yuan a month", amount=a.frontline_fixed_yuan))
    return Listing(Msg("Allowance table in force on {date}", date=on), SHOW_COLUMNS, rows, notes, {"on": on})


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
            ctx.progress(PROGRESS, n, len(staff))
    return lines


def _stored_segments(line) -> str:  # noqa: ANN001
    """The stored form: one list per segment — from, to, days, grade, table version, monthly
    amount (fen), front-line, monthly differential (fen), segment total (fen)."""
    return json.dumps([[sg.start.isoformat(), sg.end.isoformat(), sg.days, str(sg.grade), sg.version, sg.amount,
                        sg.frontline, sg.differential, sg.total] for sg in line.segments], separators=(",", ":"))


def _segments(line) -> list[dict]:  # noqa: ANN001
    return [{"from": sg.start, "to": sg.end, "days": sg.days, "grade": str(sg.grade),
             "version": sg.version, "amount": sg.amount, "frontline": sg.frontline,
             "differential": sg.differential, "total": sg.total} for sg in line.segments]


LINE_COLUMNS = [("emp_no", Msg("Employee No.")), ("name", Msg("Name")), ("department", Msg("Department")),
                ("family", Msg("Post family")), ("grade", Msg("Grade")), ("days", Msg("Days")),
                ("base", Msg("Base")), ("differential", Msg("Differential")), ("total", Msg("Total"))]


def _days(sg) -> Msg:  # noqa: ANN001
    """A segment for people: its days, grade and front-line status (12-01–12-16 2-1 front-line, 16 days)."""
    start, end = f"{sg.start.month:02d}-{sg.start.day:02d}", f"{sg.end.month:02d}-{sg.end.day:02d}"
    if sg.frontline:
        return Msg("{start}–{end} {grade} front-line ({days} d)", start=start, end=end, grade=str(sg.grade),
                   days=sg.days)
    return Msg("{start}–{end} {grade} ({days} d)", start=start, end=end, grade=str(sg.grade), days=sg.days)


def _row(e, line) -> dict:  # noqa: ANN001
    """A payroll line: ``days`` says it for people (a list of messages, one per segment), ``segments``
    for scripts; the amounts are Money (JSON: "1234.50") beside the same in integer fen."""
    segs = line.segments
    if len(segs) == 1:
        grade = str(segs[0].grade)
    else:
        grades = []
        for sg in segs:
            if not grades or grades[-1] != str(sg.grade):
                grades.append(str(sg.grade))
        grade = " → ".join(grades)
    return {"emp_no": e.emp_no, "name": e.name, "department": e.department, "family": e.family, "grade": grade,
            "tier": segs[-1].grade.tier if segs else None, "days": [_days(sg) for sg in segs],
            "base": yuan(line.base), "differential": yuan(line.differential), "total": yuan(line.total),
            "total_fen": line.total, "base_fen": line.base, "differential_fen": line.differential,
            "segments": _segments(line)}


@bulk_work()
def compute(ctx: Context, *, month: date, out: Path | None = None, replace: bool = False) -> Listing:
    with ctx.uow() as uow:
        s = uow.s
        lines = _month_lines(ctx, s, month)
        missing = [(e.emp_no, day, g) for e, line in lines for day, g in line.missing]
        if missing:
            raise BadInput(problems=[Problem("", Reason(
                "no_allowance_amount", "{emp_no}: {date}: no allowance amount for grade {grade}; import an allowance "
                "table that covers it", emp_no=emp_no, date=day, grade=str(g))) for emp_no, day, g in missing[:50]])
        rows = LazyRows(lines, lambda pair: _row(*pair))
        total = sum(line.total for _, line in lines)
        run = s.scalars(select(PayrollRunRow).where(PayrollRunRow.month == month)).first()
        notes, diff_rows, stored, backup = [], [], False, None
        if run is not None:
            old = {ln.emp_no: ln.total_fen for ln in s.scalars(select(PayrollLineRow).where(PayrollLineRow.run_id == run.id))}
            new = {e.emp_no: line.total for e, line in lines}
            diff_rows = [(k, old.get(k, 0), new.get(k, 0)) for k in sorted(set(old) | set(new)) if old.get(k, 0) != new.get(k, 0)]
            if not diff_rows:
                notes.append(Msg("{month} is stored and unchanged", month=f"{month:%Y-%m}"))
            elif not replace:
                notes.append(Msg("{month} is stored ({stored} yuan); computed again it differs for {count} employee(s) "
                                 "by {difference} yuan in all: {changes} — add --replace to store the new figures (or "
                                 "use `gradecli allowance arrears`)", month=f"{month:%Y-%m}", stored=yuan(run.total_fen),
                                 count=len(diff_rows), difference=yuan(total - run.total_fen),
                                 changes=[Msg("{emp_no} {old} → {new}", emp_no=k, old=yuan(a), new=yuan(b))
                                          for k, a, b in diff_rows[:10]]))
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
            notes.append(Msg("{month} stored as a payroll run", month=f"{month:%Y-%m}"))
        uow.commit()
    listing = Listing(Msg("Allowance {month}: {count} employees, {total} yuan", month=f"{month:%Y-%m}", count=len(rows),
                          total=yuan(total)), LINE_COLUMNS, rows, notes,
                      {"month": f"{month:%Y-%m}", "total": yuan(total), "stored": stored, "backup": backup,
                       "differences": [{"emp_no": k, "stored": yuan(a), "now": yuan(b)} for k, a, b in diff_rows]})
    if out:
        payroll_out.write_payroll(out, f"{month:%Y-%m}", rows)
        listing.notes.append(Msg("wrote {path}", path=out))
    return listing


# ---------------------------------------------------------------- arrears and clawback

ARREARS_COLUMNS = [("emp_no", Msg("Employee No.")), ("name", Msg("Name")), ("department", Msg("Department")),
                   ("month", Msg("Month")), ("paid", Msg("Paid")), ("due", Msg("Due")), ("difference", Msg("Difference")),
                   ("adjustment", Msg("Kind")), ("cause", Msg("Cause"))]


@bulk_work()
def arrears(ctx: Context, *, start: date, end: date, out: Path | None = None) -> Listing:
    if end < start:
        raise BadInput(Reason("months_reversed", "--to {end} is before --from {start}", end=f"{end:%Y-%m}",
                              start=f"{start:%Y-%m}"))
    with ctx.uow() as uow:
        s = uow.s
        runs = list(s.scalars(select(PayrollRunRow).where(PayrollRunRow.month >= start, PayrollRunRow.month <= end)
                              .order_by(PayrollRunRow.month)))
        if not runs:
            raise NotFound(Reason("no_stored_months", "no stored months between {start} and {end}; compute them with "
                                  "`gradecli allowance compute`", start=f"{start:%Y-%m}", end=f"{end:%Y-%m}"))
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
                later[ev.employee_id].append(Reason("ledger_event", "{event} #{seq} effective {effective} ({reason})",
                                                 event=event_kind(ev.kind), seq=ev.seq, effective=ev.effective,
                                                 reason=loads(ev.reason)))
            tables = [Reason("allowance_table", "allowance table from {date} imported {imported}", date=t.effective_from,
                          imported=t.imported_at.date())
                      for t in s.scalars(select(AllowanceTableRow).where(AllowanceTableRow.id > run.table_id,
                                                                         AllowanceTableRow.effective_from <= last))]
            for eid in sorted(set(paid) | set(due), key=lambda i: staff[i].emp_no):
                diff = due.get(eid, 0) - paid.get(eid, 0)
                if diff == 0:
                    continue
                e = staff[eid]
                kind = "arrears" if diff > 0 else "clawback"
                changes = later.get(eid, []) + tables
                cause = (Reason("recorded_since", "recorded since the month was computed: {changes}", changes=changes)
                         if changes else _grade_cause(s, eid, stored.get(eid), due_lines.get(eid))
                         or Reason("posts_or_roster_changed", "posts or roster changed since the month was computed"))
                rows.append({"emp_no": e.emp_no, "name": e.name, "department": e.department, "month": f"{run.month:%Y-%m}",
                             "paid": yuan(paid.get(eid, 0)), "due": yuan(due.get(eid, 0)),
                             "difference": yuan(diff), "difference_fen": diff,
                             "kind": kind, "adjustment": ADJUSTMENTS[kind], "cause": cause})
    net = sum(r["difference_fen"] for r in rows)
    listing = Listing(Msg("Arrears {start} – {end}: {count} lines, net {net} yuan", start=f"{start:%Y-%m}",
                          end=f"{end:%Y-%m}", count=len(rows), net=yuan(net)),
                      ARREARS_COLUMNS, rows, [], {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}", "net": yuan(net)})
    if out:
        payroll_out.write_arrears(out, f"{start:%Y-%m} – {end:%Y-%m}", rows)
        listing.notes.append(Msg("wrote {path}", path=out))
    return listing


def _grade_cause(s, employee_id: int, stored, due) -> Reason | None:  # noqa: ANN001
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


def _event_setting(s, employee_id: int, day: date, paid: str) -> Reason:  # noqa: ANN001
    evs = repo.events_for(s, employee_id)
    in_force = [ev for ev in evs if ev.effective <= day and changes_grade(ev)]
    ev = max(in_force, key=lambda e: (e.effective, e.seq))
    setting = {"event": event_kind(ev.kind), "seq": ev.seq, "effective": ev.effective, "grade": str(ev.to_grade),
               "reason": loads(ev.reason), "paid": paid, "day": day}
    stale = [d for d in evs if d.kind in GRADE_NEUTRAL_KINDS and d.to_grade is not None and str(d.to_grade) == paid
             and d.effective <= day]
    if stale:
        return Reason("paid_at_other_grade", "{event} #{seq} effective {effective} sets {grade} ({reason}); paid at "
                      "{paid} from {day}, when {stale} #{stale_seq} was taken for a grade (a deferral never changes "
                      "the grade)", stale=event_kind(stale[-1].kind), stale_seq=stale[-1].seq, **setting)
    return Reason("paid_at_other_grade", "{event} #{seq} effective {effective} sets {grade} ({reason}); paid at {paid} "
                  "from {day}", **setting)
