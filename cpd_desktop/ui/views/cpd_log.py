"""CPD log: every activity, filtered by person, term, format, subject-specific, provider and evaluation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from sqlalchemy import and_, case, literal, select

from ...models import Activity, Department, Provider, Staff
from ...models.enums import FORMATS, STANDARD_PARTS, TERMS
from ...services.concurrency import check_version
from ...services.formatting import format_date
from ...services.years import term_buckets, terms_for
from ..conflict import form_compare
from ..dialogs.activity import ActivityDialog, EvaluationDialog
from ..dialogs.lookups import provider_names, staff_choices
from ..prompts import Confirm
from ..tablemodel import Column, PagedQueryModel
from ..widgets import TablePanel
from .base import View


def all_parts_expr() -> Any:
    return case((and_(*[getattr(Activity, p).is_(True) for p in STANDARD_PARTS]), True), else_=False)


def _matching(column: Any, key: Any, name: Any, table: Any) -> Any:
    """Rows whose ``column`` is the id of a ``table`` row whose ``name`` matches: a search through
    the few staff, departments or providers instead of a LIKE on every activity."""
    return lambda pattern: column.in_(select(key).select_from(table).where(name.like(pattern, escape="\\")))


def activity_columns() -> list[Column]:
    staff_name = Staff.surname + literal(", ") + Staff.forename
    return [
        Column("date", "Date", Activity.date, "date", width=90),
        Column("staff", "Member of staff", staff_name, searchable=True, width=150, sort_expr=Staff.sort_name,
               search_condition=_matching(Activity.staff_id, Staff.id,
                                          Staff.surname + literal(", ") + Staff.forename + literal(" ") + Staff.forename
                                          + literal(" ") + Staff.surname + literal(" ") + Staff.staff_code, Staff)),
        Column("department", "Department", Department.name, searchable=True, width=100,
               search_condition=lambda p: Staff.department_id.in_(
                   select(Department.id).where(Department.name.like(p, escape="\\")))),
        Column("title", "Activity", Activity.title, searchable=True, width=250),
        Column("provider", "Provider", Provider.name, searchable=True, width=150,
               search_condition=_matching(Activity.provider_id, Provider.id, Provider.name, Provider)),
        Column("format", "Format", Activity.format, "choice", FORMATS, width=125),
        Column("hours", "Hours", Activity.hours, "hours", width=60),
        Column("subject_specific", "Subject", Activity.subject_specific, "bool", width=65,
               tooltip="Subject-specific CPD"),
        Column("all_parts", "All 5 parts", all_parts_expr(), "bool", width=80,
               tooltip="Meets all five parts of the DfE Standard for teachers' professional development"),
        Column("evaluation_due", "Evaluation due", Activity.evaluation_due, "date", width=105),
        Column("evaluated_on", "Evaluated", Activity.evaluated_on, "date", width=90),
    ]


def activity_query(school_id: int, plan: dict[str, Any] | None = None) -> Any:
    def build(cols: list[Any]) -> Any:
        # "school_id + 0" keeps SQLite off the (school, date) index when every row is read anyway.
        scope = (Activity.school_id + 0 == school_id) if plan and plan.get("scan") else (Activity.school_id == school_id)
        return (select(*cols).select_from(Activity).join(Staff, Staff.id == Activity.staff_id)
                .outerjoin(Department, Department.id == Staff.department_id)
                .outerjoin(Provider, Provider.id == Activity.provider_id)
                .where(scope))
    return build


def activity_model(db: Any, school_id: int, today: Any, parent: Any = None) -> PagedQueryModel:
    """The CPD log's model: all of a school's activities, newest first."""
    columns = activity_columns()
    due_at = 1 + [c.key for c in columns].index("evaluation_due")
    done_at = 1 + [c.key for c in columns].index("evaluated_on")

    def style(row: tuple[Any, ...]) -> str | None:
        if row[done_at] is None and row[due_at] is not None and row[due_at] < today:
            return "bad"
        return None

    plan: dict[str, Any] = {"indexed_sorts": ("date",)}
    return PagedQueryModel(db, columns, activity_query(school_id, plan), Activity.id,
                           default_sort=(0, Qt.SortOrder.DescendingOrder), row_style=style, plan=plan,
                           version_expr=Activity.version, parent=parent)


class CpdLogView(View):
    title = "CPD log"
    subtitle = "Every CPD activity in the chosen year. Red rows are waiting for an overdue evaluation."

    def __init__(self, ctx: Any, window: Any) -> None:
        super().__init__(ctx, window)
        self.model = activity_model(ctx.db, ctx.school_id, ctx.today, self)
        self.panel = TablePanel("cpd-log", self.model, placeholder="Search title, person, provider…",
                                noun=("activity", "activities"))
        self.panels.append(self.panel)
        self.staff_filter = self._combo("Member of staff", [(None, "Everyone")])
        self.term_filter = self._combo("Term", [(None, "All terms"), *TERMS.items()])
        self.format_filter = self._combo("Format", [(None, "All formats"), *FORMATS.items()])
        self.subject_filter = self._combo("Subject-specific", [(None, "Any subject"), (True, "Subject-specific"),
                                                                (False, "Not subject-specific")])
        self.provider_filter = self._combo("Provider", [(None, "All providers")])
        self.evaluation_filter = self._combo("Evaluation", [(None, "Any evaluation"), ("overdue", "Evaluation overdue"),
                                                            ("due", "Not yet evaluated"), ("done", "Evaluated"),
                                                            ("all_parts", "Meets all 5 parts")])
        self.header.add_button("Add activity…", self.add, icon_name="add", primary=True, shortcut="Insert")
        self.header.add_button("Record for several people…", self.record_many, icon_name="add",
                               tip="One activity, such as an INSET day, for a department, all teachers or people by name")
        self.header.add_button("Edit…", self.edit, icon_name="edit", tip="Edit the chosen activity (F2)")
        self.header.add_button("Evaluate…", self.evaluate, icon_name="evaluate",
                               tip="Record the impact of the chosen activity (Ctrl+Shift+E)")
        self.header.add_button("Delete", self.delete, icon_name="delete", tip="Delete the chosen activity (Delete)")
        self.row_action(self.panel, "Edit…", self.edit, "F2", "edit")
        self.row_action(self.panel, "Evaluate…", self.evaluate, "Ctrl+Shift+E", "evaluate")
        self.row_action(self.panel, "Delete", self.delete, Qt.Key.Key_Delete, "delete")
        self.panel.activated.connect(lambda _id: self.edit())
        self.outer.addWidget(self.panel, 1)
        self._lists_loaded = False

    def _combo(self, name: str, items: list[tuple[Any, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        for data, text in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.panel.add_filter(combo)
        return combo

    def _load_lists(self) -> None:
        for combo, items in ((self.staff_filter, staff_choices(self.ctx)),
                             (self.provider_filter, [(p, p) for p in provider_names(self.ctx)])):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for data, text in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
            combo.blockSignals(False)
        self._lists_loaded = True

    def conditions(self) -> list[Any]:
        ctx = self.ctx
        year = ctx.year
        conds: list[Any] = [Activity.date.between(year.start, year.end)]
        dept = ctx.department_condition()
        if dept is not None:
            conds.append(dept)
        if self.staff_filter.currentData() is not None:
            conds.append(Activity.staff_id == self.staff_filter.currentData())
        term = self.term_filter.currentData()
        if term is not None:
            with ctx.session() as s:
                buckets = term_buckets(terms_for(s, ctx.school(s), year), year)
            for t in buckets:
                if t.name == term:
                    conds.append(Activity.date.between(t.start, t.end))
        if self.format_filter.currentData() is not None:
            conds.append(Activity.format == self.format_filter.currentData())
        if self.subject_filter.currentData() is not None:
            conds.append(Activity.subject_specific.is_(bool(self.subject_filter.currentData())))
        if self.provider_filter.currentData() is not None:
            conds.append(Provider.name == self.provider_filter.currentData())
        ev = self.evaluation_filter.currentData()
        if ev == "overdue":
            conds += [Activity.evaluated_on.is_(None), Activity.evaluation_due < ctx.today]
        elif ev == "due":
            conds.append(Activity.evaluated_on.is_(None))
        elif ev == "done":
            conds.append(Activity.evaluated_on.is_not(None))
        elif ev == "all_parts":
            conds.append(and_(*[getattr(Activity, p).is_(True) for p in STANDARD_PARTS]))
        return conds

    def apply_filters(self) -> None:
        self.model.set_filters(self.conditions())

    def reload(self) -> None:
        super().reload()
        self._load_lists()
        chosen = self.panel.current_id()
        self.apply_filters()
        if chosen is not None:
            self.panel.select_id(chosen)

    def activate(self, payload: Any = None) -> None:
        if isinstance(payload, dict):
            if not self._lists_loaded:
                self._load_lists()
            combos = {"staff_id": self.staff_filter, "evaluation": self.evaluation_filter,
                      "format": self.format_filter, "subject": self.subject_filter, "term": self.term_filter}
            for combo in combos.values():
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
            for key, value in payload.items():
                if key in combos:
                    combos[key].setCurrentIndex(max(0, combos[key].findData(value)))
            for combo in combos.values():
                combo.blockSignals(False)
            self.reload()
            if "activity_id" in payload:
                self.panel.select_id(payload["activity_id"])
            return
        super().activate(payload)

    # ---- actions ----
    def add(self) -> None:
        from ...services.activities import add_activity

        def save(answer: tuple[int, dict[str, Any], int | None]) -> Any:
            staff_id, values, _version = answer
            provider = values.pop("provider") or None

            def action(s: Any) -> int:
                return add_activity(s, self.ctx.school(s), s.get(Staff, staff_id), provider=provider, **values).id

            return self.ctx.run(self, "Add CPD activity", action, refusals=True)

        new_id = ActivityDialog.ask(self, self.ctx, staff_id=self.staff_filter.currentData(), save=save)
        if new_id:
            self.panel.select_id(new_id)

    def record_many(self) -> None:
        """One activity for several people: one undo step, one audit entry per record, a summary."""
        from ...services.formatting import plural
        from ...services.record import record_for_many
        from ..dialogs.record_many import RecordManyDialog

        def save(dialog: RecordManyDialog) -> Any:
            with self.ctx.session() as s:
                count = len(dialog.plan(s).chosen)
                s.rollback()

            def action(s: Any) -> Any:
                return record_for_many(s, self.ctx.school(s), dialog.plan(s))

            return self.ctx.run(self, f"Record CPD for {plural(count, 'person', 'people')}", action, refusals=True)

        result = RecordManyDialog.ask(self, self.ctx, save=save)
        if result is not None:
            self.window_.statusBar().showMessage(f"{result.title}, {format_date(result.date)}: {result.summary()}",
                                                 15000)
            if result.activity_ids:
                self.panel.select_id(result.activity_ids[0])

    def _load(self, ident: int) -> Activity | None:
        with self.ctx.session() as s:
            activity = s.get(Activity, ident)
            if activity is not None:
                _ = activity.staff.full_name, activity.provider
        return activity

    def edit(self) -> None:
        from ...services.activities import update_activity

        ident = self.panel.current_id()
        if ident is None:
            return
        activity = self._load(ident)
        if activity is None:
            return
        def save(answer: tuple[int, dict[str, Any], int | None]) -> Any:
            _staff, values, version = answer
            mine = dict(values)
            provider = values.pop("provider") or None
            return self.ctx.save(self, "Edit CPD activity", (Activity, ident), version, lambda s, v: update_activity(
                s, s.get(Activity, ident), provider=provider, expected_version=v, **values) and None,
                form_compare(lambda current: ActivityDialog(self.ctx, current), mine), refusals=True)

        ActivityDialog.ask(self, self.ctx, activity, save=save)

    def evaluate(self, ident: int | None = None) -> None:
        ident = ident or self.panel.current_id()
        if ident is None:
            return
        evaluate_activity(self, self.ctx, ident)

    def delete(self) -> None:
        from ...services.activities import delete_activity

        ids = self.panel.selected_ids()
        if not ids:
            return
        what = "this activity" if len(ids) == 1 else f"these {len(ids)} activities"
        if not Confirm.ask(self, "Delete CPD", f"Delete {what} from the CPD log?", yes="Delete",
                           detail="You can undo this with Edit → Undo."):
            return
        self.ctx.delete(self, "Delete CPD activity" if len(ids) == 1 else f"Delete {len(ids)} CPD activities",
                        self.model, Activity, ids, delete_activity,
                        lambda row: f"The CPD activity “{row.get('title') or 'untitled'}”")


def evaluate_activity(parent: Any, ctx: Any, ident: int) -> bool:
    """Ask for an activity's impact evaluation and record it (undoable)."""
    from ...services.activities import record_evaluation

    with ctx.session() as s:
        activity = s.get(Activity, ident)
        if activity is None:
            return False
        _ = activity.staff.full_name
    def save(values: dict[str, Any]) -> Any:
        def action(s: Any, version: int | None) -> int:
            current = s.get(Activity, ident)
            check_version(current, version)
            return record_evaluation(
                s, current, impact=values["impact"], confidence=values["confidence"],
                pupil_outcomes=values["pupil_outcomes"], follow_up_actions=values["follow_up_actions"],
                evaluated_on=values["evaluated_on"]).id

        return ctx.save(parent, "Record evaluation", (Activity, ident), activity.version, action,
                        form_compare(lambda current: EvaluationDialog(current, today=ctx.today), values),
                        refusals=True)

    return EvaluationDialog.ask(parent, activity, ctx.today, save=save) is not None
