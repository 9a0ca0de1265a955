"""An unpublished consultation does not exist for the public: its syntheses and follow-ups answer 404 to an
anonymous visitor and to a signed-in resident, on the pages and in the API (as an unknown id would)."""

from __future__ import annotations

import pytest

from deliberation.core.transaction import unit_of_work
from deliberation.synthesis import follow_ups
from tests.factories import ConsultationFactory, UserFactory
from tests.helpers import bearer, commit_setup, sign_in

PATHS = [
    "/consultations/{consultation}/follow-ups",
    "/follow-ups/{follow_up}",
    "/api/v1/consultations/{consultation}/follow-ups",
    "/consultations/{consultation}/syntheses",
    "/api/v1/consultations/{consultation}/syntheses",
]


@pytest.fixture
def hidden_world(db_session):
    consultation = ConsultationFactory(is_published=False)
    official = UserFactory(roles=[("official", consultation)])
    with unit_of_work():
        follow_up = follow_ups.create_follow_up(consultation, official, title="Bancs", owner="Voirie")
    commit_setup()
    return {"consultation": consultation.id, "follow_up": follow_up.id}


@pytest.mark.parametrize("path", PATHS)
def test_an_unpublished_consultation_answers_404_to_anonymous_visitors(client, hidden_world, path):
    assert client.get(path.format(**hidden_world)).status_code == 404


@pytest.mark.parametrize("path", PATHS)
def test_an_unpublished_consultation_answers_404_to_residents(client, hidden_world, path):
    resident = UserFactory()
    headers = bearer(resident)
    sign_in(client, resident)
    assert client.get(path.format(**hidden_world), headers=headers).status_code == 404
