"""Questions from the room: asking, upvoting once, pre- and post-moderation, the facilitator's decisions (audited),
one question on screen, and what each view receives over `/live` (pending questions never reach other phones
or the screen)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from deliberation.assemblies import services
from deliberation.assemblies.models import AssemblyState, QuestionModeration, QuestionState
from deliberation.assemblies.views import question_transitions
from deliberation.core import clock
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from deliberation.extensions import db
from tests.assemblies import test_events
from tests.assemblies.test_events import NS, ack, connect, received, snapshot_of
from tests.factories import AssemblyFactory, ParticipantFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in

live = test_events.live  # the fixture of the /live test clients

T0 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with clock.frozen_at(T0):
        yield


def audit_actions(question) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "assembly_questions", AuditEntry.target_id == question.id).order_by(AuditEntry.id)))


def later(seconds: int = 30) -> None:
    clock.advance(timedelta(seconds=seconds))


# Services

def test_asking_trims_and_post_moderation_shows_at_once(db_session, frozen):
    participant = ParticipantFactory()
    question = services.ask_question(participant, "   Quand les travaux\n du square   commencent-ils ?  ")
    assert question.text == "Quand les travaux du square commencent-ils ?"
    assert question.state == QuestionState.VISIBLE and question.upvote_count == 0
    assert question.participant_id == participant.id and question.assembly_id == participant.assembly_id


@pytest.mark.parametrize("text, code", [("", "question_empty"), ("   \n ", "question_empty"),
                                        ("x" * 281, "question_too_long"), (None, "question_empty")])
def test_asking_refuses_empty_or_long_text(db_session, frozen, text, code):
    with pytest.raises(Invalid) as error:
        services.ask_question(ParticipantFactory(), text)
    assert error.value.code == code and "text" in error.value.fields


def test_280_characters_is_fine(db_session, frozen):
    assert len(services.ask_question(ParticipantFactory(), "é" * 280).text) == 280


def test_one_question_every_20_seconds_per_participant(db_session, frozen):
    participant, other = ParticipantFactory(), None
    services.ask_question(participant, "Première question ?")
    with pytest.raises(RateLimited) as error:
        services.ask_question(participant, "Deuxième question ?")
    assert error.value.code == "question_rate_limited" and error.value.status == 429
    other = ParticipantFactory(assembly=participant.assembly)
    services.ask_question(other, "Une autre personne peut demander.")
    later(20)
    services.ask_question(participant, "Deuxième question ?")


def test_pre_moderation_keeps_questions_pending_until_accepted(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    services.set_question_moderation(assembly, facilitator, "pre")
    assert assembly.question_moderation == QuestionModeration.PRE
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Et le bus de nuit ?")
    assert question.state == QuestionState.PENDING
    with pytest.raises(NotFound):  # nobody upvotes a question they cannot see
        services.upvote_question(question, ParticipantFactory(assembly=assembly))
    assert services.moderate_question(question, facilitator, "accept") is True
    assert question.state == QuestionState.VISIBLE
    assert audit_actions(question) == ["question_accepted"]


def test_upvote_once_per_participant(db_session, frozen):
    assembly = AssemblyFactory()
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Pourquoi ?")
    voter = ParticipantFactory(assembly=assembly)
    assert services.upvote_question(question, voter) is True
    assert services.upvote_question(question, voter) is False
    assert question.upvote_count == 1
    assert services.upvote_question(question, ParticipantFactory(assembly=assembly)) is True
    assert question.upvote_count == 2
    assert services.my_upvoted_ids(voter) == {question.id}
    with pytest.raises(NotFound):  # a phone of another assembly
        services.upvote_question(question, ParticipantFactory())


def test_moderation_transitions_are_audited(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Qui entretient le parc ?")
    assert services.moderate_question(question, facilitator, "hide") is True
    assert services.moderate_question(question, facilitator, "hide") is False  # already hidden: nothing changes
    assert services.count_hidden_questions(assembly) == 1
    with pytest.raises(Conflict) as error:
        services.moderate_question(question, facilitator, "answer")
    assert error.value.code == "question_transition_not_allowed"
    services.moderate_question(question, facilitator, "restore")
    services.moderate_question(question, facilitator, "show")
    services.moderate_question(question, facilitator, "answer")
    assert question.state == QuestionState.ANSWERED
    assert audit_actions(question) == ["question_hidden", "question_restored", "question_put_on_screen",
                                       "question_answered"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "question_answered")).one()
    assert entry.actor_id == facilitator.id and entry.details["previous"] == "on_screen"


def test_only_one_question_on_screen(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    first = services.ask_question(ParticipantFactory(assembly=assembly), "Première ?")
    second = services.ask_question(ParticipantFactory(assembly=assembly), "Seconde ?")
    services.moderate_question(first, facilitator, "show")
    services.moderate_question(second, facilitator, "show")
    assert (first.state, second.state) == (QuestionState.VISIBLE, QuestionState.ON_SCREEN)
    assert audit_actions(first) == ["question_put_on_screen", "question_taken_off_screen"]
    services.moderate_question(second, facilitator, "unshow")
    assert second.state == QuestionState.VISIBLE


def test_questions_sorted_by_upvotes_then_age(db_session, frozen):
    assembly = AssemblyFactory()
    old, newer, top = (services.ask_question(ParticipantFactory(assembly=assembly), text)
                       for text in ("Ancienne ?", "Récente ?", "Populaire ?"))
    later()
    services.upvote_question(top, ParticipantFactory(assembly=assembly))
    assert [q.id for q in services.list_questions(assembly)] == [top.id, old.id, newer.id]


def test_only_facilitators_moderate(db_session, frozen):
    assembly = AssemblyFactory()
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Et alors ?")
    for user in (UserFactory(), None):
        with pytest.raises(Forbidden):
            services.moderate_question(question, user, "hide")
        with pytest.raises(Forbidden):
            services.set_question_moderation(assembly, user, "pre")
    assert question.state == QuestionState.VISIBLE


def test_an_ended_assembly_takes_no_question(db_session, frozen):
    participant = ParticipantFactory(assembly=AssemblyFactory(state=AssemblyState.ENDED))
    with pytest.raises(Conflict) as error:
        services.ask_question(participant, "Trop tard ?")
    assert error.value.code == "assembly_ended"


def test_questions_attach_to_an_agenda_item_of_their_assembly(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    item = services.add_agenda_item(assembly, facilitator, title="Le square")
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Sur ce point ?")
    services.attach_question(question, facilitator, item)
    assert question.agenda_item_id == item.id
    with pytest.raises(Invalid):
        services.attach_question(question, facilitator,
                                 services.add_agenda_item(AssemblyFactory(), facilitator, title="Ailleurs"))
    services.attach_question(question, facilitator, None)
    assert question.agenda_item_id is None
    assert audit_actions(question) == ["question_attached", "question_attached"]


# Over /live

def console_of(app, live, assembly, facilitator):
    return connect(app, live, join_code=assembly.join_code, role="console",
                   token=bearer(facilitator)["Authorization"].split()[1])


def last(client, event):
    messages = received(client, event)
    assert messages, f"no {event} message"
    return messages[-1]


def test_ask_and_upvote_over_the_socket(app, live, facilitator):
    assembly = AssemblyFactory()
    phone, other = connect(app, live, join_code=assembly.join_code), connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    console = console_of(app, live, assembly, facilitator)
    for client in (phone, other, screen, console):
        client.get_received(NS)
    asked = ack(phone, "ask_question", {"text": "  Où sera la nouvelle école ?  "})
    assert asked["ok"] and asked["question"]["state"] == "visible" and asked["question"]["mine"] is True
    question_id = asked["question"]["id"]
    again = ack(phone, "ask_question", {"text": "Et une deuxième tout de suite ?"})
    assert again["error"] == {"code": "question_rate_limited", "message": "Vous venez de poser une question. "
                              "Patientez quelques secondes avant la suivante."}
    public = last(other, "questions")["questions"]
    assert public == [{"id": question_id, "text": "Où sera la nouvelle école ?", "state": "visible", "upvotes": 0,
                       "asked_at": public[0]["asked_at"], "agenda_item_id": None}]
    assert last(screen, "questions")["questions"] == public
    assert last(console, "questions")["moderation"] == "post"

    first = ack(other, "upvote_question", {"question_id": question_id})
    assert first == {"ok": True, "question_id": question_id, "counted": True, "upvotes": 1}
    again = ack(other, "upvote_question", {"question_id": question_id})
    assert again == {"ok": True, "question_id": question_id, "counted": False, "upvotes": 1}
    assert last(phone, "questions")["questions"][0]["upvotes"] == 1


def test_snapshot_marks_mine_and_upvoted(app, live):
    assembly = AssemblyFactory()
    author = ParticipantFactory(assembly=assembly)
    voter = ParticipantFactory(assembly=assembly)
    question = services.ask_question(author, "Une question ?")
    services.upvote_question(question, voter)
    mine = snapshot_of(connect(app, live, join_code=assembly.join_code, device_token=author.device_token))
    theirs = snapshot_of(connect(app, live, join_code=assembly.join_code, device_token=voter.device_token))
    assert [(q["id"], q["mine"], q["upvoted"]) for q in mine["questions"]] == [(question.id, True, False)]
    assert [(q["id"], q["mine"], q["upvoted"]) for q in theirs["questions"]] == [(question.id, False, True)]


def test_pending_questions_never_reach_other_phones_or_the_screen(app, live, facilitator):
    assembly = AssemblyFactory(question_moderation=QuestionModeration.PRE)
    author = ParticipantFactory(assembly=assembly)
    phone = connect(app, live, join_code=assembly.join_code, device_token=author.device_token)
    other = connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    console = console_of(app, live, assembly, facilitator)
    for client in (phone, other, screen, console):
        client.get_received(NS)
    secret = "Une question encore en attente de modération"
    asked = ack(phone, "ask_question", {"text": secret})
    assert asked["question"]["state"] == "pending"
    question_id = asked["question"]["id"]
    for client in (other, screen, phone):
        assert last(client, "questions")["questions"] == []
    assert [q["text"] for q in last(console, "questions")["questions"]] == [secret]
    # Nor in a snapshot, except the author's own.
    late = connect(app, live, join_code=assembly.join_code)
    assert snapshot_of(late)["questions"] == []
    assert snapshot_of(connect(app, live, join_code=assembly.join_code, role="screen"))["questions"] == []
    again = snapshot_of(connect(app, live, join_code=assembly.join_code, device_token=author.device_token))
    assert [(q["text"], q["state"], q["mine"]) for q in again["questions"]] == [(secret, "pending", True)]
    everything = [message for client in (other, screen, late) for message in client.get_received(NS)]
    assert secret not in repr(everything)
    # Upvoting it from another phone: as if it did not exist.
    assert ack(other, "upvote_question", {"question_id": question_id})["error"]["code"] == "not_found"

    # The console accepts it: now everyone sees it.
    accepted = ack(console, "moderate_question", {"question_id": question_id, "action": "accept"})
    assert accepted["ok"] and accepted["changed"] and accepted["question"]["state"] == "visible"
    assert [q["text"] for q in last(other, "questions")["questions"]] == [secret]
    # Hidden: the others keep a count (an item without text), the screen too.
    ack(console, "moderate_question", {"question_id": question_id, "action": "hide"})
    hidden = last(other, "questions")["questions"]
    assert [(q["id"], q["text"], q["state"]) for q in hidden] == [(question_id, None, "hidden")]
    assert last(screen, "questions")["questions"] == hidden
    assert secret in repr(last(console, "questions"))


def test_the_console_puts_one_question_on_screen(app, live, facilitator):
    assembly = AssemblyFactory()
    first = services.ask_question(ParticipantFactory(assembly=assembly), "Première ?")
    second = services.ask_question(ParticipantFactory(assembly=assembly), "Seconde ?")
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    console = console_of(app, live, assembly, facilitator)
    screen.get_received(NS)
    ack(console, "moderate_question", {"question_id": first.id, "action": "show"})
    ack(console, "moderate_question", {"question_id": second.id, "action": "show"})
    states = {q["id"]: q["state"] for q in last(screen, "questions")["questions"]}
    assert states == {first.id: "visible", second.id: "on_screen"}


def test_question_refusals_over_the_socket(app, live, facilitator):
    assembly = AssemblyFactory()
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Visible ?")
    foreign = services.ask_question(ParticipantFactory(), "Ailleurs ?")
    phone = connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    console = console_of(app, live, assembly, facilitator)
    moderate = {"question_id": question.id, "action": "hide"}
    # Phones and the screen cannot moderate; the screen and the console cannot ask.
    assert ack(phone, "moderate_question", moderate)["error"]["code"] == "forbidden"
    assert ack(screen, "moderate_question", moderate)["error"]["code"] == "forbidden"
    assert ack(screen, "ask_question", {"text": "Depuis l'écran ?"})["error"]["code"] == "forbidden"
    assert ack(console, "ask_question", {"text": "Depuis la console ?"})["error"]["code"] == "forbidden"
    assert ack(phone, "set_question_moderation", {"mode": "pre"})["error"]["code"] == "forbidden"
    # Unknown or foreign questions are not found.
    for client in (phone, console):
        for question_id in (foreign.id, 999_999):
            event, data = (("upvote_question", {"question_id": question_id}) if client is phone else
                           ("moderate_question", {"question_id": question_id, "action": "hide"}))
            assert ack(client, event, data)["error"]["code"] == "not_found"
    # Shape errors, then rule errors with a French message.
    assert ack(console, "moderate_question", {"question_id": question.id, "action": "delete"})["error"]["code"] \
        == "validation_error"
    assert ack(phone, "upvote_question", {"question_id": "1"})["error"]["code"] == "validation_error"
    too_long = ack(phone, "ask_question", {"text": "x" * 281})
    assert too_long["error"]["code"] == "question_too_long"
    assert too_long["error"]["fields"]["text"] == [too_long["error"]["message"]]
    assert too_long["error"]["message"] == "Une question compte au plus 280 caractères."


# The console without JavaScript: the same decisions as HTML forms

def test_console_lists_every_question_and_moderates_by_post(client, facilitator):
    assembly = AssemblyFactory()
    pending_text = "Une question en attente ?"
    services.set_question_moderation(assembly, facilitator, "pre")
    question = services.ask_question(ParticipantFactory(assembly=assembly), pending_text)
    sign_in(client, facilitator)
    console_path = f"/assemblies/{assembly.id}/console"
    page = client.get(console_path).get_data(as_text=True)
    assert pending_text in page and "en attente de modération" in page and "Accepter" in page

    response = post_form(client, f"/assemblies/{assembly.id}/questions/{question.id}/accept", {},
                         token_from=console_path)
    assert response.status_code == 302 and response.headers["Location"].endswith("#questions")
    assert question.state == QuestionState.VISIBLE and audit_actions(question) == ["question_accepted"]
    post_form(client, f"/assemblies/{assembly.id}/questions/{question.id}/answer", {}, token_from=console_path)
    assert question.state == QuestionState.ANSWERED
    refused = post_form(client, f"/assemblies/{assembly.id}/questions/{question.id}/restore", {},
                        token_from=console_path)
    assert refused.status_code == 302 and question.state == QuestionState.ANSWERED  # said in a flash message
    assert "Cette question ne peut pas être modifiée" in client.get(console_path).get_data(as_text=True)
    assert post_form(client, f"/assemblies/{assembly.id}/questions/{question.id}/delete", {},
                     token_from=console_path).status_code == 404
    foreign = services.ask_question(ParticipantFactory(), "Ailleurs ?")
    assert post_form(client, f"/assemblies/{assembly.id}/questions/{foreign.id}/hide", {},
                     token_from=console_path).status_code == 404
    assert foreign.state == QuestionState.VISIBLE

    post_form(client, f"/assemblies/{assembly.id}/questions/moderation", {"moderation-mode": "post"},
              token_from=console_path)
    assert assembly.question_moderation == QuestionModeration.POST


def test_the_screen_shows_the_question_on_screen_and_the_hidden_count(client, facilitator):
    assembly = AssemblyFactory()
    shown = services.ask_question(ParticipantFactory(assembly=assembly), "Quand ouvre la médiathèque ?")
    hidden = services.ask_question(ParticipantFactory(assembly=assembly), "Un texte masqué")
    services.moderate_question(shown, facilitator, "show")
    services.moderate_question(hidden, facilitator, "hide")
    commit_setup()
    page = client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    assert "Quand ouvre la médiathèque ?" in page and "1 question masquée par les animateur·rices" in page
    assert "Un texte masqué" not in page


def test_the_scripts_offer_the_same_buttons_as_the_page(client, facilitator):
    assembly = AssemblyFactory()
    sign_in(client, facilitator)
    page = client.get(f"/assemblies/{assembly.id}/console").get_data(as_text=True)
    strings = json.loads(re.search(r'<script type="application/json" id="room-strings">(.*?)</script>', page,
                                   re.S).group(1))
    assert strings["transitions"] == question_transitions()


def test_console_attaches_a_question_to_an_agenda_item_by_post(client, facilitator):
    assembly = AssemblyFactory()
    item = services.add_agenda_item(assembly, facilitator, title="Le square Jean-Moulin")
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Et les bancs ?")
    sign_in(client, facilitator)
    console_path = f"/assemblies/{assembly.id}/console"
    assert "1. Le square Jean-Moulin" in client.get(console_path).get_data(as_text=True)
    post_form(client, f"/assemblies/{assembly.id}/questions/{question.id}/agenda", {"agenda_item_id": str(item.id)},
              token_from=console_path)
    assert question.agenda_item_id == item.id and audit_actions(question) == ["question_attached"]
    post_form(client, f"/assemblies/{assembly.id}/questions/{question.id}/agenda", {"agenda_item_id": ""},
              token_from=console_path)
    assert question.agenda_item_id is None


def test_console_attaches_over_the_socket(app, live, facilitator):
    assembly = AssemblyFactory()
    item = services.add_agenda_item(assembly, facilitator, title="Le square")
    question = services.ask_question(ParticipantFactory(assembly=assembly), "Et les bancs ?")
    console = console_of(app, live, assembly, facilitator)
    attached = ack(console, "attach_question", {"question_id": question.id, "agenda_item_id": item.id})
    assert attached["ok"] and attached["question"]["agenda_item_id"] == item.id
    foreign = services.add_agenda_item(AssemblyFactory(), facilitator, title="Ailleurs")
    refused = ack(console, "attach_question", {"question_id": question.id, "agenda_item_id": foreign.id})
    assert refused["error"]["code"] == "not_found"
    assert ack(console, "attach_question", {"question_id": question.id, "agenda_item_id": None})["ok"]
