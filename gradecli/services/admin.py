"""Database administration: schema upgrade, current revision, drift check; backup and restore."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy.engine import make_url

from gradecli.domain.errors import BadInput, GradecliError, IntegrityFailure, NotFound, Problem, Text
from gradecli.i18n import Msg, Reason
from gradecli.services.context import Context
from gradecli.services.results import Outcome
from gradecli.store import backup as backup_store
from gradecli.store import migrate


def _engine(ctx: Context):  # noqa: ANN202
    """The database as it is: these commands show or change its schema themselves."""
    return ctx.open_engine(upgrade=False)


def _safe_url(ctx: Context) -> str:
    from gradecli.store.db import safe_url

    return safe_url(ctx.url)


def upgrade(ctx: Context) -> Outcome:
    before, after = migrate.upgrade(_engine(ctx))
    data = {"before": before, "after": after}
    if before == after:
        return Outcome(Msg("{url}: already at {revision} (newest)", url=_safe_url(ctx), revision=after), data)
    if before is None:
        return Outcome(Msg("{url}: upgraded empty database → {after}", url=_safe_url(ctx), after=after), data)
    return Outcome(Msg("{url}: upgraded {before} → {after}", url=_safe_url(ctx), before=before, after=after), data)


def current(ctx: Context) -> Outcome:
    """The database's revision and how it stands: ``state`` is newest, empty, behind or newer."""
    engine = _engine(ctx)
    cur, head = migrate.current_revision(engine), migrate.head_revision()
    url = _safe_url(ctx)
    if cur == head:
        state, summary = "newest", Msg("{url}: revision {revision} (newest)", url=url, revision=cur)
    elif cur is None:
        state, summary = "empty", Msg("{url}: no revision (empty: run `gradecli db upgrade`)", url=url)
    elif migrate.known(cur):
        state, summary = "behind", Msg("{url}: revision {revision} (behind {head})", url=url, revision=cur, head=head)
    else:
        state, summary = "newer", Msg("{url}: revision {revision} (newer than this gradecli, which knows up to {head})",
                                      url=url, revision=cur, head=head)
    return Outcome(summary, {"current": cur, "head": head, "state": state})


def check(ctx: Context) -> Outcome:
    engine = _engine(ctx)
    cur, head = migrate.current_revision(engine), migrate.head_revision()
    problems: list[Reason] = []
    if cur != head and not migrate.known(cur):
        problems.append(Reason("schema_newer", "the database is at {current}, made by a newer gradecli (this one knows "
                               "up to {head}): install the newer gradecli", current=cur, head=head))
    elif cur is None:
        problems.append(Reason("schema_empty", "the database has no schema revision yet, the newest is {head}: run "
                               "`gradecli db upgrade`", head=head))
    elif cur != head:
        problems.append(Reason("schema_behind", "the database is at {current}, the newest is {head}: run "
                               "`gradecli db upgrade`", current=cur, head=head))
    else:
        problems.extend(Reason("schema_drift", "schema differs from the models: {difference}", difference=d)
                        for d in migrate.drift(engine))
    data = {"current": cur, "head": head, "ok": not problems, "problems": problems}
    if problems:
        return Outcome(Msg("{url}: schema check failed", url=_safe_url(ctx)), data, list(problems), exit_code=1)
    return Outcome(Msg("{url}: schema at {head}, no drift", url=_safe_url(ctx), head=head), data)


# ---------------------------------------------------------------- backup and restore (SQLite files)

AUTOMATIC_NAME = r"{stem}-(\d{{8}}-\d{{6}})-.+\.db"  # backups/<db>-YYYYMMDD-HHMMSS-<action>.db


@dataclass
class VerifiedCopy:
    path: Path
    revision: str
    events: int
    size: int


def backup(ctx: Context, target: Path, *, overwrite: bool = False) -> Outcome:
    """A verified copy of the SQLite database, taken while others may be working. The database is
    copied as it is (not upgraded first), so a copy taken before a newer gradecli's first command
    keeps the older schema; `restore` upgrades it."""
    live = _live_file(ctx, "backup")
    if not live.exists():
        raise NotFound(Msg("there is no database at {database} to back up (check --db / GRADECLI_DATABASE_URL)",
                           database=str(live)))
    _gradecli_revision(live, BadInput)
    if target.exists() and target.resolve() == live.resolve():
        raise BadInput(Msg("{file} is the database itself; name another file for the copy", file=str(target)))
    if target.exists() and not overwrite:
        raise BadInput(Msg("{file} already exists; choose another name or add --overwrite to replace it",
                           file=str(target)))
    if Path(f"{target}-wal").exists():
        raise BadInput(Msg("{file} is open in another program ({file}-wal exists); close it, or choose another name",
                           file=str(target)))
    copy = _take_copy(live, target)
    return Outcome(Msg("backed up {database} to {file}: {size}, schema revision {revision}, {events} ledger events, "
                       "hash chain intact", database=str(live), file=str(copy.path), size=_size(copy.size),
                       revision=copy.revision, events=copy.events),
                   {"database": str(live), "file": str(copy.path), "size": copy.size, "revision": copy.revision,
                    "events": copy.events, "ok": True})


