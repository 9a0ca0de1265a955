"""Review 5: what a published synthesis shows once a contribution it cited is hidden (a group's key words are
drawn from its members' texts), and citations in section titles (which no redaction can take back)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation.core import clock
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis.citations import redact_withdrawn_sources
from deliberation.synthesis.models import SynthesisStatus
from tests.factories import ProposalFactory
from tests.helpers import bearer, commit_setup
from tests.synthesis.synthesis_world import make_world, synthesis_at


@pytest.fixture
def world(db_session):
    return make_world()


def test_a_group_of_one_hidden_contribution_is_withdrawn_whole_its_link_kept(world):
    hidden = ProposalFactory(consultation=world.consultation, title="Dupont voleur escroc")
    text = (f"## Minorités\n\n- **dupont, escroc, voleur** — 1 contribution, 0 soutien : "
            f"[« {hidden.title} »](/proposals/{hidden.id})\n")
    assert redact_withdrawn_sources(world.consultation, text) == text
    hidden.status = ProposalStatus.HIDDEN
    db.session.flush()
    shown = redact_withdrawn_sources(world.consultation, text)
    assert "voleur" not in shown and "dupont" not in shown.lower()
    assert "Passage retiré" in shown and f"(/proposals/{hidden.id})" in shown


def test_a_mixed_group_loses_its_key_words_and_the_hidden_title_keeps_the_others(world):
    public = world.proposals[0]
    hidden = ProposalFactory(consultation=world.consultation, title="Dupont voleur escroc")
    text = (f"## Cadre de vie\n\n- **banc, voleur** — 2 contributions : [« {public.title} »](/proposals/{public.id}), "
            f"[« {hidden.title} »](/proposals/{hidden.id})\n")
    hidden.status = ProposalStatus.HIDDEN
    db.session.flush()
    shown = redact_withdrawn_sources(world.consultation, text)
    assert "voleur" not in shown
    assert f"[« {public.title} »](/proposals/{public.id})" in shown and f"(/proposals/{hidden.id})" in shown
    assert "mots-clés non affichés" in shown


def test_a_section_title_cannot_cite_a_contribution(client, world):
    synthesis = synthesis_at(world, SynthesisStatus.IN_REVIEW)
    proposal = world.proposals[0]
    commit_setup()
    body = f"## [{proposal.title}](/proposals/{proposal.id})\n\nDes bancs.\n"
    response = client.put(f"/api/v1/syntheses/{synthesis.id}", json={"body": body, "version": 1},
                          headers={**bearer(world.moderator), "Accept-Language": "fr"})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "invalid_citations"
    assert "un titre de section ne peut pas citer" in error["fields"]["body"][0]
    good = f"## Cadre de vie\n\nDes bancs ([{proposal.title}](/proposals/{proposal.id})).\n"
    response = client.put(f"/api/v1/syntheses/{synthesis.id}", json={"body": good, "version": 1},
                          headers=bearer(world.moderator))
    assert response.status_code == 200


@pytest.mark.parametrize("publish_at", ["9999-12-31T23:59:59-12:00", "2999-01-01T10:00:00+01:00"])
def test_a_response_scheduled_beyond_five_years_is_a_field_error_not_a_500(client, world, publish_at):
    proposal = world.proposals[0]
    commit_setup()
    response = client.put(f"/api/v1/proposals/{proposal.id}/response",
                          json={"type": "accepted", "publish_at": publish_at},
                          headers={**bearer(world.official), "Accept-Language": "fr"})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "validation_error"
    assert "cinq ans" in error["fields"]["publish_at"][0]
    assert client.get(f"/api/v1/proposals/{proposal.id}").get_json()["official_response"] is None


def test_a_response_scheduled_next_year_is_accepted(client, world):
    proposal = world.proposals[0]
    commit_setup()
    response = client.put(f"/api/v1/proposals/{proposal.id}/response",
                          json={"type": "accepted", "publish_at": (clock.now() + timedelta(days=300)).isoformat()},
                          headers=bearer(world.official))
    assert response.status_code in (200, 201) and response.get_json()["public"] is False


def test_a_blocked_moderator_is_told_their_account_is_blocked(client, world):
    synthesis = synthesis_at(world, SynthesisStatus.DRAFT)
    world.moderator.blocked_at = clock.now()
    commit_setup()
    headers = {**bearer(world.moderator), "Accept-Language": "fr"}
    calls = [
        client.post(f"/api/v1/syntheses/{synthesis.id}/transitions", json={"to": "in_review"}, headers=headers),
        client.put(f"/api/v1/syntheses/{synthesis.id}", json={"body": "## A\n\nTexte", "version": 1}, headers=headers),
        client.post(f"/api/v1/consultations/{world.consultation.id}/syntheses", json={}, headers=headers),
    ]
    for response in calls:
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "account_blocked"
    db.session.refresh(synthesis)
    assert synthesis.status == SynthesisStatus.DRAFT and synthesis.version == 1


@pytest.mark.parametrize("to, code", [("bogus", "unknown_status"), ("x" * 500, "validation_error")])
def test_an_unknown_status_is_unknown_status_through_the_api_as_in_the_forms(client, world, to, code):
    synthesis = synthesis_at(world, SynthesisStatus.DRAFT)
    commit_setup()
    response = client.post(f"/api/v1/syntheses/{synthesis.id}/transitions", json={"to": to},
                           headers=bearer(world.moderator))
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == code and "to" in error["fields"]
