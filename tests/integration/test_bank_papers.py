from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from gradecli.domain.errors import BadInput, RuleRefused
from gradecli.services import bank, papers
from gradecli.store.models import PaperRow, QuestionVersionRow

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "question_bank"

SMALL = """\
tier: 1
family: 客服
questions:
  - id: T-1
    type: single
    stem: 客服接线反应时间必须在多长时间之内？
    options: [5秒, 15秒, 30秒, 1分钟]
    answer: B
    points: 2
    difficulty: 0.8
    areas: [工作纪律]
    explanation: 篇1
"""


def _write(tmp_path, text, name="客服/tier-1.yaml"):
    f = tmp_path / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text, encoding="utf-8")
    return f


def test_sample_banks_import_cleanly_and_support_every_tier(ctx, tmp_path):
    result = bank.import_paths(ctx, [BANKS])
    assert result.data["added"] >= 3000
    assert "nothing changed" in bank.import_paths(ctx, [BANKS]).summary
    capacity = bank.stats(ctx).extra["capacity"]
    for family in ("航标", "测量", "通信", "客服"):
        by_tier = {c["tier"]: c for c in capacity if c["family"] == family}
        assert sorted(by_tier) == [1, 2, 3, 4, 5]
        for tier in range(1, 6):
            assert by_tier[tier]["active"] >= 120 + 50
            assert by_tier[tier]["short_for_sitting"] == []
    with pytest.raises(BadInput, match="tier 3 has banks for 客服, 测量, 航标, 通信; choose one with --family"):
        papers.generate(ctx, tier=3, family=None, count=2, variants=None, seed="t")


def test_bad_file_rejected_whole_with_file_and_line(ctx, tmp_path):
    bad = SMALL + """\
  - id: T-2
    type: essay
    stem: x
    points: 0
    difficulty: 2
    areas: []
  - id: T-1
    type: single
    stem: y
    options: [a, b]
    answer: C
    points: 2
    difficulty: 0.5
    areas: [x]
"""
    f = _write(tmp_path, bad)
    with pytest.raises(BadInput) as err:
        bank.import_paths(ctx, [f])
    lines = err.value.lines()
    assert f"{f}:13: question T-2: type 'essay' is unknown; use one of single, multiple, judge, fill, short" in lines
    assert f"{f}:13: question T-2: points 0 is not a positive whole number" in lines
    assert f"{f}:13: question T-2: difficulty 2 is outside 0–1 (the share expected to answer correctly)" in lines
    assert f"{f}:13: question T-2: knowledge area (areas) is missing; give at least one" in lines
    assert f"{f}:19: question T-1: answer C is not among the options A–B" in lines
    assert f"{f}:19: duplicate id T-1 (first at {f}:4)" in lines
    with ctx.uow() as uow:
        assert uow.s.scalar(select(func.count()).select_from(QuestionVersionRow)) == 0


def test_tier_outside_ladder_and_broken_yaml(ctx, tmp_path):
    f = _write(tmp_path, SMALL.replace("tier: 1", "tier: 7"), "客服/tier-7.yaml")
    with pytest.raises(BadInput, match=r"tier 7 is outside the ladder"):
        bank.import_paths(ctx, [f])
    g = _write(tmp_path, "tier: 1\nfamily: 客服\nquestions:\n  - id: [unclosed\n", "客服/tier-1.yaml")
    with pytest.raises(BadInput, match=r"tier-1.yaml:\d+: not valid YAML"):
        bank.import_paths(ctx, [g])


def test_editing_a_used_question_makes_a_new_version(ctx, tmp_path):
    bank.import_paths(ctx, [BANKS / "客服" / "tier-1.yaml", BANKS / "common" / "tier-1.yaml"])
    code = papers.generate(ctx, tier=1, family="客服", count=1, variants=None, seed="v").data["papers"][0]["paper"]
    shown = papers.show(ctx, code)
    qid = shown.rows[0]["qid"].split()[0]
    family_file = "客服" if qid.startswith("KF") else "common"
    # change the stem of that question in its bank file
    lines = (BANKS / family_file / "tier-1.yaml").read_text(encoding="utf-8").splitlines()
    i = [ln.strip() for ln in lines].index(f"- id: {qid}")
    j = next(k for k in range(i, len(lines)) if lines[k].lstrip().startswith("stem:"))
    lines[j] = lines[j] + "（修订）"
    f = _write(tmp_path, "\n".join(lines) + "\n", f"{family_file}/tier-1.yaml")
    result = bank.import_paths(ctx, [f])
    assert result.data.get("new_versions") == 1
    # the stored paper keeps version 1; the bank now serves version 2
    assert papers.show(ctx, code).rows[0]["qid"] == f"{qid} v1"
    assert papers.show(ctx, code).rows[0]["stem"].endswith("（修订）") is False
    exported = tmp_path / "export.yaml"
    bank.export(ctx, tier=1, family=family_file, out=exported)
    assert "（修订）" in exported.read_text(encoding="utf-8")


