"""Realtime plumbing: publish() after commit, the socket_event decorator, the shared Redis client and the
Socket.IO message queue's client manager.

Socket.IO handlers get no before_request: `socket_event` gives each event what a request gets (schema
validation, a unit of work, DomainError → an error ack, a fresh database session) and never lets an
exception reach python-socketio.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

import socketio as python_socketio
from flask import current_app
from flask.globals import _cv_request
from marshmallow import Schema, ValidationError
from redis.backoff import NoBackoff
from redis.retry import Retry

from deliberation.core.errors import MESSAGES, DomainError
from deliberation.core.transaction import after_commit, is_database_locked, unit_of_work
from deliberation.extensions import db, socketio

_redis: dict[str, Any] = {}
_worker: dict[str, str] = {}
_queue_reconnected: list[Callable[[], None]] = []
# The listener's longest wait between two attempts to reach Redis again.
QUEUE_RETRY_MAX_S = 1.0
# How long a worker stops publishing after Redis refused a message (its own clients got it anyway).
PUBLISH_PAUSE_S = 0.5


def publish(event: str, data: Any, *, room: str, namespace: str = "/live") -> None:
    after_commit(lambda: socketio.emit(event, data, to=room, namespace=namespace))


def error_ack(code: str, message: str | None = None, fields: dict | None = None) -> dict:
    error = {"code": code, "message": str(message if message is not None else MESSAGES.get(code, code))}
    if fields:
        error["fields"] = fields
    return {"ok": False, "error": error}


def _event_owns_app_context() -> bool:
    """True when Flask-SocketIO pushed an app context for this event alone (always in production).

    Tests drive sockets inside the test's own app context, whose database session holds the test's
    transaction: removing it there would detach the test's objects.
    """
    request_ctx = _cv_request.get(None)
    tokens = getattr(request_ctx, "_cv_tokens", None)
    return bool(tokens) and tokens[-1][1] is not None


def end_event() -> None:
    """What teardown does for a request: give the session back (Flask-SQLAlchemy also does it on teardown)."""
    if _event_owns_app_context():
        db.session.remove()


def socket_event(schema: type[Schema] | None = None, *, transaction: bool = True) -> Callable:
    """Decorate a handler `handler(payload) -> ack dict`: load the payload with `schema`, run the handler in
    `unit_of_work()` (unless `transaction=False`: the handler runs its own units, e.g. to retry), so the ack
    leaves after the commit. A ValidationError acks validation_error with its fields, a DomainError its code
    and translated message, anything else is logged and acks internal_error."""

    def decorator(handler: Callable) -> Callable:
        loader = schema() if schema is not None else None  # one instance: building a Schema costs more than a vote

        @wraps(handler)
        def wrapper(data=None, *_extra):
            try:
                payload = loader.load(data if data is not None else {}) if loader is not None else data
                if transaction:
                    with unit_of_work():
                        ack = handler(payload)
                else:
                    ack = handler(payload)
                return ack if ack is not None else {"ok": True}
            except ValidationError as error:
                from deliberation.api.validation import validation_fields

                return error_ack("validation_error",
                                 fields=validation_fields({"messages": {"json": error.messages}}))
            except DomainError as error:
                return {"ok": False, "error": error.to_dict()}
            except Exception as error:
                try:
                    db.session.rollback()
                except Exception:  # noqa: S110 - the session is being thrown away anyway
                    pass
                if is_database_locked(error):
                    return error_ack("database_busy")
                current_app.logger.exception("socket event %s failed", handler.__name__)
                return error_ack("internal_error")
            finally:
                end_event()

        return wrapper

    return decorator


# Redis: the message queue of several workers, also where they share coalescing state.

def redis_client():
    """The process's Redis client for MESSAGE_QUEUE, or None when there is one process and no queue."""
    url = current_app.config.get("MESSAGE_QUEUE") or ""
    if not url:
        return None
    key = f"{os.getpid()}:{url}"  # a client opened before a fork is not reused by the child
    client = _redis.get(key)
    if client is None:
        import redis

        # A blocking pool: under a burst of votes, greenlets wait a moment for a free connection instead of
        # failing with MaxConnectionsError (which lost dirty marks and attendance updates in the benchmark).
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=5, socket_timeout=5)
        client = _redis[key] = redis.Redis(connection_pool=pool)
    return client


def redis_prefix() -> str:
    """Key prefix shared by the workers of one deployment: two databases never share a Redis key."""
    database = str(current_app.config.get("DATABASE_URL") or current_app.config.get("SQLALCHEMY_DATABASE_URI"))
    return f"deliberation:{hashlib.sha256(database.encode()).hexdigest()[:10]}:"


def worker_id() -> str:
    """This process, unique across hosts and restarts."""
    pid = str(os.getpid())
    if _worker.get("pid") != pid:
        _worker.update(pid=pid, id=f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:8]}")
    return _worker["id"]


# The message queue between workers.

def client_manager(url: str | None):
    """The Socket.IO client manager for MESSAGE_QUEUE (None: one process, python-socketio's default)."""
    return QueueManager(url, channel="flask-socketio") if url else None


def on_queue_reconnected(callback: Callable[[], None]) -> None:
    """Call `callback` (in the listener's greenlet, keep it short) each time this process subscribes to the
    message queue again after losing it: whatever other workers published meanwhile never reached it."""
    if callback not in _queue_reconnected:
        _queue_reconnected.append(callback)


class QueueManager(python_socketio.RedisManager):
    """python-socketio's RedisManager (5.x), changed for a Redis that stops and comes back:

    - its listener waited 1, 2, 4 … up to 60 s between attempts, so after a 30 s outage a worker could stay deaf
      to the other workers for another 30 s: here it tries again every QUEUE_RETRY_MAX_S, and calls the
      on_queue_reconnected callbacks once it listens again;
    - redis-py's default client retries each command ten times with a backoff (≈ 2 s per failed publish) and the
      stock manager tries twice, so every emit stalled its greenlet for seconds while Redis was down, although
      the message had already reached this worker's own clients (PubSubManager.emit delivers locally first).
      Here a command fails at once, and after a refused publish the worker publishes nothing for
      PUBLISH_PAUSE_S.
    """

    def __init__(self, url: str, channel: str):
        super().__init__(url, channel=channel,
                         redis_options={"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 2})
        self._publish_paused_until = 0.0

    def _publish(self, data):  # pragma: no cover - exercised by tests/assemblies/test_drills.py
        if time.monotonic() < self._publish_paused_until:
            return None
        for attempt in range(2):  # a connection that Redis dropped fails once: connect again
            try:
                if not self.connected:
                    self._redis_connect()
                return self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as error:
                self.connected = False
                if attempt == 1:
                    self._publish_paused_until = time.monotonic() + PUBLISH_PAUSE_S
                    self._get_logger().error("Cannot publish to redis (%s): pausing for %ss", error,
                                             PUBLISH_PAUSE_S)
        return None

    def _redis_listen_with_retries(self):  # pragma: no cover - as above
        lost = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if lost:
                    lost = False
                    for callback in list(_queue_reconnected):
                        try:
                            callback()
                        except Exception:
                            self._get_logger().exception("message queue reconnection callback failed")
                yield from self.pubsub.listen()
            except Exception as error:
                self._get_logger().error("Cannot receive from redis (%s): retrying in %ss", error,
                                         QUEUE_RETRY_MAX_S)
                lost = True
                time.sleep(QUEUE_RETRY_MAX_S)
