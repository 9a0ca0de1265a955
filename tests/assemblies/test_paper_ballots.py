"""Paper ballots counted in the room: one audited batch per poll, added to the online results and shown apart."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberation.assemblies import services
from deliberation.assemblies.live import tallies
from deliberation.assemblies.models import PaperBallotBatch, PollState, ResultsVisibility
from deliberation.assemblies.voting import PollMethod
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, DomainError, Invalid
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from tests.assemblies.conftest import new_ballot_id
from tests.factories import AssemblyFactory, ConsultationFactory, ParticipantFactory, PollFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in


def _vote(poll, *choices):
    for choice in choices:
        services.cast_vote(poll, ParticipantFactory(assembly=poll.assembly), ballot_id=new_ballot_id(),
                           choice=choice)


def _ids(poll):
    return [str(option_id) for option_id in poll.option_ids]


# The service ---------------------------------------------------------------------------------------

def test_recording_then_replacing_a_batch_is_audited_with_old_and_new_counts(facilitator):
    poll = PollFactory(method=PollMethod.YES_NO)
    services.record_paper_ballots(poll, facilitator, counts={"yes": 3, "no": 1, "abstain": 0}, ballots=4)
    batch = services.record_paper_ballots(poll, facilitator, counts={"yes": 2, "no": 2}, ballots=4)
    assert db.session.scalars(select(PaperBallotBatch)).all() == [batch]
    assert batch.counts == {"yes": 2, "no": 2, "abstain": 0} and batch.entered_by_id == facilitator.id
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "paper_ballots_recorded",
                                                          AuditEntry.target_id == poll.id)
                                 .order_by(AuditEntry.id)).all()
    assert [entry.actor_id for entry in entries] == [facilitator.id] * 2
    assert entries[0].details["old_counts"] is None
    assert entries[1].details["old_counts"] == {"yes": 3, "no": 1, "abstain": 0}
    assert entries[1].details["counts"] == {"yes": 2, "no": 2, "abstain": 0} and entries[1].details["ballots"] == 4


@pytest.mark.parametrize("method, counts, ballots, code", [
    (PollMethod.YES_NO, {"yes": 3, "no": 0}, 4, "paper_sum_not_ballots"),
    (PollMethod.YES_NO, {"yes": -1, "no": 1}, 0, "invalid_paper_count"),
    (PollMethod.YES_NO, {"yes": True}, 1, "invalid_paper_count"),
    (PollMethod.YES_NO, {"yes": 1}, -1, "invalid_paper_count"),
    (PollMethod.YES_NO, {"yes": 1}, "1", "invalid_paper_count"),
    (PollMethod.YES_NO, {"maybe": 1}, 1, "unknown_option"),
    (PollMethod.SINGLE, {0: 5}, 4, "paper_count_above_ballots"),
    (PollMethod.MULTIPLE, {0: 5, 1: 1}, 4, "paper_count_above_ballots"),
    (PollMethod.MULTIPLE, {0: 4, 1: 4, 2: 1}, 4, "paper_too_many_choices"),
    (PollMethod.MAJORITY_JUDGMENT, {0: [1, 1, 0, 0, 0, 0]}, 3, "paper_profile_not_ballots"),
    (PollMethod.MAJORITY_JUDGMENT, {0: [1, 1]}, 2, "invalid_paper_count"),
    (PollMethod.RANKING, {}, 0, "paper_method_not_supported"),
])
def test_refused_batches_store_nothing(facilitator, method, counts, ballots, code):
    poll = PollFactory(method=method, max_choices=2 if method == PollMethod.MULTIPLE else None)
    ids = poll.option_ids
    counts = {ids[key] if isinstance(key, int) else key: value for key, value in counts.items()}
    with pytest.raises(Invalid) as refused:
        services.record_paper_ballots(poll, facilitator, counts=counts, ballots=ballots)
    assert refused.value.code == code
    assert services.paper_batch(poll) is None


def test_valid_batches_for_each_supported_method(facilitator):
    multiple = PollFactory(method=PollMethod.MULTIPLE, max_choices=2)
    ids = _ids(multiple)
    services.record_paper_ballots(multiple, facilitator, counts={ids[0]: 4, ids[1]: 3}, ballots=4)
    judged = PollFactory(method=PollMethod.MAJORITY_JUDGMENT)
    profiles = {option_id: [0, 0, 1, 1, 0, 0] for option_id in _ids(judged)}
    assert services.record_paper_ballots(judged, facilitator, counts=profiles, ballots=2).counts == profiles


@pytest.mark.parametrize("state, code", [(PollState.DRAFT, "poll_not_open"), (PollState.CLOSED, "poll_closed")])
def test_only_while_the_poll_is_open(facilitator, state, code):
    poll = PollFactory(state=state)
    with pytest.raises(Conflict) as refused:
        services.record_paper_ballots(poll, facilitator, counts={"yes": 1}, ballots=1)
    assert refused.value.code == code


@pytest.mark.parametrize("roles", [
    lambda: [], lambda: ["moderator"], lambda: [("facilitator", ConsultationFactory())],
])
def test_only_facilitators_of_the_assembly(db_session, roles):
    poll = PollFactory(assembly=AssemblyFactory(consultation_id=ConsultationFactory().id))
    for actor in (UserFactory(roles=roles()), None):
        with pytest.raises(DomainError) as refused:
            services.record_paper_ballots(poll, actor, counts={"yes": 1}, ballots=1)
        assert refused.value.status == 403
    assert services.paper_batch(poll) is None


def test_a_batch_marks_the_poll_dirty_once_committed(facilitator):
    tallies.reset_local_state()
    poll = PollFactory()
    with unit_of_work():
        services.record_paper_ballots(poll, facilitator, counts={"yes": 1}, ballots=1)
    assert tallies._take(tallies.DIRTY_POLLS) == [poll.id]


# Results: online, paper, total ------------------------------------------------------------------------

def test_the_api_shows_online_paper_and_total_apart(client, facilitator):
    poll = PollFactory(method=PollMethod.SINGLE)
    ids = poll.option_ids
    _vote(poll, ids[0], ids[0], ids[1])
    services.record_paper_ballots(poll, facilitator, counts={str(ids[1]): 4, str(ids[2]): 1}, ballots=5)
    commit_setup()
    body = client.get(f"/api/v1/polls/{poll.id}/results").get_json()
    assert body["total_ballots"] == 8
    assert [row["count"] for row in body["results"]] == [2, 5, 1]
    assert body["ranking"] == [ids[1], ids[0], ids[2]]  # the total decides, not the online ballots alone
    assert body["online"] == {"total_ballots": 3, "results": [
        {"option_id": ids[0], "label": "Square", "count": 2},
        {"option_id": ids[1], "label": "Jardin partagé", "count": 1},
        {"option_id": ids[2], "label": "Terrain de sport", "count": 0}]}
    assert body["paper"]["total_ballots"] == 5 and [row["count"] for row in body["paper"]["results"]] == [0, 4, 1]
    assert body["paper"]["entered_by"] == facilitator.public_name and body["paper"]["entered_at"]
    console = client.get(f"/assemblies/{poll.assembly_id}/screen").get_data(as_text=True)
    assert "paper-breakdown" in console and facilitator.public_name in console


def test_majority_judgment_profiles_add_up(client, facilitator):
    poll = PollFactory(method=PollMethod.MAJORITY_JUDGMENT)
    ids = poll.option_ids
    _vote(poll, {str(ids[0]): 5, str(ids[1]): 0, str(ids[2]): 2})
    services.record_paper_ballots(poll, facilitator, counts={
        str(ids[0]): [2, 0, 0, 0, 0, 0], str(ids[1]): [0, 0, 0, 0, 0, 2], str(ids[2]): [0, 0, 2, 0, 0, 0]},
        ballots=2)
    body = services.poll_results(poll)
    assert body["total_ballots"] == 3
    assert body["results"][0]["merit_profile"] == [2, 0, 0, 0, 0, 1]
    assert body["results"][1]["merit_profile"] == [1, 0, 0, 0, 0, 2]
    assert body["ranking"][0] == ids[1]
    assert body["online"]["results"][0]["merit_profile"] == [0, 0, 0, 0, 0, 1]


def test_after_close_hides_the_paper_counts_until_closing(client, facilitator):
    poll = PollFactory(results_visibility=ResultsVisibility.AFTER_CLOSE)
    _vote(poll, "yes")
    services.record_paper_ballots(poll, facilitator, counts={"no": 7}, ballots=7)
    commit_setup()
    hidden = client.get(f"/api/v1/polls/{poll.id}/results").get_json()
    assert hidden["results"] is None and hidden["paper"] is None and hidden["online"] is None
    assert hidden["total_ballots"] == 1  # the online count, as before: nothing of the paper batch
    screen = client.get(f"/assemblies/{poll.assembly_id}/screen").get_data(as_text=True)
    assert "paper-breakdown" not in screen and facilitator.public_name not in screen
    assert services.facilitator_results(poll, facilitator)["paper"]["total_ballots"] == 7
    services.close_poll(poll, facilitator)
    commit_setup()
    shown = client.get(f"/api/v1/polls/{poll.id}/results").get_json()
    assert shown["total_ballots"] == 8 and shown["paper"]["total_ballots"] == 7


def test_the_verify_page_keeps_the_online_log_alone_and_names_the_paper_batch(client, facilitator):
    poll = PollFactory()
    _vote(poll, "yes", "no")
    services.record_paper_ballots(poll, facilitator, counts={"no": 3}, ballots=3)
    services.close_poll(poll, facilitator)
    commit_setup()
    html = client.get(f"/assemblies/polls/{poll.id}/verify").get_data(as_text=True)
    assert 'data-verify="intact" data-counted="2"' in html and 'data-recount="equal"' in html
    assert 'data-paper-ballots="3"' in html and facilitator.public_name in html


# The console form ---------------------------------------------------------------------------------------

@pytest.fixture
def signed_in(client, facilitator):
    sign_in(client, facilitator)
    return facilitator


def _form_data(poll, **values):
    return {f"paper-{poll.id}-{name}": str(value) for name, value in values.items()}


def test_the_console_form_records_the_batch(client, signed_in):
    poll = PollFactory()
    console = f"/assemblies/{poll.assembly_id}/console"
    response = post_form(client, f"/assemblies/{poll.assembly_id}/polls/{poll.id}/paper",
                         _form_data(poll, ballots=3, option_0=2, option_1=1, option_2=0), token_from=console)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#poll-{poll.id}")
    assert services.paper_batch(poll).counts == {"yes": 2, "no": 1, "abstain": 0}
    page = client.get(console).get_data(as_text=True)
    assert f'id="paper-{poll.id}-ballots"' in page and 'value="3"' in page


def test_the_console_form_shows_errors_next_to_the_fields(client, signed_in):
    poll = PollFactory(method=PollMethod.SINGLE)
    console = f"/assemblies/{poll.assembly_id}/console"
    response = post_form(client, f"/assemblies/{poll.assembly_id}/polls/{poll.id}/paper",
                         _form_data(poll, ballots=2, option_0=3, option_1=0, option_2=0), token_from=console)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="paper-{poll.id}-option_0-error"' in html
    response = post_form(client, f"/assemblies/{poll.assembly_id}/polls/{poll.id}/paper",
                         _form_data(poll, ballots="", option_0="x"), token_from=console)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="paper-{poll.id}-ballots-error"' in html and f'id="paper-{poll.id}-option_0-error"' in html
    assert services.paper_batch(poll) is None


def test_the_console_form_needs_the_csrf_token(client, signed_in):
    poll = PollFactory()
    commit_setup()
    response = client.post(f"/assemblies/{poll.assembly_id}/polls/{poll.id}/paper",
                           data=_form_data(poll, ballots=1, option_0=1))
    assert response.status_code == 400 and services.paper_batch(poll) is None


def test_the_console_form_refuses_other_users(client):
    poll = PollFactory()
    sign_in(client, UserFactory(roles=["moderator"]))
    response = post_form(client, f"/assemblies/{poll.assembly_id}/polls/{poll.id}/paper",
                         _form_data(poll, ballots=1, option_0=1), token_from="/")
    assert response.status_code == 403 and services.paper_batch(poll) is None


def test_a_ranking_poll_says_paper_is_not_supported(client, signed_in):
    poll = PollFactory(method=PollMethod.RANKING)
    commit_setup()
    html = client.get(f"/assemblies/{poll.assembly_id}/console").get_data(as_text=True)
    assert f"/polls/{poll.id}/paper" not in html and "paper-ballots" in html


def test_the_console_form_of_a_closed_poll_is_gone_and_a_late_post_is_refused(client, signed_in):
    poll = PollFactory(state=PollState.CLOSED)
    console = f"/assemblies/{poll.assembly_id}/console"
    assert f"/polls/{poll.id}/paper" not in client.get(console).get_data(as_text=True)
    response = post_form(client, f"/assemblies/{poll.assembly_id}/polls/{poll.id}/paper",
                         _form_data(poll, ballots=1, option_0=1), token_from=console)
    assert response.status_code == 422 and services.paper_batch(poll) is None


def test_the_api_results_of_a_poll_without_paper(client):
    poll = PollFactory()
    _vote(poll, "yes")
    commit_setup()
    body = client.get(f"/api/v1/polls/{poll.id}/results", headers=bearer(UserFactory())).get_json()
    assert body["paper"] is None and body["online"]["total_ballots"] == 1 and body["total_ballots"] == 1
