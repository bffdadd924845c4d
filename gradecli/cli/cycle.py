"""gradecli cycle create | list | show | eligibility | template-register | register | withdraw |
issue-papers | answer-sheet | import-answers | template-scores | import-scores | evaluate | publish |
appeal | resolve | close | results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gradecli.cli.runtime import emit, run_with_progress, state
from gradecli.cli.options import CycleArg, EmpArg, JsonOpt, OutXlsx, XlsxArg, parse_date

app = typer.Typer(no_args_is_help=True)
OutFile = Annotated[Path, typer.Option("--out", help="FILE.xlsx", dir_okay=False)]


@app.command("create", help="Create a cycle: annual (分等考试, tier steps) or semiannual (等内考试, level steps).")
def create(ctx: typer.Context,
           kind: Annotated[str, typer.Option("--kind", help="annual or semiannual.")],
           period: Annotated[str, typer.Option("--period", help="2026 (annual), 2026H1 or 2026H2 (semiannual).")],
           exam_date: Annotated[str | None, typer.Option("--exam-date", help="YYYY-MM-DD (default: policy).")] = None,
           effective: Annotated[str | None, typer.Option("--effective", help="Date results take effect (default: first day of the month after closing).")] = None,
           family: Annotated[list[str] | None, typer.Option("--family", help="Only these post families (repeat); a period's cycles may not share a family.")] = None,
           code: Annotated[str | None, typer.Option("--code", help="The cycle's code (default: the period, or PERIOD-FAMILY for a scoped cycle).")] = None,
           json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.create(state(ctx).context(), kind=kind, period=period, exam_date=parse_date(exam_date),
                            effective=parse_date(effective), families=family, code=code), json)


@app.command("delete", help="Delete a draft cycle nobody registered for (kept with its log under another code).")
def delete(ctx: typer.Context, cycle: CycleArg,
           reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")], json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.delete_cycle(state(ctx).context(), cycle, reason=reason), json)


@app.command("scope", help="Change the families a draft cycle covers (no --family: every family).")
def scope(ctx: typer.Context, cycle: CycleArg,
          reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")],
          family: Annotated[list[str] | None, typer.Option("--family", help="A post family (repeat).")] = None,
          json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.rescope(state(ctx).context(), cycle, families=family, reason=reason), json)


@app.command("list", help="Every cycle with its state.")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.list_cycles(state(ctx).context()), json)


@app.command("show", help="State, candidates and their scores, and what is still missing and from whom.")
def show(ctx: typer.Context, cycle: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.show, cycle, out=out), json)


@app.command("eligibility", help="Who may sit, who may not and every reason, and when they next may.")
def eligibility(ctx: typer.Context, cycle: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.eligibility, cycle, out=out), json)


@app.command("template-register", help="Write the registration sheet (工号) that register --file reads, with a list of who may register.")
def template_register(ctx: typer.Context, cycle: CycleArg, out: OutFile, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.write_register_template, cycle, out), json)


@app.command("register", help="Register every eligible candidate, or those listed in a sheet (工号 column).")
def register(ctx: typer.Context, cycle: CycleArg,
             all_eligible: Annotated[bool, typer.Option("--all-eligible", help="Everyone eligible.")] = False,
             file: Annotated[Path | None, typer.Option("--file", help="A sheet with a 工号 column.", dir_okay=False)] = None,
             with_fast_track: Annotated[bool, typer.Option("--with-fast-track", help="With --all-eligible: also fast-track applicants inside the wait.")] = False,
             json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.register, cycle, all_eligible=all_eligible, file=file,
                                with_fast_track=with_fast_track), json)


@app.command("withdraw", help="Withdraw a candidate before the papers are issued.")
def withdraw(ctx: typer.Context, cycle: CycleArg, emp: Annotated[str, typer.Argument(help="工号")],
             json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.withdraw(state(ctx).context(), cycle, emp), json)


@app.command("issue-papers", help="Draw the papers: one per candidate, or k shared variants per tier and family.")
def issue_papers(ctx: typer.Context, cycle: CycleArg,
                 mode: Annotated[str, typer.Option("--mode", help="individual or shared.")] = "individual",
                 variants: Annotated[int, typer.Option("--variants", min=1, help="Shared mode: variants per group.")] = 2,
                 seed: Annotated[str | None, typer.Option("--seed", help="Same seed and bank → same papers.")] = None,
                 json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.issue_papers, cycle, mode=mode, variants=variants, seed=seed), json)


@app.command("answer-sheet", help="Write the answer sheet: a row per candidate, a column per question.")
def answer_sheet(ctx: typer.Context, cycle: CycleArg, out: OutFile, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.write_answer_sheet, cycle, out), json)


@app.command("import-answers", help="Score a filled answer sheet; re-importing replaces those candidates' answers.")
def import_answers(ctx: typer.Context, cycle: CycleArg, file: XlsxArg, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.import_answers, cycle, file), json)


@app.command("template-scores", help="Write the skill-score sheet: every candidate's 工号 and 姓名, 实操成绩 to fill in.")
def template_scores(ctx: typer.Context, cycle: CycleArg, out: OutFile, json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.write_score_template(state(ctx).context(), cycle, out), json)


@app.command("import-scores", help="Import assessor scores (工号, 实操成绩) for a part: --part skill.")
def import_scores(ctx: typer.Context, cycle: CycleArg, file: XlsxArg,
                  part: Annotated[str, typer.Option("--part", help="skill")] = "skill", json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, run_with_progress(ctx, cycles.import_scores, cycle, file, part=part), json)


@app.command("evaluate", help="选升评定: pass marks, composite, ranking, quotas, fast track, deferral, demotion.")
def evaluate(ctx: typer.Context, cycle: CycleArg,
             quota: Annotated[list[str] | None, typer.Option("--quota", help="Seats for a target tier, TIER=N or FAMILY:TIER=N (repeat).")] = None,
             json: JsonOpt = False) -> None:
    from gradecli.services import evaluation, quotas

    emit(ctx, run_with_progress(ctx, evaluation.evaluate, cycle, quotas=quotas.parse_seats(quota)), json)


@app.command("quota", help="Quotas (名额) proposed from the eligible population, the share rule and the pyramid; "
                           "--accept or --quota confirms them for evaluation.")
def quota(ctx: typer.Context, cycle: CycleArg,
          accept: Annotated[str | None, typer.Option("--accept", help="Confirm the share or the pyramid proposal.")] = None,
          seats: Annotated[list[str] | None, typer.Option("--quota", help="Seats, TIER=N or FAMILY:TIER=N (repeat).")] = None,
          json: JsonOpt = False) -> None:
    from gradecli.services import quotas

    emit(ctx, run_with_progress(ctx, quotas.propose, cycle, accept=accept, seats=quotas.parse_seats(seats)), json)


@app.command("publish", help="Write the notice (公示, Excel + HTML) and open the objection window.")
def publish(ctx: typer.Context, cycle: CycleArg,
            out: Annotated[Path, typer.Option("--out", help="Folder for the notice.", file_okay=False)],
            json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, run_with_progress(ctx, evaluation.publish, cycle, out=out), json)


@app.command("appeal", help="Record an objection inside the window.")
def appeal(ctx: typer.Context, cycle: CycleArg, emp: Annotated[str, typer.Argument(help="工号")],
           reason: Annotated[str, typer.Option("--reason", help="What the objection says.")],
           json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, evaluation.appeal(state(ctx).context(), cycle, emp, reason=reason), json)


@app.command("resolve", help="Resolve an objection: --uphold reopens the candidate's scores, --reject keeps them.")
def resolve(ctx: typer.Context, cycle: CycleArg, emp: Annotated[str, typer.Argument(help="工号")],
            uphold: Annotated[bool, typer.Option("--uphold/--reject", help="Uphold or reject the objection.")],
            note: Annotated[str, typer.Option("--note", help="How it was resolved.")],
            json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, evaluation.resolve(state(ctx).context(), cycle, emp, uphold=uphold, note=note), json)


@app.command("absent", help="Record that a candidate was absent (缺考) from a part, or --undo it; before evaluation.")
def absent(ctx: typer.Context, cycle: CycleArg, emp: EmpArg,
           reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the cycle log).")],
           part: Annotated[str, typer.Option("--part", help="theory (the exam) or skill (the practical assessment).")] = "theory",
           undo: Annotated[bool, typer.Option("--undo", help="The candidate was not absent after all.")] = False,
           json: JsonOpt = False) -> None:
    from gradecli.services import cycles

    emit(ctx, cycles.mark_absent(state(ctx).context(), cycle, emp, reason=reason, part=part, undo=undo), json)


@app.command("close", help="After the window and every objection: back up, then write the results to the ledger.")
def close(ctx: typer.Context, cycle: CycleArg,
          force: Annotated[bool, typer.Option("--force", help="Close early (needs --reason; recorded).")] = False,
          reason: Annotated[str | None, typer.Option("--reason", help="Why it closes early, or why --exclude.")] = None,
          exclude: Annotated[list[str] | None, typer.Option(
              "--exclude", metavar="EMP",
              help="Leave this person's decisions out (repeatable; needs --reason): their grade changed since the exam.")] = None,
          json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    excluded = {emp: reason or "" for emp in exclude or []}
    emit(ctx, run_with_progress(ctx, evaluation.close, cycle, force=force, reason=reason if force else None,
                                exclude=excluded), json)


@app.command("results", help="The evaluated results: outcomes, composites, ranks, quotas and decisions; "
                              "--out writes the internal workbook (内部资料) with every detail.")
def results(ctx: typer.Context, cycle: CycleArg, out: OutXlsx = None, json: JsonOpt = False) -> None:
    from gradecli.services import evaluation

    emit(ctx, evaluation.results(state(ctx).context(), cycle, out=out), json)
