"""Handlers of the `/live` namespace for questions from the room, the speaker queue and the timer. Thin: who the
socket is (its session, never the payload), one service call, an ack; the services queue the broadcasts.

Phones: ask_question {text}, upvote_question {question_id}, raise_hand {name?}, lower_hand,
report_question {question_id, reason, details?} (a signed-in phone; the moderation report service).
Console: moderate_question {question_id, action, reason?, note?} (hide and restore are moderation decisions;
reason defaults to off_topic when hiding), attach_question {question_id, agenda_item_id},
set_question_moderation {mode}, call_speaker {request_id?, seconds?}, finish_speaker,
start_timer {seconds, label?}, pause_timer, resume_timer, stop_timer.
"""

from __future__ import annotations

from flask import g
from flask_login import current_user
from marshmallow import Schema, fields, validate

from deliberation.assemblies import policies, services
from deliberation.assemblies.live.identity import account_of, console_user_of, current_socket, participant_of
from deliberation.assemblies.live.room_broadcast import CONSOLE, PARTICIPANT, question_object, speaker_object
from deliberation.assemblies.live.tallies import NAMESPACE
from deliberation.assemblies.models import Assembly, QuestionModeration
from deliberation.assemblies.schemas import ID
from deliberation.assemblies.services.questions import QUESTION_ACTIONS
from deliberation.core.errors import Forbidden, NotFound, Unauthenticated
from deliberation.core.realtime import socket_event
from deliberation.extensions import db, socketio
from deliberation.moderation.models import NOTE_MAX_LENGTH, ReportReason

# Generous bounds: the services give the precise, translated refusals (too long, empty…).
TEXT_LIMIT = 5000


class AskQuestionSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(max=TEXT_LIMIT))


class QuestionRefSchema(Schema):
    question_id = fields.Integer(required=True, strict=True, validate=ID)


class ModerateQuestionSchema(QuestionRefSchema):
    action = fields.String(required=True, validate=validate.OneOf(sorted(QUESTION_ACTIONS)))
    # Hide and restore: the public reason (a ReportReason; off_topic when absent) and an optional public note.
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf([reason.value for reason in ReportReason]))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX_LENGTH))


class AttachQuestionSchema(QuestionRefSchema):
    agenda_item_id = fields.Integer(required=True, strict=True, allow_none=True, validate=ID)


class ModerationModeSchema(Schema):
    mode = fields.String(required=True, validate=validate.OneOf([mode.value for mode in QuestionModeration]))


class ReportQuestionSchema(QuestionRefSchema):
    reason = fields.String(required=True, validate=validate.Length(max=TEXT_LIMIT))
    details = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=TEXT_LIMIT))


class RaiseHandSchema(Schema):
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=TEXT_LIMIT))


class CallSpeakerSchema(Schema):
    request_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    seconds = fields.Integer(load_default=None, allow_none=True, strict=True)


class StartTimerSchema(Schema):
    seconds = fields.Integer(required=True, strict=True)
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=TEXT_LIMIT))


def register() -> None:
    for handler in (ask_question, upvote_question, report_question, raise_hand, lower_hand, moderate_question,
                    attach_question,
                    set_question_moderation, call_speaker, finish_speaker, start_timer, pause_timer, resume_timer,
                    stop_timer):
        socketio.on_event(handler.__name__, handler, namespace=NAMESPACE)


def _phone():
    live = current_socket()
    if live["role"] != PARTICIPANT:
        raise Forbidden("forbidden")
    return participant_of(live)


def _console() -> tuple[Assembly, object]:
    live = current_socket()
    if live["role"] != CONSOLE:
        raise Forbidden("forbidden")
    actor = console_user_of(live)
    assembly = db.session.get(Assembly, live["assembly_id"])
    if assembly is None:
        raise NotFound()
    return assembly, actor


# Phones

@socket_event(AskQuestionSchema)
def ask_question(data: dict) -> dict:
    """Acked with the question as its author sees it: `pending` under pre-moderation."""
    participant = _phone()
    question = services.ask_question(participant, data["text"], user=account_of(current_socket()))
    return {"ok": True, "question": {**question_object(question, PARTICIPANT), "mine": True, "upvoted": False}}


