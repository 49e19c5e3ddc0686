"""Every export a school can make, from File → Export…: each kind in each of its formats is chosen in
the dialog, written to the file named there, announced when done, and read back as the person's own
tools would (a PDF with pages, a workbook with rows, a CSV with its header)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from .conftest import (
    OFFSCREEN_LIMITS,
    answer_modal,
    answering,
    choose,
    choose_menu,
    click,
    find_button,
    find_field,
    type_into,
    watch_for,
)

# What the Export dialog offers a school (the trust comparison is offered in the Trust view only)
KINDS = {
    "Department CPD summary": ("PDF (to print or send)", "Excel workbook"),
    "CPD log": ("PDF (to print or send)", "Excel workbook"),
    "Bursary claims": ("PDF (to print or send)", "Excel workbook"),
    "Release-cover sheet": ("PDF (to print or send)", "Excel workbook"),
    "Individual CPD record": ("PDF (to print or send)",),
    "Cover absences for the MIS": ("Excel workbook", "CSV (plain text)"),
    "CPD budget": ("PDF (to print or send)", "Excel workbook"),
    "Impact of CPD": ("PDF (to print or send)", "Excel workbook"),
}
SUFFIX = {"PDF (to print or send)": ".pdf", "Excel workbook": ".xlsx", "CSV (plain text)": ".csv"}


def _read_back(path: Path) -> str:
    """What a person opening the file would see first (and a check that it opens)."""
    if path.suffix == ".pdf":
        reader = PdfReader(path)
        assert len(reader.pages) >= 1
        return reader.pages[0].extract_text()
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        sheet = book.worksheets[0]
        rows = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(max_row=12, values_only=True)]
        book.close()
        return "\n".join(" ".join(r) for r in rows)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) >= 2, rows  # a header and at least one absence
    return "\n".join(",".join(r) for r in rows)


@OFFSCREEN_LIMITS
def test_every_export_from_file_export_writes_its_file(window: Any, qtbot: Any, tmp_path: Path) -> None:
    offered: list[str] = []
    written: dict[str, str] = {}
    for kind, formats in KINDS.items():
        for fmt in formats:
            path = tmp_path / f"{kind} {fmt.split(' ')[0]}{SUFFIX[fmt]}"

            def fill(dialog: Any, kind: str = kind, fmt: str = fmt, path: Path = path) -> None:
                what = find_field("What to export", dialog)
                offered[:] = [what.itemText(i) for i in range(what.count())]
                choose(qtbot, what, kind)
                choose(qtbot, find_field("Format", dialog), fmt)
                type_into(qtbot, find_field("File", dialog), str(path))
                click(qtbot, find_button("Export", dialog))

            done = watch_for(qtbot, answer_modal(qtbot, "Close", expect=path.name), title="Export written",
                             timeout_s=30)
            with answering(qtbot, fill, title="Export"):
                choose_menu(qtbot, window, "File", "Export…")
            done.wait()
            assert path.exists() and path.stat().st_size > 0, path
            written[path.name] = _read_back(path)
    assert set(offered) == set(KINDS)  # nothing offered that this test does not write
    assert len(written) == sum(len(f) for f in KINDS.values()) == 15
    assert "Ashcombe Park Academy" in written["Department CPD summary PDF.pdf"]
    assert "Staff code" in written["CPD log Excel.xlsx"] and "Forename" in written["CPD log Excel.xlsx"]
    assert "Findings" in written["Impact of CPD PDF.pdf"] and "Hours of CPD" in written["Impact of CPD Excel.xlsx"]
