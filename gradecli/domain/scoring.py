"""Reading answers and scoring them (答卷评分): lenient where the meaning is clear, strict where not."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from gradecli.domain.bank import LETTERS, Question
from gradecli.i18n import Msg, N_, Reason

TRUE_WORDS = {"对", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "正确", "是"}
FALSE_WORDS = {"错", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "错误", "否"}
SEPARATORS = re.compile(r"[\s,，、;；/]+")


class AnswerError(ValueError):
    """An answer that cannot be read; the message (a Reason) says what is wrong."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


# Question types as a person reads them (the code stays in the bank and in --json).
TYPE_LABELS = {"single": N_("single choice"), "multiple": N_("multiple choice"), "judge": N_("true or false"),
               "fill": N_("fill in the blank"), "short": N_("short answer")}


def question_type_label(kind: str) -> Reason:
    return Reason(kind, TYPE_LABELS.get(kind, kind))


def normalise(text: str) -> str:
    """Full-width to half-width, case folded, spaces removed (for fill answers)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def allowed_hint(q: Question, order: tuple[int, ...] = ()) -> Msg:
    """What an answer to this question may be, for a person filling in the sheet."""
    n = len(order or q.options)
    if q.type == "single":
        return Msg("one letter {first}–{last}", first=LETTERS[0], last=LETTERS[n - 1])
    if q.type == "multiple":
        return Msg("letters {first}–{last}, any order (e.g. AC)", first=LETTERS[0], last=LETTERS[n - 1])
    if q.type == "judge":
        return Msg("对/错 (or √/×, T/F)")
    if q.type == "fill":
        return Msg("the word(s) written in the blank")
    return Msg("points given by the marker, 0–{points}", points=q.points)


_PLAIN = {}


def read_choice(raw: str, n_options: int) -> str:
    """'ca', 'A C', 'ＡＣ' → 'AC'; a letter beyond the options is an error."""
    hit = _PLAIN.get((raw, n_options))
    if hit is not None:
        return hit
    t = SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()
    allowed = LETTERS[:n_options]
    bad = sorted({c for c in t if c not in allowed})
    if bad:
        raise AnswerError(Reason("not_an_option", "'{letters}' is not an option ({first}–{last})", letters="".join(bad),
                                 first=allowed[0], last=allowed[-1]))
    out = "".join(sorted(set(t)))
    if len(_PLAIN) < 10_000:  # the same few answers recur thousands of times in a sitting
        _PLAIN[(raw, n_options)] = out
    return out


def read_judge(raw: str) -> bool:
    t = unicodedata.normalize("NFKC", raw).strip().upper()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    raise AnswerError(Reason("not_true_false", "'{value}' is not 对 or 错 (√/×, T/F)", value=raw))


def _show(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return repr(raw) if isinstance(raw, str) else str(raw)


def read_points(raw: object, max_points: int) -> Decimal:
    try:
        d = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise AnswerError(Reason("not_points", "{value} is not a number of points (0–{max_points})", value=_show(raw),
                                 max_points=max_points)) from None
    if not d.is_finite() or d < 0 or d > max_points:
        raise AnswerError(Reason("points_out_of_range", "{value} is outside 0–{max_points} points", value=_show(raw),
                                 max_points=max_points))
    if d != d.quantize(Decimal("0.1")):
        raise AnswerError(Reason("points_too_precise", "{value}: give points to one decimal at most", value=_show(raw)))
    return d.quantize(Decimal("0.1"))


def score(q: Question, order: tuple[int, ...], raw: object, *, multiple_scoring: str) -> tuple[str, Decimal]:
    """(the answer as recorded, points earned). A blank is unanswered and earns 0.

    ``raw`` is what the answer sheet says, in the letters the candidate saw (options shuffled by
    ``order``)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "", Decimal(0)
    points = Decimal(q.points)
    if q.type == "short":
        got = read_points(raw, q.points)
        return str(got), got
    text = str(raw) if not isinstance(raw, float) or not raw.is_integer() else str(int(raw))
    if q.type in ("single", "multiple"):
        shown = read_choice(text, len(q.options))
        # back from the letters shown to the bank's own letters
        original = "".join(sorted(LETTERS[order[LETTERS.index(c)]] for c in shown)) if order else shown
        right = set(q.answer)
        picked = set(original)
        if picked == right:
            return shown, points
        if (q.type == "multiple" and multiple_scoring == "half_for_partial" and picked and picked < right):
            return shown, points / 2
        return shown, Decimal(0)
    if q.type == "judge":
        if isinstance(raw, bool):
            value = raw
        else:
            value = read_judge(text)
        return ("对" if value else "错"), points if value == q.answer else Decimal(0)
    given = normalise(text)
    return text.strip(), points if any(given == normalise(a) for a in q.answer) else Decimal(0)


def panel_score(marks: list, trim_from: int):  # noqa: ANN001, ANN201
    """The skill score of a panel of assessors ("评定过程应公开透明，避免主观因素影响"): the mean of the
    marks given (an assessor who recused leaves a blank: None), after dropping the highest and the
    lowest mark when at least ``trim_from`` were given; one decimal, rounded half up. Returns the
    score (None when no mark was given) and the marks that were dropped."""
    from decimal import ROUND_HALF_UP, Decimal

    given = [Decimal(m) for m in marks if m is not None]
    if not given:
        return None, []
    dropped: list = []
    used = given
    if trim_from and len(given) >= trim_from:
        ordered = sorted(given)
        dropped, used = [ordered[0], ordered[-1]], ordered[1:-1]
    return (sum(used) / len(used)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), dropped
