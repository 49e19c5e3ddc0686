"""The main window: sidebar, year and department bar, the views, and the menus.

The window shows at once; the database opens in the background and each view is built the first
time it is shown, so start-up costs one window and the first view's query, however big the file.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import settings
from .errors import show_error
from .icons import SIDEBAR, SIDEBAR_ACTIVE, app_icon, icon
from .prompts import Inform, LockedChoice, SchoolChooser

if TYPE_CHECKING:
    from ..services.changes import Changes

log = logging.getLogger("cpd_desktop.ui")

# name, label, icon, module, class
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
# The trust view is only there for a database of several schools (or a trust's server).
NUMBERED = [name for name in VIEW_NAMES[1:] if name not in ("timetable", "budget", "impact")]  # Ctrl+1…9 as they always were
SHORTCUTS = {"trust": "Ctrl+0", "timetable": "Ctrl+T", "budget": "Ctrl+Shift+B", "impact": "Ctrl+Shift+I",
             **{name: f"Ctrl+{i}" for i, name in enumerate(NUMBERED, start=1)}}
REFRESH_MS = 20_000  # how often the window looks for what other people have saved
BACKUP_CHECK_MS = 10 * 60_000  # how often the window asks whether a scheduled backup is due


FIRST_SIZE = QSize(1280, 820)


def first_size(available: QSize) -> QSize:
    """The window's first size: 1280×820, or less on a smaller screen (a 1366×768 laptop leaves about
    1366×728 beside its panel), so that the title bar and the status bar are on screen."""
    # The frame (title bar, borders) is not part of the size asked for: leave room for it.
    return QSize(max(900, min(FIRST_SIZE.width(), available.width() - 16)),
                 max(600, min(FIRST_SIZE.height(), available.height() - 40)))


class FirstLookContext(QObject):
    """What the dashboard needs of a context while it shows a first look: no database yet.

    Clicks through (``navigate``) are remembered by the window and followed once the database is open.
    """

    filters_changed = Signal()
    data_changed = Signal(object)  # a Changes notice (see services.changes)
    school_changed = Signal()
    navigate = Signal(str, object)

    def __init__(self, parent: QObject, school_id: int, year_label: str) -> None:
        super().__init__(parent)
        self.school_id = school_id
        self.year = SimpleNamespace(label=year_label)
        self.department: str | None = None


class MainWindow(QMainWindow):
    database_opened = Signal()
    first_look_shown = Signal()

    def __init__(self, *, today: Any = None, start: tuple[str, str | None] | None = None) -> None:
        """``start``: the database (and ``--school`` name) a start opens: its first look, if it has one,
        is shown from the outset, and the welcome page is only built if it is needed."""
        super().__init__()
        self.today = today
        self.ctx: Any = None
        self.pages: dict[str, QWidget] = {}
        self._opening: Any = None
        self.school_locked = False  # started with --school: this school's staff see only their school
        self._checking: Any = None  # the background look for other people's changes, while it runs
        self._offline = False
        self._refresh_pending = False  # others' changes seen while a dialog was open
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.check_for_changes)
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.backup_if_due)
        self._backing_up: Any = None
        self._verifying: Any = None
        self._school_option: str | None = None  # the --school name the database was opened with
        self._first_look: Any = None  # (view, face) while a first look stands in for the dashboard
        self._wanted: tuple[str, Any] | None = None  # a view asked for before the database was open
        self.setWindowIcon(app_icon())
        self.setWindowTitle("CPD Desktop")
        self.setMinimumSize(QSize(900, 600))
        self.resize(first_size(self.screen().availableGeometry().size()))
        settings.restore_geometry("main", self)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self._welcome: Any = None
        self.workspace = self._build_workspace()
        self.stack.addWidget(self.workspace)
        self._build_menus()
        self._update_actions()
        self.statusBar().showMessage("Ready")
        if start is None or not self.show_first_look(*start):
            self.stack.setCurrentWidget(self.welcome)

    @property
    def welcome(self) -> Any:
        """The page shown with no database open (built the first time it is needed)."""
        if self._welcome is None:
            from .welcome import WelcomePage

            self._welcome = WelcomePage(self)
            self.stack.insertWidget(0, self._welcome)
        return self._welcome

    # ---- layout ----
    def _build_workspace(self) -> QWidget:
        root = QWidget()
        layout = QHBoxLayout(root)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

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
        self.nav.currentRowChanged.connect(lambda row: self.show_view(VIEW_NAMES[row]) if row >= 0 else None)
        side.addWidget(self.nav, 1)
        self.demo_badge = QLabel("DEMO DATA")
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_badge.setToolTip("This is a made-up school to explore the app with.")
        badge_row = QHBoxLayout()
        badge_row.setContentsMargins(14, 0, 14, 0)
        badge_row.addWidget(self.demo_badge)
        side.addLayout(badge_row)
        layout.addWidget(sidebar)

        right = QWidget()
        right.setObjectName("page")
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.setSpacing(0)
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
        rlay.addWidget(topbar)
        self.view_stack = QStackedWidget()
        rlay.addWidget(self.view_stack, 1)
        layout.addWidget(right, 1)
        self.school_combo.activated.connect(self._school_chosen)
        self.year_combo.currentIndexChanged.connect(self._year_chosen)
        self.dept_combo.currentIndexChanged.connect(self._department_chosen)
        return root

    def _action(self, text: str, slot: Any, shortcut: Any = None, *, icon_name: str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if icon_name:  # drawn the first time a menu opens: none is on screen before
            self._menu_icons.append((action, icon_name))
        if shortcut is not None:
            if isinstance(shortcut, list):
                action.setShortcuts(shortcut)
            else:
                action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _show_menu_icons(self) -> None:
        pending, self._menu_icons = self._menu_icons, []
        for action, name in pending:
            action.setIcon(icon(name))

    def _build_menus(self) -> None:
        self._menu_icons: list[tuple[QAction, str]] = []
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.act_new = self._action("&New school database…", self.new_school, QKeySequence.StandardKey.New)
        self.act_open = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.act_demo = self._action("Explore with &demo data", self.open_demo)
        self.act_switch = self._action("S&witch school…", self.switch_school_dialog, "Ctrl+Shift+S",
                                       tip="Choose another school in this database")
        self.act_import = self._action("&Import…", self.import_dialog, "Ctrl+I", icon_name="import")
        self.act_import_history = self._action("Import &history…", self.import_history,
                                               tip="Every import of this school; take one back out whole")
        self.act_export = self._action("&Export…", self.export_dialog, "Ctrl+E", icon_name="export")
        self.act_backup = self._action("&Back up now", self.backup_now, icon_name="backup")
        self.act_restore = self._action("Re&store from backup…", self.restore_backup)
        self.act_repair = self._action("&Check and repair…", self.check_and_repair,
                                       tip="Check every page, index and link of the file; repair damaged indexes")
        self.act_quit = self._action("&Quit", self.close, "Ctrl+Q")  # the standard key is none on some desktops
        file_menu.insertAction(self.recent_menu.menuAction(), self.act_new)
        file_menu.insertAction(self.recent_menu.menuAction(), self.act_open)
        for act in (self.act_demo, self.act_switch, None, self.act_import, self.act_import_history, self.act_export,
                    None, self.act_backup, self.act_restore, self.act_repair, None, self.act_quit):
            if act is None:
                file_menu.addSeparator()
            else:
                file_menu.addAction(act)

        edit_menu = bar.addMenu("&Edit")
        self.act_undo = self._action("&Undo", lambda: self.ctx and self.ctx.undo(self), QKeySequence.StandardKey.Undo,
                                     icon_name="undo")
        self.act_redo = self._action("&Redo", lambda: self.ctx and self.ctx.redo(self),
                                     [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")], icon_name="redo")
        self.act_find = self._action("&Find", self.focus_search, QKeySequence.StandardKey.Find, icon_name="search")
        for act in (self.act_undo, self.act_redo, self.act_find):
            edit_menu.addAction(act)

        view_menu = bar.addMenu("&View")
        self.view_actions: dict[str, QAction] = {}
        for name, label, icon_name, _m, _c in VIEWS:
            act = self._action(label, lambda n=name: self.show_view(n), SHORTCUTS[name], icon_name=icon_name)
            view_menu.addAction(act)
            self.view_actions[name] = act
        view_menu.addSeparator()
        self.act_refresh = self._action("Re&fresh", self.refresh_current, QKeySequence.StandardKey.Refresh)
        view_menu.addAction(self.act_refresh)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&User guide", self.user_guide, QKeySequence.StandardKey.HelpContents))
        help_menu.addAction(self._action("Open &data folder", self.open_data_folder))
        help_menu.addAction(self._action("Open &log file", self.open_log_file))
        help_menu.addSeparator()
        help_menu.addAction(self._action("&About CPD Desktop", self.about))
        for menu in (file_menu, edit_menu, view_menu, help_menu):
            menu.aboutToShow.connect(self._show_menu_icons)

    def _stack_changed(self, _index: int) -> None:
        if shiboken6.isValid(self.act_undo):  # the stack empties itself while the window is destroyed
            self._update_actions()

    def _update_actions(self) -> None:
        open_ = self.ctx is not None
        for act in (self.act_import, self.act_import_history, self.act_export, self.act_backup, self.act_find,
                    self.act_refresh,
                    *self.view_actions.values()):
            act.setEnabled(open_)
        self.act_restore.setEnabled(open_ and getattr(self.ctx.db, "path", None) is not None if open_ else False)
        self.act_repair.setEnabled(self.act_restore.isEnabled())
        self.act_switch.setEnabled(open_ and not self.school_locked and self.school_combo.count() > 1)
        if open_:
            stack = self.ctx.undo_stack
            self.act_undo.setEnabled(stack.canUndo())
            self.act_redo.setEnabled(stack.canRedo())
            self.act_undo.setText(f"&Undo {stack.undoText()}".strip())
            self.act_redo.setText(f"&Redo {stack.redoText()}".strip())
        else:
            self.act_undo.setEnabled(False)
            self.act_redo.setEnabled(False)

    # ---- the first look (see cpd_desktop.firstlook) ----
    def show_first_look(self, target: str, school: str | None = None) -> bool:
        """At start-up, before the database layer has loaded: the dashboard's figures kept from last
        time, if nothing has been saved since and it is the same day. False if there are none to show."""
        if "://" in target or settings.last_view() != "dashboard":
            return False
        from .. import firstlook

        day = self.today.isoformat() if self.today is not None else firstlook.today()
        look = firstlook.load(Path(target), day=day, school=school)
        if look is None:
            return False
        from .views.dashboard import DashboardView, valid_face

        try:
            face = valid_face(look["dashboard"])
            school_id, school_name = int(look["school_id"]), str(look["school_name"])
            schools = [(int(i), str(n)) for i, n in look["schools"]]
            years, departments = [str(y) for y in look["years"]], [str(d) for d in look["departments"]]
            is_demo = bool(look["is_demo"])
        except (KeyError, TypeError, ValueError):
            return False
        if school is None and len(schools) != 1:
            return False  # several schools: the person is asked which, as always
        ctx = FirstLookContext(self, school_id, face["year_label"])
        ctx.navigate.connect(self._remember_view)
        view = DashboardView(ctx, self, initial=face)
        view._dirty = False  # nothing to add up until the database is open
        self._first_look = (view, face)
        self._show_title(school_name, demo=is_demo)
        self._show_schools(schools, school_id, locked=school is not None)
        for combo, items in ((self.year_combo, years), (self.dept_combo, ["All departments", *departments])):
            combo.blockSignals(True)
            combo.addItems(items)
            combo.blockSignals(False)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findText(face["year_label"])))
        for combo in (self.school_combo, self.year_combo, self.dept_combo):
            combo.setEnabled(False)  # until the database is open
        self.view_stack.addWidget(view)
        self.view_stack.setCurrentWidget(view)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(VIEW_NAMES.index("dashboard"))
        self.nav.blockSignals(False)
        self.stack.setCurrentWidget(self.workspace)
        self.statusBar().showMessage("Opening the database: the figures are those of your last visit today.")
        self.first_look_shown.emit()
        return True

    def _remember_view(self, name: str, payload: Any = None) -> None:
        """A view asked for while the first look is shown: shown as soon as the database is open."""
        self._wanted = (name, payload)
        self.statusBar().showMessage("Opening the database…")

    def _drop_first_look(self, *, failed: bool = False) -> None:
        if self._first_look is None:
            return
        view, _data = self._first_look
        self._first_look = None
        self._wanted = None
        self.view_stack.removeWidget(view)
        view.ctx.deleteLater()
        view.deleteLater()
        for combo in (self.school_combo, self.year_combo, self.dept_combo):
            combo.setEnabled(True)
        if failed:  # the database could not be opened after all: back to the welcome page
            self._show_schools([], 0, locked=True)
            for combo in (self.year_combo, self.dept_combo):
                combo.clear()
            self._update_title()
            self.stack.setCurrentWidget(self.welcome)
            self.statusBar().clearMessage()

    def keep_first_look(self, view: Any, face: dict[str, Any]) -> None:
        """The dashboard shows figures it has added up: keep what it shows for the next start if they are
        the ones a start shows (this school's current year, every department, a database file)."""
        ctx = self.ctx
        if (ctx is None or view.ctx is not ctx or face["marker"] is None or ctx.db.path is None or ctx.department
                or face["department"] or face["year_label"] != ctx.current_year.label
                or (self._school_option is None and self.school_combo.count() > 1)):
            return
        from .. import firstlook

        look = {
            "school_id": ctx.school_id, "school_name": ctx.school_name, "is_demo": ctx.is_demo,
            "schools": [[self.school_combo.itemData(i), self.school_combo.itemText(i)]
                        for i in range(self.school_combo.count())],
            "years": [self.year_combo.itemText(i) for i in range(self.year_combo.count())],
            "departments": [self.dept_combo.itemText(i) for i in range(1, self.dept_combo.count())],
            "dashboard": face,
        }
        firstlook.save(Path(ctx.db.path), look, marker=face["marker"], day=ctx.today.isoformat(),
                       school=self._school_option)

    # ---- opening a database ----
    def open_database(self, target: str, school: str | None = None) -> bool:
        """Open a database now (on this thread); False if it could not be opened (the error is shown).

        With ``school`` (``--school NAME``) the window shows that school only, with no switcher.
        """
        try:
            db = self._open_file(target)
        except Exception as exc:
            if not self._in_use(exc):
                show_error(self, exc)
                return False
            db = self._open_in_use(target, exc)
            if db is None:
                return False
        try:
            school_id = self._choose_school(db, school)
        except Exception as exc:
            db.dispose()
            show_error(self, exc)
            return False
        if school_id is None:
            db.dispose()
            return False
        self.school_locked = bool(school)
        self._school_option = school
        self.set_database(db, school_id, target)
        return True

    def open_database_in_background(self, target: str, school: str | None = None) -> None:
        """Open the database off the UI thread (start-up): the window stays responsive meanwhile."""
        from .workers import Job

        if self._first_look is None:  # the welcome page says what is opening (a first look needs no word)
            self.welcome.show_opening(target)

        def work(_progress: Any, _cancelled: Any) -> Any:
            # On a worker thread: the database layer's imports, the log file and the first queries'
            # compilation happen here while the window is already on screen. Meanwhile Python hands
            # the UI thread its turn every millisecond rather than every five, so the window answers.
            import sys

            interval = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, 0.001))
            try:
                from .errors import setup_log_file

                setup_log_file()
                db = self._open_file(target)
                from . import context  # noqa: F401  (imported here, not on the UI thread)
                from .views import dashboard  # noqa: F401
            finally:
                sys.setswitchinterval(interval)
            return db

        def opened(db: Any) -> None:
            try:
                school_id = self._choose_school(db, school)
            except Exception as exc:
                db.dispose()
                self._drop_first_look(failed=True)
                self.welcome.show_choices()
                show_error(self, exc)
                return
            if school_id is None:
                db.dispose()
                self._drop_first_look(failed=True)
                self.welcome.show_choices()
                return
            self.school_locked = bool(school)
            self._school_option = school
            self.set_database(db, school_id, target)

        def failed(exc: BaseException) -> None:
            self.welcome.show_choices()
            if self._in_use(exc):
                db = self._open_in_use(target, exc)
                if db is not None:
                    opened(db)
                else:
                    self._drop_first_look(failed=True)
                return
            self._drop_first_look(failed=True)
            show_error(self, exc)

        job = Job(work)
        job.succeeded.connect(opened)
        job.failed.connect(failed)
        self._opening = job.start()

    @staticmethod
    def _open_file(target: str, *, readonly: bool = False) -> Any:
        """The app holds the file's write lock while it is open, so a second copy cannot write too."""
        from ..services.database import open_database

        # The integrity check runs after the window is up (``_verify_in_background``): seconds on a
        # large file. Until it has passed, a change waits for it.
        return open_database(target, readonly=readonly, hold_lock=not readonly, verify=False)

    @staticmethod
    def _in_use(exc: BaseException) -> bool:
        from ..storage.locking import DatabaseInUseError

        return isinstance(exc, DatabaseInUseError)

    def _open_in_use(self, target: str, exc: Any) -> Any:
        """Another copy has it open: ask whether to look read-only or to break the lock."""
        choice = LockedChoice.ask(self, exc.message, exc.hint)
        try:
            if choice == "readonly":
                return self._open_file(target, readonly=True)
            if choice == "break":
                from pathlib import Path as _Path

                from ..storage.locking import break_lock

                break_lock(_Path(target))
                return self._open_file(target)
        except Exception as again:
            show_error(self, again)
        return None

    def _choose_school(self, db: Any, name: str | None) -> int | None:
        from ..errors import NotFoundError
        from ..services.schools import choose_school, list_schools

        with db.session() as s:
            if name:
                return choose_school(s, name).id
            schools = list_schools(s)
            if not schools:
                raise NotFoundError(f"{db.label} has no school in it yet.",
                                    hint="Create a new school database, or open another file.")
            if len(schools) == 1:
                return schools[0].id
            chosen = SchoolChooser.ask(self, [x.name for x in schools])
            if chosen is None:
                return None
            return choose_school(s, chosen).id

    def set_database(self, db: Any, school_id: int, target: str | None = None) -> None:
        self.close_database()
        first_look, asked = self._first_look, self._wanted
        self._drop_first_look()
        self._install_context(db, school_id)
        if target:
            settings.set_last_database(target)
            if db.path is not None:
                settings.set_last_folder("database", db.path)
        if first_look is not None:
            _view, face = first_look
            if (self.ctx.school_id, self.ctx.year.label) == (_view.ctx.school_id, face["year_label"]):
                # The dashboard starts from the first look's figures (no flicker) and adds them up again.
                from .views.dashboard import DashboardView

                self.pages["dashboard"] = DashboardView(self.ctx, self, initial=face)
                self.view_stack.addWidget(self.pages["dashboard"])
        self.stack.setCurrentWidget(self.workspace)
        self._update_actions()
        wanted = asked[0] if asked else settings.last_view()
        if wanted not in VIEW_NAMES or self.nav.item(VIEW_NAMES.index(wanted)).isHidden():
            wanted, asked = "dashboard", None
        self.show_view(wanted, asked[1] if asked else None)
        notes = list(getattr(db, "warnings", []) or [])
        reason = getattr(db, "readonly_reason", None)
        if getattr(db, "readonly", False):
            notes.insert(0, f"Opened read-only{': ' + reason if reason else ''}. Changes cannot be saved.")
        self.statusBar().showMessage(" ".join(notes) or f"Opened {db.label}", 15000 if notes else 5000)
        self._verify_in_background(db)
        self.database_opened.emit()

    def _verify_in_background(self, db: Any) -> None:
        """Off the UI thread: SQLite's quick_check (a damaged file is reported and never written to),
        then a backup if the file changed since its newest one."""
        from .workers import Job

        def work(_progress: Any, _cancelled: Any) -> Any:
            if not getattr(db, "verified", True):
                db.verify()
            if db.path is not None and not db.readonly:
                from ..storage.backups import auto_backup_on_open

                return auto_backup_on_open(db)
            return None

        def failed(exc: BaseException) -> None:
            if self.ctx is not None and self.ctx.db is db:
                show_error(self, exc)

        job = Job(work)
        job.failed.connect(failed)
        self._verifying = job.start()

    def backup_if_due(self) -> None:
        """The backup timer: while the window is open, a backup whenever the file changed and the
        newest backup is half an hour old (thinned like the others)."""
        if self.ctx is None or self.ctx.db.path is None or self.ctx.db.readonly or self._backing_up is not None:
            return
        from .workers import Job

        db = self.ctx.db

        def work(_progress: Any, _cancelled: Any) -> Any:
            from ..storage.backups import backup_if_due

            return backup_if_due(db)

        def done(*_args: Any) -> None:
            self._backing_up = None

        job = Job(work)
        job.finished.connect(done)
        job.failed.connect(lambda exc: log.warning("scheduled backup failed: %s", type(exc).__name__))
        self._backing_up = job.start()

    def _install_context(self, db: Any, school_id: int, year: Any = None) -> None:
        from .context import AppContext

        self.ctx = AppContext(db, school_id, self, today=self.today, year=year)
        self.ctx.undo_stack.indexChanged.connect(self._stack_changed)
        self.ctx.school_changed.connect(self._update_title)
        self.ctx.navigate.connect(self.show_view)
        self.ctx.data_changed.connect(self._data_changed)
        self._fill_schools()
        self._fill_filters()
        self._update_title()
        self.ctx.changed_elsewhere()  # note where the audit trail stands now
        self.refresh_timer.start()
        self.backup_timer.start()

    def close_database(self, *, dispose: bool = True) -> None:
        self.refresh_timer.stop()
        self.backup_timer.stop()
        for page in list(self.pages.values()):
            self.view_stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        if self.ctx is not None:
            self.ctx.undo_stack.indexChanged.disconnect(self._stack_changed)
            self.ctx.undo_stack.clear()
            if dispose:
                self.ctx.db.dispose()
            self.ctx.deleteLater()
            self.ctx = None
        self._update_actions()

    # ---- schools ----
    def _fill_schools(self) -> None:
        ctx = self.ctx
        self._show_schools(ctx.schools(), ctx.school_id, locked=self.school_locked, server=ctx.is_server)
        self._update_actions()

    def _show_schools(self, schools: list[tuple[int, str]], current: int, *, locked: bool,
                      server: bool = False) -> None:
        """The switcher lists the database's schools; the Trust view appears when there are several (or
        on a trust's server), unless the window was started on one school (``--school``)."""
        self.school_combo.blockSignals(True)
        self.school_combo.clear()
        for ident, name in schools:
            self.school_combo.addItem(name, ident)
        self.school_combo.setCurrentIndex(max(0, self.school_combo.findData(current)))
        self.school_combo.blockSignals(False)
        self.school_bar.setVisible(len(schools) > 1 and not locked)
        trust = (len(schools) > 1 or server) and not locked
        self.nav.item(VIEW_NAMES.index("trust")).setHidden(not trust)
        self.view_actions["trust"].setVisible(trust)
        self.view_actions["trust"].setEnabled(trust)

    def trust_shown(self) -> bool:
        """Whether the Trust view is offered (several schools, or a trust's server; not with --school)."""
        return self.ctx is not None and not self.nav.item(VIEW_NAMES.index("trust")).isHidden()

    def _school_chosen(self, index: int) -> None:
        if self.ctx is not None and index >= 0:
            self.switch_school(int(self.school_combo.itemData(index)))

    def switch_school_dialog(self) -> None:
        if self.ctx is None or self.school_locked:
            return
        names = [name for _i, name in self.ctx.schools()]
        chosen = SchoolChooser.ask(self, names)
        if chosen is None:
            return
        from ..services.schools import choose_school

        try:
            with self.ctx.session() as s:
                ident = choose_school(s, chosen).id
        except Exception as exc:
            show_error(self, exc)
            return
        self.switch_school(ident)

    def switch_school(self, school_id: int, view: str | None = None) -> None:
        """Show another school of the same database: every view is rebuilt on that school alone."""
        if self.ctx is None or self.school_locked:
            return
        if school_id == self.ctx.school_id and view is None:
            return
        current = self.nav.currentRow()
        name = view or (VIEW_NAMES[current] if current >= 0 else "dashboard")
        db, year = self.ctx.db, self.ctx.year
        for page in self.pages.values():
            if hasattr(page, "save_layout"):
                page.save_layout()
        self.close_database(dispose=False)
        try:
            self._install_context(db, school_id, year)
        except Exception as exc:
            db.dispose()
            self.stack.setCurrentWidget(self.welcome)
            self.welcome.show_choices()
            show_error(self, exc)
            return
        self._update_actions()
        self.show_view(name if not self.nav.item(VIEW_NAMES.index(name)).isHidden() else "dashboard")
        self.statusBar().showMessage(f"Showing {self.ctx.school_name}", 5000)

    # ---- other people's changes ----
    def check_for_changes(self) -> None:
        """Look (off the UI thread) for what others have saved; refresh the view on screen if so."""
        if self.ctx is None or self._checking is not None:
            return
        from .workers import Job

        ctx = self.ctx
        job = Job(lambda _p, _c: ctx.changed_elsewhere())
        self._checking = job

        def done(changed: bool) -> None:
            self._checking = None
            back = self._offline
            self._offline = False
            if (changed or back or self._refresh_pending) and self.ctx is ctx:
                self.refresh_from_others()
            if back:
                self.statusBar().showMessage("Connected to the database again.", 5000)

        def failed(exc: BaseException) -> None:
            self._checking = None
            from .errors import connection_lost, describe

            if connection_lost(exc):
                self._offline = True
                self.statusBar().showMessage("The database server cannot be reached; trying again every "
                                             f"{REFRESH_MS // 1000} seconds. Nothing you saved has been lost.")
                return
            _title, message, _hint, is_bug = describe(exc)
            if is_bug:
                log.error("Looking for other people's changes failed: %s", message)
            else:
                self.statusBar().showMessage(message, 10000)

        job.succeeded.connect(done)
        job.failed.connect(failed)
        job.start()

    def refresh_from_others(self) -> None:
        """Show what others changed: the view on screen requeries keeping its selection and scroll;
        the others requery when next shown. Not while a dialog is open over the window."""
        if self.ctx is None:
            return
        if QApplication.activeModalWidget() is not None:
            self._refresh_pending = True  # shown at the next look, once the dialog has closed
            return
        self._refresh_pending = False
        self.ctx.reload_school()
        self._fill_schools()
        self._data_changed()
        current = self.current_view()
        for page in self.pages.values():
            if page is current and hasattr(page, "refresh_in_place"):
                page.refresh_in_place()
            elif hasattr(page, "_dirty"):
                page._dirty = True
        self.statusBar().showMessage("Updated with changes saved by others.", 4000)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and self.ctx is not None:
            self.check_for_changes()

    def choose_year(self, year: Any) -> None:
        """Show another academic year (as if chosen at the top)."""
        if self.ctx is None:
            return
        self.ctx.set_year(year)
        self._fill_filters()

    def _update_title(self) -> None:
        if self.ctx is None or not shiboken6.isValid(self.school_label):
            self.setWindowTitle("CPD Desktop")
            return
        self._show_title(self.ctx.school_name, demo=self.ctx.is_demo,
                         readonly=bool(getattr(self.ctx.db, "readonly", False)))

    def _show_title(self, school: str, *, demo: bool, readonly: bool = False) -> None:
        self.setWindowTitle(f"CPD Desktop — {school}{' (demo data)' if demo else ''}"
                            f"{' (read-only)' if readonly else ''}")
        self.school_label.setText(school)
        self.demo_badge.setVisible(demo)

    def _fill_filters(self) -> None:
        ctx = self.ctx
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in ctx.years():
            self.year_combo.addItem(year.label, year)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findText(ctx.year.label)))
        self.year_combo.blockSignals(False)
        self.dept_combo.blockSignals(True)
        current = ctx.department
        self.dept_combo.clear()
        self.dept_combo.addItem("All departments", None)
        for name in ctx.departments():
            self.dept_combo.addItem(name, name)
        index = self.dept_combo.findData(current) if current else 0
        self.dept_combo.setCurrentIndex(max(0, index))
        self.dept_combo.blockSignals(False)

    def _year_chosen(self, index: int) -> None:
        if self.ctx is not None and index >= 0:
            self.ctx.set_year(self.year_combo.itemData(index))

    def _department_chosen(self, index: int) -> None:
        if self.ctx is not None and index >= 0:
            self.ctx.set_department(self.dept_combo.itemData(index))

    def _data_changed(self, notice: Changes | None = None) -> None:
        # New departments or a new year may have appeared.
        if self.ctx is None or (notice is not None and not notice.touches({"department"})):
            return
        depts = [self.dept_combo.itemText(i) for i in range(1, self.dept_combo.count())]
        if depts != self.ctx.departments():
            self._fill_filters()

    # ---- views ----
    def page(self, name: str) -> QWidget:
        """The view called ``name``, built the first time it is asked for."""
        if name not in self.pages:
            _n, _label, _icon, module, cls = VIEWS[VIEW_NAMES.index(name)]
            view = getattr(importlib.import_module(module), cls)(self.ctx, self)
            self.pages[name] = view
            self.view_stack.addWidget(view)
        return self.pages[name]

    def show_view(self, name: str, payload: Any = None) -> QWidget | None:
        if self.ctx is None and self._first_look is not None and name in VIEW_NAMES:
            self._remember_view(name, payload)
            return None
        if self.ctx is None or name not in VIEW_NAMES:
            return None
        view = self.page(name)
        self.view_stack.setCurrentWidget(view)
        row = VIEW_NAMES.index(name)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        if hasattr(view, "activate"):
            view.activate(payload)
        settings.set_last_view(name)
        return view

    def current_view(self) -> QWidget | None:
        return self.view_stack.currentWidget() if self.ctx is not None else None

    def focus_search(self) -> None:
        view = self.current_view()
        box = getattr(view, "search_box", None)
        if callable(box):
            box = box()
        if box is not None:
            box.setFocus()
            box.selectAll()

    def refresh_current(self) -> None:
        view = self.current_view()
        if view is not None and hasattr(view, "reload"):
            view.reload()

    # ---- file menu ----
    def new_school(self) -> None:
        from .new_school import NewSchoolWizard

        result = NewSchoolWizard.ask(self)
        if result is None:
            return
        db, school_id, target = result
        self.set_database(db, school_id, target)

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(self, "Open a CPD database", settings.last_folder("database"),
                                                    "CPD databases (*.sqlite *.db *.sqlite3);;All files (*)")
        if path:
            self.open_database(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = settings.recent_databases()
        if not recent:
            act = self.recent_menu.addAction("(no recent databases)")
            act.setEnabled(False)
            return
        for target in recent:
            act = self.recent_menu.addAction(target)
            act.triggered.connect(lambda _c=False, t=target: self.open_database(t))
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear the list", settings.clear_recent)

    def open_demo(self) -> None:
        from ..paths import data_dir
        from .workers import run_with_progress

        path = data_dir() / "demo.sqlite"
        if path.exists():
            self.open_database(str(path))
            return
        path.parent.mkdir(parents=True, exist_ok=True)

        def build(progress: Any, _cancelled: Any) -> str:
            from ..services.database import open_database
            from ..services.demo import build_demo

            progress(0, 0, "Making a demo school: 25 science staff and three years of CPD…")
            db = open_database(path, create=True)
            try:
                with db.session() as s:
                    build_demo(s, today=self.today)
            finally:
                db.dispose()
            return str(path)

        run_with_progress(self, "Demo data", build, lambda target: self.open_database(target),
                          label="Making a demo school…")

    def import_dialog(self, kind: str | None = None) -> None:
        if self.ctx is None:
            return
        from .import_wizard import ImportWizard  # written by the imports work; loaded only when used

        ImportWizard.ask(self, self.ctx.db, self.ctx.school_id, kind)
        from ..services.changes import Changes

        self.ctx.undo_stack.clear()  # an import is undone from its own batch, not from Edit → Undo
        self.ctx.changed(Changes.everything())
        self._fill_filters()

    def import_history(self) -> None:
        if self.ctx is None:
            return
        from .dialogs.imports import ImportHistoryDialog

        ctx = self.ctx

        def undone(_result: Any) -> None:
            from ..services.changes import Changes

            ctx.undo_stack.clear()  # records changed outside Edit → Undo, as after an import
            ctx.changed(Changes.everything())
            self._fill_filters()

        ImportHistoryDialog.ask(self, ctx.db, ctx.school_id, readonly=bool(getattr(ctx.db, "readonly", False)),
                                on_undone=undone)

    def export_dialog(self) -> None:
        if self.ctx is None:
            return
        from .export_dialog import ExportDialog

        ExportDialog.ask(self, self.ctx)

    def backup_now(self) -> None:
        if self.ctx is None:
            return
        from .workers import run_with_progress

        db = self.ctx.db

        def work(progress: Any, _cancelled: Any) -> Any:
            from ..storage import backups

            progress(0, 0, "Backing up…")
            return backups.backup_database(db, reason="manual")

        def done(backup: Any) -> None:
            self.statusBar().showMessage(f"Backed up to {backup.path}", 8000)
            Inform.ask(self, "Backed up", "The school's record has been backed up.", str(backup.path))

        run_with_progress(self, "Back up", work, done, label="Backing up the school's record…")

    def restore_backup(self) -> None:
        if self.ctx is None or self.ctx.db.path is None:
            return
        from .dialogs.backups import RestoreDialog

        chosen = RestoreDialog.ask(self, self.ctx.db)
        if chosen is None:
            return
        target = str(self.ctx.db.path)
        db = self.ctx.db
        self.close_database()
        try:
            from ..storage.restore import restore_backup

            restore_backup(db, chosen.path, force=chosen.force)
        except Exception as exc:
            show_error(self, exc)
        self.open_database(target)

    def check_and_repair(self) -> None:
        if self.ctx is None or self.ctx.db.path is None:
            return
        from .dialogs.backups import check_and_repair

        check_and_repair(self, self.ctx.db)

    # ---- help menu ----
    def user_guide(self) -> None:
        from .dialogs.help import UserGuide

        UserGuide.ask(self)

    def open_data_folder(self) -> None:
        from ..paths import data_dir

        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def open_log_file(self) -> None:
        from ..logs import log_file, setup_logging

        setup_logging()
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file())))

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from .. import __version__

        QMessageBox.about(self, "About CPD Desktop",
                          f"<h3>CPD Desktop {__version__}</h3>"
                          "<p>Staff CPD hours, bookings, release cover and bursary claims for a school, "
                          "kept on this computer.</p><p>Fonts: DejaVu (free licence).</p>")

    # ---- closing ----
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.refresh_timer.stop()
        self.backup_timer.stop()
        settings.save_geometry("main", self)
        for view in self.pages.values():
            if hasattr(view, "save_layout"):
                view.save_layout()
        super().closeEvent(event)
        if event.isAccepted() and self.ctx is not None:
            self.ctx.db.dispose()
