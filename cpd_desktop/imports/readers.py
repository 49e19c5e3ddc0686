"""Reading a school's file into rows of cells: CSV in the encodings and separators schools really
produce, and Excel workbooks.

A ``Table`` keeps every row with its row number in the file (the first line or sheet row is row 1),
so that a problem is reported where the person will find it. Nothing here knows about the database.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CpdError

# Candidate separators in the order we prefer them when the evidence is equal.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SAMPLE_LINES = 30
# Text that UTF-8 read as Windows-1252 (or Latin-1) turns into: 'ZoÃ«', 'Â£', 'â€™'.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u00a0-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|â€")


@dataclass
class Table:
    """A file read into cells: ``rows`` are (file row number, cells) pairs, blank rows left out."""

    path: Path
    rows: list[tuple[int, list[Any]]]
    encoding: str  # as a person says it: "UTF-8", "UTF-8 with BOM", "Windows-1252", "Excel workbook"
    delimiter: str | None = None  # ",", ";" or "\t" for CSV
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS.get(self.delimiter or "", "")

    @property
    def describe(self) -> str:
        """'UTF-8, semicolon-separated' or 'Excel workbook, sheet Staff'."""
        if self.delimiter is not None:
            return f"{self.encoding}, {self.delimiter_name}-separated"
        return f"{self.encoding}, sheet {self.sheet}" if self.sheet else self.encoding


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a .csv (or .txt/.tsv) or .xlsx file. Raises ``CpdError`` with what to do when it cannot."""
    path = Path(path)
    if not path.exists():
        raise CpdError(f"There is no file at {path}.", hint="Check the name and folder.")
    if path.is_dir():
        raise CpdError(f"{path} is a folder, not a file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CpdError(f"{path.name} cannot be read: {exc.strerror}.",
                       hint="Close it in Excel if it is open there, and check you may read it.") from exc
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        if data[:4] != b"PK\x03\x04":
            raise CpdError(f"{path.name} is not an Excel workbook, or it is damaged.",
                           hint="Open it in Excel and save it again as .xlsx or CSV.")
        return _read_xlsx(path, data, sheet)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise CpdError(f"{path.name} is in the old Excel 97–2003 format (.xls), which CPD Desktop cannot read.",
                       hint="Open it in Excel and save it as an Excel Workbook (.xlsx) or CSV UTF-8.")
    if sheet:
        raise CpdError(f"{path.name} is a CSV file; it has no sheets.", hint="Leave out the sheet name.")
    return _read_csv(path, data)


def decode(data: bytes, name: str = "the file") -> tuple[str, str]:
    """Text of a file and the encoding used: UTF-8 (strictly) first, Windows-1252 only if that fails."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise _undecodable(name, exc) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" export.
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise _undecodable(name, exc) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise _undecodable(name, exc) from exc


def _undecodable(name: str, exc: UnicodeDecodeError) -> CpdError:
    return CpdError(f"{name} is not text CPD Desktop can read (byte {exc.start + 1} is neither UTF-8 nor "
                    "Windows-1252).",
                    hint="In Excel choose File → Save As → 'CSV UTF-8 (Comma delimited)', or save it as .xlsx.")


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the most consistent number (> 1) of columns."""
    end = 0
    for _ in range(SAMPLE_LINES):  # split only the start of the text, not the whole file
        end = text.find("\n", end) + 1
        if not end:
            end = len(text)
            break
    lines = [line for line in text[:end].splitlines()[:SAMPLE_LINES] if line.strip()]
    if not lines:
        return ","
    sample = "\n".join(lines)
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        width, often = Counter(wide).most_common(1)[0]
        score = (often, width)
        if score > best_score:
            best, best_score = delim, score
    return best


CODECS = {"UTF-8 with BOM": "utf-8-sig", "UTF-16": "utf-16", "UTF-8": "utf-8", "Windows-1252": "cp1252"}


def _read_csv(path: Path, data: bytes) -> Table:
    """The rows of a CSV file's bytes. The whole text is decoded once, to choose the encoding and the separator
    and to look for garbled text, then let go: the rows are read from the bytes, decoded a piece at a time
    (an in-memory text stream would hold the text again, four bytes a character). A cell that repeats an
    earlier one (a staff code, a date, "Yes") is kept once, which is most of the cells in a long file."""
    text, encoding = decode(data, path.name)
    delimiter = sniff_delimiter(text)
    table = Table(path=path, rows=[], encoding=encoding, delimiter=delimiter)
    check_mojibake(table, text)
    del text
    rows = table.rows
    seen: dict[str, str] = {}
    keep = seen.setdefault
    try:
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding=CODECS[encoding], newline=""),
                            delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            # The first cell is filled on nearly every row: test it before looking for an all-blank row.
            if cells and (cells[0].strip() or any(c.strip() for c in cells)):
                rows.append((number, list(map(keep, cells, cells))))
    except csv.Error as exc:
        raise CpdError(f"{path.name} cannot be read as CSV ({exc}).",
                       hint="Open it in Excel and save it again as CSV UTF-8.") from exc
    return table


def check_mojibake(table: Table, text: str) -> None:
    """Warn (never silently pass) when text looks already garbled by a wrong conversion."""
    if "Ã" not in text and "Â" not in text and "â€" not in text:
        return
    match = _MOJIBAKE.search(text)
    if match:
        start = max(0, text.rfind("\n", 0, match.start()) + 1)
        end = text.find("\n", match.end())
        snippet = text[start:end if end != -1 else None][:60]
        table.warnings.append(
            f"Some text looks garbled ('{match.group()}' in “{snippet.strip()}”): the file may have been "
            "converted between encodings before. Check the names after importing, or export the file again.")


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> Table:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # From the bytes, not the name: a workbook saved as 'staff.csv' still reads.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise CpdError(f"{path.name} is not an Excel workbook CPD Desktop can read, or it is damaged.",
                       hint="Open it in Excel and save it again as .xlsx.") from exc
    try:
        names = list(book.sheetnames)
        if sheet is None:
            ws = book.worksheets[0]
        else:
            wanted = {n.strip().lower(): n for n in names}.get(sheet.strip().lower())
            if wanted is None:
                raise CpdError(f"{path.name} has no sheet called {sheet}.",
                               hint="Its sheets are: " + ", ".join(names) + ".")
            ws = book[wanted]
        rows: list[tuple[int, list[Any]]] = []
        garbled: list[str] = []
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            cells = [_excel_cell(c) for c in values]
            if any(c not in (None, "") for c in cells):
                rows.append((number, cells))
                if len(garbled) < 1:
                    garbled.extend(c for c in cells if isinstance(c, str) and _MOJIBAKE.search(c))
        table = Table(path=path, rows=rows, encoding="Excel workbook", sheet=ws.title, sheets=names)
        if garbled:
            check_mojibake(table, garbled[0])
        return table
    finally:
        book.close()


def _excel_cell(value: Any) -> Any:
    """Excel cells as they read: dates stay dates, whole numbers lose their '.0', text is trimmed."""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value
