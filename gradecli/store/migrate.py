"""Alembic from code: upgrade, current revision, drift check."""

from __future__ import annotations

import weakref
from importlib.resources import files

from sqlalchemy.engine import Engine

_checked: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def _config(connection=None):  # noqa: ANN001, ANN202
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("gradecli.migrations")))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revision(revision: str) -> bool:
    """One of this gradecli's own revisions, matched exactly (Alembic would also take a prefix);
    a database at any other one was written by a newer gradecli."""
    from alembic.script import ScriptDirectory

    return any(s.revision == revision for s in ScriptDirectory.from_config(_config()).walk_revisions())


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade to ``revision``; returns (before, after)."""
    from alembic import command

    before = current_revision(engine)
    _require_known(engine, before)
    with _MigrationEngine(engine) as eng, eng.begin() as conn:
        command.upgrade(_config(conn), revision)
    return before, current_revision(engine)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with _MigrationEngine(engine) as eng, eng.begin() as conn:
        command.downgrade(_config(conn), revision)


class _MigrationEngine:
    """The engine for schema changes: on SQLite without foreign-key enforcement (table copies),
    and the foreign keys checked once the change is done."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.own = None

    def __enter__(self) -> Engine:
        if self.engine.dialect.name != "sqlite":
            return self.engine
        from gradecli.store.db import make_engine

        self.own = make_engine(self.engine.url.render_as_string(hide_password=False), foreign_keys=False)
        return self.own

    def __exit__(self, exc_type, *_exc) -> None:  # noqa: ANN001
        if self.own is None:
            return
        try:
            if exc_type is None:
                with self.own.connect() as conn:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:  # a fault of the migration itself: reported as an unexpected failure
                    from gradecli.i18n import Msg

                    raise RuntimeError(Msg("the schema change left rows pointing at nothing: {rows}",
                                           rows=[str(tuple(r)) for r in broken[:5]]).text())
        finally:
            self.own.dispose()


def ensure_current(engine: Engine) -> None:
    """Upgrade a new or older database on first use, once per engine."""
    if engine in _checked:
        return
    if current_revision(engine) != head_revision():
        upgrade(engine)
    _checked.add(engine)


def known(revision: str | None) -> bool:
    """Whether this gradecli's migrations know the revision (a newer gradecli's do not)."""
    from alembic.script import ScriptDirectory

    if revision is None:
        return True
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except Exception:  # alembic's "can't locate revision"
        return False


def _require_known(engine: Engine, revision: str | None) -> None:
    if known(revision):
        return
    from gradecli.domain.errors import DatabaseUnavailable
    from gradecli.i18n import Msg, Reason
    from gradecli.store.db import safe_url

    raise DatabaseUnavailable(Msg(
        "cannot use the database {url}: {cause}", url=safe_url(engine.url.render_as_string(hide_password=False)),
        cause=Reason("newer_schema", "a newer gradecli made it (schema {revision}; this gradecli knows up to {head}); "
                     "install the newer gradecli", revision=revision, head=head_revision())))


def drift(engine: Engine) -> list[str]:
    """Differences between the models and the migrated schema (empty when none)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import gradecli.store.models  # noqa: F401

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return [repr(d) for d in compare_metadata(ctx, SQLModel.metadata)]
