"""gradecli db upgrade | current | check | backup FILE | restore FILE."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, state
from gradecli.cli.options import JsonOpt
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade", help=N_("Upgrade the schema to the newest migration."))
def upgrade(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.upgrade(state(ctx).context()), json)


@app.command("current", help=N_("Show the schema revision of the database."))
def current(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.current(state(ctx).context()), json)


@app.command("check", help=N_("Check that the database is at the newest revision with no drift (exit 1 if not)."))
def check(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.check(state(ctx).context()), json)


@app.command("backup", help=N_("Copy the SQLite database while others may be working, then verify the copy "
                           "(schema revision, ledger hash chain); exit 1 and no copy if it does not verify."))
def backup(ctx: typer.Context,
           file: Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False, help=N_("The copy to write."))],
           overwrite: Annotated[bool, typer.Option("--overwrite", help=N_("Replace FILE if it exists."))] = False,
           json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.backup(state(ctx).context(), file, overwrite=overwrite), json)


@app.command("restore", help=N_("Verify a backup, keep the current database beside it, then put the backup's "
                            "content in its place (upgraded when older)."))
def restore(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False, help=N_("A file from `db backup`."))],
            json: JsonOpt = False) -> None:
    from gradecli.services import admin

    emit(ctx, admin.restore(state(ctx).context(), file), json)
