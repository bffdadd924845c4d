"""Schema administration: upgrade, current revision, drift check."""

from __future__ import annotations

from gradecli.services.context import Context
from gradecli.services.results import Outcome
from gradecli.store import migrate


def _engine(ctx: Context):  # noqa: ANN202
    from gradecli.store.db import make_engine

    return make_engine(ctx.url)


def _safe_url(ctx: Context) -> str:
    from sqlalchemy.engine import make_url

    return make_url(ctx.url).render_as_string(hide_password=True)


def upgrade(ctx: Context) -> Outcome:
    before, after = migrate.upgrade(_engine(ctx))
    if before == after:
        return Outcome(f"{_safe_url(ctx)}: already at {after} (newest)", {"before": before, "after": after})
    return Outcome(f"{_safe_url(ctx)}: upgraded {before or 'empty database'} → {after}",
                   {"before": before, "after": after})


def current(ctx: Context) -> Outcome:
    engine = _engine(ctx)
    cur, head = migrate.current_revision(engine), migrate.head_revision()
    state = "newest" if cur == head else ("empty: run `gradecli db upgrade`" if cur is None else f"behind {head}")
    return Outcome(f"{_safe_url(ctx)}: revision {cur or 'none'} ({state})", {"current": cur, "head": head})


def check(ctx: Context) -> Outcome:
    engine = _engine(ctx)
    cur, head = migrate.current_revision(engine), migrate.head_revision()
    problems = []
    if cur != head:
        problems.append(f"the database is at {cur or 'no revision'}, the newest is {head}: run `gradecli db upgrade`")
    else:
        problems.extend(f"schema differs from the models: {d}" for d in migrate.drift(engine))
    if problems:
        return Outcome("schema check failed", {"current": cur, "head": head, "ok": False}, problems, exit_code=1)
    return Outcome(f"{_safe_url(ctx)}: schema at {head}, no drift", {"current": cur, "head": head, "ok": True})
