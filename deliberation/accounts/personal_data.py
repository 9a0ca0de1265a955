"""A person's data: everything we hold about them as JSON, and the erasure of their account.

Erasure keeps contributions (proposals, comments), which then show DELETED_USER_LABEL through
User.public_name; it erases the personal data (e-mail, password, name, language), ends every session and
token, removes roles, supports (their counters are decremented in the same transaction) and notifications.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, update

from deliberation.accounts.messages import ERROR_MESSAGES
from deliberation.accounts.models import ApiToken, User, UserRole, UserSession
from deliberation.core import audit, clock, signals
from deliberation.core.errors import Conflict
from deliberation.extensions import db


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything stored about `user`, readable by a person and by a program (read-only)."""
    from deliberation.notifications.models import Notification
    from deliberation.proposals.models import Comment, Proposal, Support

    proposals = db.session.scalars(
        select(Proposal).where((Proposal.author_id == user.id) | (Proposal.mediator_id == user.id))
        .order_by(Proposal.created_at, Proposal.id)
    )
    comments = db.session.scalars(select(Comment).where(Comment.author_id == user.id)
                                  .order_by(Comment.created_at, Comment.id))
    supports = db.session.scalars(select(Support).where(Support.user_id == user.id)
                                  .order_by(Support.created_at, Support.id))
    notifications = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                       .order_by(Notification.created_at, Notification.id))
    user_sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                       .order_by(UserSession.created_at, UserSession.id))
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at, ApiToken.id))
    return {
        "exported_at": _iso(clock.now()),
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "locale": user.locale,
            "email_frequency": user.email_frequency.value if user.email_frequency else None,
            "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "blocked_at": _iso(user.blocked_at),
            "block_reason": user.block_reason,
        },
        "roles": [
            {"role": str(a.role), "consultation_id": a.consultation_id, "granted_at": _iso(a.created_at)}
            for a in sorted(user.roles, key=lambda a: (a.created_at, a.id or 0))
        ],
        "sessions": [
            {"created_at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at),
             "ended_at": _iso(s.revoked_at)}
            for s in user_sessions
        ],
        "api_tokens": [
            {"created_at": _iso(t.created_at), "expires_at": _iso(t.expires_at),
             "last_used_at": _iso(t.last_used_at), "revoked_at": _iso(t.revoked_at)}
            for t in tokens
        ],
        "proposals": [
            {"id": p.id, "consultation_id": p.consultation_id, "kind": str(p.kind), "status": str(p.status),
             "title": p.title, "body": p.body, "created_at": _iso(p.created_at),
             "updated_at": _iso(p.updated_at),
             "as_mediator": p.mediator_id == user.id and p.author_id != user.id}
            for p in proposals
        ],
        "comments": [
            {"id": c.id, "proposal_id": c.proposal_id, "parent_id": c.parent_id, "stance": str(c.stance),
             "status": str(c.status), "body": c.body, "created_at": _iso(c.created_at)}
            for c in comments
        ],
        "supports": [{"proposal_id": s.proposal_id, "created_at": _iso(s.created_at)} for s in supports],
        "notifications": [
            {"kind": n.kind, "params": n.params, "link": n.link, "created_at": _iso(n.created_at),
             "read_at": _iso(n.read_at)}
            for n in notifications
        ],
        **_moderation_data(user),
    }


def _moderation_data(user: User) -> dict[str, Any]:
    """Their own reports (what they reported, why, when; never anyone else's) and their appeals."""
    from deliberation.moderation.appeals import ModerationAppeal
    from deliberation.moderation.models import Report

    reports = db.session.scalars(select(Report).where(Report.reporter_id == user.id)
                                 .order_by(Report.created_at, Report.id))
    appeals = db.session.scalars(select(ModerationAppeal).where(ModerationAppeal.author_id == user.id)
                                 .order_by(ModerationAppeal.created_at, ModerationAppeal.id))
    return {
        "reports": [
            {"target_type": str(r.target_type), "target_id": r.target_id, "reason": str(r.reason),
             "details": r.details, "status": str(r.status), "created_at": _iso(r.created_at),
             "closed_at": _iso(r.closed_at)}
            for r in reports
        ],
        "appeals": [
            {"decision_id": a.decision_id, "text": a.text, "status": str(a.status), "created_at": _iso(a.created_at),
             "decided_at": _iso(a.decided_at), "outcome_reason": a.outcome_reason}
            for a in appeals
        ],
    }


def _other_admins(user: User) -> int:
    from deliberation.accounts.models import RoleAssignment

    return db.session.scalar(
        select(func.count()).select_from(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == UserRole.ADMIN, RoleAssignment.consultation_id.is_(None),
               RoleAssignment.user_id != user.id, User.deleted_at.is_(None))
    ) or 0


def delete_account(user: User) -> None:
    """Erase the person's data and keep their contributions under "deleted participant"."""
    from deliberation.notifications.models import Notification
    from deliberation.proposals.models import Proposal, Support

    if user.is_deleted:
        raise Conflict("account_deleted")
    if user.is_admin and _other_admins(user) == 0:
        raise Conflict("last_admin", ERROR_MESSAGES["last_admin"])

    supported = list(db.session.scalars(select(Support.proposal_id).where(Support.user_id == user.id)))
    if supported:
        # One support per person and proposal (unique constraint), so each proposal loses exactly one.
        db.session.execute(
            update(Proposal).where(Proposal.id.in_(supported))
            .values(supports_count=case((Proposal.supports_count > 0, Proposal.supports_count - 1), else_=0)),
            execution_options={"synchronize_session": "fetch"},
        )
        db.session.execute(delete(Support).where(Support.user_id == user.id),
                           execution_options={"synchronize_session": "fetch"})
    db.session.execute(delete(Notification).where(Notification.user_id == user.id),
                       execution_options={"synchronize_session": "fetch"})
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id),
                       execution_options={"synchronize_session": "fetch"})
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id),
                       execution_options={"synchronize_session": "fetch"})
    user.roles.clear()
    user.email = None
    user.password_hash = None
    user.display_name = None
    user.locale = None
    user.email_confirmed_at = None
    user.blocked_at = user.block_reason = user.blocked_by_id = None
    user.deleted_at = clock.now()
    db.session.flush()
    audit.record(user, "account_deleted", user, supports_removed=len(supported))
    signals.user_deleted.send(user)
