"""Icons: plain SVG files under ``resources/icons``, drawn in the colour the place needs.

The line icons are written with ``#COLOR`` as their stroke so that one file serves the dark
sidebar and the light toolbar; they are rendered at several sizes so they stay sharp at 200%.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ..resources import resource_path

INK = "#334155"
SIDEBAR = "#dbe7f3"
SIDEBAR_ACTIVE = "#ffffff"


@cache
def _svg(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


def _pixmap(data: str, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pix


@cache
def icon(name: str, color: str = INK, active_color: str | None = None) -> QIcon:
    """The icon ``name`` (a file in resources/icons) stroked in ``color``; ``active_color`` when selected."""
    result = QIcon()
    data = _svg(name)
    for size in (16, 32):  # 32 serves 18–24 px and 200% scaling; each size rendered costs start-up time
        result.addPixmap(_pixmap(data.replace("#COLOR", color), size), QIcon.Mode.Normal, QIcon.State.Off)
        if active_color:
            result.addPixmap(_pixmap(data.replace("#COLOR", active_color), size), QIcon.Mode.Selected,
                             QIcon.State.Off)
    return result


@cache
def app_icon() -> QIcon:
    result = QIcon()
    data = _svg("app")
    for size in (16, 32, 64, 128):
        result.addPixmap(_pixmap(data, size))
    return result
