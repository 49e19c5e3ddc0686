"""Buttons that act on the chosen row of a list: greyed out, saying why, until a row is chosen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractItemModel, SignalInstance
from PySide6.QtWidgets import QPushButton


class ChoosesRows(Protocol):
    """A list a row is chosen in: a ``TablePanel``, or a view's own table that says the same (the Budget view's
    lines, whose total and "Unallocated" rows are no line to edit)."""

    @property
    def selection_changed(self) -> SignalInstance: ...

    @property
    def model(self) -> QAbstractItemModel: ...

    def current_id(self) -> Any: ...


def need_a_row(panel: ChoosesRows, buttons: Iterable[QPushButton], why: str) -> None:
    """Enable ``buttons`` only while a row of ``panel`` is chosen; until then each one's tooltip is ``why``
    (e.g. "Choose an activity in the list first."), and it says what it does again once one is."""
    tips = {button: button.toolTip() for button in buttons}

    def update() -> None:
        chosen = panel.current_id() is not None
        for button, tip in tips.items():
            button.setEnabled(chosen)
            button.setToolTip(tip if chosen else why)

    panel.selection_changed.connect(update)
    panel.model.modelReset.connect(update)  # a reload clears the selection without saying so
    update()
