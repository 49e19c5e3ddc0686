"""The Reports view's preview of the department CPD summary counts the people the dashboard counts: staff inside
the CPD target, their hours and how many have met it, with technicians listed but not counted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from .test_export_choices import label_texts
from .test_first_week_blockers import WAIT, go_to_view


def figure(window: Any, name: str) -> str:
    """The value shown under a figure's name (the preview's labels come in name, value pairs)."""
    texts = label_texts(window)
    return texts[texts.index(name) + 1]


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing the keyboard")
def test_the_summary_preview_and_the_dashboard_give_the_same_staff_hours_and_met(qtbot: QtBot,
                                                                                 demo_window: Any) -> None:
    window = demo_window
    go_to_view(qtbot, window, "Dashboard")
    card = re.compile(r"of target · (\d+) of (\d+) staff have met theirs")
    qtbot.waitUntil(lambda: any(card.search(t) for t in label_texts(window)), timeout=WAIT)
    met, staff = next(m.groups() for t in label_texts(window) if (m := card.search(t)))
    hours = next(m.group(1) for t in label_texts(window) if (m := re.fullmatch(r"([\d,]+) h of [\d,]+ h", t)))

    go_to_view(qtbot, window, "Reports")  # the department CPD summary is the first report, chosen on arrival
    qtbot.waitUntil(lambda: "Staff in the target" in label_texts(window), timeout=WAIT)
    assert figure(window, "Staff in the target") == staff
    assert figure(window, "Met their target") == f"{met} of {staff}"
    assert f"{float(figure(window, 'Hours')):,.0f}" == hours
    assert figure(window, "Outside the target, not counted") == "1"  # the demo's technician
