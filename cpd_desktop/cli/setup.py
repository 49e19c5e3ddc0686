"""``init``, ``demo`` and ``check``: making a database and checking it is sound."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import func, select

from ..errors import CpdError
from ..models import School
from .common import Context


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="create the database if needed and add a school")
    p.add_argument("--school", dest="init_school", metavar="NAME", required=True, help="the school's name")
    p.add_argument("--urn", help="the school's unique reference number")
    p.add_argument("--phase", default="secondary", help="primary, secondary, special, all-through (default secondary)")
    p.add_argument("--postcode", help="the school's postcode (for travel from school)")
    p.add_argument("--no-starter-lists", dest="starter", action="store_false",
                   help="start with empty lists (by default the usual science CPD providers, the phase's "
                        "departments and example bursary schemes are filled in, to check and edit)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="fill an empty database with a believable science department")
    p.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same school")
    p.add_argument("--today", metavar="DD/MM/YYYY",
                   help="make the school as it would be on this day (default: today); the same seed and day "
                        "give the same school")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check", help="integrity check, foreign-key check and schema version")
    p.add_argument("--repair", action="store_true",
                   help="if the file is damaged: keep a copy as it is, rebuild its indexes and check again")
    p.set_defaults(func=cmd_check)


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from ..services.schools import create_school

    db = ctx.open(create=True)
    with db.session() as s:
        school = create_school(s, args.init_school, urn=args.urn, phase=args.phase, postcode=args.postcode,
                               starter=args.starter)
        name = school.name
    print(f"Added {name} to {db.label}."
          + (" Starting lists filled in (providers, departments, example bursary schemes): check and edit them "
             "in Settings." if args.starter else ""))
    return 0


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from ..services.demo import build_demo
    from ..services.validation import parse_date

    # Checked before the file is made: a mistyped day leaves nothing behind.
    today = parse_date(args.today, "--today") if args.today is not None else None
    db = ctx.open(create=True)
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(School)):
            raise CpdError(f"{db.label} already holds a school; demo data goes only into an empty database.",
                           hint="Give a new file with --db, e.g. --db demo.sqlite.")
        summary = build_demo(s, seed=args.seed, today=today)
    print(f"Demo school '{summary['school']}' written to {db.label}: "
          + ", ".join(f"{n} {k}" for k, n in summary.items() if k != "school") + ".")
    return 0


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    from .safety import cmd_check as check_and_repair  # with the other commands that keep the record safe

    return check_and_repair(args, ctx)
