"""Helpers of the real-server tests of `/live` (test_live_server.py, test_drills.py): production servers
(`deliberation serve`: gunicorn + gevent) on one committed database, real python-socketio phones, a Redis
server of the test's own, and the set-up snippets run with a server's environment.

Every wait has a timeout; nothing here sleeps where an event can be awaited.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
import socketio as socketio_client

from tests.browser.conftest import (
    ROOT,
    LiveServer,
    _deliberation_command,
    _free_port,
    _server_environment,
    _stop,
    _wait_until_healthy,
)

NS = "/live"
WAIT_S = 10
CONNECTING_THREADS = 16

CREATE_POLL = """
import json, uuid
from deliberation import create_app
from deliberation.accounts.models import RoleAssignment, User, UserRole
from deliberation.assemblies import services
from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db

app = create_app()
with app.app_context():
    with unit_of_work():
        user = User(email=f"animation-{uuid.uuid4().hex}@example.org", display_name="Animation", password_hash="x",
                    created_at=clock.now(), email_confirmed_at=clock.now())
        user.roles = [RoleAssignment(role=UserRole("resident")), RoleAssignment(role=UserRole("facilitator"))]
        db.session.add(user)
        db.session.flush()
        assembly = services.create_assembly(user, title="Assemblée des Tilleuls")
        services.start_assembly(assembly, user)
        poll = services.create_poll(assembly, user, question="Un square ?", method="yes_no",
                                    results_visibility="live")
        services.open_poll(poll, user)
    print(json.dumps({"join_code": assembly.join_code, "poll_id": poll.id, "user_id": user.id}))
"""

CLOSE_POLL = """
import sys
from deliberation import create_app
from deliberation.accounts.models import User
from deliberation.assemblies import services
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db

app = create_app()
with app.app_context():
    with unit_of_work():
        services.close_poll(services.get_poll(int(sys.argv[1])), db.session.get(User, int(sys.argv[2])))
