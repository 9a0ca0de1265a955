"""unit_of_work(): the only place that commits; side effects queued with after_commit() run once it succeeded.

Nested units join the outermost one, so a service may call another service freely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import current_app, g
from sqlalchemy.exc import OperationalError

from deliberation.extensions import db

T = TypeVar("T")


def _state() -> dict:
    if "_uow" not in g:
        g._uow = {"depth": 0, "after_commit": []}
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
        raise
    finally:
        state["depth"] -= 1
    if outermost:
        _drain(state)


def _drain(state: dict) -> None:
    pending, state["after_commit"] = state["after_commit"], []
    for callback in pending:
        try:
            callback()
        except Exception:  # a failed e-mail or emit must not undo what was committed
            current_app.logger.exception("after-commit callback failed")


def retry_when_locked(work: Callable[[], T], *, attempts: int = 5) -> T:
    """Run `work` in its own unit of work, again when SQLite says the database is locked.

    On SQLite a transaction that read before another writer committed cannot write any more; starting it again
    is the fix. PostgreSQL waits on row locks instead, so there the first attempt is the only one.
    """
    for attempt in range(attempts):
        try:
            with unit_of_work():
                return work()
        except OperationalError as error:
            if "locked" not in str(error.orig) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current unit of work has committed; dropped if it rolls back."""
    state = _state()
    if state["depth"] == 0:
        raise RuntimeError("after_commit() outside unit_of_work()")
    state["after_commit"].append(callback)


def in_unit_of_work() -> bool:
    return "_uow" in g and g._uow["depth"] > 0
