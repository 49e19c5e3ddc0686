"""A form's field widgets, asked for by kind: the widget the field was added with, and a clear error when
a dialog asks for the wrong kind (a typo in code, never a person's doing)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from cpd_desktop.ui.forms import FormDialog


def test_each_field_is_given_back_as_the_widget_it_was_added_as(qtbot: QtBot) -> None:
    dialog = FormDialog("Course")
    qtbot.addWidget(dialog)
    title = dialog.add_line("title", "Title *", "Practical physics")
    notes = dialog.add_text("notes", "Notes")
    provider = dialog.add_combo("provider", "Provider", [(1, "STEM Learning"), (2, "IOP")], current=2)
    residential = dialog.add_check("residential", "Residential")

    assert dialog.line_edit("title") is title
    assert dialog.text_edit("notes") is notes
    assert dialog.combo_box("provider") is provider and provider.currentText() == "IOP"
    assert dialog.check_box("residential") is residential


def test_asking_for_the_wrong_kind_of_widget_says_which_field_and_what_it_is(qtbot: QtBot) -> None:
    dialog = FormDialog("Course")
    qtbot.addWidget(dialog)
    dialog.add_line("title", "Title *")
    with pytest.raises(TypeError, match="'title' is a QLineEdit, not a QComboBox"):
        dialog.combo_box("title")
    with pytest.raises(KeyError):
        dialog.line_edit("no such field")
