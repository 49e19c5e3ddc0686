"""The item-data roles the app's table models answer beyond Qt's own (no SQLAlchemy here: the
widgets that use them are built before the database layer has loaded)."""

from __future__ import annotations

from PySide6.QtCore import Qt

RAW_ROLE = Qt.ItemDataRole.UserRole  # the value itself (a date, a Decimal), for sorting and editing
ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the record's id
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the whole row
