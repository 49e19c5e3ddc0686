"""The business manager's Bursaries view, walked as a person walks it. The demo school is built for 20/11/2025,
which the window takes as today."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from .conftest import answering, cell, choose, click, click_row, find_button, find_field, find_table, go_to


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


def test_move_on_asks_only_for_what_the_chosen_move_records(window: Any, qtbot: Any) -> None:
    """The amount is the sum claimed on submitting and the sum received when paid, and says which; a reference is
    kept on submitting or approving. For any other move the field is greyed: what was typed there was dropped."""
    page = go_to(qtbot, window, "Bursaries")
    claims = find_table("claims", page)
    choose(qtbot, find_field("Academic year", window), "2024/25")
    choose(qtbot, find_field("Claim status", page), "Approved")
    qtbot.waitUntil(lambda: claims.model().rowCount() > 0)
    click_row(qtbot, claims, "Approved")
    seen: dict[str, tuple[bool, bool]] = {}

    def look(dialog: Any) -> None:
        status = find_field("New status", dialog)
        for move, label in (("Paid", "Amount received"), ("Withdrawn", "Amount")):
            choose(qtbot, status, move)
            amount = find_field(label, dialog)  # by its label beside it, as a person reads it
            seen[move] = (amount.isEnabled(), find_field("Claim reference", dialog).isEnabled())
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, look, title="Move claim on"):
        click(qtbot, find_button("Move on", page))
    assert seen == {"Paid": (True, False), "Withdrawn": (False, False)}

    choose(qtbot, find_field("Claim status", page), "Draft")
    qtbot.waitUntil(lambda: claims.model().rowCount() > 0)
    click_row(qtbot, claims, "Draft")

    def submit(dialog: Any) -> None:
        assert find_field("New status", dialog).currentText() == "Submitted"
        assert find_field("Amount claimed", dialog).isEnabled()
        assert find_field("Claim reference", dialog).isEnabled()
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, submit, title="Move claim on"):
        click(qtbot, find_button("Move on", page))


def test_the_status_cards_count_the_claims_the_list_shows_for_a_department(window: Any, qtbot: Any) -> None:
    """With one department chosen above, each card adds up that department's claims, as the list below does; the
    cards had gone on adding up every department's."""
    from decimal import Decimal

    from PySide6.QtWidgets import QLabel

    from cpd_desktop.ui.widgets import StatCard

    page = go_to(qtbot, window, "Bursaries")
    claims = find_table("claims", page)

    def card(title: str) -> tuple[str, str]:
        found = next(c for c in page.findChildren(StatCard) if c.accessibleName() == title)
        value, caption = (lbl.text() for lbl in found.findChildren(QLabel) if lbl.objectName() in ("cardValue",
                                                                                                   "cardCaption"))
        return value, caption

    def listed(status: str) -> tuple[int, Decimal]:
        rows = [r for r in range(claims.model().rowCount()) if cell(claims, r, "Status") == status]
        money = sum((Decimal(cell(claims, r, "Expected").replace("£", "").replace(",", "")) for r in rows),
                    Decimal("0.00"))
        return len(rows), money

    qtbot.waitUntil(lambda: claims.model().rowCount() > 0)
    everyone = listed("Draft")
    choose(qtbot, find_field("Department", window), "Physics")
    qtbot.waitUntil(lambda: listed("Draft") != everyone)  # the list is Physics' only
    count, money = listed("Draft")
    assert count > 0
    qtbot.waitUntil(lambda: card("Draft") == (f"£{money:,.2f}", f"{count} claim{'s' if count != 1 else ''} · expected"))
