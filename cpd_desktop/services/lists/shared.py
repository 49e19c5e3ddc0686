"""Pieces several lists share: how a person's name reads, and searching through a small table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, select

from ...models import Staff


def staff_name() -> Any:
    """A person as lists show them: "Surname, Forename"."""
    return Staff.surname + literal(", ") + Staff.forename


def matching(column: Any, key: Any, name: Any, table: Any) -> Any:
    """Rows whose ``column`` is the id of a ``table`` row whose ``name`` matches: a search through
    the few staff, departments or providers instead of a LIKE on every row."""
    return lambda pattern: column.in_(select(key).select_from(table).where(name.like(pattern, escape="\\")))
