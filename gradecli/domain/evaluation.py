"""评定: first placement (首评从宽, lenient) and promotion (选升从严, strict) with quotas, the fast
track, deferral and demotion. Pure decisions, each with the reasons that explain it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.policy import Policy

CENT = Decimal("0.01")


# ---------------------------------------------------------------- first placement

@dataclass(frozen=True)
class Placement:
    emp_no: str
    grade: Grade
    reasons: tuple[str, ...]


def full_years(start: date, on: date) -> int:
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def first_placement(*, emp_no: str, family: str, title: str, service_start: date, as_of: date,
                    rating: str | None, exam_score: Decimal | None, policy: Policy) -> Placement:
    """Mainly by work record: title → tier, years of service → level; the rating moves the level
    one up or down inside the tier; an exam score under the pass mark holds it at level 1."""
    fe = policy.first_evaluation
    ladder = Ladder.for_family(policy, family)
    tier = min(fe.title_tier.get(title, 1), ladder.tiers)
    years = full_years(service_start, as_of)
    level = 1 + sum(1 for step in fe.service_year_steps if years >= step)
    level = min(level, ladder.levels)
    reasons = [f"title {title} → tier {tier}", f"{years} years of service → level {level}"]
    if rating in fe.ratings_up:
        if level < ladder.levels:
            level += 1
            reasons.append(f"rating {rating} → one level up")
        else:
            reasons.append(f"rating {rating}: already at the tier's top level")
    elif rating in fe.ratings_down:
        if level > 1:
            level -= 1
            reasons.append(f"rating {rating} → one level down")
        else:
            reasons.append(f"rating {rating}: already at level 1")
    elif rating is None:
        reasons.append("no appraisal rating: level by years only")
    if exam_score is not None:
        if exam_score < policy.evaluation.pass_theory:
            if level != 1:
                reasons.append(f"exam {exam_score} below {policy.evaluation.pass_theory} → held at level 1")
            else:
                reasons.append(f"exam {exam_score} below {policy.evaluation.pass_theory} (reference only)")
            level = 1
        else:
            reasons.append(f"exam {exam_score} (reference only)")
    return Placement(emp_no, Grade(tier, level), tuple(reasons))


# ---------------------------------------------------------------- promotion

@dataclass(frozen=True)
class Candidate:
    emp_no: str
    target_tier: int
    theory: Decimal | None  # None: absent
    skill: Decimal | None
    rating: str | None
    disciplinary: bool = False
    inside_wait: bool = False  # registered as a fast-track applicant inside the wait
    days_in_grade: int = 0
    skill_absent: bool = False  # 实操缺考


@dataclass
class Decision:
    emp_no: str
    outcome: str
    composite: Decimal | None = None
    performance: int | None = None
    rank: int | None = None
    failed_parts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    deferral: bool = False


def composite(theory: Decimal, skill: Decimal, performance: int, policy: Policy) -> Decimal:
    e = policy.evaluation
    total = theory * e.weight_theory + skill * e.weight_skill + Decimal(performance) * e.weight_performance
    return (total / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def deferral_reason(rating: str | None, disciplinary: bool, policy: Policy, year: int) -> str | None:
    """延期选升: a disciplinary record or a rating below the policy's line in the appraisal year."""
    ratings = policy.performance.ratings
    line = policy.evaluation.deferral_below_rating
    if disciplinary:
        return f"disciplinary record (处分) in {year}"
    if rating is not None and ratings.index(rating) > ratings.index(line):
        return f"rating {rating} in {year}, below {line}"
    return None


def deferral_scope(cycles: int) -> str:
    """What a deferral bars, in words (the cycles themselves are known once it takes effect)."""
    if cycles == 0:
        return "no cycle (the policy's deferral_cycles is 0)"
    n = "cycle" if cycles == 1 else f"{cycles} cycles"
    return f"the next {n} of each kind (annual and semiannual) after it takes effect"


def share_quota(registered: int, share_percent: int, anyone_passed: bool) -> int:
    """Rounded down, at least 1 where anyone passed."""
    q = math.floor(registered * share_percent / 100)
    return max(q, 1) if anyone_passed else q


def fast_track_cap(quota: int | None, policy: Policy) -> int | None:
    if quota is None:
        return None
    e = policy.evaluation
    return max(e.fast_track_cap_min, math.floor(quota * e.fast_track_cap_share / 100))


def rank_key(d: Decision, c: Candidate):  # noqa: ANN201
    """Composite, then performance, then skill, then time in grade (longer first), then 工号."""
    return (-d.composite, -(d.performance or 0), -(c.skill or 0), -c.days_in_grade, c.emp_no)


