"""Budget: each budget line of a financial year with its committed, spent, bursary and remaining money, and the
bookings behind a figure when it is clicked. The figures come from ``services.budget`` (the reports' rule)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
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

from ...services.budget import (
    FIGURES,
    budget_rows,
    budget_total,
    fy_text,
    items_behind,
    monthly_profile,
    recent_financial_years,
    staff_time,
)
from ...services.formatting import format_date, format_money, plural
from ...services.years import FinancialYear
from ..tablemodel import RowsModel
from ..widgets import muted, rows_table, section_title
from .base import View

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
        self.lines.activated.connect(self._figure_clicked)
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
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([440, 240])
        self.outer.addWidget(splitter, 1)
        self.line_ids: list[int | None] = []

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
        with self.ctx.session() as s:
            rows = budget_rows(s, self.ctx.school(s), fy)
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
            months = monthly_profile(s, school, fy)
            staff = staff_time(s, school, fy)
        self.staff_time.setText(staff.sentence(fy) if staff is not None else "")
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
        if not any(r.line_id is not None for r in rows):  # none, or only money with no line ("Unallocated")
            self.items_note.setText(f"No budget lines for {fy_text(fy)} yet: import them with File › Import "
                                    "(CPD budget lines), or `cpd-desktop import budget FILE`.")
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
        self.items_title.setText(f"{FIGURES[key]}: {line}, {fy_text(fy)}")
        self.items_note.setText(plural(len(found), "booking or activity", "bookings and activities"))
        self.items_model.set_rows([[format_date(i.start_date), i.name, i.title, i.status.capitalize(),
                                    format_money(i.total_cost), format_money(i.bursary_expected),
                                    format_money(i.bursary_received)] for i in found],
                                  [i.id for i in found])
        self._fit(self.items)
