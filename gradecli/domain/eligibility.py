"""Eligibility (报名资格): who may sit a cycle's exam, every reason why not, and when they next may."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from gradecli.domain.dates import add_months, months_between
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.policy import Policy


def join_names(names) -> str:  # noqa: ANN001
    """Certificates as stored: each name once, sorted, joined with 、."""
    return "、".join(sorted({n for n in names if n}))


def split_names(stored: str) -> frozenset[str]:
    return frozenset(n for n in stored.split("、") if n) if stored else frozenset()


@dataclass(frozen=True)
class Person:
    """What eligibility needs to know about one employee, on the exam date."""

    emp_no: str
    name: str
    family: str
    professional: bool
    active: bool
    title: str
    grade: Grade | None
    grade_since: date | None  # effective date of the grade held
    frontline: bool
    deferral_until: date | None = None
    latest_rating: str | None = None
    certificates: frozenset[str] = frozenset()


@dataclass
class Eligibility:
    emp_no: str
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    next_date: date | None = None
    fast_track_applicant: bool = False  # may register inside the wait (latest rating 优秀)
    target: Grade | None = None
    exam_tier: int | None = None


def wait_months(policy: Policy, *, tier_step: bool, frontline: bool) -> int:
    """Months to wait at the grade; front-line posts wait a share of it, rounded up to whole months."""
    e = policy.eligibility
    months = e.tier_wait_months if tier_step else e.level_wait_months
    if frontline:
        months = math.ceil(months * e.frontline_share)
    return months


def check(p: Person, *, kind: str, exam_date: date, policy: Policy) -> Eligibility:
    """Every reason a person may not sit this exam (annual: next tier; semiannual: next level)."""
    ladder = Ladder.for_family(policy, p.family)
    out = Eligibility(p.emp_no, eligible=False)
    structural = False  # a reason that time alone will not cure
    if not p.professional:
        out.reasons.append("not in a professional-technical post")
        structural = True
    if not p.active:
        out.reasons.append("not active")
        structural = True
    if p.grade is None:
        out.reasons.append("no grade yet (首次评定 first)")
        return _finish(out, structural=True, wait_end=None, deferral=p.deferral_until)
    g = p.grade
    tier_step = kind == "annual"
    wait_end = None
    if tier_step:
        target = ladder.tier_up(g)
        if target is None:
            out.reasons.append(f"at the top of the ladder ({g})")
            structural = True
        elif not ladder.is_top_of_tier(g):
            out.reasons.append(f"not at the top level of tier {g.tier} (holds {g}; a tier step needs level {ladder.levels})")
            structural = True
        out.exam_tier = target.tier if target else None
    else:
        target = ladder.level_up(g)
        if target is None:
            nxt = "the top of the ladder" if ladder.tier_up(g) is None else "the next step is the annual inter-tier exam"
            out.reasons.append(f"at the top level of tier {g.tier} ({g}); {nxt}")
            structural = True
        out.exam_tier = g.tier
    out.target = target
    if target is not None:
        required = policy.eligibility.title_requirements.get(str(target.tier)) if tier_step else None
        titles = policy.eligibility.titles
        if required and (p.title not in titles or titles.index(p.title) < titles.index(required)):
            out.reasons.append(f"title {p.title} is below {required}, required for tier {target.tier}")
            structural = True
        needed = policy.eligibility.certificate_requirements.get(str(target.tier), []) if tier_step else []
        lacking = [c for c in needed if c not in p.certificates]
        if lacking:
            out.reasons.append(f"lacks the certificate{'s' if len(lacking) > 1 else ''} {'、'.join(lacking)}, "
                               f"required for tier {target.tier}")
            structural = True
        months = wait_months(policy, tier_step=tier_step, frontline=p.frontline)
        wait_end = add_months(p.grade_since, months) if p.grade_since else None
        if wait_end and exam_date < wait_end:
            where = "front-line " if p.frontline else ""
            out.reasons.append(f"{months_between(p.grade_since, exam_date)} months at {g} since {p.grade_since}, "
                               f"below the {where}wait of {months} months (until {wait_end})")
            if p.latest_rating == policy.evaluation.fast_track_rating and not structural and not _deferred(p, exam_date):
                out.fast_track_applicant = True
    if _deferred(p, exam_date):
        out.reasons.append(f"deferral (延期选升) running until {p.deferral_until}")
    return _finish(out, structural=structural, wait_end=wait_end, deferral=p.deferral_until)


def _deferred(p: Person, exam_date: date) -> bool:
    return p.deferral_until is not None and exam_date < p.deferral_until


def _finish(out: Eligibility, *, structural: bool, wait_end: date | None, deferral: date | None) -> Eligibility:
    out.eligible = not out.reasons
    if not out.eligible and not structural:
        dates = [d for d in (wait_end, deferral) if d]
        out.next_date = max(dates) if dates else None
    return out
