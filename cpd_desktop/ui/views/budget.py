"""Budget: each budget line of a financial year with its committed, spent, bursary and remaining money, and the
bookings behind a figure when it is clicked. The figures come from ``services.budget`` (the reports' rule).

Lines are added, changed and deleted here too (Add line…, Edit line…, Delete line; Insert, F2, Delete, and Enter
or a double-click on a line's name, code or budget), through ``services.budget_lines``. With a department chosen
above, the view shows that department's lines (those naming it or carrying its budget code), their total and
their months, and says so."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...models import BudgetLine
from ...services.budget import (
    FIGURES,
    budget_rows,
    budget_total,
    department_line_ids,
    fy_text,
    items_behind,
    monthly_profile,
    recent_financial_years,
    staff_time,
)
from ...services.budget_lines import add_line, delete_line, line_form, line_holds, update_line
from ...services.concurrency import current_record
from ...services.formatting import format_date, format_money, plural
from ...services.years import FinancialYear
from ..conflict import form_compare, save_edit, values_compare
from ..dialogs.budget_line import BudgetLineDialog
from ..prompts import Confirm
from ..tablemodel import RowsModel
from ..widgets import muted, rows_table, section_title
from .base import View
from .row_buttons import need_a_row

Index = QModelIndex | QPersistentModelIndex
# key, heading; the money columns a click lists the bookings of
LINE_COLUMNS = [("line", "Budget line"), ("budget_code", "Code"), ("budget", "Budget"), ("committed", "Committed"),
                ("spent", "Spent"), ("bursary_expected", "Bursary expected"),
                ("bursary_received", "Bursary received"), ("remaining", "Remaining"), ("used", "Used")]
HEAD_COLUMNS = ["Budget line", "Cost head", "Amount", "Committed", "Spent", "Remaining"]
ITEM_COLUMNS = ["Date", "Who", "Course or activity", "Status", "Cost", "Bursary expected", "Bursary received"]
ROW_HEIGHT = 28
USED_WIDTH = 100  # the Used column at least: its bar and "100%"; wider would push the money out of sight
ITEMS_TITLE = "Bookings behind a figure"
ITEMS_NOTE = "Click a committed, spent or bursary figure above."
TOTAL = "total"  # the key of the lines' total row


class _LinesModel(RowsModel):
    """The budget lines; their total's name in bold (its figures in bold would widen every column past the
    view at 1280 pixels)."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == 0 \
                and 0 <= index.row() < len(self.keys) and self.keys[index.row()] == TOTAL:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)
MONEY = {"budget", "committed", "spent", "bursary_expected", "bursary_received", "remaining"}


class _ChosenLine(QObject):
    """The budget line chosen in the table (any of its cells): what Edit line… and Delete line act on. The total
    and "Unallocated" are no line, so nothing is chosen on them."""

    selection_changed = Signal()

    def __init__(self, table: QTableView, model: RowsModel) -> None:
        super().__init__(table)
        self.table = table
        self.model = model
        table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())

    def current_id(self) -> int | None:
        chosen = self.table.selectionModel().selectedIndexes()
        row = chosen[0].row() if chosen else -1
        key = self.model.keys[row] if 0 <= row < len(self.model.keys) else None
        return key if isinstance(key, int) else None

    def select(self, line_id: int) -> None:
        if line_id in self.model.keys:
            index = self.model.index(self.model.keys.index(line_id), 0)
            self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)


class _UsedBar(QStyledItemDelegate):
    """The share of the budget the net forecast uses, as a bar (red past the budget) with the percentage."""

    def __init__(self, shares: list[float | None], parent: Any = None) -> None:
        super().__init__(parent)
        self.shares = shares

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        share = self.shares[index.row()] if index.row() < len(self.shares) else None
        if share is None:
            super().paint(painter, option, index)
            return
        rect: QRect = option.rect.adjusted(4, 6, -40, -6)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e4ebf2"))
        painter.drawRect(rect)
        painter.setBrush(QColor("#b23a48") if share > 1 else QColor("#2f6690"))
        painter.drawRect(rect.adjusted(0, 0, -int(rect.width() * (1 - min(max(share, 0.0), 1.0))), 0))
        painter.setPen(option.palette.text().color())
        painter.drawText(option.rect.adjusted(0, 0, -4, 0),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"{share:.0%}")
        painter.restore()


