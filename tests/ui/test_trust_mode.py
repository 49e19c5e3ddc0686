"""Trust mode in the window: several schools in one database, the switcher, --school, the Trust view,
and no view showing another school's records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from cpd_desktop.models import School
from cpd_desktop.services.trust import trust_rows

from .conftest import MARK, OTHER

DEMO = "Ashcombe Park Academy"


def _school_id(window: Any, name: str) -> int:
    with window.ctx.session() as s:
        return int(s.scalar(select(School.id).where(School.name == name)))


def _every_text(window: Any) -> list[str]:
    """Everything the window shows: labels, every table, list and drop-down, charts and the calendar."""
    from cpd_desktop.ui.tablemodel import ListModel
    from cpd_desktop.ui.views.planner import MonthCalendar
    from cpd_desktop.ui.widgets import HoursChart

    texts = [window.windowTitle()]
    texts += [label.text() for label in window.findChildren(QLabel)]
    for model in window.findChildren(QAbstractItemModel):
        if model is window.school_combo.model():  # the switcher names every school, by design
            continue
        if isinstance(model, ListModel):
            model.fetch_all()
        top = QModelIndex()
        columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(top)
        for r in range(model.rowCount(top)):
            for c in range(columns):
                texts.append(str(model.index(r, c, top).data()))
    for chart in window.findChildren(HoursChart):
        texts += [row[1] for row in chart.rows]
    for calendar in window.findChildren(MonthCalendar):
        texts += [b[3] for b in calendar.bookings]
    return texts


def _rows_of_other_schools(window: Any) -> list[str]:
    """Records behind every table whose school is not the window's (checked by id, not by name)."""
    from cpd_desktop.ui.tablemodel import ListModel

    wrong = []
    school_id = window.ctx.school_id
    for model in window.findChildren(ListModel):
        model.fetch_all()
        ids = [model.row_id(r) for r in range(model.rowCount())]
        if not ids:
            continue
        record = model.spec.id_expr.class_
        with window.ctx.db.engine.connect() as conn:
            owners = set(conn.execute(select(record.school_id).where(record.id.in_(ids))).scalars())
        owners.discard(None)  # audit entries about the database itself
        if owners - {school_id}:
            wrong.append(f"{record.__name__}: schools {owners}")
    return wrong


def _walk_every_view(window: Any, qtbot: Any) -> None:
    """Show every view of the school (and a person's page, the calendar and each report's options)."""
    from cpd_desktop.ui.workspace import VIEW_NAMES

    for name in VIEW_NAMES:
        if name == "trust":  # the one view that compares schools, by design
            continue
        view = window.show_view(name)
        if name == "dashboard":
            qtbot.waitUntil(lambda v=view: v.data is not None and v.data.year_label == window.ctx.year.label,
                            timeout=20_000)
        if name == "staff" and view.model.rowCount():
            view.open_person(view.model.row_id(0))
        if name == "planner":
            view.tabs.setCurrentIndex(1)
        if name == "cover" and view.bookings.rowCount():
            view.booking_panel.select_id(view.bookings.row_id(0))
        if name == "reports":
            for row in range(view.list.count()):
                view.list.setCurrentRow(row)


def _dialog_texts(window: Any) -> list[str]:
    """The choices the edit dialogs offer (staff, departments, providers, courses, schemes)."""
    from cpd_desktop.ui.dialogs.activity import ActivityDialog
    from cpd_desktop.ui.dialogs.booking import BookingDialog
    from cpd_desktop.ui.dialogs.lookups import scheme_choices
    from cpd_desktop.ui.dialogs.staff import StaffDialog

    texts = [text for _i, text in scheme_choices(window.ctx)]
    for dialog in (StaffDialog(window.ctx), ActivityDialog(window.ctx), BookingDialog(window.ctx)):
        for f in dialog.fields.values():
            combo = f.widget
            if hasattr(combo, "itemText") and hasattr(combo, "count"):
                texts += [combo.itemText(i) for i in range(combo.count())]
        dialog.deleteLater()
    return texts


