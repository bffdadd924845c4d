"""评定 use cases: first evaluation, cycle evaluation, the notice, appeals, closing to the ledger."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, select, update

from gradecli.domain import cycle as cyc
from gradecli.domain.dates import first_of_next_month
from gradecli.domain.errors import BadInput, NotFound, Problem, RuleRefused
from gradecli.domain.evaluation import (Candidate, QuotaRule, deferral_reason, deferral_scope, evaluate as decide,
                                        failed_exam, first_placement, full_years)
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.ledger import changes_grade, grade_on
from gradecli.domain.values import ABSENT, score_or_absent
from gradecli.formats import cells, notice as notice_out
from gradecli.formats.excel import ABSENT_TEXT, Column, SheetOut, read_table, write_workbook
from gradecli.formats.sheets import EMP_NO
from gradecli.i18n import Msg, N_, Reason, dumps, loads, render
from gradecli.services import admin, papers
from gradecli.services.context import Context, bulk_work
from gradecli.services.quotas import label as quota_label, rules as quota_rules
from gradecli.services.results import Listing, Outcome
from gradecli.store import cycle_repo, repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import (AppealRow, CycleDecisionRow, CycleRow, Employee, NoticeRow,
                                   RegistrationRow)

PROMOTION_KIND = {"annual": "tier_promotion", "semiannual": "level_promotion"}
# What each outcome is called in results (the notice words it as the policy says: notice.public_outcome).
OUTCOME_NAMES = {"promoted": N_("promoted"), "fast_track": N_("promoted by the fast track"),
                 "qualified_not_promoted": N_("qualified, over the quota"),
                 "qualified_inside_wait": N_("qualified (waiting time not served, fast-track bar not met)"),
                 "failed": N_("failed"), "absent": N_("absent"), "placed": N_("placed")}


def outcome(code: str | None) -> Reason | None:
    """An outcome as data: its code, and its name in the run's language when shown."""
    if code is None:
        return None
    return Reason(code, OUTCOME_NAMES.get(code, code))


def _stored_reasons(text: str | None) -> list:
    """A registration's reasons as stored: a JSON list of messages (each stored with dumps), or of
    plain text written before messages were data."""
    return [loads(r) for r in json.loads(text or "[]")]


def _sheet(value):  # noqa: ANN001, ANN202
    """A listing value for a sheet cell: lists (of reasons, of ratings) as one text."""
    return render(value) if isinstance(value, (list, tuple)) else value


# ---------------------------------------------------------------- first evaluation (首次评定)

FIRST_COLUMNS = [("emp_no", N_("Employee No.")), ("name", N_("Name")), ("grade", N_("Grade")),
                 ("label", N_("Grade name")), ("family", N_("Post family")), ("title", N_("Title")),
                 ("years", N_("Years of service")), ("ratings", N_("Appraisals")), ("exam", N_("Exam")),
                 ("reasons", N_("Reasons"))]
SCORE_COLUMNS = [EMP_NO, Column("exam", "理论成绩", "Exam score", cells.decimal(Decimal(0), Decimal(100), places=1),
                                note=N_("0–100; reference only"))]


def first_code(as_of: date) -> str:
    """The code of a first placement's cycle: F and the year of the placement date."""
    return f"F{as_of.year}"


@bulk_work()
def first_evaluation(ctx: Context, *, as_of: date, scores: Path | None = None, out: Path | None = None,
                     apply: bool = False, publish_to: Path | None = None) -> Listing:
    """首次评定 (lenient): place every active professional-technical employee without a grade.
    A preview by default; ``publish_to`` publishes the placements as cycle F<year> (a notice and
    an objection window; `cycle close` writes them to the ledger); ``apply`` records them at once
    where the policy allows it."""
    fe = ctx.policy.first_evaluation
    code = first_code(as_of)
    if apply and publish_to:
        raise BadInput(Msg("give --publish DIR or --apply, not both"))
    if apply and fe.notice_required:
        raise RuleRefused(Msg("first placements are published first: use --publish DIR, then `gradecli cycle close "
                              "{cycle}` after the objection window (or set first_evaluation.notice_required = false in "
                              "the policy to record them at once)", cycle=code))
    exam = {}
    if scores:
        table = read_table(scores, SCORE_COLUMNS)
        exam = {r["emp_no"]: r["exam"] for _, r in table.rows}
    years = range(as_of.year - fe.rating_years, as_of.year)
    with ctx.uow() as uow:
        s = uow.s
        staff = repo.staff_rows(s, Employee.professional, Employee.active, order=True)
        events = repo.events_by_employee(s)
        ratings = repo.ratings_by_employee(s)
        unknown = sorted(set(exam) - {e.emp_no for e in staff})
        if unknown:
            raise BadInput(Msg("{file}: {emp_nos} are not active professional-technical staff", file=scores,
                               emp_nos=unknown[:10]))
        rows, new = [], []
        label = Msg("first evaluation")
        for n, e in enumerate(staff):
            if n % 2000 == 0:
                ctx.progress(label, n, len(staff))
            if events.get(e.id) or (e.leave_date and e.leave_date < as_of) or e.hire_date > as_of:
                continue
            record = [r for r in ratings.get(e.id, []) if r.year in years]
            p = first_placement(emp_no=e.emp_no, family=e.family, title=e.title, service_start=e.service_start,
                                as_of=as_of, ratings=[r.rating for r in record], exam_score=exam.get(e.emp_no),
                                policy=ctx.policy)
            ladder = Ladder.for_family(ctx.policy, e.family)
            rows.append({"emp_no": e.emp_no, "name": e.name, "department": e.department, "family": e.family,
                         "title": e.title, "years": full_years(e.service_start, as_of),
                         "ratings": [Msg("{year}: {rating}", year=r.year, rating=r.rating) for r in record],
                         "exam": exam.get(e.emp_no), "grade": str(p.grade), "label": ladder.label(p.grade),
                         "reasons": list(p.reasons)})
            new.append({"employee_id": e.id, "emp_no": e.emp_no, "kind": "initial_placement", "effective": as_of,
                        "from_grade": None, "to_grade": p.grade,
                        "reason": dumps(Reason("first_placement", "first placement: {reasons}", reasons=list(p.reasons))),
                        "evidence": {"title": e.title, "years": rows[-1]["years"],
                                     "ratings": {str(r.year): r.rating for r in record},
                                     "exam": str(exam[e.emp_no]) if e.emp_no in exam else None}})
        if apply:
            repo.append_events(s, new, actor=ctx.actor)
            uow.commit()
        elif publish_to:
            _first_cycle(ctx, s, as_of, new)
            uow.commit()
    spread = Counter(r["grade"] for r in rows)
    if apply:
        title = Msg("First placement as of {date}: {count} to place — recorded in the ledger", date=as_of, count=len(rows))
    elif publish_to:
        title = Msg("First placement as of {date}: {count} to place — published as cycle {cycle}", date=as_of,
                    count=len(rows), cycle=code)
    else:
        title = Msg("First placement as of {date}: {count} to place — a preview; add --publish DIR to publish",
                    date=as_of, count=len(rows))
    listing = Listing(title, FIRST_COLUMNS, rows,
                      [Msg("placements: {grades}", grades=[f"{g} × {n}" for g, n in sorted(spread.items())])] if rows
                      else [Msg("nobody is waiting for a first placement")],
                      {"as_of": as_of.isoformat(), "applied": apply, "placed": len(rows),
                       "cycle": code if publish_to else None})
    if out:
        write_workbook(out, [SheetOut(Msg("First placement {date}", date=as_of), [Msg(h) for _, h in FIRST_COLUMNS],
                                      ([_sheet(r[k]) for k, _ in FIRST_COLUMNS] for r in rows),
                                      widths=[12, 10, 8, 10, 10, 8, 8, 30, 8, 90])])
        listing.notes.append(Msg("wrote {file}", file=out))
    if publish_to:
        published = publish(ctx, code, out=publish_to)
        listing.notes.append(published.summary)
        listing.extra["notice"] = published.data
    return listing


