"""A residential course from the catalogue to the bursary paid, in the window alone: book it in the
Planner, approve and mark it booked, fill its cover from the timetable and write the release-cover
sheet, mark it attended and evaluate it, raise its bursary claim and take the claim to paid.

The demo school is built for 20/11/2025 (a Thursday), which the window takes as today; the course ran
from Monday 17/11 to Wednesday 19/11."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt

from .conftest import (
    OFFSCREEN_LIMITS,
    answer_modal,
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
    save_file_as,
    status_text,
    type_into,
    watch_for,
)

PERSON = "Marsden, Helen"
COURSE = "Developing expertise in teaching chemistry (residential)"
SCHEME = "Science CPD Partnership residential bursary"


def _book(qtbot: Any) -> Any:
    def handler(dialog: Any) -> None:
        choose(qtbot, find_field("Member of staff", dialog), PERSON)
        type_into(qtbot, find_field("Start date", dialog), "17/11/2025")
        choose(qtbot, find_field("Course", dialog), COURSE)
        # the catalogue fills the course in: title, hours, fee, and the end date from its three days
        assert find_field("Title", dialog).text() == COURSE
        assert find_field("End date", dialog).text() == "19/11/2025"
        assert find_field("Hours", dialog).text() not in ("", "0")
        assert "Total" in messages_on(dialog)  # the cost summary
        choose(qtbot, find_field("Bursary scheme", dialog), "— None —")  # the claim is raised in Bursaries
        # it costs money and needs cover: planned from the change it should make for pupils
        type_into(qtbot, find_field("Intended outcome", dialog), "Year 11 titrations run without repeats")
        click(qtbot, find_button("Save booking", dialog))

    return handler


def _evaluate(qtbot: Any) -> Any:
    def handler(dialog: Any) -> None:
        save = find_button("Save evaluation", dialog)
        assert not save.isEnabled()  # an evaluation says what changed
        type_into(qtbot, find_field("Impact on teaching", dialog), "Year 10 titrations now run in one lesson.")
        choose(qtbot, find_field("Confidence", dialog), "4 — more confident")
        qtbot.waitUntil(save.isEnabled)
        click(qtbot, save)

    return handler


def _move_claim(qtbot: Any, status: str, amount: str | None = None) -> Any:
    def handler(dialog: Any) -> None:
        choose(qtbot, find_field("New status", dialog), status)
        if amount is not None:
            type_into(qtbot, find_field("Amount", dialog), amount)
        if status == "Submitted":
            type_into(qtbot, find_field("Claim reference", dialog), "SCP-251120")
        click(qtbot, find_button("Save", dialog))

    return handler


@OFFSCREEN_LIMITS
def test_a_residential_course_from_booking_to_bursary_paid(window: Any, qtbot: Any, tmp_path: Path) -> None:
    # --- Planner → Book CPD…
    go_to(qtbot, window, "Planner")
    bookings = find_table("bookings")
    with answering(qtbot, _book(qtbot), title="Book CPD"):
        click(qtbot, find_button("Book CPD…"))
    qtbot.waitUntil(lambda: "17/11/2025" in str(bookings.model().index(row_of(bookings, PERSON, COURSE), 0).data()))
    row = click_row(qtbot, bookings, PERSON, COURSE)
    assert cell(bookings, row, "Status") == "Planned" and cell(bookings, row, "Ends") == "19/11/2025"
    assert status_text(window).startswith("Planned: approve it, then Mark booked")  # not "Booked.": it is not yet

    for button, status in (("Approve", "Approved"), ("Mark booked", "Booked")):
        click(qtbot, find_button(button))
        qtbot.waitUntil(lambda s=status: cell(bookings, row_of(bookings, PERSON, COURSE), "Status") == s)

    # --- Cover: fill from the timetable, then the release-cover sheet as a PDF
    go_to(qtbot, window, "Cover")
    click_row(qtbot, find_table("cover bookings"), "Marsden, Helen", "17/11/2025")
    lessons = find_table("cover lessons")
    assert lessons.model().rowCount() == 0
    click(qtbot, find_button("Fill from timetable"))
    qtbot.waitUntil(lambda: lessons.model().rowCount() > 0)
    filled = lessons.model().rowCount()
    assert "from the timetable" in status_text(window)
    dates = {str(lessons.model().index(r, 0).data()) for r in range(filled)}
    assert dates <= {"17/11/2025", "18/11/2025", "19/11/2025"}, dates

    sheet = tmp_path / "cover sheet Marsden.pdf"
    saving = watch_for(qtbot, save_file_as(qtbot, sheet), title="Save")
    # no work typed for the lessons yet: the sheet names them and asks first
    with answering(qtbot, answer_modal(qtbot, "Save anyway", expect="no work set"), title="Lessons without work set"):
        click(qtbot, find_button("Release-cover sheet PDF"))
    saving.wait()
    with answering(qtbot, answer_modal(qtbot, "Close", expect=sheet.name), title="Export written", timeout_s=30):
        pass  # written in the background; the notice comes when it is done
    text = "\n".join(page.extract_text() for page in PdfReader(sheet).pages)
    assert "Helen Marsden" in text or "Marsden" in text
    assert COURSE.split(" (")[0] in text.replace("\n", " ")

    # --- Planner: Mark attended… asks, then the evaluation follows
    go_to(qtbot, window, "Planner")
    click_row(qtbot, bookings, PERSON, COURSE)

    evaluation = watch_for(qtbot, _evaluate(qtbot), title="Impact evaluation", timeout_s=20)
    with answering(qtbot, answer_modal(qtbot, "Mark attended", expect=COURSE), title="Mark attended"):
        click(qtbot, find_button("Mark attended…"))
    evaluation.wait()  # the evaluation is asked for as soon as it is marked attended
    qtbot.waitUntil(lambda: cell(bookings, row_of(bookings, PERSON, COURSE), "Status") == "Attended")

    go_to(qtbot, window, "CPD log")
    log = find_table("cpd log")
    logged = row_of(log, PERSON, COURSE)
    assert cell(log, logged, "Date") == "17/11/2025"
    # Evaluated today: the cell names the next stage due, its tooltip says when the End stage was done
    assert cell(log, logged, "Hours") == "18" and cell(log, logged, "Evaluation").startswith("Classroom ")
    evaluation = next(c for c in range(log.model().columnCount())
                      if log.model().headerData(c, Qt.Orientation.Horizontal) == "Evaluation")
    assert log.model().index(logged, evaluation).data(Qt.ItemDataRole.ToolTipRole).endswith("; End done 20/11/2025")

    # --- Bursaries: raise the claim and take it to paid
    go_to(qtbot, window, "Bursaries")
    claims = find_table("claims")

    def raise_claim(dialog: Any) -> None:
        choose(qtbot, find_field("Booking", dialog), "17/11/2025 Helen Marsden")
        choose(qtbot, find_field("Scheme", dialog), SCHEME)
        click(qtbot, find_button("Raise claim", dialog))

    with answering(qtbot, raise_claim, title="Raise a bursary claim"):
        click(qtbot, find_button("Raise claim…"))
    qtbot.waitUntil(lambda: cell(claims, row_of(claims, PERSON, COURSE), "Status") == "Draft")
    expected = cell(claims, row_of(claims, PERSON, COURSE), "Expected")
    assert expected.startswith("£") and expected != "£0.00"

    for status in ("Submitted", "Approved", "Paid"):
        click_row(qtbot, claims, PERSON, COURSE)
        with answering(qtbot, _move_claim(qtbot, status), title="Move claim on"):
            click(qtbot, find_button("Move on…"))
        qtbot.waitUntil(lambda s=status: cell(claims, row_of(claims, PERSON, COURSE), "Status") == s)
    paid = row_of(claims, PERSON, COURSE)
    assert cell(claims, paid, "Received") == expected and cell(claims, paid, "Reference") == "SCP-251120"
