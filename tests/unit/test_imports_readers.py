"""Reading school files: the encodings and separators that Excel, SIMS and Arbor really write, and .xlsx."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from cpd_desktop.errors import CpdError
from cpd_desktop.imports import get_kind, guess_mapping, normalise, open_source, read_table

NAMES = [("Ó Dálaigh", "Chloë"), ("ap Rhys", "Bronwen"), ("Wójcik", "Zbigniew")]


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",",
              bom: bool = False) -> Path:
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


@pytest.mark.parametrize(("encoding", "bom", "expected"), [
    ("utf-8", False, "UTF-8"),
    ("utf-8", True, "UTF-8 with BOM"),
    ("cp1252", False, "Windows-1252"),
])
@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_names_survive_every_encoding_and_separator(tmp_path: Path, encoding: str, bom: bool, expected: str,
                                                    delimiter: str, name: str) -> None:
    rows = [["Surname", "Forename", "Fee"]] + [[s, f, "£1,250.00" if delimiter != "," else "£120.50"]
                                               for s, f in NAMES]
    path = write_csv(tmp_path / "staff.csv", rows, encoding=encoding, delimiter=delimiter, bom=bom)
    table = read_table(path)
    assert table.encoding == expected
    assert table.delimiter_name == name
    assert [cells[:2] for _n, cells in table.rows[1:]] == [[s, f] for s, f in NAMES]
    assert table.rows[1][1][2].startswith("£")
    assert not table.warnings


def test_windows_1252_is_used_only_when_utf8_fails(tmp_path: Path) -> None:
    # 'Â£' is valid UTF-8 *and* valid Windows-1252: strict UTF-8 must win, so no mojibake appears.
    path = tmp_path / "fees.csv"
    path.write_bytes("Title,Fee\nWaves,£120.00\n".encode())
    table = read_table(path)
    assert table.encoding == "UTF-8"
    assert table.rows[1][1] == ["Waves", "£120.00"]


def test_text_already_garbled_is_flagged_not_passed_silently(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("Surname,Forename\nÓ DÃ¡laigh,ZoÃ«\n", encoding="utf-8")
    table = read_table(path)
    assert table.warnings and "garbled" in table.warnings[0]
    assert "ZoÃ«" in table.warnings[0]


def test_bytes_that_are_neither_encoding_are_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"Surname\n\x81\x8d\x8f\n")
    with pytest.raises(CpdError, match="CSV UTF-8"):
        read_table(path)


def test_quoted_commas_and_line_breaks_keep_file_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text('Surname,Notes\n"Smith, Jr","two\nlines"\n\nJones,ok\n', encoding="utf-8")
    table = read_table(path)
    assert table.rows[1] == (2, ["Smith, Jr", "two\nlines"])
    # The blank record is left out but the next row keeps its own number.
    assert table.rows[2] == (4, ["Jones", "ok"])


def test_long_utf16_tab_file_and_old_mac_line_ends(tmp_path: Path) -> None:
    # Excel's "Unicode Text" (UTF-16 with its BOM, tab-separated), longer than the lines the separator is
    # chosen from; the rows are read from the bytes a piece at a time.
    rows = [["Surname", "Forename", "Notes"]] + [[s, f, f"row {i}; ’quoted’"]
                                                 for i in range(40) for s, f in NAMES]
    text = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    table = read_table(path)
    assert (table.encoding, table.delimiter_name) == ("UTF-16", "tab")
    assert table.rows == [(n, row) for n, row in enumerate(rows, start=1)]
    # A lone carriage return ends a line (as in files from old Macs), as does one inside no quotes.
    path = tmp_path / "mac.csv"
    path.write_bytes("Surname;Forename\r\"ap\rRhys\";Bronwen\rWójcik;Zbigniew\r".encode("cp1252"))
    table = read_table(path)
    assert (table.encoding, table.delimiter_name) == ("Windows-1252", "semicolon")
    assert table.rows == [(1, ["Surname", "Forename"]), (2, ["ap\rRhys", "Bronwen"]), (3, ["Wójcik", "Zbigniew"])]


def test_xlsx_with_real_dates_and_a_title_above_the_header(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "Staff"
    ws.append(["Staff list exported from SIMS"])
    ws.append([])
    ws.append(["Legal Surname", "Preferred Forename", "Staff Code", "Employment Start", "FTE"])
    ws.append(["Ó Dálaigh", "Chloë", "COD", dt.datetime(2021, 9, 1), 0.8])
    other = book.create_sheet("Leavers")
    other.append(["Surname"])
    path = tmp_path / "staff.xlsx"
    book.save(path)
    source = open_source(path, "staff")
    assert source.header_row == 3
    assert source.table.encoding == "Excel workbook"
    assert source.table.sheets == ["Staff", "Leavers"]
    (rowno, cells), = source.data_rows
    assert rowno == 4
    assert cells[3] == dt.date(2021, 9, 1)
    assert source.mapped_headers()["start_date"] == "Employment Start"
    with pytest.raises(CpdError, match="Its sheets are: Staff, Leavers"):
        read_table(path, sheet="Teachers")
    assert read_table(path, sheet="leavers").sheet == "Leavers"


def test_old_xls_and_a_workbook_named_csv(tmp_path: Path) -> None:
    old = tmp_path / "staff.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(CpdError, match=r"\.xls"):
        read_table(old)
    book = Workbook()
    book.active.append(["Surname", "Forename"])
    renamed = tmp_path / "staff.csv"
    book.save(renamed)
    assert read_table(renamed).encoding == "Excel workbook"


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(CpdError, match="There is no file"):
        read_table(tmp_path / "nowhere.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CpdError, match="is empty"):
        open_source(empty, "staff")


@pytest.mark.parametrize(("header", "field"), [
    ("Legal Surname", "surname"), ("Family Name", "surname"), ("Given Name", "forename"),
    ("Teacher Code", "staff_code"), ("Initials", "staff_code"), ("School Email", "email"),
    ("Faculty", "department"), ("Subject Area", "department"), ("Job Title", "role"),
    ("Full-time Equivalent", "fte"), ("Contract FTE", "fte"), ("Date of Arrival", "start_date"),
    ("Induction", "ect_year"),
])
def test_staff_header_synonyms(header: str, field: str) -> None:
    assert guess_mapping(get_kind("staff"), ["Something else", header]) == {field: 1}


@pytest.mark.parametrize(("header", "field"), [
    ("Date Attended", "date"), ("Activity Date", "date"), ("Course Title", "title"), ("Description", "title"),
    ("Delivered By", "provider"), ("Organisation", "provider"), ("CPD Hours", "hours"),
    ("Duration (hours)", "hours"), ("Mode", "format"), ("Subject-specific?", "subject_specific"),
    ("Fee", "cost"), ("Teacher", "staff_name"), ("Name", "staff_name"), ("DfE Standard parts", "standards"),
])
def test_activity_header_synonyms(header: str, field: str) -> None:
    assert guess_mapping(get_kind("activities"), [header]) == {field: 0}


def test_headers_match_whatever_the_case_spacing_and_punctuation() -> None:
    assert normalise("  SUBJECT-specific? ") == normalise("Subject Specific")
    mapping = guess_mapping(get_kind("timetable"), ["staff code", "WEEK", "day", "Period", "Class/Group", "Room"])
    assert set(mapping) == {"staff_code", "week", "day", "period", "class_group", "room"}


def test_preferred_forename_wins_over_legal_forename() -> None:
    mapping = guess_mapping(get_kind("staff"), ["Legal Forename", "Preferred Forename", "Surname"])
    assert mapping["forename"] == 1
