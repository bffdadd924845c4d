"""Property tests for the header matcher and the cell parsers."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecli.formats import cells
from gradecli.formats.cells import CellError
from gradecli.formats.excel import match_header
from gradecli.formats.sheets import grade_columns, performance_columns, roster_columns
from gradecli.domain.policy import Policy

ROSTER = roster_columns(Policy())
ALL_SHEETS = [ROSTER, performance_columns(Policy()), grade_columns()]


def _spaced(text: str, draw) -> str:
    out = "".join(c + draw(st.sampled_from(["", "", " ", "\u3000"])) for c in text)
    return draw(st.sampled_from(["", " ", "  "])) + out


@st.composite
def header_cell(draw):
    columns = draw(st.sampled_from(ALL_SHEETS))
    col = draw(st.sampled_from(columns))
    form = draw(st.sampled_from(["zh", "en", "both", "both-reversed", "fullwidth-slash"]))
    text = {"zh": col.zh, "en": col.en, "both": f"{col.zh} / {col.en}",
            "both-reversed": f"{col.en}/{col.zh}", "fullwidth-slash": f"{col.zh}／{col.en}"}[form]
    if draw(st.booleans()):
        text = text.upper() if draw(st.booleans()) else text.lower()
    return columns, col, _spaced(text, draw) if draw(st.booleans()) else text


@given(header_cell())
def test_any_form_of_a_header_matches_its_column(case):
    columns, col, text = case
    assert match_header(text, columns) is col


@given(st.text(min_size=1, max_size=12))
def test_random_text_matches_nothing_or_a_real_name(text):
    col = match_header(text, ROSTER)
    if col is not None:
        norm = "".join(text.split()).casefold()
        assert any(name in {p for p in norm.replace("／", "/").split("/")} | {norm} for name in col.names)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{y:04d}/{m}/{d}", "{y}年{m}月{d}日", "{y:04d}.{m:02d}.{d:02d}"]))
def test_date_text_round_trips(d, fmt):
    assert cells.a_date(fmt.format(y=d.year, m=d.month, d=d.day)) == d
    assert cells.a_date(d) == d
    assert cells.a_date(datetime(d.year, d.month, d.day)) == d


@given(st.integers(1, 12), st.integers(1, 40), st.integers(1900, 2100))
def test_impossible_dates_are_refused_with_the_fix(m, d, y):
    try:
        date(y, m, d)
        return
    except ValueError:
        pass
    with pytest.raises(CellError, match=r"is not a date \(use YYYY-MM-DD\)"):
        cells.a_date(f"{y}-{m:02d}-{d:02d}")


@pytest.mark.parametrize("bad", ["2023/13/01", "2023-02-30", "01/02/2023", "yesterday", 45000.0])
def test_bad_dates(bad):
    with pytest.raises(CellError):
        cells.a_date(bad)


@given(st.sampled_from(["是", "Y", "yes", "TRUE", "1", True]), st.sampled_from(["否", "n", "No", "false", "0", False]))
def test_yes_no(yes, no):
    assert cells.yes_no(yes) is True and cells.yes_no(no) is False


@given(st.text().filter(lambda t: t.strip().casefold() not in cells.YES + cells.NO))
def test_yes_no_refuses_everything_else(t):
    with pytest.raises(CellError, match="is not 是 or 否"):
        cells.yes_no(t)


@given(st.integers(-10**6, 10**6))
def test_integer_from_text_float_and_int(n):
    parse = cells.integer()
    assert parse(n) == parse(float(n)) == parse(str(n)) == parse(f" {n} ") == n


def test_integer_refuses_fractions_and_range():
    with pytest.raises(CellError):
        cells.integer()(2.5)
    with pytest.raises(CellError, match="outside 1–5"):
        cells.integer(1, 5)(6)


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_decimal_is_exact(d):
    parse = cells.decimal()
    assert parse(str(d)) == d
    assert parse(float(d)) == d  # a float cell with two decimals reads back exactly


def test_decimal_refuses_three_places():
    with pytest.raises(CellError, match="more than 2 decimals"):
        cells.decimal()("1.005")
    assert cells.decimal()(12.3) == Decimal("12.30")


@given(st.integers(0, 10**9))
def test_employee_numbers_stored_as_numbers_read_as_text(n):
    assert cells.code(float(n)) == str(n)
    assert cells.code(str(n)) == str(n)


def test_code_refuses_inner_spaces():
    with pytest.raises(CellError, match="spaces"):
        cells.code("K 01")
