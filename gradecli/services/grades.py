"""The grade ledger's use cases: import existing grades, history, grades on a date, corrections, audit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from gradecli.domain.errors import BadInput, IntegrityFailure, Problem
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.ledger import ChainBreak, changes_grade, event_kind, grade_on, grade_since, verify_chain
from gradecli.formats.excel import SheetOut, Table, read_table, write_template, write_workbook
from gradecli.formats.sheets import grade_columns
from gradecli.i18n import Msg, Reason, dumps, loads
from gradecli.services.context import Context
from gradecli.services.results import Listing, Outcome
from gradecli.store import repo

GRADE_SHEET = Msg("Grades")  # the sheet of a grades template
IMPORT_REASON = Reason("grade_imported", "existing grade imported (grade import)")


def write_grade_template(ctx: Context, path: Path) -> Outcome:
    lp = ctx.policy.ladder
    write_template(path, GRADE_SHEET, grade_columns(), [
        Msg("For offices that already hold grades: one row per employee with the grade held and the date it took "
            "effect."),
        Msg("Tier: 1 (entry) to {tiers} (top); level: the level within the tier, from 1.", tiers=lp.tiers),
    ])
    return Outcome(Msg("wrote the grade template {path}", path=path), {"path": str(path)})


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
                problems.append(Problem(where.at(column="工号"),
                                        Reason("not_on_roster", "'{emp_no}' is not on the roster; import the roster "
                                               "first or fix the number", emp_no=r["emp_no"])))
                continue
            if not e.professional:
                problems.append(Problem(where.at(column="工号"), _not_professional(e)))
                continue
            g = Grade(r["tier"], r["level"])
            ladder = Ladder.for_family(ctx.policy, e.family)
            if not ladder.contains(g):
                col = "等" if not 1 <= g.tier <= ladder.tiers else "级"
                problems.append(Problem(where.at(column=col),
                                        Reason("grade_outside_ladder", "grade {grade} is outside the {family} ladder "
                                               "(tiers 1–{tiers}, levels 1–{levels})", grade=str(g), family=e.family,
                                               tiers=ladder.tiers, levels=ladder.levels)))
                continue
            have = events.get(e.id, [])
            if any(ev.kind == "initial_placement" and ev.to_grade == g and ev.effective == r["effective"] for ev in have):
                same += 1
                continue
            if have:
                cur = grade_on(have, date.max)
                problems.append(Problem(where.at(column="等"),
                                        Reason("already_graded", "{emp_no} already has grade {grade} in the ledger; "
                                               "use `gradecli grade correct` to change it", emp_no=e.emp_no,
                                               grade=str(cur))))
                continue
            new.append({"employee_id": e.id, "emp_no": e.emp_no, "kind": "initial_placement",
                        "effective": r["effective"], "from_grade": None, "to_grade": g,
                        "reason": dumps(IMPORT_REASON), "evidence": {"source": Path(table.source).name, "row": row_no}})
        if problems:
            raise BadInput(problems=problems)
        repo.append_events(s, new, actor=ctx.actor)
        uow.commit()
    if not new:
        summary = Msg("{source}: {rows} rows, nothing changed (all already in the ledger)", source=table.source,
                      rows=len(table.rows))
    else:
        summary = Msg("{source}: {recorded} grades recorded, {same} already in the ledger", source=table.source,
                      recorded=len(new), same=same)
    return Outcome(summary, {"rows": len(table.rows), "recorded": len(new), "unchanged": same},
                   notes=table.warnings)


HISTORY_COLUMNS = [("seq", Msg("#")), ("effective", Msg("Effective")), ("event", Msg("Event")), ("from", Msg("From")),
                   ("to", Msg("To")), ("reason", Msg("Reason")), ("cycle", Msg("Cycle")),
                   ("recorded_by", Msg("Recorded by")), ("recorded_at", Msg("Recorded at"))]


def history(ctx: Context, emp_no: str) -> Listing:
    """Every ledger event of one person: ``kind`` is the event's code, ``event`` its name (a
    Reason), ``reason`` the stored reason (a message, or the text as it was written)."""
    with ctx.uow() as uow:
        e = repo.employee(uow.s, emp_no)
        events = repo.events_for(uow.s, e.id)
    rows = [{"seq": ev.seq, "effective": ev.effective, "kind": ev.kind, "event": event_kind(ev.kind),
             "from": str(ev.from_grade) if ev.from_grade else None,
             "to": str(ev.to_grade) if ev.to_grade else None, "reason": loads(ev.reason), "cycle": ev.cycle,
             "evidence": ev.evidence, "recorded_by": ev.recorded_by,
             "recorded_at": ev.content()["recorded_at"]} for ev in events]
    g = grade_on(events, date.today())
    notes = [Msg("current grade: {grade}", grade=str(g)) if g else Msg("no grade yet")]
    return Listing(Msg("Grade history of {emp_no} {name}", emp_no=e.emp_no, name=e.name), HISTORY_COLUMNS, rows,
                   notes, {"emp_no": e.emp_no, "current": str(g) if g else None})


AS_OF_COLUMNS = [("emp_no", Msg("Employee No.")), ("name", Msg("Name")), ("department", Msg("Department")),
                 ("family", Msg("Post family")), ("tier", Msg("Tier")), ("level", Msg("Level")),
                 ("label", Msg("Grade")), ("since", Msg("Since"))]


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
                     "since": grade_since(evs, on)})
    listing = Listing(Msg("Grades on {date} ({count} graded)", date=on, count=len(rows)), AS_OF_COLUMNS, rows)
    if out:
        write_workbook(out, [SheetOut(Msg("Grades {date}", date=on), [h for _, h in AS_OF_COLUMNS],
                                      ([r[k] for k, _ in AS_OF_COLUMNS] for r in rows))])
        listing.notes.append(Msg("wrote {path}", path=out))
        listing.extra["out"] = str(out)
    return listing


def correct(ctx: Context, emp_no: str, *, to: Grade, on: date, reason: str) -> Outcome:
    """A mistake is undone by a ``correction`` event, never by editing a row."""
    if not reason or not reason.strip():
        raise BadInput(Reason("empty_reason", "--reason is empty; say why the grade is corrected (it goes into the "
                              "ledger)"))
    with ctx.uow() as uow:
        s = uow.s
        e = repo.employee(s, emp_no)
        if not e.professional:
            raise BadInput(_not_professional(e))
        Ladder.for_family(ctx.policy, e.family).check(to)
        events = repo.events_for(s, e.id)
        frm = grade_on(events, on)
        if frm == to:
            raise BadInput(Reason("nothing_to_correct", "{emp_no} already holds {grade} on {date}; nothing to correct",
                                  emp_no=emp_no, grade=str(to), date=on))
        repo.append_events(s, [{"employee_id": e.id, "emp_no": emp_no, "kind": "correction", "effective": on,
                                "from_grade": frm, "to_grade": to, "reason": reason.strip()}], actor=ctx.actor)
        uow.commit()
    notes = []
    later = [ev for ev in events if ev.effective > on and changes_grade(ev)]
    if later:
        ev = min(later, key=lambda x: (x.effective, x.seq))
        notes.append(Msg("the correction holds until {until}, when {event} #{seq} sets {grade}; correct that date too "
                         "if the later grade is also wrong", until=ev.effective, event=event_kind(ev.kind), seq=ev.seq,
                         grade=str(ev.to_grade)))
    if frm:
        summary = Msg("{emp_no}: grade {old} → {new} from {date} (correction)", emp_no=emp_no, old=str(frm),
                      new=str(to), date=on)
    else:
        summary = Msg("{emp_no}: no grade → {new} from {date} (correction)", emp_no=emp_no, new=str(to), date=on)
    return Outcome(summary, {"emp_no": emp_no, "from": str(frm) if frm else None, "to": str(to), "effective": on},
                   notes)


def _not_professional(e) -> Reason:  # noqa: ANN001
    return Reason("not_professional", "{emp_no} {name} is not in a professional-technical post; only those are "
                  "graded", emp_no=e.emp_no, name=e.name)


def verify(ctx: Context) -> Outcome:
    """Walk the hash chain; name every row that was edited, deleted or reordered."""
    with ctx.uow() as uow:
        breaks = verify_chain(repo.chain_rows(uow.s))
        n = repo.count(uow.s, repo.LedgerEventRow)
        head = repo.ledger_head(uow.s)
        last = uow.s.execute(select(repo.LedgerEventRow.seq, repo.LedgerEventRow.hash)
                             .order_by(repo.LedgerEventRow.seq.desc()).limit(1)).first()
    if head is not None and last is None:
        breaks.append(ChainBreak(head[0], Reason("head_missing", "is missing: the ledger is empty but its head records "
                                                 "event {head} (events were deleted)", head=head[0])))
    elif head is not None and (last[0], last[1]) != head:
        breaks.append(ChainBreak(head[0], Reason("head_missing", "is missing: the ledger ends at event {last} but its "
                                                 "head records event {head} (events were deleted from the end, or the "
                                                 "last one was edited)", last=last[0], head=head[0])))
    elif head is None and last is not None:
        breaks.append(ChainBreak(last[0], Reason("no_head", "the ledger has no head record (it was deleted)")))
    if breaks:
        raise IntegrityFailure(problems=[Problem(Msg("ledger event {seq}", seq=b.seq), b.problem) for b in breaks])
    return Outcome(Msg("ledger verified: {events} events, hash chain intact", events=n), {"events": n, "ok": True})
