"""The proposals API, exactly as shared/API.md: shapes, error bodies and codes (401/403/404/409/422)."""

from __future__ import annotations

import pytest

from deliberation.consultations.models import PhaseKind
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from tests.factories import CommentFactory, ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import bearer, sign_in

PROPOSAL_KEYS = {
    "id", "consultation_id", "kind", "status", "title", "body", "body_html", "supports_count",
    "comments_count", "author", "mediator", "on_behalf_of", "area", "priority", "official_response",
    "moderation_reason", "merged_into_id", "created_at", "updated_at", "published_at", "withdrawn_at",
}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


# Listing

def test_list_shape_and_no_email_anywhere(client, consultation):
    author = UserFactory(display_name="Awa", email="awa@example.org")
    area, priority = consultation.areas[0], consultation.priorities[0]
    ProposalFactory(consultation=consultation, author=author, area=area, priority=priority,
                    body="Du **gras**")
    ProposalFactory(consultation=consultation, status=ProposalStatus.HIDDEN)
    response = client.get(f"/api/v1/consultations/{consultation.id}/proposals")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 1)
    item = body["items"][0]
    assert set(item) == PROPOSAL_KEYS
    assert item["author"] == {"display_name": "Awa"} and item["official_response"] is None
    assert item["area"] == {"id": area.id, "code": area.code, "name": area.name}
    assert item["priority"] == {"id": priority.id, "title": priority.title}
    assert "<strong>gras</strong>" in item["body_html"] and item["kind"] == "proposal"
    assert "awa@example.org" not in response.get_data(as_text=True)


def test_list_filters_search_and_pages(client, consultation):
    area = consultation.areas[1]
    for n in range(3):
        ProposalFactory(consultation=consultation, title=f"Jardin {n}", area=area)
    ProposalFactory(consultation=consultation, title="École", kind="question")
    url = f"/api/v1/consultations/{consultation.id}/proposals"
    assert client.get(url, query_string={"q": "jardins"}).get_json()["total"] == 3
    assert client.get(url, query_string={"area_id": area.id}).get_json()["total"] == 3
    questions = client.get(url, query_string={"kind": "question"}).get_json()["items"]
    assert [p["title"] for p in questions] == ["École"]
    page = client.get(url, query_string={"per_page": 2, "page": 2}).get_json()
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 4, 2)


def test_random_sort_answers_its_seed(client, consultation):
    for _ in range(6):
        ProposalFactory(consultation=consultation)
    url = f"/api/v1/consultations/{consultation.id}/proposals"
    first = client.get(url, query_string={"sort": "random"}).get_json()
    assert isinstance(first["seed"], int)
    again = client.get(url, query_string={"sort": "random", "seed": first["seed"]}).get_json()
    assert [p["id"] for p in again["items"]] == [p["id"] for p in first["items"]]
    assert again["seed"] == first["seed"]
    assert "seed" not in client.get(url).get_json()


@pytest.mark.parametrize("query, field", [
    ("sort=title", "sort"), ("status=hidden", "status"), ("kind=poem", "kind"), ("area_id=abc", "area_id"),
    ("area_id=99999999999999", "area_id"), ("per_page=1000", "per_page"), ("page=0", "page"),
    ("seed=-1", "seed"), ("q=" + "x" * 201, "q"),
])
def test_list_bad_parameters_are_422_with_fields(client, consultation, query, field):
    body = _error(client.get(f"/api/v1/consultations/{consultation.id}/proposals?{query}"), 422,
                  "validation_error")
    assert field in body["fields"]


@pytest.mark.parametrize("consultation_id", [999999, 2**40])
def test_list_of_an_unknown_consultation_is_404(client, consultation_id):
    _error(client.get(f"/api/v1/consultations/{consultation_id}/proposals"), 404, "not_found")


# Submitting

