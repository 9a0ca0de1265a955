"""Services: assemblies, polls, joining, casting votes, the ballot chain and results visibility."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect, select

from deliberation.assemblies import receipts, services
from deliberation.assemblies.models import (
    Assembly,
    AssemblyState,
    Ballot,
    BallotLogEntry,
    Participant,
    PollState,
    ResultsVisibility,
)
from deliberation.assemblies.voting import PollMethod
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from tests.assemblies.conftest import new_ballot_id
from tests.factories import (
    AssemblyFactory,
    ConsultationFactory,
    ParticipantFactory,
    PollFactory,
    ProposalFactory,
    UserFactory,
)


def audit_actions(target) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == target.__tablename__, AuditEntry.target_id == target.id).order_by(AuditEntry.id)))


# Assemblies

def test_create_assembly_gives_an_unambiguous_unique_code_and_is_audited(facilitator):
    assembly = services.create_assembly(facilitator, title="  Assemblée du Val  ", mode="hybrid", quorum=20)
    assert assembly.title == "Assemblée du Val"
    assert assembly.state == AssemblyState.SCHEDULED
    assert len(assembly.join_code) == 6
    assert not set(assembly.join_code) & set("0O1IL")
    assert audit_actions(assembly) == ["assembly_created"]


def test_create_assembly_retries_a_code_already_taken(facilitator, monkeypatch):
    AssemblyFactory(join_code="AAAAAA")
    codes = iter(["AAAAAA", "BBBBBB"])
    monkeypatch.setattr(services.assemblies, "new_join_code", lambda: next(codes))
    assert services.create_assembly(facilitator, title="Deux").join_code == "BBBBBB"


@pytest.mark.parametrize("kwargs, code", [({"title": " "}, "invalid_title"), ({"title": "x" * 201}, "invalid_title"),
                                          ({"title": "A", "quorum": 0}, "invalid_quorum")])
def test_create_assembly_refuses_bad_input(facilitator, kwargs, code):
    with pytest.raises(Invalid) as error:
        services.create_assembly(facilitator, **kwargs)
    assert error.value.code == code


def test_residents_cannot_create_assemblies(db_session):
    with pytest.raises(Forbidden):
        services.create_assembly(UserFactory(), title="Non")


def test_start_and_end_assembly_end_closes_open_polls(facilitator):
    assembly = services.create_assembly(facilitator, title="Séance")
    services.start_assembly(assembly, facilitator)
    assert assembly.state == AssemblyState.LIVE
    open_poll = PollFactory(assembly=assembly)
    draft = PollFactory(assembly=assembly, state=PollState.DRAFT)
    services.end_assembly(assembly, facilitator)
    assert assembly.state == AssemblyState.ENDED
    assert open_poll.state == PollState.CLOSED and draft.state == PollState.DRAFT
    assert audit_actions(assembly) == ["assembly_created", "assembly_started", "assembly_ended"]
    assert audit_actions(open_poll) == ["poll_closed"]
    with pytest.raises(Conflict) as error:
        services.start_assembly(assembly, facilitator)
    assert error.value.code == "assembly_ended"
    assert services.end_assembly(assembly, facilitator) is assembly


def test_agenda_items_are_numbered_and_link_proposals_of_the_consultation(facilitator):
    consultation = ConsultationFactory()
    assembly = services.create_assembly(facilitator, title="Séance", consultation=consultation)
    proposal = ProposalFactory(consultation=consultation)
    first = services.add_agenda_item(assembly, facilitator, title="Ouverture")
    with unit_of_work():  # its followers are told, after the commit
        second = services.add_agenda_item(assembly, facilitator, title="Le square", proposals=[proposal])
    assert (first.position, second.position) == (1, 2)
    assert second.proposals == [proposal]
    with pytest.raises(Invalid) as error:
        services.add_agenda_item(assembly, facilitator, title="Ailleurs", proposals=[ProposalFactory()])
    assert error.value.code == "proposal_not_in_consultation"


# Polls

def test_yes_no_poll_has_three_keyed_options_and_is_audited(facilitator):
    assembly = AssemblyFactory()
    poll = services.create_poll(assembly, facilitator, question="Ouvrir le square le dimanche ?",
                                method="yes_no", max_choices=None, results_visibility="live")
    assert [option.key for option in poll.options] == ["yes", "no", "abstain"]
    assert poll.option_ids == ("yes", "no", "abstain")
    assert poll.state == PollState.DRAFT and poll.log_head == receipts.GENESIS
    services.open_poll(poll, facilitator)
    assert poll.state == PollState.OPEN and poll.opened_at is not None
    services.close_poll(poll, facilitator)
    closed_at = poll.closed_at
    assert services.close_poll(poll, facilitator) is poll and poll.closed_at == closed_at
    assert audit_actions(poll) == ["poll_created", "poll_opened", "poll_closed"]
    with pytest.raises(Conflict) as error:
        services.open_poll(poll, facilitator)
    assert error.value.code == "poll_closed"


@pytest.mark.parametrize("method, options, max_choices, code", [
    ("yes_no", ["Oui", "Non"], None, "invalid_options"),
    ("yes_no", None, 1, "invalid_max_choices"),
    ("single", ["Seule"], None, "invalid_options"),
    ("single", ["A", "a "], None, "invalid_options"),
    ("single", ["A", ""], None, "invalid_options"),
    ("single", [f"O{i}" for i in range(21)], None, "invalid_options"),
    ("single", ["A", "B"], 1, "invalid_max_choices"),
    ("multiple", ["A", "B"], None, "invalid_max_choices"),
    ("multiple", ["A", "B"], 3, "invalid_max_choices"),
    ("multiple", ["A", "B"], 0, "invalid_max_choices"),
])
def test_create_poll_refuses_bad_options(facilitator, method, options, max_choices, code):
    with pytest.raises(Invalid) as error:
        services.create_poll(AssemblyFactory(), facilitator, question="Q ?", method=method, options=options,
                             max_choices=max_choices, results_visibility="live")
    assert error.value.code == code


def test_create_poll_needs_a_facilitator_and_a_running_assembly(facilitator):
    with pytest.raises(Forbidden):
        services.create_poll(AssemblyFactory(), UserFactory(), question="Q ?", method="yes_no",
                             max_choices=None, results_visibility="live")
    with pytest.raises(Conflict):
        services.create_poll(AssemblyFactory(state=AssemblyState.ENDED), facilitator, question="Q ?",
                             method="yes_no", max_choices=None, results_visibility="live")


# Joining

def test_join_issues_a_token_and_stores_only_its_hash(db_session):
    assembly = AssemblyFactory()
    participant, token = services.join_assembly(assembly.join_code.lower())
    assert len(token) >= 40 and participant.device_hash == services.device_hash(token)
    assert token not in {value for value in vars(participant).values() if isinstance(value, str)}
    again, same_token = services.join_assembly(assembly.join_code, device_token=token)
    assert again.id == participant.id and same_token == token
    other, other_token = services.join_assembly(assembly.join_code, device_token="forged-or-stale")
    assert other.id != participant.id and other_token != "forged-or-stale"


@pytest.mark.parametrize("code", ["ZZZZZZ", "", "far too long a code"])
def test_join_with_an_unknown_code(db_session, code):
    with pytest.raises(NotFound) as error:
        services.join_assembly(code)
    assert error.value.code == "unknown_join_code"


def test_join_an_ended_assembly(db_session):
    with pytest.raises(Conflict) as error:
        services.join_assembly(AssemblyFactory(state=AssemblyState.ENDED).join_code)
    assert error.value.code == "assembly_ended"


def test_sign_in_required_gives_one_participant_per_person(db_session):
    assembly = AssemblyFactory(requires_sign_in=True)
    with pytest.raises(Unauthenticated) as error:
        services.join_assembly(assembly.join_code, device_token="anything")
    assert error.value.code == "sign_in_required"
    user = UserFactory()
    phone, phone_token = services.join_assembly(assembly.join_code, user=user)
    laptop, laptop_token = services.join_assembly(assembly.join_code, user=user, device_token="other")
    assert phone.id == laptop.id and phone_token == laptop_token
    assert services.join_assembly(assembly.join_code, user=UserFactory())[0].id != phone.id
    assert len(phone.device_hash) == 64 and phone.device_hash == services.device_hash(phone_token)


# Casting votes

@pytest.fixture
def poll(db_session):
    return PollFactory(method=PollMethod.SINGLE)


def test_cast_vote_chains_a_receipt(poll):
    participant = ParticipantFactory(assembly=poll.assembly)
    option = poll.options[1].id
    ballot_id = new_ballot_id()
    receipt = services.cast_vote(poll, participant, ballot_id=ballot_id.upper(), choice=str(option))
    assert receipt == receipts.receipt(receipts.GENESIS, poll.id, ballot_id, option)
    assert poll.log_head == receipt and poll.ballot_count == 1


def test_same_ballot_id_twice_stores_one_ballot_and_answers_the_same_receipt(poll):
    participant = ParticipantFactory(assembly=poll.assembly)
    ballot_id = new_ballot_id()
    first = services.cast_vote(poll, participant, ballot_id=ballot_id, choice=poll.options[0].id)
    second = services.submit_ballot(services.lock_poll(poll.id), participant, ballot_id=ballot_id,
                                    choice=poll.options[2].id)
    assert second == (first, False)
    assert db.session.scalar(select(db.func.count()).select_from(BallotLogEntry)
                             .where(BallotLogEntry.poll_id == poll.id)) == 1
    assert poll.ballot_count == 1


def test_fifty_duplicate_casts_from_one_device_leave_one_ballot(poll):
    participant = ParticipantFactory(assembly=poll.assembly)
    ballot_id = new_ballot_id()
    answers = {services.cast_vote(poll, participant, ballot_id=ballot_id, choice=poll.options[0].id)
               for _ in range(50)}
    assert len(answers) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Ballot).where(Ballot.poll_id == poll.id)) == 1
    assert poll.ballot_count == 1 and poll.log_length == 1


def test_changing_a_ballot_the_last_counts_and_the_log_says_replaces(poll):
    participant = ParticipantFactory(assembly=poll.assembly)
    first = services.cast_vote(poll, participant, ballot_id=new_ballot_id(), choice=poll.options[0].id)
    second = services.cast_vote(poll, participant, ballot_id=new_ballot_id(), choice=poll.options[1].id)
    assert poll.ballot_count == 1 and poll.log_length == 2
    counts = [row["count"] for row in services.poll_results(poll)["results"]]
    assert counts == [0, 1, 0]
    services.close_poll(poll, UserFactory(roles=["facilitator"]))
    log = services.ballot_log(poll)
    assert [entry["replaces"] for entry in log] == [None, first]
    assert log[-1]["receipt"] == second


def test_concurrent_duplicate_falls_back_to_the_stored_ballot(poll, monkeypatch):
    """Two requests of one device race: the second passes the first lookup, then finds the first's row."""
    participant = ParticipantFactory(assembly=poll.assembly)
    ballot_id = new_ballot_id()
    stored = services.cast_vote(poll, participant, ballot_id=ballot_id, choice=poll.options[0].id)
    real_lookup = services.ballots._logged_receipt
    calls = []

    def late_lookup(poll_, ballot_id_):
        calls.append(ballot_id_)
        return None if len(calls) == 1 else real_lookup(poll_, ballot_id_)

    monkeypatch.setattr(services.ballots, "_logged_receipt", late_lookup)
    locked = services.lock_poll(poll.id)
    assert services.submit_ballot(locked, participant, ballot_id=ballot_id, choice=poll.options[0].id) == (
        stored, False)
    assert db.session.scalar(select(db.func.count()).select_from(Ballot).where(Ballot.poll_id == poll.id)) == 1
    assert poll.log_length == 1


