"""Polls: create, open, close; their results (as visibility allows) and their published ballot log."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict

from sqlalchemy import select

from deliberation.assemblies import policies
from deliberation.assemblies.models import (
    OPTION_LABEL_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    YES_NO_LABELS,
    AgendaItem,
    Assembly,
    Ballot,
    BallotLogEntry,
    Participant,
    Poll,
    PollOption,
    PollState,
    ResultsVisibility,
)
from deliberation.assemblies.receipts import GENESIS
from deliberation.assemblies.services.common import require_manager, require_not_ended
from deliberation.assemblies.services.paper import add_results, paper_batch, paper_public, paper_raw_results
from deliberation.assemblies.voting import PollMethod, ranking, tally
from deliberation.core import audit, clock, signals
from deliberation.core.errors import Conflict, Invalid, NotFound
from deliberation.core.transaction import in_unit_of_work
from deliberation.extensions import db

MIN_OPTIONS = 2
MAX_OPTIONS = 20


def _clean_options(method: PollMethod, options, max_choices: int | None) -> list[str]:
    if method == PollMethod.YES_NO:
        if options:
            raise Invalid("invalid_options")
        if max_choices is not None:
            raise Invalid("invalid_max_choices")
        return []
    labels = [(label or "").strip() if isinstance(label, str) else None for label in (options or [])]
    if (not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS or any(not label for label in labels)
            or any(len(label) > OPTION_LABEL_MAX_LENGTH for label in labels)
            or len({label.casefold() for label in labels}) != len(labels)):
        raise Invalid("invalid_options")
    if method == PollMethod.MULTIPLE:
        if max_choices is None or not 1 <= max_choices <= len(labels):
            raise Invalid("invalid_max_choices")
    elif max_choices is not None:
        raise Invalid("invalid_max_choices")
    return labels


def create_poll(assembly: Assembly, actor, *, question: str, method: PollMethod | str, options=None,
                max_choices: int | None = None,
                results_visibility: ResultsVisibility | str = ResultsVisibility.AFTER_CLOSE,
                totals_only: bool = False, agenda_item: AgendaItem | None = None) -> Poll:
    """A draft poll. yes_no gets its three options (keys yes, no, abstain); the other methods need 2–20
    distinct non-empty labels; multiple needs 1 ≤ max_choices ≤ the number of options."""
    require_manager(actor, assembly)
    require_not_ended(assembly)
    method = PollMethod(method)
    question = (question or "").strip()
    if not question or len(question) > QUESTION_MAX_LENGTH:
        raise Invalid("invalid_question")
    labels = _clean_options(method, options, max_choices)
    if agenda_item is not None and agenda_item.assembly_id != assembly.id:
        raise Invalid("agenda_item_not_in_assembly")
    poll = Poll(assembly=assembly, agenda_item=agenda_item, question=question, method=method,
                max_choices=max_choices, results_visibility=ResultsVisibility(results_visibility),
                totals_only=bool(totals_only), state=PollState.DRAFT, log_head=GENESIS, log_length=0,
                ballot_count=0)
    if method == PollMethod.YES_NO:
        poll.options = [PollOption(position=i, key=key, label=str(YES_NO_LABELS[key]))
                        for i, key in enumerate(YES_NO_LABELS)]
    else:
        poll.options = [PollOption(position=i, label=label) for i, label in enumerate(labels)]
    db.session.add(poll)
    db.session.flush()
    audit.record(actor, "poll_created", poll, assembly_id=assembly.id, method=method.value,
                 results_visibility=poll.results_visibility.value, totals_only=poll.totals_only)
    return poll


def _announce(poll: Poll, actor) -> None:
    """Once committed, the `poll` event goes to the assembly's rooms (whichever adapter opened or closed it)."""
    if in_unit_of_work():
        from deliberation.assemblies.live.broadcast import announce_poll

        announce_poll(poll, actor)


def open_poll(poll: Poll, actor) -> Poll:
    """draft → open. Opening an open poll changes nothing; a closed poll never reopens."""
    require_manager(actor, poll.assembly)
    if poll.state == PollState.OPEN:
        return poll
    if poll.state == PollState.CLOSED:
        raise Conflict("poll_closed")
    require_not_ended(poll.assembly)
    poll.state = PollState.OPEN
    poll.opened_at = clock.now()
    db.session.flush()
    audit.record(actor, "poll_opened", poll, assembly_id=poll.assembly_id)
    _announce(poll, actor)
    return poll


def close_poll(poll: Poll, actor) -> Poll:
    """open → closed, fixing the log head shown on the screen. Closing twice changes nothing."""
    require_manager(actor, poll.assembly)
    if poll.state == PollState.CLOSED:
        return poll
    if poll.state == PollState.DRAFT:
        raise Conflict("poll_not_open")
    poll.state = PollState.CLOSED
    poll.closed_at = clock.now()
    db.session.flush()
    audit.record(actor, "poll_closed", poll, assembly_id=poll.assembly_id, log_head=poll.log_head,
                 ballot_count=poll.ballot_count)
    _announce(poll, actor)
    signals.poll_closed.send(poll)
    return poll


def get_poll(poll_id: int) -> Poll:
    poll = db.session.get(Poll, poll_id) if isinstance(poll_id, int) else None
    if poll is None:
        raise NotFound()
    return poll


# Results

def has_voted(poll: Poll, participant: Participant | None) -> bool:
    if participant is None or participant.assembly_id != poll.assembly_id:
        return False
    return db.session.scalar(select(Ballot.id).where(Ballot.poll_id == poll.id,
                                                     Ballot.participant_id == participant.id)) is not None


