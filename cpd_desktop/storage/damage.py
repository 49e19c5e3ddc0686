"""The note beside a database that says a check found it damaged: while it is there, writes are refused.

Beside the database, not in it, so that setting it never writes to a damaged file and every computer
that opens the file from a shared folder sees it. A check (``services.integrity``), a backup whose copy
fails its integrity check (``storage.backups``) and a restore (``storage.restore``) set or clear it;
``storage.database`` reads it before the first write of each transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .locking import current_user


def damage_marker(path: Path) -> Path:
    """The file beside a database that says a check found it damaged: writes are refused while it exists."""
    return path.with_name(path.name + ".damaged")


def read_damage(path: Path) -> str | None:
    """What a check found and when (for a message), or None if the file is not marked damaged."""
    marker = damage_marker(path)
    try:
        text = marker.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return "the check's note cannot be read"
    try:
        data = json.loads(text)
        return f"{dt.datetime.fromisoformat(data['found']):%d/%m/%Y %H:%M}: {data['detail']}"
    except (ValueError, KeyError, TypeError):
        return "the check's note is unreadable"


def mark_damaged(path: Path, detail: str) -> None:
    """Record that a check found ``path`` damaged (``detail``: what it found, first line only)."""
    marker = damage_marker(path)
    data = {"found": dt.datetime.now().isoformat(timespec="seconds"), "by": current_user(),
            "detail": detail.splitlines()[0][:300] if detail else "damage"}
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)


def clear_damage(path: Path) -> None:
    damage_marker(path).unlink(missing_ok=True)
