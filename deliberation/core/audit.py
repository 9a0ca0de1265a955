"""Append-only audit entries: every privileged action leaves one, inside the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from deliberation.core import clock
from deliberation.core.db import Base
from deliberation.extensions import db


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditImmutable(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise AuditImmutable("audit entries are append-only")


def record(actor, action: str, target=None, *, target_type: str | None = None, target_id: int | None = None,
           **details: Any) -> AuditEntry:
    """Add an audit entry for `actor` doing `action` on `target` (a model instance) or type/id."""
    if target is not None:
        target_type = target_type or target.__tablename__
        db.session.flush()
        target_id = target.id
    entry = AuditEntry(
        at=clock.now(),
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type or "",
        target_id=target_id,
        details={key: _jsonable(value) for key, value in details.items()},
    )
    db.session.add(entry)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
