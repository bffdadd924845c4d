"""Writing small workbooks for tests, the way an HR officer would fill them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook

ROSTER_HEADERS = ["工号 / Employee No.", "姓名 / Name", "部门 / Department", "岗位序列 / Post family",
                  "岗位 / Post", "专业技术岗位 / Professional-technical", "一线岗位 / Front-line",
                  "职称 / Title", "参加工作日期 / Service start", "入职日期 / Hire date", "在职 / Active"]


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def person(no: str, *, name: str = "张三", dept: str = "客服一部", family: str = "客服", post: str = "在线客服",
           professional: str = "是", frontline: str = "否", title: str = "初级",
           start: Any = date(2015, 7, 1), hire: Any = date(2018, 3, 1), active: str = "是") -> list[Any]:
    return [no, name, dept, family, post, professional, frontline, title, start, hire, active]


def roster(path: Path, people: Sequence[Sequence[Any]], headers: Sequence[str] = ROSTER_HEADERS) -> Path:
    return write_xlsx(path, headers, people, "人员")


ALLOWANCE_HEADERS = ["岗位序列 / Post family", "等 / Tier", "级 / Level", "月津贴 / Monthly amount",
                     "生效日期 / Effective from"]


def allowance_rows(effective: Any, bump: int = 0, skip: tuple[int, int] | None = None) -> list[list[Any]]:
    """An allowance table for every family: 300 yuan at 1-1, +200 a tier, +60 a level (+ bump)."""
    return [[None, t, lv, 300 + (t - 1) * 200 + (lv - 1) * 60 + bump, effective]
            for t in range(1, 6) for lv in range(1, 4) if (t, lv) != skip]
