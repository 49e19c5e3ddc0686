"""The window's face while a database is open: the sidebar of views, the school, year and department
bar, and the stack the views are shown in. It only lays them out; the main window wires them up."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .icons import SIDEBAR, SIDEBAR_ACTIVE, icon

# name, label, icon, module, class: the sidebar's order, each view's module loaded the first time it shows
VIEWS = [
    ("trust", "Trust", "trust", "cpd_desktop.ui.views.trust", "TrustView"),
    ("dashboard", "Dashboard", "dashboard", "cpd_desktop.ui.views.dashboard", "DashboardView"),
    ("staff", "Staff", "staff", "cpd_desktop.ui.views.staff", "StaffView"),
    ("log", "CPD log", "log", "cpd_desktop.ui.views.cpd_log", "CpdLogView"),
    ("planner", "Planner", "planner", "cpd_desktop.ui.views.planner", "PlannerView"),
    ("cover", "Cover", "cover", "cpd_desktop.ui.views.cover", "CoverView"),
    ("timetable", "Timetable", "calendar", "cpd_desktop.ui.views.timetable", "TimetableView"),
    ("bursaries", "Bursaries", "bursary", "cpd_desktop.ui.views.bursaries", "BursariesView"),
    ("budget", "Budget", "bursary", "cpd_desktop.ui.views.budget", "BudgetView"),
    ("impact", "Impact", "reports", "cpd_desktop.ui.views.impact", "ImpactView"),
    ("reports", "Reports", "reports", "cpd_desktop.ui.views.reports", "ReportsView"),
    ("settings", "Settings", "settings", "cpd_desktop.ui.views.settings_view", "SettingsView"),
    ("audit", "Audit trail", "audit", "cpd_desktop.ui.views.audit", "AuditView"),
]
VIEW_NAMES = [v[0] for v in VIEWS]


class Workspace(QWidget):
    """Sidebar on the left (brand, school, views, demo badge); on the right the filter bar above the views."""

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._sidebar())
        right = QWidget()
        right.setObjectName("page")
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.setSpacing(0)
        rlay.addWidget(self._topbar())
        self.view_stack = QStackedWidget()
        rlay.addWidget(self.view_stack, 1)
        layout.addWidget(right, 1)

    def _sidebar(self) -> QWidget:
        sidebar = QWidget()
        sidebar.setObjectName("navSidebar")
        sidebar.setFixedWidth(200)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 8)
        side.setSpacing(0)
        brand = QLabel("CPD Desktop")
        brand.setObjectName("brand")
        self.school_label = QLabel("")
        self.school_label.setObjectName("brandSchool")
        self.school_label.setWordWrap(True)
        side.addWidget(brand)
        side.addWidget(self.school_label)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Views")
        self.nav.setIconSize(QSize(18, 18))
        for name, label, icon_name, _m, _c in VIEWS:
            item = QListWidgetItem(icon(icon_name, SIDEBAR, SIDEBAR_ACTIVE), label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setSizeHint(QSize(180, 38))
            self.nav.addItem(item)
        side.addWidget(self.nav, 1)
        self.demo_badge = QLabel("DEMO DATA")
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_badge.setToolTip("This is a made-up school to explore the app with.")
        badge_row = QHBoxLayout()
        badge_row.setContentsMargins(14, 0, 14, 0)
        badge_row.addWidget(self.demo_badge)
        side.addLayout(badge_row)
        return sidebar

    def _topbar(self) -> QWidget:
        topbar = QWidget()
        topbar.setObjectName("topbar")
        tlay = QHBoxLayout(topbar)
        tlay.setContentsMargins(20, 8, 20, 8)
        self.school_bar = QWidget()
        sbl = QHBoxLayout(self.school_bar)
        sbl.setContentsMargins(0, 0, 0, 0)
        school_label = QLabel("School:")
        self.school_combo = QComboBox()
        self.school_combo.setAccessibleName("School")
        self.school_combo.setToolTip("Every view, report and export shows only the chosen school's records")
        self.school_combo.setMinimumWidth(220)
        self.school_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        school_label.setBuddy(self.school_combo)
        sbl.addWidget(school_label)
        sbl.addWidget(self.school_combo)
        tlay.addWidget(self.school_bar)
        self.school_bar.setVisible(False)
        tlay.addStretch(1)
        year_label = QLabel("Academic year:")
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Academic year")
        self.year_combo.setMinimumWidth(100)
        year_label.setBuddy(self.year_combo)
        dept_label = QLabel("Department:")
        self.dept_combo = QComboBox()
        self.dept_combo.setAccessibleName("Department")
        self.dept_combo.setMinimumWidth(170)
        dept_label.setBuddy(self.dept_combo)
        tlay.addWidget(year_label)
        tlay.addWidget(self.year_combo)
        tlay.addSpacing(12)
        tlay.addWidget(dept_label)
        tlay.addWidget(self.dept_combo)
        return topbar

    def show_schools(self, schools: list[tuple[int, str]], current: int, *, locked: bool,
                     server: bool = False) -> bool:
        """The switcher lists the database's schools; the Trust view appears when there are several (or
        on a trust's server), unless the window was started on one school (``--school``). Returns
        whether the Trust view is offered."""
        self.school_combo.blockSignals(True)
        self.school_combo.clear()
        for ident, name in schools:
            self.school_combo.addItem(name, ident)
        self.school_combo.setCurrentIndex(max(0, self.school_combo.findData(current)))
        self.school_combo.blockSignals(False)
        self.school_bar.setVisible(len(schools) > 1 and not locked)
        trust = (len(schools) > 1 or server) and not locked
        self.nav.item(VIEW_NAMES.index("trust")).setHidden(not trust)
        return trust

    def offers(self, name: str) -> bool:
        """Whether the sidebar lists the view ``name`` (the Trust view is hidden for a single school)."""
        return name in VIEW_NAMES and not self.nav.item(VIEW_NAMES.index(name)).isHidden()

    def select(self, name: str) -> None:
        """Mark ``name`` current in the sidebar without asking for it to be shown again."""
        row = VIEW_NAMES.index(name)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
