"""One person's CPD record: everything CPD Desktop holds about them (appraisal, portfolio, or a
subject access request under UK GDPR), including the audit trail of changes to their records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm

from ...services.formatting import format_date, format_datetime, format_hours, format_money, format_percent
from ..rows import StaffRecordData
from ..safety import Ticker
from .claims import claim_cells, claim_columns
from .log import log_cells, log_columns
from .template import Column, Document, data_table, head, key_values, make_styles, para


def write_record_pdf(d: StaffRecordData, school_name: str, path: Path, ticker: Ticker | None = None,
                     today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    styles = make_styles()
    doc = Document(path, school_name, f"CPD record: {d.name}", subject="Individual CPD record", produced=today)
    w = doc.width
    scope = f"CPD in {d.year_label}" if d.year_label else "all years"
    story: list[Any] = [
        para(f"Individual CPD record: {d.name}", styles.title),
        para(f"{d.staff_code} · {scope} · everything CPD Desktop holds about this person on "
             f"{format_date(today)}, for appraisal, a portfolio or a subject access request.", styles.subtitle),
        *head("Personal details", styles.h2),
    ]
    story += key_values(d.details, (45 * mm, w - 45 * mm))

    story += head("CPD hours by academic year", styles.h2)
    if d.years:
        cols = [Column("Year", 60), Column("Hours", 60, "RIGHT"), Column("Target (pro rata)", 80, "RIGHT"),
                Column("% of target", 60, "RIGHT"), Column("Subject specific", 80, "RIGHT"),
                Column("All five DfE parts", 80, "RIGHT"), Column("Evaluated", 75, "RIGHT")]
        story += data_table(cols, [
            (label, format_hours(h.hours), format_hours(h.target_hours), format_percent(h.progress),
             format_percent(h.subject_share),
             format_percent(float(h.all_parts_hours / h.hours * 100) if h.hours else None),
             f"{h.evaluated} of {h.activities}") for label, h in d.years], size=8)
    else:
        story.append(para("No CPD is recorded.", styles.body))

    story += head("CPD activities", styles.h2)
    if d.activities:
        story += data_table(log_columns(w), (log_cells(a) for a in d.activities), size=7.5)
    else:
        story.append(para("None recorded.", styles.body))
    noted = [(a, items) for a, items in d.activity_notes if items]
    if noted:
        story += head("Evaluations and notes on each activity", styles.h2)
        for a, items in noted:
            story += head(f"{format_date(a.date)}: {a.title}", styles.h3)
            story += key_values(items, (38 * mm, w - 38 * mm), size=8)

    story += head("Bookings", styles.h2)
    if d.bookings:
        cols = [Column("Dates", 62), Column("Course", 150), Column("Status", 48), Column("Hours", 34, "RIGHT"),
                Column("Fee", 46, "RIGHT"), Column("Travel, accommodation, subsistence", 70, "RIGHT"),
                Column("Cover", 48, "RIGHT"), Column("Total", 50, "RIGHT")]
        scale = w / sum(c.width for c in cols)
        for c in cols:
            c.width *= scale
        story += data_table(cols, [(
            format_date(b["start_date"]) + (f"\nto {format_date(b['end_date'])}" if b["end_date"] != b["start_date"]
                                            else ""),
            b["title"] + (f"\n{b['provider']}" if b["provider"] else "") + f"\n{b['format']}"
            + (f"\nBudget code {b['budget_code']}" if b["budget_code"] else "")
            + (f"\nSupply invoice {b['supply_invoice_ref']}" if b["supply_invoice_ref"] else ""),
            b["status"], format_hours(b["hours"]), format_money(b["fee"]),
            "\n".join(format_money(b[k]) for k in ("travel", "accommodation", "subsistence")),
            f"{format_money(b['cover'])}\n({b['cover_days']:g} days)", format_money(b["total"]),
        ) for b in d.bookings], size=7.5)
        for b in d.bookings:
            if b["texts"]:
                story += head(f"{format_date(b['start_date'])}: {b['title']}", styles.h3)
                story += key_values(b["texts"], (38 * mm, w - 38 * mm), size=8)
    else:
        story.append(para("None.", styles.body))

    if d.cover_lessons:
        story += head("Lessons covered while away", styles.h2)
        cols = [Column("Date", 52), Column("Period", 34), Column("Class", 42), Column("Subject", 52),
                Column("Work set", 140), Column("Cover teacher", 70), Column("Feedback", 125)]
        scale = w / sum(c.width for c in cols)
        for c in cols:
            c.width *= scale
        story += data_table(cols, [(format_date(c.date), c.period_label, c.class_group or "", c.subject or "",
                                    c.work_set or "", c.cover_teacher or "", c.feedback or "")
                                   for c in d.cover_lessons], size=7.5)

    if d.claims:
        story += head("Bursary claims", styles.h2)
        cols = claim_columns(w)
        keep = [0, 1, 2, 8, 9, 10, 11, 12]
        chosen = [cols[i] for i in keep]
        scale = w / sum(c.width for c in chosen)
        for c in chosen:
            c.width *= scale
        story += data_table(chosen, [[claim_cells(c, today)[i] for i in keep] for c in d.claims], size=7.5)

    if d.timetable:
        story += head("Timetable held", styles.h2)
        cols = [Column("Week", 70), Column("Day", 70), Column("Period", 50), Column("Class", 80),
                Column("Subject", 110), Column("Room", 60)]
        story += data_table(cols, d.timetable, size=7.5)

    story += head("Audit trail: changes to this person's records", styles.h2)
    if d.audit:
        cols = [Column("When", 62), Column("Who", 58), Column("What", 42), Column("Record", 130),
                Column("Details", 222)]
        scale = w / sum(c.width for c in cols)
        for c in cols:
            c.width *= scale
        story += data_table(cols, [(format_datetime(e["at"]), e["user"], e["action"], e["summary"], e["changes"])
                                   for e in d.audit], size=7)
    else:
        story.append(para("No changes recorded.", styles.body))
    doc.build(story, ticker)
