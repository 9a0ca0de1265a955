"""Fixtures of the moderation tests: a consultation, a proposal by its author, residents and moderators."""

from __future__ import annotations

import pytest

from deliberation.core.transaction import unit_of_work
from tests.factories import ConsultationFactory, ProposalFactory, UserFactory

HIDDEN_TITLE = "Texte à masquer: Pierre Martin est un voleur"
HIDDEN_BODY = "Le voisin du 12 rue des Lilas, Pierre Martin, vole les vélos."


@pytest.fixture
def consultation(db_session):
    return ConsultationFactory()


@pytest.fixture
def author(db_session):
    return UserFactory(display_name="Awa l'autrice", email="awa.autrice@example.org")


@pytest.fixture
def proposal(consultation, author):
    return ProposalFactory(consultation=consultation, author=author, title=HIDDEN_TITLE, body=HIDDEN_BODY)


@pytest.fixture
def reporter(db_session):
    return UserFactory(display_name="Rémi le rapporteur", email="remi.rapporteur@example.org")


@pytest.fixture
def moderator(db_session):
    return UserFactory(display_name="Mona la modératrice", roles=["moderator"])


@pytest.fixture
def unit(db_session):
    with unit_of_work():
        yield
