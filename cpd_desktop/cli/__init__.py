"""The ``cpd-desktop`` command: headless subcommands, and the window when none is given.

No Qt is imported on any subcommand's path. Each command module registers its subparsers in
``COMMAND_MODULES`` order; a command is a function ``(args, ctx) -> int``.

Exit codes: 0 done; 1 a user error (one clear message on stderr, no traceback); 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import CpdError
from .common import Context, UsageError

# Each module has ``register(subparsers)``; later issues add theirs here.
COMMAND_MODULES = [
    "cpd_desktop.cli.setup",
    "cpd_desktop.cli.reports",
    "cpd_desktop.cli.trust",
    "cpd_desktop.cli.imports",
    "cpd_desktop.cli.exports",
    "cpd_desktop.cli.safety",
]

log = logging.getLogger("cpd_desktop")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpd-desktop",
        description="CPD Desktop: staff CPD hours, bookings, release cover and bursary claims for a school.",
        epilog="With no command, the desktop window opens.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help="the database: a file path or an SQLAlchemy URL "
                             "(default: $CPD_DESKTOP_DB, else school.sqlite in your data folder)")
    parser.add_argument("--school", metavar="NAME", help="which school, when the database holds more than one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _open_window(args)
    ctx = Context(db_target=args.db, school_name=args.school)
    try:
        return int(args.func(args, ctx) or 0)
    except UsageError as exc:
        parser.error(str(exc))
    except CpdError as exc:
        print(f"cpd-desktop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cpd-desktop: stopped; nothing more was written.", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so plainly, keep the details in the log
        from ..logs import log_crash
        from ..services.guard import describe_db_error

        friendly = describe_db_error(exc)
        if friendly is not None:  # a database failure outside a service call (opening, migrating)
            print(f"cpd-desktop: {friendly}", file=sys.stderr)
            return 1

        path = log_crash(exc)
        print(f"cpd-desktop: something went wrong inside CPD Desktop ({type(exc).__name__}). "
              f"Nothing more was written. Details are in {path}.", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    return 0


def _open_window(args: argparse.Namespace) -> int:
    if args.db:
        os.environ["CPD_DESKTOP_DB"] = args.db
    from ..ui.app import main as gui_main  # Qt only on this path

    return int(gui_main(db=args.db, school=args.school) or 0)
