"""write_workbook: what an HR officer gets when opening an exported sheet."""

from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from gradecli.formats.excel import SheetOut, _sheet_titles, write_workbook


def test_values_keep_their_kind_and_format(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [SheetOut(
        "津贴 2026-12", ["工号 / Employee No.", "日期 / Date", "时间 / At", "合计 / Total", "人数", "在职", "备注"],
        [["K0001", date(2026, 12, 1), datetime(2026, 12, 1, 8, 30), Decimal("1234.50"), 3, True, "=1+1"],
         ["K0002", None, None, Decimal("0.00"), 0, False, ""]],
        number_formats={3: "#,##0.00"}, header_comments=[None, "YYYY-MM-DD", None, None, None, None, None])])
    ws = load_workbook(path).worksheets[0]
    assert ws.title == "津贴 2026-12" and ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert [c.value for c in ws[2]] == ["K0001", datetime(2026, 12, 1), datetime(2026, 12, 1, 8, 30), 1234.5, 3, True,
                                        "=1+1"]  # as typed: no visible apostrophe
    assert ws["B2"].number_format == "yyyy-mm-dd" and ws["C2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["D2"].number_format == "#,##0.00" and ws["D3"].value == 0
    assert ws["G2"].data_type == "s"  # text that looks like a formula stays a string cell, never run
    assert ws["B1"].comment.text == "YYYY-MM-DD" and ws["A1"].comment is None
    assert ws["B3"].value is None and ws["G3"].value is None


def test_sheet_titles_excel_accepts():
    assert _sheet_titles(["a/b", "x" * 40, "X" * 40, "'q'", ""]) == [
        "a_b", "x" * 31, "X" * 27 + " (2)", "q", "Sheet"]


def test_many_sheets_and_an_empty_one(tmp_path):
    path = write_workbook(tmp_path / "b.xlsx", [SheetOut("部门 Dept", ["部门"], [["客服一部"]]),
                                                 SheetOut("部门 Dept", ["部门"], [])])
    wb = load_workbook(path)
    assert wb.sheetnames == ["部门 Dept", "部门 Dept (2)"]
    assert wb.worksheets[1].max_row == 1


def test_scores_are_numbers_with_their_decimals_and_absent_is_text(tmp_path):
    from gradecli.domain.values import ABSENT

    path = write_workbook(tmp_path / "s.xlsx", [SheetOut("成绩", ["理论", "实操", "综合"], [
        [Decimal("60.00"), Decimal("78.5"), Decimal("70")], [ABSENT, Decimal("81.0"), None]])])
    ws = load_workbook(path).worksheets[0]
    assert [c.value for c in ws[2]] == [60, 78.5, 70] and ws["A2"].data_type == "n"
    assert (ws["A2"].number_format, ws["B2"].number_format, ws["C2"].number_format) == ("0.00", "0.0", "0")
    assert ws["A3"].value == "absent" and ws["A3"].data_type == "s"  # 缺考 in Chinese


def test_report_workbooks_keep_formula_like_text_as_text(tmp_path):
    from gradecli.formats.report_xlsx import ReportSheet, write_report

    path = write_report(tmp_path / "r.xlsx", [ReportSheet("报告", ["=标题", "人数"], [["=A1+1", 3]], notes=["@note"])])
    ws = load_workbook(path).worksheets[0]
    assert (ws["A1"].value, ws["A1"].data_type) == ("=标题", "s")
    assert (ws["A2"].value, ws["A2"].data_type, ws["B2"].value) == ("=A1+1", "s", 3)
    assert ws["A4"].value == "@note"
