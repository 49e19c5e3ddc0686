"""The bursary claims workbook for the business manager: claims, totals as live formulas, outstanding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...models.enums import CLAIM_STATUSES
from ...services.formatting import format_date
from ..rows import ClaimRow
from ..safety import Ticker
from .common import (
    DATE_KIND,
    INT_KIND,
    MONEY_KIND,
    YESNO,
    Col,
    DataSheet,
    Styles,
    Writer,
    building,
    new_workbook,
    save,
    set_widths,
)

OPEN = ("draft", "submitted", "approved")

CLAIM_COLUMNS = [
    Col("Claim"), Col("Staff code"), Col("Name"), Col("Course"), Col("Course code"), Col("Provider"),
    Col("Start date", DATE_KIND), Col("End date", DATE_KIND), Col("Days", INT_KIND), Col("Scheme"),
    Col("Status"), Col("Fee", MONEY_KIND), Col("Travel", MONEY_KIND), Col("Accommodation", MONEY_KIND),
    Col("Subsistence", MONEY_KIND), Col("Cover", MONEY_KIND), Col("Course cost", MONEY_KIND),
    Col("Expected", MONEY_KIND), Col("Claimed", MONEY_KIND), Col("Received", MONEY_KIND),
    Col("Deadline", DATE_KIND), Col("Submitted on", DATE_KIND), Col("Approved on", DATE_KIND),
    Col("Paid on", DATE_KIND), Col("Closed on", DATE_KIND), Col("Claim reference"), Col("Budget code"),
    Col("Attendance confirmed", YESNO, 11), Col("Evaluation done", YESNO, 11), Col("Invoice attached", YESNO, 11),
    Col("Notes"),
]


def claim_values(c: ClaimRow) -> tuple[Any, ...]:
    return (f"C{c.id}", c.staff_code, c.staff_name, c.course, c.course_code, c.provider, c.start_date, c.end_date,
            c.days, c.scheme, c.status_label, c.fee, c.travel, c.accommodation, c.subsistence, c.cover,
            c.course_cost, c.expected, c.claimed, c.received, c.deadline, c.submitted_on, c.approved_on, c.paid_on,
            c.closed_on, c.reference, c.budget_code, *c.evidence, c.notes)


OUTSTANDING_COLUMNS = [
    Col("Claim"), Col("Name"), Col("Course"), Col("Scheme"), Col("Status"), Col("Expected", MONEY_KIND),
    Col("Claimed", MONEY_KIND), Col("Still to come", MONEY_KIND), Col("Deadline", DATE_KIND),
    Col("Days to deadline", INT_KIND, 10), Col("Past deadline", YESNO, 9), Col("Claim reference"),
    Col("Budget code"),
]


def write_claims_xlsx(rows: Sequence[ClaimRow], school_name: str, scope: str, path: Path,
                      ticker: Ticker | None = None, today: dt.date | None = None) -> None:
    """Claims (an Excel table), Totals (live formulas by status and scheme), Outstanding."""
    today = today or dt.date.today()
    wb = new_workbook(f"Bursary claims {scope}", school_name, "Bursary claims: expected, claimed, received")
    with building(wb):
        styles = Styles(wb)
        if ticker is not None:
            ticker.total = 2 * len(rows) + 1
        claims = DataSheet(wb, styles, "Claims", CLAIM_COLUMNS, table_name="Claims")  # first: what finance opens it for
        totals_ws = wb.create_sheet("Totals")
        outstanding = DataSheet(wb, styles, "Outstanding", OUTSTANDING_COLUMNS, table_name="Outstanding")
        claims.write(rows, claim_values, ticker)
        open_rows = [c for c in rows if c.is_open or c.past_deadline(today)]
        outstanding.write(open_rows, lambda c: (
            f"C{c.id}", c.staff_name, c.course, c.scheme, c.status_label, c.expected, c.claimed, c.outstanding,
            c.deadline, (c.deadline - today).days if c.deadline and c.status == "draft" else None,
            c.past_deadline(today), c.reference, c.budget_code), ticker)
        _totals(totals_ws, styles, rows, claims, school_name, scope, today)
        save(wb, path)


def _totals(ws: Any, styles: Styles, rows: Sequence[ClaimRow], claims: DataSheet, school_name: str, scope: str,
            today: dt.date) -> None:
    w = Writer(ws, styles)
    set_widths(ws, [40, 10, 14, 14, 14, 14])
    st, sch = claims.range("Status"), claims.range("Scheme")
    exp, clm, rec = claims.range("Expected"), claims.range("Claimed"), claims.range("Received")
    out: list[list[Any]] = [
        [w.text(f"Bursary claims {scope}", styles.title)],
        [w.text(f"{school_name} · produced {format_date(today)}. The totals are formulas over the Claims sheet.",
                styles.note)],
        [],
    ]
    heads = ["Claims", "Expected", "Claimed", "Received", "Still to come"]

    def block(title: str, names: list[str], criteria: str) -> None:
        out.append([w.text(title, styles.header), *[w.text(h, styles.header) for h in heads]])
        first = len(out) + 1
        for name in names:
            r = len(out) + 1
            crit = f"{criteria},$A{r}"
            if criteria == st:  # by status: money still to come only on open claims
                status = next(k for k, v in CLAIM_STATUSES.items() if v == name)
                to_come: Any = (w.formula(f"=SUMIFS({exp},{crit})-SUMIFS({rec},{crit})", MONEY_KIND)
                                if status in OPEN else w.styled(0, styles.kinds[MONEY_KIND]))
            else:
                to_come = w.formula("=" + "+".join(
                    f'SUMIFS({exp},{crit},{st},"{CLAIM_STATUSES[s]}")-SUMIFS({rec},{crit},{st},"{CLAIM_STATUSES[s]}")'
                    for s in OPEN), MONEY_KIND)
            out.append([w.text(name), w.formula(f"=COUNTIFS({crit})", INT_KIND),
                        w.formula(f"=SUMIFS({exp},{crit})", MONEY_KIND),
                        w.formula(f"=SUMIFS({clm},{crit})", MONEY_KIND),
                        w.formula(f"=SUMIFS({rec},{crit})", MONEY_KIND), to_come])
        last = len(out)
        total = [w.text("Total", styles.bold)]
        for col in "BCDEF":
            total.append(w.formula(f"=SUM({col}{first}:{col}{max(last, first)})" if last >= first else "=0",
                                   INT_KIND if col == "B" else MONEY_KIND, bold=True))
        out.append(total)
        out.append([])

    block("By status", list(CLAIM_STATUSES.values()), st)
    block("By scheme", sorted({c.scheme for c in rows}, key=str.casefold), sch)
    out.append([w.text("'Still to come' is what open claims (draft, submitted, approved) should still bring in, "
                       "less anything received.", styles.note)])
    for r in out:
        ws.append(r)
