"""Writing many new rows at once (an import's records, their evaluation stages) as fast as SQLite takes them.

SQLAlchemy's bulk INSERT converts every value of every row through the column's type; on SQLite
``SqliteRows`` converts each distinct value once, the way SQLAlchemy stores it (dates as text, money and
hours as REAL), and hands the tuples to the driver's ``executemany`` in the session's own transaction. On
PostgreSQL the callers use SQLAlchemy's own INSERT.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, insert
from sqlalchemy.orm import Session

from ..models.base import Hours, Money
from ..models.impact import IndicatorValue


class SqliteRows:
    """An INSERT and its parameter tuples, values stored exactly as SQLAlchemy stores them in SQLite;
    each distinct value is converted once over all the chunks of an import."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.done: dict[str, dict[Any, Any]] = {}

    def statement(self, rows: list[dict[str, Any]]) -> tuple[str, list[tuple[Any, ...]]]:
        columns = [c for c in self.table.columns if c.name in rows[0]]
        for column in columns:
            convert = sqlite_converter(column.type)
            if convert is None:
                continue
            name = column.name
            done = self.done.setdefault(name, {None: None})
            for row in rows:  # the rows are ours to change: they were made for this insert
                value = row[name]
                try:
                    row[name] = done[value]
                except KeyError:
                    row[name] = done[value] = convert(value)
        names = ", ".join(f'"{c.name}"' for c in columns)
        sql = f'INSERT INTO "{self.table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608 - the table's own names; values are bound
        getter = itemgetter(*(c.name for c in columns))
        return sql, list(map(getter, rows))


def sqlite_converter(type_: Any) -> Callable[[Any], Any] | None:
    if isinstance(type_, DateTime):
        return lambda value: value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(type_, Date):
        return lambda value: value.strftime("%Y-%m-%d")
    if isinstance(type_, Money | Hours | IndicatorValue | Numeric):
        return float
    return None


def insert_rows(session: Session, table: Any, rows: list[dict[str, Any]], *, chunk: int = 5000) -> None:
    """INSERT ``rows`` (dicts with the same keys, made for this insert: they are changed) into ``table`` in the
    session's transaction, ``chunk`` at a time; the driver's own executemany on SQLite."""
    if not rows:
        return
    connection = session.connection()
    sqlite = SqliteRows(table) if connection.dialect.name == "sqlite" else None
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        if sqlite is not None:
            connection.exec_driver_sql(*sqlite.statement(part))
        else:
            session.execute(insert(table).execution_options(render_nulls=True), part)
