"""The synthesis API as shared/API.md writes it: drafting (201, draft, citations as links), reading by status,
saving versions (409 when stale, 422 on a bad citation), versions, transitions (200 / 409 / 403 / 422)."""

from __future__ import annotations

import pytest

from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis.models import OfficialResponse, ResponseType, SynthesisStatus
from tests.factories import AssemblyFactory, ConsultationFactory, ProposalFactory
from tests.helpers import bearer, commit_setup
from tests.synthesis.synthesis_world import cited_body, make_world, synthesis_at

S = SynthesisStatus
SHAPE = {"id", "consultation_id", "assembly_id", "title", "status", "version", "body", "body_html", "sections",
         "created_at", "updated_at", "status_changed_at", "published_at"}


@pytest.fixture
def world(db_session):
    return make_world()


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def _draft(client, world, user, **body):
    headers = bearer(user) if user is not None else {}
    return client.post(f"/api/v1/consultations/{world.consultation.id}/syntheses", json=body, headers=headers)


def test_a_moderator_drafts_a_synthesis(client, world):
    response = _draft(client, world, world.moderator)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == SHAPE
    assert (body["status"], body["version"], body["consultation_id"], body["assembly_id"]) == (
        "draft", 1, world.consultation.id, None)
    assert body["published_at"] is None
    assert any(f"](/proposals/{p.id})" in body["body"] for p in world.proposals)
    assert 'href="/proposals/' in body["body_html"]
    assert all(set(section) == {"id", "anchor", "title"} for section in body["sections"])
    assert all(f'id="{section["anchor"]}"' in body["body_html"] for section in body["sections"])


def test_drafting_an_assembly_with_a_title(client, world):
    assembly = AssemblyFactory(consultation_id=world.consultation.id)
    response = _draft(client, world, world.moderator, assembly_id=assembly.id, title="Séance de mars")
    assert response.status_code == 201
    assert (response.get_json()["assembly_id"], response.get_json()["title"]) == (assembly.id, "Séance de mars")
    foreign = AssemblyFactory(consultation_id=ConsultationFactory().id)
    _error(_draft(client, world, world.moderator, assembly_id=foreign.id), 422, "assembly_not_in_consultation")
    _error(_draft(client, world, world.moderator, assembly_id=2**31 - 1), 422, "assembly_not_in_consultation")
    _error(_draft(client, world, world.moderator, assembly_id="x"), 422, "validation_error")


def test_drafting_refusals(client, world):
    _error(_draft(client, world, None), 401, "authentication_required")
    for role in ("resident", "facilitator", "official", "other_moderator"):
        _error(_draft(client, world, getattr(world, role)), 403, "forbidden")
    response = client.post("/api/v1/consultations/999999/syntheses", json={}, headers=bearer(world.moderator))
    _error(response, 404, "not_found")


@pytest.mark.parametrize("status", list(S))
def test_reading_follows_the_status(client, world, status):
    synthesis = synthesis_at(world, status)
    commit_setup()
    path = f"/api/v1/syntheses/{synthesis.id}"
    if status == S.PUBLISHED:
        body = client.get(path).get_json()
        assert set(body) == SHAPE and body["status"] == "published"
    else:
        _error(client.get(path), 401, "authentication_required")
        _error(client.get(path, headers=bearer(world.resident)), 403, "forbidden")
    assert client.get(path, headers=bearer(world.facilitator)).status_code == 200
    official = client.get(path, headers=bearer(world.official))
    assert official.status_code == (200 if status in (S.SENT_TO_OFFICIALS, S.ANSWERED, S.PUBLISHED) else 403)
    _error(client.get("/api/v1/syntheses/999999"), 404, "not_found")


def test_the_list_shows_what_each_may_read(client, world):
    published = synthesis_at(world, S.PUBLISHED)
    synthesis_at(world, S.DRAFT)
    commit_setup()
    path = f"/api/v1/consultations/{world.consultation.id}/syntheses"
    body = client.get(path).get_json()
    assert body["total"] == 1 and body["items"][0]["id"] == published.id
    assert "body" not in body["items"][0]
    assert client.get(path, headers=bearer(world.moderator)).get_json()["total"] == 2


def _put(client, synthesis, user, body, version):
    return client.put(f"/api/v1/syntheses/{synthesis.id}", json={"body": body, "version": version},
                      headers=bearer(user))


