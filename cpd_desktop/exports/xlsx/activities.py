"""The CPD log as a workbook, and the department summary workbook built around it.

The Activities sheet is the open format for moving records between schools: its headers are the
ones the importer reads (``cpd-desktop import activities FILE`` matches on staff, date and title),
its dates are real dates shown dd/mm/yyyy, its hours numbers. It is the first sheet of the CPD log
workbook, because the importer reads the first sheet unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.data_source import AxDataSource, StrRef

from ...models.enums import FORMATS, STANDARD_PARTS, TERMS
from ...services.formatting import format_date, format_hours
from ..rows import ActivityRow, SummaryData
from ..safety import Ticker
from .common import (
    DATE_KIND,
    FTE_KIND,
    HOURS_KIND,
    INT_KIND,
    MONEY_KIND,
    PERCENT_KIND,
    YESNO,
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

ACTIVITY_COLUMNS = [
    Col("Staff code"), Col("Forename"), Col("Surname"), Col("Department"), Col("Date", DATE_KIND),
    Col("End date", DATE_KIND), Col("Title"), Col("Provider"), Col("Format"), Col("Hours", HOURS_KIND),
    Col("Subject specific", YESNO, 9),
    *[Col(label, YESNO, 16) for label in STANDARD_PARTS.values()],
    Col("Evaluated on", DATE_KIND), Col("Impact"), Col("Cost", MONEY_KIND),
]


def activity_values(a: ActivityRow) -> tuple[Any, ...]:
    s = a.standard
    return (a.staff_code, a.forename, a.surname, a.department, a.date, a.end_date, a.title, a.provider,
            FORMATS.get(a.format, a.format), a.hours, a.subject_specific, s[0], s[1], s[2], s[3], s[4],
            a.evaluated_on, a.impact, a.cost)


def write_activities_sheet(wb: Any, styles: Styles, rows: Sequence[ActivityRow],
                           ticker: Ticker | None = None) -> DataSheet:
    sheet = DataSheet(wb, styles, "Activities", ACTIVITY_COLUMNS, table_name="Activities", repeated=3)
    sheet.write(rows, activity_values, ticker)
    return sheet


def write_activities_xlsx(rows: Sequence[ActivityRow], school_name: str, scope: str, path: Path,
                          ticker: Ticker | None = None) -> None:
    """The CPD log workbook: the Activities sheet (re-importable) and a note of what it holds."""
    wb = new_workbook(f"CPD log {scope}", school_name, "Every CPD activity")
    with building(wb):
        styles = Styles(wb)
        if ticker is not None:
            ticker.total = len(rows) + 1
        write_activities_sheet(wb, styles, rows, ticker)
        about = new_sheet(wb, "About")
        w = Writer(about, styles)
        set_widths(about, [24, 90])
        about.append([w.text(f"CPD log {scope}", styles.title)])
        for label, value in (("School", school_name), ("Activities", str(len(rows))),
                             ("Produced", format_date(_today())),
                             ("Importing", "The Activities sheet can be imported into CPD Desktop "
                                           "(Import → CPD activities): activities are matched on staff code, date "
                                           "and title, so importing it again adds nothing twice.")):
            about.append([w.text(label, styles.bold), w.text(value)])
        save(wb, path)


def _today() -> Any:
    import datetime as dt

    return dt.date.today()


# ---- the department summary workbook ------------------------------------------------------------

# By person's column saying who counts towards the CPD target (``hours_figures.summarise``): the Summary's staff,
# hours, target and "met" figures are SUMIFS over it, so they are the PDF's and the window's figures.
IN_TARGET = "In the CPD target"

def person_columns(d: SummaryData) -> list[Col]:
    return [
        Col("Staff code"), Col("Name"), Col("Department"), Col("FTE", FTE_KIND), Col("Hours", HOURS_KIND),
        Col("Target", HOURS_KIND), Col(IN_TARGET, YESNO, 10), Col("Subject-specific hours", HOURS_KIND, 12),
        Col("All five parts hours", HOURS_KIND, 12),
        *[Col(f"{TERMS.get(t, t.title())} hours", HOURS_KIND, 10) for t in d.term_names],
        Col("Activities", INT_KIND, 10), Col("Evaluated", INT_KIND, 10), Col("Overdue", INT_KIND, 10),
        Col("Fee", MONEY_KIND), Col("Travel", MONEY_KIND), Col("Accommodation", MONEY_KIND),
        Col("Subsistence", MONEY_KIND), Col("Cover", MONEY_KIND), Col("Other costs", MONEY_KIND),
        Col("Total cost", MONEY_KIND), Col("Bursary expected", MONEY_KIND), Col("Bursary received", MONEY_KIND),
    ]


def write_summary_xlsx(d: SummaryData, activities: Sequence[ActivityRow], path: Path,
                       ticker: Ticker | None = None) -> None:
    """Summary (live formulas and a bar chart), By person, and Activities (an Excel table)."""
    scope = f"{d.department} department" if d.department else "Whole school"
    wb = new_workbook(f"CPD summary {d.year.label}: {scope}", d.school_name, "CPD hours, cost and impact")
    with building(wb):
        styles = Styles(wb)
        if ticker is not None:
            ticker.total = len(activities) + len(d.people) + 1
        summary_ws = new_sheet(wb, "Summary")  # first sheet; filled once the data sheets' sizes are known
        people = DataSheet(wb, styles, "By person", person_columns(d), table_name="ByPerson", repeated=2)

        def person_values(p: Any) -> tuple[Any, ...]:
            h, c = p.hours, p.cost
            return (h.staff_code, h.name, h.department, h.fte, h.hours, h.target_hours, h.in_target,
                    h.subject_specific_hours,
                    h.all_parts_hours, *[h.by_term.get(t) for t in d.term_names], h.activities, h.evaluated,
                    p.overdue, c.fee, c.travel, c.accommodation, c.subsistence, c.cover, c.other, c.total,
                    c.bursary_expected, c.bursary_received)

        people.write(d.people, person_values, ticker)
        acts = write_activities_sheet(wb, styles, activities, ticker)
        _summary_sheet(summary_ws, styles, d, scope, people, acts)
        save(wb, path)


def _summary_sheet(ws: Any, styles: Styles, d: SummaryData, scope: str, people: DataSheet,
                   acts: DataSheet) -> None:
    w = Writer(ws, styles)
    # Printed, the chart beside the figures (from column D) makes the page wide.
    set_widths(ws, [44, 16, 4], beside_inches=CHART_WIDTH_CM / 2.54 if d.people else 0.0)
    P = people.range  # noqa: N806 -- reads like a sheet reference
    A = acts.range  # noqa: N806
    rows: list[list[Any]] = []
    row_of: dict[str, int] = {}

    def line(label: str, formula: str | None = None, kind: str | None = None, key: str | None = None,
             bold: bool = False) -> None:
        rows.append([w.text(label, styles.bold if bold else None),
                     w.formula(formula, kind, bold) if formula else None])
        if key:
            row_of[key] = len(rows)

    def ref(key: str) -> str:
        return f"B{row_of[key]}"

    rows.append([w.text(f"CPD summary {d.year.label}", styles.title)])
    rows.append([w.text(f"{d.school_name} · {scope} · {format_date(d.year.start)} to {format_date(d.year.end)}")])
    rows.append([w.text(f"Produced {format_date(d.produced)} by CPD Desktop. Every figure below is a formula "
                        "over the By person and Activities sheets.", styles.note)])
    rows.append([w.text(f"Technicians and others outside the {format_hours(d.target_per_fte)}-hour target ('{IN_TARGET}' "
                        "no on By person) are listed but not counted in the staff, hours and target figures; "
                        "evaluation and cost count everyone.", styles.note)])
    rows.append([])
    counted = f"{P(IN_TARGET)},\"yes\""

    def counted_sum(header: str) -> str:
        return f"=SUMIFS({P(header)},{counted})"

    rows.append([w.text("Hours against target", styles.header), w.text("", styles.header)])
    line("Staff in the target", f"=COUNTIFS({counted})", INT_KIND, "staff")
    line("Full-time equivalent", counted_sum("FTE"), FTE_KIND, "fte")
    line("Hours of CPD", counted_sum("Hours"), HOURS_KIND, "hours", bold=True)
    line("Pro-rata target (hours)", counted_sum("Target"), HOURS_KIND, "target")
    line("Share of the target met", f"=IF({ref('target')}=0,0,{ref('hours')}/{ref('target')})", PERCENT_KIND)
    # A target of 0 is never met (hours_figures.summarise).
    line("Staff meeting their own target",
         f"=SUMPRODUCT(({P(IN_TARGET)}=\"yes\")*({P('Target')}>0)*({P('Hours')}>={P('Target')}))", INT_KIND)
    line("Subject-specific hours", counted_sum("Subject-specific hours"), HOURS_KIND, "subject")
    line(f"Subject-specific share (aim {d.subject_target:.0f}%)",
         f"=IF({ref('hours')}=0,0,{ref('subject')}/{ref('hours')})", PERCENT_KIND)
    line("Hours meeting all five parts of the DfE Standard", counted_sum("All five parts hours"), HOURS_KIND,
         "allparts")
    line("Share meeting all five parts", f"=IF({ref('hours')}=0,0,{ref('allparts')}/{ref('hours')})",
         PERCENT_KIND)
    rows.append([])
    rows.append([w.text("Evaluation", styles.header), w.text("", styles.header)])
    line("Activities", f"=COUNTA({A('Staff code')})", INT_KIND, "activities")
    line("Evaluated", f"=COUNT({A('Evaluated on')})", INT_KIND, "evaluated")
    line("Awaiting evaluation", f"={ref('activities')}-{ref('evaluated')}", INT_KIND)
    line("Overdue", f"=SUM({P('Overdue')})", INT_KIND)
    rows.append([])
    rows.append([w.text("Cost", styles.header), w.text("", styles.header)])
    first_cost = len(rows) + 1
    for label, header in (("Course fees", "Fee"), ("Travel", "Travel"), ("Accommodation", "Accommodation"),
                          ("Subsistence", "Subsistence"), ("Supply cover", "Cover"),
                          ("Other costs recorded on activities", "Other costs")):
        line(label, f"=SUM({P(header)})", MONEY_KIND)
    line("Total cost", f"=SUM(B{first_cost}:B{len(rows)})", MONEY_KIND, "cost", bold=True)
    line("Bursaries expected", f"=SUM({P('Bursary expected')})", MONEY_KIND)
    line("Bursaries received", f"=SUM({P('Bursary received')})", MONEY_KIND, "received")
    line("Net cost (total less bursaries received)", f"={ref('cost')}-{ref('received')}", MONEY_KIND, bold=True)
    rows.append([])
    rows.append([w.text("Hours by term", styles.header), w.text("", styles.header)])
    for t in d.term_names:
        label = f"{TERMS.get(t, t.title())} hours"
        line(TERMS.get(t, t.title()), counted_sum(label), HOURS_KIND)
    rows.append([])
    rows.append([w.text("Hours by format", styles.header), w.text("", styles.header)])
    for label in FORMATS.values():
        rows.append([w.text(label), None])
        # The hours of the staff in the target (their code is on By person with 'yes'), as the hours above.
        rows[-1][1] = w.formula(
            f"=SUMPRODUCT({A('Hours')}*({A('Format')}=A{len(rows)})"
            f"*(COUNTIFS({P('Staff code')},{A('Staff code')},{counted})>0))", HOURS_KIND)
    line("All formats", f"=SUM(B{len(rows) - len(FORMATS) + 1}:B{len(rows)})", HOURS_KIND, bold=True)
    for r in rows:
        ws.append(r)
    _chart(ws, d, people)


CHART_WIDTH_CM = 18


def _chart(ws: Any, d: SummaryData, people: DataSheet) -> None:
    """A native bar chart of each person's hours against their pro-rata target."""
    n = len(d.people)
    if not n:
        return
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: names read down the chart
    chart.style = 10
    chart.title = f"Hours of CPD against target, {d.year.label}"
    chart.y_axis.title = "hours"
    chart.x_axis.scaling.orientation = "maxMin"  # first person at the top, as in the table
    chart.y_axis.crosses = "max"  # …and the hours axis at the bottom, where it is read
    chart.y_axis.number_format = "0"
    chart.y_axis.majorGridlines = ChartLines()
    chart.legend.position = "b"
    data = Reference(people.ws, min_col=people.index("Hours"), max_col=people.index("Target"), min_row=1,
                     max_row=n + 1)
    names = Reference(people.ws, min_col=people.index("Name"), min_row=2, max_row=n + 1)
    chart.add_data(data, titles_from_data=True)
    for series in chart.series:  # names are text: a string reference, so that every spreadsheet shows them
        series.cat = AxDataSource(strRef=StrRef(f=str(names)))
    chart.gapWidth = 40
    chart.height = max(8.0, 0.55 * n + 3)
    chart.width = CHART_WIDTH_CM
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    ws.add_chart(chart, "D5")

