"""Synthesis pages: the list and the « Rédiger une synthèse » button, the synthesis page (citations as links,
section anchors, French status, dated steps, review comments, transition buttons), editing (citation problems
as form errors keeping the text, stale saves), versions and the diff, the consultation page's links, CSRF."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from deliberation.core.audit import AuditEntry
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import syntheses
from deliberation.synthesis.models import Synthesis, SynthesisStatus
from tests.conftest import csrf_token_from
from tests.factories import AssemblyFactory, ProposalFactory
from tests.helpers import commit_setup, post_form, sign_in
from tests.synthesis.synthesis_world import cited_body, make_world, synthesis_at

S = SynthesisStatus


@pytest.fixture
def world(db_session):
    return make_world()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count() -> int:
    return db.session.scalar(select(func.count(Synthesis.id)))


def test_the_list_offers_drafting_to_moderators_only(client, world):
    AssemblyFactory(consultation_id=world.consultation.id, title="Séance de mars")
    published = synthesis_at(world, S.PUBLISHED)
    draft = synthesis_at(world, S.DRAFT)
    commit_setup()
    path = f"/consultations/{world.consultation.id}/syntheses"
    page = _text(client.get(path))
    assert published.title in page and draft.title not in page
    assert "Rédiger une synthèse" not in page
    sign_in(client, world.moderator)
    page = _text(client.get(path))
    assert draft.title in page and "Rédiger une synthèse" in page
    assert "Séance de mars" in page and "Brouillon" in page


def test_a_moderator_drafts_from_the_list(client, world):
    commit_setup()
    sign_in(client, world.moderator)
    path = f"/consultations/{world.consultation.id}/syntheses"
    response = post_form(client, path, {"assembly_id": "", "title": ""})
    assert response.status_code == 302
    synthesis = db.session.scalars(select(Synthesis)).one()
    assert response.headers["Location"] == f"/syntheses/{synthesis.id}"
    page = _text(client.get(response.headers["Location"]))
    assert synthesis.title in page and "Brouillon" in page


def test_drafting_without_the_csrf_token_is_refused(client, world):
    commit_setup()
    sign_in(client, world.moderator)
    response = client.post(f"/consultations/{world.consultation.id}/syntheses", data={"title": ""})
    assert response.status_code == 400
    assert _count() == 0


def test_the_synthesis_page_shows_citations_anchors_status_and_steps(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    syntheses.transition_synthesis(synthesis, world.moderator, S.IN_REVIEW)
    syntheses.add_review_comment(synthesis, world.facilitator, "Ajouter le constat sur les bancs.")
    commit_setup()
    sign_in(client, world.facilitator)
    page = _text(client.get(f"/syntheses/{synthesis.id}"))
    first = world.proposals[0]
    assert f'href="/proposals/{first.id}"' in page
    assert 'id="cadre-de-vie"' in page and 'href="#cadre-de-vie"' in page
    assert "En relecture" in page
    assert " : brouillon → en relecture" in page
    assert "Ajouter le constat sur les bancs." in page
    assert 'name="body"' in page, "facilitators comment while in review"
    assert 'name="to"' not in page, "facilitators move nothing"


def test_moderators_see_the_allowed_buttons_only(client, world):
    synthesis = synthesis_at(world, S.IN_REVIEW)
    commit_setup()
    sign_in(client, world.moderator)
    page = _text(client.get(f"/syntheses/{synthesis.id}"))
    assert 'name="to" value="validated"' in page and 'name="to" value="draft"' in page
    assert 'value="published"' not in page
    assert "Valider" in page and "Modifier le texte" in page


def test_a_transition_button_moves_the_synthesis(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    sign_in(client, world.moderator)
    response = post_form(client, f"/syntheses/{synthesis.id}/transitions", {"to": "in_review"},
                         token_from=f"/syntheses/{synthesis.id}")
    assert response.status_code == 302
    assert db.session.get(Synthesis, synthesis.id).status == S.IN_REVIEW
    page = _text(client.get(response.headers["Location"]))
    assert "La synthèse est maintenant : en relecture." in page


def test_a_refused_transition_is_explained(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    sign_in(client, world.moderator)
    response = post_form(client, f"/syntheses/{synthesis.id}/transitions", {"to": "published"},
                         token_from=f"/syntheses/{synthesis.id}")
    assert response.status_code == 302
    assert db.session.get(Synthesis, synthesis.id).status == S.DRAFT
    assert "pas permis" in _text(client.get(response.headers["Location"]))


def test_a_transition_without_the_csrf_token_changes_nothing(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    sign_in(client, world.moderator)
    client.post(f"/syntheses/{synthesis.id}/transitions", data={"to": "in_review"})
    assert db.session.get(Synthesis, synthesis.id).status == S.DRAFT


def test_review_comments_through_the_page(client, world):
    synthesis = synthesis_at(world, S.IN_REVIEW)
    commit_setup()
    sign_in(client, world.moderator)
    path = f"/syntheses/{synthesis.id}"
    response = post_form(client, f"{path}/comments", {"body": "Préciser le quartier."}, token_from=path)
    assert response.status_code == 302
    assert "Préciser le quartier." in _text(client.get(path))
    response = post_form(client, f"{path}/comments", {"body": ""}, token_from=path)
    assert response.status_code == 422


def test_the_public_reads_a_published_synthesis_without_the_review(client, world):
    synthesis = synthesis_at(world, S.PUBLISHED)
    db.session.add(syntheses.SynthesisReviewComment(synthesis_id=synthesis.id, version=1, body="Remarque interne"))
    commit_setup()
    page = _text(client.get(f"/syntheses/{synthesis.id}"))
    assert "Publiée" in page and synthesis.title in page
    assert "Remarque interne" not in page and "Versions" not in page
    assert 'name="to"' not in page


def test_a_draft_is_not_public(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    response = client.get(f"/syntheses/{synthesis.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    sign_in(client, world.resident)
    assert client.get(f"/syntheses/{synthesis.id}").status_code == 403
    sign_in(client, world.official)
    assert client.get(f"/syntheses/{synthesis.id}").status_code == 403
    assert client.get("/syntheses/999999").status_code == 404


def test_editing_saves_a_new_version(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    commit_setup()
    sign_in(client, world.moderator)
    path = f"/syntheses/{synthesis.id}/edit"
    page = _text(client.get(path))
    assert 'name="version" type="hidden" value="1"' in page
    assert "Des bancs sont demandés" in page
    response = post_form(client, path, {"body": cited_body(world) + "\nAjout.", "version": "1"})
    assert response.status_code == 302
    assert db.session.get(Synthesis, synthesis.id).version == 2


def test_a_bad_citation_is_a_form_error_and_the_text_is_kept(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    hidden = ProposalFactory(consultation=world.consultation, status=ProposalStatus.HIDDEN)
    commit_setup()
    sign_in(client, world.moderator)
    path = f"/syntheses/{synthesis.id}/edit"
    text = f"## Cadre de vie\n\nUn texte tout neuf ([source](/proposals/{hidden.id}))."
    response = post_form(client, path, {"body": text, "version": "1"})
    assert response.status_code == 422
    page = _text(response)
    assert "Un texte tout neuf" in page
    [error] = re.findall(r'<p class="error" id="body-error">([^<]*)</p>', page)
    assert f"/proposals/{hidden.id}" in error
    assert 'aria-invalid="true"' in page
    assert db.session.get(Synthesis, synthesis.id).version == 1


def test_a_stale_save_keeps_the_text_and_shows_the_newer_one(client, world):
    synthesis = synthesis_at(world, S.DRAFT)
    syntheses.save_synthesis(synthesis, world.second_moderator, body=cited_body(world) + "\nPar Malik.",
                             based_on_version=1)
    commit_setup()
    sign_in(client, world.moderator)
    path = f"/syntheses/{synthesis.id}/edit"
    response = post_form(client, path, {"body": "## Mon texte\n\nÀ moi.", "version": "1"})
    assert response.status_code == 422
    page = _text(response)
    assert "À moi." in page and "Par Malik." in page
    assert db.session.get(Synthesis, synthesis.id).body.endswith("Par Malik.")


def test_a_validated_synthesis_cannot_be_edited(client, world):
    synthesis = synthesis_at(world, S.VALIDATED)
    commit_setup()
    sign_in(client, world.moderator)
    response = client.get(f"/syntheses/{synthesis.id}/edit")
    assert response.status_code == 302


def test_versions_and_diff(client, world):
    synthesis = synthesis_at(world, S.DRAFT, body="## A\n\nun\ndeux")
    syntheses.save_synthesis(synthesis, world.moderator, body="## A\n\nun\ntrois", based_on_version=1)
    commit_setup()
    sign_in(client, world.facilitator)
    page = _text(client.get(f"/syntheses/{synthesis.id}/versions"))
    assert "Mona" in page and "rédigée par le système" in page
    page = _text(client.get(f"/syntheses/{synthesis.id}/diff?a=1&b=2"))
    assert "<del>" in page and "<ins>" in page
    assert "Supprimé :" in page and "Ajouté :" in page
    assert client.get(f"/syntheses/{synthesis.id}/diff").status_code == 200
    assert client.get(f"/syntheses/{synthesis.id}/diff?a=1&b=9").status_code == 404
    assert client.get(f"/syntheses/{synthesis.id}/diff?a=x").status_code == 200


def test_the_consultation_page_links_to_published_syntheses(client, world):
    published = synthesis_at(world, S.PUBLISHED)
    draft = synthesis_at(world, S.DRAFT)
    commit_setup()
    path = f"/consultations/{world.consultation.id}"
    page = _text(client.get(path))
    assert f'href="/syntheses/{published.id}"' in page and draft.title not in page
    assert f"/consultations/{world.consultation.id}/syntheses" not in page
    sign_in(client, world.facilitator)
    assert f'href="/consultations/{world.consultation.id}/syntheses"' in _text(client.get(path))


def test_refused_pages_change_nothing(client, world):
    synthesis = synthesis_at(world, S.IN_REVIEW)
    commit_setup()
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    sign_in(client, world.official)
    token = csrf_token_from(client.get("/"))
    for path, data in [(f"/syntheses/{synthesis.id}/edit", {"body": "x", "version": "1"}),
                       (f"/syntheses/{synthesis.id}/comments", {"body": "x"}),
                       (f"/syntheses/{synthesis.id}/transitions", {"to": "validated"}),
                       (f"/consultations/{world.consultation.id}/syntheses", {})]:
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before
    assert db.session.get(Synthesis, synthesis.id).status == S.IN_REVIEW


def test_officials_answer_section_by_section_from_the_synthesis(client, world):
    from deliberation.synthesis.models import OfficialResponse, ResponseType

    synthesis = synthesis_at(world, S.SENT_TO_OFFICIALS)
    first = synthesis.sections[0]
    db.session.add(OfficialResponse(section_id=first.id, type=ResponseType.ACCEPTED, author_id=world.official.id))
    commit_setup()
    sign_in(client, world.official)
    page = _text(client.get(f"/syntheses/{synthesis.id}"))
    assert "Retenue" in page
    second = synthesis.sections[1]
    assert f'href="/syntheses/{synthesis.id}/sections/{second.id}/response"' in page
    assert 'name="to" value="answered"' in page
