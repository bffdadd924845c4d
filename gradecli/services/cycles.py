"""Exam cycle use cases, from creation to scored: eligibility, registration, papers, answers, scores."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select, update

from gradecli.domain import cycle as cyc
from gradecli.domain.assembly import Blueprint, assemble_sitting, no_bank, order_at, sitting_spread
from gradecli.domain.eligibility import check as check_eligibility
from gradecli.domain.errors import BadInput, Problem, RuleRefused, Where
from gradecli.domain.ladder import Grade
from gradecli.domain.scoring import AnswerError, allowed_hint, panel_score, question_type_label, score
from gradecli.domain.values import score_or_absent
from gradecli.formats import answer_sheet, cells
from gradecli.formats.excel import (IGNORED_SHEET_PREFIXES, Column, SheetOut, read_table, read_tables, write_template,
                                    write_workbook)
from gradecli.formats.sheets import EMP_NO
from gradecli.i18n import Msg, N_, Reason, render
from gradecli.services.context import Context, bulk_work
from gradecli.services.papers import families_with_banks, load_paper_entries, load_papers, new_seed, store_sitting
from gradecli.services.papers import with_paper_fairness
from gradecli.services.results import Listing, Outcome
from gradecli.store import bank_repo, cycle_repo, repo
from gradecli.store.bulk import insert_rows, update_rows
from gradecli.store.models import AnswerRow, CycleRow, Employee, PaperRow, RegistrationRow

KIND_LABEL = cyc.KIND_LABELS  # the kind of a cycle as a person reads it (N_-marked msgids)


# ---------------------------------------------------------------- create, list

CODE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff+_-]{0,39}$")


def scoped_code(period: str, families: list[str]) -> str:
    """A cycle's code: its period when it covers every family, else the period and its families
    (2026-航标, 2026H2-测量+通信), so scripts can address each."""
    return period if not families else f"{period}-{'+'.join(families)}"


def _scope(ctx: Context, s, families: list[str] | None) -> list[str]:  # noqa: ANN001
    scope = sorted(set(f.strip() for f in families or [] if f.strip()))
    known = set(ctx.policy.ladder.families) | set(s.scalars(select(Employee.family).distinct()))
    unknown = [f for f in scope if f not in known]
    if unknown:
        raise BadInput(Reason("unknown_family", "--family {families}: not a post family (known: {known})",
                              families=unknown, known=sorted(known)))
    return scope


def _overlaps(s, *, kind: str, period: str, scope: list[str], other_than: int | None = None) -> list[Msg]:  # noqa: ANN001
    """The cycles of the same kind and period whose family scope overlaps ``scope`` (empty: all)."""
    out = []
    for other in s.scalars(select(CycleRow).where(CycleRow.kind == kind, CycleRow.period == period,
                                                  CycleRow.state != "deleted")):
        if other.id == other_than:
            continue
        theirs = set(cycle_repo.families(other) or [])
        if not scope or not theirs or theirs & set(scope):
            if scope and theirs:
                out.append(Reason("scope_overlap", "cycle {cycle} already covers {families} in {period}",
                                  cycle=other.code, families=sorted(theirs & set(scope)), period=period))
            else:
                out.append(Reason("scope_overlap", "cycle {cycle} already covers every family in {period}",
                                  cycle=other.code, period=period))
    return out


def create(ctx: Context, *, kind: str, period: str, exam_date: date | None = None,
           effective: date | None = None, families: list[str] | None = None, code: str | None = None) -> Outcome:
    """A cycle for one period, for every family or for some (every family sits every period: the
    scopes of one period's cycles may not overlap)."""
    p = cyc.Period.parse(kind, period)
    exam = exam_date or p.default_exam_date(ctx.policy)
    with ctx.uow() as uow:
        s = uow.s
        scope = _scope(ctx, s, families)
        code = (code or scoped_code(p.code, scope)).strip().upper()
        if not CODE.match(code):
            raise BadInput(Reason("bad_code", "--code '{code}': up to 40 letters, digits, Chinese characters, + - or _, "
                                  "e.g. {example}", code=code, example="2026-航标"))
        if s.scalars(select(CycleRow).where(CycleRow.code == code)).first():
            raise RuleRefused(Reason("cycle_exists", "cycle {cycle} already exists (see `gradecli cycle show {cycle}`)",
                                     cycle=code))
        clash = _overlaps(s, kind=kind, period=p.code, scope=scope)
        if clash:
            raise RuleRefused(problems=[Problem("", Msg("{clash}; a period's cycles must not share a family — give "
                                                        "another --family, or re-scope the draft with `gradecli cycle "
                                                        "scope`", clash=x))
                                        for x in clash])
        row = CycleRow(code=code, period=p.code, kind=kind, state="draft", families=",".join(scope), exam_date=exam,
                       effective_date=effective, created_at=repo.now_utc())
        s.add(row)
        s.flush()
        cycle_repo.log(s, row, ctx.actor, "create", kind=kind, period=p.code, exam_date=exam, effective=effective,
                       families=scope)
        uow.commit()
    facts = dict(cycle=code, kind=cyc.kind_label(kind), exam_date=exam)
    if scope and effective:
        summary = Msg("cycle {cycle} created: {kind} for {families}, exam on {exam_date}, results effective {effective}",
                      families=scope, effective=effective, **facts)
    elif scope:
        summary = Msg("cycle {cycle} created: {kind} for {families}, exam on {exam_date}, results effective the first "
                      "day of the month after closing", families=scope, **facts)
    elif effective:
        summary = Msg("cycle {cycle} created: {kind} for every family, exam on {exam_date}, results effective "
                      "{effective}", effective=effective, **facts)
    else:
        summary = Msg("cycle {cycle} created: {kind} for every family, exam on {exam_date}, results effective the "
                      "first day of the month after closing", **facts)
    return Outcome(summary, {"cycle": code, "period": p.code, "kind": kind, "families": scope, "exam_date": exam,
                             "effective_date": effective, "state": "draft"})


def delete_cycle(ctx: Context, code: str, *, reason: str) -> Outcome:
    """A draft cycle (nobody registered) is withdrawn; its record and log are kept, under a code
    that frees the name."""
    if not reason.strip():
        raise BadInput(Reason("empty_reason", "--reason is empty; say why the cycle is deleted (it is recorded)"))
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        cyc.require(c.state, ("draft",), code=c.code, action=N_("deleting the cycle"))
        if cycle_repo.registered_count(s, c):
            raise RuleRefused(Reason("has_registrations", "cycle {cycle} has registrations; withdraw them first "
                                     "(`gradecli cycle withdraw`)", cycle=c.code))
        old = c.code
        c.code, c.state = f"{old}~{c.id}", "deleted"
        cycle_repo.log(s, c, ctx.actor, "delete", code=old, reason=reason.strip(), today=ctx.today)
        uow.commit()
    return Outcome(Msg("cycle {cycle} deleted (kept as {kept_as} with its log)", cycle=old, kept_as=c.code),
                   {"cycle": old, "kept_as": c.code})


def rescope(ctx: Context, code: str, *, families: list[str] | None, reason: str) -> Outcome:
    """Change which families a draft cycle covers (none given: every family)."""
    if not reason.strip():
        raise BadInput(Reason("empty_reason", "--reason is empty; say why the scope changes (it is recorded)"))
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        cyc.require(c.state, ("draft",), code=c.code, action=N_("changing the scope"))
        scope = _scope(ctx, s, families)
        clash = _overlaps(s, kind=c.kind, period=c.period, scope=scope, other_than=c.id)
        if clash:
            raise RuleRefused(problems=[Problem("", x) for x in clash])
        before = cycle_repo.families(c) or []
        c.families = ",".join(scope)
        cycle_repo.log(s, c, ctx.actor, "scope", before=before, after=scope, reason=reason.strip(), today=ctx.today)
        uow.commit()
    return Outcome(Msg("cycle {cycle} now covers {families} (was {before})", cycle=c.code,
                       families=scope or Msg(EVERY_FAMILY), before=before or Msg(EVERY_FAMILY)),
                   {"cycle": c.code, "families": scope, "before": before})


EVERY_FAMILY = N_("every family")

LIST_COLUMNS = [("cycle", Msg("Cycle")), ("period", Msg("Period")), ("kind", Msg("Kind")), ("state", Msg("State")),
                ("exam_date", Msg("Exam date")), ("scope", Msg("Scope")), ("registered", Msg("Registered"))]


def scope_of(families: list[str] | None) -> Reason:
    """Which families a cycle covers, as a person reads it (``families`` in --json says it too)."""
    if families:
        return Reason("families", "{families}", families=families)
    return Reason("every_family", EVERY_FAMILY)


def list_cycles(ctx: Context) -> Listing:
    with ctx.uow() as uow:
        s = uow.s
        rows = []
        for c in s.scalars(select(CycleRow).where(CycleRow.state != "deleted").order_by(CycleRow.period, CycleRow.code)):
            n = cycle_repo.registered_count(s, c)
            fams = cycle_repo.families(c) or []
            rows.append({"cycle": c.code, "period": c.period, "kind": cyc.kind_label(c.kind),
                         "state": cyc.state_label(c.state), "exam_date": c.exam_date, "families": fams,
                         "scope": scope_of(fams), "registered": n})
    return Listing(Msg("Cycles"), LIST_COLUMNS, rows)


# ---------------------------------------------------------------- eligibility and registration

# The essential columns first (a terminal of 80 columns cuts from the right), the reasons last; short
# headers leave the reasons room on a terminal, the sheet (--out) has the full ones.
ELIG_COLUMNS = [("emp_no", Msg("Emp. no.")), ("name", Msg("Name")), ("family", Msg("Family")),
                ("grade", Msg("Grade")), ("target", Msg("Step to")), ("status", Msg("Status")),
                ("next_date", Msg("Next eligible")), ("reasons", Msg("Reasons"))]
ELIG_SHEET_COLUMNS = [("emp_no", Msg("Employee No.")), ("name", Msg("Name")), ("family", Msg("Post family")),
                      ("grade", Msg("Grade")), ("target", Msg("Target")), ("status", Msg("Eligibility")),
                      ("next_date", Msg("Next eligible")), ("reasons", Msg("Reasons"))]


def eligibility_status(el) -> Reason:  # noqa: ANN001
    """Eligible, a fast-track applicant (inside the wait, may register for the fast track only), or not."""
    if el.eligible:
        return Reason("eligible", "eligible")
    if el.fast_track_applicant:
        return Reason("fast_track_applicant", "fast-track applicant")
    return Reason("not_eligible", "not eligible")


def reasons_text(reasons) -> str:  # noqa: ANN001
    """Reasons in one cell of a sheet, in the run's language."""
    from gradecli.i18n import _

    return _("; ").join(str(r) for r in reasons)


def _assess(ctx: Context, s, c: CycleRow):  # noqa: ANN001, ANN202
    period = cycle_repo.period_of(c.code, c.kind, c.exam_date, c.period)
    calendar = cycle_repo.calendar(s, ctx.policy)
    pending = _pending_promotions(s, c)
    out = []
    for e, person in cycle_repo.people(s, ctx.policy, c.exam_date, cycle_repo.families(c)):
        if not e.active and not e.professional:
            continue
        el = check_eligibility(person, kind=c.kind, exam_date=c.exam_date, policy=ctx.policy, period=period,
                               calendar=calendar)
        if e.id in pending:
            code, kind, effective = pending[e.id]
            if effective:
                el.reasons.append(Reason("promotion_pending", "promoted in cycle {cycle} ({kind}), effective {effective}, "
                                         "after this exam on {exam_date}: one promotion must take effect before the "
                                         "next is sat", cycle=code, kind=promotion_label(kind), effective=effective,
                                         exam_date=c.exam_date))
            else:
                el.reasons.append(Reason("promotion_pending", "promoted in cycle {cycle} ({kind}), not yet in force (that "
                                         "cycle is not closed), after this exam on {exam_date}: one promotion must take "
                                         "effect before the next is sat", cycle=code, kind=promotion_label(kind),
                                         exam_date=c.exam_date))
            el.eligible, el.fast_track_applicant = False, False
            el.next_date = max(filter(None, [el.next_date, effective]), default=None)
        out.append((e, person, el))
    return out


PROMOTION_LABELS = {"tier_promotion": N_("tier promotion"), "level_promotion": N_("level promotion"),
                    "fast_track": N_("fast track")}


def promotion_label(kind: str) -> Reason:
    return Reason(kind, PROMOTION_LABELS.get(kind, kind))


def _pending_promotions(s, c: CycleRow) -> dict[int, tuple[str, str, date | None]]:  # noqa: ANN001
    """employee → (cycle, kind, effective date) of a promotion decided in another cycle that has not
    taken effect by this cycle's exam date (a fast-tracked person cannot sit for a second step on
    the grade they are leaving)."""
    from gradecli.store.models import CycleDecisionRow

    d = CycleDecisionRow
    out = {}
    for eid, code, kind, state, effective in s.execute(
            select(d.employee_id, CycleRow.code, d.kind, CycleRow.state, CycleRow.effective_date)
            .join(CycleRow, CycleRow.id == d.cycle_id)
            .where(d.cycle_id != c.id, d.kind.in_(("tier_promotion", "level_promotion", "fast_track")),
                   CycleRow.state != "deleted")):
        if state != "closed" or effective is None or effective > c.exam_date:
            out[eid] = (code, kind, effective if state == "closed" else None)
    return out


@bulk_work()
def eligibility(ctx: Context, code: str, *, out: Path | None = None) -> Listing:
    with ctx.uow() as uow:
        c = cycle_repo.get(uow.s, code)
        assessed = _assess(ctx, uow.s, c)
    rows = []
    for e, person, el in assessed:
        rows.append({"emp_no": e.emp_no, "name": e.name, "family": e.family,
                     "grade": str(person.grade) if person.grade else None,
                     "target": str(el.target) if el.target else None, "eligible": el.eligible,
                     "fast_track_applicant": el.fast_track_applicant, "may_register": el.eligible or el.fast_track_applicant,
                     "status": eligibility_status(el), "next_date": el.next_date, "reasons": list(el.reasons)})
    n_ok = sum(1 for r in rows if r["eligible"])
    n_ft = sum(1 for r in rows if r["fast_track_applicant"])
    # a title that fits a terminal of 80 columns: the kind and the exam date are in --json and `cycle list`
    listing = Listing(Msg("Eligibility in cycle {cycle}: {eligible} eligible, {fast_track} fast track, {not_eligible} "
                          "not eligible", cycle=c.code, eligible=n_ok, fast_track=n_ft,
                          not_eligible=len(rows) - n_ok - n_ft),
                      ELIG_COLUMNS, rows, extra={"cycle": c.code, "kind": c.kind, "exam_date": c.exam_date,
                                                 "counts": {"eligible": n_ok, "fast_track_applicant": n_ft,
                                                            "not_eligible": len(rows) - n_ok - n_ft}})
    if out:
        write_workbook(out, [SheetOut(Msg("Eligibility {cycle}", cycle=c.code), [h for _, h in ELIG_SHEET_COLUMNS],
                                      ([reasons_text(r[k]) if k == "reasons" else r[k] for k, _ in ELIG_SHEET_COLUMNS]
                                       for r in rows),
                                      widths=[12, 10, 10, 10, 10, 14, 14, 80])])
        listing.notes.append(Msg("wrote {path}", path=out))
    return listing


@bulk_work()
def register(ctx: Context, code: str, *, all_eligible: bool = False, file: Path | None = None,
             with_fast_track: bool = False) -> Outcome:
    """Register candidates; one ineligible name in a file refuses the whole file."""
    if all_eligible == (file is not None):
        raise BadInput(Reason("register_how", "give --all-eligible or --file FILE.xlsx (one of them)"))
    table = read_table(file, [EMP_NO]) if file else None
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("draft", "open"), code=c.code, action=N_("registration"))
        assessed = {e.emp_no: (e, p, el) for e, p, el in _assess(ctx, s, c)}
        existing = {r.emp_no: r for r in cycle_repo.registrations(s, c, active_only=False)}
        chosen = []
        if table:
            problems = []
            for row_no, r in table.rows:
                hit = assessed.get(r["emp_no"])
                where = table.where(row_no, EMP_NO)
                if hit is None:
                    problems.append(Problem(where, Reason("not_on_roster", "{emp_no} is not on the roster (or outside "
                                                          "this cycle's scope)", emp_no=r["emp_no"])))
                elif not (hit[2].eligible or hit[2].fast_track_applicant):
                    problems.append(Problem(where, Reason("may_not_register", "{emp_no} {name} may not register: {reasons}",
                                                          emp_no=r["emp_no"], name=hit[0].name,
                                                          reasons=list(hit[2].reasons))))
                else:
                    chosen.append(hit)
            if problems:
                raise RuleRefused(problems=problems)
        else:
            chosen = [h for h in assessed.values() if h[2].eligible or (with_fast_track and h[2].fast_track_applicant)]
        new, again = [], 0
        stamp = repo.now_utc()
        for e, person, el in chosen:
            old = existing.get(e.emp_no)
            if old is not None and old.status == "registered":
                again += 1
                continue
            values = {"cycle_id": c.id, "employee_id": e.id, "emp_no": e.emp_no, "family": e.family,
                      "from_tier": person.grade.tier, "from_level": person.grade.level,
                      "to_tier": el.target.tier, "to_level": el.target.level, "exam_tier": el.exam_tier,
                      "fast_track": el.fast_track_applicant, "status": "registered", "registered_at": stamp,
                      "absent": False}
            if old is not None:  # withdrawn earlier, registering again
                s.execute(update(RegistrationRow).where(RegistrationRow.id == old.id).values(**values))
            else:
                new.append(values)
        insert_rows(s, RegistrationRow.__table__, new)
        if c.state == "draft" and (new or chosen):
            c.state = "open"
        cycle_repo.log(s, c, ctx.actor, "register", added=len(chosen) - again, source=str(file) if file else "all-eligible")
        total = cycle_repo.registered_count(s, c)
        uow.commit()
    added = len(chosen) - again
    ft = sum(1 for _, _, el in chosen if el.fast_track_applicant)
    return Outcome(Msg("cycle {cycle}: {added} registered ({fast_track} as fast-track applicants), {again} already "
                       "registered; {total} candidates in all", cycle=c.code, added=added, fast_track=ft, again=again,
                       total=total),
                   {"cycle": c.code, "registered": added, "fast_track_applicants": ft, "already": again, "total": total})


