"""Counting poll ballots by the rules of shared/DOMAIN.md, in the result shapes of shared/API.md."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from deliberation.assemblies.voting import (
    MENTIONS,
    InvalidChoice,
    PollMethod,
    add_ballot,
    empty_tally,
    gauge,
    gauge_parts,
    majority_mention,
    median_sequence,
    ranking,
    remove_ballot,
    results,
    tally,
    validate_choice,
)

M = PollMethod
OPTIONS = [1, 2, 3, 4]


def judged(profiles: dict) -> list[dict]:
    """Majority-judgment ballots that produce exactly these merit profiles (counts from Reject to Very good)."""
    ids = list(profiles)
    n = sum(next(iter(profiles.values())))
    columns = {i: [m for m, count in enumerate(p) for _ in range(count)] for i, p in profiles.items()}
    return [{i: columns[i][voter] for i in ids} for voter in range(n)]


# Methods, mentions, choice polls

def test_methods_and_the_mention_scale():
    assert [m.value for m in PollMethod] == ["yes_no", "single", "multiple", "majority_judgment", "ranking"]
    assert MENTIONS == ("Reject", "Insufficient", "Passable", "Fairly good", "Good", "Very good")


def test_yes_no_counts_every_answer_and_ranks_by_count():
    counted = tally(M.YES_NO, None, ["yes", "no", "yes", "abstain", "yes", "no"])
    assert counted == [{"option_id": "yes", "count": 3}, {"option_id": "no", "count": 2},
                       {"option_id": "abstain", "count": 1}]
    assert ranking(M.YES_NO, None, counted) == ["yes", "no", "abstain"]
    assert ranking(M.YES_NO, None, tally(M.YES_NO, None, ["no", "abstain", "abstain"])) == ["abstain", "no", "yes"]


def test_single_ties_keep_option_order():
    counted = tally(M.SINGLE, [10, 20, 30], [30, 20, 30, 20, 10])
    assert counted == [{"option_id": 10, "count": 1}, {"option_id": 20, "count": 2}, {"option_id": 30, "count": 2}]
    assert ranking(M.SINGLE, [10, 20, 30], counted) == [20, 30, 10]
    assert ranking(M.SINGLE, [30, 20, 10], tally(M.SINGLE, [30, 20, 10], [])) == [30, 20, 10]


def test_multiple_counts_each_chosen_option_once_per_ballot():
    ballots = [[1, 2], [2], [4, 2], [3, 4]]
    counted = tally(M.MULTIPLE, OPTIONS, ballots, max_choices=2)
    assert [row["count"] for row in counted] == [1, 3, 1, 2]
    assert ranking(M.MULTIPLE, OPTIONS, counted) == [2, 4, 1, 3]
    assert validate_choice(M.MULTIPLE, [4, "2"], OPTIONS, max_choices=2) == [2, 4]  # canonical ids, option order


def test_results_read_back_from_json_rank_the_same():
    counted = tally(M.SINGLE, ["a1", "b2"], ["b2", "b2", "a1"])
    assert ranking(M.SINGLE, ["a1", "b2"], json.loads(json.dumps(counted))) == ["b2", "a1"]


@pytest.mark.parametrize(("method", "choice", "code"), [
    (M.YES_NO, "maybe", "invalid_choice"),
    (M.YES_NO, True, "invalid_choice"),
    (M.SINGLE, 9, "unknown_option"),
    (M.SINGLE, [1], "invalid_choice"),
    (M.SINGLE, True, "invalid_choice"),
    (M.SINGLE, 1.0, "invalid_choice"),
    (M.MULTIPLE, [], "invalid_choice"),
    (M.MULTIPLE, "1", "invalid_choice"),
    (M.MULTIPLE, [1, 1], "duplicate_option"),
    (M.MULTIPLE, [1, "1"], "duplicate_option"),
    (M.MULTIPLE, [1, 2, 3], "too_many_choices"),
    (M.MULTIPLE, [1, 7], "unknown_option"),
    (M.MAJORITY_JUDGMENT, [1, 2], "invalid_choice"),
    (M.MAJORITY_JUDGMENT, {}, "invalid_choice"),
    (M.MAJORITY_JUDGMENT, {1: None, 2: None}, "invalid_choice"),
    (M.MAJORITY_JUDGMENT, {1: 6}, "invalid_mention"),
    (M.MAJORITY_JUDGMENT, {1: -1}, "invalid_mention"),
    (M.MAJORITY_JUDGMENT, {1: "5"}, "invalid_mention"),
    (M.MAJORITY_JUDGMENT, {1: True}, "invalid_mention"),
    (M.MAJORITY_JUDGMENT, {9: 3}, "unknown_option"),
    (M.MAJORITY_JUDGMENT, {1: 3, "1": 2}, "duplicate_option"),
    (M.MAJORITY_JUDGMENT, {"mentions": {1: 3, 2: 0, 3: 0}, "blank": [2]}, "invalid_choice"),
    (M.MAJORITY_JUDGMENT, {"mentions": {1: 3, 2: 0, 3: 0, 4: 1}, "blank": [4]}, "invalid_choice"),
    (M.RANKING, [], "invalid_choice"),
    (M.RANKING, [2, 3, 2], "duplicate_option"),
    (M.RANKING, [2, 5], "unknown_option"),
    (M.RANKING, {2: 1}, "invalid_choice"),
])
def test_invalid_choices_are_refused_with_their_code(method, choice, code):
    options = None if method == M.YES_NO else OPTIONS
    with pytest.raises(InvalidChoice) as refused:
        validate_choice(method, choice, options, max_choices=2)
    assert refused.value.code == code
    state = empty_tally(method, options, max_choices=2)
    with pytest.raises(InvalidChoice):
        add_ballot(state, method, choice)
    assert state.total == 0 and not state.counts  # nothing half-counted


# Majority judgment

def test_blank_mentions_count_as_reject_and_the_ballot_says_so():
    normalised = validate_choice(M.MAJORITY_JUDGMENT, {"2": 4, 3: None}, [1, 2, 3])
    assert normalised == {"mentions": {1: 0, 2: 4, 3: 0}, "blank": [1, 3]}
    counted = tally(M.MAJORITY_JUDGMENT, [1, 2, 3], [normalised, {1: 5, 2: 5, 3: 5}])
    assert [row["merit_profile"] for row in counted] == [[1, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1], [1, 0, 0, 0, 0, 1]]


def test_lower_median_with_an_even_number_of_ballots_is_the_worse_middle_mention():
    profile = [0, 0, 2, 0, 2, 0]  # Passable, Passable, Good, Good
    assert majority_mention(profile) == 2
    assert majority_mention([1, 0, 0, 1, 0, 0]) == 0  # Reject, Fairly good
    assert majority_mention([0, 0, 0, 0, 0, 0]) == 0
    counted = tally(M.MAJORITY_JUDGMENT, ["x"], [{"x": 2}, {"x": 4}, {"x": 2}, {"x": 4}])
    assert counted == [{"option_id": "x", "merit_profile": profile, "majority_mention": 2, "gauge": 0.5}]


def test_equal_shares_above_and_below_count_as_contestation():
    # Both medians are Fairly good (3). X: 40 % above and 40 % below, so −40 % (not +40 %); Y: 10 % above, 35 %
    # below, so −35 %. Y wins although X has more voters above its median.
    profiles = {"X": [0, 4, 4, 4, 4, 4], "Y": [0, 0, 7, 11, 1, 1]}
    counted = tally(M.MAJORITY_JUDGMENT, ["X", "Y"], judged(profiles))
    assert [(r["majority_mention"], r["gauge"]) for r in counted] == [(3, -0.4), (3, -0.35)]
    assert ranking(M.MAJORITY_JUDGMENT, ["X", "Y"], counted) == ["Y", "X"]


def test_ties_are_broken_by_successive_lower_medians():
    # Same median (3), same gauge (−40 %); they differ only by the best mention: 4 against 5.
    profiles = {"Q": [0, 1, 1, 2, 1, 0], "P": [0, 1, 1, 2, 0, 1]}
    assert median_sequence(profiles["P"]) == (3, 2, 3, 1, 5)
    assert median_sequence(profiles["Q"]) == (3, 2, 3, 1, 4)
    assert gauge(profiles["P"]) == gauge(profiles["Q"]) == -0.4
    assert ranking(M.MAJORITY_JUDGMENT, ["Q", "P"], tally(M.MAJORITY_JUDGMENT, ["Q", "P"], judged(profiles))) == [
        "P", "Q"]


def test_only_identical_profiles_stay_tied_in_option_order():
    profiles = {"c": [1, 0, 0, 1, 0, 0], "a": [0, 1, 1, 0, 0, 0], "b": [1, 0, 0, 1, 0, 0]}
    counted = tally(M.MAJORITY_JUDGMENT, ["c", "a", "b"], judged(profiles))
    # a: median Insufficient (1) against Reject (0) for the identical c and b.
    assert ranking(M.MAJORITY_JUDGMENT, ["c", "a", "b"], counted) == ["a", "c", "b"]


def test_worked_example_three_options_ten_voters():
    """A Balinski & Laraki style worked example, by hand:

    A: 3 Reject, 1 Fairly good, 4 Good, 2 Very good. Lower median Good (8 mentions ≤ Good ≥ half).
       p = 2/10 better, q = 4/10 worse: q wins, "Good −40 %".
    B: 2 Insufficient, 1 Passable, 3 Fairly good, 3 Good, 1 Very good. Median Fairly good; p = 4/10, q = 3/10:
       "Fairly good +40 %".
    C: 2 Reject, 1 Passable, 2 Fairly good, 2 Good, 3 Very good. Median Fairly good; p = 5/10, q = 3/10:
       "Fairly good +50 %".
    Ranking: A (best majority mention, despite three rejections), then C (+50 %) before B (+40 %).
    """
    profiles = {"A": [3, 0, 0, 1, 4, 2], "B": [0, 2, 1, 3, 3, 1], "C": [2, 0, 1, 2, 2, 3]}
    counted = tally(M.MAJORITY_JUDGMENT, ["A", "B", "C"], judged(profiles))
    assert [r["merit_profile"] for r in counted] == list(profiles.values())
    assert [(r["majority_mention"], r["gauge"]) for r in counted] == [(4, -0.4), (3, 0.4), (3, 0.5)]
    assert [gauge_parts(r["gauge"]) for r in counted] == [("\u2212", 40), ("+", 40), ("+", 50)]
    assert ranking(M.MAJORITY_JUDGMENT, ["A", "B", "C"], counted) == ["A", "C", "B"]


@pytest.mark.parametrize(("value", "parts"), [
    (0.4, ("+", 40)), (-0.3, ("\u2212", 30)), (0.0, ("", 0)), (0.285, ("+", 29)), (-0.004, ("", 0)), (1.0, ("+", 100)),
])
def test_gauge_sign_and_whole_percent(value, parts):
    assert gauge_parts(value) == parts


# Ranking polls (Schulze)

def test_schulze_resolves_the_classic_45_voter_cycle():
    groups = {"ACBED": 5, "ADECB": 5, "BEDAC": 8, "CABED": 3, "CAEBD": 7, "CBADE": 2, "DCEBA": 7, "EBADC": 8}
    ballots = [list(order) for order, count in groups.items() for _ in range(count)]
    counted = tally(M.RANKING, list("ABCDE"), ballots)
    pairwise = counted["pairwise"]
    assert pairwise["A"] == {"B": 20, "C": 26, "D": 30, "E": 22}
    assert pairwise["E"] == {"A": 23, "B": 27, "C": 21, "D": 31}
    assert pairwise["B"]["A"] > pairwise["A"]["B"] and pairwise["A"]["C"] > pairwise["C"]["A"]  # no Condorcet
    assert pairwise["C"]["B"] > pairwise["B"]["C"]  # winner: B > A > C > B
    assert ranking(M.RANKING, list("ABCDE"), counted) == ["E", "A", "C", "B", "D"]


def test_condorcet_winner_with_partial_rankings():
    # Unranked options are tied below the ranked ones: [b] means b > a and b > c, nothing between a and c.
    options = ["a", "b", "c"]
    counted = tally(M.RANKING, options, [["b"], ["b", "a"], ["a", "b", "c"], ["c", "b"]])
    assert counted == {"pairwise": {"a": {"b": 1, "c": 2}, "b": {"a": 3, "c": 3}, "c": {"a": 1, "b": 1}}}
    assert ranking(M.RANKING, options, counted) == ["b", "a", "c"]


def test_schulze_ties_keep_option_order_and_keys_are_the_ids_text():
    counted = tally(M.RANKING, [7, 3, 5], [[3, 7], [7, 3]])
    assert counted == {"pairwise": {"7": {"3": 1, "5": 2}, "3": {"7": 1, "5": 2}, "5": {"7": 0, "3": 0}}}
    assert ranking(M.RANKING, [7, 3, 5], json.loads(json.dumps(counted))) == [7, 3, 5]


# Incremental tally

def test_changing_a_ballot_is_remove_then_add():
    state = empty_tally(M.MAJORITY_JUDGMENT, [1, 2])
    add_ballot(state, M.MAJORITY_JUDGMENT, {1: 5})
    add_ballot(state, M.MAJORITY_JUDGMENT, {1: 2, 2: 3})
    remove_ballot(state, M.MAJORITY_JUDGMENT, {1: 5})
    add_ballot(state, M.MAJORITY_JUDGMENT, {2: 4})
    assert results(state) == tally(M.MAJORITY_JUDGMENT, [1, 2], [{1: 2, 2: 3}, {2: 4}])
    assert state.total == 2


def test_removing_a_ballot_that_was_not_counted_changes_nothing():
    state = empty_tally(M.RANKING, [1, 2, 3])
    add_ballot(state, M.RANKING, [1, 2])
    before = (state.total, dict(state.counts))
    with pytest.raises(ValueError, match="not in the tally"):
        remove_ballot(state, M.RANKING, [2, 1])
    assert (state.total, dict(state.counts)) == before
    with pytest.raises(ValueError):
        add_ballot(state, M.SINGLE, 1)  # a tally counts one method


def choices(method: PollMethod, options: list, max_choices: int) -> st.SearchStrategy:
    if method == M.YES_NO:
        return st.sampled_from(["yes", "no", "abstain"])
    if method == M.SINGLE:
        return st.sampled_from(options)
    if method == M.MULTIPLE:
        return st.lists(st.sampled_from(options), min_size=1, max_size=max_choices, unique=True)
    if method == M.MAJORITY_JUDGMENT:
        mentions = st.one_of(st.none(), st.integers(0, 5))
        return st.dictionaries(st.sampled_from(options), mentions, min_size=1).filter(
            lambda ballot: any(m is not None for m in ballot.values()))
    return st.permutations(options).flatmap(lambda order: st.integers(1, len(order)).map(lambda k: order[:k]))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PollMethod), st.data())
def test_validation_is_idempotent_and_survives_json(method, data):
    options = None if method == M.YES_NO else OPTIONS
    normalised = validate_choice(method, data.draw(choices(method, OPTIONS, 3)), options, max_choices=3)
    assert validate_choice(method, normalised, options, max_choices=3) == normalised
    assert validate_choice(method, json.loads(json.dumps(normalised)), options, max_choices=3) == normalised


class LiveTally(RuleBasedStateMachine):
    """Devices cast, change and withdraw ballots; the incremental tally always equals a full count."""

    @initialize(method=st.sampled_from(PollMethod))
    def open_poll(self, method):
        self.method = method
        self.options = None if method == M.YES_NO else OPTIONS
        self.state = empty_tally(method, self.options, max_choices=2)
        self.latest: dict[int, object] = {}

    @rule(device=st.integers(0, 4), data=st.data())
    def cast_or_change(self, device, data):
        choice = data.draw(choices(self.method, OPTIONS, 2))
        if device in self.latest:
            remove_ballot(self.state, self.method, self.latest[device])
        add_ballot(self.state, self.method, choice)
        self.latest[device] = choice

    @precondition(lambda self: self.latest)
    @rule(data=st.data())
    def withdraw(self, data):
        device = data.draw(st.sampled_from(sorted(self.latest)))
        remove_ballot(self.state, self.method, self.latest.pop(device))

    @invariant()
    def equals_a_full_count(self):
        expected = tally(self.method, self.options, self.latest.values(), max_choices=2)
        assert results(self.state) == expected
        assert self.state.total == len(self.latest)
        assert ranking(self.method, self.options, results(self.state)) == ranking(self.method, self.options, expected)


LiveTally.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
test_live_tally = LiveTally.TestCase
