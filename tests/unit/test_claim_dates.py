"""A claim's dates follow its states (submitted, then approved, then paid) and none is before the course
starts, unless its scheme pays in advance. The service refuses, naming the date; so does the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cpd_desktop.errors import InvalidTransitionError, ValidationError
from cpd_desktop.models import Booking, BursaryClaim, School, Staff
from cpd_desktop.services.bookings import create_booking, mark_attended, transition_booking
from cpd_desktop.services.bursaries import add_scheme, create_claim, transition_claim
from cpd_desktop.services.settings_lists import update_scheme
from cpd_desktop.services.staff import add_staff

START, END = dt.date(2026, 12, 8), dt.date(2026, 12, 10)


@pytest.fixture
def booking(session: Session, school: School) -> Booking:
    teacher: Staff = add_staff(session, school, forename="Nguyễn", surname="Thị Mai", staff_code="NTM")
    return create_booking(session, school, teacher, title="Practical chemistry (residential)", start_date=START,
                          end_date=END, hours="18", format="residential", cover_required=True,
                          intended_outcomes="Pupils carry out the practical with less help")


def _attend(session: Session, booking: Booking) -> None:
    transition_booking(session, booking, "approved", on=dt.date(2026, 11, 1))
    transition_booking(session, booking, "booked", on=dt.date(2026, 11, 2))
    mark_attended(session, booking, on=END)


def _claim(session: Session, school: School, booking: Booking, **scheme: object) -> BursaryClaim:
    return create_claim(session, booking, add_scheme(session, school, name="ENTHUSE residential bursary",
                                                     rule="per_day", amount="220", **scheme))


def test_paid_before_the_claim_was_submitted_is_refused(session: Session, school: School, booking: Booking) -> None:
    claim = _claim(session, school, booking)
    _attend(session, booking)
    transition_claim(session, claim, "submitted", on="14/12/2026")
    transition_claim(session, claim, "approved", on="14/12/2026")
    with pytest.raises(ValidationError) as caught:
        transition_claim(session, claim, "paid", on="01/12/2026")
    assert caught.value.field == "Date"
    assert caught.value.message == "Paid 01/12/2026 is before the claim was approved on 14/12/2026."
    assert (claim.status, claim.paid_on, claim.received) == ("approved", None, None)


def test_paid_before_approved_is_refused(session: Session, school: School, booking: Booking) -> None:
    claim = _claim(session, school, booking)
    _attend(session, booking)
    transition_claim(session, claim, "submitted", on="14/12/2026")
    transition_claim(session, claim, "approved", on="05/01/2027")
    with pytest.raises(ValidationError, match="Paid 04/01/2027 is before the claim was approved on 05/01/2027"):
        transition_claim(session, claim, "paid", on="04/01/2027")
    transition_claim(session, claim, "paid", on="05/01/2027")  # the same day is fine
    assert (claim.status, claim.paid_on) == ("paid", dt.date(2027, 1, 5))


def test_approved_before_submitted_is_refused(session: Session, school: School, booking: Booking) -> None:
    claim = _claim(session, school, booking)
    _attend(session, booking)
    transition_claim(session, claim, "submitted", on="14/12/2026")
    with pytest.raises(ValidationError, match="Approved 13/12/2026 is before the claim was submitted on 14/12/2026"):
        transition_claim(session, claim, "approved", on="13/12/2026")
    with pytest.raises(ValidationError, match="Rejected 13/12/2026 is before the claim was submitted"):
        transition_claim(session, claim, "rejected", on="13/12/2026")
    assert claim.status == "submitted"


def test_submitted_before_the_course_starts_is_refused(session: Session, school: School, booking: Booking) -> None:
    claim = _claim(session, school, booking)
    _attend(session, booking)
    with pytest.raises(ValidationError) as caught:
        transition_claim(session, claim, "submitted", on="07/12/2026")
    assert caught.value.message == "Submitted 07/12/2026 is before the course starts on 08/12/2026."
    assert "Pays in advance" in caught.value.hint
    assert (claim.status, claim.submitted_on) == ("draft", None)


def test_a_scheme_that_pays_in_advance_takes_a_claim_before_the_course(session: Session, school: School,
                                                                       booking: Booking) -> None:
    claim = _claim(session, school, booking, pays_in_advance=True)
    transition_claim(session, claim, "submitted", on="01/11/2026")  # not attended yet: it pays in advance
    transition_claim(session, claim, "approved", on="15/11/2026")
    with pytest.raises(ValidationError, match="before the claim was approved"):
        transition_claim(session, claim, "paid", on="14/11/2026")  # the order of states still holds
    transition_claim(session, claim, "paid", on="01/12/2026")
    assert (claim.status, claim.paid_on, claim.received) == ("paid", dt.date(2026, 12, 1), Decimal("660.00"))


def test_a_scheme_pays_after_the_course_unless_it_is_set_to_pay_in_advance(session: Session, school: School,
                                                                           booking: Booking) -> None:
    claim = _claim(session, school, booking)
    assert claim.scheme.pays_in_advance is False
    with pytest.raises(InvalidTransitionError, match="attended"):
        transition_claim(session, claim, "submitted", on="01/11/2026")
    update_scheme(session, claim.scheme, pays_in_advance="yes")
    transition_claim(session, claim, "submitted", on="01/11/2026")
    assert claim.submitted_on == dt.date(2026, 11, 1)


def test_submitting_again_after_a_withdrawal_starts_approval_afresh(session: Session, school: School,
                                                                    booking: Booking) -> None:
    claim = _claim(session, school, booking)
    _attend(session, booking)
    transition_claim(session, claim, "submitted", on="14/12/2026")
    transition_claim(session, claim, "approved", on="20/12/2026")
    transition_claim(session, claim, "withdrawn", on="21/12/2026")
    transition_claim(session, claim, "draft", on="05/01/2027")
    transition_claim(session, claim, "submitted", on="06/01/2027")
    assert (claim.submitted_on, claim.approved_on) == (dt.date(2027, 1, 6), None)
    session.flush()  # the database's own check agrees


def test_the_database_refuses_dates_out_of_order(session: Session, school: School, booking: Booking) -> None:
    claim = _claim(session, school, booking)
    _attend(session, booking)
    transition_claim(session, claim, "submitted", on="14/12/2026")
    transition_claim(session, claim, "approved", on="15/12/2026")
    claim.paid_on = dt.date(2026, 12, 1)  # around the service, as a script or another program might
    with pytest.raises(IntegrityError, match="paid_after"):
        session.flush()
    session.rollback()
