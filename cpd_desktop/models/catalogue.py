"""Course providers and the course catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Hours, Money, Versioned
from .enums import FORMATS, in_list
from .impact import MECHANISMS_CHECK

if TYPE_CHECKING:
    from .bursary import BursaryScheme


class Provider(Versioned, Base):
    __tablename__ = "provider"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))

    def __repr__(self) -> str:
        return f"Provider({self.name!r})"


class Course(Versioned, Base):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint(in_list("format", FORMATS), name="format"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("days > 0", name="days_positive"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        CheckConstraint("length(trim(title)) > 0", name="title_present"),
        CheckConstraint(MECHANISMS_CHECK, name="mechanisms"),
        UniqueConstraint("school_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(40))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="SET NULL"), index=True)
    format: Mapped[str] = mapped_column(String(20), default="face_to_face")
    subject: Mapped[str | None] = mapped_column(String(100))
    subject_specific: Mapped[bool] = mapped_column(Boolean, default=True)
    hours: Mapped[Decimal] = mapped_column(Hours())
    days: Mapped[float] = mapped_column(Numeric(4, 1, asdecimal=False), default=1.0)
    fee: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    bursary_scheme_id: Mapped[int | None] = mapped_column(ForeignKey("bursary_scheme.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    mechanisms: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # EEF: models.impact.MECHANISMS

    provider: Mapped[Provider | None] = relationship()
    bursary_scheme: Mapped[BursaryScheme | None] = relationship()

    def __repr__(self) -> str:
        return f"Course({self.title!r})"
