"""The root command: global options (--db, --policy, --json) and the command groups."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.errors import GradecliGroup
from gradecli.cli.runtime import State
from gradecli.i18n import N_, _, normalise

app = typer.Typer(
    cls=GradecliGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help=N_("gradecli — the post-level grading system for HR officers."),
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", metavar="URL", help=N_("Database URL (default: $GRADECLI_DATABASE_URL, else sqlite:///gradecli.db)."))] = None,
    policy: Annotated[Path | None, typer.Option("--policy", metavar="FILE", help=N_("Policy file (TOML); default: the built-in policy."))] = None,
    json: Annotated[bool, typer.Option("--json", help=N_("Print JSON for scripts."))] = False,
    today: Annotated[str | None, typer.Option("--today", metavar="DATE", help=N_("Act as if today were DATE (YYYY-MM-DD): rehearsals and catching up; recorded in the cycle log."))] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="zh|en", help=N_("Language of everything printed and written: zh (default) or en; else $GRADECLI_LANG, else the policy file's ui.language."))] = None,
) -> None:
    # the language itself was chosen before Typer parsed anything (GradecliGroup.main), so that
    # help and usage errors speak it too; here an unknown value is refused
    if lang is not None and normalise(lang) is None:
        raise typer.BadParameter(_("choose zh or en"), param_hint="'--lang'")
    ctx.obj = State(db=db or os.environ.get("GRADECLI_DATABASE_URL"), policy_file=policy, json=json, today=today)


def _register() -> None:
    from gradecli.cli import (allowance, audit, bank, cycle, db, demo, first, grade, ladder, paper, perf, policy,
                              report, staff)

    app.add_typer(db.app, name="db", help=N_("The database: schema (Alembic) upgrade, current, check; backup and restore."))
    app.add_typer(policy.app, name="policy", help=N_("The policy file: init, show, check."))
    app.add_typer(ladder.app, name="ladder", help=N_("Post families, tiers, levels and labels."))
    app.add_typer(staff.app, name="staff", help=N_("The roster: template, import, list, show, transfer."))
    app.add_typer(perf.app, name="perf", help=N_("Yearly appraisal ratings and disciplinary flags."))
    app.add_typer(grade.app, name="grade", help=N_("The grade ledger: import, history, as-of, correct."))
    app.add_typer(audit.app, name="audit", help=N_("Audits: the ledger's hash chain (verify) and a closed cycle's notice, ledger and payroll (cycle)."))
    app.add_typer(bank.app, name="bank", help=N_("Question banks: import, export, stats, template, retire."))
    app.add_typer(paper.app, name="paper", help=N_("Exam papers: generate, show, export."))
    app.add_typer(allowance.app, name="allowance", help=N_("Grade allowance: tables, monthly computation, arrears."))
    app.add_typer(report.app, name="report", help=N_("Reports: pyramid, cycle, items, projection (Excel with charts)."))
    app.add_typer(cycle.app, name="cycle", help=N_("Exam cycles: create, eligibility, register, papers, answers, scores."))
    app.command("first-evaluation", help=N_("First placement: place everyone without a grade (preview; --apply records)."))(first.first_evaluation)
    app.command("demo", help=N_("Build the sample organisation and run the whole story."))(demo.demo)


_register()


def main() -> None:
    app()
