"""Roster use cases: template, import (upsert by 工号), listing, one person, transfers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select, update

from gradecli.domain.eligibility import split_names
from gradecli.domain.errors import BadInput, Problem, RuleRefused
from gradecli.domain.ladder import Ladder
from gradecli.domain.ledger import changes_grade, grade_on
from gradecli.formats.excel import Table, read_table, write_template
from gradecli.formats.sheets import roster_columns
from gradecli.services.context import Context, bulk_work
from gradecli.services.results import Listing, Outcome, upsert_outcome
from gradecli.store import repo
from gradecli.store.bulk import insert_rows
from gradecli.store.models import Employee

ROSTER_SHEET = "人员 Roster"
FIELDS = ("name", "department", "family", "post", "professional", "frontline", "title",
          "service_start", "hire_date", "active", "leave_date", "certificates")


def write_roster_template(ctx: Context, path: Path) -> Outcome:
    notes = [
        "每行一名职工；工号唯一。导入时按工号新增或更新（整表要么全部成功，要么不写入任何数据）。",
        "One row per employee; 工号 is unique. Import adds or updates by 工号, all or nothing.",
        "日期写成 YYYY-MM-DD 或使用日期格式的单元格。Dates: YYYY-MM-DD text or date cells.",
        "只有专业技术岗位人员参加等级评定。Only professional-technical staff are graded.",
        "岗位调动请用 gradecli staff transfer 记录日期。Record transfers with `gradecli staff transfer`.",
    ]
    write_template(path, ROSTER_SHEET, roster_columns(ctx.policy), notes)
    return Outcome(f"wrote the roster template {path}", {"path": str(path)})


def import_roster_file(ctx: Context, path: Path) -> Outcome:
    return import_roster(ctx, read_table(path, roster_columns(ctx.policy)))


def _check_rows(table: Table) -> None:
    problems = []
    for row_no, r in table.rows:
        where = table.where(row_no)
        if r["hire_date"] < r["service_start"]:
            problems.append(Problem(f"{where}, column 入职日期",
                                    f"{r['hire_date']} is before 参加工作日期 {r['service_start']}; check both dates"))
        if r.get("leave_date") and r["leave_date"] < r["hire_date"]:
            problems.append(Problem(f"{where}, column 离职日期",
                                    f"{r['leave_date']} is before 入职日期 {r['hire_date']}; check both dates"))
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
                    warnings.append(
                        f"{table.where(row_no)}: {r['emp_no']} leaves a front-line post in this file; "
                        "record it with `gradecli staff transfer` so the date and the drop are applied")
        ctx.progress("roster", 0, len(new) + len(changed))
        insert_rows(s, Employee.__table__, new)
        if changed:
            s.execute(update(Employee), changed)
            hist_before = {old[1]: (old[2 + fields.index("hire_date")], old[2 + fields.index("post")],
                                    old[2 + fields.index("frontline")]) for old in existing.values()}
            repo.record_post_changes(s, moved, hist_before)
        uow.commit()
    ctx.progress("roster", len(new) + len(changed), len(new) + len(changed))
    return upsert_outcome(table.source, len(table.rows), len(new), len(changed), warnings)


ROSTER_COLUMNS = [("emp_no", "工号"), ("name", "姓名"), ("department", "部门"), ("family", "岗位序列"),
                  ("post", "岗位"), ("professional", "专业技术"), ("frontline", "一线"), ("title", "职称"),
                  ("grade", "等级"), ("active", "在职")]


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
    what = " ".join(x for x in (family or "", f"tier {tier}" if tier else "") if x)
    return Listing(f"Staff{(' — ' + what) if what else ''} ({len(rows)})", ROSTER_COLUMNS, rows)


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
        "service_start": e.service_start.isoformat(), "hire_date": e.hire_date.isoformat(),
        "active": e.active, "leave_date": e.leave_date.isoformat() if e.leave_date else None,
        "certificates": sorted(split_names(e.certificates)),
        "grade": str(g) if g else None, "grade_label": ladder.label(g) if g else None,
        "posts": [{"from": p.start_date.isoformat(), "post": p.post, "frontline": p.frontline, "note": p.note}
                  for p in posts],
        "ratings": [{"year": r.year, "rating": r.rating, "disciplinary": r.disciplinary} for r in ratings],
        "events": len(events),
    }
    grade_text = f"{g} {ladder.label(g)}" if g else "not graded"
    held = f"; 证书 {e.certificates}" if e.certificates else ""
    return Outcome(f"{e.emp_no} {e.name} — {e.department}, {e.family}/{e.post}, {grade_text}; 职称 {e.title}{held}", data)


def transfer(ctx: Context, emp_no: str, *, post: str, frontline: bool | None, on: date) -> Outcome:
    """Record a move to another post from ``on``; leaving a front-line post applies the policy's drop."""
    if not post.strip():
        raise BadInput("--post is empty; give the new post's name")
    with ctx.uow() as uow:
        s = uow.s
        e = repo.employee(s, emp_no)
        if on < e.hire_date:
            raise BadInput(f"--date {on} is before {emp_no}'s hire date {e.hire_date}; give the first day in the new post")
        posts = repo.post_history(s, e)
        later = [p for p in posts if p.start_date > on]
        if later:
            raise RuleRefused(f"{emp_no} already has a post change on {later[-1].start_date}, after {on}; "
                              "record transfers in date order (use grade correct to repair a grade)")
        current = posts[-1]
        was_frontline = current.frontline
        new_frontline = was_frontline if frontline is None else frontline
        if current.post == post and current.frontline == new_frontline:
            raise BadInput(f"{emp_no} is already in post {post!r} (front-line: {'是' if new_frontline else '否'})")
        repo.record_post_changes(s, [{"employee_id": e.id, "start_date": on, "post": post,
                                      "frontline": new_frontline, "note": "transfer"}],
                                 {e.id: (e.hire_date, e.post, e.frontline)})
        e.post, e.frontline, e.updated_at = post, new_frontline, repo.now_utc()
        s.add(e)
        notes = []
        data = {"emp_no": emp_no, "post": post, "frontline": new_frontline, "date": on.isoformat(), "drop": None}
        if was_frontline and not new_frontline:
            events = repo.events_for(s, e.id)
            g = grade_on(events, on)
            if g is None:
                notes.append(f"{emp_no} has no grade on {on}: no drop applies")
            else:
                ladder = Ladder.for_family(ctx.policy, e.family)
                mode = ctx.policy.evaluation.transfer_drop
                to = ladder.transfer_drop(g, mode)
            if g is not None and to == g:
                notes.append(f"{emp_no} holds {g}, the lowest grade: no drop applies")
            elif g is not None:
                repo.append_events(s, [{
                    "employee_id": e.id, "emp_no": emp_no, "kind": "transfer_drop", "effective": on,
                    "from_grade": g, "to_grade": to,
                    "reason": f"transfer out of a front-line post to {post} (policy: down one {mode})",
                    "evidence": {"from_post": current.post, "to_post": post},
                }], actor=ctx.actor)
                data["drop"] = {"from": str(g), "to": str(to)}
                later = [ev for ev in events if ev.effective > on and changes_grade(ev)]
                if later:
                    ev = min(later, key=lambda x: (x.effective, x.seq))
                    notes.append(f"{emp_no} has a later grade event: {ev.kind} #{ev.seq} effective {ev.effective} "
                                 f"sets {ev.to_grade}, decided before this transfer was known, so from then on the "
                                 "ledger's grade is that one again; check it and record the right grade with "
                                 "`gradecli grade correct`")
        uow.commit()
    fl = "front-line" if new_frontline else "not front-line"
    summary = f"{emp_no} moves to {post} ({fl}) on {on}"
    if data["drop"]:
        summary += f"; grade {data['drop']['from']} → {data['drop']['to']} (transfer_drop)"
    return Outcome(summary, data, notes)
