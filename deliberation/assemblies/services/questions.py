"""Questions from the room (questions de la salle): asked from a phone, upvoted once per participant, moderated
from the console (every decision audited), at most one on the screen.

Post-moderation (the default) shows a question at once; pre-moderation keeps it pending, seen only by its
author and the console, until a facilitator accepts it. A question is anonymous: `participant_id` only tells
its author it is theirs and keeps upvotes to one per participant.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from deliberation.assemblies import policies
from deliberation.assemblies.models import (
    QUESTION_MAX_LENGTH,
    AgendaItem,
    Assembly,
    Participant,
    Question,
    QuestionModeration,
    QuestionState,
    QuestionUpvote,
)
from deliberation.assemblies.services.common import require_not_ended
from deliberation.core import audit, clock
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, require
from deliberation.core.transaction import in_unit_of_work
from deliberation.extensions import db

DEFAULT_QUESTION_INTERVAL_S = 20

# The refusals of questions, speakers and timer, with their messages (core.errors.MESSAGES holds the shared ones).
ROOM_MESSAGES = {
    "question_empty": _l("Write your question before sending it."),
    "question_too_long": _l("A question has at most %(max)s characters.", max=QUESTION_MAX_LENGTH),
    "question_rate_limited": _l("You have just asked a question. Please wait a few seconds before the next one."),
    "question_transition_not_allowed": _l("This question cannot be changed this way in its current state."),
    "no_speaker_waiting": _l("Nobody is waiting to speak."),
    "speaker_not_waiting": _l("This person is no longer waiting to speak."),
    "invalid_speaker_name": _l("A name has at most 60 characters."),
    "invalid_timer_duration": _l("Give a duration between 1 second and 4 hours."),
    "invalid_timer_label": _l("A timer label has at most 80 characters."),
}

# action → (states it applies to, resulting state, audit action)
QUESTION_ACTIONS = {
    "accept": ({QuestionState.PENDING}, QuestionState.VISIBLE, "question_accepted"),
    "hide": ({QuestionState.PENDING, QuestionState.VISIBLE, QuestionState.ANSWERED, QuestionState.ON_SCREEN},
             QuestionState.HIDDEN, "question_hidden"),
    "restore": ({QuestionState.HIDDEN}, QuestionState.VISIBLE, "question_restored"),
    "answer": ({QuestionState.VISIBLE, QuestionState.ON_SCREEN}, QuestionState.ANSWERED, "question_answered"),
    "show": ({QuestionState.VISIBLE, QuestionState.ANSWERED}, QuestionState.ON_SCREEN, "question_put_on_screen"),
    "unshow": ({QuestionState.ON_SCREEN}, QuestionState.VISIBLE, "question_taken_off_screen"),
}


def room_error(kind, code: str, **kwargs):
    """A DomainError of class `kind` carrying this module's message for `code`."""
    return kind(code, ROOM_MESSAGES[code], **kwargs)


def announce_questions(assembly_id: int) -> None:
    """Once committed, the assembly's `questions` go to its rooms (coalesced: live/room_broadcast)."""
    if in_unit_of_work():
        from deliberation.assemblies.live.room_broadcast import broadcast_questions

        broadcast_questions(assembly_id)


def clean_question_text(text) -> str:
    text = " ".join(text.split()) if isinstance(text, str) else ""
    if not text:
        raise room_error(Invalid, "question_empty", fields={"text": [ROOM_MESSAGES["question_empty"]]})
    if len(text) > QUESTION_MAX_LENGTH:
        raise room_error(Invalid, "question_too_long", fields={"text": [ROOM_MESSAGES["question_too_long"]]})
    return text


def _require_interval(participant: Participant) -> None:
    interval = int(current_app.config.get("ASSEMBLIES_QUESTION_INTERVAL_S", DEFAULT_QUESTION_INTERVAL_S))
    if interval <= 0:
        return
    last = db.session.scalar(select(func.max(Question.asked_at)).where(Question.participant_id == participant.id))
    if last is not None and clock.now() - _aware(last) < timedelta(seconds=interval):
        raise room_error(RateLimited, "question_rate_limited")


