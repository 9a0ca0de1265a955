"""Handlers of the `/live` namespace. Thin: authenticate the socket, call the services, ack.

`connect` records who the socket is (live/identity.py); events trust that, never the payload.
"""

from __future__ import annotations

from flask import current_app, g
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room
from marshmallow import Schema, fields

from deliberation.accounts.sessions import user_for_token
from deliberation.assemblies import policies, services
from deliberation.assemblies.live import identity, intake, room_events, tallies
from deliberation.assemblies.live.identity import console_user_of, current_socket, participant_of, remember
from deliberation.assemblies.live.snapshot import CONSOLE, PARTICIPANT, SCREEN, build_snapshot, poll_object
from deliberation.assemblies.models import AssemblyState
from deliberation.assemblies.schemas import ID, CastVoteSchema
from deliberation.core.errors import MESSAGES, DomainError, Forbidden, NotFound
from deliberation.core.realtime import end_event, socket_event
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db, socketio

NAMESPACE = tallies.NAMESPACE
ROLES = {None: PARTICIPANT, "participant": PARTICIPANT, SCREEN: SCREEN, CONSOLE: CONSOLE}


class PollRefSchema(Schema):
    poll_id = fields.Integer(required=True, strict=True, validate=ID)


class LiveCastVoteSchema(CastVoteSchema):
    poll_id = fields.Integer(required=True, strict=True, validate=ID)


def register() -> None:
    socketio.on_event("connect", on_connect, namespace=NAMESPACE)
    socketio.on_event("disconnect", on_disconnect, namespace=NAMESPACE)
    for name, handler in (("cast_vote", cast_vote), ("get_results", get_results), ("open_poll", open_poll),
                          ("close_poll", close_poll)):
        socketio.on_event(name, handler, namespace=NAMESPACE)
    room_events.register()  # questions from the room, speaker queue, timer


# Connection

def _refuse(code: str, message=None):
    text = str(message if message is not None else MESSAGES.get(code, code))
    return ConnectionRefusedError(code, {"code": code, "message": text})


def _connecting_user(auth: dict):
    """The user of the handshake (API token in auth, bearer header or session cookie), never one cached in
    `g` by an earlier event of the same app context (tests share one)."""
    g.pop("_login_user", None)
    token = auth.get("token")
    if isinstance(token, str) and token:
        return user_for_token(token)
    return current_user._get_current_object() if current_user.is_authenticated else None


def on_connect(auth=None):
    try:
        auth = auth if isinstance(auth, dict) else {}
        asked = auth.get("role")
        role = ROLES.get(asked) if asked is None or isinstance(asked, str) else None
        if role is None:
            raise _refuse("forbidden")
        code = auth.get("join_code")
        if not isinstance(code, str) or not code.strip():
            raise _refuse("join_code_required")
        _connect(auth, role, code)
        app = current_app._get_current_object()
        tallies.ensure_emitter(app)
        intake.ensure_writer(app)
    except ConnectionRefusedError:
        db.session.rollback()
        raise
    except Exception:
        current_app.logger.exception("live connect failed")
        db.session.rollback()
        raise _refuse("internal_error") from None
    finally:
        end_event()


def _connect(auth: dict, role: str, code: str) -> None:
    user = _connecting_user(auth)
    assembly = services.find_assembly_by_code(code)
    if assembly is None:
        raise _refuse("unknown_join_code")
    if assembly.state == AssemblyState.ENDED:
        raise _refuse("assembly_ended")
    participant = token = None
    if role == CONSOLE:
        if user is None:
            raise _refuse("sign_in_required")
        if not policies.can_manage_assembly(user, assembly):
            raise _refuse("forbidden")
    elif role == PARTICIPANT:
        device_token = auth.get("device_token")
        try:
            with unit_of_work():
                participant, token = services.join_assembly(
                    code, device_token=device_token if isinstance(device_token, str) else None, user=user)
        except DomainError as error:
            raise _refuse(error.code, error.message) from None
    remember({"assembly_id": assembly.id, "role": role, "join_code": assembly.join_code,
              "participant_id": participant.id if participant is not None else None,
              "user_id": user.id if (user is not None and role == CONSOLE) else None,
              # A phone joined signed in (session cookie or API token): the account it acts for (reports,
              # refusals of a blocked account), read afresh by identity.account_of at each event.
              "account_id": user.id if (user is not None and role == PARTICIPANT) else None})
    join_room(tallies.rooms(assembly.id)[role])
    if role == PARTICIPANT:
        connected = tallies.change_attendance(assembly.id, +1)
        if connected > assembly.peak_attendance:
            with unit_of_work():
                services.record_attendance(assembly, connected)
    emit("snapshot", build_snapshot(assembly, role, participant=participant, device_token=token,
                                    actor=user if role == CONSOLE else None))


def on_disconnect(reason=None):
    try:
        live = identity.socket_or_none()
        if live and live["role"] == PARTICIPANT:
            tallies.change_attendance(live["assembly_id"], -1)
    except Exception:
        current_app.logger.exception("live disconnect failed")
    finally:
        end_event()


# Events

def _poll_of_assembly(poll_id: int, live: dict, actor=None):
    poll = services.get_poll(poll_id)
    if poll.assembly_id != live["assembly_id"] or not policies.can_view_poll(actor, poll):
        raise NotFound()
    return poll


@socket_event(LiveCastVoteSchema, transaction=False)
def cast_vote(data: dict) -> dict:
    """The REST vote's rules, stored by this process's vote writer; acknowledged once committed."""
    live = current_socket()
    if live["role"] != PARTICIPANT or not live["participant_id"]:
        raise Forbidden("forbidden")
    request = services.BallotRequest(participant_id=live["participant_id"], assembly_id=live["assembly_id"],
                                     ballot_id=services.canonical_ballot_id(data["ballot_id"]),
                                     choice=data["choice"])
    receipt, _created = intake.submit(data["poll_id"], request)
    return {"ok": True, "receipt": receipt}


@socket_event(PollRefSchema)
def get_results(data: dict) -> dict:
    live = current_socket()
    actor = console_user_of(live) if live["role"] == CONSOLE else None
    poll = _poll_of_assembly(data["poll_id"], live, actor)
    if live["role"] == CONSOLE:
        body = services.facilitator_results(poll, actor)
    else:
        participant = participant_of(live) if live["role"] == PARTICIPANT else None
        body = services.poll_results(poll, viewer_participant=participant)
    return {"ok": True, "results": body["results"], "ranking": body["ranking"],
            "results_hidden": body["results_hidden"], "total_ballots": body["total_ballots"],
            "seq": tallies.current_seq(poll.id)}


def _change_poll(data: dict, change) -> dict:
    live = current_socket()
    actor = console_user_of(live)
    poll = _poll_of_assembly(data["poll_id"], live, actor)
    change(poll, actor)  # the service queues the `poll` broadcast for after the commit
    return {"ok": True, "poll": poll_object(poll, CONSOLE, actor=actor, with_my_ballot=False)}


@socket_event(PollRefSchema)
def open_poll(data: dict) -> dict:
    return _change_poll(data, services.open_poll)


@socket_event(PollRefSchema)
def close_poll(data: dict) -> dict:
    return _change_poll(data, services.close_poll)
