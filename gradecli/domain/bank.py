"""Questions (试题) and their rules: fields, types, answers, and the checks a bank file must pass."""

from __future__ import annotations

import hashlib
import json
import string
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from gradecli.domain.errors import Problem, Where
from gradecli.domain.policy import QUESTION_TYPES
from gradecli.i18n import N_, Code, Msg, Reason

LETTERS = string.ascii_uppercase
CHOICE_TYPES = ("single", "multiple")


class QuestionType(Code):
    """A question's type: the code in YAML, Excel and --json; its name where a person reads it."""

    LABELS = {"single": N_("single choice"), "multiple": N_("multiple choice"), "judge": N_("true/false"),
              "fill": N_("fill in the blank"), "short": N_("short answer")}


class BankFamily(Code):
    """A bank's post family; ``common`` (the questions every family shares) has a name of its own."""

    LABELS = {"common": N_("common")}
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
    """A question as read from a file, with where it came from, before it is checked. ``where`` is
    "file:line" (YAML) or a Where (file, sheet, row) for a sheet, whose ``columns`` name the column
    of each field (id → 编号), so a problem can point at the very cell."""

    data: dict
    where: "str | Where"
    file_tier: int | None = None
    file_family: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


NO_ID = N_("(no id)")  # what stands for the id of a question written without one

# The field each problem of a question is about: an Excel import names its column.
FIELD_OF = {
    "id_missing": "id", "duplicate_id": "id", "type_missing": "type", "type_unknown": "type",
    "tier_missing": "tier", "tier_outside": "tier", "tier_not_file_tier": "tier", "family_missing": "family",
    "stem_empty": "stem", "points_missing": "points", "points_invalid": "points",
    "difficulty_missing": "difficulty", "difficulty_not_number": "difficulty", "difficulty_outside": "difficulty",
    "areas_missing": "areas", "status_unknown": "status", "answer_missing": "answer",
    "answer_not_option": "answer", "single_answers": "answer", "multiple_answers": "answer",
    "judge_answer": "answer", "fill_answer_missing": "answer", "fill_blank_missing": "stem",
    "marking_guide_missing": "answer",
}


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_question(raw: RawQuestion, *, tiers: int, check_options: bool = True) -> tuple[Question | None, list[Reason]]:
    """Check one question; every problem is listed, each a Reason saying what to write instead
    (its code names the field, see FIELD_OF). Without ``check_options`` repeated options are let
    through (`bank check` reports them itself)."""
    d = raw.data
    problems: list[Reason] = []
    qid = str(d.get("id") or "").strip()
    q: Any = qid or Msg(NO_ID)
    if not qid:
        problems.append(Reason("id_missing", "question id is missing; give every question a stable id, e.g. KF-T3-001"))
    qtype = str(d.get("type") or "").strip()
    if not qtype:
        problems.append(Reason("type_missing", "question {qid}: type is missing; use one of {types}",
                               qid=q, types=list(QUESTION_TYPES)))
    elif qtype not in QUESTION_TYPES:
        problems.append(Reason("type_unknown", "question {qid}: type '{type}' is unknown; use one of {types}",
                               qid=q, type=qtype, types=list(QUESTION_TYPES)))
    tier = d.get("tier", raw.file_tier)
    if tier is None or tier == "":
        problems.append(Reason("tier_missing", "question {qid}: tier is missing; write the tier number (1–{tiers})",
                               qid=q, tiers=tiers))
    elif not isinstance(tier, int) or isinstance(tier, bool) or not 1 <= tier <= tiers:
        problems.append(Reason("tier_outside", "question {qid}: tier {tier} is outside the ladder (1–{tiers})",
                               qid=q, tier=tier, tiers=tiers))
    family = str(d.get("family", raw.file_family) or "").strip()
    if not family:
        problems.append(Reason("family_missing", "question {qid}: family is missing; name the post family or write common",
                               qid=q))
    stem = str(d.get("stem") or "").strip()
    if not stem:
        problems.append(Reason("stem_empty", "question {qid}: stem is empty; write the question text", qid=q))
    points = d.get("points")
    if points is None or points == "":
        problems.append(Reason("points_missing", "question {qid}: points are missing; write a positive whole number",
                               qid=q))
    elif not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        problems.append(Reason("points_invalid", "question {qid}: points {points} is not a positive whole number",
                               qid=q, points=points))
    diff = d.get("difficulty")
    if diff is None or diff == "":
        problems.append(Reason("difficulty_missing", "question {qid}: difficulty is missing; write the share expected "
                               "to answer correctly (0–1)", qid=q))
    elif not _is_number(diff):
        problems.append(Reason("difficulty_not_number", "question {qid}: difficulty {difficulty} is not a number; write "
                               "the share expected to answer correctly (0–1)", qid=q, difficulty=diff))
    elif not 0 <= diff <= 1:
        problems.append(Reason("difficulty_outside", "question {qid}: difficulty {difficulty} is outside 0–1 (the share "
                               "expected to answer correctly)", qid=q, difficulty=diff))
    areas = d.get("areas")
    if isinstance(areas, str):
        areas = [a for a in areas.replace("；", ";").split(";")]
    areas = tuple(str(a).strip() for a in (areas or []) if str(a).strip())
    if not areas:
        problems.append(Reason("areas_missing", "question {qid}: knowledge area (areas) is missing; give at least one",
                               qid=q))
    status = str(d.get("status") or "active").strip()
    if status not in STATUSES:
        problems.append(Reason("status_unknown", "question {qid}: status '{status}' must be active or retired",
                               qid=q, status=status))
    options = tuple(str(o).strip() for o in (d.get("options") or []))
    answer = d.get("answer")
    if qtype in CHOICE_TYPES:
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            problems.append(
                Reason("options_count", "question {qid}: a single-choice question needs {least}–{most} options, it has "
                       "{count}", qid=q, least=MIN_OPTIONS, most=MAX_OPTIONS, count=len(options)) if qtype == "single"
                else Reason("options_count", "question {qid}: a multiple-choice question needs {least}–{most} options, "
                            "it has {count}", qid=q, least=MIN_OPTIONS, most=MAX_OPTIONS, count=len(options)))
        if any(not o for o in options):
            problems.append(Reason("option_empty", "question {qid}: an option is empty; write its text or leave it out",
                                   qid=q))
        if check_options and (same := repeated_options(options)):
            problems.append(Reason("options_repeated", "question {qid}: two options are the same ({options}); make every "
                                   "option different", qid=q, options=same))
        letters = _letters(answer) if answer is not None else ""
        allowed = LETTERS[:len(options)]
        bad = [c for c in letters if c not in allowed]
        if not letters:
            problems.append(Reason("answer_missing", "question {qid}: answer is missing; write the letter(s) of the right "
                                   "option(s)", qid=q))
        elif bad and allowed:  # without options, their count is the problem (above)
            problems.append(Reason("answer_not_option", "question {qid}: answer {answer} is not among the options "
                                   "{first}–{last}", qid=q, answer="".join(bad), first=allowed[0], last=allowed[-1]))
        elif qtype == "single" and len(letters) != 1:
            problems.append(Reason("single_answers", "question {qid}: a single-choice question has one answer, not "
                                   "{answer}", qid=q, answer=letters))
        elif qtype == "multiple" and len(letters) < 2:
            problems.append(Reason("multiple_answers", "question {qid}: a multiple-choice question has at least two "
                                   "answers, not {answer}", qid=q, answer=letters))
        answer = letters
    elif qtype == "judge":
        if options:
            problems.append(Reason("judge_options", "question {qid}: a judge question has no options; leave them out",
                                   qid=q))
        if isinstance(answer, str) and answer.strip() in ("对", "T", "true", "True", "√"):
            answer = True
        elif isinstance(answer, str) and answer.strip() in ("错", "F", "false", "False", "×"):
            answer = False
        if answer is None or answer == "":
            problems.append(Reason("answer_missing", "question {qid}: answer is missing; write 对 (true) or 错 (false)",
                                   qid=q))
        elif not isinstance(answer, bool):
            problems.append(Reason("judge_answer", "question {qid}: a judge answer is true or false (对 or 错), not "
                                   "'{answer}'", qid=q, answer=answer))
    elif qtype == "fill":
        accepted = answer if isinstance(answer, list) else [answer] if answer not in (None, "") else []
        accepted = tuple(str(a).strip() for a in accepted if str(a).strip())
        if not accepted:
            problems.append(Reason("fill_answer_missing", "question {qid}: a fill question needs at least one accepted "
                                   "answer", qid=q))
        if "____" not in stem and "（ ）" not in stem and "（）" not in stem:
            problems.append(Reason("fill_blank_missing", "question {qid}: a fill question's stem needs a blank written "
                                   "____", qid=q))
        answer = accepted
    elif qtype == "short":
        answer = str(answer or "").strip()
        if not answer:
            problems.append(Reason("marking_guide_missing", "question {qid}: a short-answer question needs a marking "
                                   "guide as its answer", qid=q))
    if problems:
        return None, problems
    return Question(qid=qid, tier=tier, family=family, type=qtype, stem=stem, options=options, answer=answer,
                    points=points, difficulty=float(diff), areas=areas,
                    explanation=str(d.get("explanation") or "").strip(), status=status), []


