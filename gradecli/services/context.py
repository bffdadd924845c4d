"""What every use case needs: the database, the policy, who is acting, and a progress callback."""

from __future__ import annotations

import gc
import getpass
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Callable, Iterator

from gradecli.domain.policy import Policy

Progress = Callable[[str, int, int], None]  # (what, done, total)


def _no_progress(_what: str, _done: int, _total: int) -> None:
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

    @property
    def today(self) -> date:
        return self.pretend_today or date.today()

    @cached_property
    def engine(self):  # noqa: ANN201
        from gradecli.store.db import make_engine
        from gradecli.store.migrate import ensure_current

        engine = make_engine(self.url)
        if self.auto_upgrade:
            ensure_current(engine)
        return engine

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
