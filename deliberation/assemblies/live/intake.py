"""Vote intake: the socket votes of a process are written by one writer, a small batch per transaction.

A room votes in a burst. One transaction per vote makes the database's commit and the ORM's per-statement
work the bottleneck (about 3 ms of CPU per vote, measured: a 1,000-phone burst took 3.7 s to store). Here each
`cast_vote` handler queues its vote and waits; the writer takes everything queued since its last commit,
stores it with `services.submit_ballot_batch` (one poll lock, one read and one write of each kind per poll) in
one unit of work, then releases the handlers, which ack. A vote is acknowledged only once its batch committed.

If a batch fails as a whole (a lost connection, a constraint a concurrent writer tripped), its votes are
stored one by one by the ordinary path, so one bad vote never fails the others. Without a running writer
(tests, one-off scripts), `submit` stores the vote itself, as a batch of one.
"""

from __future__ import annotations

import os
import threading
from itertools import groupby

from flask import Flask, current_app

from deliberation.assemblies import services
from deliberation.assemblies.models import Participant
from deliberation.assemblies.services.ballots import BallotRequest
from deliberation.core.errors import DomainError, Forbidden
from deliberation.core.transaction import retry_when_locked
from deliberation.extensions import db, socketio

BATCH_LIMIT = 500  # votes per transaction: bounds a batch's duration, not its benefit
# A handler gives up before the phone does (ACK_TIMEOUT_MS, 8 s, in live-phone-core.js); the phone then sends the
# same ballot_id again, which counts once.
WAIT_S = 6


class PendingVote:
    def __init__(self, poll_id: int, request: BallotRequest):
        self.poll_id, self.request = poll_id, request
        self.outcome: tuple[str, bool] | DomainError | None = None


class _Batch:
    """The votes queued since the writer last took them, and the one event their handlers all wait on (one
    event per batch, not per vote: creating and waiting on an event per vote cost a third of a vote's CPU)."""

    def __init__(self):
        self.votes: list[PendingVote] = []
        self.written = _new_event()


def _new_event():
    """An event of the server's async mode (gevent's under `deliberation serve`)."""
    server = getattr(socketio, "server", None)
    return server.eio.create_event() if server is not None else threading.Event()


_state: dict = {"batch": None, "wakeup": None, "writer_pid": None}


def submit(poll_id: int, request: BallotRequest) -> tuple[str, bool]:
    """Store one vote (through this process's writer when it runs): (receipt, created), or raise its
    DomainError. Returns only once the vote is committed."""
    vote = PendingVote(poll_id, request)
    if _state["writer_pid"] != os.getpid():
        write([vote])
    else:
        batch = _state["batch"]
        batch.votes.append(vote)
        _state["wakeup"].set()
        if not batch.written.wait(WAIT_S) or vote.outcome is None:
            # The writer is stuck (database unreachable?): the vote may still be stored later; the phone keeps
            # it and sends the same ballot_id again, which can only count once.
            raise DomainError("vote_not_confirmed", status=503)
    if isinstance(vote.outcome, DomainError):
        raise vote.outcome
    return vote.outcome


def write(votes: list[PendingVote]) -> None:
    """Store `votes` (in the current app context), one unit of work per poll, and settle every one."""
    for poll_id, group in groupby(sorted(votes, key=lambda vote: vote.poll_id), key=lambda vote: vote.poll_id):
        group = list(group)
        requests = [vote.request for vote in group]
        try:
            outcomes = retry_when_locked(
                lambda poll_id=poll_id, requests=requests: services.submit_ballot_batch(services.lock_poll(poll_id),
                                                                                        requests))
        except DomainError as error:  # the poll itself (unknown): the same answer for each vote
            outcomes = [error] * len(group)
        except Exception:
            current_app.logger.exception("batch of %d votes on poll %d failed; storing them one by one",
                                         len(group), poll_id)
            db.session.rollback()
            outcomes = [_write_alone(vote) for vote in group]
        for vote, outcome in zip(group, outcomes, strict=True):
            vote.outcome = outcome


def _write_alone(vote: PendingVote) -> tuple[str, bool] | DomainError:
    request = vote.request

    def store():
        poll = services.lock_poll(vote.poll_id)
        participant = db.session.get(Participant, request.participant_id)
        if participant is None:
            raise Forbidden("not_a_participant")
        return services.submit_ballot_batch(poll, [request])[0]

    try:
        return retry_when_locked(store)
    except DomainError as error:
        return error
    except Exception:
        current_app.logger.exception("vote on poll %d failed", vote.poll_id)
        db.session.rollback()
        return DomainError("internal_error")


# The writer

def ensure_writer(app: Flask) -> None:
    """Start this process's writer once (after the fork: each worker has its own). A testing app runs none:
    its handlers store their votes themselves."""
    if app.testing or _state["writer_pid"] == os.getpid():
        return
    _state.update(batch=_Batch(), wakeup=_new_event(), writer_pid=os.getpid())
    socketio.start_background_task(_run_writer, app)


def _run_writer(app: Flask) -> None:
    wakeup = _state["wakeup"]
    while True:
        wakeup.wait()
        wakeup.clear()
        while _state["batch"].votes:
            batch, _state["batch"] = _state["batch"], _Batch()
            try:
                for start in range(0, len(batch.votes), BATCH_LIMIT):
                    with app.app_context():
                        write(batch.votes[start:start + BATCH_LIMIT])
            except Exception:  # never leave a handler waiting for a writer that died
                app.logger.exception("vote writer failed")
                for vote in batch.votes:
                    if vote.outcome is None:
                        vote.outcome = DomainError("internal_error")
            finally:
                batch.written.set()
            socketio.sleep(0)  # let the handlers of this batch ack before the next batch
