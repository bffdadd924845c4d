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
from gradecli.domain.assembly import Blueprint, assemble_sitting, no_bank, order_at
from gradecli.domain.eligibility import check as check_eligibility
from gradecli.domain.errors import BadInput, Problem, RuleRefused
from gradecli.domain.ladder import Grade
from gradecli.domain.scoring import AnswerError, allowed_hint, panel_score, score
from gradecli.domain.values import score_or_absent
from gradecli.formats import answer_sheet, cells
from gradecli.formats.excel import Column, SheetOut, read_table, read_tables, write_template, write_workbook
from gradecli.formats.sheets import EMP_NO
from gradecli.services.context import Context, bulk_work
from gradecli.services.papers import families_with_banks, load_paper_entries, load_papers, new_seed, store_sitting
from gradecli.services.results import Listing, Outcome
from gradecli.store import bank_repo, cycle_repo, repo
from gradecli.store.bulk import insert_rows, update_rows
from gradecli.store.models import AnswerRow, CycleRow, Employee, PaperRow, RegistrationRow

KIND_LABEL = {"annual": "分等考试 (inter-tier, annual)", "semiannual": "等内考试 (intra-tier, semiannual)",
              "first": "首次评定 (first placement)"}


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
        raise BadInput(f"--family {', '.join(unknown)}: not a post family (known: {', '.join(sorted(known))})")
    return scope


def _overlaps(s, *, kind: str, period: str, scope: list[str], other_than: int | None = None) -> list[str]:  # noqa: ANN001
    """The cycles of the same kind and period whose family scope overlaps ``scope`` (empty: all)."""
    out = []
    for other in s.scalars(select(CycleRow).where(CycleRow.kind == kind, CycleRow.period == period,
                                                  CycleRow.state != "deleted")):
        if other.id == other_than:
            continue
        theirs = set(cycle_repo.families(other) or [])
        if not scope or not theirs or theirs & set(scope):
            shared = sorted(theirs & set(scope)) if scope and theirs else ["every family"]
            out.append(f"cycle {other.code} already covers {', '.join(shared)} in {period}")
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
            raise BadInput(f"--code {code!r}: up to 40 letters, digits, Chinese characters, + - or _, e.g. 2026-航标")
        if s.scalars(select(CycleRow).where(CycleRow.code == code)).first():
            raise RuleRefused(f"cycle {code} already exists (see `gradecli cycle show {code}`)")
        clash = _overlaps(s, kind=kind, period=p.code, scope=scope)
        if clash:
            raise RuleRefused(problems=[Problem("", f"{x}; a period's cycles must not share a family — give another "
                                                   "--family, or re-scope the draft with `gradecli cycle scope`")
                                        for x in clash])
        row = CycleRow(code=code, period=p.code, kind=kind, state="draft", families=",".join(scope), exam_date=exam,
                       effective_date=effective, created_at=repo.now_utc())
        s.add(row)
        s.flush()
        cycle_repo.log(s, row, ctx.actor, "create", kind=kind, period=p.code, exam_date=exam, effective=effective,
                       families=scope)
        uow.commit()
    where = f" for {', '.join(scope)}" if scope else " for every family"
    eff = effective.isoformat() if effective else "the first day of the month after closing"
    return Outcome(f"cycle {code} created: {KIND_LABEL[kind]}{where}, exam on {exam}, results effective {eff}",
                   {"cycle": code, "period": p.code, "kind": kind, "families": scope, "exam_date": exam.isoformat(),
                    "state": "draft"})


