"""Log files: where they live and how a crash is written down (no personal data in them)."""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import traceback
from pathlib import Path

from .db import data_dir


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
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return path
    except OSError:
        return Path("(the log could not be written)")
