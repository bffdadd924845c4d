"""Queries shared by the services: employees, ratings, post history and the ledger."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Iterable, NamedTuple, Sequence

from sqlalchemy import func, select, text
from sqlmodel import Session

from gradecli.domain.errors import NotFound
from gradecli.i18n import Reason
from gradecli.domain.ladder import Grade
from gradecli.domain.ledger import EVENT_KINDS, GENESIS_HASH, LedgerEvent, canonical_json, chain_hash
from gradecli.store.bulk import insert_rows
from gradecli.store.models import Employee, LedgerEventRow, LedgerHeadRow, PerformanceRating, PostHistory, RegistrationRow

LEDGER_LOCK_KEY = 7_340_021  # any constant shared by every gradecli process


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# ---------------------------------------------------------------- employees

def employee(session: Session, emp_no: str) -> Employee:
    row = session.scalars(select(Employee).where(Employee.emp_no == emp_no)).first()
    if row is None:
        raise NotFound(Reason("unknown_employee", "no employee with number '{emp_no}'; check the number or import the "
                              "roster first", emp_no=emp_no))
    return row


def staff_rows(session: Session, *where, order: bool = False) -> list:  # noqa: ANN002
    """Employees as plain rows (the same attribute names as Employee), for reading many at once:
    100,000 ORM objects cost seconds, the rows a fraction of that."""
    q = select(*Employee.__table__.c).where(*where)
    return session.execute(q.order_by(Employee.emp_no) if order else q).all()


def employee_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Employee.emp_no, Employee.id)).all())


class Rating(NamedTuple):
    year: int
    rating: str
    disciplinary: bool


def ratings_by_employee(session: Session, *, employee_id: int | None = None,
                        cycle_id: int | None = None) -> dict[int, list[Rating]]:
    """Every appraisal (or one person's, or those of a cycle's registered candidates), by
    employee, oldest first (plain rows)."""
    out: dict[int, list[Rating]] = {}
    q = select(PerformanceRating.employee_id, PerformanceRating.year, PerformanceRating.rating,
               PerformanceRating.disciplinary).order_by(PerformanceRating.year)
    if employee_id is not None:
        q = q.where(PerformanceRating.employee_id == employee_id)
    if cycle_id is not None:
        reg = RegistrationRow
        q = q.join(reg, reg.employee_id == PerformanceRating.employee_id).where(reg.cycle_id == cycle_id,
                                                                              reg.status == "registered")
    for eid, year, rating, disc in session.execute(q):
        out.setdefault(eid, []).append(Rating(year, rating, disc))
    return out


def post_history(session: Session, emp: Employee) -> list[PostHistory]:
    """The posts someone held, from hire on.

    Rows are written only when a post changes (the first change also records the post held
    from the hire date), so someone who never moved has the roster's post from the hire date.
    """
    rows = list(session.scalars(select(PostHistory).where(PostHistory.employee_id == emp.id)
                                .order_by(PostHistory.start_date, PostHistory.id)))
    return rows or [_hired(emp.id, emp.hire_date, emp.post, emp.frontline)]


def _hired(employee_id: int, hire_date: date, post: str, frontline: bool) -> PostHistory:
    return PostHistory(employee_id=employee_id, start_date=hire_date, post=post, frontline=frontline, note="hired")


def record_post_changes(session: Session, changes: Sequence[dict], before: dict[int, tuple[date, str, bool]]) -> None:
    """Record post changes (employee_id, start_date, post, frontline, note); ``before`` gives
    each employee's hire date, post and front-line status before the change, which becomes the
    first row for anyone who had no history yet."""
    if not changes:
        return
    ids = sorted({c["employee_id"] for c in changes})
    have = set()
    for chunk in range(0, len(ids), 1000):
        part = ids[chunk:chunk + 1000]
        have.update(session.scalars(select(PostHistory.employee_id).where(PostHistory.employee_id.in_(part))))
    first = [{"employee_id": i, "start_date": before[i][0], "post": before[i][1], "frontline": before[i][2],
              "note": "hired"} for i in ids if i not in have]
    insert_rows(session, PostHistory.__table__, first)
    insert_rows(session, PostHistory.__table__, list(changes))


# ---------------------------------------------------------------- ledger

def _to_event(row: LedgerEventRow) -> LedgerEvent:
    return LedgerEvent(
        seq=row.seq,
        emp_no=row.emp_no,
        kind=row.kind,
        effective=row.effective,
        from_grade=Grade(row.from_tier, row.from_level) if row.from_tier is not None else None,
        to_grade=Grade(row.to_tier, row.to_level) if row.to_tier is not None else None,
        reason=row.reason,
        cycle=row.cycle,
        evidence=json.loads(row.evidence),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def lock_ledger(session: Session) -> None:
    """Serialise appends: one writer extends the chain at a time.

    SQLite already holds its write lock (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock
    that lasts until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LEDGER_LOCK_KEY})


