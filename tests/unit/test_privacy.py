"""Leavers: anonymised with every total unchanged; the audit trail redacted; the retention review list."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cpd_desktop.errors import ValidationError
from cpd_desktop.models import Activity, AuditEntry, Booking, School, Staff
from cpd_desktop.services import reports
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.privacy import anonymise_staff, leavers_due_for_review, redact_text
from cpd_desktop.services.staff import add_staff, update_staff
from cpd_desktop.services.years import parse_academic_year
from cpd_desktop.storage.database import Database

TODAY = dt.date(2025, 11, 20)


def totals(s: Session, school: School) -> dict[str, object]:
    out: dict[str, object] = {}
    for label in ("2022/23", "2023/24", "2024/25", "2025/26"):
        year = parse_academic_year(label)
        rows = reports.hours_by_staff(s, school, year)
        out[label] = (sum((r.hours for r in rows), Decimal(0)), len(rows),
                      sum((r.total for r in reports.cost_by_staff(s, school, year)), Decimal(0)))
        out[label + " by department"] = sorted((r["department"] or "", r["hours"])
                                               for r in reports.hours_report(s, school, year))
    out["bookings"] = sorted((str(r["status"]), str(r["total_cost"]) if "total_cost" in r else "")
                             for r in reports.bookings_report(s, school))
    return out


@pytest.fixture
def demo(db: Database) -> Database:
    from cpd_desktop.services.demo import build_demo

    with db.session() as s:
        build_demo(s, seed=3, today=TODAY)
    return db


def a_leaver(s: Session) -> Staff:
    return s.scalars(select(Staff).join(Activity, Activity.staff_id == Staff.id)
                     .where(Staff.leaving_date.is_not(None), Staff.leaving_date < TODAY)
                     .order_by(Staff.leaving_date)).first()  # type: ignore[return-value]


def test_an_anonymised_leaver_keeps_every_total(demo: Database) -> None:
    with demo.session() as s:
        school = s.scalars(select(School)).one()
        before = totals(s, school)
        leaver = a_leaver(s)
        name, email, code, sid = leaver.full_name, leaver.email, leaver.staff_code, leaver.id
        hours = s.scalar(select(func.sum(Activity.hours)).where(Activity.staff_id == sid))
        update_staff(s, leaver, notes=f"{name} asked for flexible working")
        result = anonymise_staff(s, leaver, today=TODAY)
    with demo.session() as s:
        school = s.scalars(select(School)).one()
        assert totals(s, school) == before
        person = s.get(Staff, sid)
        assert person is not None and person.anonymised
        assert person.full_name == result.label == f"Former staff member {sid}"
        assert person.staff_code == f"ANON{sid}" and person.email is None and person.notes is None
        assert result.hours == hours and result.activities > 0
        # Nothing left in the database names them, audit trail included.
        for entry in s.scalars(select(AuditEntry)):
            text = f"{entry.summary} {entry.changes or ''}"
            assert name not in text and (email or "@@") not in text, entry.summary
            assert code not in json.dumps(json.loads(entry.changes)) if entry.changes else True
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.action == "anonymise" and last.record_id == sid
        assert "Former staff member" in last.summary and "[removed]" in (last.changes or "")
        rows = reports.staff_report(s, school)
        assert all(r.get("name") != name for r in rows)
        assert any(r.get("staff_code") == f"ANON{sid}" for r in rows)


def test_free_text_naming_them_is_redacted_in_their_records(db: Database, school: School) -> None:
    with db.session() as s:
        person = add_staff(s, s.merge(school), forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD",
                           email="s.odalaigh@school.org", start_date="01/09/2019", leaving_date="31/08/2024")
        activity = add_activity(s, s.merge(school), person, date="10/10/2023", hours="3", title="Coaching",
                                impact="Siobhán Ó Dálaigh now starts practicals with a demo; Ms Ó Dálaigh "
                                       "says SOD's classes liked it. Art club too (ART).")
        anonymise_staff(s, person, today=TODAY)
        assert activity.impact == (f"Former staff member {person.id} now starts practicals with a demo; Former staff member "
                                   f"{person.id} says Former staff member {person.id}'s classes liked it. Art club too (ART)."
                                   )


def test_only_leavers_who_have_left_can_be_anonymised(session: Session, school: School) -> None:
    current = add_staff(session, school, forename="Ada", surname="Lovelace", staff_code="ALO")
    with pytest.raises(ValidationError, match="no leaving date"):
        anonymise_staff(session, current, today=TODAY)
    update_staff(session, current, leaving_date="31/08/2026")
    with pytest.raises(ValidationError, match="has not left yet"):
        anonymise_staff(session, current, today=TODAY)
    update_staff(session, current, leaving_date="31/08/2025")
    anonymise_staff(session, current, today=TODAY)
    with pytest.raises(ValidationError, match="already been anonymised"):
        anonymise_staff(session, current, today=TODAY)


def test_leavers_are_listed_for_review_after_the_retention_period(session: Session, school: School) -> None:
    school.leaver_retention_years = 6
    old = add_staff(session, school, forename="Old", surname="Leaver", staff_code="OLD", leaving_date="31/08/2019")
    add_staff(session, school, forename="Recent", surname="Leaver", staff_code="REC", leaving_date="31/08/2023")
    add_staff(session, school, forename="Still", surname="Here", staff_code="STI")
    leap = add_staff(session, school, forename="Leap", surname="Day", staff_code="LEA", leaving_date="29/02/2016")
    due = leavers_due_for_review(session, school, TODAY)
    assert [r.staff.staff_code for r in due] == ["LEA", "OLD"]
    assert due[1].review_due == dt.date(2025, 8, 31) and due[0].review_due == dt.date(2022, 2, 28)
    anonymise_staff(session, old, today=TODAY)
    assert [r.staff.id for r in leavers_due_for_review(session, school, TODAY)] == [leap.id]
    school.leaver_retention_years = 10
    assert leavers_due_for_review(session, school, TODAY) == []


def test_redaction_matches_whole_words_and_codes_by_exact_case() -> None:
    ids = [("Jo Smith", True), ("JS", False)]
    assert redact_text("Jo Smith and JOSMITH, JS and js", ids, "X") == "X and JOSMITH, X and js"
    assert redact_text(None, ids, "X") is None


def test_bookings_of_a_leaver_stay_in_cost_totals(demo: Database) -> None:
    with demo.session() as s:
        leaver = s.scalars(select(Staff).join(Booking, Booking.staff_id == Staff.id)
                           .where(Staff.leaving_date.is_not(None), Staff.leaving_date < TODAY)).first()
        if leaver is None:
            pytest.skip("the demo school has no leaver with a booking")
        count = s.scalar(select(func.count()).select_from(Booking).where(Booking.staff_id == leaver.id))
        result = anonymise_staff(s, leaver, today=TODAY)
        assert result.bookings == count
