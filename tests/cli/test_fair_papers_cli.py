"""Fair papers through the command line: issue-papers prints each sitting's spread, and cycle show,
the notice and report cycle carry the fairness line; the report puts what candidates scored beside
what their papers expected."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.story import ok, run, seed_office, sit
from tests.helpers import write_xlsx

LINE = re.compile(r"Paper difficulty consistency \(二等, (\d+) papers\): expected score (\d+\.\d\d)–(\d+\.\d\d), "
                  r"spread (\d+\.\d\d) points")


@pytest.fixture
def org(db_url, tmp_path):
    return seed_office(db_url, tmp_path)


def test_the_fairness_of_a_sitting_is_printed_published_and_reported(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2")
    ok(db, "cycle", "register", "2026H2", "--all-eligible")
    people = [r["emp_no"] for r in json.loads(ok(db, "--json", "cycle", "show", "2026H2").stdout)["rows"]]
    n = len(people)
    assert n >= 2
    issued = json.loads(ok(db, "--json", "cycle", "issue-papers", "2026H2", "--seed", "fair").stdout)
    (group,) = issued["groups"]  # tier 2 of 客服: one sitting
    assert group["tier"] == 2 and group["family"] == "客服" and group["papers"] == n
    assert 69.5 <= group["expected_low"] <= group["expected_high"] <= 70.5
    assert group["spread"] == pytest.approx(group["expected_high"] - group["expected_low"]) and group["spread"] <= 1.0
    assert 1 <= group["mean_use"] <= group["max_use"] <= 2 and group["questions"] >= 47  # the cap: half of 4 papers
    assert any(x.startswith(f"二等 客服: {n} paper(s), expected score ") for x in issued["notes"]), issued["notes"]

    shown = json.loads(ok(db, "--json", "cycle", "show", "2026H2").stdout)
    (fair,) = shown["paper_fairness"]
    assert fair["tier"] == 2 and fair["papers"] == n and fair["families"] == ["客服"]
    assert (fair["expected_low"], fair["expected_high"]) == (group["expected_low"], group["expected_high"])
    line = next(x for x in shown["notes"] if LINE.match(x))
    assert LINE.match(line).groups() == (str(n), f"{group['expected_low']:.2f}", f"{group['expected_high']:.2f}",
                                        f"{group['spread']:.2f}")

    zh = run(db, "--lang", "zh", "cycle", "show", "2026H2")
    assert zh.exit_code == 0
    assert f"试卷难度一致性（二等，{n} 份试卷）：期望得分 {group['expected_low']:.2f}–{group['expected_high']:.2f}，" \
           f"极差 {group['spread']:.2f} 分" in zh.stderr

    sit(db, "2026H2", tmp_path, {e: 6 for e in people}, {e: 80 for e in people})
    ok(db, "cycle", "evaluate", "2026H2")
    ok(db, "cycle", "publish", "2026H2", "--out", tmp_path / "notices", today="2026-12-20")
    notice = (tmp_path / "notices" / "notice-2026H2-r1.html").read_text(encoding="utf-8")
    assert line in notice

    report = json.loads(ok(db, "--json", "report", "cycle", "2026H2", "--out", tmp_path / "c.xlsx").stdout)
    assert report["paper_fairness"] == shown["paper_fairness"]
    observed = report["observed"]
    assert [r["kind"] for r in observed] == ["decile"] * n  # fewer than ten candidates: one per group
    assert [r["group"] for r in observed] == list(range(1, n + 1))
    assert sum(r["candidates"] for r in observed) == n
    expected = [r["mean_expected"] for r in observed]
    assert expected == sorted(expected)  # lowest expected score first
    for r in observed:
        assert r["difference"] == pytest.approx(r["mean_theory"] - r["mean_expected"], abs=0.011)
    assert line in report["notes"]
    assert any(x.startswith("二等: mean theory score per decile") for x in report["notes"])


def test_shared_variants_are_reported_per_variant(org, tmp_path):
    db = org
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    ok(db, "cycle", "register", "2026", "--file", write_xlsx(tmp_path / "reg.xlsx", ["工号"], [["K1"], ["K2"], ["K3"]]))
    issued = json.loads(ok(db, "--json", "cycle", "issue-papers", "2026", "--mode", "shared", "--variants", "2",
                           "--seed", "v").stdout)
    (group,) = issued["groups"]
    assert group["papers"] == 2 and group["spread"] <= 0.5  # variants: within the tolerance of each other
    sit(db, "2026", tmp_path, {"K1": 6, "K2": 6, "K3": 6}, {"K1": 80, "K2": 70, "K3": 95})
    report = json.loads(ok(db, "--json", "report", "cycle", "2026").stdout)
    assert [(r["kind"], r["group"], r["family"]) for r in report["observed"]] == [("variant", "A", "客服"),
                                                                                   ("variant", "B", "客服")]
    assert sum(r["candidates"] for r in report["observed"]) == 3
    assert any(x.startswith("三等 客服: mean theory score per shared variant: A ") for x in report["notes"])
