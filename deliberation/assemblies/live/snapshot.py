"""What a socket is shown: the `poll` object and the `snapshot`, per view (participant, screen, console).

Participants and the screen read the public results (services.poll_results: after_close is never lifted
early); the console reads facilitator_results (always). Counts are read before `seq` (see tallies).
"""

from __future__ import annotations

from deliberation.assemblies import services
from deliberation.assemblies.live.tallies import connected_count, current_seq
from deliberation.assemblies.models import Assembly, Participant, Poll

PARTICIPANT, SCREEN, CONSOLE = "participant", "screen", "console"


def results_for(poll: Poll, view: str, *, participant: Participant | None = None, actor=None) -> dict:
    if view == CONSOLE:
        return services.facilitator_results(poll, actor)
    return services.poll_results(poll, viewer_participant=participant if view == PARTICIPANT else None)


def poll_object(poll: Poll, view: str, *, participant: Participant | None = None, actor=None,
                my_ballot=None, with_my_ballot: bool = True) -> dict:
    body = results_for(poll, view, participant=participant, actor=actor)
    data = {
        "id": poll.id,
        "question": poll.question,
        "method": poll.method.value,
        "max_choices": poll.max_choices,
        "results_visibility": poll.results_visibility.value,
        "totals_only": poll.totals_only,
        "state": poll.state.value,
        "options": body["options"],
        "results": body["results"],
        "ranking": body["ranking"],
        "results_hidden": body["results_hidden"],
        "total_ballots": body["total_ballots"],
        "seq": current_seq(poll.id),
        "log_head": body["log_head"],
        "online": body["online"],
        "paper": body["paper"],
        "verify_url": body["verify_url"],
    }
    if with_my_ballot:
        data["my_ballot"] = (None if my_ballot is None else
                             {"ballot_id": my_ballot.ballot_id, "choice": my_ballot.choice,
                              "receipt": my_ballot.receipt})
    return data


def build_snapshot(assembly: Assembly, view: str, *, participant: Participant | None = None,
                   device_token: str | None = None, actor=None) -> dict:
    polls = services.list_polls(assembly, actor if view == CONSOLE else None)
    mine = services.my_ballots(participant) if participant is not None else {}
    connected = connected_count(assembly.id)
    return {
        "assembly": {
            "id": assembly.id, "title": assembly.title, "state": assembly.state.value,
            "join_code": assembly.join_code, "quorum": assembly.quorum,
            "attendance": {"connected": connected, "peak": max(assembly.peak_attendance, connected)},
        },
        "participant": {"device_token": device_token} if view == PARTICIPANT else None,
        "polls": [poll_object(poll, view, participant=participant, actor=actor, my_ballot=mine.get(poll.id))
                  for poll in polls],
        **_room_entries(assembly, view, participant),
    }


def _room_entries(assembly: Assembly, view: str, participant: Participant | None) -> dict:
    """The questions, speaker queue and timer (live/room_broadcast): a phone's own items are marked `mine`."""
    from deliberation.assemblies.live import room_broadcast

    if view == PARTICIPANT and participant is not None:
        questions = room_broadcast.participant_questions(assembly, participant)
        speakers = room_broadcast.participant_speakers(assembly, participant)
    else:
        questions = room_broadcast.questions_list(assembly, view)
        speakers = room_broadcast.speakers_list(assembly, view)
    return {"questions": questions, "speakers": speakers, "timer": services.timer_state(assembly)}
