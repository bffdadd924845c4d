"""Roster use cases: template, import (upsert by 工号), listing, one person, transfers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select, update

from gradecli.domain.eligibility import split_names
from gradecli.domain.errors import BadInput, Problem, RuleRefused
from gradecli.domain.ladder import Ladder
from gradecli.domain.ledger import changes_grade, event_kind, grade_on
from gradecli.formats.excel import Table, read_table, write_template
from gradecli.formats.sheets import roster_columns
from gradecli.i18n import Msg, N_, Reason, dumps
from gradecli.services.context import Context, bulk_work
from gradecli.services.results import Listing, Outcome, upsert_outcome
from gradecli.store import repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import Employee

ROSTER_SHEET = Msg("Roster")  # the sheet of a roster template
FIELDS = ("name", "department", "family", "post", "professional", "frontline", "title",
          "service_start", "hire_date", "active", "leave_date", "certificates")
# What a row of the post history says about how it began: stored as these words (codes), shown
# by name in the run's language.
PROGRESS = Msg("importing the roster")
POST_NOTES = {"hired": N_("hired"), "roster import": N_("roster import"), "transfer": N_("transfer")}


def post_note(note: str | None) -> Reason | None:
    """A post history row's note for people and scripts: {code: roster_import, text: its name}."""
    if not note:
        return None
    return Reason(note.replace(" ", "_"), POST_NOTES.get(note, note))


def write_roster_template(ctx: Context, path: Path) -> Outcome:
    notes = [
        Msg("One row per employee; the employee number (工号) is unique. An import adds or updates by employee "
            "number, all or nothing: the whole sheet is written, or none of it."),
        Msg("Dates: text as YYYY-MM-DD, or cells formatted as dates."),
        Msg("Only professional-technical staff are graded."),
        Msg("Record transfers with `gradecli staff transfer`, so that their date and any drop are applied."),
    ]
    write_template(path, ROSTER_SHEET, roster_columns(ctx.policy), notes)
    return Outcome(Msg("wrote the roster template {path}", path=path), {"path": str(path)})


def import_roster_file(ctx: Context, path: Path) -> Outcome:
    return import_roster(ctx, read_table(path, roster_columns(ctx.policy)))


def _check_rows(table: Table) -> None:
    problems = []
    for row_no, r in table.rows:
        where = table.where(row_no)
        if r["hire_date"] < r["service_start"]:
            problems.append(Problem(where.at(column="入职日期"),
                                    Reason("hired_before_service_start", "{hire} is before 参加工作日期 {start}; "
                                           "check both dates", hire=r["hire_date"], start=r["service_start"])))
        if r.get("leave_date") and r["leave_date"] < r["hire_date"]:
            problems.append(Problem(where.at(column="离职日期"),
                                    Reason("left_before_hired", "{leave} is before 入职日期 {hire}; check both dates",
                                           leave=r["leave_date"], hire=r["hire_date"])))
    if problems:
        raise BadInput(problems=problems)


@bulk_work()
def import_roster(ctx: Context, table: Table) -> Outcome:
    """Upsert the roster in one transaction; an unchanged file changes nothing."""
    _check_rows(table)
    stamp = repo.now_utc()
    warnings = list(table.warnings)
    # a file without the optional 证书 column leaves everyone's certificates as they are
    fields = FIELDS if "certificates" in table.present else tuple(f for f in FIELDS if f != "certificates")
    with ctx.uow() as uow:
        s = uow.s
        cols = [getattr(Employee, f) for f in fields]
        existing = {row[0]: row for row in s.execute(select(Employee.emp_no, Employee.id, *cols))}
        new, changed, moved = [], [], []
        for row_no, r in table.rows:
            r["certificates"] = r.get("certificates") or ""
            old = existing.get(r["emp_no"])
            if old is None:
                r["updated_at"] = stamp
                new.append(r)
                continue
            values = {f: r[f] for f in fields}
            before = dict(zip(fields, old[2:]))
            if before == values:
                continue
            changed.append({"id": old[1], **values, "updated_at": stamp})
            if (before["post"], before["frontline"]) != (values["post"], values["frontline"]):
                moved.append({"employee_id": old[1], "start_date": date.today(), "post": values["post"],
                              "frontline": values["frontline"], "note": "roster import"})
                if before["frontline"] and not values["frontline"]:
                    warnings.append(Msg(
                        "{where}: {emp_no} leaves a front-line post in this file; record it with `gradecli staff "
                        "transfer` so the date and the drop are applied", where=table.where(row_no), emp_no=r["emp_no"]))
        ctx.progress(PROGRESS, 0, len(new) + len(changed))
        insert_rows(s, Employee.__table__, new)
        if changed:
            s.execute(update(Employee), changed)
            hist_before = {old[1]: (old[2 + fields.index("hire_date")], old[2 + fields.index("post")],
                                    old[2 + fields.index("frontline")]) for old in existing.values()}
            repo.record_post_changes(s, moved, hist_before)
        uow.commit()
    ctx.progress(PROGRESS, len(new) + len(changed), len(new) + len(changed))
    return upsert_outcome(table.source, len(table.rows), len(new), len(changed), warnings)


