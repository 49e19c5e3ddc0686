"""Dashboard: the department's CPD at a glance. Every figure clicks through to the records behind it.

The figures are added up in SQL on a background thread, so the window is usable at once even on a
trust-sized database; the cards fill in when the numbers arrive. At start-up the window may show the
figures kept from last time (``cpd_desktop.firstlook``) while the database layer loads: this module
therefore loads neither SQLAlchemy nor the table models until figures are added up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services.formatting import format_date, format_money, format_percent
from ..widgets import HoursChart, StatCard, chart_scroll, muted, section_title
from ..workers import run_in_background
from .base import View

if TYPE_CHECKING:
    import datetime as dt

ZERO = Decimal("0.00")


@dataclass
class DashboardData:
    year_label: str
    staff: int = 0
    hours: Decimal = ZERO
    target: Decimal = ZERO
    met_target: int = 0
    subject_share: float | None = None
    subject_target: float = 50.0
    all_parts_share: float | None = None
    overdue: int = 0
    expected: Decimal = ZERO
    claimed: Decimal = ZERO
    received: Decimal = ZERO
    near_deadline: list[tuple[int, str]] = field(default_factory=list)
    past_deadline: list[tuple[int, str]] = field(default_factory=list)
    people: list[tuple[int, str, float, float, float]] = field(default_factory=list)
    upcoming: list[tuple[int, str, str]] = field(default_factory=list)  # booking id, text, cover note
    department: str | None = None  # None: every department
    marker: int | None = None  # the file's change counter when the adding up began (see cpd_desktop.firstlook)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (money and hours as exact decimal strings) for the first look."""
        out = asdict(self)
        for key in DECIMALS:
            out[key] = str(out[key])
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DashboardData:
        """The inverse of ``to_json``; a KeyError, TypeError or ValueError for anything else."""
        values = {f.name: data[f.name] for f in fields(cls)}
        for key in DECIMALS:
            values[key] = Decimal(str(values[key]))
        for key, width in (("near_deadline", 2), ("past_deadline", 2), ("people", 5), ("upcoming", 3)):
            rows = [tuple(row) for row in values[key]]
            if any(len(row) != width for row in rows):
                raise ValueError(f"dashboard {key}: rows of {width} expected")
            values[key] = rows
        return cls(**values)


DECIMALS = ("hours", "target", "expected", "claimed", "received")


def load_dashboard(db: Any, school_id: int, year: Any, department: str | None, today: dt.date) -> DashboardData:
    """Every figure on the dashboard, as plain data (runs on a worker thread; no Qt here)."""
    from sqlalchemy import func, select

    from ...firstlook import read_marker
    from ...models import Activity, BursaryClaim, CoverLesson, Department, School, Staff
    from ...services.bookings import upcoming_bookings
    from ...services.bursaries import claims_near_deadline, claims_past_deadline, money_by_status
    from ...services.reports import hours_by_staff, summarise

    marker = read_marker(db.path) if db.path is not None else None  # before anything is added up
    with db.session() as s:
        school = s.get(School, school_id)
        rows = hours_by_staff(s, school, year, department=department)
        summary = summarise(rows)
        data = DashboardData(year_label=year.label, staff=summary.staff, hours=summary.hours,
                             target=summary.target_hours, met_target=summary.met_target,
                             subject_share=summary.subject_share, all_parts_share=summary.all_parts_share,
                             subject_target=float(school.subject_specific_target), department=department,
                             marker=marker)
        data.people = [(r.staff_id, r.name, float(r.hours), float(r.subject_specific_hours), float(r.target_hours))
                       for r in rows if r.target_hours or r.hours]
        overdue = (select(func.count()).select_from(Activity).join(Staff, Staff.id == Activity.staff_id)
                   .outerjoin(Department, Department.id == Staff.department_id)
                   .where(Activity.school_id == school_id, Activity.evaluated_on.is_(None),
                          Activity.evaluation_due < today, Activity.date.between(year.start, year.end)))
        if department:
            overdue = overdue.where(func.lower(Department.name) == department.lower())
        data.overdue = int(s.scalar(overdue) or 0)
        money = money_by_status(s, school, year.start, year.end)
        for status, sums in money.items():
            if status in ("rejected", "withdrawn"):
                continue
            data.expected += sums["expected"]
            data.claimed += sums["claimed"]
            data.received += sums["received"]

        def claim_text(c: BursaryClaim) -> str:
            return (f"{c.booking.title} — {c.booking.staff.full_name}: {format_money(c.expected)}, "
                    f"deadline {format_date(c.deadline)}")

        data.past_deadline = [(c.id, claim_text(c)) for c in claims_past_deadline(s, school, today)]
        data.near_deadline = [(c.id, claim_text(c)) for c in claims_near_deadline(s, school, today)]
        for b in upcoming_bookings(s, school, today=today, days=14):
            dept = b.staff.department.name if b.staff.department else None
            if department and (dept or "").lower() != department.lower():
                continue
            lessons = s.scalar(select(func.count()).select_from(CoverLesson).where(CoverLesson.booking_id == b.id)) or 0
            ready = s.scalar(select(func.count()).select_from(CoverLesson).where(
                CoverLesson.booking_id == b.id, CoverLesson.work_set.is_not(None))) or 0
            if b.cover_required:
                cover = (f"cover: {lessons} lesson{'s' if lessons != 1 else ''}, {ready} with work set"
                         if lessons else "cover needed: no lessons entered yet")
            else:
                cover = "no cover needed"
            when = format_date(b.start_date) + (f"–{format_date(b.end_date)}" if b.end_date != b.start_date else "")
            data.upcoming.append((b.id, f"{when}  {b.staff.full_name}: {b.title}", cover))
    return data


