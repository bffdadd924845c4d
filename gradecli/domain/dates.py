"""Calendar arithmetic the rules need: whole months with month-end clamping."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """``d`` plus whole months; a day past the end of the target month becomes its last day
    (31 January + 1 month = 28 or 29 February)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def first_of_next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (counted the way add_months steps)."""
    n = (end.year - start.year) * 12 + end.month - start.month
    while n > 0 and add_months(start, n) > end:
        n -= 1
    return max(n, 0)
