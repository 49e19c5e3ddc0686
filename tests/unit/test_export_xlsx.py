"""The workbooks, read back with openpyxl as a business manager's Excel would read them."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cpd_desktop.errors import CpdError
from cpd_desktop.exports import ExportCancelled, preview, run_export
from cpd_desktop.models import School, TimetableLesson
from cpd_desktop.services import activities, bookings, bursaries, reports
from cpd_desktop.services.schools import get_or_create_department
from cpd_desktop.services.staff import add_staff
from cpd_desktop.services.years import AcademicYear
from cpd_desktop.storage.database import Database

TODAY = dt.date(2026, 3, 20)
YEAR = AcademicYear(2025)
HOSTILE = {
    "formula": '=HYPERLINK("http://evil.example","Click me")',
    "plus": "+1 day on forces",
    "minus": "-2 misconceptions",
    "at": "@SUM(A1:A9) assessment",
    "link": '<a href="http://evil.example">Practical skills</a>',
    "font": "<font size=60 color=white>hidden</font> Safeguarding",
    "bold": "Unclosed <b>bold INSET",
}


def build_sample(db: Database, school_id: int) -> dict[str, Any]:
    """Three staff with names Helvetica cannot print, hostile titles, a 3-day course with cover, a claim."""
    with db.session() as s:
        school = s.get(School, school_id)
        assert school is not None
        physics = get_or_create_department(s, school, "Physics")
        chemistry = get_or_create_department(s, school, "Chemistry")
        assert physics is not None and chemistry is not None
        lza = add_staff(s, school, forename="Łukasz", surname="Zając", staff_code="LZA", department="Physics",
                        email="lza@example.org")
        ntm = add_staff(s, school, forename="Nguyễn Thị", surname="Mai", staff_code="NTM", department="Chemistry",
                        fte="0.8")
        sod = add_staff(s, school, forename="Siobhán", surname="Ó Dálaigh", staff_code="SOD", department="Science")
        a1 = activities.add_activity(
            s, school, lza, date="14/10/2025", hours="3", title=HOSTILE["formula"], provider=HOSTILE["plus"],
            format="face_to_face", subject_specific=True, cost="120.50", std_pupil_outcomes=True,
            std_evidence=True, std_collaboration=True, std_sustained=True, std_prioritised=True)
        activities.record_evaluation(s, a1, impact=HOSTILE["minus"], evaluated_on="01/11/2025")
        activities.add_activity(s, school, lza, date="15/01/2026", hours="1.5", title=HOSTILE["link"],
                                provider=HOSTILE["at"], format="webinar", subject_specific=True)
        activities.add_activity(s, school, ntm, date="20/11/2025", end_date="21/11/2025", hours="2.25",
                                title=HOSTILE["font"], format="inset", subject_specific=False)
        activities.add_activity(s, school, sod, date="03/03/2026", hours="6", title=HOSTILE["bold"],
                                format="conference", subject_specific=True, std_evidence=True)
        activities.add_activity(s, school, sod, date="03/03/2025", hours="4", title="Last year's course",
                                format="webinar")  # 2024/25: in no 2025/26 export
        s.add(TimetableLesson(school_id=school.id, staff_id=lza.id, week="every", weekday=3, period=4,
                              class_group="10X/Ph2", subject="Physics", room="S4"))
        booking = bookings.create_booking(
            s, school, lza, title="Practical physics for non-specialists", provider="National STEM Learning Centre",
            start_date="09/02/2026", end_date="11/02/2026", hours="18", format="residential", fee="650",
            travel="46.20", accommodation="220", subsistence="30", cover_required=True, budget_code="CPD-SCI",
            intended_outcomes="Pupils carry out the practical with less help")
        bookings.add_cover_lesson(s, booking, date="09/02/2026", period=1, class_group="11Z/Ph1",
                                  subject="Physics", room="S5", work_set="Graph the results <b>carefully",
                                  materials_location="Blue folder on the desk", work_return="collected",
                                  technician_notes="Ray boxes out for P1")
        bookings.add_cover_lesson(s, booking, date="09/02/2026", period=3, class_group="8C", subject="Science",
                                  room="S5", work_set="Textbook p.112 questions 1–8")
        bookings.add_cover_lesson(s, booking, date="10/02/2026", period=2, class_group="9Y/Ph", subject="Physics",
                                  room="S2", work_set="Retrieval quiz on the slides")
        for status in ("approved", "booked"):
            bookings.transition_booking(s, booking, status, on=dt.date(2026, 1, 10))
        bookings.mark_attended(s, booking, on=dt.date(2026, 2, 12))
        scheme = bursaries.add_scheme(s, school, name="Residential bursary", rule="per_day", amount="220",
                                      claim_deadline_days=60)
        other = bursaries.add_scheme(s, school, name="Ogden grant", rule="per_course", amount="300")
        claim = bursaries.create_claim(s, booking, scheme)
        bursaries.transition_claim(s, claim, "submitted", on="20/02/2026", reference="SCP-1")
        bursaries.create_claim(s, booking, other)  # a draft; its deadline (60 days) passes on 12/04/2026
        return {"booking_id": booking.id, "school_id": school.id}


@pytest.fixture
def sample(db: Database, school: School) -> dict[str, Any]:
    return build_sample(db, school.id)


def cells_of(ws: Any) -> Iterator[Any]:
    for row in ws.iter_rows():
        yield from row


def test_activities_sheet_has_the_import_headers_real_dates_and_numbers(db: Database, sample: dict, tmp_path: Path):
    out = run_export(db, sample["school_id"], "activities", "xlsx", tmp_path / "log.xlsx", year="2025/26",
                     today=TODAY)
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Activities"  # the importer reads the first sheet
    ws = wb["Activities"]
    headers = [c.value for c in ws[1]]
    assert headers == ["Staff code", "Forename", "Surname", "Department", "Date", "End date", "Title", "Provider",
                       "Format", "Hours", "Subject specific",
                       "1. Focus on improving and evaluating pupil outcomes",
                       "2. Underpinned by robust evidence and expertise",
                       "3. Includes collaboration and expert challenge", "4. Sustained over time",
                       "5. Prioritised by school leadership", "Evaluated on", "Impact", "Cost"]
    rows = [dict(zip(headers, (c for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 5  # four activities and the attended booking; not last year's
    first = rows[0]  # Mai before Ó Dálaigh before Zając: names sorted as people read them
    assert [r["Surname"].value for r in rows] == ["Mai", "Ó Dálaigh", "Zając", "Zając", "Zając"]
    assert first["Date"].value == dt.datetime(2025, 11, 20) and first["Date"].number_format == "dd/mm/yyyy"
    assert first["End date"].value == dt.datetime(2025, 11, 21)
    assert first["Hours"].value == 2.25 and first["Hours"].data_type == "n"
    zajac = rows[2]
    assert zajac["Format"].value == "Face-to-face course"
    assert zajac["Subject specific"].value == "yes" and zajac["5. Prioritised by school leadership"].value == "yes"
    assert zajac["Cost"].value == 120.5 and "£" in zajac["Cost"].number_format
    assert zajac["Evaluated on"].value == dt.datetime(2025, 11, 1)
    assert ws.freeze_panes == "A2"
    table = ws.tables["Activities"]
    assert table.ref == "A1:S6" and table.autoFilter.ref == "A1:S6"
    assert [c.name for c in table.tableColumns] == headers
    assert wb.properties.title == "CPD log 2025/26" and wb.properties.creator == "Test Academy"
    assert ws.column_dimensions["G"].width >= len(HOSTILE["formula"])  # sized to the longest title


def test_hostile_text_is_stored_as_literal_text_never_a_formula(db: Database, sample: dict, tmp_path: Path):
    out = run_export(db, sample["school_id"], "activities", "xlsx", tmp_path / "log.xlsx", year="2025/26")
    ws = load_workbook(out)["Activities"]
    values = {c.value: c for c in cells_of(ws) if isinstance(c.value, str)}
    for text in HOSTILE.values():
        assert text in values, text
        assert values[text].data_type == "s"
    for risky in (HOSTILE["formula"], HOSTILE["plus"], HOSTILE["minus"], HOSTILE["at"]):
        assert values[risky].quotePrefix  # Excel keeps it text even when the cell is edited
    assert not [c.coordinate for c in cells_of(ws) if c.data_type == "f"]


def test_tab_and_carriage_return_prefixes_stay_text(tmp_path: Path) -> None:
    from cpd_desktop.exports.rows import ActivityRow
    from cpd_desktop.exports.xlsx.activities import write_activities_xlsx

    row = ActivityRow(1, 1, "LZA", "Łukasz", "Zając", None, dt.date(2025, 10, 1), None, "\t=1+1", "\r=2+2",
                      "webinar", Decimal("1.00"), False, (False,) * 5, None, "ok\x00\x1b[31m", None)
    write_activities_xlsx([row], "School", "2025/26", tmp_path / "x.xlsx")
    ws = load_workbook(tmp_path / "x.xlsx")["Activities"]
    assert ws["G2"].value == "\t=1+1" and ws["G2"].data_type == "s"
    assert ws["H2"].value == "\n=2+2" and ws["H2"].data_type == "s"
    assert ws["R2"].value == "ok[31m"  # control characters removed, the rest kept


def test_text_too_long_for_a_cell_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    from cpd_desktop.exports.rows import ActivityRow
    from cpd_desktop.exports.safety import atomic_output
    from cpd_desktop.exports.xlsx.activities import write_activities_xlsx

    target = tmp_path / "log.xlsx"
    row = ActivityRow(1, 1, "LZA", "Łukasz", "Zając", None, dt.date(2025, 10, 1), None, "Course", None,
                      "webinar", Decimal("1.00"), False, (False,) * 5, None, "x" * 40_000, None)
    with pytest.raises(CpdError, match=r"Activities sheet, row 2, Impact: the text is 40,000 characters"), \
            atomic_output(target) as tmp:
        write_activities_xlsx([row], "School", "2025/26", tmp)
    assert list(tmp_path.iterdir()) == []


# ---- formulas: evaluated against the data they point at ------------------------------------------

def _cells(wb: Any, ref: str) -> list[Any]:
    sheet, rng = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    rng = rng.replace("$", "")
    if re.fullmatch(r"([A-Z]+):\1", rng):  # a whole column, header and all
        return [cell.value for cell in ws[rng.split(":")[0]]]
    return [row[0].value for row in ws[rng]]


def evaluate(wb: Any, ws: Any, formula: str) -> Any:
    """Enough of Excel to check our formulas: SUM, COUNT, COUNTA, SUMIFS/COUNTIFS, IF, + and -, cell refs, and the
    summary's SUMPRODUCT of a format's hours by the staff in the target."""
    ref = r"(?:'[^']+'|\w+)!(?:\$?[A-Z]+\$?\d+:\$?[A-Z]+\$?\d+|\$?[A-Z]+:\$?[A-Z]+)"

    def crit(args: list[str]) -> list[bool]:
        keep = None
        for rng, want in zip(args[::2], args[1::2], strict=True):
            value = ws[want.replace("$", "")].value if re.fullmatch(r"\$?[A-Z]+\$?\d+", want) else want.strip('"')
            got = [v == value for v in _cells(wb, rng)]
            keep = got if keep is None else [a and b for a, b in zip(keep, got, strict=True)]
        return keep or []

    def num(values: list[Any]) -> list[float]:
        return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]

    body = formula.lstrip("=")
    terms = _terms(body)
    if len(terms) > 1:
        return sum(sign * evaluate(wb, ws, "=" + term) for sign, term in terms)
    if re.fullmatch(r"\d+(?:\.\d+)?", body):
        return float(body)
    if re.fullmatch(r"\$?[A-Z]+\$?\d+", body):
        cell = ws[body.replace("$", "")]
        return evaluate(wb, ws, cell.value) if cell.data_type == "f" else cell.value
    if m := re.fullmatch(rf"SUM\(({ref})\)", body):
        return sum(num(_cells(wb, m.group(1))))
    if m := re.fullmatch(rf"COUNTA\(({ref})\)", body):
        return sum(1 for v in _cells(wb, m.group(1)) if v not in (None, ""))
    if m := re.fullmatch(rf"COUNT\(({ref})\)", body):
        return sum(1 for v in _cells(wb, m.group(1)) if isinstance(v, int | float | dt.datetime))
    if m := re.fullmatch(r"IF\(OR\(([^()]*)\),([^,()]+),(.+)\)", body):  # IF(OR(K2="Draft",…),0,R2-T2)
        tests = [t.split("=", 1) for t in m.group(1).split(",")]
        hit = any(ws[c.replace("$", "")].value == want.strip('"') for c, want in tests)
        return evaluate(wb, ws, "=" + (m.group(2) if hit else m.group(3)))
    if m := re.fullmatch(r"SUMIFS\((.*)\)", body):
        args = m.group(1).split(",")
        keep = crit(args[1:])
        return sum(float(v or 0) for v, k in zip(_cells(wb, args[0]), keep, strict=True) if k)
    if m := re.fullmatch(r"COUNTIFS\((.*)\)", body):
        return sum(crit(m.group(1).split(",")))
    # A format's hours by the staff in the target: SUMPRODUCT(H*(F=A12)*(COUNTIFS(codes,their codes,in,"yes")>0))
    if m := re.fullmatch(rf"SUMPRODUCT\(({ref})\*\(({ref})=(\$?[A-Z]+\$?\d+)\)"
                         rf"\*\(COUNTIFS\(({ref}),({ref}),({ref}),\"(\w+)\"\)>0\)\)", body):
        hours, formats, label, codes, act_codes, flags, want = m.groups()
        counted = {c for c, f in zip(_cells(wb, codes), _cells(wb, flags), strict=True) if f == want}
        fmt = ws[label.replace("$", "")].value
        return sum(float(h or 0) for h, f, c in zip(_cells(wb, hours), _cells(wb, formats), _cells(wb, act_codes),
                                                     strict=True) if f == fmt and c in counted)
    if m := re.fullmatch(r"SUM\(([A-Z])(\d+):\1(\d+)\)", body):
        col, a, b = m.groups()
        return sum(float(evaluate(wb, ws, ws[f"{col}{i}"].value) if isinstance(ws[f"{col}{i}"].value, str)
                         else ws[f"{col}{i}"].value or 0) for i in range(int(a), int(b) + 1))
    raise AssertionError(f"unexpected formula {formula}")


def _terms(body: str) -> list[tuple[int, str]]:
    """Split a formula at its top-level + and - signs."""
    out, depth, sign, start = [], 0, 1, 0
    for i, ch in enumerate(body):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+-" and i > start:
            out.append((sign, body[start:i]))
            sign, start = (1 if ch == "+" else -1), i + 1
    out.append((sign, body[start:]))
    return out


def formulas(ws: Any) -> dict[str, str]:
    """Label in column A → the formula beside it."""
    return {ws[f"A{c.row}"].value: c.value for c in cells_of(ws) if c.data_type == "f"}


def test_summary_totals_are_live_formulas_that_add_up_to_the_reports(db: Database, sample: dict, tmp_path: Path):
    out = run_export(db, sample["school_id"], "summary", "xlsx", tmp_path / "s.xlsx", year="2025/26", today=TODAY)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "By person", "Activities"]
    ws = wb["Summary"]
    f = formulas(ws)
    for name in ("By person", "Activities"):  # data sheets hold values only
        assert not [c for c in cells_of(wb[name]) if c.data_type == "f"]
    with db.session() as s:
        school = s.get(School, sample["school_id"])
        hours = reports.hours_by_staff(s, school, YEAR)
        cost = reports.cost_by_staff(s, school, YEAR)
    total_hours = sum(float(h.hours) for h in hours)
    assert total_hours == 3 + 1.5 + 2.25 + 6 + 18
    assert evaluate(wb, ws, f["Hours of CPD"]) == total_hours
    assert evaluate(wb, ws, f["Staff in the target"]) == len(hours) == 3
    assert evaluate(wb, ws, f["Pro-rata target (hours)"]) == 35 + 28 + 35
    assert evaluate(wb, ws, f["Subject-specific hours"]) == 3 + 1.5 + 6 + 18
    assert evaluate(wb, ws, f["Hours meeting all five parts of the DfE Standard"]) == 3
    assert evaluate(wb, ws, f["Activities"]) == 5 and evaluate(wb, ws, f["Evaluated"]) == 1
    assert evaluate(wb, ws, f["In-school INSET"]) == 2.25 and evaluate(wb, ws, f["Residential"]) == 18
    assert evaluate(wb, ws, f["All formats"]) == total_hours
    assert evaluate(wb, ws, f["Supply cover"]) == 3 * 291
    assert evaluate(wb, ws, f["Total cost"]) == pytest.approx(float(sum(c.total for c in cost)))
    assert evaluate(wb, ws, f["Total cost"]) == pytest.approx(650 + 46.2 + 220 + 30 + 873 + 120.5)
    money = ws[f"B{[c.row for c in ws['A'] if c.value == 'Total cost'][0]}"]
    assert money.number_format == '"£"#,##0.00;-"£"#,##0.00'
    assert wb.properties.title == "CPD summary 2025/26: Whole school"


def test_summary_workbook_has_a_native_bar_chart_of_hours_against_target(db: Database, sample: dict,
                                                                          tmp_path: Path) -> None:
    import zipfile

    out = run_export(db, sample["school_id"], "summary", "xlsx", tmp_path / "s.xlsx", year="2025/26")
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "<barChart>" in xml and '<barDir val="bar" />' in xml  # horizontal bars
    assert "<f>'By person'!E1</f>" in xml and "<f>'By person'!F1</f>" in xml  # the Hours and Target series
    assert "<strRef><f>'By person'!$B$2:$B$4</f></strRef>" in xml  # the three names label the bars


def test_claims_workbook_totals_by_status_and_scheme_are_formulas(db: Database, sample: dict, tmp_path: Path):
    out = run_export(db, sample["school_id"], "claims", "xlsx", tmp_path / "c.xlsx", year="2025/26",
                     today=dt.date(2026, 5, 1))
    wb = load_workbook(out)
    assert wb.sheetnames == ["Claims", "Totals", "Outstanding"]
    claims = wb["Claims"]
    headers = [c.value for c in claims[1]]
    for head in ("Fee", "Travel", "Accommodation", "Subsistence", "Cover", "Expected", "Claimed", "Received",
                 "Status", "Deadline", "Claim reference", "Budget code"):
        assert head in headers
    rows = [dict(zip(headers, (c.value for c in r), strict=True)) for r in claims.iter_rows(min_row=2)]
    assert sorted(r["Scheme"] for r in rows) == ["Ogden grant", "Residential bursary"]
    res = next(r for r in rows if r["Scheme"] == "Residential bursary")
    assert res["Expected"] == 660 and res["Claimed"] == 660 and res["Status"] == "Submitted"
    assert res["Travel"] == 46.2 and res["Cover"] == 873 and res["Claim reference"] == "SCP-1"
    fee = claims.cell(row=2, column=headers.index("Fee") + 1)
    assert fee.number_format == '"£"#,##0.00;-"£"#,##0.00'
    ws = wb["Totals"]
    by = {(ws[f"A{c.row}"].value, ws.cell(row=_block_header(ws, c.row), column=c.column).value): evaluate(wb, ws, c.value)
          for c in cells_of(ws) if c.data_type == "f"}
    assert by[("Submitted", "Expected")] == 660 and by[("Draft", "Expected")] == 300
    assert by[("Draft", "Claims")] == 1 and by[("Paid", "Received")] == 0
    assert by[("Ogden grant", "Expected")] == 300 and by[("Residential bursary", "Claimed")] == 660
    outstanding = wb["Outstanding"]
    past = [r for r in outstanding.iter_rows(min_row=2, values_only=True)]
    assert {r[3] for r in past} == {"Ogden grant", "Residential bursary"}
    heads = [c.value for c in outstanding[1]]
    gone = heads.index("Past deadline")
    assert [r[gone] for r in past if r[3] == "Ogden grant"] == ["yes"]  # the draft's deadline has gone


def _block_header(ws: Any, row: int) -> int:
    while ws[f"B{row}"].data_type == "f" or ws[f"A{row}"].value == "Total":
        row -= 1
    return row


def test_cover_absences_list_one_row_per_lesson_with_reason_code(db: Database, sample: dict, tmp_path: Path):
    out = run_export(db, sample["school_id"], "absences", "xlsx", tmp_path / "a.xlsx", year="2025/26")
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Staff code", "Name", "Date"] and "Reason code" in headers
    got = [(r[2].date(), r[4], r[6], r[9]) for r in rows]
    # three entered lessons, and the Wednesday timetabled lesson nobody has entered yet
    assert got == [(dt.date(2026, 2, 9), "P1", "11Z/Ph1", "CPD"), (dt.date(2026, 2, 9), "P3", "8C", "CPD"),
                   (dt.date(2026, 2, 10), "P2", "9Y/Ph", "CPD"), (dt.date(2026, 2, 11), "P4", "10X/Ph2", "CPD")]
    assert rows[0][1] == "Łukasz Zając"


def test_cover_absences_as_csv_open_in_excel_with_accents(db: Database, sample: dict, tmp_path: Path):
    out = run_export(db, sample["school_id"], "absences", "csv", tmp_path / "a.csv", year="2025/26")
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("LZA,Łukasz Zając,09/02/2026,Monday,P1,08:50–09:50,11Z/Ph1")


def test_cancelled_export_leaves_no_file_and_keeps_the_old_one(db: Database, sample: dict, tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "log.xlsx"
    target.write_bytes(b"last week's export")
    with pytest.raises(ExportCancelled):
        run_export(db, sample["school_id"], "activities", "xlsx", target, year="2025/26", cancelled=lambda: True)
    assert target.read_bytes() == b"last week's export"
    assert [p.name for p in folder.iterdir()] == ["log.xlsx"]


def test_preview_counts_what_the_export_will_hold(db: Database, sample: dict) -> None:
    info = preview(db, sample["school_id"], "activities", year="2025/26")
    assert info.items == 5 and ("People", "3") in info.figures and ("Hours", "30.75") in info.figures
    cover = preview(db, sample["school_id"], "cover", booking_id=sample["booking_id"])
    assert ("Pages (days away)", "3") in cover.figures and ("Lessons to cover", "4") in cover.figures


def test_an_unknown_department_is_named_with_the_choices(db: Database, sample: dict, tmp_path: Path) -> None:
    with pytest.raises(CpdError, match="no department called Art.*Chemistry, Physics, Science"):
        run_export(db, sample["school_id"], "summary", "pdf", tmp_path / "s.pdf", department="Art")
    assert not (tmp_path / "s.pdf").exists()


def test_department_export_holds_only_that_department(db: Database, sample: dict, tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "activities", "xlsx", tmp_path / "p.xlsx", year="2025/26",
                     department="physics")
    rows = list(load_workbook(out)["Activities"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == {"LZA"} and len(rows) == 3


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_computes_the_summary_formulas(db: Database, sample: dict, tmp_path: Path) -> None:
    out = run_export(db, sample["school_id"], "summary", "xlsx", tmp_path / "s.xlsx", year="2025/26")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,1",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    text = (tmp_path / "s-Summary.csv").read_text(encoding="utf-8")
    assert "Hours of CPD,30.75" in text
    assert 'Total cost,"£1,939.70"' in text
    assert "Staff meeting their own target,0" in text
