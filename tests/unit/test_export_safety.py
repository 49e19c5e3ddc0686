"""What keeps exports safe to open: literal text, refused over-long cells, no half-written files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpd_desktop.errors import CpdError
from cpd_desktop.exports.safety import (
    ExportCancelled,
    Ticker,
    atomic_output,
    cell_text,
    check_output,
    csv_text,
    markup,
    plain_text,
)


def test_control_characters_are_removed_but_line_breaks_kept() -> None:
    assert plain_text("Wave\x00s\x07 and\u202e optics\r\nday two\rthree") == "Waves and optics\nday two\nthree"


def test_markup_prints_literally_in_a_paragraph() -> None:
    from reportlab.platypus import Paragraph

    from cpd_desktop.exports.pdf.template import make_styles

    hostile = '<a href="http://evil.example">x</a> <font size=60 color=white>hidden</font> unclosed <b>bold & co'
    escaped = markup(hostile)
    assert "<" not in escaped and ">" not in escaped
    para = Paragraph(escaped, make_styles().body)  # an unclosed <b> would raise here if it were markup
    assert "".join(frag.text for frag in para.frags) == hostile


def test_csv_cells_that_look_like_formulas_get_an_apostrophe() -> None:
    assert csv_text("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [csv_text(t) for t in ("+1", "-2", "@SUM(A1)", "\t=1")] == ["'+1", "'-2", "'@SUM(A1)", "'\t=1"]
    assert csv_text("Łukasz Zając") == "Łukasz Zając"


def test_text_longer_than_an_excel_cell_is_refused_not_cut() -> None:
    assert cell_text("x" * 32_767, "Impact") == "x" * 32_767
    with pytest.raises(CpdError, match="32,768 characters.*at most 32,767"):
        cell_text("x" * 32_768, "Activities sheet, row 2, Impact")


def test_a_failed_export_leaves_the_old_file_untouched_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"the old report")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half a rep")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


def test_a_finished_export_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"old")
    with atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


def test_the_output_must_be_in_a_real_folder_with_the_right_ending(tmp_path: Path) -> None:
    with pytest.raises(CpdError, match="does not exist"):
        check_output(tmp_path / "nowhere" / "x.pdf", (".pdf",))
    with pytest.raises(CpdError, match=r"does not end in \.xlsx"):
        check_output(tmp_path / "x.pdf", (".xlsx",))
    assert check_output(tmp_path / "X.PDF", (".pdf",)) == tmp_path / "X.PDF"


def test_progress_is_reported_and_cancel_stops_the_work() -> None:
    seen: list[tuple[int, int]] = []
    stop = {"now": False}
    ticker = Ticker(1000, lambda done, total: seen.append((done, total)), lambda: stop["now"], every=100)
    for _ in range(250):
        ticker.step()
    assert seen == [(100, 1000), (200, 1000)]
    stop["now"] = True
    with pytest.raises(ExportCancelled, match="no file was written"):
        for _ in range(100):
            ticker.step()
