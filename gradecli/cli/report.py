"""gradecli report pyramid | cycle | items | projection."""

from __future__ import annotations

from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress
from gradecli.cli.options import CycleArg, JsonOpt, OutXlsx, parse_date

app = typer.Typer(no_args_is_help=True)


@app.command("pyramid", help="Staff per tier and level against the target shares (Excel with a bar chart).")
def pyramid(ctx: typer.Context, family: Annotated[str | None, typer.Option("--family", help="One post family.")] = None,
            on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="YYYY-MM-DD (default today).")] = None,
            out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    emit(ctx, run_with_progress(ctx, reports.pyramid, family=family, on=parse_date(on), out=out), json)


@app.command("cycle", help="Pass rates per part, score distributions, outcomes per tier, quota use.")
def cycle(ctx: typer.Context, code: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    emit(ctx, run_with_progress(ctx, reports.cycle_report, code, out=out), json)


@app.command("items", help="Item analysis: facility, discrimination, Cronbach's alpha, flags.")
def items(ctx: typer.Context, code: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    emit(ctx, run_with_progress(ctx, reports.items_report, code, out=out), json)


@app.command("projection", help="Project the tier distribution per family under the current policy.")
def projection(ctx: typer.Context, years: Annotated[int, typer.Option("--years", help="Years ahead.")] = 5,
               attrition: Annotated[float, typer.Option("--attrition", help="Share leaving each year.")] = 0.05,
               family: Annotated[str | None, typer.Option("--family", help="One post family.")] = None,
               out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import reports

    listing = run_with_progress(ctx, reports.projection, years=years, attrition=attrition, family=family)
    if out:
        reports.projection_xlsx(listing, out)
        listing.notes.append(f"wrote {out}")
    emit(ctx, listing, json)
