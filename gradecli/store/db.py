"""The engine from a database URL: SQLite by default (WAL, foreign keys, busy timeout), or PostgreSQL;
opening it checks it can be used, and says in plain words what is wrong when it cannot."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from gradecli.domain.errors import BadInput, DatabaseUnavailable
from gradecli.i18n import Msg, Reason

DEFAULT_URL = "sqlite:///gradecli.db"
ENV_VAR = "GRADECLI_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10  # an unreachable host answers nothing; say so instead of waiting minutes


def resolve_url(url: str | None) -> str:
    """--db, else GRADECLI_DATABASE_URL, else gradecli.db in the working directory."""
    url = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver we ship; a bare postgresql:// URL would ask for psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        backend = make_url(url).get_backend_name()
    except Exception:
        backend = None
    if backend not in ("sqlite", "postgresql"):
        raise BadInput(Reason("db_url_unusable", "--db '{url}' is not a database URL gradecli can use; use "
                              "sqlite:///FILE.db or postgresql://USER@HOST:PORT/DB", url=_hide_password(url)))
    return url


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def safe_url(url: str) -> str:
    """The URL to show a person: the password hidden, and without the driver gradecli adds."""
    try:
        u = make_url(url)
    except Exception:
        return _hide_password(url)
    if u.drivername == "postgresql+psycopg":
        u = u.set(drivername="postgresql")
    return u.render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases, memory and file: URIs)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" \
            or u.database.startswith("file:"):
        return None
    return Path(u.database)


def make_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """``foreign_keys=False`` is for migrations only: SQLite alters a table by copying it, which
    foreign-key enforcement would refuse while other tables point at it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine, foreign_keys)
        return engine
    args = {} if "connect_timeout" in parsed.query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    return create_engine(url, pool_pre_ping=True, connect_args=args)


def open_engine(url: str, *, upgrade: bool = True,
                on_new_file: Callable[[Path], None] | None = None) -> Engine:
    """The engine of a database that is there and can be written (its schema brought up to date
    unless ``upgrade`` is off). A database that cannot be opened, created or written raises
    DatabaseUnavailable naming the URL (password hidden), the cause and the fix.
    ``on_new_file`` hears of a SQLite file this call created."""
    from sqlalchemy.exc import SQLAlchemyError

    from gradecli.store.migrate import ensure_current

    file = sqlite_file(url)
    existed = file is None or file.exists()
    engine = None
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                _check_writable(conn)
        if upgrade:
            ensure_current(engine)
    except (SQLAlchemyError, ImportError) as exc:
        if engine is not None:
            engine.dispose()
        if is_busy(exc):
            raise  # another gradecli is writing: the error handler says to try again
        raise DatabaseUnavailable(database_problem(exc, url)) from None
    if not existed and file.exists() and on_new_file is not None:
        on_new_file(file.resolve())
    return engine


def _check_writable(conn) -> None:  # noqa: ANN001
    """A read-only SQLite file opens, and reads, and fails only at the first write: try one now
    (rolled back) so every command stops at once with the reason, not half-way."""
    version = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    conn.exec_driver_sql(f"PRAGMA user_version = {version}")
    conn.rollback()


def database_problem(exc: BaseException, url: str) -> Msg:
    """One line for a person: which database, what is wrong in plain words, and what to do (the
    cause is a Reason, so its code says what went wrong whatever the language)."""
    return Msg("cannot use the database {url}: {cause}", url=safe_url(url), cause=_cause(exc, url))


def busy_hint() -> Reason:
    """What to say when another gradecli holds the write lock: nothing was written; try again."""
    return Reason("database_busy", "the database is busy: another gradecli is writing to it; nothing was written — "
                  "run the command again in a moment")


def is_busy(exc: BaseException) -> bool:
    text = _driver_text(exc).lower()
    return "locked" in text or "could not obtain lock" in text or "deadlock" in text


def _driver_text(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc)


def _unknown(first: str) -> Reason:
    """A cause gradecli does not recognise: the driver's own words (not translated) and where to look."""
    return Reason("database_error", "{error}; check --db / GRADECLI_DATABASE_URL", error=first)


def _cause(exc: BaseException, url: str) -> Reason:
    text = _driver_text(exc)
    low = text.lower()
    first = text.strip().splitlines()[0].strip() if text.strip() else type(exc).__name__
    if isinstance(exc, ImportError) or "can't load plugin" in low or "no module named" in low:
        return Reason("unsupported_database", "gradecli cannot talk to this kind of database; use sqlite:///FILE.db "
                      "or postgresql://USER@HOST:PORT/DB")
    try:
        u = make_url(url)
    except Exception:  # pragma: no cover - resolve_url has parsed it already
        return _unknown(first)
    if u.get_backend_name() == "sqlite":
        return _sqlite_cause(low, first, sqlite_file(url))
    return _postgres_cause(low, first, u)


