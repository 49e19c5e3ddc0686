"""A school that starts furnished: the usual providers, its phase's departments and example bursary schemes
marked as starting points; furnishing twice adds nothing, and no other school's lists are touched."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cpd_desktop.cli import main
from cpd_desktop.models import BursaryScheme, Department, Provider, School
from cpd_desktop.services.bookings import create_booking
from cpd_desktop.services.bursaries import bursary_expected
from cpd_desktop.services.database import open_database
from cpd_desktop.services.schools import create_school
from cpd_desktop.services.settings_lists import rename_provider
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.starter import PROVIDERS, STARTING_POINT, furnish, starting_points
from cpd_desktop.storage.database import Database


def _names(session: Session, model: type, school_id: int) -> list[str]:
    return sorted(session.scalars(select(model.name).where(model.school_id == school_id)))  # type: ignore[attr-defined]


def test_a_new_secondary_school_starts_with_the_providers_departments_and_schemes(db: Database) -> None:
    with db.session() as s:
        school = create_school(s, "Ashcombe Park Academy", phase="secondary", starter=True)
        assert "STEM Learning" in _names(s, Provider, school.id)
        assert set(_names(s, Provider, school.id)) == {name for name, _w in PROVIDERS}
        assert {"Association for Science Education", "Ogden Trust", "Institute of Physics",
                "Royal Society of Chemistry", "Royal Society of Biology", "Primary Science Teaching Trust",
                "Teacher Development Trust"} <= set(_names(s, Provider, school.id))
        assert any("Science Learning Partnership" in n for n in _names(s, Provider, school.id))
        assert _names(s, Department, school.id) == ["Biology", "Chemistry", "Physics", "Science"]
        schemes = {x.name: x for x in s.scalars(select(BursaryScheme).where(BursaryScheme.school_id == school.id))}
        assert len(schemes) == 2
        for scheme in schemes.values():
            assert "(example)" in scheme.name
            assert scheme.notes and scheme.notes.startswith(STARTING_POINT)
            assert "Check the amount" in scheme.notes
            assert scheme.valid_from == dt.date(2025, 9, 1) and scheme.valid_to is None
            assert scheme.eligibility and "Check the current rules" in scheme.eligibility
            assert scheme.active
        residential = next(x for x in schemes.values() if "residential" in x.name)
        assert residential.rule == "per_day" and residential.min_days == 2 and residential.funder == "STEM Learning"
        physics = next(x for x in schemes.values() if "Physics" in x.name)
        assert physics.rule == "per_course"


def test_a_primary_school_gets_one_department(db: Database) -> None:
    with db.session() as s:
        school = create_school(s, "Beacon Hill Primary", phase="primary", starter=True)
        assert _names(s, Department, school.id) == ["Science"]
        assert "Primary Science Teaching Trust" in _names(s, Provider, school.id)


def test_without_the_starter_the_lists_are_empty(db: Database) -> None:
    with db.session() as s:
        school = create_school(s, "Empty Lists School")
        assert _names(s, Provider, school.id) == [] and _names(s, BursaryScheme, school.id) == []
        assert _names(s, Department, school.id) == []
        assert starting_points(s, school.id) == {"Providers": [], "Departments": [], "Bursary schemes": []}


def test_furnishing_twice_adds_nothing_and_keeps_the_schools_own_edits(db: Database) -> None:
    with db.session() as s:
        school = create_school(s, "Ashcombe Park Academy")
        s.add(Provider(school_id=school.id, name="ogden trust"))  # one the school typed itself, in other capitals
        s.add(Department(school_id=school.id, name="PHYSICS"))
        s.flush()
        first = furnish(s, school)
        assert (first.providers, first.departments, first.schemes) == (len(PROVIDERS) - 1, 3, 2)
        assert "ogden trust" in _names(s, Provider, school.id) and "Ogden Trust" not in _names(s, Provider, school.id)
        assert _names(s, Department, school.id) == ["Biology", "Chemistry", "PHYSICS", "Science"]
        stem = s.scalar(select(Provider).where(Provider.school_id == school.id, Provider.name == "STEM Learning"))
        assert stem is not None
        rename_provider(s, stem, "STEM Learning (York)")
        scheme = s.scalar(select(BursaryScheme).where(BursaryScheme.school_id == school.id,
                                                      BursaryScheme.rule == "per_day"))
        assert scheme is not None
        scheme.amount = scheme.amount + 1  # the school checked the rules and corrected the amount
        s.flush()
        corrected = scheme.amount
        again = furnish(s, school)
        # the renamed provider is missing under its starting name, so it comes back; nothing else is added
        assert (again.providers, again.departments, again.schemes) == (1, 0, 0)
        assert furnish(s, school).total == 0
        assert "STEM Learning (York)" in _names(s, Provider, school.id)
        assert scheme.amount == corrected
        assert len(_names(s, BursaryScheme, school.id)) == 2


def test_furnishing_one_school_touches_no_other_schools_lists(db: Database, school: School) -> None:
    """A trust's database holds many schools: the new one's lists are filled, the others' are as they were."""
    with db.session() as s:
        other = s.get(School, school.id)
        assert other is not None
        s.add(Provider(school_id=other.id, name="In-house"))
        s.flush()
        theirs = {m.__name__: _names(s, m, other.id) for m in (Provider, Department, BursaryScheme)}
        new = create_school(s, "Brackenfield School", starter=True)
        furnish(s, new)
        assert {m.__name__: _names(s, m, other.id) for m in (Provider, Department, BursaryScheme)} == theirs
        assert starting_points(s, other.id)["Providers"] == []  # never furnished: nothing of its own is flagged
        assert "STEM Learning" in starting_points(s, new.id)["Providers"]
        total = s.scalar(select(func.count()).select_from(Provider).where(Provider.name == "STEM Learning"))
        assert total == 1


