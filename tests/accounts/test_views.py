"""HTML pages: sign in and out, registration, the account page and its forms."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from deliberation.accounts import sessions
from deliberation.accounts.models import ApiToken, User, UserSession
from deliberation.core.transaction import unit_of_work
from tests.accounts.conftest import STRONG_PASSWORD, page_token, sign_in
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD, ProposalFactory, UserFactory


def _is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _copy_session_cookie(source, target) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


class TestLogin:
    def test_page_in_french_by_default(self, client):
        response = client.get("/login")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert '<html lang="fr">' in page
        assert page.count("<h1>") == 1
        assert 'autocomplete="current-password"' in page

    def test_success_opens_a_server_session_and_follows_next(self, client, db_session):
        user = UserFactory(email="ana@example.org")
        token = csrf_token_from(client.get("/login?next=/account"))
        response = client.post("/login", data={"email": "ANA@example.org", "password": DEFAULT_PASSWORD,
                                               "next": "/account", "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/account")
        with client.session_transaction() as cookie_session:
            key = cookie_session["sid"]
        row = db_session.scalar(select(UserSession).where(UserSession.key_hash == sessions.digest(key)))
        assert row.user_id == user.id and row.revoked_at is None

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
    def test_next_never_leaves_the_site(self, client, db_session, target):
        user = UserFactory()
        token = csrf_token_from(client.get("/login"))
        response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                               "next": target, "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] in ("/", "http://localhost/")

    def test_the_cookie_session_is_regenerated(self, client, db_session):
        user = UserFactory()
        with client.session_transaction() as cookie_session:
            cookie_session["planted"] = "by an attacker"
        sign_in(client, user)
        with client.session_transaction() as cookie_session:
            assert "planted" not in cookie_session

    def test_errors_do_not_reveal_whether_the_email_exists(self, client, db_session):
        UserFactory(email="exists@example.org")
        token = csrf_token_from(client.get("/login"))
        wrong_password = client.post("/login", data={"email": "exists@example.org",
                                                     "password": "wrong password!", "csrf_token": token})
        unknown = client.post("/login", data={"email": "nobody@example.org", "password": "wrong password!",
                                              "csrf_token": token})
        assert wrong_password.status_code == unknown.status_code == 422

        def error_text(response):
            page = response.get_data(as_text=True)
            start = page.index('class="error-summary"')
            return page[start:page.index("</ul>", start)]

        assert error_text(wrong_password) == error_text(unknown)
        assert not _is_signed_in(client)

    def test_empty_form(self, client, db_session):
        token = csrf_token_from(client.get("/login"))
        response = client.post("/login", data={"csrf_token": token})
        assert response.status_code == 422
        assert 'aria-invalid="true"' in response.get_data(as_text=True)

    def test_without_csrf_token(self, client, db_session):
        user = UserFactory()
        response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 400
        assert not _is_signed_in(client)

    def test_deleted_account_cannot_sign_in(self, client, db_session):
        user = UserFactory(email="bye@example.org")
        user.deleted_at = user.created_at
        token = csrf_token_from(client.get("/login"))
        response = client.post("/login", data={"email": "bye@example.org", "password": DEFAULT_PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 422


class TestRegister:
    def test_creates_the_account_and_signs_in(self, client, db_session, mail_outbox):
        page = client.get("/register").get_data(as_text=True)
        assert "10" in page  # the password rule is stated
        response = client.post("/register", data={
            "email": "nouvelle@example.org", "display_name": "Nouvelle", "password": STRONG_PASSWORD,
            "csrf_token": csrf_token_from(client.get("/register")),
        })
        assert response.status_code == 302
        assert _is_signed_in(client)
        user = db_session.scalar(select(User).where(User.email == "nouvelle@example.org"))
        assert user.display_name == "Nouvelle" and user.has_role("resident")
        assert [m["To"] for m in mail_outbox] == ["nouvelle@example.org"]

    def test_weak_password_is_explained_next_to_the_field(self, client, db_session):
        response = client.post("/register", data={
            "email": "x@example.org", "display_name": "Xavier", "password": "motdepasse1",
            "csrf_token": csrf_token_from(client.get("/register")),
        })
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'id="password-error"' in page
        assert db_session.scalar(select(User).where(User.email == "x@example.org")) is None

    def test_taken_email(self, client, db_session):
        UserFactory(email="pris@example.org")
        response = client.post("/register", data={
            "email": "pris@example.org", "display_name": "Autre", "password": STRONG_PASSWORD,
            "csrf_token": csrf_token_from(client.get("/register")),
        })
        assert response.status_code == 422
        assert 'id="email-error"' in response.get_data(as_text=True)


class TestLogout:
    def test_ends_the_session_on_the_server_a_copied_cookie_stops_working(self, app, client, db_session):
        sign_in(client, UserFactory())
        thief = app.test_client()
        _copy_session_cookie(client, thief)
        assert _is_signed_in(thief)  # the copy works while the session lives

        response = client.post("/logout", data={"csrf_token": page_token(client)})
        assert response.status_code == 302
        assert not _is_signed_in(client)
        assert not _is_signed_in(thief)

    def test_needs_csrf(self, client, db_session):
        sign_in(client, UserFactory())
        assert client.post("/logout").status_code == 400
        assert _is_signed_in(client)


class TestAccountPage:
    def test_needs_sign_in(self, client, db_session):
        response = client.get("/account")
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]

    def test_shows_every_section(self, client, db_session):
        user = UserFactory(email="moi@example.org")
        sign_in(client, user)
        page = client.get("/account").get_data(as_text=True)
        assert page.count("<h1>") == 1
        for endpoint in ("/account/profile", "/account/password", "/account/tokens", "/account/delete",
                         "/account/data.json"):
            assert endpoint in page
        assert "moi@example.org" in page

    def test_update_profile(self, client, db_session):
        user = UserFactory()
        sign_in(client, user)
        response = client.post("/account/profile", data={"display_name": "Nouveau nom", "locale": "en",
                                                         "csrf_token": page_token(client)})
        assert response.status_code == 302
        assert (user.display_name, user.locale) == ("Nouveau nom", "en")
        assert '<html lang="en">' in client.get("/account").get_data(as_text=True)

    def test_invalid_profile_keeps_the_other_forms_empty(self, client, db_session):
        user = UserFactory(display_name="Avant")
        sign_in(client, user)
        response = client.post("/account/profile", data={"display_name": "x", "locale": "de",
                                                         "csrf_token": page_token(client)})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'id="display_name-error"' in page and 'id="locale-error"' in page
        assert user.display_name == "Avant"

    def test_change_password_rotates_this_session_and_kills_copies(self, app, client, db_session,
                                                                   mail_outbox):
        user = UserFactory()
        sign_in(client, user)
        other_device = app.test_client()
        sign_in(other_device, user)
        thief = app.test_client()
        _copy_session_cookie(client, thief)
        with unit_of_work():
            from deliberation.accounts import services

            raw, _token = services.create_api_token(user)

        response = client.post("/account/password", data={"current_password": DEFAULT_PASSWORD,
                                                          "new_password": STRONG_PASSWORD,
                                                          "csrf_token": page_token(client)})
        assert response.status_code == 302
        assert _is_signed_in(client)
        assert not _is_signed_in(thief)
        assert not _is_signed_in(other_device)
        assert sessions.user_for_token(raw) is None
        assert len(mail_outbox) == 1

    def test_change_password_with_the_wrong_current_one(self, client, db_session, mail_outbox):
        user = UserFactory()
        sign_in(client, user)
        response = client.post("/account/password", data={"current_password": "not it at all",
                                                          "new_password": STRONG_PASSWORD,
                                                          "csrf_token": page_token(client)})
        assert response.status_code == 422
        assert 'id="current_password-error"' in response.get_data(as_text=True)
        assert _is_signed_in(client)
        assert mail_outbox == []

    def test_create_and_revoke_a_token(self, client, db_session):
        user = UserFactory()
        sign_in(client, user)
        response = client.post("/account/tokens", data={"csrf_token": page_token(client)})
        assert response.status_code == 201
        assert response.headers["Cache-Control"] == "no-store"
        token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        page = response.get_data(as_text=True)
        raw = page.split('<code class="token-value">')[1].split("</code>")[0]
        assert sessions.digest(raw) == token.token_hash
        assert raw not in client.get("/account").get_data(as_text=True)  # shown once

        response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": page_token(client)})
        assert response.status_code == 302
        assert token.revoked_at is not None

    def test_cannot_revoke_someone_elses_token(self, client, db_session):
        from deliberation.accounts import services

        owner = UserFactory()
        with unit_of_work():
            _raw, token = services.create_api_token(owner)
        sign_in(client, UserFactory())
        response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": page_token(client)})
        assert response.status_code == 403
        assert token.revoked_at is None

    def test_download_my_data(self, client, db_session):
        user = UserFactory(email="data@example.org")
        ProposalFactory(author=user, title="Ma proposition")
        sign_in(client, user)
        response = client.get("/account/data.json")
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        data = json.loads(response.get_data(as_text=True))
        assert data["profile"]["email"] == "data@example.org"
        assert [p["title"] for p in data["proposals"]] == ["Ma proposition"]


class TestDeleteAccount:
    def test_asks_the_password_again(self, client, db_session):
        user = UserFactory()
        sign_in(client, user)
        response = client.post("/account/delete", data={"delete_password": "wrong one",
                                                        "csrf_token": page_token(client)})
        assert response.status_code == 422
        assert 'id="delete_password-error"' in response.get_data(as_text=True)
        assert not user.is_deleted and _is_signed_in(client)

    def test_deletes_signs_out_everywhere_and_keeps_proposals(self, app, client, db_session):
        user = UserFactory(display_name="Bientôt parti·e")
        proposal = ProposalFactory(author=user)
        sign_in(client, user)
        thief = app.test_client()
        _copy_session_cookie(client, thief)
        response = client.post("/account/delete", data={"delete_password": DEFAULT_PASSWORD,
                                                        "csrf_token": page_token(client)})
        assert response.status_code == 302
        assert not _is_signed_in(client) and not _is_signed_in(thief)
        db_session.expire_all()
        assert user.is_deleted and user.email is None
        assert proposal.author.public_name == "participant·e supprimé·e"
        assert "participant·e supprimé·e" in client.get("/").get_data(as_text=True)


class TestAccountFormsOnAPhone:
    """The account page is several screens long on a phone: each form posts to a URL ending with its own
    #fragment, so the browser comes back to that form and its errors, not to the top of the page; a success
    redirects to #main, where the flash message is (a redirect without a fragment keeps the request's)."""

    @pytest.mark.parametrize(("path", "data", "anchor"), [
        ("/account/profile", {"display_name": "x", "locale": ""}, "profile-form"),
        ("/account/password", {"current_password": "not it at all", "new_password": STRONG_PASSWORD},
         "password-form"),
        ("/account/delete", {"delete_password": "wrong one"}, "delete-form"),
    ])
    def test_errors_come_back_where_the_form_is(self, client, db_session, path, data, anchor):
        sign_in(client, UserFactory())
        assert f'action="{path}#{anchor}"' in client.get("/account").get_data(as_text=True)
        response = client.post(path, data={**data, "csrf_token": page_token(client)})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert page.count('class="error-summary"') == 1
        assert (page.index(f'id="{anchor}"') < page.index('class="error-summary"')
                < page.index(f'action="{path}#{anchor}"'))

    def test_a_new_token_is_shown_where_it_was_asked_for(self, client, db_session):
        sign_in(client, UserFactory())
        assert 'action="/account/tokens#tokens"' in client.get("/account").get_data(as_text=True)
        page = client.post("/account/tokens", data={"csrf_token": page_token(client)}).get_data(as_text=True)
        assert page.index('id="tokens"') < page.index('class="token-value"')

    def test_a_success_lands_on_the_message(self, client, db_session):
        sign_in(client, UserFactory())
        response = client.post("/account/profile", data={"display_name": "Nouveau nom", "locale": "",
                                                         "csrf_token": page_token(client)})
        assert response.status_code == 302 and response.headers["Location"].endswith("/account#main")
        response = client.post("/account/password", data={"current_password": DEFAULT_PASSWORD,
                                                          "new_password": STRONG_PASSWORD,
                                                          "csrf_token": page_token(client)})
        assert response.status_code == 302 and response.headers["Location"].endswith("/account#main")
        response = client.post("/account/delete", data={"delete_password": STRONG_PASSWORD,
                                                        "csrf_token": page_token(client)})
        assert response.status_code == 302 and response.headers["Location"].endswith("/#main")
        assert 'id="main"' in client.get("/").get_data(as_text=True)
