"""Item analysis, test reliability, paper fairness and the pyramid projection: statistics on plain
numbers. Flags are reasons with a code (rendered in the run's language when shown)."""

from __future__ import annotations

import math
from decimal import Decimal
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, NamedTuple, Sequence, TypeVar

from gradecli.i18n import Reason

T = TypeVar("T")

DISCRIMINATION_LOW = 0.1  # below this an item hardly separates strong from weak candidates
FACILITY_GAP = 0.2  # observed facility this far from the bank's difficulty is flagged
FACILITY_JUMP = 0.25  # facility rising this much between sittings: a possible leak
MIN_FOR_FLAGS = 5  # responses needed before an item is flagged


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def variance(xs: Sequence[float]) -> float:
    """Sample variance (n − 1)."""
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


class Response(NamedTuple):
    """One candidate's score on one item (any 4-tuple in this order will do)."""

    candidate: Hashable
    item: Hashable
    earned: float
    points: float


@dataclass
class ItemStat:
    item: Hashable
    n: int
    facility: float  # mean share of the points earned
    discrimination: float | None  # correlation of the item with the rest of the paper
    flags: list[Reason] = field(default_factory=list)


def item_stats(responses: Iterable[tuple[Hashable, Hashable, float, float]]) -> list[ItemStat]:
    """Facility and discrimination of every item, as Moodle computes them: the discrimination is
    the correlation between the item's score and the candidate's score on the rest of the paper.
    ``responses`` are Response tuples (candidate, item, earned, points)."""
    totals: dict[Hashable, float] = defaultdict(float)
    by_item: dict[Hashable, list[tuple]] = defaultdict(list)
    for candidate, item, earned, points in responses:
        totals[candidate] += earned
        by_item[item].append((candidate, earned, points))
    out = []
    for item, rs in by_item.items():
        fac = mean([e / p for _, e, p in rs])
        disc = pearson([e for _, e, _ in rs], [totals[c] - e for c, e, _ in rs])
        out.append(ItemStat(item, len(rs), fac, disc))
    return out


def _two(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def flag(stat: ItemStat, *, bank_difficulty: float | None, earlier_facility: float | None) -> list[Reason]:
    if stat.n < MIN_FOR_FLAGS:
        return []
    flags = []
    if stat.discrimination is not None and stat.discrimination < 0:
        flags.append(Reason("negative_discrimination", "negative discrimination ({discrimination}): check the key",
                            discrimination=_two(stat.discrimination)))
    elif stat.discrimination is None or stat.discrimination < DISCRIMINATION_LOW:
        flags.append(Reason("low_discrimination", "near-zero discrimination: the item hardly separates candidates"))
    if bank_difficulty is not None and abs(stat.facility - bank_difficulty) > FACILITY_GAP:
        flags.append(Reason("facility_off_bank", "facility {facility} far from the bank's difficulty {difficulty}",
                            facility=_two(stat.facility), difficulty=_two(bank_difficulty)))
    if earlier_facility is not None and stat.facility - earlier_facility > FACILITY_JUMP:
        flags.append(Reason("facility_jump", "facility jumped from {before} to {after}: possible leak",
                            before=_two(earlier_facility), after=_two(stat.facility)))
    return flags


def quantile_groups(items: Sequence[T], key: Callable[[T], float], groups: int = 10) -> list[list[T]]:
    """The items sorted by ``key`` and cut into ``groups`` groups of as equal a size as can be
    (deciles by default; fewer groups when there are fewer items, none empty). The first groups
    take the one left over when the sizes cannot be equal."""
    ordered = sorted(items, key=key)
    k = min(groups, len(ordered))
    if k == 0:
        return []
    size, extra = divmod(len(ordered), k)
    out, at = [], 0
    for g in range(k):
        n = size + (1 if g < extra else 0)
        out.append(ordered[at:at + n])
        at += n
    return out


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """α = k/(k−1) · (1 − Σ item variances / variance of the totals); rows are candidates,
    columns the items (here: the question positions, which hold parallel items on every paper)."""
    if len(matrix) < 2 or not matrix[0]:
        return None
    k = len(matrix[0])
    if k < 2:
        return None
    items = [[row[j] for row in matrix] for j in range(k)]
    total_var = variance([sum(row) for row in matrix])
    if total_var == 0:
        return None
    return k / (k - 1) * (1 - sum(variance(col) for col in items) / total_var)


# ---------------------------------------------------------------- projection

def project(counts: Sequence[float], *, years: int, attrition: float, step_rates: Sequence[float]) -> list[list[float]]:
    """Tier headcounts year by year. Each year a share ``attrition`` of every tier leaves, then a
    share ``step_rates[t]`` of tier t moves up to tier t+1 (the top tier has none). Headcount is
    conserved apart from attrition; no hiring is assumed."""
    rows = [list(map(float, counts))]
    for _ in range(years):
        cur = [c * (1 - attrition) for c in rows[-1]]
        moves = [cur[t] * step_rates[t] if t < len(cur) - 1 else 0.0 for t in range(len(cur))]
        nxt = [cur[t] - moves[t] + (moves[t - 1] if t else 0.0) for t in range(len(cur))]
        rows.append(nxt)
    return rows
