"""The engine from a database URL: SQLite by default (WAL, foreign keys, busy timeout), or PostgreSQL."""

from __future__ import annotations

import os

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from gradecli.domain.errors import BadInput

DEFAULT_URL = "sqlite:///gradecli.db"
ENV_VAR = "GRADECLI_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(url: str | None) -> str:
    """--db, else GRADECLI_DATABASE_URL, else gradecli.db in the working directory."""
    url = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver we ship; a bare postgresql:// URL would ask for psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        make_url(url)
    except Exception:
        raise BadInput(
            f"--db {url!r} is not a database URL; use sqlite:///FILE.db or postgresql://USER@HOST:PORT/DB"
        ) from None
    return url


def make_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """``foreign_keys=False`` is for migrations only: SQLite alters a table by copying it, which
    foreign-key enforcement would refuse while other tables point at it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine, foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, foreign_keys: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy's "begin" below own the transaction instead of pysqlite's implicit one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # IMMEDIATE takes the write lock up front: two writers queue (busy timeout) instead of
        # failing half-way with "database is locked" when a reader tries to become a writer.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

