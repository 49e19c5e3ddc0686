"""Icons: plain SVG files under ``resources/icons``, drawn in the colour the place needs.

The line icons are written with ``#COLOR`` as their stroke so that one file serves the dark
sidebar and the light toolbar. Each colour of an icon is written once to the data folder as its
own SVG file and handed to Qt's SVG icon engine, which draws it only when it is first painted, at
the size and scaling it is painted at: the window opens without drawing the icons of menus nobody
has opened yet. Where the data folder cannot be written, the icon is drawn here instead.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap

from ..paths import data_dir
from ..resources import resource_path

INK = "#334155"
SIDEBAR = "#dbe7f3"
SIDEBAR_ACTIVE = "#ffffff"


@cache
def _svg(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


@cache
def _coloured(name: str, color: str) -> Path | None:
    """The icon ``name`` stroked in ``color``, as a file of its own (named by its content); None if
    it cannot be written."""
    data = _svg(name).replace("#COLOR", color)
    path = data_dir() / "icons" / f"{name}-{zlib.crc32(data.encode('utf-8')):08x}.svg"
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(data, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return None
    return path


def _pixmap(data: str, size: int) -> QPixmap:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pix


def _add(result: QIcon, name: str, color: str, mode: QIcon.Mode) -> None:
    path = _coloured(name, color)
    if path is not None:
        result.addFile(str(path), QSize(), mode, QIcon.State.Off)
        return
    data = _svg(name).replace("#COLOR", color)
    for size in (16, 32):  # 32 serves 18–24 px and 200% scaling
        result.addPixmap(_pixmap(data, size), mode, QIcon.State.Off)


@cache
def icon(name: str, color: str = INK, active_color: str | None = None) -> QIcon:
    """The icon ``name`` (a file in resources/icons) stroked in ``color``; ``active_color`` when selected."""
    result = QIcon()
    _add(result, name, color, QIcon.Mode.Normal)
    if active_color:
        _add(result, name, active_color, QIcon.Mode.Selected)
    return result


@cache
def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "app.svg")))
