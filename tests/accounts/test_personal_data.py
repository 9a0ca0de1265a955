"""Download of one's data and deletion of one's account."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from deliberation.accounts import services, sessions
from deliberation.accounts.models import DELETED_USER_LABEL, ApiToken, RoleAssignment, UserSession
from deliberation.core import signals
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict
from deliberation.core.transaction import unit_of_work
from deliberation.notifications.models import Notification
from deliberation.proposals.models import Proposal, Support
from tests.factories import CommentFactory, ProposalFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.usefixtures("in_request")


def _supported(proposal, user):
    """A support row and its counter, as the proposals service keeps them."""
    SupportFactory(proposal_id=proposal.id, user_id=user.id)
    proposal.supports_count += 1


class TestExport:
    def test_holds_everything_about_me_and_nothing_about_others(self, db_session):
        user = UserFactory(email="moi@example.org", display_name="Moi", roles=["moderator"])
        other = UserFactory(email="autre@example.org")
        proposal = ProposalFactory(author=user, title="Mon idée")
        ProposalFactory(author=other, title="Pas la mienne")
        CommentFactory(author=user, proposal=proposal, body="Mon commentaire")
        supported = ProposalFactory(author=other)
        _supported(supported, user)
        db_session.add(Notification(user_id=user.id, kind="proposal_answered", params={"id": 1}))
        with unit_of_work():
            services.start_session(user)
            services.create_api_token(user)
        data = services.export_personal_data(user)
        json.dumps(data)  # JSON-ready as it is
        assert data["profile"]["email"] == "moi@example.org"
        assert data["profile"]["display_name"] == "Moi"
        assert sorted(r["role"] for r in data["roles"]) == ["moderator", "resident"]
        assert [p["title"] for p in data["proposals"]] == ["Mon idée"]
        assert [c["body"] for c in data["comments"]] == ["Mon commentaire"]
        assert [s["proposal_id"] for s in data["supports"]] == [supported.id]
        assert [n["kind"] for n in data["notifications"]] == ["proposal_answered"]
        assert len(data["sessions"]) == 1
        assert set(data["sessions"][0]) == {"created_at", "last_seen_at", "ended_at"}
        assert len(data["api_tokens"]) == 1 and "token_hash" not in data["api_tokens"][0]
        assert "autre@example.org" not in json.dumps(data)


class TestDeletion:
    def test_erases_personal_data_and_keeps_contributions(self, db_session, app):
        user = UserFactory(email="parti@example.org", display_name="Parti", locale="fr", roles=["mediator"])
        proposal = ProposalFactory(author=user)
        comment = CommentFactory(author=user)
        with unit_of_work():
            services.start_session(user)
            raw, _token = services.create_api_token(user)
        deleted = []

        def receiver(sender, **kwargs):
            deleted.append(sender)

        signals.user_deleted.connect(receiver)
        try:
            with unit_of_work():
                services.delete_account(user)
        finally:
            signals.user_deleted.disconnect(receiver)

        assert deleted and deleted[-1] is user
        db_session.expire_all()
        assert (user.email, user.password_hash, user.display_name, user.locale) == (None, None, None, None)
        assert user.deleted_at is not None and not user.is_active
        assert db_session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all() == []
        assert db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []
        assert db_session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []
        assert sessions.user_for_token(raw) is None
        # Contributions stay, under the deleted label.
        assert db_session.get(Proposal, proposal.id).author.public_name == str(DELETED_USER_LABEL)
        assert comment.author.public_name == str(DELETED_USER_LABEL)
        with app.test_request_context(headers={"Accept-Language": "fr"}):
            assert proposal.author.public_name == "participant·e supprimé·e"
        entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "account_deleted")).one()
        assert entry.target_id == user.id and "parti@example.org" not in json.dumps(entry.details)

    def test_supports_are_removed_and_counters_decremented(self, db_session):
        user, other = UserFactory(), UserFactory()
        first, second, untouched = ProposalFactory(), ProposalFactory(), ProposalFactory()
        for proposal in (first, second):
            _supported(proposal, user)
        _supported(first, other)
        _supported(untouched, other)
        db_session.flush()

        with unit_of_work():
            services.delete_account(user)

        db_session.expire_all()
        assert (first.supports_count, second.supports_count, untouched.supports_count) == (1, 0, 1)
        remaining = db_session.scalars(select(Support.user_id)).all()
        assert user.id not in remaining and sorted(remaining) == sorted([other.id, other.id])

    def test_notifications_are_erased(self, db_session):
        user = UserFactory()
        db_session.add(Notification(user_id=user.id, kind="x", params={}))
        with unit_of_work():
            services.delete_account(user)
        assert db_session.scalars(select(Notification).where(Notification.user_id == user.id)).all() == []

    def test_twice_is_refused(self, db_session):
        with unit_of_work():
            user = UserFactory()
            services.delete_account(user)
        with pytest.raises(Conflict) as error, unit_of_work():
            services.delete_account(user)
        assert error.value.code == "account_deleted"

    def test_the_last_administrator_cannot_leave(self, db_session):
        from deliberation.accounts.models import User, UserRole

        with unit_of_work():
            # Each test is rolled back, but make sure no administrator is left over from elsewhere.
            for existing in db_session.scalars(select(User).where(User.deleted_at.is_(None))):
                existing.roles[:] = [a for a in existing.roles if a.role != UserRole.ADMIN]
            admin = UserFactory(roles=["admin"])
        with pytest.raises(Conflict) as error, unit_of_work():
            services.delete_account(admin)
        assert error.value.code == "last_admin"
        with unit_of_work():
            UserFactory(roles=["admin"])
            services.delete_account(admin)
        assert admin.is_deleted
