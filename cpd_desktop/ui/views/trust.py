"""Trust: every school in the database side by side for the chosen year, and a chart of hours per FTE.

Shown when the database holds several schools (or is a trust's PostgreSQL server). Each school's
figures are added up in SQL within that school alone (``services.trust``), on a worker thread, so
the window stays usable however many schools there are. Double-click a school, or click its bar,
to switch the window to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...services.changes import KINDS as EVERY_KIND
from ...services.formatting import (
    format_fte,
    format_hours,
    format_money,
    format_per_fte,
    format_percent,
    per_fte,
)
from ..tablemodel import LEFT, RIGHT, TEXT_ROLES
from ..widgets import chart_scroll, muted, remember_splitter, section_title
from ..workers import run_in_background
from .base import View

Index = QModelIndex | QPersistentModelIndex


@dataclass
class SchoolFigures:
    """One school's row: the service's TrustRow plus what the window needs to open it."""

    school_id: int
    target: float  # the school's full-time CPD target in hours
    row: Any  # services.trust.TrustRow


@dataclass
class TrustData:
    year_label: str
    schools: list[SchoolFigures]


def load_trust(db: Any, year: Any) -> TrustData:
    """Every school's figures for the year (on a worker thread; no Qt here)."""
    from ...services.trust import school_targets, trust_rows

    with db.session() as s:
        rows = trust_rows(s, year)
        info = school_targets(s)
    out = []
    for row in rows:
        ident, target = info[row.school.lower()]
        out.append(SchoolFigures(ident, target, row))
    return TrustData(year.label, out)


def _met(f: SchoolFigures) -> str:
    return f"{f.row.met_target} of {f.row.staff}"


def _met_share(f: SchoolFigures) -> float:
    return f.row.met_target / f.row.staff if f.row.staff else -1.0


def _share(value: float | None) -> float:
    return -1.0 if value is None else value


# key, title, tooltip, text, sort key, numeric
COLUMNS: list[tuple[str, str, str, Any, Any, bool]] = [
    ("school", "School", "", lambda f: f.row.school, lambda f: f.row.school.lower(), False),
    ("staff", "Staff", "People employed in the year", lambda f: str(f.row.staff), lambda f: f.row.staff, True),
    ("fte", "FTE", "Full-time equivalent staff", lambda f: format_fte(f.row.fte), lambda f: f.row.fte, True),
    ("hours", "Hours", "CPD hours attended in the year", lambda f: format_hours(f.row.hours), lambda f: f.row.hours,
     True),
    ("hours_per_fte", "Hours\nper FTE", "Hours per full-time equivalent member of staff",
     lambda f: format_per_fte(f.row.hours_per_fte), lambda f: f.row.hours_per_fte, True),
    ("subject", "Subject-\nspecific", "Share of hours that were subject-specific",
     lambda f: format_percent(f.row.subject_share), lambda f: _share(f.row.subject_share), True),
    ("all_parts", "All 5\nparts", "Share of hours meeting all five parts of the DfE Standard",
     lambda f: format_percent(f.row.all_parts_share), lambda f: _share(f.row.all_parts_share), True),
    ("met", "Met\ntarget", "Staff who have met their (pro-rata) target", _met, _met_share, True),
    ("cost", "Cost of CPD\nwith cover", "Fees, travel, accommodation, subsistence and supply cover",
     lambda f: format_money(f.row.cost), lambda f: f.row.cost, True),
    ("cover", "of which\ncover", "Supply cover: days × day rate", lambda f: format_money(f.row.cover_cost),
     lambda f: f.row.cover_cost, True),
    ("expected", "Bursary\nexpected", "Bursary money expected", lambda f: format_money(f.row.bursary_expected),
     lambda f: f.row.bursary_expected, True),
    ("claimed", "Bursary\nclaimed", "Bursary money claimed", lambda f: format_money(f.row.bursary_claimed),
     lambda f: f.row.bursary_claimed, True),
    ("received", "Bursary\nreceived", "Bursary money received", lambda f: format_money(f.row.bursary_received),
     lambda f: f.row.bursary_received, True),
]


