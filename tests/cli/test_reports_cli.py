"""Every report command on the demo organisation: the workbook opens with its sheets and charts."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from gradecli.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_db(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        url = f"sqlite:///{out / 'demo.db'}"
        cleanup = None
    else:
        base = os.environ.get("GRADECLI_TEST_POSTGRES_URL")
        if not base:
            pytest.skip("GRADECLI_TEST_POSTGRES_URL is not set; PostgreSQL tests run in CI (.ci/run sets it)")
        schema = "t_" + uuid.uuid4().hex[:12]
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"

        def cleanup():
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    r = runner.invoke(app, ["--db", url, "demo", "--out", str(out / "out")])
    assert r.exit_code == 0, r.output
    yield url, out
    if cleanup:
        cleanup()


def run(db, *args):
    r = runner.invoke(app, ["--db", db, "--today", "2027-02-01", *[str(a) for a in args]])
    assert r.exit_code == 0, r.output
    return r


def charts(path):
    wb = load_workbook(path)
    return {ws.title: len(ws._charts) for ws in wb}


def test_pyramid_report(demo_db, tmp_path):
    db, _ = demo_db
    data = json.loads(run(db, "--json", "report", "pyramid", "--out", tmp_path / "p.xlsx").stdout)
    assert [r["tier"] for r in data["rows"]] == [5, 4, 3, 2, 1]
    assert sum(r["staff"] for r in data["rows"]) == data["total"] > 0
    assert [r["target"] for r in data["rows"]] == [7, 13, 20, 25, 35]
    assert charts(tmp_path / "p.xlsx") == {"金字塔 Pyramid": 1}
    ws = load_workbook(tmp_path / "p.xlsx").active
    assert ws["A1"].value == "等 / Tier" and ws["A2"].value == "一等"
    fam = json.loads(run(db, "--json", "report", "pyramid", "--family", "客服").stdout)
    assert 0 < fam["total"] < data["total"]
    assert "█" in run(db, "report", "pyramid").stdout


def test_cycle_report(demo_db, tmp_path):
    db, _ = demo_db
    data = json.loads(run(db, "--json", "report", "cycle", "2026H2", "--out", tmp_path / "c.xlsx").stdout)
    assert sum(r["registered"] for r in data["rows"]) == 83
    assert sum(data["histograms"]["theory"]) == 82  # everyone present
    assert charts(tmp_path / "c.xlsx") == {"概况 Summary": 2, "分布 Distributions": 1, "名额 Quotas": 1}
    annual = json.loads(run(db, "--json", "report", "cycle", "2026").stdout)
    assert any(r["quota"] is not None for r in annual["rows"])


def test_items_report_and_calibration(demo_db, tmp_path):
    db, _ = demo_db
    data = json.loads(run(db, "--json", "report", "items", "2026H2", "--out", tmp_path / "i.xlsx").stdout)
    assert data["count"] > 100 and set(data["alpha"]) == {"1", "2", "3", "4", "5"}
    one = data["rows"][0]
    assert 0 <= one["facility"] <= 1 and one["used"] >= 1
    assert charts(tmp_path / "i.xlsx") == {"试题 Items": 1, "信度 Reliability": 1}
    preview = json.loads(run(db, "--json", "bank", "calibrate", "2026H2", "--min-responses", "3").stdout)
    changed = [r for r in preview["rows"] if r["proposed"] is not None and r["proposed"] != r["difficulty"]]
    assert changed and preview["applied"] is False
    done = json.loads(run(db, "--json", "bank", "calibrate", "2026H2", "--min-responses", "3", "--apply").stdout)
    assert done["changed"] == len(changed)
    q = changed[0]
    exported = tmp_path / "bank.yaml"
    tier = int(q["qid"].split("-T")[1][0]) if "-T" in q["qid"] else 1
    run(db, "bank", "export", "--tier", tier, "--out", exported)
    assert f"difficulty: {q['proposed']}" in exported.read_text(encoding="utf-8")


def test_projection_report(demo_db, tmp_path):
    db, _ = demo_db
    data = json.loads(run(db, "--json", "report", "projection", "--years", "5", "--attrition", "0.05",
                          "--out", tmp_path / "pr.xlsx").stdout)
    fam = [r for r in data["rows"] if r["family"] == "客服" and r["year"] != "目标 target"]
    assert len(fam) == 6
    assert fam[-1]["total"] == pytest.approx(fam[0]["total"] * 0.95 ** 5, abs=0.2)
    assert all(v >= 1 for v in charts(tmp_path / "pr.xlsx").values())


def test_demo_left_an_index_of_everything(demo_db):
    _, out = demo_db
    index = (out / "out" / "index.html").read_text(encoding="utf-8")
    for must in ("notice-2026H2-r2.html", "payroll-2027-02.xlsx", "arrears-", "pyramid.xlsx", "items-2026H2.xlsx",
                 "projection.xlsx", "P3-0003-001.html", "first-evaluation.xlsx"):
        assert must in index, must
