"""The app's way to open a school's database: the storage layer's ``open_database`` with the audit trail on.

Every save the app makes through a session writes its audit entries (``services.audit``); the storage
layer knows nothing of that and takes the hook at open. The window, the command line and the tests open
here; only the storage layer itself (checking a file before a restore, a scratch copy) opens without it.
"""

from __future__ import annotations

import os

from ..storage.database import Database
from ..storage.database import open_database as open_storage


def open_database(
    target: str | os.PathLike[str] | None = None,
    *,
    create: bool = False,
    readonly: bool = False,
    migrate: bool = True,
    hold_lock: bool = False,
    verify: bool = True,
) -> Database:
    """``storage.database.open_database`` (see it for the options and errors) with the audit trail attached."""
    from .audit import install_audit  # the models load with it: not before a database is opened

    return open_storage(target, create=create, readonly=readonly, migrate=migrate, hold_lock=hold_lock,
                        verify=verify, audit=install_audit)
