"""The ``on_error`` policy, applied by one piece of code to every event source.

:class:`Policy` is the only place that decides what a failing unit of work (a record, or one
user record of a KPL aggregate) becomes: logged with its identifier, the reason and the
traceback on the ``glue_serde.integrations.aws_lambda`` logger, then re-raised (``"raise"``),
remembered once per identifier, in event order, for the partial-batch response (``"report"``),
or let go (``"skip"``). At the end it raises :class:`~glue_serde.errors.BatchProcessingError`
when that was asked for and every record failed. Each source turns :attr:`Policy.failed` into
the response shape Lambda expects from it. :func:`handler_decorator` builds the three
``@..._handler(...)`` decorators, which check their settings the same way.

Imports :mod:`glue_serde.errors` and the package's event-field module.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Hashable
from typing import Any, Final, Generic, Literal, TypeAlias, TypeVar

from glue_serde.errors import BatchProcessingError, _brief
from glue_serde.integrations.aws_lambda._events import event_error

OnError: TypeAlias = Literal["report", "raise", "skip"]
#: What a handler returns to Lambda (``batchItemFailures``, or Firehose's ``records``).
LambdaResponse: TypeAlias = dict[str, Any]

#: Every failure is logged here, under the package's name (the one users configure).
logger = logging.getLogger("glue_serde.integrations.aws_lambda")

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
_ON_ERROR = ("report", "raise", "skip")


def handler_decorator(
    name: str,
    fn: object,
    deserializer: object,
    on_error: str,
    process: Callable[..., LambdaResponse],
    **options: object,
) -> Callable[[Callable[..., Any]], Callable[[Any, Any], LambdaResponse]]:
    """Build what ``@kinesis_handler(...)`` and its siblings return: a decorator.

    The decorated function becomes ``handler(event, context=None)``, which calls ``process``
    (``process_kinesis_event`` and so on) with it, the deserializer, ``on_error``, the context
    and ``options``. The decorators take settings, so a bare ``@kinesis_handler`` (which
    passes the function itself) or a missing ``deserializer`` would otherwise end in Python's
    ``TypeError`` about positional or keyword-only arguments.

    Raises
    ------
    ConfigurationError
        The decorator was used without its parentheses (or given a function), or without a
        deserializer, or the deserializer has no ``deserialize``; ``on_error`` is unknown.
    """
    from glue_serde.errors import ConfigurationError  # noqa: PLC0415

    if fn is not None:
        raise ConfigurationError(
            f"{name} takes settings, not the function: write "
            f"@{name}(deserializer=Deserializer(registry)) above it, with the parentheses"
        )
    if deserializer is None:
        raise ConfigurationError(
            f"{name} needs a deserializer: @{name}(deserializer=Deserializer(registry))"
        )
    if not callable(getattr(deserializer, "deserialize", None)):
        raise ConfigurationError(
            f"{name}: deserializer must be a glue_serde.Deserializer, not {_brief(deserializer)}"
        )
    check_policy(on_error)

    def decorate(record_function: Callable[..., Any]) -> Callable[[Any, Any], LambdaResponse]:
        @functools.wraps(record_function)
        def handler(event: Any, context: Any = None) -> LambdaResponse:
            return process(
                event,
                record_function,
                deserializer=deserializer,
                on_error=on_error,
                context=context,
                **options,
            )

        return handler

    return decorate


def check_policy(on_error: str) -> None:
    """Refuse an unknown ``on_error`` with a ConfigurationError."""
    if on_error not in _ON_ERROR:
        from glue_serde.errors import ConfigurationError  # noqa: PLC0415

        raise ConfigurationError(f"on_error must be one of {_ON_ERROR}, not {_brief(on_error)}")


def log_failure(source: str, ident: object, exc: BaseException, on_error: str) -> None:
    """Log a failed (or skipped) unit of work with its identifier and traceback."""
    action = "skipped" if on_error == "skip" else "failed"
    logger.warning(
        "%s record %s %s: %s: %s", source, ident, action, type(exc).__name__, exc, exc_info=exc
    )


class Failed:
    """The marker :meth:`Policy.run` returns for a unit of work that failed."""

    __slots__ = ()


FAILED: Final = Failed()


class Policy(Generic[K]):
    """The ``on_error`` policy, applied to every unit of work of one event.

    This is the only place that decides what a failure becomes: it logs it (with the
    traceback), re-raises it (``"raise"``), remembers the identifier to report
    (``"report"``, once per identifier, in event order) or lets it go (``"skip"``), and at
    the end raises :class:`BatchProcessingError` when asked to and every record failed.
    A unit of work is one record, or one user record of a KPL aggregate.
    """

    __slots__ = ("_raise_on_entire_batch_failure", "failed", "on_error", "source")

    def __init__(self, source: str, on_error: str, raise_on_entire_batch_failure: bool) -> None:
        check_policy(on_error)
        self.source = source
        self.on_error = on_error
        self._raise_on_entire_batch_failure = raise_on_entire_batch_failure
        #: Identifier to report -> the first exception seen for it, in event order.
        self.failed: dict[K, Exception] = {}

    def run(self, key: K | None, ident: str, work: Callable[..., R], *args: Any) -> R | Failed:
        """Run ``work(*args)``; on failure apply the policy and return ``FAILED``.

        ``key`` is what a failure is reported by (None when the record has no usable
        identifier: reporting it is then impossible and fails the call).
        """
        try:
            return work(*args)
        except Exception as exc:
            log_failure(self.source, ident, exc, self.on_error)
            if self.on_error == "raise":
                raise
            if self.on_error == "report":
                if key is None:
                    # Lambda fails the whole batch on an empty or invalid identifier: say why.
                    raise event_error(
                        f"{self.source} record {ident} failed and has no identifier to report it by"
                    ) from exc
                self.failed.setdefault(key, exc)
            return FAILED

    def finish(self, total: int, response: LambdaResponse) -> LambdaResponse:
        """Return ``response``, or raise if all ``total`` records failed and that was asked."""
        if self._raise_on_entire_batch_failure and total and len(self.failed) >= total:
            errors = list(self.failed.values())
            raise BatchProcessingError(
                f"all {total} {self.source} records failed; first: "
                f"{type(errors[0]).__name__}: {errors[0]}",
                errors=errors,
                response=response,
            ) from errors[0]
        return response