REGISTER_SHEET = N_("Registration")
REFERENCE_SHEET = N_("{prefix} who may register")  # the prefix 参考 makes every import pass the sheet by
REFERENCE_COLUMNS = [("emp_no", Msg("Employee No.")), ("name", Msg("Name")), ("department", Msg("Department")),
                     ("target", Msg("Target")), ("eligible", Msg("Eligibility"))]


@bulk_work()
def write_register_template(ctx: Context, code: str, out: Path) -> Outcome:
    """An empty 工号 sheet for `cycle register --file`, and a 参考 sheet of who may register (read by nobody)."""
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("draft", "open"), code=c.code, action=N_("the registration sheet"))
        assessed = _assess(ctx, s, c)
        registered = {r.emp_no for r in cycle_repo.registrations(s, c)}
    people = []
    for e, _person, el in sorted(assessed, key=lambda a: a[0].emp_no):
        if not (el.eligible or el.fast_track_applicant):
            continue
        if e.emp_no in registered:
            status = (Reason("eligible", "eligible · registered") if el.eligible
                      else Reason("fast_track_applicant", "fast-track applicant · registered"))
        else:
            status = eligibility_status(el)
        people.append([e.emp_no, e.name, e.department, str(el.target), status])
    column = replace(EMP_NO, example=people[0][0] if people else EMP_NO.example,
                     note=N_("the employee number of a person to register; the reference sheet lists who may register"))
    reference = Msg(REFERENCE_SHEET, prefix=IGNORED_SHEET_PREFIXES[1])
    write_template(out, Msg(REGISTER_SHEET), [column], [
        Msg("Registration for cycle {cycle}: one employee number per row.", cycle=c.code),
        Msg("Who may register is listed in the sheet '{sheet}' (for reference; never imported).", sheet=reference),
        Msg("One person who may not register refuses the whole sheet."),
        Msg("Import: gradecli cycle register {cycle} --file FILE.xlsx", cycle=c.code),
    ], references=[SheetOut(reference, [h for _, h in REFERENCE_COLUMNS], people, widths=[14, 10, 14, 16, 28])])
    return Outcome(Msg("wrote the registration sheet for cycle {cycle} to {path}: {count} people may register",
                       cycle=c.code, path=out, count=len(people)),
                   {"cycle": c.code, "path": str(out), "may_register": len(people)})


