"""What the admin pages and the API read of the audit log (core/audit.py keeps the entries and their chain)."""

from __future__ import annotations

from sqlalchemy import func, select

from deliberation.core.audit import AuditEntry
from deliberation.extensions import db
from deliberation.web.pagination import Page


def list_entries(*, action: str | None = None, actor_id: int | None = None, page: int = 1,
                 per_page: int = 50) -> Page[AuditEntry]:
    """Entries newest first, optionally one action or one actor's (callers check who may read the log)."""
    statement = select(AuditEntry)
    if action:
        statement = statement.where(AuditEntry.action == action)
    if actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = list(db.session.scalars(statement.order_by(AuditEntry.position.desc())
                                    .limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


def logged_actions() -> list[str]:
    """Every action that appears in the log, sorted."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def logged_actor_ids() -> list[int]:
    """Every actor that appears in the log."""
    return list(db.session.scalars(select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()))
