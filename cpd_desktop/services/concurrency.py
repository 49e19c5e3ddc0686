"""Optimistic concurrency: two people editing one record never lose each other's change.

Every editable record carries a ``version``. A form remembers the version it showed; when it
saves, ``check_version`` compares it with the record as it is now. If somebody else saved in
between, the save is refused with who changed it and when, and both versions, so that the user
can reload or overwrite. SQLAlchemy's version column closes the remaining window: its UPDATE
says ``WHERE version = :loaded`` and fails if another save slipped in after the check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect

from ..errors import ConcurrentEditError
from .audit import SKIP_FIELDS, describe, plain


def record_values(obj: Any) -> dict[str, Any]:
    """The record's column values as plain data (for showing 'their version')."""
    return {c.key: plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs if c.key not in SKIP_FIELDS}


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    local = moment.replace(tzinfo=dt.UTC).astimezone()
    return local.strftime("%H:%M on %d/%m/%Y")


def check_version(obj: Any, expected_version: int | None) -> None:
    """Refuse a save made against an out-of-date copy of ``obj``."""
    if expected_version is None or obj.version == expected_version:
        return
    who = obj.updated_by or "somebody else"
    when = _local(obj.updated_at)
    error = ConcurrentEditError(
        f"{describe(obj)} was changed by {who} at {when} since you opened it; your change was not saved.",
        hint="Reload to see their change, or save yours over it.",
        changed_by=who, changed_at=when, current=record_values(obj),
    )
    raise error
