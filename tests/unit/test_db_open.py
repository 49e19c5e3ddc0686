"""Opening database files: new files are created at head; bad files are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from cpd_desktop.db import open_database
from cpd_desktop.errors import DatabaseDamagedError, DatabaseError
from cpd_desktop.migrate import head_revision


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
