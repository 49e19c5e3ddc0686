"""The ``cpd-desktop`` command: headless subcommands, and the window when none is given.

No Qt is imported on any subcommand's path. Each command module registers its subparsers in
``COMMAND_MODULES`` order; a command is a function ``(args, ctx) -> int``.

Exit codes: 0 done; 1 a user error (one clear message on stderr, no traceback); 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import CpdError

# Each module has ``register(subparsers)``; later issues add theirs here, and their commands to COMMANDS.
COMMAND_MODULES = [
    "cpd_desktop.cli.setup",
    "cpd_desktop.cli.reports",
    "cpd_desktop.cli.trust",
    "cpd_desktop.cli.imports",
    "cpd_desktop.cli.exports",
    "cpd_desktop.cli.safety",
    "cpd_desktop.cli.record",
]
# The module that registers each command: a command line loads its own module alone (and what that
# imports), so `report` never loads the importers, the exports' writers or Alembic.
# tests/unit/test_cli_imports.py checks this against what each module registers.
COMMANDS = {
    "init": "cpd_desktop.cli.setup", "demo": "cpd_desktop.cli.setup", "check": "cpd_desktop.cli.setup",
    "report": "cpd_desktop.cli.reports",
    "migrate": "cpd_desktop.cli.trust", "grant": "cpd_desktop.cli.trust",
    "import": "cpd_desktop.cli.imports",
    "export": "cpd_desktop.cli.exports",
    "backup": "cpd_desktop.cli.safety", "backups": "cpd_desktop.cli.safety", "restore": "cpd_desktop.cli.safety",
    "unlock": "cpd_desktop.cli.safety", "leavers": "cpd_desktop.cli.safety", "anonymise": "cpd_desktop.cli.safety",
    "record": "cpd_desktop.cli.record",
}


def _top_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help="the database: a file path or an SQLAlchemy URL "
                             "(default: $CPD_DESKTOP_DB, else school.sqlite in your data folder)")
    parser.add_argument("--school", metavar="NAME", help="which school, when the database holds more than one")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``command`` (a name in ``COMMANDS``), only that command's module is
    loaded and registered. Either parser reads that command's line alike: the top-level usage names
    ``COMMAND`` rather than listing them, and ``--help`` or an unknown word gets the whole parser."""
    parser = argparse.ArgumentParser(
        prog="cpd-desktop",
        description="CPD Desktop: staff CPD hours, bookings, release cover and bursary claims for a school.",
        epilog="With no command, the desktop window opens.",
    )
    _top_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The command ``argv`` names, read past ``--db``/``--school`` and their values; None when anything
    else (``--help``, ``--version``, an abbreviated option, no command) comes first: the whole parser
    then deals with it."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in ("--db", "--school"):
            i += 2
        elif word.startswith(("--db=", "--school=")):
            i += 1
        else:
            return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    window = _window_options(argv)
    if window is not None:
        return _open_window(window)
    from .common import Context, UsageError

    parser = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        return _open_window(args)
    from ..logs import enable_fault_log

    enable_fault_log()
    ctx = Context(db_target=args.db, school_name=args.school)
    _name_the_holder(args)
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
    except Exception as exc:  # noqa: BLE001 - a bug: say so plainly, keep the details in the log
        from ..logs import log_crash
        from ..storage.translate import describe_db_error

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
        _name_the_holder(None)
    return 0


def _name_the_holder(args: argparse.Namespace | None) -> None:
    """A lock this command takes names it ("cpd-desktop import staff"), for whoever finds the file busy;
    None names the window again (when ``main`` is called in a process that also shows it)."""
    from ..storage.locking import WINDOW, set_holder_name

    if args is None:
        set_holder_name(WINDOW)
        return
    kind = getattr(args, "kind", None)
    set_holder_name(" ".join(["cpd-desktop", args.command, *([kind] if isinstance(kind, str) else [])]))


def _window_options(argv: list[str]) -> argparse.Namespace | None:
    """``cpd-desktop [--db …] [--school …]`` with no command: the window's options, read without loading
    the commands (and the database layer they bring, half a second before the window could show).
    None when there is a command, ``--help`` or anything else for the full parser to deal with."""
    light = argparse.ArgumentParser(prog="cpd-desktop", add_help=False, exit_on_error=False)
    _top_options(light)
    try:
        args, rest = light.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    return None if rest else args


def window_start() -> None:
    """What a start of the window does first. Python's cyclic garbage collector waits until the window
    is up and the database layer has loaded (``ui.app.end_of_start_up`` then freezes what start-up made,
    which lives as long as the app, and turns it back on): its full passes over tens of thousands of new
    objects would otherwise hold up the first frame, and later stall the window for 30 ms at a time.
    A crash inside Qt leaves every thread's stack in the log folder (``logs.enable_fault_log``)."""
    import gc

    from ..logs import enable_fault_log

    gc.disable()
    enable_fault_log()


def _open_window(args: argparse.Namespace) -> int:
    if args.db:
        os.environ["CPD_DESKTOP_DB"] = args.db
    window_start()
    from ..ui.app import main as gui_main  # Qt only on this path

    return int(gui_main(db=args.db, school=args.school) or 0)


def gui() -> int:
    """``cpd-desktop-gui``: the window, with ``--db`` and ``--school`` as ``cpd-desktop`` takes them."""
    args = _window_options(sys.argv[1:])
    if args is None:
        return main()
    return _open_window(args)
