"""Notification commands and queries. A notification is a row written in the caller's unit of work; its
e-mail leaves only once that unit of work has committed (send_email queues it with after_commit)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update

from deliberation.accounts.models import User
from deliberation.core import clock
from deliberation.core.errors import NotFound
from deliberation.extensions import db
from deliberation.notifications.kinds import FormattedText, get_kind, message_for, present
from deliberation.notifications.mail import send_email
from deliberation.notifications.models import Notification
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
    db.session.add(notification)
    db.session.flush()

    if email and user.email:
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


def _locale_of(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def get_notification(notification_id: int, user: User) -> Notification:
    """The user's own notification; someone else's does not exist for them (404)."""
    notification = db.session.get(Notification, notification_id)
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
