"""评定: first placement (首评从宽, lenient) and promotion (选升从严, strict) with quotas, the fast
track, deferral and demotion. Pure decisions, each with the reasons that explain it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.policy import Policy, TierStandard
from gradecli.i18n import Msg, Reason

CENT = Decimal("0.01")


# ---------------------------------------------------------------- first placement

@dataclass(frozen=True)
class Placement:
    emp_no: str
    grade: Grade
    reasons: tuple[Reason, ...]


def full_years(start: date, on: date) -> int:
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def first_placement(*, emp_no: str, family: str, title: str, service_start: date, as_of: date,
                    ratings: list[str], exam_score: Decimal | None, policy: Policy) -> Placement:
    """首评从宽: the tier from the appraisal record of the last years (the main basis), then years
    of service (the level, and a tier at long service), a title only where the policy names it, and
    the exam as a reference that may lift a borderline case — never lower one.

    ``ratings`` are the ratings of the years read (policy.first_evaluation.rating_years)."""
    fe = policy.first_evaluation
    ladder = Ladder.for_family(policy, family)
    reasons: list[Reason] = []
    table = fe.tier_by_points
    lifted = False
    if ratings:
        mean = (Decimal(sum(fe.rating_points[r] for r in ratings)) / len(ratings)).quantize(CENT, rounding=ROUND_HALF_UP)
        band = next(i for i, (low, _) in enumerate(table) if mean >= low)
        tier = table[band][1]
        reasons.append(Reason("placement_by_appraisals", "appraisals {ratings}: mean {mean} points → tier {tier}",
                              ratings=list(ratings), mean=mean, tier=tier))
        if exam_score is not None and band > 0:
            nxt_low, nxt_tier = table[band - 1]
            if nxt_low - mean <= fe.borderline_points and exam_score >= fe.exam_lift_score:
                tier, lifted = nxt_tier, True
                reasons.append(Reason("placement_exam_lift", "borderline ({mean} within {margin} of {next_low}) and exam "
                                      "{exam} ≥ {lift_score} → tier {tier}", mean=mean, margin=fe.borderline_points,
                                      next_low=nxt_low, exam=exam_score, lift_score=fe.exam_lift_score, tier=tier))
    else:
        tier = fe.no_rating_tier
        reasons.append(Reason("placement_no_appraisal", "no appraisal in the last {years} years → tier {tier}",
                              years=fe.rating_years, tier=tier))
    years = full_years(service_start, as_of)
    if fe.service_tier_years and years >= fe.service_tier_years and tier < fe.max_tier:
        tier += 1
        reasons.append(Reason("placement_service_tier", "{years} years of service (≥ {needed}) → one tier up, tier {tier}",
                              years=years, needed=fe.service_tier_years, tier=tier))
    floor_ = fe.title_min_tier.get(title)
    if floor_ and tier < floor_:
        tier = floor_
        reasons.append(Reason("placement_title_floor", "title {title} → at least tier {tier}", title=title, tier=floor_))
    tier = min(tier, fe.max_tier, ladder.tiers)
    level = min(1 + sum(1 for step in fe.service_year_steps if years >= step), ladder.levels)
    reasons.append(Reason("placement_service_level", "{years} years of service → level {level}", years=years, level=level))
    if exam_score is not None and not lifted:
        reasons.append(Reason("placement_exam_reference", "exam {exam} (reference only)", exam=exam_score))
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
    failed_parts: list[Reason] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    deferral: bool = False


def composite(theory: Decimal, skill: Decimal, performance: int, policy: Policy) -> Decimal:
    e = policy.evaluation
    total = theory * e.weight_theory + skill * e.weight_skill + Decimal(performance) * e.weight_performance
    return (total / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def deferral_reason(rating: str | None, disciplinary: bool, policy: Policy, year: int) -> Reason | None:
    """延期选升: a disciplinary record or a rating below the policy's line in the appraisal year."""
    ratings = policy.performance.ratings
    line = policy.evaluation.deferral_below_rating
    if disciplinary:
        return Reason("deferral_disciplinary", "disciplinary record in {year}", year=year)
    if rating is not None and ratings.index(rating) > ratings.index(line):
        return Reason("deferral_low_rating", "rating {rating} in {year}, below {line}", rating=rating, year=year, line=line)
    return None


def deferral_scope(cycles: int) -> Msg:
    """What a deferral bars (the cycles themselves are known once it takes effect)."""
    if cycles == 0:
        return Msg("no cycle (the policy's deferral_cycles is 0)")
    if cycles == 1:
        return Msg("the next cycle of each kind (annual and semiannual) after it takes effect")
    return Msg("the next {count} cycles of each kind (annual and semiannual) after it takes effect", count=cycles)


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
    """How the quota of one group (family and target tier) is set: none, a share of a base
    population, or a number of seats. The base is the eligible population (选升从严: seats come
    from who may compete, not from who signed up), or the registered under the old policy."""

    kind: str  # none | share | seats
    value: int = 0
    source: "Msg | str | None" = None  # seats: how they were set (a message; text stored before messages were data)
    base: int | None = None  # share: the eligible population it is a share of (None: the registered)

    def resolve(self, registered: int, anyone_passed: bool) -> "tuple[int | None, Msg | str]":
        if self.kind == "none":
            return None, Reason("no_quota", "no quota")
        if self.kind == "share":
            base = registered if self.base is None else self.base
            q = share_quota(base, self.value, anyone_passed)
            floor_ = math.floor(base * self.value / 100)
            params = dict(percent=self.value, base=base, exact=Decimal(base * self.value) / 100, floor=floor_)
            if self.base is None:
                if q != floor_:
                    return q, Reason("quota_share_of_registered", "{percent} percent of {base} registered = {exact}, rounded "
                                     "down to {floor}, raised to 1 because someone passed", **params, raised=True)
                return q, Reason("quota_share_of_registered", "{percent} percent of {base} registered = {exact}, rounded down "
                                 "to {floor}", **params, raised=False)
            if q != floor_:
                return q, Reason("quota_share_of_eligible", "{percent} percent of {base} eligible = {exact}, rounded down to "
                                 "{floor}, raised to 1 because someone passed", **params, raised=True)
            return q, Reason("quota_share_of_eligible", "{percent} percent of {base} eligible = {exact}, rounded down to {floor}",
                             **params, raised=False)
        return self.value, self.source or Reason("quota_seats", "{seats} seats", seats=self.value)


