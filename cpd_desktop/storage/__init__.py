"""Where a school's record is kept: opening the database, its schema, backups, locks and errors. No Qt.

The parts, each importing only those listed before it (``tests/unit/test_import_cycles.py`` fails on
any cycle, and on an import of the services, the window, imports, exports or the command line):

* ``schema``     the schema revision this version writes (``HEAD_REVISION``), without loading Alembic
* ``locking``    the lock file beside a database: one writer at a time, who holds it, stale locks
* ``damage``     the note beside a database that a check found it damaged (writes refused meanwhile)
* ``translate``  the driver's and SQLAlchemy's errors turned into the app's (``cpd_desktop.errors``)
* ``backups``    making, listing and thinning backups (plain ``sqlite3``; never opens the engine)
* ``migrate``    Alembic run from inside the app, backing an older file up first
* ``database``   ``open_database`` and ``Database``: engine, sessions, pragmas, write guard,
                 migrations on open (``migrate`` is loaded only when a file is not up to date)
* ``restore``    checking a backup and putting it back

The audit trail is the services' business: ``open_database(..., audit=hook)`` takes the hook, and
``services.database.open_database`` is the app's way in, with the audit trail attached. The package
imports nothing itself, so that loading one part (the lock, for a message) loads no other.
"""
