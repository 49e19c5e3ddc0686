"""What the window's frame asks of the database: the schools a login sees, the departments and the first
date with CPD (for the year and department choosers), and whether others have saved since it last looked.

Each is one short read on a connection of its own (no ORM session), so the window can ask them often.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, Select, bindparam, func, select

from ..models import Activity, AuditEntry, Department, School
from .audit import own_entries


def school_names_statement() -> Select[int, str]:
    """Every school's id and name, by name."""
    return select(School.id, School.name).order_by(School.name)


def department_names_statement() -> Select[str]:
    """One school's departments (parameter ``school_id``), by name."""
    return select(Department.name).where(Department.school_id == bindparam("school_id")).order_by(Department.name)


def first_activity_statement() -> Select[dt.date]:
    """The date of one school's earliest CPD activity (parameter ``school_id``; NULL with none)."""
    return select(func.min(Activity.date)).where(Activity.school_id == bindparam("school_id"))


def school_names(engine: Engine) -> list[tuple[int, str]]:
    """Every school this login can see in the database, by name (a trust's database holds many)."""
    with engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(school_names_statement())]


def department_names(engine: Engine, school_id: int) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(department_names_statement(), {"school_id": school_id}).scalars().all()
    return list(rows)


def first_activity_date(engine: Engine, school_id: int) -> dt.date | None:
    """The date of the school's earliest CPD activity (None: none yet): where the list of years starts."""
    with engine.connect() as conn:
        first = conn.execute(first_activity_statement(), {"school_id": school_id}).scalar()
    return first if isinstance(first, dt.date) else None


def others_saved(engine: Engine, school_id: int, seen: int | None) -> tuple[bool, int]:
    """Whether anybody else has saved anything of this school since audit entry ``seen``, and the newest
    entry now (to pass as ``seen`` next time). One cheap query, or two.

    Every change writes an audit entry, so the newest entry's id moves whenever anybody saves. The newest
    id overall is read from the primary key at once; only when it has moved are the new entries looked at,
    to see whether any of them is this school's. ``seen`` None: the first look, which finds nothing.
    """
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(AuditEntry.id))).scalar() or 0
        if seen is None or newest == seen:
            return False, newest
        # Entries this program wrote itself (the person's own saves, undo, imports) are not others' changes.
        mine = own_entries(engine, up_to=newest)
        # Closed even when the first entry answers: on a server the rows come through a cursor held open there.
        with conn.execute(select(AuditEntry.id).where(
                AuditEntry.id > seen, AuditEntry.id <= newest, AuditEntry.school_id == school_id)
                .execution_options(yield_per=500)) as entries:
            return any(ident not in mine for ident in entries.scalars()), newest
