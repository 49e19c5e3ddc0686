"""A thin table model over pages of an SQL query: filtering, searching and sorting happen in SQL.

``PagedQueryModel`` holds only the rows fetched so far (a page at a time through
``canFetchMore``/``fetchMore``), so a million activities cost a page of memory and a search or a
sort is one ``SELECT … WHERE … ORDER BY … LIMIT`` however big the table. Values stay typed
(dates, ``Decimal``) and are formatted the UK way only when a cell is drawn.

``data()`` answers every role a view asks for on each paint with a value of that role's type
(never ``None`` for those): PySide6 6.12.0 aborts when Python hands ``None`` back to C++ many
thousands of times (see ``tests/ui/test_pyside_none_regression.py``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.exc import OperationalError

from ..services.formatting import format_date, format_datetime, format_hours, format_money
from .roles import ID_ROLE, RAW_ROLE, ROW_ROLE

PAGE_SIZE = 200
INDEX_BUDGET_S = 0.02  # how long a search may walk the sort's index before reading the table instead

TEXT_ROLES = {Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole,
              Qt.ItemDataRole.StatusTipRole, Qt.ItemDataRole.WhatsThisRole,
              Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.AccessibleDescriptionRole}
NUMERIC_KINDS = {"money", "hours", "int", "percent", "float"}
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTRE = int(Qt.AlignmentFlag.AlignCenter)

STYLE_COLOURS = {"muted": "#6b7280", "bad": "#b42318", "good": "#067647", "warn": "#b54708", "info": "#1f4e79"}

Index = QModelIndex | QPersistentModelIndex


@dataclass
class Column:
    """One column: its title, the SQL expression behind it, and how its values read."""

    key: str
    title: str
    expr: Any
    kind: str = "text"  # text, date, datetime, money, hours, int, float, percent, bool, choice
    choices: dict[str, str] | None = None
    searchable: bool = False
    sortable: bool = True
    tooltip: str = ""
    width: int | None = None
    sort_expr: Any = None
    # pattern -> SQL condition, when matching through a small table beats a LIKE on every row
    search_condition: Callable[[str], Any] | None = None

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        kind = self.kind
        if kind == "datetime":
            return format_datetime(value) if isinstance(value, dt.datetime) else str(value)
        if kind == "utc_datetime":  # stored in UTC (the audit trail): shown on the person's own clock
            from ..services.audit import local_time

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


def like_pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class PagedQueryModel(QAbstractTableModel):
    """Rows of ``query`` a page at a time; ``set_filters``, ``set_search`` and ``sort`` requery.

    ``query(columns)`` returns a ``Select`` of the given column expressions with its FROM, JOINs
    and fixed WHERE (the school); the first column selected is always the record's id.
    ``row_style(row)`` may name a colour (``muted``, ``bad``, ``good``, ``warn``) for a whole row.
    ``version_expr`` (the record's ``version``) is read with each row but not shown: a delete made from
    the row is checked against the version the person saw (``row_version``).
    """

    refreshed = Signal()

    def __init__(self, db: Any, columns: Sequence[Column], query: Callable[[list[Any]], Select[Any]],
                 id_expr: Any, *, default_sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder),
                 row_style: Callable[[tuple[Any, ...]], str | None] | None = None,
                 page_size: int = PAGE_SIZE, plan: dict[str, Any] | None = None, version_expr: Any = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._hidden = [] if version_expr is None else [version_expr]
        # A hint the query builder reads: ``plan["scan"]`` is True when no filter narrows the rows
        # and the sort is not one an index serves. SQLite then reads the table in order, which is
        # ten times faster than visiting every row through the school's index and sorting them.
        self.plan = plan
        self.db = db
        self.columns = list(columns)
        self._query = query
        self._id_expr = id_expr
        self.page_size = page_size
        self.row_style = row_style
        self._rows: list[tuple[Any, ...]] = []
        self._exhausted = True
        self._resetting = False
        self._fetching = False  # rows being added: a view answering their arrival must not ask for more inside it
        self._live = False
        self._filters: list[Any] = []
        self.params: dict[str, Any] = {}  # values of bindparams in the columns (the year, the target)
        self._search = ""
        self._index_first = False  # a search trying the sort's index first (see _fetch)
        self._sort_column, self._sort_order = default_sort
        palette = QGuiApplication.palette()
        self._text_brush = QBrush(palette.text())
        self._no_brush = QBrush()
        self._no_font = QFont()
        self._no_font.setResolveMask(0)  # sets nothing: the view keeps its own font
        self._bold_font = QFont()
        self._bold_font.setBold(True)
        self._brushes = {name: QBrush(QColor(colour)) for name, colour in STYLE_COLOURS.items()}

    # ---- the query ----
    def statement(self, *, for_count: bool = False) -> Select[Any]:
        words = [w for w in self._search.split() if w]
        if self.plan is not None:
            key = self.columns[self._sort_column].key if 0 <= self._sort_column < len(self.columns) else ""
            # A search reads every row's text whatever the sort, and a word that matches nothing reads
            # them all: in table order that is several times faster than through the school's index.
            self.plan["scan"] = not self._index_first and (
                bool(words) or (not self._filters and key not in self.plan.get("indexed_sorts", ())))
        stmt = self._query([self._id_expr, *[c.expr for c in self.columns], *self._hidden])
        conditions = list(self._filters)
        searchable = [c for c in self.columns if c.searchable]
        for word in words:
            pattern = like_pattern(word)
            conditions.append(or_(*[c.search_condition(pattern) if c.search_condition is not None
                                    else func.coalesce(c.expr, "").like(pattern, escape="\\") for c in searchable]))
        if conditions:
            stmt = stmt.where(and_(*conditions))
        if for_count:
            return stmt
        if 0 <= self._sort_column < len(self.columns) and self.columns[self._sort_column].sortable:
            col = self.columns[self._sort_column]
            expr = col.sort_expr if col.sort_expr is not None else col.expr
            if col.kind == "text" or col.kind == "choice":
                expr = func.lower(func.coalesce(expr, literal("")))
            ordered = expr.desc() if self._sort_order == Qt.SortOrder.DescendingOrder else expr.asc()
            stmt = stmt.order_by(None).order_by(ordered, self._id_expr)
        return stmt

    def _fetch(self, offset: int) -> list[tuple[Any, ...]]:
        if self._search.split() and self._index_serves_sort() and self.db.engine.dialect.name == "sqlite":
            # A search's page in the order of an index: walking that index stops as soon as the page
            # is full, which is instant for a common word but visits every row for a rare one. So the
            # index gets a few milliseconds; if that was not enough, the table is read in order instead.
            self._index_first = True
            try:
                rows = self._run(self.statement().limit(self.page_size).offset(offset), budget=INDEX_BUDGET_S)
            finally:
                self._index_first = False
            if rows is not None:
                return rows
        rows = self._run(self.statement().limit(self.page_size).offset(offset))
        assert rows is not None
        return rows

    def _index_serves_sort(self) -> bool:
        if self.plan is None or not 0 <= self._sort_column < len(self.columns):
            return False
        return self.columns[self._sort_column].key in self.plan.get("indexed_sorts", ())

    def _run(self, stmt: Select[Any], budget: float | None = None) -> list[tuple[Any, ...]] | None:
        """The rows of ``stmt``; with a ``budget`` (seconds, SQLite), None if it would take longer."""
        with self.db.engine.connect() as conn:
            if budget is None:
                return [tuple(r) for r in conn.execute(stmt, self.params)]
            raw = conn.connection.driver_connection
            deadline = time.perf_counter() + budget
            raw.set_progress_handler(lambda: 1 if time.perf_counter() > deadline else 0, 2000)
            try:
                return [tuple(r) for r in conn.execute(stmt, self.params)]
            except OperationalError as exc:
                if "interrupt" not in str(exc).lower():
                    raise
                conn.rollback()
                return None
            finally:
                raw.set_progress_handler(None, 0)

    def refresh(self) -> None:
        """Requery from the first page (after a filter, a search, a sort or a change).

        When the same records come back (an edit, or somebody else's change to a row on screen), the rows
        are updated in place, or moved by id, without a reset: the chosen rows, the current row and a
        click in progress stay on their records. A reset between the two clicks of a double-click would
        make the view drop it (its pressed row no longer exists).
        """
        self._live = True
        rows = self._fetch(0)
        if self._same_records(rows):
            self.refreshed.emit()
            return
        # No fetching while the reset signals are out: listeners that call fetchMore from their
        # modelReset handler would insert rows inside the reset (QAbstractItemModelTester does).
        self._resetting = True
        self.beginResetModel()
        try:
            self._rows = rows
            self._exhausted = len(rows) < self.page_size
        finally:
            self.endResetModel()
            self._resetting = False
        self.refreshed.emit()

    def _same_records(self, rows: list[tuple[Any, ...]]) -> bool:
        """Take ``rows`` without a reset if they are the records shown now (perhaps in another order)."""
        old_ids = [r[0] for r in self._rows]
        new_ids = [r[0] for r in rows]
        if not old_ids or len(old_ids) != len(new_ids) or set(old_ids) != set(new_ids) \
                or len(set(new_ids)) != len(new_ids):
            return False
        exhausted = len(rows) < self.page_size
        if old_ids == new_ids:
            self._rows, self._exhausted = rows, exhausted
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.columns) - 1))
            return True
        self.layoutAboutToBeChanged.emit()
        where = {ident: row for row, ident in enumerate(new_ids)}
        before = self.persistentIndexList()
        after = [self.index(where[old_ids[i.row()]], i.column()) if i.isValid() else QModelIndex() for i in before]
        self._rows, self._exhausted = rows, exhausted
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        return True

    def count(self) -> int:
        """How many rows match (all pages); one SQL COUNT."""
        with self.db.engine.connect() as conn:
            return int(conn.execute(self.count_statement(), self.params).scalar() or 0)

    def count_statement(self) -> Select[Any]:
        return select(func.count()).select_from(self.statement(for_count=True).order_by(None).subquery())

    def set_filters(self, conditions: Sequence[ColumnElement[bool]], *, refresh: bool = True) -> None:
        self._filters = list(conditions)
        if refresh:
            self.refresh()

    def set_search(self, text: str) -> None:
        text = " ".join(text.split())
        if text != self._search:
            self._search = text
            self.refresh()

    @property
    def search_text(self) -> str:
        return self._search

    # ---- Qt's table model ----
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted and not self._resetting and not self._fetching

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if parent.isValid() or self._exhausted or self._resetting or self._fetching:
            return
        # The table scrolled to its new end asks for more while rowsInserted is still being delivered:
        # a second insert inside the first would tell the other listeners of rows that are not yet there.
        self._fetching = True
        try:
            more = self._fetch(len(self._rows))
            self._exhausted = len(more) < self.page_size
            if more:
                self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
                self._rows.extend(more)
                self.endInsertRows()
        finally:
            self._fetching = False

    def fetch_all(self) -> None:
        while self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= len(self.columns) or not self.columns[column].sortable:
            return
        if (column, order) == (self._sort_column, self._sort_order) and self._live:
            return
        self._sort_column, self._sort_order = column, order
        if self._live:  # before the first refresh, only remember it (the view sets it up)
            self.refresh()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.columns):
            return "" if role in TEXT_ROLES else None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        value = row[index.column() + 1]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.format(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = column.format(value)
            return text if len(text) > 30 else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column.kind in NUMERIC_KINDS else LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            style = self.row_style(row) if self.row_style else None
            return self._brushes.get(style or "", self._text_brush)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._no_brush
        if role == Qt.ItemDataRole.FontRole:
            return self._no_font
        if role in (Qt.ItemDataRole.StatusTipRole, Qt.ItemDataRole.WhatsThisRole,
                    Qt.ItemDataRole.AccessibleDescriptionRole):
            return ""
        if role == RAW_ROLE:
            return value
        if role == ID_ROLE:
            return row[0]
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            column = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.title
            if role == Qt.ItemDataRole.ToolTipRole:
                return column.tooltip or column.title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return RIGHT if column.kind in NUMERIC_KINDS else LEFT
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    # ---- helpers for views ----
    def row_id(self, row: int) -> int | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def row_values(self, row: int) -> dict[str, Any]:
        data = self._rows[row]
        return {c.key: data[i + 1] for i, c in enumerate(self.columns)}

    def row_version(self, ident: int) -> int | None:
        """The version of record ``ident`` as this model last read it (None: not read, or no version kept)."""
        row = self.row_of_id(ident)
        return self._rows[row][-1] if row >= 0 and self._hidden else None

    def fetch_row(self, ident: int) -> dict[str, Any] | None:
        """Record ``ident``'s values as this model's columns read them now (None: it is not there)."""
        stmt = self._query([self._id_expr, *[c.expr for c in self.columns]]).where(self._id_expr == ident)
        with self.db.engine.connect() as conn:
            found = conn.execute(stmt, self.params).first()
        return None if found is None else {c.key: found[i + 1] for i, c in enumerate(self.columns)}

    def row_of_id(self, ident: int) -> int:
        for i, r in enumerate(self._rows):
            if r[0] == ident:
                return i
        return -1

    def column_index(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)

    def loaded_rows(self) -> int:
        return len(self._rows)
