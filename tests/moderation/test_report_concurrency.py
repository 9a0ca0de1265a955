"""Two reports committed for real at the same moment, the last ones the threshold needs: the item is hidden once,
by one automatic decision (the report locks the item's row before counting). PostgreSQL only: SQLite runs one
writer at a time, so the race cannot happen there."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from deliberation.core import audit
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.moderation.models import ModerationDecision, Report
from deliberation.proposals.models import Proposal, ProposalStatus
from tests.factories import ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import remove_committed


@pytest.fixture
def committed_world(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent writers need PostgreSQL (set DELIBERATION_DATABASE_URL)")
        start, last_hash = audit.chain_head()
        consultation = ConsultationFactory(report_threshold=3)
        proposal = ProposalFactory(consultation=consultation)
        people = [UserFactory() for _ in range(3)]
        db.session.commit()
        with unit_of_work():
            services.report_content(people[0], "proposal", proposal.id, reason="spam")
        db.session.commit()
        world = {"consultation": consultation.id, "proposal": proposal.id, "people": [p.id for p in people],
                 "author": proposal.author_id}
        db.session.remove()
    yield world
    users = [*world["people"], world["author"]]
    remove_committed(app, (start, last_hash), [
        "DELETE FROM notifications WHERE user_id IN :users",
        "DELETE FROM moderation_reports WHERE consultation_id = :consultation",
        "DELETE FROM moderation_decisions WHERE consultation_id = :consultation",
        "DELETE FROM proposals WHERE consultation_id = :consultation",
        "DELETE FROM consultations WHERE id = :consultation",
        "DELETE FROM role_assignments WHERE user_id IN :users",
        "DELETE FROM users WHERE id IN :users",
    ], users=users, consultation=world["consultation"])


def test_two_last_reports_at_once_hide_the_item_once(app, committed_world, monkeypatch):
    # Both reports wait for each other just before counting (at most 2 s: with the lock, the second one waits
    # for the first one's commit instead, and never reaches this point before it).
    meeting = threading.Barrier(2, timeout=2)
    counting = services.count_open_reporters

    def count_together(target):
        try:
            meeting.wait()
        except threading.BrokenBarrierError:
            pass
        return counting(target)

    monkeypatch.setattr(services, "count_open_reporters", count_together)
    errors: list[BaseException] = []

    def report(user_id: int) -> None:
        with app.app_context():
            try:
                from deliberation.accounts.models import User

                with unit_of_work():
                    services.report_content(db.session.get(User, user_id), "proposal", committed_world["proposal"],
                                            reason="offensive")
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=report, args=(user_id,)) for user_id in committed_world["people"][1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report).where(
            Report.target_id == committed_world["proposal"])) == 3
        automatic = db.session.scalar(select(func.count()).select_from(ModerationDecision).where(
            ModerationDecision.target_id == committed_world["proposal"], ModerationDecision.automatic.is_(True)))
        assert automatic == 1
        assert db.session.get(Proposal, committed_world["proposal"]).status == ProposalStatus.HIDDEN
        db.session.remove()
