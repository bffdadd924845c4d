"""The cycle commands in both languages (issue 14): Chinese by default, English with --lang en; the
same typed JSON in both, reasons and derivations as {code, params, text}; the eligibility listing
fits a terminal of 80 columns at two lines a row; quota derivations stored as messages."""

from __future__ import annotations

import io
import json

import pytest
from rich.cells import cell_len

from gradecli.cli.output import render
from tests.cli.story import ok, run, seed_office
from tests.helpers import write_xlsx

LANGUAGE_KEYS = {"text", "title", "summary", "notes"}


def _without_language(value):
    """JSON with what may differ between languages left out."""
    if isinstance(value, dict):
        return {k: _without_language(v) for k, v in value.items() if k not in LANGUAGE_KEYS}
    if isinstance(value, list):
        return [_without_language(v) for v in value]
    return value


def _json(db, *args, lang="en"):
    return json.loads(ok(db, "--lang", lang, "--json", *args).stdout)


@pytest.fixture
def office(db_url, tmp_path):
    db = seed_office(db_url, tmp_path)
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    return db


def test_eligibility_reads_in_chinese_by_default_and_in_english_on_request(office):
    zh = ok(office, "--lang", "zh", "cycle", "eligibility", "2026").stdout
    assert "周期 2026 报名资格：2 人可报名，1 人可申请快速通道，4 人不可报名" in zh
    assert "工号" in zh and "原因" in zh and "可报名" in zh
    en = ok(office, "--lang", "en", "cycle", "eligibility", "2026").stdout
    assert "Eligibility in cycle 2026: 2 eligible, 1 fast track, 4 not eligible" in en
    rows = {r["emp_no"]: r for r in _json(office, "cycle", "eligibility", "2026", lang="zh")["rows"]}
    # K4 at 2-1 since 2024: the wait is served, but a tier step needs the top of tier 2
    k4 = rows["K4"]
    assert [r["code"] for r in k4["reasons"]] == ["not_top_of_tier"]
    assert k4["reasons"][0]["text"] == "未达 2 等最高级（现为 2-1；升等须达到第 3 级）"
    assert k4["reasons"][0]["params"] == {"tier": 2, "grade": "2-1", "level": 3}
    assert k4["status"] == {"code": "not_eligible", "params": {}, "text": "不可报名"}


def test_eligibility_json_is_typed_and_the_same_in_both_languages(office):
    zh = _json(office, "cycle", "eligibility", "2026", lang="zh")
    en = _json(office, "cycle", "eligibility", "2026", lang="en")
    assert _without_language(zh) == _without_language(en)
    assert zh["title"] != en["title"]
    rows = {r["emp_no"]: r for r in en["rows"]}
    k1, k3 = rows["K1"], rows["K3"]
    assert k1["eligible"] is True and k1["may_register"] is True and k1["reasons"] == [] and k1["next_date"] is None
    assert (k1["grade"], k1["target"]) == ("2-3", "3-1")
    # K3 (优秀, at 2-3 since 2025-12-01): inside the wait, may apply for the fast track
    assert k3["eligible"] is False and k3["fast_track_applicant"] is True and k3["may_register"] is True
    assert k3["status"]["code"] == "fast_track_applicant" and k3["next_date"] == "2027-12-01"
    wait = k3["reasons"][0]
    assert wait["code"] == "wait_not_met" and wait["params"]["met_on"] == "2027-12-01"
    assert wait["params"]["credit"]["params"]["wait"] == 24
    assert isinstance(wait["params"]["credit"]["params"]["credited"], float)
    assert en["counts"] == {"eligible": 2, "fast_track_applicant": 1, "not_eligible": 4}


def test_the_eligibility_listing_fits_80_columns_at_two_lines_a_row(office, zh):
    from gradecli.services import cycles
    from gradecli.services.context import Context

    ctx = Context(url=office)
    listing = cycles.eligibility(ctx, "2026")
    ctx.engine.dispose()
    for width in (80, 120):
        out, err = io.StringIO(), io.StringIO()
        render(listing, as_json=False, width=width, out=out, err=err)
        text = out.getvalue()
        assert all(cell_len(line) <= width for line in text.splitlines()), text
        body = text.split("┡")[1].splitlines()[1:-1]
        starts = [i for i, line in enumerate(body) if line[1:].strip().startswith("K")]
        assert len(starts) == 7 and all(b - a <= 2 for a, b in zip(starts, starts[1:] + [len(body)])), text
        header = text.split("┡")[0]
        assert [h in header for h in ("工号", "姓名", "原因")] == [True, True, True]  # the reasons keep a column
        assert header.index("工号") < header.index("姓名") < header.index("原因")
        assert "未达 2 等最高" in text
        assert not err.getvalue()  # no column left out


