"""The dialogs outside the "main" ones of test_accessibility.py and test_fit.py — Evaluate, Cancel booking,
Move claim on, Cover lesson, Add lesson and the user guide — are checked the same way: every control named for
a screen reader, the dialog within a 1280×720 screen, and no label, button or column title cut."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .test_accessibility import unnamed_controls
from .test_fit import _cut_texts, _settled


def _dialogs(window: Any) -> dict[str, Callable[[], Any]]:
    from cpd_desktop.models import Activity, Booking, BursaryClaim
    from cpd_desktop.ui.dialogs.activity import EvaluationDialog
    from cpd_desktop.ui.dialogs.booking import CancelDialog
    from cpd_desktop.ui.dialogs.claims import ClaimStatusDialog
    from cpd_desktop.ui.dialogs.cover import CoverLessonDialog
    from cpd_desktop.ui.dialogs.help import UserGuide
    from cpd_desktop.ui.dialogs.lesson import LessonDialog

    ctx = window.ctx
    session = ctx.db.session_factory(expire_on_commit=False)
    window.destroyed.connect(session.close)
    activity = session.scalars(select(Activity).where(Activity.school_id == ctx.school_id)
                               .order_by(Activity.id)).first()
    booking = session.scalars(select(Booking).where(Booking.school_id == ctx.school_id, Booking.cover_required)
                              .options(selectinload(Booking.staff)).order_by(Booking.id)).first()
    claim = session.scalars(select(BursaryClaim).where(BursaryClaim.school_id == ctx.school_id,
                                                       BursaryClaim.status == "submitted")).first()
    assert activity is not None and booking is not None and claim is not None
    periods = [(n, f"P{n}") for n in range(1, 7)]
    return {
        "Evaluate": lambda: EvaluationDialog(activity, window, today=window.today),
        "Cancel booking": lambda: CancelDialog(booking.title, window),
        "Move claim on": lambda: ClaimStatusDialog(claim, window, today=window.today),
        "Cover lesson": lambda: CoverLessonDialog(booking, None, periods, window),
        "Add lesson": lambda: LessonDialog("Amira Khan", True, periods, None, ("A", 1, 1), window),
        "User guide": lambda: UserGuide(window),
    }


NAMES = ["Evaluate", "Cancel booking", "Move claim on", "Cover lesson", "Add lesson", "User guide"]


@pytest.mark.parametrize("name", NAMES)
def test_each_other_dialog_is_named_and_fits(demo_window: Any, qtbot: Any, name: str) -> None:
    dialog = _dialogs(demo_window)[name]()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    problems = unnamed_controls(dialog)
    assert not problems, "\n".join(problems)
    screen = dialog.screen().availableGeometry().size()
    assert dialog.width() <= min(screen.width(), 1280) and dialog.height() <= screen.height() - 30
    assert dialog.minimumSizeHint().width() <= 1280 and dialog.minimumSizeHint().height() <= 720 - 40
    cut = _settled(qtbot, lambda: _cut_texts(dialog))
    assert not cut, "\n".join(cut)
    dialog.close()


def test_the_cancel_booking_dialog_says_which_button_keeps_the_booking(demo_window: Any, qtbot: Any) -> None:
    """Its buttons were "Cancel booking" and "Cancel": the second one keeps the booking, and now says so."""
    from PySide6.QtWidgets import QPushButton

    dialog = _dialogs(demo_window)["Cancel booking"]()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    texts = sorted(b.text().replace("&", "") for b in dialog.findChildren(QPushButton) if b.isVisible())
    assert texts == ["Cancel booking", "Keep booking"]
    keep = next(b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == "Keep booking")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == 0  # rejected: nothing is cancelled
