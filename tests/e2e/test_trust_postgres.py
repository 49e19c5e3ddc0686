"""Trust mode against a real PostgreSQL server: schools kept apart, concurrent edits, moving in and out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from cpd_desktop.errors import ConcurrentEditError, CpdError
from cpd_desktop.models import Staff
from cpd_desktop.services import staff as staff_service
from cpd_desktop.services.database import open_database
from cpd_desktop.services.demo import build_demo
from cpd_desktop.services.schools import choose_school, create_school
from cpd_desktop.services.transfer import copy_school
from cpd_desktop.services.trust import trust_report
from cpd_desktop.services.years import AcademicYear

pytestmark = pytest.mark.postgres
CLI = [sys.executable, "-m", "cpd_desktop"]
TODAY = __import__("datetime").date(2026, 3, 2)


def cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--db", db, *args], capture_output=True, text=True, timeout=120)


def two_schools(url: str) -> None:
    db = open_database(url)
    with db.session() as s:
        build_demo(s, seed=3, today=TODAY)
        other = create_school(s, "Brackenfield School", urn="140001")
        staff_service.add_staff(s, other, forename="Ana", surname="Lima", staff_code="ALI", fte=1)
    db.dispose()


def test_migrations_build_the_schema_on_postgresql(pg_url: str) -> None:
    p = cli(pg_url, "init", "--school", "Ashcombe Park Academy")
    assert p.returncode == 0, p.stderr
    p = cli(pg_url, "check")
    assert p.returncode == 0 and "current" in p.stdout


def test_each_school_sees_only_its_own_records(pg_url: str) -> None:
    two_schools(pg_url)
    db = open_database(pg_url)
    with db.session() as s:
        ashcombe = choose_school(s, "Ashcombe Park Academy")
        rows = {r["staff_code"] for r in json.loads(cli(pg_url, "--school", "Brackenfield School", "report",
                                                        "staff", "--format", "json").stdout)}
        assert rows == {"ALI"}
        with pytest.raises(CpdError, match="2 schools"):
            choose_school(s, None)
        assert "ALI" not in {st.staff_code for st in s.scalars(select(Staff).where(Staff.school_id == ashcombe.id))}
    db.dispose()


def test_report_trust_compares_the_schools(pg_url: str) -> None:
    two_schools(pg_url)
    p = cli(pg_url, "report", "trust", "--year", "2024/25", "--format", "json")
    assert p.returncode == 0, p.stderr
    rows = {r["school"]: r for r in json.loads(p.stdout)}
    assert set(rows) == {"Ashcombe Park Academy", "Brackenfield School"}
    assert float(rows["Ashcombe Park Academy"]["hours"]) > 100
    assert float(rows["Brackenfield School"]["hours"]) == 0
    db = open_database(pg_url)
    with db.session() as s:
        in_process = {r["school"]: r for r in trust_report(s, AcademicYear(2024))}
    db.dispose()
    assert float(in_process["Ashcombe Park Academy"]["hours_per_fte"]) == pytest.approx(
        float(rows["Ashcombe Park Academy"]["hours_per_fte"]))


def test_row_level_security_refuses_a_cross_school_read(pg_url: str) -> None:
    two_schools(pg_url)
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    role = "cpd_test_" + pg_url.rsplit("_", 1)[-1][:8]
    with engine.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        p = cli(pg_url, "grant", "--role", role, "--school", "Brackenfield School")
        assert p.returncode == 0, p.stderr
        with engine.connect() as conn:
            conn.execute(text(f'SET ROLE "{role}"'))
            assert conn.execute(text("SELECT name FROM school")).scalars().all() == ["Brackenfield School"]
            assert conn.execute(text("SELECT staff_code FROM staff")).scalars().all() == ["ALI"]
            assert conn.execute(text("SELECT count(*) FROM activity")).scalar() == 0
            conn.execute(text("RESET ROLE"))
            ashcombe_id = conn.execute(text("SELECT id FROM school WHERE name LIKE 'Ashcombe%'")).scalar()
            conn.execute(text(f'SET ROLE "{role}"'))
            with pytest.raises(Exception, match="row-level security"):
                conn.execute(text("INSERT INTO department (school_id, name, version, updated_at, updated_by) "
                                  "VALUES (:s, 'Sneaky', 1, now(), '')"), {"s": ashcombe_id})
            conn.execute(text("RESET ROLE"))
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


def test_two_people_editing_one_record_cannot_lose_a_change(pg_url: str) -> None:
    two_schools(pg_url)
    alice_db, bob_db = open_database(pg_url), open_database(pg_url)
    with alice_db.session() as s:
        seen = s.scalar(select(Staff).where(Staff.staff_code == "ALI"))
        alice_version = seen.version
    with bob_db.session() as s:
        s.info["user"] = "bob"
        bob_copy = s.scalar(select(Staff).where(Staff.staff_code == "ALI"))
        staff_service.update_staff(s, bob_copy, expected_version=alice_version, role="Head of Physics")
    with pytest.raises(ConcurrentEditError, match="changed by bob") as err, alice_db.session() as s:
        s.info["user"] = "alice"
        mine = s.scalar(select(Staff).where(Staff.staff_code == "ALI"))
        staff_service.update_staff(s, mine, expected_version=alice_version, role="Teacher of Physics")
    assert err.value.current["role"] == "Head of Physics"
    with alice_db.session() as s:
        assert s.scalar(select(Staff.role).where(Staff.staff_code == "ALI")) == "Head of Physics"
    # The version column also catches a save racing in after the check.
    with alice_db.session() as s1, bob_db.session() as s2:
        a = s1.scalar(select(Staff).where(Staff.staff_code == "ALI"))
        b = s2.scalar(select(Staff).where(Staff.staff_code == "ALI"))
        b.role = "Bob's change"
        s2.commit()
        a.role = "Alice's change"
        with pytest.raises(ConcurrentEditError):
            from cpd_desktop.storage.translate import translate_db_errors

            with translate_db_errors():
                s1.flush()
        s1.rollback()
    with alice_db.session() as s:
        assert s.scalar(select(Staff.role).where(Staff.staff_code == "ALI")) == "Bob's change"
    alice_db.dispose()
    bob_db.dispose()


def strip(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Report rows without their database ids, which a move renumbers."""
    return [{k: v for k, v in r.items() if k not in ("id", "booking_id")} for r in rows]


