"""The audit trail covers every kind of change: create, update, delete, import, restore, anonymise —
each with when, which user of the computer, the record, and the fields changed (old → new)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from cpd_desktop.models import AuditEntry, School
from cpd_desktop.services.audit import entries
from cpd_desktop.services.privacy import anonymise_staff
from cpd_desktop.services.staff import add_staff, delete_staff, update_staff
from cpd_desktop.storage.backups import backup_database
from cpd_desktop.storage.database import Database
from cpd_desktop.storage.locking import current_user
from cpd_desktop.storage.restore import restore_backup


def test_every_kind_of_change_is_written_down_with_who_when_and_old_to_new(db: Database, school: School,
                                                                           tmp_path: Path) -> None:
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    with db.session() as s:
        person = add_staff(s, s.merge(school), forename="Jane", surname="Smith", staff_code="JSM", fte="0.8")
        update_staff(s, person, fte="100%", leaving_date="31/08/2024", start_date="01/09/2020")
        temp = add_staff(s, s.merge(school), forename="Temp", surname="Person", staff_code="TMP")
        delete_staff(s, temp)
    made = backup_database(db)
    csv = tmp_path / "staff.csv"
    csv.write_text("Forename,Surname,Staff code\nAda,Lovelace,ALO\n", encoding="utf-8")
    with db.session() as s:
        from cpd_desktop.imports import run_import

        run_import(s, s.merge(school), "staff", csv)
    with db.session() as s:
        anonymise_staff(s, s.scalars(select(type(person)).where(type(person).staff_code == "JSM")).one(),
                        today=dt.date(2025, 11, 20))
    restore_backup(db, made.path)
    from cpd_desktop.services.database import open_database

    again = open_database(db.path)
    with again.session() as s:
        restored = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert restored[-1].action == "restore"
    again.dispose()
    # The history before the restore lives in the backup taken just before it.
    from cpd_desktop.storage.backups import list_backups

    before_restore = next(b for b in list_backups(db.path) if b.reason == "before-restore")  # type: ignore[arg-type]
    history = open_database(before_restore.path, readonly=True)
    with history.session() as s:
        rows = entries(s, None)
        actions = [e.action for e in rows]
        for action in ("create", "update", "delete", "import", "anonymise"):
            assert action in actions, action
        for e in rows:
            assert e.user == current_user() and e.at >= started
        update = next(e for e in rows if e.action == "update" and e.table_name == "staff")
        changes = json.loads(update.changes or "{}")
        assert changes["fte"] == [0.8, 1.0]
        assert changes["leaving_date"] == [None, "2024-08-31"]
        deleted = next(e for e in rows if e.action == "delete")
        assert "Temp" in (deleted.changes or "") and deleted.record_id is not None
    history.dispose()


@pytest.mark.parametrize("since, expected", [("01/01/2000", True), ("01/01/2100", False)])
def test_entries_since_a_day(db: Database, school: School, since: str, expected: bool) -> None:
    from cpd_desktop.services.validation import parse_date

    with db.session() as s:
        assert bool(entries(s, school.id, since=parse_date(since, "since"))) is expected
