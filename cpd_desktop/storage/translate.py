"""Turns database failures into messages a user can act on; nothing half-written survives them.

The driver's and SQLAlchemy's exceptions stop here: ``Database.session`` raises the app's own errors
(``cpd_desktop.errors``), and anything that reached the window or the command line another way (a
table's read, opening or migrating) is put into words here too: the window asks ``user_error`` and
``connection_lost``, the command line ``describe_db_error``, so neither imports SQLAlchemy for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import (
    ConcurrentEditError,
    CpdError,
    DatabaseDamagedError,
    DatabaseError,
    DatabaseLockedError,
    ReadOnlyError,
    ValidationError,
)


def describe_db_error(exc: BaseException, label: str = "the database") -> CpdError | None:
    """The user's message for a database exception, or None if it is a bug."""
    if isinstance(exc, StaleDataError):
        return ConcurrentEditError(
            "Somebody else changed this record since you opened it; your change was not saved.",
            hint="Reload the record to see their change, then make yours again.",
        )
    if isinstance(exc, IntegrityError):
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        if "uq_school_name_folded" in detail or "school.name (another school" in detail:
            return ValidationError("School name", "Another school in this database already has that name "
                                   "(names are compared ignoring capitals and spaces); nothing was saved.",
                                   hint="Give the school another name.")
        if "of another school" in detail or "cannot move to another school" in detail:
            return CpdError("That record would point at a record of another school; nothing was saved.",
                            hint="Choose a person, booking or course of this school.")
        if "intended_outcomes is required" in detail:
            return ValidationError("Intended outcome", "A booking that costs money or needs cover must say what "
                                   "should change for pupils; nothing was saved.",
                                   hint="Fill in the intended outcome, then save again.")
        known = _unique_rule_broken(detail)
        if known is not None:
            return known
        return CpdError(f"That change breaks a rule of the school's record ({_short(detail)}); nothing was saved.",
                        hint="Check the values and try again.")
    if isinstance(exc, OperationalError | DBAPIError):
        detail = (str(exc.orig) if exc.orig is not None else str(exc)).lower()
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if state in ("55P03", "40P01") or "lock timeout" in detail:  # lock_not_available, deadlock_detected
            return DatabaseLockedError("The database is busy (another user holds a lock); nothing was saved.",
                                       hint="Try again in a moment.")
        if state == "57014" or "statement timeout" in detail:  # query_canceled
            return DatabaseLockedError("The database took too long to answer, so the work was stopped; "
                                       "nothing was saved.", hint="Try again in a moment.")
        if "audit_entry" in detail or "audit trail can only be added to" in detail:
            return DatabaseError("On the trust's server the audit trail can only be added to, so this was not "
                                 "done; nothing was changed.",
                                 hint="Anonymising a leaver rewrites their entries in it: ask the trust's database "
                                      "administrator to do it with the trust's own account.")
        if "permission denied" in detail or "insufficient privilege" in detail:
            return DatabaseError("Your database login is not allowed to do that; nothing was changed.",
                                 hint="Ask the trust's database administrator for access to your school.")
        if "locked" in detail or "busy" in detail:
            return DatabaseLockedError("The database is in use by another program; nothing was saved.",
                                       hint="Close the other program, or try again in a moment.")
        if "readonly" in detail or "read-only" in detail or "read only" in detail:
            return ReadOnlyError(f"{label} is open read-only; nothing was saved.",
                                 hint="Open a copy in a folder you can write to in order to make changes.")
        if "full" in detail or "no space" in detail:
            return DatabaseError("The disk is full; your change was not saved and nothing already saved was lost.",
                                 hint="Free some space on the disk, then try again.")
        if "disk i/o error" in detail:
            return DatabaseError(f"{label} could not be read or written (a disk error); your change was not saved.",
                                 hint="Check the disk or USB stick is still connected, then try again.")
        if "malformed" in detail or "not a database" in detail or "corrupt" in detail:
            return DatabaseDamagedError(f"{label} is damaged; nothing was saved.",
                                        hint="Restore the newest backup (File → Restore from backup…).")
        if "connection" in detail or "server closed" in detail or "terminat" in detail:
            return DatabaseError("The connection to the database server was lost; your change was not saved.",
                                 hint="Check the network, then try again.")
        if "unable to open" in detail:
            return DatabaseError(f"{label} cannot be opened.", hint="Check the file and its folder exist.")
    return None


# The unique rules a person can break from a form: (table, its last column, the field as the form labels it,
# what is wrong, what to do). Matched on SQLite's "UNIQUE constraint failed: staff.school_id, staff.staff_code"
# and on PostgreSQL's constraint name "uq_staff_school_id_staff_code" (see the models' naming convention).
_UNIQUE_RULES = (
    ("staff", "staff_code", "Staff code", "That staff code is already used by another member of staff; nothing was saved.",
     "Give each person their own code."),
    ("cover_lesson", "period", "Period", "That period on that day is already on the cover sheet; nothing was saved.",
     "Choose another period or day, or edit the lesson already there."),
    ("department", "name", "Department", "There is already a department of that name; nothing was saved.",
     "Choose another name, or use the department already there."),
    ("provider", "name", "Provider", "There is already a provider of that name; nothing was saved.",
     "Choose another name, or use the provider already there."),
    ("bursary_scheme", "name", "Name", "There is already a bursary scheme of that name; nothing was saved.",
     "Choose another name, or edit the scheme already there."),
    ("bursary_claim", "scheme_id", "Scheme", "This booking already has a claim on that scheme; nothing was saved.",
     "Move the claim already there on, or choose another scheme."),
    ("course", "code", "Code", "There is already a course with that code; nothing was saved.",
     "Give each course its own code."),
)


def _unique_rule_broken(detail: str) -> ValidationError | None:
    """The field-level message for a unique rule broken by a save, if it is one a form can break."""
    text = detail.lower()
    for table, column, field, message, hint in _UNIQUE_RULES:
        failed = text.split("unique constraint failed:", 1)[1].strip() if "unique constraint failed:" in text else ""
        sqlite = failed.startswith(f"{table}.") and f"{table}.{column}" in failed.splitlines()[0]
        postgres = f'"uq_{table}_' in text and text.split(f'"uq_{table}_', 1)[1].split('"')[0].endswith(column)
        if sqlite or postgres:
            return ValidationError(field, message, hint=hint)
    return None


def _short(detail: str) -> str:
    return detail.splitlines()[0][:200]


@contextmanager
def translate_db_errors(label: str = "the database") -> Iterator[None]:
    """Raise the user's message in place of a database exception (``label`` names the file in it)."""
    try:
        yield
    except (StaleDataError, DBAPIError) as exc:
        friendly = describe_db_error(exc, label)
        if friendly is None:
            raise
        raise friendly from exc


def user_error(exc: BaseException) -> BaseException:
    """A database failure that did not pass ``Database.session`` (a table's read, a background query)
    as the message a person can act on; any other exception as it is."""
    if isinstance(exc, DBAPIError | StaleDataError):
        friendly = describe_db_error(exc)
        if friendly is not None:
            return friendly
    return exc


_DISCONNECT_WORDS = ("server closed the connection", "connection to server", "terminating connection",
                     "connection refused", "could not connect", "connection reset", "connection timed out",
                     "connection is closed", "connection was lost", "ssl syscall", "no connection to the server",
                     "consuming input failed", "the connection is lost")


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) is the database server's connection dropping."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError):
            if current.connection_invalidated:
                return True
            detail = str(current.orig if current.orig is not None else current).lower()
            return any(word in detail for word in _DISCONNECT_WORDS)
        current = current.__cause__ or current.__context__
    return False
