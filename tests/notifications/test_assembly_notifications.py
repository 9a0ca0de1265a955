"""Authors and supporters of a proposal hear when it is put on an assembly's agenda (in time to come) and when a
vote held on that agenda point closes; hidden proposals, the facilitator who acted and nobody twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from deliberation.assemblies import services
from deliberation.assemblies.models import AssemblyState, PollState
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications.models import Notification
from deliberation.proposals.models import ProposalStatus
from tests.factories import (
    AssemblyFactory,
    ConsultationFactory,
    PollFactory,
    ProposalFactory,
    SupportFactory,
    UserFactory,
)


@pytest.fixture
def world(db_session):
    consultation = ConsultationFactory()
    proposal = ProposalFactory(consultation=consultation, title="Un banc place Jaurès")
    other = ProposalFactory(consultation=consultation, title="Des arbres rue Zola")
    supporter = UserFactory()
    SupportFactory(proposal_id=proposal.id, user_id=supporter.id)
    SupportFactory(proposal_id=other.id, user_id=supporter.id)  # follows both: told once
    assembly = AssemblyFactory(consultation_id=consultation.id, state=AssemblyState.SCHEDULED,
                               title="Assemblée des Tilleuls", starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    facilitator = UserFactory(roles=["facilitator"])
    db.session.flush()
    return {"proposal": proposal, "other": other, "supporter": supporter, "assembly": assembly,
            "facilitator": facilitator}


def _notifications(kind):
    return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


def test_putting_proposals_on_the_agenda_tells_their_followers_once(world, mail_outbox):
    with unit_of_work():
        services.add_agenda_item(world["assembly"], world["facilitator"], title="Le square",
                                 proposals=[world["proposal"], world["other"]])
    told = {(n.user_id, n.params["proposal_id"]) for n in _notifications("proposal_on_agenda")}
    assert told == {(world["proposal"].author_id, world["proposal"].id),
                    (world["other"].author_id, world["other"].id),
                    (world["supporter"].id, world["proposal"].id)}
    note = next(n for n in _notifications("proposal_on_agenda") if n.user_id == world["supporter"].id)
    assert note.link == f"/proposals/{world['proposal'].id}#agenda"
    mail = next(m for m in mail_outbox if m["To"] == world["supporter"].email)
    assert mail["Subject"] == "« Un banc place Jaurès » sera débattue à l’assemblée « Assemblée des Tilleuls »"
    assert "L’assemblée est prévue le 3 déc. 2026" in mail.get_content()


def test_a_hidden_proposal_on_the_agenda_is_not_announced(world):
    world["proposal"].status = ProposalStatus.HIDDEN
    with unit_of_work():
        services.add_agenda_item(world["assembly"], world["facilitator"], title="Le square",
                                 proposals=[world["proposal"]])
    assert _notifications("proposal_on_agenda") == []


def test_the_facilitator_who_adds_the_point_is_not_told(world):
    SupportFactory(proposal_id=world["proposal"].id, user_id=world["facilitator"].id)
    with unit_of_work():
        services.add_agenda_item(world["assembly"], world["facilitator"], title="Le square",
                                 proposals=[world["proposal"]])
    assert world["facilitator"].id not in {n.user_id for n in _notifications("proposal_on_agenda")}


def test_closing_a_vote_on_the_point_tells_the_followers_where_the_result_is(world):
    assembly = world["assembly"]
    assembly.state = AssemblyState.LIVE
    with unit_of_work():
        item = services.add_agenda_item(assembly, world["facilitator"], title="Le square",
                                        proposals=[world["proposal"]])
    poll = PollFactory(assembly=assembly, agenda_item_id=item.id, question="Un banc ?")
    unrelated = PollFactory(assembly=assembly, question="Autre chose ?")
    with unit_of_work():
        services.close_poll(poll, world["facilitator"])
        services.close_poll(unrelated, world["facilitator"])
    notes = _notifications("poll_closed_on_proposal")
    assert {n.user_id for n in notes} == {world["proposal"].author_id, world["supporter"].id}
    assert {n.link for n in notes} == {f"/proposals/{world['proposal'].id}/trace"}
    assert all(n.params["poll"] == "Un banc ?" for n in notes)
    assert poll.state == PollState.CLOSED
