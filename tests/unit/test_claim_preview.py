"""Raise a bursary claim shows the amount expected before the claim is raised: the scheme's rule applied to
the booking, as raising it will, with how it is made up and the deadline; or why it cannot be claimed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cpd_desktop.models import School
from cpd_desktop.services.bookings import create_booking
from cpd_desktop.services.bursaries import add_scheme, claim_preview, create_claim
from cpd_desktop.services.staff import add_staff


def test_the_preview_says_what_raising_the_claim_will_expect(session: Session, school: School) -> None:
    person = add_staff(session, school, forename="Kwame", surname="Mensah", staff_code="KME", department="Physics")
    booking = create_booking(session, school, person, title="Practical physics (residential)", start_date="24/11/2025",
                             end_date="26/11/2025", hours="18", format="residential", fee="650.00", travel="120.00",
                             accommodation="220.00", subsistence="30.00", cover_required=True,
                             intended_outcomes="Pupils carry out the practical with less help")
    per_day = add_scheme(session, school, name="Residential bursary", funder="STEM Learning", rule="per_day",
                         amount="220.00", min_days=2, claim_deadline_days=60)
    actual = add_scheme(session, school, name="ENTHUSE award", funder="STEM Learning", rule="actual_costs",
                        implementation_amount="100.00", claim_deadline_days=90, covers_fee=False, covers_cover=False)
    grant = add_scheme(session, school, name="Ogden Trust physics grant", funder="Ogden Trust", rule="per_course",
                       amount="300.00", min_days=4, claim_deadline_days=30)
    said = claim_preview(session, school.id, booking.id, per_day.id)
    assert said == "£660.00 expected: 3 days at £220.00 a day. Claim by 25/01/2026."
    assert claim_preview(session, school.id, booking.id, actual.id) == (
        "£470.00 expected: the course's travel, accommodation, subsistence, and £100.00 for putting it into "
        "practice. Claim by 24/02/2026.")
    assert claim_preview(session, school.id, booking.id, grant.id).startswith("Cannot be claimed: Ogden Trust")
    assert claim_preview(session, school.id, None, per_day.id) == ""
    claim = create_claim(session, booking, per_day)  # what was shown is what the claim expects
    assert (f"£{claim.expected:,.2f} expected", claim.deadline) == (said.split(":")[0], dt.date(2026, 1, 25))
