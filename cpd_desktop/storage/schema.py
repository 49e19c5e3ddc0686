"""The schema revision this version of CPD Desktop writes (the newest Alembic migration's id).

Kept apart from the migrations so that opening an up-to-date database need not load Alembic;
``tests/unit/test_schema_version.py`` fails if a new migration is added without updating it.
"""

HEAD_REVISION = "0013_objective_links"
