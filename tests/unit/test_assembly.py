"""Paper assembly: property tests over random banks, determinism, the validator on its own."""

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradecli.domain.assembly import (Blueprint, Paper, PaperItem, Section, assemble_sitting, shortfalls,
                                      shown_answer, validate_paper)
from gradecli.domain.bank import Question
from gradecli.domain.errors import RuleRefused

SECTIONS = (Section("single", 20, 2), Section("multiple", 10, 3), Section("judge", 10, 1),
            Section("fill", 5, 2), Section("short", 2, 5))
AREAS = ("岗位职责", "服务规范与礼仪", "投诉处理", "等级制度", "订单与物流")


def _bp(**kw):
    base = dict(tier=3, sections=SECTIONS, target=65.0, tolerance=2.0, required_areas=AREAS[:4],
                exposure_last=2, sitting_share=50, overlap_share=30)
    base.update(kw)
    return Blueprint(**base)


def make_bank(per_section: dict, diffs, family="客服", tier=3) -> list[Question]:
    qs, n = [], 0
    for sec in SECTIONS:
        for _ in range(per_section[sec.type]):
            d = diffs[n % len(diffs)]
            opts = ("甲", "乙", "丙", "丁") if sec.type in ("single", "multiple") else ()
            ans = {"single": "A", "multiple": "AB", "judge": True, "fill": ("x",), "short": "g"}[sec.type]
            qs.append(Question(qid=f"Q{n:04d}", tier=tier, family=family if n % 4 else "common", type=sec.type,
                               stem=f"stem {n}", options=opts, answer=ans, points=sec.points, difficulty=d,
                               areas=(AREAS[n % len(AREAS)],)))
            n += 1
    return qs


BIG = {"single": 60, "multiple": 30, "judge": 30, "fill": 15, "short": 6}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(diffs=st.lists(st.floats(0.35, 0.95), min_size=5, max_size=40), seed=st.text(min_size=1, max_size=8),
       count=st.integers(1, 6), extra=st.integers(0, 20))
def test_every_paper_of_a_feasible_bank_is_valid(diffs, seed, count, extra):
    bank = make_bank({k: v + extra for k, v in BIG.items()}, diffs)
    bp = _bp()
    if shortfalls([q for q in bank], bp, family="客服", papers=count):
        with pytest.raises(RuleRefused):
            assemble_sitting(bank, bp, "客服", seed, count=count)
        return
    try:
        papers = assemble_sitting(bank, bp, "客服", seed, count=count)
    except RuleRefused as exc:  # feasible in sum but no valid paper found: must say so, never store a bad one
        assert "no valid paper" in str(exc)
        return
    usage = Counter()
    for p in papers:
        assert p.total == 100
        assert validate_paper(p, bp) == []
        usage.update(p.qids())
    cap = bp.sitting_cap(count)
    if cap:
        assert max(usage.values()) <= cap


@settings(max_examples=30, deadline=None)
@given(short=st.integers(0, 1), single=st.integers(0, 19), diff=st.floats(0.05, 0.3))
def test_infeasible_banks_are_refused_naming_the_shortfall(short, single, diff):
    bank = make_bank({"single": single, "multiple": 10, "judge": 10, "fill": 5, "short": short}, [diff])
    with pytest.raises(RuleRefused) as err:
        assemble_sitting(bank, _bp(), "客服", "s", count=1)
    text = str(err.value)
    assert f"tier 3, 客服+common, single choice × 2 points: {single} active questions, 20 needed" in text
    assert f"short answer × 5 points: {short} active questions, 2 needed" in text


def test_unreachable_band_names_the_easiest_paper():
    bank = make_bank(BIG, [0.3])
    problems = shortfalls(bank, _bp(), family="客服")
    assert [p.code for p in problems] == ["band_unreachable"]
    assert str(problems[0]) == ("expected score band 63–67 unreachable: the easiest papers this bank allows score 30; "
                                "single choice × 2 points holds it back most (its easiest questions average "
                                "difficulty 0.3, the band needs about 0.65)")


