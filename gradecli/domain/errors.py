"""The exception family; every message is meant for an HR officer, not a programmer.

Messages are data (``gradecli.i18n.Msg``) rendered in the run's language when printed; a plain
string is taken as it is (text that is not ours to translate, such as a value from a sheet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from gradecli.i18n import Msg, render

Text = Union[str, Msg]


@dataclass(frozen=True)
class Where:
    """Where a problem is: a file, and inside it a sheet, a row and a column (each optional)."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        from gradecli.i18n import _

        parts = [self.file]
        if self.sheet is not None:
            parts.append(Msg("sheet {sheet}", sheet=self.sheet).text())
        if self.row is not None:
            parts.append(Msg("row {row}", row=self.row).text())
        if self.column is not None:
            parts.append(Msg("column {column}", column=self.column).text())
        out = parts[0]
        for part in parts[1:]:
            out = _("{place}, {detail}").format(place=out, detail=part)
        return out

    def at(self, *, row: int | None = None, column: str | None = None) -> "Where":
        return Where(self.file, self.sheet, self.row if row is None else row, self.column if column is None else column)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with some input, with where it is and how to fix it."""

    where: Text | Where
    message: Text

    def __str__(self) -> str:
        from gradecli.i18n import _

        where = render(self.where) if not isinstance(self.where, Where) else str(self.where)
        if not where:
            return render(self.message)
        return _("{where}: {problem}").format(where=where, problem=render(self.message))


class GradecliError(Exception):
    """Base class. ``exit_code`` is what the command line exits with."""

    exit_code = 2

    def __init__(self, message: Text | None = None, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        self.message = message
        super().__init__(message if isinstance(message, str) else repr(message))

    def __str__(self) -> str:
        if self.message is not None:
            return render(self.message)
        return "; ".join(str(p) for p in self.problems) or self.__class__.__name__

    def lines(self) -> list[str]:
        """One line per problem (or the message when there is no list), in the run's language."""
        if self.problems:
            return [str(p) for p in self.problems]
        return [str(self)]


class BadInput(GradecliError):
    """Bad file, cell, option or argument: exit 2, nothing written."""

    exit_code = 2


class NotFound(BadInput):
    """An employee, cycle, paper or question that does not exist."""


class RuleRefused(GradecliError):
    """The input is fine but a rule of the system forbids the step: exit 1."""

    exit_code = 1


class IntegrityFailure(GradecliError):
    """The stored ledger does not verify (edited, deleted or reordered rows)."""

    exit_code = 1


class DatabaseUnavailable(BadInput):
    """The database cannot be opened, created or written: the URL, the cause and the fix."""
