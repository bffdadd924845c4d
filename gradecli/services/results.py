"""Plain results that the one renderer turns into a rich table or JSON. Titles, summaries, notes
and column headers are messages (gradecli.i18n.Msg, or N_-marked English) rendered in the run's
language at the edge; JSON keeps them as text, and the rows' values typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, Union

from gradecli.i18n import Msg, _, render

Text = Union[str, Msg]


@dataclass
class Listing:
    """Rows with named columns: a rich table on a terminal, a list of objects with --json."""

    title: Text
    columns: list[tuple[str, Text]]  # (key, header: an N_-marked msgid)
    rows: list[dict[str, Any]]
    notes: list[Text] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"title": label(self.title), "count": len(self.rows), "rows": list(self.rows), **self.extra,
                "notes": [label(n) for n in self.notes]}


class LazyRows(Sequence):
    """Rows built only when someone looks at them: a terminal shows the first thousand of a
    100,000-line payroll; --json and --out take them all."""

    def __init__(self, items: Sequence[Any], build: Callable[[Any], dict[str, Any]]):
        self._items, self._build = items, build

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):  # noqa: ANN001, ANN204
        if isinstance(index, slice):
            return [self._build(x) for x in self._items[index]]
        return self._build(self._items[index])


@dataclass
class Outcome:
    """The result of a step: a one-line summary, details, and data for scripts."""

    summary: Text
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
    exit_code: int = 0
    labels: dict[str, str] = field(default_factory=dict)  # data key → N_-marked label, for the terminal

    def to_json(self) -> dict[str, Any]:
        return {"summary": label(self.summary), **self.data, "notes": [label(n) for n in self.notes]}


def label(value: Text) -> str:
    """A title or summary as text: a message rendered, an N_-marked label translated."""
    return _(value) if isinstance(value, str) else render(value)


def upsert_outcome(source: str, rows: int, added: int, updated: int, notes: list[Text]) -> Outcome:
    """What an upsert import did, saying so plainly when the file changed nothing."""
    unchanged = rows - added - updated
    if not added and not updated:
        summary = Msg("{source}: {rows} rows, nothing changed (all already up to date)", source=source, rows=rows)
    else:
        summary = Msg("{source}: {rows} rows — {added} added, {updated} updated, {unchanged} unchanged",
                      source=source, rows=rows, added=added, updated=updated, unchanged=unchanged)
    return Outcome(summary, {"rows": rows, "added": added, "updated": updated, "unchanged": unchanged}, notes=notes)
