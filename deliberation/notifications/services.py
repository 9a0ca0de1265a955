"""Notification commands and queries. A notification is a row written in the caller's unit of work; its
e-mail leaves only once that unit of work has committed (send_email queues it with after_commit_batch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update

from deliberation.accounts.models import EMAIL_FREQUENCY_LABELS, EmailFrequency, User
from deliberation.core import clock
from deliberation.core.errors import Invalid, NotFound, require
from deliberation.extensions import db
from deliberation.notifications.kinds import FormattedText, get_kind, message_for, present
from deliberation.notifications.mail import send_email
from deliberation.notifications.models import Notification
from deliberation.proposals.models import Proposal, Support
from deliberation.proposals.services.common import MAX_ID
from deliberation.web.pagination import Page, clamp_page

PER_PAGE = 20


def notify(user: User, kind: str, *, params: dict[str, Any], link: str, email: bool = True,
           actor: User | None = None) -> Notification | None:
    """Tell `user` about something: an in-app notification, and an e-mail in their language after the commit.

    `link` is a path of this site ("/proposals/3"). `actor`, when given, is the person who acted: their id
    is stored (their name is shown as it is when read). A deleted account is never notified.
    """
    notification_kind = get_kind(kind)
    if not link.startswith("/") or link.startswith("//") or "\\" in link or any(ch.isspace() for ch in link):
        raise ValueError(f"a notification links to a path of this site, not {link!r}")
    if user.is_deleted:
        return None
    params = dict(params)
    if actor is not None:
        params["actor_id"] = actor.id
    notification = Notification(user_id=user.id, kind=kind, params=params, link=link, created_at=clock.now())
    db.session.add(notification)  # inserted with the others at the commit: one statement for many followers

    if email and user.email:
        # The reader's choice (EmailFrequency): at once, in a daily or weekly digest (send_digests), or never.
        frequency = getattr(user, "email_frequency", None) or EmailFrequency.IMMEDIATELY
        if frequency == EmailFrequency.NEVER:
            return notification
        if frequency in (EmailFrequency.DAILY, EmailFrequency.WEEKLY):
            notification.in_digest = True
            return notification
        names = {actor.id: actor.public_name} if actor is not None else {}
        shown = present(params, names)
        send_email(
            user.email,
            FormattedText(notification_kind.email_subject, shown),
            notification_kind.email_template,
            locale=_locale_of(user),
            recipient=user,
            params=shown,
            message=FormattedText(notification_kind.message, shown),
            url=current_app.config["BASE_URL"].rstrip("/") + link,
            site_name=current_app.config["SITE_NAME"],
        )
    return notification


def followers_of(proposals: list[Proposal]) -> list[tuple[User, Proposal]]:
    """The authors and supporters of `proposals`, each person once (with the first proposal they follow)."""
    seen: dict[int, tuple[User, Proposal]] = {}
    ids = [p.id for p in proposals]
    by_id = {p.id: p for p in proposals}
    for proposal in proposals:
        if proposal.author_id not in seen and proposal.author is not None:
            seen[proposal.author_id] = (proposal.author, proposal)
    if ids:
        rows = db.session.execute(
            select(Support.proposal_id, User).join(User, User.id == Support.user_id)
            .where(Support.proposal_id.in_(ids)).order_by(Support.proposal_id, Support.id))
        for proposal_id, user in rows:
            seen.setdefault(user.id, (user, by_id[proposal_id]))
    return [pair for pair in seen.values() if not pair[0].is_deleted]


def notify_followers(proposals: list[Proposal], kind: str, *, params: dict, link: str | Callable[[Proposal], str],
                     actor: User | None, per_proposal=None) -> int:
    """One notification per person among the authors and supporters (never `actor`), about the first of
    `proposals` they follow: `per_proposal(proposal)` adds its parameters, `link` may depend on it too.
    Returns how many were told."""
    told = 0
    for user, proposal in followers_of(proposals):
        if actor is not None and user.id == actor.id:
            continue
        extra = per_proposal(proposal) if per_proposal is not None else {}
        notify(user, kind, params={**params, **extra}, link=link(proposal) if callable(link) else link, actor=None)
        told += 1
    return told


def _locale_of(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def get_notification(notification_id: int, user: User) -> Notification:
    """The user's own notification; someone else's does not exist for them (404), nor does an id beyond the
    column (SQLite overflows, PostgreSQL refuses it)."""
    in_range = isinstance(notification_id, int) and 0 < notification_id <= MAX_ID
    notification = db.session.get(Notification, notification_id) if in_range else None
    if notification is None or notification.user_id != user.id:
        raise NotFound()
    return notification


def mark_read(notification: Notification, user: User) -> None:
    if notification.user_id != user.id:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()


def mark_all_read(user: User) -> int:
    """Returns how many were unread."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def delete_notifications_of(user: User) -> None:
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))


