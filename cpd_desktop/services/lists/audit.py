"""The audit trail: every change to the school's record, newest first, by action."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from ...models import AuditEntry
from ..audit import ACTION_LABELS, TABLE_LABELS, of_school
from .base import Column, ListDef, Sort


class AuditList(ListDef):
    """The entries a school is shown (``of_school``); the ``action`` filter picks one kind of change."""

    default_sort = Sort("at", descending=True)
    columns = (
        Column("at", "When", AuditEntry.at, "utc_datetime", width=130),
        Column("user", "Who", AuditEntry.user, searchable=True, width=90),
        Column("action", "Action", AuditEntry.action, "choice", ACTION_LABELS, width=90),
        Column("table", "Record", AuditEntry.table_name, "choice", TABLE_LABELS, width=110),
        Column("summary", "What", AuditEntry.summary, searchable=True, width=420),
    )

    def __init__(self, school_id: int) -> None:
        super().__init__()
        self.id_expr = AuditEntry.id
        self.school_id = school_id
        self.filters = {"action": lambda action: AuditEntry.action == action}

    def base(self, columns: list[Any], *, scan: bool = False) -> Select[Any]:
        return select(*columns).select_from(AuditEntry).where(of_school(self.school_id))