def test_no_view_of_one_school_shows_another_schools_records(make_window: Any, trust_file: Path,
                                                             qtbot: Any) -> None:
    window = make_window()
    assert window.open_database(str(trust_file), school=DEMO)
    window.school_locked = False  # walk both schools in one window
    window.fill_schools()
    _walk_every_view(window, qtbot)
    texts = _every_text(window) + _dialog_texts(window)
    assert not [t for t in texts if MARK in t or OTHER in t]
    assert not _rows_of_other_schools(window)
    assert any("Ashcombe" in t for t in texts)  # the walk did see the demo school's records

    window.switch_school(_school_id(window, OTHER))
    assert window.windowTitle() == f"CPD Desktop — {OTHER}"
    _walk_every_view(window, qtbot)
    texts = _every_text(window) + _dialog_texts(window)
    assert any(f"{MARK} workshop" in t for t in texts) and any(f"{MARK} booking" in t for t in texts)
    assert not _rows_of_other_schools(window)
    with window.ctx.session() as s:  # the demo's people are nowhere to be seen
        from cpd_desktop.models import Staff

        demo_names = set(s.scalars(select(Staff.surname).join(School).where(School.name == DEMO)))
    assert not [t for t in texts if any(name in t for name in demo_names)]
    window.close_database()


def test_switcher_chooses_the_school_and_the_title_names_it(make_window: Any, trust_file: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.prompts import SchoolChooser

    window = make_window()
    monkeypatch.setattr(SchoolChooser, "ask", classmethod(lambda cls, parent, names: DEMO))
    assert window.open_database(str(trust_file))  # several schools: the chooser asks which
    assert window.windowTitle() == f"CPD Desktop — {DEMO} (demo data)"
    assert window.school_bar.isVisibleTo(window)
    assert [window.school_combo.itemText(i) for i in range(window.school_combo.count())] == [DEMO, OTHER]
    assert window.act_switch.isEnabled()
    staff = window.show_view("staff")
    assert staff.model.rowCount() > 10

    window.school_combo.setCurrentIndex(1)
    window.school_combo.activated.emit(1)
    assert window.windowTitle() == f"CPD Desktop — {OTHER}"
    assert window.school_label.text() == OTHER
    staff = window.current_view()
    assert staff is window.pages["staff"]  # the same view, now of the other school
    staff.model.fetch_all()
    assert sorted(staff.model.row_values(r)["code"] for r in range(staff.model.rowCount())) == ["Q0", "Q1", "Q2"]
    assert window.dept_combo.findText(f"{MARK} Studies") >= 0

    monkeypatch.setattr(SchoolChooser, "ask", classmethod(lambda cls, parent, names: names[0]))
    window.act_switch.trigger()  # File → Switch school…
    assert window.windowTitle().startswith(f"CPD Desktop — {DEMO}")
    assert window.school_combo.currentText() == DEMO
    window.close_database()


def test_started_with_a_school_shows_only_that_school(make_window: Any, trust_file: Path) -> None:
    window = make_window()
    assert window.open_database(str(trust_file), school=OTHER)
    assert window.windowTitle() == f"CPD Desktop — {OTHER}"
    assert not window.school_bar.isVisibleTo(window)
    assert not window.act_switch.isEnabled()
    assert window.nav.item(0).isHidden() and not window.view_actions["trust"].isVisible()
    window.switch_school(_school_id(window, DEMO))  # refused: a school's staff see their school only
    assert window.ctx.school_name == OTHER
    reports = window.show_view("reports")
    assert "trust" not in reports.kinds
    window.close_database()


def test_one_school_has_no_trust_view(school_window: Any) -> None:
    assert school_window.nav.item(0).isHidden()
    assert not school_window.school_bar.isVisibleTo(school_window)
    assert not school_window.act_switch.isEnabled()
    assert school_window.show_view("dashboard") is not None


def test_trust_view_compares_the_schools_and_opens_one(make_window: Any, trust_file: Path, qtbot: Any,
                                                       tmp_path: Path) -> None:
    from pytestqt.modeltest import ModelTester

    window = make_window()
    assert window.open_database(str(trust_file), school=DEMO)
    window.school_locked = False
    window.fill_schools()
    assert not window.nav.item(0).isHidden() and window.nav.item(0).text() == "Trust"
    view = window.show_view("trust")
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)
    model = view.model
    ModelTester(None).check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [DEMO, OTHER]
    with window.ctx.session() as s:
        expected = {r.school: r for r in trust_rows(s, window.ctx.year)}
    col = model.column_index
    for r in range(model.rowCount()):
        row = expected[model.index(r, 0).data()]
        assert model.index(r, col("staff")).data() == str(row.staff)
        assert model.index(r, col("cost")).data().startswith("£")
    other = expected[OTHER]
    assert other.staff == 3 and other.hours == 18  # three workshops of 6 hours
    assert model.index(1, col("hours_per_fte")).data() == "6.0"
    assert model.index(1, col("met")).data() == "0 of 3"
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()  # the school on show is in bold

    view.table.sortByColumn(col("hours_per_fte"), Qt.SortOrder.AscendingOrder)  # ascending: Brackenfield's 6 h first
    assert model.index(0, 0).data() == OTHER
    view.table.sortByColumn(col("hours_per_fte"), Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == DEMO
    assert [b[1] for b in view.chart.bars] == [DEMO, OTHER]  # longest bar first
    assert "2 schools" in view.totals.text()

    out = tmp_path / "trust.xlsx"
    job = view.export("xlsx", output=str(out))
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    assert job.error is None
    sheets = load_workbook(out).sheetnames
    assert any(OTHER[:20] in name for name in sheets) and any("Ashcombe" in name for name in sheets)

    view.table.selectRow(1)  # Brackenfield (sorted by hours per FTE, descending)
    view.table.activated.emit(model.index(1, 0))
    assert window.windowTitle() == f"CPD Desktop — {OTHER}"
    assert window.current_view() is window.pages["dashboard"]
    window.close_database()


def test_trust_chart_click_opens_the_school(make_window: Any, trust_file: Path, qtbot: Any) -> None:
    from PySide6.QtCore import QPoint

    window = make_window()
    assert window.open_database(str(trust_file), school=DEMO)
    window.school_locked = False
    window.fill_schools()
    view = window.show_view("trust")
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)
    chart = view.chart
    second = chart.TOP + (chart.BAR + chart.GAP) + chart.BAR // 2
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.NAME_W + 40, second))
    assert window.ctx.school_name == OTHER


