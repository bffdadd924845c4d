"""gradecli grade template | import | history | as-of | correct."""

from __future__ import annotations

from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import DateOpt, EmpArg, JsonOpt, OutXlsx, XlsxArg, parse_date
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)


@app.command("template", help=N_("Write a blank sheet of existing grades."))
def template(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import grades

    emit(ctx, grades.write_grade_template(state(ctx).context(), file), json)


@app.command("import", help=N_("Record existing grades (offices that already have them), all or nothing."))
def import_(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import grades

    emit(ctx, run_with_progress(ctx, grades.import_grades_file, file), json)


@app.command("history", help=N_("Every ledger event of one employee."))
def history(ctx: typer.Context, emp: EmpArg, json: JsonOpt = False) -> None:
    from gradecli.services import grades

    emit(ctx, grades.history(state(ctx).context(), emp), json)


@app.command("as-of", help=N_("Everyone's grade on a date (YYYY-MM-DD)."))
def as_of(ctx: typer.Context, on: Annotated[str, typer.Argument(metavar="DATE", help=N_("YYYY-MM-DD"))],
          out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import grades

    emit(ctx, grades.as_of(state(ctx).context(), parse_date(on), out=out), json)


@app.command("correct", help=N_("Correct a grade from a date; the reason goes into the ledger."))
def correct(ctx: typer.Context, emp: EmpArg,
            to: Annotated[str, typer.Option("--to", metavar="TIER-LEVEL", help=N_("The right grade, e.g. 3-2."))],
            date: DateOpt,
            reason: Annotated[str, typer.Option("--reason", help=N_("Why the grade is corrected (it goes into the ledger)."))],
            json: JsonOpt = False) -> None:
    from gradecli.domain.ladder import Grade
    from gradecli.services import grades

    emit(ctx, grades.correct(state(ctx).context(), emp, to=Grade.parse(to), on=parse_date(date), reason=reason), json)
