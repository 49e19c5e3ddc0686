"""Reports: every export with its options and a preview of what it will contain."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ...services.changes import KINDS as EVERY_KIND
from ..icons import icon
from ..widgets import muted, section_title
from ..workers import run_in_background
from .base import View

FORMAT_LABELS = {"pdf": "PDF (to print or send)", "xlsx": "Excel workbook", "csv": "CSV (plain text)"}


class ReportsView(View):
    title = "Reports"
    shows = EVERY_KIND - {"audit_entry", "import_batch", "school_access"}  # figures drawn from every kind of record
    subtitle = "PDFs for governors and cover managers, workbooks for finance. The year and department above apply."
    previewed = None
    _preview_number = 0  # the newest preview asked for (see update_preview)

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        from ...exports import KINDS

        self.kinds = KINDS
        row = QHBoxLayout()
        row.setSpacing(12)
        self.list = QListWidget()
        self.list.setAccessibleName("Reports")
        self.list.setFixedWidth(280)
        self.list.setIconSize(QSize(18, 18))
        trust = window.trust_shown()
        self.kinds = {k: spec for k, spec in KINDS.items() if trust or spec.needs != "trust"}
        for key, spec in self.kinds.items():
            item = QListWidgetItem(icon("reports"), spec.label)
            item.setData(256, key)
            item.setToolTip(spec.help)
            self.list.addItem(item)
        self.list.currentRowChanged.connect(lambda _r: self.kind_chosen())
        row.addWidget(self.list)
        panel = QFrame()
        panel.setObjectName("panel")
        pl = QVBoxLayout(panel)
        pl.setContentsMargins(18, 14, 18, 14)
        self.kind_title = section_title("")
        self.kind_help = muted("")
        pl.addWidget(self.kind_title)
        pl.addWidget(self.kind_help)
        form = QFormLayout()
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Format")
        self.booking_combo = QComboBox()
        self.booking_combo.setAccessibleName("Booking")
        self.staff_combo = QComboBox()
        self.staff_combo.setAccessibleName("Member of staff")
        from ..export_dialog import financial_year_combo, period_combo

        self.period_combo = period_combo(ctx)
        self.fy_combo = financial_year_combo(ctx)  # the CPD budget's
        self.scope = QLabel("")
        form.addRow("Format:", self.format_combo)
        form.addRow("Booking:", self.booking_combo)
        form.addRow("Member of staff:", self.staff_combo)
        form.addRow("Or by:", self.period_combo)
        form.addRow("Financial year:", self.fy_combo)
        form.addRow("Covers:", self.scope)
        self.form = form
        pl.addLayout(form)
        pl.addWidget(section_title("What it will contain"))
        self.preview_title = QLabel("")
        self.preview_title.setWordWrap(True)
        pl.addWidget(self.preview_title)
        self.figures = QGridLayout()
        self.figures.setHorizontalSpacing(24)
        pl.addLayout(self.figures)
        pl.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_button = QPushButton("Export…")
        self.export_button.setObjectName("primary")
        self.export_button.setIcon(icon("export", "#ffffff"))
        self.export_button.setAccessibleName("Export")
        # clicked(bool) would hand its ``checked`` to ``export`` as the file path: call it without.
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        buttons.addWidget(self.export_button)
        pl.addLayout(buttons)
        row.addWidget(panel, 1)
        self.outer.addLayout(row, 1)
        for combo in (self.booking_combo, self.staff_combo, self.period_combo, self.fy_combo):
            combo.currentIndexChanged.connect(lambda _i: self.update_preview())
        self.list.setCurrentRow(0)

    def kind(self) -> str:
        item = self.list.currentItem()
        return item.data(256) if item else "summary"

    def kind_chosen(self) -> None:
        spec = self.kinds[self.kind()]
        self.kind_title.setText(spec.label)
        self.kind_help.setText(spec.help)
        self.format_combo.clear()
        for fmt in spec.formats:
            self.format_combo.addItem(FORMAT_LABELS.get(fmt, fmt), fmt)
        self.form.setRowVisible(1, spec.needs == "booking")
        self.form.setRowVisible(2, spec.needs == "staff")
        self.form.setRowVisible(3, self.kind() == "claims")
        self.form.setRowVisible(4, self.kind() == "budget")
        self._fill_choices()
        self.update_preview()

    def _fill_choices(self) -> None:
        from ..export_dialog import fill_export_choices

        fill_export_choices(self.ctx, self.kinds[self.kind()], self.booking_combo, self.staff_combo)

    def options(self) -> dict[str, Any]:
        spec = self.kinds[self.kind()]
        period = (self.period_combo.currentData() or {}) if self.kind() == "claims" else {}
        if self.kind() == "budget" and self.fy_combo.currentData():
            period = {"financial_year": self.fy_combo.currentData()}
        return {"year": self.ctx.year if spec.yearly and not period else None, "department": self.ctx.department,
                "booking_id": self.booking_combo.currentData() if spec.needs == "booking" else None,
                "staff_code": self.staff_combo.currentData() if spec.needs == "staff" else None, **period}

    def reload(self) -> None:
        super().reload()
        self.booking_combo.clear()
        self.staff_combo.clear()
        self._fill_choices()
        from ..export_dialog import fill_financial_years

        fill_financial_years(self.ctx, self.fy_combo)  # the school's start month may have changed in Settings
        self.update_preview()

    def update_preview(self) -> None:
        from ...exports import preview

        spec = self.kinds[self.kind()]
        ctx = self.ctx
        opts = self.options()
        scope = []
        if spec.yearly and self.kind() == "claims" and self.period_combo.currentData():
            scope.append(self.period_combo.currentText())
        elif spec.yearly:
            scope.append(ctx.year.label)
        elif self.kind() == "budget" and self.fy_combo.currentData():
            scope.append(f"financial year {self.fy_combo.currentText()}")
        if ctx.department and self.kind() in ("summary", "activities", "absences"):
            scope.append(f"{ctx.department} department")
        self.scope.setText(", ".join(scope) or "the chosen record")
        self.preview_title.setText("Working out what it will contain…")
        self._clear_figures()
        if (spec.needs == "booking" and opts["booking_id"] is None) or (spec.needs == "staff" and not opts["staff_code"]):
            self.preview_title.setText("Choose what it is for above.")
            self.export_button.setEnabled(False)
            return
        self.export_button.setEnabled(True)
        kind = self.kind()
        # Each preview is numbered: one still being worked out when the person chose again (another year)
        # must not land over the newer one when it finishes last.
        self._preview_number += 1
        number = self._preview_number

        def failed(exc: BaseException) -> None:
            if number == self._preview_number:
                self.preview_title.setText(str(exc))

        run_in_background(lambda: (number, kind, preview(ctx.db, ctx.school_id, kind, today=ctx.today, **opts)),
                          self._show_preview, on_error=failed)

    def _clear_figures(self) -> None:
        while self.figures.count():
            item = self.figures.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _show_preview(self, result: tuple[int, str, Any]) -> None:
        number, kind, info = result
        if number != self._preview_number or kind != self.kind():
            return  # an earlier choice's preview, finished after a later one was asked for
        self.previewed = info
        self._clear_figures()
        self.preview_title.setText(info.title + ("  — nothing to export for this choice." if info.empty else ""))
        for i, (label, value) in enumerate(info.figures):
            name = QLabel(label)
            name.setObjectName("cardLabel")
            name.setWordWrap(True)  # a long name ("Outside the target, not counted") on two lines, not cut
            figure = QLabel(value)
            figure.setObjectName("cardValue")
            self.figures.addWidget(name, 0, i, Qt.AlignmentFlag.AlignBottom)
            self.figures.addWidget(figure, 1, i)

    def export(self, output: str | None = None) -> Any:
        from ..exporting import export

        return export(self, self.ctx, self.kind(), self.format_combo.currentData(), output=output, **self.options())
