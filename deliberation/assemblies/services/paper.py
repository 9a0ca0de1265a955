"""Paper ballots counted in the room: one audited batch per poll, entered by a facilitator, and the results
that add them to the online ones (online, paper and total stay separately readable).

The online ballot log is never touched: it stays verifiable on its own; the paper batch is published beside it
with who entered it and when.
"""

from __future__ import annotations

from sqlalchemy import select

from deliberation.assemblies.models import PaperBallotBatch, Poll, PollState
from deliberation.assemblies.services.common import require_manager
from deliberation.assemblies.voting import CHOICE_METHODS, MENTIONS, PollMethod, gauge, majority_mention
from deliberation.core import audit, clock
from deliberation.core.errors import Conflict, Invalid
from deliberation.core.transaction import after_commit, in_unit_of_work
from deliberation.extensions import db

PAPER_METHODS = CHOICE_METHODS | {PollMethod.MAJORITY_JUDGMENT}
MAX_PAPER_BALLOTS = 1_000_000


def _count(value) -> int | None:
    """A non-negative int (not a bool), or None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PAPER_BALLOTS:
        return None
    return value


def _field(option_id, mention: int | None = None) -> str:
    return str(option_id) if mention is None else f"{option_id}.{mention}"


def _invalid(code: str, field: str) -> Invalid:
    error = Invalid(code)
    return Invalid(code, fields={field: [error.message]})


def clean_paper_counts(poll: Poll, counts, ballots) -> tuple[dict, int]:
    """(counts keyed by the option ids' text, ballots), or Invalid with `fields` naming the faulty entry:
    "ballots", "<option id>" or "<option id>.<mention>" (majority judgment)."""
    if PollMethod(poll.method) not in PAPER_METHODS:
        raise Invalid("paper_method_not_supported")
    ballots = _count(ballots)
    if ballots is None:
        raise _invalid("invalid_paper_count", "ballots")
    if not isinstance(counts, dict):
        raise Invalid("invalid_paper_count")
    known = {str(option_id) for option_id in poll.option_ids}
    if any(str(key) not in known for key in counts):
        raise Invalid("unknown_option")
    given = {str(key): value for key, value in counts.items()}
    cleaned: dict = {}
    if poll.method == PollMethod.MAJORITY_JUDGMENT:
        for option_id in poll.option_ids:
            profile = given.get(str(option_id), [0] * len(MENTIONS))
            if not isinstance(profile, list | tuple) or len(profile) != len(MENTIONS):
                raise _invalid("invalid_paper_count", _field(option_id, 0))
            for mention, value in enumerate(profile):
                if _count(value) is None:
                    raise _invalid("invalid_paper_count", _field(option_id, mention))
            if sum(profile) != ballots:  # a mention left blank on paper counts as Reject, as online
                raise _invalid("paper_profile_not_ballots", _field(option_id, 0))
            cleaned[str(option_id)] = list(profile)
        return cleaned, ballots
    for option_id in poll.option_ids:
        value = _count(given.get(str(option_id), 0))
        if value is None:
            raise _invalid("invalid_paper_count", _field(option_id))
        if value > ballots:
            raise _invalid("paper_count_above_ballots", _field(option_id))
        cleaned[str(option_id)] = value
    if poll.method == PollMethod.MULTIPLE and sum(cleaned.values()) > ballots * (poll.max_choices or len(known)):
        raise _invalid("paper_too_many_choices", "ballots")
    if poll.method != PollMethod.MULTIPLE and sum(cleaned.values()) != ballots:
        raise _invalid("paper_sum_not_ballots", "ballots")
    return cleaned, ballots


def paper_batch(poll: Poll) -> PaperBallotBatch | None:
    return db.session.scalar(select(PaperBallotBatch).where(PaperBallotBatch.poll_id == poll.id))


def record_paper_ballots(poll: Poll, actor, *, counts, ballots) -> PaperBallotBatch:
    """Enter (or replace) the poll's paper batch while the poll is open; audited with the old and new counts.

    Refusals: 403 forbidden (not a facilitator of the assembly); 409 poll_not_open / poll_closed; 422
    paper_method_not_supported (ranking), invalid_paper_count, unknown_option, paper_count_above_ballots,
    paper_sum_not_ballots (yes_no, single), paper_too_many_choices (multiple), paper_profile_not_ballots
    (majority judgment: every option's profile adds up to the number of ballots).
    """
    require_manager(actor, poll.assembly)
    if poll.state != PollState.OPEN:
        raise Conflict("poll_closed" if poll.state == PollState.CLOSED else "poll_not_open")
    cleaned, ballots = clean_paper_counts(poll, counts, ballots)
    batch = paper_batch(poll)
    old = None if batch is None else {"counts": batch.counts, "ballots": batch.ballots}
    if batch is None:
        batch = PaperBallotBatch(poll_id=poll.id)
        db.session.add(batch)
    batch.counts, batch.ballots = cleaned, ballots
    batch.entered_by_id, batch.entered_at = getattr(actor, "id", None), clock.now()
    db.session.flush()
    audit.record(actor, "paper_ballots_recorded", poll, assembly_id=poll.assembly_id,
                 old_counts=old and old["counts"], old_ballots=old and old["ballots"],
                 counts=cleaned, ballots=ballots)
    if in_unit_of_work():
        from deliberation.assemblies.live.tallies import mark_dirty

        poll_id = poll.id
        after_commit(lambda: mark_dirty(poll_id))
    return batch


# Results: online + paper

def paper_raw_results(poll: Poll, batch: PaperBallotBatch) -> list[dict]:
    """The batch as voting.results rows (without labels)."""
    rows = []
    for option_id in poll.option_ids:
        if poll.method == PollMethod.MAJORITY_JUDGMENT:
            profile = list(batch.counts.get(str(option_id), [0] * len(MENTIONS)))
            rows.append({"option_id": option_id, "merit_profile": profile,
                         "majority_mention": majority_mention(profile), "gauge": gauge(profile)})
        else:
            rows.append({"option_id": option_id, "count": int(batch.counts.get(str(option_id), 0))})
    return rows


def add_results(method: PollMethod, online: list[dict], paper: list[dict]) -> list[dict]:
    """Online rows plus paper rows, option by option (same option order)."""
    combined = []
    for mine, theirs in zip(online, paper, strict=True):
        if method == PollMethod.MAJORITY_JUDGMENT:
            profile = [a + b for a, b in zip(mine["merit_profile"], theirs["merit_profile"], strict=True)]
            combined.append({"option_id": mine["option_id"], "merit_profile": profile,
                             "majority_mention": majority_mention(profile), "gauge": gauge(profile)})
        else:
            combined.append({"option_id": mine["option_id"], "count": mine["count"] + theirs["count"]})
    return combined


def paper_public(batch: PaperBallotBatch) -> dict:
    """Who entered the batch and when: a privileged action, shown as such."""
    return {"total_ballots": batch.ballots,
            "entered_by": batch.entered_by.public_name if batch.entered_by is not None else None,
            "entered_at": batch.entered_at.isoformat()}
