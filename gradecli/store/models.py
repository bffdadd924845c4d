"""SQLModel tables. The schema changes only through a migration in migrations/versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints from the first migration on, so later migrations can drop them by name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Employee(SQLModel, table=True):
    """One person on the roster (人员名册)."""

    __tablename__ = "employee"

    id: int | None = Field(default=None, primary_key=True)
    emp_no: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=100)
    department: str = Field(max_length=100, index=True)
    family: str = Field(max_length=50, index=True)
    post: str = Field(max_length=100)
    professional: bool
    frontline: bool
    title: str = Field(max_length=20)
    service_start: date
    hire_date: date
    active: bool
    leave_date: date | None = None
    updated_at: datetime


class PostHistory(SQLModel, table=True):
    """Where someone worked from a date on; front-line status is dated through it."""

    __tablename__ = "post_history"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    start_date: date
    post: str = Field(max_length=100)
    frontline: bool
    note: str = Field(default="", max_length=200)


class PerformanceRating(SQLModel, table=True):
    """A yearly appraisal (年度考核) and whether a disciplinary record (处分) stands that year."""

    __tablename__ = "performance_rating"
    __table_args__ = (UniqueConstraint("employee_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    year: int
    rating: str = Field(max_length=10)
    disciplinary: bool


class LedgerEventRow(SQLModel, table=True):
    """One grade event, hash-chained to the one before it. Rows are only ever inserted."""

    __tablename__ = "ledger_event"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    employee_id: int = Field(foreign_key="employee.id", index=True)
    emp_no: str = Field(max_length=32)
    kind: str = Field(max_length=30)
    effective: date
    from_tier: int | None = None
    from_level: int | None = None
    to_tier: int | None = None
    to_level: int | None = None
    reason: str = Field(sa_column=Column(Text, nullable=False))
    cycle: str | None = Field(default=None, max_length=40)
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