def _first_cycle(ctx: Context, s, as_of: date, placements: list[dict]) -> CycleRow:  # noqa: ANN001
    """The cycle that carries a first placement to its notice: created on the first --publish,
    re-evaluated after an upheld objection; its decisions are the placements."""
    code = first_code(as_of)
    c = s.scalars(select(CycleRow).where(CycleRow.code == code)).first()
    if c is None:
        c = CycleRow(code=code, period=code, kind="first", state="evaluated", exam_date=as_of, effective_date=as_of,
                     created_at=repo.now_utc())
        s.add(c)
        s.flush()
        cycle_repo.log(s, c, ctx.actor, "create", kind="first", as_of=as_of)
    elif c.exam_date != as_of:
        raise RuleRefused(Msg("cycle {cycle} places staff as of {date}; one first placement a year", cycle=code,
                              date=c.exam_date))
    else:
        cyc.require(c.state, ("evaluated", "scored"), code=c.code, action=Msg("placing again"))
    s.execute(delete(CycleDecisionRow).where(CycleDecisionRow.cycle_id == c.id))
    insert_rows(s, CycleDecisionRow.__table__, [
        {"cycle_id": c.id, "employee_id": p["employee_id"], "emp_no": p["emp_no"], "kind": "initial_placement",
         "from_tier": None, "from_level": None, "to_tier": p["to_grade"].tier, "to_level": p["to_grade"].level,
         "reason": p["reason"], "evidence": json.dumps(p["evidence"], ensure_ascii=False, default=str)}
        for p in placements])
    c.state, c.quotas = "evaluated", "{}"
    cycle_repo.log(s, c, ctx.actor, "evaluate", placements=len(placements), today=ctx.today)
    return c


# ---------------------------------------------------------------- cycle evaluation (选升评定)

