"""The ballot log: receipts chained by SHA-256, checked and recounted by anyone. Pure functions, no I/O.

Each accepted ballot appends one entry to its poll's log:

    {"receipt", "previous", "ballot_id", "choice", "replaces"}

- `choice` is the normalised choice (`voting.validate_choice`); `ballot_id` the client-made UUID. A retry with
  the same ballot_id appends nothing and returns the same receipt, so a ballot_id appears once in a log.
- `previous` is the receipt of the entry before it; the first entry's is GENESIS (64 zeros).
- `replaces` links a device's ballot series without saying whose it is: null for the device's first ballot on
  the poll, else the receipt of the ballot it supersedes (the server keeps the device's latest receipt on its
  ballot row). A changed ballot is a new entry with a new ballot_id that `replaces` the old receipt; only the
  last entry of each series is counted. An entry with `"choice": null` and a `replaces` withdraws the ballot.
  No entry carries a device token, user, name or address.
- `receipt` = SHA-256 (hex) of the canonical JSON of {"previous", "poll_id", "ballot_id", "choice"}, plus
  "replaces" when it is not null (so a first ballot's receipt is exactly that four-key object, and a forged
  `replaces` breaks the chain like a forged choice). Canonical JSON: object keys as strings, sorted, no spaces
  (separators "," and ":"), non-ASCII characters left as they are, encoded in UTF-8.

The log head (last receipt) is shown on the screen at closing: comparing it with `head=` catches a truncated
log, which the chain alone cannot (removing the last entries leaves a valid shorter chain).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from deliberation.assemblies.voting import OptionId, PollMethod, tally

GENESIS = "0" * 64
ENTRY_KEYS = ("receipt", "previous", "ballot_id", "choice", "replaces")


class BrokenLog(ValueError):  # noqa: N818 - reads as what it reports
    """The log cannot be recounted: entry `index` replaces a ballot that is not counted (or withdraws nothing)."""

    def __init__(self, index: int, reason: str):
        super().__init__(f"entry {index}: {reason}")
        self.index = index
        self.reason = reason


def _stringify_keys(value: Any) -> Any:
    """JSON object keys are strings: make them so before sorting, so a JSON round trip hashes the same."""
    if isinstance(value, Mapping):
        return {str(key): _stringify_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stringify_keys(item) for item in value]
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(_stringify_keys(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def receipt(previous_hash: str, poll_id: int | str, ballot_id: str, choice: Any, replaces: str | None = None) -> str:
    """The receipt of one ballot: SHA-256 hex of the canonical JSON described in the module docstring.

    `choice` is the normalised choice as JSON data (not a JSON text); `poll_id` as the API publishes it.
    """
    payload = {"previous": previous_hash, "poll_id": poll_id, "ballot_id": ballot_id, "choice": choice}
    if replaces is not None:
        payload["replaces"] = replaces
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def make_entry(previous_hash: str, poll_id: int | str, ballot_id: str, choice: Any,
               replaces: str | None = None) -> dict:
    """The log entry of an accepted ballot, to append after the entry whose receipt is `previous_hash`."""
    return {
        "receipt": receipt(previous_hash, poll_id, ballot_id, choice, replaces),
        "previous": previous_hash,
        "ballot_id": ballot_id,
        "choice": choice,
        "replaces": replaces,
    }


def log_head(entries: Sequence[Mapping]) -> str:
    """The receipt the next entry chains to: the last receipt, GENESIS for an empty log."""
    return entries[-1]["receipt"] if entries else GENESIS


def verify_chain(entries: Sequence[Mapping], *, poll_id: int | str, head: str | None = None) -> int | None:
    """The index of the first broken entry, or None when the whole log holds.

    An entry is broken when it is malformed, its `previous` is not the receipt before it, its receipt does not
    match its content, its ballot_id was already used, or its `replaces` is not a counted earlier receipt (or
    it withdraws nothing). With `head` (the hash shown at closing), a log that does not end there is broken at
    index len(entries): entries are missing at its end.
    """
    expected_previous = GENESIS
    ballot_ids: set[str] = set()
    counted: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or any(key not in entry for key in ENTRY_KEYS[:4]):
            return index
        replaces = entry.get("replaces")
        if not isinstance(entry["ballot_id"], str) or not isinstance(replaces, str | None):
            return index
        if entry["previous"] != expected_previous or entry["ballot_id"] in ballot_ids:
            return index
        try:
            recomputed = receipt(entry["previous"], poll_id, entry["ballot_id"], entry["choice"], replaces)
        except (TypeError, ValueError):
            return index
        if recomputed != entry["receipt"]:
            return index
        if (replaces is not None and replaces not in counted) or (replaces is None and entry["choice"] is None):
            return index
        counted.discard(replaces)
        if entry["choice"] is not None:
            counted.add(entry["receipt"])
        ballot_ids.add(entry["ballot_id"])
        expected_previous = entry["receipt"]
    if head is not None and head != expected_previous:
        return len(entries)
    return None


def latest_choices(entries: Iterable[Mapping]) -> list:
    """The choices that count: the last entry of each ballot series, withdrawn series left out, in log order."""
    counted: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        replaces = entry.get("replaces")
        if replaces is not None:
            if replaces not in counted:
                raise BrokenLog(index, f"replaces {replaces}, which is not a counted ballot")
            del counted[replaces]
        elif entry["choice"] is None:
            raise BrokenLog(index, "withdraws no ballot")
        if entry["choice"] is not None:
            counted[entry["receipt"]] = entry["choice"]
    return list(counted.values())


def recount(method: PollMethod | str, option_ids: Iterable[OptionId] | None, entries: Iterable[Mapping], *,
            max_choices: int | None = None) -> list[dict] | dict:
    """The results recomputed from a published log, identical to the live tally (run `verify_chain` first).

    Raises BrokenLog when a series is inconsistent and `voting.InvalidChoice` when a choice is not valid.
    """
    return tally(method, option_ids, latest_choices(entries), max_choices=max_choices)


def receipt_status(entries: Sequence[Mapping], receipt_hash: str) -> str | None:
    """What a participant may learn about their receipt from the published log, and nothing else:

    "counted" (it is the last ballot of its series), "replaced" (a later ballot of the same series counts
    instead), "withdrawn" (the series ends with a withdrawal), or None when no entry has this receipt. The
    series is followed through `replaces` links.
    """
    by_receipt = {entry["receipt"]: entry for entry in entries}
    if receipt_hash not in by_receipt:
        return None
    successor = {entry["replaces"]: entry for entry in entries if entry.get("replaces") is not None}
    current, seen = by_receipt[receipt_hash], set()
    while current["receipt"] in successor and current["receipt"] not in seen:
        seen.add(current["receipt"])
        current = successor[current["receipt"]]
    if current["choice"] is None:
        return "withdrawn"
    return "counted" if current["receipt"] == receipt_hash else "replaced"
