"""Evaluation, the notice (公示), closing and the demo in both languages: Chinese by default, English
with --lang en; reasons and outcomes as data ({code, params, text}); stored messages read back in
the language they are shown in; old plain text still shown as it was written."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from gradecli.cli.app import app
from gradecli.domain.policy import Policy
from gradecli.i18n import Reason, dumps, loads, set_language
from gradecli.services.context import Context
from tests.cli.story import ok, publish_semiannual, run, runner, seed_office, sit
from tests.helpers import person, roster, write_xlsx

LANG_FREE = ("text", "title", "summary", "notes")  # the only keys whose values may differ by language
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def org(db_url, tmp_path):
    return seed_office(db_url, tmp_path)


def same_apart_from_text(a, b) -> bool:
    def strip(x):  # noqa: ANN001, ANN202
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in LANG_FREE}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return strip(a) == strip(b)


def html_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "\n", page))


def workbook_text(path: Path) -> str:
    wb = load_workbook(path, read_only=True)
    out = []
    for ws in wb.worksheets:
        out.append(ws.title)
        out += [str(v) for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    return "\n".join(out)


def english_words(text: str) -> set[str]:
    """Words in Latin letters, apart from commands quoted in backticks (codes, typed as they are)."""
    return set(ENGLISH_WORD.findall(re.sub(r"`[^`]*`", "", text)))


def annual_cycle(db, tmp_path):
    """The annual cycle of the small office, scored: K1 passes, K2 passes below K1, K3 by the fast track."""
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K2"], ["K3"]]))
    ok(db, "cycle", "issue-papers", "2026", "--seed", "a")
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 70, "K3": 95})


def test_results_json_is_typed_and_the_same_in_both_languages(org, tmp_path):
    db = org
    annual_cycle(db, tmp_path)
    ok(db, "cycle", "evaluate", "2026")
    en = json.loads(ok(db, "--lang", "en", "--json", "cycle", "results", "2026").stdout)
    zh = json.loads(ok(db, "--lang", "zh", "--json", "cycle", "results", "2026").stdout)
    assert same_apart_from_text(en, zh)
    rows = {r["emp_no"]: r for r in en["rows"]}
    k1, k3 = rows["K1"], rows["K3"]
    assert isinstance(k1["theory"], (int, float)) and k1["theory_status"] == "scored" and k1["skill"] == 80
    assert isinstance(k1["composite"], float) and k1["rank"] == 2 and isinstance(k1["performance"], int)
    assert k1["outcome"] == {"code": "promoted", "params": {}, "text": "promoted"}
    assert k1["reasons"] == [{"code": "rank_within_quota", "params": {"rank": 2}, "text": "rank 2 within the quota"}]
    assert k3["outcome"]["code"] == "fast_track" and k3["reasons"][0]["code"] == "fast_track"
    zh_rows = {r["emp_no"]: r for r in zh["rows"]}
    assert zh_rows["K1"]["outcome"]["text"] == "晋升" and zh_rows["K1"]["reasons"][0]["text"] == "名次 2，在名额之内"
    assert zh_rows["K2"]["reasons"][0]["text"] == "名次 3：合格，超出名额 1"
    # quota derivations and decisions are data too, with their grounds
    q = en["quotas"]["客服 → tier 3"]
    assert (q["family"], q["tier"], q["quota"]) == ("客服", 3, 1) and q["derivation"]["code"] == "quota_share_of_eligible"
    assert zh["quotas"]["客服 → tier 3"]["derivation"]["text"] == "可报名 2 人的 40% = 0.8，向下取整为 0，因有人合格提高到 1"
    deferral = next(d for d in en["decisions"] if d["emp_no"] == "K5")
    assert deferral["kind"] == "deferral" and deferral["reason"]["code"] == "deferral"
    assert deferral["reason"]["params"]["reason"]["code"] == "deferral_disciplinary"
    assert deferral["reason"]["text"] == ("cycle 2026: deferral: disciplinary record in 2025; registration barred: the next "
                                          "cycle of each kind (annual and semiannual) after it takes effect")
    zh_deferral = next(d for d in zh["decisions"] if d["emp_no"] == "K5")
    assert zh_deferral["reason"]["text"] == "考评周期 2026：延期选升：2025 年度有处分；不得申报：生效后年度和半年度考评周期各下一次"
    assert zh["title"].startswith("考评周期 2026 评定完成：") and "晋升 1 人" in zh["title"]
    assert any(n.startswith("客服 → 3等：名额 1（") for n in zh["notes"])


def test_stored_reasons_are_messages_and_old_text_stays_text(org, tmp_path):
    from gradecli.store.models import CycleDecisionRow, RegistrationRow

    db = org
    annual_cycle(db, tmp_path)
    ok(db, "cycle", "evaluate", "2026")
    ctx = Context(url=db)
    with ctx.uow() as uow:
        stored = dict(uow.s.execute(select(RegistrationRow.emp_no, RegistrationRow.reasons)).all())
        k1 = [loads(r) for r in json.loads(stored["K1"])]
        assert k1 == [Reason("rank_within_quota", "rank {rank} within the quota", rank=2)]
        reason = uow.s.scalars(select(CycleDecisionRow.reason).where(CycleDecisionRow.emp_no == "K1")).one()
        assert reason == dumps(loads(reason)) and loads(reason).code == "promoted"
        # rows written before reasons were data: plain text, shown as it was written
        uow.s.execute(update(RegistrationRow).where(RegistrationRow.emp_no == "K2")
                      .values(reasons=json.dumps(["rank 3: passed, over the quota of 1"])))
        uow.s.execute(update(CycleDecisionRow).where(CycleDecisionRow.emp_no == "K1")
                      .values(reason="cycle 2026: rank 2 within the quota"))
        uow.commit()
    ctx.engine.dispose()
    zh = json.loads(ok(db, "--lang", "zh", "--json", "cycle", "results", "2026").stdout)
    rows = {r["emp_no"]: r for r in zh["rows"]}
    assert rows["K2"]["reasons"] == ["rank 3: passed, over the quota of 1"]
    assert next(d for d in zh["decisions"] if d["emp_no"] == "K1")["reason"] == "cycle 2026: rank 2 within the quota"
    assert rows["K1"]["reasons"][0]["text"] == "名次 2，在名额之内"


def test_the_notice_is_chinese_by_default_with_no_english_words(org, tmp_path):
    db = org
    annual_cycle(db, tmp_path)
    ok(db, "cycle", "evaluate", "2026")
    out = tmp_path / "n"
    pub = json.loads(ok(db, "--lang", "zh", "--json", "cycle", "publish", "2026", "--out", out, today="2026-11-20").stdout)
    assert pub["summary"].startswith("考评周期 2026：公示（第1版）已于 2026-11-20 发布；异议期至 2026-11-27")
    page = (out / "notice-2026-r1.html").read_text(encoding="utf-8")
    text = html_text(out / "notice-2026-r1.html")
    assert '<html lang="zh-CN">' in page and "2026 岗位等级分等考试（年度）评定结果公示" in text
    for line in ("一、评定标准", "二、程序与时间", "三、评定结果", "四、等级决定",
                 "三等等级标准（客服）：", "合格线：理论考试 ≥ 60 分，实际操作技能 ≥ 60 分。",
                 "名额（客服 → 3等）：1 —— 可报名 2 人的 40% = 0.8，向下取整为 0，因有人合格提高到 1；报名 3 人。",
                 "延期选升：当年度有处分或考核低于 合格，生效后举行的下一次分等考试和下一次等内考试均不得申报。",
                 "考试日期：2026-11-15；公示日期：2026-11-20；异议期至 2026-11-27（含）。",
                 "公示期：2026-11-20 至 2026-11-27"):
        assert line in text, line
    results = text.split("三、评定结果")[1].split("四、等级决定")[0]
    assert "合格，名额已满未晋升" in results and "晋升（快速通道）" in results and "处分" not in results
    assert "快速通道晋升" in text.split("四、等级决定")[1] and "延期选升" in text.split("四、等级决定")[1]
    assert english_words(text) == set(), english_words(text)
    sheets = workbook_text(out / "notice-2026-r1.xlsx")
    assert load_workbook(out / "notice-2026-r1.xlsx").sheetnames == ["评定结果", "等级决定", "标准与程序"]
    assert english_words(sheets) == set(), english_words(sheets)
    # the internal workbook, in Chinese too: every detail, marked 内部资料
    ok(db, "--lang", "zh", "cycle", "results", "2026", "--out", tmp_path / "internal.xlsx")
    internal = load_workbook(tmp_path / "internal.xlsx")
    assert internal.sheetnames == ["内部资料 说明", "内部资料 结果", "内部资料 决定", "内部资料 名额", "内部资料 异议"]
    detail = workbook_text(tmp_path / "internal.xlsx")
    assert "考评周期 2026：延期选升：2025 年度有处分；不得申报：生效后年度和半年度考评周期各下一次" in detail
    assert english_words(detail) == set(), english_words(detail)


def test_a_revised_notice_says_what_changed_in_either_language(org, tmp_path):
    db = org
    publish_semiannual(db, tmp_path, {"K6": 80, "K7": 7.8}, seed="r")  # K7's 78 keyed as 7.8
    ok(db, "cycle", "appeal", "2026H2", "K7", "--reason", "实操成绩登记有误", today="2026-12-21")
    ok(db, "cycle", "resolve", "2026H2", "K7", "--uphold", "--note", "复核为 78.0", today="2026-12-22")
    ok(db, "cycle", "import-scores", "2026H2", write_xlsx(tmp_path / "fix.xlsx", ["工号", "实操成绩"], [["K7", 78]]),
       "--part", "skill")
    ok(db, "cycle", "evaluate", "2026H2")
    pub = json.loads(ok(db, "--lang", "zh", "--json", "cycle", "publish", "2026H2", "--out", tmp_path / "n",
                        today="2026-12-23").stdout)
    k7 = next(c for c in pub["changes"] if c["code"] == "result_changed")
    assert k7["params"]["emp_no"] == "K7" and k7["text"].startswith("K7 张三：实操 7.8 → 78.0")
    assert {c["code"] for c in pub["changes"]} >= {"result_changed", "decision_added"}
    text = html_text(tmp_path / "n" / "notice-2026H2-r2.html")
    assert "2026H2 岗位等级等内考试（半年度）评定结果公示（第2版·修订）" in text and "本版为修订版，变更如下" in text
    assert "经复核，1 件异议获支持，相关成绩已更正（见上）。" in text and "K7 等内晋级 → 2-2：新增决定" in text
    assert "实操成绩登记有误" not in text and english_words(text) == set(), english_words(text)
    assert "本版变更" in load_workbook(tmp_path / "n" / "notice-2026H2-r2.xlsx").sheetnames
    # the stored changes read in English later
    from gradecli.store.models import NoticeRow

    ctx = Context(url=db)
    with ctx.uow() as uow:
        stored = uow.s.scalars(select(NoticeRow.changes).where(NoticeRow.revision == 2)).one()
    ctx.engine.dispose()
    first = loads(json.loads(stored)[0])
    set_language("en")
    assert first.code == "result_changed" and str(first).startswith("K7 张三: Skill 7.8 → 78.0")


def test_closing_writes_ledger_reasons_as_messages(org, tmp_path):
    from gradecli.store.models import LedgerEventRow

    db = org
    annual_cycle(db, tmp_path)
    ok(db, "cycle", "evaluate", "2026")
    ok(db, "cycle", "publish", "2026", "--out", tmp_path / "n", today="2026-11-20")
    closed = json.loads(ok(db, "--lang", "zh", "--json", "cycle", "close", "2026", today="2026-11-30").stdout)
    assert closed["summary"].startswith("考评周期 2026 已关闭：") and "2026-12-01 起生效" in closed["summary"]
    assert "分等晋升 1 条" in closed["summary"] and closed["kinds"]["tier_promotion"] == 1
    ctx = Context(url=db)
    with ctx.uow() as uow:
        reasons = dict(uow.s.execute(select(LedgerEventRow.kind, LedgerEventRow.reason)
                                     .where(LedgerEventRow.emp_no == "K1", LedgerEventRow.cycle == "2026")).all())
    ctx.engine.dispose()
    message = loads(reasons["tier_promotion"])
    set_language("en")
    assert message.code == "promoted" and str(message) == "cycle 2026: rank 2 within the quota"
    set_language("zh")
    assert str(message) == "考评周期 2026：名次 2，在名额之内"


def test_first_placement_in_both_languages(db_url, tmp_path):
    db = db_url
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [person("N1", title="中级", start=date(2010, 1, 1))]))
    ok(db, "perf", "import", write_xlsx(tmp_path / "p.xlsx", ["工号", "年度", "考核等次", "处分"],
                                        [["N1", y, "优秀", "否"] for y in (2023, 2024, 2025)]))
    en = json.loads(ok(db, "--lang", "en", "--json", "first-evaluation", "--as-of", "2026-01-01").stdout)
    zh = json.loads(ok(db, "--lang", "zh", "--json", "first-evaluation", "--as-of", "2026-01-01",
                       "--out", tmp_path / "fe.xlsx").stdout)
    assert same_apart_from_text(en, zh)
    row = zh["rows"][0]
    assert row["ratings"][0]["params"] == {"year": 2023, "rating": "优秀"} and row["years"] == 16
    assert [r["code"] for r in row["reasons"]] == ["placement_by_appraisals", "placement_service_level"]
    assert row["reasons"][0]["text"] == "近年考核 优秀、优秀、优秀：平均 4.00 分 → 4等"
    assert row["reasons"][1]["text"] == "工龄 16 年 → 3级"
    assert zh["title"] == "首次评定（定级日期 2026-01-01）：待定级 1 人 —— 预览；加 --publish DIR 发布公示"
    assert en["title"] == "First placement as of 2026-01-01: 1 to place — a preview; add --publish DIR to publish"
    sheet = load_workbook(tmp_path / "fe.xlsx")
    assert sheet.sheetnames == ["首次评定 2026-01-01"]
    assert [c.value for c in sheet.active[1]][:3] == ["工号", "姓名", "等级"]
    pub = json.loads(ok(db, "--lang", "zh", "--json", "first-evaluation", "--as-of", "2026-01-01", "--publish",
                        tmp_path / "n", today="2026-01-05").stdout)
    text = html_text(tmp_path / "n" / "notice-F2026-r1.html")
    assert pub["notice"]["cycle"] == "F2026" and "岗位等级首次评定结果公示（2026-01-01 定级）" in text
    assert "首评从宽：以工作业绩为主要依据" in text and "定级" in text.split("三、评定结果")[1]
    assert english_words(text) == set(), english_words(text)  # F2026: a code, one letter and digits


def test_the_public_wording_is_the_policys_or_built_in_in_the_run_s_language():
    from gradecli.formats.notice import public_outcome

    default = Policy()
    wording = dict(default.notice.outcome_wording, promoted="拟晋升")
    office = Policy.model_validate({"notice": {"outcome_wording": wording}})
    set_language("en")
    assert str(public_outcome(default, "failed")) == "does not meet the conditions for promotion"
    assert str(public_outcome(office, "promoted")) == "拟晋升"  # the office's own text, as written
    assert public_outcome(office, "promoted").to_json() == {"code": "promoted", "params": {}, "text": "拟晋升"}
    set_language("zh")
    assert str(public_outcome(default, "failed")) == "不符合晋升条件"
    assert str(public_outcome(default, "qualified_not_promoted")) == "合格，名额已满未晋升"
    assert str(public_outcome(office, "promoted")) == "拟晋升"


def test_quota_groups_read_in_the_run_s_language_also_as_stored_before():
    from gradecli.formats.notice import group_name

    set_language("zh")
    assert str(group_name("航标 → tier 4", {"family": "航标", "tier": 4})) == "航标 → 4等"
    assert str(group_name("航标 → tier 4", {})) == "航标 → 4等"  # quotas stored before the parts were
    set_language("en")
    assert str(group_name("航标 → tier 4", {})) == "航标 → tier 4"


def test_errors_of_evaluation_commands_in_both_languages(org, tmp_path):
    db = org
    publish_semiannual(db, tmp_path, {"K7": 80}, seed="e")
    r = run(db, "--lang", "zh", "cycle", "close", "2026H2", "--force", today="2026-12-21")
    assert r.exit_code == 2 and "--force 需要同时给出 --reason" in r.stderr
    r = run(db, "--lang", "zh", "cycle", "close", "2026H2", today="2026-12-21")
    assert r.exit_code == 1 and "异议期至 2026-12-27；请在异议期后关闭" in r.stderr
    r = run(db, "--lang", "en", "cycle", "appeal", "2026H2", "K1", "--reason", "x", today="2026-12-21")
    assert r.exit_code == 2 and "K1 has no result or decision in cycle 2026H2" in r.stderr


def test_the_demo_writes_its_notices_and_index_in_chinese(tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(app, ["--lang", "zh", "demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    notices = sorted(out.glob("*/notice-*"))
    assert len(notices) == 8  # F2025, 2026 and 2026H2 (revised): Excel and HTML each
    for f in notices + [out / "first-evaluation.xlsx"]:
        text = html_text(f) if f.suffix == ".html" else workbook_text(f)
        assert english_words(text) == set(), (f, english_words(text))
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "gradecli 演示：航海保障中心的岗位等级制度" in page
    # the headings and the files' descriptions (the story's steps come from every command)
    listed = html_text(out / "index.html").split("演示过程")[0] + "".join(re.findall(r"<h2>.*?</h2>|<a [^>]*>.*?</a>[^<]*",
                                                                                     page.split("</ol>")[1]))
    listed = html_lib.unescape(re.sub(r"<[^>]+>", "\n", listed))
    assert "考评周期 2026H2 公示（第2版）" in listed and "（网页，可打印）" in listed and "试卷与参考答案" in listed
    assert english_words(listed) == {"gradecli"}, english_words(listed)
    assert "1等：试卷 P1-0001-001，预期得分" in page and str(out) not in page  # paths relative to the page
    for f in (out / "inputs" / "roster.xlsx", out / "cycle-2026" / "skill-scores.xlsx"):
        assert load_workbook(f).sheetnames[0] in ("人员", "实操成绩")
