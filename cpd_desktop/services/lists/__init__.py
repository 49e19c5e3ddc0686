"""The lists the window shows, Qt-free: one module a list (columns, base query, named filters, row
colours) on the shared machinery of ``base`` (paging, sorting, searching, counting).

The window's table model (``ui/tablemodel.py``) holds a list's ids and rows and asks it for pages;
the CLI, exports and tests can ask the same lists for the same rows.
"""
