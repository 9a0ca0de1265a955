"""Joining an assembly: a participant is the SHA-256 of a device token, never an account.

Anonymous assemblies: the server issues a random token (secrets.token_urlsafe(32)) and stores only its hash;
the phone keeps the token and sends it again to come back as the same participant.

Assemblies that require sign-in: the token is derived from the account, HMAC(SECRET_KEY,
"user:<user_id>:<assembly_id>"), so a person is one participant whatever the device they join from, and
the participant row still holds nothing but a hash (no user id: ballots cannot be traced to the account
from the database alone).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from deliberation.assemblies.models import Assembly, AssemblyState, Participant
from deliberation.assemblies.services.assemblies import find_assembly_by_code
from deliberation.core import clock
from deliberation.core.errors import Conflict, NotFound, Unauthenticated
from deliberation.extensions import db

DEVICE_TOKEN_MAX_LENGTH = 128


def device_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def account_device_token(user, assembly: Assembly) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(secret, f"user:{user.id}:{assembly.id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def find_participant(assembly: Assembly, device_token: str | None) -> Participant | None:
    if not isinstance(device_token, str) or not 0 < len(device_token) <= DEVICE_TOKEN_MAX_LENGTH:
        return None
    return db.session.scalar(select(Participant).where(Participant.assembly_id == assembly.id,
                                                       Participant.device_hash == device_hash(device_token)))


def join_assembly(code: str, *, device_token: str | None = None, user=None) -> tuple[Participant, str]:
    """(participant, device_token) for someone joining with `code`.

    A known device token finds its participant again; otherwise a new participant with a new token.
    Unknown code → 404 unknown_join_code; ended assembly → 409 assembly_ended; sign-in required and no
    signed-in user → 401 sign_in_required.
    """
    assembly = find_assembly_by_code(code)
    if assembly is None:
        raise NotFound("unknown_join_code")
    if assembly.state == AssemblyState.ENDED:
        raise Conflict("assembly_ended")
    if assembly.requires_sign_in:
        if not getattr(user, "is_authenticated", False):
            raise Unauthenticated("sign_in_required")
        device_token = account_device_token(user, assembly)
    participant = find_participant(assembly, device_token)
    if participant is not None:
        participant.last_seen_at = clock.now()
        db.session.flush()
        return participant, device_token
    if not assembly.requires_sign_in:
        device_token = secrets.token_urlsafe(32)
    now = clock.now()
    participant = Participant(assembly_id=assembly.id, device_hash=device_hash(device_token), joined_at=now,
                              last_seen_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(participant)
    except IntegrityError:  # the same account joining from two devices at once
        participant = find_participant(assembly, device_token)
        if participant is None:
            raise
    return participant, device_token


def participant_for_device(assembly: Assembly, device_token: str | None) -> Participant:
    """The participant holding `device_token` in `assembly`, or 401 unknown_device (join first)."""
    participant = find_participant(assembly, device_token)
    if participant is None:
        raise Unauthenticated("unknown_device")
    return participant