def delete_cycle(ctx: Context, code: str, *, reason: str) -> Outcome:
    """A draft cycle (nobody registered) is withdrawn; its record and log are kept, under a code
    that frees the name."""
    if not reason.strip():
        raise BadInput("--reason is empty; say why the cycle is deleted (it is recorded)")
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        cyc.require(c.state, ("draft",), code=c.code, action="deleting the cycle")
        if cycle_repo.registered_count(s, c):
            raise RuleRefused(f"cycle {c.code} has registrations; withdraw them first (`gradecli cycle withdraw`)")
        old = c.code
        c.code, c.state = f"{old}~{c.id}", "deleted"
        cycle_repo.log(s, c, ctx.actor, "delete", code=old, reason=reason.strip(), today=ctx.today)
        uow.commit()
    return Outcome(f"cycle {old} deleted (kept as {c.code} with its log)", {"cycle": old, "kept_as": c.code})


def rescope(ctx: Context, code: str, *, families: list[str] | None, reason: str) -> Outcome:
    """Change which families a draft cycle covers (none given: every family)."""
    if not reason.strip():
        raise BadInput("--reason is empty; say why the scope changes (it is recorded)")
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code, lock=True)
        cyc.require(c.state, ("draft",), code=c.code, action="changing the scope")
        scope = _scope(ctx, s, families)
        clash = _overlaps(s, kind=c.kind, period=c.period, scope=scope, other_than=c.id)
        if clash:
            raise RuleRefused(problems=[Problem("", x) for x in clash])
        before = cycle_repo.families(c) or []
        c.families = ",".join(scope)
        cycle_repo.log(s, c, ctx.actor, "scope", before=before, after=scope, reason=reason.strip(), today=ctx.today)
        uow.commit()
    where = ", ".join(scope) if scope else "every family"
    return Outcome(f"cycle {c.code} now covers {where} (was {', '.join(before) or 'every family'})",
                   {"cycle": c.code, "families": scope, "before": before})


LIST_COLUMNS = [("cycle", "周期"), ("period", "期间"), ("kind", "类别"), ("state", "状态"), ("exam_date", "考试日期"),
                ("families", "范围"), ("registered", "报名人数")]


def list_cycles(ctx: Context) -> Listing:
    with ctx.uow() as uow:
        s = uow.s
        rows = []
        for c in s.scalars(select(CycleRow).where(CycleRow.state != "deleted").order_by(CycleRow.period, CycleRow.code)):
            n = cycle_repo.registered_count(s, c)
            rows.append({"cycle": c.code, "period": c.period, "kind": c.kind, "state": c.state,
                         "exam_date": c.exam_date.isoformat(), "families": c.families or "all", "registered": n})
    return Listing("Cycles", LIST_COLUMNS, rows)


# ---------------------------------------------------------------- eligibility and registration

ELIG_COLUMNS = [("emp_no", "工号 / Employee No."), ("name", "姓名 / Name"), ("family", "岗位序列 / Post family"),
                ("grade", "现等级 / Grade"), ("target", "申报等级 / Target"), ("eligible", "资格 / Eligible"),
                ("reasons", "原因 / Reasons"), ("next_date", "下次可报名 / Next eligible")]


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
            when = f"effective {effective}" if effective else "not yet in force (that cycle is not closed)"
            el.reasons.append(f"promoted in cycle {code} ({kind}), {when}, after this exam on {c.exam_date}: "
                              "one promotion must take effect before the next is sat")
            el.eligible, el.fast_track_applicant = False, False
            el.next_date = max(filter(None, [el.next_date, effective]), default=None)
        out.append((e, person, el))
    return out


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
        status = "是" if el.eligible else ("快速通道申请 fast track" if el.fast_track_applicant else "否")
        rows.append({"emp_no": e.emp_no, "name": e.name, "family": e.family,
                     "grade": str(person.grade) if person.grade else None,
                     "target": str(el.target) if el.target else None, "eligible": status,
                     "reasons": "; ".join(el.reasons), "next_date": el.next_date.isoformat() if el.next_date else None,
                     "fast_track_applicant": el.fast_track_applicant, "may_register": el.eligible or el.fast_track_applicant})
    n_ok = sum(1 for r in rows if r["eligible"] == "是")
    n_ft = sum(1 for r in rows if r["fast_track_applicant"])
    listing = Listing(f"Eligibility for cycle {c.code} ({c.kind}, exam {c.exam_date}): {n_ok} eligible, "
                      f"{n_ft} may apply for the fast track, {len(rows) - n_ok - n_ft} not eligible",
                      ELIG_COLUMNS, rows, extra={"cycle": c.code})
    if out:
        write_workbook(out, [SheetOut(f"报名资格 {c.code}", [h for _, h in ELIG_COLUMNS],
                                      ([r[k] for k, _ in ELIG_COLUMNS] for r in rows),
                                      widths=[12, 10, 10, 10, 10, 14, 80, 14])])
        listing.notes.append(f"wrote {out}")
    return listing