def test_a_school_moves_into_the_trust_and_back_with_nothing_lost(pg_url: str, tmp_path: Path) -> None:
    original = tmp_path / "ashcombe.sqlite"
    db = open_database(original, create=True)
    with db.session() as s:
        build_demo(s, seed=5, today=TODAY)
    db.dispose()
    p = cli(pg_url, "init", "--school", "Brackenfield School")
    assert p.returncode == 0
    into = subprocess.run([*CLI, "migrate", "--from", str(original), "--to", pg_url],
                          capture_output=True, text=True, timeout=120)
    assert into.returncode == 0, into.stderr
    again = subprocess.run([*CLI, "migrate", "--from", str(original), "--to", pg_url],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already holds a school" in again.stderr
    back = tmp_path / "back.sqlite"
    out = subprocess.run([*CLI, "migrate", "--from", pg_url, "--school", "Ashcombe Park Academy", "--to", str(back)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for kind in ("staff", "hours", "bookings", "claims"):
        args = ["report", kind, "--year", "2024/25", "--format", "json"]
        first = cli(str(original), *args)
        trust = cli(pg_url, "--school", "Ashcombe Park Academy", *args)
        last = cli(str(back), *args)
        assert strip(json.loads(first.stdout)) == strip(json.loads(trust.stdout)) == strip(json.loads(last.stdout)), kind
    src, dst = open_database(original), open_database(back)
    with src.engine.connect() as a, dst.engine.connect() as b:
        for table in ("activity", "booking", "bursary_claim", "cover_lesson", "timetable_lesson", "staff"):
            assert a.execute(text(f"SELECT count(*) FROM {table}")).scalar() == \
                   b.execute(text(f"SELECT count(*) FROM {table}")).scalar(), table
        # The whole audit trail travels, plus one entry for each move.
        before = a.execute(text("SELECT count(*) FROM audit_entry")).scalar()
        moves = b.execute(text("SELECT summary FROM audit_entry WHERE action = 'migrate' ORDER BY id")).scalars().all()
        assert b.execute(text("SELECT count(*) FROM audit_entry")).scalar() == before + 2
        assert len(moves) == 2 and all(m.startswith("Copied Ashcombe Park Academy from") for m in moves)
    src.dispose()
    dst.dispose()


def test_copying_into_a_database_holding_that_school_changes_nothing(pg_url: str, tmp_path: Path) -> None:
    two_schools(pg_url)
    target = tmp_path / "out.sqlite"
    src = open_database(pg_url)
    dst = open_database(target, create=True)
    with dst.session() as s:
        create_school(s, "Brackenfield School")
    with pytest.raises(CpdError, match="already holds"):
        copy_school(src, dst, "Brackenfield School")
    with dst.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM staff")).scalar() == 0
    src.dispose()
    dst.dispose()


def test_a_dropped_connection_mid_change_writes_nothing_and_says_so(pg_url: str) -> None:
    two_schools(pg_url)
    db = open_database(pg_url)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with pytest.raises(CpdError, match="connection to the database server was lost"), db.session() as s:
        school = choose_school(s, "Brackenfield School")
        staff_service.add_staff(s, school, forename="Half", surname="Written", staff_code="HWR")
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        staff_service.add_staff(s, school, forename="Never", surname="Saved", staff_code="NSA")
    with db.session() as s:
        assert s.scalar(select(Staff).where(Staff.staff_code == "HWR")) is None
    admin.dispose()
    db.dispose()


def test_a_school_moved_onto_the_server_leaves_the_planner_statistics_fresh(pg_url: str, tmp_path: Path) -> None:
    original = tmp_path / "small.sqlite"
    db = open_database(original, create=True)
    with db.session() as s:
        school = create_school(s, "Statistics School")
        staff_service.add_staff(s, school, forename="Ana", surname="Lima", staff_code="ALI", fte=1)
    db.dispose()
    src, dst = open_database(original), open_database(pg_url)
    copy_school(src, dst)
    with dst.engine.connect() as conn:
        analysed = conn.execute(text("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                                     "WHERE relname = 'activity'")).scalar()
    src.dispose()
    dst.dispose()
    assert analysed  # else the first trust reports plan without statistics: seconds instead of milliseconds
