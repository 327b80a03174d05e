"""A total deadline for registry calls that block in code nobody can interrupt (botocore).

botocore's timeouts are per socket operation: an endpoint that sends one byte every second
never trips a 3 s read timeout, and a call can last as long as the endpoint keeps trickling.
Python cannot interrupt a thread blocked in a socket read, so :class:`CallDeadline` runs each
call in a worker thread and waits for it at most ``seconds``: the caller then gets a retryable
:class:`~glue_serde.errors.RegistryUnavailableError` (chained to a ``TimeoutError``) on time.

The abandoned call is not killed (nothing can kill a thread); what bounds it:

- it is marked abandoned, and :func:`refuse_abandoned` (a botocore ``before-send`` hook on
  clients glue_serde builds) stops it before it sends again, so no retry starts after the
  deadline: it ends with the attempt in progress, when the endpoint answers, closes or stays
  silent for a read timeout;
- while :data:`MAX_ABANDONED` abandoned calls of one registry are still running, the next call
  fails at once with the same error instead of starting another thread, so a misbehaving
  endpoint costs at most that many threads and sockets, never an unbounded number.

Worker threads are daemons: an abandoned call never keeps the process from exiting.

Imports only the package's base modules.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final, TypeVar

from glue_serde.errors import ConfigurationError, RegistryUnavailableError, _brief

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MAX_ABANDONED", "CallDeadline", "check_call_timeout", "refuse_abandoned"]

T = TypeVar("T")

#: Abandoned calls of one registry that may still be running before new calls fail fast.
MAX_ABANDONED: Final = 4
#: Largest ``call_timeout`` accepted, in seconds.
MAX_CALL_TIMEOUT: Final = 3600.0

_local = threading.local()


class AbandonedCallError(Exception):
    """Raised inside an abandoned call when it would send another request."""


class _Call:
    __slots__ = ("abandoned", "done", "error", "finished", "result")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.abandoned = False
        self.finished = False
        self.result: Any = None
        self.error: BaseException | None = None


def refuse_abandoned(**_: Any) -> None:
    """Botocore ``before-send`` hook: an abandoned call sends nothing more (no retry)."""
    call: _Call | None = getattr(_local, "call", None)
    if call is not None and call.abandoned:
        raise AbandonedCallError("the caller stopped waiting for this call (call_timeout)")


def check_call_timeout(value: object) -> float | None:
    """Return ``value`` as seconds, or None (no deadline); ConfigurationError otherwise."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_CALL_TIMEOUT  # NaN fails it too
    ):
        raise ConfigurationError(
            f"call_timeout must be None or seconds in (0, {MAX_CALL_TIMEOUT:g}], "
            f"got {_brief(value, 40)}"
        )
    return float(value)


class CallDeadline:
    """Run calls under a total deadline of ``seconds`` (None: in the caller's thread)."""

    __slots__ = ("_abandoned", "_lock", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._abandoned = 0

    @property
    def abandoned(self) -> int:
        """Abandoned calls still running."""
        return self._abandoned

    def run(self, operation: str, fn: Callable[[], T]) -> T:
        """Return ``fn()``, or raise RegistryUnavailableError once the deadline has passed.

        Whatever ``fn`` raises is re-raised in the caller's thread.
        """
        seconds = self.seconds
        if seconds is None:
            return fn()
        with self._lock:
            if self._abandoned >= MAX_ABANDONED:
                raise RegistryUnavailableError(
                    f"{operation}: {self._abandoned} earlier calls to AWS Glue passed their "
                    f"{seconds:g} s deadline and are still running; not starting another",
                    operation=operation,
                )
        call = _Call()

        def work() -> None:
            _local.call = call
            try:
                call.result = fn()
            except BaseException as exc:  # handed to the caller, whatever it is
                call.error = exc
            finally:
                _local.call = None
                with self._lock:
                    call.finished = True
                    if call.abandoned:
                        self._abandoned -= 1
                call.done.set()

        worker = threading.Thread(target=work, name=f"glue-serde {operation}", daemon=True)
        worker.start()
        try:
            finished = call.done.wait(seconds)
        finally:
            with self._lock:
                if not call.finished:  # timed out, or the wait itself was interrupted
                    call.abandoned = True
                    self._abandoned += 1
                    finished = False
        if not finished:
            raise RegistryUnavailableError(
                f"{operation}: AWS Glue did not answer within {seconds:g} s (call_timeout); "
                "the endpoint is unreachable, overloaded or answering too slowly",
                operation=operation,
            ) from TimeoutError(f"{operation} exceeded its deadline of {seconds:g} s")
        if call.error is not None:
            raise call.error
        result: T = call.result
        return result
