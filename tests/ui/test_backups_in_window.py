"""The window keeps the school's file backed up by itself: on opening, and on a timer while open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import cpd_desktop.storage.backups as backups
from cpd_desktop.storage.backups import list_backups


def test_opening_a_changed_file_backs_it_up_and_the_timer_backs_up_again_when_due(
        demo_window: Any, qtbot: Any, monkeypatch: Any) -> None:
    window = demo_window
    db = window.ctx.db
    qtbot.waitUntil(lambda: any(b.path.name.endswith("on-open.sqlite") and b.has_manifest
                                for b in list_backups(db)), timeout=15000)
    assert db.verified and not db.damaged
    before = len(list_backups(db))
    # Nothing changed since: the timer makes no new backup…
    window.database.backup_if_due()
    qtbot.waitUntil(lambda: window.database.backing_up is None, timeout=15000)
    assert len(list_backups(db)) == before
    # …but after a change, and once the newest backup is old enough, it does.
    with db.session() as s:
        from cpd_desktop.services.schools import choose_school

        choose_school(s, None).postcode = "YO1 7HH"

    real = backups.backup_if_due
    monkeypatch.setattr(backups, "backup_if_due",
                        lambda d: real(d, now=dt.datetime.now() + dt.timedelta(hours=1)))
    window.database.backup_if_due()
    qtbot.waitUntil(lambda: window.database.backing_up is None, timeout=15000)
    assert any(b.path.name.endswith("scheduled.sqlite") for b in list_backups(db))


def test_settings_show_the_backups_and_let_the_folder_be_changed(demo_window: Any, qtbot: Any,
                                                                  monkeypatch: Any, tmp_path: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    window = demo_window
    db = window.ctx.db
    qtbot.waitUntil(lambda: any(b.has_manifest for b in list_backups(db)), timeout=15000)
    window.show_view("settings")
    view = window.pages["settings"]
    view.tabs.setCurrentWidget(view.backups_form)
    view.reload()
    assert "1 backup of this file. The newest:" in view.backups_form.summary.text()
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(elsewhere))
    view.backups_form.choose()
    assert view.backups_form.folder.text() == str(elsewhere)
    assert backups.backup_database(db).path.parent == elsewhere
    view.backups_form.use_default()
    assert view.backups_form.folder.text() != str(elsewhere)
    view.grab().save(str(tmp_path / "settings-backups.png"))
