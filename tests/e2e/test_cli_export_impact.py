"""``export impact --format pdf|xlsx --output FILE [--year …]``, run as a head of science runs it: the PDF
carries the Impact view's charts, each outcome chart with the side-by-side words; every page is drawn."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .test_cli import APP, run

pytestmark = pytest.mark.skipif(not APP.exists(), reason="cpd-desktop is not installed in this environment")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("cli-export-impact-data")
    path = tmp_path_factory.mktemp("export-impact-demo") / "demo.sqlite"
    result = run("--db", path, "demo", "--today", "15/01/2026", data=data)
    assert result.returncode == 0, result.stderr
    return path, data


def test_export_impact_writes_a_pdf_with_its_charts_and_a_workbook(demo: tuple[Path, Path], tmp_path: Path) -> None:
    path, data = demo
    pdf = tmp_path / "impact.pdf"
    result = run("--db", path, "export", "impact", "--format", "pdf", "--output", pdf, "--year", "2025/26",
                 data=data)
    assert result.returncode == 0, result.stderr
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for title in ("Evaluation stages, 2025/26", "Confidence by priority, 2025/26", "Confidence by programme, 2025/26",
                  "Sustained share of CPD hours, by year", "Teachers still in post a year later (%)",
                  "GCSE science grade 4+"):
        assert title in text
    # four indicator charts, retention, and the two tables that put outcomes beside CPD
    assert text.count("Shown side by side; this does not show that one caused the other.") == 7
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
        assert len(list(tmp_path.glob("page-*.png"))) >= 3

    book = tmp_path / "impact.xlsx"
    result = run("--db", path, "export", "impact", "--format", "xlsx", "--output", book, "--year", "2025/26",
                 data=data)
    assert result.returncode == 0, result.stderr
    assert load_workbook(book).sheetnames  # a workbook, as before


def test_export_impact_refuses_an_unknown_format(demo: tuple[Path, Path], tmp_path: Path) -> None:
    path, data = demo
    result = run("--db", path, "export", "impact", "--format", "docx", "--output", tmp_path / "x.docx", data=data)
    assert result.returncode != 0 and not (tmp_path / "x.docx").exists()
