"""The dashboard's figures and the text it shows of them, headless (``services.dashboard``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from cpd_desktop.services.dashboard import CARDS, DashboardData, dashboard_face, load_dashboard
from cpd_desktop.services.schools import list_schools
from cpd_desktop.services.years import current_academic_year
from cpd_desktop.storage.database import Database

TODAY = dt.date(2025, 11, 20)


def test_the_face_shows_the_figures_in_words_and_survives_json(db: Database) -> None:
    from cpd_desktop.services.demo import build_demo

    with db.session() as s:
        build_demo(s, seed=3, today=TODAY)
    with db.session() as s:
        school = list_schools(s)[0]
        school_id, year = school.id, current_academic_year(school, TODAY)
    data = load_dashboard(db, school_id, year, None, TODAY)
    assert data.marker is not None and data.marker > 0  # the file's change counter, read first
    face = dashboard_face(data)
    assert json.loads(json.dumps(face)) == face  # plain JSON data, as the first look keeps it
    assert list(face["cards"]) == list(CARDS)
    value, caption, _tone = face["cards"]["hours"]
    assert value == f"{data.hours:,.0f} h of {data.target:,.0f} h" and f"of {data.staff} staff" in caption
    assert face["cards"]["money"][0].startswith("£") and "." in face["cards"]["money"][0]  # pence shown
    assert face["subtitle"].startswith(f"{year.label}, all departments.")
    assert len(face["people"]) == len(data.people) and len(face["upcoming"]) == len(data.upcoming)
    assert [c[2] for c in face["claims"]] == [True] * len(data.past_deadline) + [False] * len(data.near_deadline)
    science = load_dashboard(db, school_id, year, "Physics", TODAY)
    assert dashboard_face(science)["subtitle"].startswith(f"{year.label}, Physics.")
    assert science.hours <= data.hours


def test_the_cards_say_when_targets_are_met_and_when_nothing_is_due() -> None:
    data = DashboardData(year_label="2025/26", staff=2, hours=Decimal("80"), target=Decimal("70"), met_target=2,
                         subject_share=60.0, all_parts_share=None, expected=Decimal("1234.5"))
    face = dashboard_face(data)
    assert face["cards"]["hours"] == ["80 h of 70 h", "114% of target · 2 of 2 staff have met theirs", "good"]
    assert face["cards"]["subject"][2] == "good" and face["cards"]["overdue"] == [
        "0", "evaluation stages overdue", "good"]
    assert face["cards"]["money"][0] == "£1,234.50"
    assert face["cards"]["deadlines"] == ["0", "0 past the deadline · 0 due within 3 weeks", "good"]
    assert face["upcoming"] == [] and face["claims"] == [] and face["marker"] is None
