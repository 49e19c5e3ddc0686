"""``migrate``: move a school from its own file into a trust's database, or back out to a file."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import CpdError
from ..services.database import open_database
from ..storage.database import is_url
from .common import Context


def register(sub: Any) -> None:
    p = sub.add_parser("migrate", help="copy a school between a file and a trust's PostgreSQL database",
                       description="Copy every record of one school (audit trail included) from one database "
                                   "into another, checking row counts and totals after the copy.")
    p.add_argument("--from", dest="source", metavar="PATH_OR_URL", required=True, help="the database to copy from")
    p.add_argument("--to", dest="target", metavar="PATH_OR_URL", required=True,
                   help="the database to copy into (a new file is created)")
    p.add_argument("--school", dest="migrate_school", metavar="NAME",
                   help="which school, when the source holds more than one")
    p.set_defaults(func=cmd_migrate)
    register_grant(sub)


def cmd_migrate(args: argparse.Namespace, ctx: Context) -> int:
    from ..services.transfer import copy_school

    if args.source == args.target:
        raise CpdError("--from and --to name the same database.", hint="Give two different databases.")
    source = open_database(args.source)
    try:
        target = open_database(args.target, create=not is_url(args.target))
        try:
            result = copy_school(source, target, args.migrate_school or ctx.school_name)
        finally:
            target.dispose()
    finally:
        source.dispose()
    moved = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in result.counts.items() if n and t != "school")
    print(f"Copied {result.school} into {target.label}: {moved}.")
    print("Row counts and totals match the original.")
    return 0


def register_grant(sub: Any) -> None:
    p = sub.add_parser("grant", help="let a PostgreSQL login see and edit one school only (trust mode)",
                       description="Record that a database role (a school's login on the trust server) may use "
                                   "one school, and give it the table privileges it needs. Row-level security "
                                   "then hides every other school from it.")
    p.add_argument("--role", required=True, help="an existing PostgreSQL role (CREATE ROLE … LOGIN first)")
    p.add_argument("--school", dest="grant_school", metavar="NAME", required=True, help="the school it may use")
    p.set_defaults(func=cmd_grant)


def cmd_grant(args: argparse.Namespace, ctx: Context) -> int:
    from ..services.access import grant_school

    db = ctx.open()
    with db.session() as s:
        school = grant_school(s, args.role, args.grant_school)
    print(f"The role {args.role} may now use {school} (and no other school) in {db.label}.")
    print("It can read and change that school's records only; it cannot add or delete schools, change the audit "
          "trail, choose ids or use the id sequences, and its sessions give up waiting for a lock after 5 s.")
    return 0