def _registered(s, c, emp_no: str):  # noqa: ANN001, ANN202
    """The person's registration for the cycle, or the error that says they have none."""
    reg = cycle_repo.registration(s, c, emp_no)
    if reg is None:
        raise BadInput(Reason("not_registered", "{emp_no} is not registered for cycle {cycle}", emp_no=emp_no,
                              cycle=c.code))
    return reg


def withdraw(ctx: Context, code: str, emp_no: str) -> Outcome:
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("draft", "open"), code=c.code, action=N_("withdrawal (before the papers are issued)"))
        reg = _registered(s, c, emp_no)
        reg.status = "withdrawn"
        cycle_repo.log(s, c, ctx.actor, "withdraw", emp_no=emp_no)
        uow.commit()
    return Outcome(Msg("{emp_no} withdrawn from cycle {cycle}", emp_no=emp_no, cycle=c.code),
                   {"cycle": c.code, "emp_no": emp_no})


# ---------------------------------------------------------------- papers

@with_paper_fairness
@bulk_work()
def issue_papers(ctx: Context, code: str, *, mode: str = "individual", variants: int = 2,
                 seed: str | None = None) -> Outcome:
    if mode not in ("individual", "shared"):
        raise BadInput(Reason("bad_mode", "--mode '{mode}': use individual or shared", mode=mode))
    seed = seed or new_seed()
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("open",), code=c.code, action=N_("issuing papers"))
        regs = cycle_repo.registrations(s, c)
        if not regs:
            raise RuleRefused(Reason("no_candidates", "cycle {cycle} has no candidates; register some first",
                                     cycle=c.code))
        groups: dict[tuple[int, str], list[RegistrationRow]] = defaultdict(list)
        for r in regs:
            groups[(r.exam_tier, r.family)].append(r)
        issued, problems = [], []
        plans = []
        banks = families_with_banks(s)
        for (tier, family), members in sorted(groups.items()):
            if (tier, family) not in banks:
                # every group is still checked, so one refusal names every family and tier that lacks something
                problems.append(Msg("tier {tier} {family} ({count} candidates): {problem}", tier=tier, family=family,
                                    count=len(members), problem=no_bank(family, tier)))
                continue
            questions = bank_repo.current_questions(s, tier=tier, families=[family, "common"])
            bp = Blueprint.from_policy(ctx.policy, tier, c.kind, family)
            sitting_seed = f"{seed}|{c.code}|{tier}|{family}"
            try:
                if mode == "individual":
                    recent = _recent_questions(s, [r.emp_no for r in members], bp.exposure_last)
                    histories = [recent[r.emp_no] for r in members]
                    drawn = assemble_sitting(questions, bp, family, sitting_seed, count=len(members), histories=histories)
                else:
                    drawn = assemble_sitting(questions, bp, family, sitting_seed, variants=min(variants, len(members)) or 1)
            except RuleRefused as exc:
                problems += [Msg("tier {tier} {family} ({count} candidates): {problem}", tier=tier, family=family,
                                 count=len(members), problem=x) for x in _messages(exc)]
                continue
            plans.append((tier, family, members, bp, drawn))
            ctx.progress(Msg("papers"), len(plans), len(groups))
        if problems:
            raise RuleRefused(problems=[Problem("", p) for p in problems])
        for tier, family, members, bp, drawn in plans:
            if mode == "individual":
                codes = store_sitting(s, drawn, bp, seed=seed, mode="individual", actor=ctx.actor,
                                      emp_nos=[m.emp_no for m in members])
                assign = list(zip(members, codes))
            else:
                codes = store_sitting(s, drawn, bp, seed=seed, mode="variants", actor=ctx.actor)
                assign = [(m, codes[i % len(codes)]) for i, m in enumerate(members)]
            ids = dict(s.execute(select(PaperRow.code, PaperRow.id).where(PaperRow.code.in_(codes))).all())
            s.execute(update(RegistrationRow), [{"id": m.id, "paper_id": ids[code]} for m, code in assign])
            issued.append({"tier": tier, "family": family, "candidates": len(members), "papers": len(codes),
                           "first": codes[0], **sitting_spread(drawn).as_data()})
        c.state, c.seed = "papers_issued", seed
        cycle_repo.log(s, c, ctx.actor, "issue-papers", mode=mode, seed=seed, groups=issued)
        uow.commit()
    n = sum(g["papers"] for g in issued)
    facts = dict(cycle=c.code, papers=n, candidates=len(regs), groups=len(issued), seed=seed)
    summary = (Msg("cycle {cycle}: {papers} individual papers for {candidates} candidates in {groups} group(s), seed "
                   "{seed}", **facts) if mode == "individual" else
               Msg("cycle {cycle}: {papers} shared variants for {candidates} candidates in {groups} group(s), seed "
                   "{seed}", **facts))
    return Outcome(summary, {"cycle": c.code, "mode": mode, "seed": seed, "groups": issued})


