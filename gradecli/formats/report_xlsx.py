"""Report workbooks: tables and native Excel charts. Titles, headers, notes and message cells are
rendered in the run's language (a message, or text the caller has already translated)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from gradecli.formats.excel import ABSENT_TEXT, text_cells
from gradecli.domain.values import AbsentMark
from gradecli.i18n import Msg, _, render


@dataclass
class Chart:
    """A chart over the table: categories from one column, one series per listed column."""

    title: Any  # a message or text
    categories: int  # column index (0-based) of the category labels
    series: Sequence[int]  # column indexes of the values
    kind: str = "bar"  # bar | stacked | line
    y_title: str = ""
    x_title: str = ""


@dataclass
class ReportSheet:
    title: Any  # a message or text (at most 31 characters once rendered)
    headers: list[Any]
    rows: list[Sequence[Any]]
    charts: list[Chart] = field(default_factory=list)
    notes: list[Any] = field(default_factory=list)
    widths: list[int] | None = None


def _cell(v: Any) -> Any:
    """A value as a cell: numbers stay numbers; messages and lists of them become text."""
    if v.__class__ is AbsentMark:
        return _(ABSENT_TEXT)
    if isinstance(v, (Msg, list, tuple)):
        return render(v)
    return v


def write_report(path: Path, sheets: Sequence[ReportSheet]) -> Path:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for sh in sheets:
        ws = wb.create_sheet(render(sh.title)[:31])
        ws.append([render(h) for h in sh.headers])
        for c in ws[1]:
            c.font = Font(bold=True)
        text_cells(ws[1])
        for row in sh.rows:
            ws.append([_cell(v) for v in row])
            text_cells(ws[ws.max_row])
        n = len(sh.rows)
        for i, w in enumerate(sh.widths or [max(10, min(40, len(render(h)) + 4)) for h in sh.headers]):
            ws.column_dimensions[get_column_letter(i + 1)].width = w
        ws.freeze_panes = "A2"
        row_at = n + 3
        for note in sh.notes:
            cell = ws.cell(row=row_at, column=1, value=render(note))
            text_cells([cell])
            row_at += 1
        anchor_col = get_column_letter(len(sh.headers) + 2)
        for k, spec in enumerate(sh.charts):
            if n == 0:
                break
            chart = LineChart() if spec.kind == "line" else BarChart()
            if spec.kind == "stacked":
                chart.grouping, chart.overlap = "stacked", 100
            chart.title = render(spec.title)
            if spec.y_title:  # an empty title would be written as the text "None"
                chart.y_axis.title = render(spec.y_title)
            if spec.x_title:
                chart.x_axis.title = render(spec.x_title)
            chart.height, chart.width = 8, 16
            for col in spec.series:
                data = Reference(ws, min_col=col + 1, min_row=1, max_row=n + 1)
                chart.add_data(data, titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=spec.categories + 1, min_row=2, max_row=n + 1))
            ws.add_chart(chart, f"{anchor_col}{2 + k * 17}")
    wb.save(path)
    return path
