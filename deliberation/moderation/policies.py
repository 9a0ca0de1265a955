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


def _own(user, target, own: bool | None) -> bool:
    if own is not None:
        return own
    return target.author_id is not None and target.author_id == user.id


def facilitates(user, target) -> bool:
    """Facilitators of an assembly decide (hide, restore) on the questions from the room of their assembly only:
    administrators, global facilitators, and facilitators scoped to the assembly's consultation."""
    from deliberation.assemblies.policies import can_moderate_questions
    from deliberation.moderation.models import ReportTargetType

    return (target.type == ReportTargetType.QUESTION and _signed_in(user) and not _blocked(user)
            and can_moderate_questions(user, target.obj.assembly))


def report_refusal(user, target, *, own: bool | None = None) -> str | None:
    """`target` is a moderation.targets.Target. Nobody reports their own words (or account), nor what others
    cannot see. `own`: whether `user` wrote it, when the service knows better than the author column (a
    question asked from their account)."""
    if not _signed_in(user):
        return "authentication_required"
    if getattr(user, "is_blocked", False):
        return "account_blocked"
    if not target.is_reportable:
        return "not_reportable"
    if _own(user, target, own):
        return "own_content"
    return None


def decide_refusal(user, target, *, reported_by_user: bool = False, own: bool | None = None) -> str | None:
    if not _signed_in(user):
        return "authentication_required"
    if _blocked(user):
        return "account_blocked"
    if not (is_moderator_of(user, target.consultation_id) or facilitates(user, target)):
        return "not_moderator"
    if _own(user, target, own):
        return "own_content"
    if reported_by_user:
        return "own_report"
    return None


def can_report(user, target) -> bool:
    return report_refusal(user, target) is None


def can_decide(user, target) -> bool:
    return _signed_in(user) and (is_moderator_of(user, target.consultation_id) or facilitates(user, target)) \
        and not _own(user, target, None)


def can_report_item(user, target_type: str, obj) -> bool:
    """For templates: the « Signaler » form shows where reporting would be accepted."""
    from deliberation.moderation.targets import Target
    from deliberation.moderation.targets import target_type as parse_type

    return _signed_in(user) and can_report(user, Target(parse_type(target_type), obj))
