"""Who may do what with accounts: pure predicates, used by services (require), views and templates."""

from __future__ import annotations

from deliberation.accounts.models import ApiToken, User, UserRole


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and not getattr(user, "is_deleted", False)


def _is_admin(user) -> bool:
    return _signed_in(user) and bool(getattr(user, "is_admin", False))


def can_manage_roles(user) -> bool:
    """Grant and revoke roles: global administrators only."""
    return _is_admin(user)


def can_view_admin(user) -> bool:
    """See the administration area (user list, user details)."""
    return _is_admin(user)


def can_view_user(user, target: User) -> bool:
    """See another person's account details, e-mail included: themselves or an administrator."""
    return _signed_in(user) and (user.id == target.id or _is_admin(user))


def can_manage_own_account(user, target: User) -> bool:
    """Change the profile or password, download the data, delete the account: only the person themselves."""
    return _signed_in(user) and user.id == target.id


def can_revoke_token(user, token: ApiToken) -> bool:
    return _signed_in(user) and token.user_id == user.id


def can_act_as(user, role: UserRole, consultation_id: int | None = None) -> bool:
    """Holds `role` there (a global role counts everywhere; administrators hold every role)."""
    return _signed_in(user) and user.has_role(role, consultation_id)


TEMPLATE_POLICIES = {
    "can_manage_roles": can_manage_roles,
    "can_view_admin": can_view_admin,
}
