"""A first afternoon, from the welcome page: the New school wizard walked page by page with Next, and
the school's dashboard at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QWizard

from .conftest import answering, click, find_button, find_field, type_into


def _walk_wizard(qtbot: Any, file: Path, seen: list[str]) -> Any:
    def handler(wizard: Any) -> None:
        assert isinstance(wizard, QWizard)
        next_button = find_button("Next >", wizard)
        assert not next_button.isEnabled()  # nothing typed yet: no school without a name
        page = wizard.currentPage()
        assert not [lbl.text() for lbl in page.findChildren(QLabel)  # ... and no red before anything is typed
                    if lbl.objectName() == "fieldError" and lbl.isVisible() and lbl.text()]
        type_into(qtbot, find_field("School name", wizard), "Hillside School")
        type_into(qtbot, find_field("URN", wizard), "12ab")
        qtbot.waitUntil(lambda: not next_button.isEnabled())
        assert "URN" in " ".join(lbl.text() for lbl in wizard.currentPage().findChildren(QLabel) if lbl.isVisible())
        type_into(qtbot, find_field("URN", wizard), "654321")
        type_into(qtbot, find_field("Database file", wizard), str(file))
        qtbot.waitUntil(next_button.isEnabled)
        # Next through the terms, the periods and the targets as suggested, then Create
        while True:
            seen.append(wizard.currentPage().title())
            create = [b for b in wizard.findChildren(type(next_button)) if b.isVisible() and b.text() == "Create"]
            if create:
                click(qtbot, create[0])
                return
            page = wizard.currentPage()
            click(qtbot, find_button("Next >", wizard))
            qtbot.waitUntil(lambda p=page: wizard.currentPage() is not p)

    return handler


def test_first_school_from_the_welcome_page_to_its_dashboard(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window = make_window()
    window.resize(1366, 728)
    assert window.windowTitle() == "CPD Desktop"
    create = find_button("Create a new school database", window)
    file = tmp_path / "hillside.sqlite"
    pages: list[str] = []
    with answering(qtbot, _walk_wizard(qtbot, file, pages), title="school", timeout_s=15):
        click(qtbot, create)
    assert len(pages) >= 4, pages  # school, terms, periods, targets (and any page added since)
    qtbot.waitUntil(lambda: window.windowTitle() == "CPD Desktop — Hillside School")
    assert file.exists()
    page = window.view_stack.currentWidget()
    assert page.isVisible() and page.accessibleName() == "Dashboard"
    nav = find_field("Views", window)
    assert [nav.item(i).text() for i in range(nav.count()) if not nav.item(i).isHidden()][:3] == [
        "Dashboard", "Staff", "CPD log"]
    window.close_database()
