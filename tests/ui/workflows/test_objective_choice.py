"""Adding a CPD activity: the "Objective" choice lists the chosen person's development objectives (and
another person's when the person changes); the one chosen is saved with the activity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from sqlalchemy import select

from cpd_desktop.models import Activity, Objective, Staff
from cpd_desktop.services.objectives import objective_choices

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


def _label(person: Staff) -> str:
    return f"{person.surname}, {person.forename} ({person.staff_code})"


def test_choosing_an_objective_in_the_activity_dialog(window: Any, qtbot: Any, tmp_path: Path) -> None:
    with window.ctx.session() as s:
        school = window.ctx.school(s)
        holders = set(s.scalars(select(Objective.staff_id).where(Objective.school_id == school.id)))
        person = s.scalars(select(Staff).where(Staff.school_id == school.id, Staff.id.in_(holders),
                                               Staff.leaving_date.is_(None)).order_by(Staff.id)).first()
        other = s.scalars(select(Staff).where(Staff.school_id == school.id, Staff.id.not_in(holders),
                                              Staff.leaving_date.is_(None)).order_by(Staff.id)).first()
        assert person is not None and other is not None
        ident, text = objective_choices(s, school, person.id)[0]
        person_label, other_label = _label(person), _label(other)
    go_to(qtbot, window, "CPD log")
    table = find_table("cpd log")
    before = row_count(table)
    seen: dict[str, list[str]] = {}

    def add(dialog: Any) -> None:
        objective = find_field("Objective", dialog, QComboBox)
        assert objective.isVisible() and objective.isEnabled()
        choose(qtbot, find_field("Member of staff", dialog), other_label)
        qtbot.waitUntil(lambda: objective.count() == 1)  # nobody's objectives but "— None —"
        seen["other"] = [objective.itemText(i) for i in range(objective.count())]
        choose(qtbot, find_field("Member of staff", dialog), person_label)
        qtbot.waitUntil(lambda: objective.count() > 1)
        type_into(qtbot, find_field("Title", dialog), "Coaching: modelling required practicals")
        type_into(qtbot, find_field("Date", dialog), "20/11/2025")
        type_into(qtbot, find_field("Hours", dialog), "1")
        choose(qtbot, objective, text)
        qtbot.waitUntil(lambda: objective.currentData() == ident)
        dialog.grab().save(str(tmp_path / "activity-objective.png"))
        assert dialog.height() <= 768
        click(qtbot, find_button("Save", dialog))

    with answering(qtbot, add, title="Add CPD activity"):
        press(qtbot, table, Qt.Key.Key_Insert)
    assert seen["other"] == ["— None —"]
    qtbot.waitUntil(lambda: row_count(table) == before + 1)
    assert active_dialog("Add CPD activity") is None
    with window.ctx.session() as s:
        saved = s.scalars(select(Activity).where(Activity.title == "Coaching: modelling required practicals")).one()
        assert (saved.staff_id, saved.objective_id) == (person.id, ident)
