"""Eligibility (报名资格): who may sit a cycle's exam, every reason why not, and when they next may.

Reasons are data (``gradecli.i18n.Reason``: a stable code, an English template, typed
parameters), rendered in the run's language where they are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from gradecli.domain.cycle import KINDS, ExamCalendar, Period, periods_after
from gradecli.domain.dates import add_months
from gradecli.domain.ladder import Grade, Ladder
from gradecli.domain.policy import Policy
from gradecli.i18n import Msg, Reason


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

    def reason(self) -> Reason:
        barred = [p.code for p in self.barred]
        if self.deferral.cycle:
            return Reason("deferral", "deferral decided in cycle {cycle}: bars the cycles {periods}",
                          cycle=self.deferral.cycle, periods=barred)
        return Reason("deferral", "deferral effective {effective}: bars the cycles {periods}",
                      effective=self.deferral.effective, periods=barred)


def deferral_bar(d: Deferral, *, cycles: int, calendar: ExamCalendar) -> DeferralBar:
    """A deferral bars registration for the next ``cycles`` cycles of each kind after it takes
    effect: among a kind's periods, the first ones whose exam date falls after the effective date."""
    key = ("deferral_bar", d, cycles)
    if key not in calendar.memo:
        calendar.memo[key] = _deferral_bar(d, cycles, calendar)
    return calendar.memo[key]


def _deferral_bar(d: Deferral, cycles: int, calendar: ExamCalendar) -> DeferralBar:
    barred, free = [], {}
    for kind in KINDS:
        *mine, free[kind] = periods_after(kind, d.effective, cycles + 1, calendar)
        barred += mine
    barred.sort(key=lambda p: (calendar.exam_date(p), p.kind == "annual"))
    return DeferralBar(d, tuple(barred), free)


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
    frontline: bool  # in a front-line post on the exam date
    deferrals: tuple[Deferral, ...] = ()
    # the post history as (first day, front-line) in date order; empty: ``frontline`` throughout
    posts: tuple[tuple[date, bool], ...] = ()
    latest_rating: str | None = None
    certificates: frozenset[str] = frozenset()


@dataclass
class Eligibility:
    emp_no: str
    eligible: bool
    reasons: list[Msg] = field(default_factory=list)  # Reasons, each with a stable code
    next_date: date | None = None
    fast_track_applicant: bool = False  # may register inside the wait (latest rating 优秀)
    target: Grade | None = None
    exam_tier: int | None = None
    wait: WaitCredit | None = None  # the time credited toward the wait, when a step is open


def wait_months(policy: Policy, *, tier_step: bool) -> int:
    """Months to wait at the grade (a front-line post shortens it through the credit it earns)."""
    e = policy.eligibility
    return e.tier_wait_months if tier_step else e.level_wait_months


def frontline_days(posts: Sequence[tuple[date, bool]], start: date, end: date) -> int:
    """Days from ``start`` up to (not including) ``end`` served in front-line posts, by a post
    history of (first day, front-line) in date order; a day before its first post is not."""
    days = 0
    for i, (first, frontline) in enumerate(posts):
        if frontline:
            stop = posts[i + 1][0] if i + 1 < len(posts) else end
            a, b = max(first, start), min(stop, end)
            if b > a:
                days += (b - a).days
    return days


