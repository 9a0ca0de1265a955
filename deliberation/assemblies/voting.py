"""Validating, counting and ranking poll ballots: pure functions, no database, no Flask, no I/O.

The rules are those of shared/DOMAIN.md ("Voting methods", "Ballots and results"); the result shapes are those
of shared/API.md ("Poll methods and results"). Labels are added by the caller.

Option ids are ints or strings. A choice may name an option by its id or by the id's text ("3" for 3): JSON
object keys are always strings, so a majority-judgment ballot `{"3": 4}` must mean option 3. Every function
returns the canonical ids given in `option_ids`; the yes_no options are always "yes", "no", "abstain".

Normalised choices (what `validate_choice` returns, what is stored and chained in the ballot log):
- yes_no: "yes" | "no" | "abstain".
- single: one option id.
- multiple: a list of 1..max_choices distinct option ids, in option order.
- majority_judgment: `{"mentions": {option_id: 0..5 for every option}, "blank": [option ids left blank]}`.
  A mention left out (or null) is blank and counts as 0 = "Reject" (À rejeter); the ballot records which ones
  were blank. A ballot must give at least one mention: an all-blank ballot is refused as `invalid_choice`.
- ranking: a list of distinct option ids, best first. A partial ranking is allowed: every ranked option is
  preferred to every unranked one, and unranked options are tied with each other (no preference either way).

Validation is idempotent: a normalised choice, or its JSON round trip, validates to itself, so the live tally
and a recount from the published log read the same ballots the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any


class PollMethod(StrEnum):
    YES_NO = "yes_no"
    SINGLE = "single"
    MULTIPLE = "multiple"
    MAJORITY_JUDGMENT = "majority_judgment"
    RANKING = "ranking"


CHOICE_METHODS = frozenset({PollMethod.YES_NO, PollMethod.SINGLE, PollMethod.MULTIPLE})
YES_NO_OPTIONS = ("yes", "no", "abstain")

# Majority-judgment scale, index 0 (worst) to 5 (best), as English msgids for later translation:
# À rejeter, Insuffisant, Passable, Assez bien, Bien, Très bien.
MENTIONS = ("Reject", "Insufficient", "Passable", "Fairly good", "Good", "Very good")
REJECT = 0
BEST_MENTION = len(MENTIONS) - 1

OptionId = int | str


class InvalidChoice(ValueError):  # noqa: N818 - named after the "invalid_choice" code it carries
    """A ballot that cannot be counted. `code` is the error code sent back to the voter:

    invalid_choice (wrong shape or type, unknown yes/no answer, empty ballot), unknown_option,
    duplicate_option, too_many_choices, invalid_mention.
    """

    def __init__(self, code: str = "invalid_choice", detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# Options

def _options(method: PollMethod, option_ids: Iterable[OptionId] | None) -> tuple[OptionId, ...]:
    ids = tuple(option_ids or ())
    if method == PollMethod.YES_NO:
        if ids and sorted(ids) != sorted(YES_NO_OPTIONS):
            raise ValueError(f"yes_no polls have the options {YES_NO_OPTIONS}, not {ids}")
        return ids or YES_NO_OPTIONS
    if not ids:
        raise ValueError("a poll needs at least one option")
    return ids


def _index(option_ids: Sequence[OptionId]) -> dict[str, OptionId]:
    """Text of each id → the id; refuses ids that are not ints or strings, and ids with the same text."""
    index: dict[str, OptionId] = {}
    for option_id in option_ids:
        if isinstance(option_id, bool) or not isinstance(option_id, int | str):
            raise ValueError(f"option ids are ints or strings, not {option_id!r}")
        if str(option_id) in index:
            raise ValueError(f"duplicate option id {option_id!r}")
        index[str(option_id)] = option_id
    return index


def _resolve(index: Mapping[str, OptionId], value: Any) -> OptionId:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidChoice("invalid_choice", f"not an option id: {value!r}")
    try:
        return index[str(value)]
    except KeyError:
        raise InvalidChoice("unknown_option", f"unknown option {value!r}") from None


# Validation

def validate_choice(method: PollMethod | str, choice: Any, option_ids: Iterable[OptionId] | None, *,
                    max_choices: int | None = None) -> Any:
    """The normalised choice (see the module docstring), or `InvalidChoice(code)`."""
    method = PollMethod(method)
    ids = _options(method, option_ids)
    return _normalise(method, choice, ids, _index(ids), max_choices)


def _normalise(method: PollMethod, choice: Any, ids: tuple[OptionId, ...], index: Mapping[str, OptionId],
               max_choices: int | None) -> Any:
    if method == PollMethod.YES_NO:
        if not isinstance(choice, str) or choice not in YES_NO_OPTIONS:
            raise InvalidChoice("invalid_choice", f"answer yes, no or abstain, not {choice!r}")
        return choice
    if method == PollMethod.SINGLE:
        return _resolve(index, choice)
    if method == PollMethod.MULTIPLE:
        limit = len(ids) if max_choices is None else max_choices
        if limit < 1:
            raise ValueError("max_choices must be at least 1")
        chosen = _distinct_ids(index, choice)
        if len(chosen) > limit:
            raise InvalidChoice("too_many_choices", f"at most {limit} options")
        position = {option_id: i for i, option_id in enumerate(ids)}
        return sorted(chosen, key=position.__getitem__)
    if method == PollMethod.MAJORITY_JUDGMENT:
        return _normalise_judgment(choice, ids, index)
    return _distinct_ids(index, choice)  # ranking, best first


def _distinct_ids(index: Mapping[str, OptionId], choice: Any) -> list[OptionId]:
    if not isinstance(choice, list | tuple) or not choice:
        raise InvalidChoice("invalid_choice", "expected a non-empty list of option ids")
    resolved = [_resolve(index, value) for value in choice]
    if len(set(resolved)) != len(resolved):
        raise InvalidChoice("duplicate_option", "an option appears twice")
    return resolved


def _is_mention(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and REJECT <= value <= BEST_MENTION


def _normalise_judgment(choice: Any, ids: tuple[OptionId, ...], index: Mapping[str, OptionId]) -> dict:
    if not isinstance(choice, Mapping):
        raise InvalidChoice("invalid_choice", "expected {option_id: mention}")
    if set(choice) == {"mentions", "blank"} and not {"mentions", "blank"} <= set(index):
        return _renormalise_judgment(choice, ids, index)
    given: dict[OptionId, int] = {}
    seen: set[OptionId] = set()
    for key, mention in choice.items():
        option_id = _resolve(index, key)
        if option_id in seen:
            raise InvalidChoice("duplicate_option", f"option {key!r} judged twice")
        seen.add(option_id)
        if mention is None:
            continue
        if not _is_mention(mention):
            raise InvalidChoice("invalid_mention", f"mentions go from {REJECT} to {BEST_MENTION}, not {mention!r}")
        given[option_id] = mention
    if not given:
        raise InvalidChoice("invalid_choice", "give at least one mention")
    return {
        "mentions": {option_id: given.get(option_id, REJECT) for option_id in ids},
        "blank": [option_id for option_id in ids if option_id not in given],
    }


def _renormalise_judgment(choice: Mapping, ids: tuple[OptionId, ...], index: Mapping[str, OptionId]) -> dict:
    """An already normalised ballot (possibly read back from JSON): check it and rebuild it canonically."""
    mentions, blank = choice["mentions"], choice["blank"]
    if not isinstance(mentions, Mapping) or not isinstance(blank, list | tuple):
        raise InvalidChoice("invalid_choice", "malformed majority-judgment ballot")
    raw = {_resolve(index, key): mention for key, mention in mentions.items()}
    if len(raw) != len(mentions) or set(raw) != set(ids):
        raise InvalidChoice("invalid_choice", "a normalised ballot has one mention per option")
    if not all(map(_is_mention, raw.values())):
        raise InvalidChoice("invalid_mention", f"mentions go from {REJECT} to {BEST_MENTION}")
    blanks = set(_distinct_ids(index, blank)) if blank else set()
    if any(raw[option_id] != REJECT for option_id in blanks) or len(blanks) == len(ids):
        raise InvalidChoice("invalid_choice", "blank options count as Reject and a ballot needs a mention")
    return {
        "mentions": {option_id: raw[option_id] for option_id in ids},
        "blank": [option_id for option_id in ids if option_id in blanks],
    }


# Incremental tally

@dataclass
class TallyState:
    """A running tally: `total` ballots and one counter per counted fact.

    Counter keys: an option id (yes_no, single, multiple), `(option_id, mention)` (majority_judgment),
    `(a, b)` = "a preferred to b" (ranking). Mutated in place by `add_ballot` / `remove_ballot`.
    """

    method: PollMethod
    option_ids: tuple[OptionId, ...]
    max_choices: int | None = None
    total: int = 0
    counts: Counter = field(default_factory=Counter)
    index: dict[str, OptionId] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.index = _index(self.option_ids)


def empty_tally(method: PollMethod | str, option_ids: Iterable[OptionId] | None, *,
                max_choices: int | None = None) -> TallyState:
    method = PollMethod(method)
    return TallyState(method, _options(method, option_ids), max_choices)


def _counted_keys(state: TallyState, method: PollMethod | str, choice: Any) -> list:
    if PollMethod(method) != state.method:
        raise ValueError(f"this tally counts a {state.method} poll, not {method}")
    normalised = _normalise(state.method, choice, state.option_ids, state.index, state.max_choices)
    if state.method in (PollMethod.YES_NO, PollMethod.SINGLE):
        return [normalised]
    if state.method == PollMethod.MULTIPLE:
        return list(normalised)
    if state.method == PollMethod.MAJORITY_JUDGMENT:
        return list(normalised["mentions"].items())
    ranked = set(normalised)
    unranked = [option_id for option_id in state.option_ids if option_id not in ranked]
    return [(a, b) for i, a in enumerate(normalised) for b in [*normalised[i + 1:], *unranked]]


def add_ballot(state: TallyState, method: PollMethod | str, choice: Any) -> None:
    """Count one ballot (validated first: raises `InvalidChoice` and counts nothing if it is not valid)."""
    keys = _counted_keys(state, method, choice)
    state.counts.update(keys)
    state.total += 1


def remove_ballot(state: TallyState, method: PollMethod | str, choice: Any) -> None:
    """Uncount a ballot counted before: a device changes its ballot (remove the old, add the new) or withdraws.

    Raises ValueError, changing nothing, when that ballot cannot have been counted.
    """
    keys = _counted_keys(state, method, choice)
    if state.total < 1 or any(state.counts[key] < 1 for key in keys):
        raise ValueError("this ballot is not in the tally")
    state.counts.subtract(keys)
    state.counts = +state.counts  # drop the zeros so equal tallies compare equal
    state.total -= 1


def results(state: TallyState) -> list[dict] | dict:
    """The API.md `results` of a running tally (without labels)."""
    ids, counts = state.option_ids, state.counts
    if state.method in CHOICE_METHODS:
        return [{"option_id": option_id, "count": counts[option_id]} for option_id in ids]
    if state.method == PollMethod.MAJORITY_JUDGMENT:
        rows = []
        for option_id in ids:
            profile = [counts[(option_id, mention)] for mention in range(len(MENTIONS))]
            rows.append({"option_id": option_id, "merit_profile": profile,
                         "majority_mention": majority_mention(profile), "gauge": gauge(profile)})
        return rows
    # Keys are the option ids' text, so the matrix survives a JSON round trip unchanged.
    return {"pairwise": {str(a): {str(b): counts[(a, b)] for b in ids if b != a} for a in ids}}


def tally(method: PollMethod | str, option_ids: Iterable[OptionId] | None, ballots: Iterable[Any], *,
          max_choices: int | None = None) -> list[dict] | dict:
    """Count the ballots (one per participant: the caller keeps only the last one of each) into API results."""
    state = empty_tally(method, option_ids, max_choices=max_choices)
    for choice in ballots:
        add_ballot(state, state.method, choice)
    return results(state)


# Majority judgment

def majority_mention(profile: Sequence[int]) -> int:
    """The lower median: the lowest mention g such that 2 × (number of mentions ≤ g) ≥ n (0 when n = 0)."""
    n, at_most = sum(profile), 0
    for mention, count in enumerate(profile):
        at_most += count
        if 2 * at_most >= n:
            return mention
    return REJECT


def _score(profile: Sequence[int]) -> Fraction:
    """+p when p > q, else −q (p = q counts as −q): p, q = shares strictly better, worse than the median."""
    n = sum(profile)
    if n == 0:
        return Fraction(0)
    median = majority_mention(profile)
    p, q = Fraction(sum(profile[median + 1:]), n), Fraction(sum(profile[:median]), n)
    return p if p > q else -q


def gauge(profile: Sequence[int]) -> float:
    """The signed share shown next to the majority mention ("Good +40 %" is 0.4, "Good −30 %" is −0.3)."""
    return float(_score(profile)) + 0.0  # + 0.0 turns −0.0 into 0.0


def median_sequence(profile: Sequence[int]) -> tuple[int, ...]:
    """Successive lower medians: take the lower median, remove one copy of it, repeat until no mention is left."""
    remaining, sequence = list(profile), []
    for _ in range(sum(profile)):
        median = majority_mention(remaining)
        sequence.append(median)
        remaining[median] -= 1
    return tuple(sequence)


def gauge_parts(gauge_value: float) -> tuple[str, int]:
    """(sign, whole percent) of a gauge: ("+", 40), ("\u2212", 30) (U+2212 minus), ("", 0) when it rounds to
    zero; half-percents round up. The page writes them in its language ("Good +40%", « Bien +40 % »)."""
    percent = int((Decimal(repr(abs(gauge_value))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return ("" if percent == 0 else ("+" if gauge_value > 0 else "\u2212")), percent


def _judgment_order(ids: Sequence[OptionId], profiles: Mapping[OptionId, Sequence[int]]) -> list[OptionId]:
    """Majority mention, then the gauge score, then the median sequences; identical profiles keep option order."""
    primary = {option_id: (majority_mention(profiles[option_id]), _score(profiles[option_id])) for option_id in ids}
    shared = Counter(primary.values())

    def key(option_id: OptionId) -> tuple:
        tied = shared[primary[option_id]] > 1  # the median sequence only matters between tied options
        return (*primary[option_id], median_sequence(profiles[option_id]) if tied else ())

    return sorted(ids, key=key, reverse=True)  # sorted is stable, also in reverse: ties stay in option order


# Schulze (ranking polls)

def strongest_paths(option_ids: Sequence[OptionId], d: Mapping[tuple, int]) -> dict[tuple, int]:
    """Widest paths (Floyd–Warshall) over the pairwise defeats: d[(a, b)] ballots prefer a to b.

    A link a→b has strength d[(a, b)] when a beats b head to head (d[(a, b)] > d[(b, a)]), else 0.
    """
    p = {(a, b): d[(a, b)] if d[(a, b)] > d[(b, a)] else 0 for a in option_ids for b in option_ids if a != b}
    for via in option_ids:
        for a in option_ids:
            if a == via:
                continue
            for b in option_ids:
                if b not in (a, via):
                    p[(a, b)] = max(p[(a, b)], min(p[(a, via)], p[(via, b)]))
    return p


def schulze_order(option_ids: Sequence[OptionId], d: Mapping[tuple, int]) -> list[OptionId]:
    """a beats b when p[a][b] > p[b][a]. Take every option no remaining option beats (in option order), repeat."""
    p = strongest_paths(option_ids, d)
    remaining, order = list(option_ids), []
    while remaining:
        winners = [a for a in remaining if not any(p[(b, a)] > p[(a, b)] for b in remaining if b != a)]
        if not winners:  # impossible for a real matrix (the relation is transitive); never loop forever
            winners = remaining
        order += winners
        remaining = [a for a in remaining if a not in winners]
    return order


# Ranking of the options

def ranking(method: PollMethod | str, option_ids: Iterable[OptionId] | None, results: list | dict) -> list:
    """Option ids best first by the method's rule; `results` as built by `tally` (or read back from JSON).

    yes_no / single / multiple: count descending, ties in option order. majority_judgment: DOMAIN.md's rule
    (see `_judgment_order`). ranking: Schulze over the pairwise matrix.
    """
    method = PollMethod(method)
    ids = _options(method, option_ids)
    if method == PollMethod.RANKING:
        matrix = results["pairwise"]
        d = {(a, b): matrix[str(a)][str(b)] for a in ids for b in ids if a != b}
        return schulze_order(ids, d)
    rows = {str(row["option_id"]): row for row in results}
    if method == PollMethod.MAJORITY_JUDGMENT:
        return _judgment_order(ids, {option_id: rows[str(option_id)]["merit_profile"] for option_id in ids})
    return sorted(ids, key=lambda option_id: -rows[str(option_id)]["count"])
