"""Who may report and who may decide. Pure: no writes, no request state.

Each rule is `<verb>_refusal(...)`: the error code refusing the action, or None; `can_<verb>` is the boolean
templates ask. Moderators are the users holding the moderator role for the item's consultation (a global
moderator everywhere, a scoped one only in their consultation; administrators hold every role).
"""

from __future__ import annotations

from deliberation.accounts.models import UserRole


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def _blocked(user) -> bool:
    return bool(getattr(user, "is_blocked", False))


def is_moderator_of(user, consultation_id: int | None) -> bool:
    """A blocked account keeps its roles on paper but uses none of them."""
    return _signed_in(user) and not _blocked(user) and user.has_role(UserRole.MODERATOR, consultation_id)


def can_open_queue(user) -> bool:
    """The queue page: anyone holding the moderator role somewhere (each sees the items they may decide on)."""
    return _signed_in(user) and not _blocked(user) and user.has_role_anywhere(UserRole.MODERATOR)


def report_refusal(user, target) -> str | None:
    """`target` is a moderation.targets.Target. Nobody reports their own words, nor what others cannot see."""
    if not _signed_in(user):
        return "authentication_required"
    if getattr(user, "is_blocked", False):
        return "account_blocked"
    if not target.is_reportable:
        return "not_reportable"
    if target.author_id is not None and target.author_id == user.id:
        return "own_content"
    return None


def decide_refusal(user, target, *, reported_by_user: bool = False) -> str | None:
    if not _signed_in(user):
        return "authentication_required"
    if _blocked(user):
        return "account_blocked"
    if not is_moderator_of(user, target.consultation_id):
        return "not_moderator"
    if target.author_id is not None and target.author_id == user.id:
        return "own_content"
    if reported_by_user:
        return "own_report"
    return None


def can_report(user, target) -> bool:
    return report_refusal(user, target) is None


def can_decide(user, target) -> bool:
    return _signed_in(user) and is_moderator_of(user, target.consultation_id) and not (
        target.author_id is not None and target.author_id == user.id)


def can_report_item(user, target_type: str, obj) -> bool:
    """For templates: the « Signaler » form shows where reporting would be accepted."""
    from deliberation.moderation.targets import Target
    from deliberation.moderation.targets import target_type as parse_type

    return _signed_in(user) and can_report(user, Target(parse_type(target_type), obj))
