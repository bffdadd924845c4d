"""gradecli ladder show."""

from __future__ import annotations

import typer

from gradecli.cli.app import emit, state
from gradecli.cli.options import JsonOpt

app = typer.Typer(no_args_is_help=True)


@app.command("show", help="Post families, tiers, levels, labels, target shares and staff per tier.")
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import ladder

    emit(ctx, ladder.show(state(ctx).context()), json)
