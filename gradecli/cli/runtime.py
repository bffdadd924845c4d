"""What every command shares: the global options' state, the Context built from it, rendering a
result, and the progress bar. The command modules and the root app import this module; it imports
none of them, so the command line's import graph has no cycle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer


@dataclass
class State:
    db: str | None = None
    policy_file: Path | None = None
    json: bool = False
    today: str | None = None
    _ctx: Any = None

    def context(self):  # noqa: ANN201
        """The services' Context, built on first use (so --help never imports the database layer)."""
        if self._ctx is None:
            from gradecli.services.context import Context
            from gradecli.store.db import resolve_url

            from gradecli.cli.options import parse_date

            self._ctx = Context(url=resolve_url(self.db), policy=self.policy(), pretend_today=parse_date(self.today),
                                on_new_database=new_database)
        return self._ctx

    def policy(self):  # noqa: ANN201
        if self.policy_file is None:
            from gradecli.domain.policy import Policy

            return Policy()
        from gradecli.formats.policy_toml import load

        return load(self.policy_file)


def new_database(path: Path) -> None:
    """Said once, on stderr, when a command creates the SQLite file (never for PostgreSQL)."""
    import sys

    from gradecli.i18n import Msg

    sys.stderr.write(Msg("New database {path}", path=str(path)).text() + "\n")


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = State()
    return root.obj


def emit(ctx: typer.Context, result: Any, json_flag: bool = False) -> None:
    from gradecli.cli.output import render

    render(result, as_json=json_flag or state(ctx).json)
    code = getattr(result, "exit_code", 0)
    if code:
        raise typer.Exit(code)


def run_with_progress(ctx: typer.Context, fn, *args, **kwargs):  # noqa: ANN001, ANN201
    """Call a service with a progress bar on stderr (hidden with --json or when not a terminal)."""
    import sys

    from gradecli.cli.output import progress

    c = state(ctx).context()
    if state(ctx).json or not sys.stderr.isatty():
        return fn(c, *args, **kwargs)
    with progress(ctx.command_path) as update:
        c.progress = update
        try:
            return fn(c, *args, **kwargs)
        finally:
            from gradecli.services.context import _no_progress

            c.progress = _no_progress


