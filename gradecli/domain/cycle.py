"""Exam cycles (考评周期): kinds, periods, and the state machine every step must follow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from gradecli.domain.errors import BadInput, RuleRefused
from gradecli.domain.policy import Policy

STATES = ("draft", "open", "papers_issued", "scored", "evaluated", "published", "closed")
KINDS = ("annual", "semiannual")

# The step that moves a cycle out of each state, as an HR officer would run it.
NEXT_STEP = {
    "draft": "register candidates (`gradecli cycle register {code} --all-eligible`)",
    "open": "issue the papers (`gradecli cycle issue-papers {code}`)",
    "papers_issued": "import the answer sheets and skill scores (`gradecli cycle import-answers {code} FILE`, "
                     "`gradecli cycle import-scores {code} FILE --part skill`)",
    "scored": "evaluate (`gradecli cycle evaluate {code}`)",
    "evaluated": "publish the notice (`gradecli cycle publish {code} --out DIR`)",
    "published": "close the cycle after the objection window (`gradecli cycle close {code}`)",
    "closed": "nothing: the cycle is closed and read-only",
}


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
            raise BadInput(f"--kind {kind!r}: use annual or semiannual")
        t = text.strip().upper()
        if kind == "annual":
            if not re.fullmatch(r"\d{4}", t):
                raise BadInput(f"--period {text!r}: an annual cycle's period is a year, e.g. 2026")
            return cls(kind, int(t), None)
        m = re.fullmatch(r"(\d{4})H([12])", t)
        if not m:
            raise BadInput(f"--period {text!r}: a semiannual cycle's period is 2026H1 or 2026H2")
        return cls(kind, int(m.group(1)), int(m.group(2)))

    def default_exam_date(self, policy: Policy) -> date:
        mmdd = {None: policy.exam.annual_exam_date, 1: policy.exam.h1_exam_date, 2: policy.exam.h2_exam_date}[self.half]
        month, day = (int(x) for x in mmdd.split("-"))
        return date(self.year, month, day)


def require(state: str, allowed: tuple[str, ...], *, code: str, action: str) -> None:
    """Refuse a step out of order, saying which step must come first."""
    if state in allowed:
        return
    if state == "closed":
        raise RuleRefused(f"cycle {code} is closed and read-only; {action} is refused")
    order = STATES.index
    if all(order(state) < order(a) for a in allowed):
        first = NEXT_STEP[state].format(code=code)
        raise RuleRefused(f"cycle {code} is {state}: {action} comes later; first {first}")
    raise RuleRefused(f"cycle {code} is {state}: {action} is only possible while it is "
                      f"{' or '.join(allowed)}")
