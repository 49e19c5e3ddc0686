"""The CPD budget for the finance committee: an overview of the year's lines, then one page per line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak

from ...services.budget import UNALLOCATED, BudgetItem, BudgetRow, StaffTime, budget_total
from ...services.formatting import format_date, format_money, plural
from ..safety import Ticker
from .template import (
    BOLD,
    FONT,
    INK,
    MUTED,
    RULE,
    Column,
    Document,
    data_table,
    make_styles,
    para,
)

SPENT = colors.HexColor("#2f6690")
COMMITTED = colors.HexColor("#81a4cd")
OVER = colors.HexColor("#b23a48")
LEFT = colors.HexColor("#e4ebf2")
ITEMS_PER_PAGE = 22  # what fits under the figures on a landscape page


def _share(row: BudgetRow) -> str:
    share = row.used_share
    return f"{share:.0%}" if share is not None else "–"


def _bar(row: BudgetRow, width: float, height: float = 19 * mm) -> Drawing:
    """Spent, then committed, against the budget (the pale box); a mark where the net forecast (after the
    bursary expected) falls, red when it is past the budget."""
    d = Drawing(width, height)
    bar_h, y = 6 * mm, 6.5 * mm
    scale_to = max(row.budget, row.spent + row.committed, Decimal("0.01"))
    unit = width / float(scale_to)
    d.add(Rect(0, y, float(row.budget) * unit, bar_h, fillColor=LEFT, strokeColor=RULE, strokeWidth=0.5))  # type: ignore[arg-type]  # the stubs type Rect's **kw without Unpack
    spent_w = float(row.spent) * unit
    d.add(Rect(0, y, spent_w, bar_h, fillColor=SPENT, strokeColor=None))  # type: ignore[arg-type]  # the stubs type Rect's **kw without Unpack
    d.add(Rect(spent_w, y, float(row.committed) * unit, bar_h, fillColor=COMMITTED, strokeColor=None))  # type: ignore[arg-type]  # the stubs type Rect's **kw without Unpack
    net_x = max(0.0, float(row.net_forecast) * unit)
    over = row.line_id is not None and row.remaining < 0
    d.add(Line(net_x, y - 1.5 * mm, net_x, y + bar_h + 1.5 * mm, strokeColor=OVER if over else INK,
               strokeWidth=1.5))
    label = f"Net forecast {format_money(row.net_forecast)}"
    anchor: Literal["end", "start"] = "end" if net_x > width * 0.7 else "start"
    d.add(String(net_x + (-3 if anchor == "end" else 3), 0.8 * mm, label, fontName=BOLD, fontSize=8,
                 fillColor=OVER if over else INK, textAnchor=anchor))
    d.add(String(0, y + bar_h + 2.2 * mm, f"Spent {format_money(row.spent)} · committed "
                 f"{format_money(row.committed)} · bursary expected {format_money(row.bursary_expected)}",
                 fontName=FONT, fontSize=8, fillColor=MUTED))
    d.add(String(width, y + bar_h + 2.2 * mm, f"Budget {format_money(row.budget)}", fontName=BOLD, fontSize=8,
                 fillColor=MUTED, textAnchor="end"))
    return d


def write_budget_pdf(rows: Sequence[BudgetRow], items: Sequence[BudgetItem], school_name: str, year: str,
                     path: Path, ticker: Ticker | None = None, today: dt.date | None = None,
                     staff: StaffTime | None = None) -> None:
    today = today or dt.date.today()
    doc = Document(path, school_name, f"CPD budget {year}", subject="CPD budget for the finance committee",
                   wide=True, produced=today)
    styles = make_styles()
    story: list[Any] = doc.heading(styles, f"{school_name} · financial year {year} · figures as at "
                                           f"{format_date(today)}")
    money_cols = ["Budget", "Committed", "Spent", "Bursary expected", "Bursary received", "Net forecast",
                  "Remaining", "Used"]
    w = doc.width
    name_w = w * 0.22
    code_w = w * 0.08
    each = (w - name_w - code_w) / len(money_cols)
    columns = [Column("Budget line", name_w), Column("Code", code_w),
               *[Column(c, each, "RIGHT") for c in money_cols]]

    def figures(r: BudgetRow) -> list[str]:
        return [format_money(v) for v in (r.budget, r.committed, r.spent, r.bursary_expected, r.bursary_received,
                                          r.net_forecast, r.remaining)] + [_share(r)]

    total = budget_total(list(rows))
    if rows:
        story += data_table(columns, [[r.line, r.budget_code or "", *figures(r)] for r in rows], size=8.5,
                            total_row=["Total", "", *figures(total)])
    else:
        story.append(para(f"No budget lines and no spending in {year}.", styles.body))
    over = [r for r in rows if r.line_id is not None and r.remaining < 0]
    story.append(para("Committed: bookings approved or booked, not yet attended. Spent: bookings attended and "
                      "activities' own costs. Both include supply cover. Net forecast = spent + committed − "
                      "bursary expected; remaining = budget − net forecast.", styles.note))
    if rows and not any(r.line == UNALLOCATED for r in rows):
        story.append(para("Every booking of the year is counted against a budget line.", styles.note))
    if staff is not None:
        story.append(para(staff.sentence_for(year), styles.body))
    if over:
        story.append(para("Over budget: " + ", ".join(f"{r.line} ({format_money(-r.remaining)} over)" for r in over)
                          + ".", styles.body))
    for row in rows:
        story.append(PageBreak())
        mine = [i for i in items if i.line_id == row.line_id]
        title = row.line + (f" ({row.budget_code})" if row.budget_code else "")
        story.append(para(title, styles.h2))
        about = (f"Department: {row.department}. " if row.department else "") + (
            "Bookings with no budget line of this year: by their budget code or their staff member's department."
            if row.line_id is None else "")
        if about.strip():
            story.append(para(about, styles.note))
        story.append(_bar(row, w))
        story += data_table([Column(c, w / len(money_cols), "RIGHT") for c in money_cols], [figures(row)], size=9)
        if row.remaining < 0 and row.line_id is not None:
            story.append(para(f"Over budget by {format_money(-row.remaining)}.", styles.h3))
        heads = row.shown_heads()
        if heads:
            head_cols = [Column("Cost head", w * 0.2), *[Column(c, w * 0.13, "RIGHT") for c in (
                "Amount", "Committed", "Spent", "Remaining")]]
            story += data_table(head_cols, [[h.label, format_money(h.amount) if h.amount is not None else "none set",
                                             format_money(h.committed), format_money(h.spent),
                                             format_money(h.remaining) if h.remaining is not None else "–"]
                                            for h in heads], size=8)
        costed = [i for i in mine if i.total_cost or i.bursary_expected or i.bursary_received]
        heading = f"{plural(len(mine), 'booking or activity', 'bookings and activities')} counted here"
        if len(costed) < len(mine):
            heading += f" ({len(mine) - len(costed)} at no cost)"
        if len(costed) > ITEMS_PER_PAGE:
            heading += f"; the {ITEMS_PER_PAGE} that cost most are listed"
        story.append(para(heading + ".", styles.h3))
        shown = sorted(costed, key=lambda i: i.total_cost, reverse=True)[:ITEMS_PER_PAGE]
        shown.sort(key=lambda i: (i.start_date, i.id))
        item_cols = [Column("Date", w * 0.09), Column("Who", w * 0.17), Column("Course or activity", w * 0.35),
                     Column("Stage", w * 0.1), Column("Cost", w * 0.1, "RIGHT"),
                     Column("Bursary expected", w * 0.1, "RIGHT"), Column("Received", w * 0.09, "RIGHT")]
        if shown:
            story += data_table(item_cols, [[format_date(i.start_date), i.name, i.title, i.stage,
                                             format_money(i.total_cost), format_money(i.bursary_expected),
                                             format_money(i.bursary_received)] for i in shown], size=7.5)
    doc.build(story, ticker)
