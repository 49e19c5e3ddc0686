"""What every workbook shares: write-only sheets with one set of styles, safe text, Excel tables.

Data sheets are openpyxl ``write_only`` sheets: rows stream to disk as they are written, so a
100,000-row sheet costs no more memory than a 100-row one. A write-only sheet's column widths,
frozen header and table must be known before (widths, panes) or at the end (table) of writing,
so ``DataSheet`` measures the rows first and adds the table last.

On paper, every sheet is A4, as wide as the page and as many pages long as it takes, with the school, the
workbook's title and page x of y in its header and footer. A data sheet too wide to print at a readable
size gives its long text columns less room and wraps them (``fit_widths``), each row as tall as its
longest wrapped text; the narrow sheet prints portrait, the wide one landscape. One too wide even so
prints in bands read one after another, its first columns repeated on each (``print_in_bands``).

Every text cell goes through ``safety``: control characters removed, more than 32,767 characters
refused, and text that starts like a formula stored as text with Excel's quote prefix, so that the
only formulas in a workbook are the ones written here with ``formula``.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.header_footer import _HeaderFooterPart
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from ...errors import CpdError
from ..safety import EXCEL_CELL_MAX, Ticker, plain_text, risky_for_formula

DATE = "dd/mm/yyyy"
MONEY = '"£"#,##0.00;-"£"#,##0.00'
HOURS = "0.00"
PERCENT = "0%"
INTEGER = "0"
FTE = "0.00"  # as format_fte: the same figure as the PDFs and the window
PER_FTE = "0.0"  # hours per FTE, as format_per_fte

TEXT, DATE_KIND, MONEY_KIND, HOURS_KIND, INT_KIND, PERCENT_KIND, FTE_KIND, PER_FTE_KIND, YESNO = (
    "text", "date", "money", "hours", "int", "percent", "fte", "per_fte", "yesno")
FORMATS = {DATE_KIND: DATE, MONEY_KIND: MONEY, HOURS_KIND: HOURS, INT_KIND: INTEGER, PERCENT_KIND: PERCENT,
           FTE_KIND: FTE, PER_FTE_KIND: PER_FTE}
WIDTHS = {DATE_KIND: 11.5, MONEY_KIND: 12.5, HOURS_KIND: 8, INT_KIND: 8, PERCENT_KIND: 8, FTE_KIND: 6,
          PER_FTE_KIND: 8, YESNO: 6}
MAX_WIDTH = 60
MEASURE_ROWS = 20_000  # widths are measured on at most this many rows (spread through the sheet)

# Each font names the workbook's own (Calibri 11): a font without a name or size printed in LibreOffice
# as a 10-point serif, the headers unlike the rows under them.
FONT_NAME = "Calibri"
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True, color="1F2933")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True, color="1F2933")
BOLD = Font(name=FONT_NAME, size=11, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=11, italic=True, color="52606D")
TOP = Alignment(vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")

# ---- the printed page ----------------------------------------------------------------------------
A4 = 9  # openpyxl paperSize
PAPER_MM = {A4: (210, 297), 8: (297, 420)}  # A4, A3: short side, long side
SIDE_MARGIN_IN = 0.4
TOP_MARGIN_IN = 0.75  # room for the header line above the table (and the footer below)
HEADER_MARGIN_IN = 0.3
# Fit to the page's width shrinks a wide sheet; its long text columns are narrowed (and wrapped) until it
# prints at this share of life size or more: 11-point text at 8.8 points, even as LibreOffice prints it.
SMALLEST_SCALE = 0.8
# ...and if even its narrowest columns leave it below this (a log of twenty columns), it keeps its widths and
# prints in bands across the page instead (``print_in_bands``): wrapping would make it longer, no easier to read.
WORTH_WRAPPING = 0.7
WRAP_FLOOR = 10.0  # a wrapped column is never narrower than this (characters), nor than its header's words
SHORT_TEXT = 16.0  # text this long or less (a time, a class, a day) never wraps: only long text does
LINE_PT = 15.0  # the height of one line of 11-point text in a row (Excel's default row height)
MAX_ROW_PT = 409.0  # Excel's tallest row


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = TEXT
    width: float | None = None  # fixed width (characters); None: sized to the content


@dataclass(frozen=True)
class Formula:
    """One of our formulas as a data sheet's value (never user text, which is always stored as text)."""

    text: str


