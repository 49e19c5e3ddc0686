"""``import``: bring staff, CPD history, bookings, timetables, courses and budget lines in from files; list and undo imports.

    cpd-desktop import staff staff.csv [--dry-run] [--sheet NAME] [--skip-invalid] [--header-row N]
    cpd-desktop import history
    cpd-desktop import undo 3
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import CpdError
from ..imports.fields import KINDS
from .common import Context, UsageError

ACTIONS = ("history", "undo")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import", help="import staff, activities, bookings, timetable, courses or budget lines from a CSV or .xlsx file",
        description="Import a CSV (comma, semicolon or tab; UTF-8, UTF-16 or Windows-1252) or Excel .xlsx file. "
                    "Every row is checked first: if any row is bad, each is listed and nothing is written. "
                    "'import history' lists past imports; 'import undo N' takes import N back out.",
    )
    p.add_argument("kind", metavar="KIND", choices=[*KINDS, *ACTIONS],
                   help="staff, activities, bookings, timetable, courses or budget; or history, or undo")
    p.add_argument("file", metavar="FILE", nargs="?", help="the file to import (for undo: the import's number)")
    p.add_argument("--dry-run", action="store_true", help="check the file and say what would change; write nothing")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx workbook (default: the first)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="import the good rows and leave out the bad ones (each is still listed)")
    p.add_argument("--header-row", metavar="N", type=int,
                   help="the row holding the column headers (default: found from the headers)")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    if args.kind == "history":
        return _history(ctx)
    if args.kind == "undo":
        return _undo(args, ctx)
    if not args.file:
        raise UsageError(f"import {args.kind} needs the FILE to import")
    return _import(args, ctx)


def _import(args: argparse.Namespace, ctx: Context) -> int:
    from ..imports import run_import

    db = ctx.open()
    with db.session() as s:
        school = ctx.school(s)
        result = run_import(s, school, args.kind, args.file, sheet=args.sheet, skip_invalid=args.skip_invalid,
                            dry_run=args.dry_run, header_row=args.header_row)
    print(f"Read {result.file_name}: {result.source_description}; {result.rows} "
          f"{'row' if result.rows == 1 else 'rows'}.")
    print("Columns: " + ", ".join(f"{header} → {KINDS[args.kind].field(key).label}"
                                  for key, header in result.columns.items()))
    for warning in result.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    for error in result.errors:
        print(str(error), file=sys.stderr)
    if result.errors and not args.skip_invalid:
        bad = result.bad_rows
        raise CpdError(f"{result.file_name} has {bad} bad {'row' if bad == 1 else 'rows'} "
                       f"({len(result.errors)} {'problem' if len(result.errors) == 1 else 'problems'}, listed above); "
                       "nothing was imported.",
                       hint="Correct them in the file and import it again, or add --skip-invalid to leave them out.")
    if args.dry_run:
        print(f"Dry run: importing would make {result.counts}. Nothing was written.")
    else:
        print(f"Imported: {result.counts}.")
        if result.batch_id is not None and (result.new or result.updated):
            print(f"This was import {result.batch_id}; to take it back out: "
                  f"cpd-desktop import undo {result.batch_id}")
    return 0


def _history(ctx: Context) -> int:
    import datetime as dt

    from ..imports import list_batches
    from ..services.formatting import format_datetime

    db = ctx.open()
    with db.session() as s:
        school = ctx.school(s)
        batches = list_batches(s, school)
        if not batches:
            print("No imports yet.")
            return 0
        print(f"{'No.':>4}  {'When':<16}  {'Kind':<10}  {'New':>6}  {'Updated':>7}  File")
        for b in batches:
            when = format_datetime(b.at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None))
            undone = "  (undone)" if b.undone else ""
            print(f"{b.id:>4}  {when:<16}  {b.kind:<10}  {b.created_count:>6}  {b.updated_count:>7}  "
                  f"{b.file_name}{undone}")
    return 0


def _undo(args: argparse.Namespace, ctx: Context) -> int:
    from ..imports import undo_import

    if not args.file or not args.file.isdigit():
        raise UsageError("import undo needs the import's number, e.g. 'import undo 3' (see 'import history')")
    db = ctx.open()
    with db.session() as s:
        school = ctx.school(s)
        done = undo_import(s, int(args.file), school)
    print(f"Undid import {done.batch_id} ({done.file_name}): {done.removed} removed, {done.restored} put back "
          "as they were.")
    return 0
