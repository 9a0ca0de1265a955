"""E-mail: rendered during the unit of work, sent only after the commit, all of one unit of work together.

Backends (MAIL_BACKEND): "file" writes .eml files to instance/mail/ (development), "smtp" sends them,
"memory" keeps them in `memory_outbox` (tests). Over SMTP, what a request queued leaves in a background task
through one connection: an official answering a proposal two hundred people follow gets the page back at once.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale

from deliberation.core import clock
from deliberation.core.transaction import after_commit_batch

memory_outbox: list[EmailMessage] = []


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str


def send_email(to: str, subject: str, template: str, *, locale: str | None = None, **context) -> None:
    """Render `emails/<template>.txt` in the recipient's language now; send it after the commit."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(f"emails/{template}.txt", **context)
        subject = str(subject)
    app = current_app._get_current_object()
    after_commit_batch("mail", OutgoingEmail(to, subject, body), lambda emails: _dispatch(app, emails))


def _dispatch(app, emails: list[OutgoingEmail]) -> None:
    if app.config["MAIL_BACKEND"] == "smtp" and has_request_context():
        from deliberation.extensions import socketio

        socketio.start_background_task(_deliver_logged, app, emails)
    else:  # files and memory are quick; a CLI command (digests) may wait for its own e-mails
        _deliver(app, emails)


def _deliver_logged(app, emails: list[OutgoingEmail]) -> None:
    try:
        _deliver(app, emails)
    except Exception:  # the commit stands; the notifications are in the app in any case
        app.logger.exception("sending %d e-mails failed", len(emails))


def _message(app, email: OutgoingEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain="deliberation.localhost")
    message.set_content(email.body)
    return message


def _deliver(app, emails: list[OutgoingEmail]) -> None:
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        memory_outbox.extend(_message(app, email) for email in emails)
    elif backend == "file":
        directory = Path(app.config["MAIL_DIRECTORY"])
        directory.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        for number, email in enumerate(emails):
            (directory / f"{stamp}-{number:04d}.eml").write_bytes(bytes(_message(app, email)))
    else:
        with smtplib.SMTP(app.config["MAIL_SERVER"], app.config["MAIL_PORT"], timeout=10) as smtp:
            if app.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if app.config["MAIL_USERNAME"]:
                smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
            for email in emails:
                try:
                    smtp.send_message(_message(app, email))
                except smtplib.SMTPRecipientsRefused:  # one bad address must not stop the others
                    app.logger.warning("the mail server refused a recipient")
