"""Opening database files: new files are created at head; bad files are refused with a clear message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from cpd_desktop.errors import DatabaseDamagedError, DatabaseError
from cpd_desktop.services.database import open_database
from cpd_desktop.storage.database import Database
from cpd_desktop.storage.migrate import head_revision


def test_new_file_is_created_at_the_newest_schema(db_path: Path) -> None:
    db = open_database(db_path, create=True)
    with db.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == head_revision()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    db.dispose()


def test_missing_file_is_a_user_error_not_a_new_file(db_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no CPD database"):
        open_database(db_path)
    assert not db_path.exists()


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(tmp_path / "nowhere" / "x.sqlite", create=True)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("shopping list\n" * 100)
    before = bogus.read_bytes()
    with pytest.raises(DatabaseDamagedError, match="damaged"):
        open_database(bogus)
    assert bogus.read_bytes() == before


def test_a_deferred_check_still_never_lets_a_damaged_file_be_written(db_path: Path) -> None:
    import random
    import sqlite3

    from cpd_desktop.services.schools import create_school

    made = open_database(db_path, create=True)
    with made.session() as s:
        create_school(s, "Sound School", departments=["Science", "Biology", "Physics"])
    made.dispose()
    conn = sqlite3.connect(db_path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = [r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name IN "
                                         "('school', 'audit_entry') AND rootpage > 0")]
    conn.close()
    with db_path.open("r+b") as fh:  # scramble tables' root pages, as a failing disk would
        for page in roots:
            fh.seek((page - 1) * page_size + 8)
            fh.write(bytes(random.Random(page).getrandbits(8) for _ in range(page_size - 16)))
    db = open_database(db_path, verify=False)  # the app: the window comes up before the check
    assert not db.verified
    before = db_path.read_bytes()
    with pytest.raises(DatabaseDamagedError), db.session() as s:
        create_school(s, "Never Written")
    assert db_path.read_bytes() == before
    with pytest.raises(DatabaseDamagedError):  # the background check the app runs finds it too
        db.verify()
    assert db.damaged
    with pytest.raises(DatabaseDamagedError), db.engine.begin() as conn:  # and then refuses any write
        conn.exec_driver_sql("DELETE FROM school_period")
    assert db_path.read_bytes() == before
    db.dispose()


def test_a_deferred_check_passes_a_sound_file_once(db_path: Path) -> None:
    open_database(db_path, create=True).dispose()
    db = open_database(db_path, verify=False)
    db.verify()
    assert db.verified and not db.damaged
    db.verify()  # a second call does nothing
    db.dispose()


def test_a_read_only_database_gives_each_user_action_its_own_connection(db_path: Path) -> None:
    # Copying a school out of a read-only file reads on two connections at once.
    open_database(db_path, create=True).dispose()
    db = open_database(db_path, readonly=True)
    with db.engine.connect() as first:
        first.exec_driver_sql("SELECT count(*) FROM school").scalar()
        with db.engine.connect() as second:
            assert second.exec_driver_sql("SELECT count(*) FROM school").scalar() == 0
    db.dispose()


@pytest.mark.postgres
def test_postgresql_plans_every_query_with_its_values(pg_url: str) -> None:
    """No prepared statements: their generic plans cannot see a year's dates (a slow plan for reports)."""
    db = open_database(pg_url)
    try:
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None and getattr(raw, "prepare_threshold", "missing") is None
            for _ in range(8):  # more runs than psycopg's default threshold (5) before it would prepare
                assert conn.execute(text("SELECT count(*) FROM school WHERE id = :id"), {"id": 1}).scalar() == 0
            assert conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar() == 0
    finally:
        db.dispose()


def test_the_audit_trail_is_attached_by_whoever_opens_the_file(db_path: Path) -> None:
    """The storage layer knows no service: its own open writes no audit entries unless given the hook,
    and the app's open (``services.database``) always gives it."""
    from sqlalchemy import func, select

    from cpd_desktop.models import AuditEntry
    from cpd_desktop.services.audit import install_audit
    from cpd_desktop.services.schools import create_school
    from cpd_desktop.storage.database import open_database as open_storage

    def entries_after_adding(db_open: Callable[..., Database], name: str, **options: Any) -> int:
        db = db_open(db_path, create=True, **options)
        try:
            with db.session() as s:
                before = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
                create_school(s, name)
            with db.session() as s:
                return (s.scalar(select(func.count()).select_from(AuditEntry)) or 0) - before
        finally:
            db.dispose()

    assert entries_after_adding(open_storage, "Ashcombe School") == 0
    assert entries_after_adding(open_storage, "Brookfield Academy", audit=install_audit) > 0
    assert entries_after_adding(open_database, "Castlegate High") > 0
