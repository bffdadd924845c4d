"""Paper assembly (组卷): blueprints, the random draw with its caps, and the independent validator.

A paper is drawn section by section from the active questions of one tier (the family's bank plus
``common``), then repaired by swaps until it covers the required knowledge areas and its expected
score (Σ points × difficulty) lies in the target band. Every paper is checked by
``validate_paper``, which shares no code with the drawing, before anyone stores it.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import random
from collections import Counter
from operator import mul
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple, Sequence

from gradecli.domain.bank import CHOICE_TYPES, Question
from gradecli.domain.errors import Problem, RuleRefused
from gradecli.domain.policy import Policy

TOTAL_POINTS = 100
EPS = 1e-9
MAX_ATTEMPTS = 40
SITTING_RETRIES = 3
MAX_SWAPS = 400
SWAP_SAMPLE = 8
DRAW_BUDGET = 3  # random picks per question a section needs before it is drawn from its allowed questions
EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Section:
    type: str
    count: int
    points: int

    def label(self) -> str:
        return f"{self.type} × {self.points} points"


@dataclass(frozen=True)
class Blueprint:
    """组卷方案 for one tier: sections, expected-score band, areas, exposure and overlap caps."""

    tier: int
    sections: tuple[Section, ...]
    target: float | None
    tolerance: float
    required_areas: tuple[str, ...] = ()
    exposure_last: int = 0
    sitting_share: int = 100
    overlap_share: int = 100
    enemies: tuple[frozenset[str], ...] = ()

    @classmethod
    def from_policy(cls, policy: Policy, tier: int, kind: str | None = None, family: str | None = None) -> "Blueprint":
        """The blueprint for a tier, exam kind and post family: the family's settings where the
        policy has them ([blueprint.families.<family>]), the [blueprint] ones otherwise; the
        required areas are the common ones plus the family's."""
        bp = policy.blueprint
        specs = bp.sections_for(tier, kind, family)
        target = bp.expected_score(tier, family)
        return cls(
            tier=tier,
            sections=tuple(Section(s.type, s.count, s.points) for s in specs),
            target=float(target) if target is not None else None,
            tolerance=float(bp.tolerance),
            required_areas=tuple(bp.areas_for(family)),
            exposure_last=bp.exposure_last_papers,
            sitting_share=bp.exposure_sitting_share,
            overlap_share=bp.variant_overlap_share,
            enemies=tuple(frozenset(g) for g in bp.enemy_groups if len(g) > 1),
        )

    @property
    def size(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def band(self) -> tuple[float, float] | None:
        if self.target is None:
            return None
        return self.target - self.tolerance, self.target + self.tolerance

    @property
    def variant_band(self) -> tuple[float, float] | None:
        """Parallel variants aim at half the tolerance either side of the target, so any two lie
        within the tolerance of each other (SPEC §2: parallel papers must be fair)."""
        if self.target is None:
            return None
        return self.target - self.tolerance / 2, self.target + self.tolerance / 2

    def sitting_cap(self, papers: int) -> int | None:
        """Most papers of one sitting a question may appear in (None: no cap applies)."""
        if papers < 2 or self.sitting_share >= 100:
            return None
        return max(1, math.floor(papers * self.sitting_share / 100))

    def max_common(self, size: int | None = None) -> int:
        return math.floor((size or self.size) * self.overlap_share / 100)


class PaperItem(NamedTuple):
    """A question on a paper (a named tuple: 47 of them are made per paper, so cheap matters)."""

    question: Question
    order: tuple[int, ...] = ()  # shown position → original option index (choice questions)


@dataclass(frozen=True)
class Paper:
    tier: int
    family: str
    items: tuple[PaperItem, ...]
    seed: str
    variant: str | None = None

    @property
    def total(self) -> int:
        return sum(i.question.points for i in self.items)

    @property
    def expected(self) -> float:
        return sum(i.question.points * i.question.difficulty for i in self.items)

    def qids(self) -> set[str]:
        return {i.question.qid for i in self.items}


def pool_for(questions: Iterable[Question], tier: int, family: str) -> list[Question]:
    """The active questions a paper for (tier, family) may use, in a stable order."""
    fams = {family, "common"}
    return sorted((q for q in questions if q.active and q.tier == tier and q.family in fams), key=lambda q: q.qid)


def family_label(family: str) -> str:
    return "common" if family == "common" else f"{family}+common"


def no_bank(family: str, tier: int) -> str:
    """Why a family's paper cannot be drawn at all, and what to do about it."""
    return (f"no question bank for {family} tier {tier}: add question_bank/{family}/tier-{tier}.yaml "
            "or import a sheet from `gradecli bank template`")


# ---------------------------------------------------------------- feasibility

def shortfalls(pool: Sequence[Question], bp: Blueprint, *, family: str, papers: int = 1,
               variants: int = 0) -> list[str]:
    """Why a request cannot be met, before anything is drawn or written (empty when it can)."""
    out: list[str] = []
    where = f"tier {bp.tier}, {family_label(family)}"
    if not bp.sections:
        total = sum(q.points for q in pool)
        if total < TOTAL_POINTS:
            out.append(f"{where}: active questions total {total} points, {TOTAL_POINTS} needed")
        return out
    by_section = _section_pools(pool, bp)
    lo = hi = 0.0
    for sec, qs in by_section.items():
        if len(qs) < sec.count:
            out.append(f"{where}, {sec.label()}: {len(qs)} active questions, {sec.count} needed")
            continue
        diffs = sorted(q.difficulty for q in qs)
        lo += sec.points * sum(diffs[:sec.count])
        hi += sec.points * sum(diffs[-sec.count:])
        cap = bp.sitting_cap(papers)
        if cap is not None and len(qs) * cap < papers * sec.count:
            most = len(qs) * cap // sec.count if cap else 0
            out.append(f"{where}, {sec.label()}: {len(qs)} active questions allow about {most} papers in one "
                       f"sitting under the {bp.sitting_share} % cap, {papers} asked")
        if variants > 1:
            need = sec.count + math.ceil((variants - 1) * (sec.count - bp.max_common(sec.count)))
            if len(qs) < min(need, sec.count * variants):
                out.append(f"{where}, {sec.label()}: {len(qs)} active questions are too few for {variants} "
                           f"variants sharing at most {bp.overlap_share} % of their questions")
    band = bp.band
    if band and not out:
        if hi < band[0] - EPS:
            out.append(f"expected score band {band[0]:g}–{band[1]:g} unreachable: the easiest possible paper scores {hi:.1f}")
        elif lo > band[1] + EPS:
            out.append(f"expected score band {band[0]:g}–{band[1]:g} unreachable: the hardest possible paper scores {lo:.1f}")
    have = {a for q in pool for a in q.areas}
    for area in bp.required_areas:
        if area not in have:
            out.append(f"{where}: knowledge area {area!r} has no active question")
    return out


def _section_pools(pool: Sequence[Question], bp: Blueprint) -> dict[Section, list[Question]]:
    return {s: [q for q in pool if q.type == s.type and q.points == s.points] for s in bp.sections}


# ---------------------------------------------------------------- drawing

@dataclass
class DrawState:
    """What the draws of one sitting share: how often each question was used, and the variants so far."""

    papers: int = 1
    usage: Counter = field(default_factory=Counter)
    variants: list[set[str]] = field(default_factory=list)
    variant_expected: list[float] = field(default_factory=list)
    capped: set[str] = field(default_factory=set)  # questions that reached the sitting cap
    drawn: int = 0  # papers recorded so far

    def record(self, paper: "Paper", cap: int | None) -> None:
        qids = [item.question.qid for item in paper.items]
        usage = self.usage
        usage.update(qids)
        self.drawn += 1
        if cap is not None and self.drawn >= cap:  # before `cap` papers no question can reach it
            self.capped.update([q for q in qids if usage[q] >= cap])
        if paper.variant is not None:
            self.variants.append(set(qids))
            self.variant_expected.append(paper.expected)


_new_item = tuple.__new__  # PaperItem(q, o) without the Python-level __new__: 47 are made per paper


def _orders_of(q: Question) -> Sequence[tuple[int, ...]]:
    """The option orders a question can be shown in (one, empty, for non-choice questions): a
    uniform draw from them is a uniformly random shuffle of its options."""
    return _orders(len(q.options)) if q.type in CHOICE_TYPES else _NO_ORDER


_NO_ORDER = ((),)


Exclusions = tuple[set[str] | frozenset[str], set[str] | frozenset[str], set[str] | frozenset[str]]


class Assembler:
    """Draws papers for one tier and family under one blueprint.

    A drawn paper is a list of items (question + option order) in section order."""

    def __init__(self, questions: Sequence[Question], bp: Blueprint, family: str):
        self.bp = bp
        self.family = family
        self.pool = pool_for(questions, bp.tier, family)
        self.sections = _section_pools(self.pool, bp)
        self.enemy_of: dict[str, set[str]] = {}
        for group in bp.enemies:
            for q in group:
                self.enemy_of.setdefault(q, set()).update(group - {q})
        # the required knowledge areas as bits: a question's mask holds the required areas it covers
        self.area_bit = {a: 1 << n for n, a in enumerate(dict.fromkeys(bp.required_areas))}
        self.all_areas = sum(self.area_bit.values())
        # per section, in step: the question ids, the questions, their option orders, expected
        # points and area masks (what a draw indexes; plain lists keep the hot loop cache-friendly)
        self.drawable = [([q.qid for q in qs], qs, [_orders_of(q) for q in qs], [s.points * q.difficulty for q in qs],
                          [self._mask(q) for q in qs])
                         for s, qs in self.sections.items()]
        self.offsets = []  # where each section starts in a drawn paper (sections are drawn in order)
        at = 0
        for sec in bp.sections:
            self.offsets.append(range(at, at + sec.count))
            at += sec.count
        weights = [s.points * s.count for s in bp.sections]
        self.cum_weights = list(itertools.accumulate(weights))

    def _mask(self, q: Question) -> int:
        bits = 0
        for a in q.areas:
            bits |= self.area_bit.get(a, 0)
        return bits

    def check(self, papers: int = 1, variants: int = 0) -> None:
        problems = shortfalls(self.pool, self.bp, family=self.family, papers=papers, variants=variants)
        if problems:
            raise RuleRefused(problems=[Problem("", p) for p in problems])

    def draw(self, rng: random.Random, *, seed: str, state: DrawState, avoid: set[str] | frozenset[str] = EMPTY,
             variant: str | None = None) -> Paper:
        """One paper; raises RuleRefused when no valid paper turns up within the attempts."""
        cap = self.bp.sitting_cap(state.papers)
        soft = set().union(*state.variants) if variant is not None else EMPTY
        band = self.bp.variant_band if variant is not None else self.bp.band
        last: list[str] = []
        for attempt in range(MAX_ATTEMPTS):
            # The first attempts keep away from earlier variants entirely; later ones allow the
            # overlap the policy permits and leave it to the validator.
            exclude = (avoid, state.capped, soft if attempt < MAX_ATTEMPTS // 2 else EMPTY)
            if self.bp.sections:
                drawn = self._draw_sections(rng, exclude)
                items = self._repair(rng, *drawn, exclude, band) if drawn else None
            else:
                items = self._draw_free(rng, exclude)
            if items is None:
                continue
            paper = Paper(self.bp.tier, self.family, tuple(items), seed, variant)
            last = validate_paper(paper, self.bp, avoid=avoid, usage=state.usage, cap=cap,
                                  others=state.variants if variant else [],
                                  peers=state.variant_expected if variant else ())
            if not last:
                state.record(paper, cap)
                return paper
        raise RuleRefused(problems=[Problem("", f"tier {self.bp.tier}, {family_label(self.family)}: no valid paper after "
                                       f"{MAX_ATTEMPTS} attempts; last problems: {'; '.join(last[:3]) or 'too few questions left'}"
                                       " — add questions, or relax the caps in the policy")])

    def _allowed(self, q: Question, exclude: Exclusions, taken: set[str]) -> bool:
        qid = q.qid
        recent, capped, soft = exclude
        if qid in taken or qid in recent or qid in capped or qid in soft:
            return False
        if self.enemy_of:
            enemies = self.enemy_of.get(qid)
            return not (enemies and not enemies.isdisjoint(taken))
        return True

    @staticmethod
    def _item(rng: random.Random, q: Question) -> PaperItem:
        """The question with a uniformly random order of its options."""
        orders = _orders_of(q)
        return _new_item(PaperItem, (q, orders[int(rng.random() * len(orders))]))

    def _draw_sections(self, rng: random.Random, exclude: Exclusions
                       ) -> tuple[list[PaperItem], set[str], float, int] | None:
        """Each section's questions drawn at random from the allowed ones; returns the items in
        section order, their question ids, the paper's expected score and the required areas it
        covers (None: a section ran out).

        A pick is a uniform random index; an excluded or repeated pick is drawn again, so each
        question taken is uniform among those still allowed (as random.sample would give, at a
        fraction of the cost), and its option order is a second uniform index into its items.
        When a section is mostly excluded the picks would rarely hit, so after a budget of tries
        the rest is sampled from the section's allowed questions."""
        recent, capped, soft = exclude
        rnd, enemy_of = rng.random, self.enemy_of
        chosen: list[PaperItem] = []
        taken: set[str] = set()
        expected, covered = 0.0, 0
        for sec, (qids, qs, orders, weights, masks) in zip(self.bp.sections, self.drawable):
            n, need = len(qids), sec.count
            for _ in range(sec.count * DRAW_BUDGET + 8 if n else 0):
                k = int(rnd() * n)
                qid = qids[k]
                if qid in taken or qid in recent or qid in capped or qid in soft:
                    continue
                if enemy_of and (en := enemy_of.get(qid)) and not en.isdisjoint(taken):
                    continue
                o = orders[k]
                chosen.append(_new_item(PaperItem, (qs[k], o[int(rnd() * len(o))])))
                taken.add(qid)
                expected += weights[k]
                covered |= masks[k]
                need -= 1
                if not need:
                    break
            if need:
                rest = [q for q in qs if self._allowed(q, exclude, taken)]
                if len(rest) < need:
                    return None
                for q in rng.sample(rest, need):
                    if not self._allowed(q, exclude, taken):  # an enemy of one taken just before
                        return None
                    chosen.append(self._item(rng, q))
                    taken.add(q.qid)
                    expected += sec.points * q.difficulty
                    covered |= self._mask(q)
        return chosen, taken, expected, covered

    def _draw_free(self, rng: random.Random, exclude: Exclusions) -> list[PaperItem] | None:
        """No blueprint: a random set of active questions totalling exactly 100 points."""
        order = [q for q in self.pool if self._allowed(q, exclude, set())]
        rng.shuffle(order)
        chosen, taken, total = [], set(), 0
        for q in order:
            if total + q.points <= TOTAL_POINTS and self._allowed(q, exclude, taken):
                chosen.append(q)
                taken.add(q.qid)
                total += q.points
            if total == TOTAL_POINTS:
                break
        else:
            # Exact fill: drop the last few and complete with a subset-sum over the unused questions.
            while chosen and total > TOTAL_POINTS - 30:
                total -= chosen.pop().points
            taken = {q.qid for q in chosen}
            fill = _subset_sum([q for q in order if self._allowed(q, exclude, taken)], TOTAL_POINTS - total)
            if fill is None:
                return None
            chosen += fill
        return [self._item(rng, q) for q in chosen]

    def _repair(self, rng: random.Random, chosen: list[PaperItem], taken: set[str], expected: float, covered: int,
                exclude: Exclusions, band: tuple[float, float] | None) -> list[PaperItem]:
        """Swap questions within their sections until the areas are covered and the score is in band."""
        required = self.bp.required_areas
        lo, hi = (band[0] - EPS, band[1] + EPS) if band else (-math.inf, math.inf)
        if covered == self.all_areas and lo <= expected <= hi:
            return chosen  # the common case: nothing to repair
        missing = [a for a in required if not covered & self.area_bit[a]]
        carriers = Counter(itertools.chain.from_iterable([item[0].areas for item in chosen]))
        allowed, enemy_of = self._allowed, self.enemy_of
        recent, capped, soft = exclude

        def swap(i: int, new: Question) -> None:
            old = chosen[i][0]
            taken.discard(old.qid)
            taken.add(new.qid)
            carriers.subtract(old.areas)
            carriers.update(new.areas)
            chosen[i] = self._item(rng, new)

        def sole_carrier(q: Question) -> bool:
            return any(carriers[a] == 1 for a in q.areas if a in required)

        for area in missing:
            if carriers[area] > 0:
                continue
            options = [(k, q) for k, sec in enumerate(self.bp.sections) for q in self.sections[sec]
                       if area in q.areas and allowed(q, exclude, taken)]
            rng.shuffle(options)
            for k, new in options:
                slots = [i for i in self.offsets[k] if not sole_carrier(chosen[i][0])]
                if slots:
                    swap(rng.choice(slots), new)
                    break
        if band is None:
            return chosen
        if missing:  # the area swaps changed the score
            expected = sum(item[0].points * item[0].difficulty for item in chosen)
        target = (band[0] + band[1]) / 2
        rnd, sections, cum = rng.random, self.bp.sections, self.cum_weights
        top = cum[-1]
        free: dict[int, list[Question]] = {}
        for _ in range(MAX_SWAPS):
            if lo <= expected <= hi:
                break
            too_hard = expected < target
            k = bisect.bisect_right(cum, rnd() * top)
            sec, slots = sections[k], self.offsets[k]
            # of three random slots, give up the one furthest in the wrong direction
            i = slots[int(rnd() * len(slots))]
            for _ in range(2):
                j = slots[int(rnd() * len(slots))]
                if (chosen[j][0].difficulty < chosen[i][0].difficulty) == too_hard:
                    i = j
            old = chosen[i][0]
            if required and sole_carrier(old):
                continue
            pool = free.get(k) or self.sections[sec]
            best, best_gap, seen_allowed = None, abs(expected - target), False
            base = expected - sec.points * old.difficulty - target
            for _ in range(SWAP_SAMPLE):
                new = pool[int(rnd() * len(pool))]
                qid = new.qid
                if (qid in taken or qid in recent or qid in capped or qid in soft
                        or enemy_of and not allowed(new, exclude, taken)):
                    continue
                seen_allowed = True
                gap = abs(base + sec.points * new.difficulty)
                if gap < best_gap:
                    best, best_gap = new, gap
            if not seen_allowed and k not in free:
                # most of this section is excluded (recent papers, sitting cap): probe only what is left
                free[k] = [q for q in self.sections[sec] if allowed(q, exclude, taken)] or self.sections[sec]
            if best is not None:
                expected += sec.points * (best.difficulty - old.difficulty)
                swap(i, best)
        return chosen


_PRECOMPUTED_UP_TO = 6  # 720 orders; beyond that the table would be larger than it is worth


@functools.lru_cache(maxsize=None)
def _orders(n: int) -> tuple[tuple[int, ...], ...]:
    """Every order of n options (a draw from it is a uniformly random shuffle)."""
    if n > _PRECOMPUTED_UP_TO:
        return _LargeOrders(n)
    return tuple(itertools.permutations(range(n)))


@functools.lru_cache(maxsize=None)
def _ranks(n: int) -> dict[tuple[int, ...], int]:
    return {o: i for i, o in enumerate(_orders(n))}


def order_rank(order: Sequence[int]) -> int:
    """The option order's place among all orders of its options, lexicographic from 0 (how a
    stored paper records it; 0 for a question without options): ``order_at(q, order_rank(o)) == o``."""
    if len(order) <= _PRECOMPUTED_UP_TO:
        return _ranks(len(order))[tuple(order)]
    rank, left = 0, list(range(len(order)))
    for x in order:  # Lehmer code, as _LargeOrders reads it back
        i = left.index(x)
        rank = rank * len(left) + i
        del left[i]
    return rank


def order_at(q: Question, rank: int) -> tuple[int, ...]:
    """The option order stored as ``rank`` for this question (one shared tuple per order)."""
    return _orders_of(q)[rank]


class _LargeOrders(tuple):
    """For 7 or 8 options: behaves like the table of all orders without building it."""

    def __new__(cls, n: int):  # noqa: ANN204
        obj = super().__new__(cls, ())
        obj.n = n
        return obj

    def __len__(self) -> int:
        return math.factorial(self.n)

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, index: int) -> tuple[int, ...]:
        """The index-th permutation in lexicographic order (Lehmer code)."""
        items, out = list(range(self.n)), []
        for k in range(self.n, 0, -1):
            f = math.factorial(k - 1)
            pos, index = divmod(index, f)
            out.append(items.pop(pos))
        return tuple(out)


def _subset_sum(questions: list[Question], target: int) -> list[Question] | None:
    reach: dict[int, tuple[int, ...]] = {0: ()}
    for i, q in enumerate(questions):
        for s, path in list(reach.items()):
            t = s + q.points
            if t <= target and t not in reach:
                reach[t] = path + (i,)
        if target in reach:
            return [questions[j] for j in reach[target]]
    return None


# ---------------------------------------------------------------- the independent validator

_PERMUTATIONS = frozenset(itertools.chain.from_iterable(itertools.permutations(range(n)) for n in range(7)))


def _is_permutation(order: tuple[int, ...], n: int) -> bool:
    return len(order) == n and sorted(order) == list(range(n))


def _in_sections(types: Sequence[str], points: Sequence[int], sections: Sequence[Section]) -> bool:
    """The paper holds exactly the blueprint's sections, one after the other, in their order."""
    at = 0
    for sec in sections:
        end = at + sec.count
        if types[at:end].count(sec.type) != sec.count or points[at:end].count(sec.points) != sec.count:
            return False
        at = end
    return at == len(types)


def validate_paper(paper: Paper, bp: Blueprint, *, avoid: Iterable[str] = (), usage: Counter | None = None,
                   cap: int | None = None, others: Sequence[set[str]] = (), peers: Sequence[float] = ()) -> list[str]:
    """Everything a stored paper must satisfy, checked from the paper itself. Empty when valid.

    Each check runs over a whole column of the paper (ids, tiers, points, ...) at once; the per-item
    messages are only worked out when a check fails."""
    problems: list[str] = []
    qs, orders = zip(*paper.items) if paper.items else ((), ())
    ids = [q.qid for q in qs]
    tiers = [q.tier for q in qs]
    families = [q.family for q in qs]
    statuses = [q.status for q in qs]
    types = [q.type for q in qs]
    points = [q.points for q in qs]
    diffs = [q.difficulty for q in qs]
    areas = [q.areas for q in qs]
    options = [q.options for q in qs]
    if set(tiers) - {paper.tier}:
        problems += [f"{q.qid} is a tier-{q.tier} question on a tier-{paper.tier} paper" for q in qs if q.tier != paper.tier]
    if set(families) - {paper.family, "common"}:
        problems += [f"{q.qid} belongs to {q.family}, not {family_label(paper.family)}"
                     for q in qs if q.family not in (paper.family, "common")]
    if set(statuses) - {"active"}:
        problems += [f"{q.qid} is retired" for q in qs if q.status != "active"]
    # a choice question's order is a permutation of its options; other types have no options, no order
    if list(map(len, orders)) != list(map(len, options)) or not _PERMUTATIONS.issuperset(orders):
        problems += [f"{q.qid}: option order {o} is not a permutation of its options"
                     for q, o in zip(qs, orders) if not _is_permutation(o, len(q.options))]
    total = sum(points)
    if total != TOTAL_POINTS:
        problems.append(f"paper totals {total} points, not {TOTAL_POINTS}")
    id_set = set(ids)
    if len(id_set) != len(ids):
        repeated = sorted(q for q, n in Counter(ids).items() if n > 1)
        problems.append(f"questions appear twice: {', '.join(repeated)}")
    if bp.sections and not _in_sections(types, points, bp.sections):
        counts = Counter(zip(types, points))
        wrong = [f"section {sec.label()}: {got} questions, {sec.count} required"
                 for sec in bp.sections if (got := counts.pop((sec.type, sec.points), 0)) != sec.count]
        wrong += [f"{n} questions of {t} × {p} points are in no section" for (t, p), n in counts.items()]
        problems += wrong or ["the questions are not in the order of the blueprint's sections"]
    band = bp.band
    e = sum(map(mul, points, diffs))
    if band and not band[0] - EPS <= e <= band[1] + EPS:
        problems.append(f"expected score {e:.2f} is outside {band[0]:g}–{band[1]:g}")
    for n, other in enumerate(peers, 1):
        if abs(e - other) > bp.tolerance + EPS:
            problems.append(f"expected score {e:.2f} is more than {bp.tolerance:g} from variant {n}'s {other:.2f}: "
                            "parallel papers must be fair")
    covered = set(itertools.chain.from_iterable(areas))
    if not covered.issuperset(bp.required_areas):
        missing = [a for a in bp.required_areas if a not in covered]
        problems.append(f"knowledge areas not covered: {', '.join(missing)}")
    reused = sorted(id_set.intersection(avoid))
    if reused:
        problems.append(f"questions from the candidate's recent papers: {', '.join(reused)}")
    if usage is not None and cap is not None and ids and max(map(usage.get, ids, itertools.repeat(0))) >= cap:
        over = sorted(q for q in ids if usage.get(q, 0) >= cap)
        problems.append(f"questions over the sitting cap of {cap} papers: {', '.join(over)}")
    limit = bp.max_common(len(ids))
    for n, other in enumerate(others, 1):
        common = len(id_set & other)
        if common > limit:
            problems.append(f"shares {common} questions with variant {n}, at most {limit} allowed")
    for group in bp.enemies:
        together = sorted(group & id_set)
        if len(together) > 1:
            problems.append(f"questions that must not appear together: {', '.join(together)}")
    return problems


# ---------------------------------------------------------------- a sitting

def variant_label(n: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n] if n < 26 else f"V{n + 1}"


def assemble_sitting(questions: Sequence[Question], bp: Blueprint, family: str, seed: str, *,
                     count: int = 0, variants: int = 0,
                     histories: Sequence[set[str]] | None = None) -> list[Paper]:
    """Draw every paper of one sitting: ``count`` individual papers (``histories`` gives, per paper,
    the questions of that candidate's recent papers to avoid) or ``variants`` shared variants.
    Refuses before drawing when the bank cannot meet the request; the same seed and bank give the
    same papers."""
    assembler = Assembler(questions, bp, family)
    n = variants or count
    if n < 1:
        raise RuleRefused("ask for at least one paper (--count K or --variants K)")
    assembler.check(papers=1 if variants else n, variants=variants)
    for retry in range(SITTING_RETRIES):
        # A tight bank can leave the last papers of a sitting no valid choice; the whole sitting
        # is then drawn again from a derived seed (still the same papers for the same seed).
        state = DrawState(papers=1 if variants else n)
        rng = random.Random(f"{seed}|{bp.tier}|{family}" + (f"|retry{retry}" if retry else ""))
        papers = []
        try:
            for i in range(n):
                avoid = histories[i] if histories and i < len(histories) else EMPTY
                if not isinstance(avoid, (set, frozenset)):
                    avoid = set(avoid)
                papers.append(assembler.draw(rng, seed=f"{seed}|{i}", state=state, avoid=avoid,
                                             variant=variant_label(i) if variants else None))
            return papers
        except RuleRefused:
            if retry == SITTING_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def shown_answer(question: Question, order: tuple[int, ...]) -> object:
    """The answer as the candidate sees it: choice letters after the options were shuffled."""
    from gradecli.domain.bank import LETTERS

    if question.type not in CHOICE_TYPES or not order:
        return question.answer
    shown = {orig: pos for pos, orig in enumerate(order)}
    return "".join(sorted(LETTERS[shown[LETTERS.index(c)]] for c in question.answer))
