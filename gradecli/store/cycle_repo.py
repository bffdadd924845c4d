"""Queries for cycles: the cycle, its log, its candidates, and the facts eligibility needs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from gradecli.domain.cycle import ExamCalendar, Period
from gradecli.domain.eligibility import Deferral, Person, split_names
from gradecli.domain.errors import GradecliError, NotFound
from gradecli.domain.ledger import grade_on, grade_since
from gradecli.domain.policy import Policy
from gradecli.i18n import Reason
from gradecli.store import repo
from gradecli.store.models import CycleLogRow, CycleRow, Employee, LedgerEventRow, PostHistory, RegistrationRow


def get(session: Session, code: str, *, lock: bool = False) -> CycleRow:
    """The cycle; with ``lock`` its row is locked until the transaction ends (PostgreSQL: FOR
    UPDATE; SQLite already holds the database's write lock), so two closes cannot interleave."""
    q = select(CycleRow).where(CycleRow.code == code.strip().upper())
    if lock and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.scalars(q).first()
    if row is None:
        known = list(session.scalars(select(CycleRow.code).where(CycleRow.state != "deleted").order_by(CycleRow.code)))
        if not known:
            raise NotFound(Reason("no_such_cycle", "no cycle '{cycle}' (there is none yet); create one with `gradecli "
                                  "cycle create`", cycle=code))
        raise NotFound(Reason("no_such_cycle", "no cycle '{cycle}' (cycles: {known}); create one with `gradecli cycle "
                              "create`", cycle=code, known=known))
    return row


def log(session: Session, cycle: CycleRow, actor: str, action: str, **detail) -> None:  # noqa: ANN003
    session.add(CycleLogRow(cycle_id=cycle.id, at=repo.now_utc(), actor=actor, action=action,
                            detail=json.dumps(detail, ensure_ascii=False, default=str)))


def families(cycle: CycleRow) -> list[str] | None:
    return [f for f in cycle.families.split(",") if f] or None


def registrations(session: Session, cycle: CycleRow, *, active_only: bool = True) -> list[RegistrationRow]:
    q = select(RegistrationRow).where(RegistrationRow.cycle_id == cycle.id)
    if active_only:
        q = q.where(RegistrationRow.status == "registered")
    return list(session.scalars(q.order_by(RegistrationRow.emp_no)))


def registration(session: Session, cycle: CycleRow, emp_no: str) -> RegistrationRow | None:
    """One person's active registration for a cycle (None when they are not registered)."""
    return session.scalars(select(RegistrationRow).where(
        RegistrationRow.cycle_id == cycle.id, RegistrationRow.emp_no == emp_no,
        RegistrationRow.status == "registered")).first()


def registered_count(session: Session, cycle: CycleRow) -> int:
    r = RegistrationRow
    return session.scalar(select(func.count()).select_from(r).where(r.cycle_id == cycle.id, r.status == "registered"))


def registration_rows(session: Session, cycle: CycleRow):  # noqa: ANN201
    """The active registrations as plain rows (id, emp_no, paper_id, reopened), by 工号."""
    r = RegistrationRow
    return session.execute(select(r.id, r.emp_no, r.paper_id, r.reopened)
                           .where(r.cycle_id == cycle.id, r.status == "registered").order_by(r.emp_no)).all()


def period_of(code: str, kind: str, exam_date: date, period: str | None = None) -> Period:
    """A cycle's period: stored with it (its code until scoped cycles came), else its exam date."""
    for text in (period, code):
        if text:
            try:
                return Period.parse(kind, text)
            except GradecliError:
                continue
    return Period.around(kind, exam_date)


def calendar(session: Session, policy: Policy) -> ExamCalendar:
    """The exam date of every period a cycle was created for (the policy's default for the rest);
    of several cycles in one period, the earliest exam."""
    known: dict[str, date] = {}
    for code, kind, exam, period in session.execute(select(CycleRow.code, CycleRow.kind, CycleRow.exam_date,
                                                           CycleRow.period).where(CycleRow.state != "deleted",
                                                                                  CycleRow.kind != "first")):
        key = period_of(code, kind, exam, period).code
        known[key] = min(exam, known.get(key, exam))
    return ExamCalendar(policy, known)


def deferrals_by_employee(session: Session, until: date) -> dict[int, list[Deferral]]:
    """Every deferral (延期选升) in force by a date, with the cycle that decided it. Deferrals are
    found by kind alone: older databases hold ones that repeat the grade (from = to)."""
    ev = LedgerEventRow
    out: dict[int, list[Deferral]] = {}
    for eid, effective, cycle, evidence in session.execute(
            select(ev.employee_id, ev.effective, ev.cycle, ev.evidence)
            .where(ev.kind == "deferral", ev.effective <= until).order_by(ev.seq)):
        out.setdefault(eid, []).append(Deferral(effective, cycle or json.loads(evidence or "{}").get("cycle")))
    return out


def frontline_on(posts: Sequence[tuple[date, bool]], emp, on: date) -> bool:  # noqa: ANN001
    current = None
    for start, frontline in posts:
        if start <= on:
            current = frontline
    return emp.frontline if current is None else current


def latest_rating(ratings: list[repo.Rating], before_year: int) -> repo.Rating | None:
    """The latest full appraisal year before the exam's year."""
    done = [r for r in ratings if r.year < before_year]
    return max(done, key=lambda r: r.year) if done else None


STAFF_COLUMNS = (Employee.id, Employee.emp_no, Employee.name, Employee.family, Employee.department,
                 Employee.professional, Employee.active, Employee.leave_date, Employee.title, Employee.frontline,
                 Employee.hire_date, Employee.certificates)


def people(session: Session, policy: Policy, on: date, fams: list[str] | None) -> list[tuple]:
    """Everyone in scope (as plain rows) with the facts eligibility needs, as they stand on ``on``."""
    q = select(*STAFF_COLUMNS).order_by(Employee.emp_no)
    if fams:
        q = q.where(Employee.family.in_(fams))
    staff = session.execute(q).all()
    events = repo.events_by_employee(session, until=on)
    ratings = repo.ratings_by_employee(session)
    rows: dict[int, list[tuple[date, bool]]] = {}
    for eid, start, frontline in session.execute(select(PostHistory.employee_id, PostHistory.start_date,
                                                        PostHistory.frontline)
                                                 .order_by(PostHistory.start_date, PostHistory.id)):
        rows.setdefault(eid, []).append((start, frontline))
    posts = {eid: tuple(r) for eid, r in rows.items()}
    deferrals = {eid: tuple(ds) for eid, ds in deferrals_by_employee(session, on).items()}
    out = []
    for e in staff:
        evs = events.get(e.id, [])
        rating = latest_rating(ratings.get(e.id, []), on.year)
        out.append((e, Person(
            emp_no=e.emp_no, name=e.name, family=e.family, professional=e.professional,
            active=e.active and (e.leave_date is None or e.leave_date >= on), title=e.title,
            grade=grade_on(evs, on), grade_since=grade_since(evs, on),
            frontline=frontline_on(posts.get(e.id, ()), e, on),
            posts=posts.get(e.id, ()),  # none: the roster's post all along (rows start at the first change)
            deferrals=deferrals.get(e.id, ()),
            latest_rating=rating.rating if rating else None, certificates=split_names(e.certificates))))
    return out
