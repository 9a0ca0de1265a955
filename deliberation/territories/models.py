"""The territory: the organisation (EPCI, communes), its city contract, priority areas (QPV) and priorities."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberation.core import clock
from deliberation.core.db import Base, enum_column


class OrganisationKind(StrEnum):
    EPCI = "epci"
    COMMUNE = "commune"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.EPCI: _l("intercommunality (EPCI)"),
    OrganisationKind.COMMUNE: _l("commune"),
}


class CrossCuttingTheme(StrEnum):
    YOUTH = "youth"
    GENDER_EQUALITY = "gender_equality"
    ANTI_DISCRIMINATION = "anti_discrimination"
    ECOLOGICAL_TRANSITION = "ecological_transition"


THEME_LABELS = {
    CrossCuttingTheme.YOUTH: _l("youth"),
    CrossCuttingTheme.GENDER_EQUALITY: _l("equality between women and men"),
    CrossCuttingTheme.ANTI_DISCRIMINATION: _l("fight against discrimination"),
    CrossCuttingTheme.ECOLOGICAL_TRANSITION: _l("ecological transition"),
}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    # SIREN (9 digits) for an EPCI, INSEE code (5 characters) for a commune.
    code: Mapped[str] = mapped_column(String(14), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="communes")
    communes: Mapped[list[Organisation]] = relationship(back_populates="parent", order_by="Organisation.name")


class CityContract(Base):
    __tablename__ = "city_contracts"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    signatories: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    organisation: Mapped[Organisation] = relationship()
    areas: Mapped[list[PriorityArea]] = relationship(back_populates="contract", order_by="PriorityArea.name")
    priorities: Mapped[list[Priority]] = relationship(back_populates="contract", order_by="Priority.position")


priority_area_communes = Table(
    "priority_area_communes",
    Base.metadata,
    Column("area_id", ForeignKey("priority_areas.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class PriorityArea(Base):
    """A quartier prioritaire (QPV, with its official code) or an area outside any QPV (no code)."""

    __tablename__ = "priority_areas"
    __table_args__ = (
        UniqueConstraint("contract_id", "code"),
        CheckConstraint("code IS NULL OR length(code) = 8", name="qpv_code_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("city_contracts.id", ondelete="CASCADE"), index=True)
    # Official QPV code: "QN" + 6 characters, e.g. QN07512M. NULL for "hors QPV" areas.
    code: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[CityContract] = relationship(back_populates="areas")
    communes: Mapped[list[Organisation]] = relationship(secondary=priority_area_communes,
                                                       order_by="Organisation.name")

    @property
    def is_qpv(self) -> bool:
        return self.code is not None


class Priority(Base):
    """An enjeu / axe of the contract, optionally tagged with cross-cutting themes."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("city_contracts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Values of CrossCuttingTheme.
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)

    contract: Mapped[CityContract] = relationship(back_populates="priorities")
