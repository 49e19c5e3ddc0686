"""Saving a year's term dates goes through one service for the new-school wizard and Settings: the dates
are checked (in order, inside the academic year, no overlaps; the message names the term and the field),
and a save made against dates somebody else changed since is refused with who and when, writing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cpd_desktop.errors import ConcurrentEditError, ValidationError
from cpd_desktop.models import School, TermDates
from cpd_desktop.services import schools, settings_lists
from cpd_desktop.services.years import AcademicYear

YEAR = AcademicYear(2025)
MINE = [("autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)), ("spring", dt.date(2026, 1, 5), dt.date(2026, 3, 27)),
        ("summer", dt.date(2026, 4, 13), dt.date(2026, 7, 22))]


def _saved(db: Any, school: School) -> dict[str, tuple[dt.date, dt.date]]:
    with db.session() as s:
        return schools.own_term_dates(s, school.id).get(YEAR.start_year, {})


def _seen(db: Any, school: School) -> dict[str, int]:
    with db.session() as s:
        return schools.term_date_versions(s, school.id, YEAR)


def _save(db: Any, school: School, rows: list[schools.TermRow], seen: dict[str, int] | None) -> None:
    with db.session() as s:
        schools.save_term_dates(s, school.id, YEAR, rows, expected_versions=seen)


@pytest.mark.parametrize(("rows", "field", "words"), [
    ([("autumn", dt.date(2025, 12, 19), dt.date(2025, 9, 3)), *MINE[1:]], "Autumn term end",
     "03/09/2025 is before the start, 19/12/2025"),
    ([MINE[0], MINE[1], ("summer", dt.date(2026, 4, 13), dt.date(2026, 9, 4))], "Summer term end",
     "04/09/2026 is not in the academic year 2025/26 (01/09/2025 to 31/08/2026)"),
    ([("autumn", dt.date(2025, 8, 28), dt.date(2025, 12, 19)), *MINE[1:]], "Autumn term start",
     "28/08/2025 is not in the academic year 2025/26"),
    ([MINE[0], ("spring", dt.date(2025, 12, 15), dt.date(2026, 3, 27)), MINE[2]], "Spring term start",
     "15/12/2025 is before the autumn term ends on 19/12/2025"),
    ([MINE[0], MINE[0], MINE[2]], "Autumn term", "is given twice"),
    ([("winter", dt.date(2026, 1, 5), dt.date(2026, 2, 5))], "Term", "“winter” is not a term"),
])
def test_term_dates_out_of_order_outside_the_year_or_overlapping_are_refused_naming_the_field(
        db: Any, school: School, rows: list[schools.TermRow], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _save(db, school, rows, {})
    assert refused.value.field == field
    assert words in refused.value.message
    assert str(refused.value).startswith(f"{field}: ")
    assert _saved(db, school) == {}  # nothing written


def test_term_dates_are_saved_and_changed_against_the_versions_shown(db: Any, school: School) -> None:
    _save(db, school, MINE, _seen(db, school))
    assert _saved(db, school) == {term: (start, end) for term, start, end in MINE}
    later_spring = ("spring", dt.date(2026, 1, 6), dt.date(2026, 3, 27))
    _save(db, school, [MINE[0], later_spring, MINE[2]], _seen(db, school))
    assert _saved(db, school)["spring"] == (dt.date(2026, 1, 6), dt.date(2026, 3, 27))
    with db.session() as s:  # one row a term, changed in place
        assert len(list(s.get(School, school.id).terms)) == 3


@pytest.mark.parametrize("theirs", ["changed", "set", "forgot"])
def test_a_save_over_somebody_elses_term_dates_is_refused_and_loses_nothing(db: Any, school: School,
                                                                              theirs: str) -> None:
    if theirs != "set":
        _save(db, school, MINE, None)
    seen = _seen(db, school)  # what my form showed

    with db.session() as s:  # a colleague saves in between
        s.info["user"] = "j.okafor"
        if theirs == "changed":
            schools.save_term_dates(s, school.id, YEAR, [("autumn", dt.date(2025, 9, 4), dt.date(2025, 12, 19))])
        elif theirs == "set":
            schools.save_term_dates(s, school.id, YEAR, MINE)
        else:
            settings_lists.delete_term_dates(s, school.id, YEAR.start_year)
    their_dates = _saved(db, school)

    mine = [("autumn", dt.date(2025, 9, 1), dt.date(2025, 12, 17)), *MINE[1:]]
    with pytest.raises(ConcurrentEditError) as refused:
        _save(db, school, mine, seen)
    assert refused.value.changed_by == "j.okafor"
    assert refused.value.message.startswith(f"The term dates for 2025/26 were changed by j.okafor at "
                                            f"{refused.value.changed_at} since you opened them")
    assert "your change was not saved" in refused.value.message
    assert _saved(db, school) == their_dates  # theirs kept, nothing of mine written
    if theirs == "changed":
        assert refused.value.current is not None
        assert refused.value.current["Autumn term"] == "04/09/2025 – 19/12/2025"

    _save(db, school, mine, _seen(db, school))  # against their version, now shown: saved
    assert _saved(db, school)["autumn"] == (dt.date(2025, 9, 1), dt.date(2025, 12, 17))


def test_forgetting_term_dates_somebody_else_changed_since_is_refused(db: Any, school: School) -> None:
    _save(db, school, MINE, None)
    seen = _seen(db, school)
    with db.session() as s:
        s.info["user"] = "j.okafor"
        schools.save_term_dates(s, school.id, YEAR, [("summer", dt.date(2026, 4, 14), dt.date(2026, 7, 22))])
    with pytest.raises(ConcurrentEditError, match="not saved"), db.session() as s:
        settings_lists.delete_term_dates(s, school.id, YEAR.start_year, expected_versions=seen)
    assert _saved(db, school)["summer"] == (dt.date(2026, 4, 14), dt.date(2026, 7, 22))
    with db.session() as s:
        assert settings_lists.delete_term_dates(s, school.id, YEAR.start_year,
                                                expected_versions=schools.term_date_versions(s, school.id, YEAR)) == 3
        assert s.query(TermDates).count() == 0


def test_the_suggested_term_dates_a_new_school_starts_from_pass_the_same_checks_every_year() -> None:
    from cpd_desktop.services.years import bank_holiday, suggested_terms

    assert suggested_terms(YEAR) == [("autumn", dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
                                     ("spring", dt.date(2026, 1, 5), dt.date(2026, 4, 2)),
                                     ("summer", dt.date(2026, 4, 13), dt.date(2026, 7, 17))]
    for start_year in range(2000, 2060):
        terms = suggested_terms(AcademicYear(start_year))
        schools.check_term_dates(AcademicYear(start_year), terms)
        for _term, start, end in terms:
            assert all(day.weekday() < 5 and bank_holiday(day) is None for day in (start, end)), terms
