"""Walked on the demo school (today 20/11/2025): Evaluate… refuses a day in the future beside its field and
keeps the dialog open, and a corrected day reaches the CPD log's Evaluation column; the Planner's Lessons
column says what the timetable will need covered before anybody fills the cover sheet; an export's save
dialog keeps "CPD" in capitals."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget

from .conftest import (
    answering,
    cell,
    choose,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    messages_on,
    row_of,
    rows_text,
    type_into,
)
from .test_journey import COURSE, PERSON, _book


def _evaluated_row(table: Any) -> tuple[str, str, str]:
    """The date, title and person of a row the log shows as evaluated (its End stage done, none waiting)."""
    for row in range(table.model().rowCount()):
        if cell(table, row, "Evaluation").startswith("Evaluated "):
            return cell(table, row, "Date"), cell(table, row, "Activity"), cell(table, row, "Member of staff")
    raise AssertionError("no evaluated activity in the CPD log")


def test_evaluate_refuses_a_future_day_and_a_corrected_day_reaches_the_log(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "CPD log")
    log = find_table("cpd log")
    qtbot.waitUntil(lambda: log.model().rowCount() > 10)
    day, title, person = _evaluated_row(log)
    row = click_row(qtbot, log, day, title, person)
    before = cell(log, row, "Evaluation")
    seen: dict[str, Any] = {}

    def walk(dialog: Any) -> None:
        when = find_field("Evaluated on", dialog, QLineEdit)
        type_into(qtbot, when, "20/11/2026")
        save = find_button("Save evaluation", dialog)
        qtbot.waitUntil(lambda: "20/11/2026 is in the future" in messages_on(dialog))
        if save.isEnabled():
            click(qtbot, save)
        seen["open"] = dialog.isVisible()
        type_into(qtbot, when, "19/11/2025")
        qtbot.waitUntil(save.isEnabled)
        seen["cleared"] = "in the future" not in messages_on(dialog)
        click(qtbot, save)

    with answering(qtbot, walk, title="Impact evaluation"):
        click(qtbot, find_button("Evaluate…"))
    assert seen == {"open": True, "cleared": True}
    qtbot.waitUntil(lambda: cell(log, click_row(qtbot, log, day, title, person), "Evaluation") == "Evaluated 19/11/2025")
    assert before != "Evaluated 19/11/2025"


def test_the_save_dialog_of_an_export_keeps_cpd_in_capitals(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "Reports")
    reports = find_field("Reports", window, QListWidget)
    titles: list[str] = []
    for kind in ("Department CPD summary", "CPD budget"):
        item = reports.findItems(kind, Qt.MatchFlag.MatchExactly)[0]
        reports.scrollToItem(item)
        qtbot.mouseClick(reports.viewport(), Qt.MouseButton.LeftButton, pos=reports.visualItemRect(item).center())
        qtbot.waitUntil(lambda item=item: reports.currentItem() is item)
        choose(qtbot, find_field("Format", window), "PDF")
        export = find_button("Export", window)
        qtbot.waitUntil(export.isEnabled)

        def cancel(dialog: Any) -> None:
            titles.append(dialog.windowTitle())
            click(qtbot, find_button("Cancel", dialog))

        with answering(qtbot, cancel, title="Save"):
            click(qtbot, export)
    assert titles == ["Save department CPD summary", "Save CPD budget"]


def test_the_planner_says_how_many_lessons_an_unfilled_cover_sheet_will_need(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "Planner")
    bookings = find_table("bookings")
    with answering(qtbot, _book(qtbot), title="Book CPD"):  # a residential course: it needs cover
        click(qtbot, find_button("Book CPD…"))
    person, starts = PERSON, "17/11/2025"
    qtbot.waitUntil(lambda: any(PERSON in r and COURSE in r and starts in r for r in rows_text(bookings)))
    row = row_of(bookings, person, COURSE, starts)
    model = bookings.model()
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) == "Lessons")
    shown = str(model.index(row, column).data())
    assert shown.endswith(", not filled"), shown
    count = int(shown.split(",")[0])
    tip = str(model.index(row, column).data(Qt.ItemDataRole.ToolTipRole))
    assert tip.startswith(f"Not filled yet: the timetable has {count} lesson") and "Cover" in tip
    assert count > 0

    go_to(qtbot, window, "Cover")
    click_row(qtbot, find_table("cover bookings"), person, starts)
    lessons = find_table("cover lessons")
    click(qtbot, find_button("Fill from timetable"))
    qtbot.waitUntil(lambda: lessons.model().rowCount() == count)
    go_to(qtbot, window, "Planner")
    qtbot.waitUntil(lambda: cell(bookings, click_row(qtbot, bookings, person, starts), "Lessons") == str(count))


def test_raise_claim_shows_the_amount_expected_before_raising_it(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "Bursaries")
    seen: dict[str, str] = {}

    def look(dialog: Any) -> None:
        expected = next(w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Amount expected")
        choose(qtbot, find_field("Scheme", dialog), "ASE Annual Conference bursary")
        qtbot.waitUntil(lambda: expected.text() != "")
        seen["per course"] = expected.text()
        choose(qtbot, find_field("Scheme", dialog), "Science CPD Partnership residential bursary")
        qtbot.waitUntil(lambda: expected.text() != seen["per course"])
        seen["per day"] = expected.text()
        assert expected.isVisible()
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, look, title="Raise a bursary claim"):
        click(qtbot, find_button("Raise claim…"))
    assert seen["per course"].startswith("£150.00 expected: £150.00 for the course. Claim by ")
    # a day rate: how many days at what rate, or why this booking cannot have it
    assert " days at £220.00 a day. Claim by " in seen["per day"] or seen["per day"].startswith("Cannot be claimed: ")
