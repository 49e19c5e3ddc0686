"""The one look of every PDF: A4, the school's name and the title at the top of each page, the date
produced and "Page x of y" at the foot, DejaVu Sans for all text (so Łukasz Zając, Nguyễn Thị Mai
and Siobhán Ó Dálaigh print as written), and tables that split across pages with their header.

User text reaches a page in two ways only, both safe:
- ``para`` escapes it for a ``Paragraph`` (reportlab's mini-markup would otherwise obey ``<a href>``,
  ``<font>``, or fail on an unclosed ``<b>``);
- table cells are plain strings (never parsed as markup) wrapped here with the font's own metrics,
  which is also several times faster than a ``Paragraph`` per cell.
Long tables are cut into chunks of about 500 rows: reportlab lays out a table whole before
splitting it, so one 10,000-row table costs several times more than twenty 500-row ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ...resources import resource_path
from ...services.formatting import format_date
from ..safety import Ticker, markup, plain_text

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CHUNK_ROWS = 500
MAX_CELL_LINES = 40  # a taller row is continued on a following row, so that a row always fits a page
PAD = 3
TOP_PAD = 2
BOTTOM_PAD = 2.5

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#dde7f0")
ZEBRA = colors.HexColor("#f5f7fa")
ACCENT = colors.HexColor("#2f6690")
TARGET = colors.HexColor("#b8c4ce")

_fonts_ready = False
_ascii_widest = 1.0  # the widest printable ASCII character of our fonts, in ems (set on registering them)


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) once per process, as a family so <b> works."""
    global _fonts_ready, _ascii_widest
    if _fonts_ready:
        return
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping

    # Page streams are zlib-compressed; ASCII85 on top only makes them a quarter bigger and, without
    # reportlab's optional C accelerator, costs about a third of the time of a 200-page cover sheet.
    rl_config.useA85 = 0
    pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(BOLD, str(resource_path("fonts", "DejaVuSans-Bold.ttf"))))
    faces: tuple[tuple[Literal[0, 1], Literal[0, 1], str], ...] = (
        (0, 0, FONT), (1, 0, BOLD), (0, 1, FONT), (1, 1, BOLD))
    for bold, italic, name in faces:
        addMapping(FONT, bold, italic, name)
    # Short ASCII text that fits even at this width needs no measuring (most cells: dates, rooms, codes).
    _ascii_widest = max(pdfmetrics.stringWidth(chr(c), f, 1) for f in (FONT, BOLD) for c in range(32, 127))
    _fonts_ready = True


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle


def make_styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT,
                          spaceAfter=4)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=17, leading=21, spaceAfter=3,
                             textColor=INK),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=10, leading=13, textColor=MUTED, spaceAfter=8),
        h2=ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=10,
                          spaceAfter=5, textColor=ACCENT),
        h3=ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=10.5, leading=13.5, spaceBefore=8,
                          spaceAfter=3),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, spaceAfter=2),
        note=ParagraphStyle("note", parent=body, fontSize=8, leading=10, textColor=MUTED, spaceAfter=2),
    )


def para(text: object, style: ParagraphStyle, *, bold_prefix: str | None = None) -> Paragraph:
    """A paragraph of user text, escaped so that it prints literally."""
    body = markup(text)
    if bold_prefix:
        body = f"<b>{markup(bold_prefix)}</b> {body}"
    return Paragraph(body, style)


def head(text: object, style: ParagraphStyle, room_mm: float = 30) -> list[Any]:
    """A heading that starts a new page unless there is room under it for a few lines of what follows.

    (``keepWithNext`` would move a heading and its whole table to the next page, leaving a blank one.)
    """
    return [CondPageBreak(room_mm * mm), para(text, style)]


def wrap(text: object, width: float, size: float = 8, font: str = FONT) -> list[str]:
    """The lines ``text`` takes in a column ``width`` points wide (words longer than a line are broken).

    Widths come from the font's own advance widths, word by word with a cache, because a cover
    sheet or a 10,000-row log wraps tens of thousands of cells.
    """
    value = plain_text(text).replace("\t", " ") if text is not None else ""
    if not value:
        return [""]
    if "\n" not in value and value.isascii() and len(value) * size * _ascii_widest <= width:
        return [value]  # short ASCII text: it fits whatever its letters
    limit = width * 1000 / size  # in thousandths of an em, as the font measures
    measure = _measurer(font)
    space = measure(" ")
    lines: list[str] = []
    for para in value.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in para.split(" "):
            w = measure(word)
            if w > limit:  # a long word or a pasted link: break it where it fills the line
                if line:
                    lines.append(" ".join(line))
                line, used = [], 0.0
                piece, piece_w = "", 0.0
                for ch in word:
                    cw = measure(ch)
                    if piece and piece_w + cw > limit:
                        lines.append(piece)
                        piece, piece_w = "", 0.0
                    piece += ch
                    piece_w += cw
                line, used = [piece], piece_w
                continue
            extra = w + (space if line else 0.0)
            if used + extra <= limit or not line:
                line.append(word)
                used += extra
            else:
                lines.append(" ".join(line))
                line, used = [word], w
        lines.append(" ".join(line))
    return lines


