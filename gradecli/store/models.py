"""SQLModel tables. The schema changes only through a migration in migrations/versions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Numeric, Text, UniqueConstraint, false
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
    certificates: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})  # 、-joined
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


class QuestionRow(SQLModel, table=True):
    """A question's identity (its stable id, tier and family) and which version is current."""

    __tablename__ = "question"

    qid: str = Field(primary_key=True, max_length=40)
    tier: int = Field(index=True)
    family: str = Field(max_length=50)
    current_version: int
    status: str = Field(max_length=10)
    updated_at: datetime


class QuestionVersionRow(SQLModel, table=True):
    """One version of a question's content. A version used on a paper is never edited."""

    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("qid", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    qid: str = Field(foreign_key="question.qid", max_length=40, index=True)
    version: int
    type: str = Field(max_length=10)
    stem: str = Field(sa_column=Column(Text, nullable=False))
    options: str = Field(sa_column=Column(Text, nullable=False))  # JSON list
    answer: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    points: int
    difficulty: float
    areas: str = Field(sa_column=Column(Text, nullable=False))  # JSON list
    explanation: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    created_at: datetime
    used: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # on a stored paper


class PaperBatchRow(SQLModel, table=True):
    """One sitting's draw: the papers generated together (the exposure caps count within it)."""

    __tablename__ = "paper_batch"

    id: int | None = Field(default=None, primary_key=True)
    tier: int
    family: str = Field(max_length=50)
    mode: str = Field(max_length=12)  # individual | variants
    papers: int
    seed: str = Field(max_length=80)
    blueprint: str = Field(sa_column=Column(Text, nullable=False))  # JSON, as used
    created_at: datetime
    created_by: str = Field(max_length=100)


class PaperRow(SQLModel, table=True):
    """A stored paper (试卷): reprinted and scored exactly from its items."""

    __tablename__ = "paper"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    batch_id: int = Field(foreign_key="paper_batch.id", index=True)
    tier: int
    family: str = Field(max_length=50)
    variant: str | None = Field(default=None, max_length=4)
    emp_no: str | None = Field(default=None, max_length=32, index=True)
    seed: str = Field(max_length=120)
    expected: float
    total: int
    created_at: datetime
    # the questions in order: [[question-version id, [shown position → original option index]], …]
    items: str = Field(sa_column=Column(Text, nullable=False, server_default="[]"))


class CycleRow(SQLModel, table=True):
    """An exam cycle: annual (分等考试) or semiannual (等内考试), identified by its period."""

    __tablename__ = "cycle"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)  # 2026, 2026H2, 2026-航标, F2025
    period: str = Field(max_length=10, index=True)  # 2026, 2026H1, 2026H2 (first placements: their code)
    kind: str = Field(max_length=12)
    state: str = Field(max_length=16)
    families: str = Field(default="", max_length=200)  # scope: comma-separated; empty = all
    exam_date: date
    effective_date: date | None = None  # None: the first day of the month after closing
    seed: str | None = Field(default=None, max_length=80)
    created_at: datetime
    published_at: datetime | None = None
    window_ends: date | None = None
    closed_at: datetime | None = None
    revision: int | None = None  # notices published so far
    quotas: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON, as evaluated
    quota_plan: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON, as confirmed
    appraisal_year: int | None = None


class CycleLogRow(SQLModel, table=True):
    """What was done to a cycle, when and by whom (state changes, imports, re-imports)."""

    __tablename__ = "cycle_log"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    at: datetime
    actor: str = Field(max_length=100)
    action: str = Field(max_length=40)
    detail: str = Field(sa_column=Column(Text, nullable=False))  # JSON