@bulk_work()
def register(ctx: Context, code: str, *, all_eligible: bool = False, file: Path | None = None,
             with_fast_track: bool = False) -> Outcome:
    """Register candidates; one ineligible name in a file refuses the whole file."""
    if all_eligible == (file is not None):
        raise BadInput("give --all-eligible or --file FILE.xlsx (one of them)")
    table = read_table(file, [EMP_NO]) if file else None
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("draft", "open"), code=c.code, action="registration")
        assessed = {e.emp_no: (e, p, el) for e, p, el in _assess(ctx, s, c)}
        existing = {r.emp_no: r for r in cycle_repo.registrations(s, c, active_only=False)}
        chosen = []
        if table:
            problems = []
            for row_no, r in table.rows:
                hit = assessed.get(r["emp_no"])
                where = f"{table.where(row_no)}, column 工号"
                if hit is None:
                    problems.append(Problem(where, f"{r['emp_no']} is not on the roster (or outside this cycle's scope)"))
                elif not (hit[2].eligible or hit[2].fast_track_applicant):
                    problems.append(Problem(where, f"{r['emp_no']} {hit[0].name} may not register: {'; '.join(hit[2].reasons)}"))
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
    return Outcome(f"cycle {c.code}: {added} registered ({ft} as fast-track applicants), {again} already registered; "
                   f"{total} candidates in all", {"cycle": c.code, "registered": added, "already": again, "total": total})


REGISTER_SHEET = "报名 Registration"
REFERENCE_COLUMNS = [("emp_no", "工号 / Employee No."), ("name", "姓名 / Name"), ("department", "部门 / Department"),
                     ("target", "申报等级 / Target"), ("eligible", "资格 / Eligible")]


@bulk_work()
def write_register_template(ctx: Context, code: str, out: Path) -> Outcome:
    """An empty 工号 sheet for `cycle register --file`, and a 参考 sheet of who may register (read by nobody)."""
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("draft", "open"), code=c.code, action="the registration sheet")
        assessed = _assess(ctx, s, c)
        registered = {r.emp_no for r in cycle_repo.registrations(s, c)}
    people = []
    for e, _person, el in sorted(assessed, key=lambda a: a[0].emp_no):
        if not (el.eligible or el.fast_track_applicant):
            continue
        status = "是" if el.eligible else "快速通道 fast track"
        if e.emp_no in registered:
            status += " · 已报名 registered"
        people.append([e.emp_no, e.name, e.department, str(el.target), status])
    column = replace(EMP_NO, example=people[0][0] if people else EMP_NO.example,
                     note=f"the 工号 of a person to register; the sheet 参考 lists who may ({len(people)})")
    write_template(out, REGISTER_SHEET, [column], [
        f"周期 {c.code} 报名：每行一个工号。Registration for cycle {c.code}: one 工号 per row.",
        "可报名人员见工作表“参考 可报名 Eligible”（仅供查阅，不会被导入）。"
        "Who may register is listed in the sheet 参考 可报名 Eligible (for reference; never imported).",
        "名单中有一人不可报名时，整表都不登记。One person who may not register refuses the whole sheet.",
        f"导入 Import: gradecli cycle register {c.code} --file FILE.xlsx",
    ], references=[SheetOut("参考 可报名 Eligible", [h for _, h in REFERENCE_COLUMNS], people,
                            widths=[14, 10, 14, 16, 28])])
    return Outcome(f"wrote the registration sheet for cycle {c.code} to {out}: {len(people)} people may register",
                   {"cycle": c.code, "path": str(out), "may_register": len(people)})


