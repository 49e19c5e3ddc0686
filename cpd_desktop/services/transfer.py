"""Moving a school between databases: from its own file into a trust's server, and back out.

Every record of the school is copied table by table in dependency order, each row given a new
id in the target and every link (foreign key, and the audit trail's record ids) remapped. The
copy is one transaction on the target: it lands whole or not at all. Afterwards row counts and
money and hours totals are compared between source and target, and any difference undoes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.sql.elements import ColumnElement

from ..errors import CpdError
from ..models import Base, School
from ..storage.database import Database

# Totals compared after the copy: (table, column).
CHECKED_SUMS = [("activity", "hours"), ("booking", "fee"), ("booking", "travel"), ("booking", "accommodation"),
                ("booking", "subsistence"), ("booking", "cover_days"), ("bursary_claim", "expected"),
                ("bursary_claim", "claimed"), ("bursary_claim", "received"), ("activity", "cost")]


@dataclass
class TransferResult:
    school: str
    source_school_id: int
    target_school_id: int
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, Decimal] = field(default_factory=dict)


# Which server logins may use a school belongs to one server; it does not travel with the school.
NOT_COPIED = {"alembic_version", "school_access"}


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]


def _school_filter(table: Table, school_id: int) -> ColumnElement[bool]:
    if table.name == "school":
        return table.c.id == school_id
    return table.c.school_id == school_id


def _fk_targets(table: Table) -> dict[str, str]:
    """column name → referenced table name."""
    out = {}
    for fk in table.foreign_keys:
        out[fk.parent.name] = fk.column.table.name
    return out


def school_counts(conn: Connection, school_id: int) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t).where(_school_filter(t, school_id)))
                        .scalar_one()) for t in _tables()}


def school_totals(conn: Connection, school_id: int) -> dict[str, Decimal]:
    tables = {t.name: t for t in _tables()}
    out = {}
    for tname, col in CHECKED_SUMS:
        t = tables[tname]
        value = conn.execute(select(func.coalesce(func.sum(t.c[col]), 0)).where(_school_filter(t, school_id))).scalar()
        out[f"{tname}.{col}"] = Decimal(str(value)).quantize(Decimal("0.01"))
    return out


def copy_school(source: Database, target: Database, school_name: str | None = None, *,
                progress: Callable[[str], None] | None = None) -> TransferResult:
    """Copy one school (the only one, or the named one) from ``source`` into ``target``."""
    if target.readonly:
        raise CpdError(f"{target.label} is open read-only: nothing can be copied into it.")
    from .schools import choose_school, name_key

    with source.session() as s:
        school: School = choose_school(s, school_name)
        sid, name = school.id, school.name
    with target.engine.connect() as tconn:  # compared as the database compares them: capitals and spaces aside
        taken = [n for n in tconn.execute(select(School.__table__.c.name)).scalars() if name_key(n) == name_key(name)]
    if taken:
        raise CpdError(f"{target.label} already holds a school called {name}; nothing was copied.",
                       hint="Rename one of the schools first, or choose another target.")

    id_maps: dict[str, dict[int, int]] = {}
    result = TransferResult(school=name, source_school_id=sid, target_school_id=0)
    with source.engine.connect() as sconn, target.engine.begin() as tconn:
        for table in _tables():
            fks = _fk_targets(table)
            found = sconn.execute(select(table).where(_school_filter(table, sid)).order_by(table.c.id))
            rows = [dict(r._mapping) for r in found]  # noqa: SLF001 - SQLAlchemy's public Row._mapping
            if progress:
                progress(f"{table.name}: {len(rows)}")
            if not rows:
                id_maps[table.name] = {}
                continue
            old_ids = [r.pop("id") for r in rows]
            for r in rows:
                for col, ref in fks.items():
                    if r.get(col) is not None:
                        mapped = id_maps.get(ref, {}).get(r[col])
                        if mapped is None and ref == "import_batch":
                            r[col] = None  # a batch of another school: the link is informational only
                        elif mapped is None:
                            raise CpdError(f"A {table.name} record points at a missing {ref} record; nothing was copied.",
                                           hint="Run 'cpd-desktop check' on the source database.")
                        else:
                            r[col] = mapped
                if table.name == "audit_entry" and r.get("record_id") is not None:
                    r["record_id"] = id_maps.get(r["table_name"], {}).get(r["record_id"])
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            new_ids = list(tconn.execute(stmt, rows).scalars())
            id_maps[table.name] = dict(zip(old_ids, new_ids, strict=True))
        result.target_school_id = id_maps["school"][sid]
        with source.engine.connect() as check_conn:
            want_counts, want_totals = school_counts(check_conn, sid), school_totals(check_conn, sid)
        got_counts, got_totals = school_counts(tconn, result.target_school_id), school_totals(tconn, result.target_school_id)
        if want_counts != got_counts or want_totals != got_totals:
            diff = [k for k in want_counts if want_counts[k] != got_counts.get(k)]
            diff += [k for k in want_totals if want_totals[k] != got_totals.get(k)]
            raise CpdError(f"The copy of {name} did not match the original ({', '.join(diff)}); nothing was copied.")
        result.counts, result.totals = got_counts, got_totals
        if tconn.dialect.name == "postgresql":
            # Fresh statistics for the planner: without them, a trust's first reports after a move
            # take seconds where they should take milliseconds (a million rows arrived at once).
            for table in _tables():
                tconn.exec_driver_sql(f"ANALYZE {table.name}")
        from ..models.base import utcnow
        from ..storage.locking import current_user

        tconn.execute(insert(Base.metadata.tables["audit_entry"]), [{
            "school_id": result.target_school_id, "at": utcnow(), "user": current_user(), "action": "migrate",
            "table_name": "school", "record_id": result.target_school_id,
            "summary": f"Copied {name} from {source.label}", "changes": None, "batch_id": None}])
    return result


