"""The governors' impact workbook: Summary figures are live formulas over the People and Retention sheets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...services.formatting import format_date
from ...services.impact import SIDE_BY_SIDE, ImpactData
from ..safety import Ticker
from .common import (
    HOURS_KIND,
    INT_KIND,
    PERCENT_KIND,
    TEXT,
    Col,
    DataSheet,
    Formula,
    Styles,
    Writer,
    building,
    new_sheet,
    new_workbook,
    save,
    set_widths,
)

PEOPLE = [Col("Staff code"), Col("Name"), Col("Department"), Col("Hours", HOURS_KIND),
          Col("Sustained hours", HOURS_KIND), Col("Stages due", INT_KIND), Col("Stages done", INT_KIND),
          Col("Stages overdue", INT_KIND), Col("Confidence before", HOURS_KIND), Col("Confidence after", HOURS_KIND),
          Col("Confidence later", HOURS_KIND)]
RETENTION = [Col("Year"), Col("Teachers at start", INT_KIND), Col("Stayed", INT_KIND), Col("Left", INT_KIND),
             Col("Retention", PERCENT_KIND), Col("Mean hours (stayed)", HOURS_KIND),
             Col("Mean hours (left)", HOURS_KIND)]
PRIORITIES = [Col("Priority"), Col("Activities", INT_KIND), Col("People", INT_KIND), Col("Hours", HOURS_KIND),
              Col("Evaluated %", HOURS_KIND)]
PROGRAMMES = [Col("Programme"), Col("Sustained", TEXT), Col("Activities", INT_KIND), Col("People", INT_KIND),
              Col("Hours", HOURS_KIND), Col("Confidence before", HOURS_KIND), Col("Confidence after", HOURS_KIND),
              Col("Confidence later", HOURS_KIND)]
INDICATORS = [Col("Year"), Col("Indicator"), Col("Group"), Col("Value", HOURS_KIND), Col("Unit")]


def write_impact_xlsx(data: ImpactData, path: Path, ticker: Ticker | None = None) -> None:
    wb = new_workbook(f"Impact of CPD {data.year}", data.school_name, "What the school's CPD changed")
    with building(wb):
        styles = Styles(wb)
        summary = new_sheet(wb, "Summary")
        people = DataSheet(wb, styles, "People", PEOPLE, table_name="People")
        people.write(data.people, lambda p: (
            p["staff_code"], p["name"], p["department"], p["hours"], p["sustained_hours"], p["stages_due"],
            p["stages_done"], p["stages_overdue"], p["confidence_before"], p["confidence_after"],
            p["confidence_later"]), ticker)
        retention = DataSheet(wb, styles, "Retention", RETENTION, table_name="Retention")
        retention.write(data.retention, lambda r, n: (
            r["year"], r["teachers_at_start"], r["stayed"], r["left"],
            Formula(f'=IF(B{n}>0,C{n}/B{n},"")') if r["retention_rate"] is not None else "not yet known",
            r["mean_hours_stayed"], r["mean_hours_left"]), with_row=True)
        DataSheet(wb, styles, "Priorities", PRIORITIES, table_name="Priorities").write(data.priorities, lambda r: (
            r["priority"], r["activities"], r["people"], r["hours"], r["evaluated_share"]))
        DataSheet(wb, styles, "Programmes", PROGRAMMES, table_name="Programmes").write(data.programmes, lambda r: (
            r["programme"], "yes" if r["sustained"] else "no", r["activities"], r["people"], r["hours"],
            r["confidence_before"], r["confidence_after"], r["confidence_later"]))
        DataSheet(wb, styles, "Indicators", INDICATORS, table_name="Indicators").write(data.indicators, lambda r: (
            r["year"], r["indicator"], r["group"], r["value"], r["unit"]))
        _summary(summary, styles, data, people)
        save(wb, path)


def _summary(ws: Any, styles: Styles, data: ImpactData, people: DataSheet) -> None:
    w = Writer(ws, styles)
    widths = [52, 14]
    set_widths(ws, widths)
    hours, sustained = people.range("Hours"), people.range("Sustained hours")
    due, done, overdue = people.range("Stages due"), people.range("Stages done"), people.range("Stages overdue")
    rows: list[list[Any]] = [
        [w.text(f"Impact of CPD {data.year}", styles.title)],
        [w.text(f"{data.school_name} · produced {format_date(data.today)}. The figures below are formulas over "
                "the People sheet.", styles.note)],
        [],
        [w.text("Hours of CPD"), w.formula(f"=SUM({hours})", HOURS_KIND)],
        [w.text("Sustained hours (programmes over two terms or more)"), w.formula(f"=SUM({sustained})", HOURS_KIND)],
        [w.text("Sustained share"), w.formula('=IF(B4>0,B5/B4,"")', PERCENT_KIND)],
        [w.text("Evaluation stages due"), w.formula(f"=SUM({due})", INT_KIND)],
        [w.text("Evaluation stages done"), w.formula(f"=SUM({done})", INT_KIND)],
        [w.text("Evaluation stages overdue"), w.formula(f"=SUM({overdue})", INT_KIND)],
        [w.text("People with stages due who completed every one"),
         w.formula(f'=COUNTIFS({due},">0",{overdue},0)', INT_KIND)],
        [],
        [w.text("Findings", styles.bold)],
        *[line for sentence in data.findings for line in w.paragraph(sentence, sum(widths))],
        [],
        *w.paragraph(SIDE_BY_SIDE, sum(widths), styles.note),
    ]
    for line in rows:
        ws.append(line)