class WaitCredit(NamedTuple):  # a tuple: made for every person at every cycle, so cheap to build
    """Time credited toward the wait at a grade ("缩短晋级年限"): a day served in a front-line post
    counts 1 / share (1.5 with 2/3), a day elsewhere counts 1. The wait in days runs from the
    grade's effective date to the same date ``months`` later."""

    since: date
    on: date
    months: int
    wait_days: int
    frontline_days: int
    other_days: int
    share: Fraction
    met_on: date  # the first day the wait is met (if not met by ``on``: assuming the post held then continues)

    @property
    def credited_days(self) -> Fraction:
        return self.other_days + self.frontline_days / self.share

    @property
    def met(self) -> bool:
        return self.met_on <= self.on

    def describe(self) -> Reason:
        """The months of each kind, to a tenth (Decimal). A month here is this wait's own (wait
        days / wait months), so the credit reaches the wait exactly when the rule says it is met; a
        number below the wait is never rounded up to it. Integer arithmetic (days scaled by the
        share's numerator): this runs for everyone still inside the wait."""
        a, b = self.share.numerator, self.share.denominator
        whole = self.wait_days * a

        def months(scaled: int) -> Decimal:
            if not whole:
                return Decimal("0.0")
            num = scaled * self.months * 10
            tenths = (2 * num + whole) // (2 * whole)  # half up
            if scaled < whole and tenths >= self.months * 10:
                tenths = num // whole
            return Decimal(tenths).scaleb(-1)

        fl, other = self.frontline_days, self.other_days
        total = months(other * a + fl * b)
        if fl and other:
            return Reason("wait_credit", "{frontline} months front-line (×{factor} = {frontline_credited}) + {elsewhere} "
                          "months elsewhere = {credited} of {wait} months credited",
                          frontline=months(fl * a), factor=_factor(1 / self.share), frontline_credited=months(fl * b),
                          elsewhere=months(other * a), credited=total, wait=self.months)
        if fl:
            return Reason("wait_credit", "{frontline} months front-line (×{factor} = {frontline_credited}) = {credited} "
                          "of {wait} months credited", frontline=months(fl * a), factor=_factor(1 / self.share),
                          frontline_credited=months(fl * b), credited=total, wait=self.months)
        return Reason("wait_credit", "{elsewhere} months elsewhere = {credited} of {wait} months credited",
                      elsewhere=months(other * a), credited=total, wait=self.months)


@lru_cache(maxsize=None)
def _factor(f: Fraction) -> "Decimal | str":
    """How much a front-line day counts: a decimal (1.5) where it is one, else a fraction (4/3)."""
    if (f * 100).denominator == 1:
        return (Decimal(f.numerator) / Decimal(f.denominator)).normalize()
    return f"{f.numerator}/{f.denominator}"


def wait_credit(posts: Sequence[tuple[date, bool]], *, since: date, on: date, months: int, share: Fraction,
                frontline_now: bool) -> WaitCredit:
    """The credit earned at a grade held since ``since`` by the day ``on`` (days before ``on``),
    and the day the wait is met; after ``on`` the post held on ``on`` (``frontline_now``) is
    assumed to continue. Exact: scaled by the share's numerator, every count is an integer."""
    end = add_months(since, months)
    wait_days = (end - since).days
    served = max((on - since).days, 0)
    if len(posts) == 1 and posts[0][0] <= since:  # one post all along, as for most people
        if not posts[0][1]:  # never front-line: the plain wait, met on its last day
            return WaitCredit(since, on, months, wait_days, 0, served, share, end)
        fl = served
    else:
        fl = frontline_days(posts, since, on) if served else 0
    a, b = share.numerator, share.denominator  # a front-line day counts b / a
    have, need = (served - fl) * a + fl * b, wait_days * a
    if have < need:  # from ``on`` on, at the rate of the post held that day
        met_on = on + timedelta(days=_ceil_div(need - have, b if frontline_now else a))
    elif fl == 0:
        met_on = end
    else:
        met_on = _met_on(posts, since, on, a, b, need)
    return WaitCredit(since, on, months, wait_days, fl, served - fl, share, met_on)


