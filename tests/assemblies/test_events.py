"""The `/live` namespace through Flask-SocketIO's test client (work/live-protocol.md): refusals, snapshots,
votes acknowledged once stored, console commands, results that never leak, coalesced tallies."""

from __future__ import annotations

import pytest
import socketio as python_socketio
from socketio import packet
from socketio.pubsub_manager import PubSubManager
from sqlalchemy import func, select

from deliberation.assemblies.live import tallies
from deliberation.assemblies.models import AssemblyState, Ballot, Poll, PollState, ResultsVisibility
from deliberation.assemblies.voting import PollMethod
from deliberation.extensions import db, socketio
from tests.assemblies.conftest import new_ballot_id
from tests.factories import AssemblyFactory, ParticipantFactory, PollFactory, UserFactory
from tests.helpers import bearer

NS = "/live"
POLL_KEYS = {"id", "question", "method", "max_choices", "results_visibility", "totals_only", "state", "options",
             "my_ballot", "results", "ranking", "results_hidden", "total_ballots", "seq", "log_head", "online",
             "paper", "verify_url"}


@pytest.fixture
def live(app, db_session, monkeypatch):
    """A local Socket.IO manager even when the run has a message queue (the test client needs one), clean
    coalescer state, and every test client disconnected at the end. Tests call the emitter's flush
    themselves: its interval (also the Redis lock's lifetime) shrinks to 1 ms so that each call counts."""
    monkeypatch.setitem(app.config, "ASSEMBLIES_TALLY_INTERVAL_MS", 1)
    server = socketio.server
    original = server.manager
    if isinstance(original, PubSubManager):
        local = python_socketio.Manager()
        local.set_server(server)
        server.manager = local
    tallies.reset_local_state()
    clients = []
    yield clients
    for client in clients:
        if client.is_connected(NS):
            client.disconnect(NS)
    server.manager = original
    tallies.reset_local_state()


def connect(app, live, flask_client=None, **auth):
    db.session.commit()  # the set-up survives an event that rolls back (commits are savepoints in tests)
    client = socketio.test_client(app, namespace=NS, auth=auth, flask_test_client=flask_client)
    live.append(client)
    return client


def refusal(app, live, flask_client=None, **auth) -> dict:
    """The connect_error data of a refused connection."""
    client = connect(app, live, flask_client, **auth)
    assert not client.is_connected(NS)
    errors, send = [], socketio.server._send_packet

    def capture(eio_sid, pkt):
        if pkt.packet_type == packet.CONNECT_ERROR:
            errors.append(pkt.data)
        send(eio_sid, pkt)

    socketio.server._send_packet = capture
    try:
        client.connect(NS, auth=auth)
    finally:
        socketio.server._send_packet = send
    assert not client.is_connected(NS) and errors
    error = errors[-1]
    assert error["message"] == error["data"]["code"] and error["data"]["message"]
    return error["data"]


def ack(client, event, data):
    db.session.commit()
    return client.emit(event, data, namespace=NS, callback=True)


def received(client, name=None) -> list:
    return [message["args"][0] for message in client.get_received(NS) if name in (None, message["name"])]


def snapshot_of(client) -> dict:
    (snapshot,) = received(client, "snapshot")
    return snapshot


def vote(client, poll, choice, ballot_id=None):
    return ack(client, "cast_vote", {"poll_id": poll.id, "ballot_id": ballot_id or new_ballot_id(),
                                     "choice": choice})


def ballots(poll) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll.id))


# Connection

def test_refusals(app, live, client, facilitator):
    assert refusal(app, live)["code"] == "join_code_required"
    assert refusal(app, live, join_code="   ")["code"] == "join_code_required"
    assert refusal(app, live, join_code="ZZZZZZ")["code"] == "unknown_join_code"
    ended = AssemblyFactory(state=AssemblyState.ENDED)
    assert refusal(app, live, join_code=ended.join_code)["code"] == "assembly_ended"
    assembly = AssemblyFactory(requires_sign_in=True)
    assert refusal(app, live, join_code=assembly.join_code)["code"] == "sign_in_required"
    assert refusal(app, live, join_code=assembly.join_code, role="console")["code"] == "sign_in_required"
    resident_token = bearer(UserFactory())["Authorization"].split()[1]
    assert refusal(app, live, join_code=assembly.join_code, role="console",
                   token=resident_token)["code"] == "forbidden"
    assert refusal(app, live, join_code=assembly.join_code, role="admin")["code"] == "forbidden"


