"""The cover lists for the cover manager: the lessons of one release-cover sheet, and every lesson to
cover for CPD (reason code CPD) as the MIS (SIMS, Arbor, Bromcom) wants it keyed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...services.formatting import format_date
from ..rows import AbsenceRow, CoverSheetData
from ..safety import Ticker, csv_writer
from .common import (
    DATE_KIND,
    INT_KIND,
    Col,
    DataSheet,
    Styles,
    Writer,
    building,
    new_sheet,
    new_workbook,
    save,
    set_widths,
)

ABSENCE_COLUMNS = [
    Col("Staff code"), Col("Name"), Col("Date", DATE_KIND), Col("Day"), Col("Period"), Col("Times"),
    Col("Class"), Col("Subject"), Col("Room"), Col("Reason code"), Col("Reason"), Col("Booking", INT_KIND),
]
ABSENCE_HEADERS = [c.header for c in ABSENCE_COLUMNS]


def absence_values(r: AbsenceRow) -> tuple[Any, ...]:
    return (r.staff_code, r.staff_name, r.date, f"{r.date:%A}", r.period_label, r.times, r.class_group,
            r.subject, r.room, r.reason_code, r.reason, r.booking_id)


def write_absences_xlsx(rows: Sequence[AbsenceRow], school_name: str, scope: str, path: Path,
                        ticker: Ticker | None = None) -> None:
    """One row per lesson to cover, reason code CPD, to key into SIMS, Arbor or Bromcom."""
    wb = new_workbook(f"Cover absences {scope}", school_name, "Lessons to cover for CPD, by period")
    with building(wb):
        styles = Styles(wb)
        if ticker is not None:
            ticker.total = len(rows) + 1
        DataSheet(wb, styles, "Absences", ABSENCE_COLUMNS, table_name="Absences").write(rows, absence_values, ticker)
        save(wb, path)


def write_absences_csv(rows: Sequence[AbsenceRow], path: Path, ticker: Ticker | None = None) -> None:
    """The same list as CSV (UTF-8 with BOM so that Excel reads accents; dates dd/mm/yyyy)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv_writer(fh)
        writer.writerow(ABSENCE_HEADERS)
        for r in rows:
            writer.writerow([format_date(v) if isinstance(v, dt.date) else v for v in absence_values(r)])
            if ticker is not None:
                ticker.step()


COVER_COLUMNS = [
    Col("Date", DATE_KIND), Col("Day"), Col("Period"), Col("Times"), Col("Class"), Col("Subject"), Col("Room"),
    Col("Work set"), Col("Where the materials are"), Col("Work collected or homework"), Col("Technician notes"),
    Col("Cover teacher"), Col("Feedback"),
]


def write_cover_xlsx(data: CoverSheetData, school_name: str, path: Path, ticker: Ticker | None = None) -> None:
    """The lessons of one release-cover sheet as a workbook, for a cover manager who plans in Excel."""
    wb = new_workbook(f"Release cover: {data.staff_name}", school_name, data.reason)
    with building(wb):
        styles = Styles(wb)
        lessons = data.lessons
        if ticker is not None:
            ticker.total = len(lessons) + 1
        DataSheet(wb, styles, "Cover lessons", COVER_COLUMNS, table_name="CoverLessons").write(lessons, lambda c: (
            c.date, f"{c.date:%A}", c.period_label, c.times, c.class_group, c.subject, c.room, c.work_set,
            c.materials_location, c.work_return_label if c.entered else None, c.technician_notes, c.cover_teacher,
            c.feedback), ticker)
        about = new_sheet(wb, "About")
        w = Writer(about, styles)
        set_widths(about, [18, 80])
        for label, value in (("Absent teacher", f"{data.staff_name} ({data.staff_code})"),
                             ("Dates", f"{format_date(data.start_date)} to {format_date(data.end_date)}"),
                             ("Reason", data.reason), ("Booking", str(data.booking_id))):
            about.append([w.text(label, styles.bold), w.text(value)])
        save(wb, path, detail=f"{format_date(data.start_date)} to {format_date(data.end_date)}")
