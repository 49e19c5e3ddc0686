"""Trust mode in the window: several schools in one database, the school chooser, the switcher, --school,
the Trust view, and no view showing another school's records. Driven as a person drives the window: the
chooser's list and OK, the sidebar, the School list, menus, buttons, clicks on rows and headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QTableView, QTabWidget, QWidget
from sqlalchemy import select

from cpd_desktop.models import School
from cpd_desktop.services.trust import trust_rows

from .conftest import MARK, OTHER
from .workflows.conftest import (  # the workflow walk: controls found and used as a person does
    _quiet_dialogs,  # noqa: F401 - every question is answered here, by its buttons
    answer_modal,
    answering,
    choose,
    choose_menu,
    click,
    find_action,
    find_button,
    find_field,
    find_table,
    go_to,
    row_count,
    rows_text,
    save_file_as,
    watch_for,
)

DEMO = "Ashcombe Park Academy"
# Offscreen, a dialog asking to be raised or to take the keyboard is told the platform cannot (a real
# desktop can): said, not a fault.
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))")


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


def open_choosing(qtbot: Any, window: Any, target: Path | str, school: str) -> None:
    """Open a database of several schools as a person does: the window asks which, and ``school`` is
    chosen in the chooser's list and OK pressed (the chooser is modal: answered from inside it)."""

    def choose_school(dialog: Any) -> None:
        assert "This database holds several schools" in " ".join(lbl.text() for lbl in dialog.findChildren(QLabel))
        choose(qtbot, dialog.findChild(QComboBox), school)
        click(qtbot, find_button("OK", dialog))

    with answering(qtbot, choose_school, title="Choose a school"):
        assert window.open_database(str(target))


def switch_to(qtbot: Any, window: Any, school: str) -> None:
    """The School list above the views."""
    choose(qtbot, find_field("School", window), school)
    qtbot.waitUntil(lambda: window.windowTitle().startswith(f"CPD Desktop — {school}"))


