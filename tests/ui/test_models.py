"""The paged SQL table models: Qt's model checks, paging, SQL search and sort, and the None regression."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from cpd_desktop.models import Activity


def test_every_view_model_passes_the_model_tester(demo_window: Any, qtmodeltester: Any) -> None:
    for name in ("staff", "log", "planner", "cover", "bursaries", "audit"):
        view = demo_window.show_view(name)
        for panel in view.panels:
            qtmodeltester.check(panel.model, force_py=False)


def test_log_loads_in_pages_and_fetches_more_on_demand(demo_window: Any) -> None:
    ctx = demo_window.ctx
    from cpd_desktop.ui.views.cpd_log import activity_model

    model = activity_model(ctx.db, ctx.school_id, ctx.today)
    model.page_size = 50
    model.refresh()
    assert model.rowCount() == 50
    assert model.canFetchMore(QModelIndex())
    total = model.count()
    model.fetch_all()
    assert model.rowCount() == total > 500
    assert not model.canFetchMore(QModelIndex())


def test_search_and_sort_happen_in_sql(demo_window: Any) -> None:
    view = demo_window.show_view("log")
    model = view.model
    view.panel.search.setText("zając")
    view.panel.search.flush()
    model.fetch_all()
    names = {model.row_values(r)["staff"] for r in range(model.rowCount())}
    assert model.rowCount() > 0
    assert names == {"Zając, Łukasz"}
    view.panel.search.setText("")
    view.panel.search.flush()
    hours_col = model.column_index("hours")
    view.panel.table.sortByColumn(hours_col, Qt.SortOrder.DescendingOrder)
    first = [model.row_values(r)["hours"] for r in range(5)]
    assert first == sorted(first, reverse=True)
    with demo_window.ctx.session() as s:
        from sqlalchemy import func, select

        year = demo_window.ctx.year
        biggest = s.scalar(select(func.max(Activity.hours)).where(Activity.date.between(year.start, year.end)))
    assert first[0] == biggest
    assert "hours" in view.panel.count_label.text() or "activit" in view.panel.count_label.text()


def test_cells_read_the_uk_way(demo_window: Any) -> None:
    view = demo_window.show_view("planner")
    model = view.model
    row = 0
    date_text = model.index(row, model.column_index("start_date")).data()
    money_text = model.index(row, model.column_index("total")).data()
    assert len(date_text) == 10 and date_text[2] == "/" and date_text[5] == "/"
    assert money_text.startswith("£") and money_text[-3] == "."
    align = model.index(row, model.column_index("total")).data(Qt.ItemDataRole.TextAlignmentRole)
    assert align & int(Qt.AlignmentFlag.AlignRight)
