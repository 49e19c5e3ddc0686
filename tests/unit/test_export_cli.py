"""``cpd-desktop export …``: the contract's exports work, impossible ones are refused plainly."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from cpd_desktop.cli import main
from cpd_desktop.models import School
from cpd_desktop.storage.database import Database

from .test_export_xlsx import build_sample


@pytest.fixture
def sample(db: Database, school: School) -> dict[str, Any]:
    return build_sample(db, school.id)


@pytest.mark.parametrize(("kind", "fmt"), [("summary", "pdf"), ("summary", "xlsx"), ("activities", "xlsx"),
                                           ("claims", "xlsx"), ("activities", "pdf"), ("claims", "pdf"),
                                           ("absences", "xlsx"), ("absences", "csv")])
def test_each_export_is_written(db_path: Path, sample: dict, tmp_path: Path, kind: str, fmt: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"{kind}.{fmt}"
    assert main(["--db", str(db_path), "export", kind, "--year", "2025/26", "--format", fmt,
                 "--output", str(out)]) == 0
    assert out.stat().st_size > 0 and f"written to {out}" in capsys.readouterr().out


def test_cover_and_staff_record_take_their_booking_and_person(db_path: Path, sample: dict, tmp_path: Path) -> None:
    assert main(["--db", str(db_path), "export", "cover", "--booking", str(sample["booking_id"]),
                 "--output", str(tmp_path / "cover.pdf")]) == 0  # the format from the file name
    assert main(["--db", str(db_path), "export", "staff-record", "--staff", "LZA", "--format", "pdf",
                 "--output", str(tmp_path / "lza.pdf")]) == 0
    assert (tmp_path / "cover.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("args", "message"), [
    (["staff-record", "--staff", "LZA", "--format", "xlsx"], "no xlsx individual cpd record: it exports as pdf"),
    (["absences", "--format", "pdf"], "no pdf cover absences for the mis: it exports as xlsx or csv"),
    (["cover", "--format", "pdf"], "for one booking"),
    (["staff-record", "--format", "pdf"], "for one person"),
])
def test_an_export_that_does_not_exist_is_a_usage_error(db_path: Path, sample: dict, tmp_path: Path,
                                                        args: list[str], message: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db_path), "export", *args, "--output", str(tmp_path / "x.out")])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err.lower()
    assert list(tmp_path.glob("x.*")) == []


@pytest.mark.parametrize(("args", "message"), [
    (["summary", "--department", "Art", "--output", "{tmp}/s.pdf"], "has no department called Art"),
    (["cover", "--booking", "999", "--output", "{tmp}/c.pdf"], "There is no booking 999"),
    (["staff-record", "--staff", "ZZZ", "--output", "{tmp}/r.pdf"], "No member of staff has the code ZZZ"),
    (["summary", "--output", "{tmp}/missing/s.pdf"], "does not exist"),
    (["summary", "--format", "xlsx", "--output", "{tmp}/s.pdf"], "does not end in .xlsx"),
    (["summary", "--year", "2025/27", "--output", "{tmp}/s.pdf"], "not an academic year"),
])
def test_a_user_error_is_one_clear_line_and_no_file(db_path: Path, sample: dict, tmp_path: Path, args: list[str],
                                                    message: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["--db", str(db_path), "export", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".pdf", ".xlsx", ".part")]


def test_exports_load_no_pdf_or_excel_library_until_used() -> None:
    import subprocess

    code = ("import sys, cpd_desktop.exports, cpd_desktop.cli; cpd_desktop.cli.build_parser(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'reportlab', 'PySide6'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
