"""Migrations keep data: every earlier revision upgrades with every row intact, batch migrations keep
ON DELETE CASCADE children, and a failed or link-breaking migration changes nothing.

Besides the app's own revisions, each test adds a revision of its own on top of head (written to a
temporary folder) that batch-migrates the parent tables, so the tests bite even before the app
ships a batch migration of its own.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import IntegrityError

from cpd_desktop.errors import DatabaseError
from cpd_desktop.services.database import open_database
from cpd_desktop.storage.migrate import alembic_config, head_revision, revisions_in_order, upgrade_on_open
from tests.migration_files import migrate_file

TODAY = dt.date(2025, 11, 20)

BATCH_PARENTS = '''
def upgrade() -> None:
    # Batch mode copies each table, drops the original and renames the copy: with foreign keys on,
    # the drop would delete every child row through ON DELETE CASCADE.
    for table in ("school", "staff", "booking"):
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.add_column(sa.Column("test_note", sa.String(50), nullable=True))
'''


def extra_revision(folder: Path, body: str, rev: str = "9999_test") -> Config:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{rev}.py").write_text(textwrap.dedent(f'''
        """test revision"""
        import sqlalchemy as sa
        from alembic import op

        revision = "{rev}"
        down_revision = "{head_revision()}"
        branch_labels = None
        depends_on = None
        ''') + textwrap.dedent(body) + "\n\ndef downgrade() -> None:\n    pass\n", encoding="utf-8")
    return alembic_config([folder])


def demo_file(path: Path) -> Path:
    from cpd_desktop.services.demo import build_demo

    db = open_database(path, create=True)
    with db.session() as s:
        build_demo(s, seed=2, today=TODAY)
    db.dispose()
    return path


def rows_of(path: Path) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every table, keyed by its rowid."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
        out = {}
        for table in tables:
            cur = conn.execute(f'SELECT rowid, * FROM "{table}"')
            names = [d[0] for d in cur.description][1:]
            out[table] = {r[0]: dict(zip(names, r[1:], strict=True)) for r in cur}
        return out
    finally:
        conn.close()


def fill_from(path: Path, source: Path) -> None:
    """Copy the rows of ``source`` (at head) into ``path`` (an older schema), column by column."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("ATTACH DATABASE ? AS src", (str(source),))
        tables = [r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
        for table in tables:
            have = {r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')}
            src = {r[1] for r in conn.execute(f'PRAGMA src.table_info("{table}")')}
            cols = ", ".join(f'"{c}"' for c in sorted(have & src))
            if cols:
                conn.execute(f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM src."{table}"')
        conn.commit()
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()


def earlier_revisions() -> list[str]:
    return revisions_in_order()  # with the test's own revision on top, every app revision is "earlier"


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_file(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.mark.parametrize("revision", earlier_revisions())
def test_a_database_from_every_earlier_revision_upgrades_with_every_row(revision: str, tmp_path: Path,
                                                                        demo_source: Path) -> None:
    cfg = extra_revision(tmp_path / "versions", BATCH_PARENTS)
    path = tmp_path / f"at-{revision}.sqlite"
    migrate_file(path, revision, cfg=cfg)  # an empty file at that revision
    fill_from(path, demo_source)
    before = rows_of(path)
    assert sum(len(rows) for rows in before.values()) > 1000  # a real school's worth of rows
    db = open_database(path, migrate=False)
    try:
        upgrade_on_open(db, cfg=cfg)
        assert db.migrated_from == revision and db.backup_before_migration is not None
        assert rows_of(db.backup_before_migration) == before  # the backup holds the file as it was
    finally:
        db.dispose()
    after = rows_of(path)
    for table, rows in before.items():
        assert set(after[table]) == set(rows), f"rows lost or gained in {table}"
        for rowid, row in rows.items():
            kept = after[table][rowid]
            assert {k: kept[k] for k in row} == row, f"{table} row {rowid} changed"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999_test"
    conn.close()


def test_a_batch_migration_of_a_parent_keeps_its_cascade_children(tmp_path: Path, demo_source: Path) -> None:
    cfg = extra_revision(tmp_path / "versions", BATCH_PARENTS)
    path = tmp_path / "school.sqlite"
    path.write_bytes(demo_source.read_bytes())
    before = rows_of(path)
    assert before["cover_lesson"] and before["timetable_lesson"] and before["activity"]
    db = open_database(path, migrate=False)
    upgrade_on_open(db, cfg=cfg)
    db.dispose()
    after = rows_of(path)
    for child in ("cover_lesson", "timetable_lesson", "activity", "booking", "bursary_claim", "department",
                  "audit_entry"):
        assert len(after[child]) == len(before[child]), child


def test_the_same_migration_with_foreign_keys_on_would_have_deleted_the_children(tmp_path: Path,
                                                                                 demo_source: Path) -> None:
    """The control: shows the test above would catch the loss."""
    cfg = extra_revision(tmp_path / "versions", BATCH_PARENTS)
    path = tmp_path / "school.sqlite"
    path.write_bytes(demo_source.read_bytes())
    before = len(rows_of(path)["timetable_lesson"])
    db = open_database(path, migrate=False)
    refused = False
    try:
        with db.engine.connect() as conn, conn.begin():  # foreign keys are on for every app connection
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except IntegrityError:
        # Which child SQLite reaches first in the cascade depends on how the schema was last written: when
        # a person goes before their bookings (ON DELETE RESTRICT), the drop is refused half-way instead.
        refused = True
    db.dispose()
    assert before > 0 and (refused or len(rows_of(path)["timetable_lesson"]) == 0)


def test_a_failed_migration_changes_nothing(tmp_path: Path, demo_source: Path) -> None:
    cfg = extra_revision(tmp_path / "versions", '''
        def upgrade() -> None:
            op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
            with op.batch_alter_table("staff", recreate="always") as batch:
                batch.add_column(sa.Column("test_note", sa.String(50), nullable=True))
            op.execute("DELETE FROM activity")
            raise RuntimeError("the power went off half way")
        ''')
    path = tmp_path / "school.sqlite"
    path.write_bytes(demo_source.read_bytes())
    before = rows_of(path)
    db = open_database(path, migrate=False)
    with pytest.raises(RuntimeError):
        upgrade_on_open(db, cfg=cfg)
    db.dispose()
    assert rows_of(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    assert "test_note" not in {r[1] for r in conn.execute("PRAGMA table_info(staff)")}
    conn.close()


def test_a_migration_that_would_break_links_is_rolled_back_with_a_message(tmp_path: Path,
                                                                          demo_source: Path) -> None:
    cfg = extra_revision(tmp_path / "versions", '''
        def upgrade() -> None:
            op.execute("DELETE FROM staff WHERE id IN (SELECT staff_id FROM activity LIMIT 1)")
        ''')
    path = tmp_path / "school.sqlite"
    path.write_bytes(demo_source.read_bytes())
    before = rows_of(path)
    db = open_database(path, migrate=False)
    with pytest.raises(DatabaseError, match="would break .* links between records.*nothing was changed"):
        upgrade_on_open(db, cfg=cfg)
    db.dispose()
    assert rows_of(path) == before


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path, demo_source: Path) -> None:
    path = tmp_path / "school.sqlite"
    path.write_bytes(demo_source.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'zzzz_future'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="newer version of CPD Desktop"):
        open_database(path)