def withdraw(ctx: Context, code: str, emp_no: str) -> Outcome:
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("draft", "open"), code=c.code, action="withdrawal (before the papers are issued)")
        reg = next((r for r in cycle_repo.registrations(s, c) if r.emp_no == emp_no), None)
        if reg is None:
            raise BadInput(f"{emp_no} is not registered for cycle {c.code}")
        reg.status = "withdrawn"
        cycle_repo.log(s, c, ctx.actor, "withdraw", emp_no=emp_no)
        uow.commit()
    return Outcome(f"{emp_no} withdrawn from cycle {c.code}", {"cycle": c.code, "emp_no": emp_no})


# ---------------------------------------------------------------- papers

@bulk_work()
def issue_papers(ctx: Context, code: str, *, mode: str = "individual", variants: int = 2,
                 seed: str | None = None) -> Outcome:
    if mode not in ("individual", "shared"):
        raise BadInput(f"--mode {mode!r}: use individual or shared")
    seed = seed or new_seed()
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("open",), code=c.code, action="issuing papers")
        regs = cycle_repo.registrations(s, c)
        if not regs:
            raise RuleRefused(f"cycle {c.code} has no candidates; register some first")
        groups: dict[tuple[int, str], list[RegistrationRow]] = defaultdict(list)
        for r in regs:
            groups[(r.exam_tier, r.family)].append(r)
        issued, problems = [], []
        plans = []
        banks = families_with_banks(s)
        for (tier, family), members in sorted(groups.items()):
            if (tier, family) not in banks:
                # every group is still checked, so one refusal names every family and tier that lacks something
                problems.append(f"tier {tier} {family} ({len(members)} candidates): {no_bank(family, tier)}")
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
                problems += [f"tier {tier} {family} ({len(members)} candidates): {ln}" for ln in exc.lines()]
                continue
            plans.append((tier, family, members, bp, drawn))
            ctx.progress("papers", len(plans), len(groups))
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
                           "first": codes[0]})
        c.state, c.seed = "papers_issued", seed
        cycle_repo.log(s, c, ctx.actor, "issue-papers", mode=mode, seed=seed, groups=issued)
        uow.commit()
    n = sum(g["papers"] for g in issued)
    return Outcome(f"cycle {c.code}: {n} {'individual papers' if mode == 'individual' else 'shared variants'} for "
                   f"{len(regs)} candidates in {len(issued)} group(s), seed {seed}",
                   {"cycle": c.code, "mode": mode, "seed": seed, "groups": issued})


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
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action="the answer sheet")
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
        comments = [f"cycle {c.code}: leave as it is", None, None, "the paper number on the candidate's paper"] + [
            f"{i.question.type}, {i.question.points} points: {allowed_hint(i.question, i.order)}; blank = unanswered"
            for i in items]
        out_sheets.append(SheetOut(f"{key[0]}等 {key[1]}", headers, sheets[key],
                                   widths=[8, 14, 10, 14] + [7] * len(items), header_comments=comments))
    write_workbook(out, out_sheets)
    return Outcome(f"wrote the answer sheet for cycle {c.code} ({len(regs)} candidates) to {out}",
                   {"cycle": c.code, "path": str(out), "candidates": len(regs)})


