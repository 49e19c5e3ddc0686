"""The CPD budget workbook for finance: a Budget sheet whose figures are formulas over the Bookings table.

Every figure on the Budget sheet is a SUMIFS over whole columns of the Bookings sheet (by budget code and
stage), so a booking finance adds there, or a cost they correct, is counted and the totals recalculate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from ...services.budget import UNALLOCATED, BudgetItem, BudgetRow, StaffTime
from ...services.formatting import format_date
from ..safety import Ticker
from .common import (
    DATE_KIND,
    MONEY_KIND,
    PERCENT_KIND,
    Col,
    DataSheet,
    Formula,
    Styles,
    Writer,
    building,
    header_height,
    new_sheet,
    new_workbook,
    save,
    set_widths,
)

BOOKING_COLUMNS = [
    Col("Ref"), Col("Staff code"), Col("Name"), Col("Department"), Col("Course or activity"),
    Col("Start date", DATE_KIND), Col("Status"), Col("Stage"), Col("Budget code"), Col("Budget line"),
    Col("Fee", MONEY_KIND), Col("Travel", MONEY_KIND), Col("Accommodation", MONEY_KIND),
    Col("Subsistence", MONEY_KIND), Col("Cover", MONEY_KIND), Col("Other cost", MONEY_KIND),
    Col("Total cost", MONEY_KIND), Col("Bursary expected", MONEY_KIND), Col("Bursary received", MONEY_KIND),
]
_HEADERS = [c.header for c in BOOKING_COLUMNS]
_FIRST_HEAD, _LAST_HEAD = (get_column_letter(_HEADERS.index(h) + 1) for h in ("Fee", "Other cost"))
BUDGET_HEADS = ["Budget line", "Budget code", "Department", "Budget", "Committed", "Spent", "Bursary expected",
                "Bursary received", "Net forecast", "Remaining", "Used"]
HEADER_ROW = 4
HEAD_HEADS = ["Budget line", "Budget code", "Cost head", "Amount", "Committed", "Spent", "Remaining"]
# Each cost head's column on the Bookings sheet.
HEAD_COLUMNS = {"fee": "Fee", "travel": "Travel", "accommodation": "Accommodation", "subsistence": "Subsistence",
                "cover": "Cover"}


def _item_values(i: BudgetItem, row: int) -> tuple[Any, ...]:
    # The total is a formula on the row: a cost finance corrects is in it.
    total = Formula(f"=SUM({_FIRST_HEAD}{row}:{_LAST_HEAD}{row})")
    return (("B" if i.kind == "booking" else "A") + str(i.id), i.staff_code, i.name, i.department, i.title,
            i.start_date, i.status.capitalize(), i.stage, i.budget_code or UNALLOCATED, i.line, i.fee, i.travel,
            i.accommodation, i.subsistence, i.cover, i.other, total, i.bursary_expected, i.bursary_received)


def write_budget_xlsx(rows: Sequence[BudgetRow], items: Sequence[BudgetItem], school_name: str, year: str,
                      path: Path, ticker: Ticker | None = None, today: dt.date | None = None,
                      staff: StaffTime | None = None) -> None:
    """Budget (a line per budget line, formulas; then the cost heads of lines that set amounts for them, and
    the staff time of INSET and internal CPD when the school counts it), then Bookings (an Excel table
    finance may add to)."""
    today = today or dt.date.today()
    wb = new_workbook(f"CPD budget {year}", school_name, "CPD budget: committed, spent, bursary and remaining")
    with building(wb):
        styles = Styles(wb)
        if ticker is not None:
            ticker.total = len(items) + 1
        budget_ws = new_sheet(wb, "Budget", header_rows=f"{HEADER_ROW}:{HEADER_ROW}")
        bookings = DataSheet(wb, styles, "Bookings", BOOKING_COLUMNS, table_name="Bookings", repeated=3)
        bookings.write(items, _item_values, ticker, with_row=True)
        _budget_sheet(budget_ws, styles, rows, bookings, school_name, year, today, staff)
        save(wb, path)


def _budget_sheet(ws: Any, styles: Styles, rows: Sequence[BudgetRow], bookings: DataSheet, school_name: str,
                  year: str, today: dt.date, staff: StaffTime | None = None) -> None:
    w = Writer(ws, styles)
    widths = [34, 14, 16, 13, 13, 13, 13, 13, 13, 13, 9]
    set_widths(ws, widths)
    header_height(ws, HEADER_ROW, BUDGET_HEADS, widths)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    code, stage = bookings.column("Budget code"), bookings.column("Stage")
    total = bookings.column("Total cost")
    exp, rec = bookings.column("Bursary expected"), bookings.column("Bursary received")
    out: list[list[Any]] = [
        [w.text(f"CPD budget {year}", styles.title)],
        [w.text(f"{school_name} · produced {format_date(today)}. Every figure is a formula over the whole columns "
                "of the Bookings sheet (by budget code and stage), so rows added there are counted too.",
                styles.note)],
        [],
        [w.text(h, styles.header) for h in BUDGET_HEADS],
    ]
    first = HEADER_ROW + 1
    for row in rows:
        r = len(out) + 1
        crit = f"{code},$B{r}"
        out.append([
            w.text(row.line), w.text(row.budget_code or UNALLOCATED), w.text(row.department or ""),
            w.styled(row.budget, styles.kinds[MONEY_KIND]),
            w.formula(f'=SUMIFS({total},{crit},{stage},"Committed")', MONEY_KIND),
            w.formula(f'=SUMIFS({total},{crit},{stage},"Spent")', MONEY_KIND),
            w.formula(f"=SUMIFS({exp},{crit})", MONEY_KIND),
            w.formula(f"=SUMIFS({rec},{crit})", MONEY_KIND),
            w.formula(f"=E{r}+F{r}-G{r}", MONEY_KIND),
            w.formula(f"=D{r}-I{r}", MONEY_KIND),
            w.formula(f'=IF(D{r}>0,I{r}/D{r},"")', PERCENT_KIND),
        ])
    last = max(len(out), first)
    r = len(out) + 1
    # The totals come from the whole columns, not from the lines above: a booking under a code typed in later
    # is in them.
    out.append([
        w.text("Total", styles.bold), None, None,
        w.formula(f"=SUM(D{first}:D{last})", MONEY_KIND, bold=True),
        w.formula(f'=SUMIFS({total},{stage},"Committed")', MONEY_KIND, bold=True),
        w.formula(f'=SUMIFS({total},{stage},"Spent")', MONEY_KIND, bold=True),
        w.formula(f"=SUM({exp})", MONEY_KIND, bold=True),
        w.formula(f"=SUM({rec})", MONEY_KIND, bold=True),
        w.formula(f"=E{r}+F{r}-G{r}", MONEY_KIND, bold=True),
        w.formula(f"=D{r}-I{r}", MONEY_KIND, bold=True),
        w.formula(f'=IF(D{r}>0,I{r}/D{r},"")', PERCENT_KIND, bold=True),  # the whole budget's share, as the PDF's
    ])
    out.append([])
    headed = [(row, head) for row in rows for head in row.shown_heads()]
    if headed:
        out.append([w.text("By cost head: what the lines that set an amount per head have committed and spent "
                           "on each (bookings only; formulas over the Bookings sheet, by budget code and stage)",
                           styles.bold)])
        out.append([w.text(h, styles.header) for h in HEAD_HEADS])
        for row, head in headed:
            r = len(out) + 1
            column = bookings.column(HEAD_COLUMNS[head.head])
            crit = f"{code},$B{r}"
            out.append([
                w.text(row.line), w.text(row.budget_code or UNALLOCATED), w.text(head.label),
                w.styled(head.amount, styles.kinds[MONEY_KIND]) if head.amount is not None else w.text("(none set)"),
                w.formula(f'=SUMIFS({column},{crit},{stage},"Committed")', MONEY_KIND),
                w.formula(f'=SUMIFS({column},{crit},{stage},"Spent")', MONEY_KIND),
                w.formula(f"=D{r}-E{r}-F{r}", MONEY_KIND) if head.amount is not None else None,
            ])
        out.append([])
    if staff is not None:
        out.append([w.text("Staff time (not cash)", styles.bold), None, None,
                    w.styled(staff.cost, styles.kinds[MONEY_KIND])])
        out.append([w.text(staff.sentence_for(year), styles.note)])
        out.append([])
    for note in (
            "Committed: bookings approved or booked, not yet attended. Spent: bookings attended, and activities' "
            "own costs. Both include supply cover (cover days × day rate).",
            "Bursary expected: claims not rejected or withdrawn (the amount received once a claim is paid). "
            "Net forecast = spent + committed − bursary expected. Remaining = budget − net forecast.",
            "A booking counts against the line whose budget code it carries, otherwise its staff member's "
            f"department's line, otherwise '{UNALLOCATED}'; it counts in the financial year it starts in."):
        out.append([w.text(note, styles.note)])
    for line in out:
        ws.append(line)
