"""Choices for the dialogs' drop-downs (staff, providers, courses, schemes) of the window's school,
from the core's short lists (``services.lists.choices``)."""

from __future__ import annotations

from typing import Any

from ...services.lists import choices


def staff_choices(ctx: Any, *, include_leavers: bool = True) -> list[tuple[int, str]]:
    return choices.staff_choices(ctx.db, ctx.school_id, leavers_before=None if include_leavers else ctx.today)


def provider_names(ctx: Any) -> list[str]:
    return choices.provider_names(ctx.db, ctx.school_id)


def department_names(ctx: Any) -> list[str]:
    return choices.department_names(ctx.db, ctx.school_id)


def course_choices(ctx: Any) -> list[tuple[int, str]]:
    return choices.course_choices(ctx.db, ctx.school_id)


def scheme_choices(ctx: Any) -> list[tuple[int, str]]:
    return choices.scheme_choices(ctx.db, ctx.school_id)


def add_objective_choice(dialog: Any, ctx: Any, current: int | None) -> None:
    """An optional "Objective" drop-down on ``dialog`` (a FormDialog with a "staff_id" combo): the chosen
    person's development objectives, listed again when another person is chosen."""
    from ...services.objectives import objective_choices

    def items() -> list[tuple[int, str]]:
        staff_id = dialog.combo_box("staff_id").currentData()
        with ctx.session() as s:
            return [(0, "— None —"), *objective_choices(s, ctx.school(s), staff_id)]

    combo = dialog.add_combo("objective_id", "Objective", items(), current or 0,
                             tip="The person's development objective it serves")
    combo.setAccessibleName("Objective")

    def refill() -> None:
        combo.blockSignals(True)
        combo.clear()
        for code, text in items():
            combo.addItem(text, code)
        combo.setCurrentIndex(0)
        combo.blockSignals(False)
        dialog.revalidate()

    dialog.combo_box("staff_id").currentIndexChanged.connect(lambda _i: refill())
