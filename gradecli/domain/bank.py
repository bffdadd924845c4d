"""Questions (试题) and their rules: fields, types, answers, and the checks a bank file must pass."""

from __future__ import annotations

import hashlib
import json
import string
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from gradecli.domain.policy import QUESTION_TYPES

LETTERS = string.ascii_uppercase
CHOICE_TYPES = ("single", "multiple")
STATUSES = ("active", "retired")
MIN_OPTIONS, MAX_OPTIONS = 2, 8


@dataclass(frozen=True, slots=True)
class Question:
    """One version of a question. ``answer`` is letters for choice types ('B', 'ACD'), a bool for
    judge, a tuple of accepted answers for fill, and the marking guide for short."""

    qid: str
    tier: int
    family: str
    type: str
    stem: str
    options: tuple[str, ...]
    answer: Any
    points: int
    difficulty: float
    areas: tuple[str, ...]
    explanation: str = ""
    status: str = "active"
    version: int = 1

    def content(self) -> dict:
        """Everything a version fixes (the id, tier and family are the question's identity)."""
        return {"type": self.type, "stem": self.stem, "options": list(self.options),
                "answer": list(self.answer) if isinstance(self.answer, tuple) else self.answer,
                "points": self.points, "difficulty": self.difficulty, "areas": list(self.areas),
                "explanation": self.explanation}

    def content_hash(self) -> str:
        text = json.dumps(self.content(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass
class RawQuestion:
    """A question as read from a file, with where it came from, before it is checked."""

    data: dict
    where: str  # "file:line" or "file, sheet S, row N"
    file_tier: int | None = None
    file_family: str | None = None
    problems: list[str] = field(default_factory=list)


_KEEP_ALWAYS = "-%"


def normalise(text: object) -> str:
    """Text as compared for sameness: full-width folded (NFKC), case folded, without spaces, the
    ____ blank or punctuation, except punctuation inside a number or code ("1.75", "m/s", "1:500")."""
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    out = []
    last = len(t) - 1
    for i, ch in enumerate(t):
        if ch.isspace():
            continue
        if ch not in _KEEP_ALWAYS and unicodedata.category(ch).startswith("P") and not (
                ch != "_" and 0 < i < last and _ascii_alnum(t[i - 1]) and _ascii_alnum(t[i + 1])):
            continue
        out.append(ch)
    return "".join(out)


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def repeated_options(options: tuple[str, ...] | list[str]) -> list[str]:
    """Options that read the same once width, case, spaces and punctuation are ignored ("15秒内"
    and "15 秒内"): each repeated text once, as first written."""
    seen: dict[str, str] = {}
    out: list[str] = []
    for opt in options:
        key = normalise(opt) or opt
        if key in seen and seen[key] not in out:
            out.append(seen[key])
        seen.setdefault(key, opt)
    return out


def _letters(answer: Any) -> str:
    return "".join(sorted(set(str(answer).replace(",", "").replace(" ", "").upper())))


def parse_question(raw: RawQuestion, *, tiers: int, check_options: bool = True) -> tuple[Question | None, list[str]]:
    """Check one question; every problem is listed, each saying what to write instead. Without
    ``check_options`` repeated options are let through (`bank check` reports them itself)."""
    d = raw.data
    problems: list[str] = []
    qid = str(d.get("id") or "").strip()
    label = f"question {qid}" if qid else "question"
    if not qid:
        problems.append("id is missing; give every question a stable id, e.g. KF-T3-001")
    qtype = str(d.get("type") or "").strip()
    if qtype not in QUESTION_TYPES:
        problems.append(f"{label}: type {qtype!r} is unknown; use one of {', '.join(QUESTION_TYPES)}")
    tier = d.get("tier", raw.file_tier)
    if not isinstance(tier, int) or isinstance(tier, bool) or not 1 <= tier <= tiers:
        problems.append(f"{label}: tier {tier!r} is outside the ladder (1–{tiers})")
    family = str(d.get("family", raw.file_family) or "").strip()
    if not family:
        problems.append(f"{label}: family is missing; name the post family or write common")
    stem = str(d.get("stem") or "").strip()
    if not stem:
        problems.append(f"{label}: stem is empty; write the question text")
    points = d.get("points")
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        problems.append(f"{label}: points {points!r} is not a positive whole number")
    diff = d.get("difficulty")
    if isinstance(diff, bool) or not isinstance(diff, (int, float)) or not 0 <= diff <= 1:
        problems.append(f"{label}: difficulty {diff!r} is outside 0–1 (the share expected to answer correctly)")
    areas = d.get("areas")
    if isinstance(areas, str):
        areas = [a for a in areas.replace("；", ";").split(";")]
    areas = tuple(str(a).strip() for a in (areas or []) if str(a).strip())
    if not areas:
        problems.append(f"{label}: knowledge area (areas) is missing; give at least one")
    status = str(d.get("status") or "active").strip()
    if status not in STATUSES:
        problems.append(f"{label}: status {status!r} must be active or retired")
    options = tuple(str(o).strip() for o in (d.get("options") or []))
    answer = d.get("answer")
    if qtype in CHOICE_TYPES:
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            problems.append(f"{label}: a {qtype} question needs {MIN_OPTIONS}–{MAX_OPTIONS} options, it has {len(options)}")
        if any(not o for o in options):
            problems.append(f"{label}: an option is empty")
        if check_options and (same := repeated_options(options)):
            problems.append(f"{label}: two options are the same ({', '.join(same)}); make every option different")
        letters = _letters(answer) if answer is not None else ""
        allowed = LETTERS[:len(options)]
        bad = [c for c in letters if c not in allowed]
        if not letters:
            problems.append(f"{label}: answer is missing; write the letter(s) of the right option(s)")
        elif bad:
            problems.append(f"{label}: answer {''.join(bad)} is not among the options {allowed[0]}–{allowed[-1]}")
        elif qtype == "single" and len(letters) != 1:
            problems.append(f"{label}: a single-choice question has one answer, not {letters}")
        elif qtype == "multiple" and len(letters) < 2:
            problems.append(f"{label}: a multiple-choice question has at least two answers, not {letters}")
        answer = letters
    elif qtype == "judge":
        if options:
            problems.append(f"{label}: a judge question has no options")
        if isinstance(answer, str) and answer.strip() in ("对", "T", "true", "True", "√"):
            answer = True
        elif isinstance(answer, str) and answer.strip() in ("错", "F", "false", "False", "×"):
            answer = False
        if not isinstance(answer, bool):
            problems.append(f"{label}: a judge answer is true or false, not {answer!r}")
    elif qtype == "fill":
        accepted = answer if isinstance(answer, list) else [answer] if answer not in (None, "") else []
        accepted = tuple(str(a).strip() for a in accepted if str(a).strip())
        if not accepted:
            problems.append(f"{label}: a fill question needs at least one accepted answer")
        if "____" not in stem and "（ ）" not in stem and "（）" not in stem:
            problems.append(f"{label}: a fill question's stem needs a blank written ____")
        answer = accepted
    elif qtype == "short":
        answer = str(answer or "").strip()
        if not answer:
            problems.append(f"{label}: a short-answer question needs a marking guide as its answer")
    if problems:
        return None, problems
    return Question(qid=qid, tier=tier, family=family, type=qtype, stem=stem, options=options, answer=answer,
                    points=points, difficulty=float(diff), areas=areas,
                    explanation=str(d.get("explanation") or "").strip(), status=status), []


def check_bank(raws: list[RawQuestion], *, tiers: int, check_options: bool = True) -> tuple[list[Question], list[str]]:
    """Check every question of an import together: each one alone, then duplicate ids."""
    questions: list[Question] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for raw in raws:
        q, errs = parse_question(raw, tiers=tiers, check_options=check_options)
        problems.extend(f"{raw.where}: {e}" for e in errs)
        qid = str(raw.data.get("id") or "").strip()
        if qid:
            if qid in first_seen:
                problems.append(f"{raw.where}: duplicate id {qid} (first at {first_seen[qid]})")
            else:
                first_seen[qid] = raw.where
        if raw.file_tier is not None and isinstance(raw.data.get("tier"), int) and raw.data["tier"] != raw.file_tier:
            problems.append(f"{raw.where}: question {qid} says tier {raw.data['tier']} in a tier-{raw.file_tier} file")
        if q is not None:
            questions.append(q)
    return questions, problems
