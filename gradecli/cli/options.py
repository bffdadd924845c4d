"""Each shared option declared once, as Annotated aliases."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from gradecli.i18n import N_, Msg


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(Msg("'{value}' is not a date; write YYYY-MM-DD, e.g. 2026-12-01",
                                     value=value).text()) from None


JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print JSON for scripts instead of a table."))]
OutXlsx = Annotated[Path | None, typer.Option("--out", help=N_("Also write an Excel file."), dir_okay=False)]
EmpArg = Annotated[str, typer.Argument(metavar="EMP", help=N_("Employee number."))]
XlsxArg = Annotated[Path, typer.Argument(metavar="FILE", help=N_("An Excel workbook (.xlsx)."), dir_okay=False)]
DateOpt = Annotated[str, typer.Option("--date", help=N_("Effective date, YYYY-MM-DD."))]
CycleArg = Annotated[str, typer.Argument(metavar="CYCLE", help=N_("The cycle's code: its period (2026, 2026H2), or PERIOD-FAMILY for a cycle of some families (2026-航标)."))]
