"""Shared fixtures: databases (SQLite always, PostgreSQL when GRADECLI_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PG_ENV = "GRADECLI_TEST_POSTGRES_URL"

# The tests read gradecli's messages in English (its msgids); the Chinese default is tested where it
# is the point (tests/cli/test_languages.py, the README and user-guide tours).
os.environ["GRADECLI_LANG"] = "en"
from gradecli.i18n import set_language  # noqa: E402

set_language("en")


def _pg_url() -> str | None:
    return os.environ.get(PG_ENV)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path: Path):
    """A fresh, empty database: a SQLite file, or a new schema in the PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _pg_url()
    if not base:
        pytest.skip(f"{PG_ENV} is not set; PostgreSQL tests run in CI (.ci/run sets it)")
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def ctx(db_url):
    from gradecli.services.context import Context

    c = Context(url=db_url)
    yield c
    if "engine" in c.__dict__:
        c.engine.dispose()


@pytest.fixture
def sqlite_ctx(tmp_path):
    from gradecli.services.context import Context

    c = Context(url=f"sqlite:///{tmp_path / 'one.db'}")
    yield c
    if "engine" in c.__dict__:
        c.engine.dispose()


@pytest.fixture(autouse=True)
def _english_again():
    """A test that ran the command line in Chinese leaves the next one reading English."""
    yield
    set_language("en")


@pytest.fixture
def zh():
    """Messages in Chinese for the length of a test (the suite reads English otherwise)."""
    set_language("zh")
    yield
    set_language("en")
