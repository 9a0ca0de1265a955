"""Assembly services: one package, so `from deliberation.assemblies import services` gives every command
and query. Commands flush, never commit; privileged ones are audited."""

from deliberation.assemblies.services.assemblies import (
    add_agenda_item,
    create_assembly,
    end_assembly,
    find_assembly_by_code,
    get_assembly,
    new_join_code,
    normalise_join_code,
    record_attendance,
    start_assembly,
)
from deliberation.assemblies.services.ballots import (
    canonical_ballot_id,
    cast_vote,
    lock_poll,
    my_ballots,
    submit_ballot,
)
from deliberation.assemblies.services.paper import clean_paper_counts, paper_batch, record_paper_ballots
from deliberation.assemblies.services.participants import (
    device_hash,
    find_participant,
    join_assembly,
    participant_for_device,
)
from deliberation.assemblies.services.polls import (
    ballot_log,
    close_poll,
    combined_results,
    count_results,
    create_poll,
    facilitator_results,
    get_poll,
    has_voted,
    list_polls,
    open_poll,
    poll_results,
    results_visible,
    verify_path,
)
from deliberation.assemblies.services.verification import receipt_check, verify_poll

__all__ = [
    "add_agenda_item", "ballot_log", "canonical_ballot_id", "cast_vote", "clean_paper_counts", "close_poll",
    "combined_results", "count_results", "create_assembly", "create_poll", "device_hash", "end_assembly",
    "facilitator_results", "find_assembly_by_code", "find_participant", "get_assembly", "get_poll", "has_voted",
    "join_assembly", "list_polls", "lock_poll", "my_ballots", "new_join_code", "normalise_join_code", "open_poll",
    "paper_batch", "participant_for_device", "poll_results", "receipt_check", "record_attendance",
    "record_paper_ballots", "results_visible", "start_assembly", "submit_ballot", "verify_path", "verify_poll",
]
