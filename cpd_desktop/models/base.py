"""Declarative base, naming convention, column types for money and hours, and shared mixins."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Integer, MetaData, Numeric, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

# Stable constraint names on SQLite and PostgreSQL alike: Alembic's batch mode needs them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TWO_PLACES = Decimal("0.01")


class _Decimal2(TypeDecorator[Decimal]):
    """NUMERIC(p, 2) that always hands back a ``Decimal`` rounded to 2 places.

    SQLite has no decimal type: it keeps NUMERIC as REAL/INTEGER. Reading it back as a float
    and rounding to pence is exact for the sizes we store, and it avoids SQLAlchemy's
    float-to-Decimal warning. PostgreSQL keeps a true NUMERIC and gives Decimals directly.
    """

    impl = Numeric
    cache_ok = True
    precision = 10

    def __init__(self) -> None:
        super().__init__(self.precision, 2)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(self.precision, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(self.precision, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value) if not isinstance(value, Decimal) else value
        if dialect.name == "sqlite":
            return float(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):  # PostgreSQL: already exact; a sum of NUMERIC(p, 2) keeps 2 places
            return value if value.as_tuple().exponent == -2 else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


class Money(_Decimal2):
    """Pounds and pence: NUMERIC(10, 2)."""

    cache_ok = True
    precision = 10


class Hours(_Decimal2):
    """Hours of CPD: NUMERIC(6, 2)."""

    cache_ok = True
    precision = 6

    @property
    def python_type(self) -> type:
        return Decimal


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Versioned:
    """Optimistic concurrency: every editable record carries a version number.

    SQLAlchemy adds ``WHERE version = :old`` to each UPDATE and raises ``StaleDataError`` when
    somebody else saved the record first; the services turn that into ``ConcurrentEditError``.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )
    updated_by: Mapped[str] = mapped_column(String(120), nullable=False, default="", server_default="")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
