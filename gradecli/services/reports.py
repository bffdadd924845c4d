"""Reports for decisions: the pyramid, a cycle's results (with how fair its papers were), item
analysis, calibration, projection. Titles, headers and notes are messages, rendered in the run's
language; rows keep their values typed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select

from gradecli.domain.analysis import cronbach_alpha, flag, item_stats, mean, project, quantile_groups
from gradecli.domain.bank import Question, QuestionType
from gradecli.domain.errors import BadInput, NotFound
from gradecli.domain.ledger import grade_on
from gradecli.formats.report_xlsx import Chart, ReportSheet, write_report
from gradecli.i18n import Msg, N_, Reason, _, loads
from gradecli.services.context import Context
from gradecli.services.papers import PaperGroup, cycle_papers, load_paper_entries, paper_groups, tier_label
from gradecli.services.results import Listing
from gradecli.store import bank_repo, cycle_repo, repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import AnswerRow, CycleRow, Employee, QuestionRow, QuestionVersionRow, RegistrationRow

BAR = "█"
BAR_WIDTH = 40  # characters for 100 %


def _bar(share: float) -> str:
    return BAR * round(share * BAR_WIDTH / 100)


def _wrote(out: Path) -> Msg:
    return Msg("wrote {path}", path=str(out))


# A cycle's kind and state as a person reads them (the codes stay in --json).
KIND_NAMES = {"annual": N_("inter-tier exam (annual)"), "semiannual": N_("intra-tier exam (semiannual)"),
              "first": N_("first placement")}
STATE_NAMES = {"draft": N_("draft"), "open": N_("open for registration"), "papers_issued": N_("papers issued"),
               "scored": N_("scored"), "evaluated": N_("evaluated"), "published": N_("published"),
               "closed": N_("closed")}


def _named(code: str, names: dict[str, str]) -> Reason | str:
    return Reason(code, names[code]) if code in names else code


# ---------------------------------------------------------------- pyramid

def _graded(ctx: Context, s, on: date, family: str | None):  # noqa: ANN001, ANN202
    where = [Employee.professional, Employee.hire_date <= on] + ([Employee.family == family] if family else [])
    staff = [e for e in repo.staff_rows(s, *where) if e.leave_date is None or e.leave_date >= on]
    events = repo.events_by_employee(s, until=on, employee_ids=None)
    out = []
    for e in staff:
        g = grade_on(events.get(e.id, []), on)
        if g is not None:
            out.append((e, g))
    return out


def pyramid(ctx: Context, *, family: str | None = None, on: date | None = None, out: Path | None = None) -> Listing:
    on = on or ctx.today
    lp = ctx.policy.ladder
    with ctx.uow() as uow:
        graded = _graded(ctx, uow.s, on, family)
    total = len(graded)
    per_tier = Counter(g.tier for _, g in graded)
    per_level = Counter((g.tier, g.level) for _, g in graded)
    levels = max([ctx.policy.levels_for(e.family) for e, _ in graded] or [lp.levels_per_tier])
    rows = []
    for t in range(lp.tiers, 0, -1):  # top of the pyramid first
        n = per_tier[t]
        share = 100 * n / total if total else 0.0
        target = lp.target_shares[t - 1]
        rows.append({"tier": t, "label": lp.tier_labels[t - 1], "staff": n, "share": round(share, 1), "target": target,
                     "gap": n - round(total * target / 100), "bar": _bar(share), "target_bar": _bar(target),
                     "levels": [Msg("level {level}: {staff}", level=lv, staff=per_level[(t, lv)])
                                for lv in range(1, levels + 1)]})
    columns = [("label", N_("Tier")), ("staff", N_("Staff")), ("share", N_("Share %")), ("target", N_("Target %")),
               ("gap", N_("Gap")), ("bar", N_("Actual share")), ("target_bar", N_("Target share")),
               ("levels", N_("Staff per level"))]
    title = (Msg("Pyramid on {date} — {family}: {total} graded staff", date=on, family=family, total=total) if family
             else Msg("Pyramid on {date}: {total} graded staff", date=on, total=total))
    listing = Listing(title, columns, rows, [Msg("gap = staff − the target share of all graded staff")],
                      {"on": on.isoformat(), "family": family, "total": total})
    if out:
        ordered = list(reversed(rows))
        write_report(out, [ReportSheet(
            _("Pyramid"), [_("Tier"), _("Staff"), _("Share %"), _("Target %"), _("Gap"), _("Staff per level")],
            [[r["label"], r["staff"], r["share"], r["target"], r["gap"], r["levels"]] for r in ordered],
            charts=[Chart(_("Actual vs target share"), 0, [2, 3], y_title="%")],
            notes=[title])])
        listing.notes.append(_wrote(out))
    return listing


# ---------------------------------------------------------------- cycle report

def _bins(values: list[float], width: int = 10) -> list[int]:
    counts = [0] * (100 // width)
    for v in values:
        counts[min(int(v // width), len(counts) - 1)] += 1
    return counts


CYCLE_COLUMNS = [("tier", N_("Target tier")), ("registered", N_("Registered")), ("absent", N_("Absent")),
                 ("theory_pass", N_("Theory passed %")), ("skill_pass", N_("Skill passed %")),
                 ("perf_pass", N_("Performance passed %")), ("promoted", N_("Promoted")), ("fast_track", N_("Fast track")),
                 ("qualified_not_promoted", N_("Qualified, not promoted")), ("failed", N_("Failed")),
                 ("quota", N_("Quota"))]
PART_NAMES = {"theory": N_("theory"), "skill": N_("skill"), "composite": N_("composite")}
FAIRNESS_HEADERS = [N_("Paper tier"), N_("Post family"), N_("Papers"), N_("Candidates"), N_("Expected from"),
                    N_("Expected to"), N_("Mean expected"), N_("Mean theory"), N_("Theory − expected")]


def cycle_report(ctx: Context, code: str, *, out: Path | None = None) -> Listing:
    e = ctx.policy.evaluation
    with ctx.uow() as uow:
        c = cycle_repo.get(uow.s, code)
        regs = cycle_repo.registrations(uow.s, c)
        papers = cycle_papers(uow.s, c.id)
    quotas = json.loads(c.quotas or "{}")
    for q in quotas.values():  # a derivation is stored as a message (i18n.dumps): read it back
        q["derivation"] = loads(q.get("derivation"))
    by_tier: dict[int, list[RegistrationRow]] = defaultdict(list)
    for r in regs:
        by_tier[r.to_tier].append(r)
    rows = []
    for t, rs in sorted(by_tier.items()):
        present = [r for r in rs if not r.absent and r.theory is not None]
        pct = lambda k: round(100 * k / len(present), 1) if present else None  # noqa: E731
        outcome = Counter(r.outcome for r in rs)
        quota = sum((q["quota"] or 0) for k, q in quotas.items() if k.endswith(f"tier {t}"))
        rows.append({
            "tier": t, "registered": len(rs), "absent": sum(1 for r in rs if r.absent),
            "theory_pass": pct(sum(1 for r in present if r.theory >= ctx.policy.standard(r.family, r.exam_tier).pass_theory)),
            "skill_pass": pct(sum(1 for r in present if r.skill is not None
                                  and r.skill >= ctx.policy.standard(r.family, r.exam_tier).pass_skill)),
            "perf_pass": pct(sum(1 for r in present if r.rating and ctx.policy.performance.rank(r.rating)
                                 <= ctx.policy.performance.rank(e.min_rating))),
            "promoted": outcome["promoted"], "fast_track": outcome["fast_track"],
            "qualified_not_promoted": outcome["qualified_not_promoted"] + outcome["qualified_inside_wait"],
            "failed": outcome["failed"],
            "quota": quota if any(k.endswith(f"tier {t}") and q["quota"] is not None for k, q in quotas.items()) else None,
        })
    hist = {"theory": _bins([float(r.theory) for r in regs if r.theory is not None and not r.absent]),
            "skill": _bins([float(r.skill) for r in regs if r.skill is not None]),
            "composite": _bins([float(r.composite) for r in regs if r.composite is not None])}
    notes: list[Any] = [Msg("{part}: {bands}", part=Msg(PART_NAMES[k]),
                            bands=[f"{i * 10}-{i * 10 + 9}:{n}" for i, n in enumerate(v) if n]) for k, v in hist.items()]
    groups = paper_groups(papers)
    observed = observed_by_paper(regs, papers)
    notes += [g.line(ctx.policy) for g in groups]
    notes += _observed_notes(ctx, observed)
    title = Msg("Cycle {cycle} ({kind}, {state}): {candidates} candidates", cycle=c.code,
                kind=_named(c.kind, KIND_NAMES), state=_named(c.state, STATE_NAMES), candidates=len(regs))
    listing = Listing(title, CYCLE_COLUMNS, rows, notes,
                      {"cycle": c.code, "histograms": hist, "quotas": quotas,
                       "paper_fairness": [g.as_data() for g in groups], "observed": observed})
    if out:
        columns = CYCLE_COLUMNS
        bins = [f"{i * 10}–{i * 10 + 9}" if i < 9 else "90–100" for i in range(10)]
        write_report(out, [
            ReportSheet(_("Summary"), [_(h) for _k, h in columns], [[r[k] for k, _h in columns] for r in rows],
                        charts=[Chart(_("Pass rate per part"), 0, [3, 4, 5], y_title="%", x_title=_("target tier")),
                                Chart(_("Outcomes"), 0, [6, 7, 8, 9], kind="stacked", x_title=_("target tier"))]),
            ReportSheet(_("Distributions"), [_("Band"), _("Theory"), _("Skill"), _("Composite")],
                        [[b, hist["theory"][i], hist["skill"][i], hist["composite"][i]] for i, b in enumerate(bins)],
                        charts=[Chart(_("Score distribution"), 0, [1, 2, 3], y_title=_("candidates"))]),
            ReportSheet(_("Quotas"), [_("Group"), _("Quota"), _("Promoted"), _("Fast track"), _("Registered"), _("Derivation")],
                        [[_group(k, q), q["quota"], q["promoted"], q["fast_track"], q["registered"], q["derivation"]]
                         for k, q in quotas.items()],
                        charts=[Chart(_("Quota use"), 0, [1, 2, 3])], widths=[22, 10, 10, 12, 10, 70]),
            _fairness_sheet(ctx, groups, observed),
        ])
        listing.notes.append(_wrote(out))
    return listing


# ---------------------------------------------------------------- did the papers' equality hold?

def observed_by_paper(regs: list[RegistrationRow], papers: list[Any]) -> list[dict]:
    """The theory score candidates actually reached, beside what their papers expected: per shared
    variant (tier, family, variant), or — for individual papers — per decile of the expected score
    within a tier (the candidates ordered by their paper's expected score, cut into ten groups).
    Equal papers show as flat means across the groups; a rise with the expected score means the
    expected score still tells the papers apart."""
    paper_of = {row.id: row for row, _target in papers}
    present = [(r, paper_of[r.paper_id]) for r in regs
               if r.paper_id in paper_of and not r.absent and r.theory is not None]
    out: list[dict] = []
    shared: dict[tuple[int, str, str], list[tuple[Any, Any]]] = defaultdict(list)
    individual: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    for r, p in present:
        if p.variant is not None:
            shared[(p.tier, p.family, p.variant)].append((r, p))
        else:
            individual[p.tier].append((r, p))
    for (tier, family, variant), members in sorted(shared.items()):
        out.append(_observed_row(tier, family, "variant", variant, members))
    for tier, members in sorted(individual.items()):
        for n, group in enumerate(quantile_groups(members, key=lambda m: (m[1].expected, m[1].id)), 1):
            families = sorted({p.family for _r, p in group})
            out.append(_observed_row(tier, families[0] if len(families) == 1 else None, "decile", n, group))
    return out


def _observed_row(tier: int, family: str | None, kind: str, group: Any, members: list[tuple[Any, Any]]) -> dict:
    expected = [p.expected for _r, p in members]
    theory = [float(r.theory) for r, _p in members]
    mean_expected, mean_theory = mean(expected), mean(theory)
    return {"tier": tier, "family": family, "kind": kind, "group": group,
            "papers": len({p.id for _r, p in members}), "candidates": len(members),
            "expected_low": _two(min(expected)), "expected_high": _two(max(expected)),
            "mean_expected": _two(mean_expected), "mean_theory": _two(mean_theory),
            "difference": _two(mean_theory - mean_expected)}


def _group(key: str, q: dict) -> Msg | str:
    """A quota group (a family and a target tier) in words; a group stored without them as stored."""
    if q.get("tier") is not None and q.get("family"):
        return Msg("{family} → tier {tier}", family=q["family"], tier=q["tier"])
    return key


def _two(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def _observed_notes(ctx: Context, observed: list[dict]) -> list[Msg]:
    """One line per tier (deciles) or per tier and family (variants): the mean theory score of each
    group, in order."""
    notes: list[Msg] = []
    deciles: dict[int, list[dict]] = defaultdict(list)
    variants: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in observed:
        if row["kind"] == "decile":
            deciles[row["tier"]].append(row)
        else:
            variants[(row["tier"], row["family"])].append(row)
    for tier, rows in sorted(deciles.items()):
        notes.append(Msg("{tier}: mean theory score per decile of the papers' expected score, from the lowest "
                         "expected ({low}) to the highest ({high}): {means}", tier=tier_label(ctx.policy, tier),
                         low=rows[0]["expected_low"], high=rows[-1]["expected_high"],
                         means=[r["mean_theory"] for r in rows]))
    for (tier, family), rows in sorted(variants.items()):
        means = [Msg("{variant} {mean} (expected {expected})", variant=r["group"], mean=r["mean_theory"],
                     expected=r["mean_expected"]) for r in rows]
        notes.append(Msg("{tier} {family}: mean theory score per shared variant: {means}",
                         tier=tier_label(ctx.policy, tier), family=family, means=means))
    return notes


def _fairness_sheet(ctx: Context, groups: list[PaperGroup], observed: list[dict]) -> ReportSheet:
    """The papers' expected-score range per tier, then per group (variant or decile) the mean
    theory score beside the mean expected score, with a chart of the two."""
    rows: list[list[Any]] = []
    for row in observed:
        label = (Msg("{tier} variant {variant}", tier=tier_label(ctx.policy, row["tier"]), variant=row["group"])
                 if row["kind"] == "variant" else
                 Msg("{tier} decile {decile}", tier=tier_label(ctx.policy, row["tier"]), decile=row["group"]))
        rows.append([label, row["family"] or "", row["papers"], row["candidates"], row["expected_low"],
                     row["expected_high"], row["mean_expected"], row["mean_theory"], row["difference"]])
    return ReportSheet(_("Paper fairness"), [_(h) for h in FAIRNESS_HEADERS], rows,
                       charts=[Chart(_("Mean theory score against the papers' expected score"), 0, [6, 7], kind="line",
                                     y_title=_("points"))],
                       notes=[g.line(ctx.policy) for g in groups], widths=[22, 12, 8, 10, 12, 12, 14, 12, 16])


# ---------------------------------------------------------------- item analysis

class ScoredSheet(NamedTuple):
    """One candidate's scored answer sheet: the paper's questions and the points earned on each,
    by position."""

    registration: int
    tier: int
    questions: list[Question]
    earned: list[float]


def _sheets(s, where) -> tuple[list[ScoredSheet], dict[int, Question]]:  # noqa: ANN001
    """The scored sheets of the candidates present that ``where`` selects, and the question
    versions on their papers (by id). A sheet is unpacked against its paper's stored items."""
    q = (select(AnswerRow.registration_id, AnswerRow.earned, RegistrationRow.paper_id, RegistrationRow.exam_tier)
         .join(RegistrationRow, RegistrationRow.id == AnswerRow.registration_id)
         .join(CycleRow, CycleRow.id == RegistrationRow.cycle_id)
         .where(RegistrationRow.status == "registered", RegistrationRow.absent.is_(False), where))
    rows = s.execute(q).all()
    _, entries, versions = load_paper_entries(s, ids=sorted({r.paper_id for r in rows}), brief=True)
    earned = json.loads("[" + ",".join([r.earned for r in rows]) + "]")  # one decode for every sheet
    version = versions.__getitem__
    return [ScoredSheet(r.registration_id, r.exam_tier, list(map(version, entries[r.paper_id][0::2])), list(map(float, e)))
            for r, e in zip(rows, earned)], versions


def _scored(s, code: str):  # noqa: ANN001, ANN202
    """The cycle, its scored sheets and their question versions; refuses a cycle with none yet."""
    c = cycle_repo.get(s, code)
    sheets, versions = _sheets(s, CycleRow.id == c.id)
    if not sheets:
        raise NotFound(Reason("no_scored_answers", "cycle {cycle} has no scored answers yet; import the answer sheets "
                              "first", cycle=c.code))
    return c, sheets, versions


def _earlier_facility(s, c: CycleRow, qids: set[str]) -> dict[str, float]:  # noqa: ANN001
    """Each question's facility in the cycles before this one (where it had 5 answers or more)."""
    total: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for sheet in _sheets(s, CycleRow.exam_date < c.exam_date)[0]:
        for q, e in zip(sheet.questions, sheet.earned):
            if q.qid in qids:
                total[q.qid] += e / q.points
                count[q.qid] += 1
    return {k: total[k] / n for k, n in count.items() if n >= 5}


ITEM_COLUMNS = [("qid", N_("Question id")), ("type", N_("Question type")), ("points", N_("Points")),
                ("used", N_("Times used")), ("facility", N_("Facility")), ("difficulty", N_("Bank difficulty")),
                ("discrimination", N_("Discrimination")), ("flags", N_("Flags"))]


def items_report(ctx: Context, code: str, *, out: Path | None = None) -> Listing:
    with ctx.uow() as uow:
        s = uow.s
        c, sheets, versions = _scored(s, code)
        earlier = _earlier_facility(s, c, {q.qid for q in versions.values()})
    # each question's type, points, bank difficulty and tier (its newest version on these papers)
    meta = {q.qid: (q.type, q.points, q.difficulty, q.tier) for q in sorted(versions.values(), key=lambda q: q.version)}
    responses: list[tuple] = []
    matrix: dict[int, dict[int, list[float]]] = defaultdict(dict)  # tier → candidate → earned by position
    for sh in sheets:
        responses += zip(repeat(sh.registration), [q.qid for q in sh.questions], sh.earned,
                         [q.points for q in sh.questions])
        matrix[sh.tier][sh.registration] = sh.earned
    stats = sorted(item_stats(responses), key=lambda st: str(st.item))
    rows = []
    for st in stats:
        qtype, points, difficulty, tier = meta[st.item]
        st.flags = flag(st, bank_difficulty=difficulty, earlier_facility=earlier.get(st.item))
        rows.append({"qid": st.item, "tier": tier, "type": QuestionType(qtype), "points": points, "used": st.n,
                     "facility": round(st.facility, 3), "difficulty": difficulty,
                     "discrimination": None if st.discrimination is None else round(st.discrimination, 3),
                     "flags": st.flags})
    alphas = {}
    for tier, cands in sorted(matrix.items()):
        common = min(map(len, cands.values()))  # the positions every paper of the tier has
        a = cronbach_alpha([cands[r][:common] for r in sorted(cands)])
        alphas[tier] = None if a is None else round(a, 3)
    notes: list[Any] = [
        Msg("tier {tier}: Cronbach's alpha {alpha} over {candidates} candidates (question positions as parallel items)",
            tier=t, alpha=a, candidates=len(matrix[t])) if a is not None else
        Msg("tier {tier}: Cronbach's alpha — (too few candidates) over {candidates} candidates (question positions as "
            "parallel items)", tier=t, candidates=len(matrix[t]))
        for t, a in alphas.items()]
    flagged = sum(1 for r in rows if r["flags"])
    notes.append(Msg("{flagged} of {questions} questions flagged", flagged=flagged, questions=len(rows)))
    listing = Listing(Msg("Item analysis of cycle {cycle}: {questions} questions", cycle=c.code, questions=len(rows)),
                      ITEM_COLUMNS, rows, notes, {"cycle": c.code, "alpha": {str(k): v for k, v in alphas.items()}})
    if out:
        write_report(out, [
            ReportSheet(_("Items"), [_("Question id"), _("Tier"), _("Question type"), _("Points"), _("Times used"),
                                     _("Facility"), _("Bank difficulty"), _("Discrimination"), _("Flags")],
                        [[r["qid"], r["tier"], r["type"], r["points"], r["used"], r["facility"], r["difficulty"],
                          r["discrimination"], r["flags"]] for r in rows],
                        charts=[Chart(_("Facility vs bank difficulty"), 0, [5, 6], kind="line")],
                        widths=[14, 6, 10, 8, 8, 10, 12, 12, 70]),
            ReportSheet(_("Reliability"), [_("Tier"), _("Cronbach's alpha"), _("Candidates")],
                        [[t, a, len(matrix[t])] for t, a in alphas.items()],
                        charts=[Chart(_("Cronbach's alpha"), 0, [1])]),
        ])
        listing.notes.append(_wrote(out))
    return listing


def calibrate(ctx: Context, code: str, *, min_responses: int = 30, apply: bool = False) -> Listing:
    """Propose difficulties from observed facility; with apply, write them as new question versions."""
    if min_responses < 1:
        raise BadInput(Reason("min_responses_below_one", "--min-responses must be at least 1"))
    with ctx.uow() as uow:
        s = uow.s
        c, sheets, _ = _scored(s, code)
        shares: dict[str, list[float]] = defaultdict(list)
        for sh in sheets:
            for q, e in zip(sh.questions, sh.earned):
                shares[q.qid].append(e)
        current = {q.qid: q for q in bank_repo.current_questions(s) if q.qid in shares}
        rows, new_versions = [], []
        for qid in sorted(shares):
            q = current[qid]
            facs = [x / q.points for x in shares[qid]]
            n = len(facs)
            proposed = round(min(0.95, max(0.05, mean(facs))), 2)
            ok = n >= min_responses
            rows.append({"qid": qid, "responses": n, "facility": round(mean(facs), 3), "difficulty": q.difficulty,
                         "proposed": proposed if ok else None, "change": round(proposed - q.difficulty, 2) if ok else None,
                         "note": None if ok else Reason("few_responses", "fewer than {count} responses",
                                                        count=min_responses)})
            if ok and apply and proposed != q.difficulty:
                from dataclasses import replace

                new = replace(q, difficulty=proposed)
                new_versions.append((q, new))
        if apply and new_versions:
            stamp = repo.now_utc()
            insert_rows(s, QuestionVersionRow.__table__, [
                {**bank_repo.version_values(new), "version": old.version + 1, "created_at": stamp} for old, new in new_versions])
            for old, _ in new_versions:
                row = s.get(QuestionRow, old.qid)
                row.current_version, row.updated_at = old.version + 1, stamp
            uow.commit()
    columns = [("qid", N_("Question id")), ("responses", N_("Responses")), ("facility", N_("Facility")),
               ("difficulty", N_("Current difficulty")), ("proposed", N_("Proposed difficulty")), ("change", N_("Change")),
               ("note", N_("Note"))]
    enough = sum(1 for r in rows if r["proposed"] is not None)
    facts = dict(cycle=c.code, enough=enough, questions=len(rows), responses=min_responses)
    title = (Msg("Calibration from cycle {cycle}: {enough} of {questions} questions have ≥ {responses} responses; "
                 "{written} new versions written", written=len(new_versions), **facts) if apply else
             Msg("Calibration from cycle {cycle}: {enough} of {questions} questions have ≥ {responses} responses; "
                 "preview — add --apply to write new versions", **facts))
    return Listing(title, columns, rows, [], {"cycle": c.code, "applied": apply, "changed": len(new_versions) if apply else 0})


# ---------------------------------------------------------------- projection

def _observed_rates(ctx: Context, s, tiers: int):  # noqa: ANN001, ANN202
    """Per tier: promoted / holders at the exam date, averaged over closed annual cycles; and the
    share of candidates passing every part over all evaluated cycles."""
    rates: dict[int, list[float]] = defaultdict(list)
    passed, seen = 0, 0
    for c in s.scalars(select(CycleRow).where(CycleRow.state.in_(("evaluated", "published", "closed")))):
        regs = cycle_repo.registrations(s, c)
        for r in regs:
            if r.outcome in ("promoted", "fast_track", "qualified_not_promoted", "qualified_inside_wait", "failed"):
                seen += 1
                passed += r.outcome in ("promoted", "fast_track", "qualified_not_promoted", "qualified_inside_wait")
        if c.kind == "annual" and c.state == "closed":
            holders = Counter(g.tier for _, g in _graded(ctx, s, c.exam_date, None))
            ups = Counter(r.from_tier for r in regs if r.outcome in ("promoted", "fast_track"))
            for t in range(1, tiers):
                if holders[t]:
                    rates[t].append(ups[t] / holders[t])
    return {t: mean(v) for t, v in rates.items()}, (passed / seen if seen else None)


def projection(ctx: Context, *, years: int = 5, attrition: float = 0.05, family: str | None = None) -> Listing:
    if not 0 <= attrition < 1:
        raise BadInput(Reason("bad_attrition", "--attrition {attrition}: give a share between 0 and 1, e.g. 0.05",
                              attrition=attrition))
    if not 1 <= years <= 50:
        raise BadInput(Reason("bad_years", "--years {years}: give 1 to 50 years", years=years))
    lp, el, ev = ctx.policy.ladder, ctx.policy.eligibility, ctx.policy.evaluation
    on = ctx.today
    with ctx.uow() as uow:
        s = uow.s
        graded = _graded(ctx, s, on, family)
        observed, pass_rate = _observed_rates(ctx, s, lp.tiers)
    families = sorted({e.family for e, _ in graded})
    p = pass_rate if pass_rate is not None else 0.5
    rows, notes = [], []
    for fam in families:
        counts = Counter(g.tier for e, g in graded if e.family == fam)
        levels = ctx.policy.levels_for(fam)
        rates = []
        for t in range(1, lp.tiers + 1):
            if t == lp.tiers:
                rates.append(0.0)
            elif t in observed:
                rates.append(observed[t])
            else:
                # one year in tier_wait/12 at the top level, the pass rate, and the quota share
                share = (ev.quota_shares.get(str(t + 1), 100) / 100) if ev.quota_mode == "share" else 1.0
                rates.append(min(1.0, (1 / levels) * min(1.0, 12 / max(1, el.tier_wait_months)) * p * share))
        series = project([counts[t] for t in range(1, lp.tiers + 1)], years=years, attrition=attrition, step_rates=rates)
        total0 = sum(series[0])
        for y, row in enumerate(series):
            rows.append({"family": fam, "year": on.year + y, **{f"t{t + 1}": round(v, 1) for t, v in enumerate(row)},
                         "total": round(sum(row), 1)})
        rows.append({"family": fam, "year": Reason("target", "target"),
                     **{f"t{t}": round(total0 * lp.target_shares[t - 1] / 100, 1) for t in range(1, lp.tiers + 1)},
                     "total": round(total0, 1)})
        notes.append(Msg("{family}: yearly step-up rates {rates}", family=fam,
                         rates=[f"{t}→{t + 1} {r:.1%}" for t, r in enumerate(rates[:-1], 1)]))
    model = dict(attrition=f"{attrition:.0%}", levels=ctx.policy.ladder.levels_per_tier, rate=f"{p:.0%}")
    notes.append(
        Msg("model: {attrition} leave every tier each year, no hiring; step-up rates observed in closed annual cycles "
            "where there are any, else from the policy (one level in {levels} at the top, the tier wait, the quota "
            "share) × pass rate {rate} (observed)", **model) if pass_rate is not None else
        Msg("model: {attrition} leave every tier each year, no hiring; step-up rates observed in closed annual cycles "
            "where there are any, else from the policy (one level in {levels} at the top, the tier wait, the quota "
            "share) × pass rate {rate} (assumed: no evaluated cycle yet)", **model))
    columns = ([("family", N_("Post family")), ("year", N_("Year"))]
               + [(f"t{t}", lp.tier_labels[t - 1]) for t in range(1, lp.tiers + 1)] + [("total", N_("Total"))])
    return Listing(Msg("Projection over {years} years, attrition {attrition}", years=years, attrition=f"{attrition:.0%}"),
                   columns, rows, notes, {"years": years, "attrition": attrition})


def projection_xlsx(listing: Listing, out: Path) -> Path:
    cols = listing.columns
    sheets = []
    for fam in sorted({r["family"] for r in listing.rows}):
        rows = [[r[k] for k, _h in cols[1:]] for r in listing.rows if r["family"] == fam]
        sheets.append(ReportSheet(Msg("{family} projection", family=fam), [_(h) for _k, h in cols[1:]], rows,
                                  charts=[Chart(Msg("{family}: projected staff per tier", family=fam), 0,
                                                list(range(1, len(cols) - 2)), kind="stacked")],
                                  notes=listing.notes))
    return write_report(out, sheets)
