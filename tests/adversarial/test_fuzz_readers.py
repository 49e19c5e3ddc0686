"""Fuzzing the import: random and mutated CSV and .xlsx files, fed to every kind of import as a dry run.

Every file ends in a result (rows read, each bad row listed) or a plain ``CpdError``: never another
exception, and never more than a bounded amount of memory. The runs are derandomised (the same examples
every time) and bounded to a few hundred examples in all.
"""

from __future__ import annotations

import datetime as dt
import io
import resource
import sys
import zipfile
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cpd_desktop.errors import CpdError
from cpd_desktop.imports import KINDS, ImportResult, run_import
from cpd_desktop.models import School
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage.database import Database

SEEDS: dict[str, list[list[Any]]] = {
    "staff": [["Surname", "Forename", "Staff code", "Email", "Department", "Role", "FTE", "Start date",
               "Leaving date", "ECT year"],
              ["Zając", "Łukasz", "LZA", "l.zajac@school.org", "Science", "Teacher", "0.8", "01/09/2021", "", "1"],
              ["Ó Dálaigh", "Siobhán", "SOD", "", "Physics", "Head of Physics", "100%", "2019-09-01", "", "No"]],
    "activities": [["Staff code", "Date", "End date", "Title", "Provider", "Hours", "Format", "Subject specific",
                    "Standards", "Cost", "Status", "Evaluated on", "Confidence"],
                   ["LZA", "01/10/2024", "", "Waves and required practicals", "IOP", "1.5", "Webinar", "Yes",
                    "1, 3, 5", "£25.00", "Completed", "", ""],
                   ["SOD", "3/10/24", "4/10/24", "Residential: particle physics", "STEM Learning",
                    "12", "Residential", "No", "All", "£1,250.00", "", "20/10/2024", "4"]],
    "bookings": [["Staff code", "Course title", "Provider", "Start date", "End date", "Hours", "Format", "Fee",
                  "Travel", "Cover required", "Status", "Budget code", "Intended outcome"],
                 ["LZA", "Practical physics", "IOP", "10/03/2025", "11/03/2025", "", "Residential", "£350",
                  "£42.50", "Yes", "Planned", "SCI-01", "Year 10 set up circuits unaided"],
                 ["SOD", "Exam board update", "AQA", "2025-05-01", "", "3", "Webinar", "", "", "No", "", "", ""]],
    "timetable": [["Staff code", "Week", "Day", "Period", "Class", "Subject", "Room"],
                  ["LZA", "A", "Mon", "P1", "10X1", "Physics", "S4"],
                  ["SOD", "", "5", "3", "Y8 Sc2", "Science", "Lab 2"]],
    "courses": [["Title", "Code", "Provider", "Format", "Subject", "Hours", "Days", "Fee"],
                ["Practical physics", "RP-101", "IOP", "Face-to-face course", "Physics", "6", "1", "£120.50"],
                ["Subject knowledge for physics", "SKPT", "STEM Learning", "Online course", "", "20", "", ""]],
    "budget": [["Financial Year", "Budget Line", "Budget Code", "Department", "Amount"],
               ["2025-26", "Science CPD", "SCI", "science", "£3,000.00"],
               ["FY 2026/27", "Whole-school CPD", "WS-01", "", "1200"]],
    "indicators": [["Year", "Indicator", "Value", "Unit", "Group"],
                   ["2024/25", "GCSE science grade 4+", "71.5", "%", ""],
                   ["2025/26", "A-level physics entries", "14", "pupils", "Girls"]],
}

# Snippets that have broken readers before: quotes, zero bytes, byte-order marks, formulas, odd numbers,
# and in a workbook's XML: a date cell of text, a shared string out of range, a far-away cell, entities.
CSV_TOKENS = [b'"', b'""', b"\x00", b"\r", b"\n", b"\xff\xfe", b"\xef\xbb\xbf", b"=cmd|' /C calc'!A0", b";",
              b"\t", b"31/02/2021", b"1e400", b"NaN", b"-0", b"\xc3", b"\x81", b"9" * 40, b",,,,,,,,", b"\xa3"]
XML_TOKENS = [b'<c r="A2" t="d"><v>x</v></c>', b'<c r="B3" t="s"><v>99999</v></c>', b'<c r="XFD9"><v>1</v></c>',
              b'<row r="0">', b'<row r="1048576"><c><v>1e999</v></c></row>', b'<!DOCTYPE x [<!ENTITY a "b">]>',
              b"&amp;", b"&a;", b'<c t="b"><v>2</v></c>', b'<c t="n" s="9999"><v>1</v></c>', b"<", b"\x00",
              b'<c t="inlineStr"><is><t>=1+1</t></is></c>', b'<c r="A1:B2"><v>1</v></c>', b'<v>-1e308</v>']


def csv_seed(kind: str) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(SEEDS[kind])
    return out.getvalue().encode("utf-8")


