"""The `/live` namespace on the real production server (`deliberation serve`: gunicorn + gevent) with real
python-socketio clients: phones join, vote, and every phone receives the coalesced tally.

With PostgreSQL and a message queue (DELIBERATION_MESSAGE_QUEUE in the outer run), also two servers on one
database and one Redis: a phone on one sees the tally of a vote cast on the other. And one device sending 50
votes at once keeps one ballot. The failure drills (kill -9, Redis stopped) are in test_drills.py.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

socketio_client = pytest.importorskip("socketio")
pytest.importorskip("websocket", reason="websocket-client is needed by the python-socketio client")

from deliberation.assemblies.receipts import verify_chain  # noqa: E402
from tests.assemblies.live_servers import (  # noqa: E402
    WAIT_S,
    Phone,
    Servers,
    close_phones,
    close_poll,
    connect_phones,
    create_poll,
    get_json,
    uses_postgres,
    wait_until,
)
from tests.browser.conftest import server_database  # noqa: E402 - after the skips, like the above

SAME_DEVICE_SOCKETS = 50


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    yield from server_database(tmp_path_factory, "liveserver")


@pytest.fixture(scope="module")
def start_server(database, tmp_path_factory):
    """start_server() → a running LiveServer on a free port; every server shares the database (and the
    outer run's DELIBERATION_MESSAGE_QUEUE, if any)."""
    servers = Servers(database, tmp_path_factory.mktemp("live-servers"))
    yield servers.start
    servers.close()


def _counted(phone: Phone, total: int):
    return lambda: any(tally["total_ballots"] == total for _, tally in phone.tallies)


def test_three_phones_vote_and_all_receive_the_tally(start_server):
    server = start_server()
    setup = create_poll(server)
    started = time.monotonic()
    phones = connect_phones(server.url, setup["join_code"], 3)
    try:
        for phone in phones:
            assert phone.snapshot["participant"]["device_token"]
            assert [poll["id"] for poll in phone.snapshot["polls"]] == [setup["poll_id"]]
        tokens = {phone.snapshot["participant"]["device_token"] for phone in phones}
        assert len(tokens) == 3
        for phone, choice in zip(phones, ["yes", "no", "yes"], strict=True):
            answer = phone.vote(setup["poll_id"], choice)
            assert answer["ok"] is True and len(answer["receipt"]) == 64, answer
        for phone in phones:
            phone.wait_for(_counted(phone, 3), "tally counting 3 ballots")
            last = phone.tallies[-1][1]
            assert last["poll_id"] == setup["poll_id"] and last["total_ballots"] == 3
            assert {row["option_id"]: row["count"] for row in last["results"]} == {"yes": 2, "no": 1, "abstain": 0}
            seqs = [tally["seq"] for _, tally in phone.tallies]
            assert seqs == sorted(set(seqs))
            assert len(phone.tallies) <= 3
        assert time.monotonic() - started < 15
    finally:
        close_phones(phones)


def test_two_servers_share_tallies_through_redis(start_server):
    if not os.environ.get("DELIBERATION_MESSAGE_QUEUE"):
        pytest.skip("two servers need a message queue: set DELIBERATION_MESSAGE_QUEUE=redis://…")
    if not uses_postgres():
        pytest.skip("two server processes on one SQLite file are not a supported deployment: use PostgreSQL")
    first, second = start_server(), start_server()
    setup = create_poll(first)
    watcher, voter = Phone(setup["join_code"]).connect(first.url), Phone(setup["join_code"]).connect(second.url)
    try:
        voter.wait_for(lambda: voter.snapshot is not None, "snapshot")
        assert voter.vote(setup["poll_id"], "abstain")["ok"] is True
        watcher.wait_for(_counted(watcher, 1), "tally from the other server")
        voter.wait_for(_counted(voter, 1), "tally")
        assert watcher.tallies[-1][1]["results"] == voter.tallies[-1][1]["results"]
    finally:
        close_phones([watcher, voter])


def test_fifty_concurrent_votes_from_one_device_leave_one_ballot(start_server):
    """One device (50 sockets with its device token, as many open tabs) sends 50 cast_vote at once: 5 ballot
    ids, each sent 10 times. One ballot remains, the last one; each ballot id got one receipt."""
    server = start_server()
    setup = create_poll(server)
    poll_id = setup["poll_id"]
    first = connect_phones(server.url, setup["join_code"], 1)[0]
    token = first.device_token
    sockets = [first, *connect_phones(server.url, setup["join_code"], SAME_DEVICE_SOCKETS - 1,
                                      device_token=token)]
    ballots = [(str(uuid.uuid4()), choice) for choice in ("yes", "no", "abstain", "yes", "no")]
    start_together = threading.Barrier(len(sockets))

    def send(index: int) -> None:
        ballot_id, choice = ballots[index % len(ballots)]
        start_together.wait(timeout=WAIT_S)
        sockets[index].cast(poll_id, choice, ballot_id)

    try:
        assert {phone.snapshot["participant"]["device_token"] for phone in sockets} == {token}
        senders = [threading.Thread(target=send, args=(index,)) for index in range(len(sockets))]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=WAIT_S)
        wait_until(lambda: all(phone.acks for phone in sockets), "every cast_vote acknowledged")
        answers = [(vote["ballot_id"], ack) for phone in sockets for _, ack, vote in phone.acks]
        assert len(answers) == SAME_DEVICE_SOCKETS
        assert all(ack["ok"] is True for _, ack in answers), [ack for _, ack in answers if not ack["ok"]]
        receipts = {ballot_id: {ack["receipt"] for bid, ack in answers if bid == ballot_id} for ballot_id, _ in ballots}
        assert all(len(found) == 1 for found in receipts.values()), receipts  # duplicates: the same receipt
        acked = {next(iter(found)) for found in receipts.values()}
        assert len(acked) == len(ballots)

        assert get_json(server, f"/api/v1/polls/{poll_id}/results")["total_ballots"] == 1
        first.wait_for(lambda: (first.last_tally(poll_id) or {}).get("total_ballots") == 1, "tally of one ballot")
        again = connect_phones(server.url, setup["join_code"], 1, device_token=token)[0]
        mine = again.poll_in_snapshot(poll_id)["my_ballot"]
        assert mine["receipt"] in acked
        assert (mine["ballot_id"], mine["choice"]) in ballots
        sockets.append(again)

        close_poll(server, setup)
        entries = get_json(server, f"/api/v1/polls/{poll_id}/ballots")
        assert sorted(entry["ballot_id"] for entry in entries) == sorted(ballot_id for ballot_id, _ in ballots)
        assert verify_chain(entries, poll_id=poll_id) is None
        assert entries[-1]["receipt"] == mine["receipt"]  # the last one counts
        assert {entry["receipt"] for entry in entries} == acked
    finally:
        close_phones(sockets)
