"""Bursary schemes that change, in the window alone: a scheme added in Settings with its dates, ended schemes
shown apart (hidden until “Show expired schemes” is ticked, then greyed with the day each ended), and a claim
raised under an ended scheme refused beside the Scheme field with what was typed kept, then raised under a
scheme running on the course's date. The demo school is built for 20/11/2025, which the window takes as today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QTabWidget

from cpd_desktop.ui.tablemodel import STYLE_COLOURS

from .conftest import (
    answering,
    cell,
    choose,
    click,
    find_button,
    find_field,
    find_table,
    go_to,
    messages_on,
    row_of,
    rows_text,
    type_into,
)

ENDED = "Physics subsidy 2024/25"
RUNNING = "Physics subsidy 2025/26"


def _open_tab(qtbot: Any, window: Any, name: str) -> None:
    tabs = next(t for t in window.view_stack.currentWidget().findChildren(QTabWidget) if t.isVisible())
    bar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == name)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def _add_scheme(qtbot: Any, window: Any, name: str, valid_from: str, valid_to: str) -> None:
    def fill(dialog: Any) -> None:
        type_into(qtbot, find_field("Name", dialog), name)
        type_into(qtbot, find_field("Valid from", dialog), valid_from)
        type_into(qtbot, find_field("Valid to", dialog), valid_to)
        type_into(qtbot, find_field("Eligibility", dialog), "Teachers of physics outside their specialism")
        choose(qtbot, find_field("Pays", dialog), "Fixed amount per course")
        type_into(qtbot, find_field("Amount", dialog), "200")
        click(qtbot, find_button("Add scheme", dialog))

    with answering(qtbot, fill, title="Add a bursary scheme"):
        click(qtbot, find_button("Add scheme", window))


def test_ended_schemes_shown_apart_and_a_claim_only_under_a_running_scheme(qtbot: Any, window: Any,
                                                                          tmp_path: Path) -> None:
    go_to(qtbot, window, "Settings")
    _open_tab(qtbot, window, "Bursary schemes")
    schemes = find_table("settings schemes", window)
    _add_scheme(qtbot, window, ENDED, "01/09/2024", "31/03/2025")
    _add_scheme(qtbot, window, RUNNING, "01/09/2025", "")
    qtbot.waitUntil(lambda: any(RUNNING in r for r in rows_text(schemes)))
    # Current schemes only: the ended ones (the demo's two and the one just added) are counted, not listed.
    assert not any(ENDED in r or "Stimulating Physics Network" in r for r in rows_text(schemes))
    assert "3 schemes have ended and are not shown" in messages_on(window)
    show = next(b for b in window.findChildren(QCheckBox) if b.text() == "Show expired schemes")
    assert show.isVisible() and show.isEnabled() and not show.isChecked()
    click(qtbot, show)
    qtbot.waitUntil(lambda: any(ENDED in r for r in rows_text(schemes)))
    ended = row_of(schemes, ENDED)
    assert cell(schemes, ended, "Runs") == "Ended 31/03/2025"
    assert cell(schemes, row_of(schemes, "Stimulating Physics Network"), "Runs") == "Ended 31/03/2025"
    assert cell(schemes, row_of(schemes, RUNNING), "Runs") == "From 01/09/2025"
    colour = schemes.model().index(ended, 0).data(Qt.ItemDataRole.ForegroundRole).color().name()
    assert colour == STYLE_COLOURS["muted"]  # greyed
    assert "not shown" not in messages_on(window)
    window.grab().save(str(tmp_path / "settings-schemes.png"))

    go_to(qtbot, window, "Bursaries")
    claims = find_table("claims")
    seen: dict[str, Any] = {}

    def raise_claim(dialog: Any) -> None:
        booking = find_field("Booking", dialog)
        # a booking this term (the list is newest first: after today's date come the ones already past)
        labels = [booking.itemText(i) for i in range(booking.count())]
        label = next(t for t in labels if t[:10].count("/") == 2
                     and dt.date(2025, 9, 1) <= dt.datetime.strptime(t[:10], "%d/%m/%Y").date() <= dt.date(2025, 11, 20))
        seen["booking"] = label
        choose(qtbot, booking, label)
        choose(qtbot, find_field("Scheme", dialog), ENDED)
        type_into(qtbot, find_field("Budget code", dialog), "CPD-PHY")
        type_into(qtbot, find_field("Notes", dialog), "Module booked through the IOP")
        click(qtbot, find_button("Raise claim", dialog))
        qtbot.waitUntil(lambda: "after the scheme ended" in messages_on(dialog))
        text = messages_on(dialog)
        assert f"{ENDED} runs 01/09/2024 to 31/03/2025; this course starts on {label[:10]}" in text
        assert dialog.isVisible()  # refused: the dialog stays, with everything typed
        assert find_field("Budget code", dialog).text() == "CPD-PHY"
        assert find_field("Notes", dialog).toPlainText() == "Module booked through the IOP"
        assert find_field("Booking", dialog).currentText() == label
        dialog.grab().save(str(tmp_path / "claim-refused.png"))
        choose(qtbot, find_field("Scheme", dialog), RUNNING)
        click(qtbot, find_button("Raise claim", dialog))

    with answering(qtbot, raise_claim, title="Raise a bursary claim"):
        click(qtbot, find_button("Raise claim…"))
    qtbot.waitUntil(lambda: any(RUNNING in r for r in rows_text(claims)))
    raised = row_of(claims, RUNNING)
    assert cell(claims, raised, "Status") == "Draft" and cell(claims, raised, "Expected") == "£200.00"
    assert not any(ENDED in r for r in rows_text(claims))


def test_edit_and_delete_a_scheme_wait_for_one_to_be_chosen(qtbot: Any, window: Any) -> None:
    """Edit… and Delete under the bursary schemes did nothing while no scheme was chosen: they are greyed,
    saying why, until one is."""
    go_to(qtbot, window, "Settings")
    _open_tab(qtbot, window, "Bursary schemes")
    schemes = find_table("settings schemes", window)
    edit, delete = find_button("Edit scheme", window), find_button("Delete scheme", window)
    qtbot.waitUntil(lambda: not edit.isEnabled() and not delete.isEnabled())  # none chosen when the tab opens
    assert edit.toolTip() == "Choose a scheme in the list first."
    first = schemes.model().index(0, 0).data()
    rect = schemes.visualRect(schemes.model().index(0, 0))
    qtbot.mouseClick(schemes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: edit.isEnabled() and delete.isEnabled())
    assert edit.toolTip() == "Edit the chosen scheme (F2)" and first

    def cancel(dialog: Any) -> None:
        assert find_field("Name", dialog).text() == first  # the one chosen
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, cancel, title="Edit bursary scheme"):
        click(qtbot, edit)
