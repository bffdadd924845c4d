"""The exception family; every message is meant for an HR officer, not a programmer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with some input, with where it is and how to fix it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class GradecliError(Exception):
    """Base class. ``exit_code`` is what the command line exits with."""

    exit_code = 2

    def __init__(self, message: str | None = None, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        if message is None:
            message = "; ".join(str(p) for p in self.problems) or self.__class__.__name__
        super().__init__(message)

    def lines(self) -> list[str]:
        """One line per problem (or the message when there is no list)."""
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
