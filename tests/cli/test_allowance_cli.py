"""Allowance: tables, a computed month, a back-dated correction and its exact arrears."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli.cli.app import app
from tests.helpers import ALLOWANCE_HEADERS, allowance_rows as table_rows, person, roster, write_xlsx

runner = CliRunner()
HEAD = ALLOWANCE_HEADERS


def run(db, *args, today=None):
    return runner.invoke(app, ["--db", db, *(["--today", today] if today else []), *[str(a) for a in args]])


def ok(db, *args, today=None):
    r = run(db, *args, today=today)
    assert r.exit_code == 0, r.output
    return r


def test_month_correction_and_exact_arrears(db_url, tmp_path):
    db = db_url
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [
        person("K1"), person("K2", frontline="是"), person("K3", hire=date(2026, 12, 10))]))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"],
                                         [["K1", 2, 1, "2025-01-01"], ["K2", 2, 1, "2025-01-01"], ["K3", 1, 1, "2026-12-10"]]))
    ok(db, "allowance", "import", write_xlsx(tmp_path / "t.xlsx", HEAD, table_rows(date(2025, 1, 1))))
    shown = json.loads(ok(db, "--json", "allowance", "show", "--on", "2026-12-01").stdout)
    assert {r["grade"]: r["amount"] for r in shown["rows"]}["2-1"] == "500.00"
    out = json.loads(ok(db, "--json", "allowance", "compute", "--month", "2026-12", "--out", tmp_path / "pay.xlsx").stdout)
    by = {r["emp_no"]: r for r in out["rows"]}
    assert by["K1"]["total"] == "500.00"
    assert by["K2"]["total"] == "575.00" and by["K2"]["differential"] == "75.00"   # front-line 15 %
    assert by["K3"]["total"] == str((Decimal(300 * 22) / 31).quantize(Decimal("0.01")))  # from 10 December
    wb = load_workbook(tmp_path / "pay.xlsx")
    ws = wb.worksheets[0]
    assert ws["I2"].number_format == "#,##0.00" and isinstance(ws["I2"].value, (int, float))
    assert ws.cell(row=ws.max_row, column=1).value == "Total"
    assert wb.sheetnames == ["Allowance 2026-12", "Department", "Tier"]  # sheets for people: the run's language
    assert [c.value for c in ws[1]][:2] == ["Employee No.", "Name"]
    assert ws["F3"].value == "12-01–12-31 2-1 front-line (31 d)"  # K2's month, one segment
    assert [r[0] for r in wb["Tier"].iter_rows(min_row=2, values_only=True)] == ["tier 1", "tier 2", "Total"]
    # computing a stored month again changes nothing, and says so
    again = json.loads(ok(db, "--json", "allowance", "compute", "--month", "2026-12").stdout)
    assert again["stored"] is False and "unchanged" in again["notes"][0]
    # a back-dated correction: K1 should have been 2-2 from 17 December
    ok(db, "grade", "correct", "K1", "--to", "2-2", "--date", "2026-12-17", "--reason", "定级录入有误")
    diff = json.loads(ok(db, "--json", "allowance", "compute", "--month", "2026-12").stdout)
    assert diff["stored"] is False and diff["differences"] == [{"emp_no": "K1", "stored": "500.00", "now": "529.03"}]
    arr = json.loads(ok(db, "--json", "allowance", "arrears", "--from", "2026-12", "--to", "2026-12",
                        "--out", tmp_path / "arr.xlsx").stdout)
    assert [(r["emp_no"], r["paid"], r["due"], r["difference"]) for r in arr["rows"]] == [("K1", "500.00", "529.03", "29.03")]
    line = arr["rows"][0]
    assert line["kind"] == "arrears" and line["adjustment"] == {"code": "arrears", "params": {}, "text": "arrears"}
    assert line["cause"]["code"] == "recorded_since" and line["cause"]["text"].startswith("recorded since the month was "
                                                                                        "computed: correction #")
    (change,) = line["cause"]["params"]["changes"]
    assert change["params"]["event"]["code"] == "correction" and change["params"]["reason"] == "定级录入有误"
    # a correction downwards is a clawback
    ok(db, "grade", "correct", "K2", "--to", "1-3", "--date", "2026-12-01", "--reason", "定级过高")
    arr = json.loads(ok(db, "--json", "allowance", "arrears", "--from", "2026-12", "--to", "2026-12").stdout)
    k2 = next(r for r in arr["rows"] if r["emp_no"] == "K2")
    assert k2["difference"] == "-92.00" and k2["kind"] == "clawback"  # (500 − 420) × 1.15
    assert k2["adjustment"]["code"] == "clawback"
    ok(db, "allowance", "compute", "--month", "2026-12", "--replace")
    assert json.loads(ok(db, "--json", "allowance", "arrears", "--from", "2026-12", "--to", "2026-12").stdout)["rows"] == []


def test_table_errors_and_versions(db_url, tmp_path):
    db = db_url
    r = run(db, "allowance", "import", write_xlsx(tmp_path / "gap.xlsx", HEAD, table_rows(date(2025, 1, 1), skip=(3, 2))))
    assert r.exit_code == 2 and "lacks grades 3-2" in r.stderr
    bad = table_rows(date(2025, 1, 1))
    bad[0][3] = 300.123
    bad[1][3] = -5
    r = run(db, "allowance", "import", write_xlsx(tmp_path / "bad.xlsx", HEAD, bad))
    assert r.exit_code == 2 and "more than 2 decimals" in r.stderr and "-5 is outside" in r.stderr
    low = table_rows(date(2025, 1, 1))
    low[4][3] = 100  # 2-2 below 2-1
    r = ok(db, "allowance", "import", write_xlsx(tmp_path / "low.xlsx", HEAD, low))
    assert "less than 2-1" in r.stderr
    again = ok(db, "allowance", "import", tmp_path / "low.xlsx")
    assert "nothing changed" in again.stdout
    other = run(db, "allowance", "import", write_xlsx(tmp_path / "other.xlsx", HEAD, table_rows(date(2025, 1, 1), bump=10)))
    assert other.exit_code == 2 and "never overwrite" in other.stderr
    ok(db, "allowance", "import", write_xlsx(tmp_path / "next.xlsx", HEAD, table_rows(date(2026, 1, 1), bump=10)))
    shown = json.loads(ok(db, "--json", "allowance", "show", "--on", "2026-06-01").stdout)
    assert {r["grade"]: r["amount"] for r in shown["rows"]}["1-1"] == "310.00"
    shown = json.loads(ok(db, "--json", "allowance", "show", "--on", "2025-06-01").stdout)
    assert {r["grade"]: r["amount"] for r in shown["rows"]}["1-1"] == "300.00"
    r = run(db, "allowance", "compute", "--month", "2026-13")
    assert r.exit_code == 2 and "YYYY-MM" in r.stderr
