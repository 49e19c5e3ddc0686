"""How values read to a person in England: 14/10/2025, £1,250.00, 3.5 h, 2025/26."""

from __future__ import annotations

from decimal import Decimal
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
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def format_hours(hours: Decimal | float | int | None) -> str:
    if hours is None:
        return ""
    value = Decimal(str(hours)).quantize(Decimal("0.01")).normalize()
    text = f"{value:f}"
    return text


def format_percent(share: float | Decimal | None) -> str:
    if share is None:
        return "–"
    return f"{float(share):.0f}%"
