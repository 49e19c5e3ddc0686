"""The PDFs, read back with pypdf as a reader's PDF viewer (or a screen reader, or a search) would."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from cpd_desktop.exports import ExportCancelled, run_export
from cpd_desktop.models import School
from cpd_desktop.storage.database import Database

from .test_export_xlsx import HOSTILE, TODAY, build_sample


@pytest.fixture
def sample(db: Database, school: School) -> dict[str, Any]:
    return build_sample(db, school.id)


def pages(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def fonts(path: Path) -> set[str]:
    found = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


def test_a_three_day_course_gives_three_cover_pages(db: Database, sample: dict, tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "cover", "pdf", tmp_path / "cover.pdf", booking_id=sample["booking_id"],
                     today=TODAY)
    text = pages(out)
    assert len(text) == 3
    for n, (page, day) in enumerate(zip(text, ("Monday 09/02/2026", "Tuesday 10/02/2026", "Wednesday 11/02/2026"),
                                        strict=True), 1):
        assert f"{day} (day {n} of 3)" in page
        assert "Łukasz Zając (LZA), Physics" in page
        assert "CPD: Practical physics for non-specialists, National STEM Learning Centre" in page
        assert "Test Academy" in page and f"Page {n} of 3" in page
        assert "Cover teacher's name:" in page and "Feedback for Łukasz Zając" in page
    monday, tuesday, wednesday = text
    assert "11Z/Ph1" in monday and "Graph the results <b>carefully" in monday and "Ray boxes out for P1" in monday
    assert "Blue folder on the desk" in monday and "Work collected in" in monday and "08:50–09:50" in monday
    assert "9Y/Ph" in tuesday and "Retrieval quiz on the slides" in tuesday
    # Nothing entered for Wednesday: the timetabled lesson is there, asking for work to be set.
    assert "10X/Ph2" in wednesday and "not entered yet" in wednesday
    reader = PdfReader(out)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    assert reader.metadata.title == "Release cover: Łukasz Zając"


def test_names_print_in_dejavu_and_hostile_markup_prints_literally(db: Database, sample: dict,
                                                                    tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "activities", "pdf", tmp_path / "log.pdf", year="2025/26",
                     today=TODAY)
    text = " ".join(pages(out))
    for name in ("Łukasz Zając", "Nguyễn Thị Mai", "Siobhán Ó Dálaigh"):
        assert name in text
    solid = "".join(text.split())  # a title wrapped over lines in its cell still reads in order
    for key, hostile in HOSTILE.items():
        if key != "minus":  # that one is an evaluation's impact: in the individual record, not the log
            assert "".join(hostile.split()) in solid, hostile
    assert "Last year's course" not in text
    assert all("DejaVuSans" in f for f in fonts(out))  # no Helvetica: it draws boxes for Ł, ą, ễ
    for page in PdfReader(out).pages:
        assert "/Annots" not in page  # an <a href> in a title made no live link


def test_every_page_names_the_school_title_page_count_and_date(db: Database, sample: dict, tmp_path: Path):
    out = run_export(db, sample["school_id"], "summary", "pdf", tmp_path / "s.pdf", year="2025/26", today=TODAY)
    text = pages(out)
    assert len(text) >= 2
    for n, page in enumerate(text, 1):
        assert page.startswith("Test Academy CPD summary 2025/26: Whole school")
        assert "Produced 20/03/2026 by CPD Desktop" in page and f"Page {n} of {len(text)}" in page
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_summary_pdf_states_the_figures_governors_ask_for(db: Database, sample: dict, tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "summary", "pdf", tmp_path / "s.pdf", year="2025/26", today=TODAY)
    text = " ".join(pages(out))
    # 30.75 hours against 35 + 28 + 35 = 98 pro rata; 28.5 subject-specific; 3 meet all five parts
    assert "recorded 30.75 hours of CPD in 2025/26: 31% of the pro-rata target of 98 hours" in text
    assert "0 of 3 met their own target" in text
    assert "93% of the hours were subject-specific" in text
    assert "10% of the hours met all five parts of the DfE Standard" in text
    assert "1 of 5 activities have been evaluated" in text
    assert "CPD cost £1,939.70 including £873.00 of supply cover" in text
    assert "Bursaries expected: £960.00" in text
    assert "Hours of CPD recorded" in text  # the chart's legend
    assert "Nguyễn Thị Mai" in text and "Total (3 in the target)" in text


def test_long_tables_split_across_pages_with_their_header_repeated(tmp_path: Path) -> None:
    from cpd_desktop.exports.pdf.log import write_log_pdf
    from cpd_desktop.exports.rows import ActivityRow

    rows = [ActivityRow(i, 1, "LZA", "Łukasz", "Zając", "Physics", dt.date(2025, 9, 1) + dt.timedelta(days=i % 300),
                        None, f"Course number {i}", "Institute of Physics", "webinar", Decimal("1.50"), True,
                        (True, False, True, False, True), None, None, None) for i in range(1200)]
    write_log_pdf(rows, "Test Academy", "2025/26", tmp_path / "log.pdf")
    text = pages(tmp_path / "log.pdf")
    assert len(text) > 20
    for page in text[1:]:
        assert re.search(r"Date Title Provider Format Hours Subject specific DfE Standard parts Evaluate", page)
    assert "Course number 0 " in text[0] and "Course number 1199" in text[-1]
    assert "1200 activities, 1800 hours in all." in text[-1]


def test_a_very_long_text_continues_on_the_next_page_instead_of_failing(tmp_path: Path) -> None:
    from cpd_desktop.exports.pdf.log import write_log_pdf
    from cpd_desktop.exports.rows import ActivityRow

    title = " ".join(f"word{i}" for i in range(1500)) + " " + "x" * 400  # and one unbreakable "word"
    row = ActivityRow(1, 1, "LZA", "Łukasz", "Zając", None, dt.date(2025, 9, 1), None, title, None, "webinar",
                      Decimal("1.00"), False, (False,) * 5, None, None, None)
    write_log_pdf([row], "Test Academy", "2025/26", tmp_path / "log.pdf")
    text = " ".join(pages(tmp_path / "log.pdf"))
    assert "word0 " in text and "word1499" in text and len(PdfReader(tmp_path / "log.pdf").pages) >= 2


def test_claims_report_lists_cost_heads_money_and_totals(db: Database, sample: dict, tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "claims", "pdf", tmp_path / "c.pdf", year="2025/26",
                     today=dt.date(2026, 5, 1))
    text = " ".join(pages(out))
    assert "2 claims · expected £960.00 · received £0.00 · still to come £960.00" in text
    assert "1 draft claim past the deadline" in text
    assert "£650.00 £46.20 £220.00 £30.00 £873.00 £660.00 £660.00" in text  # cost heads, expected, claimed
    assert "SCP-1" in text and "CPD-SCI" in text and "PAST DEADLINE" in text
    assert "Totals by status" in text and "Totals by scheme" in text


def test_staff_record_holds_everything_about_the_person(db: Database, sample: dict, tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "staff-record", "pdf", tmp_path / "r.pdf", staff_code="lza",
                     today=TODAY)
    text = " ".join(pages(out))
    assert "Individual CPD record: Łukasz Zając" in text and "lza@example.org" in text
    solid = "".join(text.split())
    assert "".join(HOSTILE["formula"].split()) in solid and HOSTILE["minus"] in text  # activity, its impact
    assert "Practical physics for non-specialists" in text and "£1,819.20" in text  # the booking's total
    assert "Residential bursary" in text and "Ogden grant" in text
    assert "10X/Ph2" in text  # the timetable held
    assert "Audit trail" in text and "Added Staff LZA" in text and "Added CPD activity" in text
    assert "Nguyễn" not in text  # nobody else's records


def test_cancelling_a_pdf_leaves_nothing_behind(db: Database, sample: dict, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 2  # stop once writing has begun

    with pytest.raises(ExportCancelled):
        run_export(db, sample["school_id"], "activities", "pdf", folder / "log.pdf", year="2025/26",
                   cancelled=cancelled)
    assert calls["n"] > 2 and list(folder.iterdir()) == []
