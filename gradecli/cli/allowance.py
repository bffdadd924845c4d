"""gradecli allowance template | import | show | compute | arrears."""

from __future__ import annotations

from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import JsonOpt, OutXlsx, XlsxArg, parse_date
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)
MonthOpt = Annotated[str, typer.Option("--month", metavar="YYYY-MM", help=N_("The month, e.g. 2026-12."))]


@app.command("template", help=N_("Write a blank allowance table (post family, tier, level, monthly amount, effective date) with checks and notes."))
def template(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import allowance

    emit(ctx, allowance.write_table_template(state(ctx).context(), file), json)


@app.command("import", help=N_("Import allowance table versions (post family, tier, level, monthly amount, effective date); all or nothing."))
def import_(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import allowance

    emit(ctx, allowance.import_table(state(ctx).context(), file), json)


@app.command("show", help=N_("The allowance table in force on a date (default today)."))
def show(ctx: typer.Context, on: Annotated[str | None, typer.Option("--on", metavar="DATE", help=N_("YYYY-MM-DD"))] = None,
         json: JsonOpt = False) -> None:
    from gradecli.services import allowance

    emit(ctx, allowance.show(state(ctx).context(), on=parse_date(on)), json)


@app.command("compute", help=N_("Compute a month day by day and store it as a payroll run (--replace to recompute)."))
def compute(ctx: typer.Context, month: MonthOpt, out: OutXlsx = None,
            replace: Annotated[bool, typer.Option("--replace", help=N_("Replace a stored month that now differs (after an automatic backup)."))] = False,
            json: JsonOpt = False) -> None:
    from gradecli.services import allowance

    emit(ctx, run_with_progress(ctx, allowance.compute, month=allowance.parse_month(month), out=out, replace=replace), json)


@app.command("arrears", help=N_("Recompute stored months against today's ledger and tables: arrears and clawback."))
def arrears(ctx: typer.Context,
            start: Annotated[str, typer.Option("--from", metavar="YYYY-MM", help=N_("First month."))],
            end: Annotated[str, typer.Option("--to", metavar="YYYY-MM", help=N_("Last month."))],
            out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import allowance

    emit(ctx, run_with_progress(ctx, allowance.arrears, start=allowance.parse_month(start),
                                end=allowance.parse_month(end), out=out), json)
