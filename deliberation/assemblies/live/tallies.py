"""The coalescer: votes mark their poll dirty; every ASSEMBLIES_TALLY_INTERVAL_MS one emitter sends the latest
`tally` of each dirty poll (and the `attendance` of each assembly whose count changed). Never one emit per vote:
one tally per poll per interval to N phones keeps a burst O(N) instead of O(N²).

One process: in-process sets and counters. Several workers (MESSAGE_QUEUE set): the dirty marks, the `seq`
counters and the attendance counts live in Redis (under redis_prefix()), a dirty poll is taken by one worker
(SPOP) and emitted under a short lock (SET NX PX interval), so the workers never send competing tallies; the
counts themselves always come from the database, the truth.
"""

from __future__ import annotations

import os
from collections import Counter

from flask import Flask, current_app

from deliberation.core.realtime import redis_client, redis_prefix, worker_id
from deliberation.extensions import db, socketio

NAMESPACE = "/live"
DIRTY_POLLS = "dirty-polls"
DIRTY_ATTENDANCE = "dirty-attendance"
BATCH = 1000
# Redis keys of a poll or an assembly outlive any meeting, then go (a snapshot after that restarts at seq 0).
KEY_LIFETIME_S = 7 * 24 * 3600

_local: dict = {"dirty-polls": set(), "dirty-attendance": set(), "seq": {}, "attendance": Counter(),
                "emitter_pid": None}


def rooms(assembly_id: int) -> dict[str, str]:
    return {"participant": f"assembly:{assembly_id}", "screen": f"assembly:{assembly_id}:screen",
            "console": f"assembly:{assembly_id}:console"}


# Dirty marks

def _mark(kind: str, ident: int) -> None:
    redis = redis_client()
    if redis is not None:
        redis.sadd(redis_prefix() + kind, ident)
    else:
        _local[kind].add(ident)


def _take(kind: str) -> list[int]:
    redis = redis_client()
    if redis is not None:
        return sorted(int(ident) for ident in redis.spop(redis_prefix() + kind, BATCH) or ())
    taken, _local[kind] = _local[kind], set()
    return sorted(taken)


def mark_dirty(poll_id: int) -> None:
    """A ballot on this poll was committed (or it opened or closed): its tally is due."""
    _mark(DIRTY_POLLS, poll_id)


def mark_attendance_dirty(assembly_id: int) -> None:
    _mark(DIRTY_ATTENDANCE, assembly_id)


# Sequence numbers

def current_seq(poll_id: int) -> int:
    """The seq of the latest tally sent for this poll (0 before the first)."""
    redis = redis_client()
    if redis is not None:
        return int(redis.get(f"{redis_prefix()}tally-seq:{poll_id}") or 0)
    return _local["seq"].get(poll_id, 0)


def _next_seq(poll_id: int) -> int:
    redis = redis_client()
    if redis is not None:
        key = f"{redis_prefix()}tally-seq:{poll_id}"
        seq, _ = redis.pipeline().incr(key).expire(key, KEY_LIFETIME_S).execute()
        return int(seq)
    _local["seq"][poll_id] = _local["seq"].get(poll_id, 0) + 1
    return _local["seq"][poll_id]


def _take_lock(poll_id: int) -> bool:
    redis = redis_client()
    if redis is None:
        return True
    interval = int(current_app.config["ASSEMBLIES_TALLY_INTERVAL_MS"])
    return bool(redis.set(f"{redis_prefix()}tally-lock:{poll_id}", worker_id(), nx=True, px=interval))


# Tallies

def flush_dirty_tallies() -> int:
    """Send the latest tally of every dirty poll; the emitter calls it every interval (tests call it directly).

    The seq is taken before the counts are read (and snapshots read counts before seq), so a message with a
    greater seq never carries older counts than one a client already holds. Returns the tallies sent.
    """
    from deliberation.assemblies import services
    from deliberation.assemblies.models import Poll

    sent, postponed = 0, []
    for poll_id in _take(DIRTY_POLLS):
        if not _take_lock(poll_id):  # another worker sent this poll's tally within the interval
            postponed.append(poll_id)
            continue
        seq = _next_seq(poll_id)
        poll = db.session.get(Poll, poll_id, populate_existing=True)
        if poll is None:
            continue
        body = services.combined_results(poll)
        payload = {"poll_id": poll.id, "seq": seq, "total_ballots": body["total_ballots"],
                   "results": body["results"], "ranking": body["ranking"], "online": body["online"],
                   "paper": body["paper"]}
        for room in tally_rooms(poll):
            socketio.emit("tally", payload, to=room, namespace=NAMESPACE)
        sent += 1
    for poll_id in postponed:
        mark_dirty(poll_id)
    return sent


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


# Attendance: connected participant sockets, counted per process (per worker in a Redis hash).

def change_attendance(assembly_id: int, delta: int) -> int:
    """Count a participant socket in (+1) or out (-1); returns the assembly's connected sockets, all workers."""
    redis = redis_client()
    if redis is not None:
        key = f"{redis_prefix()}attendance:{assembly_id}"
        _, _, counts = (redis.pipeline().hincrby(key, worker_id(), delta).expire(key, KEY_LIFETIME_S)
                        .hvals(key).execute())
        connected = sum(max(int(value), 0) for value in counts)
    else:
        _local["attendance"][assembly_id] = max(_local["attendance"][assembly_id] + delta, 0)
        connected = _local["attendance"][assembly_id]
    mark_attendance_dirty(assembly_id)
    return connected


def connected_count(assembly_id: int) -> int:
    redis = redis_client()
    if redis is not None:
        return sum(max(int(value), 0) for value in redis.hvals(f"{redis_prefix()}attendance:{assembly_id}"))
    return _local["attendance"][assembly_id]


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
    socketio.start_background_task(_run_emitter, app)


def _run_emitter(app: Flask) -> None:
    interval = int(app.config["ASSEMBLIES_TALLY_INTERVAL_MS"]) / 1000
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                flush_dirty_tallies()
                flush_attendance()
        except Exception:  # a bad poll or a Redis hiccup must not stop the tallies of every assembly
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
