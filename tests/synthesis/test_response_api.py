"""API of officials' responses and follow-ups (shared/API.md): PUT /proposals/{id}/response and its 422 rule,
the response in GET /proposals/{id}, follow-ups listed, created and updated; refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deliberation.core import clock
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis.models import OfficialResponse
from tests.factories import ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import bearer
from tests.synthesis.response_world import make_world


@pytest.fixture
def world(db_session):
    return make_world()


def _put(client, world, body, user=None):
    return client.put(f"/api/v1/proposals/{world.proposal.id}/response", json=body,
                      headers=bearer(user or world.official))


@pytest.mark.parametrize("type_", ["not_accepted", "partially_accepted"])
def test_missing_justification_is_422(client, world, mail_outbox, type_):
    response = _put(client, world, {"type": type_})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "justification_required"
    assert list(error["fields"]) == ["justification"]
    assert _put(client, world, {"type": type_, "justification": "  "}).status_code == 422
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 0
    assert mail_outbox == []


def test_referred_without_partner_is_422(client, world):
    response = _put(client, world, {"type": "referred", "justification": "Compétence départementale."})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "partner_required"


def test_an_unknown_type_is_422(client, world):
    response = _put(client, world, {"type": "maybe"})
    assert response.status_code == 422
    assert "type" in response.get_json()["error"]["fields"]


def test_answering_returns_the_response_and_the_proposal_shows_it(client, world, mail_outbox):
    response = _put(client, world, {
        "type": "not_accepted", "justification": "Le terrain est **privé**.",
        "council_decision": {"number": "D-2026-7", "decided_on": "2026-02-01", "body": "Conseil communautaire"}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["proposal_id"] == world.proposal.id
    assert body["type"] == "not_accepted"
    assert body["type_label"] == "non retenue"
    assert body["justification"] == "Le terrain est **privé**."
    assert "<strong>privé</strong>" in body["justification_html"]
    assert body["referred_to"] is None
    assert body["council_decision"] == {"number": "D-2026-7", "decided_on": "2026-02-01",
                                        "body": "Conseil communautaire"}
    assert body["public"] is True
    assert len(mail_outbox) == 3

    shown = client.get(f"/api/v1/proposals/{world.proposal.id}").get_json()
    assert shown["status"] == ProposalStatus.ANSWERED.value
    assert shown["official_response"]["type"] == "not_accepted"
    assert shown["official_response"]["justification"] == "Le terrain est **privé**."


def test_a_later_response_is_not_in_the_proposal_until_then(client, world):
    later = (clock.now() + timedelta(days=1)).isoformat()
    response = _put(client, world, {"type": "accepted", "publish_at": later})
    assert response.status_code == 200
    assert response.get_json()["public"] is False
    assert client.get(f"/api/v1/proposals/{world.proposal.id}").get_json()["official_response"] is None


def test_a_proposal_without_response_has_null(client, world):
    assert client.get(f"/api/v1/proposals/{world.proposal.id}").get_json()["official_response"] is None


def test_refusals(client, world):
    path = f"/api/v1/proposals/{world.proposal.id}/response"
    assert client.put(path, json={"type": "accepted"}).status_code == 401
    assert _put(client, world, {"type": "accepted"}, user=world.resident).status_code == 403
    elsewhere = UserFactory(roles=[("official", ConsultationFactory())])
    response = _put(client, world, {"type": "accepted"}, user=elsewhere)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_official"
    assert client.put("/api/v1/proposals/999999/response", json={"type": "accepted"},
                      headers=bearer(world.official)).status_code == 404
    withdrawn = ProposalFactory(consultation=world.consultation, status=ProposalStatus.WITHDRAWN)
    response = client.put(f"/api/v1/proposals/{withdrawn.id}/response", json={"type": "accepted"},
                          headers=bearer(world.official))
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(OfficialResponse.id))) == 0


def test_follow_ups_through_the_api(client, world, mail_outbox):
    path = f"/api/v1/consultations/{world.consultation.id}/follow-ups"
    assert client.get(path).get_json()["total"] == 0
    payload = {"title": "Bancs", "owner": "Service voirie", "proposal_ids": [world.proposal.id]}
    assert client.post(path, json=payload).status_code == 401
    assert client.post(path, json=payload, headers=bearer(world.resident)).status_code == 403
    response = client.post(path, json=payload, headers=bearer(world.official))
    assert response.status_code == 201, response.get_json()
    follow_up = response.get_json()
    assert follow_up["progress"] == 0 and follow_up["proposals"][0]["id"] == world.proposal.id

    updates = f"/api/v1/follow-ups/{follow_up['id']}/updates"
    today = clock.now().date().isoformat()
    assert client.post(updates, json={"happened_on": today, "progress": 101, "body": "x"},
                       headers=bearer(world.official)).status_code == 422
    tomorrow = (clock.now().date() + timedelta(days=1)).isoformat()
    response = client.post(updates, json={"happened_on": tomorrow, "progress": 10, "body": "x"},
                           headers=bearer(world.official))
    assert response.status_code == 422
    assert "happened_on" in response.get_json()["error"]["fields"]
    assert client.post(updates, json={"happened_on": today, "progress": 10, "body": "x"},
                       headers=bearer(world.resident)).status_code == 403
    response = client.post(updates, json={"happened_on": today, "progress": 100, "body": "Terminé."},
                           headers=bearer(world.official))
    assert response.status_code == 201
    assert response.get_json()["progress"] == 100

    listed = client.get(path + "?per_page=5").get_json()
    assert listed["total"] == 1 and listed["per_page"] == 5
    assert listed["items"][0]["progress"] == 100
    assert listed["items"][0]["updates"][0]["body"] == "Terminé."
    assert client.get(f"/api/v1/proposals/{world.proposal.id}").get_json()["status"] == "done"
    assert client.get("/api/v1/consultations/999999/follow-ups").status_code == 404
    assert client.post("/api/v1/follow-ups/999999/updates", json={"happened_on": today, "progress": 1, "body": "x"},
                       headers=bearer(world.official)).status_code == 404


def test_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/api/v1/proposals/{proposal_id}/response"]
    assert {"get", "post"} <= set(paths["/api/v1/consultations/{consultation_id}/follow-ups"])
    assert "post" in paths["/api/v1/follow-ups/{follow_up_id}/updates"]