_measurers: dict[str, Callable[[str], float]] = {}


def _measurer(font: str) -> Callable[[str], float]:
    """A function giving a word's width in thousandths of an em, remembering the words it has seen."""
    if font in _measurers:
        return _measurers[font]
    registered = pdfmetrics.getFont(font)
    assert isinstance(registered, TTFont)  # both fonts are DejaVu Sans, registered above
    face = registered.face
    widths, default = face.charWidths, face.defaultWidth
    seen: dict[str, float] = {}

    def measure(word: str) -> float:
        w = seen.get(word)
        if w is None:
            w = sum(widths.get(ord(ch), default) for ch in word)
            if len(seen) < 100_000:
                seen[word] = w
        return w

    _measurers[font] = measure
    return measure


@dataclass
class Column:
    title: str
    width: float  # points
    align: str = "LEFT"  # LEFT, RIGHT or CENTRE


def data_table(columns: Sequence[Column], rows: Iterable[Sequence[object]], *, size: float = 8,
               chunk: int = CHUNK_ROWS, zebra: bool = True, min_lines: int = 1, header: bool = True,
               extra: Sequence[tuple[Any, ...]] = (), total_row: Sequence[object] | None = None) -> list[Table]:
    """Tables of at most ``chunk`` rows, header repeated on every page, cells wrapped to their columns.

    Row heights are worked out here from the wrapped lines (``min_lines`` leaves room to write by
    hand), so reportlab need not measure every cell again.
    """
    inner = [c.width - 2 * PAD for c in columns]
    leading = size * 1.2
    pad = TOP_PAD + BOTTOM_PAD
    head: list[list[str]] = []
    head_h: list[float] = []
    if header:
        titles = [wrap(c.title, w, size, BOLD) for c, w in zip(columns, inner, strict=True)]
        head = [["\n".join(t) for t in titles]]
        head_h = [max(len(t) for t in titles) * leading + pad]
    body: list[list[str]] = []
    heights: list[float] = []
    for row in rows:
        _wrapped_rows(row, inner, size, min_lines, body, heights, leading, pad)
    if total_row is not None:
        _wrapped_rows(total_row, inner, size, 1, body, heights, leading, pad)
    starts = list(range(0, len(body), chunk)) or [0]
    first = 1 if header else 0
    common: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, size, leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), TOP_PAD), ("BOTTOMPADDING", (0, 0), (-1, -1), BOTTOM_PAD),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
    ]
    if header:
        common += [("FONT", (0, 0), (-1, 0), BOLD, size, leading), ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                   ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE)]
    common += [("ALIGN", (i, 0), (i, -1), c.align) for i, c in enumerate(columns) if c.align != "LEFT"]
    tables = []
    for n, start in enumerate(starts):
        part, part_h = body[start:start + chunk], heights[start:start + chunk]
        if not part:
            part, part_h = [[""] * len(columns)], [leading + pad]
        style = list(common)
        if zebra and body:
            style.append(("ROWBACKGROUNDS", (0, first), (-1, -1), [colors.white, ZEBRA]))
        if total_row is not None and n == len(starts) - 1 and body:
            style += [("FONT", (0, -1), (-1, -1), BOLD, size, leading), ("LINEABOVE", (0, -1), (-1, -1), 0.8, RULE)]
        style.extend(extra)
        table = Table([*head, *part], colWidths=[c.width for c in columns], rowHeights=[*head_h, *part_h],
                      repeatRows=first, hAlign="LEFT")
        table.setStyle(TableStyle(style))
        tables.append(table)
    return tables


def _wrapped_rows(row: Sequence[object], inner: Sequence[float], size: float, min_lines: int,
                  body: list[list[str]], heights: list[float], leading: float, pad: float) -> None:
    """Append the row's wrapped cells (and height); a row taller than a page continues on further rows."""
    cells = [wrap(value, width, size) for value, width in zip(row, inner, strict=True)]
    tallest = max(len(c) for c in cells)
    if tallest <= MAX_CELL_LINES:
        body.append([c[0] if len(c) == 1 else "\n".join(c) for c in cells])
        heights.append(max(tallest, min_lines) * leading + pad)
        return
    for i in range(0, tallest, MAX_CELL_LINES):
        body.append(["\n".join(c[i:i + MAX_CELL_LINES]) for c in cells])
        heights.append(min(MAX_CELL_LINES, tallest - i) * leading + pad)


