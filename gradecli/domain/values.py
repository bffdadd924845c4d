"""Values that carry meaning rather than text: the presentation layer decides how they read."""

from __future__ import annotations


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
