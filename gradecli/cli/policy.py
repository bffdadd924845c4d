"""gradecli policy init FILE | show | check FILE."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, state
from gradecli.cli.options import JsonOpt

app = typer.Typer(no_args_is_help=True)


@app.command("init", help="Write a commented policy file with every default.")
def init(ctx: typer.Context, file: Annotated[Path, typer.Argument(dir_okay=False)],
         force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
         json: JsonOpt = False) -> None:
    from gradecli.services import policy_admin

    emit(ctx, policy_admin.init(file, force=force), json)


@app.command("show", help="Show the policy in force (the built-in one, or --policy FILE).")
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import policy_admin

    result = policy_admin.show(state(ctx).policy())
    if json or state(ctx).json:
        emit(ctx, result, True)
    else:
        typer.echo(result.data["toml"], nl=False)


@app.command("check", help="Check a policy file; every problem with its line number.")
def check(ctx: typer.Context, file: Annotated[Path, typer.Argument(dir_okay=False)], json: JsonOpt = False) -> None:
    from gradecli.services import policy_admin

    emit(ctx, policy_admin.check(file), json)