def results_visible(poll: Poll, viewer_participant: Participant | None = None) -> bool:
    """What the public (phones, screen, API) may see. after_close is never lifted early."""
    if poll.state == PollState.CLOSED or poll.results_visibility == ResultsVisibility.LIVE:
        return True
    if poll.results_visibility == ResultsVisibility.AFTER_VOTE:
        return has_voted(poll, viewer_participant)
    return False


def _labelled(poll: Poll, raw: list | dict) -> list | dict:
    if isinstance(raw, list):
        labels = {option.public_id: option.display_label for option in poll.options}
        raw = [{"option_id": row["option_id"], "label": labels[row["option_id"]],
                **{key: value for key, value in row.items() if key != "option_id"}} for row in raw]
    return raw


# The online count of each poll as of a log head, per process: every (re)connecting phone's snapshot and every
# coalesced tally read it, and a reconnection storm of 2,000 phones must not recount 2,000 ballots 2,000 times.
# The head hashes the whole history of the poll's ballots, so a cached count is never served for another
# history (a rolled-back vote, or a new poll that reused a deleted poll's id).
_online_counts: OrderedDict[tuple, list | dict] = OrderedDict()
_online_counts_lock = threading.Lock()
ONLINE_COUNTS_KEPT = 256


def online_raw(poll: Poll) -> list | dict:
    option_ids = poll.option_ids
    key = (poll.id, poll.log_head, poll.log_length, poll.method, option_ids, poll.max_choices)
    with _online_counts_lock:
        raw = _online_counts.get(key)
        if raw is not None:
            _online_counts.move_to_end(key)
    if raw is None:
        choices = db.session.scalars(select(Ballot.choice).where(Ballot.poll_id == poll.id).order_by(Ballot.id))
        raw = tally(poll.method, option_ids, choices, max_choices=poll.max_choices)
        with _online_counts_lock:
            _online_counts[key] = raw
            while len(_online_counts) > ONLINE_COUNTS_KEPT:
                _online_counts.popitem(last=False)
    return copy.deepcopy(raw)  # callers label and add to it


def count_results(poll: Poll) -> tuple[list | dict, list]:
    """(online results with labels, ranking) from the current ballots: one per participant, the last one counts."""
    raw = online_raw(poll)
    return _labelled(poll, raw), ranking(poll.method, poll.option_ids, raw)


_LOAD = object()


def combined_results(poll: Poll, batch=_LOAD) -> dict:
    """{total_ballots, results, ranking, online, paper}: `results` and `ranking` add the paper batch (if any;
    `batch` when the caller loaded it already, say for a list of polls) to the online ballots; `online` =
    {total_ballots, results}; `paper` = {total_ballots, results, entered_by, entered_at} or None."""
    online = online_raw(poll)
    if batch is _LOAD:
        batch = paper_batch(poll)
    combined, paper = online, None
    if batch is not None:
        paper_rows = paper_raw_results(poll, batch)
        combined = add_results(poll.method, online, paper_rows)
        paper = {**paper_public(batch), "results": _labelled(poll, paper_rows)}
    return {
        "total_ballots": poll.ballot_count + (batch.ballots if batch is not None else 0),
        "results": _labelled(poll, combined),
        "ranking": ranking(poll.method, poll.option_ids, combined),
        "online": {"total_ballots": poll.ballot_count, "results": _labelled(poll, online)},
        "paper": paper,
    }


def verify_path(poll: Poll) -> str | None:
    """The public verify page of the poll (None in totals-only mode: no log to check)."""
    return None if poll.totals_only else f"/assemblies/polls/{poll.id}/verify"


def _results_body(poll: Poll, visible: bool) -> dict:
    body = {
        "poll_id": poll.id,
        "state": poll.state.value,
        "method": poll.method.value,
        "options": [{"id": option.public_id, "label": option.display_label} for option in poll.options],
        "total_ballots": poll.ballot_count,
        "results": None,
        "ranking": None,
        "online": None,
        "paper": None,
        "log_head": poll.log_head,
        "results_hidden": not visible,
        "verify_url": verify_path(poll),
    }
    if visible:  # hidden results hide the paper batch too (after_close holds for paper counts)
        body.update(combined_results(poll))
    return body


def poll_results(poll: Poll, *, viewer_participant: Participant | None = None, viewer=None) -> dict:
    """The public results: hidden (results and ranking None, results_hidden True) unless visibility allows.

    `viewer` (the signed-in user, if any) grants nothing here: those who run the assembly read
    `facilitator_results` in the console, so after_close holds on every public channel.
    """
    return _results_body(poll, results_visible(poll, viewer_participant))


def facilitator_results(poll: Poll, actor) -> dict:
    """The results whatever their visibility, for those who run the assembly (the console)."""
    require_manager(actor, poll.assembly)
    return _results_body(poll, True)


def ballot_log(poll: Poll) -> list[dict]:
    """The published log, oldest first, once the poll is closed; never in totals-only mode."""
    if poll.totals_only:
        raise NotFound("ballot_log_not_published")
    if poll.state != PollState.CLOSED:
        raise Conflict("poll_not_closed")
    entries = db.session.scalars(select(BallotLogEntry).where(BallotLogEntry.poll_id == poll.id)
                                 .order_by(BallotLogEntry.position))
    return [entry.as_entry() for entry in entries]


def list_polls(assembly: Assembly, viewer=None) -> list[Poll]:
    return [poll for poll in assembly.polls if policies.can_view_poll(viewer, poll)]