def _messages(exc) -> list:  # noqa: ANN001
    """An error's problems (or its message) as messages, kept as data to be put in a sentence."""
    if exc.problems:
        return [p.message if not p.where else Msg("{where}: {problem}", where=p.where, problem=p.message)
                for p in exc.problems]
    return [exc.message if exc.message is not None else str(exc)]


def _recent_questions(s, emp_nos: list[str], n: int) -> dict[str, set[str]]:  # noqa: ANN001
    """The questions of each person's last n papers (exposure control), in a few queries."""
    out: dict[str, set[str]] = {e: set() for e in emp_nos}
    if n <= 0 or not emp_nos:
        return out
    from gradecli.store.models import QuestionVersionRow

    papers: dict[str, list[tuple]] = defaultdict(list)
    for chunk in range(0, len(emp_nos), 900):
        q = select(PaperRow.emp_no, PaperRow.created_at, PaperRow.id, PaperRow.items).where(
            PaperRow.emp_no.in_(emp_nos[chunk:chunk + 900]))
        for emp, created, pid, items in s.execute(q):
            papers[emp].append((created, pid, items))
    wanted: dict[str, set[int]] = {}
    for emp, ps in papers.items():
        recent = sorted(ps, reverse=True)[:n]
        wanted[emp] = {vid for _, _, items in recent for vid in json.loads(items)[0::2]}  # [vid, rank, ...]
    all_vids = sorted(set().union(*wanted.values())) if wanted else []
    qid_of: dict[int, str] = {}
    for chunk in range(0, len(all_vids), 900):
        qid_of.update(s.execute(select(QuestionVersionRow.id, QuestionVersionRow.qid)
                                .where(QuestionVersionRow.id.in_(all_vids[chunk:chunk + 900]))).all())
    for emp, vids in wanted.items():
        out[emp] = {qid_of[v] for v in vids}
    return out


def paper_codes(ctx: Context, code: str) -> list[str]:
    """Every paper of a cycle (one per candidate, or the shared variants), for `paper export`."""
    with ctx.uow() as uow:
        c = cycle_repo.get(uow.s, code)
        ids = {r.paper_id for r in cycle_repo.registrations(uow.s, c) if r.paper_id}
        return sorted(uow.s.scalars(select(PaperRow.code).where(PaperRow.id.in_(ids))))


# ---------------------------------------------------------------- answer sheets

