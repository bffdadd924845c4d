"""Plain results that the one renderer turns into a rich table or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Listing:
    """Rows with named columns: a rich table on a terminal, a list of objects with --json."""

    title: str
    columns: list[tuple[str, str]]  # (key, header)
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "count": len(self.rows), "rows": self.rows, **self.extra,
                "notes": self.notes}


@dataclass
class Outcome:
    """The result of a step: a one-line summary, details, and data for scripts."""

    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, **self.data, "notes": self.notes}
