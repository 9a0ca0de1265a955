"""The restitution of a consultation: the printable page and its PDF."""

from __future__ import annotations

import pytest

from deliberation.core import clock
from deliberation.exports.restitution import build_restitution
from deliberation.synthesis.models import ResponseType
from tests.exports.world import (
    FUTURE_JUSTIFICATION,
    HIDDEN_TITLE,
    NOW,
    UNPUBLISHED_SYNTHESIS,
    make_world,
)
from tests.factories import ConsultationFactory


@pytest.fixture
def world(app, db_session):
    with app.test_request_context():
        yield make_world()


def test_what_was_said_decided_and_done(app, world):
    with app.test_request_context():
        restitution = build_restitution(world.consultation, now=NOW)
    assert [s.id for s in restitution.syntheses] == [world.synthesis.id]
    counts = {row.type: row.count for row in restitution.responses}
    assert list(counts) == list(ResponseType)  # every type, zeros included
    assert counts[ResponseType.ACCEPTED] == 1 and counts[ResponseType.NOT_ACCEPTED] == 0  # not public yet
    assert restitution.responses_total == 1
    assert [f.id for f in restitution.follow_ups] == [world.follow_up.id]
    assert restitution.average_progress == 50
    # public contributions only: the proposal and the other one (not hidden, merged, draft or pending)
    assert restitution.figures["proposals"] == 2
    assert restitution.figures["comments"] == 1  # the hidden comment is not counted
    assert restitution.figures["polls"] == 2 and restitution.figures["assemblies"] == 1


def test_what_was_decided_counts_the_answered_proposals_not_the_sections(app, world):
    from deliberation.extensions import db
    from deliberation.synthesis.models import OfficialResponse, SynthesisSection

    section = db.session.query(SynthesisSection).filter_by(synthesis_id=world.synthesis.id).one()
    db.session.add(OfficialResponse(section_id=section.id, type=ResponseType.UNDER_STUDY, publish_at=NOW))
    db.session.flush()
    with app.test_request_context():
        restitution = build_restitution(world.consultation, now=NOW)
    counts = {row.type: row.count for row in restitution.responses}
    assert counts[ResponseType.UNDER_STUDY] == 0 and restitution.responses_total == 1


def test_the_page_shows_the_three_parts_with_an_accessible_chart(client, world):
    with clock.frozen_at(NOW):
        response = client.get(f"/consultations/{world.consultation.id}/restitution")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ce qui a été dit : les synthèses" in html
    assert "Ce qui a été décidé : les réponses des élu·es" in html
    assert "Ce qui est fait : le suivi" in html
    assert f'href="/syntheses/{world.synthesis.id}#transports"' in html
    assert f'href="/follow-ups/{world.follow_up.id}"' in html
    assert "<table" in html and "<th scope=\"row\">Retenue</th>" in html  # the chart's numbers as a table
    assert 'class="bar-fill" style="width: 100%"' in html
    assert "css/exports.css" in html  # the print stylesheet
    for secret in (UNPUBLISHED_SYNTHESIS, FUTURE_JUSTIFICATION, HIDDEN_TITLE):
        assert secret not in html


def test_an_empty_consultation_says_so(client, db_session):
    consultation = ConsultationFactory()
    db_session.commit()
    html = client.get(f"/consultations/{consultation.id}/restitution").get_data(as_text=True)
    assert "Aucune synthèse n’a encore été publiée." in html
    assert "Aucune réponse des élu·es n’est encore publique." in html
    assert client.get(f"/consultations/{consultation.id}/restitution.pdf").data.startswith(b"%PDF")


def test_the_pdf_is_a_pdf_with_the_restitution(client, world):
    with clock.frozen_at(NOW):
        response = client.get(f"/consultations/{world.consultation.id}/restitution.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.data.rstrip().endswith(b"%%EOF")
    assert b"Mobilit" in response.data  # the title in the document's metadata
    assert b"FontFile2" in response.data  # an embedded TrueType font (covers French and the middle dot)


def test_the_pdf_font_covers_french_and_the_middle_dot():
    from reportlab.pdfbase import pdfmetrics

    from deliberation.exports.restitution_pdf import FONT, _register_fonts

    _register_fonts()
    face = pdfmetrics.getFont(FONT).face
    for character in "éèàçêôœ·«»’":
        assert ord(character) in face.charToGlyph, character


def test_the_consultation_page_links_to_the_restitution_and_open_data(client, world):
    html = client.get(f"/consultations/{world.consultation.id}").get_data(as_text=True)
    assert f'href="/consultations/{world.consultation.id}/restitution"' in html
    assert 'href="/open-data"' in html


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_unknown_or_unpublished_consultation_is_not_found(client, db_session, suffix):
    unpublished = ConsultationFactory(is_published=False)
    db_session.commit()
    assert client.get(f"/consultations/999999/restitution{suffix}").status_code == 404
    assert client.get(f"/consultations/{unpublished.id}/restitution{suffix}").status_code == 404
