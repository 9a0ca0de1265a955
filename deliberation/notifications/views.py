"""The notifications page: list, open (marks read, then follows the link), mark all as read."""

from __future__ import annotations

from flask import Blueprint, flash, g, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from deliberation.core.transaction import unit_of_work
from deliberation.notifications import services
from deliberation.web.urls import safe_next_url

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def unread_notifications_context() -> dict:
    """`unread_notifications` for every template: one COUNT per request, 0 for anonymous visitors."""
    if not has_request_context():
        return {"unread_notifications": 0}
    user = current_user._get_current_object() if current_user else None
    if not getattr(user, "is_authenticated", False):
        return {"unread_notifications": 0}
    cached = g.get("_unread_notifications")
    if cached is None or cached[0] != user.id:
        cached = (user.id, services.count_unread(user))
        g._unread_notifications = cached
    return {"unread_notifications": cached[1]}


@bp.get("/")
@login_required
def index():
    page = services.list_notifications(current_user, request.args.get("page", 1, type=int))
    return render_template("notifications/index.html", page=page, messages=services.messages_for(page.items))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    with unit_of_work():
        notification = services.get_notification(notification_id, current_user)
        services.mark_read(notification, current_user)
        link = notification.link
    return redirect(safe_next_url(_path_of_this_site(link), "notifications.index"))


def _path_of_this_site(link: str) -> str:
    """Browsers read "/\\host" like "//host" and drop tabs and newlines: such a link is not ours."""
    if "\\" in link or any(ch.isspace() or ord(ch) < 32 for ch in link):
        return ""
    return link


@bp.post("/read-all")
@login_required
def read_all():
    with unit_of_work():
        services.mark_all_read(current_user)
    flash(_("All your notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))
