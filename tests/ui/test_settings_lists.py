"""Settings: bursary schemes, departments, providers and term dates can be edited and deleted, not
only added; deleting asks first, can be undone, and is refused with a clear message when in use.
Splitter positions are remembered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from cpd_desktop.models import BursaryClaim, BursaryScheme, Department, Provider, TermDates
from cpd_desktop.services import activities, bursaries
from cpd_desktop.services import staff as staff_service
from cpd_desktop.ui.views.settings_view import NameDialog, SchemeDialog

from .conftest import TODAY, answer


def _names(model: Any) -> list[str]:
    model.fetch_all()
    return [model.row_values(r)["name"] for r in range(model.rowCount())]


def _select(view: Any, kind: str, name: str) -> None:
    panel = view.list_panels[kind]
    model = panel.model
    model.fetch_all()
    for r in range(model.rowCount()):
        if model.row_values(r)["name"] == name:
            panel.select_id(model.row_id(r))
            return
    raise AssertionError(f"no {kind} called {name}")


def test_departments_rename_and_delete_with_undo_refused_when_in_use(school_window: Any, shown_errors: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = school_window.ctx
    with ctx.session() as s:
        staff_service.add_staff(s, ctx.school(s), forename="Ana", surname="Lima", staff_code="ALI",
                                department="Science")
    view = school_window.show_view("settings")
    _select(view, "department", "Science")
    answer(monkeypatch, NameDialog, {"name": "Physics"})
    view.edit_item("department")
    assert _names(view.departments) == ["Physics"]
    assert school_window.dept_combo.findText("Physics") >= 0 and school_window.dept_combo.findText("Science") < 0

    _select(view, "department", "Physics")
    view.delete_item("department")  # Ana is in it
    assert "Physics department has 1 member of staff" in shown_errors[-1]["message"]
    assert "Move them to another department" in shown_errors[-1]["hint"]
    assert _names(view.departments) == ["Physics"]

    answer(monkeypatch, NameDialog, {"name": "Chemistry"})
    view.add_department()
    seen = answer(monkeypatch, NameDialog, {"name": "physics"})  # the same name in other capitals
    _select(view, "department", "Chemistry")
    view.edit_item("department")  # refused beside the name, in the dialog, with the name kept
    assert "already a department called physics" in seen[-1].error_text("name")
    assert seen[-1].fields["name"].getter() == "physics"
    view.delete_item("department")
    assert _names(view.departments) == ["Physics"]
    ctx.undo()
    assert sorted(_names(view.departments)) == ["Chemistry", "Physics"]
    ctx.undo()  # the adding of Chemistry
    assert _names(view.departments) == ["Physics"]
    ctx.undo()  # and the rename of Science before it
    assert _names(view.departments) == ["Science"]
    assert school_window.dept_combo.findText("Science") >= 0


def test_providers_rename_and_delete_refused_when_named_on_cpd(school_window: Any, shown_errors: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = school_window.ctx
    with ctx.session() as s:
        school = ctx.school(s)
        person = staff_service.add_staff(s, school, forename="Ana", surname="Lima", staff_code="ALI")
        activities.add_activity(s, school, person, title="Practical work", date=TODAY, hours="3",
                                provider="STEM Learning")
    view = school_window.show_view("settings")
    answer(monkeypatch, NameDialog, {"name": "Royal Society of Chemistry"})
    view.add_provider()
    assert sorted(_names(view.providers)) == ["Royal Society of Chemistry", "STEM Learning"]
    _select(view, "provider", "STEM Learning")
    view.delete_item("provider")
    assert "STEM Learning is named on 1 activity" in shown_errors[-1]["message"]
    answer(monkeypatch, NameDialog, {"name": "STEM Learning (York)"})
    view.edit_item("provider")
    with ctx.session() as s:
        assert sorted(s.scalars(select(Provider.name))) == ["Royal Society of Chemistry", "STEM Learning (York)"]
    log = school_window.show_view("log")
    assert log.model.row_values(0)["provider"] == "STEM Learning (York)"  # the activity shows the new name
    view = school_window.show_view("settings")
    _select(view, "provider", "Royal Society of Chemistry")
    view.delete_item("provider")
    assert _names(view.providers) == ["STEM Learning (York)"]


def test_schemes_edit_and_delete_refused_with_claims(demo_window: Any, shown_errors: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = demo_window.ctx
    with ctx.session() as s:
        used = s.scalar(select(BursaryScheme).join(BursaryClaim).limit(1))
        used_name, used_id = used.name, used.id
    view = demo_window.show_view("settings")
    view.tabs.setCurrentIndex(3)
    _select(view, "scheme", used_name)
    view.delete_item("scheme")
    assert f"{used_name} has" in shown_errors[-1]["message"] and "claim" in shown_errors[-1]["message"]
    assert "Untick “Open”" in shown_errors[-1]["hint"]

    def check(dialog: Any) -> None:
        assert dialog.fields["name"].widget.text() == used_name  # opens with the scheme's own values
        assert dialog.ok_button.text() == "Save scheme"

    answer(monkeypatch, SchemeDialog, {"amount": "£175.50", "active": False}, check=check)
    view.edit_item("scheme")
    with ctx.session() as s:
        scheme = s.get(BursaryScheme, used_id)
        assert str(scheme.amount) == "175.50" and not scheme.active
    row = view.schemes.row_values(view.schemes.row_of_id(used_id))
    assert row["active"] is False

    answer(monkeypatch, SchemeDialog, {"name": "Local trust fund", "rule": "per_course", "amount": "£200"})
    view.add_scheme()
    _select(view, "scheme", "Local trust fund")
    view.delete_item("scheme")
    assert "Local trust fund" not in _names(view.schemes)
    ctx.undo()
    assert "Local trust fund" in _names(view.schemes)


def test_term_dates_delete_back_to_the_usual_dates_and_undo(school_window: Any) -> None:
    ctx = school_window.ctx
    view = school_window.show_view("settings")
    terms = view.terms_form
    assert not terms.delete_button.isEnabled()  # nothing of its own to forget yet
    terms.editor.edits["autumn"][0].setText("01/09/2025")
    terms.editor.edits["autumn"][1].setText("19/12/2025")
    terms.save()
    assert terms.delete_button.isEnabled()
    assert terms.saved.rowCount() == 1 and terms.saved.item(0, 0).text() == "2025/26"
    assert terms.saved.item(0, 1).text() == "01/09/2025 – 19/12/2025"
    terms.delete()
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(TermDates)) == 0
    assert terms.saved.rowCount() == 0 and not terms.delete_button.isEnabled()
    ctx.undo()
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(TermDates)) == 3
        autumn = s.scalar(select(TermDates).where(TermDates.term == "autumn"))
        assert (autumn.start_date, autumn.end_date) == (dt.date(2025, 9, 1), dt.date(2025, 12, 19))


def test_double_clicking_a_saved_year_shows_it(school_window: Any) -> None:
    ctx = school_window.ctx
    with ctx.session() as s:
        s.add(TermDates(school_id=ctx.school_id, academic_year=2024, term="autumn", start_date=dt.date(2024, 9, 4),
                        end_date=dt.date(2024, 12, 20)))
    view = school_window.show_view("settings")
    view.reload()
    terms = view.terms_form
    assert terms.saved.item(0, 0).text() == "2024/25" and terms.saved.item(0, 2).text() == "usual"
    terms.saved.cellDoubleClicked.emit(0, 0)
    assert ctx.year.label == "2024/25" and school_window.year_combo.currentText() == "2024/25"
    assert terms.editor.edits["autumn"][0].text() == "04/09/2024"


def test_splitter_positions_are_remembered(demo_window: Any, make_window: Any) -> None:
    cover = demo_window.show_view("cover")
    cover.splitter.setSizes([520, 700])
    wanted = cover.splitter.sizes()
    cover.splitter.splitterMoved.emit(wanted[0], 1)  # what dragging the handle sends
    audit = demo_window.show_view("audit")
    audit.splitter.setSizes([300, 400])
    audit.splitter.splitterMoved.emit(300, 1)
    audit_wanted = audit.splitter.sizes()
    path = str(demo_window.ctx.db.path)
    demo_window.close_database()
    again = make_window()
    assert again.open_database(path)
    assert again.show_view("cover").splitter.sizes()[0] == wanted[0]
    assert again.show_view("audit").splitter.sizes() == audit_wanted
    again.close_database()


def test_deleting_a_department_asks_first(school_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cpd_desktop.ui.prompts import Confirm

    asked: list[str] = []
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, parent, title, text, **k: asked.append(text) or False))
    view = school_window.show_view("settings")
    _select(view, "department", "Science")
    view.delete_item("department")
    assert asked == ["Delete the department “Science”?"]
    with school_window.ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Department)) == 1


def test_scheme_claims_still_count_after_the_scheme_closes(school_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing a scheme changes its rules for new claims; a claim already raised keeps its amount."""
    from cpd_desktop.services.bookings import create_booking

    ctx = school_window.ctx
    with ctx.session() as s:
        school = ctx.school(s)
        person = staff_service.add_staff(s, school, forename="Ana", surname="Lima", staff_code="ALI")
        scheme = bursaries.add_scheme(s, school, name="ENTHUSE", rule="per_course", amount="£500")
        booking = create_booking(s, school, person, title="Residential", start_date=TODAY, hours="12",
                                 intended_outcomes="Pupils carry out the practical with less help")
        claim_id = bursaries.create_claim(s, booking, scheme).id
    view = school_window.show_view("settings")
    _select(view, "scheme", "ENTHUSE")
    answer(monkeypatch, SchemeDialog, {"amount": "£250"})
    view.edit_item("scheme")
    with ctx.session() as s:
        assert str(s.get(BursaryClaim, claim_id).expected) == "500.00"
        assert str(s.scalar(select(BursaryScheme.amount))) == "250.00"
