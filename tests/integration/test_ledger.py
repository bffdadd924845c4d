from datetime import date

import pytest
from sqlalchemy import text

from gradecli.domain.errors import BadInput, IntegrityFailure, RuleRefused
from gradecli.domain.ladder import Grade
from gradecli.services import grades, perf, staff
from tests.helpers import person, roster, write_xlsx

GRADE_HEADERS = ["工号 / Employee No.", "等 / Tier", "级 / Level", "生效日期 / Effective date"]


@pytest.fixture
def org(ctx, tmp_path):
    staff.import_roster_file(ctx, roster(tmp_path / "r.xlsx", [
        person("K1"), person("K2", frontline="是", post="现场服务"), person("Z1", professional="否"),
        person("H1", family="航标", frontline="是", post="航标维护"),
    ]))
    return ctx


def _grades(tmp_path, rows, name="g.xlsx"):
    return write_xlsx(tmp_path / name, GRADE_HEADERS, rows)


def test_grade_import_history_and_as_of(org, tmp_path):
    f = _grades(tmp_path, [["K1", 2, 3, date(2024, 1, 1)], ["K2", 3, 2, "2023-07-01"]])
    assert grades.import_grades_file(org, f).data["recorded"] == 2
    again = grades.import_grades_file(org, f)
    assert again.data["recorded"] == 0 and "nothing changed" in again.summary
    hist = grades.history(org, "K1")
    assert [(r["kind"], r["to"]) for r in hist.rows] == [("initial_placement", "2-3")]
    on = grades.as_of(org, date(2023, 12, 31), out=tmp_path / "asof.xlsx")
    assert [(r["emp_no"], r["tier"], r["level"]) for r in on.rows] == [("K2", 3, 2)]
    from openpyxl import load_workbook
    ws = load_workbook(tmp_path / "asof.xlsx").active
    assert ws.title == "Grades 2023-12-31"  # an output sheet: headers and name in the run's language
    assert ws["A1"].value == "Employee No." and ws["A2"].value == "K2" and ws["H1"].value == "Since"


def test_grade_import_errors(org, tmp_path):
    f = _grades(tmp_path, [["K1", 6, 1, date(2024, 1, 1)], ["Z1", 1, 1, date(2024, 1, 1)],
                           ["X9", 1, 1, date(2024, 1, 1)], ["K2", 1, 4, date(2024, 1, 1)]])
    with pytest.raises(BadInput) as err:
        grades.import_grades_file(org, f)
    lines = err.value.lines()
    assert any("row 2, column 等: grade 6-1 is outside the 客服 ladder" in ln for ln in lines)
    assert any("row 3" in ln and "not in a professional-technical post" in ln for ln in lines)
    assert any("row 4" in ln and "'X9' is not on the roster" in ln for ln in lines)
    assert any("row 5, column 级: grade 1-4 is outside" in ln for ln in lines)
    assert grades.as_of(org, date(2030, 1, 1)).rows == []


def test_correction_needs_reason_and_applies_from_its_date(org, tmp_path):
    grades.import_grades_file(org, _grades(tmp_path, [["K1", 2, 1, date(2024, 1, 1)]]))
    with pytest.raises(BadInput, match="reason"):
        grades.correct(org, "K1", to=Grade(2, 2), on=date(2024, 1, 1), reason="  ")
    with pytest.raises(BadInput, match="outside the ladder"):
        grades.correct(org, "K1", to=Grade(9, 1), on=date(2024, 1, 1), reason="x")
    grades.correct(org, "K1", to=Grade(2, 2), on=date(2024, 6, 1), reason="录入错误")
    assert [r["kind"] for r in grades.history(org, "K1").rows] == ["initial_placement", "correction"]
    by = {r["emp_no"]: r for r in grades.as_of(org, date(2024, 5, 31)).rows}
    assert (by["K1"]["tier"], by["K1"]["level"]) == (2, 1)
    by = {r["emp_no"]: r for r in grades.as_of(org, date(2024, 6, 1)).rows}
    assert (by["K1"]["level"], by["K1"]["since"]) == (2, date(2024, 6, 1))


def test_transfer_out_of_frontline_drops_a_tier(org, tmp_path):
    grades.import_grades_file(org, _grades(tmp_path, [["H1", 3, 2, date(2024, 1, 1)]]))
    result = staff.transfer(org, "H1", post="航标设计", frontline=False, on=date(2026, 3, 1))
    assert result.data["drop"] == {"from": "3-2", "to": "2-2"}
    hist = grades.history(org, "H1").rows
    assert hist[-1]["kind"] == "transfer_drop" and hist[-1]["effective"] == date(2026, 3, 1)
    assert hist[-1]["event"].code == "transfer_drop" and str(hist[-1]["event"]) == "transfer drop"
    assert hist[-1]["reason"].code == "left_frontline_post" and hist[-1]["reason"].params == {"post": "航标设计"}
    assert str(hist[-1]["reason"]) == "transfer out of a front-line post to 航标设计 (policy: down one tier)"
    by = {r["emp_no"]: r for r in grades.as_of(org, date(2026, 2, 28)).rows}
    assert by["H1"]["tier"] == 3
    shown = staff.show_staff(org, "H1").data
    assert shown["frontline"] is False and shown["posts"][-1]["post"] == "航标设计"
    with pytest.raises(RuleRefused, match="date order"):
        staff.transfer(org, "H1", post="航标维护", frontline=True, on=date(2026, 1, 1))


