"""The expiry timer: one daemon thread per process that wakes caches when entries expire.

A deserializer's hot path reads no clock, so something else must notice that a cached version id
has expired: :class:`~glue_serde.registry.caching.CachingSchemaRegistry` schedules a sweep of
itself here, coarsely (at most once a second per cache), and tells its subscribed deserializers
which ids it no longer holds fresh. Callbacks are held weakly: a cache that is no longer used is
collected, and its pending sweep does nothing.

Imports nothing from the package.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import logging
    import weakref
    from collections.abc import Callable

__all__ = ["IDLE_EXIT", "TIMER", "ExpiryTimer"]


def _log() -> logging.Logger:
    """Return the module's logger (``logging`` is imported on the first message, not at import)."""
    import logging  # noqa: PLC0415 - a consumer's cold start never needs it

    return logging.getLogger("glue_serde.registry.caching")


#: The thread ends after this many idle seconds (nothing scheduled); the next call starts one.
IDLE_EXIT: Final = 60.0


class ExpiryTimer:
    """Call weakly held callbacks after a delay, from one daemon thread for the process.

    This is what lets an id expire at no per-record cost: a deserializer's hot path never reads
    a clock; the cache is woken here and tells the deserializers. The thread starts with the
    first scheduled call, ends after :data:`IDLE_EXIT` idle seconds, and is restarted in
    a child process after ``fork``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, weakref.ref[Callable[[], None]]]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def call_later(self, delay: float, callback: weakref.ref[Callable[[], None]]) -> None:
        """Call ``callback()`` (if it is still alive) in about ``delay`` seconds."""
        with self._lock:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), callback))
            if self._thread is None:
                self._start()
            self._wake.notify()

    def _start(self) -> None:
        """Start the thread. The caller holds the lock."""
        thread = threading.Thread(target=self._run, name="glue-serde-cache-expiry", daemon=True)
        self._thread = thread
        thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while True:
                    if not self._heap:
                        if not self._wake.wait(IDLE_EXIT) and not self._heap:
                            self._thread = None
                            return
                        continue
                    delay = self._heap[0][0] - time.monotonic()
                    if delay <= 0:
                        break
                    self._wake.wait(delay)
                _, _, ref = heapq.heappop(self._heap)
            callback = ref()
            if callback is not None:
                try:
                    callback()
                except Exception:  # never let one cache stop the timer of every other
                    _log().exception("a schema cache's expiry callback failed")

    def after_fork_in_child(self) -> None:
        """Only the forking thread survives ``fork``: new lock, and a new thread if needed."""
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._thread = None
        if self._heap:
            self._start()


TIMER: Final = ExpiryTimer()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=TIMER.after_fork_in_child)
