"""Each view reloads only when a change touches what it shows.

After every save, undo and redo the core says which kinds of records changed (``Changes``). Approving
a booking in the Planner changes bookings: the Planner shows it at once, while the Staff list (which
shows people and their CPD hours, not bookings) asks the database nothing, then or when it is shown
again. Changing a person does reload the Staff list.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from cpd_desktop.services.changes import KINDS, Changes

from .workflows.conftest import (
    answering,
    cell,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    press,
    row_count,
    rows_text,
    type_into,
)

CTRL = Qt.KeyboardModifier.ControlModifier


class Reads:
    """Counts what one list asks the database (its pages and its row count) and how often it is refreshed."""

    def __init__(self, model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked = 0
        self.refreshed = 0
        model.refreshed.connect(self._refreshed)
        for name in ("fetch_page", "count", "fetch_row"):
            original = getattr(model.spec, name)
            monkeypatch.setattr(model.spec, name, self._counting(original))

    def _refreshed(self) -> None:
        self.refreshed += 1

    def _counting(self, original: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.asked += 1
            return original(*args, **kwargs)

        return counted


def test_approving_a_booking_refreshes_the_planner_and_leaves_the_staff_list_alone(
        demo_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = demo_window
    staff_view = go_to(qtbot, window, "Staff")
    staff_table = find_table("staff")
    qtbot.waitUntil(lambda: row_count(staff_table) > 0)
    staff_reads = Reads(staff_view.model, monkeypatch)

    go_to(qtbot, window, "Planner")
    bookings = find_table("bookings")
    planned = next(r for r in range(row_count(bookings)) if cell(bookings, r, "Status") == "Planned")
    person, course = cell(bookings, planned, "Member of staff"), cell(bookings, planned, "Course")
    click_row(qtbot, bookings, person, course)
    click(qtbot, find_button("Approve"))
    qtbot.waitUntil(lambda: cell(bookings, click_row(qtbot, bookings, person, course), "Status") == "Approved")
    press(qtbot, bookings, Qt.Key.Key_Z, CTRL)  # an undo tells the same: bookings changed
    qtbot.waitUntil(lambda: cell(bookings, click_row(qtbot, bookings, person, course), "Status") == "Planned")

    go_to(qtbot, window, "Staff")
    assert staff_reads.asked == 0 and staff_reads.refreshed == 0

    # A change to a person does reload the list (so the counting above would have seen one).
    click_row(qtbot, staff_table, "Ó Dálaigh, Siobhán")

    def edit(dialog: Any) -> None:
        type_into(qtbot, find_field("Role", dialog), "Head of Science")
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, edit, title="Edit member of staff"):
        press(qtbot, staff_table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: any("Head of Science" in r for r in rows_text(staff_table)))
    assert staff_reads.asked > 0 and staff_reads.refreshed > 0


def test_a_notice_names_kinds_of_records_and_says_what_it_touches() -> None:
    booking = Changes.of("booking", "audit_entry")
    assert booking.touches({"booking", "staff"}) and not booking.touches({"staff", "activity"})
    assert Changes.everything().kinds == KINDS and Changes.everything().touches({"term_dates"})
    assert not Changes(frozenset()).touches(KINDS)
    with pytest.raises(ValueError, match="bookings"):
        Changes.of("bookings")  # a misspelt kind would never refresh anything


def test_every_view_says_what_it_shows_in_kinds_of_records() -> None:
    import importlib

    from cpd_desktop.ui.main_window import VIEWS
    from cpd_desktop.ui.views.base import View

    for *_rest, module, cls in VIEWS:
        view = getattr(importlib.import_module(module), cls)
        assert issubclass(view, View)
        assert view.shows and view.shows <= KINDS, (cls, view.shows - KINDS)
