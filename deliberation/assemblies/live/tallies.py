"""The coalescer: votes mark their poll dirty; every ASSEMBLIES_TALLY_INTERVAL_MS one emitter sends the latest
`tally` of each dirty poll (and the `attendance` of each assembly whose count changed). Never one emit per vote:
one tally per poll per interval to N phones keeps a burst O(N) instead of O(N²).

One process: in-process sets and counters. Several workers (MESSAGE_QUEUE set): the dirty marks, the `seq`
counters and the attendance counts live in Redis (under redis_prefix()), a dirty poll is taken by one worker
(SPOP) and emitted under a short lock (SET NX PX interval), so the workers never send competing tallies; the
counts themselves always come from the database, the truth.

Redis may stop: a vote acknowledged is a vote stored, so nothing here may fail because of it. While Redis does
not answer (and for REDIS_RETRY_S after each failure) every worker keeps its marks, seq and attendance in
process and emits to its own sockets (the message queue is down too); when Redis answers again the worker
writes its attendance back. What other workers' sockets missed meanwhile is healed by the refresh: every
ASSEMBLIES_TALLY_REFRESH_S, each worker re-sends to its own sockets the tally of every open poll that changed
since it last sent one, and all of them once it listens to the message queue again. O(open polls) per period.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from deliberation.core.realtime import on_queue_reconnected, redis_client, redis_prefix, worker_id
from deliberation.extensions import db, socketio

NAMESPACE = "/live"
DIRTY_POLLS = "dirty-polls"
DIRTY_ATTENDANCE = "dirty-attendance"
BATCH = 1000
# Redis keys of a poll or an assembly outlive any meeting, then go (a snapshot after that restarts at seq 0).
KEY_LIFETIME_S = 7 * 24 * 3600
# After Redis failed, how long this process works alone before asking Redis again.
REDIS_RETRY_S = 0.5

# seq = max(previous + 1, milliseconds since the epoch): it keeps growing across a restart of the server or of
# Redis (whose counters may be gone), which phones need, as they ignore a tally older than what they hold.
_NEXT_SEQ = """
local seq = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if seq < floor then
  seq = floor
  redis.call('SET', KEYS[1], seq)
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return seq
"""

_local: dict[str, Any] = {"dirty-polls": set(), "dirty-attendance": set(), "seq": {}, "attendance": Counter(),
                          "sent": {}, "refresh-all": False, "emitter_pid": None}
_redis_state = {"retry_at": 0.0, "down": False}
_scripts: dict[int, Any] = {}
_LOCAL = object()


def rooms(assembly_id: int) -> dict[str, str]:
    return {"participant": f"assembly:{assembly_id}", "screen": f"assembly:{assembly_id}:screen",
            "console": f"assembly:{assembly_id}:console"}


def _shared(operation: Callable) -> Any:
    """operation(redis) → its result; _LOCAL when there is one process (no Redis) or Redis does not answer,
    and the caller then uses this process's own state."""
    redis = redis_client()
    if redis is None or time.monotonic() < _redis_state["retry_at"]:
        return _LOCAL
    try:
        if _redis_state["down"]:
            _write_back_attendance(redis)  # Redis may have restarted empty
            _redis_state["down"] = False
            current_app.logger.warning("Redis answers again")
        return operation(redis)
    except RedisError as error:
        _redis_state["retry_at"] = time.monotonic() + REDIS_RETRY_S
        if not _redis_state["down"]:
            _redis_state["down"] = True
            current_app.logger.warning("Redis does not answer (%s): live state kept in this process", error)
        return _LOCAL


# Dirty marks

def _mark(kind: str, ident: int) -> None:
    if _shared(lambda redis: redis.sadd(redis_prefix() + kind, ident)) is _LOCAL:
        _local[kind].add(ident)


def _take(kind: str) -> list[int]:
    """This process's own marks (made while Redis was away) and a batch of the shared ones."""
    taken, _local[kind] = _local[kind], set()
    shared = _shared(lambda redis: redis.spop(redis_prefix() + kind, BATCH))
    if shared is not _LOCAL:
        taken |= {int(ident) for ident in shared or ()}
    return sorted(taken)


def mark_dirty(poll_id: int) -> None:
    """A ballot on this poll was committed (or it opened or closed): its tally is due."""
    _mark(DIRTY_POLLS, poll_id)


def mark_attendance_dirty(assembly_id: int) -> None:
    _mark(DIRTY_ATTENDANCE, assembly_id)


# Sequence numbers

def current_seq(poll_id: int) -> int:
    """The seq of the latest tally sent for this poll (0 before the first)."""
    known = _local["seq"].get(poll_id, 0)
    shared = _shared(lambda redis: redis.get(f"{redis_prefix()}tally-seq:{poll_id}"))
    return known if shared is _LOCAL else max(int(shared or 0), known)


def _next_seq(poll_id: int) -> int:
    floor = max(_local["seq"].get(poll_id, 0) + 1, int(time.time() * 1000))
    seq = _shared(lambda redis: _seq_script(redis)(keys=[f"{redis_prefix()}tally-seq:{poll_id}"],
                                                   args=[floor, KEY_LIFETIME_S]))
    _local["seq"][poll_id] = floor if seq is _LOCAL else int(seq)
    return _local["seq"][poll_id]


