"""gradecli audit verify | audit cycle."""

from __future__ import annotations

import typer

from gradecli.cli.runtime import emit, state
from gradecli.cli.options import CycleArg, JsonOpt
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)


@app.command("verify", help=N_("Check the ledger's hash chain; names every edited, deleted or reordered row (exit 1)."))
def verify(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import grades

    emit(ctx, grades.verify(state(ctx).context()), json)


@app.command("cycle", help=N_("After closing: the notice, the ledger and the stored payroll agree for every decision (exit 1 if not)."))
def cycle(ctx: typer.Context, cycle: CycleArg, json: JsonOpt = False) -> None:
    from gradecli.services import audit

    emit(ctx, audit.cycle(state(ctx).context(), cycle), json)
