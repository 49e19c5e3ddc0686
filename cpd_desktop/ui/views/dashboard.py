"""Dashboard: the department's CPD at a glance. Every figure clicks through to the records behind it.

The figures are added up in SQL on a background thread (``services.dashboard``), so the window is usable
at once even on a trust-sized database; the cards fill in when the numbers arrive. At start-up the window
may show what the dashboard showed last time (its first look, ``cpd_desktop.firstlook``) while the
database layer loads: this module therefore loads nothing of it, nor of the figures' formatting, until
figures are added up.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.changes import KINDS as EVERY_KIND
from ..widgets import HoursChart, StatCard, chart_scroll, muted, section_title
from ..workers import run_in_background
from .base import View

CARDS = ("hours", "subject", "parts", "overdue", "money", "deadlines")  # as services.dashboard.CARDS


def valid_face(face: Any) -> dict[str, Any]:
    """``face`` if it has the shape ``services.dashboard.dashboard_face`` gives (a first look read back
    from a file); a KeyError, TypeError or ValueError otherwise."""
    if not isinstance(face, dict) or not isinstance(face["year_label"], str) or not isinstance(face["subtitle"], str):
        raise ValueError("not a dashboard")
    if face["department"] is not None and not isinstance(face["department"], str):
        raise ValueError("department")
    for name in CARDS:
        value, caption, tone = face["cards"][name]
        if not all(isinstance(x, str) for x in (value, caption, tone)):
            raise ValueError(f"card {name}")
    for ident, name, hours, subject, target in face["people"]:
        if not (isinstance(ident, int) and isinstance(name, str)
                and all(isinstance(x, (int, float)) for x in (hours, subject, target))):
            raise ValueError("people")
    for ident, text in face["upcoming"]:
        if not (isinstance(ident, int) and isinstance(text, str)):
            raise ValueError("upcoming")
    for ident, text, past in face["claims"]:
        if not (isinstance(ident, int) and isinstance(text, str) and isinstance(past, bool)):
            raise ValueError("claims")
    for step in face.get("steps", []):
        if not (isinstance(step, list) and len(step) == 3 and all(isinstance(x, str) for x in step)):
            raise ValueError("steps")
    return face


def _load(db: Any, school_id: int, year: Any, department: str | None, today: Any) -> tuple[Any, dict[str, Any]]:
    """On a worker thread: the figures and what the dashboard shows of them."""
    from ...services.dashboard import dashboard_face, load_dashboard

    data = load_dashboard(db, school_id, year, department, today)
    return data, dashboard_face(data)


class DashboardView(View):
    title = "Dashboard"
    shows = EVERY_KIND - {"audit_entry", "import_batch", "school_access"}  # figures drawn from every kind of record
    subtitle = ""
    loaded = Signal()

    def __init__(self, ctx: Any, window: Any, initial: dict[str, Any] | None = None) -> None:
        super().__init__(ctx, window)
        self.data: Any = None  # the figures (services.dashboard.DashboardData) once added up here
        self.face: dict[str, Any] | None = None  # what is shown (see services.dashboard.dashboard_face)
        self._shown: tuple[str, str | None] | None = None  # the year and department of the figures shown
        self._job: Any = None
        body = QWidget()
        body.setObjectName("page")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        # A new school's next steps (services.dashboard.first_steps), each until the records show it done.
        self.steps_panel = QFrame()
        self.steps_panel.setObjectName("panel")
        steps_layout = QVBoxLayout(self.steps_panel)
        steps_layout.addWidget(section_title("Getting started"))
        self.steps_row = QHBoxLayout()
        steps_layout.addLayout(self.steps_row)
        self.step_buttons: dict[str, QPushButton] = {}
        self.steps_panel.setVisible(False)
        layout.addWidget(self.steps_panel)
        cards = QGridLayout()
        cards.setSpacing(10)
        self.card_hours = StatCard("Hours against target")
        self.card_subject = StatCard("Subject-specific share")
        self.card_parts = StatCard("Meets all 5 parts of the DfE Standard")
        self.card_overdue = StatCard("Evaluations overdue")
        self.card_money = StatCard("Bursaries expected / claimed / received")
        self.card_deadlines = StatCard("Claims near or past their deadline")
        for i, card in enumerate((self.card_hours, self.card_subject, self.card_parts, self.card_overdue,
                                  self.card_money, self.card_deadlines)):
            cards.addWidget(card, i // 3, i % 3)
        layout.addLayout(cards)
        self.card_hours.clicked.connect(lambda: ctx.navigate.emit("staff", None))
        self.card_subject.clicked.connect(lambda: ctx.navigate.emit("log", {"subject": True}))
        self.card_parts.clicked.connect(lambda: ctx.navigate.emit("log", {"evaluation": "all_parts"}))
        self.card_overdue.clicked.connect(lambda: ctx.navigate.emit("log", {"evaluation": "overdue"}))
        self.card_money.clicked.connect(lambda: ctx.navigate.emit("bursaries", None))
        self.card_deadlines.clicked.connect(lambda: ctx.navigate.emit("bursaries", {"deadline": True}))

        row = QHBoxLayout()
        row.setSpacing(12)
        chart_panel = QFrame()
        chart_panel.setObjectName("panel")
        chart_layout = QVBoxLayout(chart_panel)
        chart_layout.addWidget(section_title("Hours against each person's target"))
        chart_layout.addWidget(muted("Dark bar: subject-specific hours; light bar: all hours; orange line: target "
                                     "(pro rata by FTE). Click a person to open their page."))
        self.chart = HoursChart()
        self.chart.person_clicked.connect(lambda sid: ctx.navigate.emit("staff", {"staff_id": sid}))
        chart_layout.addWidget(chart_scroll(self.chart), 1)
        row.addWidget(chart_panel, 3)

        side = QVBoxLayout()
        side.setSpacing(12)
        self.upcoming = self._list_panel(side, 3, "Coming up in the next 14 days", "CPD coming up in the next 14 days",
                                         "cover", "booking_id")
        self.claims = self._list_panel(side, 2, "Bursary claims to chase", "Bursary claims near or past their deadline",
                                       "bursaries", "claim_id")
        row.addLayout(side, 2)
        layout.addLayout(row, 1)
        self.outer.addWidget(body, 1)
        if initial is not None:  # the first look, or what it showed: the figures are added up again on show
            self.show_face(initial)

    def _list_panel(self, into: QVBoxLayout, stretch: int, title: str, name: str, view: str, key: str) -> QListWidget:
        """A titled list whose items open their record (its id in role 256) in ``view``."""
        panel = QFrame()
        panel.setObjectName("panel")
        layout = QVBoxLayout(panel)
        layout.addWidget(section_title(title))
        items = QListWidget()
        items.setAccessibleName(name)
        items.setWordWrap(True)
        items.itemActivated.connect(lambda item: self.ctx.navigate.emit(view, {key: item.data(256)}))
        layout.addWidget(items)
        into.addWidget(panel, stretch)
        return items

    def _show_steps(self, steps: list[list[str]]) -> None:
        """A button for each first step still to take; none (and no panel) once all are done."""
        for button in self.step_buttons.values():
            button.deleteLater()
        self.step_buttons = {}
        for key, text, why in steps:
            button = QPushButton(text)
            button.setObjectName("primary" if not self.step_buttons else "")
            button.setToolTip(why)
            button.setAccessibleName(text)
            button.setAccessibleDescription(why)
            button.clicked.connect(lambda _c=False, k=key: self.take_step(k))
            self.steps_row.addWidget(button)
            self.step_buttons[key] = button
        self.steps_panel.setVisible(bool(steps))

    def take_step(self, key: str) -> None:
        """Open what a first step needs: the import wizard on its kind, or a new booking or CPD record."""
        window = self.window_
        if key in ("staff", "timetable"):
            window.import_dialog(key)
        elif key == "booking":
            from .planner import PlannerView

            planner = window.show_view("planner")
            if isinstance(planner, PlannerView):
                planner.add()
        elif key == "activity":
            from .cpd_log import CpdLogView

            log = window.show_view("log")
            if isinstance(log, CpdLogView):
                log.add()

    def _filters(self) -> tuple[str, str | None]:
        return self.ctx.year.label, self.ctx.department

    def _cards(self) -> dict[str, StatCard]:
        return dict(zip(CARDS, (self.card_hours, self.card_subject, self.card_parts, self.card_overdue,
                                self.card_money, self.card_deadlines), strict=True))

    def reload(self) -> None:
        super().reload()
        ctx = self.ctx
        if self._shown != self._filters():  # other figures are asked for: show none until they arrive
            for card in self._cards().values():
                card.set("…", "adding up")
        self._job = run_in_background(
            lambda: _load(ctx.db, ctx.school_id, ctx.year, ctx.department, ctx.today), self.show_data)

    def show_data(self, loaded: tuple[Any, dict[str, Any]]) -> None:
        data, face = loaded
        if (data.year_label, data.department) != self._filters():
            return  # an older request finished after the year or department changed
        self.data = data
        self.show_face(face)

    def show_face(self, face: dict[str, Any]) -> None:
        """Show ``face`` (``services.dashboard.dashboard_face``): figures just added up, or a first look."""
        self.face = face
        self._shown = (face["year_label"], face["department"])
        self.header.subtitle.setText(face["subtitle"])
        for name, card in self._cards().items():
            value, caption, tone = face["cards"][name]
            card.set(value, caption, tone)
        self.chart.set_rows([tuple(person) for person in face["people"]])
        self.upcoming.clear()
        for ident, text in face["upcoming"]:
            item = QListWidgetItem(text)
            item.setData(256, ident)
            self.upcoming.addItem(item)
        if not face["upcoming"]:
            item = QListWidgetItem("Nothing booked in the next 14 days.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.upcoming.addItem(item)
        self._show_steps(face.get("steps", []))
        self.claims.clear()
        for ident, text, past in face["claims"]:
            item = QListWidgetItem(text)
            if past:
                item.setForeground(Qt.GlobalColor.darkRed)
            item.setData(256, ident)
            self.claims.addItem(item)
        if not face["claims"]:
            item = QListWidgetItem("No draft claims near their deadline.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.claims.addItem(item)
        self.window_.keep_first_look(self, face)
        self.loaded.emit()
