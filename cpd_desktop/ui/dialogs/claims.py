"""Raising a bursary claim, moving it on, and its evidence checklist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from ...models import BursaryClaim
from ...models.enums import CLAIM_STATUSES, CLAIM_TRANSITIONS
from ...services import validation as v
from ...services.formatting import format_date, format_money
from ..forms import FormDialog

# The moves that record a sum (and what it is called) and those that record the claim's reference, as
# ``services.bursaries.transition_claim`` does.
AMOUNT_LABELS = {"submitted": "Amount claimed", "paid": "Amount received"}
REFERENCE_MOVES = ("submitted", "approved")


class NewClaimDialog(FormDialog):
    def __init__(self, bookings: list[tuple[int, str]], schemes: list[tuple[int, str]], parent: QWidget | None = None,
                 *, booking_id: int | None = None, preview: Callable[[Any, Any], str] | None = None) -> None:
        super().__init__("Raise a bursary claim", parent, ok_text="Raise claim",
                         intro="The amount expected and the deadline come from the scheme's rules.")
        self.add_combo("booking_id", "Booking *", bookings, booking_id)
        self.add_combo("scheme_id", "Scheme *", schemes)
        # The amount the scheme's rule gives for the booking chosen, before the claim is raised (``preview``:
        # booking id, scheme id -> the sentence, from the core's ``claim_preview``).
        self.preview = preview
        self.expected = QLabel("")
        self.expected.setWordWrap(True)
        self.expected.setAccessibleName("Amount expected")
        self.add_row("Expected:", self.expected)
        for key in ("booking_id", "scheme_id"):
            self.combo_box(key).currentIndexChanged.connect(lambda _i: self._show_expected())
        self._show_expected()
        self.add_line("budget_code", "Budget code", "", check=lambda x: v.clean_text(x, "Budget code", max_len=40),
                      placeholder="Empty: the code of the budget line the booking counts against")
        self.add_text("notes", "Notes", "", check=lambda x: v.clean_text(x, "Notes", max_len=v.NOTE_MAX, multiline=True))
        self.resize(560, 320)

    def _show_expected(self) -> None:
        booking, scheme = self.combo_box("booking_id").currentData(), self.combo_box("scheme_id").currentData()
        self.expected.setText(self.preview(booking, scheme) if self.preview is not None else "")

    def form_check(self, values: dict[str, Any]) -> None:
        from ...errors import ValidationError

        if values["booking_id"] is None:
            raise ValidationError("Booking", "Choose the booking to claim for.")
        if values["scheme_id"] is None:
            raise ValidationError("Scheme", "Choose a bursary scheme (add schemes in Settings).")

    @classmethod
    def ask(cls, parent: QWidget | None, bookings: list[tuple[int, str]], schemes: list[tuple[int, str]],
            booking_id: int | None = None, *, save: Callable[[dict[str, Any]], Any] | None = None,
            preview: Callable[[Any, Any], str] | None = None) -> Any:
        """The values; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(bookings, schemes, parent, booking_id=booking_id, preview=preview).open_and_save(save)


class ClaimStatusDialog(FormDialog):
    """Move a claim on: the date it happened, the sum claimed or received, the claim reference."""

    def __init__(self, claim: BursaryClaim, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__("Move claim on", parent, ok_text="Save",
                         intro=f"{claim.scheme.name} claim for “{claim.booking.title}” — now "
                               f"{CLAIM_STATUSES[claim.status].lower()}; expected {format_money(claim.expected)}.")
        self.claim = claim
        order = ["submitted", "approved", "paid", "draft", "rejected", "withdrawn"]
        allowed = [s for s in order if s in CLAIM_TRANSITIONS[claim.status]]
        self.add_combo("status", "New status *", [(s, CLAIM_STATUSES[s]) for s in allowed])
        self.add_line("on", "Date", format_date(today or dt.date.today()), check=lambda x: v.parse_date(x, "Date"))
        default = claim.claimed if claim.status == "approved" else claim.expected
        self.add_line("amount", "Amount", format_money(default),
                      check=lambda x: v.parse_money(x, "Amount", required=False),
                      tip="The sum claimed (when submitting) or received (when paid)")
        self.add_line("reference", "Claim reference", claim.reference or "",
                      check=lambda x: v.clean_text(x, "Claim reference", max_len=60))
        self.combo_box("status").currentIndexChanged.connect(lambda _i: self._fit_fields())
        self._fit_fields()
        self.resize(520, 320)

    def _fit_fields(self) -> None:
        """The amount and the reference open only for a move that records them (a sum claimed on submitting,
        received when paid; a reference on submitting or approving), and the amount says which sum it is:
        anything typed for another move would be dropped without a word."""
        status = self.combo_box("status").currentData()
        amount, reference = self.line_edit("amount"), self.line_edit("reference")
        label = AMOUNT_LABELS.get(status, "Amount")
        beside = self.form.labelForField(amount)
        if isinstance(beside, QLabel):
            beside.setText(f"{label}:")
        amount.setAccessibleName(label)
        amount.setEnabled(status in AMOUNT_LABELS)
        reference.setEnabled(status in REFERENCE_MOVES)

    def form_check(self, values: dict[str, Any]) -> None:
        from ...errors import ValidationError

        if values["status"] is None:
            raise ValidationError("New status", "This claim is closed: it cannot move on.")
        from ...services.bursaries import check_claim_date

        # The dates follow the states (paid on or after approved…), as the service will insist: said here,
        # beside the date, before anything is saved.
        day = v.parse_date(values["on"], "Date")
        assert day is not None
        check_claim_date(self.claim, values["status"], day)

    @classmethod
    def ask(cls, parent: QWidget | None, claim: BursaryClaim, today: dt.date | None = None, *,
            save: Callable[[dict[str, Any]], Any] | None = None) -> Any:
        """The values; with ``save``, what it returned once it succeeded (see ``FormDialog``)."""
        return cls(claim, parent, today=today).open_and_save(save)