def test_unused_question_is_edited_in_place_and_retire(ctx, tmp_path):
    f = _write(tmp_path, SMALL)
    bank.import_paths(ctx, [f])
    _write(tmp_path, SMALL.replace("difficulty: 0.8", "difficulty: 0.75"))
    assert bank.import_paths(ctx, [f]).data["edited"] == 1
    assert bank.retire(ctx, "T-1").data["changed"] is True
    assert bank.retire(ctx, "T-1").data["changed"] is False
    assert bank.stats(ctx).rows[0]["retired"] == 1


def test_excel_route_round_trips(ctx, tmp_path):
    bank.import_paths(ctx, [BANKS / "客服" / "tier-2.yaml"])
    out = tmp_path / "t2.xlsx"
    bank.export(ctx, tier=2, family="客服", out=out)
    tpl = tmp_path / "tpl.xlsx"
    bank.write_template(tpl)
    ws = load_workbook(tpl)["Question bank"]  # the sheet's name in the run's language (题库 in Chinese)
    assert ws["A1"].value == "编号 / ID"
    # the exported workbook imports again with nothing to change
    assert "nothing changed" in bank.import_paths(ctx, [out]).summary
    # an untouched template has no rows (its example is on the 说明 sheet); a written row imports
    with pytest.raises(BadInput, match="sheet Question bank: no data rows"):
        bank.import_paths(ctx, [tpl])
    wb = load_workbook(tpl)
    wb["Question bank"].append(["KF-T2-901", 2, "客服", "judge", "来电须在三声铃响内接听。", *[None] * 8, "对", 1, 0.9,
                                 "服务规范", None, None])
    wb.save(tpl)
    assert bank.import_paths(ctx, [tpl]).data["added"] == 1


def test_impossible_request_refused_before_anything_is_written(ctx, tmp_path):
    bank.import_paths(ctx, [_write(tmp_path, SMALL)])
    with pytest.raises(RuleRefused) as err:
        papers.generate(ctx, tier=1, family="客服", count=1, variants=None, seed="x")
    text = "\n".join(err.value.lines())
    assert "tier 1, 客服+common, single choice × 2 points: 1 active questions, 20 needed" in text
    assert "tier 1, 客服+common, short answer × 5 points: 0 active questions, 2 needed" in text
    with ctx.uow() as uow:
        assert uow.s.scalar(select(func.count()).select_from(PaperRow)) == 0


def test_same_seed_same_papers_in_the_database(ctx):
    bank.import_paths(ctx, [BANKS / "客服" / "tier-3.yaml", BANKS / "common" / "tier-3.yaml"])
    a = papers.generate(ctx, tier=3, family="客服", count=2, variants=None, seed="same")
    b = papers.generate(ctx, tier=3, family="客服", count=2, variants=None, seed="same")
    rows_a = [papers.show(ctx, p["paper"]).rows for p in a.data["papers"]]
    rows_b = [papers.show(ctx, p["paper"]).rows for p in b.data["papers"]]
    assert rows_a == rows_b


def test_candidate_files_hold_no_answer(ctx, tmp_path):
    bank.import_paths(ctx, [BANKS / "客服" / "tier-4.yaml", BANKS / "common" / "tier-4.yaml"])
    out = papers.generate(ctx, tier=4, family="客服", count=None, variants=2, seed="k")
    codes = [p["paper"] for p in out.data["papers"]]
    papers.export(ctx, codes, out=tmp_path, formats=["xlsx", "html"])
    for code in codes:
        rows = papers.show(ctx, code, key=True).rows
        visible = " ".join(r["stem"] + " ".join(r["options"]) for r in rows)
        secrets_ = []
        with ctx.uow() as uow:
            _, items = papers.load_paper(uow.s, code)
        for item in items:
            q = item.question
            if q.explanation and q.explanation not in visible:
                secrets_.append(q.explanation)
            if q.type == "short" and q.answer not in visible:
                secrets_.append(q.answer)
            if q.type == "fill":
                secrets_ += [a for a in q.answer if len(a) > 2 and a not in visible]
        assert secrets_
        html = (tmp_path / f"{code}.html").read_text(encoding="utf-8")
        wb = load_workbook(tmp_path / f"{code}.xlsx")
        cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
        for s in secrets_:
            assert s not in html and s not in cells, f"{code}: answer text {s!r} in the candidate file"
        key = (tmp_path / f"{code}-key.html").read_text(encoding="utf-8")
        assert any(s in key for s in secrets_)
        assert "@page" in html and "size: A4" in html and "Paper No.: " + code in html and "Employee No.: " in html
