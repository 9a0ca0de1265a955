"""publish(): a Socket.IO message that leaves only once the unit of work has committed."""

from __future__ import annotations

from typing import Any

from deliberation.core.transaction import after_commit
from deliberation.extensions import socketio


def publish(event: str, data: Any, *, room: str, namespace: str = "/live") -> None:
    after_commit(lambda: socketio.emit(event, data, to=room, namespace=namespace))
