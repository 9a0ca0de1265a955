"""SQLite lets one writer in at a time. A request, API call or socket event that still finds the database locked
after the wait gets a clear 503 « réessayez » (nothing half-saved), never a 500; the services that retry by
themselves back off and try again."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from deliberation.core.realtime import socket_event
from deliberation.core.transaction import retry_when_locked
from deliberation.extensions import db
from deliberation.proposals import services
from deliberation.proposals.models import Proposal
from tests.factories import ProposalFactory, UserFactory
from tests.helpers import bearer, post_form, sign_in


def _locked(*_args, **_kwargs):
    raise OperationalError("UPDATE proposals …", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture
def proposal(db_session):
    return ProposalFactory()


def test_the_api_answers_503_database_busy_and_stores_nothing(client, proposal, monkeypatch):
    headers = bearer(UserFactory())
    monkeypatch.setattr(services, "support_proposal", _locked)
    response = client.post(f"/api/v1/proposals/{proposal.id}/supports", headers={**headers, "Accept-Language": "fr"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert response.get_json()["error"]["code"] == "database_busy"
    assert "réessayer dans quelques secondes" in response.get_json()["error"]["message"]
    assert db.session.get(Proposal, proposal.id).supports_count == 0


def test_a_form_gets_a_translated_page_asking_to_try_again(client, proposal, monkeypatch):
    sign_in(client, UserFactory())
    show = f"/proposals/{proposal.id}"
    monkeypatch.setattr(services, "support_proposal", _locked)
    response = post_form(client, f"{show}/support", {}, token_from=show)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Réessayez dans un instant" in page and "Rien n’a été enregistré" in page


def test_a_socket_event_acks_database_busy(app):
    handler = socket_event()(_locked)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        ack = handler({})
    assert ack["ok"] is False and ack["error"]["code"] == "database_busy"


def test_retry_when_locked_tries_again_until_the_writer_is_done(db_session):
    attempts = []

    def work():
        attempts.append(1)
        if len(attempts) < 4:
            _locked()
        return "stored"

    assert retry_when_locked(work) == "stored" and len(attempts) == 4


def test_retry_when_locked_gives_up_after_its_time(db_session):
    with pytest.raises(OperationalError):
        retry_when_locked(_locked, within_s=0.05)


def test_retry_when_locked_does_not_retry_other_database_errors(db_session):
    attempts = []

    def work():
        attempts.append(1)
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: nowhere"))

    with pytest.raises(OperationalError):
        retry_when_locked(work)
    assert attempts == [1]
