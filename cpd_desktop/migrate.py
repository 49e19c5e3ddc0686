"""Alembic, run from inside the app: a new file is migrated to head; an older one is backed up first."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from .db import Database, table_names
from .errors import DatabaseError, ReadOnlyError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in one transaction (SQLite DDL is transactional)."""
    cfg = alembic_config()
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        if db.is_sqlite:
            # Batch migrations copy and drop tables: with foreign keys on, dropping a parent table
            # deletes every child row through ON DELETE CASCADE. The pragma is ignored inside a
            # transaction, so it is switched off on the raw connection before BEGIN.
            raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if db.is_sqlite:
                    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise DatabaseError(
                            f"Upgrading {db.label} would break {len(problems)} links between records; "
                            "nothing was changed.",
                            hint="Restore the backup taken before the upgrade and report the problem.",
                        )
        finally:
            cfg.attributes.pop("connection", None)
            if db.is_sqlite:
                raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def upgrade_on_open(db: Database) -> None:
    """Bring the schema to head. An empty file is created; an older one is backed up first."""
    with db.engine.connect() as conn:
        current = current_revision(conn)
    head = head_revision()
    if current == head:
        return
    if current is not None and current not in known_revisions():
        raise DatabaseError(
            f"{db.label} was made by a newer version of CPD Desktop.",
            hint="Install the newest version of CPD Desktop to open it.",
        )
    if current is None and table_names(db.engine) - {"alembic_version"}:
        raise DatabaseError(f"{db.label} is an SQLite database, but not one of CPD Desktop's.",
                            hint="Choose your school's CPD database file.")
    if db.readonly:
        raise ReadOnlyError(
            f"{db.label} needs upgrading to this version of CPD Desktop, but it is open read-only.",
            hint="Open it from a folder you can write to, so that it can be backed up and upgraded.",
        )
    if current is not None and db.path is not None:
        from .services.backups import backup_database

        db.backup_before_migration = backup_database(db, reason="before-upgrade").path
        db.migrated_from = current
    upgrade(db)
