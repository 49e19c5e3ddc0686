"""Running an export from the window: choose a file, write it in a worker with progress and cancel,
then offer to open it or show it in its folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..services.formatting import in_sentence
from . import settings
from .workers import Job, run_with_progress


class SaveAs:
    @classmethod
    def ask(cls, parent: QWidget | None, title: str, suggested: str, fmt: str) -> str | None:
        start = str(Path(settings.last_folder("export")) / suggested)
        path, _f = QFileDialog.getSaveFileName(parent, title, start, f"{fmt.upper()} files (*.{fmt})")
        if not path:
            return None
        if not path.lower().endswith("." + fmt):
            path += "." + fmt
        settings.set_last_folder("export", path)
        return path


class ExportDone:
    """"Open file" / "Show in folder" / "Close" after an export; ``ask`` returns the choice."""

    @classmethod
    def ask(cls, parent: QWidget | None, path: Path) -> str:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Export written")
        box.setText(f"Saved {path.name}")
        box.setInformativeText(str(path.parent))
        open_b = box.addButton("Open file", QMessageBox.ButtonRole.AcceptRole)
        folder_b = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Close", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is open_b:
            return "open"
        if box.clickedButton() is folder_b:
            return "folder"
        return "close"


def after_export(parent: QWidget | None, path: Path) -> None:
    choice = ExportDone.ask(parent, path)
    if choice == "open":
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    elif choice == "folder":
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def export(parent: QWidget | None, ctx: Any, kind: str, fmt: str, *, booking_id: int | None = None,
           staff_code: str | None = None, year: Any = None, department: str | None = None,
           output: str | None = None, financial_year: str | None = None, month: str | None = None) -> Job | None:
    """Ask where to save (unless ``output`` is given) and write the export in the background."""
    from ..exports import KINDS, suggested_filename

    spec = KINDS[kind]
    period = {k: v for k, v in (("financial_year", financial_year), ("month", month)) if v}
    year = year if year is not None or period else (ctx.year if spec.yearly else None)
    if output is None:
        suggested = suggested_filename(ctx.db, ctx.school_id, kind, fmt, year=year.label if year else None,
                                       department=department, booking_id=booking_id, staff_code=staff_code,
                                       **period)
        output = SaveAs.ask(parent, f"Save {in_sentence(spec.label)}", suggested, fmt)
        if output is None:
            return None

    def work(progress: Any, cancelled: Any) -> Path:
        from ..exports import run_export

        return run_export(ctx.db, ctx.school_id, kind, fmt, output, year=year, department=department,
                          booking_id=booking_id, staff_code=staff_code, **period,
                          progress=lambda done, total: progress(done, total, f"Writing {in_sentence(spec.label)}…"),
                          cancelled=cancelled, today=ctx.today)

    return run_with_progress(parent, spec.label, work, lambda path: after_export(parent, Path(path)),
                             label=f"Writing {in_sentence(spec.label)}…")
