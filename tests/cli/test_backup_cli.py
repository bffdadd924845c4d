"""db backup | restore through the command line, automatic backups before closing and --replace,
and a close killed half-way through its ledger events."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from gradecli.services import grades
from gradecli.services.context import Context
from tests.cli.story import ROOT, ok, publish_semiannual, run, seed_office
from tests.helpers import ALLOWANCE_HEADERS, allowance_rows, write_xlsx

PG_LINE = ("Error: on PostgreSQL use pg_dump to back up and pg_restore to restore; "
           "`gradecli db {command}` copies SQLite files\n")


@pytest.fixture
def office(tmp_path):
    """The shared small office in a SQLite file, gradecli.db, as an office keeps it."""
    return seed_office(f"sqlite:///{tmp_path / 'gradecli.db'}", tmp_path)


only_postgres = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # the db_url fixture's PostgreSQL half


def events(db: str) -> int:
    ctx = Context(url=db)
    try:
        return grades.verify(ctx).data["events"]
    finally:
        ctx.engine.dispose()


def state(db: str, cycle: str) -> str:
    return json.loads(ok(db, "--json", "cycle", "show", cycle).stdout)["state"]


def automatic(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "backups"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_backup_and_restore_commands(office, tmp_path):
    copy = tmp_path / "copy.db"
    done = json.loads(ok(office, "--json", "db", "backup", copy).stdout)
    assert (done["file"], done["events"], done["size"]) == (str(copy), 7, copy.stat().st_size)
    r = run(office, "db", "backup", copy)
    assert r.exit_code == 2
    assert r.stderr == f"Error: {copy} already exists; choose another name or add --overwrite to replace it\n"
    r = ok(office, "db", "backup", copy, "--overwrite")
    assert re.fullmatch(rf"backed up {tmp_path}/gradecli.db to {copy}: \d+ KB, schema revision \d+, 7 ledger events, "
                        r"hash chain intact\n", r.stdout)
    ok(office, "grade", "correct", "K1", "--to", "2-2", "--date", "2026-11-01", "--reason", "录入有误")
    r = ok(office, "db", "restore", copy)
    kept = re.search(r"kept in (\S+)$", r.stdout.strip()).group(1)
    assert Path(kept).parent == tmp_path and events(office) == 7 and events(f"sqlite:///{kept}") == 8
    junk = tmp_path / "junk.db"
    junk.write_text("x", encoding="utf-8")
    r = run(office, "db", "restore", junk)
    assert r.exit_code == 2 and r.stderr == f"Error: {junk}: not a SQLite database file\n"


@only_postgres
def test_postgresql_is_pointed_at_pg_dump(db_url, tmp_path):
    for command in ("backup", "restore"):
        r = run(db_url, "db", command, tmp_path / "x.db")
        assert r.exit_code == 2 and r.stderr == PG_LINE.format(command=command)


@only_postgres
def test_close_on_postgresql_notes_that_it_took_no_backup(db_url, tmp_path):
    seed_office(db_url, tmp_path)
    publish_semiannual(db_url, tmp_path, {"K7": 80}, seed="pg")
    closed = json.loads(ok(db_url, "--json", "cycle", "close", "2026H2", today="2026-12-28").stdout)
    assert closed["backup"] is None
    assert closed["notes"] == ["no automatic backup before cycle close 2026H2 on PostgreSQL: take one with pg_dump"]


def test_close_backs_up_first_and_only_when_it_writes(office, tmp_path):
    publish_semiannual(office, tmp_path, {"K7": 80}, seed="b")
    (tmp_path / "backups").write_text("a file in the way", encoding="utf-8")
    r = run(office, "cycle", "close", "2026H2", today="2026-12-28")
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: the automatic backup before cycle close 2026H2 failed, so nothing was written")
    assert state(office, "2026H2") == "published" and events(office) == 7
    (tmp_path / "backups").unlink()
    r = ok(office, "cycle", "close", "2026H2", today="2026-12-28")
    [backup] = automatic(tmp_path)
    assert re.fullmatch(r"gradecli-\d{8}-\d{6}-cycle-close-2026H2\.db", backup.name)
    assert f"Note: backed up before cycle close 2026H2: {backup} (schema revision" in r.stderr
    assert events(f"sqlite:///{backup}") == 7 and events(office) == 8  # the copy is the database before closing
    again = json.loads(ok(office, "--json", "cycle", "close", "2026H2", today="2026-12-29").stdout)
    assert again["events"] == 0 and again["notes"] == [] and automatic(tmp_path) == [backup]


def test_replace_backs_up_rotates_and_can_be_switched_off(office, tmp_path):
    db = office
    ok(db, "allowance", "import", write_xlsx(tmp_path / "t.xlsx", ALLOWANCE_HEADERS, allowance_rows(date(2025, 1, 1))))
    ok(db, "allowance", "compute", "--month", "2026-12")
    same = json.loads(ok(db, "--json", "allowance", "compute", "--month", "2026-12", "--replace").stdout)
    assert same["stored"] is False and same["backup"] is None and automatic(tmp_path) == []  # unchanged: no write
    keep2 = tmp_path / "keep2.toml"
    keep2.write_text("[backup]\nkeep = 2\n", encoding="utf-8")
    taken = []
    for day, grade in ((10, "2-2"), (11, "2-3"), (12, "3-1")):
        ok(db, "grade", "correct", "K1", "--to", grade, "--date", f"2026-12-{day}", "--reason", "定级录入有误")
        out = json.loads(ok(db, "--json", "--policy", keep2, "allowance", "compute", "--month", "2026-12",
                            "--replace").stdout)
        assert out["stored"] is True and re.search(r"/gradecli-\d{8}-\d{6}-allowance-compute-2026-12(-\d)?\.db$",
                                                   out["backup"])
        taken.append(Path(out["backup"]))
    assert automatic(tmp_path) == sorted(taken[1:])  # the oldest removed: the policy keeps 2
    assert any("removed 1 older automatic backup(s)" in n for n in out["notes"])
    mine = tmp_path / "backups" / "before-audit.db"
    ok(db, "db", "backup", mine)  # a copy made by hand is never rotated away
    off = tmp_path / "off.toml"
    off.write_text("[backup]\nautomatic = false\nkeep = 1\n", encoding="utf-8")
    ok(db, "grade", "correct", "K1", "--to", "3-2", "--date", "2026-12-13", "--reason", "定级录入有误")
    out = json.loads(ok(db, "--json", "--policy", off, "allowance", "compute", "--month", "2026-12", "--replace").stdout)
    assert out["stored"] is True and out["backup"] is None and not any("backed up" in n for n in out["notes"])
    assert automatic(tmp_path) == sorted([*taken[1:], mine])


KILLED_CLOSE = """
import os, sys
from gradecli.store import repo

