"""The bank commands in both languages: Chinese by default, English with --lang en; --json typed and
the same in both, apart from the texts (text, title, summary, notes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from gradecli.cli.app import app
from tests.cli.test_bank_paper_cli import _planted
from tests.lang import without_texts

runner = CliRunner()
BANKS = Path(__file__).resolve().parents[2] / "question_bank"


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'banks.db'}"


def run(db, lang, *args):
    return runner.invoke(app, ["--db", db, "--lang", lang, *[str(a) for a in args]])


def both(db, *args, code=0):
    """The JSON of one command in Chinese and in English."""
    out = []
    for lang in ("zh", "en"):
        r = run(db, lang, "--json", *args)
        assert r.exit_code == code, r.output
        out.append(json.loads(r.stdout))
    return out


def test_stats_json_is_typed_and_the_same_in_both_languages(db):
    assert run(db, "en", "bank", "import", BANKS / "客服" / "tier-2.yaml", BANKS / "common" / "tier-2.yaml").exit_code == 0
    zh, en = both(db, "bank", "stats", "--tier", "2")
    assert without_texts(zh) == without_texts(en)
    assert (zh["title"], en["title"]) == ("题库", "Question bank")
    row = next(r for r in en["rows"] if (r["family"], r["type"]) == ("客服", "single"))
    assert (row["tier"], row["points"], row["active"], row["retired"]) == (2, 2, 49, 1)
    assert isinstance(row["mean_difficulty"], float)
    assert set(row["bands"]) == {"<0.4", "0.4–0.6", "0.6–0.8", "≥0.8"} and sum(row["bands"].values()) == 49
    cap = en["capacity"][0]
    assert (cap["tier"], cap["family"], cap["active"], cap["disjoint"]) == (2, "客服", 182, 3)
    assert cap["per_sitting"]["code"] == "any_under_cap" and cap["per_sitting"]["params"] == {"share": 50}
    assert zh["capacity"][0]["per_sitting"]["text"] == "在场次上限（50%）下每场可组任意份试卷"
    assert en["notes"][0] == ("tier 2 客服+common: 182 active; distinct papers ≈ 10^41.1; 3 papers with no question "
                              "in common; any number of papers per sitting under the sitting cap (50%)")
    assert zh["notes"][0] == ("第 2 等 客服+公共：在用 182 道；可组不同试卷约 10^41.1 份；互不重题的试卷 3 份；"
                              "在场次上限（50%）下每场可组任意份试卷")


def test_stats_table_speaks_chinese_by_default(db):
    assert run(db, "en", "bank", "import", BANKS / "客服" / "tier-1.yaml").exit_code == 0
    r = runner.invoke(app, ["--db", db, "bank", "stats", "--tier", "1"], env={"GRADECLI_LANG": None, "COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    header = next(line for line in r.stdout.splitlines() if "岗位序列" in line)
    for word in ("等", "题型", "分值", "在用", "停用", "平均难度", "难度分布"):
        assert word in header
    assert r.stdout.startswith("题库\n")
    assert "提示：第 1 等 客服+公共：在用" in r.stderr


def test_check_findings_are_codes_with_typed_params_in_both_languages(db, tmp_path):
    assert run(db, "en", "bank", "import", BANKS / "common" / "tier-3.yaml").exit_code == 0
    f = _planted(tmp_path, repeat_option=True)
    zh, en = both(db, "bank", "check", f, code=1)
    assert without_texts(zh) == without_texts(en)
    assert (en["ok"], en["blocking"], en["warnings"]) == (False, 1, 2)
    assert en["verdict"] == {"code": "not_fit", "params": {}, "text": "not fit for a sitting: fix the blocking problems"}
    assert zh["verdict"]["text"] == "不可用于考试：请修正阻断问题"
    assert zh["title"] == "题库检查，共 1 个题库（按等和岗位序列）：阻断 1 项，警告 2 项——不可用于考试：请修正阻断问题"
    rows = {r["check"]: r for r in en["rows"]}
    zh_rows = {r["check"]: r for r in zh["rows"]}
    near = rows["near_duplicate"]
    assert (near["severity"], near["qids"], near["params"]["score"] >= 60) == ("warning", ["HB-T3-020", "HB-T3-900"], True)
    assert near["detail"]["code"] == "near_duplicate"
    assert near["detail"]["params"] == {"a": "HB-T3-020", "b": "HB-T3-900", "score": near["params"]["score"]}
    assert zh_rows["near_duplicate"]["detail"]["text"].startswith("HB-T3-020 与 HB-T3-900 像是换了说法的同一道题")
    option = rows["repeated_option"]
    assert option["severity"] == "blocking" and option["detail"]["params"]["qid"] == "HB-T3-001"
    assert zh_rows["repeated_option"]["detail"]["text"].startswith("HB-T3-001：选项重复：“")
    letters = rows["single_letters"]["params"]
    assert letters["letters"] == {"A": 0, "B": 50, "C": 0, "D": 0} and letters["questions"] == 50
    assert zh_rows["single_letters"]["detail"]["text"].startswith("50 道单选题的答案分布为 A 0")
    capacity = rows["capacity"]
    assert capacity["severity"] == "info" and capacity["params"]["per_sitting"]["code"] == "any_under_cap"
    areas = en["banks"][0]["areas"]
    assert all(isinstance(s["points"], int) and isinstance(s["active"], int) for a in areas for s in a["by_section"])


def test_check_table_in_chinese_names_severity_and_check(db, tmp_path):
    assert run(db, "en", "bank", "import", BANKS / "common" / "tier-3.yaml").exit_code == 0
    f = _planted(tmp_path, repeat_option=False)
    r = runner.invoke(app, ["--db", db, "bank", "check", str(f)], env={"GRADECLI_LANG": None, "COLUMNS": "160"})
    assert r.exit_code == 0, r.output
    assert "阻断 0 项，警告 2 项——可用于考试" in r.stdout
    assert "警告" in r.stdout and "近似重复" in r.stdout and "单选题答案分布" in r.stdout
    assert "warning" not in r.stdout and "near_duplicate" not in r.stdout
    assert "提示：警告不会使检查不通过；加 --strict 则会" in r.stderr


def test_import_errors_name_the_place_and_the_fix_in_chinese(db, tmp_path):
    f = tmp_path / "客服" / "tier-1.yaml"
    f.parent.mkdir()
    f.write_text("tier: 1\nfamily: 客服\nquestions:\n  - id: A\n    type: single\n    stem: s\n"
                 "    options: [x, y]\n    answer: AB\n    points: 0\n    difficulty: 0.5\n    areas: [a]\n",
                 encoding="utf-8")
    r = run(db, "zh", "bank", "import", f)
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [f"错误：{f}:4：试题 A：分值 0 不是正整数",
                                     f"错误：{f}:4：试题 A：单选题只有一个答案，不能是 AB"]
    r = run(db, "en", "bank", "import", f)
    assert r.stderr.splitlines() == [f"Error: {f}:4: question A: points 0 is not a positive whole number",
                                     f"Error: {f}:4: question A: a single-choice question has one answer, not AB"]


def test_excel_problems_name_sheet_row_and_column(db, tmp_path):
    assert run(db, "en", "bank", "import", BANKS / "客服" / "tier-2.yaml").exit_code == 0
    out = tmp_path / "t2.xlsx"
    assert run(db, "en", "bank", "export", "--tier", "2", "--family", "客服", "--out", out).exit_code == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Question bank"]
    ws = wb["Question bank"]
    points = [c.value for c in ws[1]].index("分值 / Points") + 1
    ws.cell(row=3, column=points, value=0)
    qid = ws.cell(row=3, column=1).value
    wb.save(out)
    r = run(db, "zh", "bank", "import", out)
    assert r.exit_code == 2
    assert r.stderr == f"错误：{out}，工作表“Question bank”，第 3 行，分值列：试题 {qid}：分值 0 不是正整数\n"
    r = run(db, "en", "bank", "import", out)
    assert r.stderr == f"Error: {out}, sheet Question bank, row 3, column 分值: question {qid}: points 0 is not a positive whole number\n"


def test_template_and_export_sheets_in_chinese_with_bilingual_headers(db, tmp_path):
    tpl, out = tmp_path / "tpl.xlsx", tmp_path / "t1.xlsx"
    assert run(db, "zh", "bank", "template", tpl).exit_code == 0
    wb = load_workbook(tpl)
    assert wb.sheetnames[0] == "题库"
    assert wb["题库"]["A1"].value == "编号 / ID"  # import headers stay bilingual
    notes = [row[0] for row in wb.worksheets[1].iter_rows(values_only=True) if row[0]]
    assert "每行一道题；用 `gradecli bank import 文件.xlsx` 导入本文件。" in notes
    assert "分值 / Points — 必填 required: 正整数" in notes
    assert wb["题库"]["A1"].comment.text.endswith("固定不变的编号，在所有题库中唯一")
    assert run(db, "en", "bank", "import", BANKS / "客服" / "tier-1.yaml").exit_code == 0
    r = run(db, "zh", "--json", "bank", "export", "--tier", "1", "--family", "客服", "--out", out)
    assert r.exit_code == 0
    done = json.loads(r.stdout)
    n = len(yaml.safe_load((BANKS / "客服" / "tier-1.yaml").read_text(encoding="utf-8"))["questions"])
    assert (done["questions"], done["tier"], done["family"]) == (n, 1, "客服")
    assert done["summary"] == f"已将第 1 等的 {n} 道试题导出到 {out}"
    assert load_workbook(out).sheetnames == ["题库"]
    # the exported Chinese sheet imports again in English: nothing to change
    r = run(db, "en", "--json", "bank", "import", out)
    assert json.loads(r.stdout)["unchanged"] == n


def test_import_and_retire_outcomes_are_typed(db, tmp_path):
    first = json.loads(run(db, "en", "--json", "bank", "import", BANKS / "common" / "tier-1.yaml").stdout)
    assert first["summary"] == f"{first['questions']} questions — {first['questions']} added, 0 edited, 0 new versions, 0 unchanged"
    assert {k: first[k] for k in ("added", "edited", "new_versions", "retired", "reactivated", "unchanged")} == \
        {"added": first["questions"], "edited": 0, "new_versions": 0, "retired": 0, "reactivated": 0, "unchanged": 0}
    again = run(db, "zh", "bank", "import", BANKS / "common" / "tier-1.yaml")
    assert again.stdout.strip() == f"共 {first['questions']} 道试题，没有变化（都已在题库中）"
    assert run(db, "en", "bank", "import", BANKS / "客服" / "tier-1.yaml").exit_code == 0
    r = run(db, "zh", "--json", "bank", "retire", "KF-T1-001")
    assert json.loads(r.stdout) == {"summary": "KF-T1-001 已停用：以后的试卷不再使用它（已保存的试卷仍保留它）",
                                    "qid": "KF-T1-001", "changed": True, "notes": []}
    r = run(db, "zh", "bank", "retire", "NOPE")
    assert r.exit_code == 2 and r.stderr == "错误：没有试题“NOPE”；请用 `gradecli bank export` 核对编号\n"


def test_help_is_chinese_by_default_and_english_on_request(db):
    r = runner.invoke(app, ["bank", "check", "--help"], env={"GRADECLI_LANG": None, "COLUMNS": "200"})
    assert "考试前检查题库：重复试题、重复选项、答案分布、知识点、容量。" in r.stdout
    assert "有警告也判为检查不通过。" in r.stdout
    r = runner.invoke(app, ["--lang", "en", "bank", "check", "--help"], env={"COLUMNS": "200"})
    assert "Check banks before a sitting: duplicates, repeated options" in r.stdout
    assert "Warnings fail the check too." in r.stdout