def evaluate(candidates: list[Candidate], *, rule: QuotaRule, policy: Policy, appraisal_year: int,
             standard: TierStandard | None = None) -> "tuple[list[Decision], int | None, Msg | str]":
    """Decide every candidate of one target tier against its standard (等级标准: the tier's pass
    marks); returns the decisions, the quota and how it was set."""
    e = policy.evaluation
    standard = standard or policy.standard(None, candidates[0].target_tier if candidates else 1)
    pass_theory, pass_skill = standard.pass_theory, standard.pass_skill
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
                d.reasons.append(Reason("absent_theory", "absent from the theory exam"))
            if c.skill_absent:
                d.reasons.append(Reason("absent_skill", "absent from the skill assessment"))
            continue
        d.performance = policy.performance.scores.get(c.rating) if c.rating else None
        if c.theory < pass_theory:
            d.failed_parts.append(Reason("theory_below_pass", "theory {score} < pass mark {mark}",
                                         score=c.theory, mark=pass_theory))
        if c.skill is None:
            d.failed_parts.append(Reason("no_skill_score", "no skill score"))
        elif c.skill < pass_skill:
            d.failed_parts.append(Reason("skill_below_pass", "skill {score} < pass mark {mark}",
                                         score=c.skill, mark=pass_skill))
        if c.rating is None:
            d.failed_parts.append(Reason("no_rating", "no appraisal rating for {year}", year=appraisal_year))
        elif ratings.index(c.rating) > ratings.index(e.min_rating):
            d.failed_parts.append(Reason("rating_below_minimum", "performance {rating} below {minimum}",
                                         rating=c.rating, minimum=e.min_rating))
        if c.skill is not None and d.performance is not None:
            d.composite = composite(c.theory, c.skill, d.performance, policy)
        reason = deferral_reason(c.rating, c.disciplinary, policy, appraisal_year)
        if reason:
            d.deferral = True
            d.reasons.append(Reason("deferral", "deferral: {reason}", reason=reason))
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
    bar = dict(bar=e.fast_track_composite, rating=e.fast_track_rating)
    for place, d in enumerate(fast, 1):
        d.outcome = "fast_track"
        d.reasons.append(Reason("fast_track", "fast track: composite {composite} ≥ {bar} and rating {rating}",
                                composite=d.composite, **bar) if cap is None else
                         Reason("fast_track", "fast track: composite {composite} ≥ {bar} and rating {rating} (place "
                                "{place} of {cap}, outside the quota)", composite=d.composite, place=place, cap=cap, **bar))
    regular = [d for d in passed if d.outcome != "fast_track"]
    seats = quota
    for d in regular:
        c = by_emp[d.emp_no]
        if c.inside_wait:
            # passed every part, so qualified — honest about why there is no promotion (not 未通过)
            d.outcome = "qualified_not_promoted" if d.emp_no in met else "qualified_inside_wait"
            d.reasons.append(Reason("inside_wait_places_taken", "inside the wait: only the fast track could promote, "
                                    "and its {cap} place(s) are taken", cap=cap) if d.emp_no in met else
                             Reason("inside_wait_below_fast_track", "inside the wait: only the fast track could promote "
                                    "(composite {composite} < {bar} or rating not {rating})", composite=d.composite, **bar))
            continue
        if seats is None or seats > 0:
            d.outcome = "promoted"
            d.reasons.append(Reason("rank_no_quota", "rank {rank}, no quota applies", rank=d.rank) if seats is None
                             else Reason("rank_within_quota", "rank {rank} within the quota", rank=d.rank))
            if seats is not None:
                seats -= 1
        else:
            d.outcome = "qualified_not_promoted"
            d.reasons.append(Reason("rank_over_quota", "rank {rank}: passed, over the quota of {quota}",
                                    rank=d.rank, quota=quota))
    for d in decisions.values():
        if d.outcome == "failed" and d.failed_parts:
            d.reasons.insert(0, Reason("failed", "failed: {parts}", parts=list(d.failed_parts)))
    return [decisions[c.emp_no] for c in candidates], quota, derivation


def failed_exam(theory: Decimal | None, pass_mark: int, *, absent: bool = False) -> bool:
    """The intra-tier exam is unpassed when the theory score is under the tier's pass mark, or the
    candidate was absent (缺考) from a part (theory None: absent from the exam)."""
    return absent or theory is None or theory < pass_mark