def restore(ctx: Context, source: Path) -> Outcome:
    """Replace the database's content with a backup, once the backup has verified; the database as
    it was is kept beside it. The content goes in through SQLite's backup API, so processes that
    have the database open see either all of the old or all of the new."""
    live = _live_file(ctx, "restore")
    if not source.is_file():
        raise NotFound(Msg("{file}: no such file", file=str(source)))
    if live.exists() and source.resolve() == live.resolve():
        raise BadInput(Msg("{file} is the database itself; name a backup file", file=str(source)))
    revision = _gradecli_revision(source, BadInput)
    had_content = live.exists() and live.stat().st_size > 0
    if had_content and not backup_store.is_sqlite_file(live):
        raise BadInput(Msg("{database} is not a SQLite database file, so it cannot be kept beside the restored one; "
                           "move it elsewhere, then restore", database=str(live)))
    with backup_store.file_errors(str(live)):
        live.parent.mkdir(parents=True, exist_ok=True)
        with TemporaryDirectory(dir=live.parent, prefix=".gradecli-restore-") as tmp:
            work = Path(tmp) / "restore.db"
            backup_store.copy(source, work, read_only_source=True)  # the backup itself is only read
            upgraded = _upgrade_file(work) if revision != migrate.head_revision() else None
            events = _verify_ledger(work, str(source))
            kept = _free_name(live.with_name(f"{live.name}.before-restore-{_stamp()}")) if had_content else None
            if kept:
                backup_store.copy(live, kept)
                backup_store.single_file(kept)
            try:
                backup_store.copy(work, live)
            except GradecliError:
                if kept:  # the database was left as it was, so there is nothing to keep
                    kept.unlink(missing_ok=True)
                raise
    return Outcome(_restored(live, source, revision, upgraded, events, kept),
                   {"database": str(live), "file": str(source), "revision": revision, "upgraded_to": upgraded,
                    "events": events, "kept": str(kept) if kept else None, "ok": True})


def automatic_backup(ctx: Context, action: str, before: str) -> tuple[str | None, list[str]]:
    """Before a command writes what is hard to undo (closing a cycle, replacing a stored month):
    a verified copy into backups/ beside the SQLite file, the automatic ones beyond the policy's
    ``keep`` deleted, oldest first. Returns the copy (None when none was taken) and notes; a copy
    that fails raises, so the command writes nothing."""
    if not ctx.policy.backup.automatic:
        return None, []
    live = backup_store.database_file(ctx.url)
    if live is None:
        if make_url(ctx.url).get_backend_name() == "sqlite":
            return None, [Msg("no automatic backup before {command}: the database is in memory", command=before)]
        return None, [Msg("no automatic backup before {command} on PostgreSQL: take one with pg_dump", command=before)]
    folder = live.parent / "backups"
    target = _free_name(folder / f"{live.stem}-{_stamp()}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', action)}.db")
    try:
        copy = _take_copy(live, target)
    except GradecliError as exc:
        failed = Msg("the automatic backup before {command} failed, so nothing was written (the backup goes to "
                     "{folder})", command=before, folder=str(folder))
        raise type(exc)(problems=[Problem("", failed),
                                  *(exc.problems or [Problem("", exc.message if exc.message is not None else str(exc))])]
                        ) from None
    keep = ctx.policy.backup.keep
    notes: list[Text] = [Msg("backed up before {command}: {file} (schema revision {revision}, {events} ledger events, "
                             "verified)", command=before, file=str(copy.path), revision=copy.revision,
                             events=copy.events)]
    try:
        removed = _rotate(folder, live.stem, keep)
    except OSError as exc:  # an old copy that cannot be deleted is no reason to stop the command
        notes.append(Msg("could not remove older automatic backups from {folder} ({error}); delete them by hand",
                         folder=str(folder), error=exc.strerror or str(exc)))
    else:
        if removed:
            notes.append(Msg("removed {count} older automatic backup(s) from {folder} (the policy keeps {keep})",
                             count=len(removed), folder=str(folder), keep=keep))
    return str(copy.path), notes


def _live_file(ctx: Context, command: str) -> Path:
    live = backup_store.database_file(ctx.url)
    if live is None:
        if make_url(ctx.url).get_backend_name() != "sqlite":
            raise BadInput(Reason("postgresql_backup", "on PostgreSQL use pg_dump to back up and pg_restore to "
                                  "restore; `gradecli db {command}` copies SQLite files", command=command))
        raise BadInput(Reason("memory_backup", "an in-memory database has no file to copy (`gradecli db {command}` "
                              "copies SQLite files)", command=command))
    return live


