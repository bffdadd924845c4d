"""The one renderer: a rich table or summary on a terminal, JSON with --json; progress on stderr."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator

from gradecli.domain.values import AbsentMark


MAX_TERMINAL_ROWS = 1000  # a terminal table beyond this helps nobody and takes minutes to draw


def _plain(v: Any) -> Any:
    if v.__class__ is AbsentMark:
        return None  # absent: null, with a *_status code beside it
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, set):
        return sorted(v)
    raise TypeError(f"{type(v).__name__} is not JSON")


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if v.__class__ is AbsentMark:
        return "缺考"
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def render(result: Any, *, as_json: bool) -> None:
    """Print a Listing or an Outcome (see gradecli.services.results)."""
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=_plain) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape

    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    if hasattr(result, "rows") and not result.rows:
        out.print(result.title, highlight=False, markup=False)
    elif hasattr(result, "rows"):
        from rich.table import Table

        table = Table(title=escape(result.title), show_lines=False, header_style="bold")
        for _, header in result.columns:
            table.add_column(escape(header))
        for row in result.rows[:MAX_TERMINAL_ROWS]:
            table.add_row(*(escape(_cell(row.get(k))) for k, _ in result.columns))
        out.print(table)
        if len(result.rows) > MAX_TERMINAL_ROWS:
            err.print(f"[yellow]Note:[/yellow] showing {MAX_TERMINAL_ROWS} of {len(result.rows):,} rows; "
                      "--json prints them all, and --out writes them to Excel where the command offers it",
                      highlight=False)
    else:
        out.print(result.summary, highlight=False, markup=False)
        for key, value in result.data.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                out.print(f"[bold]{escape(key)}[/bold]")
                for item in value:
                    out.print("  " + ", ".join(f"{k}: {_cell(v)}" for k, v in item.items()), highlight=False, markup=False)
    for note in result.notes:
        err.print(f"[yellow]Note:[/yellow] {escape(note)}", highlight=False)


@contextmanager
def progress(label: str = "working") -> Iterator[Any]:
    """A callback (what, done, total) drawing a progress bar on stderr while work runs. Until the
    work reports its first step, a pulsing bar named ``label`` shows that it is running."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rich.console import Console

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    waiting = [bar.add_task(label, total=None)]
    tasks: dict[str, int] = {}

    def update(what: str, done: int, total: int) -> None:
        if waiting:
            bar.remove_task(waiting.pop())
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total or None)
        bar.update(tasks[what], completed=done, total=total or None)

    with bar:
        yield update
