"""The facilitator pages (assembly list, creation, console and its POST actions) and the public projector screen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from deliberation.assemblies import services
from deliberation.assemblies.models import Assembly, AssemblyState, Poll, PollState, ResultsVisibility
from deliberation.assemblies.voting import PollMethod
from deliberation.core.audit import AuditEntry
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
from tests.helpers import commit_setup, post_form, sign_in


def vote(poll: Poll, *choices) -> None:
    for choice in choices:
        services.cast_vote(poll, ParticipantFactory(assembly=poll.assembly), ballot_id=new_ballot_id(),
                           choice=choice)


def option_id(poll: Poll, label: str) -> int:
    return next(option.id for option in poll.options if option.label == label)


def audited(action: str, target_id: int) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == action,
                                                         AuditEntry.target_id == target_id)) is not None


@pytest.fixture
def consultation(db_session):
    return ConsultationFactory()


@pytest.fixture
def assembly(consultation):
    return AssemblyFactory(consultation_id=consultation.id, state=AssemblyState.LIVE, quorum=3)


@pytest.fixture
def signed_in_facilitator(client, consultation):
    user = UserFactory(roles=[("facilitator", consultation)])
    sign_in(client, user)
    return user


# Who may open the console -------------------------------------------------------------------------


@pytest.mark.parametrize("roles, status", [
    (lambda consultation: [("facilitator", consultation)], 200),
    (lambda consultation: ["facilitator"], 200),
    (lambda consultation: ["admin"], 200),
    (lambda consultation: [("facilitator", ConsultationFactory())], 403),
    (lambda consultation: ["moderator"], 403),
    (lambda consultation: [], 403),
])
def test_console_is_for_those_who_run_the_assembly(client, consultation, assembly, roles, status):
    sign_in(client, UserFactory(roles=roles(consultation)))
    response = client.get(f"/assemblies/{assembly.id}/console")
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert assembly.join_code in html
        assert f'src="/assemblies/{assembly.id}/qr.svg"' in html
        assert re.search(r'<img class="join-qr"[^>]+alt="[^"]*' + assembly.join_code, html)
        assert f"/j/{assembly.join_code}" in html


def test_anonymous_visitors_are_sent_to_sign_in(client, assembly):
    for path in (f"/assemblies/{assembly.id}/console", "/assemblies/", "/assemblies/new"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    response = client.post(f"/assemblies/{assembly.id}/start")
    assert response.status_code in (302, 400)  # never started by an anonymous visitor
    assert assembly.state == AssemblyState.LIVE


def test_console_of_an_unknown_assembly_is_404(client, signed_in_facilitator):
    assert client.get("/assemblies/999999/console").status_code == 404


def test_assembly_list_shows_only_the_assemblies_one_runs(client, consultation, assembly, signed_in_facilitator):
    other = AssemblyFactory(consultation_id=ConsultationFactory().id)
    html = client.get("/assemblies/").get_data(as_text=True)
    assert f"/assemblies/{assembly.id}/console" in html
    assert f"/assemblies/{other.id}/console" not in html
    assert 'href="/assemblies/new"' in html


def test_residents_cannot_list_or_create_assemblies(client, db_session):
    sign_in(client, UserFactory())
    assert client.get("/assemblies/").status_code == 403
    assert client.get("/assemblies/new").status_code == 403


# Creating an assembly -----------------------------------------------------------------------------


def test_create_an_assembly_through_the_form(client, consultation, signed_in_facilitator):
    response = post_form(client, "/assemblies/new", {
        "title": "Assemblée du quartier des Tilleuls", "consultation_id": str(consultation.id),
        "mode": "hybrid", "starts_at": "2026-03-02T18:30", "requires_sign_in": "y", "quorum": "20"})
    assert response.status_code == 302
    assembly = db.session.scalar(select(Assembly).where(Assembly.title == "Assemblée du quartier des Tilleuls"))
    assert response.headers["Location"].endswith(f"/assemblies/{assembly.id}/console")
    assert (assembly.consultation_id, assembly.mode.value, assembly.quorum) == (consultation.id, "hybrid", 20)
    assert assembly.requires_sign_in is True
    assert assembly.state == AssemblyState.SCHEDULED
    # 18:30 in Paris in March (UTC+1) is 17:30 UTC.
    assert (assembly.starts_at.hour, assembly.starts_at.minute) == (17, 30)
    assert audited("assembly_created", assembly.id)


def test_a_scoped_facilitator_cannot_pick_another_consultation(client, signed_in_facilitator):
    other = ConsultationFactory()
    response = post_form(client, "/assemblies/new", {"title": "Ailleurs", "consultation_id": str(other.id),
                                                     "mode": "in_person"})
    assert response.status_code == 422
    assert 'id="consultation_id-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Assembly).where(Assembly.title == "Ailleurs")) is None


def test_creating_without_the_csrf_token_is_refused(client, consultation, signed_in_facilitator):
    commit_setup()
    response = client.post("/assemblies/new", data={"title": "Sans jeton", "consultation_id": str(consultation.id),
                                                    "mode": "in_person"})
    assert response.status_code == 400
    assert db.session.scalar(select(Assembly).where(Assembly.title == "Sans jeton")) is None


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"quorum": "0"}, "quorum"),
    ({"starts_at": "demain"}, "starts_at"),
    ({"mode": "teleportation"}, "mode"),
])
def test_invalid_assembly_input_is_shown_next_to_its_field(client, consultation, signed_in_facilitator, changes,
                                                           field):
    data = {"title": "Une assemblée", "consultation_id": str(consultation.id), "mode": "in_person", **changes}
    response = post_form(client, "/assemblies/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html)
    assert db.session.scalar(select(Assembly.id).where(Assembly.title == "Une assemblée")) is None


# Agenda, polls, open and close --------------------------------------------------------------------


def test_add_an_agenda_item_about_proposals(client, consultation, assembly, signed_in_facilitator):
    proposal = ProposalFactory(consultation=consultation)
    console = f"/assemblies/{assembly.id}/console"
    response = post_form(client, f"/assemblies/{assembly.id}/agenda",
                         {"agenda-title": "Le square", "agenda-proposal_ids": str(proposal.id)}, token_from=console)
    assert response.status_code == 302
    [item] = assembly.agenda_items
    assert (item.title, [p.id for p in item.proposals]) == ("Le square", [proposal.id])
    assert f"/proposals/{proposal.id}" in client.get(console).get_data(as_text=True)


def poll_data(**changes) -> dict:
    return {"poll-question": "Quel aménagement pour la place ?", "poll-method": "single",
            "poll-options": "Square\n\nJardin partagé\n", "poll-results_visibility": "after_close", **changes}


def test_create_a_poll_through_the_form(client, assembly, signed_in_facilitator):
    response = post_form(client, f"/assemblies/{assembly.id}/polls", poll_data(**{"poll-totals_only": "y"}),
                         token_from=f"/assemblies/{assembly.id}/console")
    assert response.status_code == 302
    [poll] = assembly.polls
    assert response.headers["Location"].endswith(f"#poll-{poll.id}")
    assert (poll.state, poll.method, poll.results_visibility) == (PollState.DRAFT, PollMethod.SINGLE,
                                                                 ResultsVisibility.AFTER_CLOSE)
    assert [option.label for option in poll.options] == ["Square", "Jardin partagé"]
    assert poll.totals_only is True
    assert audited("poll_created", poll.id)


def test_a_yes_no_poll_ignores_the_options_box(client, assembly, signed_in_facilitator):
    response = post_form(client, f"/assemblies/{assembly.id}/polls",
                         poll_data(**{"poll-method": "yes_no", "poll-options": "ignoré"}),
                         token_from=f"/assemblies/{assembly.id}/console")
    assert response.status_code == 302
    assert [option.key for option in assembly.polls[0].options] == ["yes", "no", "abstain"]


@pytest.mark.parametrize("changes, field", [
    ({"poll-question": ""}, "poll-question"),
    ({"poll-options": "Une seule option"}, "poll-options"),
    ({"poll-options": "Square\nsquare"}, "poll-options"),
    ({"poll-method": "multiple"}, "poll-max_choices"),
    ({"poll-method": "multiple", "poll-max_choices": "5"}, "poll-max_choices"),
    ({"poll-results_visibility": "never"}, "poll-results_visibility"),
])
def test_invalid_poll_input_is_shown_next_to_its_field(client, assembly, signed_in_facilitator, changes, field):
    response = post_form(client, f"/assemblies/{assembly.id}/polls", poll_data(**changes),
                         token_from=f"/assemblies/{assembly.id}/console")
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert assembly.polls == []


def test_creating_a_poll_without_the_csrf_token_is_refused(client, assembly, signed_in_facilitator):
    commit_setup()
    response = client.post(f"/assemblies/{assembly.id}/polls", data=poll_data())
    assert response.status_code == 400
    assert assembly.polls == []


def test_open_and_close_a_poll_through_the_console(client, assembly, signed_in_facilitator):
    poll = PollFactory(assembly=assembly, state=PollState.DRAFT)
    console = f"/assemblies/{assembly.id}/console"
    base = f"/assemblies/{assembly.id}/polls/{poll.id}"

    response = post_form(client, f"{base}/open", {}, token_from=console)
    assert response.status_code == 302
    assert poll.state == PollState.OPEN
    assert audited("poll_opened", poll.id)

    response = post_form(client, f"{base}/close", {}, token_from=console)
    assert response.status_code == 302
    assert poll.state == PollState.CLOSED
    assert audited("poll_closed", poll.id)

    # A closed poll never reopens: the refusal is a message, not an error page.
    response = post_form(client, f"{base}/open", {}, token_from=console)
    assert response.status_code == 302
    assert poll.state == PollState.CLOSED
    assert 'class="flash flash-error"' in client.get(console).get_data(as_text=True)


def test_opening_without_the_csrf_token_changes_nothing(client, assembly, signed_in_facilitator):
    poll = PollFactory(assembly=assembly, state=PollState.DRAFT)
    commit_setup()
    assert client.post(f"/assemblies/{assembly.id}/polls/{poll.id}/open").status_code == 400
    assert poll.state == PollState.DRAFT


def test_a_poll_of_another_assembly_is_not_found(client, assembly, signed_in_facilitator):
    foreign = PollFactory(assembly=AssemblyFactory(consultation_id=assembly.consultation_id),
                          state=PollState.DRAFT)
    response = post_form(client, f"/assemblies/{assembly.id}/polls/{foreign.id}/open", {},
                         token_from=f"/assemblies/{assembly.id}/console")
    assert response.status_code == 404
    assert foreign.state == PollState.DRAFT


def test_start_and_end_the_assembly(client, consultation, signed_in_facilitator):
    assembly = AssemblyFactory(consultation_id=consultation.id, state=AssemblyState.SCHEDULED)
    poll = PollFactory(assembly=assembly, state=PollState.OPEN)
    console = f"/assemblies/{assembly.id}/console"
    assert post_form(client, f"/assemblies/{assembly.id}/start", {}, token_from=console).status_code == 302
    assert assembly.state == AssemblyState.LIVE
    assert post_form(client, f"/assemblies/{assembly.id}/end", {}, token_from=console).status_code == 302
    assert (assembly.state, poll.state) == (AssemblyState.ENDED, PollState.CLOSED)
    assert audited("assembly_started", assembly.id) and audited("assembly_ended", assembly.id)
    html = client.get(console).get_data(as_text=True)
    assert f'action="/assemblies/{assembly.id}/polls"' not in html  # no more polls once ended


def test_the_console_shows_hidden_results_and_attendance_to_the_facilitator(client, assembly,
                                                                            signed_in_facilitator):
    poll = PollFactory(assembly=assembly, method=PollMethod.SINGLE, labels=["Square", "Jardin"],
                       results_visibility=ResultsVisibility.AFTER_CLOSE)
    vote(poll, *[option_id(poll, "Square")] * 7, *[option_id(poll, "Jardin")] * 3)
    assembly.peak_attendance = 12
    html = client.get(f"/assemblies/{assembly.id}/console").get_data(as_text=True)
    assert "7 (70\u00a0%)" in html and "3 (30\u00a0%)" in html
    assert 'style="width: 70%"' in html
    assert f'href="/api/v1/polls/{poll.id}/results"' in html
    assert '<strong data-live="peak">12</strong>' in html
    assert 'data-live="quorum"' in html  # the quorum is said in words, not by a colour
    assert 'id="console-announcer" aria-live="polite"' in html
    assert 'id="live-strings"' in html


# The projector screen -----------------------------------------------------------------------------


def test_the_screen_is_public_and_shows_how_to_join(client, assembly):
    response = client.get(f"/assemblies/{assembly.id}/screen")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert assembly.join_code in html
    assert f'src="/assemblies/{assembly.id}/qr.svg"' in html
    assert f"/j/{assembly.join_code}" in html
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html
    assert html.count("<h1") == 1


def test_the_screen_never_shows_after_close_results_before_closing(client, assembly):
    poll = PollFactory(assembly=assembly, method=PollMethod.SINGLE, labels=["Square", "Jardin"],
                       results_visibility=ResultsVisibility.AFTER_CLOSE)
    vote(poll, *[option_id(poll, "Square")] * 7, *[option_id(poll, "Jardin")] * 3)
    html = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    assert poll.question in html
    assert 'class="results-hidden"' in html
    assert "70\u00a0%" not in html and "30\u00a0%" not in html
    assert "(7" not in html and "(3" not in html and ">7 " not in html and ">3 " not in html
    assert "bar-fill" not in html
    assert "log-head" not in html

    services.close_poll(poll, UserFactory(roles=["admin"]))
    html = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    assert "7 (70\u00a0%)" in html and "3 (30\u00a0%)" in html
    assert f'<strong class="log-head-short">{poll.log_head[:16]}</strong>' in html
    assert poll.log_head in html
    assert len(poll.log_head) == 64


def test_the_screen_shows_live_results_while_the_poll_is_open(client, assembly):
    poll = PollFactory(assembly=assembly, method=PollMethod.YES_NO, results_visibility=ResultsVisibility.LIVE)
    vote(poll, "yes", "yes", "yes", "no")
    html = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    assert "3 (75\u00a0%)" in html and "1 (25\u00a0%)" in html and "0 (0\u00a0%)" in html
    assert "log-head" not in html  # only at closing


def test_the_screen_never_shows_a_draft(client, assembly):
    draft = PollFactory(assembly=assembly, state=PollState.DRAFT, question="Brouillon secret ?")
    assert draft.question not in client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)


def test_the_screen_shows_the_merit_profile_of_a_majority_judgment_poll(client, assembly):
    poll = PollFactory(assembly=assembly, method=PollMethod.MAJORITY_JUDGMENT, labels=["Square", "Jardin"],
                       results_visibility=ResultsVisibility.LIVE)
    square, jardin = option_id(poll, "Square"), option_id(poll, "Jardin")
    vote(poll, {str(square): 4, str(jardin): 1}, {str(square): 4, str(jardin): 2}, {str(square): 5, str(jardin): 0},
         {str(square): 3, str(jardin): 1}, {str(square): 4, str(jardin): 5})
    html = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    profiles = html[html.index('class="merit-profiles"'):]
    assert profiles.count('class="merit-segment merit-') == 12  # six mentions for each of the two options
    assert profiles.count('class="median-line"') == 2
    # Square: mentions 3, 4, 4, 4, 5 → median "Good", p = 20 %, q = 20 % → −20 %; listed first.
    assert profiles.index("Square") < profiles.index("Jardin")
    assert "\u221220\u00a0%" in profiles
    assert 'style="width: 60%"' in profiles  # three of five ballots gave Square "Good"


def test_the_screen_lists_a_ranking_in_order(client, assembly):
    poll = PollFactory(assembly=assembly, method=PollMethod.RANKING, labels=["Square", "Jardin", "Terrain"],
                       results_visibility=ResultsVisibility.LIVE)
    square, jardin, terrain = (option_id(poll, label) for label in ("Square", "Jardin", "Terrain"))
    vote(poll, [terrain, square, jardin], [terrain, jardin, square], [square, terrain, jardin])
    html = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    ranking = re.search(r'<ol class="ranking-list">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>(\w+)</li>", ranking) == ["Terrain", "Square", "Jardin"]


def test_unknown_assembly_screen_is_404(client, db_session):
    assert client.get("/assemblies/999999/screen").status_code == 404


def test_the_screen_keeps_a_poll_just_closed_until_another_changes(client, assembly):
    admin = UserFactory(roles=["admin"])
    first = PollFactory(assembly=assembly, state=PollState.DRAFT, question="Première question ?")
    second = PollFactory(assembly=assembly, state=PollState.DRAFT, question="Deuxième question ?")
    services.open_poll(first, admin)
    services.open_poll(second, admin)
    assert "Deuxième question ?" in client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    services.close_poll(second, admin)
    html = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    assert "Deuxième question ?" in html and 'class="log-head"' in html
    assert "Première question ?" not in html


def test_shares_are_written_in_the_language_of_the_page(client, assembly, csrf):
    poll = PollFactory(assembly=assembly, method=PollMethod.YES_NO, results_visibility=ResultsVisibility.LIVE)
    vote(poll, "yes", "yes", "yes", "no")
    assert "3 (75\u00a0%)" in client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)

    client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf("/")})
    html = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    assert "3 (75%)" in html and "1 (25%)" in html