def _ceil_div(n: int, d: int) -> int:
    return -(-n // d)


def _met_on(posts: Sequence[tuple[date, bool]], since: date, on: date, a: int, b: int, need: int) -> date:
    """The first day the credit (scaled) reached ``need``, walking the posts; it did by ``on``."""
    have, day = 0, since
    for i, (first, frontline) in enumerate(posts):
        stop = min(posts[i + 1][0] if i + 1 < len(posts) else on, on)
        for start, end, rate in ((day, max(day, min(first, on)), a),           # before any post: not front-line
                                 (max(first, day), stop, b if frontline else a)):
            if end > start:
                if have + (end - start).days * rate >= need:
                    return start + timedelta(days=_ceil_div(need - have, rate))
                have, day = have + (end - start).days * rate, end
    return on


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
            if (b := deferral_bar(d, cycles=policy.eligibility.deferral_cycles, calendar=calendar)).bars(period)] \
        if p.deferrals else []
    deferral_free = max(calendar.exam_date(b.free[kind]) for b in bars) if bars else None
    structural = False  # a reason that time alone will not cure
    if not p.professional:
        out.reasons.append(Reason("not_professional", "not in a professional-technical post"))
        structural = True
    if not p.active:
        out.reasons.append(Reason("not_active", "not active"))
        structural = True
    if p.grade is None:
        out.reasons.append(Reason("no_grade", "no grade yet (the first placement comes first)"))
        return _finish(out, structural=True, wait_end=None, deferral=deferral_free)
    g = p.grade
    tier_step = kind == "annual"
    wait_end = None
    if tier_step:
        target = ladder.tier_up(g)
        if target is None:
            out.reasons.append(Reason("top_of_ladder", "at the top of the ladder ({grade})", grade=str(g)))
            structural = True
        elif not ladder.is_top_of_tier(g):
            out.reasons.append(Reason("not_top_of_tier", "not at the top level of tier {tier} (holds {grade}; a tier step "
                                      "needs level {level})", tier=g.tier, grade=str(g), level=ladder.levels))
            structural = True
        out.exam_tier = target.tier if target else None
    else:
        target = ladder.level_up(g)
        if target is None:
            if ladder.tier_up(g) is None:
                out.reasons.append(Reason("top_of_ladder", "at the top of the ladder ({grade})", grade=str(g)))
            else:
                out.reasons.append(Reason("top_of_tier", "at the top level of tier {tier} ({grade}); the next step is "
                                          "the annual inter-tier exam", tier=g.tier, grade=str(g)))
            structural = True
        out.exam_tier = g.tier
    out.target = target
    if target is not None:
        required = policy.eligibility.title_requirements.get(str(target.tier)) if tier_step else None
        titles = policy.eligibility.titles
        if required and (p.title not in titles or titles.index(p.title) < titles.index(required)):
            out.reasons.append(Reason("title_below", "title {title} is below {required}, required for tier {tier}",
                                      title=p.title, required=required, tier=target.tier))
            structural = True
        needed = policy.eligibility.certificate_requirements.get(str(target.tier), []) if tier_step else []
        lacking = [c for c in needed if c not in p.certificates]
        if lacking:
            if len(lacking) > 1:
                out.reasons.append(Reason("lacks_certificates", "lacks the certificates {certificates}, required for "
                                          "tier {tier}", certificates=lacking, tier=target.tier))
            else:
                out.reasons.append(Reason("lacks_certificates", "lacks the certificate {certificates}, required for "
                                          "tier {tier}", certificates=lacking, tier=target.tier))
            structural = True
        if p.grade_since is not None:
            out.wait = credit = wait_credit(
                p.posts or ((p.grade_since, p.frontline),), since=p.grade_since, on=exam_date,
                months=wait_months(policy, tier_step=tier_step), share=policy.eligibility.frontline_share,
                frontline_now=p.frontline)
            wait_end = None if credit.met else credit.met_on
        if wait_end is not None:
            out.reasons.append(Reason("wait_not_met", "at {grade} since {since}: {credit} (met on {met_on} if the post "
                                      "held on {exam_date} continues)", grade=str(g), since=p.grade_since,
                                      credit=credit.describe(), met_on=wait_end, exam_date=exam_date))
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
