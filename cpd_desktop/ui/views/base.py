"""What every view shares: its header, the context, and requerying when data or filters change.

``View`` is also what the main window may ask of a page: shown with a payload (``activate``), requeried
(``reload``, ``refresh_in_place``, ``mark_stale``), its layout kept (``save_layout``) and its search box
(``search_box``). Every page is a ``View``, so the window calls these without asking whether they exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QStatusBar, QVBoxLayout, QWidget

from ..icons import icon
from ..widgets import PageHeader, TablePanel

if TYPE_CHECKING:
    from ...services.changes import Changes
    from ...services.years import AcademicYear


class Window(Protocol):
    """What a view may ask of the main window it is shown in (and nothing else: no view imports it)."""

    pages: dict[str, View]

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name
    def page(self, name: str) -> View: ...
    def show_view(self, name: str, payload: Any = None) -> View | None: ...
    def choose_year(self, year: AcademicYear) -> None: ...
    def switch_school(self, school_id: int, view: str | None = None) -> None: ...
    def import_dialog(self, kind: str | None = None) -> None: ...
    def trust_shown(self) -> bool: ...
    def keep_first_look(self, view: Any, face: dict[str, Any]) -> None: ...


class View(QWidget):
    title = ""
    subtitle = ""
    shows: ClassVar[frozenset[str]]  # the kinds of records (table names) the view displays

    def __init__(self, ctx: Any, window: Window) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.setObjectName("page")
        self.setAccessibleName(self.title)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(24, 16, 24, 16)
        self.outer.setSpacing(10)
        self.header = PageHeader(self.title, self.subtitle)
        self.outer.addWidget(self.header)
        self._dirty = True
        self.panels: list[TablePanel] = []
        ctx.data_changed.connect(self.data_changed)
        ctx.filters_changed.connect(self._mark_dirty)

    def data_changed(self, notice: Changes) -> None:
        """Records were saved, undone or brought in: requery only if they are of a kind this view shows."""
        if notice.touches(self.shows):
            self._mark_dirty()

    def _mark_dirty(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def activate(self, payload: Any = None) -> None:
        """Shown from the sidebar (payload None) or from a click-through elsewhere."""
        if self._dirty:
            self.reload()

    def reload(self) -> None:
        self._dirty = False

    def mark_stale(self) -> None:
        """Others have changed the records: requery when next shown (not now: the view is off screen)."""
        self._dirty = True

    def refresh_in_place(self) -> None:
        """Requery after others' changes, keeping each table's chosen rows and scroll position."""
        states = [(panel, panel.remember()) for panel in self.panels]
        self.reload()
        for panel, state in states:
            panel.restore(state)

    def search_box(self) -> QLineEdit | None:
        """The box Edit → Find (Ctrl+F) puts the cursor in; None for a view with nothing to search."""
        return self.panels[0].search if self.panels else None

    def save_layout(self) -> None:
        """Keep each table's column widths and order for the next start."""
        for panel in self.panels:
            panel._save_layout()  # noqa: SLF001 - the panel keeps its own columns; the view says when

    def row_action(self, panel: TablePanel, text: str, slot: Any, shortcut: Any = None,
                   icon_name: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _c=False: slot())
        panel.add_row_action(action)
        return action
