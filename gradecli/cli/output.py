"""The one renderer: a rich table or summary on a terminal, typed JSON with --json; progress on
stderr. Text is rendered here, in the run's language, from the messages and values the services
return; JSON carries the values typed and every message as {code, params, text}."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator

from gradecli.domain.values import AbsentMark, Money
from gradecli.i18n import Msg, _, render as text

MAX_TERMINAL_ROWS = 1000  # a terminal table beyond this helps nobody and takes minutes to draw
ROW_LINES = 2  # a row of a listing takes at most this many lines; longer text is cut with …
MIN_COLUMN = 4


def plain(v: Any) -> Any:
    """json.dumps' fallback: the typed value a script wants (see docs/json.md)."""
    if v.__class__ is AbsentMark:
        return None  # absent: null, with a *_status code beside it
    if isinstance(v, Msg):
        return v.to_json()
    if isinstance(v, Money):
        return str(v)  # money: an exact decimal string
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and v.as_tuple().exponent >= 0 else float(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, (set, frozenset)):
        return sorted(v)
    if hasattr(v, "tier") and hasattr(v, "level"):
        return str(v)  # a grade
    raise TypeError(f"{type(v).__name__} is not JSON")


def to_json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=plain)


def cell(v: Any) -> str:
    if v is None:
        return "—"
    if v.__class__ is AbsentMark:
        return _("absent")
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    return text(v)


def label(value: Any) -> str:
    """A title, header or summary: a message rendered, an N_-marked English label translated."""
    from gradecli.services.results import label as as_text

    return as_text(value)


def render(result: Any, *, as_json: bool, width: int | None = None, out=None, err=None) -> None:  # noqa: ANN001
    """Print a Listing or an Outcome (see gradecli.services.results)."""
    if as_json:
        (out or sys.stdout).write(to_json_text(result.to_json()) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape

    out = Console(soft_wrap=True, file=out, width=width) if out is not None or width else Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True) if err is None else Console(file=err, soft_wrap=True, width=width)
    if hasattr(result, "rows") and not result.rows:
        out.print(label(result.title), highlight=False, markup=False)
    elif hasattr(result, "rows"):
        table, hidden = fitted_table(result, out.width)
        out.print(table)
        if len(result.rows) > MAX_TERMINAL_ROWS:
            err.print(_("Note: showing {shown} of {total} rows; --json prints them all, and --out writes them to "
                        "Excel where the command offers it").format(shown=MAX_TERMINAL_ROWS, total=len(result.rows)),
                      highlight=False, markup=False)
        if hidden:
            err.print(_("Note: columns left out to fit the terminal: {columns} (--json and --out have them)")
                      .format(columns=_(", ").join(hidden)), highlight=False, markup=False)
    else:
        out.print(label(result.summary), highlight=False, markup=False)
        names = getattr(result, "labels", {}) or {}
        for key, value in result.data.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                out.print(f"[bold]{escape(label(names.get(key, key)))}[/bold]")
                for item in value:
                    out.print("  " + "  ".join(_("{label}: {value}").format(label=label(names.get(k, k)), value=cell(v))
                                               for k, v in item.items()), highlight=False, markup=False)
    for note in result.notes:
        err.print(_("Note: {note}").format(note=label(note)), highlight=False, markup=False)


def fitted_table(result: Any, width: int):  # noqa: ANN201
    """A rich table of a listing that fits ``width`` columns of the terminal: each row on at most
    two lines; the widest columns give way first and their text is cut with …; columns that still
    do not fit are left out from the right (the essential columns come first)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    headers = [label(h) for _, h in result.columns]
    rows = [[cell(r.get(k)) for k, _ in result.columns] for r in result.rows[:MAX_TERMINAL_ROWS]]
    natural = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    floor = [min(n, max(MIN_COLUMN, min(cell_len(h), 10))) for n, h in zip(natural, headers)]
    keep = len(headers)

    def total(ws: list[int]) -> int:
        return sum(ws) + 3 * len(ws) + 1  # borders and padding of a rich table

    while keep > 1 and total(floor[:keep]) > width:
        keep -= 1
    widths = natural[:keep]
    while total(widths) > width:  # the widest column that can still give way gives a cell
        movable = [j for j in range(keep) if widths[j] > floor[j]]
        if not movable:
            break
        widths[max(movable, key=lambda j: widths[j])] -= 1
    table = Table(title=Text(label(result.title)), show_lines=False, header_style="bold")
    for h, w in zip(headers[:keep], widths):
        table.add_column(Text(h), width=w, overflow="ellipsis", no_wrap=True)
    for r in rows:
        table.add_row(*(Text(_cut(v, w)) for v, w in zip(r[:keep], widths)))
    return table, headers[keep:]


def _cut(value: str, width: int, lines: int = ROW_LINES) -> str:
    """Text folded at ``width`` terminal cells a line (a Chinese character takes two, and words
    are not kept whole: a row stays at ``lines`` lines), the rest cut with …."""
    from rich.cells import cell_len

    value = " ".join(value.split())
    out: list[str] = []
    line, used = [], 0
    for ch in value:
        w = cell_len(ch)
        if used + w > width:
            out.append("".join(line))
            line, used = [], 0
            if len(out) == lines:
                break
        line.append(ch)
        used += w
    else:
        out.append("".join(line))
        return "\n".join(out)
    last = out[-1]
    while last and cell_len(last) + 1 > width:
        last = last[:-1]
    out[-1] = last.rstrip() + "…"
    return "\n".join(out)


@contextmanager
def progress(label: Any = "working") -> Iterator[Any]:
    """A callback (what, done, total) drawing a progress bar on stderr while work runs. Until the
    work reports its first step, a pulsing bar named ``label`` shows that it is running."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    waiting = [bar.add_task(text(label), total=None)]
    tasks: dict[str, int] = {}

    def update(what: Any, done: int, total: int) -> None:
        if waiting:
            bar.remove_task(waiting.pop())
        key = text(what)
        if key not in tasks:
            tasks[key] = bar.add_task(key, total=total or None)
        bar.update(tasks[key], completed=done, total=total or None)

    with bar:
        yield update
