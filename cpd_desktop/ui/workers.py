"""Long work (exports, backups, imports, heavy queries) off the UI thread, with progress and cancel.

A job is a plain function ``fn(progress, cancelled) -> result`` that never touches a widget:
``progress(done, total, text)`` reports, ``cancelled()`` says whether the person pressed Cancel.
``Job`` runs it on the global ``QThreadPool`` and signals back on the UI thread;
``run_with_progress`` adds a progress dialog with a Cancel button.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..errors import CpdError

_running: set[Job] = set()  # keep jobs alive until they report


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

    def _run(self) -> None:
        try:
            result = self.fn(self._progress, self.cancelled)
        except BaseException as exc:  # handed to the UI thread, which shows it
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

    def start(self) -> Job:
        _running.add(self)
        QThreadPool.globalInstance().start(_Runnable(self))
        return self


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job._run()


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
