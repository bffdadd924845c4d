"""等级津贴: the monthly grade allowance, followed day by day, in exact money.

Amounts are integer fen. A month is cut into segments at every change (grade, table version,
front-line status, start or end of employment); a segment earns monthly amount × days / days in
the month, kept as an exact fraction. The month is rounded half up to the fen once per employee,
and the rounding is shared among the segments (largest remainder) so they add up to it exactly.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Callable, NamedTuple, Sequence

from gradecli.domain.ladder import Grade
from gradecli.domain.policy import Policy

FEN_PER_YUAN = 100


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def round_half_up(x: Fraction) -> int:
    """Half up for amounts ≥ 0 (clawbacks are differences of rounded months, never rounded)."""
    n, d = x.numerator, x.denominator
    return (2 * n + d) // (2 * d)


class Rate(NamedTuple):
    """The monthly amount of a grade under one table version, in fen."""

    version: int
    amount: int


class Segment(NamedTuple):
    """Days of a month with one grade, table version and front-line status (a named tuple: a
    payroll of 100,000 makes as many)."""

    start: date
    end: date  # inclusive
    grade: Grade
    version: int
    amount: int  # monthly grade amount, fen
    frontline: bool
    differential: int  # monthly differential, fen
    base_exact: Fraction = Fraction(0)
    diff_exact: Fraction = Fraction(0)
    total: int = 0  # fen, after the month's rounding was shared out

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class MonthLine:
    emp_no: str
    segments: list[Segment] = field(default_factory=list)
    base: int = 0
    differential: int = 0
    total: int = 0
    missing: list[tuple[date, Grade]] = field(default_factory=list)  # (from day, grade) with no table amount


def differential_for(amount: int, policy: Policy) -> int | Fraction:
    a = policy.allowance
    if a.frontline_mode == "fixed":
        return int(a.frontline_fixed_yuan * FEN_PER_YUAN)
    share = _share(a.frontline_share_percent)
    return Fraction(amount * share.numerator, share.denominator)


@functools.lru_cache(maxsize=8)
def _share(percent) -> Fraction:  # noqa: ANN001
    return Fraction(percent) / 100


def compute_month(*, emp_no: str, month: date, employed: tuple[date, date | None],
                  grades: Sequence[tuple[date, Grade | None]], frontline: Sequence[tuple[date, bool]],
                  rate: Callable[[date, Grade], Rate | None], version_starts: Sequence[date],
                  policy: Policy) -> MonthLine:
    """One employee's month.

    ``grades`` and ``frontline`` are (from date, value) steps in date order, the value in force
    from that date on (the first may lie before the month); ``rate(day, grade)`` gives the table
    amount in force that day; ``version_starts`` are the dates new table versions begin.
    """
    first, last = month_bounds(month)
    days_in_month = (last - first).days + 1
    start = max(first, employed[0])
    end = min(last, employed[1]) if employed[1] else last
    line = MonthLine(emp_no)
    if start > end:
        return line
    if (start == first and end == last and len(grades) and grades[-1][0] <= first
            and frontline and frontline[-1][0] <= first and not any(first < d <= last for d in version_starts)):
        return _whole_month(emp_no, first, last, grades[-1][1], bool(frontline[-1][1]), rate, policy)
    cuts = {start, end + timedelta(days=1)}
    cuts.update(d for d, _ in grades if start < d <= end)
    cuts.update(d for d, _ in frontline if start < d <= end)
    cuts.update(d for d in version_starts if start < d <= end)
    points = sorted(cuts)
    segs: list[Segment] = []
    for a, b in zip(points, points[1:]):
        g = _value_on(grades, a)
        if g is None:
            continue
        r = rate(a, g)
        if r is None:
            line.missing.append((a, g))
            continue
        fl = bool(_value_on(frontline, a))
        diff = differential_for(r.amount, policy) if fl else 0
        days = (b - a).days
        base_exact = Fraction(r.amount * days, days_in_month)
        diff_exact = Fraction(diff) * days / days_in_month
        seg = Segment(a, b - timedelta(days=1), g, r.version, r.amount, fl, round_half_up(Fraction(diff)),
                      base_exact, diff_exact)
        if segs and _same(segs[-1], seg):
            prev = segs.pop()
            seg = Segment(prev.start, seg.end, g, r.version, r.amount, fl, seg.differential,
                          prev.base_exact + base_exact, prev.diff_exact + diff_exact)
        segs.append(seg)
    base_exact = sum((s.base_exact for s in segs), Fraction(0))
    diff_exact = sum((s.diff_exact for s in segs), Fraction(0))
    line.total = round_half_up(base_exact + diff_exact)
    line.base = min(round_half_up(base_exact), line.total)
    line.differential = line.total - line.base
    line.segments = _share_rounding(segs, line.total)
    return line


def _whole_month(emp_no: str, first: date, last: date, g: Grade, fl: bool, rate, policy: Policy) -> MonthLine:  # noqa: ANN001
    """The common case, no change all month: the monthly amounts themselves — the same result as
    the general path, in integer arithmetic (a hundred thousand of these make a payroll)."""
    line = MonthLine(emp_no)
    r = rate(first, g)
    if r is None:
        line.missing.append((first, g))
        return line
    if fl:
        diff = differential_for(r.amount, policy)
        num, den = (diff.numerator, diff.denominator) if isinstance(diff, Fraction) else (diff, 1)
        total = (2 * (r.amount * den + num) + den) // (2 * den)  # half up
        shown = (2 * num + den) // (2 * den)
    else:
        diff, total, shown = 0, r.amount, 0
    line.base, line.total, line.differential = r.amount, total, total - r.amount
    line.segments = [Segment(first, last, g, r.version, r.amount, fl, shown, r.amount, diff, total)]
    return line


def _same(a: Segment, b: Segment) -> bool:
    return (a.grade, a.version, a.amount, a.frontline) == (b.grade, b.version, b.amount, b.frontline) \
        and a.end + timedelta(days=1) == b.start


def _value_on(steps, day: date):  # noqa: ANN001, ANN202
    value = None
    for d, v in steps:
        if d <= day:
            value = v
        else:
            break
    return value


def _share_rounding(segs: list[Segment], total: int) -> list[Segment]:
    """Segment totals in whole fen that add up to the month's total (largest remainder)."""
    exact = [s.base_exact + s.diff_exact for s in segs]
    floors = [e.numerator // e.denominator for e in exact]
    left = total - sum(floors)
    order = sorted(range(len(segs)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[:max(left, 0)]:
        floors[i] += 1
    return [Segment(s.start, s.end, s.grade, s.version, s.amount, s.frontline, s.differential, s.base_exact,
                    s.diff_exact, f) for s, f in zip(segs, floors)]


def day_by_day(*, month: date, employed: tuple[date, date | None], grades, frontline, rate, policy: Policy) -> Fraction:
    """The definition, one day at a time (slow; the tests hold compute_month to it)."""
    first, last = month_bounds(month)
    n = (last - first).days + 1
    total = Fraction(0)
    day = first
    while day <= last:
        if employed[0] <= day and (employed[1] is None or day <= employed[1]):
            g = _value_on(grades, day)
            r = rate(day, g) if g else None
            if r:
                total += Fraction(r.amount, n)
                if _value_on(frontline, day):
                    total += Fraction(differential_for(r.amount, policy)) / n
        day += timedelta(days=1)
    return total