@pytest.mark.parametrize("state, code", [(PollState.CLOSED, "poll_closed"), (PollState.DRAFT, "poll_not_open")])
def test_votes_only_while_open(db_session, state, code):
    poll = PollFactory(state=state)
    with pytest.raises(Conflict) as error:
        services.cast_vote(poll, ParticipantFactory(assembly=poll.assembly), ballot_id=new_ballot_id(),
                           choice="yes")
    assert error.value.code == code


@pytest.mark.parametrize("method, max_choices, choice, code", [
    (PollMethod.YES_NO, None, "maybe", "invalid_choice"),
    (PollMethod.SINGLE, None, 999999, "unknown_option"),
    (PollMethod.SINGLE, None, ["x"], "invalid_choice"),
    (PollMethod.MULTIPLE, 1, "two", "too_many_choices"),
    (PollMethod.MULTIPLE, 2, "dup", "duplicate_option"),
    (PollMethod.MAJORITY_JUDGMENT, None, "mention9", "invalid_mention"),
    (PollMethod.RANKING, None, [], "invalid_choice"),
])
def test_invalid_choices_are_refused_with_their_code(db_session, method, max_choices, choice, code):
    poll = PollFactory(method=method, max_choices=max_choices)
    ids = poll.option_ids
    choice = {"two": [ids[0], ids[1]], "dup": [ids[0], ids[0]], "mention9": {str(ids[0]): 9}}.get(
        choice, choice) if isinstance(choice, str) and method != PollMethod.YES_NO else choice
    with pytest.raises(Invalid) as error:
        services.cast_vote(poll, ParticipantFactory(assembly=poll.assembly), ballot_id=new_ballot_id(),
                           choice=choice)
    assert error.value.code == code
    assert poll.ballot_count == 0