def test_participant_snapshot_and_coming_back_with_the_device_token(app, live):
    assembly = AssemblyFactory(quorum=12)
    poll = PollFactory(assembly=assembly)
    PollFactory(assembly=assembly, state=PollState.DRAFT)
    phone = connect(app, live, join_code=assembly.join_code.lower())
    assert phone.is_connected(NS)
    snapshot = snapshot_of(phone)
    assert set(snapshot) == {"assembly", "participant", "polls", "questions", "speakers", "timer"}
    assert snapshot["assembly"] == {"id": assembly.id, "title": assembly.title, "state": "live",
                                    "join_code": assembly.join_code, "quorum": 12,
                                    "attendance": {"connected": 1, "peak": 1}}
    token = snapshot["participant"]["device_token"]
    assert token and snapshot["questions"] == [] and snapshot["speakers"] == [] and snapshot["timer"] is None
    (shown,) = snapshot["polls"]  # no draft
    assert set(shown) == POLL_KEYS and shown["id"] == poll.id and shown["my_ballot"] is None
    assert [option["id"] for option in shown["options"]] == ["yes", "no", "abstain"]
    ballot_id = new_ballot_id()
    receipt = vote(phone, poll, "yes", ballot_id)["receipt"]
    phone.disconnect(NS)

    again = connect(app, live, join_code=assembly.join_code, device_token=token)
    snapshot = snapshot_of(again)
    assert snapshot["participant"] == {"device_token": token}
    assert snapshot["polls"][0]["my_ballot"] == {"ballot_id": ballot_id, "choice": "yes", "receipt": receipt}
    assert snapshot["polls"][0]["total_ballots"] == 1
    assert db.session.get(type(assembly), assembly.id).peak_attendance == 1


def test_sign_in_required_gives_one_participant_per_account(app, live):
    assembly = AssemblyFactory(requires_sign_in=True)
    poll = PollFactory(assembly=assembly)
    token = bearer(UserFactory())["Authorization"].split()[1]
    phone = connect(app, live, join_code=assembly.join_code, token=token)
    device_token = snapshot_of(phone)["participant"]["device_token"]
    receipt = vote(phone, poll, "no")["receipt"]
    other_device = connect(app, live, join_code=assembly.join_code, token=token, device_token="ignored")
    snapshot = snapshot_of(other_device)
    assert snapshot["participant"]["device_token"] == device_token
    assert snapshot["polls"][0]["my_ballot"]["receipt"] == receipt


def test_screen_and_console_snapshots(app, live, client, facilitator):
    assembly = AssemblyFactory(requires_sign_in=True)
    hidden = PollFactory(assembly=assembly, results_visibility=ResultsVisibility.AFTER_CLOSE)
    draft = PollFactory(assembly=assembly, state=PollState.DRAFT)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")  # public, no account
    snapshot = snapshot_of(screen)
    assert snapshot["participant"] is None
    assert [(poll["id"], poll["my_ballot"], poll["results"], poll["results_hidden"])
            for poll in snapshot["polls"]] == [(hidden.id, None, None, True)]
    token = bearer(facilitator)["Authorization"].split()[1]
    console = connect(app, live, join_code=assembly.join_code, role="console", token=token)
    polls = {poll["id"]: poll for poll in snapshot_of(console)["polls"]}
    assert set(polls) == {hidden.id, draft.id}
    assert polls[hidden.id]["results_hidden"] is False and polls[hidden.id]["results"] is not None


def test_console_by_session_cookie(app, live, client, facilitator):
    from tests.helpers import sign_in

    assembly = AssemblyFactory()
    sign_in(client, facilitator)
    console = connect(app, live, client, join_code=assembly.join_code, role="console")
    assert console.is_connected(NS) and snapshot_of(console)["participant"] is None


# Votes

