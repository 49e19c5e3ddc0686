"""File → Import history: the school's imports listed, and one taken back out whole from the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cpd_desktop.imports import run_import
from cpd_desktop.models import Activity, School, Staff


def _import_two(window: Any, tmp_path: Path) -> tuple[int, int]:
    """Two CPD records for the demo school's first member of staff, imported from a CSV file."""
    db, school_id = window.ctx.db, window.ctx.school_id
    with db.session() as s:
        code = s.scalars(select(Staff.staff_code).where(Staff.school_id == school_id, Staff.staff_code.is_not(None))
                         .order_by(Staff.id)).first()
    path = tmp_path / "cpd history.csv"
    path.write_text("Staff code,Date,Title,Hours\n"
                    f"{code},01/10/2025,Practical work in physics,3\n"
                    f"{code},02/10/2025,Required practicals refresher,2.5\n", encoding="utf-8")
    with db.session() as s:
        result = run_import(s, s.get(School, school_id), "activities", path)
    assert result.new == 2 and result.batch_id is not None
    return result.batch_id, school_id


def _count(window: Any, batch_id: int) -> int:
    with window.ctx.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Activity).where(Activity.import_batch_id == batch_id)))


def test_an_import_is_listed_and_taken_back_out_from_the_window(demo_window: Any, tmp_path: Path, qtbot: Any) -> None:
    from cpd_desktop.ui.dialogs.imports import ImportHistoryDialog

    batch_id, school_id = _import_two(demo_window, tmp_path)
    assert demo_window.act_import_history.isEnabled()
    dialog = ImportHistoryDialog(demo_window.ctx.db, school_id, demo_window)
    qtbot.addWidget(dialog)
    row = dialog.rows[0]
    assert (row["id"], row["file"], row["new"], row["updated"], row["undone"]) == (
        batch_id, "cpd history.csv", 2, 0, False)
    assert row["kind"] == "CPD history" or row["kind"]  # the wizard's label for the kind
    assert "/" in row["when"]  # dd/mm/yyyy
    assert dialog.table.item(0, 3).text() == "cpd history.csv" and dialog.undo_button.isEnabled()
    undone: list[Any] = []
    dialog.undone.connect(undone.append)
    dialog.undo_selected()
    qtbot.waitUntil(lambda: bool(undone), timeout=30_000)
    assert undone[0].removed == 2 and _count(demo_window, batch_id) == 0
    assert f"Undid import {batch_id} (cpd history.csv): 2 removed" in dialog.status.text()
    assert dialog.rows[0]["undone"] and dialog.table.item(0, 7).text() == "undone"
    assert not dialog.undo_button.isEnabled()


def test_an_import_changed_since_is_not_undone_and_the_reason_is_shown(demo_window: Any, tmp_path: Path, qtbot: Any,
                                                                         shown_errors: list[dict[str, Any]]) -> None:
    from cpd_desktop.ui.dialogs.imports import ImportHistoryDialog

    batch_id, school_id = _import_two(demo_window, tmp_path)
    with demo_window.ctx.db.session() as s:
        record = s.scalars(select(Activity).where(Activity.import_batch_id == batch_id)).first()
        record.title = "Practical work in physics (with notes)"
    dialog = ImportHistoryDialog(demo_window.ctx.db, school_id, demo_window)
    qtbot.addWidget(dialog)
    dialog.undo_selected()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=30_000)
    assert "changed since it was imported" in shown_errors[-1]["message"] and not shown_errors[-1].get("is_bug")
    assert _count(demo_window, batch_id) == 2 and not dialog.rows[0]["undone"]


def test_a_read_only_database_lists_imports_but_offers_no_undo(demo_window: Any, tmp_path: Path, qtbot: Any) -> None:
    from cpd_desktop.ui.dialogs.imports import ImportHistoryDialog

    _batch_id, school_id = _import_two(demo_window, tmp_path)
    dialog = ImportHistoryDialog(demo_window.ctx.db, school_id, demo_window, readonly=True)
    qtbot.addWidget(dialog)
    assert dialog.rows and not dialog.undo_button.isEnabled()
    dialog.grab().save(str(tmp_path / "import-history.png"))
    import os
    if os.environ.get("CPD_SHOT"):
        dialog.grab().save(os.environ["CPD_SHOT"])
