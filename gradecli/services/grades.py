"""The grade ledger's use cases: import existing grades, history, grades on a date, corrections, audit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from gradecli.domain.errors import BadInput, IntegrityFailure, Problem
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.ledger import ChainBreak, changes_grade, grade_on, grade_since, verify_chain
from gradecli.formats.excel import SheetOut, Table, read_table, write_template, write_workbook
from gradecli.formats.sheets import grade_columns
from gradecli.services.context import Context
from gradecli.services.results import Listing, Outcome
from gradecli.store import repo

GRADE_SHEET = "等级 Grades"
IMPORT_REASON = "existing grade imported (grade import)"


def write_grade_template(ctx: Context, path: Path) -> Outcome:
    write_template(path, GRADE_SHEET, grade_columns(), [
        "已有等级的单位用此表导入现有等级。For offices that already hold grades.",
        "等 = tier (1 entry … 5 top), 级 = level within the tier.",
    ])
    return Outcome(f"wrote the grade template {path}", {"path": str(path)})


def import_grades_file(ctx: Context, path: Path) -> Outcome:
    return import_grades(ctx, read_table(path, grade_columns()))


def import_grades(ctx: Context, table: Table) -> Outcome:
    """Existing grades become ``initial_placement`` events; the same file twice changes nothing."""
    with ctx.uow() as uow:
        s = uow.s
        staff = {e.emp_no: e for e in repo.staff_rows(s)}
        events = repo.events_by_employee(s)
        problems, new, same = [], [], 0
        for row_no, r in table.rows:
            where = table.where(row_no)
            e = staff.get(r["emp_no"])
            if e is None:
                problems.append(Problem(f"{where}, column 工号",
                                        f"{r['emp_no']!r} is not on the roster; import the roster first or fix the number"))
                continue
            if not e.professional:
                problems.append(Problem(f"{where}, column 工号",
                                        f"{e.emp_no} {e.name} is not in a professional-technical post; only those are graded"))
                continue
            g = Grade(r["tier"], r["level"])
            ladder = Ladder.for_family(ctx.policy, e.family)
            if not ladder.contains(g):
                col = "等" if not 1 <= g.tier <= ladder.tiers else "级"
                problems.append(Problem(f"{where}, column {col}",
                                        f"grade {g} is outside the {e.family} ladder (tiers 1–{ladder.tiers}, levels 1–{ladder.levels})"))
                continue
            have = events.get(e.id, [])
            if any(ev.kind == "initial_placement" and ev.to_grade == g and ev.effective == r["effective"] for ev in have):
                same += 1
                continue
            if have:
                cur = grade_on(have, date.max)
                problems.append(Problem(f"{where}, column 等",
                                        f"{e.emp_no} already has grade {cur} in the ledger; use `gradecli grade correct` to change it"))
                continue
            new.append({"employee_id": e.id, "emp_no": e.emp_no, "kind": "initial_placement",
                        "effective": r["effective"], "from_grade": None, "to_grade": g,
                        "reason": IMPORT_REASON, "evidence": {"source": Path(table.source).name, "row": row_no}})
        if problems:
            raise BadInput(problems=problems)
        repo.append_events(s, new, actor=ctx.actor)
        uow.commit()
    if not new:
        summary = f"{table.source}: {len(table.rows)} rows, nothing changed (all already in the ledger)"
    else:
        summary = f"{table.source}: {len(new)} grades recorded, {same} already in the ledger"
    return Outcome(summary, {"rows": len(table.rows), "recorded": len(new), "unchanged": same},
                   notes=table.warnings)


HISTORY_COLUMNS = [("seq", "#"), ("effective", "生效日期"), ("kind", "事件"), ("from", "原等级"),
                   ("to", "新等级"), ("reason", "原因"), ("cycle", "周期"), ("recorded_by", "记录人"),
                   ("recorded_at", "记录时间")]


def history(ctx: Context, emp_no: str) -> Listing:
    with ctx.uow() as uow:
        e = repo.employee(uow.s, emp_no)
        events = repo.events_for(uow.s, e.id)
    rows = [{"seq": ev.seq, "effective": ev.effective.isoformat(), "kind": ev.kind,
             "from": str(ev.from_grade) if ev.from_grade else None,
             "to": str(ev.to_grade) if ev.to_grade else None, "reason": ev.reason, "cycle": ev.cycle,
             "evidence": ev.evidence, "recorded_by": ev.recorded_by,
             "recorded_at": ev.content()["recorded_at"]} for ev in events]
    g = grade_on(events, date.today())
    notes = [f"current grade: {g}" if g else "no grade yet"]
    return Listing(f"Grade history of {e.emp_no} {e.name}", HISTORY_COLUMNS, rows, notes,
                   {"emp_no": e.emp_no, "current": str(g) if g else None})


AS_OF_COLUMNS = [("emp_no", "工号 / Employee No."), ("name", "姓名 / Name"), ("department", "部门 / Department"),
                 ("family", "岗位序列 / Post family"), ("tier", "等 / Tier"), ("level", "级 / Level"),
                 ("label", "等级 / Grade"), ("since", "起始日期 / Since")]


def as_of(ctx: Context, on: date, *, out: Path | None = None) -> Listing:
    """Everyone's grade on a date, derived from the ledger."""
    with ctx.uow() as uow:
        staff = repo.staff_rows(uow.s, order=True)
        events = repo.events_by_employee(uow.s, until=on)
    rows = []
    for e in staff:
        evs = events.get(e.id)
        g = grade_on(evs, on) if evs else None
        if g is None:
            continue
        ladder = Ladder.for_family(ctx.policy, e.family)
        rows.append({"emp_no": e.emp_no, "name": e.name, "department": e.department, "family": e.family,
                     "tier": g.tier, "level": g.level, "label": ladder.label(g),
                     "since": grade_since(evs, on).isoformat()})
    listing = Listing(f"Grades on {on} ({len(rows)} graded)", AS_OF_COLUMNS, rows)
    if out:
        write_workbook(out, [SheetOut(f"等级 {on}", [h for _, h in AS_OF_COLUMNS],
                                      ([r[k] for k, _ in AS_OF_COLUMNS] for r in rows))])
        listing.notes.append(f"wrote {out}")
        listing.extra["out"] = str(out)
    return listing


