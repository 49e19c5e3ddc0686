"""The main window's menu bar: File, Edit, View and Help, every action's key, and which are enabled.

Mixed into ``MainWindow``: each action calls one of the window's small functions (one per user
action, ``ui/file_actions.py`` and the window itself), so a test can trigger an action as a click does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtGui import QAction, QKeySequence

from .icons import icon
from .workspace import VIEW_NAMES, VIEWS

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from .context import AppContext
    from .workspace import Workspace

    _Window = QMainWindow
else:
    _Window = object

# The trust view is only there for a database of several schools (or a trust's server).
NUMBERED = [name for name in VIEW_NAMES[1:] if name not in ("timetable", "budget", "impact")]  # Ctrl+1…9 as they always were
SHORTCUTS = {"trust": "Ctrl+0", "timetable": "Ctrl+T", "budget": "Ctrl+Shift+B", "impact": "Ctrl+Shift+I",
             **{name: f"Ctrl+{i}" for i, name in enumerate(NUMBERED, start=1)}}

Shortcut = str | QKeySequence | QKeySequence.StandardKey | list[QKeySequence] | None


class MenuBar(_Window):
    """The menus and their actions (``act_*``); ``_update_actions`` enables what the open database allows."""

    _menu_icons: list[tuple[QAction, str]]  # actions whose icons are drawn when a menu first opens

    if TYPE_CHECKING:  # what the window provides
        workspace: Workspace
        school_locked: bool

        @property
        def ctx(self) -> AppContext | None: ...

        new_school: Callable[[], None]
        open_dialog: Callable[[], None]
        open_demo: Callable[[], None]
        fill_recent: Callable[[], None]
        switch_school_dialog: Callable[[], None]
        import_dialog: Callable[[], None]
        import_history: Callable[[], None]
        export_dialog: Callable[[], None]
        backup_now: Callable[[], None]
        restore_backup: Callable[[], None]
        check_and_repair: Callable[[], None]
        focus_search: Callable[[], None]
        refresh_current: Callable[[], None]
        show_view: Callable[[str], object]
        user_guide: Callable[[], None]
        open_data_folder: Callable[[], None]
        open_log_file: Callable[[], None]
        about: Callable[[], None]

    def _action(self, text: str, slot: Callable[[], Any], shortcut: Shortcut = None, *,
                icon_name: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if icon_name:  # drawn the first time a menu opens: none is on screen before
            self._menu_icons.append((action, icon_name))
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
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
        self._menu_icons = []
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.act_new = self._action("&New school database…", self.new_school, QKeySequence.StandardKey.New)
        self.act_open = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
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
        self.act_undo = self._action("&Undo", self._undo, QKeySequence.StandardKey.Undo, icon_name="undo")
        self.act_redo = self._action("&Redo", self._redo, [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")],
                                     icon_name="redo")
        self.act_find = self._action("&Find", self.focus_search, QKeySequence.StandardKey.Find, icon_name="search")
        for act in (self.act_undo, self.act_redo, self.act_find):
            edit_menu.addAction(act)

        view_menu = bar.addMenu("&View")
        self.view_actions: dict[str, QAction] = {}
        for name, label, icon_name, _m, _c in VIEWS:
            act = self._action(label, partial(self.show_view, name), SHORTCUTS[name], icon_name=icon_name)
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

    def _undo(self) -> None:
        if self.ctx is not None:
            self.ctx.undo(self)

    def _redo(self) -> None:
        if self.ctx is not None:
            self.ctx.redo(self)

    def _stack_changed(self, _index: int) -> None:
        if shiboken6.isValid(self.act_undo):  # the stack empties itself while the window is destroyed
            self._update_actions()

    def _update_actions(self) -> None:
        ctx = self.ctx
        open_ = ctx is not None
        for act in (self.act_import, self.act_import_history, self.act_export, self.act_backup, self.act_find,
                    self.act_refresh, *self.view_actions.values()):
            act.setEnabled(open_)
        self.act_restore.setEnabled(ctx is not None and ctx.db.path is not None)
        self.act_repair.setEnabled(self.act_restore.isEnabled())
        self.act_switch.setEnabled(open_ and not self.school_locked and self.workspace.school_combo.count() > 1)
        if ctx is not None:
            stack = ctx.undo_stack
            self.act_undo.setEnabled(stack.canUndo())
            self.act_redo.setEnabled(stack.canRedo())
            self.act_undo.setText(f"&Undo {stack.undoText()}".strip())
            self.act_redo.setText(f"&Redo {stack.redoText()}".strip())
        else:
            self.act_undo.setEnabled(False)
            self.act_redo.setEnabled(False)

    def _offer_trust(self, offered: bool) -> None:
        """The Trust view's menu entry follows the sidebar's."""
        self.view_actions["trust"].setVisible(offered)
        self.view_actions["trust"].setEnabled(offered)
