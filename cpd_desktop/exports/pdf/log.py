"""The CPD log for a year: every activity, grouped by person."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import Any

from ...services.formatting import format_date, format_hours, plural
from ..rows import ActivityRow
from ..safety import Ticker
from .template import Column, Document, data_table, head, make_styles, para


def standard_parts(parts: Sequence[bool]) -> str:
    """'All five', '1, 3, 5' or '–': which parts of the DfE Standard an activity meets."""
    met = [str(i) for i, ok in enumerate(parts, 1) if ok]
    if len(met) == len(parts):
        return "All five"
    return ", ".join(met) or "–"


def log_columns(width: float) -> list[Column]:
    spec = [("Date", 58, "LEFT"), ("Title", 136, "LEFT"), ("Provider", 88, "LEFT"), ("Format", 62, "LEFT"),
            ("Hours", 34, "RIGHT"), ("Subject specific", 42, "LEFT"), ("DfE Standard parts", 50, "LEFT"),
            ("Evaluated", 58, "LEFT")]
    scale = width / sum(w for _, w, _ in spec)
    return [Column(title, w * scale, align) for title, w, align in spec]


def log_cells(a: ActivityRow) -> list[str]:
    when = format_date(a.date) + (f"\nto {format_date(a.end_date)}" if a.end_date and a.end_date != a.date else "")
    return [when, a.title, a.provider or "", a.format_label, format_hours(a.hours),
            "Yes" if a.subject_specific else "No", standard_parts(a.standard),
            format_date(a.evaluated_on) if a.evaluated_on else "Not yet"]


def write_log_pdf(rows: list[ActivityRow], school_name: str, scope: str, path: Path,
                  ticker: Ticker | None = None, produced: Any = None) -> None:
    """``scope`` says what the log covers, e.g. "2025/26, Science department"."""
    styles = make_styles()
    kw = {"produced": produced} if produced else {}
    doc = Document(path, school_name, f"CPD log {scope}", subject="Every CPD activity, by person", **kw)
    columns = log_columns(doc.width)
    people = len({r.staff_id for r in rows})
    total = sum((r.hours for r in rows), Decimal("0.00"))
    story: list[Any] = [
        para(f"CPD log {scope}", styles.title),
        para(f"{plural(len(rows), 'activity', 'activities')} of {plural(people, 'person', 'people')}, "
             f"{format_hours(total)} hours. "
             "DfE Standard parts: 1 pupil outcomes, 2 evidence and expertise, 3 collaboration and expert "
             "challenge, 4 sustained over time, 5 prioritised by leadership.", styles.subtitle),
    ]
    if not rows:
        story.append(para("No CPD is recorded for this period.", styles.body))
    for _, group in groupby(rows, key=lambda r: r.staff_id):
        items = list(group)
        first = items[0]
        hours = sum((r.hours for r in items), Decimal("0.00"))
        heading = f"{first.name} ({first.staff_code})" + (f", {first.department}" if first.department else "")
        story += head(f"{heading}: {format_hours(hours)} hours in {plural(len(items), 'activity', 'activities')}",
                      styles.h3)
        story += data_table(columns, (log_cells(a) for a in items), size=7.5)
    story.append(para(f"{plural(len(rows), 'activity', 'activities')}, {format_hours(total)} hours in all.",
                      styles.note))
    doc.build(story, ticker)
