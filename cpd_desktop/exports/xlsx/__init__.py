"""Excel exports (openpyxl, write-only): the CPD summary, CPD log, bursary claims, cover lessons and
the cover absences list for the MIS. Import this package only when exporting: openpyxl loads here."""