def test_submit_201(client, consultation, resident):
    response = client.post(f"/api/v1/consultations/{consultation.id}/proposals", headers=bearer(resident),
                           json={"title": " Des bancs ", "body": "<script>x</script>Assis",
                                 "area_id": consultation.areas[0].id})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == PROPOSAL_KEYS
    assert body["status"] == "published" and body["kind"] == "proposal" and body["title"] == "Des bancs"
    assert "<script" not in body["body_html"] and body["author"] == {"display_name": "Awa"}
    assert client.get(f"/api/v1/proposals/{body['id']}").get_json()["title"] == "Des bancs"


def test_submit_anonymous_is_401_whatever_the_body(client, consultation):
    url = f"/api/v1/consultations/{consultation.id}/proposals"
    _error(client.post(url, json={"title": "x", "body": "y"}), 401, "authentication_required")
    _error(client.post(url, json={"title": 3}), 401, "authentication_required")


def test_submit_in_a_closed_phase_is_403(client, resident):
    closed = ConsultationFactory(phase=PhaseKind.VOTE)
    _error(client.post(f"/api/v1/consultations/{closed.id}/proposals", headers=bearer(resident),
                       json={"title": "Trop tard", "body": "Texte"}), 403, "phase_closed")
    diagnosis = ConsultationFactory(phase=PhaseKind.DIAGNOSIS)
    url = f"/api/v1/consultations/{diagnosis.id}/proposals"
    _error(client.post(url, headers=bearer(resident), json={"title": "Idée", "body": "Texte"}), 403,
           "phase_closed")
    assert client.post(url, headers=bearer(resident),
                       json={"title": "Constat", "body": "Texte", "kind": "observation"}).status_code == 201


@pytest.mark.parametrize("payload, field", [
    ({"body": "Texte"}, "title"),
    ({"title": "", "body": "Texte"}, "title"),
    ({"title": "   ", "body": "Texte"}, "title"),
    ({"title": "t" * 141, "body": "Texte"}, "title"),
    ({"title": "Titre", "body": "b" * 5001}, "body"),
    ({"title": 123, "body": "Texte"}, "title"),
    ({"title": "Titre", "body": None}, "body"),
    ({"title": "Titre", "body": ["a"]}, "body"),
    ({"title": "Titre", "body": "Texte", "kind": "poem"}, "kind"),
    ({"title": "Titre", "body": "Texte", "area_id": "1"}, "area_id"),
    ({"title": "Titre", "body": "Texte", "area_id": True}, "area_id"),
    ({"title": "Titre", "body": "Texte", "area_id": 999999}, "area_id"),
    ({"title": "Titre", "body": "Texte", "priority_id": 2**40}, "priority_id"),
    ({"title": "Titre", "body": "Texte", "color": "red"}, "color"),
    ({"title": "Titre", "body": "Texte", "for_resident_name": "Fatou"}, None),
])
def test_submit_bad_input_is_422_with_fields(client, consultation, resident, payload, field):
    response = client.post(f"/api/v1/consultations/{consultation.id}/proposals", headers=bearer(resident),
                           json=payload)
    if field is None:  # a resident is not a mediator
        _error(response, 403, "not_mediator")
        return
    body = _error(response, 422, "validation_error")
    assert field in body["fields"]


@pytest.mark.parametrize("data, content_type", [
    ("not json", "application/json"), ("[1, 2]", "application/json"), ("", "application/json"),
    ("title=x", "application/x-www-form-urlencoded"),
])
def test_submit_malformed_bodies_are_4xx(client, consultation, resident, data, content_type):
    response = client.post(f"/api/v1/consultations/{consultation.id}/proposals", headers=bearer(resident),
                           data=data, content_type=content_type)
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["code"]


