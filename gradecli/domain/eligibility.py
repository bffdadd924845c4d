"""Eligibility (报名资格): who may sit a cycle's exam, every reason why not, and when they next may."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from gradecli.domain.cycle import KINDS, ExamCalendar, Period, periods_after
from gradecli.domain.dates import add_months, months_between
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.policy import Policy


def join_names(names) -> str:  # noqa: ANN001
    """Certificates as stored: each name once, sorted, joined with 、."""
    return "、".join(sorted({n for n in names if n}))


def split_names(stored: str) -> frozenset[str]:
    return frozenset(n for n in stored.split("、") if n) if stored else frozenset()


@dataclass(frozen=True)
class Deferral:
    """A deferral (延期选升) on the ledger: the cycle that decided it and the date it took effect."""

    effective: date
    cycle: str | None = None


@dataclass(frozen=True)
class DeferralBar:
    """What one deferral bars: the first N cycles of each kind whose exam falls after it took
    effect (``barred``, by exam date), and the first cycle of each kind it no longer bars."""

    deferral: Deferral
    barred: tuple[Period, ...]
    free: dict[str, Period]

    def bars(self, period: Period) -> bool:
        return period in self.barred

    def reason(self) -> str:
        source = f"from cycle {self.deferral.cycle}" if self.deferral.cycle else f"effective {self.deferral.effective}"
        return f"deferral (延期选升) {source}: bars {_and([p.code for p in self.barred])}"


def deferral_bar(d: Deferral, *, cycles: int, calendar: ExamCalendar) -> DeferralBar:
    """A deferral bars registration for the next ``cycles`` cycles of each kind after it takes
    effect: among a kind's periods, the first ones whose exam date falls after the effective date."""
    barred, free = [], {}
    for kind in KINDS:
        *mine, free[kind] = periods_after(kind, d.effective, cycles + 1, calendar)
        barred += mine
    barred.sort(key=lambda p: (calendar.exam_date(p), p.kind == "annual"))
    return DeferralBar(d, tuple(barred), free)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
    deferrals: tuple[Deferral, ...] = ()
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


def check(p: Person, *, kind: str, exam_date: date, policy: Policy, period: Period | None = None,
          calendar: ExamCalendar | None = None) -> Eligibility:
    """Every reason a person may not sit this exam (annual: next tier; semiannual: next level).

    ``period`` is the cycle's period (by default the one the exam date falls in); ``calendar``
    gives the exam dates of other periods, which decide what a deferral bars."""
    ladder = Ladder.for_family(policy, p.family)
    out = Eligibility(p.emp_no, eligible=False)
    period = period or Period.around(kind, exam_date)
    calendar = calendar or ExamCalendar(policy, {period.code: exam_date})
    bars = [b for d in p.deferrals
            if (b := deferral_bar(d, cycles=policy.eligibility.deferral_cycles, calendar=calendar)).bars(period)]
    deferral_free = max((calendar.exam_date(b.free[kind]) for b in bars), default=None)
    structural = False  # a reason that time alone will not cure
    if not p.professional:
        out.reasons.append("not in a professional-technical post")
        structural = True
    if not p.active:
        out.reasons.append("not active")
        structural = True
    if p.grade is None:
        out.reasons.append("no grade yet (首次评定 first)")
        return _finish(out, structural=True, wait_end=None, deferral=deferral_free)
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
            if p.latest_rating == policy.evaluation.fast_track_rating and not structural and not bars:
                out.fast_track_applicant = True
    out.reasons += [b.reason() for b in bars]
    return _finish(out, structural=structural, wait_end=wait_end, deferral=deferral_free)


def _finish(out: Eligibility, *, structural: bool, wait_end: date | None, deferral: date | None) -> Eligibility:
    out.eligible = not out.reasons
    if not out.eligible and not structural:
        dates = [d for d in (wait_end, deferral) if d]
        out.next_date = max(dates) if dates else None
    return out
