"""Every export a school can make, from the Reports view this time (File → Export… is walked in
test_exports.py): each report is clicked in the list, each of its formats chosen with the keyboard, Export…
pressed, the file named in the save dialog, the "Export written" notice closed with its button, and the file
read back as a person's own tools would open it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from .conftest import (
    OFFSCREEN_LIMITS,
    answer_modal,
    answering,
    choose,
    click,
    find_button,
    find_field,
    go_to,
    save_file_as,
    watch_for,
)
from .test_exports import KINDS, SUFFIX, _read_back


@OFFSCREEN_LIMITS
def test_every_export_from_the_reports_view_writes_its_file(window: Any, qtbot: Any, tmp_path: Path) -> None:
    go_to(qtbot, window, "Reports")
    reports = find_field("Reports", window, QListWidget)
    listed = [reports.item(i).text() for i in range(reports.count())]
    assert set(KINDS) <= set(listed), listed  # at least every report File → Export… offers a school
    written: dict[str, str] = {}
    for kind in listed:  # every report the view lists, in every format it offers
        item = reports.item(listed.index(kind))
        reports.scrollToItem(item)
        qtbot.mouseClick(reports.viewport(), Qt.MouseButton.LeftButton, pos=reports.visualItemRect(item).center())
        qtbot.waitUntil(lambda item=item: reports.currentItem() is item)
        fmt_combo = find_field("Format", window)
        formats = [fmt_combo.itemText(i) for i in range(fmt_combo.count())]
        assert formats and set(formats) <= set(SUFFIX), (kind, formats)
        if kind in KINDS:
            assert formats == list(KINDS[kind]), (kind, formats)  # as File → Export… offers it
        for fmt in formats:
            choose(qtbot, fmt_combo, fmt)
            path = tmp_path / f"{kind} {fmt.split(' ')[0]}{SUFFIX[fmt]}"
            export = find_button("Export", window)
            qtbot.waitUntil(export.isEnabled)
            done = watch_for(qtbot, answer_modal(qtbot, "Close", expect=path.name), title="Export written",
                             timeout_s=30)
            with answering(qtbot, save_file_as(qtbot, path)):
                click(qtbot, export)
            done.wait()
            assert path.exists() and path.stat().st_size > 0, path
            written[path.name] = _read_back(path)
    assert len(written) >= sum(len(f) for f in KINDS.values()) == 15
    assert "Ashcombe Park Academy" in written["Department CPD summary PDF.pdf"]
    assert "Staff code" in written["CPD log Excel.xlsx"]
