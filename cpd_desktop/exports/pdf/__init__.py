"""PDF exports (reportlab): the release-cover sheet, department summary, CPD log, individual record
and bursary claims report. Import this package only when exporting: reportlab loads here."""
