"""Shared fixtures. Qt runs offscreen; every test gets its own data folder and database."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from cpd_desktop.db import Database, open_database  # noqa: E402
from cpd_desktop.models import School  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep logs, backups and settings of each test out of the real user's folders."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("CPD_DESKTOP_DATA", str(folder))
    monkeypatch.delenv("CPD_DESKTOP_DB", raising=False)
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "school.sqlite"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path, create=True)
    yield database
    database.dispose()


@pytest.fixture
def school(db: Database) -> School:
    from cpd_desktop.services.schools import create_school

    with db.session() as s:
        return create_school(s, "Test Academy", urn="123456", postcode="yo10 5dd", departments=["Science"])


@pytest.fixture
def session(db: Database, school: School) -> Iterator:
    """A session in a transaction that the test can flush into; committed at the end."""
    with db.session() as s:
        s.add(school)
        yield s


TODAY = dt.date(2025, 11, 20)
