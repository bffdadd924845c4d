"""gradecli first-evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress
from gradecli.cli.options import JsonOpt, OutXlsx, parse_date
from gradecli.i18n import N_


def first_evaluation(ctx: typer.Context,
                     as_of: Annotated[str, typer.Option("--as-of", metavar="DATE", help=N_("Placement date, YYYY-MM-DD."))],
                     scores: Annotated[Path | None, typer.Option("--scores", help=N_("Exam scores (employee number, theory score), for reference only."), dir_okay=False)] = None,
                     out: OutXlsx = None,
                     publish: Annotated[Path | None, typer.Option(
                         "--publish", metavar="DIR", file_okay=False,
                         help=N_("Publish the placements (notice in DIR, objection window) as cycle F<year>; "
                                 "`cycle close` writes them to the ledger."))] = None,
                     apply: Annotated[bool, typer.Option("--apply", help=N_("Record at once (only where the policy allows it)."))] = False,
                     json: JsonOpt = False) -> None:
    """First placement (首次评定): place every active professional-technical employee without a grade (lenient).
    The command's help text is given where it is registered (cli/app.py)."""
    from gradecli.services import evaluation

    emit(ctx, run_with_progress(ctx, evaluation.first_evaluation, as_of=parse_date(as_of), scores=scores, out=out,
                                apply=apply, publish_to=publish), json)
