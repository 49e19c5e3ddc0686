"""The bursary claims report: each claim with its cost heads and money, totals by status and scheme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from ...models.enums import CLAIM_STATUSES
from ...services.bursaries import format_days
from ...services.formatting import format_date, format_money, plural
from ..rows import ClaimRow
from ..safety import Ticker
from .template import BOLD, FONT, PAD, Column, Document, data_table, head, make_styles, para

ZERO = Decimal("0.00")


# title, share of what is left once every column is wide enough for its longest word, alignment
CLAIM_SPEC = [("Staff", 60, "LEFT"), ("Course", 140, "LEFT"), ("Scheme", 50, "LEFT"), ("Fee", 0, "RIGHT"),
              ("Travel", 0, "RIGHT"), ("Accommo-\ndation", 0, "RIGHT"), ("Subsis-\ntence", 0, "RIGHT"),
              ("Cover", 0, "RIGHT"), ("Expected", 0, "RIGHT"), ("Claimed", 0, "RIGHT"), ("Received", 0, "RIGHT"),
              ("Status", 0, "LEFT"), ("Dates", 0, "LEFT"), ("Reference, budget code", 0, "LEFT")]
WHOLE_LINES = {"Status", "Dates"}  # 'Submitted 20/09/2025' reads best on one line
SIZE = 7


def claim_columns(width: float, cells: Sequence[Sequence[str]] = ()) -> list[Column]:
    """Columns as wide as their longest word (in the header, in bold, or in any cell), so that no word
    is broken across lines ('Accom-modatio n', a claim reference in two pieces); what is left goes to
    the columns of text that wrap (staff, course, scheme). The two long headers are hyphenated where
    a dictionary does (accommo-dation, subsis-tence), each part kept whole."""
    least = [max([_widest_word(title, BOLD, whole="-\n" in title),
                  *(_widest_word(row[i], FONT, whole=title in WHOLE_LINES) for row in cells)]) + 2 * PAD + 0.5
             for i, (title, _share, _align) in enumerate(CLAIM_SPEC)]
    spare = width - sum(least)
    if spare < 0:  # words too long for the page whatever is done: share the page out as before
        return [Column(t, width * w / sum(least), a) for (t, _s, a), w in zip(CLAIM_SPEC, least, strict=True)]
    shares = sum(share for _t, share, _a in CLAIM_SPEC)
    return [Column(title, w + spare * share / shares, align)
            for (title, share, align), w in zip(CLAIM_SPEC, least, strict=True)]


def _widest_word(text: str, font: str, *, whole: bool = False) -> float:
    pieces = text.split("\n") if whole else text.split()
    return max((stringWidth(piece, font, SIZE) for piece in pieces), default=0.0)


def claim_cells(c: ClaimRow, today: dt.date) -> list[str]:
    course = c.course + (f" ({c.course_code})" if c.course_code else "")
    course += (f"\n{c.provider}" if c.provider else "") + f"\n{format_date(c.start_date)}"
    if c.end_date != c.start_date:
        course += f" to {format_date(c.end_date)}"
    course += f", {format_days(c.days)}"
    dates = [("Deadline", c.deadline), ("Submitted", c.submitted_on), ("Approved", c.approved_on),
             ("Paid", c.paid_on), ("Closed", c.closed_on)]
    status = c.status_label + ("\nPAST DEADLINE" if c.past_deadline(today) else "")
    return [f"{c.staff_name}\n{c.staff_code}", course, c.scheme, format_money(c.fee), format_money(c.travel),
            format_money(c.accommodation), format_money(c.subsistence), format_money(c.cover),
            format_money(c.expected), format_money(c.claimed, blank="–"), format_money(c.received, blank="–"),
            status, "\n".join(f"{label} {format_date(day)}" for label, day in dates if day),
            "\n".join(x for x in (c.reference, c.budget_code) if x)]


def totals_by(rows: Iterable[ClaimRow], key: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for c in rows:
        name = c.status_label if key == "status" else c.scheme
        t = out.setdefault(name, {"count": 0, "expected": ZERO, "claimed": ZERO, "received": ZERO,
                                  "outstanding": ZERO, "shortfall": ZERO})
        t["count"] += 1
        t["expected"] += c.expected
        t["claimed"] += c.claimed or ZERO
        t["received"] += c.received or ZERO
        t["outstanding"] += c.outstanding
        t["shortfall"] += c.shortfall
    if key == "status":
        order = list(CLAIM_STATUSES.values())
        return {name: out[name] for name in order if name in out}
    return dict(sorted(out.items(), key=lambda kv: kv[0].casefold()))


def write_claims_pdf(rows: list[ClaimRow], school_name: str, scope: str, path: Path,
                     ticker: Ticker | None = None, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    styles = make_styles()
    doc = Document(path, school_name, f"Bursary claims {scope}", subject="Bursary claims and money",
                   wide=True, produced=today, side=12 * mm)
    past = [c for c in rows if c.past_deadline(today)]
    story: list[Any] = [
        para(f"Bursary claims {scope}", styles.title),
        para(f"{plural(len(rows), 'claim')} · expected {format_money(sum((c.expected for c in rows), ZERO))} · received "
             f"{format_money(sum((c.received or ZERO for c in rows), ZERO))} · still to come "
             f"{format_money(sum((c.outstanding for c in rows), ZERO))}"
             + (f" · {plural(len(past), 'draft claim')} past the deadline" if past else ""),
             styles.subtitle),
        *head("Claims", styles.h2),
    ]
    if rows:
        cells = [claim_cells(c, today) for c in rows]
        story += data_table(claim_columns(doc.width, cells), cells, size=SIZE)
    else:
        story.append(para("No claims for this period.", styles.body))
    half = doc.width * 0.72
    money_cols = [("Claims", 0.08), ("Expected", 0.13), ("Claimed", 0.13), ("Received", 0.13),
                  ("Still to come", 0.13), ("Shortfall (expected − received)", 0.18)]

    def totals_table(title: str, totals: dict[str, dict[str, Any]]) -> list[Any]:
        cols = [Column(title, half * 0.22)] + [Column(name, half * share, "RIGHT") for name, share in money_cols]
        body = [[name, str(t["count"]), format_money(t["expected"]), format_money(t["claimed"]),
                 format_money(t["received"]), format_money(t["outstanding"]), format_money(t["shortfall"])]
                for name, t in totals.items()]
        grand = ["Total", str(len(rows)), *[format_money(sum((t[k] for t in totals.values()), ZERO))
                                            for k in ("expected", "claimed", "received", "outstanding", "shortfall")]]
        return data_table(cols, body, total_row=grand, size=8)

    story += head("Totals by status", styles.h2)
    story += totals_table("Status", totals_by(rows, "status"))
    story += head("Totals by scheme", styles.h2)
    story += totals_table("Scheme", totals_by(rows, "scheme"))
    story.append(para("'Still to come' is what open claims (draft, submitted, approved) should still bring in. "
                      "A draft past its deadline may lose the school the money. The shortfall is what closed "
                      "claims brought in short: on a paid claim, money the funder paid short; on a rejected or "
                      "withdrawn claim, money the school will not get. Expected = received + still to come + "
                      "shortfall.", styles.note))
    doc.build(story, ticker)
