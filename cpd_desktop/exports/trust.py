"""The trust's comparison of its schools: a PDF for the trust board and a workbook for finance.

One row per school (hours per FTE, subject-specific share, share meeting all five parts of the
DfE Standard, staff meeting their target, cost of CPD including cover, bursary money expected /
claimed / received), then each school's own people. Every figure is added up in SQL within one
school at a time (``services.trust``), so no school's records are mixed into another's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..services.formatting import (
    format_fte,
    format_hours,
    format_money,
    format_per_fte,
    format_percent,
    per_fte,
    plural,
)
from ..services.hours_figures import DepartmentSummary, summarise
from ..services.reports import HoursRow, hours_by_school
from ..services.schools import list_schools
from ..services.trust import TrustRow, school_row
from ..services.years import AcademicYear
from .safety import Ticker


@dataclass
class TrustData:
    name: str  # what to call the trust in headers
    year: AcademicYear
    produced: dt.date
    schools: list[TrustRow]
    people: dict[str, list[HoursRow]]  # school name → its staff's hours


def trust_data(session: Session, year: AcademicYear, today: dt.date, name: str = "Trust") -> TrustData:
    schools = list_schools(session)
    hours = hours_by_school(session, schools, year)  # each school's people once: its line sums the same rows
    return TrustData(name=name, year=year, produced=today,
                     schools=[school_row(session, school, year, hours[school.id]) for school in schools],
                     people={school.name: hours[school.id] for school in schools})


def _total(rows: list[TrustRow], attr: str) -> Decimal:
    return sum((getattr(r, attr) for r in rows), Decimal("0.00"))


def trust_total(d: TrustData) -> DepartmentSummary:
    """The "All schools" line's hours figures: every school's people added up by the one rule (``summarise``), so
    its staff, hours and "met" are the schools' own added up and its shares are of the added-up hours."""
    return summarise([p for people in d.people.values() for p in people])


def outside_target(d: TrustData) -> int:
    """How many people are listed under their schools but outside the CPD target (technicians, by default)."""
    return sum(1 for people in d.people.values() for p in people if not p.in_target)


def met_text(met: int, staff: int) -> str:
    """"3 of 23" met their target; "–" where nobody has a target."""
    return f"{met} of {staff}" if staff else "–"


def per_fte_text(hours: Decimal, fte: float) -> str:
    """Hours per FTE; "–" where there is no FTE to share them by (not 0.0)."""
    return format_per_fte(per_fte(hours, fte)) if fte else "–"


def progress_text(p: HoursRow) -> str:
    """A person's hours as a share of their target; "–" for someone with no target (never 0%)."""
    return format_percent(p.progress if p.target_hours else None)


# ---------------------------------------------------------------- PDF