def write_answer_sheet(ctx: Context, code: str, out: Path) -> Outcome:
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action=N_("the answer sheet"))
        regs = cycle_repo.registrations(s, c)
        names = dict(s.execute(select(Employee.emp_no, Employee.name)).all())
        sheets: dict[tuple[int, str], list] = defaultdict(list)
        layout: dict[tuple[int, str], list] = {}
        stored = load_papers(s, ids=[r.paper_id for r in regs])
        for r in regs:
            prow, items = stored[r.paper_id].row, stored[r.paper_id].items
            key = (r.exam_tier, r.family)
            sheets[key].append([c.code, r.emp_no, names.get(r.emp_no), prow.code] + [None] * len(items))
            if key not in layout or len(items) > len(layout[key]):
                layout[key] = items
    out_sheets = []
    for key in sorted(sheets):
        items = layout[key]
        headers = ["周期 / Cycle", "工号 / Employee No.", "姓名 / Name", "试卷 / Paper"] + [f"题{n} / Q{n}" for n in range(1, len(items) + 1)]
        comments = [Msg("cycle {cycle}: leave as it is", cycle=c.code), None, None,
                    Msg("the paper number on the candidate's paper")] + [
            Msg("{type}, {points} points: {allowed}; blank = unanswered", type=question_type_label(i.question.type),
                points=i.question.points, allowed=allowed_hint(i.question, i.order))
            for i in items]
        out_sheets.append(SheetOut(Msg("tier {tier} {family}", tier=key[0], family=key[1]), headers, sheets[key],
                                   widths=[8, 14, 10, 14] + [7] * len(items), header_comments=comments))
    write_workbook(out, out_sheets)
    return Outcome(Msg("wrote the answer sheet for cycle {cycle} ({candidates} candidates) to {path}", cycle=c.code,
                       candidates=len(regs), path=out),
                   {"cycle": c.code, "path": str(out), "candidates": len(regs)})


@bulk_work()
def import_answers(ctx: Context, code: str, path: Path) -> Outcome:
    problems: list[Problem] = []
    rows = answer_sheet.read(path, collect=problems)  # bad cells are listed with the checks below
    policy = ctx.policy
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action=N_("importing answers"))
        regs = {r.emp_no: r for r in cycle_repo.registration_rows(s, c)}  # plain rows: 20,000 need no ORM objects
        paper_rows, entries, versions = load_paper_entries(s, cycle_id=c.id, brief=True)
        papers = {r.id: r for r in paper_rows}
        marked_absent: list = []
        scored: list[tuple[RegistrationRow, dict, Decimal]] = []
        # (question version, option-order rank, answer) → (as recorded, points as text, points in
        # hundredths): the same answer to the same item is scored once (20,000 sheets of 47
        # answers hold a few tens of thousands of distinct ones)
        scores: dict[tuple, tuple[str, str, int]] = {}
        multiple_scoring = policy.exam.multiple_scoring
        seen: dict[str, int] = {}
        code, revision = c.code, c.revision
        for sr in rows:
            if sr.cycle and sr.cycle.upper() != code:
                problems.append(Problem(sr.where("周期"), Reason("other_cycle", "this sheet is for cycle {sheet_cycle}, not "
                                                             "{cycle}; import it into that cycle",
                                                             sheet_cycle=sr.cycle, cycle=code)))
                continue
            reg = regs.get(sr.emp_no)
            if reg is None:
                problems.append(Problem(sr.where("工号"), Reason("not_registered", "{emp_no} is not registered for cycle "
                                                             "{cycle}", emp_no=sr.emp_no, cycle=code)))
                continue
            if revision and not reg.reopened:
                problems.append(Problem(sr.where("工号"), Reason("results_final", FINAL_RESULTS, emp_no=sr.emp_no)))
                continue
            if sr.emp_no in seen:
                problems.append(Problem(sr.where("工号"), Reason("duplicate_candidate", "{emp_no} appears again (first at "
                                                             "row {first}); keep one row per candidate",
                                                             emp_no=sr.emp_no, first=seen[sr.emp_no])))
                continue
            seen[sr.emp_no] = sr.row
            if sr.absent():
                marked_absent.append(reg)
                continue
            if reg.paper_id is None:
                problems.append(Problem(sr.where("工号"), Reason("no_paper", "{emp_no} has no paper yet; run `gradecli "
                                                             "cycle issue-papers {cycle}`", emp_no=sr.emp_no, cycle=code)))
                continue
            prow, flat = papers[reg.paper_id], entries[reg.paper_id]
            vids, ranks = flat[0::2], flat[1::2]
            if sr.paper is None:
                problems.append(Problem(sr.where("试卷"), Reason("empty_paper", "is empty; write {paper} (the paper {emp_no} "
                                                             "sat), or {absent} if the candidate did not sit",
                                                             paper=prow.code, emp_no=sr.emp_no, absent=cells.ABSENT)))
                continue
            if sr.paper.strip().upper() != prow.code.upper():
                problems.append(Problem(sr.where("试卷"), Reason("wrong_paper", "paper {given} is not {emp_no}'s paper "
                                                             "({paper})", given=sr.paper, emp_no=sr.emp_no,
                                                             paper=prow.code)))
                continue
            if max(sr.numbers, default=0) > len(vids):  # columns may come in any order
                problems += [Problem(sr.where(f"题{pos}"), Reason("beyond_paper", "the paper has {count} questions; leave "
                                                                "this column empty", count=len(vids)))
                             for pos, _ in sr.beyond(len(vids))]
            keys = list(zip(vids, ranks, sr.answers(len(vids))))
            hits = list(map(scores.get, keys))
            if None in hits:
                for pos, key in enumerate(keys):
                    if hits[pos] is not None:
                        continue
                    q = versions[key[0]]
                    shown, raw = order_at(q, key[1]), key[2]
                    try:
                        got, points = score(q, shown, raw, multiple_scoring=multiple_scoring)
                    except AnswerError as exc:
                        problems.append(Problem(sr.where(f"题{pos + 1}"), Reason("bad_answer", "{problem}; write {allowed}",
                                                                             problem=exc.message,
                                                                             allowed=allowed_hint(q, shown))))
                        continue
                    hits[pos] = scores[key] = (got, str(points), int(points.scaleb(2)))
            if problems:
                continue  # nothing will be written; read on only to list every problem
            # points as text are digits and a dot: their JSON list needs no escaping
            sheet = {"responses": _json_texts(list(map(_RECORDED, hits))),
                     "earned": '["' + '", "'.join(map(_EARNED, hits)) + '"]' if hits else "[]"}
            scored.append((reg, sheet, Decimal(sum(map(_HUNDREDTHS, hits))).scaleb(-2)))
        if not problems and not scored and rows and not any(sr.written_absent() for sr in rows):
            # every row without a single answer: the sheet as exported, imported before it was filled in
            problems.append(Problem(Where(str(path)), Reason(
                "no_answers", "no candidate has a single answer: is this the sheet before it was filled in? Fill in "
                "the answers and import again; for a candidate who did not sit write {absent} in {column}",
                absent=cells.ABSENT, column="试卷")))
        if problems:
            raise BadInput(problems=problems)
        before = _answered(s, c)
        replaced = [reg.emp_no for reg, _, _ in scored if reg.id in before]
        ids = [reg.id for reg, _, _ in scored if reg.id in before]  # answers to replace
        ids += [reg.id for reg in marked_absent if reg.id in before]  # a re-import now says 缺考
        for chunk in range(0, len(ids), 900):
            s.execute(delete(AnswerRow).where(AnswerRow.registration_id.in_(ids[chunk:chunk + 900]))
                      .execution_options(synchronize_session=False))
        insert_rows(s, AnswerRow.__table__, [{"registration_id": reg.id, **answers} for reg, answers, _ in scored])
        answered = ({reg.id for reg, _, _ in scored} | before) - {reg.id for reg in marked_absent}
        no_row = [r for r in regs.values() if r.id not in answered and not c.revision
                  and r.id not in {m.id for m in marked_absent}]
        absent = marked_absent + no_row
        _set_theory(s, [(reg.id, total, False) for reg, _, total in scored] + [(r.id, Decimal(0), True) for r in absent])
        _advance(s, c)
        cycle_repo.log(s, c, ctx.actor, "import-answers", file=str(path), candidates=len(scored), replaced=replaced,
                       absent=[r.emp_no for r in marked_absent], no_row=[r.emp_no for r in no_row])
        uow.commit()
    notes = [Msg("answers replaced for {count} candidate(s) already scored: {who}", count=len(replaced),
                 who=_some(replaced))] if replaced else []
    if marked_absent:
        notes.append(Msg("{count} candidate(s) absent ({absent} written or every answer cell empty): {who}",
                         count=len(marked_absent), absent=cells.ABSENT, who=_some(r.emp_no for r in marked_absent)))
    if no_row:
        notes.append(Msg("{count} registered candidate(s) have no row and count as absent: {who}", count=len(no_row),
                         who=_some(r.emp_no for r in no_row)))
    if absent:
        notes.append(Msg("to correct one: `gradecli cycle absent {cycle} EMP --undo --reason TEXT`, then import their row",
                         cycle=c.code))
    return Outcome(Msg("cycle {cycle}: answers of {count} candidates scored from {path}; state {state}", cycle=c.code,
                       count=len(scored), path=path, state=cyc.state_label(c.state)),
                   {"cycle": c.code, "scored": len(scored), "replaced": replaced, "absent": sorted(r.emp_no for r in absent),
                    "state": c.state}, notes)