def test_cast_vote_is_stored_before_the_ack_and_counted_once(app, live):
    poll = PollFactory(method=PollMethod.SINGLE)
    phone = connect(app, live, join_code=poll.assembly.join_code)
    option = poll.options[1].id
    ballot_id = new_ballot_id()
    first = vote(phone, poll, option, ballot_id)
    assert first["ok"] is True and len(first["receipt"]) == 64
    stored = db.session.scalars(select(Ballot).where(Ballot.poll_id == poll.id)).one()
    assert stored.receipt == first["receipt"] and stored.choice == option
    assert vote(phone, poll, option, ballot_id) == first
    assert ballots(poll) == 1 and db.session.get(Poll, poll.id).log_length == 1


@pytest.mark.parametrize(("payload", "code"), [
    ({"choice": "maybe"}, "invalid_choice"),
    ({"ballot_id": "not-a-uuid"}, "invalid_ballot_id"),
    ({"poll_id": "1"}, "validation_error"),
    ({"poll_id": None}, "validation_error"),
    ({"poll_id": 2**31 - 1}, "not_found"),
])
def test_cast_vote_errors(app, live, payload, code):
    poll = PollFactory()
    phone = connect(app, live, join_code=poll.assembly.join_code)
    answer = ack(phone, "cast_vote", {"poll_id": poll.id, "ballot_id": new_ballot_id(), "choice": "yes", **payload})
    assert answer["ok"] is False and answer["error"]["code"] == code and answer["error"]["message"]
    if code == "validation_error":
        assert "poll_id" in answer["error"]["fields"]
    assert ballots(poll) == 0
    assert ack(phone, "cast_vote", ["not", "a", "dict"])["error"]["code"] == "validation_error"


def test_cast_vote_on_a_closed_or_foreign_poll_or_by_the_screen(app, live):
    poll = PollFactory(state=PollState.CLOSED)
    other = PollFactory()
    phone = connect(app, live, join_code=poll.assembly.join_code)
    assert vote(phone, poll, "yes")["error"]["code"] == "poll_closed"
    assert vote(phone, other, "yes")["error"]["code"] == "not_found"
    draft = PollFactory(assembly=poll.assembly, state=PollState.DRAFT)
    assert vote(phone, draft, "yes")["error"]["code"] == "not_found"
    screen = connect(app, live, join_code=other.assembly.join_code, role="screen")
    assert vote(screen, other, "yes")["error"]["code"] == "forbidden"
    assert ballots(poll) == ballots(other) == 0


def test_get_results_after_vote(app, live, facilitator):
    poll = PollFactory(results_visibility=ResultsVisibility.AFTER_VOTE)
    phone = connect(app, live, join_code=poll.assembly.join_code)
    before = ack(phone, "get_results", {"poll_id": poll.id})
    assert before == {"ok": True, "results": None, "ranking": None, "results_hidden": True, "total_ballots": 0,
                      "seq": 0}
    vote(phone, poll, "no")
    after = ack(phone, "get_results", {"poll_id": poll.id})
    assert after["results_hidden"] is False and after["total_ballots"] == 1
    assert {row["option_id"]: row["count"] for row in after["results"]} == {"yes": 0, "no": 1, "abstain": 0}
    screen = connect(app, live, join_code=poll.assembly.join_code, role="screen")
    assert ack(screen, "get_results", {"poll_id": poll.id})["results"] is None
    assert ack(phone, "get_results", {"poll_id": 0})["error"]["code"] == "validation_error"


# Console

