"""Shared fixtures. Qt runs offscreen; every test gets its own data folder and database."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpd_desktop.models import School
from cpd_desktop.services.database import open_database
from cpd_desktop.storage.database import Database


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


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to the newest schema once; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    open_database(path, create=True).dispose()
    return path


@pytest.fixture
def db(db_path: Path, _template_db: Path) -> Iterator[Database]:
    """A fresh, empty database file at the newest schema (a copy of the template: no migration per test)."""
    import shutil

    shutil.copyfile(_template_db, db_path)
    database = open_database(db_path)
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


PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The PostgreSQL server for trust-mode tests, or a skip saying why there is none."""
    url = os.environ.get("CPD_TEST_POSTGRES_URL", PG_DEFAULT)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("trust-mode tests need psycopg: install the 'postgres' extra")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: no server here
        pytest.skip(f"no PostgreSQL server answers at {url} ({type(exc).__name__}); "
                    "trust-mode tests need one (.ci/run starts it)")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"cpd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
