"""A search gives the same page whichever way SQLite is told to find it (the sort's index, or the table)."""

from __future__ import annotations

from typing import Any

import cpd_desktop.services.lists.base as lists_base


def test_a_search_page_is_the_same_by_index_or_by_reading_the_table(demo_window: Any, monkeypatch: Any) -> None:
    view = demo_window.show_view("log")
    model = view.model
    model.set_filters({})
    pages = {}
    for budget in (10.0, 0.0):  # all the time in the world for the index; none, so the table is read
        monkeypatch.setattr(lists_base, "INDEX_BUDGET_S", budget)
        for word in ("inset", "zzzz", "Zając"):
            model.set_search(word)
            pages[(budget, word)] = [model.row_id(r) for r in range(model.rowCount())]
            model.set_search("")
    for word in ("inset", "zzzz", "Zając"):
        assert pages[(10.0, word)] == pages[(0.0, word)], word
    assert pages[(10.0, "inset")] and pages[(10.0, "Zając")] and not pages[(10.0, "zzzz")]
