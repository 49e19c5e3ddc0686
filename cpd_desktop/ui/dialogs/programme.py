"""A programme's name, planned dates and EEF mechanisms; a course's EEF mechanisms.

The mechanisms are a checklist in the EEF's four groups (build knowledge, motivate teachers, develop teaching
techniques, embed practice), one tick box each: a school marks what a course or programme does, without a
form to fill in. Below the list, the dialog says which groups are still missing as the boxes are ticked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ...errors import ValidationError
from ...models.impact import MECHANISM_GROUPS, MECHANISMS
from ...services import validation as v
from ...services.formatting import format_date
from ...services.mechanisms import ProgrammeDetails, keys_of, missing_sentence, to_bits
from ..forms import FormDialog
from ..widgets import muted, section_title


class MechanismsForm(FormDialog):
    """A FormDialog with the EEF checklist: one tick box per mechanism, under its group's heading."""

    def add_mechanisms(self, bits: int, *, say_missing: bool) -> None:
        ticked = set(keys_of(bits))
        for group, heading in MECHANISM_GROUPS.items():
            self.add_row("", section_title(heading))
            for key, name, in_group in MECHANISMS:
                if in_group == group:
                    box = self.add_check(f"mechanism:{key}", name, key in ticked)
                    box.setAccessibleDescription(f"EEF mechanism: {heading.lower()}")
                    # as wide as its words: a click beside them, in empty space, ticks nothing
                    box.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.missing: QLabel | None = None
        if say_missing:
            self.missing = muted("")
            self.missing.setAccessibleName("Groups missing")
            self.add_row("", self.missing)
            for key, _n, _g in MECHANISMS:
                self.check_box(f"mechanism:{key}").toggled.connect(lambda _c: self._say_missing())
            self._say_missing()

    def mechanism_bits(self) -> int:
        return to_bits(key for key, _n, _g in MECHANISMS if self.check_box(f"mechanism:{key}").isChecked())

    def _say_missing(self) -> None:
        if self.missing is not None:
            self.missing.setText(missing_sentence(self.mechanism_bits()) or
                                 "This programme has a mechanism in each of the EEF's four groups.")


class ProgrammeDialog(MechanismsForm):
    """Add or edit a programme: name, planned dates (they decide whether it is sustained), mechanisms."""

    def __init__(self, parent: QWidget | None = None, programme: ProgrammeDetails | None = None) -> None:
        x = programme
        super().__init__("Edit programme" if x else "New programme", parent,
                         ok_text="Save programme" if x else "Add programme",
                         intro="A programme of several activities (an NPQ, a lesson-study cycle). Planned dates "
                               "over two terms or more make it sustained. Tick the EEF mechanisms it uses; its "
                               "courses' own ticks count too.")
        self.version = x.version if x else None
        self.add_line("name", "Name *", x.name if x else "", check=lambda t: v.required_text(t, "Name", max_len=200))
        self.add_line("start_date", "Planned start", format_date(x.start_date) if x and x.start_date else "",
                      check=lambda t: v.parse_date(t, "Planned start", required=False),
                      tip="dd/mm/yyyy; empty: its activities' dates count")
        self.add_line("end_date", "Planned end", format_date(x.end_date) if x and x.end_date else "",
                      check=lambda t: v.parse_date(t, "Planned end", required=False), tip="dd/mm/yyyy")
        self.add_mechanisms(x.mechanisms if x else 0, say_missing=True)
        self.resize(560, 700)

    @staticmethod
    def _dates(values: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
        return (v.parse_date(values["start_date"], "Planned start", required=False),
                v.parse_date(values["end_date"], "Planned end", required=False))

    def form_check(self, values: dict[str, Any]) -> None:
        start, end = self._dates(values)
        if start is not None and end is not None and end < start:
            raise ValidationError("Planned end", "The planned end is before the planned start.")

    def answer(self) -> dict[str, Any]:
        values = self.values()
        start, end = self._dates(values)
        return {"name": values["name"], "start_date": start, "end_date": end, "mechanisms": self.mechanism_bits()}

    @classmethod
    def ask(cls, parent: QWidget | None, programme: ProgrammeDetails | None = None, *,
            save: Callable[[dict[str, Any]], Any] | None = None) -> Any:
        return cls(parent, programme).open_and_save(save)


class CourseMechanismsDialog(MechanismsForm):
    """Tick the EEF mechanisms a catalogue course uses."""

    def __init__(self, parent: QWidget | None, title: str, bits: int) -> None:
        super().__init__(f"EEF mechanisms: {title}", parent, ok_text="Save mechanisms",
                         intro=f"Tick what “{title}” does. A programme counts the mechanisms of the courses booked "
                               "in it.")
        self.add_mechanisms(bits, say_missing=False)
        self.resize(520, 640)

    def answer(self) -> int:
        return self.mechanism_bits()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, bits: int, *, save: Callable[[int], Any] | None = None) -> Any:
        return cls(parent, title, bits).open_and_save(save)