def test_export_dialog_writes_the_chosen_schools_export(make_window: Any, trust_file: Path, qtbot: Any,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui import exporting
    from cpd_desktop.ui.export_dialog import ExportDialog

    window = make_window()
    assert window.open_database(str(trust_file), school=OTHER)
    offered: list[Path] = []
    monkeypatch.setattr(exporting.ExportDone, "ask", classmethod(lambda cls, parent, path: offered.append(path)
                                                                 or "close"))
    dialog = ExportDialog(window.ctx, window)
    kinds = [dialog.kind_combo.itemData(i) for i in range(dialog.kind_combo.count())]
    assert "trust" not in kinds and "activities" in kinds
    dialog.kind_combo.setCurrentIndex(kinds.index("cover"))
    assert not dialog.form.isRowVisible(3) and dialog.form.isRowVisible(5)  # a booking, not a year
    assert dialog.booking_combo.count() == 1 and MARK in dialog.booking_combo.itemText(0)
    dialog.kind_combo.setCurrentIndex(kinds.index("activities"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("xlsx"))
    assert dialog.file_edit.text().endswith("CPD log 2025-26.xlsx")  # named after what is in it
    dialog.file_edit.setText(str(tmp_path / "missing" / "log.xlsx"))
    assert not dialog.ok_button.isEnabled() and "does not exist" in dialog.error.text()
    out = tmp_path / "log.xlsx"
    dialog.file_edit.setText(str(out))
    assert dialog.ok_button.isEnabled()
    job = dialog.run(window)
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    assert job.error is None and offered == [out]  # then Open file / Show in folder is offered
    cells = [str(c) for row in load_workbook(out).worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert any(f"{MARK} workshop" in c for c in cells)
    assert not any("Ashcombe" in c for c in cells)


def test_file_export_opens_the_export_dialog(demo_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.export_dialog import ExportDialog

    seen: list[Any] = []

    def fake_exec(self: Any) -> int:
        seen.append(self)
        return 0

    monkeypatch.setattr(ExportDialog, "exec", fake_exec)
    demo_window.act_export.trigger()
    assert seen and seen[0].kind_combo.currentData() == "summary"
    assert seen[0].year_combo.currentText() == demo_window.ctx.year.label
