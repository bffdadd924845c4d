"""Is a bank sound (题库检查)? Duplicates, repeated options, answer-letter spread, judge balance and
the knowledge areas a family's blueprint needs, per tier and post family, as codes with numbers.

Blocking findings make a bank unfit for a sitting (a paper could carry the same question twice, a
question cannot be answered, a blueprint cannot be met); warnings are worth a look but a paper can
be drawn. Findings are codes with typed parameters; the services make them messages.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Protocol, Sequence

from gradecli.domain.assembly import Blueprint, shortfalls
from gradecli.domain.bank import CHOICE_TYPES, LETTERS, Question, normalise, repeated_options

BLOCKING, WARNING = "blocking", "warning"

# Near-duplicate stems. Compared: the stems with width, case, spaces, punctuation and the ____ blank
# taken out, as bags of two-character shingles (rapidfuzz token_sort_ratio over the shingles, so
# clauses said in another order still match). Two questions of one type are near-duplicates when
# their stems score at least NEAR_STEM and their keys agree (the correct options' texts, the accepted
# fill answer or the marking guide score at least NEAR_KEY): a paraphrase keeps the key, while
# questions that merely share a topic or a sentence pattern ("B2 字符为 A 表示…" / "…为 D 表示…")
# have different keys. A judge key is only true or false, so judge stems must score NEAR_JUDGE.
# On the shipped banks (about 100,000 same-type pairs) these thresholds flag every one of 14
# hand-written paraphrases of real questions (stem scores 62–87) and no pair that only shares a
# topic; lowering them to 55/65/70 still flags none (see tests/unit/test_bank_check.py).
NEAR_STEM = 60
NEAR_JUDGE = 70
NEAR_KEY = 80

# Spreads: checked once a bank has SPREAD_MIN questions of the type, so a handful cannot trip them.
SPREAD_MIN = 8
LETTER_HIGH, LETTER_LOW = 1.6, 0.4  # a letter's share of single-choice keys against the even share
SAME_KEY_SHARE = 0.4  # one multiple-choice key (e.g. ABCD) on more than this share of the questions
JUDGE_SHARE = (0.25, 0.75)  # share of true judge statements outside this band: nearly all true or false



class Matcher(Protocol):
    """The fuzzy matcher (rapidfuzz.fuzz, passed in by the service: the domain imports no library
    beyond the standard one and pydantic). Scores are 0–100; below ``score_cutoff`` they are 0."""

    def ratio(self, s1: str, s2: str, *, score_cutoff: float = 0) -> float: ...

    def token_sort_ratio(self, s1: str, s2: str, *, score_cutoff: float = 0) -> float: ...


@dataclass(frozen=True)
class Finding:
    """One thing found about a tier's bank of a family (``family`` is common for the common bank)."""

    tier: int
    family: str
    code: str
    severity: str
    qids: tuple[str, ...] = ()
    params: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class AreaCount:
    area: str
    total: int
    by_section: list[dict]  # per section of the blueprint: {"type", "points", "active"} (active questions of the area)


@dataclass
class GroupReport:
    """What was found about one tier and family, with the numbers behind it."""

    tier: int
    family: str
    active: int  # the family's own active questions (the common bank's, for common)
    pool: int  # what a paper draws on: the family's and common's active questions
    findings: list[Finding] = field(default_factory=list)
    areas: list[AreaCount] = field(default_factory=list)

    @property
    def blocking(self) -> int:
        return sum(1 for f in self.findings if f.severity == BLOCKING)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)


def _key(q: Question) -> str:
    """What a paraphrase keeps: the texts of the correct options, the accepted answer, the guide."""
    if q.type in CHOICE_TYPES:
        return "|".join(sorted(normalise(q.options[LETTERS.index(c)]) for c in q.answer))
    if q.type == "judge":
        return "T" if q.answer else "F"
    if q.type == "fill":
        return normalise(q.answer[0]) if q.answer else ""
    return normalise(q.answer)


def _shingles(text: str) -> str:
    return " ".join(text[i:i + 2] for i in range(len(text) - 1)) or text


def duplicates(questions: Sequence[Question], fuzz: Matcher) -> list[tuple[str, str, str, int]]:
    """Pairs of questions of one type that are the same question: ("exact", a, b, 100) when a
    candidate would see the same stem and options, ("near", a, b, score) when the stems are close
    and the keys agree (qids in order)."""
    out = []
    by_type: dict[str, list[Question]] = {}
    for q in questions:
        by_type.setdefault(q.type, []).append(q)
    for typ, qs in by_type.items():
        stems = [normalise(q.stem) for q in qs]
        shingles = [_shingles(s) for s in stems]
        options = [tuple(sorted(normalise(o) for o in q.options)) for q in qs]
        keys = [_key(q) for q in qs]
        least = NEAR_JUDGE if typ == "judge" else NEAR_STEM
        for i, j in itertools.combinations(range(len(qs)), 2):
            pair = sorted((qs[i].qid, qs[j].qid))
            if stems[i] == stems[j] and options[i] == options[j]:
                out.append(("exact", pair[0], pair[1], 100))
                continue
            score = fuzz.token_sort_ratio(shingles[i], shingles[j], score_cutoff=least)
            if score and fuzz.ratio(keys[i], keys[j], score_cutoff=NEAR_KEY):
                out.append(("near", pair[0], pair[1], round(score)))
    return out


