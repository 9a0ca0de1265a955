"""unit_of_work(): the only place that commits; side effects queued with after_commit() run once it succeeded.

Nested units join the outermost one, so a service may call another service freely.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import current_app, g
from sqlalchemy.exc import OperationalError

from deliberation.extensions import db

T = TypeVar("T")


def _state() -> dict:
    if "_uow" not in g:
        g._uow = {"depth": 0, "after_commit": [], "batches": {}}
    return g._uow


@contextmanager
def unit_of_work() -> Iterator[None]:
    state = _state()
    state["depth"] += 1
    outermost = state["depth"] == 1
    try:
        yield
        if outermost:
            db.session.commit()
    except BaseException:
        if outermost:
            db.session.rollback()
            state["after_commit"].clear()
            state["batches"].clear()
        raise
    finally:
        state["depth"] -= 1
    if outermost:
        _drain(state)


def _drain(state: dict) -> None:
    pending, state["after_commit"] = state["after_commit"], []
    state["batches"] = {}
    for callback in pending:
        try:
            callback()
        except Exception:  # a failed e-mail or emit must not undo what was committed
            current_app.logger.exception("after-commit callback failed")


def is_database_locked(error: BaseException) -> bool:
    """SQLite's answer when another connection holds the write lock (or committed since this one read)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def retry_when_locked(work: Callable[[], T], *, within_s: float = 10.0) -> T:
    """Run `work` in its own unit of work, again when SQLite says the database is locked.

    On SQLite a transaction that read before another writer took the lock cannot write: SQLite refuses at once,
    without waiting (busy_timeout does not apply to a reader turning writer). Starting again after a short,
    growing and jittered pause lets the writer finish; immediate retries only spin while it holds the lock.
    PostgreSQL waits on row locks instead, so there the first attempt is the only one.
    """
    deadline = time.monotonic() + within_s
    pause = 0.005
    while True:
        try:
            with unit_of_work():
                return work()
        except OperationalError as error:
            if not is_database_locked(error) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrecy
        pause = min(pause * 2, 0.25)


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current unit of work has committed; dropped if it rolls back."""
    state = _state()
    if state["depth"] == 0:
        raise RuntimeError("after_commit() outside unit_of_work()")
    state["after_commit"].append(callback)


def after_commit_batch(key: str, item: object, flush: Callable[[list], None]) -> None:
    """Collect `item` under `key` in the current unit of work; once it has committed, `flush` gets every item
    collected under that key at once (say, the e-mails of one answer, sent through one connection)."""
    state = _state()
    if state["depth"] == 0:
        raise RuntimeError("after_commit_batch() outside unit_of_work()")
    batch = state["batches"].get(key)
    if batch is None:
        batch = state["batches"][key] = []
        state["after_commit"].append(lambda: flush(batch))
    batch.append(item)


def in_unit_of_work() -> bool:
    return "_uow" in g and g._uow["depth"] > 0
