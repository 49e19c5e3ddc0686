"""A small bar chart drawn with QPainter: grouped bars (one group per category, one bar per series), each value
written on its bar, a legend, and a click (or arrow keys and Enter) on a bar to ask for its records.

The figures come from the core (``services.impact_charts.Chart``); the chart only draws them. Its
accessible name is the chart's title and its accessible description says every value in words, so a screen
reader gives the whole chart; the focused bar is outlined and said too.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..services.impact_charts import Chart

COLOURS = ["#1f4e79", "#c2410c", "#1b998b", "#6b7280"]
INK, MUTED, RULE = QColor("#111827"), QColor("#4b5563"), QColor("#d0d5dd")


class BarChart(QWidget):
    """Grouped bars; ``bar_clicked(category, series)`` when a bar is clicked or chosen with Enter."""

    bar_clicked = Signal(int, int)
    MARGIN_LEFT, MARGIN_RIGHT, TOP, BOTTOM = 40.0, 12.0, 46.0, 40.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: Chart | None = None
        self.focused: tuple[int, int] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 200)
        self.setAccessibleName("Chart")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 260)

    def set_chart(self, chart: Chart) -> None:
        self.chart = chart
        self.focused = None
        self.setAccessibleName(chart.title)
        self.setAccessibleDescription(chart.description())
        self.setToolTip("Click a bar to list its records.")
        self.update()

    # ---- geometry ----
    def bars(self) -> list[tuple[QRectF, int, int]]:
        """Each drawn bar's box with its category and series (what a click hits)."""
        chart = self.chart
        if chart is None or not chart.categories:
            return []
        plot = self._plot()
        slot = plot.width() / len(chart.categories)
        n = len(chart.series)
        width = min(56.0, slot * 0.8 / n)
        out = []
        for c, values in enumerate(chart.values):
            left = plot.left() + c * slot + (slot - width * n) / 2
            for s, value in enumerate(values):
                height = 0.0 if value is None else plot.height() * max(0.0, min(1.0, value / chart.top))
                # a bar of 0 (or none yet) keeps a thin box, so it can still be clicked for its records
                height = max(height, 3.0)
                out.append((QRectF(left + s * width, plot.bottom() - height, width - 2, height), c, s))
        return out

    def _plot(self) -> QRectF:
        return QRectF(self.MARGIN_LEFT, self.TOP, max(10.0, self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT),
                      max(10.0, self.height() - self.TOP - self.BOTTOM))

    # ---- drawing ----
    def paintEvent(self, _e: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        chart = self.chart
        if chart is None or not chart.categories:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing to show yet.")
            p.end()
            return
        plot = self._plot()
        metrics = p.fontMetrics()
        # legend along the top
        x = plot.left()
        if len(chart.series) > 1:
            for s, name in enumerate(chart.series):
                p.fillRect(QRectF(x, 8, 12, 12), QColor(COLOURS[s % len(COLOURS)]))
                p.setPen(INK)
                p.drawText(QRectF(x + 16, 4, metrics.horizontalAdvance(name) + 4, 20),
                           Qt.AlignmentFlag.AlignVCenter, name)
                x += 16 + metrics.horizontalAdvance(name) + 18
        # value axis: 0 and the top
        p.setPen(QPen(RULE, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.setPen(MUTED)
        p.drawText(QRectF(0, plot.bottom() - 10, self.MARGIN_LEFT - 6, 20),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "0")
        p.drawText(QRectF(0, plot.top() - 10, self.MARGIN_LEFT - 6, 20),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, chart.value_text(chart.top))
        slot = plot.width() / len(chart.categories)
        for c, label in enumerate(chart.categories):
            box = QRectF(plot.left() + c * slot, plot.bottom() + 4, slot, self.BOTTOM - 6)
            p.setPen(INK)
            p.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                       metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(slot * 2 - 8)))
        for box, c, s in self.bars():
            value = chart.values[c][s]
            colour = QColor(COLOURS[s % len(COLOURS)])
            if value is None:
                colour = QColor("#e5e7eb")
            p.fillRect(box, colour)
            if self.focused == (c, s) and self.hasFocus():
                p.setPen(QPen(INK, 2, Qt.PenStyle.DashLine))
                p.drawRect(box.adjusted(-2, -2, 2, 2))
            p.setPen(INK if value is not None else MUTED)
            text = chart.value_text(value) if value is not None else "–"
            p.drawText(QRectF(box.left() - 10, box.top() - 18, box.width() + 20, 16),
                       Qt.AlignmentFlag.AlignCenter, text)
        p.end()

    # ---- choosing a bar ----
    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        for box, c, s in self.bars():
            # the whole column above a short bar counts, so a bar of 0 is easy to hit
            column = QRectF(box.left(), self._plot().top(), box.width(), self._plot().height())
            if column.contains(e.position()):
                self.focused = (c, s)
                self.update()
                self.bar_clicked.emit(c, s)
                return

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        order = [(c, s) for _b, c, s in self.bars()]
        if not order:
            super().keyPressEvent(e)
            return
        at = order.index(self.focused) if self.focused in order else -1
        if e.key() in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self._focus(order[min(len(order) - 1, at + 1)])
        elif e.key() in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._focus(order[max(0, at - 1)])
        elif e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.focused is not None:
            self.bar_clicked.emit(*self.focused)
        else:
            super().keyPressEvent(e)

    def _focus(self, bar: tuple[int, int]) -> None:
        self.focused = bar
        chart = self.chart
        if chart is not None:  # the chosen bar is said as the description's first words
            c, s = bar
            said = f"{chart.categories[c]}, {chart.series[s]}: {chart.value_text(chart.values[c][s])}. "
            self.setAccessibleDescription(said + chart.description())
        self.update()

    def focusInEvent(self, e: QFocusEvent) -> None:  # noqa: N802
        if self.focused is None and self.bars():
            self._focus((self.bars()[0][1], self.bars()[0][2]))
        super().focusInEvent(e)
