"""The unit of work: one session, one transaction; rolled back unless committed."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session


class UnitOfWork:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.session: Session | None = None

    def __enter__(self) -> "UnitOfWork":
        self.session = Session(self.engine, expire_on_commit=False)
        self.session.begin()
        return self

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    def __exit__(self, *exc) -> None:
        assert self.session is not None
        # close() rolls back whatever was not committed, and (unlike rollback()) leaves the
        # objects already read usable after the block.
        self.session.close()
        self.session = None

    @property
    def s(self) -> Session:
        assert self.session is not None, "use the unit of work inside a with block"
        return self.session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name
