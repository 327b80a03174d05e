"""Single-flight: at most one registry call per key at a time, its outcome shared.

Written once and used by every cached path of
:class:`~glue_serde.registry.caching.CachingSchemaRegistry` (lookups by id, by definition, and
registrations). The guarantees, each tested there:

- the in-flight entry is removed in a ``finally``, in the same critical section that stores the
  answer in the caches (a caller arriving afterwards finds the cache filled, never a second
  call, and never a stuck flight);
- waiters get exactly the leader's value or the very exception object it raised;
- a leader interrupted by a ``BaseException`` (``KeyboardInterrupt``) hands the call to a waiter;
- every wait is bounded: then a retryable :class:`~glue_serde.errors.RegistryUnavailableError`.

Imports only the package's base modules.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Final, Generic, TypeVar, cast

from glue_serde.errors import RegistryUnavailableError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MISS", "Miss", "SingleFlight"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class Miss:
    """Returned by a single-flight lookup that found no usable cached answer."""

    __slots__ = ()


MISS: Final = Miss()


class Abandoned(Exception):
    """The leading caller was interrupted (``KeyboardInterrupt``...); a waiter should retry."""


class Flight(Generic[_V]):
    """One in-flight registry call; callers missing on the same key wait on it."""

    __slots__ = ("_abandoned", "_done", "_error", "_value")

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: _V | None = None
        self._error: Exception | None = None
        self._abandoned = False

    def resolve(self, value: _V) -> None:
        """Publish the leader's value and wake the waiters."""
        self._value = value
        self._done.set()

    def fail(self, error: Exception) -> None:
        """Publish the leader's exception and wake the waiters."""
        self._error = error
        self._done.set()

    def abandon(self) -> None:
        """Wake the waiters without an outcome: one of them makes the call instead."""
        self._abandoned = True
        self._done.set()

    def wait(self, timeout: float, operation: str) -> _V:
        """Wait for the leader's outcome: its value, or the very exception it raised."""
        if not self._done.wait(timeout):
            raise RegistryUnavailableError(
                f"gave up after {timeout:g} s waiting for another caller's identical "
                f"{operation} call, which the registry has not answered yet (see "
                "CacheConfig.wait_timeout); retry later",
                operation=operation,
                retryable=True,
            )
        if self._error is not None:
            raise self._error
        if self._abandoned:
            raise Abandoned
        return cast("_V", self._value)


class SingleFlight(Generic[_K, _V]):
    """At most one registry call per key at a time; concurrent callers share its outcome.

    ``lookup`` runs under the lock and answers from the cache (a value, a raised error, or
    :data:`MISS`). On a miss the first caller leads: it makes the call without the lock, then,
    under the lock, ``settle`` stores the outcome in the caches and returns the value to give
    every caller (or raises the error to give them), and the flight is removed in the same
    critical section (so a caller arriving afterwards finds the cache filled, never a second
    call). Waiters get exactly that value or exception object, within ``timeout`` seconds.
    """

    __slots__ = ("_flights", "_lock", "coalesced")

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._flights: dict[_K, Flight[_V]] = {}
        #: Callers that waited instead of calling (read and written under the lock).
        self.coalesced = 0

    def busy(self, key: _K) -> bool:
        """Whether a call for ``key`` is in flight. The caller holds the lock."""
        return key in self._flights

    def run(
        self,
        key: _K,
        *,
        operation: str,
        timeout: float,
        lookup: Callable[[], _V | Miss],
        call: Callable[[], _V],
        settle: Callable[[_V | None, Exception | None], _V],
    ) -> _V:
        """Answer from the cache, or make (or wait for) the one call for ``key``."""
        while True:
            with self._lock:
                found = lookup()
                if not isinstance(found, Miss):
                    return found
                flight = self._flights.get(key)
                if flight is None:
                    flight = self._flights[key] = Flight()
                    break
                self.coalesced += 1
            try:
                return flight.wait(timeout, operation)
            except Abandoned:
                continue
        return self._lead(key, flight, call, settle)

    def _lead(
        self,
        key: _K,
        flight: Flight[_V],
        call: Callable[[], _V],
        settle: Callable[[_V | None, Exception | None], _V],
    ) -> _V:
        try:
            answer: _V | None
            error: Exception | None
            try:
                answer, error = call(), None
            except Exception as exc:
                answer, error = None, exc
            with self._lock:
                try:
                    value = settle(answer, error)
                finally:
                    if self._flights.get(key) is flight:
                        del self._flights[key]
        except Exception as exc:  # the leader's error (or settle's verdict) for everyone
            flight.fail(exc)
            raise
        except BaseException:  # interrupted: clear the flight and let a waiter take over
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.abandon()
            raise
        flight.resolve(value)
        return value
