"""The speaker queue (demandes de parole): a participant raises or lowers their hand (one open request each), the
console calls the next speaker or a given one (with an optional speaking-time countdown) and marks them done.

Speakers have no account: an optional short name given when raising the hand, or "Participant·e n°X", where X
is the participant's rank of arrival in the assembly.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from deliberation.assemblies import policies
from deliberation.assemblies.models import (
    SPEAKER_NAME_MAX_LENGTH,
    Assembly,
    Participant,
    SpeakerRequest,
    SpeakerState,
)
from deliberation.assemblies.services.common import require_not_ended
from deliberation.assemblies.services.questions import ROOM_MESSAGES, room_error
from deliberation.assemblies.services.timer import start_timer
from deliberation.core import audit, clock
from deliberation.core.errors import Conflict, Invalid, NotFound, require
from deliberation.core.transaction import in_unit_of_work
from deliberation.extensions import db

OPEN_STATES = (SpeakerState.WAITING, SpeakerState.SPEAKING)


def announce_speakers(assembly_id: int) -> None:
    if in_unit_of_work():
        from deliberation.assemblies.live.room_broadcast import broadcast_speakers

        broadcast_speakers(assembly_id)


def clean_speaker_name(name) -> str | None:
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if len(name) > SPEAKER_NAME_MAX_LENGTH:
        raise room_error(Invalid, "invalid_speaker_name", fields={"name": [ROOM_MESSAGES["invalid_speaker_name"]]})
    return name or None


def open_request(participant: Participant) -> SpeakerRequest | None:
    return db.session.scalar(select(SpeakerRequest).where(
        SpeakerRequest.assembly_id == participant.assembly_id, SpeakerRequest.participant_id == participant.id,
        SpeakerRequest.state.in_(OPEN_STATES)))


def _arrival_rank(participant: Participant) -> int:
    return db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.assembly_id == participant.assembly_id, Participant.id <= participant.id))


def raise_hand(participant: Participant, name: str | None = None) -> tuple[SpeakerRequest, bool]:
    """(the participant's open request, True when raised now). Raising a raised hand changes nothing."""
    require_not_ended(participant.assembly)
    name = clean_speaker_name(name)
    existing = open_request(participant)
    if existing is not None:
        return existing, False
    request = SpeakerRequest(assembly_id=participant.assembly_id, participant_id=participant.id, display_name=name,
                             number=_arrival_rank(participant), state=SpeakerState.WAITING, requested_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:  # the same phone raising its hand twice at once
        existing = open_request(participant)
        if existing is None:
            raise
        return existing, False
    announce_speakers(participant.assembly_id)
    return request, True


def lower_hand(participant: Participant) -> bool:
    """Withdraw a waiting request, or end one's own turn; True when something changed."""
    request = open_request(participant)
    if request is None:
        return False
    request.state = SpeakerState.WITHDRAWN if request.state == SpeakerState.WAITING else SpeakerState.DONE
    request.ended_at = clock.now()
    db.session.flush()
    announce_speakers(participant.assembly_id)
    return True


def current_speaker(assembly: Assembly) -> SpeakerRequest | None:
    return db.session.scalar(select(SpeakerRequest).where(SpeakerRequest.assembly_id == assembly.id,
                                                          SpeakerRequest.state == SpeakerState.SPEAKING))


def _finish(request: SpeakerRequest, actor) -> None:
    request.state = SpeakerState.DONE
    request.ended_at = clock.now()
    db.session.flush()
    audit.record(actor, "speaker_done", request, assembly_id=request.assembly_id)


def call_speaker(assembly: Assembly, actor, *, request_id: int | None = None,
                 seconds: int | None = None) -> SpeakerRequest:
    """Give the floor to the first waiting person (or to `request_id`), ending the current speaker's turn;
    with `seconds`, start the speaking-time countdown. Audited."""
    require(policies.can_manage_speakers(actor, assembly), "forbidden")
    require_not_ended(assembly)
    if request_id is not None:
        request = db.session.get(SpeakerRequest, request_id) if isinstance(request_id, int) else None
        if request is None or request.assembly_id != assembly.id:
            raise NotFound()
        if request.state != SpeakerState.WAITING:
            raise room_error(Conflict, "speaker_not_waiting")
    else:
        request = db.session.scalar(select(SpeakerRequest).where(
            SpeakerRequest.assembly_id == assembly.id, SpeakerRequest.state == SpeakerState.WAITING)
            .order_by(SpeakerRequest.requested_at, SpeakerRequest.id).limit(1))
        if request is None:
            raise room_error(Conflict, "no_speaker_waiting")
    speaking = current_speaker(assembly)
    if speaking is not None:
        _finish(speaking, actor)
    request.state = SpeakerState.SPEAKING
    request.called_at = clock.now()
    db.session.flush()
    audit.record(actor, "speaker_called", request, assembly_id=assembly.id, seconds=seconds)
    if seconds is not None:
        from flask_babel import gettext as _

        label = (_("Speaking time: %(name)s", name=request.display_name) if request.display_name
                 else _("Speaking time: participant no. %(number)s", number=request.number))
        start_timer(assembly, actor, seconds=seconds, label=label[:80])
    announce_speakers(assembly.id)
    return request


def finish_speaker(assembly: Assembly, actor) -> bool:
    """The current speaker is done (True), or nobody was speaking (False, nothing changes). Audited."""
    require(policies.can_manage_speakers(actor, assembly), "forbidden")
    speaking = current_speaker(assembly)
    if speaking is None:
        return False
    _finish(speaking, actor)
    announce_speakers(assembly.id)
    return True


def list_speakers(assembly: Assembly) -> list[SpeakerRequest]:
    """The current speaker (if any), then the waiting requests in order of arrival."""
    requests = db.session.scalars(select(SpeakerRequest).where(
        SpeakerRequest.assembly_id == assembly.id, SpeakerRequest.state.in_(OPEN_STATES))
        .order_by(SpeakerRequest.requested_at, SpeakerRequest.id)).all()
    return sorted(requests, key=lambda request: request.state != SpeakerState.SPEAKING)