def correct(ctx: Context, emp_no: str, *, to: Grade, on: date, reason: str) -> Outcome:
    """A mistake is undone by a ``correction`` event, never by editing a row."""
    if not reason or not reason.strip():
        raise BadInput("--reason is empty; say why the grade is corrected (it goes into the ledger)")
    with ctx.uow() as uow:
        s = uow.s
        e = repo.employee(s, emp_no)
        if not e.professional:
            raise BadInput(f"{emp_no} {e.name} is not in a professional-technical post; only those are graded")
        Ladder.for_family(ctx.policy, e.family).check(to)
        events = repo.events_for(s, e.id)
        frm = grade_on(events, on)
        if frm == to:
            raise BadInput(f"{emp_no} already holds {to} on {on}; nothing to correct")
        repo.append_events(s, [{"employee_id": e.id, "emp_no": emp_no, "kind": "correction", "effective": on,
                                "from_grade": frm, "to_grade": to, "reason": reason.strip()}], actor=ctx.actor)
        uow.commit()
    notes = []
    later = [ev for ev in events if ev.effective > on and changes_grade(ev)]
    if later:
        ev = min(later, key=lambda x: (x.effective, x.seq))
        notes.append(f"the correction holds until {ev.effective}, when {ev.kind} #{ev.seq} sets {ev.to_grade}; "
                     "correct that date too if the later grade is also wrong")
    return Outcome(f"{emp_no}: grade {frm or 'none'} → {to} from {on} (correction)",
                   {"emp_no": emp_no, "from": str(frm) if frm else None, "to": str(to), "effective": on.isoformat()},
                   notes)


def verify(ctx: Context) -> Outcome:
    """Walk the hash chain; name every row that was edited, deleted or reordered."""
    with ctx.uow() as uow:
        breaks = verify_chain(repo.chain_rows(uow.s))
        n = repo.count(uow.s, repo.LedgerEventRow)
        head = repo.ledger_head(uow.s)
        last = uow.s.execute(select(repo.LedgerEventRow.seq, repo.LedgerEventRow.hash)
                             .order_by(repo.LedgerEventRow.seq.desc()).limit(1)).first()
    if head is not None and (last is None or (last[0], last[1]) != head):
        ends = f"ends at event {last[0]}" if last else "is empty"
        breaks.append(ChainBreak(head[0], f"is missing: the ledger {ends} but its head records event {head[0]} "
                                          "(events were deleted from the end, or the last one was edited)"))
    elif head is None and last is not None:
        breaks.append(ChainBreak(last[0], "the ledger has no head record (it was deleted)"))
    if breaks:
        raise IntegrityFailure(problems=[Problem(f"ledger event {b.seq}", b.problem) for b in breaks])
    return Outcome(f"ledger verified: {n} events, hash chain intact", {"events": n, "ok": True})
