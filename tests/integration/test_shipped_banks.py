"""The shipped banks: readable stems, and 20 valid papers for every family and tier under the
built-in policy."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from gradecli.domain.assembly import Blueprint, assemble_sitting, validate_paper
from gradecli.domain.policy import Policy
from gradecli.services.bank import read_sources

BANKS = Path(__file__).resolve().parents[2] / "question_bank"
FAMILIES = ("航标", "测量", "通信", "客服")


@pytest.fixture(scope="module")
def shipped():
    return read_sources([BANKS], tiers=5)


def test_every_family_and_tier_has_a_bank():
    for family in (*FAMILIES, "common"):
        assert sorted(p.name for p in (BANKS / family).glob("tier-*.yaml")) == [f"tier-{t}.yaml" for t in range(1, 6)]


def test_no_stem_or_explanation_cites_the_web_collection_or_the_tool(shipped):
    banned = re.compile(r"篇[0-9]|SPEC|默认政策")
    bad = [f"{q.qid}: {text[:60]}" for q in shipped for text in (q.stem, q.explanation) if banned.search(text)]
    assert bad == []


@pytest.mark.parametrize("family", FAMILIES)
def test_twenty_papers_per_tier_pass_the_validator(shipped, family):
    policy = Policy()
    for tier in range(1, 6):
        bp = Blueprint.from_policy(policy, tier, family=family)
        assert {"等级制度", "安全生产", *policy.blueprint.families[family].required_areas} == set(bp.required_areas)
        assert bp.band == (69.5, 70.5)  # the default tolerance: every paper within one expected point of the others
        papers = assemble_sitting(shipped, bp, family, f"shipped-{family}-{tier}", count=20)
        assert len(papers) == 20
        cap = bp.sitting_cap(20)
        usage: Counter = Counter()
        for paper in papers:
            # the validator on its own, paper by paper, with the sitting's usage so far
            assert validate_paper(paper, bp, usage=usage, cap=cap) == [], (family, tier)
            usage.update(paper.qids())
        assert max(usage.values()) <= cap == 10
        expected = [p.expected for p in papers]
        assert max(expected) - min(expected) <= 1.0 + 1e-9
        assert {i.question.family for p in papers for i in p.items} == {family, "common"}
