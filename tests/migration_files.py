"""Database files as an earlier version of CPD Desktop left them, for the migration tests.

A file is brought to a named schema revision through the app's own Alembic set-up, the test writes its rows
in raw SQL against that revision's tables (as the earlier version would have), and the file is then opened
as the app opens it: a backup, then every later migration up to head.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from alembic.config import Config

from cpd_desktop.services.database import open_database
from cpd_desktop.storage.migrate import head_revision, upgrade, upgrade_on_open

# The school's columns that every revision since 0001 has and requires.
SCHOOL_COLUMNS = ("id, name, phase, state_funded, academic_year_start_month, financial_year_start_month, "
                  "cpd_target_hours, subject_specific_target, supply_day_rate, mileage_rate, evaluation_due_days, "
                  "leaver_retention_years, is_demo")


def schools(*names: str) -> str:
    """The SQL that writes a school for each name (ids 1, 2, …): state-funded secondaries with the usual
    figures (35 hours, half subject-specific, supply £291 a day, 45p a mile, evaluation due after 42 days)."""
    values = ", ".join(f"({number}, '{name}', 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0)"
                       for number, name in enumerate(names, start=1))
    return f"INSERT INTO school ({SCHOOL_COLUMNS}) VALUES {values};\n"


def migrate_file(path: Path, revision: str, *, cfg: Config | None = None) -> None:
    """Run the app's migrations on ``path`` up to ``revision`` and no further (an empty file if there is none)."""
    sqlite3.connect(path).close()
    db = open_database(path, migrate=False)
    try:
        upgrade(db, revision, cfg=cfg)
    finally:
        db.dispose()


def file_at(path: Path, revision: str, rows: str) -> Path:
    """A new file at ``path`` whose schema is at ``revision``, holding ``rows`` (an SQL script for that schema)."""
    migrate_file(path, revision)
    conn = sqlite3.connect(path)
    try:
        conn.executescript(rows)
        conn.commit()
    except sqlite3.OperationalError as exc:  # the rows name a column the revision lacks, or miss one it needs
        pytest.fail(f"the test's rows do not fit the {revision} schema: {exc}")
    finally:
        conn.close()
    return path


def open_as_the_app_does(path: Path) -> None:
    """Open the file as the app opens an older one: backed up, then upgraded to head."""
    db = open_database(path, migrate=False)
    try:
        upgrade_on_open(db)
    finally:
        db.dispose()


def upgraded_file(path: Path, revision: str, rows: str, *, keep: Sequence[str] = (),
                  foreign_keys: bool = False) -> sqlite3.Connection:
    """``rows`` written into a file at ``revision``, the file then opened as the app opens it.

    The file must end at head, and every row of each table in ``keep`` must come through with the value it
    had in every column it had (columns the upgrade adds are left to the test). Returns a connection to the
    upgraded file, with foreign keys enforced if ``foreign_keys``.
    """
    file_at(path, revision, rows)
    conn = sqlite3.connect(path)
    try:
        before = {}
        for table in keep:
            cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY id')
            before[table] = ", ".join(f'"{d[0]}"' for d in cur.description), cur.fetchall()
            assert before[table][1], f"the test writes no {table} row to keep"
    finally:
        conn.close()
    open_as_the_app_does(path)
    conn = sqlite3.connect(path)
    if foreign_keys:
        conn.execute("PRAGMA foreign_keys = ON")
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
    for table, (columns, rows_before) in before.items():
        after = conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY id').fetchall()
        assert after == rows_before, f"{table}: rows lost or changed by the upgrade"
    return conn


def upgraded_fixture(revision: str, rows: str, *, keep: Sequence[str] = (),
                     foreign_keys: bool = False) -> Callable[..., sqlite3.Connection]:
    """A fixture ``upgraded``: a connection to a new file of ``rows`` at ``revision``, upgraded as the app does
    (see ``upgraded_file``). A test module takes it as ``upgraded = upgraded_fixture(...)``."""

    @pytest.fixture(name="upgraded")
    def fixture(tmp_path: Path) -> sqlite3.Connection:
        return upgraded_file(tmp_path / "old.sqlite", revision, rows, keep=keep, foreign_keys=foreign_keys)

    return fixture
