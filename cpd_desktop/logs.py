"""Log files: where they live and how a crash is written down (no personal data in them)."""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import re
import traceback
from pathlib import Path

from .paths import data_dir


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / "cpd-desktop.log"


def setup_logging(level: int = logging.INFO) -> Path:
    """Send the app's log to a rotating file in the data folder."""
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
    root.setLevel(level)
    return path


def log_crash(exc: BaseException) -> Path:
    """Write a bug's traceback to the log file and return its path.

    The traceback names code, not records: values of the school's data are not logged.
    """
    try:
        path = setup_logging()
        logging.getLogger("cpd_desktop").error(
            "unexpected error at %s\n%s", dt.datetime.now().isoformat(timespec="seconds"),
            scrub("".join(traceback.format_exception(type(exc), exc, exc.__traceback__))))
        return path
    except OSError:
        return Path("(the log could not be written)")


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
