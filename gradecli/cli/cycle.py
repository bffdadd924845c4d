"""gradecli cycle create | list | show | eligibility | template-register | register | withdraw |
issue-papers | answer-sheet | import-answers | template-scores | import-scores | evaluate | publish |
appeal | resolve | close | results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import CycleArg, EmpArg, JsonOpt, OutXlsx, XlsxArg, parse_date
from gradecli.i18n import N_

app = typer.Typer(no_args_is_help=True)
OutFile = Annotated[Path, typer.Option("--out", help=N_("The Excel file to write (FILE.xlsx)."), dir_okay=False)]


@app.command("create", help=N_("Create a cycle: annual (the inter-tier exam, tier steps) or semiannual (the intra-tier exam, level steps)."))
def create(ctx: typer.Context,
           kind: Annotated[str, typer.Option("--kind", help=N_("annual or semiannual."))],
           period: Annotated[str, typer.Option("--period", help=N_("2026 (annual), 2026H1 or 2026H2 (semiannual)."))],
           exam_date: Annotated[str | None, typer.Option("--exam-date", help=N_("The exam date, YYYY-MM-DD (default: the policy's)."))] = None,
           effective: Annotated[str | None, typer.Option("--effective", help=N_("Date results take effect (default: first day of the month after closing)."))] = None,
           family: Annotated[list[str] | None, typer.Option("--family", help=N_("Only these post families (repeat); a period's cycles may not share a family."))] = None,
           code: Annotated[str | None, typer.Option("--code", help=N_("The cycle's code (default: the period, or PERIOD-FAMILY for a scoped cycle)."))] = None,
           json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.create(state(ctx).context(), kind=kind, period=period, exam_date=parse_date(exam_date),
                            effective=parse_date(effective), families=family, code=code), json)


@app.command("delete", help=N_("Delete a draft cycle nobody registered for (kept with its log under another code)."))
def delete(ctx: typer.Context, cycle: CycleArg,
           reason: Annotated[str, typer.Option("--reason", help=N_("Why (recorded)."))], json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.delete_cycle(state(ctx).context(), cycle, reason=reason), json)


@app.command("scope", help=N_("Change the families a draft cycle covers (no --family: every family)."))
def scope(ctx: typer.Context, cycle: CycleArg,
          reason: Annotated[str, typer.Option("--reason", help=N_("Why (recorded)."))],
          family: Annotated[list[str] | None, typer.Option("--family", help=N_("A post family (repeat)."))] = None,
          json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.rescope(state(ctx).context(), cycle, families=family, reason=reason), json)


@app.command("list", help=N_("Every cycle with its state."))
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.list_cycles(state(ctx).context()), json)


@app.command("show", help=N_("State, candidates and their scores, and what is still missing and from whom."))
def show(ctx: typer.Context, cycle: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.show, cycle, out=out), json)


@app.command("eligibility", help=N_("Who may sit, who may not and every reason, and when they next may."))
def eligibility(ctx: typer.Context, cycle: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.eligibility, cycle, out=out), json)


@app.command("template-register", help=N_("Write the registration sheet (employee numbers) that register --file reads, with a list of who may register."))
def template_register(ctx: typer.Context, cycle: CycleArg, out: OutFile, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.write_register_template, cycle, out), json)


@app.command("register", help=N_("Register every eligible candidate, or those listed in a sheet (an employee-number column)."))
def register(ctx: typer.Context, cycle: CycleArg,
             all_eligible: Annotated[bool, typer.Option("--all-eligible", help=N_("Everyone eligible."))] = False,
             file: Annotated[Path | None, typer.Option("--file", help=N_("A sheet with an employee-number column."), dir_okay=False)] = None,
             with_fast_track: Annotated[bool, typer.Option("--with-fast-track", help=N_("With --all-eligible: also fast-track applicants inside the wait."))] = False,
             json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.register, cycle, all_eligible=all_eligible, file=file,
                                with_fast_track=with_fast_track), json)


@app.command("withdraw", help=N_("Withdraw a candidate before the papers are issued."))
def withdraw(ctx: typer.Context, cycle: CycleArg, emp: Annotated[str, typer.Argument(metavar="EMP", help=N_("Employee number."))],
             json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.withdraw(state(ctx).context(), cycle, emp), json)


@app.command("issue-papers", help=N_("Draw the papers: one per candidate, or k shared variants per tier and family."))
def issue_papers(ctx: typer.Context, cycle: CycleArg,
                 mode: Annotated[str, typer.Option("--mode", help=N_("individual or shared."))] = "individual",
                 variants: Annotated[int, typer.Option("--variants", min=1, help=N_("Shared mode: variants per group."))] = 2,
                 seed: Annotated[str | None, typer.Option("--seed", help=N_("Same seed and bank → same papers."))] = None,
                 json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.issue_papers, cycle, mode=mode, variants=variants, seed=seed), json)


@app.command("answer-sheet", help=N_("Write the answer sheet: a row per candidate, a column per question."))
def answer_sheet(ctx: typer.Context, cycle: CycleArg, out: OutFile, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.write_answer_sheet, cycle, out), json)


@app.command("import-answers", help=N_("Score a filled answer sheet; re-importing replaces those candidates' answers."))
def import_answers(ctx: typer.Context, cycle: CycleArg, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.import_answers, cycle, file), json)


@app.command("template-scores", help=N_("Write the skill-score sheet: every candidate's employee number and name, the skill score to fill in."))
def template_scores(ctx: typer.Context, cycle: CycleArg, out: OutFile, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.write_score_template(state(ctx).context(), cycle, out), json)


@app.command("import-scores", help=N_("Import the assessors' scores (employee number, skill score or each assessor's mark): --part skill."))
def import_scores(ctx: typer.Context, cycle: CycleArg, file: XlsxArg,
                  part: Annotated[str, typer.Option("--part", help=N_("The part: skill."))] = "skill", json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.import_scores, cycle, file, part=part), json)


@app.command("evaluate", help=N_("Promotion evaluation: pass marks, composite, ranking, quotas, fast track, deferral, demotion."))
def evaluate(ctx: typer.Context, cycle: CycleArg,
             quota: Annotated[list[str] | None, typer.Option("--quota", help=N_("Seats for a target tier, TIER=N or FAMILY:TIER=N (repeat)."))] = None,
             json: JsonOpt = False) -> None:
    from gradecli.services import evaluation, quotas

    emit(ctx, run_with_progress(ctx, evaluation.evaluate, cycle, quotas=quotas.parse_seats(quota)), json)


@app.command("quota", help=N_("Quotas proposed from the eligible population, the share rule and the pyramid; "
                              "--accept or --quota confirms them for evaluation."))
def quota(ctx: typer.Context, cycle: CycleArg,
          accept: Annotated[str | None, typer.Option("--accept", help=N_("Confirm the share or the pyramid proposal."))] = None,
          seats: Annotated[list[str] | None, typer.Option("--quota", help=N_("Seats, TIER=N or FAMILY:TIER=N (repeat)."))] = None,
          json: JsonOpt = False) -> None:
    from gradecli.services import quotas

    emit(ctx, run_with_progress(ctx, quotas.propose, cycle, accept=accept, seats=quotas.parse_seats(seats)), json)


@app.command("publish", help=N_("Write the notice (Excel and HTML) and open the objection window."))
def publish(ctx: typer.Context, cycle: CycleArg,
            out: Annotated[Path, typer.Option("--out", help=N_("Folder for the notice."), file_okay=False)],
            json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, run_with_progress(ctx, evaluation.publish, cycle, out=out), json)


@app.command("appeal", help=N_("Record an objection inside the window."))
def appeal(ctx: typer.Context, cycle: CycleArg, emp: Annotated[str, typer.Argument(metavar="EMP", help=N_("Employee number."))],
           reason: Annotated[str, typer.Option("--reason", help=N_("What the objection says."))],
           json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, evaluation.appeal(state(ctx).context(), cycle, emp, reason=reason), json)


@app.command("resolve", help=N_("Resolve an objection: --uphold reopens the candidate's scores, --reject keeps them."))
def resolve(ctx: typer.Context, cycle: CycleArg, emp: Annotated[str, typer.Argument(metavar="EMP", help=N_("Employee number."))],
            uphold: Annotated[bool, typer.Option("--uphold/--reject", help=N_("Uphold or reject the objection."))],
            note: Annotated[str, typer.Option("--note", help=N_("How it was resolved."))],
            json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, evaluation.resolve(state(ctx).context(), cycle, emp, uphold=uphold, note=note), json)


@app.command("absent", help=N_("Record that a candidate was absent from a part, or --undo it; before evaluation."))
def absent(ctx: typer.Context, cycle: CycleArg, emp: EmpArg,
           reason: Annotated[str, typer.Option("--reason", help=N_("Why (recorded in the cycle log)."))],
           part: Annotated[str, typer.Option("--part", help=N_("theory (the exam) or skill (the practical assessment)."))] = "theory",
           undo: Annotated[bool, typer.Option("--undo", help=N_("The candidate was not absent after all."))] = False,
           json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.mark_absent(state(ctx).context(), cycle, emp, reason=reason, part=part, undo=undo), json)


@app.command("close", help=N_("After the window and every objection: back up, then write the results to the ledger."))
def close(ctx: typer.Context, cycle: CycleArg,
          force: Annotated[bool, typer.Option("--force", help=N_("Close early (needs --reason; recorded)."))] = False,
          reason: Annotated[str | None, typer.Option("--reason", help=N_("Why it closes early, or why --exclude."))] = None,
          exclude: Annotated[list[str] | None, typer.Option(
              "--exclude", metavar="EMP",
              help=N_("Leave this person's decisions out (repeatable; needs --reason): their grade changed since the exam."))] = None,
          json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    excluded = {emp: reason or "" for emp in exclude or []}
    emit(ctx, run_with_progress(ctx, evaluation.close, cycle, force=force, reason=reason if force else None,
                                exclude=excluded), json)


@app.command("results", help=N_("The evaluated results: outcomes, composites, ranks, quotas and decisions; "
                                 "--out writes the internal workbook with every detail."))
def results(ctx: typer.Context, cycle: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, evaluation.results(state(ctx).context(), cycle, out=out), json)
