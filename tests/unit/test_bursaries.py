"""Bursaries: what a scheme's rule expects, a claim's life to payment, deadlines, and overdue evaluations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from cpd_desktop.errors import CpdError, InvalidTransitionError, ValidationError
from cpd_desktop.models import Booking, BursaryClaim, BursaryScheme, School, Staff
from cpd_desktop.services.activities import add_activity, overdue_evaluations, record_evaluation
from cpd_desktop.services.bookings import create_booking, mark_attended, transition_booking
from cpd_desktop.services.bursaries import (
    add_scheme,
    bursary_expected,
    claims_near_deadline,
    claims_past_deadline,
    create_claim,
    money_by_status,
    transition_claim,
    update_claim,
)
from cpd_desktop.services.staff import add_staff

START, END = dt.date(2025, 10, 15), dt.date(2025, 10, 17)  # Wednesday to Friday: three school days


@pytest.fixture
def teacher(session: Session, school: School) -> Staff:
    return add_staff(session, school, forename="Kwame", surname="Mensah", staff_code="KME", department="Physics")


@pytest.fixture
def booking(session: Session, school: School, teacher: Staff) -> Booking:
    return create_booking(session, school, teacher, title="Practical physics (residential)", start_date=START,
                          end_date=END, hours="18", format="residential", fee="650.00", travel="120.00",
                          accommodation="220.00", subsistence="30.00", cover_required=True,
                          intended_outcomes="Pupils carry out the practical with less help")


def _attend(session: Session, booking: Booking) -> None:
    transition_booking(session, booking, "approved", on=dt.date(2025, 9, 1))
    transition_booking(session, booking, "booked", on=dt.date(2025, 9, 10))
    mark_attended(session, booking, on=END)


def _scheme(session: Session, school: School, **values: object) -> BursaryScheme:
    values.setdefault("name", "Science CPD Partnership residential bursary")
    return add_scheme(session, school, funder="STEM Learning", **values)


# ---- what each rule expects ----

def test_per_day_pays_the_amount_for_each_day_of_the_course(session: Session, school: School, booking: Booking) -> None:
    scheme = _scheme(session, school, rule="per_day", amount="220.00")
    assert bursary_expected(scheme, booking) == Decimal("660.00")


def test_per_course_pays_a_fixed_amount(session: Session, school: School, booking: Booking) -> None:
    scheme = _scheme(session, school, rule="Fixed amount per course", amount="300")
    assert bursary_expected(scheme, booking) == Decimal("300.00")


def test_actual_costs_pays_the_cost_heads_it_covers(session: Session, school: School, booking: Booking) -> None:
    everything = _scheme(session, school, name="ENTHUSE award", rule="actual_costs")
    # 650 + 120 + 220 + 30 + 3 days × £291 cover
    assert bursary_expected(everything, booking) == Decimal("1893.00")
    no_fee_or_cover = _scheme(session, school, name="Travel grant", rule="actual_costs", covers_fee="no",
                              covers_cover=False)
    assert bursary_expected(no_fee_or_cover, booking) == Decimal("370.00")


def test_the_implementation_sum_is_added_to_any_rule(session: Session, school: School, booking: Booking) -> None:
    scheme = _scheme(session, school, rule="per_course", amount="300", implementation_amount="£100.00")
    assert bursary_expected(scheme, booking) == Decimal("400.00")


def test_a_scheme_refuses_bad_values(session: Session, school: School) -> None:
    with pytest.raises(ValidationError, match="negative"):
        _scheme(session, school, rule="per_day", amount="-1")
    with pytest.raises(ValidationError) as info:
        _scheme(session, school, rule="per_day", claim_deadline_days="1000")
    assert "Claim deadline" in info.value.field
    with pytest.raises(ValidationError, match="not one of the choices"):
        _scheme(session, school, rule="per hour")
    _scheme(session, school, rule="per_day")
    with pytest.raises(ValidationError, match="already exists"):
        _scheme(session, school, rule="per_course")


# ---- claims ----

def test_a_new_claim_is_a_draft_with_the_expected_amount_and_its_deadline(
        session: Session, school: School, booking: Booking) -> None:
    scheme = _scheme(session, school, rule="per_day", amount="220.00", claim_deadline_days=60)
    claim = create_claim(session, booking, scheme, budget_code="CPD-SCI")
    assert (claim.status, claim.expected, claim.claimed, claim.received) == ("draft", Decimal("660.00"), None, None)
    assert claim.deadline == END + dt.timedelta(days=60)
    assert claim.budget_code == "CPD-SCI"


def test_a_claim_goes_from_draft_to_paid(session: Session, school: School, booking: Booking) -> None:
    scheme = _scheme(session, school, rule="per_day", amount="220.00")
    claim = create_claim(session, booking, scheme)
    with pytest.raises(InvalidTransitionError, match="attended"):
        transition_claim(session, claim, "submitted", on="20/10/2025")
    assert claim.status == "draft"
    _attend(session, booking)
    transition_claim(session, claim, "submitted", on="20/10/2025", reference="SCP-250042")
    assert (claim.status, claim.claimed, claim.submitted_on, claim.reference) == (
        "submitted", Decimal("660.00"), dt.date(2025, 10, 20), "SCP-250042")
    transition_claim(session, claim, "approved", on="03/11/2025")
    assert claim.approved_on == dt.date(2025, 11, 3)
    transition_claim(session, claim, "paid", on="12/12/2025", amount="£640.00")
    assert (claim.status, claim.received, claim.paid_on) == ("paid", Decimal("640.00"), dt.date(2025, 12, 12))


def test_a_claim_for_less_than_expected_is_paid_what_was_claimed(session: Session, school: School,
                                                                 booking: Booking) -> None:
    claim = create_claim(session, booking, _scheme(session, school, rule="per_day", amount="220.00"))
    _attend(session, booking)
    transition_claim(session, claim, "submitted", on="20/10/2025", amount="440.00")
    transition_claim(session, claim, "approved", on="03/11/2025")
    transition_claim(session, claim, "paid", on="12/12/2025")
    assert (claim.expected, claim.claimed, claim.received) == (Decimal("660.00"), Decimal("440.00"),
                                                               Decimal("440.00"))


@pytest.mark.parametrize(("path", "illegal"), [
    ([], "approved"), ([], "paid"), ([], "rejected"), (["submitted"], "paid"), (["submitted"], "draft"),
    (["submitted", "approved"], "rejected"), (["submitted", "approved"], "submitted"),
    (["submitted", "approved", "paid"], "withdrawn"), (["submitted", "approved", "paid"], "draft"),
    (["submitted", "rejected"], "approved"), (["withdrawn"], "submitted"),
])
def test_illegal_claim_transitions_are_refused(session: Session, school: School, booking: Booking,
                                               path: list[str], illegal: str) -> None:
    claim = create_claim(session, booking, _scheme(session, school, rule="per_day", amount="220.00"))
    _attend(session, booking)
    for status in path:
        transition_claim(session, claim, status, on="20/10/2025")
    before = (claim.status, claim.claimed, claim.received)
    with pytest.raises(InvalidTransitionError, match="cannot become") as info:
        transition_claim(session, claim, illegal, on="21/10/2025")
    assert "From here it can become" in info.value.hint
    assert (claim.status, claim.claimed, claim.received) == before


def test_a_rejected_or_withdrawn_claim_can_be_reopened_as_a_draft(session: Session, school: School,
                                                                  booking: Booking) -> None:
    claim = create_claim(session, booking, _scheme(session, school, rule="per_day", amount="220.00"))
    transition_claim(session, claim, "withdrawn", on="01/10/2025")
    assert claim.closed_on == dt.date(2025, 10, 1)
    transition_claim(session, claim, "draft", on="02/10/2025")
    assert (claim.status, claim.closed_on) == ("draft", None)


def test_claims_that_cannot_be_made_are_refused(session: Session, school: School, teacher: Staff,
                                                booking: Booking) -> None:
    scheme = _scheme(session, school, rule="per_day", amount="220.00", min_days=2)
    one_day = create_booking(session, school, teacher, title="SLP network meeting", start_date="05/11/2025",
                             hours="3", intended_outcomes="Pupils carry out the practical with less help")
    with pytest.raises(CpdError, match="2 days or more"):
        create_claim(session, one_day, scheme)
    create_claim(session, booking, scheme)
    with pytest.raises(ValidationError, match="already has a claim on") as refused:
        create_claim(session, booking, scheme)
    assert refused.value.field == "Scheme"  # said beside the Scheme field of Raise claim
    school.state_funded = False
    other = _scheme(session, school, name="Ogden Trust physics grant", rule="per_course", amount="300")
    with pytest.raises(CpdError, match="state-funded schools only"):
        create_claim(session, booking, other)
    school.state_funded = True
    transition_booking(session, booking, "cancelled", on=dt.date(2025, 10, 1))
    with pytest.raises(CpdError, match="cancelled"):
        create_claim(session, booking, other)
    assert len(session.query(BursaryClaim).all()) == 1


def test_update_claim_keeps_the_evidence_checklist(session: Session, school: School, booking: Booking) -> None:
    claim = create_claim(session, booking, _scheme(session, school, rule="per_day", amount="220.00"))
    update_claim(session, claim, evidence_attendance="Yes", evidence_invoice=True, notes=" Invoice from agency ")
    assert (claim.evidence_attendance, claim.evidence_evaluation, claim.evidence_invoice) == (True, False, True)
    assert claim.notes == "Invoice from agency"
    with pytest.raises(ValidationError, match="negative"):
        update_claim(session, claim, received="-10")


# ---- deadlines ----

def test_drafts_past_their_deadline_are_listed_and_others_are_not(session: Session, school: School,
                                                                  teacher: Staff, booking: Booking) -> None:
    scheme = _scheme(session, school, rule="per_day", amount="220.00", claim_deadline_days=30)
    late = create_claim(session, booking, scheme)                                  # due 16/11/2025
    later_booking = create_booking(session, school, teacher, title="ASE Annual Conference",
                                   start_date="05/01/2026", end_date="06/01/2026", hours="12",
                                   intended_outcomes="Pupils carry out the practical with less help")
    near = create_claim(session, later_booking, scheme)                            # due 05/02/2026
    assert late.deadline == dt.date(2025, 11, 16) and near.deadline == dt.date(2026, 2, 5)
    assert claims_past_deadline(session, school, today=dt.date(2025, 11, 16)) == []  # due today: not yet late
    assert claims_past_deadline(session, school, today=dt.date(2025, 11, 17)) == [late]
    assert claims_past_deadline(session, school, today=dt.date(2026, 2, 6)) == [late, near]
    assert claims_near_deadline(session, school, today=dt.date(2026, 1, 20)) == [near]
    _attend(session, booking)
    transition_claim(session, late, "submitted", on="20/11/2025")  # submitted: no longer at risk
    assert claims_past_deadline(session, school, today=dt.date(2026, 2, 6)) == [near]


def test_money_by_status(session: Session, school: School, teacher: Staff, booking: Booking) -> None:
    scheme = _scheme(session, school, rule="per_day", amount="220.00")
    paid = create_claim(session, booking, scheme)
    _attend(session, booking)
    for status in ("submitted", "approved", "paid"):
        transition_claim(session, paid, status, on="20/11/2025")
    other = create_booking(session, school, teacher, title="ASE Annual Conference", start_date="05/01/2026",
                           end_date="06/01/2026", hours="12",
                           intended_outcomes="Pupils carry out the practical with less help")
    create_claim(session, other, scheme)
    totals = money_by_status(session, school)
    assert totals["paid"] == {"expected": Decimal("660.00"), "claimed": Decimal("660.00"),
                              "received": Decimal("660.00"), "count": 1}
    assert totals["draft"]["expected"] == Decimal("440.00") and totals["draft"]["received"] == Decimal("0.00")
    assert set(money_by_status(session, school, dt.date(2026, 1, 1), dt.date(2026, 8, 31))) == {"draft"}


# ---- evaluations overdue ----

def test_evaluations_overdue_until_they_are_recorded(session: Session, school: School, teacher: Staff) -> None:
    old = add_activity(session, school, teacher, date="01/09/2025", hours="3", title="INSET: department day")
    recent = add_activity(session, school, teacher, date="10/11/2025", hours="1.5", title="IOP webinar")
    assert old.evaluation_due == dt.date(2025, 10, 13)  # 42 days later, the school's default
    # Reminders follow the evaluation stages: the End stage falls due two weeks after the activity.
    assert overdue_evaluations(session, school, today=dt.date(2025, 9, 15)) == []
    assert overdue_evaluations(session, school, today=dt.date(2025, 9, 16)) == [old]
    assert overdue_evaluations(session, school, today=dt.date(2025, 11, 20)) == [old]
    assert overdue_evaluations(session, school, today=dt.date(2026, 1, 1)) == [old, recent]
    with pytest.raises(ValidationError, match="required") as info:
        record_evaluation(session, old, impact="  ", evaluated_on="20/11/2025")
    assert info.value.field == "Impact"
    with pytest.raises(ValidationError, match="before the activity"):
        record_evaluation(session, old, impact="Pupils plan practicals themselves.", evaluated_on="01/08/2025")
    record_evaluation(session, old, impact="Pupils plan practicals themselves.", confidence="4",
                      evaluated_on="20/11/2025")
    assert (old.evaluated_on, old.impact_confidence) == (dt.date(2025, 11, 20), 4)
    assert overdue_evaluations(session, school, today=dt.date(2026, 1, 1)) == [recent]


def test_the_schools_evaluation_period_sets_the_due_date(session: Session, school: School, teacher: Staff) -> None:
    school.evaluation_due_days = 14
    activity = add_activity(session, school, teacher, date="06/10/2025", end_date="08/10/2025", hours="18",
                            title="Residential")
    assert activity.evaluation_due == dt.date(2025, 10, 22)  # 14 days after the last day


def test_a_per_day_bursary_counts_a_weekend_course_day(session: Session, school: School) -> None:
    from cpd_desktop.services import bookings, bursaries
    from cpd_desktop.services import staff as staff_service

    person = staff_service.add_staff(session, school, forename="Kwame", surname="Mensah", staff_code="KWM")
    friday = dt.date(2025, 11, 14)
    weekend = bookings.create_booking(session, school, person, title="Residential: physics practicals",
                                      start_date=friday, end_date=friday + dt.timedelta(days=1), hours=12,
                                      cover_required=True,
                                      intended_outcomes="Pupils carry out the practical with less help")
    scheme = bursaries.add_scheme(session, school, name="Weekend residential", rule="per_day", amount="150.00",
                                  min_days=2)
    assert bursaries.eligibility_problems(scheme, weekend, school) == []
    assert bursaries.bursary_expected(scheme, weekend) == Decimal("300.00")  # Friday and Saturday
    assert len(bookings.absence_days(weekend)) == 1  # but only Friday's lessons need cover
