"""Copies of a SQLite database file through SQLite's online backup API, consistent while others write."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy.engine import make_url

from gradecli.domain.errors import BadInput, RuleRefused, Text
from gradecli.i18n import Msg, Reason
from gradecli.store.db import SQLITE_BUSY_TIMEOUT_MS

SQLITE_HEADER = b"SQLite format 3\x00"
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def database_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for PostgreSQL and for an in-memory SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def is_sqlite_file(path: Path) -> bool:
    """A SQLite database file, by its 16-byte header (an empty file is not one)."""
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def stored_revision(path: Path) -> str | None:
    """The Alembic revision recorded in a database file; None when it has none (not a gradecli
    database), '+'-joined when there are several."""
    with file_errors(str(path)), closing(_connect(path, read_only=True)) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone():
            return None
        revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    return "+".join(sorted(revisions)) or None


def copy(source: Path, target: Path, *, read_only_source: bool = False) -> None:
    """Copy ``source`` into ``target`` page by page in one read transaction (what was committed
    when it began, WAL content included; open write transactions are not seen). ``target`` may be
    a live database: SQLite replaces its content in one write transaction, keeping its -wal and
    -shm files consistent for the connections that have it open."""
    doing = Msg("copying {source} to {target}", source=str(source), target=str(target))
    with file_errors(doing), closing(_connect(source, read_only=read_only_source)) as src, \
            closing(_connect(target)) as dst:
        src.backup(dst, progress=_give_up_when_busy(target))


def single_file(path: Path) -> None:
    """Make a copy one self-contained file (rollback journal, not WAL), so it can be moved,
    mailed or read from a read-only disk; gradecli turns WAL on again when it opens it."""
    with file_errors(str(path)), closing(_connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    if read_only:  # never creates the file, never writes to it
        return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout, isolation_level=None)
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def _give_up_when_busy(target: Path):  # noqa: ANN202
    """Python's backup loop retries a busy database for ever; give up once the busy timeout has
    passed (SQLite has usually waited that long inside the step that reports it busy)."""
    started = time.monotonic()

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in _BUSY and time.monotonic() - started >= SQLITE_BUSY_TIMEOUT_MS / 1000:
            raise RuleRefused(_busy(str(target)))

    return progress


@contextmanager
def file_errors(what: Text) -> Iterator[None]:
    """sqlite3's and the file system's exceptions (no room, no permission, a busy database) as
    messages for an HR officer, naming the file (``what``: a file name, or a message saying what
    was being done)."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise RuleRefused(_busy(what)) from None
        if "not a database" in text:
            raise BadInput(Reason("not_sqlite", "{file}: not a SQLite database file", file=what)) from None
        raise BadInput(Reason("file_error", "{file}: {error}", file=what, error=_os_error(exc))) from None


def _os_error(exc: BaseException) -> Text:
    """The system's reason in the run's language where it is a common one (no space, no access);
    the driver's own words otherwise."""
    import errno

    code = getattr(exc, "errno", None)
    if code in (errno.EACCES, errno.EPERM):
        return Msg("permission denied; ask for access, or choose a folder you can write to")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):  # no EDQUOT on Windows
        return Msg("no space left on the disk; free some space, then try again")
    if code == errno.EROFS:
        return Msg("the disk is read-only; choose a folder you can write to")
    if code == errno.ENOENT:
        return Msg("no such file or folder")
    text = str(exc)
    if "disk is full" in text or "database or disk is full" in text:
        return Msg("no space left on the disk; free some space, then try again")
    return text


def _busy(what: Text) -> Reason:
    return Reason("database_busy", "{file}: the database is busy: another gradecli is writing to it; nothing was "
                  "changed — run the command again in a moment", file=what)
