"""Who a `/live` socket is. `connect` stores it in the socket's Socket.IO session (flask.session, managed per
socket by Flask-SocketIO): {"assembly_id", "role", "join_code", "participant_id", "user_id", "account_id"}
(`account_id`: the account a phone joined with, if signed in). Every event reads it from there, never from its
payload.
"""

from __future__ import annotations

from flask import session

from deliberation.accounts.models import User
from deliberation.assemblies.live.snapshot import CONSOLE
from deliberation.assemblies.models import Participant
from deliberation.core.errors import Forbidden
from deliberation.extensions import db

SESSION_KEY = "live"


def remember(identity: dict) -> None:
    session[SESSION_KEY] = identity


def socket_or_none() -> dict | None:
    return session.get(SESSION_KEY)


def current_socket() -> dict:
    live = socket_or_none()
    if not live:  # not possible through connect; kept so a handler never runs unauthenticated
        raise Forbidden("forbidden")
    return live


def participant_of(live: dict) -> Participant:
    participant = db.session.get(Participant, live["participant_id"]) if live["participant_id"] else None
    if participant is None:
        raise Forbidden("not_a_participant")
    return participant


def console_user_of(live: dict) -> User:
    """The facilitator behind a console socket, still active (a deactivated account loses the console)."""
    user = db.session.get(User, live["user_id"]) if live["role"] == CONSOLE and live["user_id"] else None
    if user is None or not user.is_active:
        raise Forbidden("forbidden")
    return user


def account_of(live: dict) -> User | None:
    """The account a phone joined with (session cookie or API token at connect), still active; None for an
    anonymous phone (or a socket connected before `account_id` existed)."""
    account_id = live.get("account_id")
    user = db.session.get(User, account_id) if account_id else None
    return user if user is not None and user.is_active else None
