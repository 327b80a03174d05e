"""Kinesis events: records decoded, KPL aggregates split, failures reported by sequence number.

:func:`process_kinesis_event` and the :func:`kinesis_handler` decorator answer
``{"batchItemFailures": [{"itemIdentifier": "<sequenceNumber>"}]}``;
:func:`kinesis_record_handler` serves Powertools' ``BatchProcessor``;
:func:`iter_kinesis_records` decodes one record. Every user record of an aggregate is delivered
even when a sibling fails; a failure is reported by the aggregate's sequence number, the only
identifier Lambda has (see the package docstring).

Imports the package's event-field, policy and context modules, the private KPL reader and
:mod:`glue_serde.errors`.
"""

from __future__ import annotations

import functools
import itertools
import math
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, overload

from glue_serde._typing import Datum
from glue_serde.errors import PayloadError, _brief
from glue_serde.integrations._kpl import BrokenUserRecord, UserRecord, iter_user_records
from glue_serde.integrations.aws_lambda._context import (
    Handler,
    RecordFunction,
    bind_context,
    context_mode,
    invoke,
)
from glue_serde.integrations.aws_lambda._events import (
    LambdaEvent,
    as_mapping,
    b64,
    decode_record,
    event_error,
    optional_str,
    raw_event,
    record_list,
    version_id_of,
)
from glue_serde.integrations.aws_lambda._policy import (
    Failed,
    LambdaResponse,
    OnError,
    Policy,
    handler_decorator,
    log_failure,
)

if TYPE_CHECKING:
    from glue_serde.serde import Deserializer

__all__ = [
    "KinesisEventRecord",
    "iter_kinesis_records",
    "kinesis_handler",
    "kinesis_record_handler",
    "process_kinesis_event",
]

R = TypeVar("R")


@dataclass(frozen=True, slots=True, kw_only=True)
class KinesisEventRecord:
    """One decoded user record from a Kinesis event (KPL aggregates already split).

    Parameters
    ----------
    value
        The decoded value.
    schema_version_id
        The writer schema version id from the frame's header.
    partition_key
        The user record's partition key (inside an aggregate: its own, from the table).
    sequence_number
        The Kinesis record's sequence number (shared by all records of an aggregate).
    sub_sequence_number
        Position inside the KPL aggregate; None for a record that was not aggregated.
    explicit_hash_key
        The user record's explicit hash key, when it had one.
    approximate_arrival_timestamp
        Seconds since the epoch, as Lambda reports it.
    event_source_arn
        The stream ARN.
    data
        The Glue frame the value was decoded from.
    """

    value: Datum
    schema_version_id: uuid.UUID | None
    partition_key: str
    sequence_number: str
    sub_sequence_number: int | None = None
    explicit_hash_key: str | None = None
    approximate_arrival_timestamp: float | None = None
    event_source_arn: str | None = None
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class _KinesisMeta:
    """What every user record of one Kinesis record shares."""

    sequence_number: str
    arrival: float | None
    arn: str | None


def _arrival_seconds(value: object, what: str) -> float | None:
    if value is None:
        return None
    number: float | None = None
    if isinstance(value, float):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool) and value < 2**53:
        number = float(value)  # exact: never an OverflowError, never a rounded time
    if number is None or not math.isfinite(number) or number < 0:
        raise event_error(f"{what} is {_brief(value, 40)}, not a time in seconds")
    return number


def _kinesis_fields(record: object) -> tuple[bytes, str, _KinesisMeta]:
    """Return the data, the partition key and the shared metadata of a Kinesis record."""
    rec = raw_event(record)
    if rec is None:
        # A duck-typed Powertools-like object: record.kinesis.data_as_bytes() etc.
        try:
            kin = getattr(record, "kinesis", None)
            data_as_bytes = getattr(kin, "data_as_bytes", None)
            seq = getattr(kin, "sequence_number", None)
            if not callable(data_as_bytes) or not isinstance(seq, str) or not seq:
                raise event_error(f"{type(record).__name__} is not a Kinesis record")
            pk = getattr(kin, "partition_key", "")
            arrival = getattr(kin, "approximate_arrival_timestamp", None)
            arn = getattr(record, "event_source_arn", None)
            data = data_as_bytes()
        except PayloadError:
            raise
        except Exception as exc:  # e.g. binascii.Error from the wrapper's own base64 decode
            raise event_error(f"kinesis data of {type(record).__name__} does not decode") from exc
        if not isinstance(data, bytes | bytearray):
            raise event_error("kinesis.data_as_bytes() did not return bytes")
        data = bytes(data)
    else:
        kin_map = rec.get("kinesis")
        if not isinstance(kin_map, Mapping):
            raise event_error("Kinesis record has no 'kinesis' object")
        seq = kin_map.get("sequenceNumber")
        if not isinstance(seq, str) or not seq:
            raise event_error("Kinesis record has no sequenceNumber")
        data = b64(kin_map.get("data"), f"kinesis.data of record {seq}")
        pk = kin_map.get("partitionKey", "")
        arrival = kin_map.get("approximateArrivalTimestamp")
        arn = rec.get("eventSourceARN")
    if not isinstance(pk, str):
        raise event_error(f"partitionKey of record {seq} is not a string")
    meta = _KinesisMeta(
        sequence_number=seq,
        arrival=_arrival_seconds(arrival, f"approximateArrivalTimestamp of record {seq}"),
        arn=optional_str(arn, f"eventSourceARN of record {seq}"),
    )
    return data, pk, meta