insert_rows = repo.insert_rows


def insert_some_then_die(session, table, rows):
    if table.name == "ledger_event":
        insert_rows(session, table, rows[: len(rows) // 2])
        session.flush()
        os._exit(1)  # killed: no rollback, no cleanup, the -wal file left as it is
    insert_rows(session, table, rows)


repo.insert_rows = insert_some_then_die
from gradecli.cli.app import main
sys.argv = ["gradecli", *sys.argv[1:]]
main()
"""


def test_a_close_killed_half_way_leaves_the_database_as_it_was(office, tmp_path):
    db = office
    publish_semiannual(db, tmp_path, {"K6": 80, "K7": 80}, seed="k")
    before = events(db)
    killed = subprocess.run([sys.executable, "-c", KILLED_CLOSE, "--db", db, "--today", "2026-12-28",
                             "cycle", "close", "2026H2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert (killed.returncode, killed.stdout, killed.stderr) == (1, "", "")  # died in the fault, not on an error
    assert events(db) == before and state(db, "2026H2") == "published"
    ok(db, "audit", "verify")
    [backup] = automatic(tmp_path)
    restored = json.loads(ok(db, "--json", "db", "restore", backup).stdout)
    assert restored["events"] == before and Path(restored["kept"]).exists()
    ok(db, "audit", "verify")
    assert state(db, "2026H2") == "published"
    closed = json.loads(ok(db, "--json", "cycle", "close", "2026H2", today="2026-12-28").stdout)
    assert closed["events"] == 2 and events(db) == before + 2
