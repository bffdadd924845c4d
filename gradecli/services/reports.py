"""Reports for decisions: the pyramid, a cycle's results, item analysis, calibration, projection."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from gradecli.domain.analysis import cronbach_alpha, flag, item_stats, mean, project
from gradecli.domain.bank import Question
from gradecli.domain.errors import BadInput, NotFound
from gradecli.domain.ledger import grade_on
from gradecli.formats.report_xlsx import Chart, ReportSheet, write_report
from gradecli.i18n import loads
from gradecli.services.context import Context
from gradecli.services.papers import load_paper_entries
from gradecli.services.results import Listing
from gradecli.store import bank_repo, cycle_repo, repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import AnswerRow, CycleRow, Employee, QuestionRow, QuestionVersionRow, RegistrationRow

BAR = "█"
BAR_WIDTH = 40  # characters for 100 %


def _bar(share: float) -> str:
    return BAR * round(share * BAR_WIDTH / 100)


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
                     "levels": " ".join(f"{lv}级:{per_level[(t, lv)]}" for lv in range(1, levels + 1))})
    columns = [("label", "等 Tier"), ("staff", "人数 Staff"), ("share", "占比 %"), ("target", "目标 %"),
               ("gap", "差额 Gap"), ("bar", "实际 Actual"), ("target_bar", "目标 Target"), ("levels", "各级人数 Levels")]
    title = f"Pyramid on {on}{' — ' + family if family else ''}: {total} graded staff"
    listing = Listing(title, columns, rows, ["gap = staff − the target share of all graded staff"],
                      {"on": on.isoformat(), "family": family, "total": total})
    if out:
        ordered = list(reversed(rows))
        write_report(out, [ReportSheet(
            "金字塔 Pyramid", ["等 / Tier", "人数 / Staff", "占比 / Share %", "目标 / Target %", "差额 / Gap", "各级 / Levels"],
            [[r["label"], r["staff"], r["share"], r["target"], r["gap"], r["levels"]] for r in ordered],
            charts=[Chart("实际与目标占比 Actual vs target share", 0, [2, 3], y_title="%")],
            notes=[title])])
        listing.notes.append(f"wrote {out}")
    return listing


# ---------------------------------------------------------------- cycle report

def _bins(values: list[float], width: int = 10) -> list[int]:
    counts = [0] * (100 // width)
    for v in values:
        counts[min(int(v // width), len(counts) - 1)] += 1
    return counts


def cycle_report(ctx: Context, code: str, *, out: Path | None = None) -> Listing:
    e = ctx.policy.evaluation
    with ctx.uow() as uow:
        c = cycle_repo.get(uow.s, code)
        regs = cycle_repo.registrations(uow.s, c)
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
    columns = [("tier", "目标等 Target tier"), ("registered", "报名"), ("absent", "缺考"), ("theory_pass", "理论合格 %"),
               ("skill_pass", "实操合格 %"), ("perf_pass", "业绩合格 %"), ("promoted", "晋升"), ("fast_track", "快速通道"),
               ("qualified_not_promoted", "合格未晋升"), ("failed", "未通过"), ("quota", "名额")]
    notes = [f"{k}: " + " ".join(f"{i * 10}-{i * 10 + 9}:{n}" for i, n in enumerate(v) if n) for k, v in hist.items()]
    listing = Listing(f"Cycle {c.code} ({c.kind}, {c.state}): {len(regs)} candidates", columns, rows, notes,
                      {"cycle": c.code, "histograms": hist, "quotas": quotas})
    if out:
        bins = [f"{i * 10}–{i * 10 + 9}" if i < 9 else "90–100" for i in range(10)]
        write_report(out, [
            ReportSheet("概况 Summary", [h for _, h in columns], [[r[k] for k, _ in columns] for r in rows],
                        charts=[Chart("各部分合格率 Pass rate per part", 0, [3, 4, 5], y_title="%", x_title="target tier"),
                                Chart("结果 Outcomes", 0, [6, 7, 8, 9], kind="stacked", x_title="target tier")]),
            ReportSheet("分布 Distributions", ["分数段 / Band", "理论 / Theory", "实操 / Skill", "综合 / Composite"],
                        [[b, hist["theory"][i], hist["skill"][i], hist["composite"][i]] for i, b in enumerate(bins)],
                        charts=[Chart("成绩分布 Score distribution", 0, [1, 2, 3], y_title="candidates")]),
            ReportSheet("名额 Quotas", ["组 / Group", "名额 / Quota", "晋升 / Promoted", "快速通道 / Fast track", "报名 / Registered", "依据 / Derivation"],
                        [[k, q["quota"], q["promoted"], q["fast_track"], q["registered"], q["derivation"]] for k, q in quotas.items()],
                        charts=[Chart("名额使用 Quota use", 0, [1, 2, 3])], widths=[22, 10, 10, 12, 10, 70]),
        ])
        listing.notes.append(f"wrote {out}")
    return listing


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
        raise NotFound(f"cycle {c.code} has no scored answers yet; import the answer sheets first")
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


ITEM_COLUMNS = [("qid", "试题"), ("type", "题型"), ("points", "分值"), ("used", "使用次数"), ("facility", "得分率"),
                ("difficulty", "题库难度"), ("discrimination", "区分度"), ("flags", "提示")]


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
        rows.append({"qid": st.item, "tier": tier, "type": qtype, "points": points, "used": st.n,
                     "facility": round(st.facility, 3), "difficulty": difficulty,
                     "discrimination": None if st.discrimination is None else round(st.discrimination, 3),
                     "flags": "; ".join(st.flags)})
    alphas = {}
    for tier, cands in sorted(matrix.items()):
        common = min(map(len, cands.values()))  # the positions every paper of the tier has
        a = cronbach_alpha([cands[r][:common] for r in sorted(cands)])
        alphas[tier] = None if a is None else round(a, 3)
    notes = [f"tier {t}: Cronbach's alpha {a if a is not None else '— (too few candidates)'} over {len(matrix[t])} candidates"
             f" (question positions as parallel items)" for t, a in alphas.items()]
    flagged = sum(1 for r in rows if r["flags"])
    notes.append(f"{flagged} of {len(rows)} questions flagged")
    listing = Listing(f"Item analysis of cycle {c.code}: {len(rows)} questions", ITEM_COLUMNS, rows, notes,
                      {"cycle": c.code, "alpha": {str(k): v for k, v in alphas.items()}})
    if out:
        write_report(out, [
            ReportSheet("试题 Items", ["试题 / Question", "等 / Tier", "题型 / Type", "分值 / Points", "使用 / Used",
                                      "得分率 / Facility", "题库难度 / Bank difficulty", "区分度 / Discrimination", "提示 / Flags"],
                        [[r["qid"], r["tier"], r["type"], r["points"], r["used"], r["facility"], r["difficulty"],
                          r["discrimination"], r["flags"]] for r in rows],
                        charts=[Chart("得分率与题库难度 Facility vs bank difficulty", 0, [5, 6], kind="line")],
                        widths=[14, 6, 10, 8, 8, 10, 12, 12, 70]),
            ReportSheet("信度 Reliability", ["等 / Tier", "α (Cronbach)", "考生 / Candidates"],
                        [[t, a, len(matrix[t])] for t, a in alphas.items()],
                        charts=[Chart("信度 Cronbach's alpha", 0, [1])]),
        ])
        listing.notes.append(f"wrote {out}")
    return listing


def calibrate(ctx: Context, code: str, *, min_responses: int = 30, apply: bool = False) -> Listing:
    """Propose difficulties from observed facility; with apply, write them as new question versions."""
    if min_responses < 1:
        raise BadInput("--min-responses must be at least 1")
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
                         "note": "" if ok else f"fewer than {min_responses} responses"})
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
    columns = [("qid", "试题"), ("responses", "作答数"), ("facility", "得分率"), ("difficulty", "现难度"),
               ("proposed", "建议难度"), ("change", "变化"), ("note", "说明")]
    enough = sum(1 for r in rows if r["proposed"] is not None)
    title = (f"Calibration from cycle {c.code}: {enough} of {len(rows)} questions have ≥ {min_responses} responses"
             + (f"; {len(new_versions)} new versions written" if apply else "; preview — add --apply to write new versions"))
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
        raise BadInput(f"--attrition {attrition}: give a share between 0 and 1, e.g. 0.05")
    if not 1 <= years <= 50:
        raise BadInput(f"--years {years}: give 1 to 50 years")
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
        rows.append({"family": fam, "year": "目标 target", **{f"t{t}": round(total0 * lp.target_shares[t - 1] / 100, 1)
                                                              for t in range(1, lp.tiers + 1)}, "total": round(total0, 1)})
        notes.append(f"{fam}: yearly step-up rates " + ", ".join(f"{t}→{t + 1} {r:.1%}" for t, r in enumerate(rates[:-1], 1)))
    notes.append(f"model: {attrition:.0%} leave every tier each year, no hiring; step-up rates observed in closed annual "
                 f"cycles where there are any, else from the policy (one level in {ctx.policy.ladder.levels_per_tier} at the "
                 f"top, the tier wait, the quota share) × pass rate {p:.0%}"
                 + (" (observed)" if pass_rate is not None else " (assumed: no evaluated cycle yet)"))
    columns = [("family", "岗位序列"), ("year", "年份")] + [(f"t{t}", lp.tier_labels[t - 1]) for t in range(1, lp.tiers + 1)] + [("total", "合计")]
    return Listing(f"Projection over {years} years, attrition {attrition:.0%}", columns, rows, notes,
                   {"years": years, "attrition": attrition})


def projection_xlsx(listing: Listing, out: Path) -> Path:
    cols = listing.columns
    sheets = []
    for fam in sorted({r["family"] for r in listing.rows}):
        rows = [[r[k] for k, _ in cols[1:]] for r in listing.rows if r["family"] == fam]
        sheets.append(ReportSheet(f"{fam} 预测", [h for _, h in cols[1:]], rows,
                                  charts=[Chart(f"{fam} 各等人数预测 Projected staff per tier", 0,
                                                list(range(1, len(cols) - 2)), kind="stacked")],
                                  notes=listing.notes))
    return write_report(out, sheets)
