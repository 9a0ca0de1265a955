"""The `/live` namespace on the real production server (`deliberation serve`: gunicorn + gevent) with real
python-socketio clients: phones join, vote, and every phone receives the coalesced tally.

With PostgreSQL and a message queue (DELIBERATION_MESSAGE_QUEUE in the outer run), also two servers on one
database and one Redis: a phone on one sees the tally of a vote cast on the other.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

socketio_client = pytest.importorskip("socketio")
pytest.importorskip("websocket", reason="websocket-client is needed by the python-socketio client")

from tests.browser.conftest import (  # noqa: E402 - after the skips
    ROOT,
    LiveServer,
    _deliberation_command,
    _free_port,
    _recreate_postgres_database,
    _server_environment,
    _stop,
    _wait_until_healthy,
)

NS = "/live"
WAIT_S = 10

_CREATE_POLL = """
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
    print(json.dumps({"join_code": assembly.join_code, "poll_id": poll.id}))
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    outer = os.environ.get("DELIBERATION_DATABASE_URL", "")
    if urlparse(outer).scheme.startswith(("postgres", "postgresql")):
        parsed = urlparse(outer)
        name = f"{parsed.path.lstrip('/')}_liveserver"
        _recreate_postgres_database(outer, name)
        yield urlunparse(parsed._replace(path=f"/{name}"))
        _recreate_postgres_database(outer, name, create=False)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('live-db') / 'deliberation.sqlite3'}"


@pytest.fixture(scope="module")
def start_server(database, tmp_path_factory):
    """start_server() → a running LiveServer on a free port; every server shares the database (and the
    outer run's DELIBERATION_MESSAGE_QUEUE, if any)."""
    workdir = tmp_path_factory.mktemp("live-servers")
    env = _server_environment(database, workdir)
    servers: list[LiveServer] = []
    migrated = []

    def start() -> LiveServer:
        port = _free_port()
        server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, log_path=workdir / f"server-{port}.log")
        if not migrated:
            server.cli("db", "upgrade")
            migrated.append(True)
        with server.log_path.open("wb") as log:
            server.process = subprocess.Popen(  # noqa: S603 - our own command
                [_deliberation_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        servers.append(server)
        _wait_until_healthy(server)
        return server

    yield start
    for server in servers:
        _stop(server.process)


class Phone:
    """A python-socketio client on /live that records its snapshot and tallies."""

    def __init__(self, server: LiveServer, join_code: str):
        self.snapshot: dict | None = None
        self.tallies: list[dict] = []
        self.changed = threading.Condition()
        self.client = socketio_client.Client(reconnection=False)
        self.client.on("snapshot", self._on_snapshot, namespace=NS)
        self.client.on("tally", self._on_tally, namespace=NS)
        self.client.connect(server.url, namespaces=[NS], auth={"join_code": join_code},
                            transports=["websocket"], wait_timeout=WAIT_S)

    def _on_snapshot(self, data):
        with self.changed:
            self.snapshot = data
            self.changed.notify_all()

    def _on_tally(self, data):
        with self.changed:
            self.tallies.append(data)
            self.changed.notify_all()

    def wait_for(self, predicate, what: str):
        with self.changed:
            assert self.changed.wait_for(predicate, timeout=WAIT_S), f"no {what} within {WAIT_S}s"

    def vote(self, poll_id: int, choice) -> dict:
        return self.client.call("cast_vote", {"poll_id": poll_id, "ballot_id": str(uuid.uuid4()),
                                              "choice": choice}, namespace=NS, timeout=WAIT_S)

    def close(self):
        self.client.disconnect()


def _create_poll(server: LiveServer) -> dict:
    return json.loads(server.run_python(_CREATE_POLL).strip().splitlines()[-1])


def _counted(phone: Phone, total: int):
    return lambda: any(tally["total_ballots"] == total for tally in phone.tallies)


def test_three_phones_vote_and_all_receive_the_tally(start_server):
    server = start_server()
    setup = _create_poll(server)
    started = time.monotonic()
    phones = [Phone(server, setup["join_code"]) for _ in range(3)]
    try:
        for phone in phones:
            phone.wait_for(lambda phone=phone: phone.snapshot is not None, "snapshot")
            assert phone.snapshot["participant"]["device_token"]
            assert [poll["id"] for poll in phone.snapshot["polls"]] == [setup["poll_id"]]
        tokens = {phone.snapshot["participant"]["device_token"] for phone in phones}
        assert len(tokens) == 3
        for phone, choice in zip(phones, ["yes", "no", "yes"], strict=True):
            answer = phone.vote(setup["poll_id"], choice)
            assert answer["ok"] is True and len(answer["receipt"]) == 64, answer
        for phone in phones:
            phone.wait_for(_counted(phone, 3), "tally counting 3 ballots")
            last = phone.tallies[-1]
            assert last["poll_id"] == setup["poll_id"] and last["total_ballots"] == 3
            assert {row["option_id"]: row["count"] for row in last["results"]} == {"yes": 2, "no": 1, "abstain": 0}
            seqs = [tally["seq"] for tally in phone.tallies]
            assert seqs == sorted(set(seqs))
            assert len(phone.tallies) <= 3
        assert time.monotonic() - started < 15
    finally:
        for phone in phones:
            phone.close()


def test_two_servers_share_tallies_through_redis(start_server):
    if not os.environ.get("DELIBERATION_MESSAGE_QUEUE"):
        pytest.skip("two servers need a message queue: set DELIBERATION_MESSAGE_QUEUE=redis://…")
    if not urlparse(os.environ.get("DELIBERATION_DATABASE_URL", "")).scheme.startswith("postgres"):
        pytest.skip("two server processes on one SQLite file are not a supported deployment: use PostgreSQL")
    first, second = start_server(), start_server()
    setup = _create_poll(first)
    watcher, voter = Phone(first, setup["join_code"]), Phone(second, setup["join_code"])
    try:
        voter.wait_for(lambda: voter.snapshot is not None, "snapshot")
        assert voter.vote(setup["poll_id"], "abstain")["ok"] is True
        watcher.wait_for(_counted(watcher, 1), "tally from the other server")
        voter.wait_for(_counted(voter, 1), "tally")
        assert watcher.tallies[-1]["results"] == voter.tallies[-1]["results"]
    finally:
        watcher.close()
        voter.close()
