"""Listings fit the terminal: at 80 and 120 columns every row takes at most two lines, long text is
cut with …, and columns that cannot fit are left out from the right with a note."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len

from gradecli.cli.output import render
from gradecli.i18n import N_, Msg
from gradecli.services.results import Listing

COLUMNS = [("emp_no", N_("Employee No.")), ("name", N_("Name")), ("family", N_("Post family")),
           ("grade", N_("Grade")), ("target", N_("Target")), ("eligible", N_("Eligible")),
           ("reasons", N_("Reasons")), ("next_date", N_("Next eligible"))]


def _rows(n: int = 6) -> list[dict]:
    reason = ("front-line 10.0 months (×1.5 = 15.0) + 3.9 months elsewhere = 18.9 of 24 months credited; "
              "deferral (延期选升) from cycle 2026: bars 2026H2 and 2027; 服务年限不足，需满二十四个月方可申报分等考试")
    return [{"emp_no": f"H{i:04d}", "name": "欧阳明华", "family": "航标", "grade": "2-3", "target": "3-1",
             "eligible": i % 2 == 0, "reasons": reason if i % 3 else "", "next_date": "2027-11-15"}
            for i in range(n)]


def _lines_per_row(out: str) -> list[int]:
    body = out.split("┡")[1].splitlines()[1:-1]  # between the header rule and the bottom border
    rows, current = [], 0
    for line in body:
        if line.startswith("│") and line[1:3].strip().startswith(("H", "—")) and current:
            rows.append(current)
            current = 0
        current += 1
    rows.append(current)
    return rows


@pytest.mark.parametrize("width", [80, 120])
def test_a_listing_fits_the_terminal_at_two_lines_a_row(width):
    out, err = io.StringIO(), io.StringIO()
    render(Listing(Msg("Eligibility for cycle {cycle}", cycle="2026"), COLUMNS, _rows()), as_json=False,
           width=width, out=out, err=err)
    text = out.getvalue()
    assert all(cell_len(line) <= width for line in text.splitlines()), text
    assert max(_lines_per_row(text)) <= 2, text
    assert "…" in text  # the long reasons were cut; --json has them whole
    assert "H0000" in text and "欧阳明华" in text  # the essential columns come first and stay


def test_too_many_columns_leave_out_the_last_ones_with_a_note():
    cols = COLUMNS + [(f"x{i}", f"Extra column {i}") for i in range(12)]
    rows = [{**r, **{f"x{i}": "long value here" for i in range(12)}} for r in _rows(2)]
    out, err = io.StringIO(), io.StringIO()
    render(Listing("Wide", cols, rows), as_json=False, width=80, out=out, err=err)
    assert all(cell_len(line) <= 80 for line in out.getvalue().splitlines())
    assert "columns left out to fit the terminal" in err.getvalue() and "Extra column 11" in err.getvalue()
