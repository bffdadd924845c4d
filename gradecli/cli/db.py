"""gradecli db upgrade | current | check."""

from __future__ import annotations

import typer

from gradecli.cli.app import emit, state
from gradecli.cli.options import JsonOpt

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade", help="Upgrade the schema to the newest migration.")
def upgrade(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.upgrade(state(ctx).context()), json)


@app.command("current", help="Show the schema revision of the database.")
def current(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.current(state(ctx).context()), json)


@app.command("check", help="Check that the database is at the newest revision with no drift (exit 1 if not).")
def check(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.check(state(ctx).context()), json)
