"""Payroll and arrears sheets: amounts stored as numbers with two decimals; subtotals and totals."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from gradecli.formats.excel import SheetOut, write_workbook

MONEY = "#,##0.00"


def _d(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


FIELD_HEADERS = {"base": "基础津贴 / Base", "differential": "岗位级差 / Differential", "total": "合计 / Total",
                 "difference": "差额 / Difference"}


def _subtotals(rows: list[dict], key: str, label: str, fields: list[str]) -> SheetOut:
    """One line per group (department, tier) with head count and sums, then the grand total."""
    sums: dict = defaultdict(lambda: defaultdict(int))
    counts: dict = defaultdict(int)
    for r in rows:
        counts[r[key]] += 1
        for f in fields:
            sums[r[key]][f] += r[f + "_fen"]
    out = [[k, counts[k], *[_d(sums[k][f]) for f in fields]] for k in sorted(sums, key=str)]
    out.append(["合计 Total", sum(counts.values()), *[_d(sum(g[f] for g in sums.values())) for f in fields]])
    headers = [label, "人数 / Staff", *[FIELD_HEADERS[f] for f in fields]]
    return SheetOut(label.split(" /")[0], headers, out, number_formats={i: MONEY for i in range(2, 2 + len(fields))},
                    widths=[18, 10, 16, 16, 16])


def write_payroll(path: Path, month: str, rows) -> Path:  # noqa: ANN001 (any sequence of row dicts)
    rows = list(rows)
    headers = ["工号 / Employee No.", "姓名 / Name", "部门 / Department", "岗位序列 / Post family", "等级 / Grade",
               "天数 / Days by segment", "基础津贴 / Base", "岗位级差 / Differential", "合计 / Total"]
    body = [[r["emp_no"], r["name"], r["department"], r["family"], r["grade"], r["days"], _d(r["base_fen"]),
             _d(r["differential_fen"]), _d(r["total_fen"])] for r in rows]
    body.append(["合计 Total", "", "", "", "", f"{len(rows)} 人", _d(sum(r["base_fen"] for r in rows)),
                 _d(sum(r["differential_fen"] for r in rows)), _d(sum(r["total_fen"] for r in rows))])
    fields = ["base", "differential", "total"]
    for r in rows:
        r.setdefault("tier_label", f"{r['tier']}等")
    sheets = [SheetOut(f"津贴 {month}", headers, body, widths=[12, 10, 14, 10, 12, 60, 14, 14, 14],
                       number_formats={6: MONEY, 7: MONEY, 8: MONEY}),
              _subtotals(rows, "department", "部门 / Department", fields),
              _subtotals(rows, "tier_label", "等 / Tier", fields)]
    return write_workbook(path, sheets)


def write_arrears(path: Path, period: str, rows: list[dict]) -> Path:
    headers = ["工号 / Employee No.", "姓名 / Name", "部门 / Department", "月份 / Month", "已发 / Paid", "应发 / Due",
               "差额 / Difference", "类别 / Kind", "原因 / Cause"]
    body = [[r["emp_no"], r["name"], r["department"], r["month"], Decimal(r["paid"]), Decimal(r["due"]),
             Decimal(r["difference"]), r["kind"], r["cause"]] for r in rows]
    body.append(["合计 Total", "", "", period, "", "", _d(sum(r["difference_fen"] for r in rows)), "", ""])
    sheets = [SheetOut("补发扣回 Arrears", headers, body, widths=[12, 10, 14, 10, 12, 12, 12, 14, 80],
                       number_formats={4: MONEY, 5: MONEY, 6: MONEY}),
              _subtotals(rows, "department", "部门 / Department", ["difference"])]
    return write_workbook(path, sheets)
