"""The bursary claims report: each claim with its cost heads and money, totals by status and scheme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm

from ...models.enums import CLAIM_STATUSES
from ...services.formatting import format_date, format_money
from ..rows import ClaimRow
from ..safety import Ticker
from .template import Column, Document, data_table, head, make_styles, para

ZERO = Decimal("0.00")


def claim_columns(width: float) -> list[Column]:
    spec = [("Staff", 66, "LEFT"), ("Course", 128, "LEFT"), ("Scheme", 62, "LEFT"), ("Fee", 42, "RIGHT"),
            ("Travel", 40, "RIGHT"), ("Accom-\nmodation", 42, "RIGHT"), ("Subsis-\ntence", 40, "RIGHT"),
            ("Cover", 42, "RIGHT"), ("Expected", 46, "RIGHT"), ("Claimed", 46, "RIGHT"), ("Received", 46, "RIGHT"),
            ("Status", 44, "LEFT"), ("Dates", 78, "LEFT"), ("Reference, budget code", 58, "LEFT")]
    scale = width / sum(w for _, w, _ in spec)
    return [Column(title, w * scale, align) for title, w, align in spec]


def claim_cells(c: ClaimRow, today: dt.date) -> list[str]:
    course = c.course + (f" ({c.course_code})" if c.course_code else "")
    course += (f"\n{c.provider}" if c.provider else "") + f"\n{format_date(c.start_date)}"
    if c.end_date != c.start_date:
        course += f" to {format_date(c.end_date)}"
    course += f", {c.days} day{'s' if c.days != 1 else ''}"
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
                                  "outstanding": ZERO})
        t["count"] += 1
        t["expected"] += c.expected
        t["claimed"] += c.claimed or ZERO
        t["received"] += c.received or ZERO
        t["outstanding"] += c.outstanding
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
        para(f"{len(rows)} claims · expected {format_money(sum((c.expected for c in rows), ZERO))} · received "
             f"{format_money(sum((c.received or ZERO for c in rows), ZERO))} · still to come "
             f"{format_money(sum((c.outstanding for c in rows), ZERO))}"
             + (f" · {len(past)} draft claim{'s' if len(past) != 1 else ''} past the deadline" if past else ""),
             styles.subtitle),
        *head("Claims", styles.h2),
    ]
    if rows:
        story += data_table(claim_columns(doc.width), (claim_cells(c, today) for c in rows), size=7)
    else:
        story.append(para("No claims for this period.", styles.body))
    half = doc.width * 0.62
    money_cols = [("Claims", 0.1), ("Expected", 0.16), ("Claimed", 0.16), ("Received", 0.16),
                  ("Still to come", 0.16)]

    def totals_table(title: str, totals: dict[str, dict[str, Any]]) -> list[Any]:
        cols = [Column(title, half * 0.26)] + [Column(name, half * share, "RIGHT") for name, share in money_cols]
        body = [[name, str(t["count"]), format_money(t["expected"]), format_money(t["claimed"]),
                 format_money(t["received"]), format_money(t["outstanding"])] for name, t in totals.items()]
        grand = ["Total", str(len(rows)), *[format_money(sum((t[k] for t in totals.values()), ZERO))
                                            for k in ("expected", "claimed", "received", "outstanding")]]
        return data_table(cols, body, total_row=grand, size=8)

    story += head("Totals by status", styles.h2)
    story += totals_table("Status", totals_by(rows, "status"))
    story += head("Totals by scheme", styles.h2)
    story += totals_table("Scheme", totals_by(rows, "scheme"))
    story.append(para("'Still to come' is what open claims (draft, submitted, approved) should still bring in. "
                      "A draft past its deadline may lose the school the money.", styles.note))
    doc.build(story, ticker)
