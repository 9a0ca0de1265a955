"""What the room is shown of its questions, speaker queue and timer, per view, and the messages that follow a
committed change.

The participant room and the screen get one public list (no per-person field: every phone gets the same
message, O(N) per change); each phone knows which questions are its own and which it upvoted from its snapshot
and its acks. Pending questions reach only the console (and their author, through the author's snapshot and
ack). Questions and speakers are coalesced per assembly (at most one message per ASSEMBLIES_TALLY_INTERVAL_MS,
read from the database when it leaves), so a burst of upvotes never sends one full list per upvote.
"""

from __future__ import annotations

from flask import current_app

from deliberation.assemblies import policies
from deliberation.assemblies.live.tallies import NAMESPACE, rooms
from deliberation.assemblies.models import Assembly, Participant, Question, QuestionState, SpeakerRequest, SpeakerState
from deliberation.core.transaction import after_commit
from deliberation.extensions import db, socketio

PARTICIPANT, SCREEN, CONSOLE = "participant", "screen", "console"

_scheduled: set[tuple[str, int]] = set()


# Payloads

def question_object(question: Question, view: str) -> dict:
    """A question as `view` sees it: hidden ones keep their place in the count but lose their text outside the
    console."""
    hidden = question.state == QuestionState.HIDDEN and view != CONSOLE
    return {"id": question.id, "text": None if hidden else question.text, "state": question.state.value,
            "upvotes": question.upvote_count, "asked_at": question.asked_at.isoformat(),
            "agenda_item_id": question.agenda_item_id}


def questions_list(assembly: Assembly, view: str, questions=None) -> list[dict]:
    """Most upvoted first, then oldest first. The console: all; phones and the screen: the public ones and the
    hidden ones without text (a count), never the pending ones."""
    from deliberation.assemblies import services

    questions = services.list_questions(assembly) if questions is None else questions
    shown = [question for question in questions
             if view == CONSOLE or policies.question_is_public(question) or question.state == QuestionState.HIDDEN]
    return [question_object(question, view) for question in shown]


def participant_questions(assembly: Assembly, participant: Participant) -> list[dict]:
    """The snapshot of one phone: the public list plus its own pending questions, each marked `mine` and
    `upvoted` (the phone keeps these ids and applies them to the public `questions` messages)."""
    from deliberation.assemblies import services

    questions = services.list_questions(assembly)
    mine = services.my_question_ids(participant)
    upvoted = services.my_upvoted_ids(participant)
    items = []
    for question in questions:
        if question.state == QuestionState.PENDING and question.id not in mine:
            continue
        item = question_object(question, PARTICIPANT)
        if question.state == QuestionState.HIDDEN and question.id in mine:
            item["text"] = question.text  # its author still reads what they asked
        item.update(mine=question.id in mine, upvoted=question.id in upvoted)
        items.append(item)
    return items


def speaker_object(request: SpeakerRequest, view: str) -> dict:
    """The console sees every name; the others see the name of the person speaking only."""
    named = view == CONSOLE or request.state == SpeakerState.SPEAKING
    return {"id": request.id, "state": request.state.value, "number": request.number,
            "name": request.display_name if named else None,
            "called_at": request.called_at.isoformat() if request.called_at else None}


def speakers_list(assembly: Assembly, view: str, requests=None) -> list[dict]:
    from deliberation.assemblies import services

    requests = services.list_speakers(assembly) if requests is None else requests
    return [speaker_object(request, view) for request in requests]


def participant_speakers(assembly: Assembly, participant: Participant) -> list[dict]:
    from deliberation.assemblies import services

    items = []
    for request in services.list_speakers(assembly):
        item = speaker_object(request, PARTICIPANT)
        item["mine"] = request.participant_id == participant.id
        if item["mine"]:
            item["name"] = request.display_name
        items.append(item)
    return items


# Broadcasts

def _send_questions(assembly: Assembly) -> None:
    from deliberation.assemblies import services

    questions = services.list_questions(assembly)
    room = rooms(assembly.id)
    public = {"questions": questions_list(assembly, PARTICIPANT, questions)}
    socketio.emit("questions", public, to=room[PARTICIPANT], namespace=NAMESPACE)
    socketio.emit("questions", public, to=room[SCREEN], namespace=NAMESPACE)
    socketio.emit("questions", {"questions": questions_list(assembly, CONSOLE, questions),
                                "moderation": assembly.question_moderation.value},
                  to=room[CONSOLE], namespace=NAMESPACE)


def _send_speakers(assembly: Assembly) -> None:
    from deliberation.assemblies import services

    requests = services.list_speakers(assembly)
    room = rooms(assembly.id)
    public = {"speakers": speakers_list(assembly, PARTICIPANT, requests)}
    socketio.emit("speakers", public, to=room[PARTICIPANT], namespace=NAMESPACE)
    socketio.emit("speakers", public, to=room[SCREEN], namespace=NAMESPACE)
    socketio.emit("speakers", {"speakers": speakers_list(assembly, CONSOLE, requests)}, to=room[CONSOLE],
                  namespace=NAMESPACE)


def _send_timer(assembly: Assembly) -> None:
    from deliberation.assemblies import services

    payload = {"timer": services.timer_state(assembly)}
    for name in (PARTICIPANT, SCREEN, CONSOLE):
        socketio.emit("timer", payload, to=rooms(assembly.id)[name], namespace=NAMESPACE)


SENDERS = {"questions": _send_questions, "speakers": _send_speakers, "timer": _send_timer}


def _send(kind: str, assembly_id: int) -> None:
    db.session.expire_all()  # read what was committed, not what this session remembers
    assembly = db.session.get(Assembly, assembly_id)
    if assembly is not None:
        SENDERS[kind](assembly)


def _later(app, kind: str, assembly_id: int) -> None:
    socketio.sleep(int(app.config["ASSEMBLIES_TALLY_INTERVAL_MS"]) / 1000)
    _scheduled.discard((kind, assembly_id))  # a change committed from now on schedules its own message
    with app.app_context():
        try:
            _send(kind, assembly_id)
        except Exception:
            app.logger.exception("live %s broadcast failed", kind)
        finally:
            db.session.remove()


def _queue(kind: str, assembly_id: int, *, coalesce: bool = True) -> None:
    """After the commit: send now (the timer; every message in tests), or once per interval per assembly."""
    app = current_app._get_current_object()

    def send() -> None:
        if app.testing or not coalesce:
            _send(kind, assembly_id)
            return
        if (kind, assembly_id) in _scheduled:
            return
        _scheduled.add((kind, assembly_id))
        socketio.start_background_task(_later, app, kind, assembly_id)

    after_commit(send)


def broadcast_questions(assembly_id: int) -> None:
    _queue("questions", assembly_id)


def broadcast_speakers(assembly_id: int) -> None:
    _queue("speakers", assembly_id)


def broadcast_timer(assembly_id: int) -> None:
    _queue("timer", assembly_id, coalesce=False)