def _seq_script(redis):
    script = _scripts.get(id(redis))
    if script is None:
        script = _scripts[id(redis)] = redis.register_script(_NEXT_SEQ)  # EVALSHA, loaded again after a restart
    return script


def _take_lock(poll_id: int) -> bool:
    interval = int(current_app.config["ASSEMBLIES_TALLY_INTERVAL_MS"])
    taken = _shared(lambda redis: redis.set(f"{redis_prefix()}tally-lock:{poll_id}", worker_id(), nx=True,
                                            px=interval))
    return True if taken is _LOCAL else bool(taken)


# Tallies

def flush_dirty_tallies() -> int:
    """Send the latest tally of every dirty poll; the emitter calls it every interval (tests call it directly).

    The seq is taken before the counts are read (and snapshots read counts before seq), so a message with a
    greater seq never carries older counts than one a client already holds. Returns the tallies sent.
    """
    sent, postponed = 0, []
    for poll_id in _take(DIRTY_POLLS):
        if not _take_lock(poll_id):  # another worker sent this poll's tally within the interval
            postponed.append(poll_id)
            continue
        sent += _send_tally(poll_id)
    for poll_id in postponed:
        mark_dirty(poll_id)
    return sent


def refresh_tallies() -> int:
    """Send again, to this process's own sockets only, the tally of each open poll that changed since this
    process last sent it and that it has not sent for ASSEMBLIES_TALLY_REFRESH_S (all open polls right after it
    lost the message queue): other workers' tallies may not have reached them while Redis was away. The worker
    that sends a poll's tallies during a burst sends nothing more; the others, one tally per period at most.
    Returns the tallies sent."""
    from deliberation.assemblies.models import Poll, PollState

    everything, _local["refresh-all"] = _local["refresh-all"], False
    if everything:
        _announce_polls_locally()
    period = float(current_app.config["ASSEMBLIES_TALLY_REFRESH_S"])
    now, sent = time.monotonic(), 0
    for poll_id, version in db.session.execute(select(Poll.id, Poll.log_head).where(Poll.state == PollState.OPEN)):
        known = _local["sent"].get(poll_id)
        if known is None and not everything:  # first seen: its phones had it in their snapshot or a tally
            _local["sent"][poll_id] = (version, now)
        elif everything or (known[0] != version and now - known[1] >= period):
            sent += _send_tally(poll_id, local_only=True)
    return sent


def _announce_polls_locally() -> None:
    """Once the message queue is back, send this process's phones and screens the `poll` of every poll of a live
    assembly again: one opened or closed on another worker while Redis was away never reached them. (Consoles
    get the poll in the ack of their own action.)"""
    from deliberation.assemblies.live.snapshot import PARTICIPANT, SCREEN, poll_object
    from deliberation.assemblies.models import Assembly, AssemblyState, Poll, PollState

    polls = db.session.scalars(select(Poll).join(Assembly).where(Assembly.state == AssemblyState.LIVE,
                                                                 Poll.state != PollState.DRAFT))
    for poll in polls:
        room = rooms(poll.assembly_id)
        for view in (PARTICIPANT, SCREEN):
            socketio.emit("poll", poll_object(poll, view, with_my_ballot=False), to=room[view], namespace=NAMESPACE,
                          ignore_queue=True)


def _mark_polls_with_ballots() -> None:
    """At the start of a process (after a crash, say), send each open poll's tally once: until then its
    snapshots may say seq 0, and phones that come back holding a greater seq keep their older counts."""
    from deliberation.assemblies.models import Poll, PollState

    for poll_id in db.session.scalars(select(Poll.id).where(Poll.state == PollState.OPEN, Poll.log_length > 0)):
        mark_dirty(poll_id)


def _send_tally(poll_id: int, *, local_only: bool = False) -> int:
    from deliberation.assemblies import services
    from deliberation.assemblies.models import Poll

    seq = _next_seq(poll_id)
    poll = db.session.get(Poll, poll_id, populate_existing=True)
    if poll is None:
        return 0
    _local["sent"][poll_id] = (poll.log_head, time.monotonic())
    body = services.combined_results(poll)
    payload = {"poll_id": poll.id, "seq": seq, "total_ballots": body["total_ballots"],
               "results": body["results"], "ranking": body["ranking"], "online": body["online"],
               "paper": body["paper"]}
    for room in tally_rooms(poll):
        socketio.emit("tally", payload, to=room, namespace=NAMESPACE, ignore_queue=local_only)
    return 1


def tally_rooms(poll) -> list[str]:
    """Who may see running counts: the console always, the screen when live or closed, phones when live."""
    from deliberation.assemblies.models import PollState, ResultsVisibility

    room = rooms(poll.assembly_id)
    allowed = [room["console"]]
    if poll.results_visibility == ResultsVisibility.LIVE or poll.state == PollState.CLOSED:
        allowed.append(room["screen"])
    if poll.results_visibility == ResultsVisibility.LIVE:
        allowed.append(room["participant"])
    return allowed


