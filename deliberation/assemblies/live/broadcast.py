"""Messages to an assembly's rooms that follow a committed change (a poll opened or closed)."""

from __future__ import annotations

from deliberation.assemblies.live.snapshot import CONSOLE, PARTICIPANT, SCREEN, poll_object
from deliberation.assemblies.live.tallies import NAMESPACE, mark_dirty, rooms
from deliberation.core.transaction import after_commit
from deliberation.extensions import db, socketio


def announce_poll(poll, actor) -> None:
    """After the commit, send `poll` (without my_ballot) to the three rooms, each with the results it may
    see, and make its tally due (the screen shows the final counts of a closed poll)."""
    poll_id = poll.id

    def send() -> None:
        from deliberation.assemblies.models import Poll

        current = db.session.get(Poll, poll_id, populate_existing=True)
        if current is None:
            return
        room = rooms(current.assembly_id)
        for view in (PARTICIPANT, SCREEN, CONSOLE):
            data = poll_object(current, view, actor=actor, with_my_ballot=False)
            socketio.emit("poll", data, to=room[view], namespace=NAMESPACE)
        mark_dirty(poll_id)

    after_commit(send)
