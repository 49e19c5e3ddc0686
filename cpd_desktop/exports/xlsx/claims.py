"""The bursary claims workbook for the business manager: claims, totals as live formulas, outstanding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

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
    Formula,
    Styles,
    Writer,
    building,
    new_sheet,
    new_workbook,
    print_in_bands,
    save,
    set_widths,
)

OPEN = ("draft", "submitted", "approved")
SHORTFALL = "Shortfall (expected − received)"

# Printed, the Claims sheet's 32 columns made as wide as one page came out at about a quarter size. It prints
# instead on A3 landscape in four bands read one after another: the course (up to its days), the scheme and
# the costs (up to the course cost), the money expected, claimed and received with its dates (up to closed
# on), then references and paperwork; each band repeats the claim's number, staff code and name, and the
# header row repeats on every page.
BAND_ENDS = ("Days", "Course cost", "Closed on")
REPEATED_COLUMNS = 3
# The Outstanding sheet in two: the claim (up to its status), then its money and deadline; its number and name
# repeated.
OUTSTANDING_BAND_ENDS = ("Status",)
OUTSTANDING_REPEATED = 2
A3 = 8  # openpyxl paperSize

CLAIM_COLUMNS = [
    Col("Claim"), Col("Staff code"), Col("Name"), Col("Course"), Col("Course code"), Col("Provider"),
    Col("Start date", DATE_KIND), Col("End date", DATE_KIND), Col("Days", INT_KIND), Col("Scheme"),
    Col("Status"), Col("Fee", MONEY_KIND), Col("Travel", MONEY_KIND), Col("Accommodation", MONEY_KIND),
    Col("Subsistence", MONEY_KIND), Col("Cover", MONEY_KIND), Col("Course cost", MONEY_KIND),
    Col("Expected", MONEY_KIND), Col("Claimed", MONEY_KIND), Col("Received", MONEY_KIND),
    Col(SHORTFALL, MONEY_KIND, 14), Col("Deadline", DATE_KIND), Col("Submitted on", DATE_KIND), Col("Approved on", DATE_KIND),
    Col("Paid on", DATE_KIND), Col("Closed on", DATE_KIND), Col("Claim reference"), Col("Budget code"),
    Col("Attendance confirmed", YESNO, 11), Col("Evaluation done", YESNO, 11), Col("Invoice attached", YESNO, 11),
    Col("Notes"),
]


_HEADERS = [c.header for c in CLAIM_COLUMNS]
_EXPECTED, _RECEIVED, _STATUS = (get_column_letter(_HEADERS.index(h) + 1) for h in ("Expected", "Received", "Status"))


def claim_values(c: ClaimRow, row: int) -> tuple[Any, ...]:
    # The shortfall is a formula on the row, so that it follows a received sum (or a status) finance types in
    # later; an open claim's money is still to come, not short.
    still_open = ",".join(f'{_STATUS}{row}="{CLAIM_STATUSES[s]}"' for s in OPEN)
    shortfall = Formula(f"=IF(OR({still_open}),0,{_EXPECTED}{row}-{_RECEIVED}{row})")
    return (f"C{c.id}", c.staff_code, c.staff_name, c.course, c.course_code, c.provider, c.start_date, c.end_date,
            c.days, c.scheme, c.status_label, c.fee, c.travel, c.accommodation, c.subsistence, c.cover,
            c.course_cost, c.expected, c.claimed, c.received, shortfall, c.deadline, c.submitted_on,
            c.approved_on, c.paid_on, c.closed_on, c.reference, c.budget_code, *c.evidence, c.notes)


OUTSTANDING_COLUMNS = [
    Col("Claim"), Col("Name"), Col("Course"), Col("Scheme"), Col("Status"), Col("Expected", MONEY_KIND),
    Col("Claimed", MONEY_KIND), Col("Received", MONEY_KIND), Col("Still to come", MONEY_KIND),
    Col("Paid short", MONEY_KIND, 11), Col("Deadline", DATE_KIND), Col("Days to deadline", INT_KIND, 10),
    Col("Past deadline", YESNO, 9), Col("Claim reference"), Col("Budget code"),
]


def _print_in_bands(sheet: DataSheet, ends: Sequence[str], repeated: int) -> None:
    """A3 landscape, a band ending after each of the columns ``ends``, the first ``repeated`` columns on each."""
    ws = sheet.ws
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, len(sheet.columns) + 1)]
    print_in_bands(ws, widths, [sheet.index(h) for h in ends], repeated, A3)


def _paid_short(c: ClaimRow) -> Decimal:
    """What a paid claim came in short of its expected sum (nothing on other claims)."""
    return max(c.expected - (c.received or Decimal("0.00")), Decimal("0.00")) if c.status == "paid" else \
        Decimal("0.00")


def write_claims_xlsx(rows: Sequence[ClaimRow], school_name: str, scope: str, path: Path,
                      ticker: Ticker | None = None, today: dt.date | None = None) -> None:
    """Claims (an Excel table), Totals (live formulas by status and scheme), Outstanding."""
    today = today or dt.date.today()
    wb = new_workbook(f"Bursary claims {scope}", school_name, "Bursary claims: expected, claimed, received")
    with building(wb):
        styles = Styles(wb)
        if ticker is not None:
            ticker.total = 2 * len(rows) + 1
        # Claims first: what finance opens it for. It and Outstanding print in bands at their own scale.
        claims = DataSheet(wb, styles, "Claims", CLAIM_COLUMNS, table_name="Claims", fit_to_page=False)
        totals_ws = new_sheet(wb, "Totals")
        outstanding = DataSheet(wb, styles, "Outstanding", OUTSTANDING_COLUMNS, table_name="Outstanding",
                                fit_to_page=False)
        claims.write(rows, claim_values, ticker, with_row=True)
        _print_in_bands(claims, BAND_ENDS, REPEATED_COLUMNS)
        # Money to chase: open claims, drafts past their deadline, and paid claims that came in short.
        open_rows = [c for c in rows if c.is_open or c.past_deadline(today) or _paid_short(c)]
        outstanding.write(open_rows, lambda c: (
            f"C{c.id}", c.staff_name, c.course, c.scheme, c.status_label, c.expected, c.claimed, c.received,
            c.outstanding, _paid_short(c) or None, c.deadline,
            (c.deadline - today).days if c.deadline and c.status == "draft" else None,
            c.past_deadline(today), c.reference, c.budget_code), ticker)
        _print_in_bands(outstanding, OUTSTANDING_BAND_ENDS, OUTSTANDING_REPEATED)
        _totals(totals_ws, styles, rows, claims, school_name, scope, today)
        save(wb, path)


TOTALS_WIDTHS = [40, 10, 14, 14, 14, 14, 31]


def _totals(ws: Any, styles: Styles, rows: Sequence[ClaimRow], claims: DataSheet, school_name: str, scope: str,
            today: dt.date) -> None:
    """Totals by status and by scheme as formulas over whole columns of the Claims sheet: a row finance
    adds below the table (or a claim they type in) is counted as well."""
    w = Writer(ws, styles)
    set_widths(ws, TOTALS_WIDTHS)
    st, sch = claims.column("Status"), claims.column("Scheme")
    exp, clm, rec = claims.column("Expected"), claims.column("Claimed"), claims.column("Received")
    out: list[list[Any]] = [
        [w.text(f"Bursary claims {scope}", styles.title)],
        [w.text(f"{school_name} · produced {format_date(today)}. The totals are formulas over the whole columns "
                "of the Claims sheet, so rows added there are counted too.", styles.note)],
        [],
    ]
    heads = ["Claims", "Expected", "Claimed", "Received", "Still to come", SHORTFALL]
    open_labels = [CLAIM_STATUSES[s] for s in OPEN]

    closed_labels = [label for s, label in CLAIM_STATUSES.items() if s not in OPEN]

    def expected_less_received(labels: list[str], crit: str = "") -> str:
        return "=" + "+".join(f'SUMIFS({exp}{crit},{st},"{label}")-SUMIFS({rec}{crit},{st},"{label}")'
                              for label in labels)

    def still_to_come(crit: str = "") -> str:
        return expected_less_received(open_labels, crit)

    def shortfall(crit: str = "") -> str:  # closed claims only: an open claim's money is still to come
        return expected_less_received(closed_labels, crit)

    def block(title: str, names: list[str], criteria: str) -> None:
        out.append([w.text(title, styles.header), *[w.text(h, styles.header) for h in heads]])
        for name in names:
            r = len(out) + 1
            crit = f"{criteria},$A{r}"
            if criteria == st:  # by status: money still to come only on open claims, short only on closed ones
                status = next(k for k, v in CLAIM_STATUSES.items() if v == name)
                less = w.formula(f"=SUMIFS({exp},{crit})-SUMIFS({rec},{crit})", MONEY_KIND)
                zero = w.styled(0, styles.kinds[MONEY_KIND])
                to_come, short = (less, zero) if status in OPEN else (zero, less)
            else:
                to_come = w.formula(still_to_come(f",{crit}"), MONEY_KIND)
                short = w.formula(shortfall(f",{crit}"), MONEY_KIND)
            out.append([w.text(name), w.formula(f"=COUNTIFS({crit})", INT_KIND),
                        w.formula(f"=SUMIFS({exp},{crit})", MONEY_KIND),
                        w.formula(f"=SUMIFS({clm},{crit})", MONEY_KIND),
                        w.formula(f"=SUMIFS({rec},{crit})", MONEY_KIND), to_come, short])
        # The total is taken from the whole columns, not added up from the lines above: a claim under a
        # scheme or status typed in later is in it.
        out.append([w.text("Total", styles.bold), w.formula(f"=COUNTA({st})-1", INT_KIND, bold=True),
                    w.formula(f"=SUM({exp})", MONEY_KIND, bold=True),
                    w.formula(f"=SUM({clm})", MONEY_KIND, bold=True),
                    w.formula(f"=SUM({rec})", MONEY_KIND, bold=True),
                    w.formula(still_to_come(), MONEY_KIND, bold=True),
                    w.formula(shortfall(), MONEY_KIND, bold=True)])
        out.append([])

    block("By status", list(CLAIM_STATUSES.values()), st)
    block("By scheme", sorted({c.scheme for c in rows}, key=str.casefold), sch)
    out += w.paragraph("'Still to come' is what open claims (draft, submitted, approved) should still bring in, "
                       "less anything received.", sum(TOTALS_WIDTHS), styles.note)
    out += w.paragraph("The shortfall is what closed claims brought in short: on a paid claim it is money the "
                       "funder paid short; on a rejected or withdrawn claim, money the school will not get. "
                       "Expected = received + still to come + shortfall.", sum(TOTALS_WIDTHS), styles.note)
    for r in out:
        ws.append(r)