class RegistrationRow(SQLModel, table=True):
    """A candidate registered for a cycle, with the step applied for and the paper sat."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("cycle_id", "employee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    emp_no: str = Field(max_length=32)
    family: str = Field(max_length=50)
    from_tier: int
    from_level: int
    to_tier: int
    to_level: int
    exam_tier: int
    fast_track: bool
    status: str = Field(max_length=12)  # registered | withdrawn
    paper_id: int | None = Field(default=None, foreign_key="paper.id")
    theory: Decimal | None = Field(default=None, sa_column=Column(Numeric(6, 2), nullable=True))
    absent: bool = False  # absent from the theory exam (缺考): theory counts as 0
    skill_absent: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # 实操缺考
    skill_marks: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON: each assessor's mark
    skill: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 1), nullable=True))
    registered_at: datetime
    # evaluation (选升评定)
    outcome: str | None = Field(default=None, max_length=24)
    composite: Decimal | None = Field(default=None, sa_column=Column(Numeric(6, 2), nullable=True))
    rating: str | None = Field(default=None, max_length=10)
    performance: int | None = None
    rank: int | None = None
    reasons: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON list
    reopened: bool | None = None  # an upheld appeal opened this candidate's scores again


class AnswerRow(SQLModel, table=True):
    """A candidate's scored answer sheet: per question position the answer as read and the points
    earned (JSON lists, position 1 first; the question versions are the paper's items). One row
    per candidate keeps a 100,000-candidate sitting at 100,000 rows; item analysis unpacks it."""

    __tablename__ = "answer_sheet"

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", unique=True, index=True)
    responses: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of str
    earned: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of decimal strings


class CycleDecisionRow(SQLModel, table=True):
    """A grade decision of an evaluated cycle, written to the ledger when the cycle closes."""

    __tablename__ = "cycle_decision"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    employee_id: int = Field(foreign_key="employee.id")
    emp_no: str = Field(max_length=32)
    kind: str = Field(max_length=30)  # tier_promotion | level_promotion | fast_track | deferral | demotion | initial_placement
    from_tier: int | None = None  # None: a first placement (no grade before)
    from_level: int | None = None
    to_tier: int
    to_level: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = Field(sa_column=Column(Text, nullable=False))  # JSON


class NoticeRow(SQLModel, table=True):
    """A published notice (公示): what it said, when, and until when objections are taken."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("cycle_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    revision: int
    published_on: date
    window_ends: date
    content: str = Field(sa_column=Column(Text, nullable=False))  # JSON: rows and decisions
    changes: str = Field(sa_column=Column(Text, nullable=False))  # JSON: what changed from the last one
    published_by: str = Field(max_length=100)


class AppealRow(SQLModel, table=True):
    """An objection (异议) to a published result, and how it was resolved."""

    __tablename__ = "appeal"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    employee_id: int = Field(foreign_key="employee.id")
    emp_no: str = Field(max_length=32)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    filed_on: date
    filed_by: str = Field(max_length=100)
    status: str = Field(max_length=10)  # pending | upheld | rejected
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    resolved_on: date | None = None
    resolved_by: str | None = Field(default=None, max_length=100)


class AllowanceTableRow(SQLModel, table=True):
    """A version of the allowance table (等级津贴标准), in force from its date; never overwritten."""

    __tablename__ = "allowance_table"

    id: int | None = Field(default=None, primary_key=True)
    effective_from: date = Field(index=True)
    families: str = Field(max_length=200)  # the families it names, comma-separated; "" = all
    content_hash: str = Field(max_length=64)
    source: str = Field(max_length=300)
    imported_at: datetime
    imported_by: str = Field(max_length=100)


class AllowanceRateRow(SQLModel, table=True):
    """The monthly amount of one grade in one table version, in fen."""

    __tablename__ = "allowance_rate"
    __table_args__ = (UniqueConstraint("table_id", "family", "tier", "level"),)

    id: int | None = Field(default=None, primary_key=True)
    table_id: int = Field(foreign_key="allowance_table.id", index=True)
    family: str = Field(max_length=50)  # "" = every family
    tier: int
    level: int
    amount_fen: int


class PayrollRunRow(SQLModel, table=True):
    """A computed month of allowance (the first day of the month identifies it)."""

    __tablename__ = "payroll_run"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(unique=True, index=True)
    computed_at: datetime
    computed_by: str = Field(max_length=100)
    total_fen: int
    lines: int
    ledger_seq: int  # the last ledger event it saw: later events explain arrears
    table_id: int  # the last allowance table version it saw


class PayrollLineRow(SQLModel, table=True):
    """One employee's allowance for a stored month, with its day segments."""

    __tablename__ = "payroll_line"
    __table_args__ = (UniqueConstraint("run_id", "employee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="payroll_run.id", index=True)
    employee_id: int = Field(foreign_key="employee.id")
    emp_no: str = Field(max_length=32)
    base_fen: int
    differential_fen: int
    total_fen: int
    segments: str = Field(sa_column=Column(Text, nullable=False))  # JSON lists: from, to, days, grade, version, amount, front-line, differential, total


class LedgerHeadRow(SQLModel, table=True):
    """The ledger's last event and its hash, kept beside the chain: deleting events from the end
    leaves the chain consistent, but not with its head."""

    __tablename__ = "ledger_head"

    id: int = Field(primary_key=True)  # always 1
    seq: int
    hash: str = Field(max_length=64)