def test_the_first_booking_finds_its_provider_and_scheme(db: Database) -> None:
    import datetime as dt

    with db.session() as s:
        school = create_school(s, "Ashcombe Park Academy", starter=True)
        teacher = add_staff(s, school, forename="Kwame", surname="Mensah", staff_code="KME", department="Physics")
        assert _names(s, Department, school.id).count("Physics") == 1  # the starter's department, not a second one
        booking = create_booking(s, school, teacher, title="Practical physics (residential)", provider="STEM Learning",
                                 start_date=dt.date(2025, 10, 15), end_date=dt.date(2025, 10, 17), hours="18",
                                 format="residential", cover_required=True,
                                 intended_outcomes="Pupils carry out the practical with less help")
        assert booking.provider is not None and booking.provider.name == "STEM Learning"
        assert _names(s, Provider, school.id).count("STEM Learning") == 1
        residential = s.scalar(select(BursaryScheme).where(BursaryScheme.school_id == school.id,
                                                           BursaryScheme.rule == "per_day"))
        assert residential is not None
        assert bursary_expected(residential, booking) == residential.amount * 3


def test_init_furnishes_by_default_and_not_with_no_starter_lists(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "school.sqlite"
    assert main(["--db", str(path), "init", "--school", "Ashcombe Park Academy"]) == 0
    assert "check and edit them in Settings" in capsys.readouterr().out
    bare = tmp_path / "bare.sqlite"
    assert main(["--db", str(bare), "init", "--school", "Beacon Hill School", "--no-starter-lists"]) == 0
    assert "Starting lists" not in capsys.readouterr().out
    for file, providers in ((path, len(PROVIDERS)), (bare, 0)):
        db = open_database(file)
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Provider)) == providers
        db.dispose()


@pytest.mark.postgres
def test_on_a_trust_server_init_furnishes_only_the_new_school(pg_url: str) -> None:
    run = [sys.executable, "-m", "cpd_desktop", "--db", pg_url]
    assert subprocess.run([*run, "init", "--school", "Ashcombe Park Academy", "--no-starter-lists"],
                          capture_output=True, text=True, timeout=120).returncode == 0
    p = subprocess.run([*run, "init", "--school", "Brackenfield School"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    db = open_database(pg_url)
    with db.session() as s:
        by_school = dict(s.execute(select(School.name, func.count(Provider.id)).outerjoin(
            Provider, Provider.school_id == School.id).group_by(School.name)).all())
    db.dispose()
    assert by_school == {"Ashcombe Park Academy": 0, "Brackenfield School": len(PROVIDERS)}