@bulk_work()
def evaluate(ctx: Context, code: str, *, quotas: dict[tuple[str, int], int] | None = None) -> Listing:
    policy = ctx.policy
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        if c.kind == "first":
            raise RuleRefused(Msg("cycle {cycle} is a first placement: place again with `gradecli first-evaluation "
                                  "--as-of {date} --publish DIR`", cycle=c.code, date=c.exam_date))
        cyc.require(c.state, ("scored", "evaluated"), code=c.code, action=Msg("evaluation"))
        regs = cycle_repo.registrations(s, c)
        year = c.exam_date.year - 1
        all_ratings = repo.ratings_by_employee(s)
        ratings = {(eid, r.year): r for eid, rs in all_ratings.items() for r in rs if r.year == year}
        groups: dict[tuple[str, int], list[RegistrationRow]] = defaultdict(list)
        for r in regs:
            groups[(r.family, r.to_tier)].append(r)
        rules = quota_rules(ctx, s, c, groups, quotas)
        scope = cycle_repo.people(s, policy, c.exam_date, cycle_repo.families(c))  # facts on the exam date
        person = {e.id: p for e, p in scope}
        quota_info, decisions_out = {}, []
        done = 0
        label = Msg("evaluate candidates")
        for (family, tier), members in sorted(groups.items()):
            ctx.progress(label, done, len(regs))
            done += len(members)
            cands = []
            for r in members:
                rating = cycle_repo.latest_rating(all_ratings.get(r.employee_id, []), c.exam_date.year)
                since = person[r.employee_id].grade_since if r.employee_id in person else None
                cands.append(Candidate(
                    emp_no=r.emp_no, target_tier=tier, theory=None if r.absent else Decimal(r.theory),
                    skill=None if r.skill is None else Decimal(r.skill), rating=rating.rating if rating else None,
                    disciplinary=bool(rating and rating.disciplinary), inside_wait=r.fast_track,
                    days_in_grade=(c.exam_date - since).days if since else 0, skill_absent=r.skill_absent))
            ds, quota, how = decide(cands, rule=rules[(family, tier)], policy=policy, appraisal_year=year,
                                    standard=policy.standard(family, tier))
            used = sum(1 for d in ds if d.outcome == "promoted")
            quota_info[quota_label(family, tier)] = {
                "family": family, "tier": tier, "quota": quota, "derivation": dumps(how), "promoted": used,
                "fast_track": sum(1 for d in ds if d.outcome == "fast_track"), "registered": len(members)}
            for r, cd, d in zip(members, cands, ds):
                r.outcome, r.composite, r.performance, r.rank = d.outcome, d.composite, d.performance, d.rank
                r.rating = cd.rating
                r.reasons = json.dumps([dumps(m) for m in d.reasons], ensure_ascii=False)
                decisions_out += _candidate_decisions(c, r, d)
        ctx.progress(label, done, len(regs))
        decisions_out += _scope_decisions(ctx, s, c, regs, year, ratings, scope)
        s.execute(delete(CycleDecisionRow).where(CycleDecisionRow.cycle_id == c.id))
        insert_rows(s, CycleDecisionRow.__table__, decisions_out)
        c.state, c.quotas, c.appraisal_year = "evaluated", json.dumps(quota_info, ensure_ascii=False, default=str), year
        cycle_repo.log(s, c, ctx.actor, "evaluate", quotas=quota_info, decisions=len(decisions_out),
                       today=ctx.today)
        uow.commit()
    return results(ctx, code)


def _decision(c: CycleRow, r_emp_id: int, emp_no: str, kind: str, frm: Grade, to: Grade, reason: Msg, evidence: dict) -> dict:
    return {"cycle_id": c.id, "employee_id": r_emp_id, "emp_no": emp_no, "kind": kind,
            "from_tier": frm.tier, "from_level": frm.level, "to_tier": to.tier, "to_level": to.level,
            "reason": dumps(reason), "evidence": json.dumps(evidence, ensure_ascii=False, default=str)}


def _candidate_decisions(c: CycleRow, r: RegistrationRow, d) -> list[dict]:  # noqa: ANN001
    frm, to = Grade(r.from_tier, r.from_level), Grade(r.to_tier, r.to_level)
    evidence = {"theory": str(r.theory) if r.theory is not None else None, "skill": str(r.skill) if r.skill is not None else None,
                "skill_marks": json.loads(r.skill_marks) if r.skill_marks else None,
                "rating": r.rating, "performance": d.performance, "composite": str(d.composite) if d.composite is not None else None,
                "rank": d.rank, "cycle": c.code}
    out = []
    if d.outcome in ("promoted", "fast_track"):
        kind = "fast_track" if d.outcome == "fast_track" else PROMOTION_KIND[c.kind]
        out.append(_decision(c, r.employee_id, r.emp_no, kind, frm, to,
                             Reason(d.outcome, "cycle {cycle}: {reasons}", cycle=c.code, reasons=list(d.reasons)), evidence))
    return out


def _scope_decisions(ctx: Context, s, c: CycleRow, regs, year: int, ratings, scope) -> list[dict]:  # noqa: ANN001
    """Deferrals and demotions: at an annual cycle for every graded employee in scope, at a
    semiannual one for its candidates (a second failed intra-tier exam in a row demotes)."""
    policy = ctx.policy
    out = []
    already = _deferred_for_year(s, year)
    reg_ids = {r.employee_id for r in regs}
    people = [(e, p) for e, p in scope if p.grade is not None
              and (p.professional if c.kind == "annual" else e.id in reg_ids)]
    previous = _previous_semiannual(s, c, policy) if c.kind == "semiannual" else {}
    current = {r.employee_id: r for r in regs}
    for e, p in people:
        rating = ratings.get((e.id, year))
        reason = deferral_reason(rating.rating if rating else None, bool(rating and rating.disciplinary), policy, year)
        if reason and e.id not in already:
            out.append(_decision(c, e.id, e.emp_no, "deferral", p.grade, p.grade,
                                 Reason("deferral", "cycle {cycle}: deferral: {reason}; registration barred: {scope}",
                                        cycle=c.code, reason=reason,
                                        scope=deferral_scope(policy.eligibility.deferral_cycles)),
                                 {"appraisal_year": year, "rating": rating.rating if rating else None,
                                  "disciplinary": bool(rating and rating.disciplinary), "cycle": c.code}))
        ladder = Ladder.for_family(policy, e.family)
        if c.kind == "annual" and rating and rating.rating == policy.evaluation.demotion_rating:
            to = ladder.demote(p.grade)
            if to != p.grade:
                out.append(_decision(c, e.id, e.emp_no, "demotion", p.grade, to,
                                     Reason("demotion_rating", "cycle {cycle}: rating {rating} in {year} → down one level",
                                            cycle=c.code, rating=rating.rating, year=year),
                                     {"appraisal_year": year, "rating": rating.rating, "cycle": c.code}))
        if c.kind == "semiannual" and e.id in current:
            r = current[e.id]
            theory = None if r.absent else Decimal(r.theory)
            prev = previous.get(e.id)
            needed = policy.evaluation.demotion_consecutive_fails
            mark = policy.standard(r.family, r.exam_tier).pass_theory
            streak = 1 + (prev[1] if prev else 0) if failed_exam(theory, mark, absent=r.skill_absent) else 0
            if streak >= needed:
                to = ladder.demote(p.grade)
                if to != p.grade:
                    out.append(_decision(c, e.id, e.emp_no, "demotion", p.grade, to,
                                         Reason("demotion_exam_failures", "cycle {cycle}: intra-tier exam failed {count} "
                                                "times in a row ({previous} and {cycle}) → down one level",
                                                cycle=c.code, count=streak, previous=prev[0]),
                                         {"theory": str(theory) if theory is not None else "absent",
                                          "previous_cycle": prev[0], "cycle": c.code}))
    return out


