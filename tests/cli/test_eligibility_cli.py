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
    """The rows of `cycle eligibility --json` by 工号, each reason read as its English text."""
    listing = json.loads(ok(db, *pre, "--json", "cycle", "eligibility", code).stdout)
    rows = {r["emp_no"]: r for r in listing["rows"]}
    for r in rows.values():
        assert all(set(x) == {"code", "params", "text"} for x in r["reasons"])
        r["reason_texts"] = [x["text"] for x in r["reasons"]]
    return rows


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
        "T1": (True, "5-1", [], None), "T2": (True, "5-1", [], None), "T3": (True, "4-1", [], None)}

    policy = tmp_path / "policy.toml"
    ok(db, "policy", "init", policy)
    text = policy.read_text(encoding="utf-8")
    assert "most people reach their limit at the intermediate title" in text and "title_requirements = {  }" in text
    policy.write_text(text.replace("title_requirements = {  }", 'title_requirements = { 4 = "中级", 5 = "副高级" }'),
                      encoding="utf-8")
    el = eligibility(db, "2026", "--policy", policy)
    assert el["T1"]["eligible"] is False and el["T1"]["reason_texts"] == ["title 中级 is below 副高级, required for tier 5"]
    assert el["T1"]["next_date"] is None  # time alone will not cure it
    assert el["T3"]["reason_texts"] == ["title 初级 is below 中级, required for tier 4"]
    assert el["T3"]["reasons"][0]["code"] == "title_below"
    assert el["T3"]["reasons"][0]["params"] == {"title": "初级", "required": "中级", "tier": 4}
    assert el["T2"]["eligible"] is True


def add_deferrals(db, rows):
    """Deferral events as cycle close writes them, or as older databases hold them (the grade repeated)."""
    from sqlalchemy import select

    from gradecli.services.context import Context
    from gradecli.store import repo
    from gradecli.store.models import Employee

    ctx = Context(url=db)
    with ctx.uow() as uow:
        ids = dict(uow.s.execute(select(Employee.emp_no, Employee.id)).all())
        repo.append_events(uow.s, [{"employee_id": ids[emp], "emp_no": emp, "kind": "deferral", "effective": eff,
                                    "from_grade": grade, "to_grade": grade, "reason": "cycle 2026: deferral (延期选升)",
                                    "cycle": cycle, "evidence": {"cycle": "2026", "appraisal_year": 2025}}
                                   for emp, eff, grade, cycle in rows], actor="test")
        uow.commit()
    ctx.engine.dispose()


def test_a_deferral_bars_the_next_cycle_of_each_kind(db_url, tmp_path):
    """"对于有特定情形的，给予延期选升": a deferral effective 2026-12-01 bars 2026H2 and 2027, not
    2027H1; the cycles' real exam dates count; older deferral events (from = to) read the same."""
    from gradecli.domain.ladder import Grade

    db = db_url
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [person(f"D{i}") for i in range(1, 5)]))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", GRADE_HEADERS, [
        ["D1", 2, 2, "2024-01-01"], ["D2", 2, 3, "2024-01-01"], ["D3", 2, 2, "2024-01-01"], ["D4", 2, 2, "2024-01-01"]]))
    add_deferrals(db, [("D1", date(2026, 12, 1), Grade(2, 2), None),   # an older database's event
                       ("D2", date(2026, 12, 1), None, "2026"),        # as cycle close writes it now
                       ("D4", date(2026, 12, 16), None, "2026")])      # after 2026H2's default day (12-15)
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H2", "--exam-date", "2026-12-20")
    el = eligibility(db, "2026H2")
    assert el["D1"]["eligible"] is False and el["D1"]["grade"] == "2-2"
    assert el["D1"]["reason_texts"] == ["deferral decided in cycle 2026: bars the cycles 2026H2, 2027"]
    assert el["D1"]["reasons"][0]["params"] == {"cycle": "2026", "periods": ["2026H2", "2027"]}
    assert el["D1"]["next_date"] == "2027-06-15"  # 2027H1's exam (the policy's default day)
    assert el["D3"]["eligible"] is True
    # 2026H2's exam on 12-20 falls after D4's deferral of 12-16, so it is barred too
    assert el["D4"]["reason_texts"] == ["deferral decided in cycle 2026: bars the cycles 2026H2, 2027"]

    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2027H1", "--exam-date", "2027-06-10")
    el = eligibility(db, "2027H1")
    assert el["D1"]["eligible"] is True and el["D4"]["eligible"] is True
    el = eligibility(db, "2026H2")
    assert el["D1"]["next_date"] == "2027-06-10"  # now a created cycle's exam date

    ok(db, "cycle", "create", "--kind", "annual", "--period", "2027")
    el = eligibility(db, "2027")
    assert el["D2"]["eligible"] is False and el["D2"]["target"] == "3-1"
    assert el["D2"]["reason_texts"] == ["deferral decided in cycle 2026: bars the cycles 2026H2, 2027"]
    assert el["D2"]["next_date"] == "2028-11-15"
    ok(db, "cycle", "create", "--kind", "annual", "--period", "2028")
    assert eligibility(db, "2028")["D2"]["eligible"] is True


