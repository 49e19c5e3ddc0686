"""``record``: one CPD activity (an INSET day, a twilight, a department session) for many people at once.

    cpd-desktop record --department Science --date 03/01/2027 --hours 6 --title "INSET: assessment"
    cpd-desktop record --staff ABC,DEF --date 14/10/2025 --hours 2 --title Twilight --format webinar
    cpd-desktop record --all-teachers --date 03/01/2027 --hours 6 --title INSET --skip-invalid
    cpd-desktop record --department Science --date 03/01/2027 --hours 6 --title INSET --priority "Oracy"
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import Context


def register(sub: Any) -> None:
    p = sub.add_parser(
        "record", help="record one CPD activity for several people (a department, all teachers, or by code)",
        description="Record one CPD activity for a set of people in one step. If anybody cannot have it (an "
                    "unknown staff code, not employed on the date), each is listed and nothing is written, "
                    "unless --skip-invalid. People who already have a similar activity on that date are left "
                    "out and named.",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--staff", metavar="CODE,CODE…", help="staff codes, separated by commas")
    who.add_argument("--department", metavar="NAME", help="everyone in this department")
    who.add_argument("--all-teachers", action="store_true", help="everyone counted in the teachers' CPD target")
    p.add_argument("--date", metavar="DD/MM/YYYY", required=True, help="the day of the activity")
    p.add_argument("--hours", metavar="H", required=True, help="hours attended, e.g. 6 or 1.5")
    p.add_argument("--title", metavar="TEXT", required=True, help="what the activity was")
    p.add_argument("--format", metavar="FORMAT", default="inset",
                   help="e.g. INSET, face-to-face, online, webinar, coaching (default: in-school INSET)")
    p.add_argument("--priority", metavar="NAME",
                   help="the school priority it serves, one of its academic year's (as named in Impact)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="record it for the people who can have it and list those left out")
    p.set_defaults(func=cmd_record)


def cmd_record(args: argparse.Namespace, ctx: Context) -> int:
    from ..errors import CpdError
    from ..services.formatting import plural
    from ..services.record import choose_staff, plan_record, record_for_many

    db = ctx.open()
    with db.session() as s:
        school = ctx.school(s)
        people, unknown = choose_staff(s, school, codes=args.staff.split(",") if args.staff is not None else None,
                                       department=args.department, all_teachers=args.all_teachers)
        plan = plan_record(s, school, people, unknown_codes=unknown, date=args.date, hours=args.hours,
                           title=args.title, format=args.format, priority=args.priority)
        if plan.invalid and not args.skip_invalid:
            for person in plan.invalid:
                print(f"Cannot record for {person.line()}", file=sys.stderr)
            n = len(plan.invalid)
            raise CpdError(f"{plural(n, 'person', 'people')} listed above cannot have this activity; "
                           "nothing was recorded.",
                           hint="Correct the list, or add --skip-invalid to record it for the others.")
        for person in plan.left_out:
            print(f"Left out {person.line()}", file=sys.stderr)
        result = record_for_many(s, school, plan, skip_invalid=True)
        summary = result.summary()
    print(summary)
    return 0
