"""Fixtures of the proposals tests: a consultation open for contributions and two residents."""

from __future__ import annotations

import pytest

from tests.factories import ConsultationFactory, PriorityAreaFactory, PriorityFactory, UserFactory


@pytest.fixture
def consultation(db_session):
    """A published consultation in its submission phase, with two neighbourhoods and two priorities."""
    consultation = ConsultationFactory()
    area = PriorityAreaFactory(name="Les Tilleuls")
    consultation.areas.extend([area, PriorityAreaFactory(contract=area.contract, name="Le Val Fourré")])
    consultation.priorities.extend([PriorityFactory(contract=area.contract, title="Cadre de vie"),
                                    PriorityFactory(contract=area.contract, title="Emploi")])
    db_session.flush()
    return consultation


@pytest.fixture
def resident(db_session):
    return UserFactory(display_name="Awa")


@pytest.fixture
def other(db_session):
    return UserFactory(display_name="Bruno")


@pytest.fixture
def unit(db_session):
    """Run the test inside one unit of work, as every adapter calls the services (receivers of their signals
    queue e-mails with after_commit)."""
    from deliberation.core.transaction import unit_of_work

    with unit_of_work():
        yield