"""


# The database and the servers

def uses_postgres() -> bool:
    return urlparse(os.environ.get("DELIBERATION_DATABASE_URL", "")).scheme.startswith(("postgres", "postgresql"))


class Servers:
    """Production servers on one database (and the outer run's DELIBERATION_MESSAGE_QUEUE, if any, unless
    `env` overrides it); each in its own process group, all stopped by close()."""

    def __init__(self, database_url: str, workdir: Path):
        self.workdir = workdir
        self.env = _server_environment(database_url, workdir)
        self.running: list[LiveServer] = []
        self.migrated = False

    def start(self, *, port: int | None = None, env: dict[str, str] | None = None) -> LiveServer:
        port = port or _free_port()
        server = LiveServer(url=f"http://127.0.0.1:{port}", env={**self.env, **(env or {})},
                            log_path=self.workdir / f"server-{port}-{len(self.running)}.log")
        if not self.migrated:
            server.cli("db", "upgrade")
            self.migrated = True
        with server.log_path.open("wb") as log:
            server.process = subprocess.Popen(  # noqa: S603 - our own command
                [_deliberation_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=server.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)  # its own process group: stopping it reaches the workers too
        self.running.append(server)
        _wait_until_healthy(server)
        return server

    @staticmethod
    def kill(server: LiveServer) -> None:
        """`kill -9` of the server's whole process group (gunicorn master and workers), nothing else."""
        try:
            os.killpg(server.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.process.wait(timeout=WAIT_S)

    def close(self) -> None:
        for server in self.running:
            _stop(server.process)


def port_of(server: LiveServer) -> int:
    return urlparse(server.url).port


def create_poll(server: LiveServer) -> dict:
    """A started assembly with an open yes/no poll whose results are live: {join_code, poll_id, user_id}."""
    return json.loads(server.run_python(CREATE_POLL).strip().splitlines()[-1])


def close_poll(server: LiveServer, setup: dict) -> None:
    server.run_python(CLOSE_POLL, str(setup["poll_id"]), str(setup["user_id"]))


def get_json(server: LiveServer, path: str):
    with urllib.request.urlopen(f"{server.url}{path}", timeout=WAIT_S) as response:  # noqa: S310 - our server
        return json.load(response)


# Phones

class _Client(socketio_client.Client):
    """python-socketio's client, whose reconnections wait WAIT_S for the namespace like its first connection.
    Its own default (1 s) gives up on a server busy taking back hundreds of phones, then disconnects a socket
    the server had accepted (and sent a snapshot to)."""

    def connect(self, *args, wait_timeout: float = WAIT_S, **kwargs):
        return super().connect(*args, wait_timeout=wait_timeout, **kwargs)


class Phone:
    """A python-socketio client on /live (WebSocket transport) that keeps its device token for reconnections
    and records its snapshots, tallies, acknowledgements and disconnections."""

    def __init__(self, join_code: str, *, reconnection: bool = False, device_token: str | None = None):
        self.join_code = join_code
        self.device_token = device_token
        self.snapshots: list[dict] = []
        self.tallies: list[tuple[float, dict]] = []  # (time.monotonic() of arrival, tally)
        self.shown: dict[int, dict] = {}  # poll id → what the phone page shows: {seq, total_ballots, results}
        self.acks: list[tuple[float, dict, dict]] = []  # (arrival, ack, the vote it answers)
        self.disconnects = 0
        self.changed = threading.Condition()
        # A short reconnection delay: phones come back as soon as the restarted server listens.
        self.client = _Client(reconnection=reconnection, reconnection_delay=0.5, reconnection_delay_max=2,
                              randomization_factor=0.3)
        self.client.on("snapshot", self._on_snapshot, namespace=NS)
        self.client.on("tally", self._on_tally, namespace=NS)
        self.client.on("disconnect", self._on_disconnect, namespace=NS)

    def connect(self, url: str) -> Phone:
        self.client.connect(url, namespaces=[NS], auth=self._auth, transports=["websocket"])
        return self

    @property
    def connected(self) -> bool:
        return self.client.connected and NS in self.client.namespaces

    def _auth(self) -> dict:  # called at every (re)connection: the latest device token
        auth = {"join_code": self.join_code}
        if self.device_token:
            auth["device_token"] = self.device_token
        return auth

    def _on_snapshot(self, data):
        with self.changed:
            self.snapshots.append(data)
            self.device_token = (data.get("participant") or {}).get("device_token") or self.device_token
            for poll in data["polls"]:
                self._show(poll["id"], poll)
            self.changed.notify_all()

    def _on_tally(self, data):
        with self.changed:
            self.tallies.append((time.monotonic(), data))
            self._show(data["poll_id"], data)
            self.changed.notify_all()

    def _show(self, poll_id: int, counts: dict) -> None:
        """As static/js/live-phone.js does: a snapshot or a tally older (smaller seq) than what is shown is
        ignored."""
        if poll_id in self.shown and counts["seq"] < self.shown[poll_id]["seq"]:
            return
        self.shown[poll_id] = {key: counts[key] for key in ("seq", "total_ballots", "results")}

    def _on_disconnect(self, *_reason):
        with self.changed:
            self.disconnects += 1
            self.changed.notify_all()

    @property
    def snapshot(self) -> dict | None:
        return self.snapshots[-1] if self.snapshots else None

    def poll_in_snapshot(self, poll_id: int) -> dict:
        return next(poll for poll in self.snapshot["polls"] if poll["id"] == poll_id)

    def wait_for(self, predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout=timeout), f"no {what} within {timeout}s"

    def cast(self, poll_id: int, choice, ballot_id: str | None = None) -> dict:
        """Emit cast_vote without waiting; the ack lands in self.acks (a phone that is not connected records
        {"ok": false, "error": {"code": "phone_not_connected"}}). Returns the vote (its ballot_id)."""
        vote = {"poll_id": poll_id, "ballot_id": ballot_id or str(uuid.uuid4()), "choice": choice}

        def acknowledged(ack):
            with self.changed:
                self.acks.append((time.monotonic(), ack, vote))
                self.changed.notify_all()

        try:
            self.client.emit("cast_vote", vote, namespace=NS, callback=acknowledged)
        except socketio_client.exceptions.BadNamespaceError:
            acknowledged({"ok": False, "error": {"code": "phone_not_connected"}})
        return vote

    def ack_of(self, ballot_id: str) -> list[dict]:
        return [ack for _, ack, vote in self.acks if vote["ballot_id"] == ballot_id]

    def vote(self, poll_id: int, choice) -> dict:
        return self.client.call("cast_vote", {"poll_id": poll_id, "ballot_id": str(uuid.uuid4()),
                                              "choice": choice}, namespace=NS, timeout=WAIT_S)

    def last_tally(self, poll_id: int) -> dict | None:
        """The tally this phone would show: the greatest seq it received for the poll."""
        mine = [tally for _, tally in self.tallies if tally["poll_id"] == poll_id]
        return max(mine, key=lambda tally: tally["seq"]) if mine else None

    def close(self) -> None:
        self.client.reconnection = False
        self.client.shutdown()  # also stops a reconnection in progress


def connect_phones(url: str, join_code: str, count: int, *, device_tokens: list[str] | None = None,
                   **options) -> list[Phone]:
    """`count` phones (one per device token when given) connected at once, each with its snapshot."""
    tokens = device_tokens if device_tokens is not None else [options.pop("device_token", None)] * count
    assert len(tokens) == count
    with ThreadPoolExecutor(CONNECTING_THREADS) as pool:
        phones = list(pool.map(lambda token: Phone(join_code, device_token=token, **options).connect(url), tokens))
    for phone in phones:
        phone.wait_for(lambda phone=phone: phone.snapshot is not None, "snapshot")
    return phones


def close_phones(phones: Iterable[Phone]) -> None:
    with ThreadPoolExecutor(CONNECTING_THREADS) as pool:
        list(pool.map(lambda phone: phone.close(), phones))


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S, step: float = 0.02) -> float:
    """Poll `predicate` (state spread over many phones) until true; returns the seconds it took."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"not {what} within {timeout}s"
        time.sleep(step)
    return time.monotonic() - started


# A Redis server of the test's own

class RedisServer:
    """`redis-server` on a free port, nothing saved; kill() is a stop without warning, start() again on the
    same port (empty: --save '')."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI") == "true":
                pytest.fail("redis-server is needed by the Redis drill (CI=true)", pytrace=False)
            pytest.skip("redis-server is not installed")
        self.binary = binary
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with (self.workdir / f"redis-{self.port}.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the installed redis-server
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "no", "--dir", str(self.workdir)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            wait_until(lambda: self._answers(client), "answering Redis")
        finally:
            client.close()

    def _answers(self, client) -> bool:
        import redis

        assert self.process.poll() is None, "redis-server exited"
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_S)