def write_trust_pdf(d: TrustData, path: Path, ticker: Ticker | None = None) -> None:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.platypus import CondPageBreak

    from .pdf.template import ACCENT, FONT, Column, Document, data_table, make_styles, para, spacer

    doc = Document(path, d.name, f"Trust CPD comparison {d.year.label}", subject="CPD across the trust's schools",
                   wide=True, produced=d.produced)
    st = make_styles()
    story: list[Any] = doc.heading(st, f"{plural(len(d.schools), 'school')} · academic year {d.year.label}")
    t = trust_total(d)
    hours, fte = t.hours, t.fte
    outside = outside_target(d)
    story.append(para(
        f"Across the trust {t.staff} staff in the CPD target ({format_fte(fte)} FTE) recorded "
        f"{format_hours(hours)} hours of CPD in {d.year.label}, "
        f"{per_fte_text(hours, fte)} hours per FTE; {t.met_target} of {t.staff} met their target. "
        f"CPD cost {format_money(_total(d.schools, 'cost'))} including "
        f"{format_money(_total(d.schools, 'cover_cost'))} of supply cover; bursaries expected "
        f"{format_money(_total(d.schools, 'bursary_expected'))}, received "
        f"{format_money(_total(d.schools, 'bursary_received'))}."
        + (f" {plural(outside, 'person', 'people')} outside the target (technicians and other support staff) "
           f"{'is' if outside == 1 else 'are'} listed under their schools but not counted in the staff, hours or met-target figures; their "
           "cost is counted." if outside else ""), st.body))
    w = doc.width
    cols = [Column("School", w * 0.175), Column("Staff", w * 0.05, "RIGHT"), Column("FTE", w * 0.05, "RIGHT"),
            Column("Hours", w * 0.065, "RIGHT"), Column("Hours per FTE", w * 0.07, "RIGHT"),
            Column("Subject-specific", w * 0.115, "RIGHT"), Column("All 5 Standard parts", w * 0.08, "RIGHT"),
            Column("Met target", w * 0.06, "RIGHT"), Column("Cost incl. cover", w * 0.085, "RIGHT"),
            Column("of which cover", w * 0.075, "RIGHT"), Column("Bursary expected", w * 0.08, "RIGHT"),
            Column("Bursary received", w * 0.08, "RIGHT")]
    rows = [[r.school, r.staff, format_fte(r.fte), format_hours(r.hours), per_fte_text(r.hours, r.fte),
             format_percent(r.subject_share), format_percent(r.all_parts_share), met_text(r.met_target, r.staff),
             format_money(r.cost), format_money(r.cover_cost), format_money(r.bursary_expected),
             format_money(r.bursary_received)] for r in d.schools]
    total = ["All schools", t.staff, format_fte(fte), format_hours(hours),
             per_fte_text(hours, fte), format_percent(t.subject_share), format_percent(t.all_parts_share),
             met_text(t.met_target, t.staff), format_money(_total(d.schools, "cost")),
             format_money(_total(d.schools, "cover_cost")), format_money(_total(d.schools, "bursary_expected")),
             format_money(_total(d.schools, "bursary_received"))]
    story += data_table(cols, rows, total_row=total if d.schools else None)
    if d.schools:
        band = 18.0
        drawing = Drawing(w, band * len(d.schools) + 40)
        chart = HorizontalBarChart()
        chart.x, chart.y = 170, 20
        chart.width, chart.height = w - 200, band * len(d.schools)  # type: ignore[assignment]  # the stubs say int: any number is drawn
        chart.data = [[float(r.hours_per_fte) for r in reversed(d.schools)]]
        chart.categoryAxis.categoryNames = [r.school[:32] for r in reversed(d.schools)]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 8
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 8
        chart.valueAxis.valueMin = 0
        chart.bars[0].fillColor = ACCENT
        chart.barLabelFormat = "%.1f h"
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = 7
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
        drawing.add(chart)
        story += [spacer(4), para("Hours of CPD per full-time equivalent", st.h3), drawing]
    for school, people in d.people.items():
        story += [CondPageBreak(60), para(school, st.h2)]
        pcols = [Column("Code", w * 0.07), Column("Name", w * 0.25), Column("Department", w * 0.16),
                 Column("FTE", w * 0.06, "RIGHT"), Column("Hours", w * 0.08, "RIGHT"),
                 Column("Target", w * 0.08, "RIGHT"), Column("% of target", w * 0.09, "RIGHT"),
                 Column("Subject-specific", w * 0.12, "RIGHT"), Column("Activities", w * 0.09, "RIGHT")]
        prow = [[p.staff_code, p.name, p.department or "", format_fte(p.fte), format_hours(p.hours),
                 format_hours(p.target_hours) if p.in_target else "–", progress_text(p),
                 format_hours(p.subject_specific_hours),
                 p.activities] for p in people]
        story += data_table(pcols, prow) if prow else [para("No staff recorded for this year.", st.note)]
        if any(not p.in_target for p in people):
            story.append(para("Target '–': outside the CPD target (technicians and other support staff), listed "
                              "but not counted in the school's staff, hours or met-target figures.", st.note))
    doc.build(story, ticker)


# ---------------------------------------------------------------- workbook

