"""Consultation commands and queries."""

from __future__ import annotations

from sqlalchemy import select

from deliberation.consultations.models import Consultation
from deliberation.extensions import db


def list_public_consultations() -> list[Consultation]:
    return list(db.session.scalars(
        select(Consultation).where(Consultation.is_published.is_(True)).order_by(Consultation.created_at.desc())
    ))
