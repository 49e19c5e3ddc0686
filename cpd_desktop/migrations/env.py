"""Alembic environment: runs inside the app with a connection it is handed (see cpd_desktop.migrate)."""

from __future__ import annotations

from typing import Literal

from alembic import context

from cpd_desktop.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # run from the alembic command line while developing
        from sqlalchemy import create_engine

        url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///dev.sqlite"
        engine = create_engine(url)
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _render_item(type_: str, obj: object, autogen_context: object) -> str | Literal[False]:
    """Write our money and hours types as plain NUMERIC, so migrations never import the models."""
    from cpd_desktop.models.base import _Decimal2

    if type_ == "type" and isinstance(obj, _Decimal2):
        return f"sa.Numeric(precision={obj.precision}, scale=2)"
    return False


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables instead
        compare_type=True,
        render_item=_render_item,
    )
    sqlite = getattr(connection, "dialect", None) is not None and connection.dialect.name == "sqlite"  # type: ignore[attr-defined]
    if sqlite:
        # A table rebuild would drop a table's guard triggers, and a trigger naming a table breaks its
        # rename: the guards come off for the upgrade and go back on the schema as it then is.
        from cpd_desktop.integrity import drop_sqlite_guards, guards_due, install_sqlite_guards

        drop_sqlite_guards(connection)  # type: ignore[arg-type]
    context.run_migrations()
    if sqlite and guards_due(connection):  # type: ignore[arg-type]
        install_sqlite_guards(connection)  # type: ignore[arg-type]
    if getattr(connection, "dialect", None) is not None and connection.dialect.name == "postgresql":  # type: ignore[attr-defined]
        # A trust's school logins get exactly the rights the app needs on the schema as it now is
        # (new tables and columns included): see cpd_desktop/integrity.py.
        from cpd_desktop.integrity import refresh_school_rights

        refresh_school_rights(connection)


run_migrations_online()
