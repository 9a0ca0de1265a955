"""Real concurrent votes through the API (committed data, one request per thread, on SQLite and PostgreSQL):
the chain never forks and a device's duplicate requests store one ballot."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import delete

from deliberation.assemblies import receipts, services
from deliberation.assemblies.models import Assembly, Poll, PollState
from deliberation.extensions import db
from tests.factories import ParticipantFactory, PollFactory

THREADS = 12


@pytest.fixture
def committed_poll(app):
    """A poll and participants committed for real (the other tests roll back), deleted afterwards."""
    with app.app_context():
        poll = PollFactory()
        participants = [ParticipantFactory(assembly=poll.assembly) for _ in range(THREADS // 2)]
        db.session.commit()
        ids = poll.id, poll.assembly_id, [participant.device_token for participant in participants]
        db.session.remove()
    yield ids
    with app.app_context():
        db.session.execute(delete(Assembly).where(Assembly.id == ids[1]))
        db.session.commit()
        db.session.remove()


def test_concurrent_votes_chain_one_after_the_other(app, committed_poll):
    poll_id, _assembly_id, tokens = committed_poll
    duplicate_ballot_id = str(uuid.uuid4())
    barrier, answers, errors = threading.Barrier(THREADS), [], []

    def vote(index: int) -> None:
        # Half the threads are one device sending the same ballot again and again; the others vote once
        # each, the first of them from that same device with a new ballot (which replaces the first one).
        same_device = index < THREADS // 2
        token = tokens[0] if same_device else tokens[index - THREADS // 2]
        ballot_id = duplicate_ballot_id if same_device else str(uuid.uuid4())
        client = app.test_client()
        try:
            barrier.wait(timeout=10)
            response = client.post(f"/api/v1/polls/{poll_id}/votes", headers={"X-Device-Token": token},
                                   json={"ballot_id": ballot_id, "choice": "yes"})
            answers.append((same_device, response.status_code, response.get_json()))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=vote, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert all(status in (200, 201) for _, status, _ in answers), answers
    assert len({body["receipt"] for same_device, _, body in answers if same_device}) == 1
    assert sorted(status for same_device, status, _ in answers if same_device) == [200] * 5 + [201]
    with app.app_context():
        poll = db.session.get(Poll, poll_id)
        assert poll.ballot_count == THREADS // 2 and poll.log_length == THREADS // 2 + 1
        poll.state = PollState.CLOSED  # not committed: only to read the log
        log = services.ballot_log(poll)
        assert receipts.verify_chain(log, poll_id=poll.id, head=poll.log_head) is None
        db.session.rollback()
        db.session.remove()
