"""API: POST /api/v1/accounts, POST /api/v1/tokens, GET /api/v1/me, DELETE /api/v1/tokens/current."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from deliberation.accounts import sessions
from deliberation.accounts.models import ApiToken, User
from tests.accounts.conftest import STRONG_PASSWORD, sign_in
from tests.factories import DEFAULT_PASSWORD, ConsultationFactory, UserFactory


def _token_for(client, user) -> str:
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 201
    return response.get_json()["token"]


class TestCreateAccount:
    def test_created(self, client, db_session, mail_outbox):
        response = client.post("/api/v1/accounts", json={
            "email": "Api@Example.org", "password": STRONG_PASSWORD, "display_name": "Par l'API"})
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) == {"id", "display_name"}
        assert body["display_name"] == "Par l'API"
        user = db_session.get(User, body["id"])
        assert user.email == "api@example.org"
        # The account can act at once.
        assert client.post("/api/v1/tokens", json={"email": "api@example.org",
                                                   "password": STRONG_PASSWORD}).status_code == 201

    def test_email_taken(self, client, db_session):
        UserFactory(email="pris@example.org")
        response = client.post("/api/v1/accounts", json={
            "email": "pris@example.org", "password": STRONG_PASSWORD, "display_name": "Autre"})
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert error["code"] == "email_taken" and error["message"]

    def test_weak_password(self, client, db_session):
        response = client.post("/api/v1/accounts", json={"email": "w@example.org", "password": "azertyuiop",
                                                         "display_name": "Faible"})
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "weak_password"
        assert list(error["fields"]) == ["password"] and error["fields"]["password"][0]
        assert db_session.scalar(select(User).where(User.email == "w@example.org")) is None

    @pytest.mark.parametrize("body, field", [
        ({"password": STRONG_PASSWORD, "display_name": "Sans e-mail"}, "email"),
        ({"email": "pas-un-email", "password": STRONG_PASSWORD, "display_name": "Nom"}, "email"),
        ({"email": "n@example.org", "password": STRONG_PASSWORD, "display_name": "x"}, "display_name"),
        ({"email": "n@example.org", "password": STRONG_PASSWORD, "display_name": " x  "}, "display_name"),
        ({"email": "n@example.org", "password": STRONG_PASSWORD, "display_name": "Nom", "admin": True},
         "admin"),
        ({"email": 12, "password": STRONG_PASSWORD, "display_name": "Nom"}, "email"),
    ])
    def test_validation_errors(self, client, db_session, body, field):
        response = client.post("/api/v1/accounts", json=body)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert field in error["fields"]

    def test_not_json(self, client, db_session):
        response = client.post("/api/v1/accounts", data="email=x",
                               content_type="application/x-www-form-urlencoded")
        assert 400 <= response.status_code < 500
        assert "error" in response.get_json()


class TestTokens:
    def test_token_then_bearer_calls(self, client, db_session):
        user = UserFactory(roles=["moderator"])
        response = client.post("/api/v1/tokens",
                               json={"email": user.email.upper(), "password": DEFAULT_PASSWORD})
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) == {"token", "expires_at"}
        assert datetime.fromisoformat(body["expires_at"]).tzinfo is not None
        stored = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        assert stored.token_hash == sessions.digest(body["token"])

        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200
        assert me.get_json()["id"] == user.id
        assert me.get_json()["display_name"] == user.display_name
        assert {"role": "moderator", "consultation_id": None} in me.get_json()["roles"]

    @pytest.mark.parametrize("body", [
        {"email": "known@example.org", "password": "not the password"},
        {"email": "unknown@example.org", "password": DEFAULT_PASSWORD},
    ])
    def test_wrong_credentials(self, client, db_session, body):
        UserFactory(email="known@example.org")
        response = client.post("/api/v1/tokens", json=body)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_credentials"

    def test_missing_fields(self, client, db_session):
        response = client.post("/api/v1/tokens", json={"email": "a@example.org"})
        assert response.status_code == 422
        assert "password" in response.get_json()["error"]["fields"]

    def test_revoke_current_token(self, client, db_session):
        user = UserFactory()
        first, second = _token_for(client, user), _token_for(client, user)
        response = client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {first}"})
        assert response.status_code == 204
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200

    def test_revoke_current_without_a_token(self, client, db_session):
        response = client.delete("/api/v1/tokens/current")
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "authentication_required"

    def test_garbage_token(self, client, db_session):
        response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401


class TestMe:
    def test_anonymous(self, client, db_session):
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "authentication_required"

    def test_with_the_session_cookie_and_scoped_roles(self, client, db_session):
        consultation = ConsultationFactory()
        user = UserFactory(roles=[("facilitator", consultation)])
        sign_in(client, user)
        body = client.get("/api/v1/me").get_json()
        assert {"role": "facilitator", "consultation_id": consultation.id} in body["roles"]
        assert {"role": "resident", "consultation_id": None} in body["roles"]

    def test_deleting_the_current_token_with_a_cookie_needs_csrf(self, client, db_session):
        sign_in(client, UserFactory())
        response = client.delete("/api/v1/tokens/current")
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "csrf_failed"


def test_every_accounts_route_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/accounts"]
    assert "post" in paths["/api/v1/tokens"]
    assert "delete" in paths["/api/v1/tokens/current"]
    assert "get" in paths["/api/v1/me"]
    assert "401" in paths["/api/v1/tokens"]["post"]["responses"]
    assert "409" in paths["/api/v1/accounts"]["post"]["responses"]
