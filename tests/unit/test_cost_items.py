"""The bookings and activities behind a person's cost for the year (``cost_items``) add up to that person's
``cost_by_staff`` figures, head by head (the bursary expected and received too), for everyone in the demo
school in each of three years; none is a cancelled booking or another year's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cpd_desktop.services.reports import cost_by_staff, cost_items
from cpd_desktop.services.schools import list_schools
from cpd_desktop.services.years import AcademicYear
from cpd_desktop.storage.database import Database

TODAY = dt.date(2025, 11, 20)
HEADS = ("fee", "travel", "accommodation", "subsistence", "cover", "other", "bursary_expected", "bursary_received")


def test_each_persons_items_add_up_to_their_cost_row(db: Database) -> None:
    from cpd_desktop.services.demo import build_demo

    with db.session() as s:
        build_demo(s, seed=3, today=TODAY)
    with db.session() as s:
        school = list_schools(s)[0]
        checked = with_items = 0
        for year in (AcademicYear(2024), AcademicYear(2025), AcademicYear(2026)):
            for row in cost_by_staff(s, school, year):
                items = cost_items(s, school, year, row.staff_id)
                for head in HEADS:
                    added = sum((getattr(i, head) for i in items), Decimal(0))
                    assert added.quantize(Decimal("0.01")) == getattr(row, head), (row.name, year.label, head)
                assert sum((i.total for i in items), Decimal(0)).quantize(Decimal("0.01")) == row.total
                assert all(i.status != "cancelled" for i in items)
                assert all(year.start <= i.date <= year.end for i in items)
                checked += 1
                with_items += bool(items)
        assert checked > 50 and with_items > 10  # the demo has costs to check
