"""Answer sheets (答题卡汇总表): one row per candidate, one column per question position."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from gradecli.domain.errors import Where
from gradecli.formats import cells
from gradecli.formats.excel import AS_IS, Column, Table, match_header, read_tables
from gradecli.i18n import N_

QUESTION_HEADER = re.compile(r"^\s*(?:题\s*(\d+)|Q\s*(\d+))\s*(?:[/／]\s*(?:题\s*\d+|Q\s*\d+)\s*)?$", re.I)
BASE = [
    Column("cycle", "周期", "Cycle", cells.text, required=False, example="2026",
           note=N_("the cycle, e.g. 2026 or 2026H1")),
    Column("emp_no", "工号", "Employee No.", cells.code, unique=True, note=N_("the candidate's employee number")),
    Column("name", "姓名", "Name", cells.text, required=False, blank_ok=True, note=N_("the candidate's name")),
    Column("paper", "试卷", "Paper", cells.text, blank_ok=True,
           note=N_("the paper number printed on the candidate's paper, or 缺考 for a candidate who did not sit")),
]


def question_number(cell: Any) -> int | None:
    m = QUESTION_HEADER.match(cells.text(cell)) if not cells.is_blank(cell) else None
    return int(m.group(1) or m.group(2)) if m else None


def columns_for(header: Sequence[Any]) -> list[Column]:
    """The sheet's columns: the fixed ones, and 题N / QN for every numbered question header."""
    if not any(match_header(c, BASE) for c in header):
        return []
    numbers = sorted({n for c in header if (n := question_number(c))})
    return BASE + [Column(f"q{n}", f"题{n}", f"Q{n}", required=False, as_is=True) for n in numbers]


@dataclass
class SheetRow:
    table: Table
    row: int
    emp_no: str
    paper: str | None
    cycle: str | None
    numbers: list[int]  # the sheet's question numbers, in column order (shared by its rows)
    cells: list[Any]  # the answer under each number, as read ("" or None when blank)

    def where(self, column: str | None = None) -> Where:
        """Where this row is (and a column of it, by its Chinese name: 工号, 试卷, 题3)."""
        return self.table.where(self.row, column)

    def answers(self, count: int) -> list[Any]:
        """The answers to questions 1..count (a number the sheet lacks is unanswered: None)."""
        if self.numbers[:count] == _FIRST[:count] and len(self.numbers) >= count:
            return self.cells[:count]
        by_number = dict(zip(self.numbers, self.cells))
        return [by_number.get(n) for n in range(1, count + 1)]

    def absent(self) -> bool:
        """缺考: written in the 试卷 cell or the first answer cell, or every answer cell left empty."""
        if cells.is_absent(self.paper):
            return True
        answers = [v for n, v in sorted(zip(self.numbers, self.cells))]
        return (bool(answers) and cells.is_absent(answers[0])) or all(cells.is_blank(v) for v in answers)

    def written_absent(self) -> bool:
        """缺考 written (in the 试卷 cell or the first answer cell), not only answers left empty."""
        if cells.is_absent(self.paper):
            return True
        answers = [v for n, v in sorted(zip(self.numbers, self.cells))]
        return bool(answers) and cells.is_absent(answers[0])

    def beyond(self, count: int) -> list[tuple[int, Any]]:
        """Answers written under numbers past the paper's last question."""
        return sorted((n, v) for n, v in zip(self.numbers, self.cells) if n > count and v not in (None, ""))


_FIRST = list(range(1, 1001))  # 1, 2, 3, ...: a sheet numbered in order takes the fast path


def read(path: Path, *, collect: list | None = None) -> list[SheetRow]:
    """Every candidate row of every answer sheet in the workbook; with ``collect``, bad cells are
    listed there and their rows left out (see ``read_tables``)."""
    out = []
    for table in read_tables(path, columns_for, collect=collect):
        numbers = [int(k[1:]) for k in table.as_is]  # q1, q2, ... in column order
        for row_no, r in table.rows:
            out.append(SheetRow(table, row_no, r["emp_no"], r["paper"], r.get("cycle"), numbers, r.get(AS_IS, [])))
    return out
