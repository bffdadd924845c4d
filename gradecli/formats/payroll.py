"""Payroll and arrears sheets: amounts stored as numbers with two decimals; subtotals and totals.

Sheet names, titles and headers come from the catalogue (these sheets are read by people, never
imported); the rows' messages (a line's days, an arrears line's kind and cause) are rendered by
the workbook writer in the run's language."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from gradecli.formats.excel import SheetOut, write_workbook
from gradecli.i18n import Msg, render

MONEY = "#,##0.00"


def _d(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


FIELD_HEADERS = {"base": Msg("Base"), "differential": Msg("Differential"), "total": Msg("Total"),
                 "difference": Msg("Difference")}
TOTAL = Msg("Total")


def _subtotals(rows: list[dict], key: Callable[[dict], Any], label: Msg, fields: list[str],
               name: Callable[[Any], Any] = lambda k: k) -> SheetOut:
    """One line per group (department, tier) with head count and sums, then the grand total;
    ``key`` gives a row's group, ``name`` how the group reads."""
    sums: dict = defaultdict(lambda: defaultdict(int))
    counts: dict = defaultdict(int)
    for r in rows:
        k = key(r)
        counts[k] += 1
        for f in fields:
            sums[k][f] += r[f + "_fen"]
    out = [[name(k), counts[k], *[_d(sums[k][f]) for f in fields]] for k in sorted(sums, key=str)]
    out.append([TOTAL, sum(counts.values()), *[_d(sum(g[f] for g in sums.values())) for f in fields]])
    headers = [label, Msg("Head count"), *[FIELD_HEADERS[f] for f in fields]]
    return SheetOut(label, headers, out, number_formats={i: MONEY for i in range(2, 2 + len(fields))},
                    widths=[18, 10, 16, 16, 16])


def _tier(tier: Any) -> Msg:
    return Msg("tier {tier}", tier=tier)


def write_payroll(path: Path, month: str, rows) -> Path:  # noqa: ANN001 (any sequence of row dicts)
    rows = list(rows)
    headers = [Msg("Employee No."), Msg("Name"), Msg("Department"), Msg("Post family"), Msg("Grade"),
               Msg("Days by segment"), Msg("Base"), Msg("Differential"), Msg("Total")]
    body = [[r["emp_no"], r["name"], r["department"], r["family"], r["grade"], r["days"], _d(r["base_fen"]),
             _d(r["differential_fen"]), _d(r["total_fen"])] for r in rows]
    body.append([TOTAL, "", "", "", "", Msg("{count} staff", count=len(rows)), _d(sum(r["base_fen"] for r in rows)),
                 _d(sum(r["differential_fen"] for r in rows)), _d(sum(r["total_fen"] for r in rows))])
    fields = ["base", "differential", "total"]
    sheets = [SheetOut(Msg("Allowance {month}", month=month), headers, _rendered(body, 5),
                       widths=[12, 10, 14, 10, 12, 60, 14, 14, 14], number_formats={6: MONEY, 7: MONEY, 8: MONEY}),
              _subtotals(rows, lambda r: r["department"], Msg("Department"), fields),
              _subtotals(rows, lambda r: r["tier"], Msg("Tier"), fields, _tier)]
    return write_workbook(path, sheets)


def write_arrears(path: Path, period: str, rows: list[dict]) -> Path:
    headers = [Msg("Employee No."), Msg("Name"), Msg("Department"), Msg("Month"), Msg("Paid"), Msg("Due"),
               Msg("Difference"), Msg("Kind"), Msg("Cause")]
    body = [[r["emp_no"], r["name"], r["department"], r["month"], Decimal(r["paid"]), Decimal(r["due"]),
             Decimal(r["difference"]), r["adjustment"], r["cause"]] for r in rows]
    body.append([TOTAL, "", "", period, "", "", _d(sum(r["difference_fen"] for r in rows)), "", ""])
    sheets = [SheetOut(Msg("Arrears and clawback"), headers, body, widths=[12, 10, 14, 10, 12, 12, 12, 14, 80],
                       number_formats={4: MONEY, 5: MONEY, 6: MONEY}),
              _subtotals(rows, lambda r: r["department"], Msg("Department"), ["difference"])]
    return write_workbook(path, sheets)


def _rendered(body: list[list[Any]], column: int):  # noqa: ANN202
    """Rows with the list of messages in ``column`` (a line's segments) as one text."""
    for row in body:
        if isinstance(row[column], list):
            row = [*row[:column], render(row[column]), *row[column + 1:]]
        yield row
