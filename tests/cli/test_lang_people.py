"""The people group in both languages: staff, grades and the ledger, the ladder, ratings and the
grade allowance speak Chinese by default and English with --lang en; --json is typed and the same
in both languages apart from the text of messages; what the ledger stores reads in either."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from typer.testing import CliRunner

from gradecli.cli.app import app
from gradecli.services.context import Context
from tests.helpers import ALLOWANCE_HEADERS, allowance_rows, person, roster, write_xlsx
from tests.lang import command_names, english_words

runner = CliRunner()
LANGUAGE_KEYS = {"text", "title", "summary", "notes"}  # the only keys that may differ between languages


def run(db, *args, lang="en"):
    return runner.invoke(app, ["--lang", lang, "--db", db, *[str(a) for a in args]])


def ok(db, *args, lang="en"):
    r = run(db, *args, lang=lang)
    assert r.exit_code == 0, r.output
    return r


def both(db, *args) -> tuple[dict, dict]:
    """The JSON of a command in Chinese and in English."""
    return (json.loads(ok(db, "--json", *args, lang="zh").stdout), json.loads(ok(db, "--json", *args, lang="en").stdout))


def without_text(value):
    if isinstance(value, dict):
        return {k: without_text(v) for k, v in value.items() if k not in LANGUAGE_KEYS}
    if isinstance(value, list):
        return [without_text(v) for v in value]
    return value


@pytest.fixture
def office(tmp_path):
    """K1 (2-1) and K2 (2-1, front-line) of 客服, H1 (3-2, front-line 航标); the allowance of
    2026-12 computed and stored; then K1 corrected to 2-2 from 17 December (arrears) and H1
    moved to an office post on 2026-05-01 (a transfer drop)."""
    db = f"sqlite:///{tmp_path / 'people.db'}"
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [
        person("K1"), person("K2", frontline="是", post="现场服务"),
        person("H1", family="航标", frontline="是", post="航标维护")]))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", ["工号", "等", "级", "生效日期"],
                                         [["K1", 2, 1, "2025-01-01"], ["K2", 2, 1, "2025-01-01"],
                                          ["H1", 3, 2, "2024-01-01"]]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [["K1", 2025, "良好", "否"]]))
    ok(db, "allowance", "import", write_xlsx(tmp_path / "t.xlsx", ALLOWANCE_HEADERS, allowance_rows(date(2025, 1, 1))))
    ok(db, "allowance", "compute", "--month", "2026-12")
    ok(db, "grade", "correct", "K1", "--to", "2-2", "--date", "2026-12-17", "--reason", "定级录入有误")
    return db


def test_a_transfer_reads_in_chinese_and_its_ledger_reason_in_either_language(office):
    r = ok(office, "staff", "transfer", "H1", "--post", "航标设计", "--no-frontline", "--date", "2026-05-01", lang="zh")
    assert r.stdout == "H1 于 2026-05-01 调至航标设计（非一线岗位）；等级 3-2 → 2-2（调岗降等）\n"
    r = ok(office, "staff", "transfer", "K1", "--post", "热线客服", "--date", "2026-05-01")
    assert r.stdout == "K1 moves to 热线客服 (not front-line) on 2026-05-01\n"

    zh, en = both(office, "grade", "history", "H1")
    assert without_text(zh) == without_text(en)
    last = zh["rows"][-1]
    assert (last["kind"], last["from"], last["to"], last["effective"]) == ("transfer_drop", "3-2", "2-2", "2026-05-01")
    assert last["event"] == {"code": "transfer_drop", "params": {}, "text": "调岗降等"}
    assert last["reason"] == {"code": "left_frontline_post", "params": {"post": "航标设计"},
                              "text": "由一线岗位调至航标设计（按规定降一等）"}
    assert en["rows"][-1]["reason"]["text"] == "transfer out of a front-line post to 航标设计 (policy: down one tier)"
    first = zh["rows"][0]
    assert first["event"]["text"] == "首次评定" and first["reason"]["text"] == "导入的现有等级（grade import）"
    assert zh["title"] == "H1 张三 的等级记录" and zh["notes"] == ["当前等级：2-2"]
    # the ledger keeps the message (template, parameters, code), not a sentence in one language
    with Context(url=office).engine.connect() as conn:
        stored = conn.execute(text("SELECT reason FROM ledger_event WHERE kind = 'transfer_drop'")).scalar_one()
    assert json.loads(stored) == {"c": "left_frontline_post", "p": {"post": "航标设计"},
                                  "t": "transfer out of a front-line post to {post} (policy: down one tier)"}
    # a reason typed by a person is kept as typed, in every language
    corrected = both(office, "grade", "history", "K1")[0]["rows"][-1]
    assert corrected["event"]["code"] == "correction" and corrected["reason"] == "定级录入有误"
    ok(office, "audit", "verify")


def test_allowance_json_is_typed_and_the_same_in_both_languages(office):
    zh, en = both(office, "allowance", "compute", "--month", "2026-12")
    assert without_text(zh) == without_text(en)
    # K1 529.03 (2-1, then 2-2 from the 17th), K2 575.00 (2-1 and 15 % front-line), H1 874.00 (3-2, front-line)
    assert zh["title"] == "2026-12 等级津贴：3 人，合计 1978.03 元"
    assert en["title"] == "Allowance 2026-12: 3 employees, 1978.03 yuan"
    assert (zh["month"], zh["stored"], zh["total"], zh["backup"]) == ("2026-12", False, "1978.03", None)
    assert zh["differences"] == [{"emp_no": "K1", "stored": "500.00", "now": "529.03"}]
    k2 = next(r for r in zh["rows"] if r["emp_no"] == "K2")
    assert (k2["base"], k2["differential"], k2["total"], k2["total_fen"]) == ("500.00", "75.00", "575.00", 57500)
    (seg,) = k2["segments"]
    assert (seg["from"], seg["to"], seg["days"], seg["frontline"]) == ("2026-12-01", "2026-12-31", 31, True)
    assert k2["days"] == [{"code": None, "params": {"start": "12-01", "end": "12-31", "grade": "2-1", "days": 31},
                           "text": "12-01–12-31 2-1 一线（31天）"}]
    assert "重新计算后有 1 人不同" in zh["notes"][0] and "differs for 1 employee(s)" in en["notes"][0]

    zh, en = both(office, "allowance", "arrears", "--from", "2026-12", "--to", "2026-12")
    assert without_text(zh) == without_text(en)
    (line,) = zh["rows"]
    assert (line["emp_no"], line["paid"], line["due"], line["difference"]) == ("K1", "500.00", "529.03", "29.03")
    assert line["kind"] == "arrears" and line["adjustment"] == {"code": "arrears", "params": {}, "text": "补发"}
    cause = line["cause"]
    assert cause["code"] == "recorded_since"
    (change,) = cause["params"]["changes"]
    assert change["code"] == "ledger_event" and change["params"]["event"]["code"] == "correction"
    assert change["params"]["effective"] == "2026-12-17" and change["params"]["reason"] == "定级录入有误"
    assert cause["text"] == "该月计算后新记录的变动：2026-12-17 生效的更正 #4（定级录入有误）"
    assert zh["net"] == "29.03" and zh["title"] == "补发扣回 2026-12 – 2026-12：1 条，净额 29.03 元"

    zh, en = both(office, "allowance", "show", "--on", "2026-12-01")
    assert without_text(zh) == without_text(en)
    row = zh["rows"][0]
    assert row["family"] == {"code": "all_families", "params": {}, "text": "（全部岗位序列）"}
    assert (row["amount"], row["effective_from"], row["version"]) == ("300.00", "2025-01-01", 1)
    assert zh["notes"] == ["一线岗位级差：等级津贴的 15%"]


@pytest.mark.parametrize("args", [
    ("staff", "list"), ("staff", "show", "K2"), ("grade", "as-of", "2026-12-31"), ("ladder", "show"),
    ("ladder", "standards", "--family", "客服"),
])
def test_listings_are_the_same_json_in_both_languages(office, args):
    zh, en = both(office, *args)
    assert without_text(zh) == without_text(en)


def test_staff_json_carries_dates_booleans_and_named_post_notes(office):
    ok(office, "staff", "transfer", "K2", "--post", "热线客服", "--no-frontline", "--date", "2026-05-01")
    shown = json.loads(ok(office, "--json", "staff", "show", "K2", lang="zh").stdout)
    assert (shown["service_start"], shown["hire_date"], shown["leave_date"]) == ("2015-07-01", "2018-03-01", None)
    assert shown["frontline"] is False and shown["professional"] is True and shown["active"] is True
    assert [(p["from"], p["post"], p["frontline"], p["note"]["code"], p["note"]["text"]) for p in shown["posts"]] == [
        ("2018-03-01", "现场服务", True, "hired", "入职"), ("2026-05-01", "热线客服", False, "transfer", "岗位调动")]
    assert shown["summary"] == "K2 张三 — 客服一部，客服/热线客服，1-1 一等1级；职称 初级"
    listed = json.loads(ok(office, "--json", "staff", "list", "--family", "客服", lang="zh").stdout)
    assert listed["title"] == "人员 — 客服（2）" and listed["rows"][1]["frontline"] is False
    as_of = json.loads(ok(office, "--json", "grade", "as-of", "2026-12-31", lang="zh").stdout)
    k1 = next(r for r in as_of["rows"] if r["emp_no"] == "K1")
    assert (k1["tier"], k1["level"], k1["since"], k1["label"]) == (2, 2, "2026-12-17", "二等2级")


def _strings(path: Path) -> list[str]:
    wb = load_workbook(path)
    out = list(wb.sheetnames)
    for ws in wb.worksheets:
        out += [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    return out


def test_payroll_arrears_and_grade_sheets_are_chinese(office, tmp_path):
    pay, arr, asof = tmp_path / "pay.xlsx", tmp_path / "arr.xlsx", tmp_path / "asof.xlsx"
    ok(office, "allowance", "compute", "--month", "2026-12", "--out", pay, lang="zh")
    ok(office, "allowance", "arrears", "--from", "2026-12", "--to", "2026-12", "--out", arr, lang="zh")
    ok(office, "grade", "as-of", "2026-12-31", "--out", asof, lang="zh")
    wb = load_workbook(pay)
    assert wb.sheetnames == ["津贴 2026-12", "部门", "等"]
    ws = wb["津贴 2026-12"]
    assert [c.value for c in ws[1]] == ["工号", "姓名", "部门", "岗位序列", "等级", "分段天数", "基础津贴", "岗位级差", "合计"]
    assert [c.value for c in ws[2]][:6] == ["H1", "张三", "客服一部", "航标", "3-2", "12-01–12-31 3-2 一线（31天）"]
    assert ws["A5"].value == "合计" and ws["F5"].value == "3 人"
    assert [r[0] for r in wb["等"].iter_rows(values_only=True)] == ["等", "2等", "3等", "合计"]
    wb = load_workbook(arr)
    assert wb.sheetnames == ["补发扣回", "部门"]
    assert [c.value for c in wb["补发扣回"][2]][7:] == ["补发", "该月计算后新记录的变动：2026-12-17 生效的更正 #4（定级录入有误）"]
    assert load_workbook(asof).sheetnames == ["等级 2026-12-31"]
    for f in (pay, arr, asof):
        assert english_words(" ".join(_strings(f))) == [], f


def test_templates_in_chinese_keep_bilingual_headers(tmp_path):
    db = f"sqlite:///{tmp_path / 'blank.db'}"
    made = {}
    for group, sheet in (("staff", "人员"), ("perf", "考核"), ("grade", "等级"), ("allowance", "津贴标准")):
        f = made[group] = tmp_path / f"{group}.xlsx"
        assert ok(db, group, "template", f, lang="zh").stdout.startswith("已生成")
        wb = load_workbook(f)
        assert wb.sheetnames[0] == sheet
        ws = wb[sheet]
        assert "/" in ws["A1"].value  # 工号 / Employee No.: import headers stay bilingual
        for cell in ws[1]:  # "<header> (required): <how to fill>", the how in Chinese
            how = cell.comment.text.split("): ", 1)[1]
            assert english_words(how) == [], (group, cell.value, how)
        notes = [row[0] for row in wb["说明 Notes"].iter_rows(min_row=2, values_only=True)]
        ours = notes[:notes.index(next(n for n in notes if n.startswith("本表")))]
        assert ours and all(english_words(n, command_names(app)) == [] for n in ours), ours
    notes = [row[0] for row in load_workbook(made["staff"])["说明 Notes"].iter_rows(values_only=True)]
    assert "只有专业技术岗位人员参加等级评定。" in notes
    assert "岗位序列 / Post family — 必填 required: 请填写岗位序列，例如 客服/航标/测量/通信" in notes


def test_errors_and_help_in_chinese(office, tmp_path):
    bad = write_xlsx(tmp_path / "bad.xlsx", ["工号", "年度", "考核等次", "处分"], [["X9", 2025, "良好", "否"]])
    r = run(office, "perf", "import", bad, lang="zh")
    assert r.exit_code == 2
    assert r.stderr == f"错误：{bad}，工作表“Sheet1”，第 2 行，工号列：“X9”不在人员名册中；请先导入人员名册，或更正工号\n"
    r = run(office, "grade", "correct", "K1", "--to", "9-1", "--date", "2026-12-01", "--reason", "x", lang="zh")
    assert r.exit_code == 2 and r.stderr == "错误：等级 9-1 超出客服的等级体系：等 1–5，级 1–3\n"
    r = run(office, "staff", "transfer", "K2", "--post", "现场服务", "--date", "2026-06-01", lang="zh")
    assert r.exit_code == 2 and r.stderr == "错误：K2 已在岗位“现场服务”（一线：是）\n"
    r = run(office, "allowance", "compute", "--month", "2026-13", lang="zh")
    assert r.exit_code == 2 and r.stderr == "错误：“2026-13”不是月份；请写成 YYYY-MM，例如 2026-12\n"
    with Context(url=office).engine.begin() as conn:
        conn.execute(text("UPDATE ledger_event SET reason = 'x' WHERE seq = 2"))
    r = run(office, "audit", "verify", lang="zh")
    assert r.exit_code == 1 and r.stderr == "错误：台账事件 2：内容与其哈希值不符（该行被修改过）\n"
    helped = ok(office, "staff", "transfer", "--help", lang="zh").stdout
    assert "记录岗位调动；离开一线岗位时按规定调岗降等。" in helped and "新岗位。" in helped
    helped = ok(office, "allowance", "--help", lang="zh").stdout
    assert "按当前等级台账和津贴标准重算已保存的月份：补发和扣回。" in helped


def test_ledger_kinds_and_chain_breaks_are_reasons():
    from gradecli.domain.errors import BadInput
    from gradecli.domain.ladder import Grade
    from gradecli.domain.ledger import EVENT_KINDS, event_kind

    assert [event_kind(k).to_json()["text"] for k in EVENT_KINDS] == [
        "first placement", "level promotion", "tier promotion", "fast track", "deferral", "demotion",
        "transfer drop", "correction"]
    assert event_kind("something_new").to_json() == {"code": "something_new", "params": {}, "text": "something_new"}
    with pytest.raises(BadInput) as err:
        Grade.parse("3x")
    assert err.value.message.code == "not_a_grade" and err.value.message.params == {"text": "3x"}


def test_ledger_kinds_in_chinese(zh):
    from gradecli.domain.ledger import EVENT_KINDS, event_kind

    assert [str(event_kind(k)) for k in EVENT_KINDS] == [
        "首次评定", "等内晋级", "分等晋升", "快速通道", "延期选升", "降低等级", "调岗降等", "更正"]