def test_transfer_between_non_frontline_posts_keeps_grade(org, tmp_path):
    grades.import_grades_file(org, _grades(tmp_path, [["K1", 2, 2, date(2024, 1, 1)]]))
    result = staff.transfer(org, "K1", post="热线客服", frontline=None, on=date(2026, 3, 1))
    assert result.data["drop"] is None
    assert len(grades.history(org, "K1").rows) == 1


def test_audit_verify_finds_edited_and_deleted_rows(org, tmp_path):
    grades.import_grades_file(org, _grades(tmp_path, [["K1", 2, 1, date(2024, 1, 1)],
                                                      ["K2", 1, 1, date(2024, 1, 1)],
                                                      ["H1", 1, 2, date(2024, 1, 1)]]))
    assert grades.verify(org).data == {"events": 3, "ok": True}
    with org.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_event SET to_tier = 5 WHERE seq = 2"))
    with pytest.raises(IntegrityFailure) as err:
        grades.verify(org)
    assert err.value.exit_code == 1
    assert err.value.lines() == ["ledger event 2: content does not match its hash (the row was edited)"]
    with org.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_event SET to_tier = 1 WHERE seq = 2"))
        conn.execute(text("DELETE FROM ledger_event WHERE seq = 2"))
    with pytest.raises(IntegrityFailure) as err:
        grades.verify(org)
    assert all(ln.startswith("ledger event 3:") for ln in err.value.lines())


PERF_HEADERS = ["工号 / Employee No.", "年度 / Year", "考核等次 / Rating", "处分 / Disciplinary"]


def test_perf_import_and_errors(org, tmp_path):
    f = write_xlsx(tmp_path / "p.xlsx", PERF_HEADERS, [["K1", 2025, "优秀", "否"], ["K2", 2025, "合格", "是"]])
    assert perf.import_perf_file(org, f).data["added"] == 2
    assert perf.import_perf_file(org, f).data["added"] == 0
    assert staff.show_staff(org, "K2").data["ratings"] == [{"year": 2025, "rating": "合格", "disciplinary": True}]
    bad = write_xlsx(tmp_path / "bad.xlsx", PERF_HEADERS, [["K1", 2025, "很好", "否"], ["X1", 2025, "合格", "否"],
                                                          ["K1", 2024, "合格", "否"], ["K1", 2024, "良好", "否"]])
    with pytest.raises(BadInput) as err:
        perf.import_perf_file(org, bad)
    text_ = "\n".join(err.value.lines())
    assert "row 2, column 考核等次: '很好' is not one of 优秀/良好/合格/基本合格/不合格" in text_
    # the file is rejected on the cell error before roster checks; fix it and the rest shows
    bad2 = write_xlsx(tmp_path / "bad2.xlsx", PERF_HEADERS, [["X1", 2025, "合格", "否"],
                                                            ["K1", 2024, "合格", "否"], ["K1", 2024, "良好", "否"]])
    with pytest.raises(BadInput) as err:
        perf.import_perf_file(org, bad2)
    text_ = "\n".join(err.value.lines())
    assert "row 2, column 工号: 'X1' is not on the roster" in text_
    assert "row 4, column 年度: K1 2024 appears again (first in row 3)" in text_
    assert staff.show_staff(org, "K1").data["ratings"] == [{"year": 2025, "rating": "优秀", "disciplinary": False}]


def test_audit_verify_finds_events_deleted_from_the_end(org, tmp_path):
    grades.import_grades_file(org, _grades(tmp_path, [["K1", 2, 1, date(2024, 1, 1)], ["K2", 1, 1, date(2024, 1, 1)]]))
    with org.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_event WHERE seq = 2"))
    with pytest.raises(IntegrityFailure) as err:
        grades.verify(org)
    assert err.value.lines() == ["ledger event 2: is missing: the ledger ends at event 1 but its head records event 2 "
                                 "(events were deleted from the end, or the last one was edited)"]


def test_exported_text_never_runs_as_a_formula(org, tmp_path):
    from openpyxl import load_workbook

    from openpyxl import Workbook

    from tests.helpers import ROSTER_HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(ROSTER_HEADERS)
    ws.append(person("F1", name="x", dept="x"))
    for cell, text_ in ((ws["B2"], "=HYPERLINK(\"http://x\",\"点我\")"), (ws["C2"], "+SUM(1,2)")):
        cell.value = text_
        cell.data_type = "s"  # text that looks like a formula, as someone typed it
    wb.save(tmp_path / "f.xlsx")
    staff.import_roster_file(org, tmp_path / "f.xlsx")
    grades.import_grades_file(org, _grades(tmp_path, [["F1", 1, 1, date(2024, 1, 1)]], name="fg.xlsx"))
    grades.as_of(org, date(2025, 1, 1), out=tmp_path / "asof.xlsx")
    ws = load_workbook(tmp_path / "asof.xlsx").active
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "F1")
    assert row[1].data_type == "s" and row[1].value == "=HYPERLINK(\"http://x\",\"点我\")"  # text, no apostrophe
    assert row[2].data_type == "s" and row[2].value == "+SUM(1,2)"