def _double_click_row(qtbot: Any, table: QTableView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _walk_every_view(window: Any, qtbot: Any) -> None:
    """Show every view of the school from the sidebar (and a person's page, the planner's second tab, an
    absence's cover sheet and each report's options)."""
    nav = find_field("Views", window)
    names = [nav.item(i).text() for i in range(nav.count()) if not nav.item(i).isHidden()]
    for name in names:
        if name == "Trust":  # the one view that compares schools, by design
            continue
        page = go_to(qtbot, window, name)
        if name == "Dashboard":
            qtbot.waitUntil(lambda p=page: p.data is not None and p.data.year_label == window.ctx.year.label,
                            timeout=20_000)
        if name == "Staff":
            staff = find_table("staff", page)
            if row_count(staff):
                _double_click_row(qtbot, staff, 0)  # the person's page
                qtbot.waitUntil(lambda p=page: find_button("Back to all staff", p).isVisible())
                click(qtbot, find_button("Back to all staff", page))
        if name == "Planner":
            tabs = page.findChild(QTabWidget)
            bar = tabs.tabBar()
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
            qtbot.waitUntil(lambda t=tabs: t.currentIndex() == 1)
        if name == "Cover":
            absences = find_table("cover bookings", page)
            if row_count(absences):
                rect = absences.visualRect(absences.model().index(0, 0))
                qtbot.mouseClick(absences.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        if name == "Reports":
            reports = page.findChild(QListWidget)
            for row in range(reports.count()):
                reports.scrollToItem(reports.item(row))
                rect = reports.visualItemRect(reports.item(row))
                qtbot.mouseClick(reports.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
                qtbot.waitUntil(lambda r=reports, n=row: r.currentRow() == n)



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
    open_choosing(qtbot, window, trust_file, DEMO)
    _walk_every_view(window, qtbot)
    texts = _every_text(window) + _dialog_texts(window)
    assert not [t for t in texts if MARK in t or OTHER in t]
    assert not _rows_of_other_schools(window)
    assert any("Ashcombe" in t for t in texts)  # the walk did see the demo school's records

    switch_to(qtbot, window, OTHER)
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


def test_switcher_chooses_the_school_and_the_title_names_it(make_window: Any, trust_file: Path, qtbot: Any) -> None:
    window = make_window()
    open_choosing(qtbot, window, trust_file, DEMO)  # several schools: the chooser asks which
    assert window.windowTitle() == f"CPD Desktop — {DEMO} (demo data)"
    school = find_field("School", window)
    assert school.isVisible() and [school.itemText(i) for i in range(school.count())] == [DEMO, OTHER]
    assert find_action(window, "File", "Switch school…").isEnabled()
    staff = find_table("staff", go_to(qtbot, window, "Staff"))
    qtbot.waitUntil(lambda: row_count(staff) > 10)

    switch_to(qtbot, window, OTHER)
    assert window.windowTitle() == f"CPD Desktop — {OTHER}"
    assert window.view_stack.currentWidget().accessibleName() == "Staff"  # the same view, now of the other school
    staff = find_table("staff", window.view_stack.currentWidget())
    qtbot.waitUntil(lambda: sorted(r.split(" | ")[0] for r in rows_text(staff)) != [])
    codes = sorted(cell for r in rows_text(staff) for cell in r.split(" | ") if cell in ("Q0", "Q1", "Q2"))
    assert codes == ["Q0", "Q1", "Q2"] and row_count(staff) == 3
    department = find_field("Department", window)
    assert any(department.itemText(i) == f"{MARK} Studies" for i in range(department.count()))

    def back_to_the_demo(dialog: Any) -> None:
        choose(qtbot, dialog.findChild(QComboBox), DEMO)
        click(qtbot, find_button("OK", dialog))

    with answering(qtbot, back_to_the_demo, title="Choose a school"):
        choose_menu(qtbot, window, "File", "Switch school…")
    qtbot.waitUntil(lambda: window.windowTitle().startswith(f"CPD Desktop — {DEMO}"))
    assert find_field("School", window).currentText() == DEMO
    window.close_database()


def test_started_with_a_school_shows_only_that_school(make_window: Any, trust_file: Path, qtbot: Any) -> None:
    window = make_window()
    assert window.open_database(str(trust_file), school=OTHER)  # as `cpd-desktop --school …` opens it: no chooser
    assert window.windowTitle() == f"CPD Desktop — {OTHER}"
    assert not window.school_bar.isVisibleTo(window)  # no School list to switch with
    assert not find_action(window, "File", "Switch school…").isEnabled()
    nav = find_field("Views", window)
    shown = [nav.item(i).text() for i in range(nav.count()) if not nav.item(i).isHidden()]
    assert "Trust" not in shown and shown[0] == "Dashboard"
    reports = go_to(qtbot, window, "Reports").findChild(QListWidget)
    offered = [reports.item(i).text() for i in range(reports.count()) if not reports.item(i).isHidden()]
    assert offered and not [r for r in offered if "trust" in r.lower()]
    window.close_database()


def test_one_school_has_no_trust_view(school_window: Any, qtbot: Any) -> None:
    nav = find_field("Views", school_window)
    shown = [nav.item(i).text() for i in range(nav.count()) if not nav.item(i).isHidden()]
    assert "Trust" not in shown and shown[0] == "Dashboard"
    assert not school_window.school_bar.isVisibleTo(school_window)
    assert not find_action(school_window, "File", "Switch school…").isEnabled()
    assert go_to(qtbot, school_window, "Dashboard").isVisible()


def _trust_view(qtbot: Any, window: Any) -> Any:
    page = go_to(qtbot, window, "Trust")
    qtbot.waitUntil(lambda: any(label.text().startswith("2 schools") for label in page.findChildren(QLabel)),
                    timeout=20_000)
    return page


def _sort_by(qtbot: Any, table: QTableView, title: str, order: Qt.SortOrder) -> None:
    """Click the column's title until the list is sorted that way."""
    header = table.horizontalHeader()
    model = table.model()
    column = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title)
    for _ in range(2):
        if header.sortIndicatorSection() == column and header.sortIndicatorOrder() == order:
            return
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert header.sortIndicatorSection() == column and header.sortIndicatorOrder() == order


def test_trust_view_compares_the_schools_and_opens_one(make_window: Any, trust_file: Path, qtbot: Any,
                                                       tmp_path: Path) -> None:
    from pytestqt.modeltest import ModelTester

    window = make_window()
    open_choosing(qtbot, window, trust_file, DEMO)
    nav = find_field("Views", window)
    assert not nav.item(0).isHidden() and nav.item(0).text() == "Trust"
    page = _trust_view(qtbot, window)
    table = find_table("Schools side by side", page)
    model = table.model()
    ModelTester(None).check(model)
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names == [DEMO, OTHER]
    with window.ctx.session() as s:
        expected = {r.school: r for r in trust_rows(s, window.ctx.year)}
    titles = {str(model.headerData(c, Qt.Orientation.Horizontal)): c for c in range(model.columnCount())}
    for r in range(model.rowCount()):
        row = expected[model.index(r, 0).data()]
        assert model.index(r, titles["Staff"]).data() == str(row.staff)
        assert model.index(r, titles["Cost of CPD\nwith cover"]).data().startswith("£")
    other = expected[OTHER]
    assert other.staff == 3 and other.hours == 18  # three workshops of 6 hours
    assert model.index(1, titles["Hours\nper FTE"]).data() == "6.0"
    assert model.index(1, titles["Met\ntarget"]).data() == "0 of 3"
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()  # the school on show is in bold

    _sort_by(qtbot, table, "Hours\nper FTE", Qt.SortOrder.AscendingOrder)  # Brackenfield's 6 h first
    assert model.index(0, 0).data() == OTHER
    _sort_by(qtbot, table, "Hours\nper FTE", Qt.SortOrder.DescendingOrder)
    assert model.index(0, 0).data() == DEMO
    assert [b[1] for b in page.chart.bars] == [DEMO, OTHER]  # longest bar first
    assert any("2 schools" in label.text() for label in page.findChildren(QLabel))

    out = tmp_path / "trust.xlsx"
    done = watch_for(qtbot, answer_modal(qtbot, "Close", expect=out.name), title="Export written", timeout_s=60)
    with answering(qtbot, save_file_as(qtbot, out), title="Save"):
        click(qtbot, find_button("Trust workbook…", page))
    done.wait()
    sheets = load_workbook(out).sheetnames
    assert any(OTHER[:20] in name for name in sheets) and any("Ashcombe" in name for name in sheets)

    _double_click_row(qtbot, table, 1)  # Brackenfield (sorted by hours per FTE, descending)
    qtbot.waitUntil(lambda: window.windowTitle() == f"CPD Desktop — {OTHER}")
    assert window.view_stack.currentWidget().accessibleName() == "Dashboard"
    window.close_database()


def test_trust_chart_click_opens_the_school(make_window: Any, trust_file: Path, qtbot: Any) -> None:
    window = make_window()
    open_choosing(qtbot, window, trust_file, DEMO)
    page = _trust_view(qtbot, window)
    chart = next(w for w in page.findChildren(QWidget) if w.accessibleName() == "Hours per FTE for each school"
                 and w.isVisible())
    second = chart.TOP + (chart.BAR + chart.GAP) + chart.BAR // 2
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.NAME_W + 40, second))
    qtbot.waitUntil(lambda: window.windowTitle() == f"CPD Desktop — {OTHER}")
    window.close_database()


