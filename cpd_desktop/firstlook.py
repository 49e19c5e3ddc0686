"""The first look: the dashboard's figures kept from the last time, so a start shows them at once.

Loading the database layer (SQLAlchemy and the models) takes about half a second, several times as
long as opening a window. So when the dashboard has added up its figures for the school's current
year and every department, the window keeps them here (one small JSON file per database, in the data
folder) with the database file's change counter: SQLite adds one to it, in the file's header, every
time anything is saved by anybody (https://www.sqlite.org/fileformat.html, "File change counter").
At the next start the window reads that file and the counter, 4 bytes of the database's header, and,
when nothing has been saved since, the app and its schema are the same and it is the same day
(overdue evaluations, deadlines and the next 14 days depend on the date), shows those figures at once
while the database layer loads behind it. The dashboard then adds them up again and replaces them.
Anything else, and the file is ignored: the window starts as it always did.

Standard library only, no Qt, no SQLAlchemy and not even ``sqlite3``: this runs before any of them is
needed. Nothing here ever writes to the database, and a first look that cannot be read or written is
simply not used.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from pathlib import Path
from typing import Any

from .paths import data_dir
from .storage.schema import HEAD_REVISION
from .storage.verdict import change_counter

VERSION = 3
FOLDER = "first-look"


def look_file(db_path: Path) -> Path:
    """Where the first look of the database at ``db_path`` is kept (one file per database)."""
    resolved = db_path.resolve()
    # The file's name and a checksum of its whole path; the record inside names the path in full.
    return data_dir() / FOLDER / f"{resolved.stem[:40]}-{zlib.crc32(os.fsencode(resolved)):08x}.json"


def read_marker(db_path: Path) -> int | None:
    """The database file's change counter (``storage.verdict.change_counter``: None where it cannot be
    relied on)."""
    return change_counter(db_path)


def today() -> str:
    """Today as ``YYYY-MM-DD`` (the first look's day), without loading ``datetime`` at start-up."""
    return time.strftime("%Y-%m-%d")


def save(db_path: Path, look: dict[str, Any], *, marker: int, day: str, school: str | None) -> None:
    """Keep ``look`` (plain JSON data) as the first look of ``db_path``.

    ``marker`` is the file's change counter read *before* the figures were added up, so that a save made
    meanwhile makes the look out of date rather than wrongly current. ``day`` is the day the figures
    were added up for (``YYYY-MM-DD``). ``school`` is the ``--school``
    name the window was started with (None: the database's only school).
    """
    record = {"version": VERSION, "database": str(db_path.resolve()), "revision": HEAD_REVISION,
              "marker": marker, "day": day, "school_option": school, "look": look,
              "saved": time.strftime("%Y-%m-%dT%H:%M:%S")}
    path = look_file(db_path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def load(db_path: Path, *, day: str, school: str | None) -> dict[str, Any] | None:
    """The first look of ``db_path`` if it is still exactly right on ``day`` (``YYYY-MM-DD``), else None."""
    try:
        record = json.loads(look_file(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != VERSION:
        return None
    if (record.get("database") != str(db_path.resolve()) or record.get("day") != day
            or record.get("school_option") != school or record.get("revision") != HEAD_REVISION):
        return None
    marker = read_marker(db_path)
    if marker is None or marker != record.get("marker"):
        forget(db_path)  # out of date for good: its names and figures are not kept any longer
        return None
    look = record.get("look")
    return look if isinstance(look, dict) else None


def forget(db_path: Path) -> None:
    """Drop the first look of ``db_path`` (out of date, or a leaver's name must go)."""
    try:
        look_file(db_path).unlink(missing_ok=True)
    except OSError:
        pass
