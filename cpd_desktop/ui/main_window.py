"""The main window: the welcome page or the workspace, the views, and the school, year and department.

The window shows at once; the database opens in the background and each view is built the first
time it is shown, so start-up costs one window and the first view's query, however big the file.
The window assembles its parts and wires them up:
- ``DatabaseSession`` (``ui/database.py``): the open database's life, its timers and jobs;
- ``Workspace`` (``ui/workspace.py``): the sidebar, the filter bar and the views' stack;
- ``MenuBar`` (``ui/menus.py``), ``FileActions`` (``ui/file_actions.py``) and ``FirstLook``
  (``ui/first_look.py``): the menus, what the File and Help menus do, and the figures of a start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

from . import settings
from .database import DatabaseSession
from .errors import show_error
from .file_actions import FileActions
from .first_look import FirstLook
from .icons import app_icon
from .menus import MenuBar
from .prompts import SchoolChooser
from .workspace import VIEW_NAMES, VIEWS, Workspace

if TYPE_CHECKING:
    from ..services.changes import Changes
    from ..services.years import AcademicYear
    from ..storage.database import Database
    from .context import AppContext
    from .views.base import View, Window
    from .welcome import WelcomePage

FIRST_SIZE = QSize(1280, 820)


def first_size(available: QSize) -> QSize:
    """The window's first size: 1280×820, or less on a smaller screen (a 1366×768 laptop leaves about
    1366×728 beside its panel), so that the title bar and the status bar are on screen."""
    # The frame (title bar, borders) is not part of the size asked for: leave room for it.
    return QSize(max(900, min(FIRST_SIZE.width(), available.width() - 16)),
                 max(600, min(FIRST_SIZE.height(), available.height() - 40)))


class MainWindow(FirstLook, FileActions, MenuBar, QMainWindow):
    database_opened = Signal()
    first_look_shown = Signal()

    def __init__(self, *, today: Any = None, start: tuple[str, str | None] | None = None) -> None:
        """``start``: the database (and ``--school`` name) a start opens: its first look, if it has one,
        is shown from the outset, and the welcome page is only built if it is needed."""
        super().__init__()
        self.today = today
        self.pages: dict[str, View] = {}
        self._refresh_pending = False  # others' changes seen while a dialog was open
        self.database = DatabaseSession(self, today=today)
        self.database.opened.connect(self.set_database)
        self.database.open_failed.connect(self._open_failed)
        self.database.asking.connect(lambda: self.welcome.show_choices())  # behind the question, not "Opening…"
        self.database.looked.connect(self._looked)
        self.database.status.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.setWindowIcon(app_icon())
        self.setWindowTitle("CPD Desktop")
        self.setMinimumSize(QSize(900, 600))
        self.resize(first_size(self.screen().availableGeometry().size()))
        settings.restore_geometry("main", self)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self._welcome: WelcomePage | None = None
        self.workspace = space = Workspace()
        self.stack.addWidget(space)
        space.nav.currentRowChanged.connect(lambda row: self.show_view(VIEW_NAMES[row]) if row >= 0 else None)
        space.school_combo.activated.connect(self._school_chosen)
        space.year_combo.currentIndexChanged.connect(self._year_chosen)
        space.dept_combo.currentIndexChanged.connect(self._department_chosen)
        # The workspace's parts, by the names the rest of the app and its tests know them by.
        self.nav, self.view_stack = space.nav, space.view_stack
        self.school_label, self.demo_badge = space.school_label, space.demo_badge
        self.school_bar, self.school_combo = space.school_bar, space.school_combo
        self.year_combo, self.dept_combo = space.year_combo, space.dept_combo
        self._build_menus()
        self._update_actions()
        self.statusBar().showMessage("Ready")
        if start is None or not self.show_first_look(*start):
            self.stack.setCurrentWidget(self.welcome)

    @property
    def ctx(self) -> AppContext | None:
        """The open school's context (None with no database open), shared by every view."""
        return self.database.ctx

    @property
    def school_locked(self) -> bool:
        """Started with --school: this school's staff see only their school (no switcher, no Trust view)."""
        return self.database.school_locked

    @school_locked.setter
    def school_locked(self, locked: bool) -> None:
        self.database.school_locked = locked

    @property
    def welcome(self) -> WelcomePage:
        """The page shown with no database open (built the first time it is needed)."""
        if self._welcome is None:
            from .welcome import WelcomePage

            self._welcome = WelcomePage(self)
            self.stack.insertWidget(0, self._welcome)
        return self._welcome

    # ---- opening and closing a database ----
    def open_database(self, target: str, school: str | None = None) -> bool:
        """Open a database now (on this thread); False if it could not be opened (the error is shown).

        With ``school`` (``--school NAME``) the window shows that school only, with no switcher.
        """
        opened = self.database.open(target, school)
        if opened is None:
            return False
        self.set_database(*opened, target)
        return True

    def open_database_in_background(self, target: str, school: str | None = None) -> None:
        """Open the database off the UI thread (start-up): the window stays responsive meanwhile."""
        if self._first_look is None:  # the welcome page says what is opening (a first look needs no word)
            self.welcome.show_opening(target)
        self.database.open_in_background(target, school)

    def _open_failed(self, exc: BaseException | None) -> None:
        self.drop_first_look(failed=True)
        self.welcome.show_choices()
        if exc is not None:
            show_error(self, exc)

    def set_database(self, db: Database, school_id: int, target: str | None = None) -> None:
        self.close_database()
        first_look, asked = self._first_look, self._wanted
        self.drop_first_look()
        ctx = self._install_context(db, school_id)
        if target:
            settings.set_last_database(target)
            if db.path is not None:
                settings.set_last_folder("database", db.path)
        if first_look is not None:
            view, face = first_look
            if (ctx.school_id, ctx.year.label) == (view.ctx.school_id, face["year_label"]):
                # The dashboard starts from the first look's figures (no flicker) and adds them up again.
                from .views.dashboard import DashboardView

                self.pages["dashboard"] = DashboardView(ctx, self, initial=face)
                self.view_stack.addWidget(self.pages["dashboard"])
        self.stack.setCurrentWidget(self.workspace)
        self._update_actions()
        wanted = asked[0] if asked else settings.last_view()
        if not self.workspace.offers(wanted):
            wanted, asked = "dashboard", None
        self.show_view(wanted, asked[1] if asked else None)
        notes = list(db.warnings)
        if db.readonly:
            why = f": {db.readonly_reason}" if db.readonly_reason else ""
            notes.insert(0, f"Opened read-only{why}. Changes cannot be saved.")
        self.statusBar().showMessage(" ".join(notes) or f"Opened {db.label}", 15000 if notes else 5000)
        self.database.verify_in_background(db)
        self.database_opened.emit()

    def _install_context(self, db: Database, school_id: int, year: AcademicYear | None = None) -> AppContext:
        ctx = self.database.start(db, school_id, year)
        ctx.undo_stack.indexChanged.connect(self._stack_changed)
        ctx.school_changed.connect(self.update_title)
        ctx.navigate.connect(self.show_view)
        ctx.data_changed.connect(self._data_changed)
        self.fill_schools()
        self.fill_filters()
        self.update_title()
        return ctx

    def close_database(self, *, dispose: bool = True) -> None:
        self.database.stop()
        for page in list(self.pages.values()):
            self.view_stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        if self.ctx is not None:
            self.ctx.undo_stack.indexChanged.disconnect(self._stack_changed)
        self.database.close(dispose=dispose)
        self._update_actions()

    # ---- schools ----
    def fill_schools(self) -> None:
        ctx = self.ctx
        assert ctx is not None
        self.show_schools(ctx.schools(), ctx.school_id, locked=self.school_locked, server=ctx.is_server)
        self._update_actions()

    def show_schools(self, schools: list[tuple[int, str]], current: int, *, locked: bool,
                     server: bool = False) -> None:
        self._offer_trust(self.workspace.show_schools(schools, current, locked=locked, server=server))

    def trust_shown(self) -> bool:
        """Whether the Trust view is offered (several schools, or a trust's server; not with --school)."""
        return self.ctx is not None and self.workspace.offers("trust")

    def _school_chosen(self, index: int) -> None:
        if self.ctx is not None and index >= 0:
            self.switch_school(int(self.school_combo.itemData(index)))

    def switch_school_dialog(self) -> None:
        if self.ctx is None or self.school_locked:
            return
        chosen = SchoolChooser.ask(self, [name for _i, name in self.ctx.schools()])
        if chosen is None:
            return
        from ..services.schools import choose_school

        try:
            with self.ctx.session() as s:
                ident = choose_school(s, chosen).id
        except Exception as exc:  # noqa: BLE001 - shown to the person
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
            page.save_layout()
        self.close_database(dispose=False)
        try:
            ctx = self._install_context(db, school_id, year)
        except Exception as exc:  # noqa: BLE001 - shown; the database is let go
            db.dispose()
            self.stack.setCurrentWidget(self.welcome)
            self.welcome.show_choices()
            show_error(self, exc)
            return
        self._update_actions()
        self.show_view(name if self.workspace.offers(name) else "dashboard")
        self.statusBar().showMessage(f"Showing {ctx.school_name}", 5000)

    # ---- other people's changes ----
    def _looked(self, changed: bool) -> None:
        if changed or self._refresh_pending:
            self.refresh_from_others()

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
        self.fill_schools()
        self._data_changed()
        current = self.current_view()
        for page in self.pages.values():
            if page is current:
                page.refresh_in_place()
            else:
                page.mark_stale()
        self.statusBar().showMessage("Updated with changes saved by others.", 4000)

    def connection_lost(self) -> None:
        """An action here found the server unreachable: the next look that reaches it reloads the views."""
        self.database.connection_lost()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and self.ctx is not None:
            self.database.check_for_changes()

    # ---- title and filters ----
    def update_title(self) -> None:
        ctx = self.ctx
        if ctx is None or not shiboken6.isValid(self.school_label):
            self.setWindowTitle("CPD Desktop")
            return
        self.show_title(ctx.school_name, demo=ctx.is_demo, readonly=bool(ctx.db.readonly))

    def show_title(self, school: str, *, demo: bool, readonly: bool = False) -> None:
        self.setWindowTitle(f"CPD Desktop — {school}{' (demo data)' if demo else ''}"
                            f"{' (read-only)' if readonly else ''}")
        self.school_label.setText(school)
        self.demo_badge.setVisible(demo)

    def choose_year(self, year: AcademicYear) -> None:
        """Show another academic year (as if chosen at the top)."""
        if self.ctx is None:
            return
        self.ctx.set_year(year)
        self.fill_filters()

    def fill_filters(self) -> None:
        """The year and department lists at the top, as the open school has them."""
        ctx = self.ctx
        if ctx is None:
            return
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
            self.fill_filters()

    # ---- views ----
    def page(self, name: str) -> View:
        """The view called ``name``, built the first time it is asked for."""
        if name not in self.pages:
            _n, _label, _icon, module, cls = VIEWS[VIEW_NAMES.index(name)]
            view: View = getattr(importlib.import_module(module), cls)(self.ctx, self)
            self.pages[name] = view
            self.view_stack.addWidget(view)
        return self.pages[name]

    def show_view(self, name: str, payload: Any = None) -> View | None:
        if self.ctx is None and self._first_look is not None and name in VIEW_NAMES:
            self.remember_view(name, payload)
            return None
        if self.ctx is None or name not in VIEW_NAMES:
            return None
        view = self.page(name)
        self.view_stack.setCurrentWidget(view)
        self.workspace.select(name)
        view.activate(payload)
        settings.set_last_view(name)
        return view

    def current_view(self) -> View | None:
        """The view on screen (None with no database open, or while a first look stands in)."""
        if self.ctx is None:
            return None
        shown = self.view_stack.currentWidget()
        return next((page for page in self.pages.values() if page is shown), None)

    def focus_search(self) -> None:
        view = self.current_view()
        box = view.search_box() if view is not None else None
        if box is not None:
            box.setFocus()
            box.selectAll()

    def refresh_current(self) -> None:
        view = self.current_view()
        if view is not None:
            view.reload()

    # ---- closing ----
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.database.stop()
        settings.save_geometry("main", self)
        for view in self.pages.values():
            view.save_layout()
        super().closeEvent(event)
        if event.isAccepted() and self.ctx is not None:
            self.ctx.db.dispose()


if TYPE_CHECKING:  # mypy checks here that the window gives the views all they may ask of it
    _VIEWS_WINDOW: type[Window] = MainWindow
