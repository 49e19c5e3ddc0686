"""Planner: bookings as a list and as a month calendar; book from the catalogue or free text; move a
booking from planned to approved to booked, then attended (which logs the CPD and asks for the
evaluation) or cancelled."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import partial
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...models import Booking, Staff
from ...models.enums import BOOKING_STATUSES
from ...services.lists.bookings import BookingList, calendar_bookings
from ..conflict import form_compare
from ..dialogs.booking import BookingDialog, CancelDialog
from ..prompts import Confirm
from ..tablemodel import ListModel
from ..widgets import TablePanel
from .base import View
from .row_buttons import need_a_row

STATUS_COLOURS = {"planned": "#6b7280", "approved": "#1f4e79", "booked": "#2e7d5b", "attended": "#94a3b8",
                  "cancelled": "#d0d5dd"}


def booking_model(db: Any, school_id: int, parent: Any = None) -> ListModel:
    return ListModel(db, BookingList(school_id), parent=parent)


def book_cpd_for(parent: Any, ctx: Any, staff_id: int | None = None, start: dt.date | None = None
                 ) -> tuple[int | None, str]:
    """Book CPD… (the person ``staff_id`` chosen in it, starting on ``start``) saved as one undoable step, with a
    draft bursary claim when a scheme is chosen and the booking can have one. The new booking's id, or None when
    cancelled, and what to say once it is saved. A refused save keeps the dialog open with what was typed."""
    from ...models import BursaryScheme, Course
    from ...services.bookings import create_booking
    from ...services.bursaries import create_claim, eligibility_problems

    notes: list[str] = []

    def save(values: dict[str, Any]) -> Any:
        staff_key, course_id, scheme_id = values.pop("staff_id"), values.pop("course_id"), values.pop("scheme_id")
        values.pop("expected_version", None)
        provider = values.pop("provider") or None
        notes.clear()

        def action(s: Any) -> int:
            school = ctx.school(s)
            course = s.get(Course, course_id) if course_id else None
            booking = create_booking(s, school, s.get(Staff, staff_key), course=course, provider=provider, **values)
            if scheme_id:
                scheme = s.get(BursaryScheme, scheme_id)
                problems = eligibility_problems(scheme, booking, school)
                if problems:
                    notes.append("No bursary claim was started: " + " ".join(problems))
                else:
                    create_claim(s, booking, scheme)
                    notes.append(f"A draft {scheme.name} claim was started (see Bursaries).")
            return booking.id

        return ctx.run(parent, "Book CPD", action, refusals=True)

    new_id = BookingDialog.ask(parent, ctx, staff_id=staff_id, start=start, save=save)
    # A new booking is only planned: saying "Booked." had people think the place was confirmed.
    said = " ".join(["Planned: approve it, then Mark booked once the place is confirmed.", *notes])
    return (int(new_id) if new_id else None), said


class MonthCalendar(QWidget):
    """A month of bookings: one box per day, each booking a coloured line; click to choose it."""

    booking_clicked = Signal(int)
    day_double_clicked = Signal(object)
    HEADER = 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.year = dt.date.today().year
        self.month = dt.date.today().month
        self.today = dt.date.today()
        self.bookings: list[tuple[int, dt.date, dt.date, str, str]] = []  # id, start, end, text, status
        self._hits: list[tuple[QRectF, int]] = []
        self.setMinimumHeight(420)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Month calendar of bookings")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_month(self, year: int, month: int) -> None:
        self.year, self.month = year, month
        self.update()

    def set_bookings(self, rows: list[tuple[int, dt.date, dt.date, str, str]]) -> None:
        self.bookings = rows
        self.update()

    def first_and_last(self) -> tuple[dt.date, dt.date]:
        weeks = calendar.Calendar(0).monthdatescalendar(self.year, self.month)
        return weeks[0][0], weeks[-1][-1]

    def _cells(self) -> list[tuple[QRectF, dt.date]]:
        weeks = calendar.Calendar(0).monthdatescalendar(self.year, self.month)
        w = self.width() / 7
        h = (self.height() - self.HEADER) / len(weeks)
        return [(QRectF(c * w, self.HEADER + r * h, w, h), day) for r, week in enumerate(weeks)
                for c, day in enumerate(week)]

    def paintEvent(self, _e: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        w = self.width() / 7
        p.setPen(QColor("#374151"))
        for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")):
            p.drawText(QRectF(i * w, 0, w, self.HEADER), Qt.AlignmentFlag.AlignCenter, name)
        self._hits = []
        metrics = p.fontMetrics()
        line_h = metrics.height() + 4
        for rect, day in self._cells():
            weekend = day.weekday() >= 5
            in_month = day.month == self.month
            p.fillRect(rect.adjusted(0.5, 0.5, -0.5, -0.5),
                       QColor("#f3f4f6" if weekend else ("#ffffff" if in_month else "#fafafa")))
            p.setPen(QPen(QColor("#e5e7eb"), 1))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
            if day == self.today:
                p.setPen(QPen(QColor("#1f4e79"), 2))
                p.drawRect(rect.adjusted(1, 1, -1, -1))
            p.setPen(QColor("#111827" if in_month else "#9ca3af"))
            p.drawText(rect.adjusted(6, 3, -6, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, str(day.day))
            y = rect.top() + line_h + 2
            todays = [b for b in self.bookings if b[1] <= day <= b[2]]
            room = int((rect.bottom() - y) // line_h)
            for k, (ident, _start, _end, text, status) in enumerate(todays):
                if k >= room:
                    break
                if k == room - 1 and len(todays) > room:
                    p.setPen(QColor("#6b7280"))
                    p.drawText(QRectF(rect.left() + 6, y, rect.width() - 8, line_h), Qt.AlignmentFlag.AlignVCenter,
                               f"+{len(todays) - k} more")
                    break
                box = QRectF(rect.left() + 3, y, rect.width() - 6, line_h - 2)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(STATUS_COLOURS.get(status, "#6b7280")))
                p.drawRoundedRect(box, 3, 3)
                p.setPen(QColor("white" if status not in ("cancelled",) else "#374151"))
                p.drawText(box.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter,
                           metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(box.width() - 6)))
                self._hits.append((box, ident))
                y += line_h
        p.end()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        for box, ident in self._hits:
            if box.contains(e.position()):
                self.booking_clicked.emit(ident)
                return

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:  # noqa: N802
        for rect, day in self._cells():
            if rect.contains(e.position()):
                if not any(box.contains(e.position()) for box, _i in self._hits):
                    self.day_double_clicked.emit(day)
                return


class PlannerView(View):
    title = "Planner"
    shows = frozenset({"booking", "cover_lesson", "course", "provider", "staff", "department", "bursary_claim", "school",
                       "programme"})
    subtitle = "Courses to come and what they cost."

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.model = booking_model(ctx.db, ctx.school_id, self)
        self.panel = TablePanel("bookings", self.model, placeholder="Search course, person, provider…",
                                noun=("booking", "bookings"))
        self.panels.append(self.panel)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status")
        for data, text in [(None, "Any status"), ("open", "Not yet attended"), *BOOKING_STATUSES.items()]:
            self.status_filter.addItem(text, data)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.panel.add_filter(self.status_filter)
        self.header.add_button("Book CPD…", lambda: self.add(), icon_name="add", primary=True, shortcut="Insert")
        need_a_row(self.panel, [self.header.add_button("Edit…", self.edit, icon_name="edit",
                                                       tip="Edit the chosen booking (F2)")],
                   "Choose a booking in the list first.")
        self.move_buttons: dict[str, QPushButton] = {}
        for status, text in (("approved", "Approve"), ("booked", "Mark booked"), ("attended", "Mark attended…"),
                             ("cancelled", "Cancel…"), ("planned", "Back to planned")):
            self.move_buttons[status] = self.header.add_button(text, partial(self.move, status),
                                                               tip=f"{text} the chosen booking")
        self.row_action(self.panel, "Edit…", self.edit, "F2", "edit")
        self.attended_action = self.row_action(self.panel, "Mark attended…", lambda: self.move("attended"), None,
                                               "evaluate")
        self.row_action(self.panel, "Cover sheet", lambda: ctx.navigate.emit(
            "cover", {"booking_id": self.panel.current_id()}), None, "cover")
        self.row_action(self.panel, "Raise bursary claim…", lambda: ctx.navigate.emit(
            "bursaries", {"new_claim_for": self.panel.current_id()}), None, "bursary")
        self.row_action(self.panel, "EEF mechanisms of the course…", self.course_mechanisms, None, "edit")
        self.panel.activated.connect(lambda _i: self.edit())
        self.panel.selection_changed.connect(self._update_buttons)
        self.programme_gap = QLabel("")  # the chosen booking's programme, when it leaves out an EEF group
        self.programme_gap.setStyleSheet("QLabel { background: #fff7e6; color: #7a4a00; border: 1px solid #f0c36d; "
                                         "border-radius: 4px; padding: 6px 8px; }")
        self.programme_gap.setWordWrap(True)
        self.programme_gap.setAccessibleName("Programme warning")
        self.programme_gap.setVisible(False)
        self.outer.addWidget(self.programme_gap)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.panel, "List")
        cal_page = QWidget()
        cal_layout = QVBoxLayout(cal_page)
        nav = QHBoxLayout()
        prev_b, today_b, next_b = QPushButton("‹ Previous"), QPushButton("This month"), QPushButton("Next ›")
        for b in (prev_b, today_b, next_b):
            b.setAccessibleName(b.text().strip("‹› "))
        prev_b.clicked.connect(lambda: self.shift_month(-1))
        next_b.clicked.connect(lambda: self.shift_month(1))
        today_b.clicked.connect(lambda: self.go_month(ctx.today.year, ctx.today.month))
        self.month_label = QLabel("")
        self.month_label.setObjectName("sectionTitle")
        nav.addWidget(prev_b)
        nav.addWidget(today_b)
        nav.addWidget(next_b)
        nav.addSpacing(12)
        nav.addWidget(self.month_label)
        nav.addStretch(1)
        for status, colour in STATUS_COLOURS.items():
            key = QLabel(f"<span style='color:{colour}'>■</span> {BOOKING_STATUSES[status]}")
            nav.addWidget(key)
        cal_layout.addLayout(nav)
        self.calendar = MonthCalendar()
        self.calendar.today = ctx.today
        self.calendar.booking_clicked.connect(self._calendar_clicked)
        self.calendar.day_double_clicked.connect(lambda day: self.add(start=day))
        cal_layout.addWidget(self.calendar, 1)
        self.tabs.addTab(cal_page, "Month calendar")
        self.tabs.currentChanged.connect(lambda i: self._fill_calendar() if i == 1 else None)
        self.outer.addWidget(self.tabs, 1)
        self.go_month(ctx.today.year, ctx.today.month, fill=False)
        self._update_buttons()

    # ---- filters and calendar ----
    def list_filters(self) -> dict[str, Any]:
        """The bookings' named filters: the chosen year, department and status."""
        return {"year": self.ctx.year, "department": self.ctx.department, "status": self.status_filter.currentData()}

    def apply_filters(self) -> None:
        self.model.set_filters(self.list_filters())
        if self.tabs.currentIndex() == 1:
            self._fill_calendar()

    def reload(self) -> None:
        super().reload()
        chosen = self.panel.current_id()
        self.apply_filters()
        if chosen is not None:
            self.panel.select_id(chosen)
        self._update_buttons()
        if self.tabs.currentIndex() == 1:
            self._fill_calendar()

    def activate(self, payload: Any = None) -> None:
        super().activate(payload)
        if isinstance(payload, dict) and payload.get("booking_id"):
            if not self.panel.select_id(payload["booking_id"]):
                self.status_filter.setCurrentIndex(0)
                self.panel.select_id(payload["booking_id"])
            self.tabs.setCurrentIndex(0)

    def go_month(self, year: int, month: int, fill: bool = True) -> None:
        self.calendar.set_month(year, month)
        self.month_label.setText(dt.date(year, month, 1).strftime("%B %Y"))
        if fill:
            self._fill_calendar()

    def shift_month(self, step: int) -> None:
        month = self.calendar.month + step
        year = self.calendar.year + (month - 1) // 12
        self.go_month(year, (month - 1) % 12 + 1)

    def _fill_calendar(self) -> None:
        first, last = self.calendar.first_and_last()
        rows = calendar_bookings(self.ctx.db, self.ctx.school_id, first, last, department=self.ctx.department,
                                 status=self.status_filter.currentData())
        self.calendar.set_bookings(rows)

    def _calendar_clicked(self, ident: int) -> None:
        self.status_filter.setCurrentIndex(0)
        self.tabs.setCurrentIndex(0)
        self.panel.select_id(ident)

    def _update_buttons(self) -> None:
        from ...services.bookings import move_refusal

        ident = self.panel.current_id()
        values = None
        if ident is not None:
            row = self.model.row_of_id(ident)
            values = self.model.row_values(row) if row >= 0 else None
        for target, button in self.move_buttons.items():
            if values is None:
                why = "Choose a booking first."
            else:  # the service's own rule: e.g. a course in the future cannot be marked attended yet
                why = move_refusal(values["status"], values["start_date"], target, self.ctx.today)
            button.setEnabled(not why)
            button.setToolTip(why or f"{button.text()} the chosen booking")
            if target == "attended":
                self.attended_action.setEnabled(not why)
                self.attended_action.setToolTip(why or "Mark the chosen booking attended")
        self._say_programme_gap(ident)

    def _say_programme_gap(self, ident: int | None) -> None:
        """For a booking in a programme: the EEF groups the programme (with its courses) leaves out."""
        from ...services.mechanisms import booking_warning

        gap = None
        if ident is not None:
            with self.ctx.session() as s:
                gap = booking_warning(s, self.ctx.school(s), ident)
        self.programme_gap.setText(gap.sentence if gap else "")
        self.programme_gap.setVisible(gap is not None)

    # ---- actions ----
    def add(self, *, start: dt.date | None = None) -> int | None:
        new_id, said = book_cpd_for(self, self.ctx, start=start)
        if new_id:
            self.status_filter.setCurrentIndex(0)
            self.panel.select_id(new_id)
            self.window_.statusBar().showMessage(said, 8000)
        return new_id

    def edit(self) -> None:
        from ...services.bookings import update_booking

        ident = self.panel.current_id()
        if ident is None:
            return
        with self.ctx.session() as s:
            booking = s.get(Booking, ident)
            if booking is None:
                return
            _ = booking.provider, booking.staff.full_name
        def save(values: dict[str, Any]) -> Any:
            mine = {k: val for k, val in values.items() if k not in ("staff_id", "course_id", "scheme_id")}
            for key in ("staff_id", "course_id", "scheme_id"):
                values.pop(key)
            version = values.pop("expected_version", None)
            provider = values.pop("provider") or None
            if booking.status == "attended":
                for key in ("start_date", "end_date", "hours"):
                    values.pop(key, None)
            return self.ctx.save(self, "Edit booking", (Booking, ident), version, lambda s, v: update_booking(
                s, s.get(Booking, ident), provider=provider, expected_version=v, **values).id,
                form_compare(lambda current: BookingDialog(self.ctx, current), mine), refusals=True)

        BookingDialog.ask(self, self.ctx, booking, save=save)

    def course_mechanisms(self) -> None:
        """Tick the EEF mechanisms of the chosen booking's catalogue course."""
        from ...services.mechanisms import booking_course, set_course_mechanisms
        from ..dialogs.programme import CourseMechanismsDialog

        ident = self.panel.current_id()
        if ident is None:
            return
        with self.ctx.session() as s:
            course = booking_course(s, self.ctx.school(s), ident)
        if course is None:
            self.window_.statusBar().showMessage("This booking is not for a catalogue course.", 6000)
            return
        CourseMechanismsDialog.ask(self, course.title, course.mechanisms, save=lambda bits: self.ctx.run(
            self, "EEF mechanisms of a course",
            lambda s: set_course_mechanisms(s, self.ctx.school(s), course.course_id, bits).id, refusals=True))

    def _budget_allows(self, ident: int, title: str) -> bool:
        """Before approving: when the booking would take its budget line over, say so and ask (services.budget)."""
        from ...services.budget import overspend_warning

        with self.ctx.session() as s:
            booking = s.get(Booking, ident)
            warning = overspend_warning(s, self.ctx.school(s), booking) if booking is not None else None
        return warning is None or Confirm.ask(
            self, "Approve booking", warning, yes="Approve anyway", no="Do not approve",
            detail=f"“{title}” can still be approved: the budget is a plan, not a limit the app enforces.")

    def move(self, status: str) -> None:  # type: ignore[override]  # a booking to a status, not QWidget.move(x, y)
        from ...services.bookings import BOOKING_MOVES, transition_booking

        ident = self.panel.current_id()
        if ident is None:
            return
        title = self.model.row_values(self.model.row_of_id(ident))["title"]
        label = {"approved": "Approve booking", "booked": "Mark booking booked", "attended": "Mark attended",
                 "cancelled": "Cancel booking", "planned": "Back to planned"}[status]

        def act(reason: str | None, *, refusals: bool = False) -> Any:
            # Against the booking as the person saw it: if somebody changed it since, nothing is written.
            return self.ctx.delete(self, label, self.model, Booking, [ident], lambda s, booking, expected_version: (
                getattr(transition_booking(s, booking, status, on=self.ctx.today, reason=reason,
                                           expected_version=expected_version), "id", None)),
                lambda row: f"The booking “{row.get('title') or ''}”", doing=BOOKING_MOVES[status],
                refusals=refusals)

        if status == "cancelled":  # a refused cancel keeps the dialog open with the reason typed
            CancelDialog.ask(self, title, save=lambda reason: act(reason, refusals=True))
            self._update_buttons()
            return
        if status == "approved" and not self._budget_allows(ident, title):
            return
        if status == "attended" and not Confirm.ask(
                self, "Mark attended", f"Mark “{title}” as attended?",
                yes="Mark attended", detail="Its hours go into the CPD log; then you can record the evaluation."):
            return
        activity_id = act(None)
        if status == "attended" and activity_id:
            from .cpd_log import evaluate_activity

            evaluate_activity(self, self.ctx, activity_id)
        self._update_buttons()