@pytest.mark.parametrize("ballot_id", ["not-a-uuid", "", 42, None, "x" * 100])
def test_ballot_id_must_be_a_uuid(poll, ballot_id):
    with pytest.raises(Invalid) as error:
        services.cast_vote(poll, ParticipantFactory(assembly=poll.assembly), ballot_id=ballot_id,
                           choice=poll.options[0].id)
    assert error.value.code == "invalid_ballot_id"


def test_participants_vote_only_in_their_assembly(poll):
    with pytest.raises(Forbidden):
        services.cast_vote(poll, ParticipantFactory(), ballot_id=new_ballot_id(), choice=poll.options[0].id)


# The chain and the recount

CHOICES = {
    PollMethod.YES_NO: lambda ids: ["yes", "no", "yes", "abstain"],
    PollMethod.SINGLE: lambda ids: [ids[0], ids[2], ids[2], ids[1]],
    PollMethod.MULTIPLE: lambda ids: [[ids[0], ids[1]], [ids[2]], [ids[1], ids[2]], [ids[0]]],
    PollMethod.MAJORITY_JUDGMENT: lambda ids: [{str(ids[0]): 5, str(ids[1]): 2}, {ids[0]: 3, ids[2]: 4},
                                               {ids[1]: 1}, {ids[0]: 0, ids[1]: 5, ids[2]: 5}],
    PollMethod.RANKING: lambda ids: [[ids[0], ids[1]], [ids[2], ids[0], ids[1]], [ids[1]], [ids[0]]],
}