def test_same_seed_same_papers_other_seed_other_papers():
    bank = make_bank(BIG, [0.5, 0.6, 0.7, 0.8, 0.65])
    a = assemble_sitting(bank, _bp(), "客服", "2026", count=3)
    b = assemble_sitting(bank, _bp(), "客服", "2026", count=3)
    c = assemble_sitting(bank, _bp(), "客服", "2027", count=3)
    assert a == b
    assert [p.items for p in a] != [p.items for p in c]


def test_options_are_shuffled_and_the_key_follows():
    bank = make_bank(BIG, [0.5, 0.6, 0.7, 0.8, 0.65])
    papers = assemble_sitting(bank, _bp(), "客服", "x", count=6)
    orders = {i.order for p in papers for i in p.items if i.question.type == "single"}
    assert len(orders) > 1
    q = bank[0]
    assert shown_answer(q, (2, 0, 1, 3)) == "B"  # original A is shown second
    assert shown_answer(replace(q, answer="AB"), (1, 2, 3, 0)) == "AD"


def test_recent_papers_are_avoided():
    bank = make_bank({k: v * 3 for k, v in BIG.items()}, [0.5, 0.6, 0.7, 0.8, 0.65])
    first = assemble_sitting(bank, _bp(), "客服", "a", count=1)[0]
    second = assemble_sitting(bank, _bp(), "客服", "b", count=1, histories=[first.qids()])[0]
    assert not first.qids() & second.qids()


def test_variants_overlap_at_most_the_share():
    bank = make_bank({k: v * 2 for k, v in BIG.items()}, [0.5, 0.6, 0.7, 0.8, 0.65])
    bp = _bp()
    papers = assemble_sitting(bank, bp, "客服", "v", variants=3)
    assert [p.variant for p in papers] == ["A", "B", "C"]
    for i in range(3):
        for j in range(i + 1, 3):
            assert len(papers[i].qids() & papers[j].qids()) <= bp.max_common()


def test_parallel_variants_are_fair():
    bank = make_bank({k: v * 2 for k, v in BIG.items()}, [0.45, 0.55, 0.65, 0.75, 0.85, 0.6, 0.7])
    bp = _bp()
    papers = assemble_sitting(bank, bp, "客服", "fair", variants=3)
    scores = [p.expected for p in papers]
    assert max(scores) - min(scores) <= bp.tolerance + 1e-9


def test_validator_refuses_an_unfair_variant():
    paper, _ = _valid_paper()
    problems = validate_paper(paper, _bp(), peers=[paper.expected + 2.5])
    assert any("parallel papers must be fair" in p for p in problems)


def test_enemies_never_together():
    bank = make_bank(BIG, [0.5, 0.6, 0.7, 0.8, 0.65])
    singles = [q.qid for q in bank if q.type == "single"]
    bp = _bp(enemies=(frozenset(singles[:30]),))
    for seed in ("e1", "e2", "e3"):
        p = assemble_sitting(bank, bp, "客服", seed, count=1)[0]
        assert len(p.qids() & set(singles[:30])) <= 1


def test_no_blueprint_draws_exactly_100_points():
    bank = make_bank(BIG, [0.6])
    bp = _bp(sections=(), target=None, required_areas=())
    for p in assemble_sitting(bank, bp, "客服", "free", count=3):
        assert p.total == 100 and len(p.qids()) == len(p.items)


# ---------------------------------------------------------------- the validator alone

def _valid_paper():
    bank = make_bank(BIG, [0.5, 0.6, 0.7, 0.8, 0.65])
    return assemble_sitting(bank, _bp(), "客服", "v", count=1)[0], bank


def test_validator_accepts_a_valid_paper():
    paper, _ = _valid_paper()
    assert validate_paper(paper, _bp()) == []


