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