FINAL_RESULTS = N_("{emp_no}'s results were published and are final; only a candidate with an upheld objection can "
                   "be corrected (leave this row out)")


def _some(items, n: int = 10) -> "list[str] | Msg":  # noqa: ANN001
    """The first ``n`` of a list of names (a list parameter, joined in the run's language)."""
    items = list(items)
    if len(items) <= n:
        return items
    return Msg("{items} …", items=items[:n])


_JSON = json.JSONEncoder(ensure_ascii=False)  # one encoder for 40,000 lists (json.dumps makes one a call)
_RECORDED, _EARNED, _HUNDREDTHS = itemgetter(0), itemgetter(1), itemgetter(2)  # of a scored answer
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')


def _json_texts(texts: list[str]) -> str:
    """A JSON list of strings, as json.dumps(..., ensure_ascii=False) writes it; most answers are
    letters, 对/错 or numbers, which need no escaping and are joined directly."""
    if _NEEDS_ESCAPE.search("".join(texts)):
        return _JSON.encode(texts)
    return '["' + '", "'.join(texts) + '"]' if texts else "[]"


def _set_theory(s, results: list[tuple[int, Decimal, bool]]) -> None:  # noqa: ANN001
    """Theory results and absence by registration id, in one executemany."""
    update_rows(s, RegistrationRow.__table__, "id",
                [{"id": rid, "theory": theory, "absent": absent} for rid, theory, absent in results])


def _answered(s, c: CycleRow) -> set[int]:  # noqa: ANN001
    return set(s.scalars(select(AnswerRow.registration_id).join(RegistrationRow, RegistrationRow.id == AnswerRow.registration_id)
                         .where(RegistrationRow.cycle_id == c.id).distinct()))


def _advance(s, c: CycleRow) -> None:  # noqa: ANN001
    """papers_issued ⇄ scored: scored once every candidate has a theory result and every present
    candidate a skill score."""
    r = RegistrationRow
    candidates = select(func.count()).select_from(r).where(r.cycle_id == c.id, r.status == "registered")
    lacking = candidates.where(or_(r.theory.is_(None), and_(func.coalesce(r.absent, False).is_(False),
                                                            r.skill.is_(None), r.skill_absent.is_(False))))
    complete = s.scalar(candidates) > 0 and s.scalar(lacking) == 0
    c.state = "scored" if complete else "papers_issued"


SKILL_SHEET = N_("Skill scores")
ASSESSOR_HEADER = re.compile(r"^\s*(?:评委\s*(\d+)|Assessor\s*(\d+))\s*(?:[/／]\s*(?:评委\s*\d+|Assessor\s*\d+)\s*)?$", re.I)
SCORE_CELL = cells.or_absent(cells.decimal(Decimal(0), Decimal(100), places=1))
SKILL_COLUMNS = [
    replace(EMP_NO, prefilled=True, note=N_("the candidate's employee number (filled in by gradecli)")),
    Column("name", "姓名", "Name", cells.text, required=False, blank_ok=True, prefilled=True, example="张三",
           note=N_("the candidate's name, to help the assessor (not checked)")),
    Column("skill", "实操成绩", "Skill score", SCORE_CELL, required=False, blank_ok=True,
           example=82.5, note=N_("the score from 0 to 100, one decimal at most, or 缺考 for a candidate who was absent — "
                                 "or leave it empty and give each assessor's mark under Assessor 1, Assessor 2, …; "
                                 "leave the row empty when it is not known yet")),
]


def assessor_column(n: int) -> Column:
    return Column(f"a{n}", f"评委{n}", f"Assessor {n}", SCORE_CELL, required=False, blank_ok=True,
                  note=N_("this assessor's mark, 0–100; blank when the assessor recused"))


def skill_columns_for(header) -> list[Column]:  # noqa: ANN001
    """The skill sheet's columns: 工号, 姓名, 实操成绩 and a column per assessor (评委N)."""
    from gradecli.formats.excel import match_header

    if not any(match_header(c, SKILL_COLUMNS[:1]) for c in header):
        return []
    numbers = sorted({int(m.group(1) or m.group(2)) for c in header
                      if not cells.is_blank(c) and (m := ASSESSOR_HEADER.match(cells.text(c)))})
    return SKILL_COLUMNS + [assessor_column(n) for n in numbers]


