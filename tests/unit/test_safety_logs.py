"""No personal data in log files: a crash's traceback keeps code and column names, not values."""

from __future__ import annotations

from cpd_desktop.logs import log_crash, scrub


def test_a_crash_log_names_code_not_people() -> None:
    try:
        staff = {"forename": "Siobhán", "email": "s.odalaigh@school.org"}
        raise KeyError(f"no staff_code for {staff['forename']!r} <{staff['email']}>")
    except KeyError as exc:
        path = log_crash(exc)
    text = path.read_text(encoding="utf-8")
    assert "KeyError" in text and "test_a_crash_log_names_code_not_people" in text
    assert "Siobhán" not in text and "s.odalaigh@school.org" not in text


def test_scrub_keeps_column_names_and_removes_values() -> None:
    out = scrub("""ValueError: invalid literal for int() with base 10: 'Jane Smith' in column 'staff_code'""")
    assert "'Jane Smith'" not in out and "'staff_code'" in out
    assert scrub('sqlite3.IntegrityError: "Zając" is bad') == "sqlite3.IntegrityError: '…' is bad"


def test_scrub_masks_unquoted_emails() -> None:
    assert scrub("OSError: cannot send to mai.nguyen@school.org now") == "OSError: cannot send to <email> now"
