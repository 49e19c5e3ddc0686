"""Starting the desktop app: ``main(db, school)`` (also the ``cpd-desktop-gui`` command).

Shows the window first and opens the database behind it; with no database yet, the welcome page.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


def make_app(argv: list[str] | None = None, *, style_sheet: bool = True) -> QApplication:
    """The application, made once: its names, icon and style. ``style_sheet=False`` leaves the style sheet
    to ``apply_style_sheet``: ``main`` applies it once the window is built, so that its widgets are styled
    once, as it first shows, rather than again each time one is put inside another."""
    app = QApplication.instance()
    styled = app is None
    if app is None:
        # The Fusion style asked for as Qt starts, rather than set after (which loads its enums).
        app = QApplication([*(argv if argv is not None else sys.argv[:1]), "-style", "Fusion"])
    assert isinstance(app, QApplication)
    if not app.property("cpd_desktop_ready"):  # styles are set once: replacing a live style crashes Qt
        from .icons import app_icon

        app.setApplicationName("CPD Desktop")
        app.setOrganizationName("CPD Desktop")
        # No display name: Qt would add " — CPD Desktop" to every title, and the window's own title
        # already starts with it ("CPD Desktop — CPD Desktop — school" on Linux and Windows).
        app.setWindowIcon(app_icon())
        if not styled:
            app.setStyle("Fusion")
        app.setProperty("cpd_desktop_ready", True)
    if style_sheet:
        apply_style_sheet(app)
    return app


def apply_style_sheet(app: QApplication) -> None:
    """The app's look (``style.STYLE_SHEET``), set once: setting it again would re-style every widget."""
    from .style import STYLE_SHEET

    if app.styleSheet() != STYLE_SHEET:
        app.setStyleSheet(STYLE_SHEET)


def start_target(db: str | None) -> str | None:
    """The database to open: the one asked for, else the last one used, else the default if it exists."""
    if db:
        return db
    env = os.environ.get("CPD_DESKTOP_DB")
    if env:
        return env
    from . import settings

    last = settings.last_database()
    if last and ("://" in last or Path(last).exists()):
        return last
    from ..paths import default_db_target

    default = default_db_target()
    return default if Path(default).exists() else None


class _FirstFrame(QObject):
    """Calls ``then`` once ``window`` has drawn its first frame (or after 0.2 s, should it never)."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self.then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(200, self.fire)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.UpdateRequest, QEvent.Type.Paint):
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.fire)  # after the frame this event draws
        return False

    def fire(self) -> None:
        then, self.then = self.then, None
        if then is not None:
            then()


def after_first_frame(window: QWidget, then: Callable[[], None]) -> None:
    _FirstFrame(window, then)


START_UP_GC_MS = 10_000


def end_of_start_up() -> None:
    """Start-up is over: if ``cli.window_start`` held Python's cyclic garbage collector back, what start-up
    made (modules, classes, Qt's enums, the database layer) is frozen out of its passes for good and
    the collector runs again, over what the day's work makes."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(db: str | None = None, school: str | None = None) -> int:
    """Open the window on ``db`` (or the last database); returns the exit code."""
    app = make_app(style_sheet=False)
    from .errors import install_handlers

    install_handlers()
    from .main_window import MainWindow

    target = start_target(db)
    # With a database to open: the figures of the last start today, if nothing has changed since.
    window = MainWindow(start=(target, school) if target else None)
    apply_style_sheet(app)  # before it shows: every widget is styled once, as it is first polished
    window.database_opened.connect(end_of_start_up)
    QTimer.singleShot(START_UP_GC_MS, end_of_start_up)  # nothing opened, or still opening: all the same
    window.show()
    if target:
        # Once the first frame is on screen: the database layer then loads while the window answers.
        after_first_frame(window, lambda: window.open_database_in_background(target, school))
    else:
        from .errors import setup_log_file

        QTimer.singleShot(0, setup_log_file)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