def key_values(pairs: Sequence[tuple[str, object]], widths: tuple[float, float], size: float = 8.5) -> list[Table]:
    """A two-column table of labels and values (personal details, headline figures)."""
    cols = [Column("", widths[0]), Column("", widths[1])]
    return data_table(cols, list(pairs), size=size, zebra=False, header=False, extra=[
        ("FONT", (0, 0), (0, -1), BOLD, size, size * 1.2), ("LINEBELOW", (0, 0), (-1, -1), 0.25, TARGET)])


@dataclass
class Document:
    """One PDF: where it goes, whose it is, what it is called, and which way up."""

    path: Path
    school_name: str
    title: str
    subject: str = ""
    wide: bool = False  # landscape A4
    produced: dt.date = field(default_factory=dt.date.today)
    top: float = 20 * mm
    bottom: float = 17 * mm
    side: float = 14 * mm

    @property
    def pagesize(self) -> tuple[float, float]:
        return landscape(A4) if self.wide else A4

    @property
    def width(self) -> float:
        """The width of the text frame, in points."""
        return self.pagesize[0] - 2 * self.side

    @property
    def height(self) -> float:
        return self.pagesize[1] - self.top - self.bottom

    def heading(self, styles: Styles, subtitle: str) -> list[Any]:
        return [para(self.title, styles.title), para(subtitle, styles.subtitle)]

    def build(self, story: list[Any], ticker: Ticker | None = None,
              on_page: Callable[[Any, Any], None] | None = None) -> None:
        register_fonts()
        doc = _DocTemplate(str(self.path), ticker, pagesize=self.pagesize, leftMargin=self.side,
                           rightMargin=self.side, topMargin=self.top, bottomMargin=self.bottom,
                           title=self.title, author=self.school_name, subject=self.subject,
                           creator="CPD Desktop", producer="CPD Desktop (reportlab)")
        frame = Frame(self.side, self.bottom, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        school, title = self.school_name, self.title
        produced = f"Produced {format_date(self.produced)} by CPD Desktop"
        width, side = self.pagesize[0], self.side
        top_line = self.pagesize[1] - self.top + 5 * mm

        def decorate(canv: Any, d: Any) -> None:
            canv.saveState()
            canv.setFillColor(INK)
            half = (width - 2 * side) / 2 - 6
            canv.setFont(BOLD, 9)
            canv.drawString(side, top_line + 2.5, _fit(school, BOLD, 9, half))
            canv.setFont(FONT, 9)
            canv.setFillColor(MUTED)
            canv.drawRightString(width - side, top_line + 2.5, _fit(title, FONT, 9, half))
            canv.setStrokeColor(RULE)
            canv.setLineWidth(0.6)
            canv.line(side, top_line, width - side, top_line)
            canv.line(side, self.bottom - 5 * mm, width - side, self.bottom - 5 * mm)
            canv.setFont(FONT, 8)
            canv.drawString(side, self.bottom - 9 * mm, produced)
            if on_page is not None:
                on_page(canv, d)
            canv.restoreState()

        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
        if ticker is not None:
            ticker.total = max(len(story), 1)
            ticker.check()
        margin, foot = self.side, self.bottom - 9 * mm

        class _Canvas(_NumberedCanvas):
            right = width - margin
            baseline = foot

        doc.build(story, canvasmaker=_Canvas)
        if ticker is not None:
            ticker.finish()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Text for a one-line page header: cut with an ellipsis where it would run into the other half.

    The full text is in the body of the document; the header only names it.
    """
    text = plain_text(text).replace("\n", " ")
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _DocTemplate(BaseDocTemplate):
    def __init__(self, filename: str, ticker: Ticker | None, **kw: Any) -> None:
        super().__init__(filename, **kw)
        self._ticker = ticker

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 -- reportlab's hook
        if self._ticker is not None:
            self._ticker.step()


class _NumberedCanvas(rl_canvas.Canvas):
    """Holds each page until the end, so that every page can say "Page x of y"."""

    right = 0.0
    baseline = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Else every page also carries an unused Helvetica (the platypus template passes None).
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 -- reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # what Canvas.showPage ends with, left out of the stubs

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawRightString(self.right, self.baseline, f"Page {number} of {total}")
            self.restoreState()
            super().showPage()
        super().save()


def spacer(height_mm: float) -> Spacer:
    return Spacer(1, height_mm * mm)
