"""Hiding and restoring a question from the facilitator console is a moderation decision: in the public log with
its reason (off_topic when the console sends none) and optional public note, audited, under the moderation rules
(a facilitator of the assembly only, never on a question they asked or reported), while the console's socket
events and POST forms keep working and the phones and the screen hear of it as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberation.assemblies import services as assembly_services
from deliberation.assemblies.models import QuestionState
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Forbidden
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.moderation.models import ModerationAction, ModerationDecision
from tests.assemblies import test_events
from tests.assemblies.test_events import NS, ack, connect
from tests.factories import AssemblyFactory, ConsultationFactory, ParticipantFactory, ProposalFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in

live = test_events.live  # the fixture of the /live test clients


@pytest.fixture
def consultation(db_session):
    return ConsultationFactory()


@pytest.fixture
def assembly(consultation):
    return AssemblyFactory(consultation_id=consultation.id)


@pytest.fixture
def facilitator(consultation):
    return UserFactory(roles=[("facilitator", consultation)])


def _ask(assembly, text="Le maire est-il un menteur ?"):
    return assembly_services.ask_question(ParticipantFactory(assembly=assembly), text)


def _decisions(question) -> list[ModerationDecision]:
    return list(db.session.scalars(select(ModerationDecision).where(
        ModerationDecision.target_type == "question", ModerationDecision.target_id == question.id)
        .order_by(ModerationDecision.id)))


def _audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_hiding_from_the_console_is_a_public_decision_with_its_reason(assembly, facilitator):
    question = _ask(assembly)
    with unit_of_work():
        assert assembly_services.moderate_question(question, facilitator, "hide", reason="offensive",
                                                   note="Propos injurieux envers une personne.") is True
    assert question.state == QuestionState.HIDDEN
    [hide] = _decisions(question)
    assert (hide.action, hide.reason, hide.public_note, hide.moderator_id, hide.automatic) == (
        ModerationAction.HIDE, "offensive", "Propos injurieux envers une personne.", facilitator.id, False)
    assert hide.consultation_id == assembly.consultation_id and hide.previous_state == "visible"
    assert hide.id in [d.id for d in services.list_decisions().items]  # the public log
    assert [e.details["decision_id"] for e in _audited("moderation_hide")] == [hide.id]
    assert [e.details["decision_id"] for e in _audited("question_hidden")] == [hide.id]
    # Already hidden: nothing changes (the console's contract), no second decision.
    with unit_of_work():
        assert assembly_services.moderate_question(question, facilitator, "hide") is False
    with unit_of_work():
        assert assembly_services.moderate_question(question, facilitator, "restore") is True
    assert question.state == QuestionState.VISIBLE
    assert [d.action for d in _decisions(question)] == [ModerationAction.HIDE, ModerationAction.RESTORE]


def test_without_a_reason_the_console_hides_as_off_topic(assembly, facilitator):
    pending = AssemblyFactory(consultation_id=assembly.consultation_id)
    assembly_services.set_question_moderation(pending, UserFactory(roles=["facilitator"]), "pre")
    question = _ask(pending, "Une question en attente ?")
    with unit_of_work():
        assembly_services.moderate_question(question, facilitator, "hide")
    [hide] = _decisions(question)
    assert hide.reason == "off_topic" and hide.previous_state == "pending"
    with unit_of_work():  # restoring a question hidden while pending accepts it, as the console did
        assembly_services.moderate_question(question, facilitator, "restore")
    assert question.state == QuestionState.VISIBLE


def test_an_unknown_reason_is_refused(assembly, facilitator):
    question = _ask(assembly)
    with pytest.raises(Exception) as caught:
        with unit_of_work():
            assembly_services.moderate_question(question, facilitator, "hide", reason="boring")
    assert caught.value.code == "validation_error" and "reason" in caught.value.fields
    assert question.state == QuestionState.VISIBLE and _decisions(question) == []


def test_nobody_hides_a_question_they_reported(assembly, facilitator):
    question = _ask(assembly)
    with unit_of_work():
        services.report_content(facilitator, "question", question.id, reason="spam")
    with pytest.raises(Forbidden) as caught:
        with unit_of_work():
            assembly_services.moderate_question(question, facilitator, "hide")
    assert caught.value.code == "own_report" and question.state == QuestionState.VISIBLE


def test_nobody_hides_a_question_they_asked_from_their_account(consultation, facilitator):
    assembly = AssemblyFactory(consultation_id=consultation.id, requires_sign_in=True)
    with unit_of_work():
        participant, _token = assembly_services.join_assembly(assembly.join_code, user=facilitator)
        question = assembly_services.ask_question(participant, "Ma propre question ?")
    with pytest.raises(Forbidden) as caught:
        with unit_of_work():
            assembly_services.moderate_question(question, facilitator, "hide")
    assert caught.value.code == "own_content" and question.state == QuestionState.VISIBLE
    # Another facilitator of the assembly may.
    with unit_of_work():
        assembly_services.moderate_question(question, UserFactory(roles=[("facilitator", consultation)]), "hide")
    assert question.state == QuestionState.HIDDEN


def test_facilitators_decide_on_the_questions_of_their_assembly_only(client, assembly, facilitator, consultation):
    question = _ask(assembly)
    elsewhere = UserFactory(roles=[("facilitator", ConsultationFactory())])
    proposal = ProposalFactory(consultation=consultation)
    decide = {"target_type": "question", "target_id": question.id, "action": "hide", "reason": "spam"}
    refused = client.post("/api/v1/moderation/decisions", json=decide, headers=bearer(elsewhere))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_moderator"
    # Their assembly's questions, yes; a proposal of the same consultation, no (they are not its moderators).
    on_proposal = client.post("/api/v1/moderation/decisions", headers=bearer(facilitator),
                              json={**decide, "target_type": "proposal", "target_id": proposal.id})
    assert on_proposal.status_code == 403 and on_proposal.get_json()["error"]["code"] == "not_moderator"
    done = client.post("/api/v1/moderation/decisions", json=decide, headers=bearer(facilitator))
    assert done.status_code == 201 and done.get_json()["target_type"] == "question"
    assert question.state == QuestionState.HIDDEN


def test_the_console_socket_hides_with_a_reason_and_the_room_hears_of_it(app, live, assembly, facilitator):
    question = _ask(assembly)
    other = _ask(assembly, "Une autre question ?")
    phone = connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    token = bearer(facilitator)["Authorization"].split()[1]
    console = connect(app, live, join_code=assembly.join_code, role="console", token=token)
    for client in (phone, screen, console):
        client.get_received(NS)
    hidden = ack(console, "moderate_question", {"question_id": question.id, "action": "hide",
                                                "reason": "personal_data", "note": "Un nom cité."})
    assert hidden["ok"] and hidden["changed"] and hidden["question"]["state"] == "hidden"
    [hide] = _decisions(question)
    assert (hide.reason, hide.public_note, hide.moderator_id) == ("personal_data", "Un nom cité.", facilitator.id)
    for client in (phone, screen):  # after the commit, as before: the hidden question without its text
        seen = test_events.received(client, "questions")[-1]["questions"]
        assert (question.id, None, "hidden") in [(q["id"], q["text"], q["state"]) for q in seen]
    # The events without a reason keep working: off_topic.
    assert ack(console, "moderate_question", {"question_id": other.id, "action": "hide"})["ok"]
    assert _decisions(other)[0].reason == "off_topic"
    bad = ack(console, "moderate_question", {"question_id": other.id, "action": "restore", "reason": "boring"})
    assert bad["ok"] is False and bad["error"]["code"] == "validation_error"


def test_the_console_form_offers_the_reason_and_posts_it(client, assembly, facilitator):
    question = _ask(assembly)
    sign_in(client, facilitator)
    console_path = f"/assemblies/{assembly.id}/console"
    page = client.get(console_path).get_data(as_text=True)
    assert f'id="question-{question.id}-reason"' in page and "Motif public" in page
    assert '<option value="off_topic" selected>' in page
    response = post_form(client, f"/assemblies/{assembly.id}/questions/{question.id}/hide",
                         {"reason": "spam", "note": "Publicité."}, token_from=console_path)
    assert response.status_code == 302 and question.state == QuestionState.HIDDEN
    [hide] = _decisions(question)
    assert (hide.reason, hide.public_note) == ("spam", "Publicité.")
    log = client.get("/moderation/log").get_data(as_text=True)
    assert "Spam" in log and "Publicité." in log
    # The form without a reason (an older page) still hides: off_topic.
    commit_setup()
    second = _ask(assembly, "Encore ?")
    post_form(client, f"/assemblies/{assembly.id}/questions/{second.id}/hide", {}, token_from=console_path)
    assert second.state == QuestionState.HIDDEN and _decisions(second)[0].reason == "off_topic"
