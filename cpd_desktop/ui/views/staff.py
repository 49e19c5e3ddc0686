"""Staff: everyone with their hours this year and progress to target; a person's page with their record,
bookings, what their CPD cost this year (by cost head, and the bookings and activities behind it) and evaluation
stages (overdue first, each with its due date; Record evaluation… opens one)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...models import Staff
from ...models.enums import BOOKING_STATUSES
from ...services.changes import Changes
from ...services.formatting import format_date, format_hours, format_money, format_percent
from ...services.lists.staff import StaffList
from ..conflict import form_compare
from ..dialogs.staff import StaffDialog
from ..editors.objective import ObjectiveEditor
from ..prompts import Confirm
from ..tablemodel import ListModel, RowsModel
from ..widgets import PageHeader, StatCard, TablePanel, muted, rows_table
from .base import View
from .row_buttons import need_a_row

if TYPE_CHECKING:
    from ...services.reports import CostRow

# The Cost this year tab: a row per booking or activity behind the card's figure, then their total.
COST_COLUMNS = ["Date", "Booking or activity", "Status", "Course fee", "Travel and stay", "Cover", "Other",
                "Cost", "Bursary received"]
COST_HEADS = [("fee", "course fees"), ("travel", "travel"), ("accommodation", "accommodation"),
              ("subsistence", "subsistence"), ("cover", "release cover"), ("other", "CPD without a booking")]


def staff_model(db: Any, school_id: int, parent: Any = None) -> ListModel:
    return ListModel(db, StaffList(school_id), parent=parent)


class PersonPage(QWidget):
    """One person's CPD record, bookings, ECT / NPQ status and costs."""

    def __init__(self, view: StaffView) -> None:
        super().__init__()
        self.view = view
        ctx = view.ctx
        self.staff_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        back = QPushButton("← All staff")
        back.setObjectName("link")
        back.setShortcut(Qt.Key.Key_Escape)
        back.setAccessibleName("Back to all staff")
        back.clicked.connect(view.show_list)
        top.addWidget(back)
        top.addStretch(1)
        layout.addLayout(top)
        self.header = PageHeader("", "")
        self.header.add_button("Add CPD…", self.add_activity, icon_name="add")
        self.header.add_button("Book CPD…", self.book, icon_name="planner")
        self.header.add_button("Edit details…", lambda: view.edit(self.staff_id), icon_name="edit")
        self.header.add_button("Record evaluation…", self.record_evaluation, icon_name="evaluate",
                               tip="Record the evaluation stages of the chosen activity or stage (Ctrl+Shift+E)",
                               shortcut="Ctrl+Shift+E")
        layout.addWidget(self.header)
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(False)  # three short tabs: each always whole
        cards = QHBoxLayout()
        self.card_hours = StatCard("Hours this year")
        self.card_subject = StatCard("Subject-specific")
        self.card_status = StatCard("ECT / NPQ")
        self.card_cost = StatCard("Cost this year")
        self.card_stages = StatCard("Evaluation stages")
        for card in (self.card_hours, self.card_subject, self.card_status, self.card_cost, self.card_stages):
            cards.addWidget(card)
        layout.addLayout(cards)
        self.objective = ObjectiveEditor(ctx, self)  # their development objective for the year
        layout.addWidget(self.objective)
        from .cpd_log import activity_model
        from .planner import booking_model

        self.activities = activity_model(ctx.db, ctx.school_id, ctx.today, self)
        self.bookings = booking_model(ctx.db, ctx.school_id, self)
        self.activity_panel = TablePanel("person-activities", self.activities, noun=("activity", "activities"))
        self.booking_panel = TablePanel("person-bookings", self.bookings, noun=("booking", "bookings"))
        self.activity_panel.activated.connect(
            lambda ident: ctx.navigate.emit("log", {"staff_id": self.staff_id, "activity_id": ident}))
        self.booking_panel.activated.connect(lambda ident: ctx.navigate.emit("planner", {"booking_id": ident}))
        for panel in (self.activity_panel, self.booking_panel):  # whose they are is in the page title
            for key in ("staff", "department"):
                if key in [c.key for c in panel.model.columns]:
                    panel.table.setColumnHidden(panel.model.column_index(key), True)
        self.tabs.addTab(self.activity_panel, "CPD record")
        self.tabs.addTab(self.booking_panel, "Bookings")
        self.tabs.addTab(self._cost_page(), "Cost this year")
        # Their evaluation stages this year: overdue first, then by due date (activity ids behind the rows).
        self.stages = RowsModel(["State", "Stage", "Due by", "Date done", "Activity", "Activity date"], self)
        self.stage_table = rows_table(self.stages, "Evaluation stages")
        self.stage_table.doubleClicked.connect(lambda _index: self.record_evaluation())
        self.tabs.addTab(self.stage_table, "Evaluation stages")
        layout.addWidget(self.tabs, 1)
        # each card opens the tab that shows what it counts
        self.card_hours.clicked.connect(lambda: self.tabs.setCurrentWidget(self.activity_panel))
        self.card_cost.clicked.connect(lambda: self.tabs.setCurrentWidget(self.cost_page))
        self.card_stages.clicked.connect(lambda: self.tabs.setCurrentWidget(self.stage_table))

    def _cost_page(self) -> QWidget:
        """What the Cost this year card adds up: the sum by cost head, less the bursary received, and the
        bookings and activities it comes from (a double click opens one)."""
        self.cost_page = QWidget()
        page = QVBoxLayout(self.cost_page)
        page.setContentsMargins(8, 8, 8, 8)
        self.cost_text = muted("")
        self.cost_text.setAccessibleName("How the cost is made up")
        self.cost_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        page.addWidget(self.cost_text)
        self.costs = RowsModel(COST_COLUMNS, self)
        self.costs.align_right = set(range(3, len(COST_COLUMNS)))
        self.cost_table = rows_table(self.costs, "Cost this year")
        header = self.cost_table.horizontalHeader()
        header.setStretchLastSection(False)  # the titles take the room, the sums as wide as their figures
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.cost_table.doubleClicked.connect(self._open_cost_item)
        page.addWidget(self.cost_table, 1)
        return self.cost_page

    def show_person(self, staff_id: int) -> None:
        from ...services.reports import cost_by_staff, hours_by_staff
        from ...services.staff import latest_npq

        ctx = self.view.ctx
        self.staff_id = staff_id
        with ctx.session() as s:
            person = s.get(Staff, staff_id)
            if person is None:
                return
            school = ctx.school(s)
            rows = hours_by_staff(s, school, ctx.year, staff_id=staff_id)
            costs = [c for c in cost_by_staff(s, school, ctx.year) if c.staff_id == staff_id]
            npq = latest_npq(s, staff_id)
            dept = person.department.name if person.department else "no department"
            bits = [person.staff_code, person.role or "", dept, f"FTE {person.fte:g}"]
            if person.start_date:
                bits.append(f"started {format_date(person.start_date)}")
            if person.leaving_date:
                bits.append(f"leaves {format_date(person.leaving_date)}")
            if not person.in_target:
                bits.append("outside the teachers' CPD target")
            self.header.title.setText(person.full_name)
            self.header.subtitle.setText(" · ".join(b for b in bits if b))
            ect = f"ECT year {person.ect_year}" if person.ect_year else "Not an ECT"
        row = rows[0] if rows else None
        if row is not None and not row.in_target:  # support staff: their hours, with no target to meet
            self.card_hours.set(f"{format_hours(row.hours)} h", f"in {ctx.year.label}; no target (outside the "
                                "teachers' CPD target)")
        elif row is not None:
            self.card_hours.set(f"{format_hours(row.hours)} h", f"of {format_hours(row.target_hours)} h target "
                                f"({format_percent(row.progress)}) in {ctx.year.label}",
                                "good" if row.progress >= 100 else "")
            self.card_subject.set(f"{format_hours(row.subject_specific_hours)} h",
                                  f"{format_percent(row.subject_share)} of their hours")
        else:
            self.card_hours.set("0 h", f"no CPD in {ctx.year.label}")
            self.card_subject.set("–", "")
        npq_text = f"NPQ: {npq.title} ({(npq.status or 'recorded').replace('_', ' ')})" if npq else "No NPQ recorded"
        self.card_status.set(ect, npq_text)
        if costs:
            c = costs[0]
            self.card_cost.set(format_money(c.total), f"fees, travel, cover… less {format_money(c.bursary_received)} "
                               f"bursary received = {format_money(c.net)}")
        else:
            self.card_cost.set(format_money(0), "")
        self._show_costs(staff_id, costs[0] if costs else None)
        year = ctx.year
        self._show_stages(staff_id)
        self.objective.show_for(staff_id)
        self.activities.set_filters({"staff_id": staff_id})
        self.bookings.set_filters({"staff_id": staff_id, "from_or_open": year.start})

    def _show_stages(self, staff_id: int) -> None:
        from ...services.impact import stages_of

        ctx = self.view.ctx
        with ctx.session() as s:
            stages = stages_of(s, ctx.school(s), staff_id, ctx.year, ctx.today)
        overdue = sum(1 for r in stages if r["state"] == "Overdue")
        due = sum(1 for r in stages if r["state"] == "Not due yet")
        self.card_stages.set(f"{overdue} overdue", f"{due} still to come · {len(stages) - overdue - due} done "
                             f"or not chased in {ctx.year.label}", "bad" if overdue else "good")
        self.stages.set_rows([[r["state"], r["stage"], format_date(r["due"]) if r["due"] else "–",
                               format_date(r["done_on"]) if r["done_on"] else "", r["title"], format_date(r["date"])]
                              for r in stages], [r["activity_id"] for r in stages])

    def _show_costs(self, staff_id: int, row: CostRow | None) -> None:
        """The Cost this year tab: how the card's figure is made up, and the bookings and activities behind it."""
        from ...services.reports import cost_items

        ctx = self.view.ctx
        label = ctx.year.label
        with ctx.session() as s:
            items = cost_items(s, ctx.school(s), ctx.year, staff_id)
        counted = (f"Counted: their bookings starting in {label} that are not cancelled (with the release cover "
                   "each needs) and the cost of any CPD recorded without a booking.")
        if row is None or not items:
            self.cost_text.setText(f"No CPD costs for them in {label}. {counted}")
        else:
            heads = ", ".join(f"{name} {format_money(getattr(row, key))}" for key, name in COST_HEADS
                              if getattr(row, key))
            expected = row.bursary_expected - row.bursary_received
            self.cost_text.setText(
                f"{format_money(row.total)} in {label}: {heads}; less {format_money(row.bursary_received)} bursary "
                f"received = {format_money(row.net)}"
                + (f" ({format_money(expected)} more bursary expected)." if expected > 0 else ".") + f" {counted}")

        def money(amount: Decimal) -> str:
            return format_money(amount) if amount else ""

        rows = [[format_date(i.date), i.title, BOOKING_STATUSES.get(i.status or "", "No booking"), money(i.fee),
                 money(i.travel + i.accommodation + i.subsistence), money(i.cover), money(i.other),
                 format_money(i.total), money(i.bursary_received)] for i in items]
        keys: list[Any] = [(i.kind, i.id) for i in items]
        if items:
            def added(key: str) -> Decimal:
                return sum((getattr(i, key) for i in items), Decimal(0))

            stay = added("travel") + added("accommodation") + added("subsistence")
            rows.append(["", "Total", "", format_money(added("fee")), format_money(stay), format_money(added("cover")),
                         format_money(added("other")), format_money(added("total")),
                         format_money(added("bursary_received"))])
            keys.append(None)
        self.costs.set_rows(rows, keys)

    def _open_cost_item(self, index: Any) -> None:
        key = self.costs.keys[index.row()] if 0 <= index.row() < len(self.costs.keys) else None
        if key is None:
            return
        kind, ident = key
        if kind == "booking":
            self.view.ctx.navigate.emit("planner", {"booking_id": ident})
        else:
            self.view.ctx.navigate.emit("log", {"staff_id": self.staff_id, "activity_id": ident})

    def chosen_activity(self) -> int | None:
        """The activity of the chosen evaluation stage (on that tab), else the chosen CPD record."""
        if self.tabs.currentWidget() is self.stage_table:
            row = self.stage_table.currentIndex().row()
            return self.stages.keys[row] if 0 <= row < len(self.stages.keys) else None
        return self.activity_panel.current_id()

    def record_evaluation(self) -> None:
        from ..dialogs.evaluation import record_evaluation

        ident = self.chosen_activity()
        if ident is not None:
            record_evaluation(self, self.view.ctx, ident)

    def add_activity(self) -> None:
        """Add CPD… for this person, staying on their page: once saved, their CPD record shows it chosen."""
        from .cpd_log import add_activity_for

        staff_id = self.staff_id
        new_id = add_activity_for(self, self.view.ctx, staff_id)
        if new_id is None or staff_id is None or self.staff_id != staff_id:
            return
        self.tabs.setCurrentWidget(self.activity_panel)
        self.activity_panel.select_id(new_id)

    def book(self) -> None:
        """Book CPD… for this person, staying on their page: once saved, their bookings show it chosen."""
        from .planner import book_cpd_for

        staff_id = self.staff_id
        new_id, said = book_cpd_for(self, self.view.ctx, staff_id)
        if new_id is None or staff_id is None or self.staff_id != staff_id:
            return
        self.view.window_.statusBar().showMessage(said, 8000)
        self.tabs.setCurrentWidget(self.booking_panel)
        self.booking_panel.select_id(new_id)


