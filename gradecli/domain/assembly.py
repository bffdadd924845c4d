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
SAMPLE_MARGIN = 4  # extra questions drawn per section to skip excluded ones without a second pass


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
    def from_policy(cls, policy: Policy, tier: int, kind: str | None = None) -> "Blueprint":
        bp = policy.blueprint
        specs = bp.sections_for(tier, kind)
        target = bp.expected_scores.get(str(tier))
        return cls(
            tier=tier,
            sections=tuple(Section(s.type, s.count, s.points) for s in specs),
            target=float(target) if target is not None else None,
            tolerance=float(bp.tolerance),
            required_areas=tuple(bp.required_areas),
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

    def record(self, paper: "Paper", cap: int | None) -> None:
        for item in paper.items:
            qid = item.question.qid
            self.usage[qid] += 1
            if cap is not None and self.usage[qid] >= cap:
                self.capped.add(qid)
        if paper.variant is not None:
            self.variants.append(paper.qids())
            self.variant_expected.append(paper.expected)


class Assembler:
    """Draws papers for one tier and family under one blueprint."""

    def __init__(self, questions: Sequence[Question], bp: Blueprint, family: str):
        self.bp = bp
        self.family = family
        self.pool = pool_for(questions, bp.tier, family)
        self.sections = _section_pools(self.pool, bp)
        self.enemy_of: dict[str, set[str]] = {}
        for group in bp.enemies:
            for q in group:
                self.enemy_of.setdefault(q, set()).update(group - {q})
        # option orders to draw from, per question (None: not a choice question)
        self.orders = {q.qid: _orders(len(q.options)) if q.type in CHOICE_TYPES else None for q in self.pool}
        self.offsets = []  # where each section starts in a drawn paper (sections are drawn in order)
        at = 0
        for sec in bp.sections:
            self.offsets.append(range(at, at + sec.count))
            at += sec.count
        weights = [s.points * s.count for s in bp.sections]
        self.cum_weights = list(itertools.accumulate(weights))

    def check(self, papers: int = 1, variants: int = 0) -> None:
        problems = shortfalls(self.pool, self.bp, family=self.family, papers=papers, variants=variants)
        if problems:
            raise RuleRefused(problems=[Problem("", p) for p in problems])

    def draw(self, rng: random.Random, *, seed: str, state: DrawState, avoid: set[str] = frozenset(),
             variant: str | None = None) -> Paper:
        """One paper; raises RuleRefused when no valid paper turns up within the attempts."""
        cap = self.bp.sitting_cap(state.papers)
        soft = set().union(*state.variants) if variant is not None else set()
        last: list[str] = []
        for attempt in range(MAX_ATTEMPTS):
            # The first attempts keep away from earlier variants entirely; later ones allow the
            # overlap the policy permits and leave it to the validator.
            exclude = (avoid, state.capped, soft) if soft and attempt < MAX_ATTEMPTS // 2 else (avoid, state.capped)
            chosen = self._draw_sections(rng, exclude) if self.bp.sections else self._draw_free(rng, exclude)
            if chosen is None:
                continue
            band = self.bp.variant_band if variant is not None else self.bp.band
            chosen = self._repair(rng, chosen, exclude, band)
            rnd, orders = rng.random, self.orders
            items = tuple([PaperItem(q, t[int(rnd() * len(t))]) if (t := orders[q.qid]) else PaperItem(q)
                           for q in chosen])
            paper = Paper(self.bp.tier, self.family, items, seed, variant)
            last = validate_paper(paper, self.bp, avoid=avoid, usage=state.usage, cap=cap,
                                  others=state.variants if variant else [],
                                  peers=state.variant_expected if variant else ())
            if not last:
                state.record(paper, cap)
                return paper
        raise RuleRefused(problems=[Problem("", f"tier {self.bp.tier}, {family_label(self.family)}: no valid paper after "
                                       f"{MAX_ATTEMPTS} attempts; last problems: {'; '.join(last[:3]) or 'too few questions left'}"
                                       " — add questions, or relax the caps in the policy")])

    def _allowed(self, q: Question, exclude: tuple[set[str], ...], taken: set[str]) -> bool:
        qid = q.qid
        if qid in taken:
            return False
        for ex in exclude:
            if qid in ex:
                return False
        if self.enemy_of:
            enemies = self.enemy_of.get(qid)
            return not (enemies and enemies & taken)
        return True

    def _draw_sections(self, rng: random.Random, exclude: tuple[set[str], ...]) -> list[Question] | None:
        if not self.enemy_of and len(exclude) == 2:
            fast = self._draw_sections_plain(rng, *exclude)
            if fast is not None:
                return fast
        chosen: list[Question] = []
        taken: set[str] = set()
        for sec in self.bp.sections:
            qs = self.sections[sec]
            picked: list[Question] = []
            for q in rng.sample(qs, min(len(qs), sec.count + SAMPLE_MARGIN)):
                if self._allowed(q, exclude, taken):
                    picked.append(q)
                    taken.add(q.qid)
                    if len(picked) == sec.count:
                        break
            if len(picked) < sec.count:  # many exclusions: look through the whole section
                rest = [q for q in qs if self._allowed(q, exclude, taken)]
                need = sec.count - len(picked)
                if len(rest) < need:
                    return None
                for q in rng.sample(rest, need):
                    if not self._allowed(q, exclude, taken):
                        return None
                    picked.append(q)
                    taken.add(q.qid)
            chosen += picked
        return chosen

    def _draw_sections_plain(self, rng: random.Random, a: set[str], b: set[str]) -> list[Question] | None:
        """The common case (no enemy groups, no variants): a sample per section, minus exclusions;
        None sends the draw to the general path when too much of a section is excluded."""
        chosen: list[Question] = []
        for sec in self.bp.sections:
            qs = self.sections[sec]
            picked = [q for q in rng.sample(qs, min(len(qs), sec.count + SAMPLE_MARGIN))
                      if q.qid not in a and q.qid not in b]
            if len(picked) < sec.count:
                return None
            chosen += picked[:sec.count]
        return chosen

    def _draw_free(self, rng: random.Random, exclude: tuple[set[str], ...]) -> list[Question] | None:
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
                return chosen
        # Exact fill: drop the last few and complete with a subset-sum over the unused questions.
        while chosen and total > TOTAL_POINTS - 30:
            total -= chosen.pop().points
        taken = {q.qid for q in chosen}
        fill = _subset_sum([q for q in order if self._allowed(q, exclude, taken)], TOTAL_POINTS - total)
        return chosen + fill if fill is not None else None

    def _repair(self, rng: random.Random, chosen: list[Question], exclude: tuple[set[str], ...],
                band: tuple[float, float] | None) -> list[Question]:
        """Swap questions within their sections until the areas are covered and the score is in band."""
        if not self.bp.sections:
            return chosen
        chosen = list(chosen)
        taken = {q.qid for q in chosen}
        required = self.bp.required_areas
        carriers = dict.fromkeys(required, 0)
        for q in chosen:
            for a in q.areas:
                if a in carriers:
                    carriers[a] += 1
        allowed = self._allowed

        def swap(i: int, new: Question) -> None:
            old = chosen[i]
            taken.discard(old.qid)
            taken.add(new.qid)
            for a in old.areas:
                if a in carriers:
                    carriers[a] -= 1
            for a in new.areas:
                if a in carriers:
                    carriers[a] += 1
            chosen[i] = new

        def sole_carrier(q: Question) -> bool:
            return any(carriers.get(a) == 1 for a in q.areas)

        for area in required:
            if carriers[area]:
                continue
            options = [(k, q) for k, sec in enumerate(self.bp.sections) for q in self.sections[sec]
                       if area in q.areas and allowed(q, exclude, taken)]
            rng.shuffle(options)
            for k, new in options:
                slots = [i for i in self.offsets[k] if not sole_carrier(chosen[i])]
                if slots:
                    swap(rng.choice(slots), new)
                    break
        if band is None:
            return chosen
        lo, hi, target = band[0] - EPS, band[1] + EPS, (band[0] + band[1]) / 2
        expected = sum(q.points * q.difficulty for q in chosen)
        if lo <= expected <= hi:
            return chosen
        rnd, sections, cum = rng.random, self.bp.sections, self.cum_weights
        top = cum[-1]
        free: dict[int, list[Question]] = {}
        for _ in range(MAX_SWAPS):
            if lo <= expected <= hi:
                break
            too_hard = expected < target
            k = bisect.bisect_right(cum, rnd() * top)
            sec, slots = sections[k], self.offsets[k]
            # of a few random slots, give up the one furthest in the wrong direction
            picks = [slots[int(rnd() * len(slots))] for _ in range(3)]
            i = min(picks, key=lambda j: chosen[j].difficulty) if too_hard else max(picks, key=lambda j: chosen[j].difficulty)
            old = chosen[i]
            if required and sole_carrier(old):
                continue
            pool = free.get(k) or self.sections[sec]
            best, best_gap, seen_allowed = None, abs(expected - target), False
            base = expected - sec.points * old.difficulty - target
            for _ in range(SWAP_SAMPLE):
                new = pool[int(rnd() * len(pool))]
                if not allowed(new, exclude, taken):
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

@functools.lru_cache(maxsize=None)
def _all_positions(n: int) -> frozenset[int]:
    return frozenset(range(n))


def validate_paper(paper: Paper, bp: Blueprint, *, avoid: Iterable[str] = (), usage: Counter | None = None,
                   cap: int | None = None, others: Sequence[set[str]] = (), peers: Sequence[float] = ()) -> list[str]:
    """Everything a stored paper must satisfy, checked from the paper itself. Empty when valid."""
    problems: list[str] = []
    qs = [i.question for i in paper.items]
    total = 0
    ids = []
    counts: dict[tuple[str, int], int] = {}
    for item in paper.items:
        q = item.question
        total += q.points
        ids.append(q.qid)
        key = (q.type, q.points)
        counts[key] = counts.get(key, 0) + 1
        if q.tier != paper.tier:
            problems.append(f"{q.qid} is a tier-{q.tier} question on a tier-{paper.tier} paper")
        if q.family != paper.family and q.family != "common":
            problems.append(f"{q.qid} belongs to {q.family}, not {family_label(paper.family)}")
        if q.status != "active":
            problems.append(f"{q.qid} is retired")
        if q.type in CHOICE_TYPES:
            n = len(q.options)
            if len(item.order) != n or set(item.order) != _all_positions(n):
                problems.append(f"{q.qid}: option order {item.order} is not a permutation of its options")
    if total != TOTAL_POINTS:
        problems.append(f"paper totals {total} points, not {TOTAL_POINTS}")
    id_set = set(ids)
    if len(id_set) != len(ids):
        repeated = sorted(q for q in id_set if ids.count(q) > 1)
        problems.append(f"questions appear twice: {', '.join(repeated)}")
    if bp.sections:
        for sec in bp.sections:
            got = counts.pop((sec.type, sec.points), 0)
            if got != sec.count:
                problems.append(f"section {sec.label()}: {got} questions, {sec.count} required")
        for (t, p), n in counts.items():
            problems.append(f"{n} questions of {t} × {p} points are in no section")
    band = bp.band
    e = sum(q.points * q.difficulty for q in qs)
    if band and not band[0] - EPS <= e <= band[1] + EPS:
        problems.append(f"expected score {e:.2f} is outside {band[0]:g}–{band[1]:g}")
    for n, other in enumerate(peers, 1):
        if abs(e - other) > bp.tolerance + EPS:
            problems.append(f"expected score {e:.2f} is more than {bp.tolerance:g} from variant {n}'s {other:.2f}: "
                            "parallel papers must be fair")
    covered = {a for q in qs for a in q.areas}
    missing = [a for a in bp.required_areas if a not in covered]
    if missing:
        problems.append(f"knowledge areas not covered: {', '.join(missing)}")
    reused = sorted(id_set.intersection(avoid))
    if reused:
        problems.append(f"questions from the candidate's recent papers: {', '.join(reused)}")
    if usage is not None and cap is not None:
        over = sorted(q for q in ids if usage.get(q, 0) + 1 > cap)
        if over:
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
        papers = []
        try:
            for i in range(n):
                rng = random.Random(f"{seed}|{bp.tier}|{family}|{i}" + (f"|retry{retry}" if retry else ""))
                avoid = set(histories[i]) if histories and i < len(histories) else set()
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
