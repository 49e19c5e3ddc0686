"""A department's INSET in one step, and the question before a second copy of an activity, walked as a person
does: the CPD log's own buttons and keys, the dialogs' fields and buttons, nothing called behind the window."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from .conftest import (
    active_dialog,
    answer_modal,
    answering,
    cell,
    choose,
    click,
    find_button,
    find_field,
    find_table,
    go_to,
    messages_on,
    press,
    row_count,
    row_of,
    rows_text,
    status_text,
    type_into,
)

CTRL = Qt.KeyboardModifier.ControlModifier
TITLE = "INSET: required practicals"


def _rows_titled(table: Any, title: str) -> list[str]:
    return [r for r in rows_text(table) if f"| {title} |" in r]


def test_a_department_inset_in_one_step_and_undone_in_one(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "CPD log")
    log = find_table("cpd log")
    before = row_count(log)
    seen: dict[str, str] = {}

    def fill(dialog: Any) -> None:
        type_into(qtbot, find_field("Title", dialog), TITLE)
        type_into(qtbot, find_field("Date", dialog), "26/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "6")
        choose(qtbot, find_field("Who", dialog), "Everyone in Science")
        qtbot.waitUntil(lambda: "Will be added for 7 people" in messages_on(dialog))
        seen["preview"] = messages_on(dialog)
        # On a smaller screen the form scrolls; who it is for, and who is left out, stays in sight above Add
        dialog.resize(dialog.width(), 560)
        preview = next(w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Who it will be added for")
        qtbot.waitUntil(lambda: preview.visibleRegion().boundingRect().height() == preview.height() > 14)
        click(qtbot, find_button("Add", dialog))

    with answering(qtbot, fill, title="Record for several people"):
        click(qtbot, find_button("Record for several people…"))

    # the person was told, before pressing Add, who would be left out and why
    assert "Sophie Clarke (SCL): not employed on 26/11/2025 (left on 31/07/2025)" in seen["preview"]
    qtbot.waitUntil(lambda: len(_rows_titled(log, TITLE)) == 7)
    assert status_text(window) == f"{TITLE}, 26/11/2025: Added for 7 people; 1 left out: not employed on 26/11/2025."
    added = _rows_titled(log, TITLE)
    assert all(cell(log, row_of(log, r.split(" | ")[1], TITLE), "Department") == "Science" for r in added)
    for name in ("Marsden, Helen", "Doyle, Hannah", "Raman, Priya"):
        row = row_of(log, name, TITLE)
        assert cell(log, row, "Date") == "26/11/2025" and cell(log, row, "Hours") == "6"
        assert cell(log, row, "Format") == "In-school INSET"
    assert not any("Clarke, Sophie" in r for r in added)
    assert row_count(log) == before + 7

    # one Ctrl+Z takes all seven back
    press(qtbot, log, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: not _rows_titled(log, TITLE))
    assert row_count(log) == before
    press(qtbot, log, Qt.Key.Key_Y, CTRL)  # and Ctrl+Y puts them all back
    qtbot.waitUntil(lambda: len(_rows_titled(log, TITLE)) == 7)


def test_people_who_already_have_it_are_named_and_left_out(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "CPD log")
    log = find_table("cpd log")
    held = len(_rows_titled(log, "Behaviour and routines twilight"))
    seen: dict[str, str] = {}

    def fill(dialog: Any) -> None:
        type_into(qtbot, find_field("Title", dialog), "Behaviour & routines: twilight")
        type_into(qtbot, find_field("Date", dialog), "20/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "1.5")
        choose(qtbot, find_field("Who", dialog), "Everyone in Physics")
        qtbot.waitUntil(lambda: "Will be added for 5 people" in messages_on(dialog))
        seen["preview"] = messages_on(dialog)
        click(qtbot, find_button("Add", dialog))

    with answering(qtbot, fill, title="Record for several people"):
        click(qtbot, find_button("Record for several people…"))
    assert ("James Whitfield (JWH): already has 'Behaviour and routines twilight' on 20/11/2025"
            in seen["preview"])
    qtbot.waitUntil(lambda: len(_rows_titled(log, "Behaviour & routines: twilight")) == 5)
    assert status_text(window).endswith("Added for 5 people; 1 left out: already had it.")
    assert not any("Whitfield" in r for r in _rows_titled(log, "Behaviour & routines: twilight"))
    assert len(_rows_titled(log, "Behaviour and routines twilight")) == held


def test_nobody_ticked_keeps_add_disabled_and_says_why(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "CPD log")

    def check(dialog: Any) -> None:
        type_into(qtbot, find_field("Title", dialog), TITLE)
        type_into(qtbot, find_field("Hours", dialog), "6")
        add = find_button("Add", dialog)
        assert not add.isEnabled()
        choose(qtbot, find_field("Who", dialog), "All teachers in the CPD target")
        qtbot.waitUntil(add.isEnabled)
        choose(qtbot, find_field("Who", dialog), "Tick people by name")  # the ticks stay as they were
        assert add.isEnabled()
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, check, title="Record for several people"):
        click(qtbot, find_button("Record for several people…"))


def test_the_same_activity_again_is_asked_about_and_go_back_keeps_what_was_typed(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "CPD log")
    log = find_table("cpd log")
    before = row_count(log)
    asked: dict[str, str] = {}

    def add_again(dialog: Any) -> None:
        choose(qtbot, find_field("Member of staff", dialog), "Whitfield, James (JWH)")
        type_into(qtbot, find_field("Title", dialog), "behaviour and routines - TWILIGHT")
        type_into(qtbot, find_field("Date", dialog), "20/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "1")

        def go_back(question: Any) -> None:
            asked["text"] = messages_on(question)
            click(qtbot, find_button("Go back", question))

        with answering(qtbot, go_back, title="Already recorded"):
            click(qtbot, find_button("Save", dialog))
        # still open, with everything typed, and why it was not saved
        assert active_dialog("Add CPD activity") is dialog
        assert find_field("Title", dialog).text() == "behaviour and routines - TWILIGHT"
        assert find_field("Hours", dialog).text() == "1"
        assert "Not saved: James Whitfield already has" in messages_on(dialog)
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, add_again, title="Add CPD activity"):
        press(qtbot, log, Qt.Key.Key_Insert)
    assert asked["text"].strip().startswith(
        "James Whitfield already has 'Behaviour and routines twilight' on 20/11/2025. Add this one as well?")
    assert row_count(log) == before

    # Add anyway saves it
    def add_anyway(dialog: Any) -> None:
        choose(qtbot, find_field("Member of staff", dialog), "Whitfield, James (JWH)")
        type_into(qtbot, find_field("Title", dialog), "Behaviour and routines twilight")
        type_into(qtbot, find_field("Date", dialog), "20/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "1")
        with answering(qtbot, answer_modal(qtbot, "Add anyway", expect="already has"), title="Already recorded"):
            click(qtbot, find_button("Save", dialog))

    with answering(qtbot, add_anyway, title="Add CPD activity"):
        press(qtbot, log, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: row_count(log) == before + 1)
    assert len([r for r in rows_text(log) if re.search(r"Whitfield.*Behaviour and routines twilight", r)]) == 2


def test_the_department_the_window_shows_is_the_one_offered(window: Any, qtbot: Any) -> None:
    go_to(qtbot, window, "CPD log")
    choose(qtbot, find_field("Department", window), "Physics")

    def check(dialog: Any) -> None:
        assert find_field("Who", dialog).currentText() == "Everyone in Physics"
        type_into(qtbot, find_field("Title", dialog), "Twilight: forces")
        type_into(qtbot, find_field("Hours", dialog), "1.5")
        qtbot.waitUntil(lambda: "Will be added for 6 people" in messages_on(dialog))
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, check, title="Record for several people"):
        click(qtbot, find_button("Record for several people…"))


def test_a_department_inset_serving_a_priority_is_recorded_in_under_a_minute(window: Any, qtbot: Any) -> None:
    """Issue 17's head of science: the whole department's INSET, with the school priority it serves, from the
    CPD log's button to the summary, well inside a minute of the window's own time."""
    import time

    from sqlalchemy import select

    from cpd_desktop.models import Activity, Priority

    go_to(qtbot, window, "CPD log")
    log = find_table("cpd log")
    started = time.monotonic()
    offered: list[str] = []

    def fill(dialog: Any) -> None:
        type_into(qtbot, find_field("Title", dialog), "INSET: vocabulary in practicals")
        type_into(qtbot, find_field("Date", dialog), "26/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "6")
        priority = find_field("Priority", dialog)
        assert priority.isVisible() and priority.isEnabled() and priority.currentText() == "None"
        offered.extend(priority.itemText(i) for i in range(priority.count()))
        choose(qtbot, priority, "Scientific vocabulary and reading")
        choose(qtbot, find_field("Who", dialog), "Everyone in Science")
        qtbot.waitUntil(lambda: "Will be added for 7 people" in messages_on(dialog))
        click(qtbot, find_button("Add", dialog))

    with answering(qtbot, fill, title="Record for several people"):
        click(qtbot, find_button("Record for several people…"))
    qtbot.waitUntil(lambda: len(_rows_titled(log, "INSET: vocabulary in practicals")) == 7)
    assert time.monotonic() - started < 60
    # the year's priorities, by name, and none by default (a priority is optional)
    assert offered == ["None", "Close the disadvantaged gap in physics", "Practical skills at KS4",
                       "Scientific vocabulary and reading"]
    with window.ctx.session() as s:
        served = s.scalars(select(Priority.name).join(Activity, Activity.priority_id == Priority.id)
                           .where(Activity.title == "INSET: vocabulary in practicals")).all()
    assert served == ["Scientific vocabulary and reading"] * 7


def test_a_priority_of_another_year_than_the_date_is_refused_and_the_form_stays(window: Any, qtbot: Any) -> None:
    """The list offers the window's year's priorities; a date in another year is refused, naming the
    priority and that year, and the dialog stays open with what was typed."""
    go_to(qtbot, window, "CPD log")
    log = find_table("cpd log")
    before = row_count(log)

    def fill(dialog: Any) -> None:
        type_into(qtbot, find_field("Title", dialog), "INSET: next year")
        type_into(qtbot, find_field("Date", dialog), "03/09/2026")
        type_into(qtbot, find_field("Hours", dialog), "6")
        choose(qtbot, find_field("Priority", dialog), "Practical skills at KS4")
        choose(qtbot, find_field("Who", dialog), "Everyone in Physics")
        add = find_button("Add", dialog)
        qtbot.waitUntil(add.isEnabled)
        click(qtbot, add)
        qtbot.waitUntil(lambda: "not one of" in messages_on(dialog))
        said = messages_on(dialog)
        assert "'Practical skills at KS4'" in said and "2026/27" in said, said
        assert dialog.isVisible() and find_field("Title", dialog).text() == "INSET: next year"
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, fill, title="Record for several people"):
        click(qtbot, find_button("Record for several people…"))
    assert row_count(log) == before
