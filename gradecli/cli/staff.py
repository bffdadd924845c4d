"""gradecli staff template | import | list | show | transfer."""

from __future__ import annotations

from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import DateOpt, EmpArg, JsonOpt, XlsxArg, parse_date
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)


@app.command("template", help=N_("Write a blank roster: bilingual headers, dropdowns; notes and an example on its Notes sheet."))
def template(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import staff

    emit(ctx, staff.write_roster_template(state(ctx).context(), file), json)


@app.command("import", help=N_("Add or update the roster by employee number, all or nothing."))
def import_(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import staff

    emit(ctx, run_with_progress(ctx, staff.import_roster_file, file), json)


@app.command("list", help=N_("List staff with their current grade."))
def list_(ctx: typer.Context,
          family: Annotated[str | None, typer.Option("--family", help=N_("Only this post family."))] = None,
          tier: Annotated[int | None, typer.Option("--tier", help=N_("Only this tier."))] = None,
          json: JsonOpt = False) -> None:
    from gradecli.services import staff

    emit(ctx, staff.list_staff(state(ctx).context(), family=family, tier=tier), json)


@app.command("show", help=N_("One employee: roster data, posts, ratings and grade."))
def show(ctx: typer.Context, emp: EmpArg, json: JsonOpt = False) -> None:
    from gradecli.services import staff

    emit(ctx, staff.show_staff(state(ctx).context(), emp), json)


@app.command("transfer", help=N_("Record a move to another post; leaving a front-line post applies the drop."))
def transfer(ctx: typer.Context, emp: EmpArg,
             post: Annotated[str, typer.Option("--post", help=N_("The new post."))],
             date: DateOpt,
             frontline: Annotated[bool | None, typer.Option("--frontline/--no-frontline",
                                                            help=N_("Whether the new post is front-line (default: unchanged)."))] = None,
             json: JsonOpt = False) -> None:
    from gradecli.services import staff

    emit(ctx, staff.transfer(state(ctx).context(), emp, post=post, frontline=frontline, on=parse_date(date)), json)
