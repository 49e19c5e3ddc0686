"""What finance and the printer get: the claims workbook's shortfall, periods and live totals, print set-up
on every workbook, claims PDF columns that break no word, one rounding per figure, plurals, file names and
file permissions. Workbooks are read back with openpyxl and, where it is installed, recalculated and
printed by LibreOffice."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from cpd_desktop.cli import main
from cpd_desktop.exports import KINDS, claim_periods, run_export, suggested_filename
from cpd_desktop.exports.pdf.claims import SIZE, claim_cells, claim_columns
from cpd_desktop.exports.pdf.template import BOLD, FONT, PAD
from cpd_desktop.exports.rows import claim_rows
from cpd_desktop.models import BursaryClaim, School
from cpd_desktop.services import bursaries
from cpd_desktop.services.formatting import format_fte, format_money, format_per_fte, plural
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage.database import Database

from .test_export_xlsx import build_sample, evaluate

MAY = dt.date(2026, 5, 1)
LIBREOFFICE = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.fixture
def sample(db: Database, school: School) -> dict[str, Any]:
    return build_sample(db, school.id)


@pytest.fixture
def paid_short(db: Database, sample: dict) -> dict:
    """The residential claim (£660 expected) approved and paid £440: £220 short, nothing 'still to come'."""
    with db.session() as s:
        claim = next(c for c in s.query(BursaryClaim) if c.status == "submitted")
        bursaries.transition_claim(s, claim, "approved", on="01/03/2026")
        bursaries.transition_claim(s, claim, "paid", on="20/03/2026", amount="440")
    return sample


def libreoffice(path: Path, target: str, folder: Path, sheet: int = 1) -> Path:
    """Recalculate (and, for pdf, print) a workbook as LibreOffice would; returns the file it wrote."""
    filters = {"csv": f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}",
               "pdf": "pdf"}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless", "--convert-to",
                    filters[target], "--outdir", str(folder), str(path)], check=True, capture_output=True,
                   timeout=180)
    if target == "pdf":
        return folder / f"{path.stem}.pdf"
    return next(folder.glob(f"{path.stem}-*.csv"))


def headers_of(ws: Any) -> list[Any]:
    return [c.value for c in ws[1]]


def totals(wb: Any) -> dict[tuple[str, str, str], Any]:
    """(block, row label, column header) → the formula's value, worked out as Excel would."""
    ws = wb["Totals"]
    out: dict[tuple[str, str, str], Any] = {}
    block, heads = "", []
    for row in ws.iter_rows(min_row=1):
        label = row[0].value
        if label in ("By status", "By scheme"):
            block, heads = label, [c.value for c in row]
            continue
        for c, head in zip(row[1:], heads[1:], strict=False):
            if c.data_type == "f":
                out[(block, label, head)] = evaluate(wb, ws, c.value)
            elif isinstance(c.value, int | float):
                out[(block, label, head)] = c.value
    return out


# ---- the claims workbook --------------------------------------------------------------------------