@bulk_work()
def import_answers(ctx: Context, code: str, path: Path) -> Outcome:
    problems: list[Problem] = []
    rows = answer_sheet.read(path, collect=problems)  # bad cells are listed with the checks below
    policy = ctx.policy
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action="importing answers")
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
                problems.append(Problem(f"{sr.where()}, column 周期", f"this sheet is for cycle {sr.cycle}, not {code}; import it into that cycle"))
                continue
            reg = regs.get(sr.emp_no)
            if reg is None:
                problems.append(Problem(f"{sr.where()}, column 工号", f"{sr.emp_no} is not registered for cycle {code}"))
                continue
            if revision and not reg.reopened:
                problems.append(Problem(f"{sr.where()}, column 工号", f"{sr.emp_no}'s results were published and are final; "
                                        "only a candidate with an upheld objection can be corrected (leave this row out)"))
                continue
            if sr.emp_no in seen:
                problems.append(Problem(f"{sr.where()}, column 工号", f"{sr.emp_no} appears again (first at row {seen[sr.emp_no]}); keep one row per candidate"))
                continue
            seen[sr.emp_no] = sr.row
            if sr.absent():
                marked_absent.append(reg)
                continue
            if reg.paper_id is None:
                problems.append(Problem(f"{sr.where()}, column 工号", f"{sr.emp_no} has no paper yet; run `gradecli cycle issue-papers {code}`"))
                continue
            prow, flat = papers[reg.paper_id], entries[reg.paper_id]
            vids, ranks = flat[0::2], flat[1::2]
            if sr.paper is None:
                problems.append(Problem(f"{sr.where()}, column 试卷", f"is empty; write {prow.code} (the paper {sr.emp_no} sat), "
                                        "or 缺考 if the candidate did not sit"))
                continue
            if sr.paper.strip().upper() != prow.code.upper():
                problems.append(Problem(f"{sr.where()}, column 试卷", f"paper {sr.paper} is not {sr.emp_no}'s paper ({prow.code})"))
                continue
            if max(sr.numbers, default=0) > len(vids):  # columns may come in any order
                problems += [Problem(f"{sr.where()}, column 题{pos}", f"the paper has {len(vids)} questions; leave this column empty")
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
                        problems.append(Problem(f"{sr.where()}, column 题{pos + 1}", f"{exc}; write {allowed_hint(q, shown)}"))
                        continue
                    hits[pos] = scores[key] = (got, str(points), int(points.scaleb(2)))
            if problems:
                continue  # nothing will be written; read on only to list every problem
            # points as text are digits and a dot: their JSON list needs no escaping
            sheet = {"responses": _json_texts(list(map(_RECORDED, hits))),
                     "earned": '["' + '", "'.join(map(_EARNED, hits)) + '"]' if hits else "[]"}
            scored.append((reg, sheet, Decimal(sum(map(_HUNDREDTHS, hits))).scaleb(-2)))
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
    notes = [f"answers replaced for {len(replaced)} candidate(s) already scored: {', '.join(replaced[:10])}"] if replaced else []
    if marked_absent:
        notes.append(f"{len(marked_absent)} candidate(s) absent (缺考: 缺考 written or every answer cell empty): "
                     + _some(r.emp_no for r in marked_absent))
    if no_row:
        notes.append(f"{len(no_row)} registered candidate(s) have no row and count as absent (缺考): "
                     + _some(r.emp_no for r in no_row))
    if absent:
        notes.append(f"to correct one: `gradecli cycle absent {c.code} EMP --undo --reason TEXT`, then import their row")
    return Outcome(f"cycle {c.code}: answers of {len(scored)} candidates scored from {path}; state {c.state}",
                   {"cycle": c.code, "scored": len(scored), "replaced": replaced, "absent": sorted(r.emp_no for r in absent),
                    "state": c.state}, notes)


def _some(items, n: int = 10) -> str:  # noqa: ANN001
    items = list(items)
    return ", ".join(items[:n]) + (" …" if len(items) > n else "")


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


SKILL_SHEET = "实操成绩 Skill scores"
ASSESSOR_HEADER = re.compile(r"^\s*(?:评委\s*(\d+)|Assessor\s*(\d+))\s*(?:[/／]\s*(?:评委\s*\d+|Assessor\s*\d+)\s*)?$", re.I)
SCORE_CELL = cells.or_absent(cells.decimal(Decimal(0), Decimal(100), places=1))
SKILL_COLUMNS = [
    replace(EMP_NO, prefilled=True, note="the candidate's employee number (filled in by gradecli)"),
    Column("name", "姓名", "Name", cells.text, required=False, blank_ok=True, prefilled=True, example="张三",
           note="the candidate's name, to help the assessor (not checked)"),
    Column("skill", "实操成绩", "Skill score", SCORE_CELL, required=False, blank_ok=True,
           example=82.5, note="the score from 0 to 100, one decimal at most, or 缺考 (absent) — or leave it empty and "
           "give each assessor's mark under 评委1, 评委2, …; leave the row empty when it is not known yet"),
]


def assessor_column(n: int) -> Column:
    return Column(f"a{n}", f"评委{n}", f"Assessor {n}", SCORE_CELL, required=False, blank_ok=True,
                  note="this assessor's mark, 0–100; blank when the assessor recused (回避)")


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
        cyc.require(c.state, ("open", "papers_issued", "scored"), code=c.code, action="the skill-score sheet")
        regs = cycle_repo.registrations(s, c)
        if c.revision:  # after a notice only the reopened candidates' scores can change
            regs = [r for r in regs if r.reopened]
        names = dict(s.execute(select(Employee.id, Employee.name).join(RegistrationRow, RegistrationRow.employee_id == Employee.id)
                               .where(RegistrationRow.cycle_id == c.id)).all())
    if not regs:
        raise RuleRefused(f"cycle {c.code} has no candidates whose skill score can be entered; "
                          f"register some first (`gradecli cycle register {c.code} --all-eligible`)")
    panel = [assessor_column(n) for n in range(1, ctx.policy.evaluation.skill_assessors + 1)]
    write_template(out, SKILL_SHEET, SKILL_COLUMNS + panel, [
        f"周期 {c.code} 的实操成绩：每名考生一行，已填好工号和姓名。Skill scores of cycle {c.code}: one row per candidate.",
        "只填写实操成绩（0–100，最多一位小数），未参加考核的写“缺考”；暂无成绩的留空，导入时跳过该行。"
        "Write only 实操成绩 (0–100, one decimal at most), or 缺考 for a candidate absent from the assessment; "
        "leave it empty when not known yet — that row is skipped.",
        f"导入 Import: gradecli cycle import-scores {c.code} FILE.xlsx --part skill",
        "评委打分：每位评委一列（评委1…评委N），回避的评委留空；有 {n} 个及以上评分时去掉一个最高分和一个最低分后取平均。"
        "Or one mark per assessor (评委1…评委N; blank when an assessor recused): with {n} or more marks the highest "
        "and the lowest are dropped before averaging.".format(n=ctx.policy.evaluation.skill_trim_from),
    ], rows=[[r.emp_no, names.get(r.employee_id), None] + [None] * len(panel) for r in regs])
    return Outcome(f"wrote the skill-score sheet for cycle {c.code} ({len(regs)} candidates) to {out}",
                   {"cycle": c.code, "path": str(out), "candidates": len(regs)})


def import_scores(ctx: Context, code: str, path: Path, *, part: str) -> Outcome:
    """Skill scores: one 实操成绩 per candidate, or each assessor's mark (评委1…评委N) from which the
    score is computed (the highest and lowest dropped from the policy's panel size on); 缺考 for a
    candidate absent from the assessment. Every mark is kept as evidence."""
    if part != "skill":
        raise BadInput(f"--part {part!r}: only skill scores are imported (theory comes from the answer sheets, "
                       "performance from `gradecli perf import`)")
    problems: list[Problem] = []
    tables = read_tables(path, skill_columns_for, collect=problems)  # bad cells are listed with the checks below
    if not tables:
        raise BadInput(f"{path}: no sheet has a header row with 工号 / Employee No. and 实操成绩 / Skill score "
                       "or 评委1 / Assessor 1; use `gradecli cycle template-scores`")
    trim = ctx.policy.evaluation.skill_trim_from
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action="importing scores")
        regs = {r.emp_no: r for r in cycle_repo.registrations(s, c)}
        entries, absent, left = [], [], []
        for table in tables:
            panel = sorted(k for k in table.present if k.startswith("a") and k[1:].isdigit())
            if "skill" not in table.present and not panel:
                problems.append(Problem(f"{table.source}, sheet {table.sheet}",
                                        "give a 实操成绩 / Skill score column or the assessors' 评委1, 评委2, … columns"))
                continue
            left += [v.get("emp_no") or f"row {n}" for n, v in table.unfilled]
            for n, r in table.rows:
                where = table.where(n)
                if r["emp_no"] not in regs:
                    problems.append(Problem(f"{where}, column 工号", f"{r['emp_no']} is not registered for cycle {c.code}"))
                    continue
                if c.revision and not regs[r["emp_no"]].reopened:
                    problems.append(Problem(f"{where}, column 工号", f"{r['emp_no']}'s results were published and are "
                                            "final; only a candidate with an upheld objection can be corrected "
                                            "(leave this row out)"))
                    continue
                marks = [r.get(k) for k in sorted(panel, key=lambda k: int(k[1:]))]
                given = [m for m in marks if m is not None]
                if r["skill"] == cells.ABSENT or (given and given[0] == cells.ABSENT):
                    entries.append((r["emp_no"], None, None, True))
                    absent.append(r["emp_no"])
                    continue
                if cells.ABSENT in given:
                    problems.append(Problem(f"{where}, column 评委", "缺考 goes in 实操成绩 or the first assessor's "
                                            "column; the other assessors' cells stay empty"))
                    continue
                if given and r["skill"] is not None:
                    problems.append(Problem(f"{where}, column 实操成绩", "give either 实操成绩 or the assessors' marks, "
                                            "not both; clear one of them"))
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
    notes = [f"skill scores changed for {', '.join(replaced)}"] if replaced else []
    panels = sum(1 for _, _, marks, _ in entries if marks)
    if panels:
        notes.append(f"{panels} score(s) computed from the assessors' marks (the highest and the lowest dropped "
                     f"where {trim} or more were given); every mark is kept")
    if absent:
        notes.append(f"{len(absent)} candidate(s) absent from the skill assessment (缺考): {_some(absent)}")
    if left:
        notes.append(f"{len(left)} row(s) without a score, left as they were: {_some(left, 12)}")
    for table in tables:
        notes += table.warnings
    return Outcome(f"cycle {c.code}: {len(entries)} skill scores from {path}; state {c.state}",
                   {"cycle": c.code, "rows": len(entries), "replaced": replaced, "state": c.state}, notes)


