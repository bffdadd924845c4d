"""audit cycle: after closing, the notice, the ledger and the stored payroll agree (exit 1 if not)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from gradecli.domain.audit import Decided, Event, Finding, Segment, audit_cycle
from gradecli.domain.allowance import month_bounds
from gradecli.domain.cycle import STATE_LABELS
from gradecli.domain.ladder import Grade
from gradecli.domain.ledger import DECISION_LABELS
from gradecli.i18n import N_, Msg, Reason, loads
from gradecli.services.context import Context
from gradecli.services.evaluation import grade_text
from gradecli.services.results import Listing
from gradecli.store import cycle_repo
from gradecli.store.models import (CycleDecisionRow, CycleLogRow, LedgerEventRow, NoticeRow, PayrollLineRow,
                                   PayrollRunRow)

AUDIT_COLUMNS = [("emp_no", N_("Employee No.")), ("check", N_("Check")), ("notice", N_("Notice")),
                 ("ledger", N_("Ledger")), ("payroll", N_("Payroll")), ("detail", N_("Detail"))]

# What each finding says (domain.audit's codes); the parameters are the finding's.
DETAIL = {
    "not_published": N_("decided {kind}, but no notice has been published"),
    "decision_not_on_notice": N_("decided {kind}, but the latest notice does not list it"),
    "notice_not_decided": N_("the latest notice lists {kind}, which is no longer a decision of the cycle"),
    "event_missing": N_("no {kind} event effective {effective} in the ledger"),
    "grade_differs": N_("the ledger's grade on {effective} is not the notice's"),
    "deferral_changed_grade": N_("deferral #{seq} changes the derived grade"),
    "paid_at_other_grade": N_("{month} paid at another grade from {from}; run `gradecli allowance arrears`"),
    "excluded_at_closing": N_("left out at closing: {reason}"),
    "superseded_later": N_("changed later by {kind} #{seq} effective {effective}"),
}

CHECKS = {"notice": N_("notice"), "ledger": N_("ledger"), "payroll": N_("payroll")}


def _labelled(code: str, labels: dict[str, str]) -> Reason | str:
    """A code as a message that keeps the code (JSON) and reads as a word (text); unknown codes as they are."""
    return Reason(code, labels[code]) if code in labels else code


def _detail(f: Finding) -> Reason:
    params = dict(f.params)
    if "kind" in params:
        params["kind"] = _labelled(params["kind"], DECISION_LABELS)
    if "reason" in params:
        params["reason"] = loads(params["reason"])  # what the officer gave with --exclude, or a stored message
    return Reason(f.code, DETAIL[f.code], **params)


def _grade(t: int | None, lv: int | None) -> Grade | None:
    return Grade(t, lv) if t is not None else None


def cycle(ctx: Context, code: str) -> Listing:
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        d = CycleDecisionRow
        decisions = [Decided(r.emp_no, r.kind, grade_text(r.from_tier, r.from_level), str(Grade(r.to_tier, r.to_level)))
                     for r in s.execute(select(d.emp_no, d.kind, d.from_tier, d.from_level, d.to_tier, d.to_level)
                                        .where(d.cycle_id == c.id).order_by(d.id))]
        last = s.scalars(select(NoticeRow).where(NoticeRow.cycle_id == c.id).order_by(NoticeRow.revision.desc())).first()
        notice = None if last is None else [Decided(x["emp_no"], x["kind"], x["from"], x["to"])
                                            for x in json.loads(last.content)["decisions"]]
        excluded: dict[str, str] = {}
        for detail in s.scalars(select(CycleLogRow.detail).where(CycleLogRow.cycle_id == c.id,
                                                                 CycleLogRow.action == "close")):
            excluded.update(json.loads(detail).get("excluded") or {})
        people = select(d.employee_id).where(d.cycle_id == c.id)
        ev = LedgerEventRow
        events: dict[str, list[Event]] = {}
        for r in s.execute(select(ev.emp_no, ev.seq, ev.effective, ev.kind, ev.from_tier, ev.from_level, ev.to_tier,
                                  ev.to_level, ev.cycle).where(ev.employee_id.in_(people)).order_by(ev.seq)):
            events.setdefault(r.emp_no, []).append(Event(r.seq, r.effective, r.kind, _grade(r.from_tier, r.from_level),
                                                         _grade(r.to_tier, r.to_level), r.cycle))
        payroll: dict[str, list[Segment]] = {}
        effective = c.effective_date
        if c.state == "closed" and effective is not None:
            runs = {run.id: run.month for run in s.scalars(select(PayrollRunRow))
                    if month_bounds(run.month)[1] >= effective}
            if runs:
                pl = PayrollLineRow
                for emp_no, run_id, segs in s.execute(select(pl.emp_no, pl.run_id, pl.segments)
                                                      .where(pl.run_id.in_(list(runs)), pl.employee_id.in_(people))):
                    month = f"{runs[run_id]:%Y-%m}"
                    payroll.setdefault(emp_no, []).extend(
                        Segment(month, date.fromisoformat(a), date.fromisoformat(b), g) for a, b, _days, g, *_ in json.loads(segs))
    findings = audit_cycle(code=c.code, closed=c.state == "closed", effective=effective, decisions=decisions,
                           notice=notice, events=events, excluded=excluded, payroll=payroll)
    problems = [f for f in findings if f.problem]
    remarks = [f for f in findings if not f.problem]
    # a row: the check as a code with its word ({code, params, text} in JSON), the finding's code, and
    # what it says (a Reason with the finding's parameters)
    rows = [{"emp_no": f.emp_no, "check": _labelled(f.check, CHECKS), "code": f.code, "notice": f.notice,
             "ledger": f.ledger, "payroll": f.payroll, "detail": _detail(f)} for f in problems]
    people_n = len({x.emp_no for x in decisions})
    if problems:
        title = Msg("audit of cycle {cycle}: {count} mismatch(es) in {people} people's decisions", cycle=c.code,
                    count=len(problems), people=people_n)
    else:
        title = Msg("audit of cycle {cycle}: notice, ledger and payroll agree for all {people} people with decisions",
                    cycle=c.code, people=people_n)
    notes: list[Msg] = [Msg("{emp_no}: {detail}", emp_no=f.emp_no, detail=_detail(f)) for f in remarks]
    if c.state != "closed":
        notes.append(Msg("cycle {cycle} is {state}: only the notice was checked; the ledger is written at closing",
                         cycle=c.code, state=_labelled(c.state, STATE_LABELS)))
    return Listing(title, AUDIT_COLUMNS, rows, notes,
                   {"cycle": c.code, "state": c.state, "ok": not problems, "decisions": len(decisions),
                    "people": people_n, "payroll_months": sorted({sg.month for v in payroll.values() for sg in v}),
                    "remarks": [{"emp_no": f.emp_no, "code": f.code, "detail": _detail(f)} for f in remarks]},
                   exit_code=1 if problems else 0)