def test_a_short_payment_shows_as_a_shortfall_though_nothing_is_still_to_come(db: Database, paid_short: dict,
                                                                               tmp_path: Path) -> None:
    out = run_export(db, paid_short["school_id"], "claims", "xlsx", tmp_path / "c.xlsx", year="2025/26", today=MAY)
    wb = load_workbook(out)
    claims = wb["Claims"]
    heads = headers_of(claims)
    shortfall = heads.index("Shortfall (expected − received)")
    paid = next(r for r in claims.iter_rows(min_row=2) if r[heads.index("Status")].value == "Paid")
    assert paid[heads.index("Received")].value == 440
    assert evaluate(wb, claims, paid[shortfall].value) == 220  # a formula on the row: it follows a late payment
    assert paid[shortfall].number_format == '"£"#,##0.00;-"£"#,##0.00'
    t = totals(wb)
    assert t[("By status", "Paid", "Still to come")] == 0
    assert t[("By status", "Paid", "Shortfall (expected − received)")] == 220
    # the other claim (£300) is still open: its money is still to come, not short, and nothing is counted twice
    assert t[("By status", "Total", "Shortfall (expected − received)")] == 220
    assert t[("By status", "Total", "Still to come")] == 300
    for block in ("By status", "By scheme"):
        assert t[(block, "Total", "Expected")] == t[(block, "Total", "Received")] + t[
            (block, "Total", "Still to come")] + t[(block, "Total", "Shortfall (expected − received)")]
    still_open = next(r for r in claims.iter_rows(min_row=2) if r[heads.index("Status")].value != "Paid")
    assert evaluate(wb, claims, still_open[shortfall].value) == 0
    assert t[("By scheme", "Residential bursary", "Shortfall (expected − received)")] == 220
    chase = wb["Outstanding"]  # where finance looks for money to chase: the short payment is there too
    heads = headers_of(chase)
    listed = {r[heads.index("Status")]: r for r in chase.iter_rows(min_row=2, values_only=True)}
    assert listed["Paid"][heads.index("Paid short")] == 220 and listed["Paid"][heads.index("Still to come")] == 0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_the_claims_pdf_counts_as_short_only_money_a_closed_claim_did_not_bring(db: Database, paid_short: dict,
                                                                                  tmp_path: Path) -> None:
    """£960 expected: £440 received, £300 still to come on the open claim, £220 paid short; the open claim's
    £300 is not short as well."""
    out = run_export(db, paid_short["school_id"], "claims", "pdf", tmp_path / "c.pdf", year="2025/26", today=MAY)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    totals_rows = [" ".join(line.split()) for line in text.splitlines() if line.split()[:1] == ["Total"]]
    # Total, claims, expected, claimed, received, still to come, shortfall: by status and by scheme
    assert totals_rows == ["Total 2 £960.00 £660.00 £440.00 £300.00 £220.00"] * 2


def test_totals_are_over_whole_columns_not_a_fixed_range(db: Database, sample: dict, tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "claims", "xlsx", tmp_path / "c.xlsx", year="2025/26", today=MAY)
    formulas = [c.value for row in load_workbook(out)["Totals"].iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all("Claims'!" in f for f in formulas)
    # every reference to the Claims sheet is a whole column ('Claims'!$R:$R), never 'Claims'!$R$2:$R$3
    import re

    refs = re.findall(r"Claims'!(\$?[A-Z]+\$?\d*:\$?[A-Z]+\$?\d*)", " ".join(formulas))
    assert refs and all(re.fullmatch(r"\$[A-Z]+:\$[A-Z]+", ref) for ref in refs), refs


@LIBREOFFICE
def test_libreoffice_counts_a_claim_finance_adds_below_the_table(db: Database, paid_short: dict,
                                                                  tmp_path: Path) -> None:
    out = run_export(db, paid_short["school_id"], "claims", "xlsx", tmp_path / "c.xlsx", year="2025/26", today=MAY)
    wb = load_workbook(out)
    ws = wb["Claims"]
    heads = headers_of(ws)
    added = [None] * len(heads)
    for head, value in (("Claim", "C99"), ("Name", "Added by finance"), ("Scheme", "Ogden grant"),
                        ("Status", "Paid"), ("Expected", 100), ("Claimed", 100), ("Received", 60)):
        added[heads.index(head)] = value
    ws.append(added)  # typed on the first empty row, as finance would
    wb.save(out)
    text = libreoffice(out, "csv", tmp_path, sheet=2).read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in text]
    by_status = next(i for i, r in enumerate(rows) if r[0] == "By status")
    paid = next(r for r in rows[by_status:] if r[0] == "Paid")
    total = next(r for r in rows[by_status:] if r[0] == "Total")
    assert paid[1] == "2"  # the paid claim and the row added
    assert total[1] == "3"
    assert '"£1,060.00"' in ",".join(total)  # expected: 660 + 300 + 100
    assert paid[-1] == "£260.00"  # shortfall on paid claims: 220 + (100 − 60)