def _at(raw: RawQuestion, code: str | None) -> "str | Where":
    """Where a problem of ``raw`` is: its place, and in a sheet the column of the field at fault."""
    column = raw.columns.get(FIELD_OF.get(code or "", ""))
    if column and isinstance(raw.where, Where):
        return raw.where.at(column=column)
    return raw.where


def check_bank(raws: list[RawQuestion], *, tiers: int, check_options: bool = True) -> tuple[list[Question], list[Problem]]:
    """Check every question of an import together: each one alone, then duplicate ids. Each
    problem has its place (file:line, or file, sheet, row and column) and a Reason."""
    questions: list[Question] = []
    problems: list[Problem] = []
    first_seen: dict[str, "str | Where"] = {}
    for raw in raws:
        q, errs = parse_question(raw, tiers=tiers, check_options=check_options)
        problems.extend(Problem(_at(raw, e.code), e) for e in errs)
        qid = str(raw.data.get("id") or "").strip()
        if qid:
            if qid in first_seen:
                problems.append(Problem(_at(raw, "duplicate_id"), Reason(
                    "duplicate_id", "duplicate id {qid} (first at {first})", qid=qid, first=first_seen[qid])))
            else:
                first_seen[qid] = raw.where
        if raw.file_tier is not None and isinstance(raw.data.get("tier"), int) and raw.data["tier"] != raw.file_tier:
            problems.append(Problem(_at(raw, "tier_not_file_tier"), Reason(
                "tier_not_file_tier", "question {qid} says tier {tier} in a tier-{file_tier} file",
                qid=qid or Msg(NO_ID), tier=raw.data["tier"], file_tier=raw.file_tier)))
        if q is not None:
            questions.append(q)
    return questions, problems
