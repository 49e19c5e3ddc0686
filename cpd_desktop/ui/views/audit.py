"""Audit trail: every change to the school's record — when, who, what, and the values before and after."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSplitter

from ...services.audit import ACTION_LABELS, entry_changes
from ...services.lists.audit import AuditList
from ..tablemodel import ListModel
from ..widgets import TablePanel, remember_splitter
from .base import View

ACTIONS = ACTION_LABELS


def audit_model(db: Any, school_id: int, parent: Any = None) -> ListModel:
    return ListModel(db, AuditList(school_id), parent=parent)


class AuditView(View):
    title = "Audit trail"
    shows = frozenset({"audit_entry", "import_batch"})
    subtitle = "Every change, newest first. It cannot be edited. Choose an entry to see the values changed."

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.model = audit_model(ctx.db, ctx.school_id, self)
        self.panel = TablePanel("audit", self.model, placeholder="Search what changed or who…",
                                noun=("entry", "entries"))
        self.panels.append(self.panel)
        self.action_filter = QComboBox()
        self.action_filter.setAccessibleName("Action")
        self.action_filter.addItem("Every action", None)
        for code, label in ACTIONS.items():
            self.action_filter.addItem(label, code)
        self.action_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.panel.add_filter(self.action_filter)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setObjectName("muted")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.panel.selection_changed.connect(self._show_changes)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.panel)
        splitter.addWidget(self.detail)
        splitter.setSizes([600, 120])
        remember_splitter(splitter, "audit")
        self.splitter = splitter
        self.outer.addWidget(splitter, 1)

    def reload(self) -> None:
        super().reload()
        action = self.action_filter.currentData()
        self.model.set_filters({"action": action})

    def _show_changes(self) -> None:
        ident = self.panel.current_id()
        if ident is None:
            self.detail.setText("")
            return
        with self.ctx.session() as s:
            lines = entry_changes(s, ident)
        self.detail.setText("\n".join(lines[:30]) or "No field values recorded.")
