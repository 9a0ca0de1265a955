"""The assemblies API, as shared/API.md: shapes, error bodies, visibility that never leaks, the public log."""

from __future__ import annotations

import pytest

from deliberation.assemblies import receipts
from deliberation.assemblies.models import AssemblyState, Poll, PollState, ResultsVisibility
from deliberation.assemblies.voting import PollMethod
from deliberation.core.audit import AuditEntry
from deliberation.extensions import db
from tests.assemblies.conftest import new_ballot_id
from tests.factories import AssemblyFactory, ConsultationFactory, ParticipantFactory, PollFactory, UserFactory
from tests.helpers import bearer

COUNT_KEYS = {"count", "merit_profile", "majority_mention", "gauge", "pairwise"}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def _keys(value) -> set:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


def _vote(client, poll, participant, choice, ballot_id=None):
    return client.post(f"/api/v1/polls/{poll.id}/votes", headers={"X-Device-Token": participant.device_token},
                       json={"ballot_id": ballot_id or new_ballot_id(), "choice": choice})


# Assemblies

def test_create_assembly_201(client, facilitator):
    consultation = ConsultationFactory()
    response = client.post("/api/v1/assemblies", headers=bearer(facilitator), json={
        "title": "Assemblée des Tilleuls", "consultation_id": consultation.id, "requires_sign_in": True,
        "starts_at": "2026-12-01T18:30:00+01:00", "mode": "hybrid", "quorum": 15})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["id"] and len(body["join_code"]) == 6
    assert body["state"] == "scheduled" and body["requires_sign_in"] is True and body["polls"] == []
    assert body["starts_at"].startswith("2026-12-01T17:30:00")
    entry = db.session.query(AuditEntry).filter_by(action="assembly_created", target_id=body["id"]).one()
    assert entry.actor_id == facilitator.id


def test_create_assembly_refusals(client, facilitator):
    _error(client.post("/api/v1/assemblies", json={"title": 3}), 401, "authentication_required")
    _error(client.post("/api/v1/assemblies", headers=bearer(UserFactory()), json={"title": "A"}), 403, "forbidden")
    body = _error(client.post("/api/v1/assemblies", headers=bearer(facilitator), json={"title": "", "mode": "x"}),
                  422, "validation_error")
    assert set(body["fields"]) == {"title", "mode"}
    _error(client.post("/api/v1/assemblies", headers=bearer(facilitator),
                       json={"title": "A", "consultation_id": 999999}), 422, "unknown_consultation")


def test_get_assembly_lists_polls_drafts_for_facilitators_only(client, facilitator):
    assembly = AssemblyFactory()
    shown = PollFactory(assembly=assembly)
    PollFactory(assembly=assembly, state=PollState.DRAFT)
    body = client.get(f"/api/v1/assemblies/{assembly.id}").get_json()
    assert {"id", "title", "state", "join_code", "polls"} <= set(body)
    assert [poll["id"] for poll in body["polls"]] == [shown.id]
    assert body["polls"][0] == {"id": shown.id, "question": shown.question, "method": "yes_no", "state": "open",
                                "results_visibility": "live", "total_ballots": 0}
    seen = client.get(f"/api/v1/assemblies/{assembly.id}", headers=bearer(facilitator)).get_json()
    assert len(seen["polls"]) == 2
    _error(client.get("/api/v1/assemblies/999999"), 404, "not_found")


# Polls

