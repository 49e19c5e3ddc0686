"""Shared set-ups for the attacks: a trust's server holding two schools with a login each, and a file of two."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from cpd_desktop.imports import run_import
from cpd_desktop.services.access import grant_school
from cpd_desktop.services.database import open_database
from cpd_desktop.services.demo import DEMO_SCHOOL, build_demo
from cpd_desktop.services.schools import choose_school
from cpd_desktop.storage.database import Database

TODAY = dt.date(2026, 3, 2)
ALPHA = DEMO_SCHOOL  # "Ashcombe Park Academy"
BETA = "Beta Academy"
STAFF_CSV = "Surname,Forename,Staff Code,Email\nImported,Iris,IIM{n},iris{n}@school.org.uk\n"


def fill_two_schools(db: Database, tmp_path: Path) -> dict[str, int]:
    """The demo school twice (one renamed Beta Academy), each with an import batch: every kind of record."""
    with db.session() as s:
        build_demo(s, seed=3, today=TODAY)
        s.execute(text("UPDATE school SET name = :b"), {"b": BETA})
    with db.session() as s:
        build_demo(s, seed=4, today=TODAY)
    ids = {}
    for n, name in enumerate((ALPHA, BETA)):
        csv = tmp_path / f"staff{n}.csv"
        csv.write_text(STAFF_CSV.format(n=n), encoding="utf-8")
        with db.session() as s:
            school = choose_school(s, name)
            ids[name] = school.id
            result = run_import(s, school, "staff", csv)
            assert result.errors == [] and result.new == 1
    return ids


@dataclass
class Trust:
    """A trust's database with two schools; each school has its own login (a PostgreSQL role)."""

    url: str
    admin: Engine
    school_ids: dict[str, int]
    roles: dict[str, str]
    _engines: list[Engine] = field(default_factory=list)

    def login_url(self, school: str) -> str:
        return make_url(self.url).set(username=self.roles[school], password=None).render_as_string(
            hide_password=False)

    def login(self, school: str) -> Engine:
        """A raw connection pool as the school's login (what a hostile user with its password has)."""
        engine = create_engine(self.login_url(school))
        self._engines.append(engine)
        return engine

    def dispose(self) -> None:
        for engine in self._engines:
            engine.dispose()


def make_trust(pg_url: str, tmp_path: Path) -> Iterator[Trust]:
    db = open_database(pg_url)
    try:
        ids = fill_two_schools(db, tmp_path)
        tag = uuid.uuid4().hex[:8]
        roles = {ALPHA: f"cpd_alpha_{tag}", BETA: f"cpd_beta_{tag}"}
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for role in roles.values():
                conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        with db.session() as s:
            for school, role in roles.items():
                grant_school(s, role, school)
    finally:
        db.dispose()
    trust = Trust(url=pg_url, admin=admin, school_ids=ids, roles=roles)
    try:
        yield trust
    finally:
        trust.dispose()
        with admin.connect() as conn:
            for role in roles.values():
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
                             {"r": role})
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


@pytest.fixture(scope="module")
def trust(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trust]:
    """One trust database for a module's attacks (each attack is refused, so they leave it as it was)."""
    name = f"cpd_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield from make_trust(url, tmp_path_factory.mktemp("trust"))
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def own_trust(pg_url: str, tmp_path: Path) -> Iterator[Trust]:
    """A trust database of the test's own, for attacks whose set-up changes it."""
    yield from make_trust(pg_url, tmp_path)


@pytest.fixture(scope="module")
def _two_school_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("two")
    db = open_database(folder / "two.sqlite", create=True)
    fill_two_schools(db, folder)
    db.dispose()
    return folder / "two.sqlite"


@pytest.fixture
def two_school_file(tmp_path: Path, _two_school_template: Path) -> Iterator[Database]:
    """A file holding two schools (a small trust kept in one file); each test has its own copy."""
    import shutil

    path = tmp_path / "two.sqlite"
    shutil.copyfile(_two_school_template, path)
    db = open_database(path)
    yield db
    db.dispose()
