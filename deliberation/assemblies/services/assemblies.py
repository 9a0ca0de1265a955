"""Assemblies: create, start, end, agenda."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from deliberation.assemblies import policies
from deliberation.assemblies.models import (
    JOIN_CODE_LENGTH,
    TITLE_MAX_LENGTH,
    AgendaItem,
    Assembly,
    AssemblyMode,
    AssemblyState,
    PollState,
)
from deliberation.assemblies.services.common import require_manager, require_not_ended
from deliberation.assemblies.services.polls import close_poll
from deliberation.core import audit, clock, signals
from deliberation.core.errors import Invalid, NotFound, require
from deliberation.extensions import db

# No 0/O, 1/I/L: a code read aloud or copied from a projector is not mistyped.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_ATTEMPTS = 20


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "").replace("-", "")


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise Invalid("invalid_title")
    return title


def create_assembly(actor, *, title: str, consultation=None, mode: AssemblyMode | str = AssemblyMode.IN_PERSON,
                    starts_at: datetime | None = None, requires_sign_in: bool = False,
                    quorum: int | None = None) -> Assembly:
    """A scheduled assembly with a fresh, unique join code (retried on the rare collision)."""
    require(policies.can_create_assembly(actor, consultation), "forbidden")
    if quorum is not None and quorum < 1:
        raise Invalid("invalid_quorum")
    assembly = Assembly(
        title=_title(title), consultation_id=consultation.id if consultation is not None else None,
        mode=AssemblyMode(mode), state=AssemblyState.SCHEDULED, starts_at=starts_at,
        requires_sign_in=bool(requires_sign_in), quorum=quorum, peak_attendance=0,
        created_by_id=getattr(actor, "id", None), created_at=clock.now(),
    )
    for attempt in range(JOIN_CODE_ATTEMPTS):
        code = new_join_code()
        if db.session.scalar(select(Assembly.id).where(Assembly.join_code == code)) is not None:
            continue
        assembly.join_code = code
        try:
            with db.session.begin_nested():
                db.session.add(assembly)
        except IntegrityError:  # another assembly took the code between the check and the insert
            if attempt == JOIN_CODE_ATTEMPTS - 1:
                raise
            continue
        break
    else:
        raise RuntimeError("no free join code found")
    audit.record(actor, "assembly_created", assembly, title=assembly.title, join_code=assembly.join_code,
                 consultation_id=assembly.consultation_id)
    return assembly


def start_assembly(assembly: Assembly, actor) -> Assembly:
    """scheduled → live. Starting a live assembly changes nothing; an ended one cannot start again."""
    require_manager(actor, assembly)
    require_not_ended(assembly)
    if assembly.state == AssemblyState.SCHEDULED:
        assembly.state = AssemblyState.LIVE
        db.session.flush()
        audit.record(actor, "assembly_started", assembly)
    return assembly


def end_assembly(assembly: Assembly, actor) -> Assembly:
    """→ ended, closing its open polls (each audited). Ending twice changes nothing."""
    require_manager(actor, assembly)
    if assembly.state == AssemblyState.ENDED:
        return assembly
    for poll in assembly.polls:
        if poll.state == PollState.OPEN:
            close_poll(poll, actor)
    assembly.state = AssemblyState.ENDED
    db.session.flush()
    audit.record(actor, "assembly_ended", assembly)
    return assembly


def add_agenda_item(assembly: Assembly, actor, *, title: str, proposals=()) -> AgendaItem:
    """Append a point to the agenda, optionally about proposals of the assembly's consultation."""
    require_manager(actor, assembly)
    require_not_ended(assembly)
    proposals = list(proposals)
    if any(proposal.consultation_id != assembly.consultation_id for proposal in proposals):
        raise Invalid("proposal_not_in_consultation")
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.assembly_id == assembly.id))
    item = AgendaItem(assembly=assembly, position=(last or 0) + 1, title=_title(title), proposals=proposals)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "agenda_item_added", item, assembly_id=assembly.id,
                 proposal_ids=[proposal.id for proposal in proposals])
    if proposals:
        signals.agenda_item_added.send(item, proposals=proposals, actor=actor)
    return item


def record_attendance(assembly: Assembly, connected: int) -> bool:
    """Raise the assembly's peak attendance to `connected` if it is higher (True when it grew). One
    conditional UPDATE, so workers counting at once never lower it."""
    if connected <= assembly.peak_attendance:
        return False
    grew = db.session.execute(
        update(Assembly).where(Assembly.id == assembly.id, Assembly.peak_attendance < connected)
        .values(peak_attendance=connected).execution_options(synchronize_session=False))
    db.session.expire(assembly, ["peak_attendance"])
    return grew.rowcount == 1


def get_assembly(assembly_id: int) -> Assembly:
    assembly = db.session.get(Assembly, assembly_id) if isinstance(assembly_id, int) else None
    if assembly is None:
        raise NotFound()
    return assembly


def find_assembly_by_code(code: str) -> Assembly | None:
    code = normalise_join_code(code)
    if len(code) != JOIN_CODE_LENGTH:
        return None
    return db.session.scalar(select(Assembly).where(Assembly.join_code == code))