@socket_event(QuestionRefSchema)
def upvote_question(data: dict) -> dict:
    """`counted` is false when this phone had already upvoted the question: nothing changed."""
    participant = _phone()
    question = services.get_question(data["question_id"], participant.assembly)
    counted = services.upvote_question(question, participant)
    return {"ok": True, "question_id": question.id, "counted": counted, "upvotes": question.upvote_count}


@socket_event(ReportQuestionSchema)
def report_question(data: dict) -> dict:
    """A signed-in phone reports a question of its assembly, once (the reporter is never shown). Acked
    authentication_required when the phone is not signed in, already_reported the second time."""
    from deliberation.moderation import services as moderation

    participant = _phone()
    question = services.get_question(data["question_id"], participant.assembly)
    if not policies.question_is_public(question):
        raise NotFound()
    reporter = _signed_in_user()
    if question.participant_id == participant.id:
        # This phone asked it: its own words, whether or not the assembly links participants to accounts.
        raise moderation.moderation_error(Forbidden, "own_content")
    moderation.report_content(reporter, "question", question.id, reason=data["reason"],
                              details=data["details"])
    return {"ok": True, "question_id": question.id, "reported": True}


def _signed_in_user():
    """The account the phone joined with (session cookie or API token at connect), else the account of its
    session cookie (read afresh: `g` may hold another event's user in tests)."""
    account = account_of(current_socket())
    if account is not None:
        return account
    g.pop("_login_user", None)
    if not current_user.is_authenticated:
        raise Unauthenticated()
    return current_user._get_current_object()


@socket_event(RaiseHandSchema)
def raise_hand(data: dict) -> dict:
    participant = _phone()
    request, raised = services.raise_hand(participant, data["name"])
    return {"ok": True, "raised": raised, "request": {**speaker_object(request, CONSOLE), "mine": True}}


@socket_event()
def lower_hand(_data=None) -> dict:
    return {"ok": True, "lowered": services.lower_hand(_phone())}


# Console

@socket_event(ModerateQuestionSchema)
def moderate_question(data: dict) -> dict:
    assembly, actor = _console()
    question = services.get_question(data["question_id"], assembly)
    changed = services.moderate_question(question, actor, data["action"], reason=data["reason"], note=data["note"])
    return {"ok": True, "changed": changed, "question": question_object(question, CONSOLE)}


@socket_event(AttachQuestionSchema)
def attach_question(data: dict) -> dict:
    assembly, actor = _console()
    question = services.get_question(data["question_id"], assembly)
    item = next((item for item in assembly.agenda_items if item.id == data["agenda_item_id"]), None)
    if data["agenda_item_id"] is not None and item is None:
        raise NotFound()
    services.attach_question(question, actor, item)
    return {"ok": True, "question": question_object(question, CONSOLE)}


@socket_event(ModerationModeSchema)
def set_question_moderation(data: dict) -> dict:
    assembly, actor = _console()
    services.set_question_moderation(assembly, actor, data["mode"])
    return {"ok": True, "mode": assembly.question_moderation.value}


@socket_event(CallSpeakerSchema)
def call_speaker(data: dict) -> dict:
    assembly, actor = _console()
    request = services.call_speaker(assembly, actor, request_id=data["request_id"], seconds=data["seconds"])
    return {"ok": True, "speaker": speaker_object(request, CONSOLE)}


@socket_event()
def finish_speaker(_data=None) -> dict:
    assembly, actor = _console()
    return {"ok": True, "changed": services.finish_speaker(assembly, actor)}


@socket_event(StartTimerSchema)
def start_timer(data: dict) -> dict:
    assembly, actor = _console()
    services.start_timer(assembly, actor, seconds=data["seconds"], label=data["label"])
    return {"ok": True, "timer": services.timer_state(assembly)}


def _timer_change(change) -> dict:
    assembly, actor = _console()
    changed = change(assembly, actor)
    return {"ok": True, "changed": changed, "timer": services.timer_state(assembly)}


@socket_event()
def pause_timer(_data=None) -> dict:
    return _timer_change(services.pause_timer)


@socket_event()
def resume_timer(_data=None) -> dict:
    return _timer_change(services.resume_timer)


@socket_event()
def stop_timer(_data=None) -> dict:
    return _timer_change(services.stop_timer)
