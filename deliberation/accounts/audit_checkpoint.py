"""What /admin/audit verifies of the audit chain on each visit: only the entries appended since the last entry it
verified, remembered here (one row: its id, position and entry_hash), rather than the whole chain every time.

The chain is verified from GENESIS the first time, and again whenever the remembered entry no longer sits where
it was with the same hash (or its own hash no longer holds). `deliberation audit verify` and the exports keep
checking the whole chain (core.audit.find_chain_break).

What this cannot see: an entry before the checkpoint edited afterwards (it is not read again), so the page says
what it checked (PageCheck.trusted_up_to) rather than « intact ». What it can see: the remembered entry itself
changed, replaced or gone (entries are append-only), reported as altered even when the chain was rewritten
consistently from there (a full check alone would then find nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CheckConstraint, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from deliberation.core import audit, clock
from deliberation.core.db import Base
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db

CHECKPOINT_ID = 1


class AuditCheckpoint(Base):
    """One row (id 1): the last audit entry /admin/audit found the chain to hold up to."""

    __tablename__ = "audit_verified_checkpoint"
    __table_args__ = (CheckConstraint(f"id = {CHECKPOINT_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_id: Mapped[int]
    position: Mapped[int]
    entry_hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(default=clock.now)


def _recomputes(row) -> bool:
    try:
        return audit.entry_hash(row.previous_hash, row.position, row.at, row.actor_id, row.action, row.target_type,
                                row.target_id, row.details) == row.entry_hash
    except (TypeError, ValueError):
        return False


@dataclass
class PageCheck:
    """What a visit of /admin/audit verified: `broken`, the first break found (None when none); `trusted_up_to`, the
    last position NOT read again this time (verified at `trusted_since`), None when the whole chain was read."""

    broken: audit.ChainBreak | None
    trusted_up_to: int | None = None
    trusted_since: datetime | None = None


def _start() -> tuple[int, str, AuditCheckpoint | None, audit.ChainBreak | None]:
    """(first position to verify, the hash it must chain to, the checkpoint trusted, the break the checkpoint itself
    shows): after the checkpoint when it still holds; from GENESIS the first time or when the remembered entry is
    no longer what was verified (then that is a break too: the log is append-only)."""
    checkpoint = db.session.get(AuditCheckpoint, CHECKPOINT_ID)
    if checkpoint is None:
        return 0, audit.GENESIS, None, None
    row = db.session.execute(select(*audit.CHAIN_COLUMNS)
                             .where(audit.AuditEntry.position == checkpoint.position)).one_or_none()
    if row is None:
        return 0, audit.GENESIS, None, audit.ChainBreak(checkpoint.position, "missing")
    if row.id != checkpoint.entry_id or row.entry_hash != checkpoint.entry_hash or not _recomputes(row):
        return 0, audit.GENESIS, None, audit.ChainBreak(checkpoint.position, "entry_hash", row.id)
    return checkpoint.position + 1, checkpoint.entry_hash, checkpoint, None


def check(batch_size: int = 500) -> PageCheck:
    """core.audit.find_chain_break over the entries appended since the checkpoint (all of them the first time);
    when they hold, the checkpoint moves to the last one (in its own transaction)."""
    expected_position, expected_previous, checkpoint, stale = _start()
    # Read before the scan moves the checkpoint: what this visit did not read again.
    trusted = (checkpoint.position, checkpoint.verified_at) if checkpoint is not None else (None, None)
    found = _scan(expected_position, expected_previous, batch_size, remember=stale is None)
    if found is not None or stale is not None:
        # A full check's first break, else the remembered entry that changed; the checkpoint stays where it was.
        return PageCheck(found[0] if found is not None else stale)
    return PageCheck(None, *trusted)


def _scan(expected_position: int, expected_previous: str, batch_size: int, *, remember: bool):
    """(the first break,) or None, remembering the last entry when the chain holds (and `remember`)."""
    last_id = None
    query = (select(*audit.CHAIN_COLUMNS).where(audit.AuditEntry.position >= expected_position)
             .order_by(audit.AuditEntry.position).execution_options(yield_per=batch_size))
    result = db.session.execute(query)
    try:
        for row in result:
            if row.position != expected_position:
                return (audit.ChainBreak(expected_position, "missing"),)
            if row.previous_hash != expected_previous:
                return (audit.ChainBreak(row.position, "previous_hash", row.id),)
            if not _recomputes(row):
                return (audit.ChainBreak(row.position, "entry_hash", row.id),)
            expected_position, expected_previous, last_id = expected_position + 1, row.entry_hash, row.id
    finally:
        result.close()
    if audit.chain_head() != (expected_position, expected_previous):
        return (audit.ChainBreak(expected_position, "head"),)
    if last_id is not None and remember:
        _remember(last_id, expected_position - 1, expected_previous)
    return None


def _remember(entry_id: int, position: int, entry_hash: str) -> None:
    try:
        with unit_of_work():
            checkpoint = db.session.get(AuditCheckpoint, CHECKPOINT_ID, with_for_update=True)
            if checkpoint is None:
                db.session.add(AuditCheckpoint(id=CHECKPOINT_ID, entry_id=entry_id, position=position,
                                               entry_hash=entry_hash, verified_at=clock.now()))
            elif checkpoint.position < position or checkpoint.entry_id != entry_id:
                checkpoint.entry_id, checkpoint.position, checkpoint.entry_hash = entry_id, position, entry_hash
                checkpoint.verified_at = clock.now()
    except IntegrityError:  # another administrator's visit wrote it first: theirs will do
        pass
