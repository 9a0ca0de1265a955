"""The reports and moderation API, exactly as shared/API.md: who may call what, shapes, codes, and that no answer
ever carries a hidden text or a reporter."""

from __future__ import annotations

import json

import pytest

from deliberation.accounts.models import RoleAssignment, UserRole
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from tests.factories import ConsultationFactory, UserFactory
from tests.helpers import bearer
from tests.moderation.conftest import HIDDEN_BODY, HIDDEN_TITLE


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def _report(client, user, proposal, reason="spam", **extra):
    headers = bearer(user) if user is not None else {}
    return client.post("/api/v1/reports", json={"target_type": "proposal", "target_id": proposal.id,
                                                "reason": reason, **extra}, headers=headers)


def _decide(client, user, proposal, action="hide", reason="spam", **extra):
    headers = bearer(user) if user is not None else {}
    return client.post("/api/v1/moderation/decisions", headers=headers, json={
        "target_type": "proposal", "target_id": proposal.id, "action": action, "reason": reason, **extra})


def test_report_matrix(client, proposal, author, reporter):
    _error(_report(client, None, proposal), 401, "authentication_required")
    _error(_report(client, author, proposal), 403, "own_content")
    response = _report(client, reporter, proposal, details="Un nom et une adresse.")
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in ("target_type", "target_id", "reason", "status")} == {
        "target_type": "proposal", "target_id": proposal.id, "reason": "spam", "status": "open"}
    assert "reporter" not in json.dumps(body) and "reporter_id" not in body
    _error(_report(client, reporter, proposal), 409, "already_reported")
    _error(_report(client, UserFactory(), proposal, reason="nope"), 422, "validation_error")
    response = client.post("/api/v1/reports", headers=bearer(reporter),
                           json={"target_type": "proposal", "target_id": 999999, "reason": "spam"})
    _error(response, 404, "not_found")


def test_queue_matrix(client, proposal, consultation, reporter, moderator):
    _report(client, reporter, proposal, reason="offensive", details="Il insulte les voisins.")
    _error(client.get("/api/v1/moderation/queue"), 401, "authentication_required")
    _error(client.get("/api/v1/moderation/queue", headers=bearer(UserFactory())), 403, "not_moderator")
    elsewhere = UserFactory(roles=[("moderator", ConsultationFactory())])
    assert client.get("/api/v1/moderation/queue", headers=bearer(elsewhere)).get_json()["items"] == []
    for user in (moderator, UserFactory(roles=[("moderator", consultation)]), UserFactory(roles=["admin"])):
        body = client.get("/api/v1/moderation/queue", headers=bearer(user)).get_json()
        assert body["total"] == 1
        [item] = body["items"]
        assert item["target_type"] == "proposal" and item["target_id"] == proposal.id
        assert item["reporters_count"] == 1 and item["reasons"] == {"offensive": 1}
        assert item["details"] == ["Il insulte les voisins."]
        assert item["link"] == f"/proposals/{proposal.id}" and item["excerpt"] == HIDDEN_TITLE
        assert reporter.display_name not in json.dumps(body) and reporter.email not in json.dumps(body)
    filtered = client.get("/api/v1/moderation/queue?target_type=comment", headers=bearer(moderator)).get_json()
    assert filtered["items"] == []


def test_the_queue_is_a_list_page_like_every_list_of_the_api(client, consultation, moderator):
    from tests.factories import ProposalFactory

    proposals = [ProposalFactory(consultation=consultation) for _ in range(3)]
    for proposal in proposals:
        _report(client, UserFactory(), proposal)
    first = client.get("/api/v1/moderation/queue?per_page=2", headers=bearer(moderator)).get_json()
    second = client.get("/api/v1/moderation/queue?per_page=2&page=2", headers=bearer(moderator)).get_json()
    assert (first["page"], first["per_page"], first["total"], len(first["items"])) == (1, 2, 3, 2)
    assert (second["page"], second["total"], len(second["items"])) == (2, 3, 1)
    seen = {item["target_id"] for item in first["items"] + second["items"]}
    assert seen == {proposal.id for proposal in proposals}
    _error(client.get("/api/v1/moderation/queue?per_page=500", headers=bearer(moderator)), 422, "validation_error")


def test_decision_matrix(client, proposal, consultation, author, reporter, moderator):
    _report(client, reporter, proposal)
    reporter.roles.append(RoleAssignment(role=UserRole.MODERATOR))
    author.roles.append(RoleAssignment(role=UserRole.MODERATOR))
    db.session.flush()
    _error(_decide(client, None, proposal), 401, "authentication_required")
    _error(_decide(client, UserFactory(), proposal), 403, "not_moderator")
    _error(_decide(client, UserFactory(roles=[("moderator", ConsultationFactory())]), proposal), 403,
           "not_moderator")
    _error(_decide(client, author, proposal), 403, "own_content")
    _error(_decide(client, reporter, proposal), 403, "own_report")
    _error(_decide(client, moderator, proposal, action="merge", into_id=proposal.id), 422, "merge_into_itself")
    _error(_decide(client, moderator, proposal, action="hide", reason=None), 422, "validation_error")
    assert db.session.get(type(proposal), proposal.id).status == ProposalStatus.PUBLISHED

    response = _decide(client, moderator, proposal, note="Publicité.", charter_rule="Article 2")
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in ("target_type", "target_id", "action", "reason", "note", "charter_rule",
                                 "automatic")} == {
        "target_type": "proposal", "target_id": proposal.id, "action": "hide", "reason": "spam",
        "note": "Publicité.", "charter_rule": "Article 2", "automatic": False}
    _error(_decide(client, moderator, proposal), 409, "already_hidden")
    admin = UserFactory(roles=["admin"])
    assert _decide(client, admin, proposal, action="restore", reason=None).status_code == 201