def _spread_findings(tier: int, family: str, qs: Sequence[Question]) -> list[Finding]:
    out: list[Finding] = []
    singles = [q for q in qs if q.type == "single"]
    if len(singles) >= SPREAD_MIN:
        got = Counter(q.answer for q in singles)
        even = Counter()  # the count each letter would have if keys were spread evenly
        for q in singles:
            for letter in LETTERS[:len(q.options)]:
                even[letter] += 1 / len(q.options)
        uneven = {L: got[L] for L in sorted(even) if got[L] > even[L] * LETTER_HIGH or got[L] < even[L] * LETTER_LOW}
        if uneven:
            out.append(Finding(tier, family, "single_letters", WARNING, (), {
                "questions": len(singles), "letters": {L: got[L] for L in sorted(even)},
                "even": round(len(singles) / max(1, round(sum(len(q.options) for q in singles) / len(singles))), 1),
                "uneven": uneven}))
    multiples = [q for q in qs if q.type == "multiple"]
    if len(multiples) >= SPREAD_MIN:
        key, n = Counter(q.answer for q in multiples).most_common(1)[0]
        if n > SAME_KEY_SHARE * len(multiples):
            out.append(Finding(tier, family, "multiple_keys", WARNING, (), {
                "questions": len(multiples), "key": key, "count": n}))
    judges = [q for q in qs if q.type == "judge"]
    if len(judges) >= SPREAD_MIN:
        true = sum(1 for q in judges if q.answer is True)
        if not JUDGE_SHARE[0] <= true / len(judges) <= JUDGE_SHARE[1]:
            out.append(Finding(tier, family, "judge_balance", WARNING, (), {
                "questions": len(judges), "true": true, "false": len(judges) - true}))
    return out


def area_minimum(bp: Blueprint) -> int:
    """Questions an area needs so that every paper of a sitting can carry one: a question may be on
    at most the sitting share of the papers (2 questions at 50 %), and a candidate's last papers'
    questions are avoided (up to one more per paper remembered)."""
    return math.ceil(100 / bp.sitting_share) + bp.exposure_last


def area_counts(pool: Sequence[Question], bp: Blueprint) -> list[AreaCount]:
    out = []
    for area in bp.required_areas:
        carriers = [q for q in pool if area in q.areas]
        by_section = [{"type": s.type, "points": s.points,
                       "active": sum(1 for q in carriers if q.type == s.type and q.points == s.points)}
                      for s in bp.sections]
        out.append(AreaCount(area, len(carriers), by_section))
    return out


def check_group(tier: int, family: str, own: Sequence[Question], common: Sequence[Question],
                bp: Blueprint | None, fuzz: Matcher) -> GroupReport:
    """Check one tier of a family's bank (``own``, active questions) as its papers draw on it,
    together with ``common``; the family common itself is checked with ``bp`` None (only
    duplicates, repeated options and spreads: common is never a paper on its own)."""
    pool = list(own) + ([] if family == "common" else list(common))
    report = GroupReport(tier, family, len(own), len(pool))
    found = report.findings
    for q in own:
        if q.type in CHOICE_TYPES and (same := repeated_options(q.options)):
            found.append(Finding(tier, family, "repeated_option", BLOCKING, (q.qid,), {"options": same}))
    own_ids = {q.qid for q in own}
    for kind, a, b, score in duplicates(pool, fuzz):
        if a not in own_ids and b not in own_ids:
            continue  # two common questions: reported with the common bank
        found.append(Finding(tier, family, f"{kind}_duplicate", BLOCKING if kind == "exact" else WARNING, (a, b),
                             {"score": score}))
    found += _spread_findings(tier, family, own)
    if bp is None:
        return report
    report.areas = area_counts(pool, bp)
    least = area_minimum(bp)
    for ac in report.areas:
        if ac.total == 0:
            found.append(Finding(tier, family, "area_missing", BLOCKING, (), {"area": ac.area}))
        elif ac.total < least:
            found.append(Finding(tier, family, "area_too_few", BLOCKING, (), {
                "area": ac.area, "active": ac.total, "needed": least, "by_section": ac.by_section}))
    # missing areas are reported above, with their numbers: the rest of the blueprint is asked here
    for problem in shortfalls(pool, replace(bp, required_areas=()), family=family):
        found.append(Finding(tier, family, "blueprint", BLOCKING, (), {"problem": problem}))
    return report
