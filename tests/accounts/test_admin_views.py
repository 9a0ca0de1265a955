"""Administration pages: the list of accounts and the roles of one account (administrators only)."""

from __future__ import annotations

import pytest

from deliberation.accounts.models import UserRole
from tests.accounts.conftest import page_token, sign_in
from tests.factories import ConsultationFactory, UserFactory


@pytest.fixture
def admin_client(client, db_session):
    admin = UserFactory(roles=["admin"], display_name="Admin")
    sign_in(client, admin)
    client.admin = admin
    return client


class TestAccess:
    @pytest.mark.parametrize("path", ["/admin/users", "/admin/users/1"])
    def test_anonymous_is_sent_to_login(self, client, db_session, path):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]

    @pytest.mark.parametrize("role", ["resident", "moderator", "official"])
    def test_others_are_refused(self, client, db_session, role):
        user = UserFactory(roles=[role])
        sign_in(client, user)
        assert client.get("/admin/users").status_code == 403
        assert client.get(f"/admin/users/{user.id}").status_code == 403
        response = client.post(f"/admin/users/{user.id}/roles", data={"role": "admin", "consultation_id": "",
                                                                      "csrf_token": page_token(client, "/")})
        assert response.status_code == 403
        assert not user.is_admin


class TestList:
    def test_search_by_name_or_email(self, admin_client):
        UserFactory(display_name="Inès Leroy", email="ines@example.org")
        UserFactory(display_name="Karim", email="karim.leroy@example.org")
        UserFactory(display_name="Autre", email="autre@example.org")
        page = admin_client.get("/admin/users?q=leroy").get_data(as_text=True)
        assert "Inès Leroy" in page and "karim.leroy@example.org" in page
        assert "autre@example.org" not in page
        assert page.count("<h1>") == 1

    def test_paginated(self, admin_client):
        for n in range(26):
            UserFactory(display_name=f"Pagination {n:02d}")
        first = admin_client.get("/admin/users?q=Pagination").get_data(as_text=True)
        second = admin_client.get("/admin/users?q=Pagination&page=2").get_data(as_text=True)
        assert first.count("Pagination ") == 25 and second.count("Pagination ") == 1
        assert 'rel="next"' in first
        assert admin_client.get("/admin/users?page=abc").status_code == 200


class TestRoles:
    def test_grant_a_scoped_role_then_revoke_it(self, admin_client):
        user = UserFactory()
        consultation = ConsultationFactory(title="Démarche du parc")
        page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
        assert "Démarche du parc" in page  # offered in the consultation select
        response = admin_client.post(f"/admin/users/{user.id}/roles", data={
            "role": "facilitator", "consultation_id": str(consultation.id),
            "csrf_token": page_token(admin_client, f"/admin/users/{user.id}")})
        assert response.status_code == 302
        assert user.has_role(UserRole.FACILITATOR, consultation.id)
        assert not user.has_role(UserRole.FACILITATOR, None)

        response = admin_client.post(f"/admin/users/{user.id}/roles/revoke", data={
            "role": "facilitator", "consultation_id": str(consultation.id),
            "csrf_token": page_token(admin_client, f"/admin/users/{user.id}")})
        assert response.status_code == 302
        assert not user.has_role(UserRole.FACILITATOR, consultation.id)

    def test_duplicate_grant_is_shown_on_the_form(self, admin_client):
        user = UserFactory(roles=["official"])
        response = admin_client.post(f"/admin/users/{user.id}/roles", data={
            "role": "official", "consultation_id": "",
            "csrf_token": page_token(admin_client, f"/admin/users/{user.id}")})
        assert response.status_code == 422
        assert 'id="role-error"' in response.get_data(as_text=True)

    @pytest.mark.parametrize("data", [{"role": "emperor", "consultation_id": ""},
                                      {"role": "moderator", "consultation_id": "999999"}])
    def test_invalid_choices(self, admin_client, data):
        user = UserFactory()
        response = admin_client.post(f"/admin/users/{user.id}/roles", data={
            **data, "csrf_token": page_token(admin_client, f"/admin/users/{user.id}")})
        assert response.status_code == 422
        assert not user.has_role(UserRole.MODERATOR)

    def test_cannot_remove_own_admin_role(self, admin_client):
        admin = admin_client.admin
        response = admin_client.post(f"/admin/users/{admin.id}/roles/revoke", data={
            "role": "admin", "consultation_id": "", "csrf_token": page_token(admin_client, "/")})
        assert response.status_code == 302
        assert admin.is_admin

    def test_unknown_user(self, admin_client):
        assert admin_client.get("/admin/users/999999").status_code == 404
