"""Log files: where they live and how a crash is written down (no personal data in them).

Loaded as the window starts and by every command (``enable_fault_log``), so ``logging`` is imported only
when the log file is first set up or written to.
"""

from __future__ import annotations

import faulthandler
import re
from pathlib import Path
from typing import TextIO

from .paths import data_dir

FAULT_LOG_MAX_BYTES = 1_000_000
_fault_file: TextIO | None = None  # kept open: faulthandler writes to its descriptor when the process dies


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / "cpd-desktop.log"


def fault_log() -> Path:
    return log_dir() / "faults.log"


def enable_fault_log() -> Path | None:
    """Have Python write every thread's stack to ``faults.log`` in the log folder should the process die
    inside C code (a crash in Qt, SQLite or reportlab, an abort): a death that ``sys.excepthook`` never
    sees, which would otherwise leave nothing behind but a vanished window. (A window started without a
    console has no stderr for faulthandler's default either.) The stacks name code, never records.

    Left as it is when faulthandler is already on (``python -X faulthandler``, ``PYTHONFAULTHANDLER``,
    a test runner): whoever turned it on chose where its traces go. Returns the file written to, or None
    (already on elsewhere, or the log folder cannot be written). A file grown past 1 MB starts afresh.
    """
    global _fault_file
    if _fault_file is not None:
        return Path(_fault_file.name)
    if faulthandler.is_enabled():
        return None
    try:
        path = fault_log()
        too_big = path.exists() and path.stat().st_size > FAULT_LOG_MAX_BYTES
        handle = path.open("w" if too_big else "a", encoding="utf-8")
    except OSError:
        return None
    faulthandler.enable(handle, all_threads=True)
    _fault_file = handle
    return path


def setup_logging(level: int | None = None) -> Path:
    """Send the app's log to a rotating file in the data folder (``level``: logging.INFO unless given)."""
    import logging.handlers

    path = log_file()
    root = logging.getLogger("cpd_desktop")
    for old in [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)
                and Path(h.baseFilename) != path.absolute()]:
        root.removeHandler(old)  # the data folder changed (another database, a test): follow it
        old.close()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO if level is None else level)
    return path


def log_crash(exc: BaseException) -> Path:
    """Write a bug's traceback to the log file and return its path.

    The traceback names code, not records: each exception's type and where it was raised, never its
    message (an exception raised while reading a file may quote a cell of it, unquoted).
    """
    try:
        import datetime as dt
        import logging

        path = setup_logging()
        logging.getLogger("cpd_desktop").error(
            "unexpected error at %s\n%s", dt.datetime.now().isoformat(timespec="seconds"),
            scrub(crash_report(exc)))
        return path
    except OSError:
        return Path("(the log could not be written)")


def crash_report(exc: BaseException) -> str:
    """A traceback with the exceptions' types and frames (file, line, function, code), without messages."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "The above was the direct cause of the exception below."
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "Another exception happened while handling the one above."
        else:
            current = None
    import traceback

    out: list[str] = []
    for error, _link in reversed(chain):
        out.append("Traceback (most recent call last):\n")
        out.extend(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        kind = type(error)
        out.append(f"{kind.__module__}.{kind.__qualname__} (its message is not logged: it may quote the "
                   "school's data)\n")
        if _link:
            out.append(f"\n{_link}\n\n")
    return "".join(out)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_QUOTED = re.compile(r"'([^'\n]{0,200})'|\"([^\"\n]{0,200})\"")


def _known_names() -> set[str]:
    """Table and column names: quoted, they help to find a bug and name nobody."""
    from .models import Base

    names = set(Base.metadata.tables)
    for table in Base.metadata.tables.values():
        names.update(c.name for c in table.columns)
    return names


def scrub(text: str) -> str:
    """Take values out of a traceback: email addresses, and quoted strings that are not table or column
    names (an exception's message may quote a person's name or a cell of an imported file)."""
    known = _known_names()

    def keep_names(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if inner in known or inner == "" or (inner.endswith(".py") and ("/" in inner or "\\" in inner)):
            return match.group(0)  # a table or column name, or a source file of the app
        return "'…'"

    return _QUOTED.sub(keep_names, _EMAIL.sub("<email>", text))
