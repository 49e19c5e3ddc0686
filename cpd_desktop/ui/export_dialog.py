"""File → Export…: choose what to export (kind, format, year, department, booking or person) and
where, then write it off the UI thread with progress and Cancel, and offer to open it or show it
in its folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.lists import choices
from . import settings

FORMAT_LABELS = {"pdf": "PDF (to print or send)", "xlsx": "Excel workbook", "csv": "CSV (plain text)"}


class ExportDialog(QDialog):
    """The export's options and its file; ``ask`` runs it and returns the job (or None if cancelled)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None, *, trust: bool = False) -> None:
        super().__init__(parent)
        from ..exports import KINDS

        self.ctx = ctx
        self.kinds = {k: spec for k, spec in KINDS.items() if trust or spec.needs != "trust"}
        self.setWindowTitle("Export")
        self.setAccessibleName("Export")
        self.setModal(True)
        layout = QVBoxLayout(self)
        intro = QLabel(f"Export {ctx.school_name}'s records. The file is written in the background; "
                       "you can keep working.")
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        layout.addWidget(intro)
        form = QFormLayout()
        self.form = form
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("What to export")
        for key, spec in self.kinds.items():
            self.kind_combo.addItem(spec.label, key)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, spec.help, 3)  # tooltip role
        self.help = QLabel("")
        self.help.setWordWrap(True)
        self.help.setObjectName("muted")
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Format")
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Academic year")
        for year in ctx.years():
            self.year_combo.addItem(year.label, year)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findText(ctx.year.label)))
        self.dept_combo = QComboBox()
        self.dept_combo.setAccessibleName("Department")
        self.dept_combo.addItem("All departments", None)
        for name in ctx.departments():
            self.dept_combo.addItem(name, name)
        self.dept_combo.setCurrentIndex(max(0, self.dept_combo.findData(ctx.department)) if ctx.department else 0)
        self.booking_combo = QComboBox()
        self.booking_combo.setAccessibleName("Booking")
        self.booking_combo.setMinimumContentsLength(40)
        self.booking_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.staff_combo = QComboBox()
        self.staff_combo.setAccessibleName("Member of staff")
        self.period_combo = period_combo(ctx)
        self.fy_combo = financial_year_combo(ctx)
        self.file_edit = QLineEdit()
        self.file_edit.setAccessibleName("File")
        self.file_edit.setPlaceholderText("Where to save it")
        browse = QPushButton("Choose…")
        browse.setAccessibleName("Choose the file")
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        form.addRow("Export:", self.kind_combo)
        form.addRow("", self.help)
        form.addRow("Format:", self.format_combo)
        form.addRow("Academic year:", self.year_combo)
        form.addRow("Department:", self.dept_combo)
        form.addRow("Booking:", self.booking_combo)
        form.addRow("Member of staff:", self.staff_combo)
        form.addRow("Or by:", self.period_combo)
        form.addRow("Financial year:", self.fy_combo)
        form.addRow("Save as:", file_row)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Export")
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._named_by_hand = False
        self.file_edit.textEdited.connect(lambda _t: setattr(self, "_named_by_hand", True))
        self.file_edit.textChanged.connect(lambda _t: self.validate())
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.kind_chosen())
        for combo in (self.format_combo, self.year_combo, self.dept_combo, self.booking_combo, self.staff_combo,
                      self.period_combo, self.fy_combo):
            combo.currentIndexChanged.connect(lambda _i: self.options_changed())
        self.resize(620, 380)
        settings.restore_geometry("dialog/ExportDialog", self)
        self.kind_chosen()

    def done(self, result: int) -> None:
        settings.save_geometry("dialog/ExportDialog", self)
        super().done(result)

    # ---- choices ----
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def spec(self) -> Any:
        return self.kinds[self.kind()]

    def kind_chosen(self) -> None:
        spec = self.spec()
        self.help.setText(spec.help)
        self.format_combo.blockSignals(True)
        self.format_combo.clear()
        for fmt in spec.formats:
            self.format_combo.addItem(FORMAT_LABELS.get(fmt, fmt), fmt)
        self.format_combo.blockSignals(False)
        self.form.setRowVisible(3, spec.yearly)
        self.form.setRowVisible(4, self.kind() in ("summary", "activities", "absences"))
        self.form.setRowVisible(5, spec.needs == "booking")
        self.form.setRowVisible(6, spec.needs == "staff")
        self.form.setRowVisible(7, self.kind() == "claims")
        self.form.setRowVisible(8, self.kind() == "budget")
        self._fill_choices()
        self.options_changed()

    def _fill_choices(self) -> None:
        fill_export_choices(self.ctx, self.spec(), self.booking_combo, self.staff_combo)

    def options(self) -> dict[str, Any]:
        spec = self.spec()
        kind = self.kind()
        period = (self.period_combo.currentData() or {}) if kind == "claims" else {}
        self.year_combo.setEnabled(not period)  # a financial year or a month takes the academic year's place
        if kind == "budget" and self.fy_combo.currentData():
            period = {"financial_year": self.fy_combo.currentData()}
        return {"year": self.year_combo.currentData() if spec.yearly and not period else None,
                "department": self.dept_combo.currentData() if kind in ("summary", "activities", "absences") else None,
                "booking_id": self.booking_combo.currentData() if spec.needs == "booking" else None,
                "staff_code": self.staff_combo.currentData() if spec.needs == "staff" else None, **period}

    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def options_changed(self) -> None:
        """Offer a file name that says what is in it (until the person types their own)."""
        from ..exports import suggested_filename

        opts = self.options()
        fmt = self.fmt()
        name = suggested_filename(self.ctx.db, self.ctx.school_id, self.kind(), fmt,
                                  **{**opts, "year": opts["year"].label if opts["year"] else None})
        current = self.file_edit.text().strip()
        if not current or not self._named_by_hand:
            folder = Path(current).parent if current else Path(settings.last_folder("export"))
            self.file_edit.setText(str(folder / name))
        elif not current.lower().endswith("." + fmt):
            self.file_edit.setText(str(Path(current).with_suffix("." + fmt)))
        self.validate()

    def browse(self) -> None:
        fmt = self.fmt()
        path, _f = QFileDialog.getSaveFileName(self, "Save the export as", self.file_edit.text(),
                                               f"{fmt.upper()} files (*.{fmt})")
        if path:
            if not path.lower().endswith("." + fmt):
                path += "." + fmt
            self._named_by_hand = True
            self.file_edit.setText(path)

    def problem(self) -> str:
        spec = self.spec()
        opts = self.options()
        if spec.needs == "booking" and opts["booking_id"] is None:
            return "There is no booking needing cover to make a cover sheet for."
        if spec.needs == "staff" and not opts["staff_code"]:
            return "Choose the member of staff."
        text = self.file_edit.text().strip()
        if not text:
            return "Choose where to save the file."
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            return f"The folder {path.parent} does not exist."
        if path.is_dir():
            return f"{path} is a folder: give a file name."
        return ""

    def validate(self) -> bool:
        problem = self.problem()
        self.error.setText(problem)
        self.ok_button.setEnabled(not problem)
        return not problem

    def _try_accept(self) -> None:
        if self.validate():
            self.accept()

    def output(self) -> str:
        path = Path(self.file_edit.text().strip()).expanduser()
        if path.suffix.lower() != "." + self.fmt():
            path = path.with_name(path.name + "." + self.fmt())
        return str(path)

    def run(self, parent: QWidget | None) -> Any:
        """Write the export in the background (progress, Cancel, then Open file / Show in folder)."""
        from .exporting import export

        output = self.output()
        settings.set_last_folder("export", output)
        return export(parent, self.ctx, self.kind(), self.fmt(), output=output, **self.options())

    @classmethod
    def ask(cls, parent: Any, ctx: Any) -> Any:
        trust = bool(getattr(parent, "trust_shown", lambda: False)())
        dialog = cls(ctx, parent, trust=trust)
        try:
            if dialog.exec():
                return dialog.run(parent)
            return None
        finally:
            dialog.deleteLater()


