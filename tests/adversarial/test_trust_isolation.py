"""Attacks by one school's login on a trust's PostgreSQL server, each of which must be refused by the
database itself (issue 13, findings 1-4 and 6). A school's login is what a hostile member of staff with
the school's password has: a raw SQL connection, not just the app."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from cpd_desktop.errors import ConcurrentEditError, DatabaseLockedError, ValidationError
from cpd_desktop.imports import run_import
from cpd_desktop.integrity import LINKS
from cpd_desktop.models import Activity, School, Staff
from cpd_desktop.services import activities
from cpd_desktop.services.database import open_database
from cpd_desktop.services.schools import apply_settings, choose_school
from cpd_desktop.services.staff import update_staff

from .conftest import ALPHA, BETA, TODAY, Trust

pytestmark = pytest.mark.postgres
CLI = [sys.executable, "-m", "cpd_desktop"]
LINK_CASES = [(table, column, target) for table, links in LINKS.items() for column, target in links]


def first_id(trust: Trust, table: str, school: str) -> int:
    with trust.admin.connect() as conn:
        found = conn.execute(text(f"SELECT min(id) FROM {table} WHERE school_id = :s"),
                             {"s": trust.school_ids[school]}).scalar()
    assert found is not None, f"no {table} row for {school} to attack with"
    return int(found)


def last_id(trust: Trust, table: str, school: str) -> int:
    """The school's newest row of ``table``: the one least likely to have other records depending on it."""
    with trust.admin.connect() as conn:
        return int(conn.execute(text(f"SELECT max(id) FROM {table} WHERE school_id = :s"),
                                {"s": trust.school_ids[school]}).scalar())


