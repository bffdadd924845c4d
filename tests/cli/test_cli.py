"""End to end through the command line; results checked through the services."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli.cli.app import app
from gradecli.services import grades, staff
from gradecli.services.context import Context
from tests.helpers import person, roster, write_xlsx

runner = CliRunner()


@pytest.fixture
def db(db_url):
    return db_url


def run(db, *args):
    return runner.invoke(app, ["--db", db, *[str(a) for a in args]])


def test_every_command_has_help():
    from typer.main import get_command

    root = get_command(app)

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + [name])
        else:
            yield path, cmd

    commands = list(walk(root, []))
    assert len(commands) >= 15
    for path, cmd in commands:
        assert (cmd.help or "").strip(), f"gradecli {' '.join(path)} has no help text"
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path


def test_roster_round_trip_through_the_template(db, tmp_path):
    tpl = tmp_path / "roster.xlsx"
    assert run(db, "staff", "template", tpl).exit_code == 0
    wb = load_workbook(tpl)
    ws = wb["Roster"]  # the template's sheet, named in the run's language
    assert ws["A1"].value == "工号 / Employee No." and ws["A2"].value is None
    assert any("是,否" in dv.formula1 for dv in ws.data_validations.dataValidation)
    assert "K0001" in [row[0] for row in wb["说明 Notes"].iter_rows(values_only=True)]  # the example
    # the officer's row imports; the example on the 说明 sheet does not
    ws.append(person("K0002"))
    wb.save(tpl)
    result = run(db, "staff", "import", tpl)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    out = run(db, "--json", "staff", "list")
    data = json.loads(out.stdout)
    assert data["count"] == 1 and data["rows"][0]["emp_no"] == "K0002"
    again = run(db, "staff", "import", tpl, "--json")
    assert json.loads(again.stdout)["added"] == 0


def test_bad_input_exit_2_with_error_lines_and_nothing_written(db, tmp_path):
    f = roster(tmp_path / "bad.xlsx", [person("K1", hire="2023/13/01"), person("K2", frontline="maybe")])
    result = run(db, "staff", "import", f)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"Error: {f}, sheet 人员, row 2, column 入职日期: '2023/13/01' is not a date (use YYYY-MM-DD)",
        f"Error: {f}, sheet 人员, row 3, column 一线岗位: 'maybe' is not 是 or 否 (write 是 or 否)",
    ]
    assert staff.list_staff(Context(url=db)).rows == []


def test_grade_flow_and_audit(db, tmp_path):
    assert run(db, "staff", "import", roster(tmp_path / "r.xlsx", [person("K1"), person("K2")])).exit_code == 0
    g = write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"], [["K1", 2, 1, "2024-01-01"]])
    assert run(db, "grade", "import", g).exit_code == 0
    r = run(db, "grade", "correct", "K1", "--to", "2-3", "--date", "2024-02-01", "--reason", "录入错误")
    assert r.exit_code == 0, r.output
    r = run(db, "grade", "correct", "K1", "--to", "2-3", "--date", "2024-02-01")
    assert r.exit_code == 2 and "--reason" in r.output
    r = run(db, "grade", "correct", "K1", "--to", "7-1", "--date", "2024-02-01", "--reason", "x")
    assert r.exit_code == 2 and r.stderr.startswith("Error: grade 7-1 is outside the ladder")
    hist = json.loads(run(db, "--json", "grade", "history", "K1").stdout)
    assert [e["kind"] for e in hist["rows"]] == ["initial_placement", "correction"]
    out = tmp_path / "asof.xlsx"
    r = run(db, "grade", "as-of", "2024-03-01", "--out", out, "--json")
    assert json.loads(r.stdout)["rows"][0]["level"] == 3 and out.exists()
    assert run(db, "audit", "verify").exit_code == 0
    ctx = Context(url=db)
    from sqlalchemy import text
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_event SET reason = 'x' WHERE seq = 1"))
    r = run(db, "audit", "verify")
    assert r.exit_code == 1
    assert r.stderr.strip() == "Error: ledger event 1: content does not match its hash (the row was edited)"
    assert grades.history(ctx, "K1").rows[0]["reason"] == "x"


def test_unknown_employee_and_bad_date(db):
    r = run(db, "staff", "show", "NOPE")
    assert r.exit_code == 2 and "no employee with number 'NOPE'" in r.stderr
    r = run(db, "grade", "as-of", "2024-13-01")
    assert r.exit_code == 2 and "not a date" in r.output


def test_transfer_command(db, tmp_path):
    run(db, "staff", "import", roster(tmp_path / "r.xlsx", [person("H1", family="航标", frontline="是")]))
    run(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"], [["H1", 1, 3, date(2024, 1, 1)]]))
    r = run(db, "--json", "staff", "transfer", "H1", "--post", "航标设计", "--no-frontline", "--date", "2026-05-01")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["drop"] == {"from": "1-3", "to": "1-1"}


def test_policy_commands(tmp_path, db):
    f = tmp_path / "policy.toml"
    assert runner.invoke(app, ["policy", "init", str(f)]).exit_code == 0
    assert runner.invoke(app, ["policy", "init", str(f)]).exit_code == 2  # no silent overwrite
    assert runner.invoke(app, ["policy", "check", str(f)]).exit_code == 0
    f.write_text(f.read_text(encoding="utf-8").replace("levels_per_tier = 3", "levels_per_tier = 4"), encoding="utf-8")
    r = runner.invoke(app, ["--policy", str(f), "--json", "policy", "show"])
    assert json.loads(r.stdout)["policy"]["ladder"]["levels_per_tier"] == 4
    r = runner.invoke(app, ["--db", db, "--policy", str(f), "--json", "ladder", "show"])
    assert {row["levels"] for row in json.loads(r.stdout)["rows"]} == {4}
    f.write_text("[ladder]\ntiers = 0\n", encoding="utf-8")
    r = runner.invoke(app, ["policy", "check", str(f)])
    assert r.exit_code == 2 and r.stderr.startswith(f"Error: {f}:2: ladder.tiers")


def test_db_commands(db):
    r = run(db, "db", "current")
    assert r.exit_code == 0 and "empty" in r.stdout
    assert run(db, "db", "check").exit_code == 1
    assert run(db, "db", "upgrade").exit_code == 0
    assert run(db, "db", "check").exit_code == 0


def test_demo_runs(tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "grades-as-of.xlsx").exists() and (out / "inputs" / "roster.xlsx").exists()
    ctx = Context(url=f"sqlite:///{out / 'demo.db'}")
    assert len(staff.list_staff(ctx).rows) >= 300
    assert grades.verify(ctx).data["ok"] is True
