"""The release-cover workbook on paper: A4, as wide as one page at a size that reads, long columns wrapped.

The demo's cover sheet has lessons with set work, materials and technician notes a sentence long: printed
with each on one line, the sheet had to shrink to about a third of life size (4-point text) to fit the
page's width.
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from cpd_desktop.exports import run_export
from cpd_desktop.exports.xlsx.common import (
    SMALLEST_SCALE,
    WORTH_WRAPPING,
    _lines,
    band_ends,
    page_width_inches,
    printed_inches,
)
from cpd_desktop.models import Booking, CoverLesson, School
from cpd_desktop.services.database import open_database
from cpd_desktop.services.demo import build_demo
from cpd_desktop.storage.database import Database

TODAY = dt.date(2026, 12, 6)
LONG = ("Work set", "Where the materials are", "Work collected or homework", "Technician notes")
SHORT = ("Date", "Day", "Period", "Times", "Class", "Subject", "Room")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, int, int]]:
    folder = tmp_path_factory.mktemp("cover-demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPD_DESKTOP_DATA", str(folder))
        db = open_database(folder / "demo.sqlite", create=True)
        with db.session() as s:
            build_demo(s, seed=1, today=TODAY, cpd_log=False)
            school_id = s.scalar(select(School.id))
            # The booking whose cover sheet has the most lessons with their work set filled in.
            booking_id = s.scalar(select(CoverLesson.booking_id).where(CoverLesson.work_set.is_not(None))
                                  .group_by(CoverLesson.booking_id).order_by(func.count().desc()).limit(1))
        assert school_id is not None and booking_id is not None
        yield db, school_id, booking_id
        db.dispose()


@pytest.fixture(scope="module")
def cover(demo: tuple[Database, int, int], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, school_id, booking_id = demo
    out = tmp_path_factory.mktemp("cover-out") / "cover.xlsx"
    return run_export(db, school_id, "cover", "xlsx", out, booking_id=booking_id, today=TODAY)


def _columns(ws: Any) -> dict[str, tuple[str, float]]:
    """Header → (column letter, width)."""
    return {c.value: (c.column_letter, ws.column_dimensions[c.column_letter].width) for c in ws[1]}


def test_the_cover_sheet_prints_one_page_wide_landscape_with_its_header_on_every_page(
        cover: Path, demo: tuple[Database, int, int]) -> None:
    db, _school_id, booking_id = demo
    with db.session() as s:
        booking = s.get(Booking, booking_id)
        assert booking is not None
        staff, school = booking.staff, booking.staff.school.name
        first, last = booking.start_date, booking.end_date
        name = f"{staff.forename} {staff.surname}"
    ws = load_workbook(cover)["Cover lessons"]
    setup = ws.page_setup
    assert (int(setup.paperSize), setup.orientation) == (9, "landscape")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # one page wide, as many long as it takes
    assert ws.print_title_rows == "$1:$1"
    margins = ws.page_margins
    assert margins.left == margins.right == 0.4 and margins.top >= margins.header + 0.3
    header, footer = ws.HeaderFooter.oddHeader, ws.HeaderFooter.oddFooter
    assert header.left.text == school and name in header.center.text
    assert header.right.text == f"{first:%d/%m/%Y} to {last:%d/%m/%Y}"
    assert footer.right.text == "Page &P of &N" and footer.left.text == "&A"
    # As wide as the page at a readable size: at most about a third narrower than life, however LibreOffice
    # or Excel measure a character (it was 60 characters a long column, a third of life size).
    across = sum(printed_inches(width) for _letter, width in _columns(ws).values())
    assert page_width_inches("landscape") / across >= WORTH_WRAPPING, across


def test_long_columns_wrap_and_each_row_is_as_tall_as_its_text(cover: Path) -> None:
    ws = load_workbook(cover)["Cover lessons"]
    columns = _columns(ws)
    wrapped_rows = 0
    for row in range(2, ws.max_row + 1):
        lines = 1
        for head in LONG:
            letter, width = columns[head]
            cell = ws[f"{letter}{row}"]
            if cell.value and len(str(cell.value)) > width:  # longer than its column: wrapped, top first
                assert cell.alignment.wrap_text and cell.alignment.vertical == "top", (head, row)
                lines = max(lines, _lines(str(cell.value), width, 0.9))
        for head in SHORT:  # dates, times, classes: never wrapped, and as wide as what they hold
            letter, width = columns[head]
            cell = ws[f"{letter}{row}"]
            assert not cell.alignment.wrap_text, (head, row)
            shown = f"{cell.value:%d/%m/%Y}" if isinstance(cell.value, dt.datetime) else str(cell.value or "")
            assert len(shown) <= width, (head, row, shown, width)
        height = ws.row_dimensions[row].height
        if lines > 1:
            wrapped_rows += 1
            assert height is not None and height >= 15 * lines, (row, lines, height)
    assert wrapped_rows >= 3
    for head in LONG:
        assert columns[head][1] < 20, head  # narrowed from their sentence's length
    assert max(len(str(c.value or "")) for c in ws[columns["Work set"][0]]) > 60  # the demo's long set work


def test_lines_are_counted_as_a_column_wraps_them() -> None:
    assert _lines("Nothing to collect", 12, 0.9) == 2
    assert _lines("short", 12, 0.9) == 1
    assert _lines("one\ntwo\nthree", 40, 0.9) == 3  # a typed line break is a line
    assert _lines("x" * 50, 11, 0.9) == math.ceil(50 * 0.9 / 10)  # a word too long for a line is broken


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_cover_sheet_at_a_size_that_reads(cover: Path, tmp_path: Path) -> None:
    """Text 8.5 points or more (it was 4), every lesson printed, the school and page x of y on each page."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(cover)], check=True, capture_output=True, timeout=180)
    reader = PdfReader(tmp_path / "cover.pdf")
    ws = load_workbook(cover)["Cover lessons"]
    classes = [str(c.value) for c in ws[_columns(ws)["Class"][0]][1:]]
    pages = len(reader.pages)
    text = ""
    for n, page in enumerate(reader.pages, 1):
        page_text, sizes = _text_and_sizes(page)
        text += page_text
        assert f"Page {n} of {pages}" in page_text
        body = sizes.most_common(1)[0][0]
        assert body >= 8.5, (n, sizes)
    flat = " ".join(text.split())
    assert all(c in flat for c in classes)
    assert "Release cover:" in flat


