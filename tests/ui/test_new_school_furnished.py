"""A school that starts furnished, walked from the welcome page: the wizard's Starting lists page (ticked
unless the person unticks it), Settings showing the providers, departments and schemes marked as a starting
point, and Planner → Book CPD… finding STEM Learning and the example scheme already there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QTabWidget, QWizard

from tests.ui.workflows.conftest import (  # the workflow walk: controls found and used as a person does
    _quiet_dialogs,  # noqa: F401 - no question answers itself here
    answering,
    click,
    click_row,
    find_button,
    find_field,
    find_table,
    go_to,
    row_count,
    type_into,
)


def _walk_wizard(qtbot: Any, file: Path, *, keep_lists: bool, shots: Path | None = None) -> Any:
    def handler(wizard: Any) -> None:
        assert isinstance(wizard, QWizard)
        type_into(qtbot, find_field("School name", wizard), "Hillside School")
        type_into(qtbot, find_field("Database file", wizard), str(file))
        next_button = find_button("Next >", wizard)
        qtbot.waitUntil(next_button.isEnabled)
        seen_starter = False
        while True:
            page = wizard.currentPage()
            if page.title() == "Starting lists":
                seen_starter = True
                box = find_field("Start with the usual lists", wizard)
                assert isinstance(box, QCheckBox) and box.isVisible() and box.isEnabled()
                assert box.isChecked()  # on unless the person says otherwise
                said = " ".join(lbl.text() for lbl in page.findChildren(QLabel) if lbl.isVisible())
                assert "STEM Learning" in said and "Starting point: check and edit" in said
                assert "Biology, Chemistry, Physics" in said  # a secondary school's departments
                if shots is not None:
                    wizard.grab().save(str(shots))
                if not keep_lists:
                    click(qtbot, box)
                    qtbot.waitUntil(lambda b=box: not b.isChecked())
            create = [b for b in wizard.findChildren(QAbstractButton) if b.isVisible() and b.text() == "Create"]
            if create:
                assert seen_starter, "the wizard never offered the starting lists"
                click(qtbot, create[0])
                return
            click(qtbot, find_button("Next >", wizard))
            qtbot.waitUntil(lambda p=page: wizard.currentPage() is not p)

    return handler


def _create(qtbot: Any, make_window: Any, tmp_path: Path, *, keep_lists: bool) -> Any:
    window = make_window()
    window.resize(1366, 728)
    file = tmp_path / "hillside.sqlite"
    with answering(qtbot, _walk_wizard(qtbot, file, keep_lists=keep_lists, shots=tmp_path / "starter-page.png"),
                   title="school", timeout_s=20):
        click(qtbot, find_button("Create a new school database", window))
    qtbot.waitUntil(lambda: window.windowTitle() == "CPD Desktop — Hillside School")
    return window


def _open_tab(qtbot: Any, window: Any, name: str) -> None:
    tabs = next(t for t in window.view_stack.currentWidget().findChildren(QTabWidget) if t.isVisible())
    bar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == name)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def _names(table: Any) -> list[str]:
    model = table.model()
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def _visible_text(window: Any) -> str:
    return " ".join(lbl.text() for lbl in window.findChildren(QLabel) if lbl.isVisible())


def test_a_new_school_starts_with_its_lists_and_the_first_booking_finds_them(
        make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window = _create(qtbot, make_window, tmp_path, keep_lists=True)
    go_to(qtbot, window, "Settings")
    _open_tab(qtbot, window, "Providers")
    providers = find_table("settings providers", window)
    qtbot.waitUntil(lambda: row_count(providers) == 9)
    assert "STEM Learning" in _names(providers) and "Teacher Development Trust" in _names(providers)
    assert "Starting point: check and edit" in _visible_text(window)
    _open_tab(qtbot, window, "Departments")
    departments = find_table("settings departments", window)
    assert sorted(_names(departments)) == ["Biology", "Chemistry", "Physics", "Science"]
    _open_tab(qtbot, window, "Bursary schemes")
    schemes = find_table("settings schemes", window)
    assert row_count(schemes) == 2 and all("(example)" in n for n in _names(schemes))
    assert "came with the school's starting lists" in _visible_text(window)
    assert "check the current rules" in _visible_text(window)
    click_row(qtbot, schemes, "residential bursary (example)")

    def read_notes(dialog: Any) -> None:
        notes = find_field("Notes", dialog)
        assert notes.toPlainText().startswith("Starting point: check and edit")
        assert find_field("Valid from", dialog).text() == "01/09/2025" and find_field("Valid to", dialog).text() == ""
        assert "Check the current rules" in find_field("Eligibility", dialog).text()
        dialog.grab().save(str(tmp_path / "scheme-dialog.png"))
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, read_notes, title="Edit bursary scheme"):
        click(qtbot, find_button("Edit scheme", window))

    go_to(qtbot, window, "Planner")

    def look(dialog: Any) -> None:
        provider = find_field("Provider", dialog)
        offered = [provider.itemText(i) for i in range(provider.count())]
        assert "STEM Learning" in offered and "Ogden Trust" in offered
        scheme = find_field("Bursary scheme", dialog)
        assert any("residential bursary (example)" in scheme.itemText(i) for i in range(scheme.count()))
        click(qtbot, find_button("Cancel", dialog))

    with answering(qtbot, look, title="Book CPD"):
        click(qtbot, find_button("Book CPD", window))
    window.close_database()


def test_unticked_the_school_starts_with_empty_lists(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window = _create(qtbot, make_window, tmp_path, keep_lists=False)
    go_to(qtbot, window, "Settings")
    for tab, table in (("Providers", "settings providers"), ("Departments", "settings departments"),
                       ("Bursary schemes", "settings schemes")):
        _open_tab(qtbot, window, tab)
        assert row_count(find_table(table, window)) == 0
    assert "Starting point" not in _visible_text(window)
    window.close_database()