def test_console_opens_and_closes_polls_for_every_room(app, live, facilitator):
    assembly = AssemblyFactory()
    poll = PollFactory(assembly=assembly, state=PollState.DRAFT, results_visibility=ResultsVisibility.AFTER_CLOSE)
    phone = connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    console = connect(app, live, join_code=assembly.join_code, role="console",
                      token=bearer(facilitator)["Authorization"].split()[1])
    assert ack(phone, "open_poll", {"poll_id": poll.id})["error"]["code"] == "forbidden"
    assert ack(screen, "close_poll", {"poll_id": poll.id})["error"]["code"] == "forbidden"
    for client in (phone, screen, console):
        client.get_received(NS)

    opened = ack(console, "open_poll", {"poll_id": poll.id})
    assert opened["ok"] is True and opened["poll"]["state"] == "open" and "my_ballot" not in opened["poll"]
    assert db.session.get(Poll, poll.id).state == PollState.OPEN
    (announced,) = received(phone, "poll")
    assert announced["id"] == poll.id and announced["state"] == "open" and announced["results"] is None
    assert "my_ballot" not in announced
    assert received(screen, "poll")[0]["state"] == "open" and received(console, "poll")[0]["results"] is not None

    vote(phone, poll, "yes")
    closed = ack(console, "close_poll", {"poll_id": poll.id})
    assert closed["poll"]["state"] == "closed" and closed["poll"]["log_head"] == db.session.get(Poll, poll.id).log_head
    (final,) = received(phone, "poll")
    assert final["state"] == "closed" and final["log_head"] == closed["poll"]["log_head"]
    assert final["results_hidden"] is False and final["total_ballots"] == 1
    assert ack(console, "open_poll", {"poll_id": poll.id})["error"]["code"] == "poll_closed"
    foreign = PollFactory(state=PollState.DRAFT)
    assert ack(console, "open_poll", {"poll_id": foreign.id})["error"]["code"] == "not_found"


def test_after_close_results_never_reach_phones_or_the_screen_before_closing(app, live, facilitator):
    assembly = AssemblyFactory()
    poll = PollFactory(assembly=assembly, results_visibility=ResultsVisibility.AFTER_CLOSE)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    console = connect(app, live, join_code=assembly.join_code, role="console",
                      token=bearer(facilitator)["Authorization"].split()[1])
    phones = [connect(app, live, join_code=assembly.join_code) for _ in range(3)]
    for phone in phones:
        vote(phone, poll, "yes")
        assert ack(phone, "get_results", {"poll_id": poll.id})["results"] is None
        tallies.flush_dirty_tallies()
    late = connect(app, live, join_code=assembly.join_code)
    for client in (*phones, late, screen):
        for message in client.get_received(NS):
            assert message["name"] in ("snapshot", "attendance"), message
            for shown in message["args"][0].get("polls", []):
                assert shown["results"] is None and shown["ranking"] is None and shown["results_hidden"]
    console_tallies = received(console, "tally")
    assert [tally["total_ballots"] for tally in console_tallies] == [1, 2, 3]

    ack(console, "close_poll", {"poll_id": poll.id})
    tallies.flush_dirty_tallies()
    on_screen = screen.get_received(NS)
    assert [message["name"] for message in on_screen] == ["poll", "tally"]
    final, tally = (message["args"][0] for message in on_screen)
    assert {row["option_id"]: row["count"] for row in final["results"]}["yes"] == 3
    assert tally["total_ballots"] == 3 and tally["results"] == final["results"]
    on_phone = phones[0].get_received(NS)  # phones read the final results from `poll`, no tally
    assert [message["name"] for message in on_phone] == ["poll"]
    assert on_phone[0]["args"][0]["results_hidden"] is False


def test_tallies_are_coalesced_with_an_increasing_seq(app, live):
    assembly = AssemblyFactory()
    poll = PollFactory(assembly=assembly, results_visibility=ResultsVisibility.LIVE)
    participants = [ParticipantFactory(assembly=assembly) for _ in range(30)]
    watcher = connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    phones = [connect(app, live, join_code=assembly.join_code, device_token=p.device_token) for p in participants]
    for index, phone in enumerate(phones, start=1):
        assert vote(phone, poll, ["yes", "no", "abstain"][index % 3])["ok"]
        if index % 10 == 0:  # the emitter's interval passes three times during the burst
            tallies.flush_dirty_tallies()
    assert tallies.flush_dirty_tallies() == 0  # nothing new since the last interval

    seen = received(watcher, "tally")
    assert 1 <= len(seen) <= 3 < 30
    assert [tally["seq"] for tally in seen] == sorted({tally["seq"] for tally in seen})
    last = seen[-1]
    assert last["poll_id"] == poll.id and last["total_ballots"] == 30
    assert sum(row["count"] for row in last["results"]) == 30
    assert received(screen, "tally") == seen
    assert ack(watcher, "get_results", {"poll_id": poll.id})["seq"] == last["seq"]