def test_create_open_close_poll(client, facilitator):
    assembly = AssemblyFactory()
    response = client.post(f"/api/v1/assemblies/{assembly.id}/polls", headers=bearer(facilitator), json={
        "question": "Quel aménagement ?", "method": "multiple", "options": ["Bancs", "Arbres", "Jeux"],
        "max_choices": 2, "results_visibility": "after_close"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "draft" and [option["label"] for option in body["options"]] == ["Bancs", "Arbres",
                                                                                           "Jeux"]
    assert all(isinstance(option["id"], int) for option in body["options"])
    poll_id = body["id"]
    opened = client.post(f"/api/v1/polls/{poll_id}/open", headers=bearer(facilitator))
    assert opened.status_code == 200 and opened.get_json() == {"id": poll_id, "state": "open"}
    for _ in range(2):
        closed = client.post(f"/api/v1/polls/{poll_id}/close", headers=bearer(facilitator))
        assert closed.status_code == 200 and closed.get_json() == {"id": poll_id, "state": "closed"}
    actions = [entry.action for entry in db.session.query(AuditEntry).filter_by(target_id=poll_id,
                                                                                 target_type="assembly_polls")]
    assert actions == ["poll_created", "poll_opened", "poll_closed"]


def test_yes_no_options_are_yes_no_abstain(client, facilitator):
    response = client.post(f"/api/v1/assemblies/{AssemblyFactory().id}/polls", headers=bearer(facilitator),
                           json={"question": "D'accord ?", "method": "yes_no", "results_visibility": "live"})
    assert [option["id"] for option in response.get_json()["options"]] == ["yes", "no", "abstain"]
    assert [option["label"] for option in response.get_json()["options"]] == ["Oui", "Non", "Abstention"]


@pytest.mark.parametrize("payload, status, code", [
    ({"question": "Q", "method": "single", "options": ["A"], "results_visibility": "live"}, 422, "invalid_options"),
    ({"question": "Q", "method": "multiple", "options": ["A", "B"], "results_visibility": "live"}, 422,
     "invalid_max_choices"),
    ({"question": "Q", "method": "score", "results_visibility": "live"}, 422, "validation_error"),
    ({"question": "Q" * 281, "method": "yes_no", "results_visibility": "live"}, 422, "validation_error"),
    ({"question": "Q", "method": "yes_no"}, 422, "validation_error"),
])
def test_create_poll_bad_input(client, facilitator, payload, status, code):
    _error(client.post(f"/api/v1/assemblies/{AssemblyFactory().id}/polls", headers=bearer(facilitator),
                       json=payload), status, code)


def test_poll_commands_need_a_facilitator(client):
    poll = PollFactory(state=PollState.DRAFT)
    _error(client.post(f"/api/v1/polls/{poll.id}/open"), 401, "authentication_required")
    _error(client.post(f"/api/v1/polls/{poll.id}/open", headers=bearer(UserFactory())), 403, "forbidden")
    _error(client.post(f"/api/v1/assemblies/{poll.assembly_id}/polls", headers=bearer(UserFactory()),
                       json={"question": "Q", "method": "yes_no", "results_visibility": "live"}), 403, "forbidden")
    _error(client.post("/api/v1/polls/999999/close", headers=bearer(UserFactory(roles=["facilitator"]))),
           404, "not_found")
    open_poll = PollFactory(state=PollState.OPEN)
    _error(client.post(f"/api/v1/polls/{open_poll.id}/close"), 401, "authentication_required")
    _error(client.post(f"/api/v1/polls/{open_poll.id}/close", headers=bearer(UserFactory())), 403, "forbidden")
    _error(client.post(f"/api/v1/assemblies/{poll.assembly_id}/polls",
                       json={"question": "Q", "method": "yes_no", "results_visibility": "live"}),
           401, "authentication_required")
    assert db.session.get(Poll, open_poll.id).state == PollState.OPEN


def test_a_draft_is_not_found_by_those_who_do_not_run_it(client):
    draft = PollFactory(state=PollState.DRAFT)
    for headers in ({}, bearer(UserFactory())):
        _error(client.get(f"/api/v1/polls/{draft.id}/results", headers=headers), 404, "not_found")
        _error(client.get(f"/api/v1/polls/{draft.id}/ballots", headers=headers), 404, "not_found")


# Joining and voting

def test_join_then_vote_then_retry(client):
    poll = PollFactory(method=PollMethod.SINGLE)
    response = client.post("/api/v1/assemblies/join", json={"join_code": poll.assembly.join_code.lower()})
    assert response.status_code == 200
    body = response.get_json()
    assert body["assembly"] == {"id": poll.assembly_id, "title": poll.assembly.title}
    token = body["participant"]["device_token"]
    again = client.post("/api/v1/assemblies/join", json={"join_code": poll.assembly.join_code,
                                                         "device_token": token})
    assert again.get_json()["participant"]["device_token"] == token
    ballot_id = new_ballot_id()
    url, headers = f"/api/v1/polls/{poll.id}/votes", {"X-Device-Token": token}
    first = client.post(url, headers=headers, json={"ballot_id": ballot_id, "choice": poll.options[0].id})
    assert first.status_code == 201 and first.get_json()["ok"] is True
    assert first.get_json()["receipt"] == receipts.receipt(receipts.GENESIS, poll.id, ballot_id, poll.options[0].id)
    retry = client.post(url, headers=headers, json={"ballot_id": ballot_id, "choice": poll.options[0].id})
    assert retry.status_code == 200 and retry.get_json() == first.get_json()


@pytest.mark.parametrize("case, status, code", [
    ("unknown", 404, "unknown_join_code"), ("ended", 409, "assembly_ended"), ("sign_in", 401, "sign_in_required"),
])
def test_join_refusals(client, case, status, code):
    assembly = AssemblyFactory(state=AssemblyState.ENDED if case == "ended" else AssemblyState.LIVE,
                               requires_sign_in=case == "sign_in")
    join_code = "ZZZZZZ" if case == "unknown" else assembly.join_code
    _error(client.post("/api/v1/assemblies/join", json={"join_code": join_code}), status, code)


def test_sign_in_required_join_with_a_bearer_token(client):
    assembly = AssemblyFactory(requires_sign_in=True)
    user = UserFactory()
    tokens = {client.post("/api/v1/assemblies/join", headers=bearer(user),
                          json={"join_code": assembly.join_code}).get_json()["participant"]["device_token"]
              for _ in range(2)}
    assert len(tokens) == 1


@pytest.mark.parametrize("choice, status, code", [
    ("maybe", 422, "invalid_choice"), (["yes"], 422, "invalid_choice"), (None, 422, "validation_error"),
])
def test_vote_refusals(client, choice, status, code):
    poll = PollFactory()
    _error(_vote(client, poll, ParticipantFactory(assembly=poll.assembly), choice), status, code)


def test_vote_needs_a_known_device_an_open_poll_and_a_uuid(client):
    poll = PollFactory()
    participant = ParticipantFactory(assembly=poll.assembly)
    url = f"/api/v1/polls/{poll.id}/votes"
    _error(client.post(url, json={"ballot_id": new_ballot_id(), "choice": "yes"}), 401, "unknown_device")
    _error(client.post(url, headers={"X-Device-Token": ParticipantFactory().device_token},
                       json={"ballot_id": new_ballot_id(), "choice": "yes"}), 401, "unknown_device")
    _error(_vote(client, poll, participant, "yes", ballot_id="not-a-uuid"), 422, "invalid_ballot_id")
    poll.state = PollState.CLOSED
    _error(_vote(client, poll, participant, "yes"), 409, "poll_closed")
    draft = PollFactory(assembly=poll.assembly, state=PollState.DRAFT)
    _error(_vote(client, draft, participant, "yes"), 404, "not_found")  # drafts are not public


# Results and the log

@pytest.mark.parametrize("visibility", list(ResultsVisibility))
def test_hidden_results_never_leak(client, visibility):
    poll = PollFactory(method=PollMethod.MAJORITY_JUDGMENT, results_visibility=visibility)
    voter, watcher = (ParticipantFactory(assembly=poll.assembly) for _ in range(2))
    assert _vote(client, poll, voter, {str(poll.option_ids[0]): 5}).status_code == 201
    url = f"/api/v1/polls/{poll.id}/results"
    as_watcher = client.get(url, headers={"X-Device-Token": watcher.device_token}).get_json()
    as_voter = client.get(url, headers={"X-Device-Token": voter.device_token}).get_json()
    as_facilitator = client.get(url, headers=bearer(UserFactory(roles=["facilitator"]))).get_json()
    for body, visible in [(as_watcher, visibility == ResultsVisibility.LIVE),
                          (as_voter, visibility != ResultsVisibility.AFTER_CLOSE),
                          (as_facilitator, visibility == ResultsVisibility.LIVE)]:
        assert {"poll_id", "state", "total_ballots", "results", "ranking", "log_head"} <= set(body)
        assert body["results_hidden"] is (not visible)
        if not visible:
            assert body["results"] is None and body["ranking"] is None
            assert not _keys(body) & COUNT_KEYS
        else:
            assert body["results"][0]["merit_profile"] == [0, 0, 0, 0, 0, 1]
            assert body["results"][0]["label"] == poll.options[0].label


def test_results_shape_for_yes_no(client):
    poll = PollFactory()
    for choice in ("yes", "no", "yes"):
        _vote(client, poll, ParticipantFactory(assembly=poll.assembly), choice)
    body = client.get(f"/api/v1/polls/{poll.id}/results").get_json()
    assert body["results"] == [{"option_id": "yes", "label": "Oui", "count": 2},
                               {"option_id": "no", "label": "Non", "count": 1},
                               {"option_id": "abstain", "label": "Abstention", "count": 0}]
    assert body["ranking"] == ["yes", "no", "abstain"] and body["total_ballots"] == 3
    assert body["log_head"] == poll.log_head and body["results_hidden"] is False


def test_the_ballot_log_after_close(client, facilitator):
    poll = PollFactory(method=PollMethod.RANKING)
    participant = ParticipantFactory(assembly=poll.assembly)
    ids = poll.option_ids
    _vote(client, poll, participant, [ids[2], ids[0]])
    _vote(client, poll, participant, [ids[1]])
    url = f"/api/v1/polls/{poll.id}/ballots"
    _error(client.get(url), 409, "poll_not_closed")
    client.post(f"/api/v1/polls/{poll.id}/close", headers=bearer(facilitator))
    log = client.get(url).get_json()
    assert [set(entry) for entry in log] == [{"receipt", "previous", "ballot_id", "replaces", "choice"}] * 2
    assert log[1]["replaces"] == log[0]["receipt"] and log[1]["choice"] == [ids[1]]
    results = client.get(f"/api/v1/polls/{poll.id}/results").get_json()
    assert receipts.verify_chain(log, poll_id=poll.id, head=results["log_head"]) is None
    assert receipts.recount("ranking", ids, log) == results["results"]


def test_totals_only_polls_publish_no_log(client):
    poll = PollFactory(state=PollState.CLOSED, totals_only=True)
    _error(client.get(f"/api/v1/polls/{poll.id}/ballots"), 404, "ballot_log_not_published")


def test_every_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/assemblies", "/api/v1/assemblies/join", "/api/v1/assemblies/{assembly_id}",
            "/api/v1/assemblies/{assembly_id}/polls", "/api/v1/polls/{poll_id}/open",
            "/api/v1/polls/{poll_id}/close", "/api/v1/polls/{poll_id}/results",
            "/api/v1/polls/{poll_id}/ballots", "/api/v1/polls/{poll_id}/votes"} <= set(paths)


def test_qr_code_is_an_accessible_svg_of_the_join_address(client, app):
    assembly = AssemblyFactory(title="Séance")
    response = client.get(f"/assemblies/{assembly.id}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<title>" in svg and assembly.join_code in svg
    assert client.get("/assemblies/999999/qr.svg").status_code == 404