def new_workbook(title: str, author: str, subject: str = "") -> Workbook:
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = author
    wb.properties.lastModifiedBy = "CPD Desktop"
    wb.properties.subject = subject
    wb.properties.description = "Produced by CPD Desktop"
    wb.calculation.fullCalcOnLoad = True  # our formulas have no cached values: compute them on opening
    return wb


def new_sheet(wb: Workbook, title: str, *, header_rows: str | None = None, fit_to_page: bool = True) -> Any:
    """A sheet that prints as people expect: A4 (landscape until its columns are set: ``set_widths``), as
    wide as the page (as many pages long as it takes), with margins that leave room for the header and
    footer (``save`` writes them) and, for a table, its header row repeated on every page.

    The fit-to-page flag sits at the top of the sheet's XML, which a write-only sheet writes with its
    first row: it is set here, before any row. ``fit_to_page=False``: the sheet sets its own scale (the
    claims workbook prints its widest sheets in bands)."""
    ws = wb.create_sheet(title)
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=fit_to_page)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = str(A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # no limit: long tables run on to more pages rather than shrink
    ws.page_margins = PageMargins(left=SIDE_MARGIN_IN, right=SIDE_MARGIN_IN, top=TOP_MARGIN_IN,
                                  bottom=TOP_MARGIN_IN, header=HEADER_MARGIN_IN, footer=HEADER_MARGIN_IN)
    if header_rows:
        ws.print_title_rows = header_rows
    return ws


def printed_inches(width: float) -> float:
    """A column's printed width at life size, generously: Excel's width in characters is 7 pixels a
    character at 96 dpi, but LibreOffice without Excel's fonts prints one nearer 9.5 (DejaVu Sans's digit).
    Taken at 9.8 (plus 5 of padding), a sheet sized by it fits the page either way."""
    return (width * 9.8 + 5) / 96


def page_width_inches(orientation: str, paper: int = A4) -> float:
    """The room across the page between the side margins."""
    short, long = PAPER_MM[paper]
    return (long if orientation == "landscape" else short) / 25.4 - 2 * SIDE_MARGIN_IN


def print_heading(ws: Any, left: str, centre: str, right: str = "") -> None:
    """The printed page's header (the school, what the workbook is, and ``right``: its dates or scope) and
    footer (the sheet's name, page x of y). Excel reads ``&`` as a code: a name's own ampersand is doubled."""
    def part(text: str, size: int = 10) -> _HeaderFooterPart:
        text = plain_text(text)
        return _HeaderFooterPart(text=(text[:77] + "…" if len(text) > 78 else text).replace("&", "&&"), size=size)

    ws.HeaderFooter.scaleWithDoc = False  # as large on a sheet shrunk to the page as on any other
    ws.HeaderFooter.oddHeader.left = part(left)
    ws.HeaderFooter.oddHeader.center = part(centre, 11)
    ws.HeaderFooter.oddHeader.right = part(right)
    ws.HeaderFooter.oddFooter.left = _HeaderFooterPart(text="&A", size=10)
    ws.HeaderFooter.oddFooter.right = _HeaderFooterPart(text="Page &P of &N", size=10)


class Styles:
    """The workbook's cell styles, made once; cells share them (``cell._style``, as openpyxl's docs copy styles)."""

    def __init__(self, wb: Workbook) -> None:
        ws = wb.create_sheet("_styles")  # a scratch sheet to make style arrays on; removed at once
        self._ws = ws
        self.header = self._make(ws, font=HEADER_FONT, fill=HEADER_FILL,
                                 alignment=Alignment(wrap_text=True, vertical="top"))
        self.title = self._make(ws, font=TITLE_FONT)
        self.bold = self._make(ws, font=BOLD)
        self.note = self._make(ws, font=NOTE_FONT)
        self.quoted = self._make(ws, quote=True)
        self.kinds = {kind: self._make(ws, number_format=fmt) for kind, fmt in FORMATS.items()}
        self.bold_kinds = {kind: self._make(ws, number_format=fmt, font=BOLD) for kind, fmt in FORMATS.items()}
        # A row taller than one line (it holds wrapped text) is read from the top: every cell of it is set so.
        self.top = self._make(ws, alignment=TOP)
        self.top_quoted = self._make(ws, quote=True, alignment=TOP)
        self.top_kinds = {kind: self._make(ws, number_format=fmt, alignment=TOP) for kind, fmt in FORMATS.items()}
        self.wrapped = self._make(ws, alignment=WRAP)
        self.wrapped_quoted = self._make(ws, quote=True, alignment=WRAP)
        wb.remove(ws)

    @staticmethod
    def _make(ws: Any, *, number_format: str | None = None, font: Font | None = None,
              fill: PatternFill | None = None, alignment: Alignment | None = None, quote: bool = False) -> Any:
        c = Cell(ws, row=1, column=1)
        if number_format:
            c.number_format = number_format
        if font:
            c.font = font
        if fill:
            c.fill = fill
        if alignment:
            c.alignment = alignment
        if quote:
            c.quotePrefix = True
        return c._style  # type: ignore[attr-defined]  # noqa: SLF001 -- the style array, shared by every cell of that look


def too_long(sheet: str, row: int, header: str, length: int) -> CpdError:
    return CpdError(
        f"{sheet} sheet, row {row}, {header}: the text is {length:,} characters long, and an Excel cell holds "
        f"at most {EXCEL_CELL_MAX:,}. Nothing was written.",
        hint="Shorten that text in CPD Desktop, or export this as a PDF instead.")


class Writer:
    """Turns values into cells of one sheet: typed, styled, and safe."""

    def __init__(self, ws: Any, styles: Styles) -> None:
        self.ws = ws
        self.styles = styles

    def text(self, value: object, style: Any = None, where: tuple[str, int, str] = ("", 0, "")) -> Any:
        text = plain_text(value)
        if len(text) > EXCEL_CELL_MAX:
            raise too_long(where[0] or self.ws.title, where[1], where[2], len(text))
        if style is None and not risky_for_formula(text):
            return text
        cell = WriteOnlyCell(self.ws, text)
        cell.data_type = "s"  # never a formula, whatever it starts with
        cell._style = self.styles.quoted if style is None else style  # type: ignore[attr-defined]  # noqa: SLF001
        if style is not None and risky_for_formula(text):
            cell.quotePrefix = True
        return cell

    def styled(self, value: Any, style: Any) -> Cell:
        cell = WriteOnlyCell(self.ws, value)
        cell._style = style  # type: ignore[attr-defined]  # noqa: SLF001
        return cell

    def formula(self, text: str, kind: str | None = None, bold: bool = False) -> Cell:
        """One of our formulas (never user text), with its number format."""
        assert text.startswith("=")
        cell = WriteOnlyCell(self.ws, text)
        if kind is not None:
            cell._style = (self.styles.bold_kinds if bold else self.styles.kinds)[kind]  # type: ignore[attr-defined]  # noqa: SLF001
        elif bold:
            cell._style = self.styles.bold  # type: ignore[attr-defined]  # noqa: SLF001
        return cell

    def paragraph(self, text: str, width: float, style: Any = None) -> list[list[Any]]:
        """A sentence or two as rows of one cell each, no line wider than ``width`` characters (the sheet's
        columns): text running on past the sheet's last column widened the printed page (and shrank it)."""
        import textwrap

        return [[self.text(line, style)] for line in textwrap.wrap(plain_text(text), max(10, int(width) - 2))]

    def value(self, value: Any, kind: str) -> Any:
        if value is None:
            return None
        if kind == TEXT:
            return self.text(value)
        if kind == YESNO:
            return "yes" if value else "no"
        return self.styled(value, self.styles.kinds[kind])


def measure(columns: Sequence[Col], rows: Sequence[Any],
            values: Callable[[Any], Sequence[Any]]) -> tuple[list[float], list[int]]:
    """Column widths (in characters) from the header and the content of a sample of rows, and each text
    column's longest text (0 for the others)."""
    widths = [float(min(MAX_WIDTH, max(len(w) for w in c.header.split()) + 2)) for c in columns]
    longest = [0] * len(columns)
    text_cols = []
    for i, c in enumerate(columns):
        if c.width is not None:
            widths[i] = c.width
        elif c.kind == TEXT:
            text_cols.append(i)
            widths[i] = max(widths[i], min(len(c.header) + 2, 16))
        else:
            widths[i] = max(widths[i], WIDTHS[c.kind])
    if text_cols and rows:
        step = max(1, len(rows) // MEASURE_ROWS)
        for r in rows[::step]:
            vals = values(r)
            for i in text_cols:
                v = vals[i]
                if v:
                    n = len(v) if isinstance(v, str) else len(str(v))
                    if n > longest[i]:
                        longest[i] = n
        for i in text_cols:
            widths[i] = min(MAX_WIDTH, max(widths[i], longest[i] + 2))
    return widths, longest


def fit_widths(columns: Sequence[Col], widths: Sequence[float], longest: Sequence[int]) -> tuple[list[float], list[bool]]:
    """Widths that print at ``SMALLEST_SCALE`` or more on A4 landscape when they can, and which columns wrap.

    When the columns are wider than that, the text columns sized to their content give up room: each gets
    a width in proportion to its longest text, so that the long ones (set work, notes) take about as many
    lines each, between a floor and what it had. The floor is its header's longest word (headers wrap at
    spaces) and ``WRAP_FLOOR``, or the whole text when that is short (``SHORT_TEXT``: a time, a class, a
    day), so a short text never wraps and an empty column is as narrow as its header. Columns of a fixed
    width and numbers keep theirs. A text column whose longest text is wider than the column then wraps.
    A sheet that would still print below ``WORTH_WRAPPING`` keeps its widths and wraps nothing (``DataSheet``
    prints it in bands)."""
    out = [float(w) for w in widths]
    room = page_width_inches("landscape") / SMALLEST_SCALE * 96 / 9.8 - sum(5 / 9.8 for _ in out)  # characters
    if sum(out) > room:
        floors: dict[int, float] = {}
        for i, c in enumerate(columns):
            if c.kind != TEXT or c.width is not None:
                continue
            header = max(len(word) for word in c.header.split()) * 1.1 + 2
            content = longest[i] + 2.0 if longest[i] + 2 <= SHORT_TEXT else WRAP_FLOOR
            floors[i] = min(out[i], max(header, content))
        left = room - sum(w for i, w in enumerate(out) if i not in floors)

        def at(share: float) -> dict[int, float]:  # each column's width at this many characters a character
            return {i: min(out[i], max(floor, share * longest[i])) for i, floor in floors.items()}

        low, high = 0.0, 1.0  # the largest share whose widths fit what is left (bisection: widths grow with it)
        for _ in range(30):
            mid = (low + high) / 2
            low, high = (mid, high) if sum(at(mid).values()) <= left else (low, mid)
        for i, w in at(low).items():
            out[i] = round(w, 1)
        if print_scale(out) < WORTH_WRAPPING:
            return [float(w) for w in widths], [False] * len(out)
    wrap = [c.kind == TEXT and longest[i] + 2 > out[i] for i, c in enumerate(columns)]
    return out, wrap


def set_widths(ws: Any, widths: Sequence[float], *, beside_inches: float = 0.0) -> None:
    """Set the columns' widths, and print the sheet portrait when they (and ``beside_inches`` of a chart to
    their right) fit across a portrait page at life size, landscape when they do not."""
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(w, 1)
    across = sum(printed_inches(w) for w in widths) + beside_inches
    ws.page_setup.orientation = "portrait" if across <= page_width_inches("portrait") else "landscape"


def print_scale(widths: Sequence[float], orientation: str = "landscape", paper: int = A4) -> float:
    """The share of life size at which columns this wide fill the page's width (more than 1: room to spare)."""
    return page_width_inches(orientation, paper) / max(0.01, sum(printed_inches(w) for w in widths))


def band_ends(widths: Sequence[float], repeated: int, paper: int = A4) -> list[int]:
    """Where to break a sheet too wide for one page into bands read one after another: each band (with the
    ``repeated`` first columns printed again on it) as wide as landscape paper at ``SMALLEST_SCALE``. The
    1-based last column of each band but the last."""
    room = page_width_inches("landscape", paper) / SMALLEST_SCALE - sum(printed_inches(w) for w in widths[:repeated])
    ends: list[int] = []
    used = 0.0
    for column, w in enumerate(widths[repeated:], repeated + 1):
        if used and used + printed_inches(w) > room:
            ends.append(column - 1)
            used = 0.0
        used += printed_inches(w)
    return ends


def print_in_bands(ws: Any, widths: Sequence[float], ends: Sequence[int], repeated: int, paper: int = A4) -> None:
    """Print a wide sheet in bands on landscape paper: a page break after each band (after each of the
    columns ``ends``, 1-based), the first ``repeated`` columns printed again on every band, and one scale
    for every page: the widest band as wide as the page, never larger than life. The sheet must have been
    made with ``fit_to_page=False``."""
    from openpyxl.worksheet.pagebreak import Break, ColBreak

    ws.page_setup.paperSize = str(paper)
    ws.page_setup.orientation = "landscape"
    ws.print_title_cols = f"A:{get_column_letter(repeated)}"
    breaks = ColBreak()
    for end in ends:
        breaks.append(Break(id=end))
    ws.col_breaks = breaks
    again = list(range(repeated))
    starts = [repeated, *ends]  # 0-based first column of each band (after the repeated ones)
    stops = [*ends, len(widths)]
    widest = max(sum(printed_inches(widths[c]) for c in {*range(a, b), *again})
                 for a, b in zip(starts, stops, strict=True))
    ws.page_setup.scale = min(100, int(100 * page_width_inches("landscape", paper) / widest))


def whole_column(sheet: str, column: int) -> str:
    """A whole column of a sheet, e.g. Claims!$R:$R: what a row added below the table is in too."""
    letter = get_column_letter(column)
    return f"{quote_sheetname(sheet)}!${letter}:${letter}"


def col_range(sheet: str, column: int, first: int, last: int) -> str:
    """An absolute range of one column, e.g. 'By person'!$E$2:$E$26 (a blank row when there are none)."""
    letter = get_column_letter(column)
    return f"{quote_sheetname(sheet)}!${letter}${first}:${letter}${max(last, first)}"


class DataSheet:
    """A sheet of rows as an Excel table: header, frozen first row, autofilter, sized columns."""

    def __init__(self, wb: Workbook, styles: Styles, title: str, columns: Sequence[Col], *,
                 table_name: str | None = None, fit_to_page: bool = True, repeated: int = 1) -> None:
        """``repeated``: how many of the first columns (who or what a row is) print again on every band
        when the sheet is too wide to read on one page's width; ``fit_to_page=False``: the sheet sets its
        own scale (the claims workbook's bands on A3)."""
        self.wb = wb
        self.fit_to_page = fit_to_page
        self.repeated = repeated
        self.ws = new_sheet(wb, title, header_rows="1:1", fit_to_page=fit_to_page)
        self.ws.print_options.gridLines = True  # wrapped rows of a table read apart on paper
        self.title = title
        self.columns = list(columns)
        self.table_name = table_name
        self.w = Writer(self.ws, styles)
        self.rows = 0

    def index(self, header: str) -> int:
        """The 1-based column number of a header."""
        return [c.header for c in self.columns].index(header) + 1

    def range(self, header: str) -> str:
        return col_range(self.title, self.index(header), 2, self.rows + 1)

    def column(self, header: str) -> str:
        return whole_column(self.title, self.index(header))

    def write(self, rows: Sequence[Any], values: Callable[..., Sequence[Any]], ticker: Ticker | None = None, *,
              with_row: bool = False) -> None:
        """Write the rows; ``values(row)`` gives a row's values (``values(row, n)`` with ``with_row``: n is
        its row number, for a formula on the row)."""
        ws, w = self.ws, self.w
        if with_row:
            by_row = values
            values = lambda r: by_row(r, 0)  # noqa: E731 -- widths: formulas are not measured
        widths, longest = measure(self.columns, rows, values)
        wrap = [False] * len(widths)
        if self.fit_to_page:
            widths, wrap = fit_widths(self.columns, widths, longest)
        set_widths(ws, widths)
        if self.fit_to_page and print_scale(widths) < WORTH_WRAPPING:
            # Too wide to read on one page's width, narrowed or not (a log of twenty columns): it prints in
            # bands instead, its first columns on each. The flag is written with the first row: before it.
            ws.sheet_properties.pageSetUpPr.fitToPage = False
            print_in_bands(ws, widths, band_ends(widths, self.repeated), self.repeated)
        header_height(ws, 1, [c.header for c in self.columns], widths)
        if with_row:
            values = by_row
        ws.freeze_panes = "A2"
        headers = [c.header for c in self.columns]
        ws.append([w.text(h, w.styles.header) for h in headers])
        kinds = [c.kind for c in self.columns]
        number_styles = [w.styles.kinds.get(k) for k in kinds]
        # A wrapped column's text longer than this may take more than one line (``_lines`` says how many).
        one_line = [(w - 1.0) / 0.9 if wrapped else float(EXCEL_CELL_MAX) for w, wrapped in zip(widths, wrap, strict=True)]
        quoted = w.styles.quoted
        title = self.title
        append = ws.append
        dims = ws.row_dimensions
        for n, r in enumerate(rows, 2):
            out: list[Any] = []
            tall = 1
            for i, v in enumerate(values(r, n) if with_row else values(r)):
                if v is None or v == "":
                    out.append(None)
                    continue
                kind = kinds[i]
                if isinstance(v, Formula):
                    cell = WriteOnlyCell(ws, v.text)
                    if number_styles[i] is not None:
                        cell._style = number_styles[i]  # type: ignore[attr-defined]  # noqa: SLF001
                    out.append(cell)
                    continue
                if kind == TEXT:
                    if not isinstance(v, str) or "\r" in v or len(v) > EXCEL_CELL_MAX or not v.isprintable():
                        v = plain_text(v)
                        if len(v) > EXCEL_CELL_MAX:
                            raise too_long(title, n, headers[i], len(v))
                    if len(v) > one_line[i] or "\n" in v:
                        tall = max(tall, _lines(v, widths[i], 0.9))
                    if v[:1] in _RISKY:
                        cell = WriteOnlyCell(ws, v)
                        cell.data_type = "s"
                        cell._style = quoted  # type: ignore[attr-defined]  # noqa: SLF001
                        out.append(cell)
                    else:
                        out.append(v)
                elif kind == YESNO:
                    out.append("yes" if v else "no")
                else:
                    cell = WriteOnlyCell(ws, v)
                    cell._style = number_styles[i]  # type: ignore[attr-defined]  # noqa: SLF001
                    out.append(cell)
            if tall > 1:
                # Neither Excel nor LibreOffice grows a row to its wrapped text as the file opens: the row is
                # given the height, and its cells are read from the top.
                dims[n].height = row_height(tall)
                append(self._from_the_top(out, wrap))
                del dims[n]  # written: a long sheet keeps no record per row
            else:
                append(out)
            if ticker is not None:
                ticker.step()
        self.rows = len(rows)
        if self.table_name:
            self._add_table(headers)

    def _from_the_top(self, out: list[Any], wrap: Sequence[bool]) -> list[Any]:
        """A row of cells as ``write`` made them, aligned to the top, its wrapped columns' text wrapped."""
        st = self.w.styles
        cells: list[Any] = []
        for i, v in enumerate(out):
            if v is None:
                cells.append(None)
                continue
            kind = self.columns[i].kind
            if isinstance(v, Cell):
                cell = v
                if kind in st.top_kinds:
                    style = st.top_kinds[kind]
                elif cell._style is st.quoted:  # type: ignore[attr-defined]  # noqa: SLF001
                    style = st.wrapped_quoted if wrap[i] else st.top_quoted
                else:
                    style = st.top
            else:
                cell = WriteOnlyCell(self.ws, v)
                style = st.wrapped if wrap[i] else st.top
            cell._style = style  # type: ignore[attr-defined]  # noqa: SLF001
            cells.append(cell)
        return cells

    def _add_table(self, headers: Sequence[str]) -> None:
        ref = f"A1:{get_column_letter(len(headers))}{max(self.rows, 1) + 1}"
        table = Table(displayName=self.table_name, ref=ref, autoFilter=AutoFilter(ref=ref),
                      tableColumns=[TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)],
                      tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True))
        with warnings.catch_warnings():  # openpyxl warns that write-only tables need their columns: they have them
            warnings.simplefilter("ignore", UserWarning)
            self.ws.add_table(table)