ROSTER_COLUMNS = [("emp_no", Msg("Employee No.")), ("name", Msg("Name")), ("department", Msg("Department")),
                  ("family", Msg("Post family")), ("post", Msg("Post")), ("professional", Msg("Professional-technical")),
                  ("frontline", Msg("Front-line")), ("title", Msg("Professional title")), ("grade", Msg("Grade")),
                  ("active", Msg("In service"))]


def list_staff(ctx: Context, *, family: str | None = None, tier: int | None = None,
               on: date | None = None) -> Listing:
    on = on or date.today()
    with ctx.uow() as uow:
        staff = repo.staff_rows(uow.s, *([Employee.family == family] if family else []), order=True)
        events = repo.events_by_employee(uow.s, until=on)
    rows = []
    for e in staff:
        g = grade_on(events.get(e.id, []), on)
        if tier is not None and (g is None or g.tier != tier):
            continue
        rows.append({"emp_no": e.emp_no, "name": e.name, "department": e.department, "family": e.family,
                     "post": e.post, "professional": e.professional, "frontline": e.frontline,
                     "title": e.title, "grade": str(g) if g else None, "active": e.active})
    if family and tier:
        title = Msg("Staff — {family}, tier {tier} ({count})", family=family, tier=tier, count=len(rows))
    elif family:
        title = Msg("Staff — {family} ({count})", family=family, count=len(rows))
    elif tier:
        title = Msg("Staff — tier {tier} ({count})", tier=tier, count=len(rows))
    else:
        title = Msg("Staff ({count})", count=len(rows))
    return Listing(title, ROSTER_COLUMNS, rows)


def show_staff(ctx: Context, emp_no: str) -> Outcome:
    with ctx.uow() as uow:
        e = repo.employee(uow.s, emp_no)
        events = repo.events_for(uow.s, e.id)
        posts = repo.post_history(uow.s, e)
        ratings = repo.ratings_by_employee(uow.s, employee_id=e.id).get(e.id, [])
    today = date.today()
    g = grade_on(events, today)
    ladder = Ladder.for_family(ctx.policy, e.family)
    data = {
        "emp_no": e.emp_no, "name": e.name, "department": e.department, "family": e.family,
        "post": e.post, "professional": e.professional, "frontline": e.frontline, "title": e.title,
        "service_start": e.service_start, "hire_date": e.hire_date,
        "active": e.active, "leave_date": e.leave_date,
        "certificates": sorted(split_names(e.certificates)),
        "grade": str(g) if g else None, "grade_label": ladder.label(g) if g else None,
        "posts": [{"from": p.start_date, "post": p.post, "frontline": p.frontline, "note": post_note(p.note)}
                  for p in posts],
        "ratings": [{"year": r.year, "rating": r.rating, "disciplinary": r.disciplinary} for r in ratings],
        "events": len(events),
    }
    grade = Msg("{grade} {label}", grade=str(g), label=ladder.label(g)) if g else Msg("not graded")
    who = {"emp_no": e.emp_no, "name": e.name, "department": e.department, "family": e.family, "post": e.post,
           "grade": grade, "title": e.title}
    if e.certificates:
        summary = Msg("{emp_no} {name} — {department}, {family}/{post}, {grade}; title {title}; certificates "
                      "{certificates}", certificates=e.certificates, **who)
    else:
        summary = Msg("{emp_no} {name} — {department}, {family}/{post}, {grade}; title {title}", **who)
    return Outcome(summary, data, labels=SHOW_LABELS)


SHOW_LABELS = {"posts": N_("Posts held"), "from": N_("Since"), "post": N_("Post"), "frontline": N_("Front-line"),
               "note": N_("Note"), "ratings": N_("Appraisal ratings"), "year": N_("Year"), "rating": N_("Rating"),
               "disciplinary": N_("Disciplinary")}