def count_unread(user: User) -> int:
    """One COUNT over the (user_id, read_at) index."""
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def list_notifications(user: User, page: int | None = 1, per_page: int = PER_PAGE) -> Page[Notification]:
    """Newest first."""
    page, per_page = clamp_page(page, per_page, default_per_page=PER_PAGE, max_per_page=100)
    total = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id)
    ) or 0
    items = list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ))
    return Page(items=items, page=page, per_page=per_page, total=total)


def messages_for(notifications: list[Notification]) -> dict[int, FormattedText]:
    """The text of each notification (by id), the actors' names loaded in one query."""
    actor_ids = {n.params.get("actor_id") for n in notifications if isinstance(n.params, dict)} - {None}
    names: dict[int, str] = {}
    if actor_ids:
        for user in db.session.scalars(select(User).where(User.id.in_(actor_ids))):
            names[user.id] = user.public_name
    return {n.id: message_for(n.kind, n.params or {}, names) for n in notifications}


# --- E-mail digests ----------------------------------------------------------------------------------------

# Who each digest run serves. The daily run also clears what was left waiting by people who since chose
# "each at once" (sent now, gathered) or "no e-mail" (dropped from the e-mail, kept in the app).
DIGEST_AUDIENCES = {
    EmailFrequency.DAILY: (EmailFrequency.DAILY, EmailFrequency.IMMEDIATELY, EmailFrequency.NEVER),
    EmailFrequency.WEEKLY: (EmailFrequency.WEEKLY,),
}


def set_email_frequency(user: User, frequency) -> User:
    """The person's own choice of how notifications reach them by e-mail."""
    require(user.is_active, "account_deleted")
    try:
        user.email_frequency = EmailFrequency(frequency)
    except ValueError:
        raise Invalid("validation_error", fields={"email_frequency": [_l("Not a valid choice.")]}) from None
    db.session.flush()
    return user


def send_digests(frequency) -> int:
    """One e-mail per person listing their notifications waiting for the digest, then clear them; the e-mails
    leave after the commit (send_email). Returns how many e-mails were queued."""
    frequency = EmailFrequency(frequency)
    audience = DIGEST_AUDIENCES.get(frequency)
    if audience is None:
        raise ValueError("digests are daily or weekly")
    pending = list(db.session.scalars(
        select(Notification).join(User, User.id == Notification.user_id)
        .where(Notification.in_digest.is_(True), User.email_frequency.in_(audience))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
        # Two runs at once (a cron overlapping a manual run) never send the same notifications twice.
        .with_for_update(of=Notification, skip_locked=True)))
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.user_id, []).append(notification)
    sent = 0
    base = current_app.config["BASE_URL"].rstrip("/")
    for user_id, notifications in by_user.items():
        user = db.session.get(User, user_id)
        for notification in notifications:
            notification.in_digest = False
        if user is None or user.is_deleted or not user.email or user.email_frequency == EmailFrequency.NEVER:
            continue
        messages = messages_for(notifications)
        items = [{"message": messages[n.id], "url": base + n.link} for n in notifications]
        send_email(
            user.email,
            _digest_subject(len(items)),
            "notifications/digest",
            locale=_locale_of(user),
            recipient=user,
            items=items,
            frequency=EMAIL_FREQUENCY_LABELS[user.email_frequency],
            notifications_url=base + "/notifications/",
            account_url=base + "/account",
            site_name=current_app.config["SITE_NAME"],
        )
        sent += 1
    db.session.flush()
    return sent


class _DigestSubject:
    """Rendered by send_email in the recipient's language."""

    def __init__(self, count: int):
        self.count = count

    def __str__(self) -> str:
        return ngettext("%(num)d new notification on %(site)s", "%(num)d new notifications on %(site)s",
                        self.count, site=current_app.config["SITE_NAME"])


def _digest_subject(count: int) -> _DigestSubject:
    return _DigestSubject(count)
