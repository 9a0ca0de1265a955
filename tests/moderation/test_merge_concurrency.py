"""A merge committed for real while people support the kept proposal at the same moment: the kept proposal's
counter still equals its rows, and nobody counts twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberation.core import audit
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.proposals import services as proposal_services
from deliberation.proposals.models import Proposal, Support
from tests.factories import ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import remove_committed, run_together

SUPPORTERS = 6


@pytest.fixture
def committed_world(app):
    """Committed rows (removed afterwards, the audit chain head put back, as in tests/core/test_audit_concurrency)."""
    with app.app_context():
        start, last_hash = audit.chain_head()
        consultation = ConsultationFactory()
        kept = ProposalFactory(consultation=consultation)
        duplicate = ProposalFactory(consultation=consultation)
        moderator = UserFactory(roles=["moderator"])
        people = [UserFactory() for _ in range(SUPPORTERS)]
        with unit_of_work():
            for person in people[: SUPPORTERS // 2]:  # half of them supported the duplicate already
                proposal_services.support_proposal(duplicate, person)
        db.session.commit()
        world = {"consultation": consultation.id, "kept": kept.id, "duplicate": duplicate.id,
                 "moderator": moderator.id, "people": [person.id for person in people],
                 "authors": [kept.author_id, duplicate.author_id]}
        db.session.remove()
    yield world
    users = [world["moderator"], *world["people"], *world["authors"]]
    remove_committed(app, (start, last_hash), [
        "DELETE FROM notifications WHERE user_id IN :users",
        "DELETE FROM moderation_decisions WHERE consultation_id = :consultation",
        "DELETE FROM proposals WHERE consultation_id = :consultation",
        "DELETE FROM consultations WHERE id = :consultation",
        "DELETE FROM role_assignments WHERE user_id IN :users",
        "DELETE FROM users WHERE id IN :users",
    ], users=users, consultation=world["consultation"])


def test_supports_during_a_merge_count_once(app, committed_world):
    def merge():
        services.decide(_user(committed_world["moderator"]), "proposal", committed_world["duplicate"],
                        action="merge", into_id=committed_world["kept"])

    def support(user_id):
        return lambda: proposal_services.support_proposal(db.session.get(Proposal, committed_world["kept"]),
                                                          _user(user_id))

    outcomes = run_together(app, [merge] + [support(user_id) for user_id in committed_world["people"]])

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    with app.app_context():
        kept = db.session.get(Proposal, committed_world["kept"])
        rows = db.session.scalar(select(func.count()).select_from(Support).where(Support.proposal_id == kept.id))
        assert rows == SUPPORTERS and kept.supports_count == SUPPORTERS
        db.session.remove()


def _user(user_id):
    from deliberation.accounts.models import User

    return db.session.get(User, user_id)
