"""The business manager's Bursaries view, walked as a person walks it. The demo school is built for 20/11/2025,
which the window takes as today."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from .conftest import cell, choose, click_row, find_button, find_field, find_table, go_to


def test_move_on_is_offered_only_for_a_claim_that_can_move(window: Any, qtbot: Any,
                                                           shown_errors: list[dict[str, Any]]) -> None:
    """A paid claim is closed: Move on… is greyed with the reason, and a double-click on it says so instead of
    opening a dialog whose status list is empty and whose Save cannot be pressed."""
    page = go_to(qtbot, window, "Bursaries")
    claims = find_table("claims", page)
    move = find_button("Move on", page)
    choose(qtbot, find_field("Academic year", window), "2024/25")  # the demo's paid claims are last year's
    choose(qtbot, find_field("Claim status", page), "Paid")
    qtbot.waitUntil(lambda: claims.model().rowCount() > 0)
    row = click_row(qtbot, claims, "Paid")
    assert cell(claims, row, "Status") == "Paid"
    qtbot.waitUntil(lambda: not move.isEnabled())
    assert "paid: it is closed and cannot move on" in move.toolTip()

    rect = claims.visualRect(claims.model().index(row, 0))
    qtbot.mouseDClick(claims.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: len(shown_errors) == 1)
    assert shown_errors[0]["message"] == "This claim is paid: it is closed and cannot move on."
    assert shown_errors[0]["is_bug"] is False

    choose(qtbot, find_field("Claim status", page), "Open")
    qtbot.waitUntil(lambda: claims.model().rowCount() > 0)
    click_row(qtbot, claims, "Draft")
    qtbot.waitUntil(move.isEnabled)  # a draft can be submitted or withdrawn
    assert move.toolTip().startswith("Submit, approve")