def _sqlite_cause(low: str, first: str, file: Path | None) -> Reason:
    path = Path(os.path.abspath(file)) if file is not None else None
    if "not a database" in low:
        if path is None:
            return Reason("not_a_database", "the file is not a database (a spreadsheet or text file?); give the "
                          "gradecli database file, or a new file name to start an empty database")
        return Reason("not_a_database", "{path} is not a database (a spreadsheet or text file?); give the gradecli "
                      "database file, or a new file name to start an empty database", path=str(path))
    if "readonly" in low or "read-only" in low:
        if path is not None and path.exists() and not os.access(path, os.W_OK):
            return Reason("read_only_file", "the file {path} is read-only; ask for write access to it, or copy it to "
                          "a folder you can write to and use the copy", path=str(path))
        if path is not None and not os.access(path.parent, os.W_OK):
            return Reason("read_only_folder", "the folder {folder} is read-only, and SQLite must create its -wal and "
                          "-shm files next to the database; ask for write access to the folder, or copy the database "
                          "to a folder you can write to", folder=str(path.parent))
        return Reason("read_only", "the database is read-only (the file, or its folder where SQLite keeps its -wal "
                      "and -shm files); ask for write access, or copy it to a folder you can write to")
    if "unable to open" in low or "unable to create" in low or "cannot open" in low:
        if path is None:
            return Reason("cannot_open", "SQLite cannot open it ({error}); check --db / GRADECLI_DATABASE_URL",
                          error=first)
        if path.is_dir():
            return Reason("path_is_folder", "{path} is a folder, not a database file; name a file in it, e.g. "
                          "--db sqlite:///{example}", path=str(path), example=str(path / "gradecli.db"))
        if not path.parent.exists():
            return Reason("folder_missing", "the folder {folder} does not exist; create it first, or give a file in "
                          "a folder that exists", folder=str(path.parent))
        if not path.parent.is_dir():
            return Reason("parent_is_file", "{folder} is a file, not a folder; give a file in a folder that exists",
                          folder=str(path.parent))
        if not path.exists():
            return Reason("folder_not_writable", "cannot create {path}: the folder is not writable for you; choose a "
                          "folder you can write to, or ask for write access", path=str(path))
        return Reason("permission_denied", "cannot open {path}: permission denied; ask for read and write access to "
                      "the file", path=str(path))
    if "malformed" in low or "corrupt" in low:
        if path is None:
            return Reason("damaged", "the database file is damaged ({error}); restore it from a backup", error=first)
        return Reason("damaged", "the file {path} is damaged ({error}); restore it from a backup", path=str(path),
                      error=first)
    if "disk i/o" in low or "disk is full" in low or "database or disk is full" in low:
        return Reason("disk_failed", "the disk failed or is full ({error}); free some space or check the disk, then "
                      "try again", error=first)
    return _unknown(first)


def _postgres_cause(low: str, first: str, u) -> Reason:  # noqa: ANN001
    host, port, user, db = u.host or "localhost", u.port or 5432, u.username, u.database
    if "password authentication failed" in low:
        return Reason("wrong_password", "the server refused the password of user {user}; check the user name and "
                      "password in the URL", user=user)
    if "role" in low and "does not exist" in low:
        return Reason("unknown_user", "the server has no user {user}; check the user name in the URL", user=user)
    if "database" in low and "does not exist" in low:
        return Reason("unknown_database", "the server has no database {db}; create it (createdb {db}) or correct "
                      "its name in the URL", db=db)
    if "no password supplied" in low or "password is required" in low:
        return Reason("password_needed", "the server asks for the password of user {user}; write it in the URL "
                      "(postgresql://USER:PASSWORD@HOST:PORT/DB) or set PGPASSWORD", user=user)
    if "connection refused" in low:
        return Reason("connection_refused", "nothing answers at {host}:{port}; check that PostgreSQL runs there "
                      "and that the host and port in the URL are right", host=host, port=port)
    if "translate host name" in low or "name or service not known" in low or "nodename nor servname" in low \
            or "name resolution" in low:
        return Reason("unknown_host", "the host {host} is not known; check the host name in the URL", host=host)
    if "timeout" in low or "timed out" in low:
        return Reason("no_answer", "{host}:{port} did not answer within {seconds} seconds; check the host, the port "
                      "and the network", host=host, port=port, seconds=PG_CONNECT_TIMEOUT_S)
    if "permission denied" in low:
        return Reason("no_rights", "user {user} may not change the database ({error}); ask its owner for the "
                      "rights, or use another user", user=user, error=first)
    if "connection" in low:
        return Reason("cannot_connect", "cannot connect ({error}); check --db / GRADECLI_DATABASE_URL", error=first)
    return _unknown(first)


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
