"""Compiling SQLAlchemy statements for SQLite into the cache ``storage.fastread`` reads: ``report hours``'s,
and the dashboard's for the window's start.

The statements stay written once, here in the services (``reports.hours_report_statement``,
``years.term_dates_statement``, ``dashboard.dashboard_queries``); this module compiles them with SQLAlchemy's
SQLite dialect and writes what the standard library needs to run them: the SQL, the parameters in
placeholder order, and how each parameter is sent and each result column read. Each of those ways is checked against SQLAlchemy's own
processor for the column's type before the cache is written; a type it does not know leaves the report
uncached (it then always takes the usual path), never half-right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from ..models import School
from ..storage import fastread
from ..storage.fastread import COLUMN_READERS, PARAM_WRITERS, Statement
from .dashboard_figures import CACHE_NAME as DASHBOARD_CACHE_NAME
from .dashboard_figures import CACHED as DASHBOARD_CACHED
from .hours_figures import CACHE_NAME, CACHED
from .reports import hours_report_statement
from .years import term_dates_statement


class NotCachable(Exception):
    """A statement uses something the cache cannot reproduce exactly with sqlite3."""


# Values each way of reading is checked with against SQLAlchemy's processor for the type.
_COLUMN_SAMPLES: dict[str, list[Any]] = {
    "bool": [0, 1, None], "date": ["2025-09-01", "1999-12-31", None],
    "decimal2": [0, 1, 35, 2.5, 0.125, 1.005, 12.345, 0.1 + 0.2, None], "float": [0, 1, 0.8, 0.125, None]}
_PARAM_SAMPLES: dict[str, list[Any]] = {
    "bool": [True, False, None], "date": [dt.date(2025, 9, 1), dt.date(1999, 12, 31), None],
    "decimal2": [Decimal("35.00"), Decimal("0.5"), None]}


def _same(ours: Callable[[Any], Any], theirs: Callable[[Any], Any], samples: Sequence[Any]) -> bool:
    try:
        return all(type(ours(v)) is type(theirs(v)) and ours(v) == theirs(v) for v in samples)
    except Exception:  # noqa: BLE001 - a processor that cannot take a sample is not this kind
        return False


def _column_kind(type_: TypeEngine[Any], dialect: Dialect) -> str:
    processor = type_._cached_result_processor(dialect, None)  # noqa: SLF001 - as SQLAlchemy's result does
    if processor is None:
        return "raw"
    for kind in ("bool", "date", "decimal2", "float"):
        if _same(COLUMN_READERS[kind], processor, _COLUMN_SAMPLES[kind]):
            return kind
    raise NotCachable(f"no reader for a {type_!r} column")


def _param_kind(type_: TypeEngine[Any], dialect: Dialect) -> str:
    processor = type_._cached_bind_processor(dialect)  # noqa: SLF001 - as SQLAlchemy's execution does
    if processor is None:
        return "raw"
    for kind, samples in _PARAM_SAMPLES.items():
        if _same(PARAM_WRITERS[kind], processor, samples):
            return kind
    raise NotCachable(f"no writer for a {type_!r} parameter")


def compile_statement(stmt: Select[*tuple[Any, ...]]) -> Statement:
    """``stmt`` compiled for SQLite as the app's engine runs it (qmark placeholders), with its readers and writers."""
    dialect = sqlite.dialect()
    compiled = stmt.compile(dialect=dialect)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise NotCachable("a parameter is rendered at execution time")
    names = compiled.positiontup or []
    binds = compiled.binds
    if any(binds[name].value is not None or binds[name].callable is not None for name in names):
        raise NotCachable("a parameter carries its own value")
    params = tuple((name, _param_kind(binds[name].type, dialect)) for name in names)
    columns = tuple(_column_kind(column.type, dialect) for column in stmt.selected_columns)
    return Statement(str(compiled), params, columns)


def hours_statements() -> dict[str, Statement]:
    """``report hours``'s statements, compiled: the schools, a school's own term dates, and the hours query
    (for the whole school, and for one department)."""
    schools = select(School.id, School.name, School.cpd_target_hours, School.academic_year_start_month) \
        .order_by(School.name)
    statements = {"school": compile_statement(schools), "terms": compile_statement(term_dates_statement()),
                  "hours": compile_statement(hours_report_statement(by_department=False)),
                  "hours_department": compile_statement(hours_report_statement(by_department=True))}
    assert set(statements) == CACHED
    return statements


def dashboard_statements() -> dict[str, Statement]:
    """The dashboard's statements and the start's other reads (``dashboard.dashboard_queries``), compiled: what
    ``cpd_desktop.quicklook`` runs to show the dashboard's figures before the database layer has loaded."""
    from .dashboard import dashboard_queries  # the dashboard's services load only when its cache is written

    statements = {name: compile_statement(stmt) for name, stmt in dashboard_queries().items()}
    assert set(statements) == DASHBOARD_CACHED
    return statements


def _refresh(name: str, expected: frozenset[str], make: Callable[[], dict[str, Statement]]) -> bool:
    """Write the cache ``name`` unless it is current already; whether it is now.

    The cache only saves time: a folder that cannot be written leaves it as it was, and says so (False)."""
    stamp = fastread.fingerprint()
    if fastread.load(name, set(expected), stamp) is not None:
        return True
    try:
        fastread.store(name, make(), stamp)
    except (OSError, NotCachable):
        return False
    return True


def refresh_hours_cache() -> bool:
    """Write ``report hours``'s compiled statements unless the cache is current already; whether it is now."""
    return _refresh(CACHE_NAME, CACHED, hours_statements)


def refresh_dashboard_cache() -> bool:
    """Write the dashboard's compiled statements unless the cache is current already (the window, once its
    database is open, on SQLite); whether it is now."""
    return _refresh(DASHBOARD_CACHE_NAME, DASHBOARD_CACHED, dashboard_statements)