def _deferred_for_year(s, year: int) -> set[int]:  # noqa: ANN001
    from gradecli.store.models import LedgerEventRow

    out = set()
    for eid, ev in s.execute(select(LedgerEventRow.employee_id, LedgerEventRow.evidence).where(LedgerEventRow.kind == "deferral")):
        if json.loads(ev).get("appraisal_year") == year:
            out.add(eid)
    return out


def _previous_semiannual(s, c: CycleRow, policy) -> dict[int, tuple[str, int]]:  # noqa: ANN001
    """employee → (their semiannual cycle just before this one, consecutive failed intra-tier exams
    ending with it). A period someone did not sit breaks the run. A period may hold several
    cycles (one per family scope): each person sat at most one of them."""
    p = cyc.Period.parse("semiannual", c.period)
    year, half = p.year, p.half
    fails: list[dict[int, str]] = []  # per earlier period: employee → the cycle they failed
    for _ in range(max(1, policy.evaluation.demotion_consecutive_fails - 1)):
        year, half = (year, 1) if half == 2 else (year - 1, 2)
        cycles = list(s.scalars(select(CycleRow).where(CycleRow.kind == "semiannual", CycleRow.period == f"{year}H{half}",
                                                       CycleRow.state != "deleted")))
        if not cycles:
            break
        fails.append({r.employee_id: prev.code for prev in cycles for r in cycle_repo.registrations(s, prev)
                      if r.theory is not None
                      and failed_exam(None if r.absent else Decimal(r.theory),
                                      policy.standard(r.family, r.exam_tier).pass_theory, absent=r.skill_absent)})
    out = {}
    for eid, code in (fails[0].items() if fails else ()):
        n = 0
        for f in fails:
            if eid not in f:
                break
            n += 1
        out[eid] = (code, n)
    return out


# ---------------------------------------------------------------- results and the notice (公示)

# The essential columns first: a terminal of 80 columns shows who, the outcome and the scores.
RESULT_COLUMNS = [("emp_no", N_("Employee No.")), ("name", N_("Name")), ("outcome", N_("Outcome")),
                  ("step", N_("Step")), ("composite", N_("Composite")), ("rank", N_("Rank")),
                  ("theory", N_("Theory")), ("skill", N_("Skill")), ("performance", N_("Performance")),
                  ("department", N_("Department")), ("family", N_("Post family")), ("reasons", N_("Reasons"))]


def _result_rows(s, c: CycleRow) -> tuple[list[dict], list[dict]]:  # noqa: ANN001
    """The notice's rows (one per active registration, by 工号) and decisions, read as plain rows:
    a cycle of 20,000 candidates in an office of 100,000 needs no ORM objects."""
    reg, emp = RegistrationRow, Employee
    rows = []
    d = CycleDecisionRow
    if c.kind == "first":  # a first placement: its rows are the placements
        for r in s.execute(select(d.emp_no, d.to_tier, d.to_level, d.reason, emp.name, emp.department, emp.family)
                           .join(emp, emp.id == d.employee_id).where(d.cycle_id == c.id).order_by(d.emp_no)):
            rows.append({"emp_no": r.emp_no, "name": r.name, "department": r.department, "family": r.family,
                         "standard_tier": r.to_tier, "step": f"— → {Grade(r.to_tier, r.to_level)}",
                         "outcome": outcome("placed"), "outcome_code": "placed", "reasons": [loads(r.reason)]})
    for r in s.execute(select(reg.emp_no, reg.family, reg.from_tier, reg.from_level, reg.to_tier, reg.to_level,
                              reg.absent, reg.skill_absent, reg.theory, reg.skill, reg.performance, reg.rating, reg.composite, reg.rank,
                              reg.outcome, reg.reasons, emp.name, emp.department)
                       .join(emp, emp.id == reg.employee_id)
                       .where(reg.cycle_id == c.id, reg.status == "registered").order_by(reg.emp_no)):
        rows.append({"emp_no": r.emp_no, "name": r.name, "department": r.department, "family": r.family,
                     "standard_tier": r.to_tier,
                     "step": f"{Grade(r.from_tier, r.from_level)} → {Grade(r.to_tier, r.to_level)}",
                     "theory": score_or_absent(r.theory, r.absent), "theory_status": _status(r.theory, r.absent),
                     "skill": score_or_absent(r.skill, r.skill_absent), "skill_status": _status(r.skill, r.skill_absent),
                     "performance": r.performance, "rating": r.rating, "composite": r.composite,
                     "rank": r.rank, "outcome": outcome(r.outcome), "outcome_code": r.outcome,
                     "reasons": _stored_reasons(r.reasons)})
    decisions = [{"emp_no": row.emp_no, "name": row.name, "kind": row.kind,
                  "from": grade_text(row.from_tier, row.from_level), "to": str(Grade(row.to_tier, row.to_level)),
                  "reason": loads(row.reason)}
                 for row in s.execute(select(d.emp_no, d.kind, d.from_tier, d.from_level, d.to_tier, d.to_level,
                                             d.reason, emp.name).join(emp, emp.id == d.employee_id)
                                      .where(d.cycle_id == c.id).order_by(d.kind, d.emp_no))]
    return rows, decisions


