"""Long work (exports, backups, imports, heavy queries) off the UI thread, with progress and cancel.

A job is a plain function ``fn(progress, cancelled) -> result`` that never touches a widget:
``progress(done, total, text)`` reports, ``cancelled()`` says whether the person pressed Cancel.
``Job`` runs it on the global ``QThreadPool`` and signals back on the UI thread;
``run_with_progress`` adds a progress dialog with a Cancel button.

``wait_for`` is for a person's save, undo and redo: the work runs on a thread of its own (one at a
time, in the order asked) while the window waits in a local event loop, so it goes on painting and
its timers go on firing while a busy database makes the save wait; after a moment a busy cursor
and "Saving…" in the status bar say why nothing else happens yet. Clicks and keys made meanwhile
are held back until the save is done, so no second action starts half-way through the first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QProgressDialog,
    QStatusBar,
    QWidget,
)

from ..errors import CpdError

_running: set[Job] = set()  # keep jobs alive until they report
T = TypeVar("T")
BUSY_DELAY_MS = 300  # a save that takes longer than this shows that the window is waiting for it


class Cancelled(CpdError):
    """The person pressed Cancel; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Cancelled; nothing was written.")


class Job(QObject):
    """A background job. Its public signals are emitted on the UI thread (the job's own thread)."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()
    # Emitted from the pool thread; connected to this object's slots, so delivered queued.
    _worker_progress = Signal(int, int, str)
    _worker_done = Signal(object, object)

    def __init__(self, fn: Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._worker_progress.connect(self._relay_progress)
        self._worker_done.connect(self._relay_done)

    @Slot(int, int, str)
    def _relay_progress(self, done: int, total: int, text: str) -> None:
        self.progressed.emit(done, total, text)

    @Slot(object, object)
    def _relay_done(self, result: Any, error: Any) -> None:
        try:
            if error is not None:
                self.error = error
                self.failed.emit(error)
            else:
                self.result = result
                self.succeeded.emit(result)
        finally:
            self.finished.emit()
            _running.discard(self)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int, text: str = "") -> None:
        self._worker_progress.emit(int(done), int(total), text)

    def run_here(self) -> None:
        """Do the work on the calling thread (a pool's) and report back to the UI thread."""
        try:
            result = self.fn(self._progress, self.cancelled)
        except BaseException as exc:  # noqa: BLE001 - handed to the UI thread, which shows it or raises it there
            self._report(None, exc)
        else:
            self._report(result, None)

    def _report(self, result: Any, error: BaseException | None) -> None:
        try:
            self._worker_done.emit(result, error)
        except RuntimeError:
            if shiboken6.isValid(self):
                raise
            # The app quit while the job ran (a backup or integrity check at closing): nobody waits
            # for the answer any more, and whatever the job wrote is complete or was never renamed in.

    def start(self, pool: QThreadPool | None = None) -> Job:
        _running.add(self)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))
        return self


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job.run_here()


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[BaseException], None] | None = None) -> Job:
    """Run a quiet job (a dashboard query) and hand its result to ``on_done`` on the UI thread."""
    job = Job(lambda _p, _c: fn())
    job.succeeded.connect(on_done)
    if on_error is not None:
        job.failed.connect(on_error)
    else:
        from .errors import show_error

        job.failed.connect(lambda exc: show_error(None, exc))
    return job.start()


