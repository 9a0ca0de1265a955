"""The hash-chained ballot log: receipts, tamper detection and the public recount (shared/DOMAIN.md)."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.assemblies.receipts import (
    GENESIS,
    BrokenLog,
    latest_choices,
    log_head,
    make_entry,
    receipt,
    recount,
    verify_chain,
)
from deliberation.assemblies.voting import (
    InvalidChoice,
    PollMethod,
    add_ballot,
    empty_tally,
    ranking,
    remove_ballot,
    results,
    validate_choice,
)

M = PollMethod
POLL = 42
OPTIONS = [1, 2, 3]


class Poll:
    """What the live server does: validate, count incrementally, and append to the log."""

    def __init__(self, method: PollMethod, options=OPTIONS):
        self.method, self.options = method, options
        self.state = empty_tally(method, options)
        self.log: list[dict] = []
        self.by_device: dict[str, dict] = {}  # device → its latest entry (the server's ballot row)

    def cast(self, device: str, ballot_id: str, choice) -> str:
        choice = validate_choice(self.method, choice, self.options)
        previous = self.by_device.get(device)
        if previous is not None:
            remove_ballot(self.state, self.method, previous["choice"])
        add_ballot(self.state, self.method, choice)
        entry = make_entry(log_head(self.log), POLL, ballot_id, choice, previous and previous["receipt"])
        self.log.append(entry)
        self.by_device[device] = entry
        return entry["receipt"]

    def withdraw(self, device: str, ballot_id: str) -> None:
        previous = self.by_device.pop(device)
        remove_ballot(self.state, self.method, previous["choice"])
        self.log.append(make_entry(log_head(self.log), POLL, ballot_id, None, previous["receipt"]))


def published(log: list[dict]) -> list[dict]:
    return json.loads(json.dumps(log))


def sample_log() -> Poll:
    poll = Poll(M.SINGLE)
    poll.cast("d1", "b-1", 1)
    poll.cast("d2", "b-2", 2)
    poll.cast("d1", "b-3", 3)  # d1 changes its mind
    poll.cast("d3", "b-4", 3)
    poll.cast("d4", "b-5", 2)
    poll.withdraw("d4", "b-6")
    return poll


# Receipts

def test_receipt_is_sha256_of_the_canonical_json():
    text = '{"ballot_id":"b-1","choice":"yes","poll_id":42,"previous":"' + "0" * 64 + '"}'
    assert receipt(GENESIS, POLL, "b-1", "yes") == hashlib.sha256(text.encode()).hexdigest()
    assert GENESIS == "0" * 64


def test_receipt_covers_replaces_and_every_field():
    base = receipt(GENESIS, POLL, "b-1", [1, 2])
    assert len(base) == 64 and int(base, 16) >= 0
    assert len({base, receipt(GENESIS, POLL, "b-1", [1, 2], "f" * 64), receipt(GENESIS, 43, "b-1", [1, 2]),
                receipt(GENESIS, POLL, "b-2", [1, 2]), receipt(GENESIS, POLL, "b-1", [2, 1]),
                receipt("1" * 64, POLL, "b-1", [1, 2])}) == 6


def test_a_judgment_ballot_hashes_the_same_after_a_json_round_trip():
    choice = validate_choice(M.MAJORITY_JUDGMENT, {2: 4, 10: 1}, [2, 10, 11])  # int keys sort 2 < 10, text "10" < "2"
    read_back = json.loads(json.dumps(choice))
    assert receipt(GENESIS, POLL, "b-1", choice) == receipt(GENESIS, POLL, "b-1", read_back)
    assert receipt(GENESIS, POLL, "b-1", {"n": "é"}) == hashlib.sha256(
        ('{"ballot_id":"b-1","choice":{"n":"é"},"poll_id":42,"previous":"' + GENESIS + '"}').encode()).hexdigest()


# The chain

def test_an_honest_log_verifies_and_ends_at_its_head():
    poll = sample_log()
    assert poll.log[0]["previous"] == GENESIS and poll.log[0]["replaces"] is None
    assert poll.log[2]["replaces"] == poll.log[0]["receipt"]
    assert all("device" not in entry for entry in poll.log)
    assert verify_chain(published(poll.log), poll_id=POLL, head=log_head(poll.log)) is None
    assert verify_chain([], poll_id=POLL, head=GENESIS) is None


def test_an_edited_choice_breaks_its_entry():
    log = published(sample_log().log)
    log[3]["choice"] = 1
    assert verify_chain(log, poll_id=POLL) == 3


def test_an_edited_choice_with_a_recomputed_receipt_breaks_the_next_entry():
    log = published(sample_log().log)
    log[1]["choice"] = 3
    log[1]["receipt"] = receipt(log[1]["previous"], POLL, log[1]["ballot_id"], 3)
    assert verify_chain(log, poll_id=POLL) == 2


def test_a_removed_entry_breaks_the_chain():
    log = published(sample_log().log)
    del log[2]
    assert verify_chain(log, poll_id=POLL) == 2


def test_a_reordered_pair_breaks_the_chain():
    log = published(sample_log().log)
    log[1], log[2] = log[2], log[1]
    assert verify_chain(log, poll_id=POLL) == 1


def test_a_truncated_log_is_caught_by_the_head_shown_at_closing():
    poll = sample_log()
    truncated = published(poll.log)[:-2]
    assert verify_chain(truncated, poll_id=POLL) is None
    assert verify_chain(truncated, poll_id=POLL, head=log_head(poll.log)) == len(truncated)


def test_the_log_of_another_poll_does_not_verify():
    assert verify_chain(published(sample_log().log), poll_id=POLL + 1) == 0


@pytest.mark.parametrize("forge", ["unknown_replaces", "replaced_twice", "reused_ballot_id", "withdraws_nothing",
                                   "missing_key", "not_an_entry"])
def test_forged_series_are_refused(forge):
    log = published(sample_log().log)
    if forge == "unknown_replaces":
        log.append(make_entry(log_head(log), POLL, "b-7", 1, "a" * 64))
    elif forge == "replaced_twice":  # d1's first ballot was already replaced at entry 2
        log.append(make_entry(log_head(log), POLL, "b-7", 1, log[0]["receipt"]))
    elif forge == "reused_ballot_id":
        log.append(make_entry(log_head(log), POLL, "b-2", 1))
    elif forge == "withdraws_nothing":
        log.append(make_entry(log_head(log), POLL, "b-7", None))
    elif forge == "missing_key":
        del log[-1]["ballot_id"]
    else:
        log[-1] = "b-6"
    assert verify_chain(log, poll_id=POLL) == len(log) - 1


def test_a_rewritten_tail_holds_together_but_not_at_the_head_shown_at_closing():
    poll = sample_log()
    log = published(poll.log)[:4]
    log.append(make_entry(log_head(log), POLL, "b-5", 1, log[1]["receipt"]))  # d2's ballot silently changed
    assert verify_chain(log, poll_id=POLL) is None
    assert verify_chain(log, poll_id=POLL, head=log_head(poll.log)) == len(log)
    assert recount(M.SINGLE, OPTIONS, log) != results(poll.state)


# Recount

def test_recount_keeps_only_the_last_ballot_of_each_series():
    poll = sample_log()
    assert latest_choices(published(poll.log)) == [2, 3, 3]  # d2, d1 (changed), d3; d4 withdrew
    assert recount(M.SINGLE, OPTIONS, published(poll.log)) == results(poll.state) == [
        {"option_id": 1, "count": 0}, {"option_id": 2, "count": 1}, {"option_id": 3, "count": 2}]


def test_recount_of_a_majority_judgment_log_equals_the_live_tally():
    poll = Poll(M.MAJORITY_JUDGMENT)
    poll.cast("d1", "b-1", {1: 5, 2: 3})
    poll.cast("d2", "b-2", {"1": 2, "3": 4})
    poll.cast("d1", "b-3", {2: 1})
    counted = recount(M.MAJORITY_JUDGMENT, OPTIONS, published(poll.log))
    assert counted == results(poll.state)
    assert [row["merit_profile"] for row in counted] == [[1, 0, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0],
                                                         [1, 0, 0, 0, 1, 0]]
    assert published(poll.log)[2]["choice"]["blank"] == [1, 3]


def test_recount_refuses_a_broken_series_or_an_invalid_choice():
    log = published(sample_log().log)
    with pytest.raises(BrokenLog) as broken:
        recount(M.SINGLE, OPTIONS, [*log, make_entry(log_head(log), POLL, "b-9", 1, "a" * 64)])
    assert broken.value.index == len(log)
    with pytest.raises(BrokenLog):
        latest_choices([make_entry(GENESIS, POLL, "b-1", None)])
    with pytest.raises(InvalidChoice):
        recount(M.SINGLE, OPTIONS, [make_entry(GENESIS, POLL, "b-1", 9)])


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(PollMethod), st.lists(st.tuples(st.booleans(), st.integers(0, 3)), max_size=20), st.data())
def test_any_live_session_recounts_to_the_live_tally(method, steps, data):
    options = None if method == M.YES_NO else OPTIONS
    poll = Poll(method, options)
    strategy = {
        M.YES_NO: st.sampled_from(["yes", "no", "abstain"]),
        M.SINGLE: st.sampled_from(OPTIONS),
        M.MULTIPLE: st.lists(st.sampled_from(OPTIONS), min_size=1, unique=True),
        M.MAJORITY_JUDGMENT: st.dictionaries(st.sampled_from(OPTIONS), st.integers(0, 5), min_size=1),
        M.RANKING: st.permutations(OPTIONS).map(lambda order: order[:2]),
    }[method]
    for number, (withdraw, device) in enumerate(steps):
        if withdraw and f"d{device}" in poll.by_device:
            poll.withdraw(f"d{device}", f"b-{number}")
        else:
            poll.cast(f"d{device}", f"b-{number}", data.draw(strategy))
    log = published(poll.log)
    assert verify_chain(log, poll_id=POLL, head=log_head(poll.log)) is None
    counted = recount(method, options, log)
    assert counted == results(poll.state)
    assert ranking(method, options, counted) == ranking(method, options, results(poll.state))
    assert len(latest_choices(log)) == poll.state.total == len(poll.by_device)


def test_checking_and_recounting_leave_the_log_untouched():
    log = sample_log().log
    snapshot = copy.deepcopy(log)
    verify_chain(log, poll_id=POLL)
    recount(M.SINGLE, OPTIONS, log)
    assert log == snapshot