def _kinesis_sequence_number(record: object) -> str | None:
    """Read only the sequence number (never the data), for reporting a failed record."""
    try:
        rec = raw_event(record)
        if rec is not None:
            kin = rec.get("kinesis")
            seq = kin.get("sequenceNumber") if isinstance(kin, Mapping) else None
        else:
            seq = getattr(getattr(record, "kinesis", None), "sequence_number", None)
    except Exception:
        return None
    return seq if isinstance(seq, str) and seq else None


def _kinesis_users(
    record: object,
) -> tuple[_KinesisMeta, Iterator[UserRecord | BrokenUserRecord]]:
    """Parse and split a Kinesis record; a damaged aggregate fails here, before any user record."""
    data, pk, meta = _kinesis_fields(record)
    users = iter_user_records(data, partition_key=pk)
    first = next(users)
    return meta, itertools.chain((first,), users)


def _kinesis_event_record(
    user: UserRecord | BrokenUserRecord, meta: _KinesisMeta, deserializer: Deserializer[Any]
) -> KinesisEventRecord:
    if isinstance(user, BrokenUserRecord):
        raise user.error
    decoded = decode_record(deserializer, user.data)
    return KinesisEventRecord(
        value=decoded.value,
        schema_version_id=version_id_of(decoded),
        partition_key=user.partition_key,
        sequence_number=meta.sequence_number,
        sub_sequence_number=user.sub_sequence_number,
        explicit_hash_key=user.explicit_hash_key,
        approximate_arrival_timestamp=meta.arrival,
        event_source_arn=meta.arn,
        data=user.data,
    )


def _user_ident(meta: _KinesisMeta, user: UserRecord | BrokenUserRecord) -> str:
    if user.sub_sequence_number is None:
        return meta.sequence_number
    return f"{meta.sequence_number} (user record {user.sub_sequence_number} of its aggregate)"


def iter_kinesis_records(
    record: object,
    deserializer: Deserializer[Any],
    *,
    on_error: Callable[[int | None, Exception], None] | None = None,
) -> Iterator[KinesisEventRecord]:
    """Decode one Lambda Kinesis record (split when it is a KPL aggregate), lazily.

    Parameters
    ----------
    record
        An element of the event's ``Records`` (dict, or a Powertools record object).
    deserializer
        Decodes each Glue frame.
    on_error
        ``callable(sub_sequence_number, exception)`` for a user record that does not decode;
        its siblings are still yielded. Without it the first such error propagates and
        ends the iteration (the siblings after it are not decoded).

    Yields
    ------
    KinesisEventRecord
        One per user record.

    Raises
    ------
    PayloadError
        The record is malformed (bad base64, missing or mistyped fields, a damaged
        aggregate), or, without ``on_error``, a user record does not decode.
    DeserializationError, RegistryError
        As :meth:`~glue_serde.serde.Deserializer.deserialize`, without ``on_error``.
    """
    meta, users = _kinesis_users(record)
    for user in users:
        try:
            decoded = _kinesis_event_record(user, meta, deserializer)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(user.sub_sequence_number, exc)
            continue
        yield decoded


def _deliver_kinesis(
    call: Callable[[KinesisEventRecord], object],
    user: UserRecord | BrokenUserRecord,
    meta: _KinesisMeta,
    deserializer: Deserializer[Any],
) -> None:
    call(_kinesis_event_record(user, meta, deserializer))