def refused(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> str:
    """Run an attack in a savepoint; return the database's refusal (the test fails if it was let through)."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(sql), params or {})
    except DBAPIError as exc:
        savepoint.rollback()
        return str(exc.orig)
    savepoint.rollback()
    pytest.fail(f"the database let this through: {sql}")


def copy_with(conn: Connection, table: str, column: str, value: int, row: int, *, in_place: bool = False) -> str:
    """INSERT a copy of one of the school's own rows, with ``column`` pointing at ``value``; ``in_place``:
    deleting the original in the same statement, so that its unique values (a staff code) are free."""
    cols = [c for c in conn.execute(text(
        "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
        "AND (column_name <> 'id' OR :c = 'id') ORDER BY ordinal_position"), {"t": table, "c": column}).scalars()]
    names = ", ".join(f'"{c}"' for c in cols)
    chosen = ", ".join(":v" if c == column else f'"{c}"' for c in cols)
    source = f"(DELETE FROM {table} WHERE id = :row RETURNING *)" if in_place else \
        f"(SELECT * FROM {table} WHERE id = :row)"
    return refused(conn, f"WITH source AS {source} INSERT INTO {table} ({names}) SELECT {chosen} FROM source",
                   {"v": value, "row": row})


def unlinked_id(trust: Trust, target: str, school: str, table: str, column: str) -> int:
    """A record of ``school`` that no ``table`` row points at yet (so only the school rule stands in the way)."""
    with trust.admin.connect() as conn:
        found = conn.execute(text(f"SELECT max(t.id) FROM {target} t WHERE t.school_id = :s AND NOT EXISTS "
                                  f"(SELECT 1 FROM {table} x WHERE x.{column} = t.id)"),
                             {"s": trust.school_ids[school]}).scalar()
    return int(found) if found is not None else first_id(trust, target, school)


# -- finding 2: rows pointing into another school -----------------------------------------------------------
@pytest.mark.parametrize(("table", "column", "target"), LINK_CASES, ids=[f"{t}.{c}" for t, c, _ in LINK_CASES])
def test_a_school_login_cannot_point_a_record_at_another_schools_record(trust: Trust, table: str, column: str,
                                                                         target: str) -> None:
    theirs = unlinked_id(trust, target, ALPHA, table, column)
    mine = unlinked_id(trust, table, BETA, "activity", "booking_id") if table == "booking" else \
        last_id(trust, table, BETA)
    with trust.login(BETA).connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {target} WHERE id = :i"), {"i": theirs}).scalar() == 0
        # Both are refused; at least one for the school rule (a plain copy may clash on a unique value first).
        copies = [copy_with(conn, table, column, theirs, mine, in_place=place) for place in (False, True)]
        assert any(f"{table}.{column} points at a record of another school" in m for m in copies), copies
        if table != "audit_entry":  # the audit trail cannot be changed at all (below)
            assert "another school" in refused(conn, f"UPDATE {table} SET {column} = :v WHERE id = :i",
                                               {"v": theirs, "i": mine})
        conn.rollback()
    with trust.admin.connect() as conn:  # nothing of the other school is now linked from this one
        assert conn.execute(text(f"SELECT count(*) FROM {table} x JOIN {target} t ON t.id = x.{column} "
                                 "WHERE x.school_id <> t.school_id")).scalar() == 0


def test_the_trusts_own_administrator_cannot_link_two_schools_either(trust: Trust) -> None:
    with trust.admin.connect() as conn:
        conn.execute(text("BEGIN"))
        message = refused(conn, "UPDATE activity SET staff_id = :st WHERE id = :a",
                          {"st": first_id(trust, "staff", ALPHA), "a": first_id(trust, "activity", BETA)})
        assert "activity.staff_id points at a record of another school" in message
        assert "cannot move to another school" in refused(
            conn, "UPDATE staff SET school_id = :s WHERE id = :i",
            {"s": trust.school_ids[ALPHA], "i": first_id(trust, "staff", BETA)})
        conn.execute(text("ROLLBACK"))


def test_the_app_says_so_in_plain_words(trust: Trust) -> None:
    db = open_database(trust.login_url(BETA))
    try:
        with pytest.raises(Exception, match="point at a record of another school") as err, db.session() as s:
            school = choose_school(s, None)  # the login sees one school: its own
            assert school.name == BETA
            activity = s.get(Activity, first_id(trust, "activity", BETA))
            activity.staff_id = first_id(trust, "staff", ALPHA)
            s.flush()
        assert "Traceback" not in str(err.value)
    finally:
        db.dispose()


# -- finding 1: renaming into another school ---------------------------------------------------------------
def test_a_school_cannot_rename_itself_to_another_schools_name(trust: Trust) -> None:
    db = open_database(trust.login_url(BETA))
    try:
        for clash in (ALPHA.lower(), f"  {ALPHA.upper()} "):
            with pytest.raises(ValidationError, match="already has that name"), db.session() as s:
                school = s.get(School, trust.school_ids[BETA])
                apply_settings(school, {"name": clash})  # the Settings page's save
                s.flush()
        with trust.login(BETA).connect() as conn:  # and straight in SQL
            assert "uq_school_name_folded" in refused(conn, "UPDATE school SET name = :n", {"n": ALPHA.lower()})
            conn.rollback()
    finally:
        db.dispose()
    with trust.admin.connect() as conn:
        names = conn.execute(text("SELECT name FROM school ORDER BY name")).scalars().all()
    assert names == [ALPHA, BETA]
    p = subprocess.run([*CLI, "--db", trust.url, "--school", ALPHA.upper(), "report", "staff", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "IIM0" in p.stdout and "IIM1" not in p.stdout


# -- finding 3: one school freezing or stopping all of them ---------------------------------------------------
def test_a_school_login_cannot_advance_or_read_a_shared_sequence(trust: Trust) -> None:
    with trust.admin.connect() as conn:
        seq = conn.execute(text("SELECT pg_get_serial_sequence('activity', 'id')")).scalar()
        before = conn.execute(text(f"SELECT last_value FROM {seq}")).scalar()
    assert seq is not None
    with trust.login(BETA).connect() as conn:
        assert "permission denied" in refused(conn, f"SELECT nextval('{seq}') FROM generate_series(1, 1000)")
        assert "permission denied" in refused(conn, f"SELECT setval('{seq}', 2147483646)")
        # finding 6: how many rows the whole trust holds is not the school's to read
        assert "permission denied" in refused(conn, f"SELECT last_value FROM {seq}")
        assert conn.execute(text("SELECT count(last_value) FROM pg_sequences")).scalar() == 0
        assert "permission denied" in refused(conn, f"SELECT pg_sequence_last_value('{seq}')")
        conn.rollback()
    with trust.admin.connect() as conn:
        assert conn.execute(text(f"SELECT last_value FROM {seq}")).scalar() == before


def test_a_school_login_cannot_choose_ids_truncate_or_add_and_delete_schools(trust: Trust) -> None:
    with trust.admin.connect() as conn:
        top = conn.execute(text("SELECT max(id) FROM activity")).scalar()
    with trust.login(BETA).connect() as conn:
        mine = first_id(trust, "activity", BETA)
        # an id far ahead of the sequence would make the other schools' next saves collide with it
        assert "permission denied" in copy_with(conn, "activity", "id", top + 5, mine)
        assert "permission denied" in refused(conn, "UPDATE activity SET id = :i WHERE id = :m", {"i": top + 5, "m": mine})
        assert "permission denied" in refused(conn, "TRUNCATE activity")
        assert "permission denied" in refused(conn, "DELETE FROM school")
        assert "permission denied" in refused(conn, "INSERT INTO school (name, phase) VALUES ('Sneaky', 'primary')")
        conn.rollback()


def test_ids_are_64_bit_identities(trust: Trust) -> None:
    with trust.admin.connect() as conn:
        kinds = conn.execute(text(
            "SELECT table_name, data_type, is_identity FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'id'")).all()
    assert len(kinds) >= 16 and all(k[1:] == ("bigint", "YES") for k in kinds), kinds


def test_a_lock_held_by_one_school_makes_another_say_busy_instead_of_hanging(trust: Trust,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPD_DESKTOP_LOCK_TIMEOUT", "1")
    app = open_database(trust.login_url(ALPHA))
    outcome: list[BaseException | str] = []

    def save() -> None:
        try:
            with app.session() as s:
                school = choose_school(s, None)
                staff = s.scalar(text("SELECT min(id) FROM staff"))
                activities.add_activity(s, school, s.get(Staff, staff), date=TODAY, hours="2",
                                        title="Twilight: questioning")
            outcome.append("saved")
        except BaseException as exc:  # noqa: BLE001 - the test looks at what it was
            outcome.append(exc)

    hostile = trust.login(BETA).connect()
    try:
        hostile.execute(text("LOCK TABLE activity IN ACCESS EXCLUSIVE MODE"))  # what PostgreSQL still allows
        worker = threading.Thread(target=save, daemon=True)
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive(), "the other school's save hung behind the lock"
    finally:
        try:  # the app ends a session that holds a whole-table lock (test_trust_lock_breaker.py)
            hostile.rollback()
        except DBAPIError:
            pass
        hostile.close()
        worker.join(timeout=30)
        app.dispose()
    assert isinstance(outcome[0], DatabaseLockedError), outcome
    assert "The database is busy (another user holds a lock)" in str(outcome[0])
    assert "Try again in a moment" in outcome[0].hint


def test_school_logins_get_session_time_limits(trust: Trust) -> None:
    with trust.login(BETA).connect() as conn:
        assert conn.execute(text("SHOW lock_timeout")).scalar() == "5s"
        assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "1min"


# -- finding 4: the audit trail rewritten --------------------------------------------------------------------
def test_a_school_login_cannot_change_or_delete_its_audit_trail(trust: Trust) -> None:
    with trust.admin.connect() as conn:
        before = conn.execute(text("SELECT count(*), max(summary) FROM audit_entry WHERE school_id = :s"),
                              {"s": trust.school_ids[BETA]}).one()
    with trust.login(BETA).connect() as conn:
        assert "permission denied" in refused(conn, "UPDATE audit_entry SET summary = 'nothing happened'")
        assert "permission denied" in refused(conn, "DELETE FROM audit_entry")
        conn.rollback()
    # Even a login that row-level security does not hold back, given every right on the table (a
    # reporting account, say), is refused by the table's own trigger: only the owner's role may.
    auditor = f"{trust.roles[BETA]}_auditor"
    with trust.admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{auditor}" LOGIN BYPASSRLS'))
        conn.execute(text(f'GRANT ALL ON audit_entry TO "{auditor}"'))
        conn.commit()
    try:
        trust.roles["auditor"] = auditor
        with trust.login("auditor").connect() as conn:
            assert "only be added to" in refused(conn, "DELETE FROM audit_entry")
            assert "only be added to" in refused(conn, "UPDATE audit_entry SET summary = 'nothing happened'")
            conn.rollback()
    finally:
        trust.dispose()
        with trust.admin.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{auditor}"'))
            conn.execute(text(f'DROP ROLE "{auditor}"'))
            conn.commit()
        del trust.roles["auditor"]
    with trust.admin.connect() as conn:
        after = conn.execute(text("SELECT count(*), max(summary) FROM audit_entry WHERE school_id = :s"),
                             {"s": trust.school_ids[BETA]}).one()
    assert tuple(after) == tuple(before)


def test_deleting_a_school_takes_its_audit_trail_and_no_report_shows_another_schools(own_trust: Trust) -> None:
    trust = own_trust
    with trust.admin.connect() as conn:
        def emails(school: str) -> set[str]:
            return set(conn.execute(text("SELECT email FROM staff WHERE school_id = :s AND email IS NOT NULL"),
                                    {"s": trust.school_ids[school]}).scalars())

        theirs = emails(BETA) - emails(ALPHA)  # the demo gives both schools some of the same people
        assert "iris1@school.org.uk" in theirs and conn.execute(text("SELECT count(*) FROM audit_entry WHERE school_id = :s"),
                                       {"s": trust.school_ids[BETA]}).scalar()
        conn.execute(text("DELETE FROM school WHERE id = :s"), {"s": trust.school_ids[BETA]})
        conn.commit()
        assert conn.execute(text("SELECT count(*) FROM audit_entry WHERE school_id IS NULL")).scalar() == 0
    p = subprocess.run([*CLI, "--db", trust.url, "--school", ALPHA, "report", "audit", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count('"action"') > 100  # Ashcombe's own trail is all there
    assert not any(email in p.stdout for email in theirs)


# -- finding 5: an import racing a colleague's save ---------------------------------------------------------
def test_an_import_never_overwrites_a_colleagues_save_made_while_it_ran(trust: Trust, tmp_path: Path) -> None:
    csv = tmp_path / "staff.csv"
    csv.write_text("Surname,Forename,Staff Code,Role\nImported,Iris,IIM0,Head of Year 7\n"
                   "Newcomer,Nia,NNE,Teacher of Physics\n", encoding="utf-8")
    importer, colleague = open_database(trust.url), open_database(trust.login_url(ALPHA))
    saved: list[str] = []

    def progress(_done: int, _total: int, stage: str) -> None:
        if stage == "Saving" and not saved:  # the file is checked and the new rows written: bob saves now
            with colleague.session() as s:
                s.info["user"] = "bob"
                iris = s.scalar(select(Staff).where(Staff.staff_code == "IIM0"))
                update_staff(s, iris, expected_version=iris.version, role="Head of Chemistry")
            saved.append("bob")

    try:
        with pytest.raises(ConcurrentEditError) as err, importer.session() as s:
            run_import(s, choose_school(s, ALPHA), "staff", csv, progress=progress)
        assert saved == ["bob"]
        assert "Staff IIM0 (changed by bob" in str(err.value) and "was not saved" in str(err.value)
        with importer.session() as s:
            assert s.scalar(select(Staff.role).where(Staff.staff_code == "IIM0")) == "Head of Chemistry"
            assert s.scalar(select(Staff).where(Staff.staff_code == "NNE")) is None  # all or nothing
    finally:
        importer.dispose()
        colleague.dispose()


# -- what a school's login still does: its everyday work, through the app -----------------------------------
def test_a_school_login_still_does_its_everyday_work_with_the_rights_it_has(trust: Trust, tmp_path: Path) -> None:
    """The cut-down rights are enough for the app: add, change and delete records, import and undo, Settings;
    anonymising a leaver (which rewrites the audit trail) is refused with what to do."""
    from cpd_desktop.imports import undo_import
    from cpd_desktop.services import staff as staff_service
    from cpd_desktop.services.bookings import (
        create_booking,
        fill_cover_from_timetable,
        mark_attended,
        transition_booking,
    )
    from cpd_desktop.services.privacy import anonymise_staff

    db = open_database(trust.login_url(BETA))
    try:
        with db.session() as s:
            school = choose_school(s, None)
            person = staff_service.add_staff(s, school, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOX")
            done = activities.add_activity(s, school, person, date=TODAY, hours="1.5", title="Reading: retrieval")
            activities.update_activity(s, done, expected_version=done.version, hours="2")
            activities.delete_activity(s, done, expected_version=done.version)
            teacher = s.scalar(select(Staff).where(Staff.school_id == school.id, Staff.staff_code != "SOX",
                                                   Staff.id.in_(select(activities.Activity.staff_id))))
            booking = create_booking(s, school, teacher, title="Practical endorsement", start_date=TODAY,
                                     end_date=TODAY, hours="6",
                                     intended_outcomes="Pupils carry out the practical with less help")
            fill_cover_from_timetable(s, booking)
            for status in ("approved", "booked"):
                transition_booking(s, booking, status, on=TODAY)
            mark_attended(s, booking, on=TODAY)
            apply_settings(school, {"name": "Beta Academy Trust School"})
            s.flush()
            apply_settings(school, {"name": BETA})
        csv = tmp_path / "more.csv"
        csv.write_text("Surname,Forename,Staff Code\nZając,Łukasz,LZQ\n", encoding="utf-8")
        with db.session() as s:
            batch = run_import(s, choose_school(s, None), "staff", csv).batch_id
        with db.session() as s:
            assert undo_import(s, batch, choose_school(s, None)).removed == 1
        with db.session() as s:
            leaver = s.scalar(select(Staff).where(Staff.staff_code == "SOX"))
            staff_service.update_staff(s, leaver, leaving_date="31/12/2025")
        with pytest.raises(Exception, match="audit trail can only be added to") as err, db.session() as s:
            anonymise_staff(s, s.scalar(select(Staff).where(Staff.staff_code == "SOX")), today=TODAY)
        assert "trust's own account" in err.value.hint  # type: ignore[attr-defined]
        with db.session() as s:
            assert s.scalar(select(Staff.surname).where(Staff.staff_code == "SOX")) == "Ó Dálaigh"
    finally:
        db.dispose()
    p = subprocess.run([*CLI, "--db", trust.login_url(BETA), "report", "hours", "--year", "2025/26", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "SOX" in p.stdout, p.stderr


def test_logins_granted_before_the_upgrade_lose_the_rights_they_should_not_have(pg_url: str) -> None:
    """A trust upgraded from an older version: its school logins had every right on every table and
    sequence; the upgrade cuts them down like a new grant."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from cpd_desktop.storage.migrate import upgrade

    db = open_database(pg_url, migrate=False)
    upgrade(db, "0003_school_calendar")
    db.dispose()
    role = f"cpd_old_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        school_id = conn.execute(text(
            "INSERT INTO school (name, phase, state_funded, academic_year_start_month, financial_year_start_month, "
            "cpd_target_hours, subject_specific_target, supply_day_rate, mileage_rate, evaluation_due_days, "
            "leaver_retention_years, is_demo) VALUES ('Old Trust School', 'secondary', true, 9, 4, 35, 50, 291, "
            "0.45, 42, 6, false) RETURNING id")).scalar()
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text("INSERT INTO school_access (role_name, school_id) VALUES (:r, :s)"), {"r": role, "s": school_id})
        # what 'grant' gave before this version
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    open_database(pg_url).dispose()  # the upgrade
    login = create_engine(make_url(pg_url).set(username=role).render_as_string(hide_password=False))
    try:
        with login.connect() as conn:
            assert "permission denied" in refused(conn, "SELECT nextval(pg_get_serial_sequence('activity', 'id'))")
            assert "permission denied" in refused(conn, "DELETE FROM audit_entry")
            assert "permission denied" in refused(conn, "DELETE FROM school")
            assert conn.execute(text("SELECT name FROM school")).scalars().all() == ["Old Trust School"]
            conn.rollback()
    finally:
        login.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def test_a_statement_held_up_past_its_limit_is_stopped_with_a_plain_message(trust: Trust,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPD_DESKTOP_STATEMENT_TIMEOUT", "1")
    app = open_database(trust.login_url(ALPHA))
    try:
        with pytest.raises(DatabaseLockedError, match="took too long to answer") as err, app.session() as s:
            s.execute(text("SELECT pg_sleep(5)"))
        assert "Try again in a moment" in err.value.hint
    finally:
        app.dispose()
