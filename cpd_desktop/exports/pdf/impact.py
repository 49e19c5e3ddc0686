"""The governors' impact report: findings in sentences, confidence before → after → later, evaluation
stages, sustained CPD, priorities and programmes, then retention and the department's indicators beside the
CPD, with the words that they are shown side by side and not as cause and effect."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from ...services.formatting import format_date, format_hours
from ...services.impact import SIDE_BY_SIDE, ImpactData
from ...services.impact_charts import Chart
from ..safety import Ticker
from .template import (
    ACCENT,
    BOLD,
    FONT,
    INK,
    MUTED,
    RULE,
    Column,
    Document,
    data_table,
    head,
    make_styles,
    para,
)

STAGE_COLOURS = [colors.HexColor("#b8c4ce"), ACCENT, colors.HexColor("#1b998b")]


def _one(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _bars(labels: Sequence[str], values: Sequence[float | None], top: float, width: float,
          height: float = 48 * mm, fmt: str = "{:.1f}") -> Drawing:
    """Labelled columns from 0 to ``top``; a missing value is said, not drawn."""
    d = Drawing(width, height)
    base, room = 9 * mm, height - 15 * mm
    d.add(Line(0, base, width, base, strokeColor=RULE, strokeWidth=0.6))
    slot = width / max(1, len(labels))
    bar_w = min(22 * mm, slot * 0.6)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = i * slot + (slot - bar_w) / 2
        d.add(String(x + bar_w / 2, base - 5 * mm, label, fontName=FONT, fontSize=8, fillColor=MUTED,
                     textAnchor="middle"))
        if value is None:
            d.add(String(x + bar_w / 2, base + 2 * mm, "none yet", fontName=FONT, fontSize=8, fillColor=MUTED,
                         textAnchor="middle"))
            continue
        h = room * max(0.0, min(1.0, value / top))
        d.add(Rect(x, base, bar_w, h, fillColor=STAGE_COLOURS[i % len(STAGE_COLOURS)], strokeColor=None))  # type: ignore[arg-type]  # the stubs type Rect's **kw without Unpack
        d.add(String(x + bar_w / 2, base + h + 1.5 * mm, fmt.format(value), fontName=BOLD, fontSize=9,
                     fillColor=INK, textAnchor="middle"))
    return d


SERIES_COLOURS = [ACCENT, colors.HexColor("#c2410c"), colors.HexColor("#1b998b"), colors.HexColor("#6b7280")]


def _grouped(chart: Chart, width: float, height: float = 52 * mm) -> Drawing:
    """The Impact view's chart on paper: one group of columns per category, one column per series, each value
    written on its column, a key above when there are several series; a missing value is said, not drawn."""
    d = Drawing(width, height)
    base, top_room = 10 * mm, 12 * mm if len(chart.series) > 1 else 6 * mm
    room = height - base - top_room
    d.add(Line(0, base, width, base, strokeColor=RULE, strokeWidth=0.6))
    if len(chart.series) > 1:
        x = 0.0
        for i, name in enumerate(chart.series):
            d.add(Rect(x, height - 4 * mm, 3 * mm, 3 * mm, fillColor=SERIES_COLOURS[i % 4], strokeColor=None))  # type: ignore[arg-type]  # the stubs type Rect's **kw without Unpack
            d.add(String(x + 4 * mm, height - 3.6 * mm, name, fontName=FONT, fontSize=8, fillColor=INK))
            x += 4 * mm + len(name) * 1.6 * mm + 6 * mm
    slot = width / max(1, len(chart.categories))
    bar_w = min(16 * mm, slot * 0.8 / len(chart.series))
    for c, (label, values) in enumerate(zip(chart.categories, chart.values, strict=True)):
        left = c * slot + (slot - bar_w * len(chart.series)) / 2
        short = label if len(label) * 1.5 * mm < slot else label[: max(4, int(slot / (1.5 * mm)) - 1)] + "…"
        d.add(String(c * slot + slot / 2, base - 5 * mm, short, fontName=FONT, fontSize=8, fillColor=MUTED,
                     textAnchor="middle"))
        for i, value in enumerate(values):
            x = left + i * bar_w
            if value is None:
                d.add(String(x + bar_w / 2, base + 1.5 * mm, "–", fontName=FONT, fontSize=8, fillColor=MUTED,
                             textAnchor="middle"))
                continue
            h = room * max(0.0, min(1.0, value / chart.top)) if chart.top else 0.0
            d.add(Rect(x, base, bar_w - 1, h, fillColor=SERIES_COLOURS[i % 4], strokeColor=None))  # type: ignore[arg-type]  # as above
            d.add(String(x + bar_w / 2, base + h + 1.2 * mm, chart.value_text(value), fontName=BOLD, fontSize=7,
                         fillColor=INK, textAnchor="middle"))
    return d


def _charts(charts: Sequence[Chart], keys: Sequence[str], styles: Any, width: float) -> list[Any]:
    """The charts whose key starts with one of ``keys``: title, drawing, notes, and the side-by-side words
    under each chart that puts outcomes beside CPD."""
    story: list[Any] = []
    for chart in charts:
        if not any(chart.key.startswith(k) for k in keys) or not chart.categories:
            continue
        story += head(chart.title, styles.h3, 60)
        story.append(_grouped(chart, width))
        for note in chart.notes:
            story.append(para(note, styles.note))
        if chart.side_by_side:
            story.append(para(SIDE_BY_SIDE, styles.note))
    return story


def write_impact_pdf(data: ImpactData, path: Path, ticker: Ticker | None = None,
                     charts: Sequence[Chart] = ()) -> None:
    doc = Document(path, data.school_name, f"Impact of CPD {data.year}",
                   subject="What the school's CPD changed: for governors", produced=data.today)
    styles = make_styles()
    w = doc.width
    story: list[Any] = doc.heading(styles, f"{data.school_name} · academic year {data.year} · figures as at "
                                           f"{format_date(data.today)}")
    story.append(para("Findings", styles.h2))
    for sentence in data.findings:
        story.append(para("• " + sentence, styles.body))
    story += head("Confidence before, at the end and a term later", styles.h2, 70)
    story.append(para("Mean of the teachers' own ratings (1 to 5) over the year's activities that have them.",
                      styles.note))
    story.append(_bars(["Before", "After (end)", "Later (for pupils)"], list(data.confidence), 5, w * 0.6))
    story += _charts(charts, ("stages", "priority", "programme", "sustained"), styles, w)

    story += head("Evaluation stages and sustained CPD, person by person", styles.h2)
    cols = [Column("Name", w * 0.26), Column("Hours", w * 0.1, "RIGHT"), Column("Sustained", w * 0.1, "RIGHT"),
            Column("Stages due", w * 0.1, "RIGHT"), Column("Done", w * 0.08, "RIGHT"),
            Column("Overdue", w * 0.09, "RIGHT"), Column("Before", w * 0.09, "RIGHT"),
            Column("After", w * 0.09, "RIGHT"), Column("Later", w * 0.09, "RIGHT")]
    story += data_table(cols, [[p["name"], format_hours(p["hours"]), format_hours(p["sustained_hours"]), p["stages_due"],
                                p["stages_done"], p["stages_overdue"], _one(p["confidence_before"]),
                                _one(p["confidence_after"]), _one(p["confidence_later"])] for p in data.people])

    story += head("By priority", styles.h2)
    if data.priorities:
        story += data_table(
            [Column("Priority", w * 0.46), Column("Activities", w * 0.13, "RIGHT"), Column("People", w * 0.13, "RIGHT"),
             Column("Hours", w * 0.13, "RIGHT"), Column("Evaluated", w * 0.15, "RIGHT")],
            [[r["priority"], r["activities"], r["people"], format_hours(r["hours"]),
              "–" if r["evaluated_share"] is None else f"{r['evaluated_share']:.0f}%"] for r in data.priorities])
    else:
        story.append(para(f"No priorities set for {data.year}.", styles.body))
    story += head("By programme", styles.h2)
    if data.programmes:
        story += data_table(
            [Column("Programme", w * 0.34), Column("Sustained", w * 0.1), Column("People", w * 0.09, "RIGHT"),
             Column("Hours", w * 0.11, "RIGHT"), Column("Before", w * 0.12, "RIGHT"),
             Column("After", w * 0.12, "RIGHT"), Column("Later", w * 0.12, "RIGHT")],
            [[r["programme"], "yes" if r["sustained"] else "no", r["people"], format_hours(r["hours"]),
              _one(r["confidence_before"]), _one(r["confidence_after"]), _one(r["confidence_later"])]
             for r in data.programmes])
    else:
        story.append(para(f"No activities in a programme in {data.year}.", styles.body))

    story += head("Retention and the department's indicators beside the CPD", styles.h2, 80)
    story.append(para(SIDE_BY_SIDE, styles.h3))
    story.append(para("Retention: of the teachers (those in the CPD target) in post on the year's first day, the "
                      "share still in post on the first day of the next; with the mean CPD hours that year of "
                      "those who stayed and of those who left.", styles.note))
    story += data_table(
        [Column("Year", w * 0.14), Column("Teachers at start", w * 0.17, "RIGHT"), Column("Stayed", w * 0.12, "RIGHT"),
         Column("Left", w * 0.1, "RIGHT"), Column("Retention", w * 0.13, "RIGHT"),
         Column("Mean hours (stayed)", w * 0.17, "RIGHT"), Column("Mean hours (left)", w * 0.17, "RIGHT")],
        [[r["year"], r["teachers_at_start"], r["stayed"], r["left"],
          "not yet known" if r["retention_rate"] is None else f"{r['retention_rate']:.0%}",
          _hours(r["mean_hours_stayed"]), _hours(r["mean_hours_left"])] for r in data.retention])
    if data.indicators:
        story.append(para("Department indicators", styles.h3))
        story += data_table(
            [Column("Year", w * 0.14), Column("Indicator", w * 0.46), Column("Group", w * 0.18),
             Column("Value", w * 0.22, "RIGHT")],
            [[r["year"], r["indicator"], r["group"], f"{r['value']:,.2f}".rstrip("0").rstrip(".")
              + (f" {r['unit']}" if r["unit"] and r["unit"] != "%" else r["unit"])] for r in data.indicators])
        story.append(para(SIDE_BY_SIDE, styles.note))
    story += _charts(charts, ("retention", "indicator:"), styles, w)
    doc.build(story, ticker)


def _hours(value: Decimal | None) -> str:
    """A mean of hours, to one decimal place as the Impact view shows it (hours themselves: format_hours)."""
    return "–" if value is None else f"{value:.1f}"