def grade_text(tier: int | None, level: int | None) -> str:
    """A decision's grade as the notice and the audit write it; — for no grade (a first placement)."""
    return "—" if tier is None else str(Grade(tier, level))


def _status(score, absent: bool) -> str | None:  # noqa: ANN001
    """A part's status code beside its score: absent (缺考), scored, or None (not yet known)."""
    return "absent" if absent else "scored" if score is not None else None


def _storable(rows: list[dict]) -> list[dict]:
    """Rows as the notice record keeps them (plain JSON: scores as text, absence as the absent
    marker, messages stored with dumps so they read in any language later)."""
    def plain(v):  # noqa: ANN001, ANN202
        if v is ABSENT:
            return ABSENT_TEXT
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, Msg):
            return dumps(v)
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, date):
            return v.isoformat()
        return v
    return [{k: plain(v) for k, v in r.items()} for r in rows]


def _quotas(c: CycleRow) -> dict:
    """The quotas of an evaluated cycle, their derivations read back as messages."""
    quotas = json.loads(c.quotas or "{}")
    for q in quotas.values():
        if isinstance(q.get("derivation"), str):
            q["derivation"] = loads(q["derivation"])
    return quotas


def results(ctx: Context, code: str, *, out: Path | None = None) -> Listing:
    with ctx.uow() as uow:
        c = cycle_repo.get(uow.s, code)
        rows, decisions = _result_rows(uow.s, c)
        quotas = _quotas(c)
    counts = Counter(r["outcome_code"] for r in rows)
    notes: list = []
    for k, v in quotas.items():
        group = notice_out.group_name(k, v)
        if v["quota"] is None:
            notes.append(Msg("{group}: no quota; {promoted} promoted, {fast_track} by the fast track", group=group,
                             promoted=v["promoted"], fast_track=v["fast_track"]))
        else:
            notes.append(Msg("{group}: quota {quota} ({derivation}); {promoted} promoted, {fast_track} by the fast "
                             "track", group=group, quota=v["quota"], derivation=v["derivation"],
                             promoted=v["promoted"], fast_track=v["fast_track"]))
    notes += [Msg("{decision}: {emp_no} {name} {from_grade} → {to_grade}", decision=notice_out.decision_name(d["kind"]),
                  emp_no=d["emp_no"], name=d["name"], from_grade=d["from"], to_grade=d["to"])
              for d in decisions if d["kind"] in ("deferral", "demotion")][:20]
    tally = [Msg("{count} {outcome}", count=n, outcome=outcome(k)) for k, n in sorted(counts.items())]
    title = Msg("Cycle {cycle} evaluated: {counts}", cycle=c.code, counts=tally)
    listing = Listing(title, RESULT_COLUMNS, rows, notes, {"cycle": c.code, "state": c.state, "quotas": quotas,
                                                          "decisions": decisions})
    if out:
        with ctx.uow() as uow:
            appeals = [{"emp_no": a.emp_no, "filed_on": a.filed_on, "reason": a.reason, "status": a.status,
                        "note": a.note, "resolved_on": a.resolved_on}
                       for a in uow.s.scalars(select(AppealRow).where(AppealRow.cycle_id == c.id).order_by(AppealRow.id))]
        doc = _notice(ctx, c, c.revision or 0, ctx.today, c.window_ends or ctx.today, rows, decisions, [], appeals)
        notice_out.write_internal(out, doc, appeals)
        listing.notes.append(Msg("wrote {file} (internal, not for posting)", file=out))
    return listing


def _notice(ctx: Context, c: CycleRow, revision: int, published: date, window_ends: date, rows: list[dict],
            decisions: list[dict], changes: list, appeals: list[dict]) -> notice_out.Notice:
    upheld = sum(1 for a in appeals if a["status"] == "upheld")
    return notice_out.Notice(
        fairness=papers.fairness_lines(ctx, c.id),
        cycle=c.code, kind=c.kind, revision=revision, published_on=published, window_ends=window_ends,
        exam_date=c.exam_date, effective=c.effective_date, policy=ctx.policy, quotas=_quotas(c),
        rows=rows, decisions=decisions, changes=changes,
        appeals=[Msg("After review, {count} objection(s) were upheld and the scores concerned have been corrected (see "
                     "above).", count=upheld)] if revision > 1 and upheld else [],
        groups=sorted({(r["family"], r["standard_tier"]) for r in rows}))


