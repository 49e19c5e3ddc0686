"""The department CPD summary for a year, written to be read at a governors' meeting."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether

from ...models.enums import COST_HEADS, FORMATS, TERMS
from ...services.formatting import format_date, format_fte, format_hours, format_money, format_percent, plural
from ..rows import PersonSummary, SummaryData
from ..safety import Ticker, plain_text
from .template import ACCENT, BOLD, FONT, MUTED, TARGET, Column, Document, data_table, head, make_styles, para

ZERO = Decimal("0.00")
CHART_PEOPLE = 30  # people per chart at most: more would make the bars too thin to read
BAR_BAND = 17.0  # points a person takes on the chart
CHART_EXTRA = 58.0  # points of the chart besides the bars: the legend above, the hours axis below
HEADING_ROOM = 20.0  # points the chart's heading takes above it


def _share(part: Decimal, whole: Decimal) -> float | None:
    return float(part / whole * 100) if whole else None


def key_findings(d: SummaryData) -> list[str]:
    """The summary in sentences, as a CPD lead would say it to governors."""
    t = d.totals
    year = d.year.label
    who = f"the {d.department} department" if d.department else "the school"
    out = [
        f"{t.staff} staff in {who} ({format_fte(t.fte)} full-time equivalent) recorded {format_hours(t.hours)} hours "
        f"of CPD in {year}: {format_percent(_share(t.hours, t.target_hours))} of the pro-rata target of "
        f"{format_hours(t.target_hours)} hours ({format_hours(d.target_per_fte)} hours a year per full-time "
        f"teacher). {t.met_target} of {t.staff} met their own target."
        + (f" {plural(len(d.outside), 'other person', 'other people')} outside the target (technicians, for "
           f"instance) recorded {format_hours(sum((p.hours.hours for p in d.outside), ZERO))} hours, not counted "
           "in these figures." if d.outside else ""),
        f"{format_percent(t.subject_share)} of the hours were subject-specific (the aim is at least "
        f"{format_percent(d.subject_target)}); {format_percent(t.all_parts_share)} of the hours met all five "
        "parts of the DfE Standard for teachers' professional development.",
        f"{d.evaluated} of {plural(d.activities, 'activity', 'activities')} "
        f"{'has' if d.activities == 1 else 'have'} been evaluated for their impact; {d.awaiting} "
        f"{'is' if d.awaiting == 1 else 'are'} awaiting evaluation, {d.overdue} of them overdue.",
        f"CPD cost {format_money(d.cost['total'])} including {format_money(d.cost['cover'])} of supply cover. "
        f"Bursaries expected: {format_money(d.cost['bursary_expected'])}, received: "
        f"{format_money(d.cost['bursary_received'])}; net cost so far {format_money(d.cost['net'])}.",
    ]
    if d.year.contains(d.produced):
        out.append(f"The year is still under way: figures are to {format_date(d.produced)}.")
    return out


def hours_chart(d: SummaryData, width: float, people: list[Any]) -> Drawing:
    """Hours against pro-rata target per person, as horizontal bars (names read down the page)."""
    plot_h = BAR_BAND * len(people)
    label_w = 118.0
    height = plot_h + CHART_EXTRA
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, 34  # type: ignore[assignment]  # the stubs say int: any number is drawn
    chart.width, chart.height = width - label_w - 20, plot_h  # type: ignore[assignment]  # the stubs say int: any number is drawn
    ordered = list(reversed(people))  # the chart draws its first category at the bottom
    chart.data = [[float(p.hours.target_hours) for p in ordered], [float(p.hours.hours) for p in ordered]]
    chart.categoryAxis.categoryNames = [_short(p.hours.name) for p in ordered]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = MUTED
    chart.valueAxis.valueMin = 0
    top = max([float(p.hours.hours) for p in people] + [float(p.hours.target_hours) for p in people] + [1.0])
    chart.valueAxis.valueMax = _nice(top)
    chart.valueAxis.valueStep = _nice(top) / 5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.strokeColor = MUTED
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = TARGET
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.bars[0].fillColor = TARGET
    chart.bars[1].fillColor = ACCENT
    chart.bars.strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 4
    drawing.add(chart)
    drawing.add(String(label_w + chart.width / 2, 8, "hours", fontName=FONT, fontSize=8, fillColor=MUTED,
                       textAnchor="middle"))
    legend = Legend()
    legend.x, legend.y = label_w, height - 8  # type: ignore[assignment]  # the stubs say int: any number is drawn
    legend.fontName = FONT
    legend.fontSize = 8
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = 150
    legend.alignment = "right"
    legend.colorNamePairs = [(ACCENT, "Hours of CPD recorded"), (TARGET, "Target (pro rata by FTE)")]
    drawing.add(legend)
    return drawing


def _short(name: str, limit: int = 24) -> str:
    name = plain_text(name).replace("\n", " ")
    return name if len(name) <= limit else name[:limit - 1] + "…"


def _nice(value: float) -> float:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return float(step * 5)
    return float(int(value) + 1)


def person_columns(d: SummaryData, width: float) -> list[Column]:
    spec = [("Name", 100, "LEFT"), ("Department", 60, "LEFT"), ("FTE", 28, "RIGHT"), ("Hours", 38, "RIGHT"),
            ("Target", 40, "RIGHT"), ("% of target", 42, "RIGHT"), ("Subject specific", 50, "RIGHT"),
            ("All five parts", 44, "RIGHT")]
    spec += [(TERMS.get(t, t.title()), 45, "RIGHT") for t in d.term_names]
    spec += [("Evaluated", 50, "RIGHT"), ("Overdue", 42, "RIGHT"), ("Cost", 60, "RIGHT"),
             ("Bursary received", 60, "RIGHT")]
    scale = width / sum(w for _, w, _ in spec)
    return [Column(title, w * scale, align) for title, w, align in spec]


def person_cells(d: SummaryData, people: list[PersonSummary] | None = None) -> list[list[str]]:
    """A row per person (``people``, else everyone listed); no target reads "–", not 0%."""
    out = []
    for p in d.people if people is None else people:
        h = p.hours
        out.append([h.name, h.department or "", format_fte(h.fte), format_hours(h.hours),
                     format_hours(h.target_hours) if h.in_target else "–",
                     format_percent(h.progress if h.target_hours else None), format_percent(h.subject_share),
                     format_percent(p.all_parts_share), *[format_hours(h.by_term.get(t)) for t in d.term_names],
                     f"{h.evaluated} of {h.activities}", str(p.overdue), format_money(p.cost.total),
                     format_money(p.cost.bursary_received)])
    return out


def total_cells(d: SummaryData) -> list[str]:
    """The By person table's Total row: the staff inside the CPD target, the people of ``d.counted``, each column
    the sum of the rows above it (the hours, its terms and the headline figures are the same sums)."""
    t = d.totals
    people = d.counted
    terms = [format_hours(sum((p.hours.by_term.get(name, ZERO) for p in people), ZERO)) for name in d.term_names]
    return [f"Total ({t.staff} in the target)", "", format_fte(t.fte),
            format_hours(t.hours), format_hours(t.target_hours), format_percent(_share(t.hours, t.target_hours)),
            format_percent(t.subject_share), format_percent(t.all_parts_share), *terms,
            f"{sum(p.hours.evaluated for p in people)} of {sum(p.hours.activities for p in people)}",
            str(sum(p.overdue for p in people)), format_money(sum((p.cost.total for p in people), ZERO)),
            format_money(sum((p.cost.bursary_received for p in people), ZERO))]


def everyone_cells(d: SummaryData) -> list[str]:
    """The row under the people outside the target: the evaluation and cost of everyone listed (the headline
    figures'); hours and target are left to the teachers' Total row, which is what they count towards."""
    return [f"Everyone listed ({len(d.people)})", "", "", "", "", "", "", "", *["" for _ in d.term_names],
            f"{d.evaluated} of {d.activities}", str(d.overdue), format_money(d.cost["total"]),
            format_money(d.cost["bursary_received"])]


def outside_note(d: SummaryData) -> str:
    return (f"Technicians and others outside the {format_hours(d.target_per_fte)}-hour target are listed but not "
            "counted in the staff, hours and target totals, nor in who has met their target. Their cost and the "
            "evaluation of their activities are counted, as everyone's are.")


def chart_groups(people: list[Any], frame_height: float) -> list[list[Any]]:
    """The people in charts of about equal size, each with the heading above it fitting on a page (the bars are
    ``BAR_BAND`` apart; more people than a page holds are shared between charts rather than one thin last one)."""
    fits = max(1, min(CHART_PEOPLE, int((frame_height - HEADING_ROOM - CHART_EXTRA) // BAR_BAND)))
    charts = -(-len(people) // fits)
    size = -(-len(people) // charts) if charts else 0
    return [people[start:start + size] for start in range(0, len(people), size)] if size else []


def hours_charts(d: SummaryData, width: float, frame_height: float, styles: Any) -> list[Any]:
    """The heading and the charts of hours against target, the heading kept on the page of the first chart (a
    page never holds the heading alone)."""
    heading = "Hours against target, by person"
    if not d.people:
        return [*head(heading, styles.h2), para("Nobody is recorded for this year.", styles.body)]
    out: list[Any] = []
    for n, group in enumerate(chart_groups(d.people, frame_height)):
        chart = hours_chart(d, width, group)
        out.append(KeepTogether([para(heading, styles.h2), chart] if n == 0 else [chart]))
    return out


def write_summary_pdf(d: SummaryData, path: Path, ticker: Ticker | None = None) -> None:
    styles = make_styles()
    scope = f"{d.department} department" if d.department else "Whole school"
    doc = Document(path, d.school_name, f"CPD summary {d.year.label}: {scope}", subject="CPD hours, cost and impact",
                   wide=True, produced=d.produced)
    w = doc.width
    story: list[Any] = [
        para(f"CPD summary {d.year.label}", styles.title),
        para(f"{scope} · {format_date(d.year.start)} to {format_date(d.year.end)} · produced "
             f"{format_date(d.produced)}", styles.subtitle),
        *head("Key findings", styles.h2),
    ]
    story += [para(sentence, styles.body) for sentence in key_findings(d)]
    t = d.totals
    figures = [
        ("Staff in the target (FTE)", f"{t.staff} ({format_fte(t.fte)})"), ("Hours of CPD", format_hours(t.hours)),
        ("Pro-rata target", f"{format_hours(t.target_hours)} ({format_percent(_share(t.hours, t.target_hours))} met)"),
        ("Staff meeting their target", f"{t.met_target} of {t.staff}"),
        ("Subject-specific hours", f"{format_hours(t.subject_specific_hours)} ({format_percent(t.subject_share)}; "
                                   f"aim {format_percent(d.subject_target)})"),
        ("Hours meeting all five parts of the DfE Standard",
         f"{format_hours(t.all_parts_hours)} ({format_percent(t.all_parts_share)})"),
        ("Activities evaluated", f"{d.evaluated} of {d.activities}"),
        ("Awaiting evaluation (overdue)", f"{d.awaiting} ({d.overdue})"),
        ("Total cost, including cover", format_money(d.cost["total"])),
        ("Bursaries expected / received",
         f"{format_money(d.cost['bursary_expected'])} / {format_money(d.cost['bursary_received'])}"),
    ]
    half = (w - 10 * mm) / 2
    cols = [Column("Figure", half * 0.62), Column("Value", half * 0.38, "RIGHT")]
    story += head("Headline figures", styles.h2)
    story += data_table(cols, figures, size=8.5)
    story += hours_charts(d, w, doc.height, styles)
    story += head("By person", styles.h2)
    story += data_table(person_columns(d, w), person_cells(d, d.counted), total_row=total_cells(d), size=7.5)
    if d.outside:
        story += head(f"Outside the {format_hours(d.target_per_fte)}-hour target: listed, not counted in the totals",
                      styles.h3, room_mm=20)
        story += data_table(person_columns(d, w), person_cells(d, d.outside), total_row=everyone_cells(d), size=7.5)
    story.append(para(f"Targets are {format_hours(d.target_per_fte)} hours a year for a full-time teacher, "
                      "pro rata by FTE. 'All five parts' is the share of hours meeting every part of the DfE "
                      "Standard. Cost is every cost head of the year's bookings (cover at days × day rate) and "
                      "costs recorded on other activities." + (" " + outside_note(d) if d.outside else ""),
                      styles.note))
    story.append(CondPageBreak(70 * mm))
    story += head("Hours by format", styles.h2)
    fmt_rows = [(FORMATS[code], format_hours(hours), format_percent(_share(hours, t.hours)))
                for code, hours in d.by_format.items() if hours]
    story += data_table([Column("Format", half * 0.6), Column("Hours", half * 0.2, "RIGHT"),
                         Column("Share", half * 0.2, "RIGHT")], fmt_rows,
                        total_row=("Total", format_hours(t.hours), "100%" if t.hours else "–"), size=8.5)
    story += head("Cost of CPD", styles.h2)
    cost_rows = [(COST_HEADS.get(k, "Other costs recorded on activities"), format_money(d.cost[k]))
                 for k in ("fee", "travel", "accommodation", "subsistence", "cover", "other")]
    cost_rows += [("Total cost", format_money(d.cost["total"])),
                  ("Bursaries expected", format_money(d.cost["bursary_expected"])),
                  ("Bursaries received", format_money(d.cost["bursary_received"]))]
    story += data_table([Column("Cost head", half * 0.7), Column("Amount", half * 0.3, "RIGHT")], cost_rows,
                        total_row=("Net cost (total less bursaries received)", format_money(d.cost["net"])),
                        size=8.5, extra=[("FONT", (0, 7), (-1, 7), BOLD, 8.5, 10.2)])
    doc.build(story, ticker)
