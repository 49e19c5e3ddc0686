"""The one place that reads and writes QSettings (an INI file in the data folder).

Remembers window and dialog geometry, splitter and column layout, the last database, recent
databases and the last folder used for each kind of file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QWidget

from ..paths import data_dir

RECENT_MAX = 8


def settings_file() -> Path:
    return data_dir() / "cpd-desktop.ini"


def _store() -> QSettings:
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def value(key: str, default: object = None) -> object:
    return _store().value(key, default)


def set_value(key: str, data: object) -> None:
    s = _store()
    s.setValue(key, data)
    s.sync()


def last_database() -> str | None:
    text = _store().value("database/last", "")
    return str(text) if text else None


def set_last_database(target: str) -> None:
    s = _store()
    s.setValue("database/last", target)
    recent = [r for r in recent_databases() if r != target]
    s.setValue("database/recent", [target, *recent][:RECENT_MAX])
    s.sync()


def recent_databases() -> list[str]:
    raw = _store().value("database/recent", [])
    # the INI file reads back one path as a string, several as a list
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
    return [str(r) for r in items if r]


def clear_recent() -> None:
    s = _store()
    s.remove("database/recent")
    s.sync()


def last_folder(kind: str) -> str:
    """The folder last used for a kind of file (database, export, import, backup); home if none."""
    text = _store().value(f"folders/{kind}", "")
    if text and Path(str(text)).is_dir():
        return str(text)
    return str(Path.home())


def set_last_folder(kind: str, path: str | Path) -> None:
    folder = Path(path)
    if not folder.is_dir():
        folder = folder.parent
    set_value(f"folders/{kind}", str(folder))


def save_geometry(name: str, widget: QWidget) -> None:
    set_value(f"geometry/{name}", widget.saveGeometry())


def restore_geometry(name: str, widget: QWidget) -> bool:
    data = _store().value(f"geometry/{name}")
    if isinstance(data, QByteArray) and not data.isEmpty():
        return bool(widget.restoreGeometry(data))
    return False


def save_state(name: str, state: QByteArray) -> None:
    """Splitter, header (column widths and order) or main-window state."""
    set_value(f"state/{name}", state)


def restore_state(name: str) -> QByteArray | None:
    data = _store().value(f"state/{name}")
    return data if isinstance(data, QByteArray) and not data.isEmpty() else None


def last_view() -> str:
    return str(_store().value("window/view", "dashboard") or "dashboard")


def set_last_view(name: str) -> None:
    set_value("window/view", name)
