"""gradecli ladder show."""

from __future__ import annotations

from typing import Annotated

import typer

from gradecli.cli.runtime import emit, state
from gradecli.cli.options import JsonOpt
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)


@app.command("show", help=N_("Post families, tiers, levels, labels, target shares and staff per tier."))
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import ladder

    emit(ctx, ladder.show(state(ctx).context()), json)


@app.command("standards", help=N_("Each tier's grade standard and pass marks, per post family."))
def standards(ctx: typer.Context,
              family: Annotated[str | None, typer.Option("--family", help=N_("Only this post family."))] = None,
              json: JsonOpt = False) -> None:
    from gradecli.services import ladder

    emit(ctx, ladder.standards(state(ctx).context(), family=family), json)