_RISKY = frozenset("=+-@\t\n")


def _lines(text: str, width: float, per_char: float) -> int:
    """How many lines text takes, wrapped at spaces (a word too long for a line broken where it must), in
    a column ``width`` characters wide (less a character of padding); a character taken as ``per_char`` of
    the width's unit (0.9 for text, 1.1 for bold headers). Generous: LibreOffice without Excel's fonts
    prints wider letters than Excel does."""
    room = max(1.0, width - 1.0)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split():
            need = len(word) * per_char
            if used and used + 1 + need > room:
                lines, used = lines + 1, 0.0
            if need > room:  # broken across lines
                more = math.ceil(need / room) - 1
                lines, used = lines + more, need - more * room
            else:
                used += need + (1 if used else 0)
        total += lines
    return total


def header_height(ws: Any, row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
    """A header row whose headers wrap gets the height they need (no program grows the row by itself).
    Set before the row is written."""
    lines = max(_lines(h, w, 1.1) for h, w in zip(headers, widths, strict=False))
    if lines > 1:
        ws.row_dimensions[row].height = row_height(lines)


def row_height(lines: int) -> float:
    """A row's height in points for so many lines of 11-point text."""
    return min(MAX_ROW_PT, LINE_PT * lines + 1)


def save(wb: Workbook, path: Path, *, detail: str = "") -> None:
    """Write the workbook's zip (what ``Workbook.save`` does), closing the zip even when writing fails (a
    full disk): openpyxl leaves it open, and Python's later attempt to finish it printed "Exception ignored
    in ZipFile.__del__" after the message. The half-written file itself is removed by ``atomic_output``.

    Every sheet prints with the school (the workbook's author) and the workbook's title at the top, with
    ``detail`` (the dates, say) on the right, and the sheet's name and page x of y at the foot: a write-only
    sheet writes its header and footer as it closes, here."""
    import datetime as dt
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    if wb.write_only and not wb.worksheets:
        new_sheet(wb, "Sheet")
    for ws in wb.worksheets:
        print_heading(ws, wb.properties.creator or "", wb.properties.title or "", detail)
    archive = zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        wb.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        ExcelWriter(wb, archive).save()
    except BaseException:
        with contextlib.suppress(Exception):
            archive.close()  # its directory cannot be written either, but its file is closed all the same
        raise


@contextlib.contextmanager
def building(wb: Workbook) -> Iterator[Workbook]:
    """Write a workbook; if writing fails part-way, close its streamed sheets and remove their temp files.

    (A write-only sheet left open would fail noisily when Python collects it, and leave a temp file.)
    """
    try:
        yield wb
    except BaseException:
        for ws in wb.worksheets:
            with contextlib.suppress(Exception):
                ws.close()
            writer = getattr(ws, "_writer", None)
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.cleanup()
        raise