def xlsx_seed(kind: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in SEEDS[kind]:
        ws.append([_typed(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return _with_shared_strings(out.getvalue())


def _typed(value: str) -> Any:
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y")
    except ValueError:
        pass
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


def _with_shared_strings(data: bytes) -> bytes:
    """The workbook with its text in a shared-strings part, as Excel writes it (openpyxl writes it inline)."""
    import re

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    texts: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        texts.append(match.group(2))
        return match.group(1) + b' t="s"><v>' + str(len(texts) - 1).encode() + b"</v></c>"

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'(<c r="[A-Z]+[0-9]+"[^>]*?) t="inlineStr"><is><t>(.*?)</t></is></c>', shared,
                          parts[sheet])
    parts["xl/sharedStrings.xml"] = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                     + b"".join(b"<si><t>" + t + b"</t></si>" for t in texts) + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return zip_of(parts)


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


@st.composite
def mutated(draw: st.DrawFn, seed: bytes, tokens: list[bytes]) -> bytes:
    """The seed with a few bytes flipped, cut, repeated, or a troublesome snippet put in."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "token", "delete", "repeat"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "token":
            data[at:at] = draw(st.sampled_from(tokens))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 32))] * draw(st.integers(1, 50))
    return bytes(data)


@st.composite
def mutated_workbook(draw: st.DrawFn, kind: str) -> bytes:
    """A workbook with one of its XML parts mutated (and re-zipped), or its zip's own bytes mutated."""
    seed = WORKBOOKS[kind]
    if draw(st.booleans()):
        return draw(mutated(seed, [b"PK\x03\x04", b"\x00" * 8, b"\xff" * 4]))
    with zipfile.ZipFile(io.BytesIO(seed)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    name = draw(st.sampled_from(sorted(parts)))
    parts[name] = draw(mutated(parts[name], XML_TOKENS))
    return zip_of(parts)


WORKBOOKS = {kind: xlsx_seed(kind) for kind in SEEDS}
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture
def dry_run(db: Database, school: School, tmp_path: Path) -> Callable[[str, bytes, str], None]:
    with db.session() as s:
        for forename, surname, code in (("Łukasz", "Zając", "LZA"), ("Siobhán", "Ó Dálaigh", "SOD")):
            add_staff(s, s.merge(school), forename=forename, surname=surname, staff_code=code)
    names = count()

    def run(kind: str, data: bytes, suffix: str) -> None:
        path = tmp_path / f"file{next(names)}{suffix}"
        path.write_bytes(data)
        try:
            with db.session() as s:
                result = run_import(s, s.merge(school), kind, path, dry_run=True)
            assert isinstance(result, ImportResult) and not result.written
        except CpdError as exc:
            assert str(exc).strip()  # a message a person can read
        finally:
            path.unlink()

    return run


def _grown() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


@pytest.fixture
def memory_bound() -> Any:
    before = _grown()
    yield
    assert _grown() - before < 300 * 1024 * 1024, "the fuzzed files took more than 300 MB"


def test_the_seed_files_import_cleanly(dry_run: Callable[[str, bytes, str], None], db: Database,
                                       school: School, tmp_path: Path) -> None:
    """The fuzz starts from files that import: a mutation is what breaks them."""
    for kind in SEEDS:
        for suffix, data in ((".csv", csv_seed(kind)), (".xlsx", WORKBOOKS[kind])):
            path = tmp_path / f"seed-{kind}{suffix}"
            path.write_bytes(data)
            with db.session() as s:
                result = run_import(s, s.merge(school), kind, path, dry_run=True)
            assert result.rows == 2 and not result.errors, (kind, suffix, [str(e) for e in result.errors])


@FUZZ
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_mutated_csv_files_end_in_a_result_or_a_plain_error(dry_run: Callable[[str, bytes, str], None],
                                                            memory_bound: None, kind: str, data: st.DataObject) -> None:
    dry_run(kind, data.draw(mutated(csv_seed(kind), CSV_TOKENS)), ".csv")


@FUZZ
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_mutated_workbooks_end_in_a_result_or_a_plain_error(dry_run: Callable[[str, bytes, str], None],
                                                            memory_bound: None, kind: str, data: st.DataObject) -> None:
    dry_run(kind, data.draw(mutated_workbook(kind)), ".xlsx")


@settings(FUZZ, max_examples=100)
@given(kind=st.sampled_from(sorted(KINDS)), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]),
       blob=st.binary(max_size=3000))
def test_random_bytes_end_in_a_result_or_a_plain_error(dry_run: Callable[[str, bytes, str], None],
                                                       memory_bound: None, kind: str, suffix: str,
                                                       blob: bytes) -> None:
    dry_run(kind, blob, suffix)


CELL_VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1)), st.times(), st.timedeltas(min_value=dt.timedelta(0),
                                                                      max_value=dt.timedelta(days=400)),
    st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from(["-1e300", "1e400", "£-0.001", "31/02/2021",
                                                                         "0.5", "100%", "All", "P0", "Week C"]),
)


@settings(FUZZ, max_examples=60)
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_workbooks_of_odd_typed_cells_end_in_a_result_or_a_plain_error(dry_run: Callable[[str, bytes, str], None],
                                                                       memory_bound: None, kind: str,
                                                                       data: st.DataObject) -> None:
    """Each column of a kind's file filled with values of any type a workbook can hold (huge, negative,
    not-a-number, times, durations): every one is a row's error or a value, never a crash."""
    header = SEEDS[kind][0]
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for _ in range(data.draw(st.integers(1, 4))):
        ws.append([data.draw(CELL_VALUES) for _ in header])
    out = io.BytesIO()
    wb.save(out)
    dry_run(kind, out.getvalue(), ".xlsx")
