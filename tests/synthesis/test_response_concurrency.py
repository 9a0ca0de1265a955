"""Two officials answering the same proposal at the same moment, committed for real: one response row (the
unique constraint), the last answer kept, nobody fails (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberation.accounts.models import User
from deliberation.core import audit
from deliberation.extensions import db
from deliberation.proposals.models import Proposal
from deliberation.synthesis import responses
from deliberation.synthesis.models import OfficialResponse
from tests.factories import ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import remove_committed, run_together

OFFICIALS = 4


@pytest.fixture
def committed_world(app):
    with app.app_context():
        start, last_hash = audit.chain_head()
        consultation = ConsultationFactory()
        proposal = ProposalFactory(consultation=consultation)
        officials = [UserFactory(roles=[("official", consultation)]) for _ in range(OFFICIALS)]
        db.session.commit()
        world = {"consultation": consultation.id, "proposal": proposal.id, "officials": [o.id for o in officials],
                 "users": [o.id for o in officials] + [proposal.author_id]}
        db.session.remove()
    yield world
    remove_committed(app, (start, last_hash), [
        "DELETE FROM notifications WHERE user_id IN :users",
        "DELETE FROM official_responses WHERE proposal_id = :proposal",
        "DELETE FROM proposals WHERE consultation_id = :consultation",
        "DELETE FROM consultations WHERE id = :consultation",
        "DELETE FROM role_assignments WHERE user_id IN :users",
        "DELETE FROM users WHERE id IN :users",
    ], users=world["users"], consultation=world["consultation"], proposal=world["proposal"])


def test_simultaneous_answers_leave_one_response(app, committed_world, mail_outbox):
    def answer(official_id: int, justification: str):
        return lambda: responses.answer_proposal(db.session.get(Proposal, committed_world["proposal"]),
                                                 db.session.get(User, official_id), type="not_accepted",
                                                 justification=justification)

    outcomes = run_together(app, [answer(official_id, f"Réponse {n}")
                                  for n, official_id in enumerate(committed_world["officials"])])

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    with app.app_context():
        rows = db.session.scalars(select(OfficialResponse).where(
            OfficialResponse.proposal_id == committed_world["proposal"])).all()
        assert len(rows) == 1
        assert rows[0].justification.startswith("Réponse ")
        db.session.remove()
    # The author is told once of the first answer, then of each replacement.
    assert len(mail_outbox) == OFFICIALS