@LIBREOFFICE
def test_libreoffice_prints_the_demo_claims_in_bands_large_enough_to_read(tmp_path: Path) -> None:
    """The Claims sheet's 32 columns as wide as one page printed at about a quarter size: it prints on A3
    landscape in four bands (the course, the costs, the money and dates, the paperwork), each repeating the
    claim's number, code and name, at nine tenths of life size or more; Outstanding in two bands."""
    from cpd_desktop.services.database import open_database
    from cpd_desktop.services.demo import build_demo

    db = open_database(tmp_path / "demo.sqlite", create=True)
    try:
        with db.session() as s:
            build_demo(s, seed=7, today=dt.date(2026, 12, 4), cpd_log=False)
            school_id = s.query(School.id).scalar()
        out = run_export(db, school_id, "claims", "xlsx", tmp_path / "claims.xlsx", year="2025/26",
                         today=dt.date(2026, 12, 4))
    finally:
        db.dispose()
    wb = load_workbook(out)
    ws = wb["Claims"]
    ids = [str(row[0]) for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(ids) >= 8
    for sheet, repeated in ((ws, "$A:$C"), (wb["Outstanding"], "$A:$B")):
        setup = sheet.page_setup
        assert (int(setup.paperSize), setup.orientation) == (8, "landscape"), sheet.title
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage and 85 <= setup.scale <= 100, sheet.title
        assert sheet.print_title_cols == repeated and sheet.print_title_rows == "$1:$1", sheet.title
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(libreoffice(out, "pdf", tmp_path)).pages]
    bands = [("Course", "Provider", "Days"), ("Scheme", "Accommodation", "Course cost"),
             ("Expected", "Received", "Closed on"), ("Claim reference", "Budget code", "Notes")]
    assert len(pages) == len(bands) + 1 + 2, [p[:80] for p in pages]  # the four bands, Totals, Outstanding's two
    for page, heads in zip(pages, bands, strict=False):
        assert all(h in page for h in heads) and all(i in page for i in ids), (heads, page[:300])
    assert "Fee" not in pages[0] and "Course code" not in pages[1]  # each column on one band only


def test_every_workbook_prints_on_a4_as_wide_as_the_page_with_its_header_repeated(
        db: Database, sample: dict, tmp_path: Path) -> None:
    """Landscape where the sheet (with a chart beside its figures) is wider than a portrait page, portrait where
    it is not; the school and the workbook's title at the top of every page, page x of y at the foot."""
    from cpd_desktop.exports.xlsx.common import page_width_inches, printed_inches

    written = []
    for kind, spec in KINDS.items():
        if "xlsx" not in spec.formats:
            continue
        written.append(run_export(db, None if kind == "trust" else sample["school_id"], kind, "xlsx",
                                  tmp_path / f"{kind}.xlsx", year=None if kind in ("cover", "staff-record") else
                                  "2025/26", booking_id=sample["booking_id"], staff_code="LZA", today=MAY))
    assert len(written) >= 6  # every kind that writes a workbook, today and any added later
    for path in written:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            where = f"{path.name}, sheet {ws.title}"
            across = sum(printed_inches(d.width) for d in ws.column_dimensions.values() if d.width)
            wide = across > page_width_inches("portrait") or bool(ws._charts)  # a chart beside the figures
            assert ws.page_setup.orientation == ("landscape" if wide else "portrait"), (where, across)
            assert ws.HeaderFooter.oddHeader.left.text and ws.HeaderFooter.oddHeader.center.text, where
            assert ws.HeaderFooter.oddFooter.right.text == "Page &P of &N", where
            if not ws.sheet_properties.pageSetUpPr.fitToPage:
                # Too wide to read on one page's width (the claims on A3, see the test above; the CPD log,
                # the people's figures): printed in bands, the first columns again on each, near life size.
                assert ws.col_breaks.brk and ws.print_title_cols, where
                assert 80 <= ws.page_setup.scale <= 100, where
                continue
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), where
            if ws.tables:  # a table's header row comes again at the top of every printed page
                assert ws.print_title_rows == "$1:$1", where


def test_claims_for_a_financial_year_or_a_month(db: Database, sample: dict, tmp_path: Path) -> None:
    """The course (09/02/2026) is in the maintained school's FY 2025-26 and in February 2026."""
    def claims_in(**period: str) -> tuple[int, str]:
        out = run_export(db, sample["school_id"], "claims", "xlsx", tmp_path / "c.xlsx", today=MAY, **period)
        wb = load_workbook(out)
        return wb["Claims"].max_row - 1, wb["Totals"]["A1"].value

    assert claims_in(financial_year="2025-26") == (2, "Bursary claims FY 2025-26")
    assert claims_in(financial_year="2026-27")[0] == 0
    assert claims_in(month="02/2026") == (2, "Bursary claims February 2026")
    assert claims_in(month="March 2026")[0] == 0
    with db.session() as s:  # an academy whose financial year runs September to August
        school = s.get(School, sample["school_id"])
        assert school is not None
        school.financial_year_start_month = 9
    assert claims_in(financial_year="2025-26") == (2, "Bursary claims FY 2025-26")
    assert claims_in(financial_year="2024-25")[0] == 0
    periods = claim_periods(db, sample["school_id"], MAY)
    assert periods[0] == ("Financial year 2025-26", {"financial_year": "2025-26"})  # Sep 2025 to Aug 2026
    assert ("May 2026", {"month": "05/2026"}) in periods and len(periods) == 15