def _sheet_names(schools: list[str]) -> list[str]:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique, never 'Trust'."""
    out: list[str] = []
    for name in schools:
        base = re.sub(r"[\[\]:*?/\\']", " ", name).strip()[:31] or "School"
        candidate, n = base, 2
        while candidate.lower() in {o.lower() for o in out} | {"trust"}:
            suffix = f" ({n})"
            candidate = base[:31 - len(suffix)] + suffix
            n += 1
        out.append(candidate)
    return out


def write_trust_xlsx(d: TrustData, path: Path, ticker: Ticker | None = None) -> None:
    from .xlsx.common import (
        FTE_KIND,
        HOURS_KIND,
        INT_KIND,
        MONEY_KIND,
        PER_FTE_KIND,
        PERCENT_KIND,
        TEXT,
        YESNO,
        Col,
        DataSheet,
        Styles,
        building,
        new_workbook,
        save,
    )

    wb = new_workbook(f"Trust CPD comparison {d.year.label}", d.name, "CPD across the trust's schools")
    with building(wb):
        styles = Styles(wb)
        if ticker is not None:
            ticker.total = len(d.schools) + sum(len(p) for p in d.people.values()) + 1
        columns = [Col("School", TEXT), Col("URN", TEXT, 9), Col("Staff", INT_KIND), Col("FTE", FTE_KIND),
                   Col("Hours", HOURS_KIND), Col("Hours per FTE", PER_FTE_KIND, 10),
                   Col("Subject-specific hours", HOURS_KIND, 12), Col("Subject-specific share", PERCENT_KIND, 11),
                   Col("All 5 parts hours", HOURS_KIND, 11), Col("Met target", INT_KIND, 9),
                   Col("Cost incl. cover", MONEY_KIND, 14), Col("Cover cost", MONEY_KIND, 13),
                   Col("Bursary expected", MONEY_KIND, 14), Col("Bursary claimed", MONEY_KIND, 14),
                   Col("Bursary received", MONEY_KIND, 14)]
        trust = DataSheet(wb, styles, "Trust", columns, table_name="Schools")

        def values(r: TrustRow) -> tuple[Any, ...]:
            share = (r.subject_specific_hours / r.hours) if r.hours else None
            return (r.school, r.urn, r.staff, r.fte, r.hours, r.hours_per_fte, r.subject_specific_hours, share,
                    r.all_parts_hours, r.met_target, r.cost, r.cover_cost, r.bursary_expected,
                    r.bursary_claimed, r.bursary_received)

        trust.write(d.schools, values, ticker)
        n = len(d.schools)
        if n:
            # Totals as live formulas over the table above: the only formulas in the workbook are ours.
            w = trust.w
            last = n + 1  # the last school's row
            here = last + 2  # the totals row, after a blank one
            total: list[Any] = [w.text("All schools", styles.bold), None]
            for i, col in enumerate(columns[2:], 3):
                letter = chr(ord("A") + i - 1)
                if col.header == "Hours per FTE":
                    total.append(w.formula(f"=IF(D{here}=0,0,E{here}/D{here})", PER_FTE_KIND, True))
                elif col.header == "Subject-specific share":
                    total.append(w.formula(f"=IF(E{here}=0,0,G{here}/E{here})", PERCENT_KIND, True))
                else:
                    total.append(w.formula(f"=SUM({letter}2:{letter}{last})", col.kind, True))
            trust.ws.append([])  # a gap, so the totals row stays outside the Excel table
            trust.ws.append(total)
        people_cols = [Col("Staff code", TEXT, 10), Col("Name", TEXT), Col("Department", TEXT), Col("FTE", FTE_KIND),
                       Col("Hours", HOURS_KIND), Col("Target", HOURS_KIND), Col("Subject-specific", HOURS_KIND, 11),
                       Col("All 5 parts", HOURS_KIND, 10), Col("In the CPD target", YESNO, 10),
                       Col("Activities", INT_KIND, 10), Col("Evaluated", INT_KIND, 10)]
        for number, (sheet, (_school, people)) in enumerate(zip(_sheet_names(list(d.people)), d.people.items(),
                                                                  strict=True), 1):
            ds = DataSheet(wb, styles, sheet, people_cols, table_name=f"School{number}")
            ds.write(people, lambda p: (p.staff_code, p.name, p.department, p.fte, p.hours, p.target_hours,
                                        p.subject_specific_hours, p.all_parts_hours, p.in_target, p.activities,
                                        p.evaluated),
                     ticker)
        save(wb, path)