def period_combo(ctx: Any) -> QComboBox:
    """A claims export's other periods: the school's financial years and the last twelve months."""
    from ..exports import claim_periods

    combo = QComboBox()
    combo.setAccessibleName("Financial year or month")
    combo.setToolTip("Bursary claims for a financial year (its start month is in Settings) or a month, "
                     "instead of the academic year")
    combo.addItem("The academic year", None)
    if ctx.school_id is not None:
        for label, value in claim_periods(ctx.db, ctx.school_id, ctx.today):
            combo.addItem(label, value)
    return combo


def financial_year_combo(ctx: Any) -> QComboBox:
    """The CPD budget's financial year: this year unless another is chosen (last year's is the one a business
    manager reports on once it has closed)."""
    combo = QComboBox()
    combo.setAccessibleName("Financial year")
    fill_financial_years(ctx, combo)
    return combo


def fill_financial_years(ctx: Any, combo: QComboBox) -> None:
    """Next year, this year, the two before (as the Budget view offers them), the one chosen kept; quietly."""
    from ..services.budget import fy_text, recent_financial_years

    chosen = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if ctx.school_id is not None:
        with ctx.session() as s:
            years = recent_financial_years(ctx.school(s), ctx.today)
        for year in years:
            combo.addItem(fy_text(year), fy_text(year))
        again = combo.findData(chosen) if chosen else -1
        combo.setCurrentIndex(again if again >= 0 else 1)
    combo.blockSignals(False)


def fill_export_choices(ctx: Any, spec: Any, booking_combo: Any, staff_combo: Any) -> None:
    """The bookings (for a cover sheet) or people (for a record) an export can be about, once."""
    if spec.needs == "booking" and booking_combo.count() == 0:
        booking_combo.blockSignals(True)
        for ident, text in choices.cover_booking_choices(ctx.db, ctx.school_id):
            booking_combo.addItem(text, ident)
        booking_combo.blockSignals(False)
    if spec.needs == "staff" and staff_combo.count() == 0:
        staff_combo.blockSignals(True)
        for code, text in choices.staff_code_choices(ctx.db, ctx.school_id):
            staff_combo.addItem(text, code)
        staff_combo.blockSignals(False)
