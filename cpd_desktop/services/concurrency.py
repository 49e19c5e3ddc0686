"""Optimistic concurrency: two people editing one record never lose each other's change.

Every editable record carries a ``version``. A form remembers the version it showed; when it
saves, ``check_version`` compares it with the record as it is now. If somebody else saved in
between, the save is refused with who changed it and when, and both versions, so that the user
can reload or overwrite. SQLAlchemy's version column closes the remaining window: its UPDATE
says ``WHERE version = :loaded`` and fails if another save slipped in after the check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect

from ..errors import ConcurrentEditError, NotFoundError
from .audit import SKIP_FIELDS, describe, plain


def record_values(obj: Any) -> dict[str, Any]:
    """The record's column values as plain data (for showing 'their version')."""
    return {c.key: plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs if c.key not in SKIP_FIELDS}


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    local = moment.replace(tzinfo=dt.UTC).astimezone()
    return local.strftime("%H:%M on %d/%m/%Y")


# Actions done to a record as the person saw it in a list (not an edit form), and what each did:
# "so it was not marked attended", "Reload (do not mark attended)", "Mark attended anyway".
DONE = {"delete": "deleted", "cancel": "cancelled", "approve": "approved", "mark booked": "marked booked",
        "mark attended": "marked attended", "move back to planned": "moved back to planned",
        "submit": "submitted", "mark paid": "marked paid", "mark rejected": "marked rejected", "withdraw": "withdrawn",
        "move back to draft": "moved back to draft"}


def doing_it(action: str, *, s: str = "") -> str:
    """The action said of "it": "mark attended" -> "mark it attended" (``s="s"``: "marks it attended")."""
    verb, _, rest = action.partition(" ")
    return " ".join(w for w in (verb + s, "it", rest) if w)


def check_version(obj: Any, expected_version: int | None, *, action: str = "save") -> None:
    """Refuse a save (or an ``action`` in ``DONE``: "delete", "cancel", "mark attended"…) made against an
    out-of-date copy of ``obj``."""
    if expected_version is None or obj.version == expected_version:
        return
    who = obj.updated_by or "somebody else"
    when = _local(obj.updated_at)
    if action in DONE:
        message = f"{describe(obj)} was changed by {who} at {when} since you looked at it, so it was not {DONE[action]}."
        hint = f"Reload to see their change, then {doing_it(action)} again if you still mean to."
    else:
        message = f"{describe(obj)} was changed by {who} at {when} since you opened it; your change was not saved."
        hint = "Reload to see their change, or save yours over it."
    raise ConcurrentEditError(message, hint=hint, changed_by=who, changed_at=when, current=record_values(obj))


def current_record(session: Any, model: type, ident: int, what: str, *, doing: str = "delete") -> Any:
    """The record ``ident`` as it is now; a plain refusal if somebody else deleted it since it was shown.

    ``what`` names it as the person saw it ("The CPD activity “Safeguarding update”").
    """
    obj = session.get(model, ident)
    if obj is None:
        raise NotFoundError(f"{what} was deleted by someone else since you looked at it, so there is nothing "
                            f"to {doing}.", hint="The list has been refreshed to show what is there now.")
    return obj


def changed_collection(what: str, who: str, when: dt.datetime | None, *, current: dict[str, Any] | None = None
                       ) -> ConcurrentEditError:
    """A refusal for a list saved as a whole (the periods of the day) that somebody else changed."""
    shown = _local(when)
    return ConcurrentEditError(f"{what} were changed by {who} at {shown} since you opened them; your change was "
                               "not saved.", hint="Their version is shown now: make your change again if you still need it.",
                               changed_by=who, changed_at=shown, current=current)
