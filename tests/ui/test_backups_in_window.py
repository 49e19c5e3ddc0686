"""The window keeps the school's file backed up by itself: on opening, and on a timer while open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import cpd_desktop.services.backups as backups
from cpd_desktop.services.backups import list_backups


def test_opening_a_changed_file_backs_it_up_and_the_timer_backs_up_again_when_due(
        demo_window: Any, qtbot: Any, monkeypatch: Any) -> None:
    window = demo_window
    db = window.ctx.db
    qtbot.waitUntil(lambda: any(b.path.name.endswith("on-open.sqlite") for b in list_backups(db)), timeout=15000)
    assert db.verified and not db.damaged
    before = len(list_backups(db))
    # Nothing changed since: the timer makes no new backup…
    window.backup_if_due()
    qtbot.waitUntil(lambda: window._backing_up is None, timeout=15000)
    assert len(list_backups(db)) == before
    # …but after a change, and once the newest backup is old enough, it does.
    with db.session() as s:
        from cpd_desktop.services.schools import choose_school

        choose_school(s, None).postcode = "YO1 7HH"

    real = backups.backup_if_due
    monkeypatch.setattr(backups, "backup_if_due",
                        lambda d: real(d, now=dt.datetime.now() + dt.timedelta(hours=1)))
    window.backup_if_due()
    qtbot.waitUntil(lambda: window._backing_up is None, timeout=15000)
    assert any(b.path.name.endswith("scheduled.sqlite") for b in list_backups(db))
