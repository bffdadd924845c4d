from datetime import date

import pytest
from openpyxl import Workbook

from gradecli.domain.errors import BadInput
from gradecli.services import staff
from tests.helpers import ROSTER_HEADERS, person, roster, write_xlsx


def _count(ctx):
    return len(staff.list_staff(ctx).rows)


def test_import_then_reimport_changes_nothing(ctx, tmp_path):
    f = roster(tmp_path / "r.xlsx", [person("K1"), person("K2", name="李四", frontline="是")])
    first = staff.import_roster_file(ctx, f)
    assert first.data == {"rows": 2, "added": 2, "updated": 0, "unchanged": 0}
    again = staff.import_roster_file(ctx, f)
    assert again.data["added"] == 0 and again.data["updated"] == 0
    assert "nothing changed" in again.summary
    shown = staff.show_staff(ctx, "K2")
    assert shown.data["frontline"] is True and shown.data["posts"][0]["from"] == date(2018, 3, 1)


def test_upsert_updates_changed_rows(ctx, tmp_path):
    staff.import_roster_file(ctx, roster(tmp_path / "a.xlsx", [person("K1"), person("K2")]))
    result = staff.import_roster_file(ctx, roster(tmp_path / "b.xlsx", [person("K1", title="中级"), person("K3")]))
    assert (result.data["added"], result.data["updated"], result.data["unchanged"]) == (1, 1, 0)
    assert staff.show_staff(ctx, "K1").data["title"] == "中级"
    assert _count(ctx) == 3


def test_headers_in_chinese_english_any_order_and_extra_columns(ctx, tmp_path):
    headers = ["Name", "工号", "部门", "Post family", "岗位", "专业技术岗位", "Front-line", "职称",
               "Service start", "入职日期", "Active", "备注"]
    row = ["王五", "K9", "客服一部", "客服", "热线客服", "是", "否", "中级", "2010-01-01", date(2012, 5, 1), "是", "x"]
    f = write_xlsx(tmp_path / "r.xlsx", headers, [row])
    result = staff.import_roster_file(ctx, f)
    assert result.data["added"] == 1
    assert any("备注" in n and "ignored" in n for n in result.notes)
    assert staff.show_staff(ctx, "K9").data["service_start"] == date(2010, 1, 1)


def _errors(ctx, path):
    with pytest.raises(BadInput) as err:
        staff.import_roster_file(ctx, path)
    assert _count(ctx) == 0, "a rejected file must write nothing"
    return err.value.lines()


def test_every_bad_cell_is_reported_and_nothing_written(ctx, tmp_path):
    rows = [
        person("K1", start="2023/13/01"),
        person("K2", professional="也许"),
        person("K3", title="博士"),
        person("K1"),
        person("", name="无号"),
    ]
    lines = _errors(ctx, roster(tmp_path / "bad.xlsx", rows))
    where = f"{tmp_path / 'bad.xlsx'}, sheet 人员"
    assert f"{where}, row 2, column 参加工作日期: '2023/13/01' is not a date (use YYYY-MM-DD)" in lines
    assert f"{where}, row 3, column 专业技术岗位: '也许' is not 是 or 否 (write 是 or 否)" in lines
    assert any(ln.startswith(f"{where}, row 4, column 职称: '博士' is not one of 无/初级/中级/副高级/正高级") for ln in lines)
    assert any(ln.startswith(f"{where}, row 5, column 工号: 'K1' appears again (first in row 2)") for ln in lines)
    assert any(ln.startswith(f"{where}, row 6, column 工号: is empty") for ln in lines)


def test_missing_required_column(ctx, tmp_path):
    headers = [h for h in ROSTER_HEADERS if not h.startswith("入职日期")]
    rows = [p[:9] + p[10:] for p in [person("K1")]]
    lines = _errors(ctx, write_xlsx(tmp_path / "r.xlsx", headers, rows))
    assert any("column 入职日期 / Hire date is missing" in ln for ln in lines)


def test_two_headers_for_one_column(ctx, tmp_path):
    headers = ROSTER_HEADERS + ["Employee No."]
    lines = _errors(ctx, write_xlsx(tmp_path / "r.xlsx", headers, [person("K1") + ["K1"]]))
    assert any("all mean 工号 / Employee No." in ln for ln in lines)


def test_not_an_xlsx(ctx, tmp_path):
    f = tmp_path / "roster.xlsx"
    f.write_text("工号,姓名\nK1,张三\n", encoding="utf-8")
    lines = _errors(ctx, f)
    assert "not an Excel workbook" in lines[0] and "save it as an Excel Workbook (.xlsx)" in lines[0]


def test_trailing_empty_rows_are_ignored(ctx, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(ROSTER_HEADERS)
    ws.append(person("K1"))
    ws.cell(row=100_002, column=1, value="")  # the sheet's used range reaches row 100,002
    ws.cell(row=100_002, column=2).number_format = "@"
    f = tmp_path / "long.xlsx"
    wb.save(f)
    assert staff.import_roster_file(ctx, f).data["added"] == 1


def test_hire_before_service_start_is_refused(ctx, tmp_path):
    lines = _errors(ctx, roster(tmp_path / "r.xlsx", [person("K1", start=date(2020, 1, 1), hire=date(2019, 1, 1))]))
    assert "is before 参加工作日期" in lines[0]


def test_list_filters(ctx, tmp_path):
    staff.import_roster_file(ctx, roster(tmp_path / "r.xlsx", [person("K1"), person("H1", family="航标")]))
    assert [r["emp_no"] for r in staff.list_staff(ctx, family="航标").rows] == ["H1"]


def test_certificates_column_is_optional_and_kept_when_left_out(ctx, tmp_path):
    headers = ROSTER_HEADERS + ["证书 / Certificates"]
    with_certs = roster(tmp_path / "c.xlsx", [person("K1") + ["客服中级证书，安全员证、客服中级证书"], person("K2") + [None]],
                        headers)
    assert staff.import_roster_file(ctx, with_certs).data["added"] == 2
    assert staff.show_staff(ctx, "K1").data["certificates"] == ["安全员证", "客服中级证书"]
    assert staff.show_staff(ctx, "K2").data["certificates"] == []
    # a roster without the column changes nobody's certificates
    again = staff.import_roster_file(ctx, roster(tmp_path / "plain.xlsx", [person("K1"), person("K2")]))
    assert again.data["updated"] == 0
    assert staff.show_staff(ctx, "K1").data["certificates"] == ["安全员证", "客服中级证书"]
    # with the column, an empty cell means none held
    cleared = roster(tmp_path / "cleared.xlsx", [person("K1") + [""], person("K2") + ["安全员证"]], headers)
    assert staff.import_roster_file(ctx, cleared).data["updated"] == 2
    assert staff.show_staff(ctx, "K1").data["certificates"] == []
    assert staff.show_staff(ctx, "K2").data["certificates"] == ["安全员证"]