def mark_absent(ctx: Context, code: str, emp_no: str, *, reason: str, part: str = "theory",
                undo: bool = False) -> Outcome:
    """Correct a sheet by hand: a candidate was absent (缺考) from a part, or was not after all.
    Logged like a re-import; before evaluation, or for a candidate reopened by an upheld objection."""
    if part not in ("theory", "skill"):
        raise BadInput(f"--part {part!r}: write theory (the exam) or skill (the practical assessment)")
    if not reason.strip():
        raise BadInput("--reason is empty; say why (it is recorded in the cycle log)")
    with ctx.uow() as uow:
        s = uow.s
        c = cycle_repo.get(s, code)
        cyc.require(c.state, ("papers_issued", "scored"), code=c.code, action="recording an absence")
        reg = next((r for r in cycle_repo.registrations(s, c) if r.emp_no == emp_no), None)
        if reg is None:
            raise BadInput(f"{emp_no} is not registered for cycle {c.code}")
        if c.revision and not reg.reopened:
            raise RuleRefused(f"{emp_no}'s results were published and are final; only a candidate with an upheld "
                              "objection can be corrected")
        note = None
        if part == "theory":
            sheet = s.scalars(select(AnswerRow).where(AnswerRow.registration_id == reg.id)).first()
            if undo:
                reg.absent = False
                if sheet is None:
                    reg.theory = None
                    note = (f"{emp_no} has no scored answers: import their row of the answer sheet "
                            f"(`gradecli cycle import-answers {c.code} FILE.xlsx`)")
                else:
                    reg.theory = sum((Decimal(x) for x in json.loads(sheet.earned)), Decimal(0))
            else:
                reg.absent, reg.theory = True, Decimal(0)
        else:
            reg.skill_absent = not undo
            if not undo:
                reg.skill = None
            elif reg.skill is None:
                note = f"{emp_no} needs a skill score: `gradecli cycle import-scores {c.code} FILE.xlsx --part skill`"
        _advance(s, c)
        cycle_repo.log(s, c, ctx.actor, "absent-undo" if undo else "absent", emp_no=emp_no, part=part,
                       reason=reason.strip(), today=ctx.today)
        uow.commit()
    what = {"theory": "the theory exam", "skill": "the skill assessment"}[part]
    summary = (f"cycle {c.code}: {emp_no} is no longer absent from {what}" if undo
               else f"cycle {c.code}: {emp_no} absent (缺考) from {what}") + f"; state {c.state}"
    return Outcome(summary, {"cycle": c.code, "emp_no": emp_no, "part": part, "absent": not undo, "state": c.state},
                   [note] if note else [])


