"""SQLite's quick_check verdict on a database file, kept until the file changes or a day has passed.

``PRAGMA quick_check`` reads every page of the file: on a school's file it takes longer than the whole
``report hours`` it guards. A file that has not changed since it passed needs no second check the same
day, so a passing check is kept here (one small JSON file per database, in the cache folder) with what
identifies the file exactly as it was when the check *began*: its device and inode, size, modification
and status-change times in nanoseconds (the status-change time cannot be set back by any program, and
moves with every write, copy-over or restore), and SQLite's change counter from its header. Any
difference, a journal left by an unfinished save, a file in WAL mode (whose writes go elsewhere first)
or a verdict more than a day old, and the file is checked again. A failed check is never kept: a
damaged file is checked, and refused, every time.

Standard library only: read by ``report hours``'s fast path before anything else is loaded.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from pathlib import Path
from typing import Any

from ..paths import cache_dir

VERSION = 1
MAX_AGE_S = 24 * 60 * 60  # a passing check is trusted for a day at most, however still the file
SQLITE_MAGIC = b"SQLite format 3\x00"


def verdict_file(path: Path) -> Path:
    resolved = path.resolve()
    return cache_dir() / "checked" / f"{resolved.stem[:40]}-{zlib.crc32(os.fsencode(resolved)):08x}.json"


def change_counter(path: Path) -> int | None:
    """The database file's change counter, read from its header without opening it as a database: SQLite
    adds one to it every time anything is saved (https://www.sqlite.org/fileformat.html).

    None when it cannot be relied on: no such file, not an SQLite file, a file in WAL mode (whose counter
    does not move with every save), or a journal left by a save that did not finish."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
        journal = path.with_name(path.name + "-journal")
        if journal.exists() and journal.stat().st_size > 0:
            return None
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC) or header[18] == 2 or header[19] == 2:
        return None
    return int.from_bytes(header[24:28], "big")


def identity(path: Path) -> dict[str, Any] | None:
    """What identifies the file's present state, or None where no verdict can be relied on (see
    ``change_counter``)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    counter = change_counter(path)
    if counter is None:
        return None
    return {"path": str(path.resolve()), "dev": st.st_dev, "ino": st.st_ino, "size": st.st_size,
            "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "counter": counter}


def passed(path: Path, before: dict[str, Any] | None) -> None:
    """Keep the verdict that the file passed a quick_check that began when it was ``before``
    (``identity`` read just before the check). Nothing is kept if the file changed during the check."""
    if before is None or identity(path) != before:
        return
    target = verdict_file(path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"version": VERSION, "checked_at": time.time(), "file": before}),
                       encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


def still_good(path: Path) -> bool:
    """Whether the file passed a quick_check less than a day ago and has not changed in any way since."""
    now = identity(path)
    if now is None:
        return False
    try:
        record = json.loads(verdict_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("version") != VERSION or record.get("file") != now:
        return False
    checked_at = record.get("checked_at")
    return isinstance(checked_at, float) and 0 <= time.time() - checked_at < MAX_AGE_S


def forget(path: Path) -> None:
    """Drop the kept verdict (the file was found damaged, repaired or replaced)."""
    try:
        verdict_file(path).unlink(missing_ok=True)
    except OSError:
        pass
