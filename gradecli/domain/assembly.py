"""Paper assembly (组卷): blueprints, the random draw with its caps, and the independent validator.

A paper is drawn section by section from the active questions of one tier (the family's bank plus
``common``), then repaired by swaps until it covers the required knowledge areas and its expected
score (Σ points × difficulty) lies in the target band. Every paper is checked by
``validate_paper``, which shares no code with the drawing, before anyone stores it.

The band is narrow (the policy's tolerance, ±0.5 by default), so that every candidate of a sitting
gets a paper of the same expected difficulty; when a bank cannot reach it the refusal names the
section that holds it back and the smallest tolerance that would work (found by drawing).
Among the questions a section allows, the draw leans towards those this sitting has used least.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from typing import Iterable, NamedTuple, Sequence

from gradecli.domain.bank import CHOICE_TYPES, Question, QuestionType
from gradecli.domain.errors import Problem, RuleRefused
from gradecli.domain.policy import Policy
from gradecli.i18n import Msg, Reason

TOTAL_POINTS = 100
EPS = 1e-9
MAX_ATTEMPTS = 40
SITTING_RETRIES = 3
MAX_SWAPS = 400
SWAP_SAMPLE = 8
DRAW_BUDGET = 3  # random picks per question a section needs before it is drawn from its allowed questions
# Exposure: half the picks of a section are made among its questions that this sitting has not used
# more than once more often than the section's questions on average, so an over-used question is
# drawn at half the rate of the others (a light lean towards the less-used questions, not a
# constraint: the sitting cap is the constraint). False turns it off.
LEAN = True
AREA_PROBES = 16  # random picks among an area's questions before they are all listed
TOLERANCE_STEP = Decimal("0.01")  # the policy's tolerance has two decimals
EMPTY: frozenset[str] = frozenset()

def shown_score(x: float) -> Decimal:
    """An expected score or a band edge as shown: two decimals at most, no trailing zeros (69.5)."""
    d = Decimal(f"{x:.2f}")
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def two_places(x: float) -> Decimal:
    """An expected score as a sitting's range shows it: always two decimals (69.50–70.48)."""
    return Decimal(f"{x:.2f}")


@dataclass(frozen=True)
class Section:
    type: str
    count: int
    points: int

    def title(self) -> Msg:
        """The section as a person reads it: "single choice × 2 points"."""
        return Msg("{type} × {points} points", type=QuestionType(self.type), points=self.points)


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
    def shown_band(self) -> tuple[Decimal, Decimal] | None:
        """The band as a person reads it (Decimals: 69.5–70.5)."""
        band = self.band
        return (shown_score(band[0]), shown_score(band[1])) if band else None

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


def family_label(family: str) -> Msg:
    """The banks a family's paper draws on: its own and the common one ("客服+公共" in Chinese)."""
    return Msg("common") if family == "common" else Msg("{family}+common", family=family)


def no_bank(family: str, tier: int) -> Reason:
    """Why a family's paper cannot be drawn at all, and what to do about it."""
    return Reason("no_bank", "no question bank for {family} tier {tier}: add question_bank/{family}/tier-{tier}.yaml "
                  "or import a sheet from `gradecli bank template`", family=family, tier=tier)


def _where(bp: "Blueprint", family: str, section: "Section | None" = None) -> Msg:
    if section is None:
        return Msg("tier {tier}, {bank}", tier=bp.tier, bank=family_label(family))
    return Msg("tier {tier}, {bank}, {section}", tier=bp.tier, bank=family_label(family), section=section.title())


# ---------------------------------------------------------------- feasibility

def shortfalls(pool: Sequence[Question], bp: Blueprint, *, family: str, papers: int = 1,
               variants: int = 0) -> list[Reason]:
    """Why a request cannot be met, before anything is drawn or written (empty when it can)."""
    out: list[Reason] = []
    if not bp.sections:
        total = sum(q.points for q in pool)
        if total < TOTAL_POINTS:
            out.append(Reason("bank_points_short", "{where}: active questions total {total} points, {needed} needed",
                              where=_where(bp, family), total=total, needed=TOTAL_POINTS))
        return out
    by_section = _section_pools(pool, bp)
    cap = bp.sitting_cap(papers)
    for sec, qs in by_section.items():
        if len(qs) < sec.count:
            out.append(Reason("section_short", "{where}: {active} active questions, {needed} needed",
                              where=_where(bp, family, sec), active=len(qs), needed=sec.count))
            continue
        if cap is not None and len(qs) * cap < papers * sec.count:
            most = len(qs) * cap // sec.count if cap else 0
            out.append(Reason("section_short_for_sitting",
                              "{where}: {active} active questions allow about {most} papers in one sitting under "
                              "the {share} % cap, {asked} asked", where=_where(bp, family, sec), active=len(qs),
                              most=most, share=bp.sitting_share, asked=papers))
        if variants > 1:
            need = sec.count + math.ceil((variants - 1) * (sec.count - bp.max_common(sec.count)))
            if len(qs) < min(need, sec.count * variants):
                out.append(Reason("section_short_for_variants",
                                  "{where}: {active} active questions are too few for {variants} variants sharing "
                                  "at most {share} % of their questions", where=_where(bp, family, sec),
                                  active=len(qs), variants=variants, share=bp.overlap_share))
    if bp.band and not out:
        gap = band_gap(by_section, bp, papers=1 if variants else papers, variants=bool(variants))
        if gap is not None:
            out.append(gap.reason())
    have = {a for q in pool for a in q.areas}
    for area in bp.required_areas:
        if area not in have:
            out.append(Reason("area_missing", "{where}: knowledge area {area} has no active question",
                              where=_where(bp, family), area=area))
    return out


