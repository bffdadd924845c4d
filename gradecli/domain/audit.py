"""The whole-story check of a cycle: what the notice says is what the ledger holds and the
payroll pays. Pure: it compares data the store hands over and returns findings as codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping, NamedTuple, Sequence

from gradecli.domain.ladder import Grade
from gradecli.domain.ledger import changes_grade, grade_on, grade_steps

GRADE_DECISIONS = frozenset({"demotion", "tier_promotion", "level_promotion", "fast_track", "initial_placement"})


class Decided(NamedTuple):
    """One decision of a cycle (or one line of a notice's decisions)."""

    emp_no: str
    kind: str
    frm: str
    to: str


class Event(NamedTuple):
    """What the audit needs of a ledger event."""

    seq: int
    effective: date
    kind: str
    from_grade: Grade | None
    to_grade: Grade | None
    cycle: str | None


class Segment(NamedTuple):
    """A stored payroll segment: the days it covers and the grade it was paid at."""

    month: str
    start: date
    end: date
    grade: str


@dataclass(frozen=True)
class Finding:
    """A mismatch (``problem``) or a remark that explains a difference (not a failure)."""

    emp_no: str
    check: str  # notice | ledger | payroll
    code: str
    notice: str | None = None
    ledger: str | None = None
    payroll: str | None = None
    params: dict = field(default_factory=dict)
    problem: bool = True


def _text(g: Grade | None) -> str:
    return "—" if g is None else str(g)


def notice_grade(decisions: Sequence[Decided]) -> str:
    """The grade a person holds after the notice's decisions: the last grade-changing one's
    target, else the grade they had (a deferral changes nothing)."""
    changing = [d for d in decisions if d.kind in GRADE_DECISIONS]
    return changing[-1].to if changing else decisions[0].frm


def audit_cycle(*, code: str, closed: bool, effective: date | None, decisions: Sequence[Decided],
                notice: Sequence[Decided] | None, events: Mapping[str, Sequence[Event]],
                excluded: Mapping[str, str], payroll: Mapping[str, Sequence[Segment]]) -> list[Finding]:
    """Every mismatch between the cycle's decisions, its latest notice, the ledger and the stored
    payroll, by 工号; remarks (``problem=False``) say why a later grade differs legitimately."""
    out: list[Finding] = []
    out += _notice_against_decisions(decisions, notice)
    if not closed or effective is None:
        return out
    by_person: dict[str, list[Decided]] = {}
    for d in decisions:
        by_person.setdefault(d.emp_no, []).append(d)
    for emp_no, ds in sorted(by_person.items()):
        if emp_no in excluded:
            out.append(Finding(emp_no, "ledger", "excluded_at_closing", notice=notice_grade(ds),
                               params={"reason": excluded[emp_no]}, problem=False))
            continue
        evs = list(events.get(emp_no, ()))
        out += _ledger_against_notice(code, emp_no, ds, evs, effective)
        out += _payroll_against_ledger(emp_no, evs, payroll.get(emp_no, ()), effective)
    return out


def _notice_against_decisions(decisions: Sequence[Decided], notice: Sequence[Decided] | None) -> list[Finding]:
    if notice is None:
        return [Finding(d.emp_no, "notice", "not_published", notice=None, ledger=None,
                        params={"kind": d.kind, "from": d.frm, "to": d.to}) for d in decisions]
    decided, posted = set(decisions), set(notice)
    out = [Finding(d.emp_no, "notice", "decision_not_on_notice", notice=None, ledger=f"{d.frm} → {d.to}",
                   params={"kind": d.kind}) for d in sorted(decided - posted)]
    out += [Finding(d.emp_no, "notice", "notice_not_decided", notice=f"{d.frm} → {d.to}", ledger=None,
                    params={"kind": d.kind}) for d in sorted(posted - decided)]
    return out


def _ledger_against_notice(code: str, emp_no: str, ds: Sequence[Decided], evs: list[Event],
                           effective: date) -> list[Finding]:
    out: list[Finding] = []
    mine = [ev for ev in evs if ev.cycle == code]
    for d in ds:
        match = [ev for ev in mine if ev.kind == d.kind and ev.effective == effective
                 and (d.kind not in GRADE_DECISIONS or (_text(ev.from_grade), str(ev.to_grade)) == (d.frm, d.to))]
        if not match:
            out.append(Finding(emp_no, "ledger", "event_missing", notice=f"{d.frm} → {d.to}",
                               params={"kind": d.kind, "effective": effective.isoformat()}))
    if not mine:
        return out
    last = max(ev.seq for ev in mine)
    expected = notice_grade(ds)
    for ev in sorted(mine, key=lambda e: e.seq):  # transfers applied again on top of the result
        if ev.kind == "transfer_drop" and str(ev.from_grade) == expected:
            expected = str(ev.to_grade)
    as_closed = grade_on([ev for ev in evs if ev.seq <= last], effective)
    if str(as_closed) != expected:
        out.append(Finding(emp_no, "ledger", "grade_differs", notice=notice_grade(ds), ledger=str(as_closed),
                           params={"effective": effective.isoformat()}))
    for ev in mine:
        if ev.kind == "deferral":
            before = grade_on([e for e in evs if e.seq < ev.seq], effective)
            after = grade_on([e for e in evs if e.seq <= ev.seq], effective)
            if before != after:
                out.append(Finding(emp_no, "ledger", "deferral_changed_grade", notice=str(before), ledger=str(after),
                                   params={"seq": ev.seq}))
    later = [ev for ev in evs if ev.seq > last and changes_grade(ev) and ev.effective <= effective]
    if later:
        ev = max(later, key=lambda e: (e.effective, e.seq))
        out.append(Finding(emp_no, "ledger", "superseded_later", notice=expected, ledger=str(ev.to_grade),
                           params={"kind": ev.kind, "seq": ev.seq, "effective": ev.effective.isoformat()},
                           problem=False))
    return out


def _payroll_against_ledger(emp_no: str, evs: Sequence[Event], segments: Iterable[Segment],
                            effective: date) -> list[Finding]:
    """Every stored month from the effective date on was paid at the grade the ledger gives."""
    out: list[Finding] = []
    steps = grade_steps(evs)
    for sg in segments:
        if sg.end < effective:
            continue
        start = max(sg.start, effective)
        held = [g for eff, g in steps if eff <= start][-1:]  # the grade on the segment's first day
        changes = [(eff, g) for eff, g in steps if start < eff <= sg.end]
        for day, g in [(start, held[0] if held else None), *changes]:
            if str(g) != sg.grade:
                out.append(Finding(emp_no, "payroll", "paid_at_other_grade", ledger=str(g), payroll=sg.grade,
                                   params={"month": sg.month, "from": day.isoformat()}))
                break
    return out
