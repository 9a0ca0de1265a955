"""The countdown of an assembly (minuteur), run from the console. It is stored as an absolute end time on the
server's clock, so phones and the screen count down locally: one message at start, pause, resume and stop,
never one per second."""

from __future__ import annotations

from datetime import UTC, timedelta

from deliberation.assemblies import policies
from deliberation.assemblies.models import TIMER_LABEL_MAX_LENGTH, Assembly
from deliberation.assemblies.services.common import require_not_ended
from deliberation.core import audit, clock
from deliberation.core.errors import Invalid, require
from deliberation.core.transaction import in_unit_of_work
from deliberation.extensions import db

MAX_TIMER_SECONDS = 4 * 3600


def announce_timer(assembly_id: int) -> None:
    if in_unit_of_work():
        from deliberation.assemblies.live.room_broadcast import broadcast_timer

        broadcast_timer(assembly_id)


def _refuse(code: str, field: str):
    from deliberation.assemblies.services.questions import ROOM_MESSAGES

    return Invalid(code, ROOM_MESSAGES[code], fields={field: [ROOM_MESSAGES[code]]})


def _aware(moment):
    return moment if moment is None or moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def start_timer(assembly: Assembly, actor, *, seconds: int, label: str | None = None) -> Assembly:
    """Start (or restart) the countdown of `seconds` (1 s – 4 h) with an optional label. Audited."""
    require(policies.can_manage_timer(actor, assembly), "forbidden")
    require_not_ended(assembly)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 1 <= seconds <= MAX_TIMER_SECONDS:
        raise _refuse("invalid_timer_duration", "seconds")
    label = " ".join(label.split()) if isinstance(label, str) else ""
    if len(label) > TIMER_LABEL_MAX_LENGTH:
        raise _refuse("invalid_timer_label", "label")
    assembly.timer_label = label or None
    assembly.timer_duration_s = seconds
    assembly.timer_ends_at = clock.now() + timedelta(seconds=seconds)
    assembly.timer_remaining_ms = None
    db.session.flush()
    audit.record(actor, "timer_started", assembly, seconds=seconds, label=assembly.timer_label)
    announce_timer(assembly.id)
    return assembly


def pause_timer(assembly: Assembly, actor) -> bool:
    """Freeze a running countdown (True); anything else changes nothing (False)."""
    require(policies.can_manage_timer(actor, assembly), "forbidden")
    if assembly.timer_ends_at is None:
        return False
    remaining = _aware(assembly.timer_ends_at) - clock.now()
    assembly.timer_remaining_ms = max(int(remaining.total_seconds() * 1000), 0)
    assembly.timer_ends_at = None
    db.session.flush()
    audit.record(actor, "timer_paused", assembly, remaining_ms=assembly.timer_remaining_ms)
    announce_timer(assembly.id)
    return True


def resume_timer(assembly: Assembly, actor) -> bool:
    """Start a paused countdown again from where it stopped (True); anything else changes nothing (False)."""
    require(policies.can_manage_timer(actor, assembly), "forbidden")
    require_not_ended(assembly)
    if assembly.timer_remaining_ms is None:
        return False
    assembly.timer_ends_at = clock.now() + timedelta(milliseconds=assembly.timer_remaining_ms)
    assembly.timer_remaining_ms = None
    db.session.flush()
    audit.record(actor, "timer_resumed", assembly)
    announce_timer(assembly.id)
    return True


def stop_timer(assembly: Assembly, actor) -> bool:
    """Remove the countdown (True); no countdown changes nothing (False)."""
    require(policies.can_manage_timer(actor, assembly), "forbidden")
    if assembly.timer_ends_at is None and assembly.timer_remaining_ms is None:
        return False
    assembly.timer_label = assembly.timer_duration_s = assembly.timer_ends_at = assembly.timer_remaining_ms = None
    db.session.flush()
    audit.record(actor, "timer_stopped", assembly)
    announce_timer(assembly.id)
    return True


def timer_state(assembly: Assembly) -> dict | None:
    """The countdown as every view gets it, or None: {state: running|paused, label, duration_s, ends_at (ISO),
    ends_at_ms (epoch ms), remaining_ms (paused only), server_now_ms} — server_now_ms lets a client correct
    its own clock."""
    now = clock.now()
    now_ms = int(now.timestamp() * 1000)
    if assembly.timer_ends_at is not None:
        ends = _aware(assembly.timer_ends_at)
        return {"state": "running", "label": assembly.timer_label, "duration_s": assembly.timer_duration_s,
                "ends_at": ends.isoformat(), "ends_at_ms": int(ends.timestamp() * 1000), "remaining_ms": None,
                "server_now_ms": now_ms}
    if assembly.timer_remaining_ms is not None:
        return {"state": "paused", "label": assembly.timer_label, "duration_s": assembly.timer_duration_s,
                "ends_at": None, "ends_at_ms": None, "remaining_ms": assembly.timer_remaining_ms,
                "server_now_ms": now_ms}
    return None
