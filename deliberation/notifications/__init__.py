"""Notifications: in-app notifications and e-mails, sent only after the commit."""

from flask import Flask

from deliberation.notifications import models, receivers, views  # noqa: F401 - models register their tables


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.context_processor(views.unread_notifications_context)
    receivers.connect()
