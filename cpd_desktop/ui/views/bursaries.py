"""Bursaries: schemes and claims; move a claim on with dates and references; evidence checklist; totals."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...errors import InvalidTransitionError, NotFoundError
from ...models import Booking, BursaryClaim, BursaryScheme
from ...models.enums import CLAIM_STATUSES, CLAIM_TRANSITIONS, EVIDENCE_ITEMS
from ...services.bursaries import claim_evidence, evidence_required
from ...services.changes import Changes
from ...services.concurrency import current_record
from ...services.formatting import format_date, format_money
from ...services.lists.bursaries import ClaimList, SchemeList, bookings_to_claim
from ..conflict import values_compare
from ..dialogs.claims import ClaimStatusDialog, NewClaimDialog
from ..dialogs.lookups import scheme_choices
from ..errors import show_error
from ..tablemodel import ListModel
from ..widgets import StatCard, TablePanel, section_title
from .base import View


def claims_model(db: Any, school_id: int, today: Any, parent: Any = None) -> ListModel:
    return ListModel(db, ClaimList(school_id, today), parent=parent)


def schemes_model(db: Any, school_id: int, parent: Any = None) -> ListModel:
    return ListModel(db, SchemeList(school_id), parent=parent)


MOVE_TIP = "Submit, approve, record payment, reject or withdraw the chosen claim"


def _closed_text(status: str | None) -> str:
    return f"This claim is {CLAIM_STATUSES.get(status or '', 'closed').lower()}: it is closed and cannot move on."


class BursariesView(View):
    title = "Bursaries"
    shows = frozenset({"bursary_claim", "bursary_scheme", "booking", "course", "provider", "staff", "department"})
    subtitle = "Claims from draft to paid. Red: a draft past its deadline — the money may be lost."

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        cards = QHBoxLayout()
        self.cards: dict[str, StatCard] = {}
        for status, label in CLAIM_STATUSES.items():
            card = StatCard(label)
            card.clicked.connect(lambda st=status: self._filter_status(st))
            self.cards[status] = card
            cards.addWidget(card)
        self.outer.addLayout(cards)
        self.claims = claims_model(ctx.db, ctx.school_id, ctx.today, self)
        self.schemes = schemes_model(ctx.db, ctx.school_id, self)
        self.claim_panel = TablePanel("claims", self.claims, placeholder="Search course, person, scheme, reference…",
                                      noun=("claim", "claims"))
        self.scheme_panel = TablePanel("schemes", self.schemes, noun=("scheme", "schemes"))
        self.panels += [self.claim_panel, self.scheme_panel]
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Claim status")
        for data, text in [(None, "Any status"), ("open", "Open (draft, submitted, approved)"),
                           ("deadline", "Draft near or past deadline"), *CLAIM_STATUSES.items()]:
            self.status_filter.addItem(text, data)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.claim_panel.add_filter(self.status_filter)
        self.header.add_button("Raise claim…", lambda: self.new_claim(), icon_name="add", primary=True, shortcut="Insert")
        self.move_button = self.header.add_button("Move on…", self.move, icon_name="arrow-right", tip=MOVE_TIP)
        self.claim_panel.activated.connect(lambda _i: self.move())
        self.claim_panel.selection_changed.connect(self._claim_chosen)
        self.move_action = self.row_action(self.claim_panel, "Move on…", self.move, "F2", "arrow-right")

        # The checklist in a band under the claims, not beside them: beside, the claims' ten columns
        # needed sideways scrolling on a 1366-pixel screen.
        claims_page = QWidget()
        cl = QVBoxLayout(claims_page)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.claim_panel, 1)
        side = QFrame()
        side.setObjectName("panel")
        band = QHBoxLayout(side)
        sl = QVBoxLayout()
        sl.addWidget(section_title("Evidence checklist"))
        self.claim_label = QLabel("Choose a claim.")
        self.claim_label.setWordWrap(True)
        self.claim_label.setObjectName("muted")
        sl.addWidget(self.claim_label)
        # What the scheme asks for, beside the boxes (Settings → Bursary schemes → Evidence required).
        self.evidence_asked = QLabel("")
        self.evidence_asked.setWordWrap(True)
        self.evidence_asked.setAccessibleName("Evidence the scheme asks for")
        sl.addWidget(self.evidence_asked)
        sl.addStretch(1)
        band.addLayout(sl, 3)
        boxes = QVBoxLayout()
        self.evidence: dict[str, QCheckBox] = {}
        for key, label in EVIDENCE_ITEMS.items():
            box = QCheckBox(label)
            box.setAccessibleName(label)
            box.clicked.connect(lambda checked, k=key: self.set_evidence(k, checked))
            self.evidence[key] = box
            boxes.addWidget(box)
        boxes.addStretch(1)
        band.addLayout(boxes, 2)
        self.claim_detail = QLabel("")
        self.claim_detail.setWordWrap(True)
        self.claim_detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        band.addWidget(self.claim_detail, 2)
        cl.addWidget(side)
        self.tabs = QTabWidget()
        self.tabs.addTab(claims_page, "Claims")
        self.tabs.addTab(self.scheme_panel, "Schemes")
        self.outer.addWidget(self.tabs, 1)
        self._claim_version: int | None = None
        self._claim_chosen()

    def _filter_status(self, status: str) -> None:
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(status)))
        self.tabs.setCurrentIndex(0)

    def list_filters(self) -> dict[str, Any]:
        """The claims' named filters: the chosen year, department and status."""
        status = self.status_filter.currentData()
        # Deadlines matter whatever year the course was in.
        year = None if status == "deadline" else self.ctx.year
        return {"year": year, "department": self.ctx.department, "status": status}

    def apply_filters(self) -> None:
        self.claims.set_filters(self.list_filters())

    def reload(self) -> None:
        super().reload()
        from ...services.bursaries import money_by_status

        year = self.ctx.year
        with self.ctx.session() as s:
            money = money_by_status(s, self.ctx.school(s), year.start, year.end, department=self.ctx.department)
        for status, card in self.cards.items():
            sums = money.get(status)
            if not sums:
                card.set("0", "no claims")
                continue
            figure = {"paid": sums["received"], "submitted": sums["claimed"], "approved": sums["claimed"]}.get(
                status, sums["expected"])
            word = {"paid": "received", "submitted": "claimed", "approved": "claimed"}.get(status, "expected")
            card.set(format_money(figure), f"{sums['count']} claim{'s' if sums['count'] != 1 else ''} · {word}",
                     "good" if status == "paid" else "")
        chosen = self.claim_panel.current_id()
        self.apply_filters()
        self.schemes.refresh()
        if chosen is None and self.claims.rowCount():
            chosen = self.claims.row_id(0)
        if chosen is not None:
            self.claim_panel.select_id(chosen)
        self._claim_chosen()

    def activate(self, payload: Any = None) -> None:
        super().activate(payload)
        if isinstance(payload, dict):
            if payload.get("deadline"):
                self._filter_status("deadline")
            if payload.get("claim_id"):
                if not self.claim_panel.select_id(payload["claim_id"]):
                    self.status_filter.setCurrentIndex(0)
                    self.claims.set_filters({})
                    self.claim_panel.select_id(payload["claim_id"])
            if payload.get("new_claim_for"):
                self.new_claim(payload["new_claim_for"])

    def _claim_chosen(self) -> None:
        ident = self.claim_panel.current_id()
        for box in self.evidence.values():
            box.setEnabled(ident is not None)
        self._can_move(None)
        if ident is None:
            self.claim_label.setText("Choose a claim to see its evidence and dates.")
            self.claim_detail.setText("")
            self.evidence_asked.setText("")
            for box in self.evidence.values():
                box.setChecked(False)
            return
        with self.ctx.session() as s:
            c = s.get(BursaryClaim, ident)
            self._claim_version = c.version
            self._can_move(c.status)
            self.claim_label.setText(f"{c.scheme.name}: {c.booking.title} ({c.booking.staff.full_name})")
            self.evidence_asked.setText(evidence_required(c))
            for item in claim_evidence(s, c):  # attendance and evaluation tick themselves from the records
                box = self.evidence[item.key]
                box.setChecked(item.done)
                box.setEnabled(not item.from_records)
                box.setToolTip(item.why)
                box.setAccessibleDescription(item.why)
            lines = [f"Status: {CLAIM_STATUSES[c.status]}", f"Expected: {format_money(c.expected)}"]
            for label, value in (("Deadline", c.deadline), ("Submitted", c.submitted_on), ("Approved", c.approved_on),
                                 ("Paid", c.paid_on), ("Closed", c.closed_on)):
                if value:
                    lines.append(f"{label}: {format_date(value)}")
            if c.reference:
                lines.append(f"Reference: {c.reference}")
            if c.budget_code:
                lines.append(f"Budget code: {c.budget_code}")
            self.claim_detail.setText("\n".join(lines))

    def _can_move(self, status: str | None) -> None:
        """Move on… only for a claim that has somewhere to go: a paid claim is closed."""
        closed = status is not None and not CLAIM_TRANSITIONS[status]
        for control in (self.move_button, self.move_action):
            control.setEnabled(status is not None and not closed)
        self.move_button.setToolTip(_closed_text(status) if closed else MOVE_TIP)

    def set_evidence(self, key: str, checked: bool) -> None:
        from ...services.bursaries import update_claim

        ident = self.claim_panel.current_id()
        if ident is None:
            return
        label = EVIDENCE_ITEMS[key].lower()
        mine = {k: "Yes" if box.isChecked() else "No" for k, box in self.evidence.items()}
        self.ctx.save(self, f"{'Tick' if checked else 'Untick'} {label}", (BursaryClaim, ident), self._claim_version,
                      lambda s, v: update_claim(s, s.get(BursaryClaim, ident), expected_version=v,
                                                **{f"evidence_{key}": checked}).id,
                      values_compare(dict(EVIDENCE_ITEMS), lambda c: {
                          k: "Yes" if getattr(c, f"evidence_{k}") else "No" for k in EVIDENCE_ITEMS}, mine))
        self._claim_chosen()

    def new_claim(self, booking_id: int | None = None) -> int | None:
        from ...services.bursaries import claim_preview, create_claim

        def preview(booking: Any, scheme: Any) -> str:
            with self.ctx.session() as s:
                return claim_preview(s, self.ctx.school_id, booking, scheme)

        bookings = bookings_to_claim(self.ctx.db, self.ctx.school_id)
        new_id: int | None = NewClaimDialog.ask(self, bookings, scheme_choices(self.ctx), booking_id, save=lambda values: self.ctx.run(
            self, "Raise bursary claim", lambda s: create_claim(
                s, s.get(Booking, values["booking_id"]), s.get(BursaryScheme, values["scheme_id"]),
                budget_code=values["budget_code"], notes=values["notes"]).id, refusals=True), preview=preview)
        if new_id:
            self.status_filter.setCurrentIndex(0)
            self.tabs.setCurrentIndex(0)
            if not self.claim_panel.select_id(new_id):
                self.claims.set_filters({})
                self.claim_panel.select_id(new_id)
        return new_id

    def move(self) -> None:  # type: ignore[override]  # a claim to its next status, not QWidget.move(x, y)
        from ...services.bursaries import transition_claim

        ident = self.claim_panel.current_id()
        if ident is None:
            return
        row = self.claims.row_values(self.claims.row_of_id(ident))
        what = f"The {row.get('scheme') or 'bursary'} claim for “{row.get('course') or ''}”"
        try:
            with self.ctx.session() as s:
                claim = current_record(s, BursaryClaim, ident, what, doing="move on")
                _ = claim.scheme.name, claim.booking.title
        except NotFoundError as exc:  # somebody else deleted it since the list was shown
            show_error(self, exc)
            self.ctx.changed(Changes.of("bursary_claim"))
            return
        if not CLAIM_TRANSITIONS[claim.status]:  # a double-click on a paid claim: nothing to choose from
            show_error(self, InvalidTransitionError(_closed_text(claim.status),
                                                    hint="The money has come in; its dates and sums stay as recorded."))
            return
        def theirs(c: BursaryClaim) -> dict[str, str]:
            amount = c.received if c.status == "paid" else (c.claimed if c.claimed is not None else c.expected)
            return {"status": CLAIM_STATUSES[c.status], "amount": format_money(amount), "reference": c.reference or ""}

        def save(values: dict[str, Any]) -> Any:
            label = f"Claim {CLAIM_STATUSES[values['status']].lower()}"

            def action(s: Any, version: int | None) -> int:
                # against the claim as the dialog showed it: refused if somebody moved or changed it since
                return transition_claim(s, current_record(s, BursaryClaim, ident, what, doing="move on"),
                                        values["status"], on=values["on"], amount=values["amount"] or None,
                                        reference=values["reference"], expected_version=version).id

            mine = {"status": CLAIM_STATUSES[values["status"]], "amount": str(values["amount"] or ""),
                    "reference": str(values["reference"] or "")}
            return self.ctx.save(self, label, (BursaryClaim, ident), claim.version, action,
                                 values_compare({"status": "Status", "amount": "Amount", "reference": "Claim reference"},
                                                theirs, mine), refusals=True)

        ClaimStatusDialog.ask(self, claim, self.ctx.today, save=save)
