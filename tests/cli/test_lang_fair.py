"""The paper commands in both languages: Chinese by default, English with --lang en; --json typed and
the same in both apart from the texts; printed papers and answer keys in the run's language; the
refusal of an unreachable band with its suggested tolerance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli.cli.app import app
from gradecli.domain.policy import Policy
from gradecli.formats.policy_toml import render
from tests.lang import without_texts

runner = CliRunner()
BANKS = Path(__file__).resolve().parents[2] / "question_bank"


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'fair.db'}"
    r = run(url, "en", "bank", "import", BANKS / "客服" / "tier-3.yaml", BANKS / "common" / "tier-3.yaml")
    assert r.exit_code == 0, r.output
    return url


def run(db, lang, *args):
    return runner.invoke(app, ["--db", db, "--lang", lang, *[str(a) for a in args]])


def test_generate_and_show_json_is_typed_and_the_same_in_both_languages(db):
    r = run(db, "zh", "--json", "paper", "generate", "--tier", "3", "--family", "客服", "--count", "3", "--seed", "j")
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert made["summary"].startswith("已为3等 客服+公共 抽取 3 份试卷，随机种子 j：")
    spread = made["spread"]
    assert spread["papers"] == 3 and isinstance(spread["expected_low"], float) and spread["spread"] <= 1.0
    assert all(isinstance(p["expected"], float) and 69.5 <= p["expected"] <= 70.5 for p in made["papers"])
    assert made["notes"][0].startswith("3 份试卷：期望得分 ")
    code = made["papers"][0]["paper"]
    zh, en = (json.loads(run(db, lang, "--json", "paper", "show", code, "--key").stdout) for lang in ("zh", "en"))
    assert without_texts(zh) == without_texts(en)
    assert zh["title"].startswith(f"试卷 {code}：3等 客服，47 道试题，100 分，期望得分 ")
    assert en["title"].startswith(f"paper {code}: tier 3 客服, 47 questions, 100 points, expected score ")
    first = en["rows"][0]
    assert first["type"] == zh["rows"][0]["type"] == "single"  # the code; a table shows its name
    assert isinstance(first["difficulty"], float) and first["points"] == 2
    table = runner.invoke(app, ["--db", db, "paper", "show", code], env={"GRADECLI_LANG": None, "COLUMNS": "160"})
    assert table.exit_code == 0 and "单选题" in table.stdout and "题型" in table.stdout


def test_printed_papers_speak_the_run_language(db, tmp_path):
    made = json.loads(run(db, "en", "--json", "paper", "generate", "--tier", "3", "--family", "客服", "--count", "1",
                          "--seed", "p").stdout)
    code = made["papers"][0]["paper"]
    assert run(db, "zh", "paper", "export", code, "--out", tmp_path / "zh").exit_code == 0
    assert run(db, "en", "paper", "export", code, "--out", tmp_path / "en").exit_code == 0
    zh = (tmp_path / "zh" / f"{code}.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and "<h1>客服岗位三等 理论考试试卷</h1>" in zh
    assert "<h2>一、单项选择题（每题2分，共40分；每题只有一个正确答案，将其字母填在括号内）</h2>" in zh
    assert "试卷号：" + code in zh and "工号：" in zh and "姓名：" in zh
    key = (tmp_path / "zh" / f"{code}-key.html").read_text(encoding="utf-8")
    assert "<h1>客服岗位三等 理论考试试卷——参考答案</h1>" in key and "<th>题号</th><th>题型</th>" in key
    en = (tmp_path / "en" / f"{code}.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and "<h1>客服 post, tier 3: theory exam paper</h1>" in en
    assert ("<h2>1. Single-choice questions (2 points each, 40 in all; one right answer: write its letter in the "
            "brackets)</h2>") in en
    fixed = re.findall(r"<h2>.*?</h2>|<div class=\"meta\">.*?</div>", en)  # everything but the data
    assert len(fixed) == 6 and not any(re.search(r"[\u4e00-\u9fff]", t) for t in fixed), fixed
    wb = load_workbook(tmp_path / "zh" / f"{code}.xlsx")
    assert wb.sheetnames == ["试卷"] and [c.value for c in wb["试卷"][1]][:2] == ["题目", "作答"]
    assert load_workbook(tmp_path / "en" / f"{code}-key.xlsx").sheetnames == ["Answer key"]


def test_an_unreachable_band_is_refused_in_chinese_with_the_smallest_tolerance(db, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(render(Policy()).replace("expected_scores = { 1 = 70, 2 = 70, 3 = 70",
                                               "expected_scores = { 1 = 70, 2 = 70, 3 = 86"), encoding="utf-8")
    r = runner.invoke(app, ["--db", db, "--policy", str(policy), "paper", "generate", "--tier", "3", "--family", "客服",
                            "--count", "1", "--seed", "far"], env={"GRADECLI_LANG": None})
    assert r.exit_code == 0, r.output  # one paper reaches 86: the bank's easiest questions are easy enough
    r = runner.invoke(app, ["--db", db, "--policy", str(policy), "paper", "generate", "--tier", "3", "--family", "客服",
                            "--count", "40", "--seed", "far"], env={"GRADECLI_LANG": None})
    assert r.exit_code == 1
    assert "期望得分范围 85.5–86.5 对一场 40 份试卷无法达到" in r.stderr
    found = re.search(r"本场可行的最小容差为 (\d+\.\d\d)（政策中的 blueprint\.tolerance，现为 0\.5）", r.stderr)
    assert found, r.stderr
    wider = tmp_path / "wider.toml"
    wider.write_text(policy.read_text(encoding="utf-8").replace("\ntolerance = 0.5\n", f"\ntolerance = {found[1]}\n"),
                     encoding="utf-8")
    r = run(db, "en", "--policy", wider, "--json", "paper", "generate", "--tier", "3", "--family", "客服", "--count",
            "40", "--seed", "far")
    assert r.exit_code == 0, r.output  # the suggestion works for that sitting
