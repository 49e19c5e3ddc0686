"""Building blocks the views share: page headers, a searchable table, figure cards, a bar chart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from . import settings
from .icons import icon
from .roles import ID_ROLE

if TYPE_CHECKING:  # the table model loads the core's lists (and SQLAlchemy): not before a table is built
    from .tablemodel import ListModel

SEARCH_DELAY_MS = 120  # typing pauses shorter than this do not requery
HEADER_PADDING = 12  # the header's padding either side (style.py)
SORT_ARROW = 18  # room for the sort arrow, in the column the list is sorted by
CELL_PADDING = 16
# A column of figures is as wide as its widest figure, never narrower than these (so that it keeps its width
# as the rows change); its title wraps onto a second line when it is wider. Other columns hold words.
WHOLE_VALUES = {"date": "28/11/2025", "datetime": "28/11/2025 23:59", "utc_datetime": "28/11/2025 23:59",
                "money": "£10,000.00", "hours": "999.5", "int": "9999", "float": "99.99", "percent": "100%",
                "bool": "Yes"}


class PageHeader(QWidget):
    """A view's title, a line saying what it shows, and its main buttons on the right."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None, *,
                 buttons_below: bool = False) -> None:
        super().__init__(parent)
        layout: QHBoxLayout | QVBoxLayout = QVBoxLayout(self) if buttons_below else QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title = QLabel(title)
        self.title.setObjectName("pageTitle")
        self.title.setAccessibleName(title)
        self.subtitle = QLabel(subtitle)
        self.subtitle.setObjectName("pageSubtitle")
        self.subtitle.setWordWrap(True)
        text.addWidget(self.title)
        text.addWidget(self.subtitle)
        layout.addLayout(text, 1)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        if buttons_below:
            self.buttons.addStretch(0)
        layout.addLayout(self.buttons)

    def add_button(self, text: str, slot: Callable[[], Any], *, icon_name: str | None = None,
                   primary: bool = False, shortcut: str | None = None, tip: str = "") -> QPushButton:
        button = QPushButton(text)
        if icon_name:
            button.setIcon(icon(icon_name, "#ffffff" if primary else "#334155"))
        if primary:
            button.setObjectName("primary")
        if shortcut:
            button.setShortcut(QKeySequence(shortcut))
        button.setToolTip(tip or (f"{text} ({shortcut})" if shortcut else text))
        button.setAccessibleName(text.replace("…", ""))
        button.clicked.connect(lambda _checked=False: slot())  # never ``checked`` as the slot's first argument
        self.buttons.addWidget(button)
        return button