def test_validator_catches_each_violation():
    paper, bank = _valid_paper()
    bp = _bp()
    items = list(paper.items)
    dup = Paper(paper.tier, paper.family, tuple(items[:-1] + [items[0]]), paper.seed)
    assert any("appear twice" in p for p in validate_paper(dup, bp))
    short = Paper(paper.tier, paper.family, tuple(items[:-1]), paper.seed)
    assert any("totals 95 points" in p for p in validate_paper(short, bp))
    wrong_tier = Paper(paper.tier, paper.family, tuple([PaperItem(replace(items[0].question, tier=2), items[0].order)] + items[1:]), paper.seed)
    assert any("tier-2 question on a tier-3 paper" in p for p in validate_paper(wrong_tier, bp))
    other = Paper(paper.tier, paper.family, tuple([PaperItem(replace(items[0].question, family="航标"), items[0].order)] + items[1:]), paper.seed)
    assert any("belongs to 航标" in p for p in validate_paper(other, bp))
    assert any("outside 73–77" in p for p in validate_paper(paper, _bp(target=75.0)))
    assert any("not covered: 应急处置" in p for p in validate_paper(paper, _bp(required_areas=("应急处置",))))
    some = next(iter(paper.qids()))
    assert any("recent papers" in p for p in validate_paper(paper, bp, avoid={some}))
    assert any("over the sitting cap" in p for p in validate_paper(paper, bp, usage=Counter({some: 1}), cap=1))
    assert any("shares 47 questions with variant A" in p for p in validate_paper(paper, bp, others=[paper.qids()]))
    bad_order = Paper(paper.tier, paper.family, tuple([PaperItem(items[0].question, (0, 0, 1, 2))] + items[1:]), paper.seed)
    assert any("not a permutation" in p for p in validate_paper(bad_order, bp))


# ---------------------------------------------------------------- fairness of the draw itself

CHI2_99_9 = {3: 16.27, 23: 49.73, 79: 123.7}  # chi-square critical values at p = 0.001


def _chi2(counts, expected):
    return sum((c - expected) ** 2 / expected for c in counts)


def test_every_question_and_option_order_is_equally_likely():
    """With no band, areas or caps to steer it, the draw is a uniform random subset with uniformly
    shuffled options: question counts and shown orders pass a chi-square test (fixed seed, so the
    test is deterministic; a biased draw fails it by a wide margin)."""
    bank = make_bank({"single": 80, "multiple": 0, "judge": 0, "fill": 0, "short": 0}, [0.6])
    bp = _bp(sections=(Section("single", 50, 2),), target=None, required_areas=(), sitting_share=100)
    papers = assemble_sitting(bank, bp, "客服", "uniform", count=2000)
    per_question = Counter(q for p in papers for q in p.qids())
    assert len(per_question) == 80
    assert _chi2(per_question.values(), 2000 * 50 / 80) < CHI2_99_9[79]
    orders = Counter(i.order for p in papers for i in p.items)
    assert len(orders) == 24  # every order of 4 options turns up
    assert _chi2(orders.values(), 2000 * 50 / 24) < CHI2_99_9[23]
    first_shown = Counter(i.order[0] for p in papers for i in p.items)
    assert _chi2(first_shown.values(), 2000 * 50 / 4) < CHI2_99_9[3]


def test_a_section_mostly_excluded_still_draws_what_is_left():
    """When the candidate's recent papers leave a section exactly enough questions, random picks
    rarely hit them; the draw then takes them from the allowed questions directly."""
    bank = make_bank({k: v * 2 for k, v in BIG.items()}, [0.5, 0.6, 0.7, 0.8, 0.65])
    singles = [q.qid for q in bank if q.type == "single"]
    keep = set(singles[:20])
    paper = assemble_sitting(bank, _bp(target=None), "客服", "left", count=1,
                             histories=[set(singles) - keep])[0]
    assert {i.question.qid for i in paper.items if i.question.type == "single"} == keep


def test_validator_wants_the_sections_in_blueprint_order():
    paper, _ = _valid_paper()
    items = list(paper.items)
    swapped = Paper(paper.tier, paper.family, tuple(items[-1:] + items[:-1]), paper.seed)
    problems = validate_paper(swapped, _bp())
    assert [(p.code, str(p)) for p in problems] == [
        ("sections_out_of_order", "the questions are not in the order of the blueprint's sections")]