@dataclass(frozen=True)
class BandGap:
    """How far a bank falls short of the expected-score band: the nearest expected score its papers
    can reach (on average over a sitting, when the sitting cap spreads them over more questions),
    and the section that holds it back most."""

    band: tuple[float, float]  # the band missed (shared variants: half the tolerance either side)
    reach: float  # the nearest reachable expected score
    too_hard: bool  # the band lies above what the bank reaches (its papers are too hard)
    section: Section
    section_best: float  # that section's mean difficulty at the reachable end
    needed: float  # the mean difficulty the band asks of every section
    variants: bool = False
    papers: int = 1  # the papers of the sitting, when the sitting cap spreads them (else 1)

    def reason(self) -> Reason:
        low, high = shown_score(self.band[0]), shown_score(self.band[1])
        params = dict(low=low, high=high, reach=shown_score(self.reach), section=self.section.title(),
                      best=round(self.section_best, 2), needed=round(self.needed, 2))
        if self.papers > 1:
            return Reason("band_unreachable",
                          "expected score band {low}–{high} unreachable for a sitting of {papers} papers: under the "
                          "sitting cap its papers score {reach} on average at best; {section} holds it back most "
                          "(its questions average difficulty {best} at best, the band needs about {needed})",
                          papers=self.papers, **params)
        if self.too_hard:
            return Reason("band_unreachable",
                          "expected score band {low}–{high} unreachable: the easiest papers this bank allows score "
                          "{reach}; {section} holds it back most (its easiest questions average difficulty {best}, "
                          "the band needs about {needed})", **params)
        return Reason("band_unreachable",
                      "expected score band {low}–{high} unreachable: the hardest papers this bank allows score "
                      "{reach}; {section} holds it back most (its hardest questions average difficulty {best}, "
                      "the band needs about {needed})", **params)

    def tolerance(self, target: float) -> Decimal:
        """The least tolerance (two decimals) whose band reaches ``reach``: no smaller one can work
        (shared variants aim at half the tolerance either side of the target)."""
        distance = Decimal(repr(abs(target - self.reach))) * (2 if self.variants else 1)
        return max(distance.quantize(TOLERANCE_STEP, rounding=ROUND_CEILING), TOLERANCE_STEP)


def _extreme(difficulties: Sequence[float], count: int, papers: int, uses: int) -> float:
    """The sum of difficulties a paper of a sitting has on average when the questions are taken in
    the order given (easiest first, or hardest first), each on at most ``uses`` of the ``papers``
    papers, until the sitting's ``papers × count`` places are filled: no sitting goes further."""
    places, total = papers * count, 0.0
    for d in difficulties:
        take = min(uses, places)
        total += d * take
        places -= take
        if not places:
            break
    return total / papers


def band_gap(by_section: dict[Section, list[Question]], bp: Blueprint, *, papers: int = 1,
             variants: bool = False) -> BandGap | None:
    """None when the band (shared variants: the variants' band) is within reach of every section's
    questions (each section holding enough of them); else how far off it is and which section
    holds it back."""
    band = bp.variant_band if variants else bp.band
    if band is None or bp.target is None:
        return None
    uses = min(bp.sitting_cap(papers) or papers, papers)
    spread_over = papers if uses < papers else 1  # the cap makes a sitting reach less far than one paper
    lo = hi = 0.0
    ends: list[tuple[Section, float, float]] = []
    for sec, qs in by_section.items():
        diffs = sorted((q.difficulty for q in qs), reverse=True)
        easiest = sec.points * _extreme(diffs, sec.count, papers, uses)
        hardest = sec.points * _extreme(diffs[::-1], sec.count, papers, uses)
        hi += easiest
        lo += hardest
        ends.append((sec, easiest, hardest))
    needed = bp.target / TOTAL_POINTS
    if hi < band[0] - EPS:
        sec, easiest, _ = min(ends, key=lambda e: e[1] / (e[0].points * e[0].count))
        return BandGap(band, hi, True, sec, easiest / (sec.points * sec.count), needed, variants, spread_over)
    if lo > band[1] + EPS:
        sec, _, hardest = max(ends, key=lambda e: e[2] / (e[0].points * e[0].count))
        return BandGap(band, lo, False, sec, hardest / (sec.points * sec.count), needed, variants, spread_over)
    return None


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
    # per section, the indexes of its questions not used more than once more than its average, as
    # of paper ``preferred_at`` (see Assembler._preferred)
    preferred: list[list[int] | None] | None = None
    preferred_at: int = -1

    def record(self, paper: "Paper", cap: int | None, qids: Iterable[str] | None = None) -> None:
        """Count a paper's questions (``qids``, when the caller has them at hand: its question ids)."""
        qids = [item[0].qid for item in paper.items] if qids is None else qids
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


