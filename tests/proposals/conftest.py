"""Helpers of the proposals tests: signed-in clients (cookie session or bearer token) and a consultation."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from deliberation.accounts.models import ApiToken
from deliberation.accounts.sessions import SESSION_KEY, digest, open_session
from deliberation.core import clock
from deliberation.extensions import db
from tests.factories import ConsultationFactory, PriorityAreaFactory, PriorityFactory, UserFactory


def sign_in(client, user) -> None:
    """Sign `user` in on `client` as the login view does (a server-side session and Flask-Login's keys).

    Commits what the test prepared: a request that fails rolls back to the last commit (a savepoint here)."""
    key = open_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = key
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def bearer(user) -> dict[str, str]:
    token = secrets.token_urlsafe(24)
    db.session.add(ApiToken(user_id=user.id, token_hash=digest(token), created_at=clock.now(),
                            expires_at=clock.now() + timedelta(days=1)))
    db.session.flush()
    return {"Authorization": f"Bearer {token}"}


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
