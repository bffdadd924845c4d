"""gradecli perf template | import."""

from __future__ import annotations

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import JsonOpt, XlsxArg
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)


@app.command("template", help=N_("Write a blank ratings sheet."))
def template(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import perf

    emit(ctx, perf.write_perf_template(state(ctx).context(), file), json)


@app.command("import", help=N_("Import yearly ratings and disciplinary flags, all or nothing."))
def import_(ctx: typer.Context, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import perf

    emit(ctx, run_with_progress(ctx, perf.import_perf_file, file), json)