def run_with_progress(parent: QWidget | None, title: str,
                      fn: Callable[[Callable[[int, int, str], None], Callable[[], bool]], Any],
                      on_done: Callable[[Any], None], *, label: str = "Working…") -> Job:
    """Run ``fn`` in the background behind a progress dialog with Cancel; errors go to ``show_error``."""
    from .errors import show_error

    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setAccessibleName(title)
    job = Job(fn)
    dialog.canceled.connect(job.cancel)

    def progressed(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if text:
            dialog.setLabelText(text)

    def succeeded(result: Any) -> None:
        dialog.close()
        dialog.deleteLater()
        on_done(result)

    def failed(exc: BaseException) -> None:
        # Asked before the dialog closes: closing a progress dialog on screen emits its "canceled".
        cancelled = isinstance(exc, Cancelled) or job.cancelled()
        dialog.close()
        dialog.deleteLater()
        if not cancelled:
            show_error(parent, exc)

    job.progressed.connect(progressed)
    job.succeeded.connect(succeeded)
    job.failed.connect(failed)
    job.dialog = dialog  # type: ignore[attr-defined]
    return job.start()


class BusyIndicator:
    """A busy cursor and, in the status bar, what is being waited for beside a moving bar; shown only
    once the wait has lasted ``BUSY_DELAY_MS``, so a quick save does not flicker."""

    def __init__(self, bar: QStatusBar | None, text: str) -> None:
        self.bar = bar
        self.text = text
        self.widget: QWidget | None = None
        self._cursor = False
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(BUSY_DELAY_MS)
        self._timer.timeout.connect(self._show)

    def start(self) -> None:
        self._timer.start()

    def _show(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self._cursor = True
        if self.bar is None or not shiboken6.isValid(self.bar):
            return
        widget = QWidget()
        widget.setObjectName("busyIndicator")
        widget.setAccessibleName("Busy")
        layout = QHBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.text)
        spinner = QProgressBar()
        spinner.setRange(0, 0)  # no end known: the bar moves to and fro
        spinner.setTextVisible(False)
        spinner.setMaximumWidth(90)
        spinner.setMaximumHeight(14)
        spinner.setAccessibleName(self.text)
        layout.addWidget(label)
        layout.addWidget(spinner)
        self.bar.addPermanentWidget(widget)
        widget.show()
        self.widget = widget

    def stop(self) -> None:
        self._timer.stop()
        if self._cursor:
            QApplication.restoreOverrideCursor()
            self._cursor = False
        if self.widget is not None:
            if self.bar is not None and shiboken6.isValid(self.bar):
                self.bar.removeWidget(self.widget)
            self.widget.deleteLater()
            self.widget = None


_save_pool: QThreadPool | None = None


def save_pool() -> QThreadPool:
    """One thread for a person's saves, undos and redos: done one at a time, in the order asked, and
    never queued behind a long export or check on the global pool."""
    global _save_pool
    if _save_pool is None or not shiboken6.isValid(_save_pool):
        _save_pool = QThreadPool(QCoreApplication.instance())
        _save_pool.setMaxThreadCount(1)
    return _save_pool


class _HeldCloses(QObject):
    """While a save is waited for, a window asked to close (from its title bar, or by a timer) closes once the
    save is done: closing the main window closes the database the save is writing to."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[QWidget] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Close and isinstance(watched, QWidget) and watched.isWindow():
            event.ignore()
            if watched not in self.held:
                self.held.append(watched)
            return True
        return False


def _close_all(windows: list[QWidget]) -> None:
    for window in windows:
        if shiboken6.isValid(window):
            window.close()


def wait_for(fn: Callable[[], T], busy: BusyIndicator | None = None) -> T:
    """Run ``fn`` (which opens its own database session) off the window's thread and wait for it in a local
    event loop: the window keeps painting and its timers keep firing, while clicks and keys (and closing a
    window) wait until it is done. Returns what ``fn`` returned, or raises what it raised."""
    job = Job(lambda _progress, _cancelled: fn())
    loop = QEventLoop()
    job.finished.connect(loop.quit)  # delivered through this thread's events, so never before exec()
    closes = _HeldCloses()
    app = QCoreApplication.instance()
    if app is not None:
        app.installEventFilter(closes)
    if busy is not None:
        busy.start()
    try:
        job.start(save_pool())
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        if busy is not None:
            busy.stop()
        if app is not None:
            app.removeEventFilter(closes)
        if closes.held:
            held = list(closes.held)
            QTimer.singleShot(0, lambda: _close_all(held))  # once the caller has taken the result
    if job.error is not None:
        raise job.error
    return cast(T, job.result)
