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
    BallotRequest,
    canonical_ballot_id,
    cast_vote,
    lock_poll,
    my_ballots,
    submit_ballot,
    submit_ballot_batch,
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
from deliberation.assemblies.services.questions import (
    QUESTION_ACTIONS,
    ROOM_MESSAGES,
    ask_question,
    attach_question,
    count_hidden_questions,
    get_question,
    list_questions,
    moderate_question,
    my_question_ids,
    my_upvoted_ids,
    set_question_moderation,
    upvote_question,
)
from deliberation.assemblies.services.speakers import (
    call_speaker,
    current_speaker,
    finish_speaker,
    list_speakers,
    lower_hand,
    open_request,
    raise_hand,
)
from deliberation.assemblies.services.timer import pause_timer, resume_timer, start_timer, stop_timer, timer_state
from deliberation.assemblies.services.verification import receipt_check, verify_poll

__all__ = [
    "BallotRequest", "add_agenda_item", "ballot_log", "canonical_ballot_id", "cast_vote", "clean_paper_counts",
    "close_poll",
    "combined_results", "count_results", "create_assembly", "create_poll", "device_hash", "end_assembly",
    "facilitator_results", "find_assembly_by_code", "find_participant", "get_assembly", "get_poll", "has_voted",
    "join_assembly", "list_polls", "lock_poll", "my_ballots", "new_join_code", "normalise_join_code", "open_poll",
    "paper_batch", "participant_for_device", "poll_results", "receipt_check", "record_attendance",
    "record_paper_ballots", "results_visible", "start_assembly", "submit_ballot", "submit_ballot_batch",
    "verify_path", "verify_poll",
    # questions from the room, speaker queue, timer
    "QUESTION_ACTIONS", "ROOM_MESSAGES", "ask_question", "attach_question", "call_speaker", "count_hidden_questions",
    "current_speaker",
    "finish_speaker", "get_question", "list_questions", "list_speakers", "lower_hand", "moderate_question",
    "my_question_ids", "my_upvoted_ids", "open_request", "pause_timer", "raise_hand", "resume_timer",
    "set_question_moderation", "start_timer", "stop_timer", "timer_state", "upvote_question",
]
