"""The public verify page: the published log checked and recounted on the server, a receipt looked up in it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from deliberation.assemblies import receipts, services
from deliberation.assemblies.models import Ballot, BallotLogEntry, PollState, ResultsVisibility
from deliberation.assemblies.voting import PollMethod
from deliberation.extensions import db
from tests.assemblies.conftest import new_ballot_id
from tests.factories import ParticipantFactory, PollFactory
from tests.helpers import commit_setup


def _page(client, poll, receipt=None):
    commit_setup()
    query = {"receipt": receipt} if receipt is not None else None
    response = client.get(f"/assemblies/polls/{poll.id}/verify", query_string=query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index("<main"):html.index("</main>")]  # the page itself (the nav links back with the query)


@pytest.fixture
def closed_poll(facilitator):
    """yes_no, three participants; the first changes their ballot once: log of 4 entries, 3 ballots count."""
    poll = PollFactory(method=PollMethod.YES_NO, results_visibility=ResultsVisibility.AFTER_CLOSE)
    first, second, third = (ParticipantFactory(assembly=poll.assembly) for _ in range(3))
    receipts_of = {
        "first_old": services.cast_vote(poll, first, ballot_id=new_ballot_id(), choice="no"),
        "second": services.cast_vote(poll, second, ballot_id=new_ballot_id(), choice="yes"),
        "third": services.cast_vote(poll, third, ballot_id=new_ballot_id(), choice="abstain"),
        "first_new": services.cast_vote(poll, first, ballot_id=new_ballot_id(), choice="yes"),
    }
    services.close_poll(poll, facilitator)
    poll.receipts_of = receipts_of
    return poll


def test_a_closed_poll_shows_an_intact_chain_and_an_equal_recount(client, closed_poll):
    html = _page(client, closed_poll)
    assert 'data-verify="intact" data-counted="3"' in html
    assert 'data-recount="equal"' in html and "data-verify=\"broken\"" not in html
    assert closed_poll.log_head in html and closed_poll.question in html
    assert f'href="/api/v1/polls/{closed_poll.id}/ballots"' in html
    assert "SHA-256" in html and 'name="receipt"' in html and 'method="get"' in html


def test_a_tampered_log_row_is_reported_at_its_index(client, closed_poll):
    db.session.execute(update(BallotLogEntry).where(BallotLogEntry.poll_id == closed_poll.id,
                                                    BallotLogEntry.position == 2).values(choice="yes"))
    html = _page(client, closed_poll)
    assert 'data-verify="broken" data-broken-index="2"' in html
    assert 'data-verify="intact"' not in html and 'data-recount="equal"' not in html


def test_a_truncated_log_is_reported_at_its_end(client, closed_poll):
    db.session.execute(BallotLogEntry.__table__.delete().where(BallotLogEntry.poll_id == closed_poll.id,
                                                               BallotLogEntry.position == 3))
    assert 'data-verify="broken" data-broken-index="3"' in _page(client, closed_poll)


def test_a_recount_that_differs_from_the_announced_results_is_said(client, closed_poll):
    ballot = db.session.scalars(select(Ballot).where(Ballot.poll_id == closed_poll.id)).first()
    ballot.choice = "abstain" if ballot.choice != "abstain" else "no"  # the stored ballot, not the log
    db.session.flush()
    html = _page(client, closed_poll)
    assert 'data-verify="intact"' in html and 'data-recount="different"' in html


@pytest.mark.parametrize("which, status", [("first_new", "counted"), ("second", "counted"),
                                           ("first_old", "replaced")])
def test_a_receipt_says_whether_it_counts_or_was_replaced(client, closed_poll, which, status):
    receipt = closed_poll.receipts_of[which]
    html = _page(client, closed_poll, receipt=f"  {receipt.upper()} ")
    assert f'data-receipt-status="{status}"' in html
    others = [value for value in closed_poll.receipts_of.values() if value not in (receipt, closed_poll.log_head)]
    assert not any(other in html for other in others)  # never reveals the later (or any other) receipt


@pytest.mark.parametrize("typed, status", [("ab" * 32, "unknown"), ("not a receipt", "malformed")])
def test_unknown_and_malformed_receipts(client, closed_poll, typed, status):
    html = _page(client, closed_poll, receipt=typed)
    assert f'data-receipt-status="{status}"' in html
    if status == "malformed":
        assert re.search(r'<input[^>]+id="receipt"[^>]+aria-invalid="true"', html, re.S)


def test_a_withdrawn_series_is_said_withdrawn():
    entries = [receipts.make_entry(receipts.GENESIS, 1, "a", "yes")]
    entries.append(receipts.make_entry(entries[0]["receipt"], 1, "b", None, entries[0]["receipt"]))
    assert receipts.receipt_status(entries, entries[0]["receipt"]) == "withdrawn"
    assert receipts.receipt_status(entries, "f" * 64) is None


def test_an_open_poll_publishes_its_log_at_closing(client):
    poll = PollFactory(state=PollState.OPEN)
    services.cast_vote(poll, ParticipantFactory(assembly=poll.assembly), ballot_id=new_ballot_id(), choice="yes")
    html = _page(client, poll, receipt=poll.log_head)
    assert 'data-verify="not_closed"' in html
    assert "data-receipt-status" not in html and poll.log_head not in html


def test_a_totals_only_poll_has_no_log_to_check(client, facilitator):
    poll = PollFactory(totals_only=True)
    services.cast_vote(poll, ParticipantFactory(assembly=poll.assembly), ballot_id=new_ballot_id(), choice="yes")
    services.close_poll(poll, facilitator)
    html = _page(client, poll)
    assert 'data-verify="totals_only"' in html and poll.log_head not in html
    assert services.poll_results(poll)["verify_url"] is None


def test_drafts_and_unknown_polls_are_not_found(client):
    poll = PollFactory(state=PollState.DRAFT)
    commit_setup()
    assert client.get(f"/assemblies/polls/{poll.id}/verify").status_code == 404
    assert client.get("/assemblies/polls/999999/verify").status_code == 404


def test_the_results_link_to_the_verify_page_after_close(client, closed_poll):
    url = f"/assemblies/polls/{closed_poll.id}/verify"
    body = client.get(f"/api/v1/polls/{closed_poll.id}/results").get_json()
    assert body["verify_url"] == url
    commit_setup()
    screen = client.get(f"/assemblies/{closed_poll.assembly_id}/screen").get_data(as_text=True)
    assert f'href="{url}"' in screen


def test_no_verify_link_on_the_screen_before_close(client):
    poll = PollFactory(state=PollState.OPEN)
    commit_setup()
    screen = client.get(f"/assemblies/{poll.assembly_id}/screen").get_data(as_text=True)
    assert "/verify" not in screen
