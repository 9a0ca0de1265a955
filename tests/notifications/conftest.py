"""Helpers for the notifications tests."""

from __future__ import annotations

import pytest

from deliberation.core.transaction import unit_of_work
from deliberation.notifications import services
from tests.helpers import sign_in


@pytest.fixture
def login(client, db_session):
    """Sign `user` in on the test client the way the accounts module does: a server-side session row."""

    def sign_in_user(user):
        sign_in(client, user)
        return user

    return sign_in_user


@pytest.fixture
def notify_committed(db_session):
    """notify() inside its own unit of work, as a service would run it."""

    def send(user, kind="comment_on_my_proposal", *, link="/proposals/1", params=None, **kwargs):
        with unit_of_work():
            return services.notify(user, kind, params=params or {"proposal": "Un banc", "proposal_id": 1},
                                   link=link, **kwargs)

    return send