def _gradecli_revision(path: Path, error: type[GradecliError], label: Text | None = None) -> str:
    """The schema revision of a gradecli database file this gradecli can read; ``error`` otherwise."""
    label = label or str(path)
    if not backup_store.is_sqlite_file(path):
        raise error(Reason("not_sqlite", "{file}: not a SQLite database file", file=label))
    revision = backup_store.stored_revision(path)
    if revision is None:
        raise error(Reason("not_gradecli", "{file}: a SQLite database, but not a gradecli one (it records no schema "
                           "revision)", file=label))
    if not migrate.known_revision(revision):
        raise error(Reason("newer_schema", "{file}: schema revision {revision} is newer than this gradecli knows (its "
                           "newest is {head}); use the gradecli that wrote it, or install a newer one", file=label,
                           revision=revision, head=migrate.head_revision()))
    return revision


def _take_copy(live: Path, target: Path) -> VerifiedCopy:
    """Copy the live database to ``target`` and verify the copy (schema revision, ledger hash chain);
    the copy appears at ``target`` only once it has verified, and is removed when it does not."""
    with backup_store.file_errors(str(target)):
        target.parent.mkdir(parents=True, exist_ok=True)
        with TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
            part = Path(tmp) / target.name
            backup_store.copy(live, part)
            label = Msg("the copy of {database} (removed)", database=str(live))
            revision = _gradecli_revision(part, IntegrityFailure, label)
            if revision == migrate.head_revision():
                events = _verify_ledger(part, label)
            else:  # an older schema: verify an upgraded scratch copy, keep the copy as it was
                scratch = Path(tmp) / "scratch.db"
                backup_store.copy(part, scratch)
                _upgrade_file(scratch)
                events = _verify_ledger(scratch, label)
            backup_store.single_file(part)
            os.replace(part, target)
    return VerifiedCopy(target, revision, events, target.stat().st_size)


def _verify_ledger(path: Path, label: Text) -> int:
    """The ledger events of a database file at the newest schema, once its hash chain has verified
    (the same check as `gradecli audit verify`)."""
    from sqlalchemy.exc import DatabaseError

    from gradecli.services import grades

    sub = Context(url=f"sqlite:///{path.resolve()}", auto_upgrade=False)
    try:
        return grades.verify(sub).data["events"]
    except IntegrityFailure as exc:
        raise IntegrityFailure(problems=[Problem(Msg("{file}: {where}", file=label, where=p.where) if p.where else label,
                                                 p.message) for p in exc.problems]) from None
    except DatabaseError as exc:
        raise IntegrityFailure(Msg("{file}: its ledger cannot be read ({error})", file=label,
                                   error=str(getattr(exc, "orig", None) or exc))) from None
    finally:
        if "engine" in sub.__dict__:
            sub.engine.dispose()


def _restored(live: Path, source: Path, revision: str, upgraded: str | None, events: int, kept: Path | None) -> Msg:
    """What restore says it did: one whole sentence for each case."""
    params = {"database": str(live), "file": str(source), "revision": revision, "events": events}
    if kept and upgraded:
        return Msg("restored {database} from {file} (schema {revision}, upgraded to {upgraded}, {events} ledger events, "
                   "hash chain intact); the database as it was is kept in {kept}", upgraded=upgraded, kept=str(kept),
                   **params)
    if kept:
        return Msg("restored {database} from {file} (schema {revision}, {events} ledger events, hash chain intact); "
                   "the database as it was is kept in {kept}", kept=str(kept), **params)
    if upgraded:
        return Msg("restored {database} from {file} (schema {revision}, upgraded to {upgraded}, {events} ledger events, "
                   "hash chain intact); there was no database at {database}, so nothing was kept", upgraded=upgraded,
                   **params)
    return Msg("restored {database} from {file} (schema {revision}, {events} ledger events, hash chain intact); there "
               "was no database at {database}, so nothing was kept", **params)


def _upgrade_file(path: Path) -> str | None:
    from gradecli.store.db import make_engine

    engine = make_engine(f"sqlite:///{path.resolve()}")
    try:
        return migrate.upgrade(engine)[1]
    finally:
        engine.dispose()


def _rotate(folder: Path, stem: str, keep: int) -> list[Path]:
    """Delete the automatic backups of one database beyond the newest ``keep`` (copies made with
    `gradecli db backup` have names of their own and are never deleted)."""
    pattern = re.compile(AUTOMATIC_NAME.format(stem=re.escape(stem)))
    found = [(m.group(1), p.stat().st_mtime_ns, p.name, p) for p in folder.iterdir()
             if p.is_file() and (m := pattern.fullmatch(p.name))]
    old = [p for *_, p in sorted(found, reverse=True)[keep:]]
    for p in old:
        p.unlink(missing_ok=True)
    return old


def _stamp() -> str:
    from datetime import datetime

    return f"{datetime.now():%Y%m%d-%H%M%S}"  # the clock's time, not --today: when the file was made


def _free_name(path: Path) -> Path:
    """``path``, or with -2, -3 … before the suffix when it is taken (two backups in one second)."""
    n = 1
    candidate = path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"