# ---------------------------------------------------------------- show

SHOW_COLUMNS = [("emp_no", "工号 / Employee No."), ("name", "姓名 / Name"), ("family", "岗位序列 / Post family"),
                ("step", "申报 / Step"), ("paper", "试卷 / Paper"), ("theory", "理论 / Theory"),
                ("skill", "实操 / Skill"), ("rating", "考核 / Rating"), ("performance", "业绩 / Performance"),
                ("missing", "缺项 / Missing")]


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
        missing = []
        if r.paper_id is None:
            missing.append("paper")
        if r.theory is None:
            missing.append("answers")
        if r.skill is None and not r.absent and not r.skill_absent:
            missing.append("skill")
        if rating is None:
            missing.append(f"rating {c.exam_date.year - 1}")
        for m in missing:
            lacking[m].append(r.emp_no)
        rows.append({"emp_no": r.emp_no, "name": names.get(r.employee_id), "family": r.family,
                     "step": f"{Grade(r.from_tier, r.from_level)} → {Grade(r.to_tier, r.to_level)}" + (" (快速通道)" if r.fast_track else ""),
                     "paper": papers.get(r.paper_id), "theory": score_or_absent(r.theory, r.absent),
                     "skill": score_or_absent(r.skill, r.skill_absent),
                     "skill_marks": json.loads(r.skill_marks) if r.skill_marks else None,
                     "rating": rating.rating if rating else None,
                     "performance": policy.performance.scores.get(rating.rating) if rating else None,
                     "missing": ", ".join(missing)})
    notes = [f"state {c.state}; next: {cyc.NEXT_STEP[c.state].format(code=c.code)}"]
    if c.state == "papers_issued" and not answered:
        notes.append("no answer sheet imported yet")
    for what, who in lacking.items():
        notes.append(f"{len(who)} without {what}: {', '.join(who[:12])}{' …' if len(who) > 12 else ''}")
    title = (f"Cycle {c.code} — {KIND_LABEL[c.kind]}, {c.state}, exam {c.exam_date}, "
             f"{len(regs)} candidates, {sum(1 for r in regs if r.absent or r.skill_absent)} absent")
    listing = Listing(title, SHOW_COLUMNS, rows, notes,
                      {"cycle": c.code, "kind": c.kind, "state": c.state, "exam_date": c.exam_date.isoformat(),
                       "missing": dict(lacking)})
    if out:
        write_workbook(out, [SheetOut(f"成绩 {c.code}", [h for _, h in SHOW_COLUMNS],
                                      ([r[k] for k, _ in SHOW_COLUMNS] for r in rows))])
        listing.notes.append(f"wrote {out}")
    return listing
