"""Alembic, run from inside the app: a new file is migrated to head; an older one is backed up first.

Batch migrations on SQLite copy a table, drop the old one and rename the copy. With foreign keys
on, dropping a parent table deletes every child row through ON DELETE CASCADE (measured: a batch
migration of ``school`` emptied every table below it). So ``upgrade`` switches foreign keys off
on its connection *before* BEGIN (the pragma does nothing inside a transaction), checks it is
off, runs every revision in one transaction, and runs ``PRAGMA foreign_key_check`` before
committing: a migration that would leave a dangling link is rolled back whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from ..errors import DatabaseError, ReadOnlyError
from .backups import backup_database

if TYPE_CHECKING:
    from .database import Database  # opens through migrate_if_needed, which imports this module

# The Alembic scripts stay in the package's own folder (the package data names it).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(extra_versions: Sequence[Path] = ()) -> Config:
    """The app's Alembic configuration; ``extra_versions`` adds folders of revisions (tests use it)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if extra_versions:
        folders = [MIGRATIONS_DIR / "versions", *extra_versions]
        cfg.set_main_option("version_locations", " ".join(str(f) for f in folders))
        cfg.set_main_option("path_separator", "space")
    return cfg


def head_revision(cfg: Config | None = None) -> str:
    head = ScriptDirectory.from_config(cfg or alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions(cfg: Config | None = None) -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(cfg or alembic_config()).walk_revisions()}


def revisions_in_order(cfg: Config | None = None) -> list[str]:
    """Every revision from the first to head."""
    return [rev.revision for rev in reversed(list(ScriptDirectory.from_config(cfg or alembic_config())
                                                  .walk_revisions()))]


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head", *, cfg: Config | None = None) -> None:
    """Run the migrations up to ``revision`` in one transaction (SQLite DDL is transactional)."""
    cfg = cfg or alembic_config()
    with db.write_lock(), db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        if db.is_sqlite:
            # Off before BEGIN: inside a transaction the pragma is silently ignored.
            raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
            if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 0:  # type: ignore[union-attr]
                raise DatabaseError(f"{db.label} could not be prepared for upgrading; nothing was changed.",
                                    hint="Close other programs using the file and open it again.")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if db.is_sqlite:
                    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise DatabaseError(
                            f"Upgrading {db.label} would break {len(problems)} links between records "
                            f"(first in table {problems[0][0]}); nothing was changed.",
                            hint="Restore the backup taken before the upgrade and report the problem.",
                        )
        finally:
            cfg.attributes.pop("connection", None)
            if db.is_sqlite:
                raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def upgrade_on_open(db: Database, *, cfg: Config | None = None) -> None:
    """Bring the schema to head. An empty file is created; an older one is backed up first."""
    cfg = cfg or alembic_config()
    with db.engine.connect() as conn:
        current = current_revision(conn)
    head = head_revision(cfg)
    if current == head:
        return
    if current is not None and current not in known_revisions(cfg):
        raise DatabaseError(
            f"{db.label} was made by a newer version of CPD Desktop.",
            hint="Install the newest version of CPD Desktop to open it.",
        )
    if current is None and set(inspect(db.engine).get_table_names()) - {"alembic_version"}:
        raise DatabaseError(f"{db.label} is an SQLite database, but not one of CPD Desktop's.",
                            hint="Choose your school's CPD database file.")
    if db.readonly:
        raise ReadOnlyError(
            f"{db.label} needs upgrading to this version of CPD Desktop, but it is open read-only.",
            hint="Open it from a folder you can write to, so that it can be backed up and upgraded.",
        )
    with db.write_lock():
        if current is not None and db.path is not None:
            db.backup_before_migration = backup_database(db, reason="before-upgrade").path
            db.migrated_from = current
        upgrade(db, cfg=cfg)
