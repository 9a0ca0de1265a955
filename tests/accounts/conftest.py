"""Helpers for the accounts tests: signing a test client in through the real login form (rate limits on: the
rate_limits_on fixture of tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD

STRONG_PASSWORD = "quatre chaises bleues au marché"


def sign_in(client, user, password: str = DEFAULT_PASSWORD):
    token = csrf_token_from(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def page_token(client, path: str = "/account") -> str:
    return csrf_token_from(client.get(path))


@pytest.fixture
def in_request(app, db_session):
    """Services called as a request would call them (translated messages need a request: see the report)."""
    with app.test_request_context():
        yield