def test_a_long_note_is_written_as_lines_no_wider_than_the_sheet() -> None:
    """A note running on past the sheet's last column made the printed page wider (the claims' Totals
    printed at 7 points for one sentence)."""
    from cpd_desktop.exports.xlsx.common import Styles, Writer, new_sheet, new_workbook

    wb = new_workbook("Notes", "Ashcombe Park Academy")
    styles = Styles(wb)
    note = ("The shortfall is what closed claims brought in short: on a paid claim it is money the funder paid "
            "short; on a rejected or withdrawn claim, money the school will not get.")
    rows = Writer(new_sheet(wb, "Totals"), styles).paragraph(note, 60, styles.note)
    lines = [row[0].value for row in rows]
    assert len(lines) == 4 and all(len(line) <= 58 for line in lines)
    assert " ".join(lines) == note


def test_bands_are_as_wide_as_the_page_at_a_size_that_reads() -> None:
    widths = [10.0, 12, 14, 40, 11.5, 60, 16, 16, 16, 16, 16, 30, 12.5, 12.5, 12.5, 60]
    ends = band_ends(widths, 3)
    room = page_width_inches("landscape") / SMALLEST_SCALE
    starts, stops = [3, *ends], [*ends, len(widths)]
    assert len(ends) >= 2 and ends == sorted(set(ends))
    for a, b in zip(starts, stops, strict=True):
        assert b > a and sum(printed_inches(w) for w in [*widths[:3], *widths[a:b]]) <= room, (a, b)
        if b < len(widths):  # full: the next column would not have fitted
            assert sum(printed_inches(w) for w in [*widths[:3], *widths[a:b + 1]]) > room, (a, b)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_cpd_log_too_wide_for_one_page_prints_in_bands_with_who_on_each(
        demo: tuple[Database, int, int], tmp_path: Path) -> None:
    """Its nineteen columns on one page's width printed at a third of life size; in bands, each page has the
    person's staff code and name and reads at 8 points or more."""
    db, school_id, _booking = demo
    out = run_export(db, school_id, "activities", "xlsx", tmp_path / "log.xlsx", year="2026/27", today=TODAY)
    ws = load_workbook(out)["Activities"]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.col_breaks.brk
    assert ws.print_title_cols == "$A:$C" and ws.print_title_rows == "$1:$1"
    assert (int(ws.page_setup.paperSize), ws.page_setup.orientation) == (9, "landscape")
    assert 80 <= ws.page_setup.scale <= 100
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    seen: set[str] = set()
    for page in PdfReader(tmp_path / "log.pdf").pages[:-1]:  # the last: the About sheet
        text, sizes = _text_and_sizes(page)
        flat = " ".join(text.split())
        assert "Staff code Forename Surname" in flat and sizes.most_common(1)[0][0] >= 8, (flat[:200], sizes)
        seen |= {h for h in ("Title", "Provider", "Evaluated on", "Impact") if h in flat}
    assert seen == {"Title", "Provider", "Evaluated on", "Impact"}


def _text_and_sizes(page: Any) -> tuple[str, collections.Counter[float]]:
    """A PDF page's text, and how many characters it prints at each size (points, as on the paper)."""
    sizes: collections.Counter[float] = collections.Counter()

    def seen(words: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if words.strip():
            scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes[round(size * scale, 1)] += len(words.strip())

    return page.extract_text(visitor_text=seen), sizes
