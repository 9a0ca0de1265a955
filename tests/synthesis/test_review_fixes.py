"""Defects found in review of issue #5 (syntheses, responses, follow-ups): each test failed before its fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications.models import Notification
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import follow_ups, responses
from deliberation.synthesis.models import OfficialResponse
from tests.factories import ProposalFactory
from tests.helpers import bearer
from tests.synthesis.response_world import make_world

SECRET = "Un banc place du marché"  # the world's proposal title


@pytest.fixture
def world(db_session):
    return make_world()


def _follow_up(world):
    with unit_of_work():
        return follow_ups.create_follow_up(world.consultation, world.official, title="Bancs", owner="Voirie",
                                           proposal_ids=[world.proposal.id])


def _hide(proposal):
    proposal.status = ProposalStatus.HIDDEN
    db.session.commit()


# Privacy: a linked proposal hidden after it was linked -----------------------------------------------------

def test_follow_ups_api_does_not_show_the_title_of_a_hidden_linked_proposal(client, world):
    _follow_up(world)
    _hide(world.proposal)
    body = client.get(f"/api/v1/consultations/{world.consultation.id}/follow-ups").get_json()
    linked = body["items"][0]["proposals"]
    assert linked == [{"id": world.proposal.id, "title": None, "status": "hidden"}]
    assert SECRET not in str(body)


def test_follow_up_page_does_not_show_the_title_of_a_hidden_linked_proposal(client, world):
    follow_up = _follow_up(world)
    _hide(world.proposal)
    page = client.get(f"/follow-ups/{follow_up.id}")
    assert page.status_code == 200
    assert SECRET not in page.get_data(as_text=True)


def test_an_update_does_not_notify_with_the_title_of_a_hidden_linked_proposal(world, mail_outbox):
    follow_up = _follow_up(world)
    _hide(world.proposal)
    mail_outbox.clear()
    db.session.execute(Notification.__table__.delete())
    with unit_of_work():
        follow_ups.add_follow_up_update(follow_up, world.official, happened_on=clock.now().date(), progress=50,
                                        body="Devis signé.")
    params = [n.params for n in db.session.scalars(select(Notification))]
    assert all(SECRET not in str(p) for p in params)
    assert all(SECRET not in str(message) for message in mail_outbox)
    assert world.proposal.status == ProposalStatus.HIDDEN


# Privacy: a response published at a later date, the proposal hidden meanwhile ---------------------------------

def test_publish_due_does_not_announce_a_response_to_a_proposal_hidden_meanwhile(world, mail_outbox):
    later = clock.now() + timedelta(days=2)
    with unit_of_work():
        responses.answer_proposal(world.proposal, world.official, type="accepted", publish_at=later)
    _hide(world.proposal)
    with unit_of_work():
        responses.publish_due(now=later + timedelta(minutes=1))
    assert mail_outbox == []
    assert db.session.scalars(select(Notification).where(
        Notification.kind == "official_response_published")).all() == []


def test_the_response_to_a_proposal_hidden_since_is_not_shown_with_its_placeholder(client, world):
    with unit_of_work():
        responses.answer_proposal(world.proposal, world.official, type="not_accepted",
                                  justification="Le banc gênerait le passage des poussettes.")
    _hide(world.proposal)
    page = client.get(f"/proposals/{world.proposal.id}").get_data(as_text=True)
    assert "poussettes" not in page  # as GET /api/v1/proposals/{id} (null) and the open data (absent)
    assert client.get(f"/api/v1/proposals/{world.proposal.id}").get_json()["official_response"] is None


# Performance: the proposals list API loads the official responses in one query -------------------------------

def test_the_proposals_list_does_not_query_each_official_response(client, world):
    for index in range(12):
        proposal = ProposalFactory(consultation=world.consultation, title=f"Idée {index}")
        with unit_of_work():
            responses.answer_proposal(proposal, world.official, type="under_study")
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "official_responses" in statement:
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        body = client.get(f"/api/v1/consultations/{world.consultation.id}/proposals?per_page=50").get_json()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    answered = [item for item in body["items"] if item["official_response"] is not None]
    assert len(answered) == 12
    assert len(statements) <= 2, statements


# Bad input never answers 500 --------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    {"type": "accepted", "publish_at": "2026-13-45T00:00:00+00:00"},
    {"type": "accepted", "publish_at": "2026-11-30T10:00:00"},
    {"type": "accepted", "publish_at": "9999-12-31T23:59:59+00:00"},
    {"type": "accepted", "publish_at": 12},
    {"type": ["accepted"]},
    {"type": "accepted", "justification": 5},
    {"type": "accepted", "council_decision": {"number": "1", "decided_on": "31/12/2025", "body": "CM"}},
    {"type": "accepted", "council_decision": "CM-1"},
    {"type": "accepted", "council_decision": {"number": "1", "decided_on": "0001-01-01", "body": "CM"}},
])
def test_odd_responses_are_refused_not_500(client, world, payload):
    answer = client.put(f"/api/v1/proposals/{world.proposal.id}/response", json=payload,
                        headers=bearer(world.official))
    assert answer.status_code in (200, 422), answer.get_data(as_text=True)


def test_malformed_json_is_refused_not_500(client, world):
    answer = client.put(f"/api/v1/proposals/{world.proposal.id}/response", data="{not json",
                        headers={**bearer(world.official), "Content-Type": "application/json"})
    assert answer.status_code in (400, 422)


def test_a_far_future_publish_at_keeps_the_response_private(client, world):
    publish_at = (clock.now() + timedelta(days=4 * 365)).isoformat()  # beyond five years: 422 (test_review5_fixes)
    answer = client.put(f"/api/v1/proposals/{world.proposal.id}/response",
                        json={"type": "accepted", "publish_at": publish_at},
                        headers=bearer(world.official))
    assert answer.status_code == 200
    assert answer.get_json()["public"] is False
    assert client.get(f"/api/v1/proposals/{world.proposal.id}").get_json()["official_response"] is None
    assert db.session.scalar(select(OfficialResponse.announced_at)) is None


@pytest.mark.parametrize("data", [
    {"type": "accepted", "publish_at": "0001-01-01T00:00"},
    {"type": "accepted", "publish_at": "9999-12-31T23:59"},
    {"type": "accepted", "publish_at": "31/12/2026 10:00"},
    {"type": "accepted", "council_number": "1", "council_body": "CM", "council_decided_on": "0001-01-01"},
    {"type": "accepted", "council_number": "1", "council_body": "CM", "council_decided_on": "2026-02-30"},
    {"type": "bogus"},
])
def test_odd_response_forms_are_refused_not_500(client, world, data):
    from tests.helpers import post_form, sign_in

    sign_in(client, world.official)
    answer = post_form(client, f"/proposals/{world.proposal.id}/response", data)
    assert answer.status_code in (302, 422), answer.status_code


@pytest.mark.parametrize("data", [
    {"happened_on": "0001-01-01", "progress": "10", "body": "x"},
    {"happened_on": "2026-02-30", "progress": "10", "body": "x"},
    {"happened_on": "2026-01-01", "progress": "99999999999999999999", "body": "x"},
    {"happened_on": "2026-01-01", "progress": "-1", "body": "x"},
])
def test_odd_follow_up_updates_are_refused_not_500(client, world, data):
    from tests.helpers import post_form, sign_in

    follow_up = _follow_up(world)
    sign_in(client, world.official)
    answer = post_form(client, f"/follow-ups/{follow_up.id}/updates", data, token_from=f"/follow-ups/{follow_up.id}")
    assert answer.status_code in (302, 422), answer.status_code


@pytest.mark.parametrize("query", ["page=-1", "page=99999999999999999999", "page=abc"])
def test_odd_pages_are_not_500(client, world, query):
    _follow_up(world)
    assert client.get(f"/consultations/{world.consultation.id}/follow-ups?{query}").status_code in (200, 404)
    assert client.get(f"/api/v1/consultations/{world.consultation.id}/follow-ups?{query}").status_code in (200, 422)
