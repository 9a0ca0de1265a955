"""The speaker queue: raising and lowering a hand (one open request each), the console calling the next speaker or a
given one (audited, with an optional speaking-time countdown), and what each view receives over `/live`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from deliberation.assemblies import services
from deliberation.assemblies.models import AssemblyState, SpeakerState
from deliberation.core import clock
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound
from deliberation.extensions import db
from tests.assemblies import test_events
from tests.assemblies.test_events import NS, ack, connect, received, snapshot_of
from tests.factories import AssemblyFactory, ParticipantFactory, UserFactory
from tests.helpers import bearer, post_form, sign_in

live = test_events.live  # the fixture of the /live test clients

T0 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with clock.frozen_at(T0):
        yield


def raised(participant, name=None):
    clock.advance(timedelta(seconds=1))
    request, _ = services.raise_hand(participant, name)
    return request


def test_raise_and_lower_a_hand(db_session, frozen):
    participant = ParticipantFactory()
    request, new = services.raise_hand(participant, "  Samia  ")
    assert new and request.state == SpeakerState.WAITING and request.display_name == "Samia"
    again, new = services.raise_hand(participant, "Autre nom")
    assert again.id == request.id and not new  # one open request per participant
    assert services.lower_hand(participant) is True
    assert request.state == SpeakerState.WITHDRAWN
    assert services.lower_hand(participant) is False
    fresh, new = services.raise_hand(participant)
    assert new and fresh.id != request.id and fresh.display_name is None


def test_the_number_is_the_rank_of_arrival(db_session, frozen):
    assembly = AssemblyFactory()
    first, second = ParticipantFactory(assembly=assembly), ParticipantFactory(assembly=assembly)
    assert raised(second).number == 2
    assert raised(first).number == 1


def test_names_are_short(db_session, frozen):
    with pytest.raises(Invalid) as error:
        services.raise_hand(ParticipantFactory(), "x" * 61)
    assert error.value.code == "invalid_speaker_name"


def test_call_next_in_order_then_done(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    people = [ParticipantFactory(assembly=assembly) for _ in range(3)]
    requests = [raised(person) for person in people]
    assert [r.id for r in services.list_speakers(assembly)] == [r.id for r in requests]
    called = services.call_speaker(assembly, facilitator)
    assert called.id == requests[0].id and called.state == SpeakerState.SPEAKING
    # A given one jumps the queue; the one speaking is done.
    services.call_speaker(assembly, facilitator, request_id=requests[2].id)
    assert requests[0].state == SpeakerState.DONE and requests[2].state == SpeakerState.SPEAKING
    assert [r.id for r in services.list_speakers(assembly)] == [requests[2].id, requests[1].id]
    assert services.finish_speaker(assembly, facilitator) is True
    assert services.finish_speaker(assembly, facilitator) is False
    assert services.current_speaker(assembly) is None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "assembly_speaker_requests")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["speaker_called", "speaker_done", "speaker_called", "speaker_done"]


def test_calling_refusals(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    with pytest.raises(Conflict) as error:
        services.call_speaker(assembly, facilitator)
    assert error.value.code == "no_speaker_waiting"
    person = ParticipantFactory(assembly=assembly)
    request = raised(person)
    services.lower_hand(person)
    with pytest.raises(Conflict):
        services.call_speaker(assembly, facilitator, request_id=request.id)
    with pytest.raises(NotFound):
        services.call_speaker(assembly, facilitator, request_id=raised(ParticipantFactory()).id)
    with pytest.raises(Forbidden):
        services.call_speaker(assembly, UserFactory())


def test_a_speaking_time_starts_the_countdown(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    raised(ParticipantFactory(assembly=assembly), "Samia")
    services.call_speaker(assembly, facilitator, seconds=120)
    timer = services.timer_state(assembly)
    assert timer["state"] == "running" and timer["duration_s"] == 120 and "Samia" in timer["label"]
    assert timer["ends_at_ms"] == int((clock.now() + timedelta(seconds=120)).timestamp() * 1000)


def test_lowering_while_speaking_ends_the_turn(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    person = ParticipantFactory(assembly=assembly)
    request = raised(person)
    services.call_speaker(assembly, facilitator)
    services.lower_hand(person)
    assert request.state == SpeakerState.DONE


def test_an_ended_assembly_takes_no_hand(db_session, frozen):
    with pytest.raises(Conflict):
        services.raise_hand(ParticipantFactory(assembly=AssemblyFactory(state=AssemblyState.ENDED)))


# Over /live

def test_the_queue_over_the_socket(app, live, facilitator):
    assembly = AssemblyFactory()
    phone = connect(app, live, join_code=assembly.join_code)
    other = connect(app, live, join_code=assembly.join_code)
    screen = connect(app, live, join_code=assembly.join_code, role="screen")
    console = connect(app, live, join_code=assembly.join_code, role="console",
                      token=bearer(facilitator)["Authorization"].split()[1])
    for client in (phone, other, screen, console):
        client.get_received(NS)
    first = ack(phone, "raise_hand", {"name": "Samia"})
    assert first["ok"] and first["raised"] and first["request"]["mine"] and first["request"]["name"] == "Samia"
    assert ack(phone, "raise_hand", {})["raised"] is False
    second = ack(other, "raise_hand", {})
    public = received(screen, "speakers")[-1]["speakers"]
    # The waiting people's names stay on the console.
    assert [(s["id"], s["state"], s["name"]) for s in public] == [
        (first["request"]["id"], "waiting", None), (second["request"]["id"], "waiting", None)]
    assert received(console, "speakers")[-1]["speakers"][0]["name"] == "Samia"

    called = ack(console, "call_speaker", {})
    assert called["ok"] and called["speaker"]["id"] == first["request"]["id"]
    shown = received(other, "speakers")[-1]["speakers"]
    assert (shown[0]["state"], shown[0]["name"]) == ("speaking", "Samia")
    assert ack(phone, "call_speaker", {})["error"]["code"] == "forbidden"
    assert ack(screen, "raise_hand", {})["error"]["code"] == "forbidden"
    assert ack(console, "call_speaker", {"request_id": 999_999})["error"]["code"] == "not_found"
    assert ack(console, "finish_speaker", None) == {"ok": True, "changed": True}
    assert ack(other, "lower_hand", None) == {"ok": True, "lowered": True}
    assert received(screen, "speakers")[-1]["speakers"] == []
    assert ack(console, "call_speaker", {})["error"]["code"] == "no_speaker_waiting"


def test_the_snapshot_marks_the_phones_own_request(app, live):
    assembly = AssemblyFactory()
    person, other = ParticipantFactory(assembly=assembly), ParticipantFactory(assembly=assembly)
    services.raise_hand(other)
    services.raise_hand(person, "Léo")
    snapshot = snapshot_of(connect(app, live, join_code=assembly.join_code, device_token=person.device_token))
    assert [(s["mine"], s["name"]) for s in snapshot["speakers"]] == [(False, None), (True, "Léo")]


def test_console_calls_and_ends_by_post(client, facilitator):
    assembly = AssemblyFactory()
    first, second = ParticipantFactory(assembly=assembly), ParticipantFactory(assembly=assembly)
    services.raise_hand(first, "Samia")
    services.raise_hand(second)
    sign_in(client, facilitator)
    console_path = f"/assemblies/{assembly.id}/console"
    page = client.get(console_path).get_data(as_text=True)
    assert "Samia" in page and "Participant·e n°2" in page and "Donner la parole à la personne suivante" in page
    later = services.list_speakers(assembly)[1]
    response = post_form(client, f"/assemblies/{assembly.id}/speakers/call",
                         {"call-request_id": str(later.id), "call-minutes": "2"}, token_from=console_path)
    assert response.status_code == 302 and response.headers["Location"].endswith("#speakers")
    assert services.current_speaker(assembly).id == later.id
    assert services.timer_state(assembly)["duration_s"] == 120
    post_form(client, f"/assemblies/{assembly.id}/speakers/finish", {}, token_from=console_path)
    assert services.current_speaker(assembly) is None
    post_form(client, f"/assemblies/{assembly.id}/speakers/call", {}, token_from=console_path)
    assert services.current_speaker(assembly).display_name == "Samia"
