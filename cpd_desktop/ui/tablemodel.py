"""Thin Qt table models: ``ListModel`` holds a core list's ids and rows and asks it for pages;
``RowsModel`` shows rows of text a view has already made.

``ListModel`` knows no SQL. A list (``services.lists``) says its columns, filters, sort and colours;
the model keeps only the rows fetched so far (a page at a time through ``canFetchMore``/``fetchMore``),
so a million activities cost a page of memory and a search or a sort is one query in the core however
big the table. Values stay typed (dates, ``Decimal``) and are formatted the UK way only when a cell is
drawn. *Anchor:* Anki's browser table model, which holds ids and asks the collection for rows.

``data()`` answers every role a view asks for on each paint with a value of that role's type
(never ``None`` for those): PySide6 6.12.0 aborts when Python hands ``None`` back to C++ many
thousands of times (see ``tests/ui/test_pyside_none_regression.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication

from ..services.lists.base import PAGE_SIZE, Column, Filters, ListDef, Row, Sort
from .roles import ID_ROLE, RAW_ROLE, ROW_ROLE

TEXT_ROLES = {Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole,
              Qt.ItemDataRole.StatusTipRole, Qt.ItemDataRole.WhatsThisRole,
              Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.AccessibleDescriptionRole}
NUMERIC_KINDS = {"money", "hours", "int", "percent", "float"}
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
WRAP = int(Qt.TextFlag.TextWordWrap)
CENTRE = int(Qt.AlignmentFlag.AlignCenter)

STYLE_COLOURS = {"muted": "#6b7280", "bad": "#b42318", "good": "#067647", "warn": "#b54708", "info": "#1f4e79"}

Index = QModelIndex | QPersistentModelIndex


class ListModel(QAbstractTableModel):
    """The rows of the list ``spec`` a page at a time; ``set_filters``, ``set_search`` and ``sort`` ask again.

    ``db`` is what the list reads from (the app's database). Filters are the list's named filters
    (``{"year": …, "status": "open"}``); the search is the words typed in the list's search box.
    Each row keeps the record's version as read, so a delete made from the row is checked against
    the version the person saw (``row_version``), and its colour (``Row.style``).
    """

    refreshed = Signal()

    def __init__(self, db: Any, spec: ListDef, *, filters: Filters | None = None,
                 page_size: int = PAGE_SIZE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.spec = spec
        self.columns: list[Column] = list(spec.columns)
        self.page_size = page_size
        self._rows: list[Row] = []
        self._exhausted = True
        self._resetting = False
        self._fetching = False  # rows being added: a view answering their arrival must not ask for more inside it
        self._live = False
        self._filters: dict[str, Any] = dict(filters or {})
        self._search = ""
        default = spec.default_sort
        self._sort_column = spec.column_index(default.key) if default.key else 0
        self._sort_order = Qt.SortOrder.DescendingOrder if default.descending else Qt.SortOrder.AscendingOrder
        palette = QGuiApplication.palette()
        self._text_brush = QBrush(palette.text())
        self._no_brush = QBrush()
        self._no_font = QFont()
        self._no_font.setResolveMask(0)  # sets nothing: the view keeps its own font
        self._bold_font = QFont()
        self._bold_font.setBold(True)
        self._brushes = {name: QBrush(QColor(colour)) for name, colour in STYLE_COLOURS.items()}

    # ---- what the core is asked ----
    def query_filters(self) -> dict[str, Any]:
        """The filters as the core gets them: the named ones and the search."""
        return {**self._filters, "search": self._search} if self._search else dict(self._filters)

    def current_sort(self) -> Sort | None:
        if 0 <= self._sort_column < len(self.columns) and self.columns[self._sort_column].sortable:
            return Sort(self.columns[self._sort_column].key, self._sort_order == Qt.SortOrder.DescendingOrder)
        return None

    def _fetch(self, offset: int) -> list[Row]:
        return self.spec.fetch_page(self.db, self.query_filters(), self.current_sort() or Sort(""), offset,
                                    self.page_size)

    def refresh(self) -> None:
        """Ask again from the first page (after a filter, a search, a sort or a change).

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

    def _same_records(self, rows: list[Row]) -> bool:
        """Take ``rows`` without a reset if they are the records shown now (perhaps in another order)."""
        old_ids = [r.id for r in self._rows]
        new_ids = [r.id for r in rows]
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
        """How many rows match (all pages), counted by the core."""
        return self.spec.count(self.db, self.query_filters())

    def set_filters(self, filters: Mapping[str, Any], *, refresh: bool = True) -> None:
        """Show the rows matching the list's named ``filters`` (a value of None: not filtered)."""
        self._filters = dict(filters)
        if refresh:
            self.refresh()

    @property
    def filters(self) -> dict[str, Any]:
        return dict(self._filters)

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
        value = row.values[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return column.cell(value)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return column.format(value)  # the whole text, where the cell shows a shorter one
        if role == Qt.ItemDataRole.ToolTipRole:
            text = column.format(value)
            return text if len(text) > 30 or text != column.cell(value) else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column.kind in NUMERIC_KINDS else LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brushes.get(row.style or "", self._text_brush)
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
            return row.id
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
            if role == Qt.ItemDataRole.TextAlignmentRole:  # a title wider than its column wraps (TablePanel)
                return (RIGHT if column.kind in NUMERIC_KINDS else LEFT) | WRAP
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    # ---- helpers for views ----
    def row_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def row_values(self, row: int) -> dict[str, Any]:
        return self.spec.values(self._rows[row])

    def row_version(self, ident: int) -> int | None:
        """The version of record ``ident`` as this model last read it (None: not read, or no version kept)."""
        row = self.row_of_id(ident)
        return self._rows[row].version if row >= 0 else None

    def fetch_row(self, ident: int) -> dict[str, Any] | None:
        """Record ``ident``'s values as this list reads them now (None: it is not there)."""
        found = self.spec.fetch_row(self.db, ident, self._filters)
        return None if found is None else self.spec.values(found)

    def row_of_id(self, ident: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == ident:
                return i
        return -1

    def column_index(self, key: str) -> int:
        return self.spec.column_index(key)

    def loaded_rows(self) -> int:
        return len(self._rows)


class RowsModel(QAbstractTableModel):
    """A thin table of display rows (lists of cells) a view has made, with their headings; ``keys`` says
    what each row is about (an id, a budget line) for a click."""

    def __init__(self, headings: list[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headings = headings
        self.rows: list[list[str]] = []
        self.keys: list[Any] = []
        self.align_right: set[int] = set()

    def set_rows(self, rows: list[list[str]], keys: list[Any]) -> None:
        self.beginResetModel()
        self.rows, self.keys = rows, keys
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headings)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.align_right:
            return RIGHT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headings):
            return self.headings[section]
        return None
