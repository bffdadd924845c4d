"""gradecli report pyramid | cycle | items | projection."""

from __future__ import annotations

from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress
from gradecli.cli.options import CycleArg, JsonOpt, OutXlsx, parse_date
from gradecli.i18n import Msg, N_

app = typer.Typer(no_args_is_help=True)


@app.command("pyramid", help=N_("Staff per tier and level against the target shares (Excel with a bar chart)."))
def pyramid(ctx: typer.Context, family: Annotated[str | None, typer.Option("--family", help=N_("One post family."))] = None,
            on: Annotated[str | None, typer.Option("--on", metavar="DATE", help=N_("YYYY-MM-DD (default today)."))] = None,
            out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    emit(ctx, run_with_progress(ctx, reports.pyramid, family=family, on=parse_date(on), out=out), json)


@app.command("cycle", help=N_("Pass rates per part, score distributions, outcomes per tier, quota use, and how fair the papers were: their expected-score spread per tier and the mean theory score per shared variant or per decile of the expected score."))
def cycle(ctx: typer.Context, code: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    emit(ctx, run_with_progress(ctx, reports.cycle_report, code, out=out), json)


@app.command("items", help=N_("Item analysis: facility, discrimination, Cronbach's alpha, flags."))
def items(ctx: typer.Context, code: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    emit(ctx, run_with_progress(ctx, reports.items_report, code, out=out), json)


@app.command("projection", help=N_("Project the tier distribution per family under the current policy."))
def projection(ctx: typer.Context, years: Annotated[int, typer.Option("--years", help=N_("Years ahead."))] = 5,
               attrition: Annotated[float, typer.Option("--attrition", help=N_("Share leaving each year."))] = 0.05,
               family: Annotated[str | None, typer.Option("--family", help=N_("One post family."))] = None,
               out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    listing = run_with_progress(ctx, reports.projection, years=years, attrition=attrition, family=family)
    if out:
        reports.projection_xlsx(listing, out)
        listing.notes.append(Msg("wrote {path}", path=str(out)))
    emit(ctx, listing, json)