class BudgetView(View):
    title = "Budget"
    shows = frozenset({"budget_line", "booking", "bursary_claim", "activity", "staff", "department", "school", "course", "provider"})
    subtitle = ("Each budget line of the financial year: committed, spent, bursary and what is left. "
                "Click a figure to see the bookings behind it.")
    line_tip = "Choose a budget line in the list first."

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Financial year")
        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.lines_model = _LinesModel([h for _k, h in LINE_COLUMNS], self)
        self.lines_model.align_right = {i for i, (k, _h) in enumerate(LINE_COLUMNS) if k in MONEY}
        self.shares: list[float | None] = []
        self.lines = self._table(self.lines_model, "Budget lines")
        self.lines.setItemDelegateForColumn(len(LINE_COLUMNS) - 1, _UsedBar(self.shares, self.lines))
        self.lines.clicked.connect(self._figure_clicked)
        self.lines.activated.connect(self._line_activated)
        self.chosen = _ChosenLine(self.lines, self.lines_model)
        self.header.add_button("Add line…", self.add, icon_name="add", primary=True, shortcut="Insert",
                               tip="Add a budget line to the financial year shown (Insert)")
        need_a_row(self.chosen, [
            self.header.add_button("Edit line…", self.edit, icon_name="edit", tip="Edit the chosen budget line (F2)"),
            self.header.add_button("Delete line", self.delete, icon_name="delete",
                                   tip="Delete the chosen budget line (Delete)"),
        ], self.line_tip)
        self.lines.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, slot, key in (("Edit line…", self.edit, QKeySequence(Qt.Key.Key_F2)),
                                ("Delete line", self.delete, QKeySequence(Qt.Key.Key_Delete))):
            action = QAction(text, self.lines)
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _c=False, act=slot: act())
            self.lines.addAction(action)
        # With a department chosen above: whose lines these are, and where the whole school's are.
        self.scope_note = muted("")
        self.scope_note.setAccessibleName("Lines shown")
        self.scope_note.setWordWrap(True)
        self.scope_note.setVisible(False)
        # When the columns are wider than the view, the sideways scroll bar takes room from the rows: the table
        # grows by its height, so the last line (often "Unallocated") is not hidden under it.
        self._line_count = 0
        self.lines.horizontalScrollBar().rangeChanged.connect(lambda _lo, _hi: self._size_lines())
        self.items_model = RowsModel(ITEM_COLUMNS, self)
        self.items_model.align_right = {4, 5, 6}
        self.items = self._table(self.items_model, "Bookings behind the figure")
        self.items_title = section_title(ITEMS_TITLE)
        self.items_note = muted(ITEMS_NOTE)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        row_label = QLabel("Financial year:")
        row_label.setBuddy(self.year_combo)
        year_row = QHBoxLayout()
        year_row.addWidget(row_label)
        year_row.addWidget(self.year_combo)
        year_row.addStretch(1)
        tl.addLayout(year_row)
        tl.addWidget(self.scope_note)
        tl.addWidget(self.lines)
        self.months_model = RowsModel(["Month by month"], self)
        self.months = self._table(self.months_model, "Month by month")
        self.months.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A line's amounts per cost head, beside the month-by-month profile: a tab shown only when some line of
        # the year sets them.
        self.heads_model = RowsModel(HEAD_COLUMNS, self)
        self.heads_model.align_right = {2, 3, 4, 5}
        self.heads = self._table(self.heads_model, "By cost head")
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(self.months, "Month by month")
        self.detail_tabs.addTab(self.heads, "By cost head")
        tl.addWidget(self.detail_tabs)
        # What INSET and internal CPD cost in teachers' time: not cash, shown only when the school sets a day's cost.
        self.staff_time = muted("")
        self.staff_time.setAccessibleName("Staff time, not cash")
        self.staff_time.setWordWrap(True)
        tl.addWidget(self.staff_time)
        tl.addStretch(1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.items_title)
        bl.addWidget(self.items_note)
        bl.addWidget(self.items, 1)
        splitter = self.splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([440, 240])
        self.outer.addWidget(splitter, 1)
        self.line_ids: list[int | None] = []
        self.shown_lines: set[int] | None = None  # a department's lines, when one is chosen above

    @staticmethod
    def _table(model: RowsModel, name: str) -> QTableView:
        return rows_table(model, name, whole_rows=False, row_height=ROW_HEIGHT, fit_contents=False)

    @staticmethod
    def _fit(table: QTableView, least: dict[int, int] | None = None) -> None:
        """Each column as wide as its heading (bold, with room for a sort arrow) and its widest cell, whole."""
        model = table.model()
        header = table.horizontalHeader()
        bold = header.font()
        bold.setBold(True)
        heads, cells = QFontMetrics(bold), table.fontMetrics()
        for c in range(model.columnCount()):
            need = heads.horizontalAdvance(str(model.headerData(c, Qt.Orientation.Horizontal) or "")) + 26
            for r in range(model.rowCount()):
                metrics = heads if model.index(r, c).data(Qt.ItemDataRole.FontRole) is not None else cells
                need = max(need, metrics.horizontalAdvance(str(model.index(r, c).data() or "")) + 14)
            header.resizeSection(c, max(need, (least or {}).get(c, 0)))

    def _years(self) -> list[FinancialYear]:
        with self.ctx.session() as s:
            return recent_financial_years(self.ctx.school(s), self.ctx.today)

    def _chosen(self) -> FinancialYear | None:
        data = self.year_combo.currentData()
        return data if isinstance(data, FinancialYear) else None

    def reload(self) -> None:
        super().reload()
        years = self._years()
        if [self.year_combo.itemData(i) for i in range(self.year_combo.count())] != years:
            # First time, or the school's financial year now starts in another month (Settings): the same year
            # stays chosen, with the new month's dates.
            chosen = self._chosen()
            self.year_combo.blockSignals(True)
            self.year_combo.clear()
            for year in years:
                self.year_combo.addItem(fy_text(year), year)
            again = next((i for i, y in enumerate(years) if chosen and y.start_year == chosen.start_year), 1)
            self.year_combo.setCurrentIndex(again)  # else this year
            self.year_combo.blockSignals(False)
        fy = self._chosen()
        if fy is None:
            return
        department = self.ctx.department
        with self.ctx.session() as s:
            school = self.ctx.school(s)
            rows = budget_rows(s, school, fy)
            mine = department_line_ids(s, school, fy, department) if department else None
        every = sum(1 for r in rows if r.line_id is not None)
        if mine is not None:
            rows = [r for r in rows if r.line_id in mine]
            self.scope_note.setText(
                f"Showing the {department} department's budget lines only: {len(rows)} of "
                f"{plural(every, 'line')} in {fy_text(fy)}{', with their total' if len(rows) > 1 else ''}; the "
                "months below are theirs too. Choose All departments above to see the whole school's budget, "
                "Unallocated included."
                if rows else
                f"The {department} department has no budget line in {fy_text(fy)} (none names it or carries its "
                f"budget code). Choose All departments above to see the whole school's {plural(every, 'line')}, "
                "or add one with Add line….")
        self.scope_note.setVisible(mine is not None)
        self.shown_lines = mine
        # The year's total under its lines (as on the PDF and the workbook), when there is more than one.
        total = budget_total(rows) if len(rows) > 1 else None
        shown = [*rows, total] if total is not None else rows
        display = []
        for r in shown:
            values = {"line": r.line, "budget_code": r.budget_code or "", "used": ""}
            display.append([values[k] if k in values else format_money(getattr(r, k)) for k, _h in LINE_COLUMNS])
        self.line_ids = [r.line_id for r in rows]
        self.shares[:] = [r.used_share if r.line_id is not None else None for r in rows]
        if total is not None:
            self.shares.append(total.used_share)
        self.lines_model.set_rows(display, [*self.line_ids, *([TOTAL] if total is not None else [])])
        self._fit(self.lines, {len(LINE_COLUMNS) - 1: USED_WIDTH})
        headed = [(r, h) for r in rows for h in r.shown_heads()]
        self.heads_model.set_rows([[r.line, h.label, format_money(h.amount) if h.amount is not None else "none set",
                                    format_money(h.committed), format_money(h.spent),
                                    format_money(h.remaining) if h.remaining is not None else "–"]
                                   for r, h in headed], [f"{r.line_id}-{h.head}" for r, h in headed])
        self._fit(self.heads)
        self.detail_tabs.setTabVisible(1, bool(headed))
        if not headed:
            self.detail_tabs.setCurrentIndex(0)
        with self.ctx.session() as s:
            school = self.ctx.school(s)
            months = monthly_profile(s, school, fy, lines=mine)
            staff = staff_time(s, school, fy)
        whole = "The whole school's " if staff is not None and mine is not None else ""
        self.staff_time.setText(whole + (staff.sentence(fy) if staff is not None else ""))
        self.staff_time.setVisible(staff is not None)
        self.months_model.headings = ["Month by month", *(f"{m.month:%b %y}" for m in months)]
        self.months_model.align_right = set(range(1, len(months) + 1))
        self.months_model.set_rows([["Committed", *(format_money(m.committed) for m in months)],
                                    ["Spent", *(format_money(m.spent) for m in months)]], ["committed", "spent"])
        self._fit(self.months)
        # every line shown whole (up to eight), the header and the frame included
        row_h = ROW_HEIGHT
        head_h = max(self.months.horizontalHeader().sizeHint().height(), 30)
        frame = 2 * self.lines.frameWidth() + 2
        self.months.setFixedHeight(head_h + 2 * row_h + frame)
        self._line_count = len(shown)
        self._size_lines()
        self.heads.setFixedHeight(head_h + 2 * row_h + frame)  # as tall as the months: more rows scroll
        # The figure clicked belonged to the year (and the figures) shown before: its list, title and count go.
        self.items_title.setText(ITEMS_TITLE)
        if not every:  # none, or only money with no line ("Unallocated")
            self.items_note.setText(f"No budget lines for {fy_text(fy)} yet: add one with Add line… above, import "
                                    "them with File › Import (CPD budget lines), or `cpd-desktop import budget FILE`.")
        else:
            self.items_note.setText(ITEMS_NOTE)
        self.items_model.set_rows([], [])
        self._fit(self.items)

    def _size_lines(self) -> None:
        """Every line shown whole (up to eight), with the header, the frame and, when it shows, the sideways
        scroll bar."""
        head_h = max(self.lines.horizontalHeader().sizeHint().height(), 30)
        frame = 2 * self.lines.frameWidth() + 2
        bar = self.lines.horizontalScrollBar()
        sideways = bar.sizeHint().height() if bar.maximum() > bar.minimum() else 0
        self.lines.setFixedHeight(head_h + min(max(self._line_count, 1), 8) * ROW_HEIGHT + frame + sideways)
        # A line added (or a year with more lines chosen) while the view is shown: the splitter keeps the sizes it
        # had, so its upper part grows to hold the taller table rather than the tabs below being drawn over it.
        top = self.splitter.widget(0)
        sizes = self.splitter.sizes()
        need = top.minimumSizeHint().height() if top is not None else 0
        if len(sizes) == 2 and 0 < sizes[0] < need:
            self.splitter.setSizes([need, max(sizes[1] - (need - sizes[0]), 0)])

    def _figure_clicked(self, index: QModelIndex) -> None:
        key = LINE_COLUMNS[index.column()][0] if 0 <= index.column() < len(LINE_COLUMNS) else ""
        fy = self._chosen()
        if key not in FIGURES or fy is None or not 0 <= index.row() < len(self.lines_model.keys):
            return
        every_line = self.lines_model.keys[index.row()] == TOTAL
        line_id = None if every_line else self.line_ids[index.row()]
        line = "every line" if every_line else self.lines_model.rows[index.row()][0]
        with self.ctx.session() as s:
            found = items_behind(s, self.ctx.school(s), fy, line_id, key, every_line=every_line)
        if every_line and self.shown_lines is not None:  # the total of a department's lines: theirs only
            found = [i for i in found if i.line_id in self.shown_lines]
        self.items_title.setText(f"{FIGURES[key]}: {line}, {fy_text(fy)}")
        self.items_note.setText(plural(len(found), "booking or activity", "bookings and activities"))
        self.items_model.set_rows([[format_date(i.start_date), i.name, i.title, i.status.capitalize(),
                                    format_money(i.total_cost), format_money(i.bursary_expected),
                                    format_money(i.bursary_received)] for i in found],
                                  [i.id for i in found])
        self._fit(self.items)

    # -- adding, changing and deleting lines ------------------------------------------------------------------
    def _line_activated(self, index: QModelIndex) -> None:
        """Enter or a double-click: on a figure, the bookings behind it; on a line's name, code or budget, edit it."""
        key = LINE_COLUMNS[index.column()][0] if 0 <= index.column() < len(LINE_COLUMNS) else ""
        if key in FIGURES:
            self._figure_clicked(index)
        elif self.chosen.current_id() is not None:
            self.edit()

    def _form_years(self) -> tuple[list[FinancialYear], FinancialYear] | None:
        fy = self._chosen()
        return (self._years(), fy) if fy is not None else None

    def add(self) -> None:
        shown = self._form_years()
        if shown is None:
            return
        years, fy = shown
        new_id = BudgetLineDialog.ask(self, self.ctx, years, fy, save=lambda answer: self.ctx.run(
            self, "Add budget line", lambda s: add_line(s, self.ctx.school(s), **answer[0]).id, refusals=True))
        if new_id:
            self._show_line(new_id)

    def edit(self) -> None:
        ident, shown = self.chosen.current_id(), self._form_years()
        if ident is None or shown is None:
            return
        years, fy = shown
        with self.ctx.session() as s:
            line = s.get(BudgetLine, ident)
            if line is None:
                return
            form, version = line_form(line), line.version

        def save(answer: tuple[dict[str, Any], int | None]) -> Any:
            values, seen = answer
            return self.ctx.save(
                self, "Edit budget line", (BudgetLine, ident), seen,
                lambda s, v: update_line(s, s.get(BudgetLine, ident), expected_version=v, **values).id,
                form_compare(lambda current: BudgetLineDialog(self.ctx, years, fy, line_form(current)), values),
                refusals=True)

        if BudgetLineDialog.ask(self, self.ctx, years, fy, form, version, line_id=ident, save=save):
            self._show_line(ident)

    def delete(self) -> None:
        ident = self.chosen.current_id()
        if ident is None:
            return
        with self.ctx.session() as s:
            line = s.get(BudgetLine, ident)
            if line is None:
                return
            holds = line_holds(s, line)
        what = f"The budget line {holds.name} ({holds.budget_code}, {holds.year})"
        if not Confirm.ask(self, "Delete budget line", f"Delete the budget line {holds.name} ({holds.budget_code}) "
                           f"of {holds.year}?", yes="Delete line", detail=holds.what_happens()):
            return
        seen = {"name": holds.name, "budget_code": holds.budget_code}

        def act(s: Any, version: int | None) -> int:
            delete_line(s, current_record(s, BudgetLine, ident, what), expected_version=version)
            return ident

        save_edit(self.ctx, self, "Delete budget line", (BudgetLine, ident), holds.version, act,
                      values_compare({"name": "Name", "budget_code": "Budget code"},
                                     lambda current: {"name": current.name, "budget_code": current.budget_code}, seen),
                      doing="delete")

    def _show_line(self, line_id: int) -> None:
        """After a save: the line's year shown (reloaded now, not when next shown) and its row chosen."""
        with self.ctx.session() as s:
            line = s.get(BudgetLine, line_id)
            year = line.financial_year if line is not None else None
        at = next((i for i in range(self.year_combo.count())
                   if isinstance(self.year_combo.itemData(i), FinancialYear)
                   and self.year_combo.itemData(i).start_year == year), -1)
        if at >= 0 and at != self.year_combo.currentIndex():
            self.year_combo.setCurrentIndex(at)  # reloads
        elif self._dirty:
            self.reload()
        self.chosen.select(line_id)
