"""E-mails of one unit of work leave together after the commit: over SMTP through one connection, off the
request that queued them (an answer to a proposal many people follow must not wait on the mail server); files
one per e-mail, none overwriting another."""

from __future__ import annotations

import smtplib
import threading
from email import message_from_bytes, policy

import pytest

from deliberation.core.transaction import after_commit_batch, unit_of_work
from deliberation.extensions import socketio
from deliberation.notifications import services
from tests.factories import UserFactory


class FakeSMTP:
    """Stands for the mail server: records each connection and what went through it."""

    connections: list[list] = []
    done = threading.Event()
    expected = 0

    def __init__(self, host, port, timeout=None):
        self.sent: list = []
        FakeSMTP.connections.append(self.sent)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if sum(len(sent) for sent in FakeSMTP.connections) >= FakeSMTP.expected:
            FakeSMTP.done.set()

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if message["To"].startswith("refused"):
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"unknown")})
        self.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.connections, FakeSMTP.done = [], threading.Event()
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    return FakeSMTP


def _notify_all(people):
    with unit_of_work():
        for person in people:
            services.notify(person, "comment_on_my_proposal", link="/proposals/3", params={"proposal": "Un banc"})


def test_a_request_sends_its_emails_in_the_background_through_one_connection(app, db_session, smtp):
    people = [UserFactory() for _ in range(3)] + [UserFactory(email="refused@example.org")]
    smtp.expected = 3
    with app.test_request_context():
        _notify_all(people)
        assert smtp.connections == [], "the request waited for the mail server"
    for _ in range(1000):  # the background task is a greenlet: let it run
        if smtp.done.is_set():
            break
        socketio.sleep(0.01)
    assert smtp.done.is_set(), "the e-mails did not leave"
    [sent] = smtp.connections
    assert sorted(message["To"] for message in sent) == sorted(person.email for person in people[:3])


def test_a_command_sends_its_emails_before_it_returns(app, db_session, smtp):
    people = [UserFactory() for _ in range(2)]
    _notify_all(people)  # no request: a CLI command (digests, publish-due) waits for its own e-mails
    assert [len(sent) for sent in smtp.connections] == [2]


def test_a_rolled_back_unit_sends_nothing(app, db_session, smtp):
    with pytest.raises(RuntimeError), unit_of_work():
        services.notify(UserFactory(), "comment_on_my_proposal", link="/proposals/3", params={"proposal": "x"})
        raise RuntimeError("the answer failed")
    assert smtp.connections == []


def test_the_file_backend_writes_one_file_per_email(app, db_session, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "file")
    monkeypatch.setitem(app.config, "MAIL_DIRECTORY", str(tmp_path))
    people = [UserFactory() for _ in range(5)]
    _notify_all(people)
    recipients = sorted(message_from_bytes(eml.read_bytes(), policy=policy.default)["To"]
                        for eml in tmp_path.glob("*.eml"))
    assert recipients == sorted(person.email for person in people)


def test_a_batch_is_flushed_once_with_every_item_after_the_commit(db_session):
    flushed = []
    with unit_of_work():
        for item in ("a", "b", "c"):
            after_commit_batch("letters", item, flushed.append)
        assert flushed == []
    assert flushed == [["a", "b", "c"]]
