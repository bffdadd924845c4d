"""bank check's rules on real questions: paraphrases are near-duplicates, questions that merely
share a topic or a sentence pattern are not; repeated options; the spreads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from gradecli.domain.assembly import Blueprint
from gradecli.domain.bank import normalise, repeated_options
from gradecli.domain.bank_check import area_minimum, check_group, duplicates
from gradecli.domain.policy import Policy
from gradecli.services.bank import read_sources

BANKS = Path(__file__).resolve().parents[2] / "question_bank"

# Real questions of the shipped banks, each asked again in other words (the key unchanged).
PARAPHRASES = [
    ("CL-T1-015", "我国海区海图上的深度基准面是哪一种？"),
    ("CL-T1-025", "进行潮位改正（水位改正）的目的是什么？"),
    ("HB-T3-020", "在软泥底质的海区，浮标屡次走锚，比较合理的整改办法是？"),
    ("KF-T4-035", "答复顾客时，客服发现信息库里有一条答复与新政策不一致，应当怎样做？"),
    ("CM-T4-128", "事故隐患的排查治理情况只要单位领导知道即可，无需向从业人员通报。"),
    ("CL-T1-094", "墨卡托投影的海图上，大圆航线是一条直线。"),
    ("TX-T5-028", "两台共址发射机的频率分别为f1和f2，它们的三阶互调产物是？"),
    ("CM-T4-107", "担任实际操作技能考核的考评员时，应做到的有？"),
    ("HB-T3-122", "太阳能航标的功率预算（能量平衡）计算有哪些步骤？请简述。"),
    ("KF-T4-081", "为了满意度数据客观，满意度回访最好不要由被评价的经办客服自己来做。"),
    ("HB-T3-051", "一座浮标标身为黑色并有红色横带，海图上注记Fl(2) 5s，关于它下列说法正确的是？"),
    ("TX-T5-012", "某次遇险事件评估发现：岸台收到HF DSC遇险报警后，许多远方船舶也在该频率用DSC确认，"
                  "导致频率拥塞。培训时应当强调？"),
    ("TX-T1-105", "无论在哪个海区航行，SOLAS公约要求GMDSS船舶都能完成____项通信功能。"),
    ("TX-T1-107", "AIS-SART九位识别码的开头数字是____。"),
]

# Real pairs that share a topic or a sentence pattern but ask different things (the closest
# pairs of the shipped banks by stem alone).
DIFFERENT = [
    ("TX-T1-034", "TX-T1-035"),  # NAVTEX B2 字符为 "A" / "D" 表示…
    ("HB-T2-012", "HB-T2-013"),  # 地理射程 / 光力射程主要取决于
    ("TX-T5-108", "TX-T5-117"),  # DSC / AIS 技术特性的 ITU-R 建议书
    ("TX-T1-037", "TX-T1-039"),  # NAVTEX B3B4 / B1 字符表示
    ("KF-T2-003", "KF-T2-004"),  # 漏录数量 / 型号录错
    ("HB-T1-003", "HB-T1-005"),  # 右侧标 / 西方位标的顶标
    ("HB-T1-007", "HB-T1-011"),  # 安全水域标志 / 专用标志的标身颜色
    ("CL-T1-007", "CL-T1-008"),  # 单波束 / 多波束主测深线布设
    ("TX-T2-012", "TX-T2-013"),  # VHF / HF DSC 遇险报警
    ("CM-T1-114", "CM-T1-115"),  # 从业人员的权利 / 义务
]


@pytest.fixture(scope="module")
def shipped():
    return {q.qid: q for q in read_sources([BANKS], tiers=5)}


def test_paraphrases_of_real_questions_are_near_duplicates(shipped):
    for qid, stem in PARAPHRASES:
        original = shipped[qid]
        again = dataclasses.replace(original, qid=qid + "-again", stem=stem)
        found = duplicates([original, again], fuzz)
        assert [(kind, a, b) for kind, a, b, _ in found] == [("near", qid, qid + "-again")], qid


def test_questions_that_only_share_a_topic_are_not(shipped):
    for a, b in DIFFERENT:
        assert duplicates([shipped[a], shipped[b]], fuzz) == [], (a, b)


def test_the_same_question_twice_is_an_exact_duplicate(shipped):
    q = shipped["HB-T2-012"]
    twin = dataclasses.replace(q, qid="X", stem=q.stem.replace("？", " ?"), options=tuple(reversed(q.options)),
                               answer="A")
    assert duplicates([q, twin], fuzz) == [("exact", "HB-T2-012", "X", 100)]


def test_repeated_options_ignore_width_spaces_and_punctuation_but_not_numbers():
    assert repeated_options(["15秒内", "15 秒内", "1分钟内"]) == ["15秒内"]
    assert repeated_options(["Ａ级。", "a级"]) == ["Ａ级。"]
    assert repeated_options(["1.75小时", "175小时", "17.5小时"]) == []
    assert repeated_options(["1:500", "1500"]) == []
    assert normalise("可用率为99.8%时，一年____小时？") == "可用率为99.8%时一年小时"


def test_spreads_and_areas(shipped):
    policy = Policy()
    bp = Blueprint.from_policy(policy, 3, family="航标")
    own = [q for q in shipped.values() if q.tier == 3 and q.family == "航标" and q.active]
    common = [q for q in shipped.values() if q.tier == 3 and q.family == "common" and q.active]
    clean = check_group(3, "航标", own, common, bp, fuzz)
    assert clean.findings == [] and {a.area for a in clean.areas} >= {"等级制度", "安全生产", "航标标志"}
    all_b = [dataclasses.replace(q, answer="B") if q.type == "single" else q for q in own]
    all_true = [dataclasses.replace(q, answer=True) if q.type == "judge" else q for q in all_b]
    found = {f.code: f for f in check_group(3, "航标", all_true, common, bp, fuzz).findings}
    assert found["single_letters"].severity == "warning"
    assert found["single_letters"].params["letters"]["B"] == sum(1 for q in own if q.type == "single")
    assert found["judge_balance"].params["false"] == 0
    # an area left with fewer questions than a sitting needs, and one with none
    thin = [q for q in own if "航标能源与遥测" not in q.areas or q.qid in {"HB-T3-031", "HB-T3-032"}]
    gone = [q for q in thin if "航标作业安全" not in q.areas]
    found = {(f.code, f.params.get("area")): f for f in check_group(3, "航标", gone, common, bp, fuzz).findings}
    assert found[("area_too_few", "航标能源与遥测")].params["needed"] == area_minimum(bp) == 4
    assert found[("area_missing", "航标作业安全")].severity == "blocking"