def test_a_mediator_submits_for_a_resident(client, consultation):
    mediator = UserFactory(display_name="Nadia", roles=["mediator"])
    url = f"/api/v1/consultations/{consultation.id}/proposals"
    payload = {"title": "Le bus", "body": "Le soir", "for_resident_name": "Fatou"}
    body = _error(client.post(url, headers=bearer(mediator), json=payload), 422, "validation_error")
    assert "resident_consent" in body["fields"]
    payload["resident_consent"] = True
    created = client.post(url, headers=bearer(mediator), json=payload).get_json()
    assert created["on_behalf_of"] == "Fatou" and created["mediator"] == {"display_name": "Nadia"}


def test_a_cookie_session_needs_the_csrf_token(client, consultation, resident):
    sign_in(client, resident)
    response = client.post(f"/api/v1/consultations/{consultation.id}/proposals",
                           json={"title": "Sans jeton", "body": "Texte"})
    _error(response, 400, "csrf_failed")


# One proposal

def test_get_one_and_unknown_ones(client):
    proposal = ProposalFactory(title="Un banc", supports_count=2)
    body = client.get(f"/api/v1/proposals/{proposal.id}").get_json()
    assert set(body) == PROPOSAL_KEYS
    assert (body["title"], body["supports_count"], body["status"]) == ("Un banc", 2, "published")
    _error(client.get("/api/v1/proposals/999999"), 404, "not_found")
    _error(client.get(f"/api/v1/proposals/{2**40}"), 404, "not_found")


def test_a_hidden_proposal_answers_without_its_text(client):
    proposal = ProposalFactory(status=ProposalStatus.HIDDEN, title="Secret", body="Texte")
    response = client.get(f"/api/v1/proposals/{proposal.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "hidden" and body["moderation_reason"] is None
    assert body["title"] is None and body["body"] is None and body["body_html"] is None
    assert "Secret" not in response.get_data(as_text=True)


def test_pending_proposals_exist_for_their_author_only(client):
    proposal = ProposalFactory(status=ProposalStatus.PENDING_MODERATION, title="En attente")
    _error(client.get(f"/api/v1/proposals/{proposal.id}"), 404, "not_found")
    response = client.get(f"/api/v1/proposals/{proposal.id}", headers=bearer(proposal.author))
    assert response.get_json()["title"] == "En attente"


# Supports

def test_support_201_then_200_then_delete_204(client, consultation, resident):
    proposal = ProposalFactory(consultation=consultation)
    url = f"/api/v1/proposals/{proposal.id}/supports"
    first = client.post(url, headers=bearer(resident))
    assert first.status_code == 201
    assert first.get_json() == {"proposal_id": proposal.id, "supports_count": 1, "supported": True}
    again = client.post(url, headers=bearer(resident))
    assert again.status_code == 200 and again.get_json()["supports_count"] == 1
    assert client.post(url, headers=bearer(UserFactory())).get_json()["supports_count"] == 2
    assert client.delete(url, headers=bearer(resident)).status_code == 204
    assert client.delete(url, headers=bearer(resident)).status_code == 204
    db.session.refresh(proposal)
    assert proposal.supports_count == 1


@pytest.mark.parametrize("case, status, code", [
    ("anonymous", 401, "authentication_required"),
    ("author", 403, "own_proposal"),
    ("closed phase", 403, "phase_closed"),
    ("withdrawn", 409, "proposal_not_public"),
    ("unknown", 404, "not_found"),
])
def test_support_refusals(client, resident, case, status, code):
    phase = PhaseKind.VOTE if case == "closed phase" else PhaseKind.SUBMISSION
    state = ProposalStatus.WITHDRAWN if case == "withdrawn" else ProposalStatus.PUBLISHED
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=phase), status=state)
    headers = {} if case == "anonymous" else bearer(proposal.author if case == "author" else resident)
    proposal_id = 999999 if case == "unknown" else proposal.id
    _error(client.post(f"/api/v1/proposals/{proposal_id}/supports", headers=headers), status, code)
    if case in ("anonymous", "closed phase"):
        _error(client.delete(f"/api/v1/proposals/{proposal_id}/supports", headers=headers), status, code)


# Comments