class StaffView(View):
    title = "Staff"
    shows = frozenset({"staff", "department", "activity", "school"})
    # their bookings, costs, objective
    person_shows = frozenset({"booking", "cover_lesson", "bursary_claim", "course", "provider", "objective",
                              "evaluation_stage"})
    subtitle = "Everyone employed in the chosen year, with their CPD hours against their target."

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.model = staff_model(ctx.db, ctx.school_id, self)
        self.panel = TablePanel("staff", self.model, placeholder="Search name, code, role…", noun=("person", "people"))
        self.panels.append(self.panel)
        self.header.add_button("Add staff…", self.add, icon_name="add", primary=True, shortcut="Insert")
        need_a_row(self.panel, [
            self.header.add_button("Edit…", lambda: self.edit(), icon_name="edit", tip="Edit the chosen person (F2)"),
            self.header.add_button("Delete", self.delete, icon_name="delete", tip="Delete the chosen person (Delete)"),
        ], "Choose a person in the list first.")
        self.row_action(self.panel, "Open", lambda: self.open_person(self.panel.current_id()), "Return")
        self.row_action(self.panel, "Edit…", lambda: self.edit(), "F2", "edit")
        self.row_action(self.panel, "Delete", self.delete, Qt.Key.Key_Delete, "delete")
        self.panel.activated.connect(self.open_person)
        self.pages = QStackedWidget()
        list_page = QWidget()
        lay = QVBoxLayout(list_page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.panel)
        self.pages.addWidget(list_page)
        self.person = PersonPage(self)
        self.pages.addWidget(self.person)
        self.outer.addWidget(self.pages, 1)

    def data_changed(self, notice: Changes) -> None:
        """A change to bookings or costs alone requeries one person's page, if it is open, and not the list."""
        if notice.touches(self.shows) or not notice.touches(self.person_shows):
            super().data_changed(notice)
        elif self.pages.currentIndex() == 1 and self.person.staff_id is not None:
            if self.isVisible():
                self.person.show_person(self.person.staff_id)
            else:
                self._dirty = True

    def reload(self) -> None:
        super().reload()
        ctx = self.ctx
        self.panel.model.set_filters({"year": ctx.year, "department": ctx.department})
        if self.pages.currentIndex() == 1 and self.person.staff_id is not None:
            self.person.show_person(self.person.staff_id)

    def activate(self, payload: Any = None) -> None:
        super().activate(payload)
        if isinstance(payload, dict) and payload.get("staff_id"):
            self.open_person(payload["staff_id"])
        elif payload is None and self.pages.currentIndex() == 1:
            pass

    def open_person(self, staff_id: int | None) -> None:
        if staff_id is None:
            return
        self.person.show_person(staff_id)
        self.pages.setCurrentIndex(1)
        self.header.setVisible(False)

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)
        self.header.setVisible(True)

    def add(self) -> None:
        from ...services.staff import add_staff

        new_id = StaffDialog.ask(self, self.ctx, save=lambda answer: self.ctx.run(
            self, "Add member of staff", lambda s: add_staff(s, self.ctx.school(s), **answer[0]).id, refusals=True))
        if new_id:
            self.panel.select_id(new_id)

    def edit(self, staff_id: int | None = None) -> None:
        from ...services.staff import update_staff

        ident = staff_id or self.panel.current_id()
        if ident is None:
            return
        with self.ctx.session() as s:
            person = s.get(Staff, ident)
            if person is None:
                return
            _ = person.department
        def save(answer: tuple[dict[str, Any], int | None]) -> Any:
            values, version = answer
            return self.ctx.save(self, "Edit member of staff", (Staff, ident), version,
                                 lambda s, v: update_staff(s, s.get(Staff, ident), expected_version=v, **values).id,
                                 form_compare(lambda current: StaffDialog(self.ctx, current), values), refusals=True)

        StaffDialog.ask(self, self.ctx, person, save=save)

    def delete(self) -> None:
        from ...services.staff import delete_staff

        ident = self.panel.current_id()
        if ident is None:
            return
        name = self.model.row_values(self.model.row_of_id(ident))["name"]
        if not Confirm.ask(self, "Delete member of staff", f"Delete {name}?", yes="Delete",
                           detail="Only people with no CPD records or bookings can be deleted. You can undo this."):
            return
        self.ctx.delete(self, "Delete member of staff", self.model, Staff, [ident], delete_staff,
                        lambda row: f"The member of staff {row.get('name') or ''}".strip())
