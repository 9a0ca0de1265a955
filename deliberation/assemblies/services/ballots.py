"""Casting a vote: validate, chain a log entry on the poll's head, keep the participant's latest ballot.

One vote (`cast_vote`, the REST route): one locked read of the poll, one lookup of the ballot id, one of the
participant's current ballot, two writes and a compare-and-swap of the log head, in the caller's unit of work.
Many votes on one poll (`submit_ballot_batch`, the live intake): the same rules with one read and one write of
each kind for the whole batch, which is what lets one process take in a room's burst.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from deliberation.assemblies import receipts
from deliberation.assemblies.models import Ballot, BallotLogEntry, Participant, Poll, PollState
from deliberation.assemblies.voting import InvalidChoice, validate_choice
from deliberation.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from deliberation.core.transaction import after_commit, in_unit_of_work
from deliberation.extensions import db

APPEND_ATTEMPTS = 3


class _HeadMoved(Exception):
    """Another vote was chained on the head we read: read again and chain on the new head."""


def canonical_ballot_id(ballot_id) -> str:
    """The client's UUID as canonical lower-case text, or 422 invalid_ballot_id."""
    if not isinstance(ballot_id, str) or len(ballot_id) > 64:
        raise Invalid("invalid_ballot_id")
    try:
        return str(uuid.UUID(ballot_id))
    except ValueError:
        raise Invalid("invalid_ballot_id") from None


