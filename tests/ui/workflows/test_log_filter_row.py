"""The CPD log's filter row at 1366×768: the Member of staff box shows a long name whole ("Wiśniewski-Kowalczyk,
Łukasz (LWK)") and every other filter its choice whole, the row going on to a second line rather than squeezing
them; the box had been squeezed to 87 px, which showed "Everyone" and little more."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

from .conftest import (
    answering,
    choose,
    click,
    find_button,
    find_field,
    find_table,
    go_to,
    type_into,
    type_text,
)

NAME = "Wiśniewski-Kowalczyk, Łukasz (LWK)"
FILTERS = ("Member of staff", "Term", "Format", "Subject-specific", "Provider", "Evaluation")


def shows_whole(combo: QComboBox) -> bool:
    """Whether the box's text field (beside its arrow, in the app's style) is wide enough for its choice."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    return combo.fontMetrics().horizontalAdvance(combo.currentText()) <= field.width()


def test_the_member_of_staff_filter_shows_a_long_name_whole(window: Any, qtbot: Any) -> None:
    assert window.width() == 1366
    staff = go_to(qtbot, window, "Staff")

    def add(dialog: Any) -> None:
        forename = find_field("Forename", dialog)
        forename.setFocus()
        type_text(qtbot, forename, "Łukasz")
        surname = find_field("Surname", dialog)
        surname.setFocus()
        type_text(qtbot, surname, "Wiśniewski-Kowalczyk")
        type_into(qtbot, find_field("Staff code", dialog), "LWK")
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, add, title="Add a member of staff"):
        click(qtbot, find_button("Add staff…", staff))
    page = go_to(qtbot, window, "CPD log")
    who = find_field("Member of staff", page)
    qtbot.waitUntil(lambda: who.findText(NAME) >= 0)
    choose(qtbot, who, NAME)
    qtbot.waitUntil(lambda: shows_whole(who))
    assert who.currentText() == NAME and who.isVisible()
    for name in FILTERS:  # every filter with its choice whole, none squeezed
        combo = find_field(name, page)
        assert combo.isVisible() and shows_whole(combo), (name, combo.currentText(), combo.width())
    search = find_field("Search", page)
    assert search.isVisible() and search.width() >= 200
    table = find_table("cpd log", page)
    # the row wrapped instead: every control inside the page, the table below them all, no sideways scrolling
    for w in [search, *(find_field(n, page) for n in FILTERS)]:
        assert w.mapTo(page, w.rect().bottomRight()).x() <= page.width()
        assert w.mapTo(page, w.rect().bottomLeft()).y() < table.mapTo(page, table.rect().topLeft()).y()
    assert table.horizontalScrollBar().maximum() == 0
