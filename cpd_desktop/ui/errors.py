"""Telling a user error from a bug, and making sure neither ends as a traceback on a console.

``show_error(parent, exc)``: a ``CpdError`` is something the person can put right and gets its
message and hint; anything else is a bug, written to the log file, and gets a short apology,
the details and the log file's path. ``install_handlers`` routes ``sys.excepthook`` and Qt's
own messages (``qInstallMessageHandler``) here and to ``logging``.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from ..errors import CpdError, ValidationError

log = logging.getLogger("cpd_desktop.ui")


class ErrorDialog:
    """The message box itself; ``ask`` is a classmethod so that tests can replace it."""

    @classmethod
    def ask(cls, parent: QWidget | None, *, title: str, message: str, hint: str = "", details: str = "",
            is_bug: bool = False) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical if is_bug else QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setText(message)
        if hint:
            box.setInformativeText(hint)
        if details:
            box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAccessibleName(title)
        box.exec()


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) is the database server's connection dropping.

    The storage layer answers; it is imported here, when an error is being handled, so that the window
    starts without loading the database layer."""
    from ..storage.translate import connection_lost as lost

    return lost(exc)


def _user_error(exc: BaseException) -> BaseException:
    """A database failure that reached the window without passing ``Database.session`` still gets the
    message a person can act on (the storage layer translates it)."""
    from ..storage.translate import user_error

    return user_error(exc)


def describe(exc: BaseException) -> tuple[str, str, str, bool]:
    """(title, message, hint, is_bug) for an exception; a bug is logged and its hint names the log file."""
    exc = _user_error(exc)
    if isinstance(exc, ValidationError):  # "Start date: 31/02/2025 is not a date." names the field
        where = exc.field if exc.row is None else f"row {exc.row}, {exc.field}"
        return "CPD Desktop", f"{where}: {exc.message}", exc.hint, False
    if isinstance(exc, CpdError):
        return "CPD Desktop", exc.message, exc.hint, False
    from ..logs import log_crash

    path = log_crash(exc)
    return ("Something went wrong",
            f"Something went wrong inside CPD Desktop ({type(exc).__name__}). Nothing more was saved.",
            f"The details have been written to the log file:\n{path}\n"
            "Please send it to whoever looks after CPD Desktop.", True)


@runtime_checkable
class WatchesConnection(Protocol):
    """A window that looks at the database again once a lost connection is back (the main window)."""

    def connection_lost(self) -> None: ...


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show an error to the person: plain words for a user error, details and log path for a bug."""
    title, message, hint, is_bug = describe(exc)
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) if is_bug else ""
    if is_bug:
        log.error("%s", message)
    if QApplication.instance() is None:  # no window to show it in: stderr, never a bare traceback
        print(f"cpd-desktop: {message} {hint}", file=sys.stderr)
        return
    window = parent.window() if parent is not None else QApplication.activeWindow()
    if connection_lost(exc) and isinstance(window, WatchesConnection):
        window.connection_lost()  # the window's next look at the server refreshes what failed to load
    ErrorDialog.ask(parent or QApplication.activeWindow(), title=title, message=message, hint=hint,
                    details=details, is_bug=is_bug)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    try:
        show_error(None, exc)
    except Exception:  # noqa: BLE001 - the error dialog itself failed: the log still has it
        from ..logs import log_crash

        log_crash(exc)


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

qt_log = logging.getLogger("cpd_desktop.qt")


def qt_message_handler(kind: QtMsgType, context: object, message: str) -> None:
    # The offscreen platform's size-hint notice is noise, not a problem.
    if "propagateSizeHints" in message:
        return
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def install_handlers() -> None:
    """Route uncaught exceptions to ``show_error`` and Qt's messages to ``logging``.

    The log file itself is set up by ``setup_log_file`` off the UI thread (it needs the database
    layer's data folder, which is slow to import); messages before that go to stderr.
    """
    sys.excepthook = _excepthook
    qInstallMessageHandler(qt_message_handler)


def setup_log_file() -> Path:
    from ..logs import setup_logging

    return setup_logging()


def copy_to_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
