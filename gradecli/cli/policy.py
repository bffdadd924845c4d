"""gradecli policy init FILE | show | check FILE."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, state
from gradecli.cli.options import JsonOpt
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)


@app.command("init", help=N_("Write a commented policy file with every default."))
def init(ctx: typer.Context,
         file: Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False, help=N_("The policy file to write (TOML)."))],
         force: Annotated[bool, typer.Option("--force", help=N_("Overwrite an existing file."))] = False,
         json: JsonOpt = False) -> None:
    from gradecli.services import policy_admin

    emit(ctx, policy_admin.init(file, force=force), json)


@app.command("show", help=N_("Show the policy in force (the built-in one, or --policy FILE)."))
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import policy_admin

    policy = state(ctx).policy()
    if json or state(ctx).json:
        emit(ctx, policy_admin.show(policy), True)
    else:
        typer.echo(policy_admin.as_toml(policy), nl=False)


@app.command("check", help=N_("Check a policy file; every problem with its line number."))
def check(ctx: typer.Context,
          file: Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False, help=N_("The policy file to check (TOML)."))],
          json: JsonOpt = False) -> None:
    from gradecli.services import policy_admin

    emit(ctx, policy_admin.check(file), json)