def test_the_command_line_takes_a_financial_year_or_a_month(db_path: Path, sample: dict, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fy.xlsx"
    assert main(["--db", str(db_path), "export", "claims", "--financial-year", "2025-26", "--output", str(out)]) == 0
    assert load_workbook(out)["Claims"].max_row == 3
    assert main(["--db", str(db_path), "export", "claims", "--month", "02/2026", "--format", "pdf",
                 "--output", str(tmp_path / "m.pdf")]) == 0
    assert "Bursary claims February 2026" in PdfReader(tmp_path / "m.pdf").pages[0].extract_text()
    capsys.readouterr()
    assert main(["--db", str(db_path), "export", "claims", "--month", "13/2026", "--output",
                 str(tmp_path / "bad.xlsx")]) == 1
    assert "'13/2026' is not a month" in capsys.readouterr().err
    for args, said in ((["claims", "--year", "2025/26", "--month", "02/2026"], "not both"),
                       (["summary", "--financial-year", "2025-26"], "only the bursary claims export")):
        with pytest.raises(SystemExit) as exit_:
            main(["--db", str(db_path), "export", *args, "--output", str(tmp_path / "x.xlsx")])
        assert exit_.value.code == 2 and said in capsys.readouterr().err.lower()
    assert not (tmp_path / "bad.xlsx").exists() and not (tmp_path / "x.xlsx").exists()


# ---- the claims PDF ---------------------------------------------------------------------------------

def test_claims_pdf_columns_are_wide_enough_for_every_word(db: Database, sample: dict, tmp_path: Path) -> None:
    with db.session() as s:
        claim = s.query(BursaryClaim).filter_by(status="draft").one()
        claim.reference = "STEM-2026-48213"
        rows = claim_rows(s, s.get(School, sample["school_id"]), None)
    cells = [claim_cells(c, MAY) for c in rows]
    columns = claim_columns(760, cells)
    for i, col in enumerate(columns):
        room = col.width - 2 * PAD
        for word in col.title.split():  # 'Accommo-' and 'dation' are a dictionary's hyphenation
            assert stringWidth(word, BOLD, SIZE) <= room, (col.title, word)
        for row in cells:
            for word in row[i].split():
                assert stringWidth(word, FONT, SIZE) <= room, (col.title, word)
    out = run_export(db, sample["school_id"], "claims", "pdf", tmp_path / "c.pdf", year="2025/26", today=MAY)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else PdfReader(out).pages[0].extract_text()
    assert "STEM-2026-48213" in text  # on one line, not 'STEM-2026-48' and '213'
    assert "Accommo-" in text and "modatio n" not in text  # hyphenated where the dictionary does, no more


def test_plurals_in_the_exports_read_as_english(db: Database, sample: dict, tmp_path: Path) -> None:
    assert [plural(n, "claim") for n in (0, 1, 2)] == ["0 claims", "1 claim", "2 claims"]
    out = run_export(db, sample["school_id"], "activities", "pdf", tmp_path / "log.pdf", year="2025/26",
                     department="Chemistry", today=MAY)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "1 activity of 1 person" in text and "1 activities" not in text and "1 people" not in text
    with db.session() as s:
        s.query(BursaryClaim).filter_by(status="draft").delete()
    out = run_export(db, sample["school_id"], "claims", "pdf", tmp_path / "c.pdf", year="2025/26", today=MAY)
    first = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "1 claim ·" in first and "1 claims" not in first


def test_a_negative_sum_is_written_as_money() -> None:
    assert format_money(-660) == "−£660.00" and format_money(1100) == "£1,100.00"


# ---- one figure, one rounding -----------------------------------------------------------------------

def test_fte_to_two_places_and_hours_per_fte_to_one_everywhere(db: Database, school: School,
                                                               tmp_path: Path) -> None:
    assert [format_fte(x) for x in (0.8, 7.15, 1)] == ["0.80", "7.15", "1.00"]
    assert [format_per_fte(x) for x in (12.65, 12.649, 12.6)] == ["12.7", "12.6", "12.6"]  # halves up, as Excel
    with db.session() as s:
        here = s.get(School, school.id)
        assert here is not None
        for n, fte in enumerate(("1", "0.8", "0.35")):
            add_staff(s, here, forename=f"Pat{n}", surname="Example", staff_code=f"PE{n}", fte=fte,
                      department="Science")
    pdf = run_export(db, school.id, "summary", "pdf", tmp_path / "s.pdf", year="2025/26", today=MAY)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "(2.15 full-time equivalent)" in text  # it said 2.1 while the workbook said 2.15
    book = load_workbook(run_export(db, school.id, "summary", "xlsx", tmp_path / "s.xlsx", year="2025/26",
                                    today=MAY))
    people = book["By person"]
    fte = headers_of(people).index("FTE")
    assert {r[fte].number_format for r in people.iter_rows(min_row=2)} == {"0.00"}
    trust = load_workbook(run_export(db, None, "trust", "xlsx", tmp_path / "t.xlsx", year="2025/26", today=MAY))
    schools = trust["Trust"]
    per = headers_of(schools).index("Hours per FTE")
    assert schools.cell(row=2, column=per + 1).number_format == "0.0"


# ---- file names and permissions ---------------------------------------------------------------------

def test_a_cover_sheet_is_named_after_the_person_and_the_day(db: Database, sample: dict) -> None:
    name = suggested_filename(db, sample["school_id"], "cover", "pdf", booking_id=sample["booking_id"])
    assert name == "Release cover – Łukasz Zając – 09-02-2026.pdf"
    assert suggested_filename(db, sample["school_id"], "claims", "xlsx", financial_year="2025-26") == \
        "Bursary claims FY 2025-26.xlsx"


def test_a_name_with_a_slash_still_makes_one_file_name(db: Database, sample: dict) -> None:
    with db.session() as s:
        from cpd_desktop.models import Staff

        person = s.query(Staff).filter_by(staff_code="LZA").one()
        person.surname = 'Zając/Smith: "AC/DC"'
    name = suggested_filename(db, sample["school_id"], "cover", "xlsx", booking_id=sample["booking_id"])
    assert "/" not in name and ":" not in name and '"' not in name and name.endswith("09-02-2026.xlsx")


@pytest.fixture
def umask() -> Iterator[Any]:
    before = os.umask(0o022)
    os.umask(before)

    def set_to(mask: int) -> None:
        os.umask(mask)

    yield set_to
    os.umask(before)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_finished_export_takes_the_users_usual_permissions(db: Database, sample: dict, tmp_path: Path,
                                                             umask: Any) -> None:
    from cpd_desktop.exports.safety import atomic_output

    umask(0o022)
    with atomic_output(tmp_path / "part.pdf") as part:  # while it is written, the file is the owner's only
        part.write_bytes(b"%PDF-")
        assert stat.S_IMODE(part.stat().st_mode) == 0o600
    out = run_export(db, sample["school_id"], "activities", "xlsx", tmp_path / "log.xlsx", year="2025/26",
                     today=MAY)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    umask(0o077)
    out = run_export(db, sample["school_id"], "claims", "pdf", tmp_path / "c.pdf", year="2025/26", today=MAY)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    umask(0o022)
    out.chmod(0o640)  # a file the person shared with their group keeps that when written again
    run_export(db, sample["school_id"], "claims", "pdf", out, year="2025/26", today=MAY)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_the_command_lines_tables_round_as_the_exports_do(db_path: Path, sample: dict,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--db", str(db_path), "report", "hours", "--year", "2025/26"]) == 0
    ntm = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("NTM"))
    assert " 0.80 " in ntm  # it printed 0.8 beside the PDF's and the workbook's 0.80
    assert main(["--db", str(db_path), "report", "hours", "--year", "2025/26", "--format", "json"]) == 0
    assert '"fte": 0.8' in capsys.readouterr().out  # for other programs, the number as it is
