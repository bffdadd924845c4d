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
                                        "'=1+1"]
    assert ws["B2"].number_format == "yyyy-mm-dd" and ws["C2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["D2"].number_format == "#,##0.00" and ws["D3"].value == 0
    assert ws["G2"].data_type == "s"  # text that looks like a formula stays text
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
