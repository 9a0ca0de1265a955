"""A synthesis is frozen once validated, but a contribution it cites may be hidden afterwards (say, for personal
data): readers (page, API, open data) never get what it quoted of it."""

from __future__ import annotations

import pytest

from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import syntheses
from deliberation.synthesis.models import SynthesisStatus
from tests.synthesis.synthesis_world import make_world, synthesis_at


@pytest.fixture
def published_after_hiding(db_session):
    """A synthesis validated while its cited proposal was public; the proposal is hidden (say, for personal
    data) before the synthesis is published."""
    world = make_world()
    synthesis = synthesis_at(world, SynthesisStatus.ANSWERED)
    hidden = world.proposals[0]
    hidden.status = ProposalStatus.HIDDEN
    db.session.commit()
    with unit_of_work():
        syntheses.transition_synthesis(synthesis, world.moderator, "published")
    return world, synthesis, hidden


def test_the_open_data_does_not_quote_a_proposal_hidden_after_validation(client, published_after_hiding):
    world, _synthesis, hidden = published_after_hiding
    body = client.get(f"/api/v1/consultations/{world.consultation.id}/export?format=json").get_data(as_text=True)
    assert hidden.title not in body


def test_the_synthesis_page_does_not_quote_a_proposal_hidden_after_validation(client, published_after_hiding):
    _world, synthesis, hidden = published_after_hiding
    assert hidden.title not in client.get(f"/syntheses/{synthesis.id}").get_data(as_text=True)


def test_the_api_gives_the_text_without_the_hidden_title_but_keeps_the_link(client, published_after_hiding):
    _world, synthesis, hidden = published_after_hiding
    answer = client.get(f"/api/v1/syntheses/{synthesis.id}").get_json()
    assert hidden.title not in answer["body"] and hidden.title not in answer["body_html"]
    assert f"(/proposals/{hidden.id})" in answer["body"]
    assert "contribution" in answer["body_html"]
    assert synthesis.body.count(hidden.title) >= 1  # the validated text itself is kept as it was


def test_a_passage_quoting_a_comment_hidden_since_is_withdrawn_whole(db_session):
    from deliberation.proposals.models import CommentStatus
    from deliberation.synthesis.citations import redact_withdrawn_sources
    from tests.factories import CommentFactory

    world = make_world()
    proposal = world.proposals[1]
    comment = CommentFactory(proposal=proposal, body="Le gardien du 12 s'appelle Monsieur Untel.")
    text = (f"## Cadre de vie\n\n- Arguments pour : « Le gardien du 12 s'appelle Monsieur Untel. » "
            f"([commentaire](/proposals/{proposal.id}#comment-{comment.id}))\n"
            f"- [« {proposal.title} »](/proposals/{proposal.id})\n")
    assert redact_withdrawn_sources(world.consultation, text) == text
    comment.status = CommentStatus.HIDDEN
    db.session.flush()
    shown = redact_withdrawn_sources(world.consultation, text)
    assert "Untel" not in shown
    assert shown.splitlines()[2].startswith("- ") and "Passage" in shown
    assert f"[« {proposal.title} »](/proposals/{proposal.id})" in shown  # the public neighbour stays
