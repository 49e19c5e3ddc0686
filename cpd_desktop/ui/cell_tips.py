"""A table cell cut short by its column's width says its whole text when the pointer rests on it.

The list models give a tooltip only where the cell shows a shorter text than the record has, or a long
one; a short text cut by a narrow column ("Coaching / ment…") had none. This delegate draws cells as usual
and, asked for a tooltip the model has not given, shows the cell's whole text if it does not fit.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)


def text_is_cut(view: QWidget, option: QStyleOptionViewItem, text: str) -> bool:
    """Whether ``text`` is wider than the room Qt's item drawing gives it in ``option``'s cell (the cell less
    the style's text margin on either side)."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return option.fontMetrics.horizontalAdvance(text) > option.rect.width() - 2 * margin


class WholeTextTips(QStyledItemDelegate):
    """Cells drawn as usual; a cut one shows its whole text as a tooltip."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,  # noqa: N802
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip and index.isValid() \
                and not index.data(Qt.ItemDataRole.ToolTipRole):
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            if text and text_is_cut(view, option, text):
                QToolTip.showText(event.globalPos(), text, view, view.visualRect(index))
                return True
        return super().helpEvent(event, view, option, index)
