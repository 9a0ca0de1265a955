"""E-mail: queued during the unit of work, sent only after the commit.

Backends (MAIL_BACKEND): "file" writes .eml files to instance/mail/ (development), "smtp" sends them,
"memory" keeps them in `memory_outbox` (tests).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from deliberation.core import clock
from deliberation.core.transaction import after_commit

memory_outbox: list[EmailMessage] = []


def send_email(to: str, subject: str, template: str, *, locale: str | None = None, **context) -> None:
    """Render `emails/<template>.txt` in the recipient's language now; send it after the commit."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(f"emails/{template}.txt", **context)
        subject = str(subject)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="deliberation.localhost")
    message.set_content(body)
    app = current_app._get_current_object()
    after_commit(lambda: _deliver(app, message))


def _deliver(app, message: EmailMessage) -> None:
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        memory_outbox.append(message)
    elif backend == "file":
        directory = Path(app.config["MAIL_DIRECTORY"])
        directory.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        (directory / f"{stamp}.eml").write_bytes(bytes(message))
    else:
        with smtplib.SMTP(app.config["MAIL_SERVER"], app.config["MAIL_PORT"], timeout=10) as smtp:
            if app.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if app.config["MAIL_USERNAME"]:
                smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
            smtp.send_message(message)
