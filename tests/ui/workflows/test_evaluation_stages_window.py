"""Evaluation stages in the window, walked as a head of science walks them on the demo school (today
20/11/2025): the dashboard's overdue stages click through to the CPD log filtered to them; Record
evaluation… opens from the keyboard, the In the classroom stage is filled in and saved, and the overdue
count drops; a booking with a fee and no intended outcome is refused beside the field, keeping what was typed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QLineEdit, QPlainTextEdit, QWidget

from cpd_desktop.services.lists.activities import overdue_in

from .conftest import (
    active_dialog,
    answering,
    bring_forward,
    click,
    click_row,
    find_button,
    find_field,
    go_to,
    messages_on,
    press,
    type_into,
)


def shot(widget: QWidget, name: str) -> None:
    if os.environ.get("CPD_SCREENSHOTS"):
        widget.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / name))


def overdue_card(qtbot: Any, window: Any) -> Any:
    page = go_to(qtbot, window, "Dashboard")
    card = next(w for w in page.findChildren(QFrame) if w.accessibleName() == "Evaluations overdue")
    assert card.isVisible()
    qtbot.waitUntil(lambda: card.value.text().isdigit())
    return card


def evaluation_texts(table: Any) -> list[str]:
    """The Evaluation cells' whole texts (the cells show them shortened; their tooltips and a screen reader
    say them whole)."""
    model = table.model()
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) == "Evaluation")
    return [str(model.index(r, column).data(Qt.ItemDataRole.AccessibleTextRole) or "")
            for r in range(model.rowCount())]


def test_the_overdue_card_opens_the_cpd_log_filtered_to_the_stages_it_counts(window: Any, qtbot: Any) -> None:
    card = overdue_card(qtbot, window)
    shown = int(card.value.text())
    assert shown > 0 and card.caption.text() == "evaluation stages overdue"
    shot(window, "dashboard-overdue-stages.png")
    bring_forward(qtbot, card)
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    page = window.view_stack.currentWidget()
    qtbot.waitUntil(lambda: page.accessibleName() == "CPD log")
    assert find_field("Evaluation", page).currentText() == "Evaluation overdue"
    table = page.panel.table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0)
    table.model().fetch_all()
    texts = evaluation_texts(table)
    assert all(", due " in t for t in texts)  # each row says which stage: "In the classroom, due 12/11/2025"
    raw = [table.model().row_values(r)["evaluation"] for r in range(table.model().rowCount())]
    assert sum(overdue_in(value) for value in raw) == shown  # every stage the card counts, and no other
    shot(window, "cpd-log-overdue-stages.png")


def _classroom_row(table: Any) -> int:
    texts = evaluation_texts(table)
    return next(r for r, t in enumerate(texts) if t.startswith("In the classroom, due")
                or "; In the classroom, due" in t)


def test_record_evaluation_from_the_keyboard_fills_the_classroom_stage_and_the_count_drops(
        window: Any, qtbot: Any) -> None:
    before = int(overdue_card(qtbot, window).value.text())
    page = go_to(qtbot, window, "CPD log")
    choose = find_field("Evaluation", page)
    choose.setFocus()
    index = choose.findText("Evaluation overdue")
    while choose.currentIndex() != index:
        qtbot.keyClick(choose, Qt.Key.Key_Down)
    table = page.panel.table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0)
    table.model().fetch_all()
    row = _classroom_row(table)
    title = table.model().row_values(row)["title"]
    ident = table.model().row_id(row)
    model_index = table.model().index(row, 0)
    table.scrollTo(model_index)
    bring_forward(qtbot, table)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(model_index).center())
    seen: dict[str, Any] = {}

    def fill(dialog: Any) -> None:
        assert dialog.windowTitle() == "Record evaluation" and title in messages_on(dialog)
        heading = next(lbl for lbl in dialog.findChildren(QLabel) if lbl.accessibleName().startswith(
            "In the classroom: Overdue: due"))
        assert heading.isVisible()
        shot(dialog, "record-evaluation-dialog.png")
        seen["size"] = (dialog.width(), dialog.height())
        type_into(qtbot, find_field("In the classroom: date done", dialog, QLineEdit), "19/11/2025")
        type_into(qtbot, find_field("In the classroom: what they now do differently", dialog, QPlainTextEdit),
                  "I model each practical before pupils start")
        type_into(qtbot, find_field("In the classroom: what helped or hindered", dialog, QPlainTextEdit),
                  "Technician time helped")
        for kind in ("Observation", "Pupils' work"):
            box = find_field(f"Evidence: {kind}", dialog, QCheckBox)
            click(qtbot, box)
            assert box.isChecked()
        click(qtbot, find_button("Save evaluation", dialog))

    with answering(qtbot, fill, title="Record evaluation"):
        press(qtbot, table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert seen["size"][0] <= 1366 and seen["size"][1] <= 768
    qtbot.waitUntil(lambda: active_dialog("Record evaluation") is None)  # saved and closed
    card = overdue_card(qtbot, window)
    qtbot.waitUntil(lambda: card.value.text() == str(before - 1), timeout=10_000)
    from sqlalchemy import select

    from cpd_desktop.models import EvaluationStage

    with window.ctx.session() as s:
        done = s.scalar(select(EvaluationStage).where(EvaluationStage.activity_id == ident,
                                                      EvaluationStage.stage == "classroom"))
        assert done is not None and done.done_on.strftime("%d/%m/%Y") == "19/11/2025"
        assert done.evidence == "Observation, Pupils' work" and done.helped_hindered == "Technician time helped"
    press(qtbot, card, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Undo: the stage is overdue again
    qtbot.waitUntil(lambda: card.value.text() == str(before), timeout=10_000)


def test_a_booking_with_a_fee_and_no_intended_outcome_is_refused_beside_the_field(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Planner")
    typed = {"Title": "Forces and motion day", "Hours": "6", "Course fee": "£95.00"}
    seen: dict[str, Any] = {}

    def walk(dialog: Any) -> None:
        for name, text in typed.items():
            type_into(qtbot, find_field(name, dialog, QLineEdit), text)
        assert find_field("Priority", dialog).count() >= 2  # none, and this year's priorities
        click(qtbot, find_button("Save booking", dialog))
        outcome = find_field("Intended outcome", dialog, QPlainTextEdit)
        qtbot.waitUntil(lambda: "is required for a booking that costs money" in dialog.error_text(
            "intended_outcomes"))
        seen["still open"] = dialog.isVisible()
        seen["kept"] = {name: find_field(name, dialog, QLineEdit).text() for name in typed}
        shot(dialog, "booking-intended-outcome-refused.png")
        type_into(qtbot, outcome, "Year 10 explain forces with free-body diagrams")
        click(qtbot, find_button("Save booking", dialog))

    with answering(qtbot, walk, title="Book CPD"):
        click(qtbot, find_button("Book CPD…", page))
    assert seen["still open"] and seen["kept"] == typed
    from sqlalchemy import select

    from cpd_desktop.models import Booking

    with window.ctx.session() as s:
        booking = s.scalar(select(Booking).where(Booking.title == "Forces and motion day"))
        assert booking is not None and booking.intended_outcomes == "Year 10 explain forces with free-body diagrams"


def test_a_persons_page_lists_their_stages_and_a_refused_save_keeps_what_was_typed(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Staff")
    people = page.panel.table
    qtbot.waitUntil(lambda: people.model().rowCount() > 5)
    click_row(qtbot, people, "Begum, Aisha")  # her stages include overdue ones
    press(qtbot, people, Qt.Key.Key_Return)
    card = next(w for w in page.findChildren(QFrame) if w.accessibleName() == "Evaluation stages")
    qtbot.waitUntil(card.isVisible)
    bring_forward(qtbot, card)
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)  # the card opens the stages tab
    stages = page.person.stage_table
    qtbot.waitUntil(lambda: stages.isVisible() and stages.model().rowCount() > 0)
    model = stages.model()
    states = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert all(s in ("Overdue", "Not due yet", "Done", "Not chased") for s in states)
    assert states == sorted(states, key=lambda s: s != "Overdue")  # overdue first
    assert all(model.index(r, 2).data() for r in range(model.rowCount()))  # each with its due date
    shot(window, "person-page-stages.png")
    first = model.index(0, 0)
    qtbot.mouseClick(stages.viewport(), Qt.MouseButton.LeftButton, pos=stages.visualRect(first).center())
    seen: dict[str, Any] = {}

    def refuse_then_cancel(dialog: Any) -> None:
        stage = model.index(0, 1).data()
        text = find_field(f"{stage}: {'what was learnt' if stage == 'End' else 'what helped or hindered'}"
                          if stage in ("End", "In the classroom") else f"{stage}: how it was measured", dialog)
        type_into(qtbot, text, "Written without a date")
        click(qtbot, find_button("Save evaluation", dialog))  # no date done: refused beside the date
        date = find_field(f"{stage}: date done", dialog, QLineEdit)
        qtbot.waitUntil(lambda: "is needed to record this stage" in messages_on(dialog))
        seen["open"] = dialog.isVisible()
        seen["kept"] = text.toPlainText() if isinstance(text, QPlainTextEdit) else text.text()
        seen["focus"] = date.hasFocus()
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, refuse_then_cancel, title="Record evaluation"):
        click(qtbot, find_button("Record evaluation…", page))
    assert seen == {"open": True, "kept": "Written without a date", "focus": True}


def test_the_impact_views_overdue_stage_opens_record_evaluation_with_enter(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Impact")
    people = find_field("Evaluation by person", page)
    qtbot.waitUntil(lambda: people.model().rowCount() > 10)
    model = people.model()
    overdue = next(c for c in range(model.columnCount())
                   if model.headerData(c, Qt.Orientation.Horizontal) == "Overdue")
    row = next(r for r in range(model.rowCount()) if model.index(r, overdue).data() != "0")
    bring_forward(qtbot, people)
    qtbot.mouseClick(people.viewport(), Qt.MouseButton.LeftButton,
                     pos=people.visualRect(model.index(row, 0)).center())
    stages = find_field("Evaluation stages of the person", page)
    qtbot.waitUntil(lambda: stages.model().rowCount() > 0)
    assert stages.model().index(0, 5).data() == "Overdue"  # overdue first
    qtbot.mouseClick(stages.viewport(), Qt.MouseButton.LeftButton,
                     pos=stages.visualRect(stages.model().index(0, 0)).center())
    seen: list[str] = []

    def look(dialog: Any) -> None:
        seen.append(messages_on(dialog))
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, look, title="Record evaluation"):
        press(qtbot, stages, Qt.Key.Key_Return)
    assert seen and "Overdue: due" in seen[0] and stages.model().index(0, 0).data() in seen[0]