def test_rest_votes_make_a_tally_due_too(app, live, client):
    poll = PollFactory()
    participant = ParticipantFactory(assembly=poll.assembly)
    phone = connect(app, live, join_code=poll.assembly.join_code)
    response = client.post(f"/api/v1/polls/{poll.id}/votes", headers={"X-Device-Token": participant.device_token},
                           json={"ballot_id": new_ballot_id(), "choice": "abstain"})
    assert response.status_code == 201
    assert tallies.flush_dirty_tallies() == 1
    assert received(phone, "tally")[-1]["total_ballots"] == 1


def test_attendance_peak_is_stored_and_sent_to_console_and_screen(app, live, facilitator):
    assembly = AssemblyFactory()
    console = connect(app, live, join_code=assembly.join_code, role="console",
                      token=bearer(facilitator)["Authorization"].split()[1])
    phones = [connect(app, live, join_code=assembly.join_code) for _ in range(3)]
    phones[0].disconnect(NS)
    assert tallies.flush_attendance() == 1
    assert received(console, "attendance") == [{"connected": 2, "peak": 3}]
    db.session.expire_all()
    assert db.session.get(type(assembly), assembly.id).peak_attendance == 3
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    assert snapshot_of(screen)["assembly"]["attendance"] == {"connected": 2, "peak": 3}


def test_with_several_workers_one_tally_per_poll_per_interval(app, live, monkeypatch):
    from deliberation.core.realtime import redis_client, redis_prefix

    if redis_client() is None:
        pytest.skip("the Redis lock is used only with a message queue (set DELIBERATION_MESSAGE_QUEUE)")
    monkeypatch.setitem(app.config, "ASSEMBLIES_TALLY_INTERVAL_MS", 60_000)
    poll = PollFactory()
    redis_client().delete(f"{redis_prefix()}tally-lock:{poll.id}")
    db.session.commit()
    tallies.mark_dirty(poll.id)
    assert tallies.flush_dirty_tallies() == 1
    tallies.mark_dirty(poll.id)  # a vote within the interval, maybe taken by another worker
    assert tallies.flush_dirty_tallies() == 0  # the lock holds: postponed, not lost
    redis_client().delete(f"{redis_prefix()}tally-lock:{poll.id}")  # the interval passed
    assert tallies.flush_dirty_tallies() == 1


def test_polls_of_another_assembly_or_drafts_are_not_found_on_every_event(app, live, facilitator):
    assembly = AssemblyFactory()
    draft = PollFactory(assembly=assembly, state=PollState.DRAFT)
    foreign = PollFactory(state=PollState.OPEN)
    phone = connect(app, live, join_code=assembly.join_code)
    console = connect(app, live, join_code=assembly.join_code, role="console",
                      token=bearer(facilitator)["Authorization"].split()[1])
    assert ack(phone, "get_results", {"poll_id": foreign.id})["error"]["code"] == "not_found"
    assert ack(phone, "get_results", {"poll_id": draft.id})["error"]["code"] == "not_found"
    assert ack(console, "close_poll", {"poll_id": foreign.id})["error"]["code"] == "not_found"
    assert db.session.get(Poll, foreign.id).state == PollState.OPEN


def test_after_the_message_queue_comes_back_every_poll_is_announced_again(app, live):
    """A poll opened or closed on another worker while Redis was away never reached this worker's phones."""
    assembly = AssemblyFactory()
    opened = PollFactory(assembly=assembly)
    closed = PollFactory(assembly=assembly, state=PollState.CLOSED, results_visibility=ResultsVisibility.AFTER_CLOSE)
    PollFactory(assembly=assembly, state=PollState.DRAFT)
    phone = connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    phone.get_received(NS), screen.get_received(NS)

    tallies._local["refresh-all"] = True  # what the message queue's reconnection sets
    tallies.refresh_tallies()

    for client in (phone, screen):
        polls = {poll["id"]: poll for poll in received(client, "poll")}
        assert set(polls) == {opened.id, closed.id}  # never the draft
        assert polls[opened.id]["state"] == "open" and polls[closed.id]["state"] == "closed"
        assert "my_ballot" not in polls[opened.id]
