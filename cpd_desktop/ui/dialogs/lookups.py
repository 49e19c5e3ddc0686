"""Choices for the dialogs' drop-downs: staff, providers, courses, schemes (small queries)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...models import BursaryScheme, Course, Department, Provider, Staff
from ...services.reports import name_key


def staff_choices(ctx: Any, *, include_leavers: bool = True) -> list[tuple[int, str]]:
    with ctx.db.engine.connect() as conn:
        rows = conn.execute(select(Staff.id, Staff.forename, Staff.surname, Staff.staff_code, Staff.leaving_date)
                            .where(Staff.school_id == ctx.school_id, Staff.anonymised.is_(False))).all()
    rows = [r for r in rows if include_leavers or r.leaving_date is None or r.leaving_date >= ctx.today]
    rows.sort(key=lambda r: name_key(r.surname, r.forename))
    return [(r.id, f"{r.surname}, {r.forename} ({r.staff_code})") for r in rows]


def provider_names(ctx: Any) -> list[str]:
    with ctx.db.engine.connect() as conn:
        return list(conn.execute(select(Provider.name).where(Provider.school_id == ctx.school_id)
                                 .order_by(Provider.name)).scalars())


def department_names(ctx: Any) -> list[str]:
    with ctx.db.engine.connect() as conn:
        return list(conn.execute(select(Department.name).where(Department.school_id == ctx.school_id)
                                 .order_by(Department.name)).scalars())


def course_choices(ctx: Any) -> list[tuple[int, str]]:
    with ctx.db.engine.connect() as conn:
        rows = conn.execute(select(Course.id, Course.title, Course.code, Provider.name)
                            .outerjoin(Provider, Provider.id == Course.provider_id)
                            .where(Course.school_id == ctx.school_id, Course.active.is_(True))
                            .order_by(Course.title)).all()
    return [(r.id, f"{r.title}" + (f" — {r[3]}" if r[3] else "") + (f" [{r.code}]" if r.code else "")) for r in rows]


def scheme_choices(ctx: Any) -> list[tuple[int, str]]:
    with ctx.db.engine.connect() as conn:
        rows = conn.execute(select(BursaryScheme.id, BursaryScheme.name)
                            .where(BursaryScheme.school_id == ctx.school_id, BursaryScheme.active.is_(True))
                            .order_by(BursaryScheme.name)).all()
    return [(r.id, r.name) for r in rows]