# Attendance: connected participant sockets, counted per process (per worker in a Redis hash, each count
# stamped with the time its worker wrote it: the emitter writes them again every ATTENDANCE_HEARTBEAT_S, and a
# count older than ATTENDANCE_STALE_S, from a worker killed without a goodbye, no longer counts).

ATTENDANCE_HEARTBEAT_S = 5
ATTENDANCE_STALE_S = 20


def _attendance_key(assembly_id: int) -> str:
    return f"{redis_prefix()}attendance:{assembly_id}"


def _attendance_sum(values) -> int:
    fresh_after = time.time() - ATTENDANCE_STALE_S
    total = 0
    for value in values:
        count, _, written = (value.decode() if isinstance(value, bytes) else str(value)).partition(":")
        if written and float(written) >= fresh_after:
            total += max(int(count), 0)
    return total


def _store_attendance(redis, assembly_id: int) -> int:
    key = _attendance_key(assembly_id)
    stamped = f"{_local['attendance'][assembly_id]}:{int(time.time())}"
    _, _, values = redis.pipeline().hset(key, worker_id(), stamped).expire(key, KEY_LIFETIME_S).hvals(key).execute()
    return _attendance_sum(values)


def _write_back_attendance(redis) -> None:
    """Write this process's counts again (Redis may have restarted empty; the stamps must stay fresh)."""
    redis.ping()
    for assembly_id in list(_local["attendance"]):
        _store_attendance(redis, assembly_id)
        if not _local["attendance"][assembly_id]:
            del _local["attendance"][assembly_id]  # stored as 0; nothing more to say about it


def change_attendance(assembly_id: int, delta: int) -> int:
    """Count a participant socket in (+1) or out (-1); returns the assembly's connected sockets, all workers
    (this worker's alone while Redis is away)."""
    _local["attendance"][assembly_id] = max(_local["attendance"][assembly_id] + delta, 0)
    connected = _shared(lambda redis: _store_attendance(redis, assembly_id))
    mark_attendance_dirty(assembly_id)
    return _local["attendance"][assembly_id] if connected is _LOCAL else connected


def connected_count(assembly_id: int) -> int:
    connected = _shared(lambda redis: _attendance_sum(redis.hvals(_attendance_key(assembly_id))))
    return _local["attendance"][assembly_id] if connected is _LOCAL else connected


def flush_attendance() -> int:
    from deliberation.assemblies.models import Assembly

    sent = 0
    for assembly_id in _take(DIRTY_ATTENDANCE):
        assembly = db.session.get(Assembly, assembly_id, populate_existing=True)
        if assembly is None:
            continue
        connected = connected_count(assembly_id)
        payload = {"connected": connected, "peak": max(assembly.peak_attendance, connected)}
        room = rooms(assembly_id)
        for name in ("screen", "console"):
            socketio.emit("attendance", payload, to=room[name], namespace=NAMESPACE)
        sent += 1
    return sent


# The emitter

def ensure_emitter(app: Flask) -> None:
    """Start this process's emitter loop once (after the fork: each worker has its own). Tests drive
    flush_dirty_tallies() themselves, so a testing app starts none."""
    if app.testing or _local["emitter_pid"] == os.getpid():
        return
    _local["emitter_pid"] = os.getpid()
    on_queue_reconnected(_refresh_everything)
    socketio.start_background_task(_run_emitter, app)


def _refresh_everything() -> None:
    _local["refresh-all"] = True


def _run_emitter(app: Flask) -> None:
    interval = int(app.config["ASSEMBLIES_TALLY_INTERVAL_MS"]) / 1000
    refresh_every = float(app.config["ASSEMBLIES_TALLY_REFRESH_S"])
    next_refresh, next_heartbeat = time.monotonic() + refresh_every, time.monotonic() + ATTENDANCE_HEARTBEAT_S
    try:
        with app.app_context():
            _mark_polls_with_ballots()
    except Exception:
        app.logger.exception("live emitter could not mark the open polls")
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                flush_dirty_tallies()
                flush_attendance()
                if _local["refresh-all"] or (refresh_every > 0 and time.monotonic() >= next_refresh):
                    next_refresh = time.monotonic() + refresh_every
                    refresh_tallies()
                if time.monotonic() >= next_heartbeat:
                    next_heartbeat = time.monotonic() + ATTENDANCE_HEARTBEAT_S
                    _shared(_write_back_attendance)
        except Exception:  # a bad poll or a database hiccup must not stop the tallies of every assembly
            app.logger.exception("live emitter failed")


def reset_local_state() -> None:
    """Forget the dirty marks (in Redis too), the in-process counters and attendance (tests)."""
    redis = redis_client()
    if redis is not None:
        redis.delete(redis_prefix() + DIRTY_POLLS, redis_prefix() + DIRTY_ATTENDANCE)
    _local["dirty-polls"].clear()
    _local["dirty-attendance"].clear()
    _local["seq"].clear()
    _local["attendance"].clear()
    _local["sent"].clear()
    _local["refresh-all"] = False
    _redis_state.update(retry_at=0.0, down=False)
