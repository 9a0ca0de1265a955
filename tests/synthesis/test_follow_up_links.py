"""Editing a commitment never drops its link to a proposal that is not public for now (hidden, say): the form
does not offer it, and the link is kept as it is, so that the commitment is back on the proposal's page once it
is public again. Linked proposals beyond the 500 most supported stay offered (ticked)."""

from __future__ import annotations

import re

from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import follow_up_views, follow_ups
from tests.conftest import csrf_token_from
from tests.factories import ProposalFactory
from tests.helpers import commit_setup, sign_in
from tests.synthesis.response_world import make_world


def _ticked(html: str) -> list[str]:
    boxes = re.findall(r'<input[^>]*name="proposal_ids"[^>]*>', html)
    return [re.search(r'value="(\d+)"', box).group(1) for box in boxes if "checked" in box]


def test_editing_a_commitment_keeps_its_link_to_a_hidden_proposal(client, db_session):
    world = make_world()
    other = ProposalFactory(consultation=world.consultation, title="Autre")
    with unit_of_work():
        follow_up = follow_ups.create_follow_up(world.consultation, world.official, title="Bancs", owner="Voirie",
                                                proposal_ids=[world.proposal.id, other.id])
    follow_up_id = follow_up.id
    world.proposal.status = ProposalStatus.HIDDEN
    commit_setup()
    sign_in(client, world.official)
    page = client.get(f"/follow-ups/{follow_up_id}/edit")
    html = page.get_data(as_text=True)
    assert _ticked(html) == [str(other.id)]  # the hidden one is not offered
    response = client.post(f"/follow-ups/{follow_up_id}/edit", data={
        "csrf_token": csrf_token_from(page), "title": "Bancs (corrigé)", "owner": "Voirie", "description": "",
        "priority_id": "", "proposal_ids": _ticked(html)})
    assert response.status_code == 302
    db.session.expire_all()
    follow_up = follow_ups.get_follow_up(follow_up_id)
    assert follow_up.title == "Bancs (corrigé)"
    assert sorted(p.id for p in follow_up.proposals) == sorted([world.proposal.id, other.id])
    world.proposal.status = ProposalStatus.PUBLISHED
    commit_setup()
    assert [f.id for f in follow_ups.follow_ups_of(world.proposal)] == [follow_up_id]


def test_a_linked_proposal_beyond_the_offered_ones_stays_ticked(client, db_session, monkeypatch):
    world = make_world()
    with unit_of_work():
        follow_up = follow_ups.create_follow_up(world.consultation, world.official, title="Bancs", owner="Voirie",
                                                proposal_ids=[world.proposal.id])
    for _ in range(3):
        ProposalFactory(consultation=world.consultation, supports_count=50)
    commit_setup()
    monkeypatch.setattr(follow_up_views, "OFFERED_PROPOSALS", 2)  # the three new ones rank before it
    sign_in(client, world.official)
    html = client.get(f"/follow-ups/{follow_up.id}/edit").get_data(as_text=True)
    assert _ticked(html) == [str(world.proposal.id)]
