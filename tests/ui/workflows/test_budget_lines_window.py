"""A business manager keeps the budget's lines in the Budget view itself: Add line… (Insert), Edit line… (F2),
Delete line (Delete) and Ctrl+Z, with a refused save that keeps the dialog open and says why beside the field;
and a department chosen above shows that department's lines and says so."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QTableView

from .conftest import (
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
    type_into,
)

CTRL = Qt.KeyboardModifier.ControlModifier
LINE = "Design and technology CPD"


def names(table: QTableView) -> list[str]:
    model = table.model()
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def click_line(qtbot: Any, table: QTableView, name: str) -> None:
    """Click a line's name, as a person chooses it."""
    row = names(table).index(name)
    index = table.model().index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    qtbot.waitUntil(lambda: table.selectionModel().isSelected(table.model().index(row, 0)))


def shot(widget: Any, name: str) -> None:
    if os.environ.get("CPD_SCREENSHOTS"):
        QApplication.processEvents()  # the layout as the person sees it once typing has settled
        widget.grab().save(str(Path(os.environ["CPD_SCREENSHOTS"]) / name))


def test_a_line_is_added_edited_deleted_and_brought_back_in_the_window(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: "Physics CPD" in names(lines))
    add, edit, delete = (find_button(text, page) for text in ("Add line…", "Edit line…", "Delete line"))
    assert add.isEnabled()
    for button in (edit, delete):  # nothing chosen yet: greyed, saying why
        assert not button.isEnabled() and button.toolTip() == "Choose a budget line in the list first."

    def fill(dialog: Any) -> None:
        assert dialog.windowTitle() == "Add a budget line"
        assert find_field("Financial year", dialog).currentText() == "2025-26"  # the year shown
        type_into(qtbot, find_field("Budget code", dialog), "CPD-DT")
        type_into(qtbot, find_field("Name", dialog), LINE)
        choose(qtbot, find_field("Department", dialog), "No department")
        type_into(qtbot, find_field("Allocation", dialog), "£1,250.50")
        type_into(qtbot, find_field("Fee amount", dialog), "400")
        shot(dialog, "budget-line-dialog.png")
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, fill, title="Add a budget line"):
        click(qtbot, add)
    qtbot.waitUntil(lambda: LINE in names(lines))
    row = names(lines).index(LINE)
    assert (cell(lines, row, "Code"), cell(lines, row, "Budget")) == ("CPD-DT", "£1,250.50")
    qtbot.waitUntil(edit.isEnabled)  # the new line is the one chosen
    shot(window, "budget-lines-view.png")

    def change(dialog: Any) -> None:
        assert dialog.windowTitle() == "Edit budget line"
        assert find_field("Allocation", dialog).text() == "1250.50"  # what was saved is shown
        assert find_field("Fee amount", dialog).text() == "400.00"
        type_into(qtbot, find_field("Allocation", dialog), "1500")
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, change, title="Edit budget line"):
        press(qtbot, lines, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: LINE in names(lines) and cell(lines, names(lines).index(LINE), "Budget") == "£1,500.00")

    click_line(qtbot, lines, LINE)
    with answering(qtbot, answer_modal(qtbot, "Delete line", expect="Nothing counts against it in 2025-26"),
                   title="Delete budget line"):
        press(qtbot, lines, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: LINE not in names(lines))

    press(qtbot, lines, Qt.Key.Key_Z, CTRL)  # the delete taken back: the line returns as it was edited
    qtbot.waitUntil(lambda: LINE in names(lines))
    assert cell(lines, names(lines).index(LINE), "Budget") == "£1,500.00"
    press(qtbot, lines, Qt.Key.Key_Z, CTRL)  # the edit
    qtbot.waitUntil(lambda: cell(lines, names(lines).index(LINE), "Budget") == "£1,250.50")


def test_deleting_a_line_with_bookings_says_what_it_holds_and_keeps_them(window: Any, qtbot: Any) -> None:
    """The Physics line has bookings and claims against it: the question says so and what becomes of them; once
    deleted, their money shows as Unallocated (nothing is lost), and Ctrl+Z brings the line back."""
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: "Physics CPD" in names(lines))
    total_spent = cell(lines, names(lines).index("Total"), "Spent")
    physics_spent = cell(lines, names(lines).index("Physics CPD"), "Spent")
    click_line(qtbot, lines, "Physics CPD")

    def answer(dialog: Any) -> None:
        said = messages_on(dialog)
        assert "Delete the budget line Physics CPD (CPD-PHY) of 2025-26?" in said
        assert "count against it" in said and "Deleting the line deletes none of them" in said
        shot(dialog, "budget-line-delete.png")
        click(qtbot, find_button("Delete line", dialog))

    with answering(qtbot, answer, title="Delete budget line"):
        click(qtbot, find_button("Delete line", page))
    qtbot.waitUntil(lambda: "Physics CPD" not in names(lines))
    assert cell(lines, names(lines).index("Total"), "Spent") == total_spent  # the money is all still there
    press(qtbot, lines, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: "Physics CPD" in names(lines))
    assert cell(lines, names(lines).index("Physics CPD"), "Spent") == physics_spent