class SearchBox(QLineEdit):
    """A search field: requeries after a short pause in typing; Esc clears it."""

    search = Signal(str)

    def __init__(self, placeholder: str = "Search…", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setAccessibleName("Search")
        glass = self.addAction(icon("search", "#6b7280"), QLineEdit.ActionPosition.LeadingPosition)
        glass.setText("Search")
        # Qt's clear button has no name of its own: a screen reader said only "push button"
        for action in self.findChildren(QAction):
            if action.objectName() == "_q_qlineeditclearaction":
                action.setText("Clear the search")
                action.setToolTip("Clear the search (Esc)")
        self.setMinimumWidth(240)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(lambda: self.search.emit(self.text()))
        self.textChanged.connect(lambda _t: self._timer.start())

    def flush(self) -> None:
        """Search now (tests, and Enter)."""
        self._timer.stop()
        self.search.emit(self.text())

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self.flush()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.flush()
            return
        super().keyPressEvent(event)


class FlowRow(QLayout):
    """Controls left to right, each at its own width, going on to a new line when the next does not fit; those
    added with ``add_trailing`` (a count) sit at the right-hand end of the last line."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6) -> None:
        super().__init__(parent)
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)
        self._items: list[QLayoutItem] = []
        self._trailing: list[QLayoutItem] = []

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def add_trailing(self, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._trailing.append(QWidgetItem(widget))
        self.invalidate()

    def _all(self) -> list[QLayoutItem]:
        return self._items + self._trailing

    def count(self) -> int:
        return len(self._items) + len(self._trailing)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        items = self._all()
        return items[index] if 0 <= index < len(items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        if 0 <= index < len(self._items):
            return self._items.pop(index)
        if 0 <= index - len(self._items) < len(self._trailing):
            return self._trailing.pop(index - len(self._items))
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - all on one line
        shown = [i.sizeHint() for i in self._all() if not i.isEmpty()]
        return QSize(sum(s.width() for s in shown) + self.spacing() * max(0, len(shown) - 1),
                     max((s.height() for s in shown), default=0))

    def minimumSize(self) -> QSize:  # noqa: N802 - one control a line, the widest
        shown = [i.sizeHint() for i in self._all() if not i.isEmpty()]
        return QSize(max((s.width() for s in shown), default=0), max((s.height() for s in shown), default=0))

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the controls out in ``rect`` (only measure, unless ``move``); the height they take."""
        gap = self.spacing()
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = 0
        for item in self._items:
            if item.isEmpty():  # a hidden control (a filter's unseen label) takes no room
                continue
            size = item.sizeHint().boundedTo(QSize(rect.width(), 10_000))
            if lines[-1] and x + gap + size.width() > rect.width():
                lines.append([])
                x = 0
            x += (gap if lines[-1] else 0) + size.width()
            lines[-1].append((item, size))
        trailing = [(i, i.sizeHint()) for i in self._trailing if not i.isEmpty()]
        if trailing:
            need = sum(size.width() for _i, size in trailing) + gap * len(trailing)
            if lines[-1] and x + need > rect.width():
                lines.append([])
        y = rect.y()
        for n, line in enumerate(lines):
            ends = trailing if n == len(lines) - 1 else []
            height = max((size.height() for _i, size in line + ends), default=0)
            if move:
                x = rect.x()
                for item, size in line:
                    item.setGeometry(QRect(x, y + (height - size.height()) // 2, size.width(), size.height()))
                    x += size.width() + gap
                right = rect.x() + rect.width()
                for item, size in reversed(ends):
                    right -= size.width()
                    item.setGeometry(QRect(right, y + (height - size.height()) // 2, size.width(), size.height()))
                    right -= gap
            y += height + (gap if n < len(lines) - 1 else 0)
        return y - rect.y()


def _share(widths: dict[int, int], among: list[int], room: int, weight: Callable[[int], int], *,
           capped: bool = True) -> None:
    """Move ``widths`` of the columns ``among`` towards a total of ``room``: each is given (or gives up) a part
    of the difference in proportion to its ``weight`` (its shortfall, or what it can give up), and, ``capped``,
    never more than its weight; what rounding leaves goes to the last of them that can take it."""
    left = room - sum(widths.values())
    weights = {i: max(0, weight(i) if left > 0 else -weight(i)) for i in among}
    total = sum(weights.values())
    if left == 0 or total <= 0:
        return
    move = min(abs(left), total) if capped else abs(left)
    sign = 1 if left > 0 else -1
    moved = 0
    for i in among:
        step = move * weights[i] // total
        widths[i] += sign * step
        moved += step
    for i in reversed(among):  # the pixels rounding left over
        if moved >= move:
            break
        if weights[i] > 0:
            widths[i] += sign * (move - moved)
            moved = move


class TablePanel(QWidget):
    """A searchable, sortable table over a ``ListModel``; remembers its column layout.

    ``activated(id)`` on double-click or Enter; ``selection_changed`` when the chosen row changes.
    """

    activated = Signal(int)
    selection_changed = Signal()

    def __init__(self, name: str, model: ListModel, *, placeholder: str = "Search…",
                 noun: tuple[str, str] = ("row", "rows"), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.model = model
        self.noun = noun
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        # The search box, the filters and the count on one line, wrapping onto a second when they do not fit
        # (the CPD log's six filters at 1366 pixels), rather than squeezing a filter until its choice is cut.
        bar = FlowRow(spacing=6)
        self.search = SearchBox(placeholder)
        self.search.search.connect(self.model.set_search)
        bar.addWidget(self.search)
        self.filters = bar  # views add their filters after the search box
        self.count_label = QLabel("")
        self.count_label.setObjectName("muted")
        bar.add_trailing(self.count_label)
        layout.addLayout(bar)

        from .cell_tips import WholeTextTips

        self.table = QTableView()
        self.table.setModel(model)
        self.table.setItemDelegate(WholeTextTips(self.table))  # a cell cut short says its whole text on hover
        self.table.setAccessibleName(name.replace("-", " "))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no keyboard trap
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setSortIndicator(model.sort_column, model.sort_order)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._menu_actions: list[QAction] = []
        for i, column in enumerate(model.columns):
            if column.width:
                self.table.setColumnWidth(i, column.width)
        state = settings.restore_state(f"table/{name}")
        if state is not None:
            self.table.horizontalHeader().restoreState(state)
        # The columns share the table's width: text columns give way on a narrow window and take up
        # the room on a wide one, and no column is narrower than its title (fit_columns).
        self.table.horizontalHeader().setStretchLastSection(False)
        self._fitting = False
        self._base_widths = [self.table.columnWidth(i) for i in range(len(model.columns))]
        self._dragged: set[int] = set()  # columns of figures the person has widened by hand
        self._figure_widths: dict[int, int] | None = None  # the widest figure of each such column loaded
        self.table.horizontalHeader().sectionResized.connect(self._section_resized)
        self.table.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self.fit_columns())
        model.modelReset.connect(self._figures_changed)
        model.layoutChanged.connect(self._figures_changed)
        model.rowsInserted.connect(self._rows_added)
        self.table.horizontalHeader().sectionMoved.connect(lambda *_: self._save_layout())
        self.table.viewport().installEventFilter(self)
        self.table.installEventFilter(self)  # Enter on a row: what a double-click does
        layout.addWidget(self.table, 1)
        model.refreshed.connect(self._update_count)
        model.rowsInserted.connect(lambda *_: self._update_count())

    def _save_layout(self) -> None:
        settings.save_state(f"table/{self.name}", self.table.horizontalHeader().saveState())

    def _section_resized(self, index: int, _old: int, new: int) -> None:
        if self._fitting:
            return
        if 0 <= index < len(self._base_widths):  # the person dragged it: their width is the column's own
            self._base_widths[index] = new
            if self._is_figures(index):
                self._dragged.add(index)
        self._save_layout()

    def _figures_changed(self, *_args: Any) -> None:
        self._figure_widths = None
        self.fit_columns()

    def _rows_added(self, _parent: Any, first: int, last: int) -> None:
        """More rows loaded: the columns of figures widen if one of theirs is wider (only the new rows read)."""
        if self._figure_widths is not None:
            for i, widest in self._measure_figures(range(first, last + 1)).items():
                self._figure_widths[i] = max(self._figure_widths.get(i, 0), widest)
        self.fit_columns()

    def _measure_figures(self, rows: range) -> dict[int, int]:
        """The widest text of each column of figures in ``rows`` (and of its kind's sample)."""
        metrics = self.table.fontMetrics()
        model = self.model
        widths: dict[int, int] = {}
        for i, column in enumerate(model.columns):
            if column.kind in WHOLE_VALUES:
                texts = {str(model.index(r, i).data() or "") for r in rows}
                widths[i] = max(metrics.horizontalAdvance(t) for t in texts | {WHOLE_VALUES[column.kind]})
        return widths

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802
        if (obj is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                and self.table.state() != QAbstractItemView.State.EditingState):
            # Enter opens the chosen row as a double-click does (a view's own Return shortcut, as Staff's
            # Open, is taken before the key reaches here). Qt's own "activated" on Enter is not used: some
            # desktops send it on a single click too.
            index = self.table.currentIndex()
            chosen = self.table.selectionModel()
            if not index.isValid() or not chosen.isRowSelected(index.row(), QModelIndex()):
                rows = chosen.selectedRows()
                index = rows[0] if rows else QModelIndex()
            if index.isValid():
                self._double_clicked(index)
                return True
        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        if (obj is self.table.viewport() and event.type() == QEvent.Type.MouseButtonDblClick
                and event.button() == Qt.MouseButton.LeftButton):
            # Open the row under the pointer. Qt's own double-click needs the row pressed first to still be
            # the same row object, which a refresh landing between the two clicks (a save, another person's
            # change) replaces: the double-click was then lost.
            index = self.table.indexAt(event.position().toPoint())
            if index.isValid():
                self.table.setCurrentIndex(index)
                self.table.selectRow(index.row())
                self._double_clicked(index)
                return True
        return False

    def _is_figures(self, index: int) -> bool:
        """Whether the column holds figures (dates, sums, hours, Yes/No), not words."""
        columns = self.model.columns
        return 0 <= index < len(columns) and columns[index].kind in WHOLE_VALUES

    def _title_font(self) -> QFontMetrics:
        font = QFont(self.table.horizontalHeader().font())
        font.setBold(True)
        return QFontMetrics(font)

    def _title(self, index: int) -> str:
        return str(self.model.headerData(index, Qt.Orientation.Horizontal) or "")

    def _title_room(self, index: int) -> int:
        """What a column's title leaves of its width: the padding, and the sort arrow where there is one."""
        header = self.table.horizontalHeader()
        arrow = header.isSortIndicatorShown() and header.sortIndicatorSection() == index
        return HEADER_PADDING + (SORT_ARROW if arrow else 0)

    def title_width(self, index: int) -> int:
        """The narrowest a column can be with its whole title on one line (bold, padded, sort arrow)."""
        return self._title_font().horizontalAdvance(self._title(index)) + self._title_room(index)

    def _figures_width(self, index: int) -> int:
        """The room a column's figures need: its widest loaded one, and never less than a sample of its kind."""
        if self._figure_widths is None:
            self._figure_widths = self._measure_figures(range(self.model.rowCount()))
        return self._figure_widths.get(index, 0) + CELL_PADDING

    def least_width(self, index: int) -> int:
        """The narrowest a column may be: its title's longest word (the title wraps onto a second line), the
        room its figures need in a column of them, or the widest text its list says it must show whole."""
        metrics = self._title_font()
        width = max((metrics.horizontalAdvance(word) for word in self._title(index).split()), default=0)
        width += self._title_room(index)
        column = self.model.columns[index] if index < len(self.model.columns) else None
        if column is not None and column.whole:
            width = max(width, self.table.fontMetrics().horizontalAdvance(column.whole) + CELL_PADDING)
        if self._is_figures(index):
            width = max(width, self._figures_width(index))
        return width

    def fit_columns(self) -> None:
        """Share the table's width between its columns. A column of figures is as wide as its figures need
        (its title wraps when it is wider); the columns of words (titles, names) take the rest in proportion
        to their own widths, so no sideways scrolling at 1366 pixels and no empty band at 1920. Columns of
        words keep their titles on one line unless the window is too narrow for that; once each has its own
        width, the titles of the figures are put back on one line where there is room."""
        header = self.table.horizontalHeader()
        room = self.table.viewport().width()
        columns = [i for i in range(min(header.count(), len(self.model.columns))) if not header.isSectionHidden(i)]
        if room <= 0 or not columns:
            return
        least = {i: self.least_width(i) for i in columns}
        one_line = {i: max(least[i], self.title_width(i)) for i in columns}
        words = [i for i in columns if not self._is_figures(i)] or columns[-1:]
        widths = {i: least[i] for i in columns}
        for i in columns:
            if i in self._dragged and i not in words:  # a column of figures the person widened stays so
                widths[i] = max(least[i], self._base_widths[i])
        for i in words:
            widths[i] = one_line[i]
        if sum(widths.values()) > room:  # too narrow for the titles on one line: the words' titles wrap
            _share(widths, words, room, lambda i: least[i] - widths[i])
        else:
            wanted = {i: max(widths[i], self._base_widths[i]) for i in words}
            _share(widths, words, room, lambda i: wanted[i] - widths[i])
            spare = room - sum(widths.values())
            for i in sorted((i for i in columns if i not in words), key=lambda i: one_line[i] - widths[i]):
                if 0 < one_line[i] - widths[i] <= spare:  # a figures' title back on one line
                    spare -= one_line[i] - widths[i]
                    widths[i] = one_line[i]
            if spare > 0:  # the rest to the words, in proportion to their widths
                _share(widths, words, room, lambda i: widths[i], capped=False)
        self._fitting = True
        try:
            for i in columns:
                if header.sectionSize(i) != widths[i]:
                    header.resizeSection(i, widths[i])
        finally:
            self._fitting = False
        self._fit_header_height(columns, widths)

    def _fit_header_height(self, columns: list[int], widths: dict[int, int]) -> None:
        """Make the header tall enough for the titles that wrap onto more lines (one line: its own height)."""
        header = self.table.horizontalHeader()
        metrics = self._title_font()
        one = metrics.boundingRect(QRect(0, 0, 10_000, 10_000), int(Qt.TextFlag.TextWordWrap), "Xg").height()
        tallest = one
        for i in columns:
            text_room = max(1, widths[i] - self._title_room(i))
            tallest = max(tallest, metrics.boundingRect(QRect(0, 0, text_room, 10_000),
                                                        int(Qt.TextFlag.TextWordWrap), self._title(i)).height())
        height = header.sizeHint().height() + tallest - one if tallest > one else 0
        if header.minimumHeight() != height:
            header.setMinimumHeight(height)

    def _update_count(self) -> None:
        loaded = self.model.loaded_rows()
        more = self.model.canFetchMore(QModelIndex())
        one, many = self.noun
        if more:
            self.count_label.setText(f"first {loaded:,} {many} shown — scroll for more")
        else:
            self.count_label.setText(f"{loaded:,} {one if loaded == 1 else many}")

    def add_filter(self, widget: QWidget) -> None:
        # A drop-down list is named for a screen reader only by a label beside it (on Linux its own
        # accessible name is the value it shows): an unseen one, as the list shows its choice.
        label = QLabel(widget.accessibleName())
        label.setBuddy(widget)
        label.setVisible(False)
        self.filters.addWidget(label)
        self.filters.addWidget(widget)

    def add_row_action(self, action: QAction) -> None:
        """An action for the right-click menu (and keyboard shortcut) on the table."""
        self._menu_actions.append(action)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.table.addAction(action)

    def _context_menu(self, pos: QPoint) -> None:
        if not self._menu_actions:
            return
        menu = QMenu(self)
        for action in self._menu_actions:
            menu.addAction(action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _double_clicked(self, index: QModelIndex) -> None:
        ident = index.data(ID_ROLE)
        if ident is not None:
            self.activated.emit(int(ident))

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        return self.model.row_id(index.row())

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [r for r in (self.model.row_id(i) for i in rows) if r is not None]

    def select_id(self, ident: int, column: int | None = None) -> bool:
        row = self.model.row_of_id(ident)
        while row < 0 and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
            row = self.model.row_of_id(ident)
        if row < 0:
            return False
        # Not selectRow: it reads the keys held down, so a refresh during Ctrl+Z toggled the row off.
        column = self.table.currentIndex().column() if column is None else column
        index = self.model.index(row, min(max(0, column), max(0, self.model.columnCount() - 1)))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def refresh(self, keep_selection: bool = True) -> None:
        chosen = self.current_id() if keep_selection else None
        column = self.table.currentIndex().column()  # a reset forgets it: the cell typed in stays current
        self.model.refresh()
        if chosen is not None:
            self.select_id(chosen, column)

    def remember(self) -> dict[str, Any]:
        """Where the person is in the table: the rows chosen, how far down it is scrolled and loaded."""
        return {"current": self.current_id(), "column": max(0, self.table.currentIndex().column()),
                "selected": self.selected_ids(),
                "scroll": self.table.verticalScrollBar().value(),
                "hscroll": self.table.horizontalScrollBar().value(), "loaded": self.model.loaded_rows()}

    def restore(self, state: dict[str, Any]) -> None:
        """Put the chosen rows and the scroll back after a requery (rows others deleted are gone)."""
        model = self.model
        while model.loaded_rows() < state["loaded"] and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for ident in state["selected"]:
            row = model.row_of_id(ident)
            if row >= 0:
                selection.select(model.index(row, 0), flags)
        current = state["current"]
        row = model.row_of_id(current) if current is not None else -1
        if row >= 0:
            column = min(state.get("column", 0), max(0, model.columnCount() - 1))  # the columns may have changed
            selection.setCurrentIndex(model.index(row, column),
                                      QItemSelectionModel.SelectionFlag.NoUpdate)
        self.table.verticalScrollBar().setValue(state["scroll"])
        self.table.horizontalScrollBar().setValue(state["hscroll"])


def remember_splitter(splitter: QSplitter, name: str) -> None:
    """Restore a splitter's sizes from the settings and save them whenever the person drags it."""
    state = settings.restore_state(f"splitter/{name}")
    if state is not None:
        splitter.restoreState(state)
    splitter.splitterMoved.connect(lambda *_: settings.save_state(f"splitter/{name}", splitter.saveState()))


class StatCard(QFrame):
    """A figure with its label; clicking it shows the records behind it."""

    clicked = Signal()

    def __init__(self, label: str, value: str = "–", caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.label = QLabel(label)
        self.label.setObjectName("cardLabel")
        self.label.setWordWrap(True)  # whole on a narrow window
        self.value = QLabel(value)
        self.value.setObjectName("cardValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("cardCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.label)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set(self, value: str, caption: str = "", tone: str = "") -> None:
        self.value.setText(value)
        self.caption.setText(caption)
        if self.value.property("tone") != tone:
            self.value.setProperty("tone", tone)
            # A label not yet shown is styled as it shows; one on screen is styled again for its new tone.
            if self.value.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
                self.value.style().unpolish(self.value)
                self.value.style().polish(self.value)
        self.setAccessibleDescription(f"{value} {caption}")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class HoursChart(QWidget):
    """Hours against each person's (pro-rata) target as horizontal bars; click a bar to open the person."""

    person_clicked = Signal(int)

    BAR = 18
    GAP = 5
    NAME_W = 170

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[int, str, float, float, float]] = []  # id, name, hours, subject hours, target
        self.setAccessibleName("Hours against target for each person")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: Sequence[tuple[int, str, float, float, float]]) -> None:
        self.rows = list(rows)
        self.setFixedHeight(max(60, 30 + len(self.rows) * (self.BAR + self.GAP)))
        self.setToolTip("")
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 30 + len(self.rows) * (self.BAR + self.GAP))

    def _scale_max(self) -> float:
        return max([35.0] + [max(h, t) for _i, _n, h, _s, t in self.rows]) * 1.08

    def _row_at(self, y: float) -> int:
        index = int((y - 24) // (self.BAR + self.GAP))
        return index if 0 <= index < len(self.rows) else -1

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        i = self._row_at(event.position().y())
        if i >= 0:
            _id, name, hours, subject, target = self.rows[i]
            self.setToolTip(f"{name}: {hours:g} h of {target:g} h target ({subject:g} h subject-specific)")
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.setCursor(Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        i = self._row_at(event.position().y())
        if i >= 0:
            self.person_clicked.emit(self.rows[i][0])

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width()
        chart_left = self.NAME_W + 10
        chart_w = max(50, width - chart_left - 70)
        top = 24
        scale = chart_w / self._scale_max()
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        p.setFont(small)
        p.setPen(QColor("#6b7280"))
        # Ticks every 10 h, or further apart when the window is narrow, so that no two labels overlap.
        step = next((n for n in (10, 15, 20, 25, 35, 50, 100) if n * scale >= 36), 200)
        for tick in range(0, int(self._scale_max()) + 1, step):
            x = chart_left + tick * scale
            p.drawText(QRectF(x - 20, 0, 40, 18), Qt.AlignmentFlag.AlignCenter, f"{tick} h")
            p.setPen(QPen(QColor("#e5e7eb"), 1))
            p.drawLine(int(x), top - 4, int(x), self.height())
            p.setPen(QColor("#6b7280"))
        p.setFont(self.font())
        metrics = p.fontMetrics()
        # Only the bars in the part being painted: a department of 200 shows 15 or so at a time.
        step = self.BAR + self.GAP
        area = event.rect()
        first = max(0, (area.top() - top) // step)
        last = min(len(self.rows), (area.bottom() - top) // step + 1)
        for i in range(first, last):
            _id, name, hours, subject, target = self.rows[i]
            y = top + i * step
            p.setPen(QColor("#1f2937"))
            p.drawText(QRectF(0, y, self.NAME_W, self.BAR), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       metrics.elidedText(name, Qt.TextElideMode.ElideRight, self.NAME_W))
            met = target > 0 and hours >= target
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#cfe0f1"))
            p.drawRoundedRect(QRectF(chart_left, y + 2, hours * scale, self.BAR - 4), 3, 3)
            p.setBrush(QColor("#2e7d5b" if met else "#1f4e79"))
            p.drawRoundedRect(QRectF(chart_left, y + 2, min(subject, hours) * scale, self.BAR - 4), 3, 3)
            tx = chart_left + target * scale
            p.setPen(QPen(QColor("#b54708"), 2))
            p.drawLine(int(tx), y, int(tx), y + self.BAR)
            p.setPen(QColor("#1f2937"))
            p.drawText(QRectF(chart_left + max(hours, target) * scale + 6, y, 70, self.BAR),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{hours:g} h")
        p.end()


def tool_button(text: str, icon_name: str, slot: Callable[[], Any], tip: str = "") -> QToolButton:
    button = QToolButton()
    button.setIcon(icon(icon_name))
    button.setText(text)
    button.setToolTip(tip or text)
    button.setAccessibleName(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.clicked.connect(lambda _checked=False: slot())
    return button


class FieldError(QLabel):
    """The reason a field's value is refused, in red under it, wrapped onto as many lines as it needs at the
    width it has. (A form asks a wrapped label for its height at its narrowest width, which left blank lines
    under a one-line reason on a wide form.)"""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self._laid_width = 0

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        if self.width() > hint.width():
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        if self.width() > 0:
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.width() != self._laid_width:  # the height it needs has changed with its width
            self._laid_width = self.width()
            self.updateGeometry()


def muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def chart_scroll(chart: QWidget) -> QScrollArea:
    """A chart on white that scrolls down on its own when it has more bars than fit."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    holder = QWidget()
    holder.setStyleSheet("background: white;")
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(chart)
    layout.addStretch(1)
    scroll.setWidget(holder)
    return scroll


def rows_table(model: QAbstractItemModel, name: str, *, whole_rows: bool = True, row_height: int | None = None,
               fit_contents: bool = True) -> QTableView:
    """A read-only table of a view's figures (a ``RowsModel``): one cell or row chosen at a time, no tab stops
    inside it, alternate rows shaded, the last column stretched; ``fit_contents`` sizes columns to their text."""
    from .cell_tips import WholeTextTips

    table = QTableView()
    table.setModel(model)
    table.setItemDelegate(WholeTextTips(table))  # a cell cut short says its whole text on hover
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows if whole_rows
                               else QAbstractItemView.SelectionBehavior.SelectItems)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    if row_height is not None:
        table.verticalHeader().setDefaultSectionSize(row_height)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents if fit_contents
                                                  else QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table
