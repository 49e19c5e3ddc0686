"""Bursary schemes that change: a claim is made only under a scheme valid on the course's start date (refused
otherwise with the scheme's dates named), a scheme cannot end before it starts, and ended schemes are listed
apart (greyed, "Ended dd/mm/yyyy")."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cpd_desktop.errors import ValidationError
from cpd_desktop.models import Booking, BursaryClaim, School, Staff
from cpd_desktop.services.bookings import create_booking
from cpd_desktop.services.bursaries import add_scheme, create_claim, scheme_dates, validity_problem
from cpd_desktop.services.lists.bursaries import SchemeList
from cpd_desktop.services.settings_lists import update_scheme
from cpd_desktop.services.staff import add_staff

START = dt.date(2025, 10, 15)


@pytest.fixture
def booking(session: Session, school: School) -> Booking:
    teacher: Staff = add_staff(session, school, forename="Kwame", surname="Mensah", staff_code="KME")
    return create_booking(session, school, teacher, title="Practical physics (residential)", start_date=START,
                          end_date=START + dt.timedelta(days=2), hours="18", format="residential", fee="650.00",
                          intended_outcomes="Pupils carry out the practical with less help")


def test_a_claim_under_a_scheme_that_ended_before_the_course_is_refused_naming_its_dates(
        session: Session, school: School, booking: Booking) -> None:
    spn = add_scheme(session, school, name="Stimulating Physics Network", rule="per_course", amount="150",
                     valid_from="01/09/2014", valid_to="31/03/2025")
    with pytest.raises(ValidationError) as refused:
        create_claim(session, booking, spn)
    assert refused.value.field == "Scheme"
    assert refused.value.message == ("Stimulating Physics Network runs 01/09/2014 to 31/03/2025; this course "
                                     "starts on 15/10/2025, after the scheme ended.")
    assert session.query(BursaryClaim).count() == 0


def test_a_claim_before_a_scheme_begins_is_refused(session: Session, school: School, booking: Booking) -> None:
    later = add_scheme(session, school, name="New subsidy", rule="per_course", amount="200", valid_from="01/01/2026")
    problem = validity_problem(later, booking)
    assert problem == "New subsidy runs from 01/01/2026; this course starts on 15/10/2025, before the scheme began."
    with pytest.raises(ValidationError, match="before the scheme began"):
        create_claim(session, booking, later)


@pytest.mark.parametrize("valid_from, valid_to", [
    (None, None), ("15/10/2025", None), (None, "15/10/2025"), ("01/09/2025", "31/08/2026"),
    ("15/10/2025", "15/10/2025"),
])
def test_a_claim_under_a_scheme_running_on_the_course_date_is_made(
        session: Session, school: School, booking: Booking, valid_from: str | None, valid_to: str | None) -> None:
    scheme = add_scheme(session, school, name="Residential bursary", rule="per_day", amount="220",
                        valid_from=valid_from, valid_to=valid_to)
    claim = create_claim(session, booking, scheme)
    assert claim.status == "draft" and claim.scheme_id == scheme.id


def test_a_scheme_cannot_end_before_it_starts(session: Session, school: School) -> None:
    with pytest.raises(ValidationError) as refused:
        add_scheme(session, school, name="Backwards", valid_from="01/04/2025", valid_to="31/03/2025")
    assert refused.value.field == "Valid to"
    assert "31/03/2025, before it starts on 01/04/2025" in refused.value.message
    with pytest.raises(ValidationError, match="Valid from"):
        add_scheme(session, school, name="Bad date", valid_from="31/02/2025")


def test_the_database_refuses_a_scheme_that_ends_before_it_starts(session: Session, school: School) -> None:
    scheme = add_scheme(session, school, name="Residential bursary", valid_from="01/04/2025")
    scheme.valid_to = dt.date(2025, 3, 31)
    with pytest.raises(IntegrityError, match="valid_dates"):
        session.flush()


def test_editing_a_scheme_sets_its_dates_and_eligibility(session: Session, school: School) -> None:
    scheme = add_scheme(session, school, name="Residential bursary")
    assert scheme_dates(scheme) == "with no dates set"
    update_scheme(session, scheme, valid_from="01/09/2025", valid_to="31/08/2026",
                  eligibility="State-funded schools only")
    assert (scheme.valid_from, scheme.valid_to) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    assert scheme.eligibility == "State-funded schools only"
    assert scheme_dates(scheme) == "01/09/2025 to 31/08/2026"


def test_ended_schemes_are_listed_apart_greyed_with_the_day_they_ended(session: Session, school: School) -> None:
    add_scheme(session, school, name="Stimulating Physics Network", valid_from="01/09/2014", valid_to="31/03/2025")
    add_scheme(session, school, name="Residential bursary", valid_from="01/09/2025")
    add_scheme(session, school, name="Ends soon", valid_to="31/12/2025")
    listing = SchemeList(school.id, dt.date(2025, 11, 20))

    def shown(expired: bool | None) -> dict[str, tuple[str, str | None]]:
        rows = listing.fetch_page(session, {"expired": expired}, listing.default_sort, 0)
        end = [c.key for c in listing.columns].index("runs")
        return {listing.values(r)["name"]: (listing.columns[end].format(r.values[end]), r.style) for r in rows}

    assert shown(False) == {"Residential bursary": ("From 01/09/2025", None), "Ends soon": ("Until 31/12/2025", None)}
    assert shown(True) == {"Stimulating Physics Network": ("Ended 31/03/2025", "muted")}
    assert len(shown(None)) == 3


def test_a_scheme_not_running_on_the_course_date_is_an_eligibility_problem(session: Session, school: School,
                                                                           booking: Booking) -> None:
    """Booking a course whose scheme has ended books it and notes why no claim was started."""
    from cpd_desktop.services.bursaries import eligibility_problems

    spn = add_scheme(session, school, name="Stimulating Physics Network", valid_to="31/03/2025")
    assert eligibility_problems(spn, booking, school) == [
        "Stimulating Physics Network runs until 31/03/2025; this course starts on 15/10/2025, after the scheme "
        "ended."]