class DashboardView(View):
    title = "Dashboard"
    subtitle = ""
    loaded = Signal()

    def __init__(self, ctx: Any, window: Any, initial: DashboardData | None = None) -> None:
        super().__init__(ctx, window)
        self.data: DashboardData | None = None
        self._shown: tuple[str, str | None] | None = None  # the year and department of the figures shown
        self._job: Any = None
        body = QWidget()
        body.setObjectName("page")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
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
        up_panel = QFrame()
        up_panel.setObjectName("panel")
        up_layout = QVBoxLayout(up_panel)
        up_layout.addWidget(section_title("Coming up in the next 14 days"))
        self.upcoming = QListWidget()
        self.upcoming.setAccessibleName("CPD coming up in the next 14 days")
        self.upcoming.setWordWrap(True)
        self.upcoming.itemActivated.connect(lambda item: ctx.navigate.emit("cover", {"booking_id": item.data(256)}))
        up_layout.addWidget(self.upcoming)
        side.addWidget(up_panel, 3)
        claims_panel = QFrame()
        claims_panel.setObjectName("panel")
        claims_layout = QVBoxLayout(claims_panel)
        claims_layout.addWidget(section_title("Bursary claims to chase"))
        self.claims = QListWidget()
        self.claims.setAccessibleName("Bursary claims near or past their deadline")
        self.claims.setWordWrap(True)
        self.claims.itemActivated.connect(lambda item: ctx.navigate.emit("bursaries", {"claim_id": item.data(256)}))
        claims_layout.addWidget(self.claims)
        side.addWidget(claims_panel, 2)
        row.addLayout(side, 2)
        layout.addLayout(row, 1)
        self.outer.addWidget(body, 1)
        if initial is not None:  # the first look, or what it showed: the figures are added up again on show
            self.show_data(initial)

    def _filters(self) -> tuple[str, str | None]:
        return self.ctx.year.label, self.ctx.department

    def reload(self) -> None:
        super().reload()
        ctx = self.ctx
        if self._shown != self._filters():  # other figures are asked for: show none until they arrive
            for card in (self.card_hours, self.card_subject, self.card_parts, self.card_overdue, self.card_money,
                         self.card_deadlines):
                card.set("…", "adding up")
        self._job = run_in_background(
            lambda: load_dashboard(ctx.db, ctx.school_id, ctx.year, ctx.department, ctx.today), self.show_data)

    def show_data(self, data: DashboardData) -> None:
        if (data.year_label, data.department) != self._filters():
            return  # an older request finished after the year or department changed
        self.data = data
        self._shown = self._filters()
        dept = data.department or "all departments"
        self.header.subtitle.setText(f"{data.year_label}, {dept}. Figures count CPD attended in the academic year.")
        share = float(data.hours / data.target * 100) if data.target else None
        self.card_hours.set(f"{data.hours:,.0f} h of {data.target:,.0f} h",
                            f"{format_percent(share)} of target · {data.met_target} of {data.staff} staff have met theirs",
                            "good" if share and share >= 100 else "")
        self.card_subject.set(format_percent(data.subject_share),
                              f"of hours are subject-specific (aim: at least {data.subject_target:.0f}%)",
                              "good" if (data.subject_share or 0) >= data.subject_target else "warn")
        self.card_parts.set(format_percent(data.all_parts_share), "of hours meet all five parts")
        self.card_overdue.set(str(data.overdue), "activities waiting for an impact evaluation",
                              "bad" if data.overdue else "good")
        self.card_money.set(f"{format_money(data.expected)}",
                            f"claimed {format_money(data.claimed)} · received {format_money(data.received)}")
        n_past, n_near = len(data.past_deadline), len(data.near_deadline)
        self.card_deadlines.set(f"{n_past + n_near}", f"{n_past} past the deadline · {n_near} due within 3 weeks",
                                "bad" if n_past else ("warn" if n_near else "good"))
        self.chart.set_rows(data.people)
        self.upcoming.clear()
        for ident, text, cover in data.upcoming:
            item = QListWidgetItem(f"{text}\n    {cover}")
            item.setData(256, ident)
            self.upcoming.addItem(item)
        if not data.upcoming:
            item = QListWidgetItem("Nothing booked in the next 14 days.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.upcoming.addItem(item)
        self.claims.clear()
        for ident, text in data.past_deadline:
            item = QListWidgetItem(f"Past deadline: {text}")
            item.setForeground(Qt.GlobalColor.darkRed)
            item.setData(256, ident)
            self.claims.addItem(item)
        for ident, text in data.near_deadline:
            item = QListWidgetItem(f"Due soon: {text}")
            item.setData(256, ident)
            self.claims.addItem(item)
        if not (data.past_deadline or data.near_deadline):
            item = QListWidgetItem("No draft claims near their deadline.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.claims.addItem(item)
        keep = getattr(self.window_, "keep_first_look", None)
        if keep is not None:
            keep(self, data)
        self.loaded.emit()