# The validator's problems that say a paper missed the expected-score band (or its peers').
BAND_PROBLEMS = frozenset({"expected_outside_band", "variant_unfair"})


class NoValidPaper(RuleRefused):
    """No valid paper within the attempts; ``band_missed``: the expected-score band was among the
    last problems (a wider tolerance might help)."""

    def __init__(self, message: Msg, *, band_missed: bool = False):
        super().__init__(problems=[Problem("", message)])
        self.band_missed = band_missed


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
        self.mask_of = {q.qid: self._mask(q) for q in self.pool}  # the required areas each question covers
        self.reader = Reader(bp, bp.tier, family)  # what the validator has read (see validate_paper)
        # per required area, the questions that cover it with their section's index
        self.carriers_of: dict[str, list[tuple[int, Question]]] = {a: [] for a in self.area_bit}
        for k, sec in enumerate(bp.sections):
            for q in self.sections[sec]:
                if self.mask_of.get(q.qid):
                    for a in q.areas:
                        if a in self.carriers_of:
                            self.carriers_of[a].append((k, q))
        self.bits_of = {m: [b for b in self.area_bit.values() if m & b] for m in set(self.mask_of.values())}
        # per section, in step: the question ids, the questions, their option orders and how many,
        # and their expected points (what a draw indexes; plain lists keep the hot loop cache-friendly)
        self.drawable = [([q.qid for q in qs], qs, [_orders_of(q) for q in qs], [len(_orders_of(q)) for q in qs],
                          [s.points * q.difficulty for q in qs])
                         for s, qs in self.sections.items()]
        self.offsets = []  # where each section starts in a drawn paper (sections are drawn in order)
        at = 0
        for sec in bp.sections:
            self.offsets.append(range(at, at + sec.count))
            at += sec.count
        weights = [s.points * s.count for s in bp.sections]
        self.cum_weights = list(itertools.accumulate(weights))
        self.section_pools = [self.sections[s] for s in bp.sections]  # by section index
        # papers after which a question's average use may have risen by one (see _preferred)
        self.lean_every = max(1, min((len(qs) // s.count for s, qs in zip(bp.sections, self.section_pools)), default=1))

    def _mask(self, q: Question) -> int:
        bits = 0
        for a in q.areas:
            bits |= self.area_bit.get(a, 0)
        return bits

    def draw(self, rng: random.Random, *, seed: str, state: DrawState, avoid: set[str] | frozenset[str] = EMPTY,
             variant: str | None = None) -> Paper:
        """One paper; raises RuleRefused when no valid paper turns up within the attempts."""
        if not state.drawn and len(state.usage) < len(self.pool):
            state.usage.update(dict.fromkeys(self.mask_of, 0))  # every question counted, from 0
        cap = self.bp.sitting_cap(state.papers)
        soft = set().union(*state.variants) if variant is not None else EMPTY
        band = self.bp.variant_band if variant is not None else self.bp.band
        last: list[Reason] = []
        for attempt in range(MAX_ATTEMPTS):
            # The first attempts keep away from earlier variants entirely; later ones allow the
            # overlap the policy permits and leave it to the validator.
            exclude = (avoid, state.capped, soft if attempt < MAX_ATTEMPTS // 2 else EMPTY)
            qids = None  # the paper's question ids, as the draw kept them
            if self.bp.sections:
                drawn = self._draw_sections(rng, exclude, state)
                items = self._repair(rng, *drawn, exclude, band) if drawn else None
                qids = drawn[1] if drawn else None
            else:
                items = self._draw_free(rng, exclude)
            if items is None:
                continue
            paper = Paper(self.bp.tier, self.family, tuple(items), seed, variant)
            last = validate_paper(paper, self.bp, avoid=avoid, usage=state.usage, cap=cap,
                                  others=state.variants if variant else [],
                                  peers=state.variant_expected if variant else (), memo=self.reader)
            if not last:
                state.record(paper, cap, qids)
                return paper
        problems = last[:3] or [Msg("too few questions left")]
        why = Reason("no_valid_paper", "{where}: no valid paper after {attempts} attempts; last problems: {problems} — "
                     "add questions, or relax the caps in the policy", where=_where(self.bp, self.family),
                     attempts=MAX_ATTEMPTS, problems=problems)
        raise NoValidPaper(why, band_missed=any(p.code in BAND_PROBLEMS for p in last))

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

    def _preferred(self, state: DrawState) -> list[list[int] | None]:
        """Per section, the indexes of the questions this sitting has used at most once more than
        the section's average (None: every question is). Listed again whenever the average use
        may have risen by one since (every ``questions / count`` papers of the busiest section)."""
        if state.preferred is None or state.drawn - state.preferred_at >= self.lean_every:
            usage, drawn, out = state.usage, state.drawn, []
            for sec, (qids, *_rest) in zip(self.bp.sections, self.drawable):
                limit = drawn * sec.count // len(qids) + 1 if qids else 0
                # (in C: the indexes whose use is at most the limit)
                keep = list(itertools.compress(range(len(qids)), map(limit.__ge__, map(usage.__getitem__, qids))))
                out.append(keep if 0 < len(keep) < len(qids) else None)
            state.preferred, state.preferred_at = out, drawn
        return state.preferred

    def _draw_sections(self, rng: random.Random, exclude: Exclusions, state: DrawState | None = None
                       ) -> tuple[list[PaperItem], set[str], float, int] | None:
        """Each section's questions drawn at random from the allowed ones; returns the items in
        section order, their question ids, the paper's expected score and the required areas it
        covers (None: a section ran out).

        A pick is a uniform random index; an excluded or repeated pick is drawn again, so each
        question taken is uniform among those still allowed (as random.sample would give, at a
        fraction of the cost), and its option order is a second uniform index into its orders. One
        random number serves both: ``x = random() × n`` gives the index ``int(x)``, and its
        fraction ``x − int(x)``, uniform and independent of the index, the option order.
        When a section is mostly excluded the picks would rarely hit, so after a budget of tries
        the rest is sampled from the section's allowed questions.

        Exposure: once the sitting has papers (``state``), half the picks of a section are made
        among its questions not used more than once more often than its questions on average
        (listed every few papers, _preferred), so those come up more often than the over-used
        ones; the random number's first half chooses which (no extra number, no look-up per pick)."""
        recent, capped, soft = exclude
        # one set of what this paper may not use (most often just the candidate's recent questions)
        blocked = recent if not capped and not soft else set().union(recent, capped, soft)
        rnd, enemy_of = rng.random, self.enemy_of
        preferred = self._preferred(state) if LEAN and state is not None and state.drawn else None
        chosen: list[PaperItem] = []
        taken: set[str] = set()
        expected = 0.0
        for s, (sec, (qids, qs, orders, sizes, weights)) in enumerate(zip(self.bp.sections, self.drawable)):
            n, need = len(qids), sec.count
            lean = preferred[s] if preferred else None
            m = len(lean) if lean else 0
            for _ in range(sec.count * DRAW_BUDGET + 8 if n else 0):
                r = rnd()
                if m:  # r < ½: among the less-used questions; else among all
                    if r < 0.5:
                        x = r * 2 * m
                        j = int(x)
                        k, f = lean[j], x - j
                    else:
                        x = (r * 2 - 1) * n
                        k = int(x)
                        f = x - k
                else:
                    x = r * n
                    k = int(x)
                    f = x - k  # the pick's fraction: the option order
                qid = qids[k]
                if qid in taken or qid in blocked:
                    continue
                if enemy_of and (en := enemy_of.get(qid)) and not en.isdisjoint(taken):
                    continue
                chosen.append(_new_item(PaperItem, (qs[k], orders[k][int(f * sizes[k])])))
                taken.add(qid)
                expected += weights[k]
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
        covered = functools.reduce(operator.or_, map(self.mask_of.__getitem__, taken), 0)  # the required areas
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
        lo, hi = (band[0] - EPS, band[1] + EPS) if band else (-math.inf, math.inf)
        if covered == self.all_areas and lo <= expected <= hi:
            return chosen  # the common case: nothing to repair
        if covered != self.all_areas:
            self._cover_areas(rng, chosen, taken, covered, exclude)
            expected = sum(item[0].points * item[0].difficulty for item in chosen)  # the area swaps changed it
        if band is None or lo <= expected <= hi:
            return chosen
        # The band: swap a question of a random section (by its share of the points) for the best of
        # a few random allowed ones, until the expected score is in band. A question that alone
        # covers a required area stays. How many questions cover each set of required areas is
        # counted only when a question that covers one comes up for a swap.
        required = self.bp.required_areas
        recent, capped, soft = exclude
        allowed, enemy_of, mask_of, bits_of = self._allowed, self.enemy_of, self.mask_of, self.bits_of
        target = (band[0] + band[1]) / 2
        half = (band[1] - band[0]) / 2
        rnd, sections, cum, pools, offsets = rng.random, self.bp.sections, self.cum_weights, self.section_pools, self.offsets
        top, pick = cum[-1], bisect.bisect_right
        free: dict[int, list[Question]] = {}
        per_mask: Counter | None = None  # required-area mask → questions on the paper with it
        for _ in range(MAX_SWAPS):
            if lo <= expected <= hi:
                break
            too_hard = expected < target
            k = pick(cum, rnd() * top)
            points, slots = sections[k].points, offsets[k]
            # of three random slots, give up the one furthest in the wrong direction
            i = slots[int(rnd() * len(slots))]
            for _ in range(2):
                j = slots[int(rnd() * len(slots))]
                if (chosen[j][0].difficulty < chosen[i][0].difficulty) == too_hard:
                    i = j
            old = chosen[i][0]
            old_mask = mask_of[old.qid] if required else 0
            if old_mask:
                if per_mask is None:
                    per_mask = Counter(map(mask_of.__getitem__, taken))
                if any(sum(n for m, n in per_mask.items() if m & bit) == 1 for bit in bits_of[old_mask]):
                    continue  # the only question on the paper with one of its required areas
            pool = free.get(k) or pools[k]
            n = len(pool)
            best, best_gap, seen_allowed = None, abs(expected - target), False
            base = expected - points * old.difficulty - target  # the gap without the question given up
            for _ in range(SWAP_SAMPLE):
                new = pool[int(rnd() * n)]
                qid = new.qid
                if (qid in taken or qid in recent or qid in capped or qid in soft
                        or enemy_of and not allowed(new, exclude, taken)):
                    continue
                seen_allowed = True
                gap = abs(base + points * new.difficulty)
                if gap < best_gap:
                    best, best_gap = new, gap
                    if gap <= half:
                        break  # in band: good enough
            if not seen_allowed and k not in free:
                # most of this section is excluded (recent papers, sitting cap): probe only what is left
                free[k] = [q for q in pools[k] if allowed(q, exclude, taken)] or pools[k]
            if best is not None:
                expected += points * (best.difficulty - old.difficulty)
                taken.discard(old.qid)
                taken.add(best.qid)
                if per_mask is not None:
                    per_mask[old_mask] -= 1
                    per_mask[mask_of[best.qid]] += 1
                chosen[i] = self._item(rng, best)
        return chosen

    def _cover_areas(self, rng: random.Random, chosen: list[PaperItem], taken: set[str], covered: int,
                     exclude: Exclusions) -> None:
        """Swap in a question for each required area the paper lacks, giving up one whose areas
        other questions on the paper also cover."""
        required = self.bp.required_areas
        missing = [a for a in required if not covered & self.area_bit[a]]
        carriers = Counter(itertools.chain.from_iterable([item[0].areas for item in chosen]))
        allowed = self._allowed

        def sole_carrier(q: Question) -> bool:
            return any(carriers[a] == 1 for a in q.areas if a in required)

        def place(k: int, new: Question) -> bool:
            slots = [i for i in self.offsets[k] if not sole_carrier(chosen[i][0])]
            if not slots:
                return False
            i = rng.choice(slots)
            old = chosen[i][0]
            taken.discard(old.qid)
            taken.add(new.qid)
            carriers.subtract(old.areas)
            carriers.update(new.areas)
            chosen[i] = self._item(rng, new)
            return True

        for area in missing:
            if carriers[area] > 0:
                continue
            # a question that covers the area, uniform among those allowed: random probes first (the
            # common case: most are allowed), every one of them in random order when the probes miss
            options = self.carriers_of[area]
            for _ in range(min(len(options), AREA_PROBES)):
                k, new = options[int(rng.random() * len(options))]
                if allowed(new, exclude, taken) and place(k, new):
                    break
            else:
                left = [(k, q) for k, q in options if allowed(q, exclude, taken)]
                rng.shuffle(left)
                for k, new in left:
                    if place(k, new):
                        break


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



def _is_permutation(order: tuple[int, ...], n: int) -> bool:
    return len(order) == n and sorted(order) == list(range(n))


def _in_sections(kinds: Sequence[tuple[str, int]], sections: Sequence[Section]) -> bool:
    """The paper holds exactly the blueprint's sections, one after the other, in their order
    (``kinds``: each question's type and points)."""
    at = 0
    for sec in sections:
        end = at + sec.count
        if kinds[at:end].count((sec.type, sec.points)) != sec.count:
            return False
        at = end
    return at == len(kinds)


class Reader:
    """What the validator reads of questions, for one blueprint and the papers of one tier and
    family, kept for the questions and option orders it has read (they never change): per
    question its id, whether it may be on such a paper (tier, family, active), the blueprint
    section its type and points put it in, its points, its expected points, its number of options
    and the required areas it covers; per option order its length when it is an order of that many
    options. What is kept is filed under the object's id and holds the object, so the id stays its
    own. It shares no code with the drawing."""

    def __init__(self, bp: Blueprint, tier: int, family: str):
        self.bp, self.tier, self.family = bp, tier, family
        self.belongs = {(tier, family, "active"), (tier, "common", "active")}
        self.section_of: dict[tuple[str, int], int] = {}
        for n, sec in enumerate(bp.sections):
            self.section_of.setdefault((sec.type, sec.points), n)
        self.sections = tuple(n for n, sec in enumerate(bp.sections) for _ in range(sec.count))  # in paper order
        self.area_bit = {a: 1 << n for n, a in enumerate(dict.fromkeys(bp.required_areas))}
        self.all_areas = sum(self.area_bit.values())
        self.questions: dict[int, tuple] = {}
        self.orders: dict[int, int] = {}
        self.kept: list[tuple[int, ...]] = []  # the orders filed in self.orders (so that their ids stay theirs)

    def fits(self, paper: Paper, bp: Blueprint) -> bool:
        return bp is self.bp and paper.tier == self.tier and paper.family == self.family

    def question(self, q: Question) -> tuple:
        areas = 0
        for a in q.areas:
            areas |= self.area_bit.get(a, 0)
        return (q, q.qid, (q.tier, q.family, q.status) in self.belongs, self.section_of.get((q.type, q.points), -1),
                q.points, q.points * q.difficulty, len(q.options), areas)

    def rows(self, qs: Sequence[Question]) -> list[tuple]:
        known = self.questions
        rows = list(map(known.get, map(id, qs)))
        if None in rows:
            rows = [r if r is not None else known.setdefault(id(q), self.question(q)) for q, r in zip(qs, rows)]
        return rows

    def order_lengths(self, orders: Sequence[tuple[int, ...]]) -> list[int]:
        """Each order's length when it is an order of that many options (up to six: a few hundred
        orders, kept), else -1."""
        known = self.orders
        out = list(map(known.get, map(id, orders)))
        if None in out:
            out = [n if n is not None else self._order(o) for o, n in zip(orders, out)]
        return out

    def _order(self, o: tuple[int, ...]) -> int:
        n = len(o) if _is_permutation(o, len(o)) else -1
        if len(o) <= 6:
            self.kept.append(o)
            self.orders[id(o)] = n
        return n


def validate_paper(paper: Paper, bp: Blueprint, *, avoid: Iterable[str] = (), usage: Counter | None = None,
                   cap: int | None = None, others: Sequence[set[str]] = (), peers: Sequence[float] = (),
                   memo: Reader | None = None) -> list[Reason]:
    """Everything a stored paper must satisfy, checked from the paper itself. Empty when valid.

    Each check runs over a whole column of the paper (ids, points, sections, ...) at once; the
    per-item messages are only worked out when a check fails. ``memo`` (a Reader for this
    blueprint, tier and family) spares re-reading the questions of a sitting's earlier papers."""
    problems: list[Reason] = []
    reader = memo if memo is not None and memo.fits(paper, bp) else Reader(bp, paper.tier, paper.family)
    qs, orders = zip(*paper.items) if paper.items else ((), ())
    # the paper's columns, turned round (tuples, in the paper's order)
    _qs, ids, belongs, sections, points, weights, n_options, masks = zip(*reader.rows(qs)) if qs else ((),) * 8
    if False in belongs:
        problems += [Reason("wrong_tier", "{qid} is a tier-{tier} question on a tier-{paper_tier} paper",
                            qid=q.qid, tier=q.tier, paper_tier=paper.tier) for q in qs if q.tier != paper.tier]
        problems += [Reason("wrong_family", "{qid} belongs to {family}, not {bank}", qid=q.qid, family=q.family,
                            bank=family_label(paper.family))
                     for q in qs if q.family not in (paper.family, "common")]
        problems += [Reason("retired", "{qid} is retired", qid=q.qid) for q in qs if q.status != "active"]
    # a choice question's order is a permutation of its options; other types have no options, no order
    if reader.order_lengths(orders) != list(n_options):
        problems += [Reason("bad_option_order", "{qid}: option order {order} is not a permutation of its options",
                            qid=q.qid, order=str(o))
                     for q, o in zip(qs, orders) if not _is_permutation(o, len(q.options))]
    total = sum(points)
    if total != TOTAL_POINTS:
        problems.append(Reason("wrong_total", "paper totals {total} points, not {needed}", total=total,
                               needed=TOTAL_POINTS))
    id_set = set(ids)
    if len(id_set) != len(ids):
        repeated = sorted(q for q, n in Counter(ids).items() if n > 1)
        problems.append(Reason("repeated_question", "questions appear twice: {qids}", qids=repeated))
    if bp.sections and sections != reader.sections and not _in_sections([(q.type, q.points) for q in qs], bp.sections):
        counts = Counter((q.type, q.points) for q in qs)
        wrong = [Reason("wrong_section", "section {section}: {got} questions, {needed} required",
                        section=sec.title(), got=got, needed=sec.count)
                 for sec in bp.sections if (got := counts.pop((sec.type, sec.points), 0)) != sec.count]
        wrong += [Reason("outside_sections", "{count} questions of {type} × {points} points are in no section",
                         count=n, type=QuestionType(t), points=p) for (t, p), n in counts.items()]
        problems += wrong or [Reason("sections_out_of_order", "the questions are not in the order of the blueprint's sections")]
    band = bp.band
    e = sum(weights)
    if band and not band[0] - EPS <= e <= band[1] + EPS:
        low, high = bp.shown_band
        problems.append(Reason("expected_outside_band", "expected score {expected} is outside {low}–{high}",
                               expected=shown_score(e), low=low, high=high))
    for n, other in enumerate(peers, 1):
        if abs(e - other) > bp.tolerance + EPS:
            problems.append(Reason("variant_unfair", "expected score {expected} is more than {tolerance} from variant "
                                   "{variant}'s {other}: parallel papers must be fair", expected=shown_score(e),
                                   tolerance=shown_score(bp.tolerance), variant=variant_label(n - 1),
                                   other=shown_score(other)))
    if reader.all_areas and functools.reduce(operator.or_, masks, 0) != reader.all_areas:
        covered = set(itertools.chain.from_iterable(q.areas for q in qs))
        missing = [a for a in bp.required_areas if a not in covered]
        problems.append(Reason("areas_not_covered", "knowledge areas not covered: {areas}", areas=missing))
    if not id_set.isdisjoint(avoid):
        problems.append(Reason("recently_seen", "questions from the candidate's recent papers: {qids}",
                               qids=sorted(id_set.intersection(avoid))))
    if usage is not None and cap is not None and ids and max(map(usage.get, ids, itertools.repeat(0))) >= cap:
        over = sorted(q for q in ids if usage.get(q, 0) >= cap)
        problems.append(Reason("over_sitting_cap", "questions over the sitting cap of {cap} papers: {qids}",
                               cap=cap, qids=over))
    limit = bp.max_common(len(ids))
    for n, other in enumerate(others, 1):
        common = len(id_set & other)
        if common > limit:
            problems.append(Reason("variant_overlap", "shares {common} questions with variant {variant}, at most "
                                   "{limit} allowed", common=common, variant=variant_label(n - 1), limit=limit))
    for group in bp.enemies:
        together = sorted(group & id_set)
        if len(together) > 1:
            problems.append(Reason("enemies_together", "questions that must not appear together: {qids}",
                                   qids=together))
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
    same papers. When the expected-score band is what cannot be met, the refusal adds the smallest
    tolerance with which this sitting can be drawn."""
    n = variants or count
    if n < 1:
        raise RuleRefused(Msg("ask for at least one paper (--count K or --variants K)"))
    assembler = Assembler(questions, bp, family)
    problems = shortfalls(assembler.pool, bp, family=family, papers=1 if variants else n, variants=variants)
    if problems:
        gap = next((p for p in problems if p.code == "band_unreachable"), None)
        if gap is not None:
            problems.append(_suggestion(questions, bp, family, seed, count, variants, histories,
                                        _band_gap_of(assembler, n, variants)))
        raise RuleRefused(problems=[Problem("", p) for p in problems])
    try:
        return _draw_sitting(assembler, seed, n, variants=variants, histories=histories)
    except NoValidPaper as exc:
        if not exc.band_missed:
            raise
        suggestion = _suggestion(questions, bp, family, seed, count, variants, histories, None)
        raise RuleRefused(problems=exc.problems + [Problem("", suggestion)]) from None


def _draw_sitting(assembler: Assembler, seed: str, n: int, *, variants: int,
                  histories: Sequence[set[str]] | None) -> list[Paper]:
    bp, family = assembler.bp, assembler.family
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


def _band_gap_of(assembler: Assembler, n: int, variants: int) -> BandGap | None:
    return band_gap(assembler.sections, assembler.bp, papers=1 if variants else n, variants=bool(variants))


SEARCH_LIMIT = Decimal(100)  # no tolerance beyond this is tried


def smallest_tolerance(questions: Sequence[Question], bp: Blueprint, family: str, seed: str, *, count: int = 0,
                       variants: int = 0, histories: Sequence[set[str]] | None = None,
                       start: Decimal = TOLERANCE_STEP) -> Decimal | None:
    """The smallest tolerance (two decimals, from ``start`` up) with which this very sitting is
    drawn — the same seed, bank and histories — found by drawing it: the tolerance that works is
    found by widening the step until one does, then halving the gap to the last that did not.
    None when none up to SEARCH_LIMIT does (the band is not what stands in the way)."""
    n = variants or count

    def works(tol: Decimal) -> bool:
        trial = replace(bp, tolerance=float(tol))
        assembler = Assembler(questions, trial, family)
        if shortfalls(assembler.pool, trial, family=family, papers=1 if variants else n, variants=variants):
            return False
        try:
            _draw_sitting(assembler, seed, n, variants=variants, histories=histories)
        except RuleRefused:
            return False
        return True

    failed, step = start - TOLERANCE_STEP, TOLERANCE_STEP
    tol = start
    while not works(tol):
        failed = tol
        if tol >= SEARCH_LIMIT:
            return None
        tol = min(start + step, SEARCH_LIMIT)
        step *= 2
    while tol - failed > TOLERANCE_STEP:  # tol works, failed does not (or lies below start)
        mid = ((failed + tol) / 2).quantize(TOLERANCE_STEP, rounding=ROUND_CEILING)
        if mid >= tol:
            break
        if works(mid):
            tol = mid
        else:
            failed = mid
    return tol


def _suggestion(questions: Sequence[Question], bp: Blueprint, family: str, seed: str, count: int, variants: int,
                histories: Sequence[set[str]] | None, gap: BandGap | None) -> Reason:
    """What to change when the band cannot be met: the smallest tolerance that works, checked by
    drawing this sitting with it (never below the distance to the nearest reachable score)."""
    current = shown_score(bp.tolerance)
    least = gap.tolerance(bp.target) if gap is not None else Decimal(repr(bp.tolerance)) + TOLERANCE_STEP
    found = smallest_tolerance(questions, bp, family, seed, count=count, variants=variants, histories=histories,
                               start=max(least, Decimal(repr(bp.tolerance)) + TOLERANCE_STEP))
    if found is None:
        return Reason("tolerance_no_help", "no tolerance up to {limit} points lets this sitting be drawn: the band "
                      "is not all that stands in the way", limit=SEARCH_LIMIT)
    if gap is not None:
        return Reason("tolerance_suggestion", "the smallest tolerance that works for this sitting is {tolerance} "
                      "(blueprint.tolerance in the policy, now {current}); or add questions to {section} that "
                      "bring it closer to the target", tolerance=found, current=current, section=gap.section.title())
    return Reason("tolerance_suggestion", "the smallest tolerance that works for this sitting is {tolerance} "
                  "(blueprint.tolerance in the policy, now {current}); or add questions whose difficulty lies near "
                  "the target", tolerance=found, current=current)


# ---------------------------------------------------------------- fairness of a sitting

@dataclass(frozen=True)
class Spread:
    """How alike a sitting's papers are: how many, their expected scores' range, and (when the
    papers' questions are known) the most and the mean use of a question among them."""

    papers: int
    low: float
    high: float
    max_use: int | None = None
    mean_use: float | None = None
    questions: int | None = None  # different questions on the papers

    @property
    def spread(self) -> float:
        return self.high - self.low

    def shown(self) -> tuple[Decimal, Decimal, Decimal]:
        """(low, high, spread) to two decimals, the spread of the two figures shown."""
        low, high = two_places(self.low), two_places(self.high)
        return low, high, high - low

    def as_data(self) -> dict:
        """Typed figures for --json and the cycle log (scores to two decimals)."""
        low, high, spread = self.shown()
        out: dict = {"papers": self.papers, "expected_low": low, "expected_high": high, "spread": spread}
        if self.max_use is not None:
            out.update(max_use=self.max_use, mean_use=round(self.mean_use, 2), questions=self.questions)
        return out


def spread_of(expected: Sequence[float], usage: Counter | None = None) -> Spread:
    """The spread of papers with these expected scores; with ``usage`` (question → papers using
    it), their exposure too."""
    if not expected:
        raise ValueError("a spread needs at least one paper")
    if usage:
        return Spread(len(expected), min(expected), max(expected), max(usage.values()),
                      sum(usage.values()) / len(usage), len(usage))
    return Spread(len(expected), min(expected), max(expected))


def sitting_spread(papers: Sequence[Paper]) -> Spread:
    """The spread of drawn papers: expected scores and how often each question was used."""
    usage = Counter(q for p in papers for q in p.qids())
    return spread_of([p.expected for p in papers], usage)


def shown_answer(question: Question, order: tuple[int, ...]) -> object:
    """The answer as the candidate sees it: choice letters after the options were shuffled."""
    from gradecli.domain.bank import LETTERS

    if question.type not in CHOICE_TYPES or not order:
        return question.answer
    shown = {orig: pos for pos, orig in enumerate(order)}
    return "".join(sorted(LETTERS[shown[LETTERS.index(c)]] for c in question.answer))
