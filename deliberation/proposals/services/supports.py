"""Supports: one per person and proposal, enforced by the database; the counter kept exact in SQL."""

from __future__ import annotations

from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from deliberation.core import clock, signals
from deliberation.extensions import db
from deliberation.proposals import policies
from deliberation.proposals.models import Proposal, Support
from deliberation.proposals.services.common import enforce


def support_proposal(proposal: Proposal, actor) -> tuple[Support, bool]:
    """Support `proposal`; returns (support, created). Supporting twice returns the first support.

    Two requests racing (a double click, two tabs) both pass the first check; the unique constraint on
    (proposal_id, user_id) lets one INSERT through and the other falls back to the stored row, inside a
    SAVEPOINT so the rest of the transaction survives.
    """
    enforce(policies.support_refusal(actor, proposal))
    _lock(proposal)
    existing = _find(proposal, actor)
    if existing is not None:
        return existing, False
    support = Support(proposal_id=proposal.id, user_id=actor.id, created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(support)
    except IntegrityError:
        existing = _find(proposal, actor)
        if existing is None:  # not a duplicate after all: let the error surface
            raise
        return existing, False
    _add_to_count(proposal, 1)
    signals.proposal_supported.send(proposal, user=actor)
    return support, True


def withdraw_support(proposal: Proposal, actor) -> bool:
    """Withdraw the actor's support. Idempotent: True when a support was removed, False when there was none
    (the API answers 204 either way, as a DELETE should)."""
    enforce(policies.unsupport_refusal(actor, proposal))
    _lock(proposal)
    result = db.session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == actor.id)
        .execution_options(synchronize_session="fetch")
    )
    if not result.rowcount:
        return False
    _add_to_count(proposal, -1)
    return True


def has_supported(proposal: Proposal, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(
        select(exists().where(Support.proposal_id == proposal.id, Support.user_id == user.id))
    ))


def _lock(proposal: Proposal) -> None:
    """Hold the proposal's row until the commit (PostgreSQL; SQLite runs one writer at a time) before touching
    its supports: a merge, which locks its proposals first, then waits for us or we for it. Without it a
    support's foreign-key check (KEY SHARE) followed by its counter update deadlocked against a merge."""
    if db.session.get_bind().dialect.name == "postgresql":
        # FOR NO KEY UPDATE: the row lock an UPDATE of the counter takes anyway, taken before the INSERT.
        db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update(key_share=True))


def _find(proposal: Proposal, actor) -> Support | None:
    return db.session.scalar(
        select(Support).where(Support.proposal_id == proposal.id, Support.user_id == actor.id)
    )


def _add_to_count(proposal: Proposal, delta: int) -> None:
    """In SQL (no read-modify-write), so concurrent supports never lose an increment."""
    db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(supports_count=Proposal.supports_count + delta)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(proposal, ["supports_count"])
