"""How many open-data files one server process builds at once (EXPORTS_CONCURRENT_BUILDS).

A large consultation's export holds every row in memory while it is written (about 140 MiB at 20,000
contributions): a few downloads at the same moment must queue rather than exhaust the worker. Those that wait
longer than EXPORTS_BUILD_WAIT_SECONDS get 503 export_busy with Retry-After, and nothing else is affected.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

from deliberation.core.errors import DomainError

_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _semaphore(size: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


class ExportBusy(DomainError):
    status = 503
    retry_after = 30

    def __init__(self):
        super().__init__("export_busy")


@contextmanager
def build_slot() -> Iterator[None]:
    semaphore = _semaphore(current_app.config["EXPORTS_CONCURRENT_BUILDS"])
    if not semaphore.acquire(timeout=current_app.config["EXPORTS_BUILD_WAIT_SECONDS"]):
        raise ExportBusy()
    try:
        yield
    finally:
        semaphore.release()
