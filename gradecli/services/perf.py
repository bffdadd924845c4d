"""Yearly appraisal ratings (年度考核) and disciplinary flags (处分)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from gradecli.domain.errors import BadInput, Problem
from gradecli.formats.excel import Table, read_table, write_template
from gradecli.formats.sheets import performance_columns
from gradecli.i18n import Msg, Reason
from gradecli.services.context import Context
from gradecli.services.results import Outcome, upsert_outcome
from gradecli.store import repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import PerformanceRating

PERF_SHEET = Msg("Ratings")  # the sheet of a ratings template


def write_perf_template(ctx: Context, path: Path) -> Outcome:
    write_template(path, PERF_SHEET, performance_columns(ctx.policy), [
        Msg("One row per employee and appraisal year."),
        Msg("Disciplinary: write 是 when a disciplinary record stands that year, else 否."),
    ])
    return Outcome(Msg("wrote the ratings template {path}", path=path), {"path": str(path)})


def import_perf_file(ctx: Context, path: Path) -> Outcome:
    return import_perf(ctx, read_table(path, performance_columns(ctx.policy)))


def import_perf(ctx: Context, table: Table) -> Outcome:
    with ctx.uow() as uow:
        s = uow.s
        ids = repo.employee_ids(s)
        problems, seen = [], {}
        for row_no, r in table.rows:
            if r["emp_no"] not in ids:
                problems.append(Problem(table.where(row_no, "工号"),
                                        Reason("not_on_roster", "'{emp_no}' is not on the roster; import the roster "
                                               "first or fix the number", emp_no=r["emp_no"])))
            key = (r["emp_no"], r["year"])
            if key in seen:
                problems.append(Problem(table.where(row_no, "年度"),
                                        Reason("duplicate_rating", "{emp_no} {year} appears again (first in row "
                                               "{first}); keep one row per person and year", emp_no=r["emp_no"],
                                               year=r["year"], first=seen[key])))
            seen.setdefault(key, row_no)
        if problems:
            raise BadInput(problems=problems)
        existing = {(e, y): (i, rating, d) for i, e, y, rating, d in s.execute(
            select(PerformanceRating.id, PerformanceRating.employee_id, PerformanceRating.year,
                   PerformanceRating.rating, PerformanceRating.disciplinary))}
        new, changed = [], []
        for _, r in table.rows:
            eid = ids[r["emp_no"]]
            old = existing.get((eid, r["year"]))
            if old is None:
                new.append({"employee_id": eid, "year": r["year"], "rating": r["rating"],
                            "disciplinary": r["disciplinary"]})
            elif (old[1], old[2]) != (r["rating"], r["disciplinary"]):
                changed.append({"id": old[0], "rating": r["rating"], "disciplinary": r["disciplinary"]})
        if new:
            insert_rows(s, PerformanceRating.__table__, new)
        if changed:
            s.execute(update(PerformanceRating), changed)
        uow.commit()
    return upsert_outcome(table.source, len(table.rows), len(new), len(changed), table.warnings)