def _aware(moment):
    """SQLite gives naive datetimes back (stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def ask_question(participant: Participant, text: str, *, user=None) -> Question:
    """A participant's question: trimmed, 1–280 characters, one per participant every 20 s (configurable),
    visible at once under post-moderation, pending under pre-moderation. `user`: the account the phone is
    signed in with, if any: a blocked account asks nothing (403 account_blocked)."""
    assembly = participant.assembly
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_blocked", False):
        raise Forbidden("account_blocked")
    require_not_ended(assembly)
    text = clean_question_text(text)
    _require_interval(participant)
    state = QuestionState.PENDING if assembly.question_moderation == QuestionModeration.PRE else QuestionState.VISIBLE
    question = Question(assembly_id=assembly.id, participant_id=participant.id, text=text, state=state,
                        upvote_count=0, asked_at=clock.now())
    db.session.add(question)
    db.session.flush()
    announce_questions(assembly.id)
    return question


def get_question(question_id, assembly: Assembly) -> Question:
    """A question of `assembly` (404 for another assembly's)."""
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None or question.assembly_id != assembly.id:
        raise NotFound()
    return question


def upvote_question(question: Question, participant: Participant) -> bool:
    """One upvote per participant on a question others can see (404 otherwise). True when counted now, False when
    this participant had already upvoted it (nothing changes)."""
    if question.assembly_id != participant.assembly_id or not policies.question_is_public(question):
        raise NotFound()
    require_not_ended(question.assembly)
    try:
        with db.session.begin_nested():
            db.session.add(QuestionUpvote(question_id=question.id, participant_id=participant.id))
    except IntegrityError:
        return False
    db.session.execute(update(Question).where(Question.id == question.id)
                       .values(upvote_count=Question.upvote_count + 1).execution_options(synchronize_session=False))
    db.session.expire(question, ["upvote_count"])
    announce_questions(question.assembly_id)
    return True


#: The console's decisions taken through the moderation service (a decision of the public moderation log).
MODERATION_DECISIONS = ("hide", "restore")


def moderate_question(question: Question, actor, action: str, *, reason=None, note=None) -> bool:
    """A facilitator's decision (accept, hide, restore, answer, show, unshow), audited. Putting a question on the
    screen takes the one shown until then back to visible. Returns False when the question is already in the
    state the action leads to (nothing changes), raises 409 when the action does not apply to its state.

    Hide and restore are moderation decisions (moderation.services.decide_on_question): in the public log with
    `reason` (a ReportReason, off_topic by default when hiding) and an optional public `note`, under the
    moderation rules (never on a question one asked or reported), the phones and the screen told after the
    commit as for any other change."""
    assembly = question.assembly
    require(policies.can_moderate_questions(actor, assembly), "forbidden")
    if action not in QUESTION_ACTIONS:
        raise Invalid("validation_error")
    sources, target, audit_action = QUESTION_ACTIONS[action]
    if question.state == target:
        return False
    if question.state not in sources:
        raise room_error(Conflict, "question_transition_not_allowed")
    require_not_ended(assembly)
    previous = question.state
    if action in MODERATION_DECISIONS:
        from deliberation.moderation import services as moderation

        decision = moderation.decide_on_question(actor, question, action, reason=reason, note=note)
        audit.record(actor, audit_action, question, assembly_id=assembly.id, previous=previous.value,
                     state=question.state.value, decision_id=decision.id)
        return True
    if target == QuestionState.ON_SCREEN:
        shown = db.session.scalars(select(Question).where(Question.assembly_id == assembly.id,
                                                          Question.state == QuestionState.ON_SCREEN)).all()
        for other in shown:
            other.state = QuestionState.VISIBLE
            db.session.flush()
            audit.record(actor, "question_taken_off_screen", other, assembly_id=assembly.id)
    question.state = target
    db.session.flush()
    audit.record(actor, audit_action, question, assembly_id=assembly.id, previous=previous.value,
                 state=target.value)
    announce_questions(assembly.id)
    return True


def set_question_hidden_by_moderation(question: Question, hidden: bool,
                                     previous: QuestionState | str | None = None) -> QuestionState:
    """The moderation module hides a reported question (or restores it to `previous`, never back on the screen,
    and a question hidden while awaiting moderation comes back accepted: restoring it is a decision on it); its
    service checked the policy and writes the audit entry. Returns the state it left."""
    left = question.state
    if hidden:
        question.state = QuestionState.HIDDEN
    else:
        restored = QuestionState(previous) if previous else QuestionState.VISIBLE
        question.state = QuestionState.VISIBLE if restored in (
            QuestionState.HIDDEN, QuestionState.ON_SCREEN, QuestionState.PENDING) else restored
    if question.state != left:
        db.session.flush()
        announce_questions(question.assembly_id)
    return left


def attach_question(question: Question, actor, agenda_item: AgendaItem | None) -> Question:
    """Attach a question to an agenda item of its assembly (or detach it with None), audited."""
    assembly = question.assembly
    require(policies.can_moderate_questions(actor, assembly), "forbidden")
    if agenda_item is not None and agenda_item.assembly_id != assembly.id:
        raise Invalid("agenda_item_not_in_assembly")
    new_id = agenda_item.id if agenda_item is not None else None
    if question.agenda_item_id != new_id:
        question.agenda_item_id = new_id
        db.session.flush()
        audit.record(actor, "question_attached", question, assembly_id=assembly.id, agenda_item_id=new_id)
        announce_questions(assembly.id)
    return question


def set_question_moderation(assembly: Assembly, actor, mode: QuestionModeration | str) -> Assembly:
    """Pre- or post-moderation for the questions asked from now on (pending ones stay pending), audited."""
    require(policies.can_moderate_questions(actor, assembly), "forbidden")
    require_not_ended(assembly)
    mode = QuestionModeration(mode)
    if assembly.question_moderation != mode:
        assembly.question_moderation = mode
        db.session.flush()
        audit.record(actor, "question_moderation_changed", assembly, mode=mode.value)
        announce_questions(assembly.id)
    return assembly


# Queries

def list_questions(assembly: Assembly) -> list[Question]:
    """Every question of the assembly, most upvoted first, then oldest first."""
    return list(db.session.scalars(select(Question).where(Question.assembly_id == assembly.id)
                                   .order_by(Question.upvote_count.desc(), Question.asked_at, Question.id)))


def my_question_ids(participant: Participant) -> set[int]:
    return set(db.session.scalars(select(Question.id).where(Question.participant_id == participant.id)))


def my_upvoted_ids(participant: Participant) -> set[int]:
    return set(db.session.scalars(select(QuestionUpvote.question_id)
                                  .where(QuestionUpvote.participant_id == participant.id)))


def count_hidden_questions(assembly: Assembly) -> int:
    return db.session.scalar(select(func.count()).select_from(Question).where(
        Question.assembly_id == assembly.id, Question.state == QuestionState.HIDDEN))
