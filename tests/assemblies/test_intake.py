"""The live vote intake: votes stored in batches keep every rule of a vote stored alone (one ballot per device,
the last one counts, a ballot_id counts once, a chained log), and one refused vote never fails the others."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from deliberation.assemblies import receipts, services
from deliberation.assemblies.live import intake
from deliberation.assemblies.models import Ballot, PollState
from deliberation.assemblies.services import BallotRequest
from deliberation.assemblies.services.polls import online_raw
from deliberation.assemblies.voting import PollMethod, tally
from deliberation.core.errors import Conflict, DomainError, Invalid, NotFound
from deliberation.extensions import db
from tests.factories import ParticipantFactory, PollFactory


def request(participant, choice, ballot_id=None) -> BallotRequest:
    return BallotRequest(participant_id=participant.id, assembly_id=participant.assembly_id,
                         ballot_id=ballot_id or str(uuid.uuid4()), choice=choice)


def store(poll, requests):
    return services.submit_ballot_batch(services.lock_poll(poll.id), requests)


def log_of(poll) -> list[dict]:
    """The ballot log as published after closing (read without closing the poll)."""
    poll.state = PollState.CLOSED
    try:
        return services.ballot_log(poll)
    finally:
        db.session.expire(poll, ["state"])


def test_a_batch_keeps_the_rules_of_single_votes(db_session):
    poll = PollFactory()
    amina, bruno, chloe = (ParticipantFactory(assembly=poll.assembly) for _ in range(3))
    earlier = services.cast_vote(poll, chloe, ballot_id=(chloe_ballot := str(uuid.uuid4())), choice="no")
    retry_id = str(uuid.uuid4())

    outcomes = store(poll, [
        request(amina, "yes"),
        request(bruno, "no", retry_id),
        request(amina, "no"),                 # Amina changes her mind: her second ballot replaces the first
        request(bruno, "no", retry_id),       # the same ballot sent twice (a lost ack): counted once
        request(chloe, "abstain", chloe_ballot),  # a ballot stored before the batch: its receipt, nothing new
        request(bruno, "maybe"),              # refused alone
    ])

    amina_first, bruno_vote, amina_second, bruno_again, chloe_again, refused = outcomes
    assert amina_first[1] and bruno_vote[1] and amina_second[1]
    assert bruno_again == (bruno_vote[0], False)
    assert chloe_again == (earlier, False)
    assert isinstance(refused, Invalid) and refused.code == "invalid_choice"
    db.session.refresh(poll)
    assert poll.ballot_count == 3 and poll.log_length == 4
    assert {ballot.participant_id: ballot.choice for ballot in db.session.scalars(
        select(Ballot).where(Ballot.poll_id == poll.id))} == {amina.id: "no", bruno.id: "no", chloe.id: "no"}
    log = log_of(poll)
    assert receipts.verify_chain(log, poll_id=poll.id, head=poll.log_head) is None
    assert log[3]["replaces"] == amina_first[0] and log[3]["receipt"] == amina_second[0]
    assert [row["count"] for row in services.combined_results(poll)["results"]] == [0, 3, 0]


def test_a_closed_poll_refuses_new_votes_but_still_answers_retries(db_session):
    poll = PollFactory()
    amina, bruno = (ParticipantFactory(assembly=poll.assembly) for _ in range(2))
    stored_id = str(uuid.uuid4())
    receipt = services.cast_vote(poll, amina, ballot_id=stored_id, choice="yes")
    poll.state = PollState.CLOSED
    db.session.flush()

    retry, late = store(poll, [request(amina, "yes", stored_id), request(bruno, "no")])

    assert retry == (receipt, False)
    assert isinstance(late, Conflict) and late.code == "poll_closed"
    assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll.id)) == 1


def test_a_poll_of_another_assembly_or_a_draft_is_not_found(db_session):
    poll, draft = PollFactory(), PollFactory(state=PollState.DRAFT)
    stranger = ParticipantFactory()
    insider = ParticipantFactory(assembly=draft.assembly)

    assert isinstance(store(poll, [request(stranger, "yes")])[0], NotFound)
    assert isinstance(store(draft, [request(insider, "yes")])[0], NotFound)
    assert poll.ballot_count == 0 and draft.ballot_count == 0


def test_the_writer_settles_every_vote_of_a_batch_even_when_the_batch_fails(app, db_session, monkeypatch):
    poll = PollFactory()
    voters = [ParticipantFactory(assembly=poll.assembly) for _ in range(3)]
    db.session.commit()  # the failed batch rolls back what it did, not the set-up
    real = services.submit_ballot_batch

    def fails_for_several(locked_poll, requests):
        if len(requests) > 1:
            raise RuntimeError("a constraint tripped by a concurrent writer")
        return real(locked_poll, requests)

    monkeypatch.setattr(services, "submit_ballot_batch", fails_for_several)
    votes = [intake.PendingVote(poll.id, request(voter, "yes")) for voter in voters]
    votes.append(intake.PendingVote(poll.id, request(voters[0], "nope")))

    intake.write(votes)

    assert all(vote.outcome is not None for vote in votes)
    assert [isinstance(vote.outcome, tuple) for vote in votes] == [True, True, True, False]
    assert votes[-1].outcome.code == "invalid_choice"
    db.session.refresh(poll)
    assert poll.ballot_count == 3


def test_submit_without_a_running_writer_stores_the_vote_itself(app, db_session):
    poll = PollFactory()
    voter = ParticipantFactory(assembly=poll.assembly)

    receipt, created = intake.submit(poll.id, request(voter, "yes"))

    assert created and db.session.scalar(select(Ballot.receipt).where(Ballot.poll_id == poll.id)) == receipt
    with pytest.raises(Conflict):
        poll.state = PollState.CLOSED
        db.session.flush()
        intake.submit(poll.id, request(voter, "no"))


# The state machine of the issue: open / vote / change / close; the tally is always one latest ballot per device.

DEVICES = 4


class PollLifecycle(RuleBasedStateMachine):
    @initialize(method=st.sampled_from([PollMethod.YES_NO, PollMethod.SINGLE, PollMethod.MULTIPLE]))
    def create(self, method):
        self.poll = PollFactory(method=method, state=PollState.DRAFT, max_choices=2 if method == "multiple" else None)
        self.devices = [ParticipantFactory(assembly=self.poll.assembly) for _ in range(DEVICES)]
        self.latest: dict[int, object] = {}
        self.sent: dict[str, object] = {}  # ballot_id → the choice it carried, when it was stored

    def _choice(self, data):
        options = list(self.poll.option_ids)
        if self.poll.method == PollMethod.MULTIPLE:
            return data.draw(st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True))
        return data.draw(st.sampled_from(options))

    @precondition(lambda self: self.poll.state == PollState.DRAFT)
    @rule()
    def open(self):
        self.poll.state = PollState.OPEN
        db.session.flush()

    @precondition(lambda self: self.poll.state != PollState.DRAFT)
    @rule(data=st.data(), size=st.integers(1, 6))
    def vote_batch(self, data, size):
        requests = []
        for _ in range(size):
            device = data.draw(st.integers(0, DEVICES - 1))
            resend = self.sent and data.draw(st.booleans())
            ballot_id = data.draw(st.sampled_from(sorted(self.sent))) if resend else str(uuid.uuid4())
            requests.append((device, request(self.devices[device], self._choice(data), ballot_id)))
        outcomes = store(self.poll, [r for _, r in requests])
        for (device, req), outcome in zip(requests, outcomes, strict=True):
            if self.poll.state == PollState.CLOSED:
                assert isinstance(outcome, DomainError) or outcome[1] is False
            elif req.ballot_id in self.sent:
                assert outcome[1] is False
            else:
                assert outcome[1] is True
                self.sent[req.ballot_id] = req.choice
                self.latest[device] = req.choice

    @precondition(lambda self: self.poll.state == PollState.OPEN)
    @rule()
    def close(self):
        self.poll.state = PollState.CLOSED
        db.session.flush()

    @invariant()
    def one_latest_ballot_per_device(self):
        if not hasattr(self, "poll"):
            return
        db.session.refresh(self.poll)
        expected = tally(self.poll.method, self.poll.option_ids, self.latest.values(), max_choices=2)
        assert online_raw(self.poll) == expected
        assert self.poll.ballot_count == len(self.latest)
        assert self.poll.log_length == len(self.sent)


def test_poll_lifecycle_state_machine(db_session):
    run_state_machine_as_test(PollLifecycle, settings=settings(
        max_examples=40, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
