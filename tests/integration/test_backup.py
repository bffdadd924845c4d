"""db backup and db restore on SQLite files: consistent copies while others write, verified before
they count; a backup that does not verify changes nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from gradecli.domain.errors import BadInput, IntegrityFailure
from gradecli.domain.ladder import Grade
from gradecli.services import admin, grades, staff
from gradecli.services.context import Context
from gradecli.store import migrate
from gradecli.store.db import make_engine
from tests.helpers import person, roster, write_xlsx


@pytest.fixture
def office(sqlite_ctx, tmp_path):
    staff.import_roster_file(sqlite_ctx, roster(tmp_path / "r.xlsx", [person("K1"), person("K2"), person("K3")]))
    grades.import_grades_file(sqlite_ctx, write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"], [
        ["K1", 2, 1, date(2024, 1, 1)], ["K2", 2, 3, date(2024, 1, 1)], ["K3", 3, 1, date(2025, 1, 1)]]))
    return sqlite_ctx


def live_file(ctx: Context) -> Path:
    return Path(ctx.engine.url.database)


def sql(path: Path, statement: str) -> None:
    """Change a database file behind gradecli's back, as someone with a SQLite browser could."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(statement)
    finally:
        conn.close()


def opened(path: Path) -> Context:
    return Context(url=f"sqlite:///{path}", auto_upgrade=False)


def grades_on(ctx: Context, on: date = date(2026, 12, 31)) -> dict[str, tuple[int, int]]:
    return {r["emp_no"]: (r["tier"], r["level"]) for r in grades.as_of(ctx, on).rows}


def test_backup_while_another_connection_holds_a_write_transaction(office, tmp_path):
    live = live_file(office)
    other = sqlite3.connect(live, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    # an edit that would break the hash chain, were the copy to see it before it is committed
    other.execute("UPDATE ledger_event SET to_tier = 5 WHERE seq = 2")
    try:
        done = admin.backup(office, tmp_path / "copy.db")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert done.data["events"] == 3 and done.data["revision"] == migrate.head_revision()
    assert done.data["size"] == (tmp_path / "copy.db").stat().st_size
    copy = opened(tmp_path / "copy.db")
    assert grades.verify(copy).data["events"] == 3
    assert grades_on(copy) == {"K1": (2, 1), "K2": (2, 3), "K3": (3, 1)}
    copy.engine.dispose()
    assert not list(tmp_path.glob(".copy.db-*"))  # no work files left behind


def test_backup_refuses_an_existing_file_unless_overwrite(office, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(BadInput, match=r"copy.db already exists; choose another name or add --overwrite"):
        admin.backup(office, target)
    assert target.read_text(encoding="utf-8") == "keep me"
    assert admin.backup(office, target, overwrite=True).data["events"] == 3


def test_a_copy_that_does_not_verify_is_removed(office, tmp_path):
    sql(live_file(office), "UPDATE ledger_event SET to_tier = 5 WHERE seq = 2")
    with pytest.raises(IntegrityFailure) as err:
        admin.backup(office, tmp_path / "copy.db")
    assert "(removed): ledger event 2: content does not match its hash" in err.value.lines()[0]
    assert not (tmp_path / "copy.db").exists() and not list(tmp_path.glob(".copy.db-*"))


def test_backup_of_an_older_schema_keeps_it_and_restore_upgrades_it(tmp_path):
    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    migrate.upgrade(engine, "0006")
    engine.dispose()
    ctx = Context(url=f"sqlite:///{old}")
    done = admin.backup(ctx, tmp_path / "copy.db")
    assert done.data["revision"] == "0006"
    assert migrate.current_revision(make_engine(f"sqlite:///{tmp_path / 'copy.db'}")) == "0006"
    assert migrate.current_revision(make_engine(f"sqlite:///{old}")) == "0006"  # the backup upgraded nothing
    target = Context(url=f"sqlite:///{tmp_path / 'new.db'}")
    restored = admin.restore(target, tmp_path / "copy.db")
    assert restored.data["upgraded_to"] == migrate.head_revision() and restored.data["kept"] is None
    assert "there was no database at" in restored.summary
    assert migrate.current_revision(target.engine) == migrate.head_revision()
    target.engine.dispose()


def test_restore_refuses_what_is_not_a_gradecli_database(office, tmp_path):
    live = live_file(office)
    before = live.read_bytes()
    junk = tmp_path / "notes.db"
    junk.write_text("not a database", encoding="utf-8")
    with pytest.raises(BadInput, match="notes.db: not a SQLite database file"):
        admin.restore(office, junk)
    other = tmp_path / "other.db"
    sql(other, "CREATE TABLE t (x)")
    with pytest.raises(BadInput, match="other.db: a SQLite database, but not a gradecli one"):
        admin.restore(office, other)
    with pytest.raises(BadInput, match="missing.db: no such file"):
        admin.restore(office, tmp_path / "missing.db")
    assert live.read_bytes() == before and not list(tmp_path.glob("*.before-restore-*"))


def test_restore_refuses_a_broken_chain_and_a_newer_revision(office, tmp_path):
    admin.backup(office, tmp_path / "edited.db")
    sql(tmp_path / "edited.db", "UPDATE ledger_event SET reason = 'changed by hand' WHERE seq = 2")
    with pytest.raises(IntegrityFailure) as err:
        admin.restore(office, tmp_path / "edited.db")
    assert err.value.lines() == [f"{tmp_path / 'edited.db'}: ledger event 2: content does not match its hash (the row was edited)"]
    admin.backup(office, tmp_path / "newer.db")
    sql(tmp_path / "newer.db", "UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(BadInput, match=r"newer.db: schema revision 0099 is newer than this gradecli knows"):
        admin.restore(office, tmp_path / "newer.db")
    assert not list(tmp_path.glob("*.before-restore-*")) and not list(tmp_path.glob(".gradecli-restore-*"))
    assert grades.verify(office).data["events"] == 3


def test_restore_round_trip_keeps_the_current_file_beside_it(office, tmp_path):
    at_backup = grades_on(office)
    admin.backup(office, tmp_path / "copy.db")
    grades.correct(office, "K1", to=Grade(2, 2), on=date(2026, 11, 1), reason="定级录入有误")
    assert grades_on(office) != at_backup
    done = admin.restore(office, tmp_path / "copy.db")
    kept = Path(done.data["kept"])
    assert kept.parent == tmp_path and kept.name.startswith("one.db.before-restore-")
    assert f"kept in {kept}" in done.summary
    assert grades_on(office) == at_backup and grades.verify(office).data["events"] == 3
    before_restore = opened(kept)
    assert grades_on(before_restore)["K1"] == (2, 2) and grades.verify(before_restore).data["events"] == 4
    before_restore.engine.dispose()
