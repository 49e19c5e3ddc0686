"""How values read to a person in England: 14/10/2025, £1,250.00, 3.5 h, 2025/26."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dates are formatted by their own strftime: the module is not needed to load this one
    import datetime as dt


def format_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def format_datetime(moment: dt.datetime | None) -> str:
    return moment.strftime("%d/%m/%Y %H:%M") if moment else ""


def format_money(amount: Decimal | float | int | None, *, blank: str = "") -> str:
    if amount is None:
        return blank
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "\u2212" if value < 0 else ""  # a minus sign before the pound sign: −£660.00
    return f"{sign}£{abs(value):,.2f}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 claim', '2 claims', '0 claims'; ``many`` for a word that does not just add an s ('people')."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def in_sentence(label: str) -> str:
    """A title as it reads inside a sentence: its first letter small unless the first word is an
    abbreviation ('Department CPD summary' → 'department CPD summary', 'CPD log' stays)."""
    first = label.split(" ", 1)[0]
    if not first or (len(first) > 1 and first[:2].isupper()):
        return label
    return first[0].lower() + label[1:]


def format_hours(hours: Decimal | float | int | None) -> str:
    if hours is None:
        return ""
    value = Decimal(str(hours)).quantize(Decimal("0.01")).normalize()
    text = f"{value:f}"
    return text


def format_fte(fte: Decimal | float | int | None) -> str:
    """Full-time equivalent, always to 2 decimal places (0.80, 7.15): the same figure in every output."""
    if fte is None:
        return ""
    return f"{Decimal(str(fte)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


def format_per_fte(hours: Decimal | float | int | None) -> str:
    """Hours per full-time equivalent, always to 1 decimal place, halves up (12.65 → 12.7): the window,
    the PDFs and the workbooks show the same figure."""
    if hours is None:
        return ""
    return f"{Decimal(str(hours)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def per_fte(hours: Decimal | float | int, fte: Decimal | float | int) -> Decimal:
    """Hours per FTE (0 when there is no FTE), unrounded: round it only to show it, with format_per_fte."""
    return Decimal(str(hours)) / Decimal(str(fte)) if fte else Decimal("0")


def format_percent(share: float | Decimal | None) -> str:
    if share is None:
        return "–"
    return f"{float(share):.0f}%"
