"""Failure drills of issue #3 ("Nothing lost"), black-box: the real production server (`deliberation serve`:
gunicorn + gevent), real python-socketio phones over WebSocket, the public API.

- kill -9 of the server in the middle of a vote burst, then a restart on the same database and port: every
  acknowledged ballot is stored exactly once, every phone ends with exactly one ballot (its own, with the
  receipt it was given), and the ballot log verifies.
- Redis stopped for OUTAGE_S under two servers on one PostgreSQL database: every vote is still stored and
  acknowledged, phones still connect, and once Redis is back every phone sees the stored tally within
  CONVERGENCE_LIMIT_S.

Each prints its figures (run with -s to see them).
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

pytest.importorskip("socketio")
pytest.importorskip("websocket", reason="websocket-client is needed by the python-socketio client")

from deliberation.assemblies.receipts import verify_chain  # noqa: E402
from tests.assemblies.live_servers import (  # noqa: E402
    WAIT_S,
    Phone,
    RedisServer,
    Servers,
    close_phones,
    close_poll,
    connect_phones,
    create_poll,
    get_json,
    port_of,
    uses_postgres,
    wait_until,
)
from tests.browser.conftest import server_database  # noqa: E402 - after the skips, like the above

PHONES = 200
BURST_THREADS = 4
# The burst's votes leave over this time (100 votes/s): a server that stores 200 votes in 0.3 s would
# otherwise be done before the phones learn that 30 % were stored.
BURST_S = 2
# The server is killed once this share of the burst is acknowledged or counted in a tally, or once this share
# of it is sent and one vote is acknowledged.
KILL_AT_SHARE = 0.3
KILL_AT_SENT = 0.6
# 200 phones reconnecting to a server that restarts, on a loaded 2-CPU machine.
RECONNECT_WAIT_S = 45

OUTAGE_S = 30
CONVERGENCE_LIMIT_S = 10
PHONES_PER_SERVER = 20
LATE_PHONES_PER_SERVER = 2
WAVE_EVERY_S = 4


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    yield from server_database(tmp_path_factory, "drills")


@pytest.fixture(scope="module")
def servers(database, tmp_path_factory):
    servers = Servers(database, tmp_path_factory.mktemp("drill-servers"))
    yield servers
    servers.close()


def _ok(ack: dict) -> bool:
    return ack.get("ok") is True and isinstance(ack.get("receipt"), str) and len(ack["receipt"]) == 64


def _counts(results: list[dict]) -> dict:
    return {row["option_id"]: row["count"] for row in results}


class _Burst:
    """Every phone emits its vote, from BURST_THREADS threads started together, over `spread_s` seconds."""

    def __init__(self, phones: list[Phone], poll_id: int, ballots: list[tuple[str, str]], *, spread_s: float = 0):
        self.phones, self.poll_id, self.ballots = phones, poll_id, ballots
        self.pause = spread_s * BURST_THREADS / len(phones)
        self.sent: list[int] = []
        self.start_together = threading.Barrier(BURST_THREADS)
        self.senders = [threading.Thread(target=self._send, args=(range(offset, len(phones), BURST_THREADS),))
                        for offset in range(BURST_THREADS)]
        for sender in self.senders:
            sender.start()

    def _send(self, indexes: range) -> None:
        self.start_together.wait(timeout=WAIT_S)
        for index in indexes:
            ballot_id, choice = self.ballots[index]
            self.phones[index].cast(self.poll_id, choice, ballot_id)
            self.sent.append(index)
            time.sleep(self.pause)

    def join(self) -> None:
        for sender in self.senders:
            sender.join(timeout=WAIT_S)

    def half_stored(self) -> bool:
        """Time to kill: KILL_AT_SHARE of the votes acknowledged or counted in a tally (acks may come in clumps,
        well after their commits), or at least one acknowledged and KILL_AT_SENT of them sent."""
        acks = sum(len(phone.acks) for phone in self.phones)
        counted = max((tally["total_ballots"] for phone in self.phones[:10] for _, tally in phone.tallies),
                      default=0)
        total = len(self.phones)
        return max(acks, counted) >= KILL_AT_SHARE * total or (acks > 0 and len(self.sent) >= KILL_AT_SENT * total)


def _acknowledged(phones: list[Phone], ballots: list[tuple[str, str]]) -> dict[int, dict]:
    """{phone index: its ok ack} for the phones whose vote was acknowledged."""
    acked = {}
    for index, phone in enumerate(phones):
        answers = [ack for ack in phone.ack_of(ballots[index][0])
                   if ack.get("error", {}).get("code") != "phone_not_connected"]  # sent after the kill
        assert all(_ok(ack) for ack in answers), answers
        if answers:
            acked[index] = answers[0]
    return acked


def _errors(server) -> str:
    lines = server.log_path.read_text(errors="replace").splitlines()
    return "\n".join(line for line in lines if "socket.io" not in line)[-6000:]


def test_kill_9_in_the_middle_of_a_burst_loses_no_acknowledged_ballot(servers):
    started = time.monotonic()
    server = servers.start()
    setup = create_poll(server)
    poll_id = setup["poll_id"]
    phones = connect_phones(server.url, setup["join_code"], PHONES, reconnection=True)
    connected = time.monotonic() - started
    tokens = [phone.device_token for phone in phones]
    ballots = [(str(uuid.uuid4()), ("yes", "no", "abstain")[index % 3]) for index in range(PHONES)]
    try:
        burst = _Burst(phones, poll_id, ballots, spread_s=BURST_S)
        wait_until(burst.half_stored, "the middle of the burst", step=0.002)
        servers.kill(server)
        burst.join()
        wait_until(lambda: all(phone.disconnects for phone in phones), "every phone disconnected")
        acked = _acknowledged(phones, ballots)
        assert acked, "no vote acknowledged before the kill"

        killed_at = time.monotonic()
        restarted = servers.start(port=port_of(server))
        restart = time.monotonic() - killed_at
        try:
            back = wait_until(lambda: all(phone.connected and len(phone.snapshots) >= 2 for phone in phones),
                              "every phone reconnected by itself", timeout=RECONNECT_WAIT_S, step=0.05)
        except AssertionError:
            behind = [phone for phone in phones if len(phone.snapshots) < 2]
            pytest.fail(f"{len(behind)} phones not back (connected: {[p.client.connected for p in behind][:5]}, "
                        f"disconnects: {[p.disconnects for p in behind][:5]})\n{_errors(restarted)}")
        stored_unacked = {}
        for index, phone in enumerate(phones):
            assert phone.snapshot["participant"]["device_token"] == tokens[index]  # the same participant
            mine = phone.poll_in_snapshot(poll_id)["my_ballot"]
            ballot_id, choice = ballots[index]
            if index in acked:
                assert mine == {"ballot_id": ballot_id, "choice": choice, "receipt": acked[index]["receipt"]}
            elif mine is not None:  # stored, but the server died before its ack left
                assert (mine["ballot_id"], mine["choice"]) == (ballot_id, choice)
                stored_unacked[index] = mine["receipt"]

        lost = PHONES - len(acked) - len(stored_unacked)
        assert lost > 0, "the kill came after the burst: every ballot was stored"

        # Every phone sends its ballot again (those without an ack must; the others check the retry path).
        answered = [len(phone.acks) for phone in phones]
        _Burst(phones, poll_id, ballots).join()
        wait_until(lambda: all(len(phone.acks) > answered[index] for index, phone in enumerate(phones)),
                   "every resent vote acknowledged")
        receipts = []
        for index, phone in enumerate(phones):
            _, ack, vote = phone.acks[-1]
            assert vote["ballot_id"] == ballots[index][0] and _ok(ack), ack
            expected = acked[index]["receipt"] if index in acked else stored_unacked.get(index)
            assert expected in (None, ack["receipt"]), "a resent ballot got another receipt"
            receipts.append(ack["receipt"])
        assert len(set(receipts)) == PHONES
        wait_until(lambda: all(phone.shown[poll_id]["total_ballots"] == PHONES for phone in phones),
                   f"every phone showing {PHONES} ballots")

        # The phones whose ballot was lost come back once more: now their snapshot shows it too.
        resent = time.monotonic()
        lost_ones = [index for index in range(PHONES) if index not in acked and index not in stored_unacked]
        close_phones([phones[index] for index in lost_ones])
        again = connect_phones(restarted.url, setup["join_code"], len(lost_ones),
                               device_tokens=[tokens[index] for index in lost_ones])
        for index, phone in zip(lost_ones, again, strict=True):
            phones[index] = phone
            poll = phone.poll_in_snapshot(poll_id)
            assert poll["my_ballot"] == {"ballot_id": ballots[index][0], "choice": ballots[index][1],
                                         "receipt": receipts[index]}
            assert poll["total_ballots"] == PHONES
        second = time.monotonic() - resent

        close_poll(restarted, setup)
        results = get_json(restarted, f"/api/v1/polls/{poll_id}/results")
        assert results["total_ballots"] == PHONES
        entries = get_json(restarted, f"/api/v1/polls/{poll_id}/ballots")
        assert sorted(entry["ballot_id"] for entry in entries) == sorted(ballot_id for ballot_id, _ in ballots)
        assert {entry["ballot_id"]: entry["receipt"] for entry in entries} == {
            ballots[index][0]: receipts[index] for index in range(PHONES)}
        assert verify_chain(entries, poll_id=poll_id, head=results["log_head"]) is None
        print(f"\nkill -9 drill: {len(acked)}/{PHONES} votes acknowledged before the kill, "
              f"{len(stored_unacked)} more stored without their ack, {lost} not stored (sent again after the "
              f"restart); every phone back {back:.1f}s after the restart answered; {PHONES} ballots, one per "
              f"phone, chain verified "
              f"({PHONES} phones connected in {connected:.1f}s, restart {restart:.1f}s, {len(lost_ones)} "
              f"reconnected again in {second:.1f}s)")
    finally:
        close_phones(phones)


class Voting:
    """Waves of votes on one poll; every acknowledgement is kept, for the ballot log at the end."""

    def __init__(self, poll_id: int):
        self.poll_id = poll_id
        self.receipts: dict[str, str] = {}  # ballot_id → receipt

    def wave(self, phones: list[Phone], choice: str) -> float:
        started = time.monotonic()
        answered = [len(phone.acks) for phone in phones]
        votes = [phone.cast(self.poll_id, choice) for phone in phones]
        wait_until(lambda: all(len(phone.acks) > answered[index] for index, phone in enumerate(phones)),
                   f"every vote of a wave of {len(phones)} acknowledged")
        for phone, vote in zip(phones, votes, strict=True):
            (ack,) = phone.ack_of(vote["ballot_id"])
            assert _ok(ack), f"vote not acknowledged as stored: {ack}"
            self.receipts[vote["ballot_id"]] = ack["receipt"]
        return time.monotonic() - started


def _shows(phone: Phone, poll_id: int, stored: dict) -> bool:
    shown = phone.shown.get(poll_id)
    return (shown is not None and shown["total_ballots"] == stored["total_ballots"]
            and _counts(shown["results"]) == _counts(stored["results"]))


def test_redis_stopped_for_30_s_under_two_servers(servers, tmp_path_factory):
    if not uses_postgres():
        pytest.skip("two server processes on one SQLite file are not a supported deployment: use PostgreSQL")
    redis = RedisServer(tmp_path_factory.mktemp("drill-redis"))
    redis.start()
    phones: dict[str, list[Phone]] = {"first": [], "second": []}
    latecomers: list[Phone] = []
    try:
        queue = {"DELIBERATION_MESSAGE_QUEUE": redis.url}
        first, second = servers.start(env=queue), servers.start(env=queue)
        url = {"first": first.url, "second": second.url}
        setup = create_poll(first)
        poll_id = setup["poll_id"]
        for name in phones:
            phones[name] = connect_phones(url[name], setup["join_code"], PHONES_PER_SERVER)
        everyone = lambda: phones["first"] + phones["second"]  # noqa: E731
        voting = Voting(poll_id)

        voting.wave(everyone(), "yes")  # with Redis: a vote on either server reaches every phone
        stored = get_json(first, f"/api/v1/polls/{poll_id}/results")
        wait_until(lambda: all(_shows(phone, poll_id, stored) for phone in everyone()), "the tally everywhere")

        redis.kill()
        down_at = time.monotonic()
        waves, late, slowest, choice = 0, [], 0.0, "yes"
        while time.monotonic() - down_at < OUTAGE_S - 2 * WAVE_EVERY_S:
            if not late and time.monotonic() - down_at > OUTAGE_S / 3:
                for name in phones:  # connecting while Redis is down: a snapshot from the database
                    joined = connect_phones(url[name], setup["join_code"], LATE_PHONES_PER_SERVER)
                    assert all(phone.poll_in_snapshot(poll_id)["my_ballot"] is None for phone in joined)
                    phones[name] += joined
                    late += joined
            choice = "no" if choice == "yes" else "yes"
            slowest = max(slowest, voting.wave(everyone(), choice))
            waves += 1
            time.sleep(max(0.0, down_at + waves * WAVE_EVERY_S - time.monotonic()))
        # The last votes of the outage are cast on the first server only: the second's phones depend on
        # what crosses over (or is sent again) once Redis is back. Two more phones join it, to vote after.
        voting.wave(phones["first"], "abstain")
        last_votes = time.monotonic()
        latecomers += connect_phones(url["first"], setup["join_code"], LATE_PHONES_PER_SERVER)
        joined = len(late) + len(latecomers)
        stored = get_json(first, f"/api/v1/polls/{poll_id}/results")
        # A figure, not a requirement: how soon the second server's phones catch up with no Redis at all.
        while not all(_shows(phone, poll_id, stored) for phone in phones["second"]) and \
                time.monotonic() < down_at + OUTAGE_S:
            time.sleep(0.05)
        caught_up = time.monotonic() - last_votes if time.monotonic() < down_at + OUTAGE_S else None
        time.sleep(max(0.0, down_at + OUTAGE_S - time.monotonic()))

        redis.start()
        up_at = time.monotonic()
        after = "no" if choice == "yes" else "yes"
        phones["first"] += latecomers
        latecomers = []
        voting.wave(phones["first"], after)
        stored = get_json(first, f"/api/v1/polls/{poll_id}/results")
        wait_until(lambda: all(_shows(phone, poll_id, stored) for phone in everyone()),
                   "every phone showing the stored tally", timeout=CONVERGENCE_LIMIT_S - (time.monotonic() - up_at))
        converged = time.monotonic() - up_at
        assert stored["total_ballots"] == len(everyone())
        assert [phone.disconnects for phone in everyone()] == [0] * len(everyone())

        close_poll(first, setup)
        entries = get_json(first, f"/api/v1/polls/{poll_id}/ballots")
        assert {entry["ballot_id"]: entry["receipt"] for entry in entries} == voting.receipts
        assert verify_chain(entries, poll_id=poll_id) is None
        print(f"\nRedis drill: {len(voting.receipts)} votes, {waves + 1} waves during the {OUTAGE_S}s outage "
              f"(slowest wave acknowledged in {slowest:.2f}s), {joined} phones joined "
              f"meanwhile; the second server's phones showed the first's last votes "
              f"{'not before Redis came back' if caught_up is None else f'{caught_up:.1f}s later, without Redis'}; "
              f"every phone showed the stored tally {converged:.2f}s after Redis came back (a wave on one server "
              f"included)")
    finally:
        close_phones(phones["first"] + phones["second"] + latecomers)
        redis.kill()


def test_while_redis_does_not_answer_the_live_state_stays_in_the_process(app, db_session, monkeypatch):
    """The Redis drill at unit level: with Redis refusing connections, dirty marks, seq, the emit lock and
    attendance work in process (nothing raises into a vote's after-commit or a connect); once Redis answers
    again (when the run has one), this process's attendance is written back, seq keeps growing although
    Redis lost its counter, and a killed worker's attendance stops counting."""
    import redis

    from deliberation.assemblies.live import tallies
    from deliberation.core.realtime import redis_client, redis_prefix
    from tests.browser.conftest import _free_port

    working = redis_client()
    tallies.reset_local_state()
    stopped = redis.Redis(host="127.0.0.1", port=_free_port(), socket_connect_timeout=1)
    monkeypatch.setattr(tallies, "redis_client", lambda: stopped)
    tallies.mark_dirty(41)
    tallies.mark_dirty(42)
    assert tallies._take(tallies.DIRTY_POLLS) == [41, 42]
    first, second = tallies._next_seq(41), tallies._next_seq(41)
    assert time.time() * 1000 - 60_000 < first < second == tallies.current_seq(41)
    assert tallies._take_lock(41) is True
    assert tallies.change_attendance(9, +1) == 1
    assert tallies.connected_count(9) == 1
    monkeypatch.undo()
    if working is None:
        tallies.reset_local_state()
        return

    monkeypatch.setattr(tallies, "redis_client", lambda: working)
    tallies._redis_state["retry_at"] = 0.0  # the pause after the failure is over
    working.delete(f"{redis_prefix()}tally-seq:41", f"{redis_prefix()}attendance:9")  # a Redis restarted empty
    try:
        assert tallies.connected_count(9) == 1  # written back
        assert tallies._next_seq(41) > second
        killed = int(time.time()) - tallies.ATTENDANCE_STALE_S - 1  # a worker gone without a goodbye
        working.hset(f"{redis_prefix()}attendance:9", mapping={"dead-worker": f"150:{killed}", "alive": "2:9999999999"})
        assert tallies.connected_count(9) == 3
    finally:
        working.delete(f"{redis_prefix()}tally-seq:41", f"{redis_prefix()}attendance:9")
        tallies.reset_local_state()