def test_a_refused_save_keeps_the_dialog_open_with_what_was_typed(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: "Physics CPD" in names(lines))
    before = names(lines)

    def fill(dialog: Any) -> None:
        type_into(qtbot, find_field("Budget code", dialog), "cpd-phy")  # Physics CPD's code, in small letters
        type_into(qtbot, find_field("Name", dialog), "Physics technicians")
        type_into(qtbot, find_field("Allocation", dialog), "600")
        click(qtbot, find_button("Save", dialog))
        qtbot.waitUntil(lambda: "already has a line with the code CPD-PHY (Physics CPD)" in messages_on(dialog))
        assert dialog.isVisible()  # still open, everything typed still there
        assert find_field("Name", dialog).text() == "Physics technicians"
        assert find_field("Allocation", dialog).text() == "600"
        code = find_field("Budget code", dialog)
        error = dialog.fields["budget_code"].error  # the reason sits under the code, not elsewhere
        assert error.isVisible() and "CPD-PHY" in error.text()
        assert code.hasFocus()
        shot(dialog, "budget-line-refused.png")
        type_into(qtbot, code, "CPD-PHY-TECH")  # put right, it saves
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, fill, title="Add a budget line"):
        press(qtbot, lines, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: "Physics technicians" in names(lines))
    assert len(names(lines)) == len(before) + 1


def test_a_department_chosen_above_shows_its_lines_and_says_so(window: Any, qtbot: Any) -> None:
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: "Physics CPD" in names(lines))
    note = next(label for label in page.findChildren(QLabel) if label.accessibleName() == "Lines shown")
    assert not note.isVisible()  # the whole school's budget: nothing to say
    choose(qtbot, find_field("Department", window), "Physics")
    qtbot.waitUntil(lambda: names(lines) == ["Physics CPD"])
    assert note.isVisible()
    assert note.text().startswith("Showing the Physics department's budget lines only: 1 of 4 lines in 2025-26;")
    assert "Choose All departments above" in note.text()
    shot(window, "budget-department.png")
    choose(qtbot, find_field("Department", window), "All departments")
    qtbot.waitUntil(lambda: "Unallocated" in names(lines) and names(lines)[-1] == "Total")
    assert not note.isVisible()


def test_a_new_code_that_takes_bookings_off_the_line_is_asked_about_first(window: Any, qtbot: Any) -> None:
    """Science's bookings carry the code CPD-SCI: a new code for the line is asked about (Go back keeps the dialog
    with what was typed); changed anyway, their money shows as Unallocated, and Ctrl+Z puts the code back."""
    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    science = "Science (whole department) CPD"
    qtbot.waitUntil(lambda: science in names(lines))
    unallocated = cell(lines, names(lines).index("Unallocated"), "Spent")
    click_line(qtbot, lines, science)

    def change(dialog: Any) -> None:
        code = find_field("Budget code", dialog)
        type_into(qtbot, code, "CPD-SCIENCE")
        def go_back(question: Any) -> None:
            shot(question, "budget-line-code-question.png")
            answer_modal(qtbot, "Go back", expect="carry the code CPD-SCI")(question)

        with answering(qtbot, go_back, title="Change budget code"):
            click(qtbot, find_button("Save", dialog))
        assert dialog.isVisible() and code.text() == "CPD-SCIENCE"  # nothing saved, nothing lost
        assert "Not saved: the line keeps its code and year." in messages_on(dialog)
        with answering(qtbot, answer_modal(qtbot, "Change it"), title="Change budget code"):
            click(qtbot, find_button("Save", dialog))

    with answering(qtbot, change, title="Edit budget line"):
        press(qtbot, lines, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: cell(lines, names(lines).index(science), "Code") == "CPD-SCIENCE")
    assert cell(lines, names(lines).index("Unallocated"), "Spent") != unallocated  # their money moved there
    press(qtbot, lines, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: cell(lines, names(lines).index(science), "Code") == "CPD-SCI")
    assert cell(lines, names(lines).index("Unallocated"), "Spent") == unallocated


def test_a_colleague_s_save_in_between_is_shown_and_kept(window: Any, qtbot: Any) -> None:
    """The bursar saves the Physics line while the business manager has it open: her save shows both versions,
    and Reload keeps the bursar's."""
    from sqlalchemy import select

    from cpd_desktop.models import BudgetLine
    from cpd_desktop.services.budget_lines import update_line

    page = go_to(qtbot, window, "Budget")
    lines = find_table("Budget lines", page)
    qtbot.waitUntil(lambda: "Physics CPD" in names(lines))
    click_line(qtbot, lines, "Physics CPD")

    def edit(dialog: Any) -> None:
        # The bursar's save, written to the same file behind the window's back (this copy of the app holds the
        # file's lock, so it goes through the window's own database, under the bursar's name).
        with window.database.ctx.db.session() as s:
            s.info["user"] = "Bursar"
            line = s.scalar(select(BudgetLine).where(BudgetLine.budget_code == "CPD-PHY",
                                                     BudgetLine.financial_year == 2025))
            update_line(s, line, amount="5000")
        type_into(qtbot, find_field("Allocation", dialog), "4200")
        with answering(qtbot, answer_modal(qtbot, "Reload (discard mine)", expect="Bursar"),
                       title="Changed by somebody else"):
            click(qtbot, find_button("Save", dialog))

    with answering(qtbot, edit, title="Edit budget line"):
        click(qtbot, find_button("Edit line…", page))
    qtbot.waitUntil(lambda: cell(lines, names(lines).index("Physics CPD"), "Budget") == "£5,000.00")