def append_events(session: Session, new: Sequence[dict], *, actor: str) -> list[LedgerEvent]:
    """Append events (dicts with employee_id, emp_no, kind, effective, from/to grade, reason,
    cycle, evidence) to the chain, in order, inside the caller's transaction."""
    if not new:
        return []
    unknown = {item["kind"] for item in new} - set(EVENT_KINDS)
    if unknown:
        raise ValueError(f"not a ledger event kind: {', '.join(sorted(unknown))}")
    lock_ledger(session)
    last = session.execute(select(LedgerEventRow.seq, LedgerEventRow.hash)
                           .order_by(LedgerEventRow.seq.desc()).limit(1)).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS_HASH)
    stamp = now_utc()
    rows, events = [], []
    for item in new:
        seq += 1
        frm: Grade | None = item.get("from_grade")
        to: Grade | None = item.get("to_grade")
        ev = LedgerEvent(seq=seq, emp_no=item["emp_no"], kind=item["kind"], effective=item["effective"],
                         from_grade=frm, to_grade=to, reason=item["reason"], cycle=item.get("cycle"),
                         evidence=json.loads(canonical_json(item.get("evidence") or {})),
                         recorded_by=actor, recorded_at=stamp)
        h = chain_hash(prev, ev)
        rows.append({
            "seq": seq, "employee_id": item["employee_id"], "emp_no": ev.emp_no, "kind": ev.kind,
            "effective": ev.effective,
            "from_tier": frm.tier if frm else None, "from_level": frm.level if frm else None,
            "to_tier": to.tier if to else None, "to_level": to.level if to else None,
            "reason": ev.reason, "cycle": ev.cycle, "evidence": canonical_json(ev.evidence),
            "recorded_by": actor, "recorded_at": stamp, "prev_hash": prev, "hash": h,
        })
        events.append(ev)
        prev = h
    insert_rows(session, LedgerEventRow.__table__, rows)
    head = session.get(LedgerHeadRow, 1)
    if head is None:
        session.add(LedgerHeadRow(id=1, seq=seq, hash=prev))
    else:
        head.seq, head.hash = seq, prev
    session.flush()
    return events


def ledger_head(session: Session) -> tuple[int, str] | None:
    head = session.get(LedgerHeadRow, 1)
    return (head.seq, head.hash) if head else None


def events_for(session: Session, employee_id: int) -> list[LedgerEvent]:
    q = select(LedgerEventRow).where(LedgerEventRow.employee_id == employee_id).order_by(LedgerEventRow.seq)
    return [_to_event(r) for r in session.scalars(q)]


class GradeStep(NamedTuple):
    """What deriving grades needs of a ledger event (no reason or evidence, so it loads fast)."""

    seq: int
    effective: date
    kind: str
    to_grade: Grade | None


def events_by_employee(session: Session, until: date | None = None,
                       employee_ids: Iterable[int] | None = None) -> dict[int, list[GradeStep]]:
    """Every event's grade step (optionally up to a date, for some employees), by employee, in
    recording order. For the full events with reasons and evidence see ``events_for``."""
    q = select(LedgerEventRow.employee_id, LedgerEventRow.seq, LedgerEventRow.effective, LedgerEventRow.kind,
               LedgerEventRow.to_tier, LedgerEventRow.to_level).order_by(LedgerEventRow.seq)
    if until is not None:
        q = q.where(LedgerEventRow.effective <= until)
    wanted = set(employee_ids) if employee_ids is not None else None
    grades: dict[tuple[int, int], Grade] = {}
    out: dict[int, list[GradeStep]] = {}
    for eid, seq, eff, kind, t, lv in session.execute(q):
        if wanted is not None and eid not in wanted:
            continue
        g = None
        if t is not None:
            g = grades.get((t, lv))
            if g is None:
                g = grades[(t, lv)] = Grade(t, lv)
        out.setdefault(eid, []).append(GradeStep(seq, eff, kind, g))
    return out


def chain_rows(session: Session) -> Iterable[tuple[LedgerEvent, str, str]]:
    q = select(LedgerEventRow).order_by(LedgerEventRow.seq).execution_options(yield_per=2000)
    for r in session.scalars(q):
        yield _to_event(r), r.prev_hash, r.hash


def count(session: Session, model) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(model)) or 0
