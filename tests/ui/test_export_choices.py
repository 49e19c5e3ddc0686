"""Exports from the window as finance and a head of science make them: the claims of a financial year from
the Reports view, and a cover sheet whose suggested file name says whose it is and when."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QLineEdit, QListWidget
from pytestqt.qtbot import QtBot

from .test_first_week_blockers import (
    WAIT,
    answer_save_dialog,
    button,
    click,
    field,
    go_to_view,
    menu_action,
    modal,
    while_open,
)


def label_texts(window: Any) -> list[str]:
    out = []
    for label in window.findChildren(QLabel):
        try:
            if label.isVisible():
                out.append(label.text())
        except RuntimeError:  # a figure of the last preview, on its way out
            continue
    return out


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an item of a drop-down list with the keyboard, as a person does."""
    assert combo.isVisible() and combo.isEnabled()
    wanted = combo.findText(text)
    assert wanted >= 0, f"“{text}” is not offered in {combo.accessibleName()}"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(wanted):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing the keyboard")
def test_reports_view_exports_the_claims_of_a_financial_year(qtbot: QtBot, demo_window: Any, tmp_path: Path,
                                                             shown_errors: list[dict[str, Any]]) -> None:
    window = demo_window
    go_to_view(qtbot, window, "Reports")
    reports = field(window, "Reports", QListWidget)
    claims = next(reports.item(i) for i in range(reports.count()) if reports.item(i).text() == "Bursary claims")
    qtbot.mouseClick(reports.viewport(), Qt.MouseButton.LeftButton, pos=reports.visualItemRect(claims).center())
    period = field(window, "Financial year or month", QComboBox)
    assert period.currentText() == "The academic year"
    choose(qtbot, period, "Financial year 2025-26")  # the demo's today is 20/11/2025: FY April to March
    qtbot.waitUntil(lambda: "Bursary claims FY 2025-26" in label_texts(window), timeout=WAIT)  # its contents
    assert "Financial year 2025-26" in label_texts(window)  # what the export covers
    fmt = field(window, "Format", QComboBox)
    choose(qtbot, fmt, "Excel workbook")
    target = tmp_path / "claims.xlsx"
    suggested: list[str] = []

    def save() -> None:
        qtbot.waitUntil(lambda: modal(QFileDialog) is not None, timeout=WAIT)
        suggested.append(Path(modal(QFileDialog).selectedFiles()[0]).name)  # the name it offers
        answer_save_dialog(qtbot, target)

    while_open(qtbot, lambda: click(qtbot, button(window, "Export…")), save)
    qtbot.waitUntil(lambda: target.exists() and target.stat().st_size > 0, timeout=WAIT)
    assert suggested == ["Bursary claims FY 2025-26.xlsx"]
    book = load_workbook(target)
    assert book["Totals"]["A1"].value == "Bursary claims FY 2025-26"
    starts = [r[6] for r in book["Claims"].iter_rows(min_row=2, values_only=True)]
    assert starts and all("2025-04-01" <= f"{d:%Y-%m-%d}" <= "2026-03-31" for d in starts)
    assert not shown_errors


def test_the_cover_sheet_is_offered_under_the_persons_name_and_the_day(qtbot: QtBot, demo_window: Any) -> None:
    from cpd_desktop.ui.export_dialog import ExportDialog

    window = demo_window
    checked: list[str] = []

    def walk() -> None:
        qtbot.waitUntil(lambda: modal(ExportDialog) is not None, timeout=WAIT)
        dialog = modal(ExportDialog)
        choose(qtbot, field(dialog, "What to export", QComboBox), "Release-cover sheet")
        booking = field(dialog, "Booking", QComboBox)
        found = re.match(r"(\d\d/\d\d/\d{4}) (.+?):", booking.currentText())
        assert found is not None
        day, person = found.groups()
        file_name = Path(field(dialog, "File", QLineEdit).text()).name
        checked.append(file_name)
        assert file_name == f"Release cover – {person} – {day.replace('/', '-')}.pdf"
        click(qtbot, button(dialog, "Cancel"))

    while_open(qtbot, lambda: menu_action(window, "File", "Export…").trigger(), walk)
    assert checked and "booking" not in checked[0]


def test_the_trust_view_shows_one_rounding_per_figure(make_window: Any, trust_file: Path, qtbot: QtBot) -> None:
    """It showed 12.6 in the table and 12.65 in the totals line for one quantity: now FTE to 2 places and
    hours per FTE to 1 everywhere in the window, as in the PDF and the workbook."""
    from cpd_desktop.services.formatting import format_fte, format_per_fte, per_fte
    from cpd_desktop.services.trust import trust_rows

    from .test_trust_mode import DEMO

    window = make_window()
    assert window.open_database(str(trust_file), school=DEMO)
    window.school_locked = False
    window.fill_schools()
    go_to_view(qtbot, window, "Trust")
    view = window.current_view()
    qtbot.waitUntil(lambda: view.data is not None, timeout=WAIT)
    model, col = view.model, view.model.column_index
    with window.ctx.session() as s:
        rows = {r.school: r for r in trust_rows(s, window.ctx.year)}
    for r in range(model.rowCount()):
        row = rows[model.index(r, 0).data()]
        assert model.index(r, col("fte")).data() == format_fte(row.fte)  # 1.00, 0.80
        assert model.index(r, col("hours_per_fte")).data() == format_per_fte(row.hours_per_fte)
    hours = sum(r.hours for r in rows.values())
    fte = sum(r.fte for r in rows.values())
    assert f"({format_per_fte(per_fte(hours, fte))} per FTE)" in view.totals.text()
    window.close_database()
