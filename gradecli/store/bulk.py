"""Bulk inserts: one executemany per table, the fastest path each database offers."""

from __future__ import annotations

from datetime import date
from operator import itemgetter
from typing import Any, Callable, Sequence

from sqlalchemy import Boolean, Date, DateTime, Table
from sqlmodel import Session


def _sqlite_converter(col_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    # The stored forms SQLAlchemy's SQLite types use, without their per-value overhead:
    # Date is ISO text (same as date.isoformat), Boolean is 0/1 (a Python bool already is).
    if isinstance(col_type, Date) and not isinstance(col_type, DateTime):
        return date.isoformat
    if isinstance(col_type, Boolean):
        return None
    return col_type._cached_bind_processor(dialect)


def insert_rows(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """Insert dict rows (all with the same keys) inside the session's transaction.

    On SQLite the values go straight to the driver's executemany, skipping SQLAlchemy's per-row
    parameter compilation (less than half the time on 100,000 rows); elsewhere a Core
    executemany (insertmanyvalues) is already fast.
    """
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), list(rows))
        return
    cols = list(rows[0].keys())
    getter = itemgetter(*cols)
    convert = [(i, f) for i, c in enumerate(cols) if (f := _sqlite_converter(table.c[c].type, conn.dialect))]
    if len(cols) == 1:
        data = [(getter(r),) for r in rows]
    else:
        data = [getter(r) for r in rows]
    if convert:
        out = []
        for t in data:
            t = list(t)
            for i, f in convert:
                v = t[i]
                if v is not None:
                    t[i] = f(v)
            out.append(tuple(t))
        data = out
    names = ", ".join(f'"{c}"' for c in cols)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(cols))})', data)