def write_score_template(ctx: Context, code: str, out: Path) -> Outcome:
    """The assessors' skill-score sheet: every candidate's 工号 and 姓名, an empty 实操成绩 column."""
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("open", "papers_issued", "scored"), code=c.code, action=N_("the skill-score sheet"))
        regs = cycle_repo.registrations(s, c)
        if c.revision:  # after a notice only the reopened candidates' scores can change
            regs = [r for r in regs if r.reopened]
        names = dict(s.execute(select(Employee.id, Employee.name).join(RegistrationRow, RegistrationRow.employee_id == Employee.id)
                               .where(RegistrationRow.cycle_id == c.id)).all())
    if not regs:
        raise RuleRefused(Reason("no_candidates", "cycle {cycle} has no candidates whose skill score can be entered; "
                                 "register some first (`gradecli cycle register {cycle} --all-eligible`)", cycle=c.code))
    panel = [assessor_column(n) for n in range(1, ctx.policy.evaluation.skill_assessors + 1)]
    write_template(out, Msg(SKILL_SHEET), SKILL_COLUMNS + panel, [
        Msg("Skill scores of cycle {cycle}: one row per candidate, the employee number and name already filled in.",
            cycle=c.code),
        Msg("Write only the skill score (0–100, one decimal at most), or {absent} for a candidate absent from the "
            "assessment; leave it empty when not known yet — that row is skipped on import.", absent=cells.ABSENT),
        Msg("Import: gradecli cycle import-scores {cycle} FILE.xlsx --part skill", cycle=c.code),
        Msg("Or one mark per assessor (Assessor 1 … Assessor N; blank when an assessor recused): with {n} or more marks "
            "the highest and the lowest are dropped before averaging.", n=ctx.policy.evaluation.skill_trim_from),
    ], rows=[[r.emp_no, names.get(r.employee_id), None] + [None] * len(panel) for r in regs])
    return Outcome(Msg("wrote the skill-score sheet for cycle {cycle} ({candidates} candidates) to {path}",
                       cycle=c.code, candidates=len(regs), path=out),
                   {"cycle": c.code, "path": str(out), "candidates": len(regs)})


def import_scores(ctx: Context, code: str, path: Path, *, part: str) -> Outcome:
    """Skill scores: one 实操成绩 per candidate, or each assessor's mark (评委1…评委N) from which the
    score is computed (the highest and lowest dropped from the policy's panel size on); 缺考 for a
    candidate absent from the assessment. Every mark is kept as evidence."""
    if part != "skill":
        raise BadInput(Reason("bad_part", "--part '{part}': only skill scores are imported (theory comes from the answer "
                              "sheets, performance from `gradecli perf import`)", part=part))
    problems: list[Problem] = []
    tables = read_tables(path, skill_columns_for, collect=problems)  # bad cells are listed with the checks below
    if not tables:
        raise BadInput(Reason("no_skill_sheet", "{path}: no sheet has a header row with {emp_no} and {skill} or "
                              "{assessor}; use `gradecli cycle template-scores`", path=path,
                              emp_no=SKILL_COLUMNS[0].header, skill=SKILL_COLUMNS[2].header,
                              assessor=assessor_column(1).header))
    trim = ctx.policy.evaluation.skill_trim_from
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action=N_("importing scores"))
        regs = {r.emp_no: r for r in cycle_repo.registrations(s, c)}
        entries, absent, left = [], [], []
        for table in tables:
            panel = sorted(k for k in table.present if k.startswith("a") and k[1:].isdigit())
            if "skill" not in table.present and not panel:
                problems.append(Problem(table.where(), Reason("no_skill_column", "give a {skill} column or the "
                                                              "assessors' {assessors} columns",
                                                              skill=SKILL_COLUMNS[2].header,
                                                              assessors=[assessor_column(1).header,
                                                                         assessor_column(2).header, "…"])))
                continue
            left += [v.get("emp_no") or Msg("row {row}", row=n) for n, v in table.unfilled]
            for n, r in table.rows:
                if r["emp_no"] not in regs:
                    problems.append(Problem(table.where(n, "工号"), Reason("not_registered", "{emp_no} is not registered "
                                                                       "for cycle {cycle}", emp_no=r["emp_no"],
                                                                       cycle=c.code)))
                    continue
                if c.revision and not regs[r["emp_no"]].reopened:
                    problems.append(Problem(table.where(n, "工号"), Reason("results_final", FINAL_RESULTS,
                                                                       emp_no=r["emp_no"])))
                    continue
                marks = [r.get(k) for k in sorted(panel, key=lambda k: int(k[1:]))]
                given = [m for m in marks if m is not None]
                if r["skill"] == cells.ABSENT or (given and given[0] == cells.ABSENT):
                    entries.append((r["emp_no"], None, None, True))
                    absent.append(r["emp_no"])
                    continue
                if cells.ABSENT in given:
                    problems.append(Problem(table.where(n, "评委"), Reason("absent_in_panel", "{absent} goes in the skill "
                                                                       "score or the first assessor's column; the other "
                                                                       "assessors' cells stay empty",
                                                                       absent=cells.ABSENT)))
                    continue
                if given and r["skill"] is not None:
                    problems.append(Problem(table.where(n, "实操成绩"), Reason("score_and_marks", "give either the skill "
                                                                         "score or the assessors' marks, not both; "
                                                                         "clear one of them")))
                    continue
                if given:
                    score, _dropped = panel_score(marks, trim)
                    entries.append((r["emp_no"], score, json.dumps([None if m is None else str(m) for m in marks]), False))
                elif r["skill"] is not None:
                    entries.append((r["emp_no"], r["skill"], None, False))
                else:
                    left.append(r["emp_no"])
        if problems:
            raise BadInput(problems=problems)
        replaced = [e for e, score, _, was_absent in entries if not was_absent and regs[e].skill is not None
                    and Decimal(regs[e].skill) != score]
        if entries:
            s.execute(update(RegistrationRow), [
                {"id": regs[e].id, "skill": score, "skill_marks": marks, "skill_absent": was_absent}
                for e, score, marks, was_absent in entries])
        _advance(s, c)
        cycle_repo.log(s, c, ctx.actor, "import-scores", part=part, file=str(path), rows=len(entries), replaced=replaced,
                       absent=absent)
        uow.commit()
    notes = [Msg("skill scores changed for {who}", who=replaced)] if replaced else []
    panels = sum(1 for _, _, marks, _ in entries if marks)
    if panels:
        notes.append(Msg("{count} score(s) computed from the assessors' marks (the highest and the lowest dropped where "
                         "{trim} or more were given); every mark is kept", count=panels, trim=trim))
    if absent:
        notes.append(Msg("{count} candidate(s) absent from the skill assessment: {who}", count=len(absent),
                         who=_some(absent)))
    if left:
        notes.append(Msg("{count} row(s) without a score, left as they were: {who}", count=len(left), who=_some(left, 12)))
    for table in tables:
        notes += table.warnings
    return Outcome(Msg("cycle {cycle}: {count} skill scores from {path}; state {state}", cycle=c.code,
                       count=len(entries), path=path, state=cyc.state_label(c.state)),
                   {"cycle": c.code, "rows": len(entries), "replaced": replaced, "state": c.state}, notes)


