"""Exam cycles (考评周期): kinds, periods, and the state machine every step must follow."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from gradecli.domain.errors import BadInput, RuleRefused
from gradecli.domain.policy import Policy
from gradecli.i18n import Msg, N_, Reason

STATES = ("draft", "open", "papers_issued", "scored", "evaluated", "published", "closed")
KINDS = ("annual", "semiannual")

# What each state and kind is called where a person reads it (the code stays in --json).
STATE_LABELS = {
    "draft": N_("draft"),
    "open": N_("open for registration"),
    "papers_issued": N_("papers issued"),
    "scored": N_("scored"),
    "evaluated": N_("evaluated"),
    "published": N_("published"),
    "closed": N_("closed"),
    "deleted": N_("deleted"),
}
KIND_LABELS = {
    "annual": N_("inter-tier exam (annual)"),
    "semiannual": N_("intra-tier exam (semiannual)"),
    "first": N_("first placement"),
}


def state_label(state: str) -> Reason:
    """A cycle's state for a person to read; its code for scripts."""
    return Reason(state, STATE_LABELS.get(state, state))


def kind_label(kind: str) -> Reason:
    """A cycle's kind for a person to read; its code for scripts."""
    return Reason(kind, KIND_LABELS.get(kind, kind))


# The step that moves a cycle out of each state, as an HR officer would run it.
NEXT_STEP = {
    "draft": N_("register candidates (`gradecli cycle register {code} --all-eligible`)"),
    "open": N_("issue the papers (`gradecli cycle issue-papers {code}`)"),
    "papers_issued": N_("import the answer sheets and skill scores (`gradecli cycle import-answers {code} FILE`, "
                        "`gradecli cycle import-scores {code} FILE --part skill`)"),
    "scored": N_("evaluate (`gradecli cycle evaluate {code}`)"),
    "evaluated": N_("publish the notice (`gradecli cycle publish {code} --out DIR`)"),
    "published": N_("close the cycle after the objection window (`gradecli cycle close {code}`)"),
    "closed": N_("nothing: the cycle is closed and read-only"),
}


def next_step(state: str, code: str) -> Reason:
    """What to do next with a cycle in this state (code: the state it moves out of)."""
    return Reason(state, NEXT_STEP[state], code=code)


@dataclass(frozen=True)
class Period:
    """2026 (annual, inter-tier exam 分等考试) or 2026H1 / 2026H2 (semiannual, intra-tier exam 等内考试)."""

    kind: str
    year: int
    half: int | None

    @property
    def code(self) -> str:
        return f"{self.year}" if self.half is None else f"{self.year}H{self.half}"

    @classmethod
    def parse(cls, kind: str, text: str) -> "Period":
        if kind not in KINDS:
            raise BadInput(Reason("bad_kind", "--kind '{kind}': use annual or semiannual", kind=kind))
        t = text.strip().upper()
        if kind == "annual":
            if not re.fullmatch(r"\d{4}", t):
                raise BadInput(Reason("bad_period", "--period '{period}': an annual cycle's period is a year, e.g. 2026",
                                      period=text))
            return cls(kind, int(t), None)
        m = re.fullmatch(r"(\d{4})H([12])", t)
        if not m:
            raise BadInput(Reason("bad_period", "--period '{period}': a semiannual cycle's period is 2026H1 or 2026H2",
                                  period=text))
        return cls(kind, int(m.group(1)), int(m.group(2)))

    @classmethod
    def first_of_year(cls, kind: str, year: int) -> "Period":
        """The year's first period of a kind: 2026, or 2026H1."""
        return cls(kind, year, None if kind == "annual" else 1)

    @classmethod
    def around(cls, kind: str, on: date) -> "Period":
        """The period of a kind an exam on this date belongs to (semiannual: H1 up to June)."""
        return cls(kind, on.year, None if kind == "annual" else (1 if on.month <= 6 else 2))

    def following(self) -> "Period":
        """The next period of the same kind: 2026 → 2027, 2026H1 → 2026H2 → 2027H1."""
        if self.half is None:
            return Period(self.kind, self.year + 1, None)
        return Period(self.kind, self.year + (self.half == 2), 1 if self.half == 2 else 2)

    def default_exam_date(self, policy: Policy) -> date:
        mmdd = {None: policy.exam.annual_exam_date, 1: policy.exam.h1_exam_date, 2: policy.exam.h2_exam_date}[self.half]
        month, day = (int(x) for x in mmdd.split("-"))
        return date(self.year, month, day)


@dataclass(frozen=True)
class ExamCalendar:
    """When each period's exam falls: the exam date of a cycle created for it, else the policy's
    default day for the period (``known`` maps a period code, 2026 or 2026H2, to its exam date)."""

    policy: Policy
    known: Mapping[str, date] = field(default_factory=dict)
    # answers worked out from this calendar, kept by their callers (most deferrals share a closing date)
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def exam_date(self, period: Period) -> date:
        return self.known.get(period.code) or period.default_exam_date(self.policy)


def periods_after(kind: str, after: date, n: int, calendar: ExamCalendar) -> list[Period]:
    """The first ``n`` periods of a kind, in order, whose exam falls after a date."""
    out: list[Period] = []
    p = Period.first_of_year(kind, after.year - 1)  # a period's exam may be moved, but never by a year
    while len(out) < n:
        if calendar.exam_date(p) > after:
            out.append(p)
        p = p.following()
    return out


def require(state: str, allowed: tuple[str, ...], *, code: str, action: "str | Msg") -> None:
    """Refuse a step out of order, saying which step must come first. ``action`` names the step
    (an N_-marked msgid, or a Msg)."""
    if state in allowed:
        return
    action = action if isinstance(action, Msg) else Msg(action)
    if state == "closed":
        raise RuleRefused(Reason("cycle_closed", "cycle {cycle} is closed and read-only; {action} is refused",
                                 cycle=code, action=action))
    order = STATES.index
    if all(order(state) < order(a) for a in allowed):
        raise RuleRefused(Reason("step_too_early", "cycle {cycle} is {state}: {action} comes later; first {first}",
                                 cycle=code, state=state_label(state), action=action, first=next_step(state, code)))
    raise RuleRefused(Reason("step_not_allowed", "cycle {cycle} is {state}: {action} is only possible in these "
                             "states: {allowed}", cycle=code, state=state_label(state), action=action,
                             allowed=[state_label(a) for a in allowed]))
