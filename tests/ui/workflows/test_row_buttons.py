"""A button that acts on the chosen row is greyed out until a row is chosen, and says why: in the CPD log,
Staff and the Planner, Edit…, Record evaluation…, Evaluate… and Delete were live with nothing chosen and did
nothing at all when clicked."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import click_row, find_button, find_table, go_to

VIEWS = [
    ("CPD log", "cpd log", ["Edit…", "Record evaluation…", "Evaluate…", "Delete"], "Choose an activity"),
    ("Staff", "staff", ["Edit…", "Delete"], "Choose a person"),
    ("Planner", "bookings", ["Edit…"], "Choose a booking"),
]


@pytest.mark.parametrize(("view", "table_name", "buttons", "why"), VIEWS)
def test_row_buttons_wait_for_a_chosen_row(window: Any, qtbot: Any, view: str, table_name: str,
                                            buttons: list[str], why: str) -> None:
    page = go_to(qtbot, window, view)
    table = find_table(table_name, page)
    qtbot.waitUntil(lambda: table.model().rowCount() > 1)
    assert not table.selectionModel().selectedRows()  # as the view opens: nothing chosen yet
    for text in buttons:
        button = find_button(text, page)
        assert not button.isEnabled(), f"{text} is live with nothing chosen"
        assert button.toolTip().startswith(why), button.toolTip()
    click_row(qtbot, table, str(table.model().index(1, 1).data()))
    qtbot.waitUntil(lambda: all(find_button(text, page).isEnabled() for text in buttons))
