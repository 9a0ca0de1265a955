"""Officials' responses: the justification and partner rules, replacing, publishing later, the proposal's
status, and the author and supporters told once each, only after the commit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from deliberation.core import clock
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications.models import Notification
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import response_policies as policies
from deliberation.synthesis import responses
from deliberation.synthesis.cli import publish_due_command
from deliberation.synthesis.models import OfficialResponse, ResponseType, SynthesisStatus
from tests.factories import ConsultationFactory, ProposalFactory, UserFactory
from tests.synthesis.response_world import make_section, make_world


@pytest.fixture
def world(db_session):
    return make_world()


def _notified(kind: str) -> list[int]:
    return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def _answer(world, **kwargs):
    with unit_of_work():
        return responses.answer_proposal(world.proposal, world.official, **kwargs)


@pytest.mark.parametrize("type_", ["not_accepted", "partially_accepted"])
@pytest.mark.parametrize("justification", [None, "", "   \n "])
def test_a_refusal_or_partial_acceptance_needs_a_justification(world, type_, justification):
    with pytest.raises(Invalid) as raised:
        _answer(world, type=type_, justification=justification)
    assert raised.value.status == 422
    assert raised.value.code == "justification_required"
    assert list(raised.value.fields) == ["justification"]
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 0
    assert world.proposal.status == ProposalStatus.PUBLISHED


@pytest.mark.parametrize("type_", ["accepted", "under_study", "already_under_way", "not_applicable"])
def test_other_types_need_no_justification(world, type_):
    response = _answer(world, type=type_)
    assert response.type == ResponseType(type_)
    assert response.justification is None


def test_a_justification_is_rendered_from_markdown(world):
    response = _answer(world, type="not_accepted", justification="Le budget **2026** est déjà engagé.")
    assert response.justification == "Le budget **2026** est déjà engagé."
    assert "<strong>2026</strong>" in response.justification_html


def test_referred_names_the_partner(world):
    with pytest.raises(Invalid) as raised:
        _answer(world, type="referred", referred_to="  ")
    assert raised.value.code == "partner_required"
    assert "referred_to" in raised.value.fields
    response = _answer(world, type="referred", referred_to="Bailleur social Habitat 93")
    assert response.referred_to == "Bailleur social Habitat 93"


def test_the_partner_is_dropped_for_other_types(world):
    response = _answer(world, type="accepted", referred_to="Quelqu'un")
    assert response.referred_to is None


def test_a_public_response_answers_the_proposal_and_tells_author_and_supporters_once(world, mail_outbox):
    response = _answer(world, type="accepted", justification="Dès ce printemps.")
    assert response.is_public()
    assert response.announced_at is not None
    assert world.proposal.status == ProposalStatus.ANSWERED
    expected = sorted([world.author.id, *(s.id for s in world.supporters)])
    assert _notified("official_response_published") == expected
    # The author is not told a second time through the status change.
    assert _notified("proposal_status_changed") == []
    assert sorted(m["To"] for m in mail_outbox) == ["awa@example.org", "lea@example.org", "sam@example.org"]
    assert "Un banc place du marché" in mail_outbox[0]["Subject"]
    assert "Les élu·es ont répondu à « Un banc place du marché » : retenue." in mail_outbox[0].get_content()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "official_response_saved")).one()
    assert entry.actor_id == world.official.id and entry.details["type"] == "accepted"


def test_nothing_is_told_when_the_transaction_rolls_back(world, mail_outbox):
    with pytest.raises(RuntimeError), unit_of_work():
        responses.answer_proposal(world.proposal, world.official, type="accepted")
        raise RuntimeError("something later failed")
    assert mail_outbox == []
    assert _notified("official_response_published") == []
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 0


def test_e_mails_leave_only_after_the_commit(world, mail_outbox):
    with unit_of_work():
        responses.answer_proposal(world.proposal, world.official, type="accepted")
        assert mail_outbox == []
    assert len(mail_outbox) == 3


def test_answering_again_replaces_the_response_and_says_it_was_updated(world, mail_outbox):
    first = _answer(world, type="under_study")
    mail_outbox.clear()
    second = _answer(world, type="not_accepted", justification="Trop coûteux.")
    assert second.id == first.id
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 1
    assert second.type == ResponseType.NOT_ACCEPTED
    assert len(_notified("official_response_updated")) == 3
    assert len(mail_outbox) == 3


def test_a_response_published_later_is_not_public_before(world, mail_outbox, app):
    later = clock.now() + timedelta(days=2)
    response = _answer(world, type="accepted", publish_at=later)
    assert not response.is_public()
    assert response.announced_at is None
    assert responses.get_public_response(world.proposal) is None
    assert world.proposal.status == ProposalStatus.PUBLISHED
    assert mail_outbox == [] and _notified("official_response_published") == []

    runner = app.test_cli_runner()
    assert runner.invoke(publish_due_command).output.strip() == "0"
    with clock.frozen_at(later + timedelta(minutes=1)):
        assert responses.get_public_response(world.proposal) == response
        result = runner.invoke(publish_due_command)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "1"
        assert runner.invoke(publish_due_command).output.strip() == "0"
    assert world.proposal.status == ProposalStatus.ANSWERED
    assert len(_notified("official_response_published")) == 3
    assert len(mail_outbox) == 3


def test_a_date_in_the_past_publishes_now(world):
    response = _answer(world, type="accepted", publish_at=clock.now() - timedelta(days=3))
    assert response.is_public() and response.announced_at is not None


@pytest.mark.parametrize("status", [ProposalStatus.IN_PROGRESS, ProposalStatus.DONE])
def test_a_response_never_moves_a_proposal_back(world, status):
    world.proposal.status = status
    _answer(world, type="already_under_way")
    assert world.proposal.status == status


def test_under_review_moves_to_answered(world):
    world.proposal.status = ProposalStatus.UNDER_REVIEW
    _answer(world, type="under_study")
    assert world.proposal.status == ProposalStatus.ANSWERED


def test_a_council_decision_is_recorded_once_per_council_and_number(world):
    decision = {"number": "2026-041", "decided_on": date(2026, 3, 12), "body": "Conseil municipal de Bobigny"}
    response = _answer(world, type="accepted", council_decision=decision)
    other = ProposalFactory(consultation=world.consultation)
    with unit_of_work():
        again = responses.answer_proposal(other, world.official, type="accepted", council_decision=decision)
    assert response.council_decision is not None
    assert again.council_decision_id == response.council_decision_id
    assert response.council_decision.decided_on == date(2026, 3, 12)


def test_a_council_decision_needs_its_number_body_and_a_past_date(world):
    with pytest.raises(Invalid) as raised:
        _answer(world, type="accepted", council_decision={"number": "", "decided_on": clock.now().date()
                                                          + timedelta(days=5), "body": "Conseil"})
    assert set(raised.value.fields) == {"council_decision.number", "council_decision.decided_on"}


def test_only_officials_of_the_consultation_answer(world):
    elsewhere = UserFactory(roles=[("official", ConsultationFactory())])
    for actor in (world.resident, world.author, elsewhere, UserFactory(roles=["moderator"])):
        with pytest.raises(Forbidden), unit_of_work():
            responses.answer_proposal(world.proposal, actor, type="accepted")
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 0


def test_a_hidden_proposal_cannot_be_answered(world):
    world.proposal.status = ProposalStatus.HIDDEN
    with pytest.raises(Conflict), unit_of_work():
        responses.answer_proposal(world.proposal, world.official, type="accepted")


def test_a_section_is_answered_only_once_its_synthesis_reached_the_officials(world, mail_outbox):
    section = make_section(world.consultation, SynthesisStatus.VALIDATED)
    with pytest.raises(Conflict), unit_of_work():
        responses.answer_section(section, world.official, type="accepted")
    section.synthesis.status = SynthesisStatus.SENT_TO_OFFICIALS
    with unit_of_work():
        response = responses.answer_section(section, world.official, type="partially_accepted",
                                            justification="Pour partie seulement.")
    assert response.section_id == section.id and response.proposal_id is None
    assert responses.get_section_response(section) == response
    with pytest.raises(Invalid), unit_of_work():
        responses.answer_section(section, world.official, type="not_accepted")


# Policies: role × scope × state.
@pytest.mark.parametrize(("role", "scoped_here", "allowed"), [
    (None, False, False), ("moderator", False, False), ("facilitator", False, False),
    ("official", True, True), ("official", False, True),  # a global official answers everywhere
    ("official_elsewhere", False, False), ("admin", False, True),
])
def test_answer_policy_matrix(world, role, scoped_here, allowed):
    if role is None:
        user = UserFactory()
    elif role == "official_elsewhere":
        user = UserFactory(roles=[("official", ConsultationFactory())])
    else:
        user = UserFactory(roles=[(role, world.consultation) if scoped_here else role])
    assert policies.can_answer(user, world.proposal) is allowed
    assert policies.can_manage_follow_ups(user, world.consultation.id) is allowed
    section = make_section(world.consultation)
    assert policies.can_answer(user, section) is allowed


@pytest.mark.parametrize("status", list(SynthesisStatus))
def test_section_policy_by_synthesis_status(world, status):
    section = make_section(world.consultation, status)
    assert policies.can_answer(world.official, section) is (status in {SynthesisStatus.SENT_TO_OFFICIALS,
                                                                       SynthesisStatus.ANSWERED})


@pytest.mark.parametrize("status", list(ProposalStatus))
def test_proposal_policy_by_status(world, status):
    world.proposal.status = status
    assert policies.can_answer(world.official, world.proposal) is world.proposal.is_public


def test_anonymous_and_blocked_officials_cannot_answer(world):
    from flask_login import AnonymousUserMixin

    assert not policies.can_answer(AnonymousUserMixin(), world.proposal)
    world.official.blocked_at = clock.now()
    assert not policies.can_answer(world.official, world.proposal)


def test_a_public_response_stays_public_when_amended_with_a_later_date(world):
    first = _answer(world, type="under_study")
    amended = _answer(world, type="accepted", publish_at=clock.now() + timedelta(days=5))
    assert amended.id == first.id
    assert amended.is_public() and amended.announced_at is not None
    assert responses.get_public_response(world.proposal).type == ResponseType.ACCEPTED
