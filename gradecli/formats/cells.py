"""Cell parsers: each turns one spreadsheet value into a typed value or says how to fix it."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from gradecli.domain.eligibility import join_names
from gradecli.i18n import Msg

YES = ("是", "y", "yes", "true", "1", "√")
NO = ("否", "n", "no", "false", "0", "×")


class CellError(ValueError):
    """A cell that cannot be read; the message (a Msg) says what to write instead."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.template)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"'{value}'"


def text(value: Any) -> str:
    """Text as written; whole numbers stored by Excel as 1001.0 come back as '1001'."""
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def code(value: Any) -> str:
    """An identifier such as 工号: text without inner spaces."""
    s = text(value)
    if re.search(r"\s", s):
        raise CellError(Msg("{value} contains spaces; write the number without spaces", value=_show(value)))
    return s


NAME_SEPARATORS = re.compile(r"[、,，;；\n]+")


def name_list(value: Any) -> str:
    """Several names in one cell (certificates): split at 、 , ; or line breaks, kept once each,
    in their stored form (see domain.eligibility.join_names)."""
    return join_names(n.strip() for n in NAME_SEPARATORS.split(text(value)))


def yes_no(value: Any) -> bool:
    if value == "是":
        return True
    if value == "否":
        return False
    if isinstance(value, bool):
        return value
    s = text(value).casefold()
    if s in YES:
        return True
    if s in NO:
        return False
    raise CellError(Msg("{value} is not 是 or 否 (write 是 or 否)", value=_show(value)))


_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?")


def a_date(value: Any) -> date:
    """An Excel date cell, or text YYYY-MM-DD (also 2023/01/05 and 2023年1月5日)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(Msg("{value} is a number, not a date (format the cell as a date or write YYYY-MM-DD)", value=_show(value)))
    s = text(value)
    m = _DATE_TEXT.fullmatch(s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise CellError(Msg("{value} is not a date (use YYYY-MM-DD)", value=_show(value)))


# What a template may ask Excel to check as the cell is typed: (kind, lowest, highest).
a_date.validation = ("date", None, None)  # type: ignore[attr-defined]


def choice(options: tuple[str, ...] | list[str]) -> Callable[[Any], str]:
    opts = tuple(options)

    def parse(value: Any) -> str:
        s = text(value)
        if s in opts:
            return s
        raise CellError(Msg("{value} is not one of {options} (write one of them)", value=_show(value), options="/".join(opts)))

    parse.options = opts  # type: ignore[attr-defined]
    return parse


def integer(lo: int | None = None, hi: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(Msg("{value} is not a whole number", value=_show(value)))
        if isinstance(value, float) and value.is_integer():
            n = int(value)
        elif isinstance(value, int):
            n = value
        else:
            s = text(value)
            if not re.fullmatch(r"[+-]?\d+", s):
                raise CellError(Msg("{value} is not a whole number", value=_show(value)))
            n = int(s)
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            raise CellError(Msg("{value} is outside {lo}–{hi}", value=n, lo=lo, hi=hi) if lo is not None and hi is not None
                            else Msg("{value} is less than {lo}", value=n, lo=lo) if lo is not None
                            else Msg("{value} is more than {hi}", value=n, hi=hi))
        return n

    parse.validation = ("whole", lo, hi)  # type: ignore[attr-defined]
    return parse


def decimal(lo: Decimal | None = None, hi: Decimal | None = None, places: int = 2) -> Callable[[Any], Decimal]:
    """A number with at most ``places`` decimals, read exactly (never through float arithmetic)."""

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool):
            raise CellError(Msg("{value} is not a number", value=_show(value)))
        try:
            # repr of a float is its shortest round-trip text: 12.3 stays 12.3, not 12.2999…
            d = Decimal(repr(value)) if isinstance(value, float) else Decimal(text(value))
        except InvalidOperation:
            raise CellError(Msg("{value} is not a number", value=_show(value))) from None
        if not d.is_finite():
            raise CellError(Msg("{value} is not a number", value=_show(value)))
        step = Decimal(1).scaleb(-places)
        if d != d.quantize(step):
            raise CellError(Msg("{value} has more than {places} decimals", value=_show(value), places=places))
        if (lo is not None and d < lo) or (hi is not None and d > hi):
            raise CellError(Msg("{value} is outside {lo}–{hi}", value=_show(value).strip(chr(39)), lo=lo, hi=hi))
        return d.quantize(step)

    parse.validation = ("decimal", lo, hi)  # type: ignore[attr-defined]
    return parse


ABSENT = "缺考"  # what a sheet writes for a candidate who did not sit a part (absent)


def is_absent(value: Any) -> bool:
    return isinstance(value, str) and value.strip() == ABSENT


def or_absent(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A score cell that may also say 缺考: the score, or ABSENT."""

    def parse_or_absent(value: Any) -> Any:
        return ABSENT if is_absent(value) else parse(value)

    return parse_or_absent
