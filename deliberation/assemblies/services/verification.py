"""The public verify page: the server recomputes the published chain and the tally, as anyone can with the
JSON log, and tells a participant whether their receipt is in the log (and whether it counts)."""

from __future__ import annotations

import re

from deliberation.assemblies import receipts
from deliberation.assemblies.models import Poll, PollState
from deliberation.assemblies.services.paper import paper_batch, paper_public
from deliberation.assemblies.services.polls import ballot_log, online_raw
from deliberation.assemblies.voting import InvalidChoice

RECEIPT_PATTERN = re.compile(r"[0-9a-f]{64}")


def verify_poll(poll: Poll) -> dict:
    """{status, …}: status "not_closed" (the log is published at closing), "totals_only" (no log), or
    "checked" with entries, counted (ballots that count), log_head, broken_index (None when the chain holds,
    len(entries) when entries are missing at its end), recount_matches (True/False, None when the chain is
    broken) and paper (who entered the paper batch and when, or None)."""
    if poll.totals_only:
        return {"status": "totals_only"}
    if poll.state != PollState.CLOSED:
        return {"status": "not_closed"}
    entries = ballot_log(poll)
    broken = receipts.verify_chain(entries, poll_id=poll.id, head=poll.log_head)
    counted, matches = None, None
    if broken is None:
        try:
            counted = len(receipts.latest_choices(entries))
            recount = receipts.recount(poll.method, poll.option_ids, entries, max_choices=poll.max_choices)
            matches = recount == online_raw(poll) and counted == poll.ballot_count
        except (receipts.BrokenLog, InvalidChoice, ValueError):
            matches = False
    batch = paper_batch(poll)
    return {"status": "checked", "entries": entries, "counted": counted, "log_head": poll.log_head,
            "broken_index": broken, "recount_matches": matches,
            "paper": paper_public(batch) if batch is not None else None}


def receipt_check(entries: list[dict], receipt: str | None) -> str | None:
    """The status of a receipt typed by a participant (receipts.receipt_status), "malformed" for text that
    cannot be a receipt, None when nothing was asked."""
    text = (receipt or "").strip().lower()
    if not text:
        return None
    if not RECEIPT_PATTERN.fullmatch(text):
        return "malformed"
    return receipts.receipt_status(entries, text) or "unknown"
