"""What every use case needs: the database, the policy, who is acting, and callbacks for progress and
for a new database file (services never print; the command line says what they report)."""

from __future__ import annotations

import gc
import getpass
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator

from gradecli.domain.policy import Policy

Progress = Callable[[Any, int, int], None]  # (what: a label or a Msg, rendered by the command line; done, total)


def _no_progress(_what: Any, _done: int, _total: int) -> None:
    return None


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


@dataclass
class Context:
    url: str
    policy: Policy = field(default_factory=Policy)
    actor: str = field(default_factory=current_user)
    progress: Progress = _no_progress
    auto_upgrade: bool = True
    pretend_today: date | None = None  # --today: rehearsals and catching up; recorded in the cycle log
    on_new_database: Callable[[Path], None] | None = None  # told once when opening creates a SQLite file

    @property
    def today(self) -> date:
        return self.pretend_today or date.today()

    @cached_property
    def engine(self):  # noqa: ANN201
        """Opened on first use; a database that cannot be used raises DatabaseUnavailable here."""
        return self.open_engine(upgrade=self.auto_upgrade)

    def open_engine(self, *, upgrade: bool):  # noqa: ANN201
        from gradecli.store.db import open_engine

        return open_engine(self.url, upgrade=upgrade, on_new_file=self.on_new_database)

    def uow(self):  # noqa: ANN201
        from gradecli.store.uow import UnitOfWork

        return UnitOfWork(self.engine)


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during one bulk computation.

    Building a payroll or scoring a sitting allocates millions of small objects; the collector
    then keeps rescanning everything alive (about a third of the time at 100,000 staff). Plain
    reference counting still frees what is no longer used; cycles are collected on the way out.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