def test_frontline_time_actually_served_counts_toward_the_wait(db_url, tmp_path):
    """"缩短晋级年限" for front-line work: each day served in a front-line post since the grade counts
    1.5 days, each day elsewhere 1; the post held on the exam date alone no longer decides."""
    db = db_url
    field, office = dict(family="航标", post="航标维护", frontline="是"), dict(family="航标", post="航标设计")
    ok(db, "staff", "import", roster(tmp_path / "r.xlsx", [person("F1", **field), person("F2", **office),
                                                          person("F3", **field), person("F4", **office)]))
    ok(db, "grade", "import", write_xlsx(tmp_path / "g.xlsx", GRADE_HEADERS, [
        ["F1", 2, 1, "2025-10-01"], ["F2", 2, 1, "2025-10-01"], ["F3", 1, 1, "2025-09-01"], ["F4", 2, 1, "2025-10-01"]]))
    # F2 moves into a front-line post six weeks before the exam; F3 leaves one (at 1-1 no drop applies)
    ok(db, "staff", "transfer", "F2", "--post", "航标维护", "--frontline", "--date", "2026-05-01")
    ok(db, "staff", "transfer", "F3", "--post", "航标设计", "--no-frontline", "--date", "2026-03-01")
    ok(db, "cycle", "create", "--kind", "semiannual", "--period", "2026H1")  # exam 2026-06-15
    el = eligibility(db, "2026H1")
    # F1: 257 days, all front-line: 385.5 of 365 credited
    assert el["F1"]["eligible"] is True and el["F1"]["reasons"] == []
    # F2: 212 days elsewhere + 45 front-line × 1.5 = 279.5 of 365; the old rule let F2 in (8 months)
    assert el["F2"]["eligible"] is False
    assert el["F2"]["reason_texts"] == ["at 2-1 since 2025-10-01: 1.5 months front-line (×1.5 = 2.2) + 7.0 months "
                                        "elsewhere = 9.2 of 12 months credited (met on 2026-08-11 if the post held "
                                        "on 2026-06-15 continues)"]
    assert el["F2"]["next_date"] == "2026-08-11"  # 85.5 days of credit left, 1.5 a day in the front-line post
    # F3: 181 front-line days × 1.5 + 106 elsewhere = 377.5: the credit stays after moving out
    assert el["F3"]["eligible"] is True and el["F3"]["target"] == "1-2"
    # F4: never front-line, the full 12 months
    assert el["F4"]["reason_texts"] == ["at 2-1 since 2025-10-01: 8.4 months elsewhere = 8.4 of 12 months credited "
                                        "(met on 2026-10-01 if the post held on 2026-06-15 continues)"]
    assert el["F4"]["next_date"] == "2026-10-01"
    registered = json.loads(ok(db, "--json", "cycle", "register", "2026H1", "--all-eligible").stdout)
    assert registered["registered"] == 2
