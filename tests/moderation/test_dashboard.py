"""The moderators' dashboard: what waits, the age of the oldest waiting item, the median time from the first report
to a decision over the last 30 days — on a frozen clock."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from deliberation.core import clock
from deliberation.core.errors import Forbidden
from deliberation.core.transaction import unit_of_work
from deliberation.moderation import appeals, dashboard, services
from deliberation.proposals.models import ProposalStatus
from tests.factories import ProposalFactory, UserFactory
from tests.helpers import commit_setup, sign_in

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _report(proposal, hours_after_start: float):
    with clock.frozen_at(START + timedelta(hours=hours_after_start)), unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")


def _decide(proposal, moderator, hours_after_start: float, action="hide"):
    with clock.frozen_at(START + timedelta(hours=hours_after_start)), unit_of_work():
        return services.decide(moderator, "proposal", proposal.id, action=action, reason="spam")


def test_counts_oldest_and_median(consultation, author, moderator):
    consultation.report_threshold = 99
    decided = [ProposalFactory(consultation=consultation, author=author) for _ in range(3)]
    # First reports at 0 h, 1 h, 2 h; decisions 2 h, 4 h and 10 h later: the median is 4 h.
    for index, (reported_at, wait) in enumerate(zip((0, 1, 2), (2, 4, 10), strict=True)):
        _report(decided[index], reported_at)
        _report(decided[index], reported_at + 0.5)  # a later report does not move the first one
        _decide(decided[index], moderator, reported_at + wait, action="hide" if index else "dismiss")
    waiting = ProposalFactory(consultation=consultation, author=author)
    _report(waiting, 20)
    ProposalFactory(consultation=consultation, author=author, status=ProposalStatus.PENDING_MODERATION,
                    created_at=START + timedelta(hours=30))
    decision = services.latest_hide("proposal", decided[1].id)
    with clock.frozen_at(START + timedelta(hours=40)), unit_of_work():
        appeals.contest(author, decision.id, text="Je conteste.")

    with clock.frozen_at(START + timedelta(hours=50)):
        board = dashboard.build(moderator)
    assert (board.reported_items, board.pending_proposals, board.open_appeals) == (1, 1, 1)
    assert board.oldest_waiting_since == START + timedelta(hours=20)
    assert board.oldest_age == timedelta(hours=30)
    assert board.median_time_to_decision == timedelta(hours=4) and board.decisions_measured == 3

    # 30 days later the decisions leave the window; a restore after an appeal answered no report.
    with clock.frozen_at(START + timedelta(days=31, hours=20)):
        later = dashboard.build(moderator)
    assert later.median_time_to_decision is None and later.decisions_measured == 0


def test_only_moderators(client, reporter, moderator):
    with pytest.raises(Forbidden):
        dashboard.build(reporter)
    commit_setup()
    sign_in(client, reporter)
    assert client.get("/moderation/dashboard").status_code == 403
    sign_in(client, moderator)
    with clock.frozen_at(START):
        page = html.unescape(client.get("/moderation/dashboard").get_data(as_text=True))
    assert "Tableau de bord de la modération" in page and "rien n'attend" in page
    assert 'href="/moderation/dashboard"' in html.unescape(client.get("/moderation").get_data(as_text=True))


def test_the_page_shows_the_numbers(client, consultation, proposal, moderator):
    consultation.report_threshold = 99
    _report(proposal, 0)
    _decide(proposal, moderator, 26)
    other = ProposalFactory(consultation=consultation)
    _report(other, 1)
    commit_setup()
    sign_in(client, moderator)
    with clock.frozen_at(START + timedelta(hours=49)):
        page = html.unescape(client.get("/moderation/dashboard").get_data(as_text=True))
    assert "en attente depuis 2 jours (" in page
    assert "1 jour 2 heures (1 décision)" in page
