"""Attacks on a school's own file (SQLite, no server needed): the same guarantees as a trust's server where
one file holds several schools (issue 13, findings 1, 2, 4 and 5)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from cpd_desktop.cli import main
from cpd_desktop.errors import ConcurrentEditError, CpdError, ValidationError
from cpd_desktop.imports import run_import, undo_import
from cpd_desktop.integrity import LINKS, drop_sqlite_guards
from cpd_desktop.models import School, Staff
from cpd_desktop.services.audit import entries
from cpd_desktop.services.database import open_database
from cpd_desktop.services.schools import apply_settings, choose_school, create_school, delete_school
from cpd_desktop.services.staff import update_staff
from cpd_desktop.storage.database import Database
from cpd_desktop.storage.migrate import upgrade

from .conftest import ALPHA, BETA

LINK_CASES = [(table, column, target) for table, links in LINKS.items() for column, target in links]


def first_id(db: Database, table: str, school_id: int) -> int:
    with db.engine.connect() as conn:
        found = conn.execute(text(f"SELECT min(id) FROM {table} WHERE school_id = :s"), {"s": school_id}).scalar()
    assert found is not None, f"no {table} row to attack with"
    return int(found)


def school_ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {name: ident for ident, name in s.execute(select(School.id, School.name))}


# -- finding 2 ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("table", "column", "target"), LINK_CASES, ids=[f"{t}.{c}" for t, c, _ in LINK_CASES])
def test_a_record_cannot_point_at_another_schools_record_in_a_file(two_school_file: Database, table: str,
                                                                   column: str, target: str) -> None:
    db = two_school_file
    ids = school_ids(db)
    theirs, mine = first_id(db, target, ids[ALPHA]), first_id(db, table, ids[BETA])
    with db.engine.connect() as conn:
        cols = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})") if r[1] != "id"]
        chosen = ", ".join(":v" if c == column else f'"{c}"' for c in cols)
        names = ", ".join(f'"{c}"' for c in cols)
        with pytest.raises(IntegrityError, match=f"{table}.{column} points at a record of another school"):
            conn.execute(text(f"INSERT INTO {table} ({names}) SELECT {chosen} FROM {table} WHERE id = :row"),
                         {"v": theirs, "row": mine})
        conn.rollback()
        with pytest.raises(IntegrityError, match="another school"):
            conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :i"), {"v": theirs, "i": mine})
        conn.rollback()
        assert conn.execute(text(f"SELECT count(*) FROM {table} x JOIN {target} t ON t.id = x.{column} "
                                 "WHERE x.school_id <> t.school_id")).scalar() == 0


def test_a_record_cannot_move_to_another_school_in_a_file(two_school_file: Database) -> None:
    db = two_school_file
    ids = school_ids(db)
    with pytest.raises(CpdError, match="another school"), db.session() as s:
        person = s.scalar(select(Staff).where(Staff.staff_code == "IIM1"))  # no such code at Ashcombe
        person.school_id = ids[ALPHA]
        s.flush()


def test_the_guards_survive_a_later_upgrade_that_rebuilds_the_tables(tmp_path: Path) -> None:
    """A batch migration copies a table and renames the copy, which drops its triggers: they come back."""
    path = tmp_path / "old.sqlite"
    db = open_database(path, create=True, migrate=False)
    upgrade(db, "0003_school_calendar")
    db.dispose()
    db = open_database(path)  # 0004 onwards, with later table rebuilds
    try:
        with db.engine.connect() as conn:
            names = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        assert {"cpd_guard_activity_links_insert", "cpd_guard_school_name_update",
                "cpd_guard_school_takes_its_audit", "cpd_guard_staff_stays"} <= names
    finally:
        db.dispose()


# -- finding 1 ----------------------------------------------------------------------------------------------
def test_a_school_cannot_be_renamed_into_another_in_a_file(two_school_file: Database) -> None:
    db = two_school_file
    ids = school_ids(db)
    with pytest.raises(ValidationError, match=f"A school called {ALPHA} is already"), db.session() as s:
        apply_settings(s.get(School, ids[BETA]), {"name": f" {ALPHA.upper()}  "})  # Settings' save
    with db.engine.connect() as conn, pytest.raises(IntegrityError, match="another school has this name"):
        conn.execute(text("UPDATE school SET name = :n WHERE id = :i"), {"n": ALPHA.lower(), "i": ids[BETA]})
    with db.session() as s:
        assert sorted(s.scalars(select(School.name))) == [ALPHA, BETA]
        apply_settings(s.get(School, ids[BETA]), {"name": "beta academy"})  # its own name in other capitals


def test_an_ambiguous_school_name_is_refused_with_the_candidates(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "older.sqlite"
    db = open_database(path, create=True)
    with db.engine.begin() as conn:  # a file whose names were written before the rule (or by hand)
        drop_sqlite_guards(conn)
        for name in (BETA, BETA.lower()):
            conn.execute(text("INSERT INTO school (name, phase, state_funded, academic_year_start_month, "
                              "financial_year_start_month, cpd_target_hours, subject_specific_target, "
                              "supply_day_rate, mileage_rate, evaluation_due_days, leaver_retention_years, is_demo) "
                              "VALUES (:n, 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0)"), {"n": name})
    db.dispose()
    code = main(["--db", str(path), "--school", BETA.upper(), "report", "staff"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"More than one school matches '{BETA.upper()}': {BETA}, {BETA.lower()}" in err


def test_an_older_file_with_two_such_names_is_put_right_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = open_database(path, create=True, migrate=False)
    upgrade(db, "0003_school_calendar")
    db.dispose()
    conn = sqlite3.connect(path)
    for name in (BETA, f" {BETA.lower()} "):
        conn.execute("INSERT INTO school (name, phase, state_funded, academic_year_start_month, "
                     "financial_year_start_month, cpd_target_hours, subject_specific_target, supply_day_rate, "
                     "mileage_rate, evaluation_due_days, leaver_retention_years, is_demo, version, updated_at, "
                     "updated_by) VALUES (?, 'secondary', 1, 9, 4, 35, 50, 291, 0.45, 42, 6, 0, 1, "
                     "CURRENT_TIMESTAMP, '')", (name,))
    conn.commit()
    conn.close()
    db = open_database(path)
    try:
        with db.session() as s:
            assert sorted(s.scalars(select(School.name))) == [BETA, f"{BETA.lower()} (2)"]
            assert choose_school(s, BETA.upper()).name == BETA
    finally:
        db.dispose()


# -- finding 4 ----------------------------------------------------------------------------------------------
def test_deleting_a_school_in_a_file_takes_its_audit_trail(two_school_file: Database,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    db = two_school_file
    ids = school_ids(db)
    with db.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar()
        # Deleting it by hand while it has records is refused, whole: nothing goes.
        with pytest.raises(IntegrityError):
            conn.execute(text("DELETE FROM school WHERE id = :i"), {"i": ids[BETA]})
        conn.rollback()
        assert conn.execute(text("SELECT count(*) FROM audit_entry")).scalar() == before
    with db.session() as s:
        assert entries(s, ids[BETA])
        removed = delete_school(s, s.get(School, ids[BETA]))
        assert removed["activity"] > 0 and removed["audit_entry"] > 100
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entry WHERE school_id IS NOT NULL AND school_id <> :a"),
                            {"a": ids[ALPHA]}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM staff WHERE school_id = :b"), {"b": ids[BETA]}).scalar() == 0
        own = conn.execute(text("SELECT count(*) FROM audit_entry WHERE school_id = :a"), {"a": ids[ALPHA]}).scalar()
    assert main(["--db", str(db.path), "--school", ALPHA, "report", "audit", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == own > 100  # Ashcombe's own trail, and nothing Beta left behind
    assert not any(r["action"] == "delete-school" for r in rows)


# -- finding 5 ----------------------------------------------------------------------------------------------
def test_undoing_an_import_never_loses_a_colleagues_later_save(tmp_path: Path) -> None:
    path = tmp_path / "school.sqlite"
    me = open_database(path, create=True)
    with me.session() as s:
        create_school(s, ALPHA)
    first, second = tmp_path / "staff.csv", tmp_path / "staff-roles.csv"
    first.write_text("Surname,Forename,Staff Code,Role\nŻak,Ola,OZA,Teacher\nNg,Mai,MNG,Teacher\n", encoding="utf-8")
    second.write_text("Surname,Forename,Staff Code,Role\nŻak,Ola,OZA,Head of Physics\nNg,Mai,MNG,Teacher\n",
                      encoding="utf-8")
    with me.session() as s:
        school = choose_school(s, None)
        added = run_import(s, school, "staff", first).batch_id
        changed = run_import(s, school, "staff", second).batch_id
    colleague = open_database(path)
    with colleague.session() as s:
        s.info["user"] = "bob"
        ola = s.scalar(select(Staff).where(Staff.staff_code == "OZA"))
        update_staff(s, ola, expected_version=ola.version, email="ola.zak@school.org.uk")
        mai = s.scalar(select(Staff).where(Staff.staff_code == "MNG"))
        update_staff(s, mai, expected_version=mai.version, role="Teacher of Biology")
    colleague.dispose()
    for batch, who in ((changed, "Staff OZA"), (added, "Staff MNG")):
        with pytest.raises(ConcurrentEditError) as err, me.session() as s:
            undo_import(s, batch, choose_school(s, None))
        message = str(err.value)
        assert who in message and "changed by bob" in message and "was not undone" in message, message
    with me.session() as s:
        rows = {p.staff_code: (p.role, p.email) for p in s.scalars(select(Staff))}
    assert rows == {"OZA": ("Head of Physics", "ola.zak@school.org.uk"), "MNG": ("Teacher of Biology", None)}
    me.dispose()


def test_an_entry_left_with_no_school_is_shown_to_no_school(two_school_file: Database,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """An entry an older version left behind when a school was deleted (school_id emptied) names that school's
    people: no school's report lists it. Restores of the whole file still show."""
    db = two_school_file
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_entry (school_id, at, \"user\", action, table_name, summary) VALUES "
                          "(NULL, CURRENT_TIMESTAMP, 'old', 'create', 'staff', 'Added Staff Gwen Secret'), "
                          "(NULL, CURRENT_TIMESTAMP, 'old', 'restore', '', 'Restored from backup')"))
    for name in (ALPHA, BETA):
        assert main(["--db", str(db.path), "--school", name, "report", "audit", "--format", "json"]) == 0
        out = capsys.readouterr().out
        assert "Gwen Secret" not in out and "Restored from backup" in out
