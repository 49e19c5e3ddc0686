"""``backup``, ``backups``, ``restore``, ``unlock``, ``leavers`` and ``anonymise``: keeping the record safe."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import CpdError, DatabaseError
from ..paths import default_db_target
from .common import Context, add_format_option, print_rows


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="make a verified backup of the database now")
    p.add_argument("--output", metavar="FILE", help="where to write it (default: the backup folder)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("backups", help="list the database's backups, newest first")
    add_format_option(p)
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser("restore", help="put a backup in place of the database (the current file is backed up first)")
    p.add_argument("file", metavar="FILE", help="the backup file")
    p.add_argument("--force", action="store_true",
                   help="restore it even though it is a backup of another database (no school in common)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("unlock", help="clear the lock of a copy of CPD Desktop that is no longer running")
    p.add_argument("--force", action="store_true",
                   help="break the lock even though its holder may still be running (on another computer)")
    p.set_defaults(func=cmd_unlock)

    p = sub.add_parser("leavers", help="leavers and when their records are due for review (retention)")
    p.add_argument("--due", action="store_true", help="only those due for review and not yet anonymised")
    add_format_option(p)
    p.set_defaults(func=cmd_leavers)

    p = sub.add_parser("anonymise", help="replace a leaver's name, email and code; their hours stay in totals")
    p.add_argument("--staff", metavar="CODE", required=True, help="the leaver's staff code")
    p.add_argument("--delete-backups", action="store_true",
                   help="also delete the backups that still hold their details (a fresh backup is made first); "
                        "for a leaver already anonymised, give their new code (ANON…)")
    p.set_defaults(func=cmd_anonymise)


def _file_target(ctx: Context) -> Path:
    from ..storage.database import is_url

    target = ctx.db_target or default_db_target()
    if is_url(target):
        raise DatabaseError("Backups and restores are for a school's database file; a trust server is backed "
                            "up by whoever runs it.", hint="Ask the trust's database administrator (pg_dump).")
    return Path(target).expanduser().absolute()


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    from ..storage.backups import backup_database, describe_holds, format_size

    db = ctx.open()
    made = backup_database(db, output=Path(args.output) if args.output else None)
    print(f"Backed up {db.label} to {made.path} ({format_size(made.size)}).")
    print(f"Checked: integrity ok. SHA-256 {made.sha256}.")
    print(f"It holds {describe_holds(made.holds)}.")
    return 0


def cmd_backups(args: argparse.Namespace, ctx: Context) -> int:
    from ..storage.backups import REASON_LABELS, backup_folder, describe_holds, format_size, list_backups

    path = _file_target(ctx)
    found = list_backups(path)
    rows = [{"made": b.created.strftime("%d/%m/%Y %H:%M") if args.format == "table" else b.created.isoformat(
                 timespec="seconds"),
             "size": format_size(b.size) if args.format == "table" else b.size,
             "why": REASON_LABELS.get(b.reason, b.reason) if args.format == "table" else b.reason,
             "holds": describe_holds(b.holds), "file": str(b.path) if args.format != "table" else b.path.name,
             "sha256": b.sha256 or None}
            for b in found]
    if args.format == "table":
        print(f"Backups of {path.name} in {backup_folder()}:")
        rows = [{k: v for k, v in r.items() if k != "sha256"} for r in rows]
    print_rows(rows, args.format, ["made", "size", "why", "holds", "file"] + (["sha256"] if args.format != "table"
                                                                               else []))
    return 0


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    from ..storage.backups import describe_holds
    from ..storage.restore import restore_backup

    path = _file_target(ctx)
    result = restore_backup(path, Path(args.file), force=args.force)
    print(f"Restored {path} from the backup made {result.backup_created:%d/%m/%Y %H:%M} "
          f"({describe_holds(result.holds)}).")
    if result.checked_in_full:
        print("It had no manifest (or a damaged one), so it could not be proved to be the backup that was made; "
              "it passed a full check instead (integrity, schema, links between records).")
    if result.safety_backup:
        print(f"The database as it was before is kept in {result.safety_backup}.")
    if result.damaged_copy:
        print(f"The damaged file was kept as {result.damaged_copy}.")
    return 0


def cmd_unlock(args: argparse.Namespace, ctx: Context) -> int:
    from ..storage.locking import break_lock, is_stale, read_lock

    path = _file_target(ctx)
    holder = read_lock(path)
    if holder is None:
        if (path.with_name(path.name + ".lock")).exists() and args.force:
            break_lock(path)
            print(f"Removed an unreadable lock from {path.name}.")
            return 0
        print(f"{path.name} is not locked.")
        return 0
    if not is_stale(holder) and not args.force:
        raise CpdError(f"{path.name} is open in CPD Desktop by {holder.describe()}.",
                       hint="Close it there first. If you are sure it is not open (the other computer is off), "
                            "run 'cpd-desktop unlock --force'.")
    break_lock(path)
    print(f"Cleared the lock of {holder.describe()} on {path.name}.")
    return 0


def cmd_leavers(args: argparse.Namespace, ctx: Context) -> int:
    import datetime as dt

    from ..services.privacy import leavers, leavers_due_for_review

    db = ctx.open()
    today = dt.date.today()
    with db.session() as s:
        school = ctx.school(s)
        found = leavers_due_for_review(s, school, today) if args.due else leavers(s, school)
        rows = [{"staff_code": r.staff.staff_code, "name": r.staff.full_name, "left": r.left_on,
                 "review_due": r.review_due,
                 "status": "anonymised" if r.staff.anonymised else ("due for review" if r.review_due <= today
                                                                     else "kept")}
                for r in found]
        years = school.leaver_retention_years
    if args.format == "table":
        print(f"Leavers' records are reviewed {years} years after they leave (change it in Settings).")
    print_rows(rows, args.format, ["staff_code", "name", "left", "review_due", "status"],
               headers={"staff_code": "code", "review_due": "review due"})
    return 0


def cmd_anonymise(args: argparse.Namespace, ctx: Context) -> int:
    from ..services.formatting import format_hours
    from ..services.privacy import anonymise_staff
    from ..services.staff import get_staff

    db = ctx.open()
    with db.session() as s:
        school = ctx.school(s)
        staff = get_staff(s, school, args.staff)
        staff_id, name, already = staff.id, staff.full_name, staff.anonymised
        result = None if already and args.delete_backups else anonymise_staff(s, staff)
    if result is not None:
        if db.path is not None:  # the window's first look may name them: it goes (the next start adds up afresh)
            from ..firstlook import forget

            forget(db.path)
        print(f"Anonymised {name} ({args.staff.strip().upper()}): now {result.label}, code {result.staff_code}.")
        redacted = result.audit_entries_redacted
        print(f"Their {result.activities} CPD activities ({format_hours(result.hours)} hours) and {result.bookings} "
              f"bookings stay in every total; their name, email and code were removed from every record of the "
              f"school; {redacted} audit {'entry was' if redacted == 1 else 'entries were'} redacted.")
    if db.path is not None:
        _backups_holding(db, staff_id, delete=args.delete_backups,
                         code=result.staff_code if result is not None else args.staff.strip().upper())
    return 0


def _backups_holding(db: Any, staff_id: int, *, delete: bool, code: str) -> None:
    from ..storage.backups import (
        NEVER_THINNED,
        REASON_LABELS,
        backup_database,
        backup_folder,
        backups_holding_staff,
        delete_backups,
    )

    found = backups_holding_staff(db, staff_id)
    if not found:
        print(f"No backup in {backup_folder()} holds their details.")
        return
    if delete:
        fresh = backup_database(db, reason="manual")  # the school keeps a backup, of the anonymised record
        for path in delete_backups(found):
            print(f"Deleted {path.name}")
        print(f"{len(found)} {'backup was' if len(found) == 1 else 'backups were'} deleted; a fresh backup "
              f"without their details is {fresh.path.name}. Copies made elsewhere (with --output, on a USB stick) "
              "are not known to CPD Desktop: delete those by hand.")
        return
    kept = sum(1 for b in found if b.reason in NEVER_THINNED)
    print(f"{len(found)} {'backup' if len(found) == 1 else 'backups'} in {backup_folder()} still "
          f"{'holds' if len(found) == 1 else 'hold'} their details ({kept} never thinned: made by hand or before "
          "a restore; the others until they are thinned out):")
    for b in found:
        kind = REASON_LABELS.get(b.reason, b.reason) or "no manifest"
        print(f"  {b.path.name} ({b.created:%d/%m/%Y %H:%M}, {kind})")
    print(f"To delete them: cpd-desktop anonymise --staff {code} --delete-backups")


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    """``check [--repair]``: the full check; damage found is recorded (writes refused until repaired)."""
    from ..services.integrity import REPAIR_HINT, check_database, repair_database

    db = ctx.open()
    result = check_database(db)
    print(f"Database: {db.label}")
    print(f"Schema version: {result.revision} "
          f"({'current' if result.revision == result.head else 'expected ' + result.head})")
    if result.damaged and args.repair:
        for p in result.problems:
            print(f"Problem: {p}")
        print("Repairing: a copy of the file as it is now is kept, then every index is rebuilt…")
        repaired = repair_database(db)
        print(f"Repaired. The file as it was found is kept in {repaired.backup}.")
        result = repaired.after
    elif args.repair and result.sound:
        print("Nothing to repair.")
    if not result.sound:
        for p in result.problems:
            print(f"Problem: {p}")
        if result.damaged:
            raise CpdError(f"{db.label} is damaged; changes to it are refused until it is repaired.",
                           hint=REPAIR_HINT.replace("File → Check and repair… or ", "") + " Or restore the newest "
                                "backup (cpd-desktop restore FILE).")
        raise CpdError(f"{db.label} is not sound.", hint="Restore the newest backup (cpd-desktop restore FILE).")
    print("Integrity: ok" if db.is_sqlite else "Connection: ok")
    print("Links between records: ok" if db.is_sqlite else "")
    return 0