def publish(ctx: Context, code: str, *, out: Path) -> Outcome:
    """Write the notice (Excel + HTML) and open the objection window."""
    policy = ctx.policy
    today = ctx.today
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        cyc.require(c.state, ("evaluated",), code=c.code, action=Msg("publishing the notice"))
        rows, decisions = _result_rows(s, c)
        revision = (c.revision or 0) + 1
        window_ends = today + timedelta(days=policy.evaluation.objection_days)
        last = s.scalars(select(NoticeRow).where(NoticeRow.cycle_id == c.id).order_by(NoticeRow.revision.desc())).first()
        stored, stored_decisions = _storable(rows), _storable(decisions)
        changes = _changes(json.loads(last.content) if last else None, stored, stored_decisions, policy)
        appeals = [{"status": a.status} for a in s.scalars(select(AppealRow).where(AppealRow.cycle_id == c.id))]
        content = {"rows": stored, "decisions": stored_decisions}
        s.add(NoticeRow(cycle_id=c.id, revision=revision, published_on=today, window_ends=window_ends,
                        content=json.dumps(content, ensure_ascii=False),
                        changes=json.dumps([dumps(m) for m in changes], ensure_ascii=False), published_by=ctx.actor))
        s.execute(update(RegistrationRow).where(RegistrationRow.cycle_id == c.id, RegistrationRow.reopened.is_not(None))
                  .values(reopened=None).execution_options(synchronize_session=False))
        c.state, c.revision, c.window_ends, c.published_at = "published", revision, window_ends, repo.now_utc()
        cycle_repo.log(s, c, ctx.actor, "publish", revision=revision, window_ends=window_ends, today=today)
        uow.commit()
    files = notice_out.write(out, _notice(ctx, c, revision, today, window_ends, rows, decisions, changes, appeals))
    params = dict(cycle=c.code, revision=revision, date=today, window_ends=window_ends, folder=out)
    summary = (Msg("cycle {cycle}: revised notice (revision {revision}) published {date}; objections until "
                   "{window_ends}; files in {folder}", **params) if revision > 1 else
               Msg("cycle {cycle}: notice (revision {revision}) published {date}; objections until {window_ends}; "
                   "files in {folder}", **params))
    return Outcome(summary, {"cycle": c.code, "revision": revision, "window_ends": window_ends.isoformat(),
                             "files": [{"file": str(f)} for f in files], "changes": changes}, labels=FILE_LABELS)


FILE_LABELS = {"files": N_("Files written"), "file": N_("file")}
CHANGED = ("theory", "skill", "performance", "composite", "rank", "outcome")  # what a revision reports, if public


def _changes(previous: dict | None, rows: list[dict], decisions: list[dict], policy) -> list[Reason]:  # noqa: ANN001
    """What a revised notice changes, in public terms only: the public columns that moved (the
    outcome in its public wording) and the public decisions added or withdrawn."""
    if previous is None:
        return []
    np = policy.notice
    shown = [k for k in np.public_columns if k in CHANGED]
    out: list[Reason] = []
    before = {r["emp_no"]: r for r in previous["rows"]}

    def value(r: dict, k: str):  # noqa: ANN202
        if k == "outcome":
            return notice_out.public_outcome(policy, r.get("outcome_code"))
        v = r.get(k)
        if v in (ABSENT_TEXT, cells.ABSENT):  # absent (stored as the marker, or as 缺考 before)
            return Reason("absent", ABSENT_TEXT)
        return "—" if v is None else v

    for r in rows:
        b = before.get(r["emp_no"])
        if b is None:
            out.append(Reason("result_added", "{emp_no} {name}: added", emp_no=r["emp_no"], name=r["name"]))
            continue
        diffs = [Msg("{column} {before} → {after}", column=Msg(notice_out.COLUMN_HEADERS[k]), before=value(b, k),
                     after=value(r, k)) for k in shown if value(b, k) != value(r, k)]
        if diffs:
            out.append(Reason("result_changed", "{emp_no} {name}: {changes}", emp_no=r["emp_no"], name=r["name"],
                              changes=diffs))
    kinds = set(np.public_decisions)
    key = lambda d: (d["emp_no"], d["kind"], d["to"])  # noqa: E731
    old = {key(d) for d in previous["decisions"] if d["kind"] in kinds}
    new = {key(d) for d in decisions if d["kind"] in kinds}
    out += [Reason("decision_added", "{emp_no} {decision} → {grade}: new decision", emp_no=e,
                   decision=notice_out.decision_name(k), grade=t) for e, k, t in sorted(new - old)]
    out += [Reason("decision_withdrawn", "{emp_no} {decision} → {grade}: withdrawn", emp_no=e,
                   decision=notice_out.decision_name(k), grade=t) for e, k, t in sorted(old - new)]
    return out


# ---------------------------------------------------------------- appeals (异议)

def appeal(ctx: Context, code: str, emp_no: str, *, reason: str) -> Outcome:
    if not reason.strip():
        raise BadInput(Msg("--reason is empty; record what the objection says"))
    today = ctx.today
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        cyc.require(c.state, ("published",), code=c.code, action=Msg("an objection"))
        if today > c.window_ends:
            raise RuleRefused(Msg("the objection window of cycle {cycle} closed on {date}; objections are taken only "
                                  "until then", cycle=c.code, date=c.window_ends))
        e = repo.employee(s, emp_no)
        concerned = {r.employee_id for r in cycle_repo.registrations(s, c)} | set(
            s.scalars(select(CycleDecisionRow.employee_id).where(CycleDecisionRow.cycle_id == c.id)))
        if e.id not in concerned:
            raise BadInput(Msg("{emp_no} has no result or decision in cycle {cycle}", emp_no=emp_no, cycle=c.code))
        if s.scalars(select(AppealRow).where(AppealRow.cycle_id == c.id, AppealRow.employee_id == e.id,
                                             AppealRow.status == "pending")).first():
            raise RuleRefused(Msg("{emp_no} already has an objection pending in cycle {cycle}; resolve it first",
                                  emp_no=emp_no, cycle=c.code))
        s.add(AppealRow(cycle_id=c.id, employee_id=e.id, emp_no=emp_no, reason=reason.strip(), filed_on=today,
                        filed_by=ctx.actor, status="pending"))
        cycle_repo.log(s, c, ctx.actor, "appeal", emp_no=emp_no, today=today)
        uow.commit()
    return Outcome(Msg("objection of {emp_no} to cycle {cycle} recorded ({date}); resolve it with `gradecli cycle "
                       "resolve {cycle} {emp_no} --uphold|--reject --note TEXT`", emp_no=emp_no, cycle=c.code, date=today),
                   {"cycle": c.code, "emp_no": emp_no, "status": "pending"})


