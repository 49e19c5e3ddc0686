"""Domain errors. Each carries a message a head of science can act on; none is a bug."""

from __future__ import annotations


class CpdError(Exception):
    """A user error: something the person can put right. Shown as a plain message, never a traceback."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ValidationError(CpdError):
    """A value breaks a rule. ``field`` names it as the person sees it; ``row`` is a file's row, if any."""

    def __init__(self, field: str, message: str, *, hint: str = "", row: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field
        self.row = row

    def __str__(self) -> str:
        where = f"row {self.row}, {self.field}" if self.row is not None else self.field
        return f"{where}: {super().__str__()}"


class NotFoundError(CpdError):
    """A record, school or file that was asked for does not exist."""


class InvalidTransitionError(CpdError):
    """A booking or claim was asked to move to a status it cannot reach from where it is."""


class DatabaseError(CpdError):
    """The database file cannot be used as asked: missing, damaged, locked, read-only or too new."""


class DatabaseLockedError(DatabaseError):
    """Another program (or another copy of CPD Desktop) is writing to the database."""


class DatabaseDamagedError(DatabaseError):
    """The file is not a sound SQLite database."""


class ReadOnlyError(DatabaseError):
    """The database was opened read-only and a change was asked for."""


class ConcurrentEditError(CpdError):
    """Somebody else saved the record after it was opened here."""

    def __init__(self, message: str, *, hint: str = "", changed_by: str = "", changed_at: str = "",
                 current: dict[str, object] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current or {}  # the record as the other person saved it