def transfer(ctx: Context, emp_no: str, *, post: str, frontline: bool | None, on: date) -> Outcome:
    """Record a move to another post from ``on``; leaving a front-line post applies the policy's drop."""
    if not post.strip():
        raise BadInput(Reason("empty_post", "--post is empty; give the new post's name"))
    with ctx.uow() as uow:
        s = uow.s
        e = repo.employee(s, emp_no)
        if on < e.hire_date:
            raise BadInput(Reason("before_hire_date", "--date {date} is before the hire date of {emp_no}, {hire}; give "
                                  "the first day in the new post", date=on, emp_no=emp_no, hire=e.hire_date))
        posts = repo.post_history(s, e)
        later = [p for p in posts if p.start_date > on]
        if later:
            raise RuleRefused(Reason("transfer_out_of_order", "{emp_no} already has a post change on {later}, after "
                                     "{date}; record transfers in date order (use `gradecli grade correct` to repair "
                                     "a grade)", emp_no=emp_no, later=later[-1].start_date, date=on))
        current = posts[-1]
        was_frontline = current.frontline
        new_frontline = was_frontline if frontline is None else frontline
        if current.post == post and current.frontline == new_frontline:
            raise BadInput(Reason("same_post", "{emp_no} is already in the post '{post}' (front-line: {frontline})",
                                  emp_no=emp_no, post=post, frontline=new_frontline))
        repo.record_post_changes(s, [{"employee_id": e.id, "start_date": on, "post": post,
                                      "frontline": new_frontline, "note": "transfer"}],
                                 {e.id: (e.hire_date, e.post, e.frontline)})
        e.post, e.frontline, e.updated_at = post, new_frontline, repo.now_utc()
        s.add(e)
        notes = []
        data = {"emp_no": emp_no, "post": post, "frontline": new_frontline, "date": on, "drop": None}
        if was_frontline and not new_frontline:
            events = repo.events_for(s, e.id)
            g = grade_on(events, on)
            if g is None:
                notes.append(Msg("{emp_no} has no grade on {date}: no drop applies", emp_no=emp_no, date=on))
            else:
                ladder = Ladder.for_family(ctx.policy, e.family)
                mode = ctx.policy.evaluation.transfer_drop
                to = ladder.transfer_drop(g, mode)
            if g is not None and to == g:
                notes.append(Msg("{emp_no} holds {grade}, the lowest grade: no drop applies", emp_no=emp_no,
                                 grade=str(g)))
            elif g is not None:
                repo.append_events(s, [{
                    "employee_id": e.id, "emp_no": emp_no, "kind": "transfer_drop", "effective": on,
                    "from_grade": g, "to_grade": to,
                    "reason": dumps(_drop_reason(post, mode)),
                    "evidence": {"from_post": current.post, "to_post": post},
                }], actor=ctx.actor)
                data["drop"] = {"from": str(g), "to": str(to)}
                later = [ev for ev in events if ev.effective > on and changes_grade(ev)]
                if later:
                    ev = min(later, key=lambda x: (x.effective, x.seq))
                    notes.append(Msg("{emp_no} has a later grade event: {event} #{seq} effective {effective} sets "
                                     "{grade}, decided before this transfer was known, so from then on the ledger's "
                                     "grade is that one again; check it and record the right grade with `gradecli "
                                     "grade correct`", emp_no=emp_no, event=event_kind(ev.kind), seq=ev.seq,
                                     effective=ev.effective, grade=str(ev.to_grade)))
        uow.commit()
    if data["drop"]:
        summary = Msg("{emp_no} moves to {post} (not front-line) on {date}; grade {old} → {new} (transfer drop)",
                      emp_no=emp_no, post=post, date=on, old=data["drop"]["from"], new=data["drop"]["to"])
    elif new_frontline:
        summary = Msg("{emp_no} moves to {post} (front-line) on {date}", emp_no=emp_no, post=post, date=on)
    else:
        summary = Msg("{emp_no} moves to {post} (not front-line) on {date}", emp_no=emp_no, post=post, date=on)
    return Outcome(summary, data, notes)


def _drop_reason(post: str, mode: str) -> Reason:
    """Why a transfer drops the grade, as stored in the ledger (rendered when shown)."""
    if mode == "level":
        return Reason("left_frontline_post", "transfer out of a front-line post to {post} (policy: down one level)",
                      post=post)
    return Reason("left_frontline_post", "transfer out of a front-line post to {post} (policy: down one tier)", post=post)
