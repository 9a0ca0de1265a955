"""A proposal's trace (« le fil de la proposition »): the function, its page and its API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from deliberation.core import clock
from deliberation.extensions import db
from deliberation.synthesis.models import OfficialResponse
from deliberation.synthesis.trace import KINDS, proposal_trace
from tests.exports.world import (
    HIDDEN_BODY,
    HIDDEN_TITLE,
    NOW,
    T0,
    UNPUBLISHED_SYNTHESIS,
    make_world,
)
from tests.factories import ProposalFactory, UserFactory


@pytest.fixture
def world(app, db_session):
    with app.test_request_context():
        yield make_world()


def test_a_proposal_that_went_through_every_step_has_every_kind_in_order(world):
    steps = proposal_trace(world.proposal, now=NOW)
    kinds = [step.kind for step in steps]
    assert set(kinds) == set(KINDS)
    assert kinds == ["submitted", "published", "supports", "hidden", "restored", "merged", "debated", "poll_result",
                     "supports", "cited", "official_response", "follow_up", "follow_up"]
    moments = [step.at for step in steps]
    assert moments == sorted(moments)
    assert all(step.at.tzinfo is not None and step.link.startswith("/") for step in steps)
    assert all(step.summary for step in steps)


def test_each_step_says_what_happened_and_links_where_to_read_more(world):
    by_kind = {}
    for step in proposal_trace(world.proposal, now=NOW):
        by_kind.setdefault(step.kind, []).append(step)
    assert by_kind["submitted"][0].at == T0
    assert by_kind["submitted"][0].link == f"/proposals/{world.proposal.id}"
    # supports by week: 3, then 2
    assert [s.summary for s in by_kind["supports"]] == ["+3 soutiens (3 au total)", "+2 soutiens (5 au total)"]
    assert "hors sujet" in by_kind["hidden"][0].summary
    assert by_kind["hidden"][0].link == "/moderation/log"
    assert f"n° {world.duplicate.id}" in by_kind["merged"][0].summary
    debated = by_kind["debated"][0]
    assert "Assemblée du quartier Nord" in debated.summary and "Transports" in debated.summary
    assert debated.link == f"/assemblies/{world.assembly.id}/screen"
    assert debated.at == T0 + timedelta(days=10)
    poll = by_kind["poll_result"][0]
    assert "Navette" in poll.summary and "3 bulletins" in poll.summary
    assert poll.link == f"/assemblies/polls/{world.poll.id}/verify"
    cited = by_kind["cited"]
    assert len(cited) == 1  # the proposal and its comment cited in one section: one step
    assert cited[0].link == f"/syntheses/{world.synthesis.id}#transports"
    assert cited[0].at == world.synthesis.published_at
    assert "retenue" in by_kind["official_response"][0].summary
    assert by_kind["official_response"][0].link == f"/proposals/{world.proposal.id}#official-response"
    assert [s.link for s in by_kind["follow_up"]] == [f"/follow-ups/{world.follow_up.id}"] * 2
    assert "50 %" in by_kind["follow_up"][1].summary


def test_a_merged_proposal_says_into_which_one(world):
    merged = [step for step in proposal_trace(world.duplicate, now=NOW) if step.kind == "merged"]
    assert len(merged) == 1
    assert f"n° {world.proposal.id}" in merged[0].summary
    assert merged[0].link == f"/proposals/{world.proposal.id}"


def test_unpublished_synthesis_and_future_response_are_not_in_the_trace(world):
    steps = proposal_trace(world.proposal, now=T0 + timedelta(days=22))
    assert "official_response" not in {step.kind for step in steps}  # published on day 25
    assert all(UNPUBLISHED_SYNTHESIS not in step.summary for step in steps)
    assert all(f"/syntheses/{world.unpublished_synthesis.id}" not in step.link for step in steps)
    assert all(step.at <= T0 + timedelta(days=22) for step in steps)
    response = db.session.scalar(select(OfficialResponse).where(OfficialResponse.proposal_id == world.proposal.id))
    response.publish_at = NOW + timedelta(days=1)
    assert "official_response" not in {step.kind for step in proposal_trace(world.proposal, now=NOW)}


def test_a_hidden_proposal_trace_never_quotes_its_text(world):
    steps = proposal_trace(world.hidden, now=NOW)
    assert [step.kind for step in steps] == ["submitted", "published", "hidden"]
    text = " ".join(step.summary for step in steps)
    assert HIDDEN_TITLE not in text and HIDDEN_BODY not in text
    assert "injurieux" in text  # the public reason


def test_a_proposal_hidden_after_its_answer_leaves_the_response_out_of_its_trace(world):
    assert "official_response" in {step.kind for step in proposal_trace(world.proposal, now=NOW)}
    world.proposal.status = "hidden"
    assert "official_response" not in {step.kind for step in proposal_trace(world.proposal, now=NOW)}


def test_many_supports_keep_the_list_short(app, db_session):
    from tests.factories import SupportFactory

    with app.test_request_context():
        proposal = ProposalFactory(created_at=T0, published_at=T0)
        for day in range(0, 200, 2):
            SupportFactory(proposal_id=proposal.id, user_id=UserFactory().id, created_at=T0 + timedelta(days=day))
        supports = [step for step in proposal_trace(proposal, now=NOW + timedelta(days=300))
                    if step.kind == "supports"]
    assert 1 < len(supports) <= 8
    assert supports[-1].summary.endswith("(100 au total)")


def test_the_trace_makes_a_bounded_number_of_queries(app, db_session, world):
    from sqlalchemy import event

    statements = []

    def count(*args):
        statements.append(args)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with clock.frozen_at(NOW):
            proposal_trace(world.proposal)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 14


# The page and the API

def test_the_trace_page_is_an_ordered_list_of_dated_links(client, world):
    with clock.frozen_at(NOW):
        response = client.get(f"/proposals/{world.proposal.id}/trace")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Le fil de la proposition" in html
    assert '<ol class="timeline trace"' in html
    assert html.count("<time datetime=") == 13
    assert f'href="/syntheses/{world.synthesis.id}#transports"' in html


def test_the_proposal_page_links_to_its_trace(client, world):
    html = client.get(f"/proposals/{world.proposal.id}").get_data(as_text=True)
    assert f'href="/proposals/{world.proposal.id}/trace"' in html


def test_api_answers_a_bare_array_oldest_first(client, world):
    with clock.frozen_at(NOW):
        response = client.get(f"/api/v1/proposals/{world.proposal.id}/trace")
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body, list)
    assert set(body[0]) == {"at", "kind", "summary", "link"}
    assert body[0]["kind"] == "submitted" and body[0]["at"].startswith("2026-01-05T09:00:00")
    assert [step["at"] for step in body] == sorted(step["at"] for step in body)
    assert {step["kind"] for step in body} == set(KINDS)


def test_api_in_english(client, world):
    with clock.frozen_at(NOW):
        body = client.get(f"/api/v1/proposals/{world.proposal.id}/trace",
                          headers={"Accept-Language": "en"}).get_json()
    assert body[0]["summary"] == "Contribution submitted"


def test_hidden_proposal_answers_without_its_text(client, world):
    response = client.get(f"/api/v1/proposals/{world.hidden.id}/trace")
    assert response.status_code == 200
    assert HIDDEN_TITLE not in response.get_data(as_text=True)
    page = client.get(f"/proposals/{world.hidden.id}/trace").get_data(as_text=True)
    assert HIDDEN_TITLE not in page and HIDDEN_BODY not in page


@pytest.mark.parametrize("path", ["/api/v1/proposals/{}/trace", "/proposals/{}/trace"])
def test_unknown_draft_or_pending_proposals_are_not_found(client, world, path):
    assert client.get(path.format(999999)).status_code == 404
    assert client.get(path.format(world.draft.id)).status_code == 404
    assert client.get(path.format(world.people["pending"].id)).status_code == 404


def test_the_author_sees_the_trace_of_their_own_draft(client, world, app):
    from tests.factories import DEFAULT_PASSWORD

    author = world.draft.author
    token = client.post("/api/v1/tokens", json={"email": author.email, "password": DEFAULT_PASSWORD}).get_json()
    response = client.get(f"/api/v1/proposals/{world.draft.id}/trace",
                          headers={"Authorization": f"Bearer {token['token']}"})
    assert response.status_code == 200
    assert [step["kind"] for step in response.get_json()] == ["submitted"]


def test_the_trace_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/proposals/{proposal_id}/trace"]