def test_comments_post_and_list(client, consultation, resident):
    proposal = ProposalFactory(consultation=consultation)
    url = f"/api/v1/proposals/{proposal.id}/comments"
    root = client.post(url, headers=bearer(resident), json={"body": "D'accord", "stance": "for"})
    assert root.status_code == 201
    root = root.get_json()
    assert set(root) == {"id", "proposal_id", "parent_id", "depth", "stance", "status", "body_html", "author",
                         "created_at"}
    assert (root["depth"], root["parent_id"], root["stance"]) == (0, None, "for")
    reply = client.post(url, headers=bearer(UserFactory()),
                        json={"body": "Pas moi", "stance": "against", "parent_id": root["id"]}).get_json()
    assert (reply["depth"], reply["parent_id"]) == (1, root["id"])
    listed = client.get(url).get_json()
    assert listed["total"] == 2 and [c["id"] for c in listed["items"]] == [root["id"], reply["id"]]
    assert listed["items"][0]["author"] == {"display_name": "Awa"}
    second_page = client.get(url, query_string={"per_page": 1, "page": 2}).get_json()
    assert [c["id"] for c in second_page["items"]] == [reply["id"]]


def test_a_hidden_comment_keeps_its_place_without_its_words_or_its_author(client, consultation):
    from deliberation.proposals.models import CommentStatus

    proposal = ProposalFactory(consultation=consultation)
    CommentFactory(proposal=proposal, status=CommentStatus.HIDDEN, author=UserFactory(display_name="Karim"))
    db.session.commit()
    [item] = client.get(f"/api/v1/proposals/{proposal.id}/comments").get_json()["items"]
    assert item["status"] == "hidden" and item["body_html"] is None and item["author"] is None


@pytest.mark.parametrize("payload, status, code, field", [
    ({"stance": "for"}, 422, "validation_error", "body"),
    ({"body": "", "stance": "for"}, 422, "validation_error", "body"),
    ({"body": "x" * 3001, "stance": "for"}, 422, "validation_error", "body"),
    ({"body": "Ok"}, 422, "validation_error", "stance"),
    ({"body": "Ok", "stance": "maybe"}, 422, "validation_error", "stance"),
    ({"body": "Ok", "stance": "for", "parent_id": "1"}, 422, "validation_error", "parent_id"),
    ({"body": "Ok", "stance": "for", "parent_id": 999999}, 422, "validation_error", "parent_id"),
    ({"body": "Ok", "stance": "for", "parent_id": "deep"}, 422, "comment_too_deep", "parent_id"),
])
def test_comment_bad_input(client, consultation, resident, payload, status, code, field):
    proposal = ProposalFactory(consultation=consultation)
    if payload.get("parent_id") == "deep":
        payload = {**payload, "parent_id": CommentFactory(proposal=proposal, depth=2).id}
    body = _error(client.post(f"/api/v1/proposals/{proposal.id}/comments", headers=bearer(resident),
                              json=payload), status, code)
    assert field in body["fields"]


def test_comment_refusals(client, resident):
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=PhaseKind.REVIEW))
    url = f"/api/v1/proposals/{proposal.id}/comments"
    _error(client.post(url, json={"body": "Ok", "stance": "for"}), 401, "authentication_required")
    _error(client.post(url, headers=bearer(resident), json={"body": "Ok", "stance": "for"}), 403,
           "phase_closed")
    hidden = ProposalFactory(status=ProposalStatus.HIDDEN)
    _error(client.get(f"/api/v1/proposals/{hidden.id}/comments"), 404, "not_found")
    _error(client.post(f"/api/v1/proposals/{hidden.id}/comments", headers=bearer(resident),
                       json={"body": "Ok", "stance": "for"}), 409, "proposal_not_public")


def test_every_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/consultations/{consultation_id}/proposals", "/api/v1/proposals/{proposal_id}",
                 "/api/v1/proposals/{proposal_id}/supports", "/api/v1/proposals/{proposal_id}/comments"):
        assert path in paths
