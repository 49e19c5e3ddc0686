"""Starting the desktop app: ``main(db, school)`` (also the ``cpd-desktop-gui`` command).

Shows the window first and opens the database behind it; with no database yet, the welcome page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    styled = app is None
    if app is None:
        # The Fusion style asked for as Qt starts, rather than set after (which loads its enums).
        app = QApplication([*(argv if argv is not None else sys.argv[:1]), "-style", "Fusion"])
    assert isinstance(app, QApplication)
    if app.property("cpd_desktop_ready"):  # styles are set once: replacing a live style crashes Qt
        return app
    from .icons import app_icon
    from .style import STYLE_SHEET

    app.setApplicationName("CPD Desktop")
    app.setOrganizationName("CPD Desktop")
    app.setApplicationDisplayName("CPD Desktop")
    app.setWindowIcon(app_icon())
    if not styled:
        app.setStyle("Fusion")
    app.setStyleSheet(STYLE_SHEET)
    app.setProperty("cpd_desktop_ready", True)
    return app


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
    from ..db import default_db_target

    default = default_db_target()
    return default if Path(default).exists() else None


def main(db: str | None = None, school: str | None = None) -> int:
    """Open the window on ``db`` (or the last database); returns the exit code."""
    app = make_app()
    from .errors import install_handlers

    install_handlers()
    from .main_window import MainWindow

    window = MainWindow()
    target = start_target(db)
    if target:
        window.show_first_look(target, school)  # the figures of the last visit today, if nothing changed
    window.show()
    if target:
        QTimer.singleShot(0, lambda: window.open_database_in_background(target, school))
    else:
        from .errors import setup_log_file

        QTimer.singleShot(0, setup_log_file)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