@dataclass(frozen=True)
class QuotaRule:
    """How the quota of one target tier is set: none, a share of the registered, or a number of seats."""

    kind: str  # none | share | seats
    value: int = 0
    source: str = ""

    def resolve(self, registered: int, anyone_passed: bool) -> tuple[int | None, str]:
        if self.kind == "none":
            return None, "no quota"
        if self.kind == "share":
            q = share_quota(registered, self.value, anyone_passed)
            floor_ = math.floor(registered * self.value / 100)
            note = f"{self.value} % of {registered} registered = {registered * self.value / 100:g}, rounded down to {floor_}"
            if q != floor_:
                note += ", raised to 1 because someone passed"
            return q, note
        return self.value, self.source or f"{self.value} seats"


def evaluate(candidates: list[Candidate], *, rule: QuotaRule, policy: Policy,
             appraisal_year: int) -> tuple[list[Decision], int | None, str]:
    """Decide every candidate of one target tier; returns the decisions, the quota and how it was set."""
    e = policy.evaluation
    ratings = policy.performance.ratings
    by_emp = {c.emp_no: c for c in candidates}
    decisions: dict[str, Decision] = {}
    passed: list[Decision] = []
    for c in candidates:
        d = Decision(c.emp_no, "failed")
        decisions[c.emp_no] = d
        if c.theory is None or c.skill_absent:
            d.outcome = "absent"  # never promoted
            if c.theory is None:
                d.reasons.append("absent from the theory exam")
            if c.skill_absent:
                d.reasons.append("absent from the skill assessment")
            continue
        d.performance = policy.performance.scores.get(c.rating) if c.rating else None
        if c.theory < e.pass_theory:
            d.failed_parts.append(f"theory {c.theory} < {e.pass_theory}")
        if c.skill is None:
            d.failed_parts.append("no skill score")
        elif c.skill < e.pass_skill:
            d.failed_parts.append(f"skill {c.skill} < {e.pass_skill}")
        if c.rating is None:
            d.failed_parts.append(f"no appraisal rating for {appraisal_year}")
        elif ratings.index(c.rating) > ratings.index(e.min_rating):
            d.failed_parts.append(f"performance {c.rating} below {e.min_rating}")
        if c.skill is not None and d.performance is not None:
            d.composite = composite(c.theory, c.skill, d.performance, policy)
        reason = deferral_reason(c.rating, c.disciplinary, policy, appraisal_year)
        if reason:
            d.deferral = True
            d.reasons.append(f"deferral: {reason}")
        if d.failed_parts or d.deferral:
            continue
        passed.append(d)
    quota, derivation = rule.resolve(len(candidates), bool(passed))
    passed.sort(key=lambda d: rank_key(d, by_emp[d.emp_no]))
    for i, d in enumerate(passed, 1):
        d.rank = i
    bar_met = [d for d in passed if d.composite >= e.fast_track_composite and by_emp[d.emp_no].rating == e.fast_track_rating]
    met = {d.emp_no for d in bar_met}
    cap = fast_track_cap(quota, policy)
    fast = bar_met if cap is None else bar_met[:cap]
    for place, d in enumerate(fast, 1):
        d.outcome = "fast_track"
        d.reasons.append(f"fast track: composite {d.composite} ≥ {e.fast_track_composite} and rating {e.fast_track_rating}"
                         + ("" if cap is None else f" (place {place} of {cap}, outside the quota)"))
    regular = [d for d in passed if d.outcome != "fast_track"]
    seats = quota
    for d in regular:
        c = by_emp[d.emp_no]
        if c.inside_wait:
            d.outcome = "qualified_not_promoted" if d.emp_no in met else "failed"
            d.reasons.append("inside the wait: only the fast track could promote"
                             + (f" and its {cap} place(s) are taken" if d.emp_no in met else
                                f" (composite {d.composite} < {e.fast_track_composite} or rating not {e.fast_track_rating})"))
            if d.outcome == "failed":
                d.failed_parts.append("fast-track bar not met")
            continue
        if seats is None or seats > 0:
            d.outcome = "promoted"
            d.reasons.append(f"rank {d.rank}" + ("" if seats is None else " within the quota"))
            if seats is not None:
                seats -= 1
        else:
            d.outcome = "qualified_not_promoted"
            d.reasons.append(f"rank {d.rank}: passed, over the quota of {quota}")
    for d in decisions.values():
        if d.outcome == "failed" and d.failed_parts:
            d.reasons.insert(0, "failed: " + "; ".join(d.failed_parts))
    return [decisions[c.emp_no] for c in candidates], quota, derivation


def failed_exam(theory: Decimal | None, policy: Policy, *, absent: bool = False) -> bool:
    """The intra-tier exam is unpassed when the theory score is under the pass mark, or the
    candidate was absent (缺考) from a part (theory None: absent from the exam)."""
    return absent or theory is None or theory < policy.evaluation.pass_theory
