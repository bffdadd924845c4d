"""gradecli bank import | export | stats | check | template | retire | calibrate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import CycleArg, JsonOpt, XlsxArg
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)
TierOpt = Annotated[int | None, typer.Option("--tier", help=N_("Only this tier."))]


@app.command("import", help=N_("Import bank files (YAML or the Excel template) or folders; all or nothing."))
def import_(ctx: typer.Context, paths: Annotated[list[Path], typer.Argument(metavar="PATH", help=N_("Files or folders."))],
            json: JsonOpt = False) -> None:
    from gradecli.services import bank

    emit(ctx, run_with_progress(ctx, bank.import_paths, paths), json)


@app.command("export", help=N_("Export a tier's questions as YAML or Excel (by the --out extension)."))
def export(ctx: typer.Context, tier: Annotated[int, typer.Option("--tier", help=N_("The tier."))],
           out: Annotated[Path, typer.Option("--out", help=N_("FILE.yaml or FILE.xlsx"))],
           family: Annotated[str | None, typer.Option("--family", help=N_("Only this family (or common)."))] = None,
           json: JsonOpt = False) -> None:
    from gradecli.services import bank

    emit(ctx, bank.export(state(ctx).context(), tier=tier, family=family, out=out), json)


@app.command("stats", help=N_("Active questions per tier, family, type, points, difficulty and area; paper capacity."))
def stats(ctx: typer.Context, tier: TierOpt = None, json: JsonOpt = False) -> None:
    from gradecli.services import bank

    emit(ctx, bank.stats(state(ctx).context(), tier=tier), json)


@app.command("check", help=N_("Check banks before a sitting: duplicates, repeated options, key spread, areas, "
                                "capacity. PATHs: the banks once those files are imported; none: the imported banks. "
                                "Exit 1 when a blocking problem is found (with --strict, a warning too)."))
def check(ctx: typer.Context,
          paths: Annotated[list[Path] | None,
                           typer.Argument(metavar="PATH", help=N_("Bank files (YAML or the Excel template) or folders."))] = None,
          tier: TierOpt = None,
          family: Annotated[str | None, typer.Option("--family", help=N_("Only this family (or common)."))] = None,
          strict: Annotated[bool, typer.Option("--strict", help=N_("Warnings fail the check too."))] = False,
          json: JsonOpt = False) -> None:
    from gradecli.services import bank

    emit(ctx, bank.check(state(ctx).context(), paths or None, tier=tier, family=family, strict=strict), json)


@app.command("template", help=N_("Write a blank Excel question template."))
def template(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import bank

    emit(ctx, bank.write_template(file), json)


@app.command("retire", help=N_("Retire a question: later papers do not use it; stored papers keep it."))
def retire(ctx: typer.Context, qid: Annotated[str, typer.Argument(metavar="QID", help=N_("Question id."))], json: JsonOpt = False) -> None:
    from gradecli.services import bank

    emit(ctx, bank.retire(state(ctx).context(), qid), json)


@app.command("calibrate", help=N_("Propose difficulties from a sitting's facility; --apply writes new question versions."))
def calibrate(ctx: typer.Context, cycle: CycleArg,
              min_responses: Annotated[int, typer.Option("--min-responses", help=N_("Responses needed per question."))] = 30,
              apply: Annotated[bool, typer.Option("--apply", help=N_("Write the new difficulties as new versions."))] = False,
              json: JsonOpt = False) -> None:
    from gradecli.services import reports

    emit(ctx, reports.calibrate(state(ctx).context(), cycle, min_responses=min_responses, apply=apply), json)