def test_saving_a_version(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    text = cited_body(world) + "\n## Mobilité\n\nDes vélos.\n"
    response = _put(client, synthesis, world.moderator, text, 1)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["version"] == 2
    assert [s["anchor"] for s in body["sections"]] == ["cadre-de-vie", "jeunesse", "mobilite"]
    _error(_put(client, synthesis, world.second_moderator, "## Autre\n\nTexte", 1), 409, "synthesis_changed")
    versions = client.get(f"/api/v1/syntheses/{synthesis.id}/versions", headers=bearer(world.facilitator))
    assert [(v["number"], v["origin"]) for v in versions.get_json()["items"]] == [(2, "edited"), (1, "drafted")]


def test_a_bad_citation_is_422_with_the_problem(client, world):
    synthesis = synthesis_at(world, S.IN_REVIEW)
    hidden = ProposalFactory(consultation=world.consultation, status=ProposalStatus.HIDDEN)
    commit_setup()
    error = _error(_put(client, synthesis, world.moderator, f"## A\n\n[x](/proposals/{hidden.id})", 1), 422,
                   "invalid_citations")
    assert f"/proposals/{hidden.id}" in error["fields"]["body"][0]
    _error(_put(client, synthesis, world.moderator, "", 1), 422, "validation_error")
    response = client.put(f"/api/v1/syntheses/{synthesis.id}", json={"body": "x"}, headers=bearer(world.moderator))
    _error(response, 422, "validation_error")


def test_saving_refusals(client, world):
    synthesis = synthesis_at(world, S.VALIDATED)
    commit_setup()
    _error(client.put(f"/api/v1/syntheses/{synthesis.id}", json={"body": "x", "version": 1}), 401,
           "authentication_required")
    _error(_put(client, synthesis, world.facilitator, "## A\n\nB", 1), 403, "forbidden")
    _error(_put(client, synthesis, world.moderator, "## A\n\nB", 1), 409, "synthesis_not_editable")
    _error(client.get(f"/api/v1/syntheses/{synthesis.id}/versions", headers=bearer(world.official)), 403,
           "forbidden")
    _error(client.get(f"/api/v1/syntheses/{synthesis.id}/versions"), 401, "authentication_required")


def _move(client, synthesis, user, to):
    headers = bearer(user) if user is not None else {}
    return client.post(f"/api/v1/syntheses/{synthesis.id}/transitions", json={"to": to}, headers=headers)


def test_transitions_through_the_api(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    for user, to in [(world.moderator, "in_review"), (world.moderator, "validated"),
                     (world.second_moderator, "sent_to_officials")]:
        response = _move(client, synthesis, user, to)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert set(response.get_json()) == SHAPE and response.get_json()["status"] == to
    error = _error(_move(client, synthesis, world.official, "answered"), 409, "sections_unanswered")
    assert "2" in error["message"]
    for section in db.session.get(type(synthesis), synthesis.id).sections:
        db.session.add(OfficialResponse(section_id=section.id, type=ResponseType.ACCEPTED))
    commit_setup()
    assert _move(client, synthesis, world.official, "answered").get_json()["status"] == "answered"
    _error(_move(client, synthesis, world.official, "published"), 403, "not_allowed_to_transition")
    body = _move(client, synthesis, world.admin, "published").get_json()
    assert body["status"] == "published" and body["published_at"]


def test_transition_refusals(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    _error(_move(client, synthesis, None, "in_review"), 401, "authentication_required")
    _error(_move(client, synthesis, world.resident, "in_review"), 403, "forbidden")
    _error(_move(client, synthesis, world.moderator, "published"), 409, "transition_not_allowed")
    _error(_move(client, synthesis, world.moderator, "draft"), 409, "transition_not_allowed")
    _error(_move(client, synthesis, world.moderator, "archived"), 422, "unknown_status")
    response = client.post(f"/api/v1/syntheses/{synthesis.id}/transitions", json={}, headers=bearer(world.moderator))
    _error(response, 422, "validation_error")
    _error(_move(client, type("Missing", (), {"id": 999999})(), world.moderator, "in_review"), 404, "not_found")


def test_every_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/consultations/{consultation_id}/syntheses"])
    assert {"get", "put"} <= set(paths["/api/v1/syntheses/{synthesis_id}"])
    assert "get" in paths["/api/v1/syntheses/{synthesis_id}/versions"]
    assert "post" in paths["/api/v1/syntheses/{synthesis_id}/transitions"]


def test_a_cookie_session_needs_the_csrf_token(client, world):
    from tests.helpers import sign_in

    synthesis = synthesis_at(world, S.DRAFT)
    sign_in(client, world.moderator)
    response = client.post(f"/api/v1/syntheses/{synthesis.id}/transitions", json={"to": "in_review"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
