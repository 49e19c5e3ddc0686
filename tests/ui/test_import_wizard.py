"""The import wizard, walked end to end offscreen: kind and file, preview, mapping, check (fix and reload),
import off the UI thread, summary; the chosen mapping remembered; Cancel writes nothing."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cpd_desktop.models import Activity, ImportBatch, School, Staff
from cpd_desktop.services.staff import add_staff
from cpd_desktop.storage.database import Database
from cpd_desktop.ui.import_wizard import ChooseFile, ImportWizard, remembered_mapping

SHOTS = os.environ.get("CPD_WIZARD_SHOTS")  # a folder: save a screenshot of each page there


def shot(wizard: ImportWizard, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        wizard.grab().save(str(Path(SHOTS) / f"{name}.png"))


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def wizard(qtbot: QtBot, db: Database, school: School) -> ImportWizard:
    w = ImportWizard(db, school.id)
    qtbot.addWidget(w)
    w.resize(860, 620)
    w.show()
    return w


ARBOR = ("Staff list (Arbor export)\n"
         "Surname;First Name;Initials;Email Address;Faculty;Job Title;Full-time Equivalent;Date of Arrival;Payroll\n"
         "Ó Dálaigh;Chloë;COD;chloe@school.org.uk;Science;Teacher of Chemistry;0.8;01/09/2021;P1\n"
         "ap Rhys;Bronwen;BAR;bronwen@school.org.uk;Science;Teacher of Physics;100%;31/02/2019;P2\n"
         "Wójcik;Zbigniew;ZWO;zbigniew@school.org.uk;Science;Head of Biology;1;01/09/2018;P3\n")


def test_staff_import_end_to_end_with_a_fix_and_reload(qtbot: QtBot, wizard: ImportWizard, db: Database,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "arbor staff.csv"
    path.write_bytes(codecs.BOM_UTF8 + ARBOR.encode("utf-8"))
    monkeypatch.setattr(ChooseFile, "ask", classmethod(lambda cls, parent: str(path)))

    # 1. Kind and file.
    page = wizard.kind_page
    page.set_kind("staff")
    assert not page.isComplete()
    browse = next(b for b in page.findChildren(QPushButton) if b.text() == "Choose file…")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert page.file_edit.text() == str(path) and page.isComplete()
    shot(wizard, "1-kind")
    wizard.next()

    # 2. Preview: encoding, separator and the header row found below a title line.
    assert wizard.currentId() == ImportWizard.PAGE_PREVIEW
    detected = wizard.preview_page.detected.text()
    assert "UTF-8 with BOM, semicolon-separated" in detected and "column names on row 2" in detected
    assert "3 rows" in detected
    assert wizard.preview_page.table.item(2, 1).text() == "Chloë"
    assert wizard.preview_page.header_row.value() == 2
    shot(wizard, "2-preview")
    wizard.next()

    # 3. Mapping: pre-filled from the synonyms; the person changes one.
    mapping = wizard.mapping_page
    assert mapping.combos["staff_code"].currentText() == "Initials"
    assert mapping.combos["department"].currentText() == "Faculty"
    assert mapping.combos["fte"].currentText() == "Full-time Equivalent"
    assert "Not imported: Payroll" in mapping.unused.text()
    mapping.combos["role"].setCurrentIndex(0)  # (not in the file)
    assert mapping.isComplete()
    mapping.combos["staff_code"].setCurrentIndex(0)
    assert not mapping.isComplete() and "Staff code" in mapping.missing.text()
    mapping.combos["staff_code"].setCurrentText("Initials")
    assert mapping.isComplete()
    shot(wizard, "3-mapping")
    wizard.next()

    # 4. Check: the impossible date is named by row and column; nothing can be imported yet.
    check = wizard.check_page
    qtbot.waitUntil(lambda: check.done, timeout=20000)
    problems = [check.errors.item(i).text() for i in range(check.errors.count())]
    assert problems == ["row 4, Date of Arrival: 31/02/2019 is not a real date. Check the day and month "
                        "(dd/mm/yyyy)."]
    assert not check.isComplete() and check.skip.isVisible()
    assert "2 new" in check.status.text()
    shot(wizard, "4-check-problems")
    # The person corrects the file and reloads it.
    path.write_bytes(codecs.BOM_UTF8 + ARBOR.replace("31/02/2019", "01/09/2019").encode("utf-8"))
    check.reload.click()
    qtbot.waitUntil(lambda: check.done, timeout=20000)
    assert check.errors.count() == 0 and check.isComplete()
    assert "all 3 rows are fine" in check.status.text() and "3 new" in check.status.text()
    shot(wizard, "4-check-fine")
    assert count(db, Staff) == 0  # the check wrote nothing

    # 5–6. Import off the UI thread, then the summary.
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.PAGE_SUMMARY, timeout=20000)
    assert wizard.import_result is not None and wizard.import_result.new == 3
    summary = wizard.summary_page.text.text()
    assert "3 new, 0 updated" in summary and "cpd-desktop import undo" in summary
    shot(wizard, "6-summary")
    with db.session() as s:
        chloe = s.scalar(select(Staff).where(Staff.staff_code == "COD"))
        assert chloe is not None and chloe.forename == "Chloë" and chloe.role is None
        assert chloe.fte == pytest.approx(0.8)
    # The mapping chosen is remembered for the next staff file.
    assert remembered_mapping("staff")["staff_code"] == "Initials"
    assert remembered_mapping("staff")["role"] == ""


def test_remembered_mapping_is_used_for_the_next_file(qtbot: QtBot, db: Database, school: School,
                                                      tmp_path: Path) -> None:
    from cpd_desktop.ui.import_wizard import remember_mapping

    remember_mapping("staff", {"staff_code": "Payroll No", "role": ""})
    path = tmp_path / "staff.csv"
    path.write_text("Surname,Forename,Payroll No,Code,Role\nOkafor,Ada,AOK,1,Teacher\n", encoding="utf-8")
    w = ImportWizard(db, school.id)
    qtbot.addWidget(w)
    w.kind_page.set_kind("staff")
    w.kind_page.file_edit.setText(str(path))
    w.show()
    w.next()
    w.next()
    assert w.mapping_page.combos["staff_code"].currentText() == "Payroll No"
    assert w.mapping_page.combos["role"].currentText() == "(not in the file)"


def test_a_file_that_cannot_be_read_stays_on_the_first_page(qtbot: QtBot, wizard: ImportWizard,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    wizard.kind_page.file_edit.setText(str(path))
    wizard.next()
    assert wizard.currentId() == ImportWizard.PAGE_KIND
    assert "Excel 97–2003" in wizard.kind_page.error.text()


def test_cancel_during_import_writes_nothing(qtbot: QtBot, wizard: ImportWizard, db: Database, school: School,
                                             tmp_path: Path) -> None:
    with db.session() as s:
        add_staff(s, s.get(School, school.id), forename="Bronwen", surname="ap Rhys", staff_code="BAR")
    path = tmp_path / "history.csv"
    lines = ["Staff Code,Date,Title,Hours"] + [f"BAR,{1 + i % 28:02d}/{1 + i // 28 % 12:02d}/{2000 + i // 336},"
                                               f"Course {i},1" for i in range(40_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wizard.kind_page.set_kind("activities")
    wizard.kind_page.file_edit.setText(str(path))
    wizard.next()
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.done, timeout=60000)
    assert wizard.check_page.isComplete()
    wizard.next()
    assert wizard.currentId() == ImportWizard.PAGE_IMPORT and wizard.running()
    shot(wizard, "5-importing")
    with qtbot.waitSignal(wizard.rejected, timeout=60000):
        wizard.reject()  # the Cancel button: stops the worker, then closes
    assert wizard.import_result is None
    assert count(db, Activity) == 0 and count(db, ImportBatch) == 0