@pytest.mark.parametrize("method", list(PollMethod))
def test_the_published_log_verifies_and_recounts_to_the_results(db_session, method):
    poll = PollFactory(method=method, max_choices=2 if method == PollMethod.MULTIPLE else None)
    participants = [ParticipantFactory(assembly=poll.assembly) for _ in range(3)]
    choices = CHOICES[method](poll.option_ids)
    for participant, choice in zip([*participants, participants[0]], choices, strict=True):
        services.cast_vote(poll, participant, ballot_id=str(uuid.uuid4()), choice=choice)
    services.close_poll(poll, UserFactory(roles=["facilitator"]))
    db.session.expire_all()  # read everything back from the database, as a client would
    log = services.ballot_log(poll)
    assert receipts.verify_chain(log, poll_id=poll.id, head=poll.log_head) is None
    public = services.poll_results(poll)
    recounted = receipts.recount(poll.method, poll.option_ids, log, max_choices=poll.max_choices)
    if isinstance(recounted, list):
        assert [{k: v for k, v in row.items() if k != "label"} for row in public["results"]] == recounted
    else:
        assert public["results"] == recounted
    assert public["total_ballots"] == 3 and len(log) == 4


def test_ballot_log_is_published_only_after_close_and_never_in_totals_only_mode(db_session):
    with pytest.raises(Conflict) as error:
        services.ballot_log(PollFactory())
    assert error.value.code == "poll_not_closed"
    with pytest.raises(NotFound) as error:
        services.ballot_log(PollFactory(state=PollState.CLOSED, totals_only=True))
    assert error.value.code == "ballot_log_not_published"


def test_ballots_carry_no_identity():
    forbidden = {"user_id", "ip", "ip_address", "created_at", "cast_at", "updated_at", "device_hash", "email"}
    for model in (Ballot, BallotLogEntry):
        assert not {column.key for column in inspect(model).columns} & forbidden
    assert "user_id" not in {column.key for column in inspect(Participant).columns}


# Results visibility

@pytest.mark.parametrize("visibility, state, voted, visible", [
    (ResultsVisibility.LIVE, PollState.OPEN, False, True),
    (ResultsVisibility.AFTER_VOTE, PollState.OPEN, False, False),
    (ResultsVisibility.AFTER_VOTE, PollState.OPEN, True, True),
    (ResultsVisibility.AFTER_VOTE, PollState.CLOSED, False, True),
    (ResultsVisibility.AFTER_CLOSE, PollState.OPEN, True, False),
    (ResultsVisibility.AFTER_CLOSE, PollState.CLOSED, False, True),
])
def test_results_visibility(db_session, visibility, state, voted, visible):
    poll = PollFactory(results_visibility=visibility)
    participant = ParticipantFactory(assembly=poll.assembly)
    if voted:
        services.cast_vote(poll, participant, ballot_id=new_ballot_id(), choice="yes")
    poll.state = state
    body = services.poll_results(poll, viewer_participant=participant, viewer=UserFactory(roles=["admin"]))
    assert body["results_hidden"] is (not visible)
    assert (body["results"] is None) is (not visible) and (body["ranking"] is None) is (not visible)
    assert services.facilitator_results(poll, UserFactory(roles=["facilitator"]))["results"] is not None


def test_facilitator_results_need_a_facilitator(db_session):
    with pytest.raises(Forbidden):
        services.facilitator_results(PollFactory(), UserFactory())


def test_assembly_table_has_a_unique_join_code():
    assert inspect(Assembly).columns["join_code"].unique
