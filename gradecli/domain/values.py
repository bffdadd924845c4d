"""Values that carry meaning rather than text: the presentation layer decides how they read."""

from __future__ import annotations

from decimal import Decimal


class AbsentMark:
    """缺考: a part the candidate did not sit. Sheets and tables show it as text, JSON as null
    (with the reason given by a status code), and it is never a number to sum."""

    __slots__ = ()
    code = "absent"

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT = AbsentMark()


def score_or_absent(value, absent: bool):  # noqa: ANN001, ANN201
    """A part score for display: ABSENT for a part not sat, else the score (None: not yet known)."""
    return ABSENT if absent else value


class Money(Decimal):
    """An amount of money in yuan, exact to the fen (two places). Sheets write it as a number with
    a money format; JSON as an exact decimal string ("1234.50"), never a float."""

    __slots__ = ()

    @classmethod
    def from_fen(cls, fen: int) -> "Money":
        return cls(Decimal(fen).scaleb(-2).quantize(Decimal("0.01")))
