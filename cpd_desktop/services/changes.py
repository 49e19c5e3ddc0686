"""What changed: the notice the window's views are sent after every action, undo and redo.

``Changes`` names the kinds of records (table names) an action touched, so that each view reloads
only when it shows one of them (as Anki's ``OpChanges`` does). Work done outside the recorder (an
import, a restore, a school switch, others' saves seen on a poll) sends ``Changes.everything()``.
What one action changed, record by record, is ``services.recorder``'s.

Nothing here loads SQLAlchemy or the models: the dashboard's first look reads ``KINDS`` before the
database layer has loaded (tests/ui/test_first_look.py). For the same reason ``Changes`` is a small
class written out rather than a frozen dataclass: ``dataclasses`` (and the ``copy`` it loads) cost
≈ 2 ms of the window's start before its first frame, for one field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Every kind of record there is: the database's tables (a test keeps this in step with the models).
KINDS = frozenset({
    "activity", "audit_entry", "booking", "budget_line", "bursary_claim", "bursary_scheme", "course",
    "cover_lesson", "department", "evaluation_stage", "import_batch", "indicator", "non_teaching_day",
    "objective", "priority", "programme", "provider", "school", "school_access", "school_period", "staff",
    "term_dates", "timetable_lesson",
})


class Changes:
    """The kinds of records (table names) an action changed; immutable, compared and hashed by its kinds."""

    __slots__ = ("kinds",)
    kinds: frozenset[str]

    def __init__(self, kinds: frozenset[str]) -> None:
        unknown = kinds - KINDS
        if unknown:  # a misspelt kind would silently never refresh anything
            raise ValueError(f"not kinds of records: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "kinds", kinds)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Changes is not changed once made (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Changes is not changed once made (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        return other.kinds == self.kinds if isinstance(other, Changes) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.kinds)

    def __repr__(self) -> str:
        return f"Changes(kinds={self.kinds!r})"

    @classmethod
    def of(cls, *kinds: str) -> Changes:
        return cls(frozenset(kinds))

    @classmethod
    def everything(cls) -> Changes:
        """For work the recorder did not see: an import, a restore, a school switch, others' saves."""
        return cls(KINDS)

    def touches(self, shown: Iterable[str]) -> bool:
        """Whether any of the kinds ``shown`` (what a view displays) changed."""
        return not self.kinds.isdisjoint(shown)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.kinds | other.kinds)

    def __bool__(self) -> bool:
        return bool(self.kinds)


def kind_of(model: type[Any]) -> str:
    """The kind of record a model holds: its table's name."""
    return str(model.__tablename__)