def process_kinesis_event(
    event: LambdaEvent | object,
    fn: RecordFunction[KinesisEventRecord, object],
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
    context: Any = None,
    raise_on_entire_batch_failure: bool = False,
) -> LambdaResponse:
    """Decode every record of a Kinesis event, call ``fn`` on each, report failures.

    Every user record of a KPL aggregate is delivered on its own: one that fails does not
    stop its siblings. A failure is reported by the aggregate's sequence number (Lambda has
    no finer identifier), so on retry the siblings that succeeded are delivered again
    (at-least-once; ``sequence_number`` plus ``sub_sequence_number`` is an idempotency key).

    Parameters
    ----------
    event
        The Lambda event (``{"Records": [...]}``) or a Powertools ``KinesisStreamEvent``.
    fn
        Called once per user record (KPL aggregates split); also given
        the context when it asks for it (package docstring).
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"`` (see the package docstring).
    context
        The Lambda context object, for functions that ask for it.
    raise_on_entire_batch_failure
        Raise :class:`~glue_serde.errors.BatchProcessingError` instead of returning a
        response that lists every record (Powertools' default behaviour).

    Returns
    -------
    dict
        ``{"batchItemFailures": [{"itemIdentifier": "<sequenceNumber>"}, ...]}``, each
        failed Kinesis record once, in event order.

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown.
    PayloadError
        The event has no ``Records`` list, or a record failed and has no sequence number
        to report it by.
    BatchProcessingError
        Every record failed and ``raise_on_entire_batch_failure`` is set.
    Exception
        With ``on_error="raise"``, whatever decoding or ``fn`` raised.
    """
    policy: Policy[str] = Policy("Kinesis", on_error, raise_on_entire_batch_failure)
    call = bind_context(fn, context)
    records = record_list(as_mapping(event, "Kinesis event"), "Records", "Kinesis event")
    for index, record in enumerate(records):
        seq = _kinesis_sequence_number(record)
        split = policy.run(seq, seq or f"#{index}", _kinesis_users, record)
        if isinstance(split, Failed):
            continue
        meta, users = split
        for user in users:
            policy.run(
                seq, _user_ident(meta, user), _deliver_kinesis, call, user, meta, deserializer
            )
    failures = [{"itemIdentifier": seq} for seq in policy.failed]
    return policy.finish(len(records), {"batchItemFailures": failures})


def kinesis_record_handler(
    fn: RecordFunction[KinesisEventRecord, R], *, deserializer: Deserializer[Any]
) -> Callable[..., list[R]]:
    """Wrap ``fn`` as a record handler for Powertools' ``BatchProcessor`` (Kinesis).

    The returned handler is called as ``handler(record=...)`` with a Powertools
    ``KinesisStreamRecord`` (or a raw record dict); it decodes the record (splitting KPL
    aggregates), calls ``fn`` on **every** user record and returns the results. If any user
    record failed (decoding or ``fn``), the first failure is raised after all its siblings
    were delivered (the others are logged), so the batch processor reports the record and
    nothing after the failure is skipped. The handler declares ``lambda_context``, so
    Powertools passes the context, which reaches ``fn`` if ``fn`` asks for it (a
    ``lambda_context`` parameter, or two required positional parameters).

    Parameters
    ----------
    fn
        The per-record function.
    deserializer
        Decodes each Glue frame.

    Returns
    -------
    callable
        ``handler(record, lambda_context=None) -> list`` of ``fn``'s results.

    Raises
    ------
    DeserializationError, RegistryError
        From the returned handler, when the record does not decode.
    """
    mode = context_mode(fn)

    def handler(record: object, lambda_context: Any = None) -> list[R]:
        call = functools.partial(invoke, fn, mode, lambda_context)
        meta, users = _kinesis_users(record)
        results: list[R] = []
        first_error: Exception | None = None
        for user in users:
            try:
                results.append(call(_kinesis_event_record(user, meta, deserializer)))
            except Exception as exc:
                if user.sub_sequence_number is None:
                    raise
                log_failure("Kinesis", _user_ident(meta, user), exc, "report")
                if first_error is None:
                    first_error = exc
        if first_error is not None:
            raise first_error
        return results

    return handler


# The typed signature: a deserializer is required. The implementation also takes the function
# positionally and no deserializer, only to refuse a bare ``@kinesis_handler`` with a clear error.
@overload
def kinesis_handler(
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
    raise_on_entire_batch_failure: bool = False,
) -> Callable[[RecordFunction[KinesisEventRecord, object]], Handler]: ...


@overload
def kinesis_handler(_fn: Callable[..., object], /) -> NoReturn: ...  # bare use: refused


def kinesis_handler(
    _fn: object = None,
    /,
    *,
    deserializer: Deserializer[Any] | None = None,
    on_error: OnError = "report",
    raise_on_entire_batch_failure: bool = False,
) -> Callable[[RecordFunction[KinesisEventRecord, object]], Handler]:
    """Turn a per-record function into a Lambda handler for Kinesis events.

    Parameters
    ----------
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.
    raise_on_entire_batch_failure
        As :func:`process_kinesis_event`.

    Returns
    -------
    callable
        A decorator; the decorated function becomes ``handler(event, context)`` returning
        the ``batchItemFailures`` response. The function receives the context too when it
        asks for it (a ``lambda_context`` parameter, or two required positional ones).

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown, no deserializer is given, or the decorator is used bare
        (``@kinesis_handler`` without its parentheses), at decoration time.

    Examples
    --------
    >>> # @kinesis_handler(deserializer=Deserializer(registry))
    >>> # def handler(record): save(record.value)
    """
    return handler_decorator(
        "kinesis_handler",
        _fn,
        deserializer,
        on_error,
        process_kinesis_event,
        raise_on_entire_batch_failure=raise_on_entire_batch_failure,
    )
