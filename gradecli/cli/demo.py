"""gradecli demo [--out DIR]."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, new_database, state
from gradecli.cli.options import JsonOpt
from gradecli.i18n import N_


OUT_HELP = N_("Folder for the sheets and notices. Without --db the demo uses its own SQLite file OUT/demo.db, made "
               "anew each run, so it never touches the office's gradecli.db.")


def demo(ctx: typer.Context,
         out: Annotated[Path, typer.Option("--out", help=OUT_HELP, file_okay=False)] = Path("out"),
         json: JsonOpt = False) -> None:
    # Builds the sample organisation in a fresh database and runs the story; files land in OUT.
    from gradecli.services import demo_run

    st = state(ctx)
    result, ladder = demo_run.run_demo(st.db, st.policy(), out, on_new_database=new_database)
    emit(ctx, ladder, json)
    emit(ctx, result, json)
