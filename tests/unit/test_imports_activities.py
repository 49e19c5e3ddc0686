"""Importing CPD history: staff found by code, email or name; the same file twice changes nothing;
the exports' Activities workbook comes back in as the same records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cpd_desktop.imports import run_import
from cpd_desktop.models import Activity, ImportBatch, Provider, School, Staff
from cpd_desktop.services.activities import add_activity
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage.database import Database


@pytest.fixture
def staff(session: Session, school: School) -> dict[str, Staff]:
    people = [("Chloë", "Ó Dálaigh", "COD", "chloe@school.org.uk"), ("Bronwen", "ap Rhys", "BAR", None),
              ("Zbigniew", "Wójcik", "ZWO", "zw@school.org.uk"), ("Sam", "Smith", "SSM", None),
              ("Sam", "Smith", "SS2", None)]
    return {code: add_staff(session, school, forename=f, surname=s, staff_code=code, email=e)
            for f, s, code, e in people}


def activities(session: Session) -> list[Activity]:
    return list(session.scalars(select(Activity).order_by(Activity.date, Activity.id)))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_staff_matched_by_code_email_and_either_name_order(session: Session, school: School,
                                                           staff: dict[str, Staff], tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv",
                 "Staff Code,Email,Teacher,Date,Title,Hours\n"
                 "cod,,,14/10/2025,Waves and optics,3\n"
                 ",ZW@school.org.uk,,15/10/2025,Practical biology,2.5\n"
                 ",,Bronwen ap Rhys,16/10/2025,Physics SKE,6\n"
                 ",,\"Ó Dálaigh, Chloë\",17/10/2025,Chemistry network,1.5\n")
    result = run_import(session, school, "activities", path)
    assert result.errors == []
    assert [(a.staff.staff_code, a.title) for a in activities(session)] == [
        ("COD", "Waves and optics"), ("ZWO", "Practical biology"), ("BAR", "Physics SKE"),
        ("COD", "Chemistry network")]


def test_staff_who_cannot_be_found_or_are_ambiguous(session: Session, school: School, staff: dict[str, Staff],
                                                    tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv",
                 "Name,Date,Title,Hours\n"
                 "Sam Smith,14/10/2025,Waves,3\n"
                 "Ada Okafor,14/10/2025,Waves,3\n")
    result = run_import(session, school, "activities", path)
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("row 2, Name: 2 members of staff are called Sam Smith")
    assert messages[1].startswith("row 3, Name: nobody called Ada Okafor is on the staff list")
    code = write(tmp_path / "b.csv", "Staff Code,Date,Title,Hours\nXYZ,14/10/2025,Waves,3\n")
    result = run_import(session, school, "activities", code)
    assert str(result.errors[0]).startswith("row 2, Staff Code: XYZ is not the code of anyone on the staff list")


BAD = [
    ("COD,14/10/2025,,Negative,-1,,", "row 2, Hours: -1 is not more than 0"),
    ("COD,31/02/2021,,Not a date,1,,", "row 3, Date: 31/02/2021 is not a real date"),
    ("COD,14/10/2025,,Too long,25,,", "row 4, Hours: 25 hours is more than 24 hours in a day"),
    ("COD,14/10/2025,13/10/2025,Backwards,1,,", "row 5, End Date: 13/10/2025 is before the start"),
    ("COD,14/10/2025,,Pence,1,,12.345", "row 6, Cost: 12.345 has more than 2 decimal places"),
    ("COD,14/10/2025,,Refund,1,,-5", "row 7, Cost: −£5.00 is negative"),
    ("COD,14/10/2025,,Shape,1,Interpretive dance,", "row 8, Format: 'Interpretive dance' is not one of the choices"),
    ("COD,14/10/2025,,,1,,", "row 9, Title: is empty"),
    ("COD,14/10/2025,,Decimal comma,\"1,5\",,", "row 10, Hours: 1,5 uses a comma as the decimal point"),
]


def test_each_kind_of_bad_activity_row_is_named_and_nothing_written(session: Session, school: School,
                                                                   staff: dict[str, Staff], tmp_path: Path) -> None:
    text = "Staff Code,Date,End Date,Title,Hours,Format,Cost\n" + "\n".join(row for row, _ in BAD) + "\n"
    result = run_import(session, school, "activities", write(tmp_path / "bad.csv", text))
    messages = [str(e) for e in result.errors]
    for _row, expected in BAD:
        assert any(m.startswith(expected) for m in messages), (expected, messages)
    assert activities(session) == []
    assert session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_multi_day_activity_may_have_more_than_24_hours(session: Session, school: School,
                                                        staff: dict[str, Staff], tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "Staff Code,Date,End Date,Title,Hours\n"
                                     "BAR,13/10/2025,15/10/2025,Residential: physics,30\n"
                                     "BAR,13/10/2025,14/10/2025,Too much,49\n")
    result = run_import(session, school, "activities", path, skip_invalid=True)
    assert result.new == 1
    assert str(result.errors[0]).startswith("row 3, Hours: 49 hours is more than 48 hours in 2 days")


def test_same_file_twice_adds_nothing_and_changes_update(session: Session, school: School,
                                                         staff: dict[str, Staff], tmp_path: Path) -> None:
    text = ("Staff Code,Date,Title,Provider,Hours,Format,Subject Specific,Cost\n"
            "BAR,14/10/2025,Waves and optics,Institute of Physics,3,Face-to-face,Yes,£120.50\n"
            "ZWO,15/10/2025,Safeguarding update,In-house,1.5,In-school,No,\n")
    path = write(tmp_path / "a.csv", text)
    first = run_import(session, school, "activities", path)
    second = run_import(session, school, "activities", path)
    assert (first.new, second.new, second.unchanged) == (2, 0, 2)
    assert len(activities(session)) == 2
    assert session.scalar(select(func.count()).select_from(Provider)) == 2
    changed = write(tmp_path / "b.csv", text.replace(",3,", ",3.5,").replace("waves", "WAVES"))
    third = run_import(session, school, "activities", changed)
    assert (third.new, third.updated, third.unchanged) == (0, 1, 1)
    waves = activities(session)[0]
    assert waves.hours == Decimal("3.50") and waves.cost == Decimal("120.50") and waves.subject_specific
    assert waves.format == "face_to_face" and waves.provider is not None
    assert waves.provider.name == "Institute of Physics"
    assert waves.evaluation_due is None  # CPD from an earlier academic year is history: nothing to chase


def test_only_this_years_imported_cpd_is_chased_for_an_evaluation(session: Session, school: School,
                                                                  staff: dict[str, Staff], tmp_path: Path) -> None:
    from cpd_desktop.services.years import current_academic_year

    this_year = current_academic_year(school).start + dt.timedelta(days=10)
    last_year = this_year - dt.timedelta(days=400)
    path = write(tmp_path / "history.csv", "Staff Code,Date,Title,Hours,Evaluated On\n"
                 f"BAR,{this_year:%d/%m/%Y},Waves,3,\n"
                 f"BAR,{last_year:%d/%m/%Y},Optics,2,\n"
                 f"ZWO,{this_year:%d/%m/%Y},Titration,2,{this_year:%d/%m/%Y}\n")
    assert run_import(session, school, "activities", path).new == 3
    due = {a.title: a.evaluation_due for a in activities(session)}
    assert due["Waves"] == this_year + dt.timedelta(days=school.evaluation_due_days)
    assert due["Optics"] is None and due["Titration"] is None


def test_the_same_activity_twice_in_one_file_is_an_error(session: Session, school: School,
                                                         staff: dict[str, Staff], tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "Staff Code,Date,Title,Hours\nBAR,14/10/2025,Waves,3\nbar,14/10/2025,waves,2\n")
    result = run_import(session, school, "activities", path)
    assert str(result.errors[0]).startswith("row 3, Title: The same activity (waves on 14/10/2025, same person) "
                                            "is also on row 2")


def test_windows_1252_history_with_pounds_and_semicolons(session: Session, school: School,
                                                         staff: dict[str, Staff], tmp_path: Path) -> None:
    path = write(tmp_path / "history.csv",
                 "Surname;Forename;Date Attended;Course Title;Delivered By;CPD Hours;Type;Subject-specific?;Fee\r\n"
                 "Ó Dálaigh;Chloë;01/03/2024;Séance de chimie;Société Royale;6;Course;Y;£1,250.00\r\n",
                 encoding="cp1252")
    result = run_import(session, school, "activities", path)
    assert result.errors == [] and result.encoding == "Windows-1252"
    (a,) = activities(session)
    assert (a.title, a.cost, a.staff.staff_code) == ("Séance de chimie", Decimal("1250.00"), "COD")
    assert a.provider is not None and a.provider.name == "Société Royale"


def test_xlsx_with_real_date_cells_and_standard_parts(session: Session, school: School,
                                                      staff: dict[str, Staff], tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["Staff Code", "Date", "Title", "Hours", "DfE Standard parts", "Standard 4"])
    ws.append(["BAR", dt.datetime(2024, 11, 5), "Lesson study cycle", 1.5, "1, 2, 3", "Yes"])
    ws.append(["ZWO", dt.datetime(2024, 11, 6), "Reading group", 1, "All", None])
    ws.append(["SSM", dt.datetime(2024, 11, 7), "Odd", 1, "7", None])
    path = tmp_path / "history.xlsx"
    book.save(path)
    result = run_import(session, school, "activities", path, skip_invalid=True)
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith("row 4, DfE Standard parts: '7' does not name parts of the DfE Standard")
    first, second = activities(session)
    assert first.date == dt.date(2024, 11, 5) and first.hours == Decimal("1.50")
    assert (first.std_pupil_outcomes, first.std_evidence, first.std_collaboration, first.std_sustained,
            first.std_prioritised) == (True, True, True, True, False)
    assert second.meets_all_standard_parts


def test_exported_activities_workbook_reimports_to_the_same_records(db: Database, school: School,
                                                                    tmp_path: Path) -> None:
    from cpd_desktop.exports.api import run_export

    with db.session() as s:
        s.add(school)
        people = {code: add_staff(s, school, forename=f, surname=n, staff_code=code) for f, n, code in
                  [("Chloë", "Ó Dálaigh", "COD"), ("Bronwen", "ap Rhys", "BAR"), ("Zbigniew", "Wójcik", "ZWO")]}
        add_activity(s, school, people["COD"], date=dt.date(2025, 10, 14), end_date=dt.date(2025, 10, 15),
                     title="Residential: organic chemistry", hours=12, format="residential",
                     subject_specific=True, provider="STEM Learning", cost="£1,250.00",
                     std_pupil_outcomes=True, std_evidence=True, std_collaboration=True, std_sustained=True,
                     std_prioritised=True)
        done = add_activity(s, school, people["BAR"], date=dt.date(2025, 11, 3), title="Waves and optics",
                            hours="1.5", format="webinar", provider="Institute of Physics", std_evidence=True)
        done.impact = "Used the ripple tank demo with Year 10."
        done.evaluated_on = dt.date(2025, 11, 20)
        add_activity(s, school, people["ZWO"], date=dt.date(2025, 11, 5), title="Safeguarding update",
                     hours=1, format="inset")
        school_id = school.id
    out = run_export(db, school_id, "activities", "xlsx", tmp_path / "log.xlsx", year="2025/26",
                     today=dt.date(2025, 12, 1))
    with db.session() as s:
        before = [_snapshot(a) for a in activities(s)]
        result = run_import(s, s.get(School, school_id), "activities", out)
        assert result.errors == [], [str(e) for e in result.errors]
        assert (result.new, result.updated, result.unchanged) == (0, 0, 3)
        assert {"staff_code", "date", "end_date", "title", "provider", "format", "hours", "subject_specific",
                "std_pupil_outcomes", "evaluated_on", "impact", "cost"} <= set(result.columns)
        assert [_snapshot(a) for a in activities(s)] == before
    # Into another school's database, the same workbook makes the same records.
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.schools import create_school

    other = open_database(tmp_path / "other.sqlite", create=True)
    try:
        with other.session() as s:
            new_school = create_school(s, "Other Academy")
            for code, person in people.items():
                add_staff(s, new_school, forename=person.forename, surname=person.surname, staff_code=code)
            result = run_import(s, new_school, "activities", out)
            assert result.new == 3 and result.errors == []
            assert [_snapshot(a)[1:] for a in activities(s)] == [b[1:] for b in before]
    finally:
        other.dispose()


def _snapshot(a: Activity) -> tuple[object, ...]:
    return (a.id, a.staff.staff_code, a.date, a.end_date, a.title, a.provider.name if a.provider else None,
            a.format, a.hours, a.subject_specific, a.std_pupil_outcomes, a.std_evidence, a.std_collaboration,
            a.std_sustained, a.std_prioritised, a.evaluated_on, a.impact, a.cost)


def test_the_garbage_collector_waits_during_an_import_and_runs_again_after(session: Session, school: School,
                                                                           staff: dict[str, Staff],
                                                                           tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from cpd_desktop.imports.kinds.activities import ActivityImporter

    seen: list[bool] = []
    check_rows = ActivityImporter.check_rows

    def watched(self: object) -> None:
        seen.append(gc.isenabled())
        check_rows(self)  # type: ignore[arg-type]

    monkeypatch.setattr(ActivityImporter, "check_rows", watched)
    path = write(tmp_path / "a.csv", "Staff code,Date,Title,Hours\nBAR,01/10/2025,Practical work,3\n")
    assert gc.isenabled()
    result = run_import(session, school, "activities", path)
    assert result.new == 1 and seen == [False] and gc.isenabled()
    gc.disable()
    try:  # held back by someone else already (the window's start-up): left as it was
        run_import(session, school, "activities", path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_new_rows_go_in_chunk_by_chunk_in_one_savepoint(session: Session, school: School, staff: dict[str, Staff],
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.imports import ImportCancelled, engine, open_source

    monkeypatch.setattr(engine, "CHUNK", 2)
    lines = [f"{code},{day:02d}/10/2025,Course {day},Institute of Physics,{day % 5 + 1},"
             f"{'£12.50' if day % 2 else ''}" for day in range(1, 8) for code in ("BAR", "ZWO")]
    path = write(tmp_path / "a.csv", "Staff Code,Date,Title,Provider,Hours,Cost\n" + "\n".join(lines) + "\n")
    # Cancelled once the first chunk is in: nothing at all is written, the batch included.
    stages: list[str] = []
    with pytest.raises(ImportCancelled):
        run_import(session, school, "activities", path, progress=lambda done, total, stage: stages.append(stage),
                   cancelled=lambda: "Saving" in stages)
    assert stages.count("Saving") == 1
    assert activities(session) == [] and session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    # The wizard's source is read once and used for the check and then the import: it keeps its rows.
    source = open_source(path, "activities")
    checked = run_import(session, school, "activities", path, source=source, dry_run=True)
    assert checked.new == 14 and activities(session) == []
    result = run_import(session, school, "activities", path, source=source)
    assert len(source.data_rows) == 14 and result.new == 14
    session.expire_all()
    written = activities(session)
    assert [(a.staff.staff_code, a.date.day, a.title, a.hours, a.cost, a.import_batch_id) for a in written] == [
        (code, day, f"Course {day}", Decimal(day % 5 + 1), Decimal("12.50") if day % 2 else None,
         result.batch_id) for day in range(1, 8) for code in ("BAR", "ZWO")]
    again = run_import(session, school, "activities", path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 14)


def test_imported_activities_get_their_stages_once_and_others_keep_theirs(
        session: Session, school: School, staff: dict[str, Staff], tmp_path: Path) -> None:
    """Each imported activity gets the evaluation stages the school's rule calls for (written the fast way,
    read back as the ORM writes them); importing the file again adds none; an activity recorded by hand
    keeps its own stages, its done End stage included."""
    from cpd_desktop.models import EvaluationStage
    from cpd_desktop.services.activities import record_evaluation

    mine = add_activity(session, school, staff["COD"], date=dt.date(2025, 10, 1), hours=Decimal("7"),
                        title="Physics subject knowledge", format="face_to_face")
    record_evaluation(session, mine, impact="Clearer explanations of circuits", confidence=4,
                      evaluated_on=dt.date(2025, 10, 10))
    before = set(session.execute(select(EvaluationStage.stage, EvaluationStage.due_date, EvaluationStage.done_on,
                                        EvaluationStage.confidence).where(EvaluationStage.activity_id == mine.id)))
    path = write(tmp_path / "a.csv",
                 "Staff Code,Date,Title,Hours,Format\n"
                 "BAR,14/10/2025,Waves and optics,6,Face-to-face course\n"
                 "BAR,15/10/2025,Electricity webinar,6,Webinar\n"
                 "ZWO,16/10/2025,Practical biology,2.5,Face-to-face course\n")

    def stages() -> dict[str, list[tuple[str, dt.date | None]]]:
        out: dict[str, list[tuple[str, dt.date | None]]] = {}
        for title, stage, due in session.execute(
                select(Activity.title, EvaluationStage.stage, EvaluationStage.due_date)
                .join(Activity, Activity.id == EvaluationStage.activity_id).order_by(Activity.title, EvaluationStage.id)):
            out.setdefault(title, []).append((stage, due))
        return out

    for _time in range(2):
        result = run_import(session, school, "activities", path)
        assert result.errors == []
        session.expire_all()
        found = stages()
        assert [s for s, _d in found["Waves and optics"]] == ["end", "classroom", "pupils"]
        assert [s for s, _d in found["Electricity webinar"]] == ["end"]  # a webinar: End only, however long
        assert [s for s, _d in found["Practical biology"]] == ["end"]  # under 6 hours
        dues = {d for rows in found.values() for _s, d in rows}
        assert all(d is None or isinstance(d, dt.date) for d in dues)
        assert set(session.execute(
            select(EvaluationStage.stage, EvaluationStage.due_date, EvaluationStage.done_on, EvaluationStage.confidence)
            .where(EvaluationStage.activity_id == mine.id))) == before
    assert session.scalar(select(func.count()).select_from(EvaluationStage)) == 3 + 3 + 1 + 1
