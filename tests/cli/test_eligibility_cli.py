"""Eligibility (报名资格) end to end, as an HR officer sees it in `cycle eligibility --json`: the rules
issue 12 brings closer to the article (no title requirement by default, deferral for the next
cycle of each kind, front-line time actually served)."""

from __future__ import annotations

import json
from datetime import date

from tests.cli.story import ok
from tests.helpers import person, roster, write_xlsx

GRADE_HEADERS = ["工号", "等", "级", "生效日期"]


def eligibility(db, code, *pre):
    listing = json.loads(ok(db, *pre, "--json", "cycle", "eligibility", code).stdout)
    return {r["emp_no"]: r for r in listing["rows"]}


def test_no_title_requirement_by_default_and_one_the_policy_sets(db_url, tmp_path):
    """"大多数人将在中级专业技术职务上达到个人瓶颈": a 中级 at the top of tier 4 may sit the tier-5
    exam unless the office's policy asks for a title."""
    db = db_url
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [person("T1", title="中级"), person("T2", title="副高级"),
                                                          person("T3", title="初级")]))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", GRADE_HEADERS, [
        ["T1", 4, 3, "2024-01-01"], ["T2", 4, 3, "2024-01-01"], ["T3", 3, 3, "2024-01-01"]]))
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2026")
    el = eligibility(db, "2026")
    assert {e: (r["eligible"], r["target"], r["reasons"], r["next_date"]) for e, r in el.items()} == {
        "T1": ("是", "5-1", "", None), "T2": ("是", "5-1", "", None), "T3": ("是", "4-1", "", None)}

    policy = tmp_path / "policy.toml"
    ok(db, "policy", "init", policy)
    text = policy.read_text(encoding="utf-8")
    assert "大多数人将在中级专业技术职务上达到个人瓶颈" in text and "title_requirements = {  }" in text
    policy.write_text(text.replace("title_requirements = {  }", 'title_requirements = { 4 = "中级", 5 = "副高级" }'),
                      encoding="utf-8")
    el = eligibility(db, "2026", "--policy", policy)
    assert el["T1"]["eligible"] == "否" and el["T1"]["reasons"] == "title 中级 is below 副高级, required for tier 5"
    assert el["T1"]["next_date"] is None  # time alone will not cure it
    assert el["T3"]["reasons"] == "title 初级 is below 中级, required for tier 4"
    assert el["T2"]["eligible"] == "是"
