"""A school's simple named lists in Settings (departments, providers): one column, its name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from .base import Column, ListDef, Sort


class NameList(ListDef):
    """The ``record`` rows (a model with ``id``, ``name``, ``school_id``, ``version``) of one school."""

    default_sort = Sort("name")

    def __init__(self, school_id: int, record: Any, title: str) -> None:
        super().__init__()
        self.school_id = school_id
        self.record = record
        self.id_expr = record.id
        self.version_expr = record.version
        self.columns = [Column("name", title, record.name, searchable=True, width=300)]

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return select(*columns).select_from(self.record).where(self.record.school_id == self.school_id)