def test_export_dialog_writes_the_chosen_schools_export(make_window: Any, trust_file: Path, qtbot: Any,
                                                        tmp_path: Path) -> None:
    window = make_window()
    assert window.open_database(str(trust_file), school=OTHER)
    out = tmp_path / "log.xlsx"

    def export(dialog: Any) -> None:
        kind = find_field("What to export", dialog)
        offered = [kind.itemText(i) for i in range(kind.count())]
        assert not [k for k in offered if "trust" in k.lower()] and "CPD log" in offered
        choose(qtbot, kind, "Release-cover sheet")
        booking = find_field("Booking", dialog)
        assert booking.isVisible() and not [w for w in dialog.findChildren(QComboBox)  # a booking, not a year
                                            if w.accessibleName() == "Academic year" and w.isVisible()]
        assert booking.count() == 1 and MARK in booking.itemText(0)
        choose(qtbot, kind, "CPD log")
        choose(qtbot, find_field("Format", dialog), "Excel")
        file = find_field("File", dialog)
        assert file.text().endswith("CPD log 2025-26.xlsx")  # named after what is in it
        file.clear()
        qtbot.keyClicks(file, str(tmp_path / "missing" / "log.xlsx"))
        button = find_button("Export", dialog)
        assert not button.isEnabled() and "does not exist" in " ".join(
            lbl.text() for lbl in dialog.findChildren(QLabel) if lbl.isVisible())
        file.clear()
        qtbot.keyClicks(file, str(out))
        qtbot.waitUntil(button.isEnabled)
        click(qtbot, button)

    done = watch_for(qtbot, answer_modal(qtbot, "Close", expect=out.name), title="Export written", timeout_s=60)
    with answering(qtbot, export, title="Export"):
        choose_menu(qtbot, window, "File", "Export…")
    done.wait()  # then Open file / Show in folder is offered
    cells = [str(c) for row in load_workbook(out).worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert any(f"{MARK} workshop" in c for c in cells)
    assert not any("Ashcombe" in c for c in cells)
    window.close_database()


def test_file_export_opens_the_export_dialog(demo_window: Any, qtbot: Any) -> None:
    def look(dialog: Any) -> None:
        assert find_field("What to export", dialog).currentText() == "Department CPD summary"
        assert find_field("Academic year", dialog).currentText() == demo_window.ctx.year.label
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, look, title="Export"):
        choose_menu(qtbot, demo_window, "File", "Export…")
