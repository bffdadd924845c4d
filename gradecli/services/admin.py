"""Schema administration: upgrade, current revision, drift check."""

from __future__ import annotations

from gradecli.services.context import Context
from gradecli.services.results import Outcome
from gradecli.store import migrate


def _engine(ctx: Context):  # noqa: ANN202
    """The database as it is: these commands show or change its schema themselves."""
    return ctx.open_engine(upgrade=False)


def _safe_url(ctx: Context) -> str:
    from gradecli.store.db import safe_url

    return safe_url(ctx.url)


def upgrade(ctx: Context) -> Outcome:
    before, after = migrate.upgrade(_engine(ctx))
    if before == after:
        return Outcome(f"{_safe_url(ctx)}: already at {after} (newest)", {"before": before, "after": after})
    return Outcome(f"{_safe_url(ctx)}: upgraded {before or 'empty database'} → {after}",
                   {"before": before, "after": after})


def current(ctx: Context) -> Outcome:
    engine = _engine(ctx)
    cur, head = migrate.current_revision(engine), migrate.head_revision()
    state = ("newest" if cur == head else "empty: run `gradecli db upgrade`" if cur is None else
             f"behind {head}" if migrate.known(cur) else f"newer than this gradecli, which knows up to {head}")
    return Outcome(f"{_safe_url(ctx)}: revision {cur or 'none'} ({state})", {"current": cur, "head": head})


def check(ctx: Context) -> Outcome:
    engine = _engine(ctx)
    cur, head = migrate.current_revision(engine), migrate.head_revision()
    problems = []
    if cur != head and not migrate.known(cur):
        problems.append(f"the database is at {cur}, made by a newer gradecli (this one knows up to {head}): "
                        "install the newer gradecli")
    elif cur != head:
        problems.append(f"the database is at {cur or 'no revision'}, the newest is {head}: run `gradecli db upgrade`")
    else:
        problems.extend(f"schema differs from the models: {d}" for d in migrate.drift(engine))
    if problems:
        return Outcome("schema check failed", {"current": cur, "head": head, "ok": False}, problems, exit_code=1)
    return Outcome(f"{_safe_url(ctx)}: schema at {head}, no drift", {"current": cur, "head": head, "ok": True})