def resolve(ctx: Context, code: str, emp_no: str, *, uphold: bool, note: str) -> Outcome:
    if not note.strip():
        raise BadInput(Msg("--note is empty; record how the objection was resolved"))
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        cyc.require(c.state, ("published", "scored", "evaluated"), code=c.code, action=Msg("resolving an objection"))
        a = s.scalars(select(AppealRow).where(AppealRow.cycle_id == c.id, AppealRow.emp_no == emp_no,
                                              AppealRow.status == "pending")).first()
        if a is None:
            raise NotFound(Msg("{emp_no} has no pending objection in cycle {cycle}", emp_no=emp_no, cycle=c.code))
        a.status, a.note, a.resolved_on, a.resolved_by = ("upheld" if uphold else "rejected"), note.strip(), ctx.today, ctx.actor
        reopened = False
        if uphold:
            reg = cycle_repo.registration(s, c, emp_no)
            if reg is not None:
                reg.reopened = True
            c.state = "evaluated" if c.kind == "first" else "scored"  # evaluate and publish again (a revised notice)
            reopened = True
        cycle_repo.log(s, c, ctx.actor, "resolve", emp_no=emp_no, upheld=uphold, note=note)
        uow.commit()
    if reopened and c.kind == "first":
        summary = Msg("objection of {emp_no} upheld: correct the records it concerns (ratings, roster), then place and "
                      "publish again with `gradecli first-evaluation --as-of {date} --publish DIR`", emp_no=emp_no,
                      date=c.exam_date)
    elif reopened:
        summary = Msg("objection of {emp_no} upheld: cycle {cycle} is reopened for the scores of {emp_no}; correct them "
                      "(import-answers / import-scores), then evaluate and publish again", emp_no=emp_no, cycle=c.code)
    else:
        summary = Msg("objection of {emp_no} rejected", emp_no=emp_no)
    return Outcome(summary, {"cycle": c.code, "emp_no": emp_no, "upheld": uphold, "state": c.state})


# ---------------------------------------------------------------- closing (results take effect)

GRADE_DECISIONS = ("demotion", "tier_promotion", "level_promotion", "fast_track")


