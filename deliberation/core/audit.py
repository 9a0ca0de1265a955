"""Append-only audit entries: every privileged action leaves one, inside the same transaction, and the entries
form one hash chain (like the ballot log) so that an edited, deleted or reordered entry shows.

Each entry has a `position` (0, 1, 2… with no gap), the `previous_hash` (the `entry_hash` of the entry at
position - 1; GENESIS, 64 zeros, for position 0) and its `entry_hash`:

    entry_hash = SHA-256 (lowercase hex) of the UTF-8 bytes of the canonical JSON of
    {"previous": previous_hash, "position": position, "at": at, "actor_id": actor_id, "action": action,
     "target_type": target_type, "target_id": target_id, "details": details}

- `at` is the time in UTC written as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always six digits of microseconds);
- `actor_id` and `target_id` are integers or null; `target_type` a string, "" when there is none;
- `details` is the JSON object stored with the entry;
- canonical JSON: object keys sorted, no spaces (separators "," and ":"), non-ASCII characters left as they
  are (not \\u-escaped), no NaN or infinity. In Python:
  `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)`.

The chain head (`audit_chain_head`: the number of entries and the last entry_hash) is updated with each
entry; comparing it with the table catches entries removed from the end, which the chain alone cannot.
Appending locks the head row until the transaction ends (PostgreSQL: the row lock of an UPDATE; SQLite: the
database's write lock), so concurrent transactions append one after the other and never fork the chain; a
transaction that could only chain on a stale head fails (SQLite: "database is locked"; the UNIQUE position
is the last guard) and rolls back instead.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, event, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from deliberation.core import clock
from deliberation.core.db import Base
from deliberation.extensions import db

GENESIS = "0" * 64
HEAD_ID = 1
# The columns of an entry, in the order of the CSV and JSON exports.
EXPORT_COLUMNS = ("position", "at", "actor_id", "action", "target_type", "target_id", "details",
                  "previous_hash", "entry_hash")


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """One row (id 1): how many entries the chain holds and the hash of the last one (GENESIS when empty)."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint(f"id = {HEAD_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    length: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditImmutable(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise AuditImmutable("audit entries are append-only")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def format_at(at: datetime) -> str:
    """`at` as it enters the hash: UTC, six digits of microseconds, a final Z."""
    if at.tzinfo is None:
        raise ValueError("naive datetime in the audit chain")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(previous_hash: str, position: int, at: datetime | str, actor_id: int | None, action: str,
               target_type: str, target_id: int | None, details: Mapping[str, Any]) -> str:
    """The hash of one entry, as the module docstring defines it (`at` as a datetime or already formatted)."""
    payload = {
        "previous": previous_hash,
        "position": position,
        "at": at if isinstance(at, str) else format_at(at),
        "actor_id": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "details": details,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def record(actor, action: str, target=None, *, target_type: str | None = None, target_id: int | None = None,
           **details: Any) -> AuditEntry:
    """Add an audit entry for `actor` doing `action` on `target` (a model instance) or type/id, chained to the
    last entry. Locks the chain head until the transaction ends (see the module docstring)."""
    if target is not None:
        target_type = target_type or target.__tablename__
        db.session.flush()
        target_id = target.id
    values = {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "target_type": target_type or "",
        "target_id": target_id,
        "details": {key: _jsonable(value) for key, value in details.items()},
    }
    # Last, so the head stays locked for as short a time as possible.
    length, previous_hash = _take_head()
    at = clock.now()
    digest = entry_hash(previous_hash, length, at, **values)
    entry = AuditEntry(position=length, at=at, previous_hash=previous_hash, entry_hash=digest, **values)
    db.session.add(entry)
    db.session.execute(update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(last_hash=digest)
                       .execution_options(synchronize_session=False))
    return entry


def _take_head() -> tuple[int, str]:
    """(position of the new entry, hash it chains to), the head locked and its length already counted.

    One UPDATE … RETURNING: on PostgreSQL it waits for the row lock of a concurrent append and then reads the
    committed head; on SQLite it takes the write lock (or fails if this transaction's snapshot is stale).
    """
    statement = (update(AuditChainHead).where(AuditChainHead.id == HEAD_ID)
                 .values(length=AuditChainHead.length + 1)
                 .returning(AuditChainHead.length, AuditChainHead.last_hash)
                 .execution_options(synchronize_session=False))
    row = db.session.execute(statement).one_or_none()
    if row is None:  # a database built without the migrations: start the chain (a concurrent start fails cleanly)
        db.session.execute(insert(AuditChainHead).values(id=HEAD_ID, length=0, last_hash=GENESIS))
        row = db.session.execute(statement).one()
    return row.length - 1, row.last_hash


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


# --- Reading and checking the chain -------------------------------------------------------------------------

CHAIN_COLUMNS = (AuditEntry.id, AuditEntry.position, AuditEntry.at, AuditEntry.actor_id, AuditEntry.action,
                  AuditEntry.target_type, AuditEntry.target_id, AuditEntry.details, AuditEntry.previous_hash,
                  AuditEntry.entry_hash)


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain first fails: the position expected there and why (`entry_id` when a row sits there)."""

    position: int
    reason: str
    entry_id: int | None = None


def iter_chain(batch_size: int = 500) -> Iterator[Any]:
    """Every entry as a row (no ORM objects), in position order, read in batches rather than all at once."""
    query = select(*CHAIN_COLUMNS).order_by(AuditEntry.position).execution_options(yield_per=batch_size)
    result = db.session.execute(query)
    try:
        yield from result
    finally:  # also when the reader stops early (a break found): releases the cursor
        result.close()


def chain_head() -> tuple[int, str]:
    """(number of entries, last hash) as the head row records them."""
    head = db.session.execute(select(AuditChainHead.length, AuditChainHead.last_hash)
                              .where(AuditChainHead.id == HEAD_ID)).one_or_none()
    return (head.length, head.last_hash) if head is not None else (0, GENESIS)


def find_chain_break() -> ChainBreak | None:
    """The first place where the stored chain does not hold, or None when every entry does."""
    expected_position, expected_previous = 0, GENESIS
    for row in iter_chain():
        if row.position != expected_position:
            return ChainBreak(expected_position, "missing")
        if row.previous_hash != expected_previous:
            return ChainBreak(row.position, "previous_hash", row.id)
        try:
            recomputed = entry_hash(row.previous_hash, row.position, row.at, row.actor_id, row.action,
                                    row.target_type, row.target_id, row.details)
        except (TypeError, ValueError):
            return ChainBreak(row.position, "unreadable", row.id)
        if recomputed != row.entry_hash:
            return ChainBreak(row.position, "entry_hash", row.id)
        expected_position, expected_previous = expected_position + 1, row.entry_hash
    if chain_head() != (expected_position, expected_previous):
        return ChainBreak(expected_position, "head")
    return None


def verify_audit_chain() -> int | None:
    """The position of the first broken entry, or None when the whole chain holds.

    An entry is broken when it is missing (positions skip it), its previous_hash is not the hash of the entry
    before it, or its entry_hash does not match its content. When every stored entry holds but the head
    records more entries (or another last hash), the chain was cut at its end: the answer is the first
    position missing there.
    """
    found = find_chain_break()
    return found.position if found is not None else None


def export_row(row) -> dict[str, Any]:
    """One entry as the exports publish it (EXPORT_COLUMNS), `at` formatted exactly as it was hashed."""
    return {
        "position": row.position,
        "at": format_at(row.at),
        "actor_id": row.actor_id,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "details": row.details,
        "previous_hash": row.previous_hash,
        "entry_hash": row.entry_hash,
    }