def mark_absent(ctx: Context, code: str, emp_no: str, *, reason: str, part: str = "theory",
                undo: bool = False) -> Outcome:
    """Correct a sheet by hand: a candidate was absent (缺考) from a part, or was not after all.
    Logged like a re-import; before evaluation, or for a candidate reopened by an upheld objection."""
    if part not in ("theory", "skill"):
        raise BadInput(Reason("bad_part", "--part '{part}': write theory (the exam) or skill (the practical assessment)",
                              part=part))
    if not reason.strip():
        raise BadInput(Reason("empty_reason", "--reason is empty; say why (it is recorded in the cycle log)"))
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action=N_("recording an absence"))
        reg = _registered(s, c, emp_no)
        if c.revision and not reg.reopened:
            raise RuleRefused(Reason("results_final", "{emp_no}'s results were published and are final; only a "
                                     "candidate with an upheld objection can be corrected", emp_no=emp_no))
        note = None
        if part == "theory":
            sheet = s.scalars(select(AnswerRow).where(AnswerRow.registration_id == reg.id)).first()
            if undo:
                reg.absent = False
                if sheet is None:
                    reg.theory = None
                    note = Msg("{emp_no} has no scored answers: import their row of the answer sheet (`gradecli cycle "
                               "import-answers {cycle} FILE.xlsx`)", emp_no=emp_no, cycle=c.code)
                else:
                    reg.theory = sum((Decimal(x) for x in json.loads(sheet.earned)), Decimal(0))
            else:
                reg.absent, reg.theory = True, Decimal(0)
        else:
            reg.skill_absent = not undo
            if not undo:
                reg.skill = None
            elif reg.skill is None:
                note = Msg("{emp_no} needs a skill score: `gradecli cycle import-scores {cycle} FILE.xlsx --part skill`",
                           emp_no=emp_no, cycle=c.code)
        _advance(s, c)
        cycle_repo.log(s, c, ctx.actor, "absent-undo" if undo else "absent", emp_no=emp_no, part=part,
                       reason=reason.strip(), today=ctx.today)
        uow.commit()
    facts = dict(cycle=c.code, emp_no=emp_no, state=cyc.state_label(c.state))
    if part == "theory":
        summary = (Msg("cycle {cycle}: {emp_no} is no longer absent from the theory exam; state {state}", **facts) if undo
                   else Msg("cycle {cycle}: {emp_no} absent from the theory exam; state {state}", **facts))
    else:
        summary = (Msg("cycle {cycle}: {emp_no} is no longer absent from the skill assessment; state {state}", **facts)
                   if undo else Msg("cycle {cycle}: {emp_no} absent from the skill assessment; state {state}", **facts))
    return Outcome(summary, {"cycle": c.code, "emp_no": emp_no, "part": part, "absent": not undo, "state": c.state},
                   [note] if note else [])


# ---------------------------------------------------------------- show

SHOW_COLUMNS = [("emp_no", Msg("Employee No.")), ("name", Msg("Name")), ("family", Msg("Post family")),
                ("step", Msg("Step")), ("paper", Msg("Paper")), ("theory", Msg("Theory")),
                ("skill", Msg("Skill")), ("rating", Msg("Rating")), ("performance", Msg("Performance")),
                ("missing", Msg("Missing"))]
MISSING_LABELS = {"paper": N_("paper"), "answers": N_("answers"), "skill": N_("skill score"), "rating": N_("rating {year}")}


def _missing(what: str, year: int) -> Reason:
    return Reason(what, MISSING_LABELS[what], year=year) if what == "rating" else Reason(what, MISSING_LABELS[what])


@with_paper_fairness
def show(ctx: Context, code: str, *, out: Path | None = None) -> Listing:
    policy = ctx.policy
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        regs = cycle_repo.registrations(s, c)
        reg = RegistrationRow
        names = dict(s.execute(select(Employee.id, Employee.name).join(reg, reg.employee_id == Employee.id)
                               .where(reg.cycle_id == c.id)).all())
        papers = dict(s.execute(select(PaperRow.id, PaperRow.code).join(reg, reg.paper_id == PaperRow.id)
                                .where(reg.cycle_id == c.id)).all())
        ratings = repo.ratings_by_employee(s, cycle_id=c.id)
        answered = bool(_answered(s, c))
    rows, lacking = [], defaultdict(list)
    for r in regs:
        rating = cycle_repo.latest_rating(ratings.get(r.employee_id, []), c.exam_date.year)
        year = c.exam_date.year - 1
        missing = []
        if r.paper_id is None:
            missing.append("paper")
        if r.theory is None:
            missing.append("answers")
        if r.skill is None and not r.absent and not r.skill_absent:
            missing.append("skill")
        if rating is None:
            missing.append("rating")
        for m in missing:
            lacking[m].append(r.emp_no)
        frm, to = Grade(r.from_tier, r.from_level), Grade(r.to_tier, r.to_level)
        step = (Msg("{from_grade} → {to_grade} (fast track)", from_grade=str(frm), to_grade=str(to)) if r.fast_track
                else Msg("{from_grade} → {to_grade}", from_grade=str(frm), to_grade=str(to)))
        rows.append({"emp_no": r.emp_no, "name": names.get(r.employee_id), "family": r.family,
                     "from_grade": str(frm), "to_grade": str(to), "fast_track": bool(r.fast_track), "step": step,
                     "paper": papers.get(r.paper_id), "theory": score_or_absent(r.theory, r.absent),
                     "theory_status": "absent" if r.absent else ("missing" if r.theory is None else "scored"),
                     "skill": score_or_absent(r.skill, r.skill_absent),
                     "skill_status": "absent" if r.skill_absent else ("missing" if r.skill is None else "scored"),
                     "skill_marks": json.loads(r.skill_marks) if r.skill_marks else None,
                     "rating": rating.rating if rating else None,
                     "performance": policy.performance.scores.get(rating.rating) if rating else None,
                     "missing": [_missing(m, year) for m in missing]})
    notes = [Msg("state {state}; next: {next}", state=cyc.state_label(c.state), next=cyc.next_step(c.state, c.code))]
    if c.state == "papers_issued" and not answered:
        notes.append(Msg("no answer sheet imported yet"))
    for what, who in lacking.items():
        notes.append(Msg("{count} without {what}: {who}", count=len(who), what=_missing(what, c.exam_date.year - 1),
                         who=_some(who, 12)))
    title = Msg("Cycle {cycle}, {state}, exam {exam_date}: {candidates} candidates, {absent} absent", cycle=c.code,
                state=cyc.state_label(c.state), exam_date=c.exam_date, candidates=len(regs),
                absent=sum(1 for r in regs if r.absent or r.skill_absent))
    listing = Listing(title, SHOW_COLUMNS, rows, notes,
                      {"cycle": c.code, "kind": c.kind, "state": c.state, "exam_date": c.exam_date,
                       "missing": dict(lacking)})
    if out:
        write_workbook(out, [SheetOut(Msg("Scores {cycle}", cycle=c.code), [h for _, h in SHOW_COLUMNS],
                                      ([render(r[k]) if k == "missing" else r[k] for k, _ in SHOW_COLUMNS]
                                       for r in rows))])
        listing.notes.append(Msg("wrote {path}", path=out))
    return listing
