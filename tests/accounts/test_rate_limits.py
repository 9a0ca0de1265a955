"""Rate limits on sign-in, registration and token calls: counted on POST only, answered 429."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from

pytestmark = pytest.mark.usefixtures("rate_limits_on")


@pytest.fixture
def tight_limits(app):
    keys = ("ACCOUNTS_LOGIN_RATE_LIMIT", "ACCOUNTS_REGISTER_RATE_LIMIT", "ACCOUNTS_TOKEN_RATE_LIMIT")
    saved = {key: app.config[key] for key in keys}
    app.config.update({key: "2 per minute" for key in keys})  # read at request time
    yield
    app.config.update(saved)


def test_login_html_answers_a_translated_page(client, db_session, tight_limits):
    token = csrf_token_from(client.get("/login"))
    for _attempt in range(2):
        assert client.post("/login", data={"email": "a@example.org", "password": "x", "csrf_token": token}
                           ).status_code == 422
    response = client.post("/login", data={"email": "a@example.org", "password": "x", "csrf_token": token})
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "Trop de tentatives" in response.get_data(as_text=True)
    # Only POSTs count: the page itself still opens.
    assert client.get("/login").status_code == 200


def test_register_html(client, db_session, tight_limits):
    token = csrf_token_from(client.get("/register"))
    for _attempt in range(2):
        client.post("/register", data={"csrf_token": token})
    assert client.post("/register", data={"csrf_token": token}).status_code == 429


@pytest.mark.parametrize("path, body", [
    ("/api/v1/tokens", {"email": "a@example.org", "password": "x"}),
    ("/api/v1/accounts", {"email": "a@example.org", "password": "x", "display_name": "A"}),
])
def test_api_answers_the_error_body(client, db_session, tight_limits, path, body):
    for _attempt in range(2):
        assert client.post(path, json=body).status_code in (401, 422)
    response = client.post(path, json=body)
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_the_configured_limit_is_used(app, client, db_session):
    app.config["ACCOUNTS_TOKEN_RATE_LIMIT"], saved = "1 per minute", app.config["ACCOUNTS_TOKEN_RATE_LIMIT"]
    try:
        body = {"email": "a@example.org", "password": "x"}
        assert client.post("/api/v1/tokens", json=body).status_code == 401
        assert client.post("/api/v1/tokens", json=body).status_code == 429
    finally:
        app.config["ACCOUNTS_TOKEN_RATE_LIMIT"] = saved
