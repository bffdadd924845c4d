"""gradecli paper generate | show | export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import JsonOpt
from gradecli.i18n import N_, Reason

app = typer.Typer(no_args_is_help=True)


@app.command("generate", help=N_("Draw 100-point papers for a tier: individual (--count) or shared variants "
                                 "(--variants), all within the policy's expected-score band; prints their spread."))
def generate(ctx: typer.Context, tier: Annotated[int, typer.Option("--tier", help=N_("The tier of the bank."))],
             family: Annotated[str | None, typer.Option("--family", help=N_("Post family (its bank plus common)."))] = None,
             count: Annotated[int | None, typer.Option("--count", min=1, help=N_("Individual papers."))] = None,
             variants: Annotated[int | None, typer.Option("--variants", min=1, help=N_("Shared variants A, B, …"))] = None,
             seed: Annotated[str | None, typer.Option("--seed", help=N_("Same seed and bank → same papers."))] = None,
             json: JsonOpt = False) -> None:
    from gradecli.services import papers

    emit(ctx, run_with_progress(ctx, papers.generate, tier=tier, family=family, count=count, variants=variants,
                                seed=seed), json)


@app.command("show", help=N_("A paper's questions, points, expected score and seed (--key adds the answers)."))
def show(ctx: typer.Context, paper: Annotated[str, typer.Argument(help=N_("Paper number, e.g. P3-0001-001."))],
         key: Annotated[bool, typer.Option("--key", help=N_("Show the answers too."))] = False,
         json: JsonOpt = False) -> None:
    from gradecli.services import papers

    emit(ctx, papers.show(state(ctx).context(), paper, key=key), json)


@app.command("export", help=N_("Write papers (and separate answer keys) as Excel and/or printable HTML."))
def export(ctx: typer.Context, paper: Annotated[list[str] | None, typer.Argument(help=N_("Paper numbers."))] = None,
           out: Annotated[Path, typer.Option("--out", help=N_("Folder."), file_okay=False)] = Path("papers"),
           cycle: Annotated[str | None, typer.Option("--cycle", help=N_("Every paper of this cycle."))] = None,
           fmt: Annotated[list[str] | None, typer.Option("--format", help=N_("xlsx or html (repeat for both; default both)."))] = None,
           json: JsonOpt = False) -> None:
    from gradecli.domain.errors import BadInput
    from gradecli.services import cycles, papers

    c = state(ctx).context()
    codes = list(paper or []) + (cycles.paper_codes(c, cycle) if cycle else [])
    if not codes:
        raise BadInput(Reason("no_papers_named", "name the papers to export, or give --cycle CYCLE for every paper of "
                              "a cycle"))
    emit(ctx, run_with_progress(ctx, papers.export, codes, out=out, formats=fmt or ["xlsx", "html"]), json)
