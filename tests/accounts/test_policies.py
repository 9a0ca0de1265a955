"""Accounts policies: who manages roles, sees the administration, acts on an account or a token."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from deliberation.accounts import policies
from deliberation.accounts.models import ApiToken, UserRole
from tests.factories import ConsultationFactory, UserFactory

ROLES = [None, "resident", "mediator", "facilitator", "moderator", "official", "admin", "scoped_admin"]


def _user(role):
    if role is None:
        return AnonymousUserMixin()
    if role == "scoped_admin":
        return UserFactory(roles=[("admin", ConsultationFactory())])
    return UserFactory(roles=[role])


@pytest.mark.parametrize("role", ROLES)
def test_role_management_and_administration_are_for_global_admins(db_session, role):
    user = _user(role)
    expected = role == "admin"
    assert policies.can_manage_roles(user) is expected
    assert policies.can_view_admin(user) is expected


def test_none_and_deleted_users_can_do_nothing(db_session):
    admin = UserFactory(roles=["admin"])
    assert not policies.can_manage_roles(None)
    admin.deleted_at = admin.created_at
    assert not policies.can_manage_roles(admin)
    assert not policies.can_manage_own_account(admin, admin)


@pytest.mark.parametrize("role, own, expected", [
    (None, False, False),
    ("resident", True, True),
    ("resident", False, False),
    ("moderator", False, False),
    ("admin", False, True),
])
def test_view_user(db_session, role, own, expected):
    viewer = _user(role)
    target = viewer if own else UserFactory()
    assert policies.can_view_user(viewer, target) is expected


@pytest.mark.parametrize("role", ["resident", "moderator", "admin"])
def test_only_the_person_manages_their_account_and_tokens(db_session, role):
    owner, other = UserFactory(), _user(role)
    token = ApiToken(user_id=owner.id, token_hash="x" * 64)
    assert policies.can_manage_own_account(owner, owner)
    assert not policies.can_manage_own_account(other, owner)
    assert policies.can_revoke_token(owner, token)
    assert not policies.can_revoke_token(other, token)
    assert not policies.can_revoke_token(None, token)


@pytest.mark.parametrize("assignment, consultation_matches, expected", [
    ("global", False, True),
    ("scoped", True, True),
    ("scoped", False, False),
    ("admin", False, True),
    ("none", True, False),
])
def test_act_as_a_role_in_a_consultation(db_session, assignment, consultation_matches, expected):
    here, elsewhere = ConsultationFactory(), ConsultationFactory()
    roles = {"global": ["moderator"], "scoped": [("moderator", here)], "admin": ["admin"],
             "none": []}[assignment]
    user = UserFactory(roles=roles)
    target = here if consultation_matches else elsewhere
    assert policies.can_act_as(user, UserRole.MODERATOR, target.id) is expected