def test_hidden_proposal_answers_200_without_title_and_body_then_restored(client, proposal, reporter, moderator):
    _report(client, reporter, proposal, reason="personal_data")
    assert _decide(client, moderator, proposal, reason="personal_data").status_code == 201
    for headers in ({}, bearer(UserFactory()), bearer(reporter)):
        response = client.get(f"/api/v1/proposals/{proposal.id}", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "hidden" and body["moderation_reason"] == "personal_data"
        assert body["title"] is None and body["body"] is None and body["body_html"] is None
        assert HIDDEN_TITLE not in response.get_data(as_text=True)
    moderator_view = client.get(f"/api/v1/proposals/{proposal.id}", headers=bearer(moderator)).get_json()
    assert moderator_view["title"] == HIDDEN_TITLE

    assert _decide(client, moderator, proposal, action="restore", reason=None).status_code == 201
    body = client.get(f"/api/v1/proposals/{proposal.id}").get_json()
    assert body["status"] == "published" and body["title"] == HIDDEN_TITLE and body["moderation_reason"] is None


def test_neither_the_log_nor_any_answer_holds_a_hidden_text_or_a_reporter(client, proposal, consultation,
                                                                           reporter, moderator):
    consultation.report_threshold = 2
    second = UserFactory(display_name="Sami le second", email="sami.second@example.org")
    _report(client, reporter, proposal, details="C'est Pierre Martin, mon voisin.")
    _report(client, second, proposal)  # the threshold: hidden pending moderation
    assert db.session.get(type(proposal), proposal.id).status == ProposalStatus.HIDDEN
    assert _decide(client, moderator, proposal, reason="personal_data").status_code == 201

    log = client.get("/api/v1/moderation/log")
    assert log.status_code == 200
    body = log.get_json()
    assert body["total"] == 2 and {"items", "page", "per_page", "total"} <= set(body)
    assert [(i["action"], i["automatic"], i["reason"]) for i in body["items"]] == [
        ("hide", False, "personal_data"), ("hide", True, "automatic")]
    assert body["items"][0]["target_type"] == "proposal" and body["items"][0]["decided_at"]
    public_answers = [
        log.get_data(as_text=True),
        client.get(f"/api/v1/proposals/{proposal.id}").get_data(as_text=True),
        client.get(f"/api/v1/consultations/{consultation.id}/proposals").get_data(as_text=True),
        client.get(f"/api/v1/proposals/{proposal.id}/comments").get_data(as_text=True),
    ]
    for text in public_answers:
        for secret in (HIDDEN_TITLE, HIDDEN_BODY, "Pierre Martin", reporter.display_name, reporter.email,
                       second.display_name, second.email, moderator.display_name):
            assert secret not in text


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/moderation/decisions"])
def test_a_cookie_session_needs_the_csrf_token(client, reporter, path):
    from tests.helpers import sign_in

    sign_in(client, reporter)
    _error(client.post(path, json={}), 400, "csrf_failed")


def test_every_moderation_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/reports", "/api/v1/moderation/queue", "/api/v1/moderation/decisions",
            "/api/v1/moderation/log"} <= set(paths)


def test_a_question_from_the_room_is_reported_through_the_api(client, consultation, reporter, moderator):
    from deliberation.assemblies import services as assembly_services
    from tests.factories import AssemblyFactory, ParticipantFactory

    assembly = AssemblyFactory(consultation_id=consultation.id)
    question = assembly_services.ask_question(ParticipantFactory(assembly=assembly), "Et le marché du samedi ?")
    body = {"target_type": "question", "target_id": question.id, "reason": "off_topic"}
    assert client.post("/api/v1/reports", json=body, headers=bearer(reporter)).status_code == 201
    _error(client.post("/api/v1/reports", json=body, headers=bearer(reporter)), 409, "already_reported")
    response = client.post("/api/v1/moderation/decisions", headers=bearer(moderator), json={
        "target_type": "question", "target_id": question.id, "action": "hide", "reason": "off_topic"})
    assert response.status_code == 201
    assert db.session.get(type(question), question.id).state == "hidden"
    log = client.get("/api/v1/moderation/log").get_data(as_text=True)
    assert "Et le marché du samedi" not in log and '"target_type": "question"' in log.replace('":"', '": "')
