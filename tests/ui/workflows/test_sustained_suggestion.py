"""Adding a CPD activity: choosing a programme that runs over two or more terms ticks part 4 of the DfE
Standard ("Sustained over time") and says why; the person may untick it, and what they chose is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel
from sqlalchemy import select

from cpd_desktop.models import Activity
from cpd_desktop.services.impact import programme_choices

from .conftest import (
    active_dialog,
    answering,
    choose,
    click,
    find_button,
    find_field,
    find_table,
    go_to,
    press,
    row_count,
    type_into,
)

SUSTAINED = "4. Sustained over time"
SUGGESTION = "Suggested: this programme runs over two or more terms"


def _suggestion(dialog: Any) -> QLabel:
    return next(lbl for lbl in dialog.findChildren(QLabel) if lbl.text() == SUGGESTION)


def test_a_sustained_programme_suggests_part_4(window: Any, qtbot: Any, tmp_path: Path) -> None:
    with window.ctx.session() as s:
        choices = programme_choices(s, window.ctx.school(s))
    sustained = next(p for p in choices if p.sustained)
    go_to(qtbot, window, "CPD log")
    table = find_table("cpd log")
    before = row_count(table)
    seen: dict[str, bool] = {}

    def add(dialog: Any) -> None:
        part4 = find_field(SUSTAINED, dialog, QCheckBox)
        assert not part4.isChecked() and not _suggestion(dialog).isVisible()
        choose(qtbot, find_field("Member of staff", dialog), "Whitfield, James (JWH)")
        type_into(qtbot, find_field("Title", dialog), "Lesson study: cycle two planning")
        type_into(qtbot, find_field("Date", dialog), "20/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "2")
        choose(qtbot, find_field("Programme", dialog), sustained.name)
        qtbot.waitUntil(part4.isChecked)
        seen["suggested"] = _suggestion(dialog).isVisible()
        dialog.grab().save(str(tmp_path / "activity-sustained.png"))
        assert dialog.height() <= 768
        part4.setFocus(Qt.FocusReason.TabFocusReason)  # the person may untick it
        qtbot.keyClick(part4, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not part4.isChecked())
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, add, title="Add CPD activity"):
        press(qtbot, table, Qt.Key.Key_Insert)
    assert seen["suggested"]
    qtbot.waitUntil(lambda: row_count(table) == before + 1)
    assert active_dialog("Add CPD activity") is None
    with window.ctx.session() as s:
        saved = s.scalars(select(Activity).where(Activity.title == "Lesson study: cycle two planning")).one()
        assert (saved.programme_id, saved.std_sustained) == (sustained.id, False)
