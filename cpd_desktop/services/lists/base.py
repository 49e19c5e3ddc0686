"""What every list is made of, without Qt: columns, a base query, named filters, a sort, and pages.

A list (``ListDef``) knows its columns and how each reads, the query behind them with its school,
its named filters (``{"year": …, "department": "Science", "status": "open"}``) and how a row is
coloured. ``fetch_page`` returns one page of ``Row``s (the record's id, its values in column order,
the version the person saw, a colour name); ``count`` says how many match. The window's table model
holds those rows and asks for the next page when the table scrolls: it never sees SQL.

Filtering, searching and sorting happen in SQL, so a search over a million activities is one
``SELECT … WHERE … ORDER BY … LIMIT``; values stay typed (dates, ``Decimal``) and are formatted the
UK way (``Column.format``) only when shown.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Select, and_, func, literal, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..formatting import format_date, format_datetime, format_hours, format_money
from ..rules import search

INDEX_BUDGET_S = 0.02  # how long a search may walk the sort's index before reading the table instead
PAGE_SIZE = 200

Filters = Mapping[str, Any]  # a list's named filters and their values; None (or "") means "not filtered"
FilterRule = Callable[[Any], Any]  # a filter's value -> an SQL condition (None: no condition)


@dataclass(frozen=True)
class Column:
    """One column: its title, the SQL expression behind it, and how its values read."""

    key: str
    title: str
    expr: Any
    kind: str = "text"  # text, date, datetime, utc_datetime, money, hours, int, float, percent, bool, choice
    choices: Mapping[Any, str] | None = None
    searchable: bool = False
    sortable: bool = True
    tooltip: str = ""
    width: int | None = None
    sort_expr: Any = None
    # pattern -> SQL condition, when matching through a small table beats a LIKE on every row
    search_condition: Callable[[str], Any] | None = None
    whole: str = ""  # the widest cell text the table must show whole: the column is never narrower

    def cell(self, value: Any) -> str:
        """The value as its cell in a table shows it: ``format``'s text, unless the column shortens it to fit
        (the whole text is then the cell's tooltip and what a screen reader says)."""
        return self.format(value)

    def format(self, value: Any) -> str:
        """The value as a person reads it: UK dates, £ with pence, hours, Yes/No, a choice's label."""
        if value is None:
            return ""
        kind = self.kind
        if kind == "datetime":
            return format_datetime(value) if isinstance(value, dt.datetime) else str(value)
        if kind == "utc_datetime":  # stored in UTC (the audit trail): shown on the person's own clock
            from ..audit import local_time

            return format_datetime(local_time(value)) if isinstance(value, dt.datetime) else str(value)
        if kind == "date":
            return format_date(value) if isinstance(value, dt.date) else str(value)
        if kind == "money":
            return format_money(value)
        if kind == "hours":
            return format_hours(value)
        if kind == "percent":
            return f"{float(value):.0f}%"
        if kind == "float":
            return f"{float(value):g}"
        if kind == "bool":
            return "Yes" if value else "No"
        if kind == "choice" and self.choices is not None:
            return self.choices.get(value, str(value))
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return str(value)


@dataclass(frozen=True)
class Sort:
    """Sort by the column ``key``, then by id (so pages never overlap)."""

    key: str
    descending: bool = False


class Row(NamedTuple):
    """One record as a list shows it."""

    id: int
    values: tuple[Any, ...]  # in the list's column order
    version: int | None  # the record's version as read (None: the list keeps none)
    style: str | None  # a colour for the whole row: muted, bad, good, warn or info


Source = Session | Engine | Connection | Any  # a session, an engine, or anything with an ``engine`` (the app's db)


@contextmanager
def connect(source: Source) -> Iterator[Connection]:
    """A connection to read from: a session's own (inside its transaction), or a new one from an engine."""
    if isinstance(source, Session):
        yield source.connection()
    elif isinstance(source, Connection):
        yield source
    else:
        engine: Engine = source if isinstance(source, Engine) else source.engine
        with engine.connect() as conn:
            yield conn


class ListDef:
    """A list: columns, base query, named filters, row colours. Subclasses fill these in.

    ``base(columns, scan)`` returns a ``Select`` of the given expressions with its FROM, JOINs and the
    school's WHERE. ``scan`` is True when no filter narrows the rows and the sort is not one an index
    serves: SQLite then reads the table in order, which is ten times faster than visiting every row
    through the school's index and sorting them (a list may ignore it).
    """

    columns: Sequence[Column] = ()
    id_expr: Any = None
    version_expr: Any = None  # read with each row, not shown: a change is checked against the version seen
    style_expr: Any = None  # an SQL expression naming a row's colour (or ``row_style`` from the row's values)
    default_sort: Sort = Sort("")
    indexed_sorts: frozenset[str] = frozenset()  # sorts an index on the school serves in order

    def __init__(self) -> None:
        self.filters: dict[str, FilterRule] = {}

    # ---- to fill in ----
    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        raise NotImplementedError

    def row_style(self, values: tuple[Any, ...]) -> str | None:
        """A row's colour from its values, for a list whose colour follows a column it shows (a sum
        that SQL would otherwise work out twice); lists coloured by a rule use ``style_expr``."""
        return None

    def params(self, filters: Filters) -> dict[str, Any]:
        """Values of the bound parameters in the columns (the year a sum covers), from the filters."""
        return {}

    # ---- the query ----
    def conditions(self, filters: Filters) -> list[Any]:
        """The SQL conditions for ``filters`` (not the search); a name the list does not know is an error."""
        out: list[Any] = []
        for name, value in filters.items():
            if name == "search" or value is None or value == "":
                continue
            try:
                rule = self.filters[name]
            except KeyError:
                raise KeyError(f"{type(self).__name__} has no filter {name!r}") from None
            condition = rule(value)
            if condition is not None:
                out.append(condition)
        return out

    def searchable(self) -> list[Column]:
        return [c for c in self.columns if c.searchable]

    def column_index(self, key: str) -> int:
        for i, column in enumerate(self.columns):
            if column.key == key:
                return i
        raise KeyError(key)

    def _selected(self) -> list[Any]:
        hidden = [self.version_expr if self.version_expr is not None else literal(None),
                  self.style_expr if self.style_expr is not None else literal(None)]
        return [self.id_expr, *[c.expr for c in self.columns], *hidden]

    def statement(self, filters: Filters, sort: Sort | None = None, *, index_first: bool = False) -> Select[Any]:
        """The list's rows matching ``filters`` (and their ``search``), in ``sort`` order (None: unsorted)."""
        words = str(filters.get("search") or "").split()
        conditions = self.conditions(filters)
        key = sort.key if sort is not None else ""
        # A search reads every row's text whatever the sort, and a word that matches nothing reads
        # them all: in table order that is several times faster than through the school's index.
        scan = not index_first and (bool(words) or (not conditions and key not in self.indexed_sorts))
        stmt = self.base(self._selected(), scan=scan)
        conditions += search(self.searchable(), " ".join(words))
        if conditions:
            stmt = stmt.where(and_(*conditions))
        if sort is None:
            return stmt
        column = next((c for c in self.columns if c.key == sort.key and c.sortable), None)
        if column is None:
            return stmt
        expr = column.sort_expr if column.sort_expr is not None else column.expr
        if column.kind in ("text", "choice"):
            expr = func.lower(func.coalesce(expr, literal("")))
        ordered = expr.desc() if sort.descending else expr.asc()
        return stmt.order_by(None).order_by(ordered, self.id_expr)

    def _row(self, raw: Sequence[Any]) -> Row:
        n = len(self.columns)
        values = tuple(raw[1:n + 1])
        return Row(raw[0], values, raw[n + 1], raw[n + 2] if self.style_expr is not None else self.row_style(values))

    def _run(self, source: Source, stmt: Select[Any], params: dict[str, Any],
             budget: float | None = None) -> list[Row] | None:
        """The rows of ``stmt``; with a ``budget`` (seconds, SQLite), None if it would take longer."""
        with connect(source) as conn:
            if budget is None:
                return [self._row(r) for r in conn.execute(stmt, params)]
            raw: Any = conn.connection.driver_connection
            deadline = time.perf_counter() + budget
            raw.set_progress_handler(lambda: 1 if time.perf_counter() > deadline else 0, 2000)
            try:
                return [self._row(r) for r in conn.execute(stmt, params)]
            except OperationalError as exc:
                if "interrupt" not in str(exc).lower():
                    raise
                conn.rollback()
                return None
            finally:
                raw.set_progress_handler(None, 0)

    # ---- what callers use ----
    def fetch_page(self, source: Source, filters: Filters, sort: Sort | None = None, offset: int = 0,
                   limit: int = PAGE_SIZE) -> list[Row]:
        """One page of rows (``limit`` from ``offset``) matching ``filters``, in ``sort`` order (None: the default)."""
        sort = sort if sort is not None else self.default_sort
        params = self.params(filters)
        if str(filters.get("search") or "").split() and sort.key in self.indexed_sorts \
                and _dialect(source) == "sqlite":
            # A search's page in the order of an index: walking that index stops as soon as the page
            # is full, which is instant for a common word but visits every row for a rare one. So the
            # index gets a few milliseconds; if that was not enough, the table is read in order instead.
            stmt = self.statement(filters, sort, index_first=True).limit(limit).offset(offset)
            rows = self._run(source, stmt, params, budget=INDEX_BUDGET_S)
            if rows is not None:
                return rows
        rows = self._run(source, self.statement(filters, sort).limit(limit).offset(offset), params)
        assert rows is not None
        return rows

    def count(self, source: Source, filters: Filters) -> int:
        """How many rows match ``filters`` (all pages): one SQL COUNT."""
        stmt = select(func.count()).select_from(self.statement(filters).order_by(None).subquery())
        with connect(source) as conn:
            return int(conn.execute(stmt, self.params(filters)).scalar() or 0)

    def fetch_row(self, source: Source, ident: int, filters: Filters | None = None) -> Row | None:
        """Record ``ident`` as this list reads it now, whatever the filters (None: it is not there)."""
        stmt = self.base(self._selected()).where(self.id_expr == ident)
        rows = self._run(source, stmt, self.params(filters or {}))
        return rows[0] if rows else None

    def values(self, row: Row) -> dict[str, Any]:
        """A row's values by column key."""
        return {c.key: v for c, v in zip(self.columns, row.values, strict=True)}


def _dialect(source: Source) -> str:
    if isinstance(source, Session):
        return source.get_bind().dialect.name
    engine = source if isinstance(source, Engine | Connection) else source.engine
    return str(engine.dialect.name)
