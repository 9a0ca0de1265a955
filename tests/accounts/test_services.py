"""Accounts services: registration rules, sign-in, password change, tokens, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from deliberation.accounts import passwords, services, sessions
from deliberation.accounts.models import RoleAssignment, User, UserRole, UserSession
from deliberation.core import clock, signals
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound
from deliberation.core.transaction import unit_of_work
from tests.accounts.conftest import STRONG_PASSWORD
from tests.factories import DEFAULT_PASSWORD, ConsultationFactory, UserFactory

pytestmark = pytest.mark.usefixtures("in_request")


def _register(email="Marie.Curie@Example.org", password=STRONG_PASSWORD, name="  Marie   C. "):
    with unit_of_work():
        return services.register_user(email, password, name)


class TestRegistration:
    def test_normalises_and_gives_the_resident_role(self, db_session, mail_outbox):
        user = _register()
        assert user.email == "marie.curie@example.org"
        assert user.display_name == "Marie C."
        assert [(a.role, a.consultation_id) for a in user.roles] == [(UserRole.RESIDENT, None)]
        assert passwords.verify_password(user.password_hash, STRONG_PASSWORD)
        assert user.password_hash != STRONG_PASSWORD

    def test_sends_the_signal_and_a_welcome_email_after_commit(self, db_session, mail_outbox):
        received = []

        def receiver(sender, **kwargs):
            received.append(sender)

        signals.user_registered.connect(receiver)
        try:
            user = _register()
        finally:
            signals.user_registered.disconnect(receiver)
        assert received == [user]
        assert len(mail_outbox) == 1
        assert mail_outbox[0]["To"] == "marie.curie@example.org"
        assert "Marie C." in mail_outbox[0].get_content()

    def test_nothing_is_sent_when_the_transaction_rolls_back(self, db_session, mail_outbox):
        with pytest.raises(RuntimeError), unit_of_work():
            services.register_user("rollback@example.org", STRONG_PASSWORD, "Rollback")
            raise RuntimeError("something later fails")
        assert mail_outbox == []
        assert db_session.scalar(select(User).where(User.email == "rollback@example.org")) is None

    def test_email_taken_is_a_conflict_whatever_the_case(self, db_session):
        with unit_of_work():
            UserFactory(email="taken@example.org")
        with pytest.raises(Conflict) as error:
            _register(email="  TAKEN@example.org ")
        assert error.value.code == "email_taken"
        assert error.value.status == 409

    @pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x@localhost", "a" * 250 + "@example.org"])
    def test_invalid_email(self, db_session, email):
        with pytest.raises(Invalid) as error:
            _register(email=email)
        assert error.value.code == "validation_error"
        assert "email" in error.value.fields

    @pytest.mark.parametrize("name", ["", " a ", "x" * 61])
    def test_display_name_length(self, db_session, name):
        with pytest.raises(Invalid) as error:
            _register(name=name)
        assert set(error.value.fields) == {"display_name"}

    @pytest.mark.parametrize("password, reason", [
        ("short1!", "10"),  # under ACCOUNTS_PASSWORD_MIN_LENGTH, the message gives the minimum
        ("password123", "common password"),
        ("azertyuiop", "common password"),
        ("1234567890", ""),
        ("aaaaaaaaaaaa", ""),
        ("qwertyuiopasdf", ""),
        ("marie.curie1990", "your e-mail address or your name"),
    ])
    def test_weak_passwords_are_refused_with_a_reason(self, db_session, password, reason, app):
        with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(Invalid) as error:
            _register(password=password)
        assert error.value.code == "weak_password"
        assert error.value.status == 422
        message = error.value.fields["password"][0]
        assert reason in message

    def test_password_refused_in_french_by_default(self, db_session, app):
        with app.test_request_context(), pytest.raises(Invalid) as error:
            _register(password="password123")
        assert "mot de passe" in error.value.fields["password"][0]

    def test_several_field_problems_are_reported_together(self, db_session):
        with pytest.raises(Invalid) as error:
            _register(email="nope", name="x", password="short")
        assert error.value.code == "validation_error"
        assert set(error.value.fields) == {"email", "display_name", "password"}


class TestAuthentication:
    def test_right_credentials(self, db_session):
        user = UserFactory(email="ana@example.org")
        with unit_of_work():
            assert services.authenticate(" ANA@example.org", DEFAULT_PASSWORD) == user

    @pytest.mark.parametrize("email, password", [
        ("ana@example.org", "wrong password here"),
        ("nobody@example.org", DEFAULT_PASSWORD),
        ("not an email", DEFAULT_PASSWORD),
        (None, None),
    ])
    def test_wrong_credentials_give_none(self, db_session, email, password):
        UserFactory(email="ana@example.org")
        with unit_of_work():
            assert services.authenticate(email, password) is None

    def test_deleted_user_never_authenticates(self, db_session):
        user = UserFactory(email="gone@example.org")
        with unit_of_work():
            services.delete_account(user)
        with unit_of_work():
            assert services.authenticate("gone@example.org", DEFAULT_PASSWORD) is None

    def test_outdated_hash_is_upgraded(self, db_session, app):
        from argon2 import PasswordHasher

        old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(DEFAULT_PASSWORD)
        user = UserFactory(email="old@example.org", password_hash=old)
        with unit_of_work():
            services.authenticate("old@example.org", DEFAULT_PASSWORD)
        assert user.password_hash != old
        assert not passwords.needs_rehash(user.password_hash)
        assert passwords.verify_password(user.password_hash, DEFAULT_PASSWORD)


class TestPasswordChange:
    def test_revokes_other_sessions_and_every_token(self, db_session, mail_outbox):
        user = UserFactory()
        with unit_of_work():
            kept, other = services.start_session(user), services.start_session(user)
            raw, _token = services.create_api_token(user)
        with unit_of_work():
            services.change_password(user, DEFAULT_PASSWORD, STRONG_PASSWORD, keep_session_key=kept)
        active = db_session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                              UserSession.revoked_at.is_(None))).all()
        assert [row.key_hash for row in active] == [sessions.digest(kept)]
        assert sessions.digest(other) not in [row.key_hash for row in active]
        assert sessions.user_for_token(raw) is None
        assert passwords.verify_password(user.password_hash, STRONG_PASSWORD)
        assert len(mail_outbox) == 1 and mail_outbox[0]["To"] == user.email

    def test_wrong_current_password(self, db_session, mail_outbox):
        with unit_of_work():
            user = UserFactory()
        with pytest.raises(Invalid) as error, unit_of_work():
            services.change_password(user, "not my password", STRONG_PASSWORD)
        assert error.value.code == "wrong_password"
        assert "current_password" in error.value.fields
        assert mail_outbox == []
        assert services.authenticate(user.email, DEFAULT_PASSWORD) == user

    def test_weak_new_password(self, db_session):
        user = UserFactory()
        with pytest.raises(Invalid) as error, unit_of_work():
            services.change_password(user, DEFAULT_PASSWORD, "password1234")
        assert error.value.code == "weak_password"
        assert "new_password" in error.value.fields


class TestProfile:
    def test_update(self, db_session):
        user = UserFactory()
        with unit_of_work():
            services.update_profile(user, "  Nouveau   nom ", "en")
        assert (user.display_name, user.locale) == ("Nouveau nom", "en")
        with unit_of_work():
            services.update_profile(user, "Nouveau nom", "")
        assert user.locale is None

    def test_unknown_locale_and_short_name(self, db_session):
        user = UserFactory(display_name="Avant")
        with pytest.raises(Invalid) as error, unit_of_work():
            services.update_profile(user, "A", "de")
        assert set(error.value.fields) == {"display_name", "locale"}


class TestApiTokens:
    def test_token_is_stored_hashed_and_expires(self, db_session, app):
        user = UserFactory()
        moment = datetime(2030, 5, 1, 12, tzinfo=UTC)
        with clock.frozen_at(moment), unit_of_work():
            raw, token = services.create_api_token(user)
        assert token.token_hash == sessions.digest(raw) and raw not in token.token_hash
        assert token.expires_at == moment + timedelta(days=app.config["ACCOUNTS_TOKEN_LIFETIME_DAYS"])
        with clock.frozen_at(token.expires_at - timedelta(seconds=1)):
            assert sessions.user_for_token(raw) == user
        with clock.frozen_at(token.expires_at):
            assert sessions.user_for_token(raw) is None

    def test_revoke_only_own_token(self, db_session):
        with unit_of_work():
            owner, other = UserFactory(), UserFactory()
            raw, token = services.create_api_token(owner)
        with pytest.raises(Forbidden), unit_of_work():
            services.revoke_api_token(token, other)
        assert sessions.user_for_token(raw) == owner
        with unit_of_work():
            services.revoke_api_token(token, owner)
        assert sessions.user_for_token(raw) is None
        assert services.list_active_tokens(owner) == []


class TestRoles:
    def test_admin_grants_a_scoped_role_and_it_is_audited(self, db_session):
        admin, user = UserFactory(roles=["admin"]), UserFactory()
        consultation = ConsultationFactory()
        with unit_of_work():
            services.grant_role(user, "moderator", admin, consultation=consultation)
        assert user.has_role(UserRole.MODERATOR, consultation.id)
        assert not user.has_role(UserRole.MODERATOR, consultation.id + 1)
        entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "role_granted")).one()
        assert (entry.actor_id, entry.target_id) == (admin.id, user.id)
        assert entry.details == {"role": "moderator", "consultation_id": consultation.id}
        granted = db_session.scalars(
            select(RoleAssignment).where(RoleAssignment.role == UserRole.MODERATOR)).one()
        assert granted.granted_by_id == admin.id

    @pytest.mark.parametrize("actor_roles", [[], ["moderator"], ["official"], [("admin", "scoped")]])
    def test_only_global_admins_manage_roles(self, db_session, actor_roles):
        consultation = ConsultationFactory()
        roles = [(r[0], consultation) if isinstance(r, tuple) else r for r in actor_roles]
        actor, user = UserFactory(roles=roles), UserFactory()
        with pytest.raises(Forbidden), unit_of_work():
            services.grant_role(user, "moderator", actor)
        with pytest.raises(Forbidden), unit_of_work():
            services.revoke_role(user, "resident", actor)

    def test_no_duplicate_global_role(self, db_session):
        with unit_of_work():
            admin, user = UserFactory(roles=["admin"]), UserFactory()
            services.grant_role(user, "official", admin)
        with pytest.raises(Conflict) as error, unit_of_work():
            services.grant_role(user, "official", admin)
        assert error.value.code == "role_already_granted"
        db_session.expire_all()
        assert [a.role for a in user.roles].count(UserRole.OFFICIAL) == 1

    def test_unknown_role_and_scoped_admin(self, db_session):
        admin, user = UserFactory(roles=["admin"]), UserFactory()
        with pytest.raises(Invalid) as error, unit_of_work():
            services.grant_role(user, "king", admin)
        assert error.value.code == "unknown_role"
        with pytest.raises(Invalid) as error, unit_of_work():
            services.grant_role(user, "admin", admin, consultation=ConsultationFactory())
        assert error.value.code == "admin_role_global"

    def test_revoke(self, db_session):
        with unit_of_work():
            admin, user = UserFactory(roles=["admin"]), UserFactory(roles=["facilitator"])
            services.revoke_role(user, "facilitator", admin)
        assert not user.has_role(UserRole.FACILITATOR)
        assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "role_revoked")).one()
        with pytest.raises(NotFound), unit_of_work():
            services.revoke_role(user, "facilitator", admin)

    def test_admin_cannot_remove_own_admin_role(self, db_session):
        with unit_of_work():
            admin, other_admin = UserFactory(roles=["admin"]), UserFactory(roles=["admin"])
        with pytest.raises(Conflict) as error, unit_of_work():
            services.revoke_role(admin, "admin", admin)
        assert error.value.code == "own_admin_role"
        assert admin.is_admin
        with unit_of_work():
            services.revoke_role(admin, "admin", other_admin)
        assert not admin.is_admin


class TestAdministration:
    def test_search_by_name_or_email_paginated(self, db_session):
        admin = UserFactory(roles=["admin"])
        UserFactory(display_name="Zoé Martin", email="zoe@example.org")
        UserFactory(display_name="Paul", email="paul.martin@example.org")
        UserFactory(display_name="Autre", email="autre@example.org")
        page = services.list_users(admin, query="martin", per_page=1)
        assert page.total == 2 and len(page.items) == 1
        assert services.list_users(admin, query="100%_").total == 0

    def test_not_for_residents(self, db_session):
        with pytest.raises(Forbidden):
            services.list_users(UserFactory())


class TestCommandLineCreation:
    def test_roles_are_granted_once(self, db_session):
        with unit_of_work():
            user = services.create_user_cli("Admin@Example.org", STRONG_PASSWORD,
                                            ["admin", "admin", "resident"])
        assert sorted(a.role for a in user.roles) == [UserRole.ADMIN, UserRole.RESIDENT]
        assert user.display_name  # a role label when no name is given