class TrustModel(QAbstractTableModel):
    """The schools as rows (a trust has tens of them: sorted in Python, all held at once)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.schools: list[SchoolFigures] = []
        self.current_id: int | None = None
        self._sort = (0, Qt.SortOrder.AscendingOrder)
        self._bold = QFont()
        self._bold.setBold(True)
        self._plain = QFont()
        self._plain.setResolveMask(0)
        self._text = QBrush(QGuiApplication.palette().text())

    def set_schools(self, schools: list[SchoolFigures], current_id: int | None) -> None:
        self.beginResetModel()
        self.schools = list(schools)
        self.current_id = current_id
        self._apply_sort()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.schools)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.schools) or index.column() >= len(COLUMNS):
            return "" if role in TEXT_ROLES else None
        figures = self.schools[index.row()]
        _key, title, _tip, text, _sort, numeric = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.AccessibleTextRole):
            return str(text(figures))
        if role == Qt.ItemDataRole.ToolTipRole:
            if not index.column():
                return "Double-click to open this school"
            return f"{figures.row.school}: {title.replace(chr(10), ' ')} {text(figures)}"
        if role in TEXT_ROLES:
            return ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if numeric else LEFT
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if figures.school_id == self.current_id else self._plain
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._text
        if role == Qt.ItemDataRole.UserRole:
            return figures.school_id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            _key, title, tip, _t, _s, numeric = COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return title
            if role == Qt.ItemDataRole.ToolTipRole:
                return tip or title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return RIGHT if numeric else LEFT
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        key = COLUMNS[column][4]
        self.schools.sort(key=lambda f: (key(f), f.row.school.lower()),
                          reverse=order == Qt.SortOrder.DescendingOrder)

    def school_id(self, row: int) -> int | None:
        return self.schools[row].school_id if 0 <= row < len(self.schools) else None

    def column_index(self, key: str) -> int:
        return [c[0] for c in COLUMNS].index(key)


class HoursPerFteChart(QWidget):
    """A bar per school: hours per FTE, with that school's target marked; click a bar to open it."""

    school_clicked = Signal(int)
    BAR = 22
    GAP = 6
    NAME_W = 220
    TOP = 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[int, str, float, float, bool]] = []  # id, name, hours per FTE, target, current
        self.setAccessibleName("Hours per FTE for each school")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[tuple[int, str, float, float, bool]]) -> None:
        self.bars = sorted(bars, key=lambda b: -b[2])
        self.setFixedHeight(self.TOP + 10 + len(self.bars) * (self.BAR + self.GAP))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, self.TOP + 10 + len(self.bars) * (self.BAR + self.GAP))

    def _row_at(self, y: float) -> int:
        i = int((y - self.TOP) // (self.BAR + self.GAP))
        return i if 0 <= i < len(self.bars) else -1

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        i = self._row_at(event.position().y())
        if i >= 0:
            _id, name, value, target, _c = self.bars[i]
            self.setToolTip(f"{name}: {format_per_fte(value)} hours per FTE (target {target:g} h). "
                            "Click to open this school.")
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.setCursor(Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        i = self._row_at(event.position().y())
        if i >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.school_clicked.emit(self.bars[i][0])

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        left = self.NAME_W + 12
        width = max(60, self.width() - left - 80)
        top = max([40.0] + [max(b[2], b[3]) for b in self.bars]) * 1.1
        scale = width / top
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        p.setFont(small)
        step = 10 if top <= 80 else 20
        for tick in range(0, int(top) + 1, step):
            x = left + tick * scale
            p.setPen(QColor("#6b7280"))
            p.drawText(QRectF(x - 22, 2, 44, 18), Qt.AlignmentFlag.AlignCenter, f"{tick} h")
            p.setPen(QPen(QColor("#e5e7eb"), 1))
            p.drawLine(int(x), self.TOP - 4, int(x), self.height())
        p.setFont(self.font())
        metrics = p.fontMetrics()
        for i, (_id, name, value, target, current) in enumerate(self.bars):
            y = self.TOP + i * (self.BAR + self.GAP)
            font = QFont(self.font())
            font.setBold(current)
            p.setFont(font)
            p.setPen(QColor("#1f2937"))
            p.drawText(QRectF(0, y, self.NAME_W, self.BAR), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       metrics.elidedText(name, Qt.TextElideMode.ElideRight, self.NAME_W))
            met = target > 0 and value >= target
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#2e7d5b" if met else "#1f4e79"))
            p.drawRoundedRect(QRectF(left, y + 3, max(value * scale, 1.5), self.BAR - 6), 3, 3)
            tx = left + target * scale
            p.setPen(QPen(QColor("#b54708"), 2))
            p.drawLine(int(tx), y, int(tx), y + self.BAR)
            p.setPen(QColor("#1f2937"))
            x = left + value * scale + 6
            if value < target and tx - x < 50:  # the figure would sit on the target line
                x = tx + 6
            p.drawText(QRectF(x, y, 80, self.BAR),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{format_per_fte(value)} h")
        p.end()


class TrustView(View):
    title = "Trust"
    shows = EVERY_KIND - {"audit_entry", "import_batch"}  # every school's figures, and who may see them
    subtitle = ""
    loaded = Signal()

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        from ...exports import KINDS

        self.data: TrustData | None = None
        self._job: Any = None
        self.open_button = self.header.add_button("Open school", self.open_chosen, icon_name="arrow-right",
                                                  tip="Show the chosen school in every view (Enter)")
        self.export_buttons = []
        if "trust" in KINDS:
            self.export_buttons = [
                self.header.add_button("Trust summary PDF…", lambda: self.export("pdf"), icon_name="export",
                                       tip="Every school side by side, then each school's people, as a PDF"),
                self.header.add_button("Trust workbook…", lambda: self.export("xlsx"), icon_name="export",
                                       primary=True, tip="A Trust sheet with live totals and a sheet per school"),
            ]
        self.model = TrustModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Schools side by side")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        for i, width in enumerate((200, 55, 55, 65, 72, 75, 60, 68, 100, 88, 88, 88, 88)):
            self.table.setColumnWidth(i, width)
        self.table.activated.connect(lambda index: self.open_school(self.model.school_id(index.row())))
        self.totals = muted("")
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.totals)

        chart_panel = QFrame()
        chart_panel.setObjectName("panel")
        cl = QVBoxLayout(chart_panel)
        cl.addWidget(section_title("Hours per FTE"))
        cl.addWidget(muted("Each school's CPD hours per full-time equivalent member of staff; the orange line is "
                           "that school's target. Green: target reached. Click a school to open it."))
        self.chart = HoursPerFteChart()
        self.chart.school_clicked.connect(self.open_school)
        cl.addWidget(chart_scroll(self.chart), 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(chart_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([380, 300])
        remember_splitter(self.splitter, "trust")
        self.outer.addWidget(self.splitter, 1)

    def reload(self) -> None:
        super().reload()
        ctx = self.ctx
        self.header.subtitle.setText(f"Every school in this database side by side for {ctx.year.label}: CPD attended, "
                                     "its cost including supply cover, and bursary money. Double-click a school to "
                                     "open it.")
        self.totals.setText("Adding up each school…")
        year = ctx.year
        self._job = run_in_background(lambda: load_trust(ctx.db, year), self.show_data)

    def show_data(self, data: TrustData) -> None:
        if data.year_label != self.ctx.year.label:
            return  # an older request finished after the year changed
        self.data = data
        chosen = self.current_school()
        self.model.set_schools(data.schools, self.ctx.school_id)
        if chosen is not None:
            self.select_school(chosen)
        rows = [f.row for f in data.schools]
        fte = sum(r.fte for r in rows)
        hours = sum((r.hours for r in rows), Decimal("0.00"))
        self.totals.setText(
            f"{len(rows)} school{'s' if len(rows) != 1 else ''} · {sum(r.staff for r in rows)} staff · "
            f"{format_hours(hours)} h ({format_per_fte(per_fte(hours, fte))} per FTE) · "
            f"cost {format_money(sum((r.cost for r in rows), Decimal('0.00')))} · bursaries received "
            f"{format_money(sum((r.bursary_received for r in rows), Decimal('0.00')))} of "
            f"{format_money(sum((r.bursary_expected for r in rows), Decimal('0.00')))} expected")
        self.chart.set_bars([(f.school_id, f.row.school, float(f.row.hours_per_fte), f.target,
                              f.school_id == self.ctx.school_id) for f in data.schools])
        self.loaded.emit()

    def current_school(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.school_id(rows[0].row()) if rows else None

    def select_school(self, school_id: int) -> None:
        for row, f in enumerate(self.model.schools):
            if f.school_id == school_id:
                self.table.selectRow(row)
                return

    def open_chosen(self) -> None:
        self.open_school(self.current_school())

    def open_school(self, school_id: int | None) -> None:
        if school_id is not None:
            self.window_.switch_school(school_id, "dashboard")

    def export(self, fmt: str, output: str | None = None) -> Any:
        from ..exporting import export

        return export(self, self.ctx, "trust", fmt, year=self.ctx.year, output=output)

    def search_box(self) -> Any:
        return None