def lock_poll(poll_id: int) -> Poll:
    """The poll, re-read and locked until commit, so votes on one poll chain one after the other.

    PostgreSQL: its row lock (SELECT … FOR UPDATE). SQLite: a no-op UPDATE takes the database's write lock,
    waiting for it (busy_timeout); made the first statement of a transaction (as the vote adapter does), it
    also keeps the transaction from reading a snapshot that another vote makes stale.
    """
    query = select(Poll).where(Poll.id == poll_id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    else:
        db.session.execute(update(Poll).where(Poll.id == poll_id).values(log_length=Poll.log_length)
                           .execution_options(synchronize_session=False))
    poll = db.session.scalar(query)
    if poll is None:
        raise NotFound()
    return poll


def _logged_receipt(poll: Poll, ballot_id: str) -> str | None:
    return db.session.scalar(select(BallotLogEntry.receipt).where(BallotLogEntry.poll_id == poll.id,
                                                                 BallotLogEntry.ballot_id == ballot_id))


def submit_ballot(poll: Poll, participant: Participant, *, ballot_id, choice) -> tuple[str, bool]:
    """(receipt, created): `cast_vote` on a poll that `lock_poll` returned in this transaction, also saying
    whether this call stored the ballot (False for a retry). Adapters lock first so that on SQLite the lock is
    the transaction's first statement; taking it again here cost a second UPDATE and SELECT on every vote."""
    ballot_id = canonical_ballot_id(ballot_id)
    if participant.assembly_id != poll.assembly_id:
        raise Forbidden("not_a_participant")
    stored = _logged_receipt(poll, ballot_id)
    if stored is not None:  # a retry (lost acknowledgement, reconnection): counted once
        return stored, False
    if poll.state != PollState.OPEN:
        raise Conflict("poll_closed" if poll.state == PollState.CLOSED else "poll_not_open")
    try:
        normalised = validate_choice(poll.method, choice, poll.option_ids, max_choices=poll.max_choices)
    except InvalidChoice as error:
        raise Invalid(error.code) from None
    for attempt in range(APPEND_ATTEMPTS):
        try:
            with db.session.begin_nested():
                receipt = _append(poll, participant, ballot_id, normalised)
            _tally_due(poll.id)
            return receipt, True
        except (IntegrityError, _HeadMoved):
            # A concurrent duplicate (same device, same poll) or a vote chained first: read again.
            poll = lock_poll(poll.id)
            stored = _logged_receipt(poll, ballot_id)
            if stored is not None:
                return stored, False
            if poll.state != PollState.OPEN:
                raise Conflict("poll_closed") from None
            if attempt == APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _tally_due(poll_id: int) -> None:
    """Once committed, the poll's tally is due: the live coalescer sends it within an interval."""
    if in_unit_of_work():
        from deliberation.assemblies.live.tallies import mark_dirty

        after_commit(lambda: mark_dirty(poll_id))


def my_ballots(participant: Participant) -> dict[int, Ballot]:
    """The participant's current ballots, by poll id (what a reconnecting phone shows as already voted)."""
    ballots = db.session.scalars(select(Ballot).where(Ballot.participant_id == participant.id))
    return {ballot.poll_id: ballot for ballot in ballots}


def cast_vote(poll: Poll, participant: Participant, *, ballot_id, choice) -> str:
    """Store `participant`'s ballot on `poll` and return its receipt.

    The poll must be open (409 poll_closed / poll_not_open); the choice is validated by voting.validate_choice
    (422 with its code: invalid_choice, unknown_option, duplicate_option, too_many_choices, invalid_mention);
    ballot_id is a client-made UUID (422 invalid_ballot_id). The same ballot_id again returns the same receipt
    and changes nothing. A new ballot of the same participant replaces the previous one (the last counts) and
    its log entry `replaces` the previous receipt.
    """
    return submit_ballot(lock_poll(poll.id), participant, ballot_id=ballot_id, choice=choice)[0]


def _append(poll: Poll, participant: Participant, ballot_id: str, choice) -> str:
    current = db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id,
                                                     Ballot.participant_id == participant.id))
    previous = poll.log_head
    entry = receipts.make_entry(previous, poll.id, ballot_id, choice, current.receipt if current else None)
    db.session.add(BallotLogEntry(poll_id=poll.id, position=poll.log_length, **entry))
    if current is None:
        db.session.add(Ballot(poll_id=poll.id, participant_id=participant.id, ballot_id=ballot_id,
                              choice=choice, receipt=entry["receipt"]))
    else:
        current.ballot_id, current.choice, current.receipt = ballot_id, choice, entry["receipt"]
    db.session.flush()
    moved = db.session.execute(
        update(Poll).where(Poll.id == poll.id, Poll.log_head == previous, Poll.log_length == poll.log_length)
        .values(log_head=entry["receipt"], log_length=Poll.log_length + 1,
                ballot_count=Poll.ballot_count + (0 if current else 1))
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise _HeadMoved()
    db.session.expire(poll, ["log_head", "log_length", "ballot_count"])
    return entry["receipt"]


@dataclass(frozen=True)
class BallotRequest:
    """One vote of a live participant, as its socket session knows them (ballot_id already canonical)."""

    participant_id: int
    assembly_id: int
    ballot_id: str
    choice: Any


def submit_ballot_batch(poll: Poll, requests: list[BallotRequest]) -> list[tuple[str, bool] | DomainError]:
    """`submit_ballot` for several votes on a poll that `lock_poll` returned in this transaction, in order.

    Each request gets (receipt, created) or the DomainError that refuses it alone: a poll of another assembly
    or a draft is not found, a closed poll refuses, a bad choice is invalid; a ballot_id already logged (here
    or earlier in the batch) returns its receipt. Votes are chained in the order given; a participant's later
    vote replaces their earlier one, in the batch as in the table. Nothing here commits.
    """
    ballot_ids = [request.ballot_id for request in requests]
    logged = dict(db.session.execute(
        select(BallotLogEntry.ballot_id, BallotLogEntry.receipt)
        .where(BallotLogEntry.poll_id == poll.id, BallotLogEntry.ballot_id.in_(set(ballot_ids)))).all())
    current = {participant_id: (ballot_row, receipt) for ballot_row, participant_id, receipt in db.session.execute(
        select(Ballot.id, Ballot.participant_id, Ballot.receipt)
        .where(Ballot.poll_id == poll.id,
               Ballot.participant_id.in_({request.participant_id for request in requests})))}
    option_ids = poll.option_ids
    head, length = poll.log_head, poll.log_length
    entries, new_ballots, changed_ballots, outcomes = [], {}, {}, []
    for request in requests:
        if request.ballot_id in logged:
            outcomes.append((logged[request.ballot_id], False))
            continue
        try:
            if request.assembly_id != poll.assembly_id or poll.state == PollState.DRAFT:
                raise NotFound()
            if poll.state != PollState.OPEN:
                raise Conflict("poll_closed")
            try:
                choice = validate_choice(poll.method, request.choice, option_ids, max_choices=poll.max_choices)
            except InvalidChoice as error:
                raise Invalid(error.code) from None
        except DomainError as error:
            outcomes.append(error)
            continue
        previous = current.get(request.participant_id)
        entry = receipts.make_entry(head, poll.id, request.ballot_id, choice, previous[1] if previous else None)
        entries.append({"poll_id": poll.id, "position": length, **entry})
        head, length = entry["receipt"], length + 1
        ballot = {"ballot_id": request.ballot_id, "choice": choice, "receipt": entry["receipt"]}
        if previous is not None and previous[0] is not None:
            changed_ballots[previous[0]] = {"row": previous[0], **ballot}
        else:
            new_ballots[request.participant_id] = {"poll_id": poll.id, "participant_id": request.participant_id,
                                                   **ballot}
        current[request.participant_id] = (previous[0] if previous else None, entry["receipt"])
        logged[request.ballot_id] = entry["receipt"]
        outcomes.append((entry["receipt"], True))
    if entries:
        _write_batch(poll, entries, list(new_ballots.values()), list(changed_ballots.values()), head)
    return outcomes


def _write_batch(poll: Poll, entries: list[dict], new_ballots: list[dict], changed_ballots: list[dict],
                 head: str) -> None:
    db.session.execute(insert(BallotLogEntry), entries)
    if new_ballots:
        db.session.execute(insert(Ballot), new_ballots)
    if changed_ballots:
        db.session.connection().execute(
            update(Ballot.__table__).where(Ballot.__table__.c.id == bindparam("row"))
            .values(ballot_id=bindparam("ballot_id"), choice=bindparam("choice"), receipt=bindparam("receipt")),
            changed_ballots)
    moved = db.session.execute(
        update(Poll).where(Poll.id == poll.id, Poll.log_head == poll.log_head, Poll.log_length == poll.log_length)
        .values(log_head=head, log_length=Poll.log_length + len(entries),
                ballot_count=Poll.ballot_count + len(new_ballots))
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # the poll was not locked by this transaction: a caller's bug, never a race
        raise _HeadMoved()
    db.session.expire(poll, ["log_head", "log_length", "ballot_count"])
    _tally_due(poll.id)
