"""Pages of the officials' responses and of the follow-up: forms, the 422 rule, refusals, the proposal page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications.models import Notification
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import follow_ups, responses
from deliberation.synthesis.models import FollowUp, OfficialResponse, SynthesisStatus
from tests.factories import ConsultationFactory, UserFactory
from tests.helpers import commit_setup, post_form, sign_in
from tests.synthesis.response_world import make_section, make_world


@pytest.fixture
def world(db_session):
    return make_world()


def _page(client, path):
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True).replace("&#39;", "'")


def test_the_form_offers_the_french_types(client, world):
    sign_in(client, world.official)
    status, html = _page(client, f"/proposals/{world.proposal.id}/response")
    assert status == 200
    for label in ("Retenue", "Retenue partiellement", "Non retenue", "À l'étude", "Déjà en cours",
                  "Transmise au partenaire compétent", "Sans objet"):
        assert f">{label}</option>" in html
    assert 'name="justification"' in html and 'name="publish_at"' in html


@pytest.mark.parametrize("type_", ["not_accepted", "partially_accepted"])
def test_the_form_refuses_a_missing_justification_with_422(client, world, mail_outbox, type_):
    sign_in(client, world.official)
    response = post_form(client, f"/proposals/{world.proposal.id}/response", {"type": type_, "justification": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="justification-error"' in html
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 0
    assert mail_outbox == []


def test_the_form_refuses_referred_without_partner(client, world):
    sign_in(client, world.official)
    response = post_form(client, f"/proposals/{world.proposal.id}/response", {"type": "referred"})
    assert response.status_code == 422
    assert 'id="referred_to-error"' in response.get_data(as_text=True)


def test_answering_publishes_and_shows_on_the_proposal_page(client, world, mail_outbox):
    sign_in(client, world.official)
    response = post_form(client, f"/proposals/{world.proposal.id}/response", {
        "type": "partially_accepted", "justification": "Deux bancs sur trois, faute de place.",
        "council_number": "2026-12", "council_decided_on": "2026-01-15",
        "council_body": "Conseil municipal de Bobigny"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{world.proposal.id}#official-response")
    assert len(mail_outbox) == 3
    db.session.expire_all()
    assert world.proposal.status == ProposalStatus.ANSWERED
    client.get("/logout")
    anonymous = client.application.test_client()
    status, html = _page(anonymous, f"/proposals/{world.proposal.id}")
    assert status == 200
    assert "Réponse des élu·es" in html
    assert "Retenue partiellement" in html
    assert "Deux bancs sur trois, faute de place." in html
    assert "2026-12" in html and "Conseil municipal de Bobigny" in html


def test_a_response_to_publish_later_is_hidden_from_the_public(client, world):
    later = clock.now() + timedelta(days=3)
    with unit_of_work():
        responses.answer_proposal(world.proposal, world.official, type="accepted",
                                  justification="Confidentiel jusqu'au conseil.", publish_at=later)
    commit_setup()
    status, html = _page(client, f"/proposals/{world.proposal.id}")
    assert "Confidentiel jusqu'au conseil." not in html
    sign_in(client, world.official)
    status, html = _page(client, f"/proposals/{world.proposal.id}")
    assert "Confidentiel jusqu'au conseil." in html


def test_the_desk_lists_proposals_and_filters_those_without_response(client, world):
    answered = world.proposal
    from tests.factories import ProposalFactory

    waiting = ProposalFactory(consultation=world.consultation, title="Une fontaine")
    with unit_of_work():
        responses.answer_proposal(answered, world.official, type="accepted")
    commit_setup()
    sign_in(client, world.official)
    status, html = _page(client, f"/consultations/{world.consultation.id}/responses")
    assert status == 200
    assert answered.title in html and waiting.title in html
    status, html = _page(client, f"/consultations/{world.consultation.id}/responses?filter=unanswered")
    assert waiting.title in html and answered.title not in html
    assert "Sans réponse" in html


def test_a_section_is_answered_from_the_desk(client, world):
    section = make_section(world.consultation)
    sign_in(client, world.official)
    status, html = _page(client, f"/consultations/{world.consultation.id}/responses")
    path = f"/syntheses/{section.synthesis_id}/sections/{section.id}/response"
    assert path in html
    response = post_form(client, path, {"type": "not_accepted", "justification": ""})
    assert response.status_code == 422
    response = post_form(client, path, {"type": "not_accepted", "justification": "Hors compétence."})
    assert response.status_code == 302
    assert db.session.scalar(select(OfficialResponse.type).where(OfficialResponse.section_id == section.id)) == \
        "not_accepted"


def test_a_section_of_a_synthesis_not_sent_cannot_be_answered(client, world):
    section = make_section(world.consultation, SynthesisStatus.IN_REVIEW)
    sign_in(client, world.official)
    assert client.get(f"/syntheses/{section.synthesis_id}/sections/{section.id}/response").status_code == 409


def test_officials_of_another_consultation_are_refused(client, world):
    sign_in(client, UserFactory(roles=[("official", ConsultationFactory())]))
    assert client.get(f"/proposals/{world.proposal.id}/response").status_code == 403
    assert client.get(f"/consultations/{world.consultation.id}/responses").status_code == 403
    response = post_form(client, f"/proposals/{world.proposal.id}/response", {"type": "accepted"}, token_from="/")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 0


def test_follow_ups_are_created_updated_and_shown(client, world, mail_outbox):
    sign_in(client, world.official)
    response = post_form(client, f"/consultations/{world.consultation.id}/follow-ups/new", {
        "title": "Installer trois bancs", "owner": "Service voirie", "description": "Place du marché.",
        "proposal_ids": [str(world.proposal.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    follow_up = db.session.scalars(select(FollowUp)).one()
    path = f"/follow-ups/{follow_up.id}"
    response = post_form(client, f"{path}/updates", {"happened_on": clock.now().date().isoformat(),
                                                     "progress": "150", "body": "Trop."}, token_from=path)
    assert response.status_code == 422
    future = (clock.now().date() + timedelta(days=3)).isoformat()
    response = post_form(client, f"{path}/updates", {"happened_on": future, "progress": "50", "body": "Demain."},
                         token_from=path)
    assert response.status_code == 422
    response = post_form(client, f"{path}/updates", {"happened_on": clock.now().date().isoformat(),
                                                     "progress": "60", "body": "Deux bancs posés."},
                         token_from=path)
    assert response.status_code == 302
    db.session.expire_all()
    assert world.proposal.status == ProposalStatus.IN_PROGRESS
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "follow_up_updated")) == 6  # created, then one update: 3 people each time

    anonymous = client.application.test_client()
    status, html = _page(anonymous, f"/consultations/{world.consultation.id}/follow-ups")
    assert status == 200
    assert "Installer trois bancs" in html
    assert '<progress max="100" value="60"' in html and "60 % réalisé" in html
    status, html = _page(anonymous, path)
    assert status == 200 and "Deux bancs posés." in html and world.proposal.title in html
    assert "Ajouter une mise à jour" not in html
    status, html = _page(anonymous, f"/proposals/{world.proposal.id}")
    assert "Installer trois bancs" in html and "Suivi" in html


def test_follow_up_pages_refuse_residents(client, world):
    with unit_of_work():
        follow_up = follow_ups.create_follow_up(world.consultation, world.official, title="T", owner="O")
    commit_setup()
    sign_in(client, world.resident)
    assert client.get(f"/consultations/{world.consultation.id}/follow-ups/new").status_code == 403
    assert client.get(f"/follow-ups/{follow_up.id}/edit").status_code == 403
    response = post_form(client, f"/follow-ups/{follow_up.id}/updates", {
        "happened_on": clock.now().date().isoformat(), "progress": "50", "body": "Non."},
        token_from=f"/follow-ups/{follow_up.id}")
    assert response.status_code == 403
    assert follow_ups.get_follow_up(follow_up.id).progress == 0


def test_unknown_follow_up_is_404(client, world):
    assert client.get("/follow-ups/999999").status_code == 404


def test_the_consultation_page_links_to_the_follow_up_and_the_desk_for_officials(client, world):
    desk = f"/consultations/{world.consultation.id}/responses"
    status, html = _page(client, f"/consultations/{world.consultation.id}")
    assert status == 200
    assert f"/consultations/{world.consultation.id}/follow-ups" in html and desk not in html
    sign_in(client, world.official)
    status, html = _page(client, f"/consultations/{world.consultation.id}")
    assert desk in html and "Réponses des élu·es" in html