def test_cycle_list_and_show_are_typed(office, tmp_path):
    zh = _json(office, "cycle", "list", lang="zh")
    en = _json(office, "cycle", "list", lang="en")
    assert _without_language(zh) == _without_language(en)
    (row,) = en["rows"]
    assert row["state"] == {"code": "draft", "params": {}, "text": "draft"}
    assert row["kind"]["code"] == "annual" and row["exam_date"] == "2026-11-15"
    assert row["families"] == [] and row["scope"]["code"] == "every_family" and row["registered"] == 0
    assert zh["rows"][0]["state"]["text"] == "草稿" and zh["title"] == "考评周期"
    ok(office, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K3"]]))
    shown = _json(office, "cycle", "show", "2026")
    assert shown["state"] == "open" and shown["missing"] == {"paper": ["K1", "K3"], "answers": ["K1", "K3"],
                                                             "skill": ["K1", "K3"]}
    k1 = shown["rows"][0]
    assert (k1["from_grade"], k1["to_grade"], k1["fast_track"]) == ("2-3", "3-1", False)
    assert k1["theory"] is None and k1["theory_status"] == "missing"
    assert [m["code"] for m in k1["missing"]] == ["paper", "answers", "skill"]
    assert _without_language(_json(office, "cycle", "show", "2026", lang="zh")) == _without_language(shown)
    notes = _json(office, "cycle", "show", "2026", lang="zh")["notes"]
    assert notes[0] == "状态：报名中；下一步：出卷（`gradecli cycle issue-papers 2026`）"


def test_refusals_and_summaries_read_in_chinese(office, tmp_path):
    r = run(office, "--lang", "zh", "cycle", "issue-papers", "2026")
    assert r.exit_code == 1
    assert r.stderr == ("错误：周期 2026 当前为“草稿”：还不能出卷；请先为考生报名"
                        "（`gradecli cycle register 2026 --all-eligible`）\n")
    r = run(office, "--lang", "zh", "cycle", "register", "2026", "--file",
            write_xlsx(tmp_path / "bad.xlsx", ["工号"], [["K1"], ["K4"]]))
    assert r.exit_code == 1 and "第 3 行，工号列：K4 张三 不可报名：未达 2 等最高级" in r.stderr
    out = ok(office, "--lang", "zh", "cycle", "register", "2026", "--all-eligible").stdout
    assert out == "周期 2026：新报名 2 人（其中快速通道申请 0 人），0 人此前已报名；共 2 名考生\n"
    r = run(office, "--lang", "zh", "cycle", "show", "2099")
    assert r.exit_code == 2 and r.stderr.startswith("错误：没有周期“2099”（现有周期：2026）")
    r = run(office, "--lang", "en", "cycle", "show", "2099")
    assert r.stderr.startswith("Error: no cycle '2099' (cycles: 2026)")


def test_quota_derivations_are_stored_as_messages_and_read_in_either_language(office):
    plan = _json(office, "cycle", "quota", "2026", "--accept", "share", lang="zh")
    (row,) = plan["rows"]
    assert row["derivation"]["code"] == "quota_share"
    assert row["derivation"]["params"] == {"percent": 40, "base": 2, "exact": 0.8, "floor": 0, "seats": 1}
    assert row["derivation"]["text"] == "可报名 2 人的 40% = 0.8，向下取整为 0，提高到 1（至少 1 个）"
    # confirmed in Chinese, read in English later: the plan keeps the message, not its text
    again = _json(office, "cycle", "quota", "2026", lang="en")
    assert again["plan"]["客服 → tier 3"]["derivation"]["text"] == ("40 percent of 2 eligible = 0.8, rounded down to 0, "
                                                                  "raised to 1 (at least 1)")
    assert again["rows"][0]["group"]["text"] == "客服 → tier 3" and again["rows"][0]["confirmed"] == 1
    from sqlalchemy import select

    from gradecli.services.context import Context
    from gradecli.store.models import CycleRow

    ctx = Context(url=office)
    with ctx.uow() as uow:
        stored = json.loads(uow.s.scalars(select(CycleRow.quota_plan).where(CycleRow.code == "2026")).one())
        assert json.loads(stored["客服 → tier 3"]["derivation"])["c"] == "quota_share"
        # a plan confirmed before derivations were messages keeps its text
        c = uow.s.scalars(select(CycleRow).where(CycleRow.code == "2026")).one()
        c.quota_plan = json.dumps({"客服 → tier 3": {"seats": 2, "derivation": "set by the officer: 2 seats"}})
        uow.commit()
    ctx.engine.dispose()
    old = _json(office, "cycle", "quota", "2026", lang="zh")
    assert old["rows"][0]["derivation"] == "set by the officer: 2 seats" and old["rows"][0]["confirmed"] == 2


def test_cycle_help_reads_in_chinese(office):
    out = ok(office, "--lang", "zh", "cycle", "eligibility", "--help").stdout
    assert "谁可以参加考试、谁不可以及全部原因，以及下次何时可报名。" in out
    out = ok(office, "--lang", "zh", "cycle", "create", "--help").stdout
    assert "创建考评周期" in out and "annual（年度）或 semiannual（半年度）。" in out
    assert "Create a cycle" in ok(office, "--lang", "en", "cycle", "create", "--help").stdout
