"""The release-cover sheet: one landscape page per day away, for the cover manager and cover teacher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Table, TableStyle

from ...services.formatting import format_date
from ..rows import CoverLessonRow, CoverSheetData
from ..safety import Ticker
from .template import (
    BOLD,
    FONT,
    INK,
    RULE,
    Column,
    Document,
    data_table,
    key_values,
    make_styles,
    para,
    spacer,
    wrap,
)

NOT_ENTERED = "(not entered yet: ask the head of department)"


def cover_columns(width: float) -> list[Column]:
    shares = [("Period", 68), ("Class", 48), ("Subject", 62), ("Room", 38), ("Work set", 172),
              ("Where the materials are", 118), ("Work collected or homework", 70), ("Technician notes", 100),
              ("Cover teacher", 88)]
    scale = width / sum(w for _, w in shares)
    return [Column(title, w * scale) for title, w in shares]


def lesson_cells(lesson: CoverLessonRow) -> list[str]:
    return [
        f"{lesson.period_label}\n{lesson.times}" if lesson.times else lesson.period_label,
        lesson.class_group or "", lesson.subject or "", lesson.room or "",
        lesson.work_set or ("" if lesson.entered else NOT_ENTERED), lesson.materials_location or "",
        lesson.work_return_label if lesson.entered else "", lesson.technician_notes or "",
        lesson.cover_teacher or "",
    ]


def write_cover_pdf(data: CoverSheetData, school_name: str, path: Path, ticker: Ticker | None = None) -> None:
    styles = make_styles()
    doc = Document(path, school_name, f"Release cover: {data.staff_name}",
                   subject=f"Cover for {data.staff_name}, {data.reason}", wide=True, top=18 * mm, bottom=15 * mm)
    columns = cover_columns(doc.width)
    story: list[Any] = []
    teacher = f"{data.staff_name} ({data.staff_code})" + (f", {data.department}" if data.department else "")
    for number, day in enumerate(data.days, 1):
        if number > 1:
            story.append(PageBreak())
        story.append(para(f"Release cover: {data.staff_name}", styles.title))
        when = f"{day.date:%A} {format_date(day.date)}"
        if len(data.days) > 1:
            when += f" (day {number} of {len(data.days)})"
        facts = [("Absent teacher", teacher), ("Date", when), ("Reason", data.reason),
                 ("Lessons to cover", str(len(day.lessons)))]
        if data.status == "cancelled":
            facts.append(("Note", "This booking has been cancelled: no cover is needed."))
        story.extend(key_values(facts, (40 * mm, doc.width - 40 * mm), size=10))
        story.append(spacer(3))
        if day.lessons:
            story.extend(data_table(columns, (lesson_cells(lesson) for lesson in day.lessons), size=8.5,
                                    min_lines=3, extra=[("GRID", (0, 0), (-1, -1), 0.4, RULE)]))
        else:
            story.append(para("No lessons are recorded for this day. Add them in the Cover view, "
                              "or import the timetable, and export the sheet again.", styles.body))
        story.append(spacer(4))
        story.append(_feedback_box(data.staff_name, doc.width))
    doc.build(story, ticker)


def _feedback_box(absent: str, width: float) -> Table:
    label = "\n".join(wrap(f"Feedback for {absent}: behaviour, work completed, anything to follow up",
                           width - 8, 9, BOLD))
    rows = [["Cover teacher's name:", "Signed:"], [label, ""], ["", ""]]
    table = Table(rows, colWidths=[width * 0.62, width * 0.38], rowHeights=[18, None, 62])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9, 11),
        ("FONT", (0, 0), (-1, 1), BOLD, 9, 11),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("LINEAFTER", (0, 0), (0, 0), 0.5, RULE),
        ("SPAN", (0, 1), (1, 1)), ("SPAN", (0, 2), (1, 2)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    table.hAlign = "LEFT"
    return table
