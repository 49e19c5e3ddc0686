"""Where CPD Desktop keeps its files for this user: standard library and platformdirs only.

Read before the window shows (settings, the first look), so nothing here may load the database layer.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "CPD Desktop"


def data_dir() -> Path:
    """The user's data folder for CPD Desktop (``CPD_DESKTOP_DATA`` overrides it)."""
    override = os.environ.get("CPD_DESKTOP_DATA")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """What CPD Desktop may throw away and make again (compiled report queries): the user's cache folder,
    ``cache`` in ``CPD_DESKTOP_DATA`` when that is set (a portable copy, the tests), or ``CPD_DESKTOP_CACHE``."""
    override = os.environ.get("CPD_DESKTOP_CACHE")
    if override:
        return Path(override)
    data = os.environ.get("CPD_DESKTOP_DATA")
    if data:
        return Path(data) / "cache"
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def default_db_target() -> str:
    """``CPD_DESKTOP_DB`` if set, else ``school.sqlite`` in the user's data folder."""
    return os.environ.get("CPD_DESKTOP_DB") or str(data_dir() / "school.sqlite")
