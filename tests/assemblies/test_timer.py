"""The countdown: started, paused, resumed and stopped from the console (audited), sent as an absolute end time so
that phones and the screen count down by themselves (one message per change, none per second)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deliberation.assemblies import services
from deliberation.core import clock
from deliberation.core.errors import Forbidden, Invalid
from tests.assemblies import test_events
from tests.assemblies.test_events import NS, ack, connect, received, snapshot_of
from tests.factories import AssemblyFactory, UserFactory
from tests.helpers import bearer, post_form, sign_in

live = test_events.live  # the fixture of the /live test clients

T0 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)


@pytest.fixture
def frozen():
    with clock.frozen_at(T0):
        yield


def test_start_pause_resume_stop(db_session, frozen, facilitator):
    assembly = AssemblyFactory()
    assert services.timer_state(assembly) is None
    services.start_timer(assembly, facilitator, seconds=300, label="  Pause café ")
    assert services.timer_state(assembly) == {
        "state": "running", "label": "Pause café", "duration_s": 300, "ends_at": "2026-11-26T18:05:00+00:00",
        "ends_at_ms": T0_MS + 300_000, "remaining_ms": None, "server_now_ms": T0_MS}
    clock.advance(timedelta(seconds=100))
    assert services.pause_timer(assembly, facilitator) is True
    assert services.pause_timer(assembly, facilitator) is False
    paused = services.timer_state(assembly)
    assert paused["state"] == "paused" and paused["remaining_ms"] == 200_000 and paused["ends_at"] is None
    clock.advance(timedelta(seconds=60))
    assert services.resume_timer(assembly, facilitator) is True
    assert services.timer_state(assembly)["ends_at_ms"] == T0_MS + 360_000
    assert services.stop_timer(assembly, facilitator) is True
    assert services.stop_timer(assembly, facilitator) is False
    assert services.timer_state(assembly) is None


@pytest.mark.parametrize("seconds", [0, -5, 4 * 3600 + 1])
def test_durations_out_of_range(db_session, facilitator, seconds):
    with pytest.raises(Invalid) as error:
        services.start_timer(AssemblyFactory(), facilitator, seconds=seconds)
    assert error.value.code == "invalid_timer_duration"


def test_only_facilitators_run_the_timer(db_session):
    with pytest.raises(Forbidden):
        services.start_timer(AssemblyFactory(), UserFactory(), seconds=60)


def test_one_message_per_change_to_every_room(app, live, facilitator):
    with clock.frozen_at(T0):
        assembly = AssemblyFactory()
        phone = connect(app, live, join_code=assembly.join_code)
        screen = connect(app, live, join_code=assembly.join_code, role="screen")
        console = connect(app, live, join_code=assembly.join_code, role="console",
                          token=bearer(facilitator)["Authorization"].split()[1])
        assert snapshot_of(phone)["timer"] is None
        screen.get_received(NS)
        console.get_received(NS)
        started = ack(console, "start_timer", {"seconds": 90, "label": "Tour de table"})
        assert started["ok"] and started["timer"]["ends_at_ms"] == T0_MS + 90_000
        for client in (phone, screen, console):
            (message,) = received(client, "timer")
            assert message["timer"]["label"] == "Tour de table" and message["timer"]["state"] == "running"
        late = connect(app, live, join_code=assembly.join_code)
        assert snapshot_of(late)["timer"]["ends_at_ms"] == T0_MS + 90_000
        assert ack(console, "pause_timer", None)["timer"]["state"] == "paused"
        assert ack(console, "stop_timer", None) == {"ok": True, "changed": True, "timer": None}
        assert received(screen, "timer")[-1] == {"timer": None}
        # Refusals
        assert ack(phone, "start_timer", {"seconds": 60})["error"]["code"] == "forbidden"
        assert ack(screen, "stop_timer", None)["error"]["code"] == "forbidden"
        refused = ack(console, "start_timer", {"seconds": 0})
        assert refused["error"]["code"] == "invalid_timer_duration" and refused["error"]["fields"]["seconds"]
        assert ack(console, "start_timer", {"seconds": "60"})["error"]["code"] == "validation_error"


def test_console_starts_and_stops_by_post(client, facilitator):
    assembly = AssemblyFactory()
    sign_in(client, facilitator)
    console_path = f"/assemblies/{assembly.id}/console"
    assert "Lancer le minuteur" in client.get(console_path).get_data(as_text=True)
    response = post_form(client, f"/assemblies/{assembly.id}/timer/start",
                         {"timer-minutes": "1", "timer-seconds": "30", "timer-label": "Tour de table"},
                         token_from=console_path)
    assert response.status_code == 302 and response.headers["Location"].endswith("#timer")
    timer = services.timer_state(assembly)
    assert timer["duration_s"] == 90 and timer["label"] == "Tour de table"
    assert "Tour de table" in client.get(f"/assemblies/{assembly.id}/screen").get_data(as_text=True)
    post_form(client, f"/assemblies/{assembly.id}/timer/pause", {}, token_from=console_path)
    assert services.timer_state(assembly)["state"] == "paused"
    post_form(client, f"/assemblies/{assembly.id}/timer/stop", {}, token_from=console_path)
    assert services.timer_state(assembly) is None
    refused = post_form(client, f"/assemblies/{assembly.id}/timer/start", {"timer-seconds": "0"},
                        token_from=console_path)
    assert refused.status_code == 302 and services.timer_state(assembly) is None
    assert "Indiquez une durée entre 1 seconde et 4 heures." in client.get(console_path).get_data(as_text=True)
