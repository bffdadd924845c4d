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
from tests.lang import without_texts

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
    assert charts(tmp_path / "p.xlsx") == {"Pyramid": 1}
    ws = load_workbook(tmp_path / "p.xlsx").active
    assert ws["A1"].value == "Tier" and ws["A2"].value == "一等"  # the policy's tier labels, as the office wrote them
    assert ws["F2"].value.startswith("level 1: ")
    fam = json.loads(run(db, "--json", "report", "pyramid", "--family", "客服").stdout)
    assert 0 < fam["total"] < data["total"]
    assert "█" in run(db, "report", "pyramid").stdout


def test_cycle_report(demo_db, tmp_path):
    db, _ = demo_db
    data = json.loads(run(db, "--json", "report", "cycle", "2026H2", "--out", tmp_path / "c.xlsx").stdout)
    shown = json.loads(run(db, "--json", "cycle", "show", "2026H2").stdout)["rows"]
    assert sum(r["registered"] for r in data["rows"]) == len(shown) > 100  # every family's candidates
    present = sum(1 for r in shown if r["theory"] is not None)  # absent: null
    assert sum(data["histograms"]["theory"]) == present == len(shown) - sum(r["absent"] for r in data["rows"])
    assert charts(tmp_path / "c.xlsx") == {"Summary": 2, "Distributions": 1, "Quotas": 1, "Paper fairness": 1}
    annual = json.loads(run(db, "--json", "report", "cycle", "2026").stdout)
    assert any(r["quota"] is not None for r in annual["rows"])


def test_items_report_and_calibration(demo_db, tmp_path):
    db, _ = demo_db
    data = json.loads(run(db, "--json", "report", "items", "2026H2", "--out", tmp_path / "i.xlsx").stdout)
    assert data["count"] > 100 and set(data["alpha"]) == {"1", "2", "3", "4", "5"}
    one = data["rows"][0]
    assert 0 <= one["facility"] <= 1 and one["used"] >= 1
    assert charts(tmp_path / "i.xlsx") == {"Items": 1, "Reliability": 1}
    flagged = next(r for r in data["rows"] if r["flags"])
    assert {"code", "params", "text"} <= set(flagged["flags"][0]) and one["type"] in ("single", "multiple", "judge",
                                                                                    "fill", "short")
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
    fam = [r for r in data["rows"] if r["family"] == "客服" and isinstance(r["year"], int)]
    assert len(fam) == 6
    target = [r for r in data["rows"] if r["family"] == "客服" and not isinstance(r["year"], int)]
    assert [r["year"]["code"] for r in target] == ["target"]
    assert fam[-1]["total"] == pytest.approx(fam[0]["total"] * 0.95 ** 5, abs=0.2)
    assert all(v >= 1 for v in charts(tmp_path / "pr.xlsx").values())


def test_demo_left_an_index_of_everything(demo_db):
    _, out = demo_db
    index = (out / "out" / "index.html").read_text(encoding="utf-8")
    for must in ("notice-2026H2-r2.html", "payroll-2027-02.xlsx", "arrears-", "pyramid.xlsx", "items-2026H2.xlsx",
                 "projection.xlsx", "P3-0003-001.html", "first-evaluation.xlsx"):
        assert must in index, must


@pytest.mark.parametrize("args", [("report", "pyramid"), ("report", "cycle", "2026H2"), ("report", "items", "2026H2"),
                                  ("report", "projection")])
def test_report_json_is_the_same_in_both_languages(demo_db, args):
    from gradecli.i18n import set_language

    db, _ = demo_db
    try:
        zh = json.loads(run(db, "--lang", "zh", "--json", *args).stdout)
        en = json.loads(run(db, "--lang", "en", "--json", *args).stdout)
    finally:
        set_language("en")
    assert without_texts(zh) == without_texts(en)
    assert zh["title"] != en["title"]


def test_the_cycle_report_in_chinese(demo_db, tmp_path):
    from gradecli.i18n import set_language

    db, _ = demo_db
    try:
        r = run(db, "--lang", "zh", "report", "cycle", "2026H2", "--out", tmp_path / "c.xlsx")
    finally:
        set_language("en")
    assert "周期 2026H2（等内考试（半年度），" in r.stdout
    assert "试卷难度一致性（三等，" in r.stderr and "按试卷期望得分十分位分组的平均理论成绩" in r.stderr
    wb = load_workbook(tmp_path / "c.xlsx")
    assert wb.sheetnames == ["概况", "分布", "名额", "试卷难度一致性"]
    fair = wb["试卷难度一致性"]
    assert [c.value for c in fair[1]][:4] == ["试卷等级", "岗位序列", "试卷数", "考生"]
    assert str(fair["A2"].value).endswith("第 1 个十分位")