def close(ctx: Context, code: str, *, force: bool = False, reason: str | None = None,
          exclude: dict[str, str] | None = None) -> Outcome:
    """Write the cycle's decisions to the ledger at the effective date.

    Each decision is applied to the grade it was decided on. Someone who left a front-line post
    after the exam (a transfer_drop between the exam and the effective date) gets the decision
    first and the drop again on top of it, so neither is lost. Any other change to a candidate's
    grade since the exam is refused by name; ``exclude`` (工号 → why) leaves those people's
    decisions out, to be recorded by hand with ``grade correct``."""
    today = ctx.today
    exclude = {k.strip(): v.strip() for k, v in (exclude or {}).items()}
    if force and not (reason and reason.strip()):
        raise BadInput(Msg("--force needs --reason: say why the cycle closes early (it is recorded)"))
    if any(not why for why in exclude.values()):
        raise BadInput(Msg("--exclude needs --reason: say why these people's decisions are left out (it is recorded)"))
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        if c.state == "closed":
            return Outcome(Msg("cycle {cycle} is already closed (results effective {date}): nothing written",
                               cycle=c.code, date=c.effective_date),
                           {"cycle": c.code, "events": 0, "already_closed": True})
        cyc.require(c.state, ("published",), code=c.code, action=Msg("closing"))
        pending = [a.emp_no for a in s.scalars(select(AppealRow).where(AppealRow.cycle_id == c.id, AppealRow.status == "pending"))]
        problems = []
        if today <= c.window_ends and not force:
            problems.append(Msg("the objection window runs until {date}; close after it (or --force --reason TEXT)",
                                date=c.window_ends))
        if pending and not force:
            problems.append(Msg("objections still pending: {emp_nos}; resolve them first (or --force --reason TEXT)",
                                emp_nos=pending))
        if problems:
            raise RuleRefused(problems=[Problem("", p) for p in problems])
        effective = c.effective_date or first_of_next_month(today)
        decisions = list(s.scalars(select(CycleDecisionRow).where(CycleDecisionRow.cycle_id == c.id)
                                   .order_by(CycleDecisionRow.id)))
        unknown = sorted(set(exclude) - {d.emp_no for d in decisions})
        if unknown:
            raise BadInput(Msg("--exclude {emp_nos}: no decision of cycle {cycle} concerns them", emp_nos=unknown,
                               cycle=c.code))
        by_person: dict[int, list[CycleDecisionRow]] = defaultdict(list)
        for d in decisions:
            by_person[d.employee_id].append(d)
        events = repo.events_by_employee(s, employee_ids=set(by_person))
        families = dict(s.execute(select(Employee.id, Employee.family).where(Employee.id.in_(list(by_person)))).all()) \
            if by_person else {}
        order = {"demotion": 0, "tier_promotion": 1, "level_promotion": 1, "fast_track": 1, "deferral": 2}
        conflicts, new, reapplied = [], [], []
        for eid, ds in sorted(by_person.items(), key=lambda kv: kv[1][0].emp_no):
            emp_no = ds[0].emp_no
            if emp_no in exclude:
                continue
            evs = events.get(eid, [])
            if ds[0].kind == "initial_placement":
                d = ds[0]
                if evs:
                    conflicts.append(Msg("{emp_no}: already holds a grade in the ledger (event #{seq}); close with "
                                         "--exclude {emp_no} --reason TEXT", emp_no=emp_no, seq=evs[-1].seq))
                    continue
                new.append({"employee_id": eid, "emp_no": emp_no, "kind": d.kind, "effective": effective,
                            "from_grade": None, "to_grade": Grade(d.to_tier, d.to_level), "reason": d.reason,
                            "cycle": c.code, "evidence": json.loads(d.evidence)})
                continue
            ds.sort(key=lambda d: (order[d.kind], d.id))
            frm = Grade(ds[0].from_tier, ds[0].from_level)
            drops = []
            if any(d.kind in GRADE_DECISIONS for d in ds):
                now = grade_on(evs, effective)
                if now != frm:
                    drops, why = _since_exam(evs, c.exam_date, effective, frm, now,
                                             Ladder.for_family(ctx.policy, families.get(eid)), ctx.policy)
                    if why:
                        conflicts.append(Msg("{emp_no}: {why}; the cycle decided from {grade}. Close with --exclude "
                                             "{emp_no} --reason TEXT and record the right grade with `gradecli grade "
                                             "correct`", emp_no=emp_no, why=why, grade=str(frm)))
                        continue
            held = frm
            for d in ds:
                evidence = json.loads(d.evidence)
                if d.kind == "deferral":
                    # a restriction on registering, not a grade: the event carries none
                    new.append({"employee_id": eid, "emp_no": emp_no, "kind": "deferral", "effective": effective,
                                "from_grade": None, "to_grade": None, "reason": d.reason, "cycle": c.code,
                                "evidence": {**evidence, "grade": str(frm)}})
                    continue
                held = Grade(d.to_tier, d.to_level)
                new.append({"employee_id": eid, "emp_no": emp_no, "kind": d.kind, "effective": effective,
                            "from_grade": frm, "to_grade": held, "reason": d.reason, "cycle": c.code,
                            "evidence": evidence})
            ladder = Ladder.for_family(ctx.policy, families.get(eid))
            for ev in drops:
                to = ladder.transfer_drop(held, ctx.policy.evaluation.transfer_drop)
                new.append({"employee_id": eid, "emp_no": emp_no, "kind": "transfer_drop", "effective": effective,
                            "from_grade": held, "to_grade": to, "cycle": c.code,
                            "reason": dumps(Reason("transfer_drop_reapplied", "transfer out of a front-line post on "
                                                   "{date} (event #{seq}) applied again after the result of cycle {cycle}",
                                                   date=ev.effective, seq=ev.seq, cycle=c.code)),
                            "evidence": {"transfer_event": ev.seq, "transfer_date": ev.effective.isoformat()}})
                reapplied.append((emp_no, held, to))
                held = to
        if conflicts:
            raise RuleRefused(problems=[Problem("", p) for p in conflicts])
        # Taken inside this transaction, after every check: it holds the write lock, so the copy is
        # exactly what closing starts from, and a failed copy leaves the cycle as it was.
        backup, notes = admin.automatic_backup(ctx, f"cycle-close-{c.code}", f"cycle close {c.code}")  # a command
        repo.append_events(s, new, actor=ctx.actor)
        c.state, c.closed_at = "closed", repo.now_utc()
        if c.effective_date is None:
            c.effective_date = effective
        cycle_repo.log(s, c, ctx.actor, "close", events=len(new), effective=effective, forced=force,
                       reason=reason, excluded=exclude, today=today)
        uow.commit()
    kinds = Counter(e["kind"] for e in new)
    notes += [Msg("{emp_no}: decisions left out ({why}); record the right grade with `gradecli grade correct`",
                  emp_no=emp, why=why) for emp, why in exclude.items()]
    notes += [Msg("transfer out of a front-line post applied again after the result: {emp_no}: {from_grade} → {to_grade}",
                  emp_no=emp, from_grade=str(frm), to_grade=str(to)) for emp, frm, to in reapplied]
    tally = [Msg("{count} {kind}", count=n, kind=notice_out.decision_name(k)) for k, n in sorted(kinds.items())]
    params = dict(cycle=c.code, count=len(new), date=effective, kinds=tally)
    summary = (Msg("cycle {cycle} closed: {count} ledger events effective {date} ({kinds}) — closed early: {reason}",
                   reason=reason, **params) if force else
               Msg("cycle {cycle} closed: {count} ledger events effective {date} ({kinds})", **params))
    return Outcome(summary,
                   {"cycle": c.code, "events": len(new), "effective": effective.isoformat(), "kinds": dict(kinds),
                    "excluded": exclude, "backup": backup}, notes)


def _since_exam(evs, exam: date, effective: date, frm: Grade, now: Grade | None, ladder: Ladder, policy):  # noqa: ANN001, ANN202
    """Why the grade on the effective date is not the one decided on: the transfers out of a
    front-line post since the exam (to apply again on top of the result), or a reason to refuse."""
    if grade_on(evs, exam) != frm:
        return [], Msg("the ledger now gives {grade} on the exam date {date} (an event recorded after the evaluation "
                       "changed it)", grade=str(grade_on(evs, exam)), date=exam)
    since = [ev for ev in sorted(evs, key=lambda e: (e.effective, e.seq))
             if exam < ev.effective <= effective and changes_grade(ev)]
    others = [ev for ev in since if ev.kind != "transfer_drop"]
    if others:
        ev = others[0]
        return [], Msg("{kind} #{seq} effective {date} set the grade to {grade} after the exam",
                       kind=notice_out.decision_name(ev.kind), seq=ev.seq, date=ev.effective, grade=str(ev.to_grade))
    g = frm
    for _ in since:
        g = ladder.transfer_drop(g, policy.evaluation.transfer_drop)
    if g != now:
        return [], Msg("the ledger gives {grade} on {date}, which the transfers since the exam do not explain",
                       grade=str(now), date=effective)
    return since, None
