"""Bad starts: a database that cannot be used gives one plain `Error:` line, from every command.

Every command of the app is found by walking the Typer tree. Each one either has a smoke path
below (the least it needs to reach the database) or is listed as never touching the database; a
new command with neither fails test_every_command_is_covered, so later commands are covered too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from gradecli.cli.app import app
from tests.helpers import person, roster, write_xlsx

runner = CliRunner()
BANKS = Path(__file__).resolve().parents[2] / "question_bank"
Args = Callable[[Path], list]


def all_commands() -> list[tuple[str, ...]]:
    """Every runnable command, as its words after `gradecli` (sub-apps walked recursively)."""

    def walk(cmd, path):  # noqa: ANN001, ANN202
        subs = getattr(cmd, "commands", None)
        if subs is None:
            yield tuple(path)
            return
        for name, sub in subs.items():
            yield from walk(sub, [*path, name])

    return sorted(walk(get_command(app), []))


def _allowance_table(t: Path) -> Path:
    from gradecli.domain.ladder import Ladder
    from gradecli.domain.policy import Policy

    rows = [["", g.tier, g.level, 100 * g.tier + g.level, "2026-01-01"] for g in Ladder.for_family(Policy(), None).steps()]
    return [write_xlsx(t / "allowance.xlsx", ["岗位序列", "等", "级", "月津贴", "生效日期"], rows)]


def _policy_file(t: Path) -> Path:
    from gradecli.domain.policy import Policy
    from gradecli.formats.policy_toml import render

    f = t / "policy.toml"
    f.write_text(render(Policy()), encoding="utf-8")
    return f


# The least each command needs to reach the database (files it reads are written to tmp_path).
SMOKE: dict[tuple[str, ...], Args] = {
    ("db", "upgrade"): lambda t: [],
    ("db", "current"): lambda t: [],
    ("db", "check"): lambda t: [],
    ("ladder", "show"): lambda t: [],
    ("staff", "import"): lambda t: [roster(t / "roster.xlsx", [person("K1")])],
    ("staff", "list"): lambda t: [],
    ("staff", "show"): lambda t: ["K1"],
    ("staff", "transfer"): lambda t: ["K1", "--post", "航标设计", "--date", "2026-01-01"],
    ("perf", "import"): lambda t: [write_xlsx(t / "perf.xlsx", ["工号", "年度", "考核等次", "处分"], [["K1", 2025, "良好", "否"]])],
    ("grade", "import"): lambda t: [write_xlsx(t / "grades.xlsx", ["工号", "等", "级", "生效日期"], [["K1", 2, 1, "2024-01-01"]])],
    ("grade", "history"): lambda t: ["K1"],
    ("grade", "as-of"): lambda t: ["2026-01-01"],
    ("grade", "correct"): lambda t: ["K1", "--to", "2-2", "--date", "2026-01-01", "--reason", "录入错误"],
    ("audit", "verify"): lambda t: [],
    ("bank", "import"): lambda t: [BANKS / "客服" / "tier-1.yaml"],
    ("bank", "export"): lambda t: ["--tier", "1", "--out", t / "bank.yaml"],
    ("bank", "stats"): lambda t: [],
    ("bank", "retire"): lambda t: ["KF-T1-001"],
    ("bank", "calibrate"): lambda t: ["2026"],
    ("paper", "generate"): lambda t: ["--tier", "1", "--count", "1"],
    ("paper", "show"): lambda t: ["P1-0001-001"],
    ("paper", "export"): lambda t: ["P1-0001-001", "--out", t / "papers"],
    ("allowance", "import"): _allowance_table,
    ("allowance", "show"): lambda t: [],
    ("allowance", "compute"): lambda t: ["--month", "2026-12"],
    ("allowance", "arrears"): lambda t: ["--from", "2026-12", "--to", "2026-12"],
    ("report", "pyramid"): lambda t: [],
    ("report", "cycle"): lambda t: ["2026"],
    ("report", "items"): lambda t: ["2026"],
    ("report", "projection"): lambda t: [],
    ("cycle", "create"): lambda t: ["--kind", "annual", "--period", "2026"],
    ("cycle", "list"): lambda t: [],
    ("cycle", "show"): lambda t: ["2026"],
    ("cycle", "eligibility"): lambda t: ["2026"],
    ("cycle", "template-register"): lambda t: ["2026", "--out", t / "register.xlsx"],
    ("cycle", "register"): lambda t: ["2026", "--file", write_xlsx(t / "reg.xlsx", ["工号"], [["K1"]])],
    ("cycle", "withdraw"): lambda t: ["2026", "K1"],
    ("cycle", "issue-papers"): lambda t: ["2026"],
    ("cycle", "answer-sheet"): lambda t: ["2026", "--out", t / "answers.xlsx"],
    ("cycle", "import-answers"): lambda t: ["2026", write_xlsx(t / "filled.xlsx", ["周期", "工号", "姓名", "试卷", "题1"],
                                                               [["2026", "K1", "张三", "P3-0001-001", "A"]])],
    ("cycle", "template-scores"): lambda t: ["2026", "--out", t / "scores.xlsx"],
    ("cycle", "import-scores"): lambda t: ["2026", write_xlsx(t / "skill.xlsx", ["工号", "实操成绩"], [["K1", 80]])],
    ("cycle", "evaluate"): lambda t: ["2026"],
    ("cycle", "publish"): lambda t: ["2026", "--out", t / "notice"],
    ("cycle", "appeal"): lambda t: ["2026", "K1", "--reason", "实操成绩登记有误"],
    ("cycle", "resolve"): lambda t: ["2026", "K1", "--uphold", "--note", "复核"],
    ("cycle", "close"): lambda t: ["2026"],
    ("cycle", "results"): lambda t: ["2026"],
    ("first-evaluation",): lambda t: ["--as-of", "2026-01-01"],
    ("demo",): lambda t: ["--out", t / "demo"],
    ("audit", "cycle"): lambda t: ["2026"],
    ("cycle", "absent"): lambda t: ["2026", "K1", "--reason", "未到场"],
    ("cycle", "quota"): lambda t: ["2026"],
    ("cycle", "delete"): lambda t: ["2026", "--reason", "建错"],
    ("cycle", "scope"): lambda t: ["2026", "--family", "航标", "--reason", "按序列分开考"],
    ("bank", "check"): lambda t: [],
}

# Commands for a SQLite file only: on PostgreSQL they say to use pg_dump / pg_restore instead.
SQLITE_ONLY: dict[tuple[str, ...], Args] = {
    ("db", "backup"): lambda t: [t / "copy.db"],
    ("db", "restore"): lambda t: [_backup_file(t)],
}


def _backup_file(t: Path) -> Path:
    """A verified backup of a small gradecli database, to restore from."""
    from gradecli.services import admin
    from gradecli.services.context import Context

    ctx = Context(url=f"sqlite:///{t / 'source.db'}")
    ctx.engine  # noqa: B018  (creates the database)
    admin.backup(ctx, t / "backup.db")
    ctx.engine.dispose()
    return t / "backup.db"

# Commands that never open the database: they succeed whatever --db says.
NO_DATABASE: dict[tuple[str, ...], Args] = {
    ("policy", "init"): lambda t: [t / "new-policy.toml"],
    ("policy", "show"): lambda t: [],
    ("policy", "check"): lambda t: [_policy_file(t)],
    ("staff", "template"): lambda t: [t / "roster-blank.xlsx"],
    ("perf", "template"): lambda t: [t / "ratings-blank.xlsx"],
    ("grade", "template"): lambda t: [t / "grades-blank.xlsx"],
    ("bank", "template"): lambda t: [t / "bank-blank.xlsx"],
    ("allowance", "template"): lambda t: [t / "allowance-blank.xlsx"],
    ("ladder", "standards"): lambda t: [],
}


def test_every_command_is_covered():
    commands = set(all_commands())
    assert len(commands) >= 55  # the walk found the whole tree
    missing = sorted(commands - SMOKE.keys() - NO_DATABASE.keys() - SQLITE_ONLY.keys())
    assert not missing, ("give these commands a smoke path in SMOKE (or list them in NO_DATABASE): "
                         + ", ".join(" ".join(c) for c in missing))
    stale = sorted((SMOKE.keys() | NO_DATABASE.keys() | SQLITE_ONLY.keys()) - commands)
    assert not stale, "no such commands any more: " + ", ".join(" ".join(c) for c in stale)
    assert not SMOKE.keys() & NO_DATABASE.keys()


def _pg_bad_user() -> str | None:
    base = os.environ.get("GRADECLI_TEST_POSTGRES_URL")
    if not base:
        return None
    from sqlalchemy.engine import make_url

    u = make_url(base)
    return f"postgresql://nobody:secret@{u.host or '127.0.0.1'}:{u.port or 5432}/{u.database}"


@pytest.fixture(scope="module")
def read_only_db(tmp_path_factory) -> str:
    """A real gradecli database, opened read-only (chmod does not stop root; SQLite's mode=ro does)."""
    from gradecli.services.context import Context

    f = tmp_path_factory.mktemp("ro") / "hr.db"
    ctx = Context(url=f"sqlite:///{f}")
    ctx.engine.dispose()
    return f"sqlite:///file:{f}?mode=ro&uri=true"


BROKEN: dict[str, tuple[Callable[[Path], str | None], str]] = {
    # kind: (the URL, what the one line must say)
    "missing folder": (lambda t: f"sqlite:///{t}/no/such/dir/hr.db", "does not exist; create it first"),
    "folder as file": (lambda t: f"sqlite:///{t}", "is a folder, not a database file"),
    "not a database": (lambda t: _text_file(t), "is not a database"),
    "unreachable port": (lambda t: "postgresql://nobody:secret@127.0.0.1:1/test", "nothing answers at 127.0.0.1:1"),
    "bad user": (lambda t: _pg_bad_user(), "the server has no user nobody"),
    "read-only": (None, "read-only"),  # type: ignore[dict-item]
}


def _text_file(t: Path) -> str:
    f = t / "notes.db"
    f.write_text("这不是数据库 — not a database\n", encoding="utf-8")
    return f"sqlite:///{f}"


def _shown(url: str) -> str:
    from gradecli.store.db import resolve_url, safe_url

    return safe_url(resolve_url(url))


_COMMAND = get_command(app)  # built once: CliRunner builds Typer's whole tree again on every call (0.1 s)


def _run(args: list[str], capsys) -> tuple[int, str, str]:  # noqa: ANN001
    """gradecli ARGS as the console script runs it (an exception escaping it fails the test)."""
    try:
        _COMMAND.main([str(a) for a in args], prog_name="gradecli")
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind", list(BROKEN))
@pytest.mark.parametrize("command", sorted(SMOKE), ids=" ".join)
def test_a_database_that_cannot_be_used_gives_one_error_line(command, kind, tmp_path, read_only_db, capsys):
    make_url, says = BROKEN[kind]
    url = read_only_db if kind == "read-only" else make_url(tmp_path)
    if url is None:
        pytest.skip("GRADECLI_TEST_POSTGRES_URL is not set: no server to refuse the user")
    code, out, err = _run(["--db", url, *command, *SMOKE[command](tmp_path)], capsys)
    assert "Traceback" not in err, err
    assert code == 2, out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Error: cannot use the database {_shown(url)}: "), lines[0]
    assert says in lines[0]
    assert "secret" not in out + err


@pytest.mark.parametrize("command", sorted(NO_DATABASE), ids=" ".join)
def test_commands_without_a_database_work_whatever_db_says(command, tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/dir/hr.db"
    args = [str(a) for a in NO_DATABASE[command](tmp_path)]
    r = runner.invoke(app, ["--db", url, *command, *args])
    assert r.exit_code == 0, r.output
    assert "Error" not in r.stderr and not (tmp_path / "no").exists()
    assert runner.invoke(app, ["--db", url, *command, "--help"]).exit_code == 0


def test_the_password_never_shows(tmp_path):
    r = runner.invoke(app, ["--db", "postgresql://hr:pa55word@127.0.0.1:1/grades", "staff", "list"])
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: cannot use the database postgresql://hr:***@127.0.0.1:1/grades: ")
    assert "pa55word" not in r.output


def test_an_unknown_kind_of_database(tmp_path):
    r = runner.invoke(app, ["--db", "mysql://hr:pa55word@db/grades", "staff", "list"])
    assert r.exit_code == 2 and "pa55word" not in r.output
    assert r.stderr.startswith("Error: --db 'mysql://hr:***@db/grades' is not a database URL gradecli can use; use ")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files and folders anyway")
def test_read_only_file_and_folder(tmp_path):
    made = runner.invoke(app, ["--db", f"sqlite:///{tmp_path}/ro/hr.db", "db", "upgrade"])
    assert made.exit_code != 0  # the folder does not exist yet
    (tmp_path / "ro").mkdir()
    url = f"sqlite:///{tmp_path}/ro/hr.db"
    assert runner.invoke(app, ["--db", url, "db", "upgrade"]).exit_code == 0
    try:
        (tmp_path / "ro" / "hr.db").chmod(0o444)
        r = runner.invoke(app, ["--db", url, "staff", "list"])
        assert r.exit_code == 2 and len(r.stderr.splitlines()) == 1
        assert f"the file {tmp_path}/ro/hr.db is read-only" in r.stderr
        (tmp_path / "ro" / "hr.db").chmod(0o644)
        for f in (tmp_path / "ro").glob("hr.db-*"):
            f.unlink()
        (tmp_path / "ro").chmod(0o555)
        r = runner.invoke(app, ["--db", url, "staff", "list"])
        assert r.exit_code == 2 and len(r.stderr.splitlines()) == 1
        assert f"the folder {tmp_path}/ro is read-only" in r.stderr and "-wal" in r.stderr
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_a_new_sqlite_file_is_announced_once(tmp_path):
    f = tmp_path / "office" / "hr.db"
    f.parent.mkdir()
    url = f"sqlite:///{f}"
    first = runner.invoke(app, ["--lang", "zh", "--db", url, "staff", "list"])
    assert first.exit_code == 0, first.output
    assert first.stderr.splitlines() == [f"新建数据库 {f}"]
    again = runner.invoke(app, ["--lang", "zh", "--db", url, "staff", "list"])
    assert again.exit_code == 0 and "新建数据库" not in again.stderr
    empty = tmp_path / "empty.db"
    empty.touch()  # an existing (empty) file is not new
    r = runner.invoke(app, ["--db", f"sqlite:///{empty}", "staff", "list"])
    assert r.exit_code == 0 and "New database" not in r.stderr


def test_a_relative_path_is_announced_in_full(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["--db", "sqlite:///hr.db", "cycle", "list"])
    assert r.exit_code == 0 and r.stderr.splitlines() == [f"New database {tmp_path / 'hr.db'}"]


def test_postgres_is_never_announced(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    r = runner.invoke(app, ["--db", db_url, "staff", "list"])
    assert r.exit_code == 0 and "New database" not in r.stderr


def test_an_unexpected_failure_is_one_line_too(tmp_path, monkeypatch):
    from gradecli.services import staff

    def broken(*_a, **_k):
        raise KeyError("emp_no")

    monkeypatch.setattr(staff, "list_staff", broken)
    r = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'hr.db'}", "staff", "list"])
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert r.stderr.splitlines() == ["Error: unexpected KeyError: 'emp_no' — a fault in gradecli, not in your input; "
                                     "please report it with the command you ran (GRADECLI_DEBUG=1 shows the details)"]


def test_a_file_the_system_refuses_is_one_line(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file where a folder should be")
    db = f"sqlite:///{tmp_path / 'hr.db'}"
    assert runner.invoke(app, ["--db", db, "staff", "list"]).exit_code == 0
    r = runner.invoke(app, ["--db", db, "grade", "as-of", "2026-01-01", "--out", blocker / "grades.xlsx"])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1 and re.match(r"Error: .*taken.*: ", r.stderr)


def test_a_database_from_a_newer_gradecli(tmp_path, capsys):
    import sqlite3

    from gradecli.store.migrate import head_revision

    url = f"sqlite:///{tmp_path / 'hr.db'}"
    assert _run(["--db", url, "db", "upgrade"], capsys)[0] == 0
    with sqlite3.connect(tmp_path / "hr.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dcafe0001'")
    for command in (["staff", "list"], ["db", "upgrade"]):
        code, _, err = _run(["--db", url, *command], capsys)
        assert code == 2 and err.splitlines() == [
            f"Error: cannot use the database {url}: a newer gradecli made it (schema f00dcafe0001; this gradecli "
            f"knows up to {head_revision()}); install the newer gradecli"]
    code, out, _ = _run(["--db", url, "db", "current"], capsys)
    assert code == 0 and "newer than this gradecli" in out


@pytest.mark.parametrize("kind", list(BROKEN))
@pytest.mark.parametrize("command", sorted(SQLITE_ONLY), ids=" ".join)
def test_backup_and_restore_with_a_database_that_cannot_be_used(command, kind, tmp_path, read_only_db, capsys):
    make_url, says = BROKEN[kind]
    url = read_only_db if kind == "read-only" else make_url(tmp_path)
    if url is None:
        pytest.skip("GRADECLI_TEST_POSTGRES_URL is not set: no server to refuse the user")
    args = SQLITE_ONLY[command](tmp_path)
    code, out, err = _run(["--db", url, *command, *args], capsys)
    assert "Traceback" not in err, err
    assert "secret" not in out + err
    if url.startswith("postgresql"):
        assert code == 2 and len(err.splitlines()) == 1 and ("pg_dump" in err or "pg_restore" in err), err
    elif command == ("db", "restore") and kind == "missing folder":
        assert code == 0 and (tmp_path / "no" / "such" / "dir" / "hr.db").exists()  # restoring to a new place
    else:
        assert code == 2 and len(err.splitlines()) == 1 and err.startswith("Error: "), out + err
