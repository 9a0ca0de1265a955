"""Who may NOT call a route: every page and action that is not public sends an anonymous visitor to the
sign-in page and refuses a signed-in resident (403), changing nothing. One matrix over every module, so a new
route gets its refusal test by being added here."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberation.assemblies import services as assembly_services
from deliberation.assemblies.models import PollState
from deliberation.core.audit import AuditEntry
from deliberation.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import (
    AssemblyFactory,
    CityContractFactory,
    ConsultationFactory,
    OrganisationFactory,
    ParticipantFactory,
    PollFactory,
    PriorityAreaFactory,
    PriorityFactory,
    ProposalFactory,
    UserFactory,
)
from tests.helpers import commit_setup, sign_in

# (method, path template); the templates are filled from the `world` fixture.
ADMIN_ONLY = [
    ("GET", "/admin"),
    ("GET", "/admin/consultations"),
    ("POST", "/admin/consultations/new"),
    ("POST", "/admin/consultations/{consultation}/edit"),
    ("POST", "/admin/consultations/{consultation}/phases"),
    ("POST", "/admin/consultations/{consultation}/phases/{phase}/edit"),
    ("POST", "/admin/consultations/{consultation}/phases/{phase}/delete"),
    ("GET", "/admin/territory/"),
    ("POST", "/admin/territory/organisations/new"),
    ("POST", "/admin/territory/organisations/{organisation}/edit"),
    ("POST", "/admin/territory/contracts/new"),
    ("POST", "/admin/territory/contracts/{contract}/edit"),
    ("POST", "/admin/territory/contracts/{contract}/areas/new"),
    ("POST", "/admin/territory/areas/{area}/edit"),
    ("POST", "/admin/territory/contracts/{contract}/priorities/new"),
    ("POST", "/admin/territory/priorities/{priority}/edit"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/{user}"),
    ("POST", "/admin/users/{user}/roles"),
    ("POST", "/admin/users/{user}/roles/revoke"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/audit/export?format=csv"),
    ("GET", "/admin/audit/export?format=json"),
    ("GET", "/moderation/charter/edit"),
    ("POST", "/moderation/charter/edit"),
]
FACILITATOR_ONLY = [
    ("GET", "/assemblies/"),
    ("POST", "/assemblies/new"),
    ("GET", "/assemblies/{assembly}/console"),
    ("POST", "/assemblies/{assembly}/start"),
    ("POST", "/assemblies/{assembly}/end"),
    ("POST", "/assemblies/{assembly}/agenda"),
    ("POST", "/assemblies/{assembly}/polls"),
    ("POST", "/assemblies/{assembly}/polls/{draft_poll}/open"),
    ("POST", "/assemblies/{assembly}/polls/{open_poll}/close"),
    ("POST", "/assemblies/{assembly}/polls/{open_poll}/paper"),
    ("POST", "/assemblies/{assembly}/questions/moderation"),
    ("POST", "/assemblies/{assembly}/questions/{question}/hide"),
    ("POST", "/assemblies/{assembly}/speakers/call"),
    ("POST", "/assemblies/{assembly}/speakers/finish"),
    ("POST", "/assemblies/{assembly}/timer/start"),
    ("POST", "/assemblies/{assembly}/timer/stop"),
]
MODERATOR_ONLY = [
    ("GET", "/moderation"),
    ("POST", "/moderation/decisions"),
    ("POST", "/moderation/decisions/bulk"),
    ("GET", "/moderation/accounts"),
    ("GET", "/moderation/dashboard"),
    ("POST", "/moderation/appeals/1/decision"),
    # syntheses (synthesis.synthesis_views): moderators and facilitators; {synthesis} is not published yet
    ("POST", "/consultations/{consultation}/syntheses"),
    ("GET", "/syntheses/{synthesis}"),
    ("GET", "/syntheses/{synthesis}/edit"),
    ("POST", "/syntheses/{synthesis}/edit"),
    ("POST", "/syntheses/{synthesis}/comments"),
    ("POST", "/syntheses/{synthesis}/transitions"),
    ("GET", "/syntheses/{synthesis}/versions"),
    ("GET", "/syntheses/{synthesis}/diff"),
]
OFFICIAL_ONLY = [
    ("GET", "/consultations/{consultation}/responses"),
    ("GET", "/proposals/{proposal}/response"),
    ("POST", "/proposals/{proposal}/response"),
    ("GET", "/syntheses/{synthesis}/sections/{section}/response"),
    ("POST", "/syntheses/{synthesis}/sections/{section}/response"),
    ("GET", "/consultations/{consultation}/follow-ups/new"),
    ("POST", "/consultations/{consultation}/follow-ups/new"),
    ("GET", "/follow-ups/{follow_up}/edit"),
    ("POST", "/follow-ups/{follow_up}/edit"),
    ("POST", "/follow-ups/{follow_up}/updates"),
]
SIGNED_IN_ONLY = [
    ("GET", "/account"),
    ("GET", "/account/data.json"),
    ("POST", "/account/profile"),
    ("POST", "/account/notifications"),
    ("POST", "/account/password"),
    ("POST", "/account/tokens"),
    ("POST", "/account/delete"),
    ("GET", "/notifications/"),
    ("POST", "/notifications/read-all"),
    ("GET", "/my/proposals"),
    ("POST", "/consultations/{consultation}/proposals/new"),
    ("POST", "/proposals/{proposal}/withdraw"),
    ("POST", "/proposals/{proposal}/support"),
    ("POST", "/proposals/{proposal}/unsupport"),
    ("POST", "/proposals/{proposal}/comments"),
    ("POST", "/proposals/{proposal}/edit"),
    ("POST", "/reports"),
    ("GET", "/moderation/decisions/1/appeal"),
    ("POST", "/moderation/decisions/1/appeal"),
]


@pytest.fixture
def world(db_session):
    organisation = OrganisationFactory()
    contract = CityContractFactory(organisation=organisation)
    consultation = ConsultationFactory(contract=contract)
    assembly = AssemblyFactory(consultation_id=consultation.id)
    draft_poll = PollFactory(assembly=assembly, state=PollState.DRAFT)
    open_poll = PollFactory(assembly=assembly, state=PollState.OPEN)
    ids = {
        "organisation": organisation.id, "contract": contract.id, "consultation": consultation.id,
        "phase": consultation.phases[0].id, "area": PriorityAreaFactory(contract=contract).id,
        "priority": PriorityFactory(contract=contract).id, "user": UserFactory().id,
        "assembly": assembly.id, "draft_poll": draft_poll.id, "open_poll": open_poll.id,
        "proposal": ProposalFactory(consultation=consultation).id,
        "question": assembly_services.ask_question(ParticipantFactory(assembly=assembly), "Une question ?").id,
    }
    ids.update(_response_targets(consultation))
    commit_setup()
    return ids


def _response_targets(consultation) -> dict:
    """A synthesis section sent to the officials and a follow-up (synthesis.responses, synthesis.follow_ups)."""
    from deliberation.synthesis.models import FollowUp, SynthesisStatus
    from tests.synthesis.response_world import make_section

    section = make_section(consultation, SynthesisStatus.SENT_TO_OFFICIALS)
    follow_up = FollowUp(consultation_id=consultation.id, title="Bancs", owner="Voirie")
    db.session.add(follow_up)
    db.session.flush()
    return {"synthesis": section.synthesis_id, "section": section.id, "follow_up": follow_up.id}


def _call(client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    token = csrf_token_from(client.get("/"))
    return client.post(path, data={"csrf_token": token})


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


@pytest.mark.parametrize(("method", "template"), ADMIN_ONLY + FACILITATOR_ONLY + MODERATOR_ONLY + OFFICIAL_ONLY
                         + SIGNED_IN_ONLY)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, method, template):
    response = _call(client, method, template.format(**world))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("method", "template"), ADMIN_ONLY + FACILITATOR_ONLY + MODERATOR_ONLY + OFFICIAL_ONLY)
def test_residents_are_refused_and_nothing_changes(client, world, method, template):
    sign_in(client, UserFactory())
    before = _audit_count()
    response = _call(client, method, template.format(**world))
    assert response.status_code == 403
    assert _audit_count() == before
    assembly = assembly_services.get_assembly(world["assembly"])
    assert {poll.id: poll.state for poll in assembly.polls} == {
        world["draft_poll"]: PollState.DRAFT, world["open_poll"]: PollState.OPEN}


@pytest.mark.parametrize("action", ["open", "close", "paper"])
def test_a_poll_of_another_assembly_is_not_found_from_this_console(client, world, action):
    facilitator = UserFactory(roles=["facilitator"])
    foreign = PollFactory(state=PollState.OPEN)
    commit_setup()
    sign_in(client, facilitator)
    response = _call(client, "POST", f"/assemblies/{world['assembly']}/polls/{foreign.id}/{action}")
    assert response.status_code == 404
    assert assembly_services.get_poll(foreign.id).state == PollState.OPEN


def test_a_moderator_of_another_consultation_cannot_decide_here(client, world):
    from deliberation.moderation import services as moderation_services
    from deliberation.proposals.models import Proposal, ProposalStatus

    with_reports = UserFactory()
    moderation_services.report_content(with_reports, "proposal", world["proposal"], reason="spam")
    elsewhere = UserFactory(roles=[("moderator", ConsultationFactory())])
    commit_setup()
    sign_in(client, elsewhere)
    before = _audit_count()
    token = csrf_token_from(client.get("/moderation"))
    response = client.post("/moderation/decisions", data={
        "csrf_token": token, "target_type": "proposal", "target_id": world["proposal"], "action": "hide",
        "reason": "spam"})
    assert response.status_code == 302
    assert db.session.get(Proposal, world["proposal"]).status == ProposalStatus.PUBLISHED
    assert _audit_count() == before
    assert client.get("/api/v1/moderation/queue").get_json()["items"] == []


# A blocked account (moderation.blocks) may sign in and read, not post: each posting action is refused with
# the reason, and nothing is written.
BLOCKED_POSTING = [
    ("/consultations/{consultation}/proposals/new", {"title": "Encore", "body": "Encore moi.", "kind": "proposal"}),
    ("/proposals/{proposal}/support", {}),
    ("/proposals/{proposal}/comments", {"body": "Encore moi.", "stance": "against"}),
    ("/reports", {"target_type": "proposal", "target_id": "{proposal}", "reason": "spam",
                  "next": "/proposals/{proposal}"}),
]


@pytest.mark.parametrize(("template", "data"), BLOCKED_POSTING)
def test_a_blocked_account_cannot_post_and_is_told_why(client, world, template, data):
    from deliberation.core.transaction import unit_of_work
    from deliberation.moderation import services as moderation_services
    from deliberation.moderation.models import Report
    from deliberation.proposals.models import Comment, Proposal, Support

    blocked = UserFactory()
    with unit_of_work():
        moderation_services.decide(UserFactory(roles=["moderator"]), "user", blocked.id, action="block",
                                   justification="Insultes répétées.")
    commit_setup()
    sign_in(client, blocked)

    def counts():
        return [db.session.scalar(select(func.count()).select_from(model)) for model in (Proposal, Comment,
                                                                                         Support, Report)]

    before = counts()
    token = csrf_token_from(client.get("/"))
    form = {name: str(value).format(**world) for name, value in data.items()}
    response = client.post(template.format(**world), data={"csrf_token": token, **form})
    shown = response.get_data(as_text=True) if response.status_code == 403 else \
        client.get(response.headers["Location"]).get_data(as_text=True)
    assert response.status_code in (302, 403)
    assert "Votre compte est bloqué par la modération" in shown.replace("&#39;", "'")
    assert counts() == before
