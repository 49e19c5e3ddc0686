"""The first look (see ``cpd_desktop.firstlook``): at start-up, before the database layer has loaded,
the dashboard shows the figures kept from the last visit today, and the window swaps in the live
dashboard once the database is open. With none kept (the first start of a day), the opening reads
them first through the compiled-query cache (``cpd_desktop.quicklook``) and they are shown the same
way. Mixed into ``MainWindow``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from . import settings

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QMainWindow, QStackedWidget

    from .context import AppContext
    from .database import DatabaseSession
    from .views.dashboard import DashboardView
    from .welcome import WelcomePage
    from .workspace import Workspace

    _Window = QMainWindow
else:
    _Window = object


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


class FirstLook(_Window):
    """Shows the kept figures while the database opens, and keeps the dashboard's figures for next time."""

    _first_look: tuple[DashboardView, dict[str, Any]] | None = None  # while a first look stands in
    _wanted: tuple[str, Any] | None = None  # a view asked for before the database was open

    if TYPE_CHECKING:  # what the window provides
        today: Any
        stack: QStackedWidget
        workspace: Workspace
        database: DatabaseSession
        first_look_shown: SignalInstance

        @property
        def ctx(self) -> AppContext | None: ...

        @property
        def welcome(self) -> WelcomePage: ...

        show_title: Callable[..., None]
        update_title: Callable[[], None]
        show_schools: Callable[..., None]

    def show_first_look(self, target: str, school: str | None = None) -> bool:
        """At start-up, before the database layer has loaded: the dashboard's figures kept from last
        time, if nothing has been saved since and it is the same day. False if there are none to show:
        the opening of ``target`` then reads them first, if it can (``DatabaseSession.want_quick_look``)."""
        if "://" in target or settings.last_view() != "dashboard":
            return False
        from .. import firstlook

        day = self.today.isoformat() if self.today is not None else firstlook.today()
        look = firstlook.load(Path(target), day=day, school=school)
        if look is None:
            self.database.want_quick_look(target, school, lambda read: self.show_look(read, school, kept=False))
            return False
        return self.show_look(look, school)

    def show_look(self, look: dict[str, Any], school: str | None = None, *, kept: bool = True) -> bool:
        """Show ``look`` (what ``keep_first_look`` keeps) until the database is open: the figures kept from
        the last visit today, or (``kept`` False) those the opening has just read from the file. False if it
        is not of that shape, or the start must ask which school."""
        if self._first_look is not None or self.ctx is not None:
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
        ctx.navigate.connect(self.remember_view)
        view = DashboardView(ctx, self, initial=face)
        view._dirty = False  # noqa: SLF001 - nothing to add up until the database is open
        self._first_look = (view, face)
        space = self.workspace
        self.show_title(school_name, demo=is_demo)
        self.show_schools(schools, school_id, locked=school is not None)
        for combo, items in ((space.year_combo, years), (space.dept_combo, ["All departments", *departments])):
            combo.blockSignals(True)
            combo.addItems(items)
            combo.blockSignals(False)
        space.year_combo.setCurrentIndex(max(0, space.year_combo.findText(face["year_label"])))
        for combo in (space.school_combo, space.year_combo, space.dept_combo):
            combo.setEnabled(False)  # until the database is open
        space.view_stack.addWidget(view)
        space.view_stack.setCurrentWidget(view)
        space.select("dashboard")
        self.stack.setCurrentWidget(space)
        self.statusBar().showMessage("Opening the database: the figures are those of your last visit today." if kept
                                     else "Opening the database: these are today's figures; the rest follows in a "
                                     "moment.")
        self.first_look_shown.emit()
        return True

    def remember_view(self, name: str, payload: Any = None) -> None:
        """A view asked for while the first look is shown: shown as soon as the database is open."""
        self._wanted = (name, payload)
        self.statusBar().showMessage("Opening the database…")

    def drop_first_look(self, *, failed: bool = False) -> None:
        if self._first_look is None:
            return
        view, _data = self._first_look
        self._first_look = None
        self._wanted = None
        space = self.workspace
        space.view_stack.removeWidget(view)
        view.ctx.deleteLater()
        view.deleteLater()
        for combo in (space.school_combo, space.year_combo, space.dept_combo):
            combo.setEnabled(True)
        if failed:  # the database could not be opened after all: back to the welcome page
            self.show_schools([], 0, locked=True)
            for combo in (space.year_combo, space.dept_combo):
                combo.clear()
            self.update_title()
            self.stack.setCurrentWidget(self.welcome)
            self.statusBar().clearMessage()

    def keep_first_look(self, view: Any, face: dict[str, Any]) -> None:
        """The dashboard shows figures it has added up: keep what it shows for the next start if they are
        the ones a start shows (this school's current year, every department, a database file)."""
        ctx = self.ctx
        space = self.workspace
        if (ctx is None or view.ctx is not ctx or face["marker"] is None or ctx.db.path is None or ctx.department
                or face["department"] or face["year_label"] != ctx.current_year.label
                or (self.database.school_option is None and space.school_combo.count() > 1)):
            return
        from .. import firstlook

        look = {
            "school_id": ctx.school_id, "school_name": ctx.school_name, "is_demo": ctx.is_demo,
            "schools": [[space.school_combo.itemData(i), space.school_combo.itemText(i)]
                        for i in range(space.school_combo.count())],
            "years": [space.year_combo.itemText(i) for i in range(space.year_combo.count())],
            "departments": [space.dept_combo.itemText(i) for i in range(1, space.dept_combo.count())],
            "dashboard": face,
        }
        firstlook.save(Path(ctx.db.path), look, marker=face["marker"], day=ctx.today.isoformat(),
                       school=self.database.school_option)
