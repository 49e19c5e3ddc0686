"""Long work behind a progress dialog: its error reaches the person even once the dialog is on screen."""

from __future__ import annotations

import time
from typing import Any

from cpd_desktop.errors import CpdError


def test_a_slow_job_that_fails_shows_its_error(make_window: Any, qtbot: Any, shown_errors: list[dict[str, Any]]) -> None:
    from cpd_desktop.ui.workers import run_with_progress

    window = make_window()

    def work(_progress: Any, _cancelled: Any) -> Any:
        time.sleep(0.6)  # longer than the dialog's 0.3 s before it shows
        raise CpdError("The file could not be written.", hint="Choose another folder.")

    done: list[Any] = []
    job = run_with_progress(window, "Slow work", work, done.append)
    job.dialog.show()  # type: ignore[attr-defined]  # on screen, as after its first 0.3 s
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert not done
    assert shown_errors and shown_errors[-1]["message"] == "The file could not be written."


def test_a_cancelled_job_shows_no_error(make_window: Any, qtbot: Any, shown_errors: list[dict[str, Any]]) -> None:
    from cpd_desktop.ui.workers import Cancelled, run_with_progress

    window = make_window()

    def work(_progress: Any, cancelled: Any) -> Any:
        while not cancelled():
            time.sleep(0.01)
        raise Cancelled()

    job = run_with_progress(window, "Slow work", work, lambda _r: None)
    job.dialog.show()  # type: ignore[attr-defined]
    with qtbot.waitSignal(job.finished, timeout=10_000):
        from PySide6.QtWidgets import QPushButton

        job.dialog.findChild(QPushButton).click()  # type: ignore[attr-defined]  # the person presses Cancel
    assert not shown_errors
