"""AWS Lambda helpers: Kinesis, Amazon MSK / self-managed Kafka and Firehose events.

Each helper takes the raw event dict Lambda hands a function (a Powertools event or record
object works too: its ``raw_event`` dict is read), decodes every record with a
:class:`~glue_serde.serde.Deserializer`, calls the user's function once per record with the
value and its metadata, and builds the response Lambda expects. **Every record is delivered
or reported on its own**: one bad record never fails the batch, and never hides a sibling.

- Kinesis: ``{"batchItemFailures": [{"itemIdentifier": "<sequenceNumber>"}]}``. KPL aggregates
  are split here (Lambda does not). Every user record of an aggregate is delivered even when
  one of them fails; a failure is reported as the aggregate's sequence number (the only
  identifier Lambda has), so Lambda redelivers the whole aggregate, and the siblings that
  succeeded are delivered again: at-least-once, handlers must be idempotent
  (``sequence_number`` plus ``sub_sequence_number`` identifies a user record).
- Kafka: ``{"batchItemFailures": [{"itemIdentifier": {"topic-partition": "<topic>-<partition>",
  "offset": N}}]}``, one entry for **every** failed record, as AWS documents it
  (aws-lambda-powertools 3.37 writes the key ``"partition"``, see docs/integrations.md).
- Firehose: every ``recordId`` answered once; a failure is ``ProcessingFailed`` carrying the
  original bytes, in the dialect received (``data``, or ``kafkaRecordValue`` for an MSK source).
  A transformation's output must be strict JSON (no NaN or Infinity, string keys): anything
  else fails that record with the reason, never a silent change.

The ``on_error`` policy, applied by one piece of code to every source:
``"report"`` (default; the failure goes into the response), ``"raise"`` (the exception
propagates at once and Lambda retries the whole batch; records after it wait for the retry)
or ``"skip"`` (the record is logged and counted as a success; Firehose answers ``Dropped``).
Every failure is logged on the ``glue_serde.integrations.aws_lambda`` logger with the record's
identifier, the reason and the traceback. When every record fails, the response lists them
all (Lambda then retries the batch); ``raise_on_entire_batch_failure=True`` raises
:class:`~glue_serde.errors.BatchProcessingError` instead, as Powertools does by default, so
the invocation counts as an error.

The user's function receives the Lambda ``context`` when it declares a parameter named
``lambda_context`` (Powertools' convention: ``def handle(record, lambda_context)``, passed by
keyword) or requires exactly two positional arguments (``def handle(record, context)``, passed
by position). Any other function is called with the record alone, as before.

Kafka records decoded by the event source mapping's schema-registry integration carry
``valueSchemaMetadata``/``keySchemaMetadata``:

- ``JSON`` record format: the value is already decoded (a JSON object, or base64 JSON text);
  it is passed through untouched (parsed from JSON when base64 text).
- ``SOURCE`` record format: Lambda strips the 18-byte Glue header; the version id survives as
  ``schemaId``. glue_serde rebuilds an uncompressed header from that id and decodes the payload
  with the deserializer (same cache, same options). Unverified against AWS (no account was
  available): whether SOURCE keeps the Protobuf message index (assumed yes, as Powertools
  assumes) and whether it undoes zlib (assumed yes: a still-compressed payload fails as a
  ``PayloadError`` and is reported, never mis-decoded silently).
- With metadata present, the record format is detected per record (``esm_record_format=None``):
  a non-string value is JSON mode; for JSON Schema both formats read the same. Otherwise the
  payload is SOURCE unless it is a JSON object or array that cannot be a SOURCE payload: it does
  not decode with the writer schema, or it cannot be the JSON rendering of that schema (an Avro
  record is rendered with every field, so ``{}`` is the Avro record ``{a: -62, b: -63}``, not an
  empty JSON object). A payload that reads exactly both ways is a ``PayloadError`` asking for
  ``esm_record_format``; a record's key follows the format found for its value. Pass
  ``esm_record_format`` to fix it (it also skips the trial decode a JSON-mode record costs).

Every field of an event is checked before use (types, base64, integer ranges: no NaN,
infinity, negative offset or 2**64 timestamp gets through): a malformed record fails alone
with a :class:`~glue_serde.errors.PayloadError`; only what cannot be answered at all (no
``Records`` list, a failed record without an identifier to report it by) fails the call.

Imports :mod:`glue_serde.wire`, :mod:`glue_serde.errors` and the private KPL reader; never
Powertools, boto3 or another integration module.
"""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
import itertools
import json
import logging
import math
import uuid
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, Protocol, TypeAlias, TypeVar

from glue_serde._typing import Datum
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    BatchProcessingError,
    DeserializationError,
    GlueSerdeError,
    PayloadError,
    _brief,
)
from glue_serde.integrations._kpl import BrokenUserRecord, UserRecord, iter_user_records
from glue_serde.wire import encode_header

if TYPE_CHECKING:
    from glue_serde.serde import DecodedRecord, Deserializer

__all__ = [
    "EsmRecordFormat",
    "FirehoseEventRecord",
    "FirehoseResult",
    "KafkaEventRecord",
    "KinesisEventRecord",
    "OnError",
    "decode_kafka_record",
    "firehose_handler",
    "iter_kinesis_records",
    "kafka_handler",
    "kafka_record_handler",
    "kinesis_handler",
    "kinesis_record_handler",
    "process_firehose_event",
    "process_kafka_event",
    "process_kinesis_event",
]

logger = logging.getLogger("glue_serde.integrations.aws_lambda")

OnError: TypeAlias = Literal["report", "raise", "skip"]
EsmRecordFormat: TypeAlias = Literal["JSON", "SOURCE"]
LambdaEvent: TypeAlias = Mapping[str, Any]
LambdaResponse: TypeAlias = dict[str, Any]
Headers: TypeAlias = list[tuple[str, bytes]]

E = TypeVar("E")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
_E_contra = TypeVar("_E_contra", contravariant=True)
_R_co = TypeVar("_R_co", covariant=True)
_ON_ERROR = ("report", "raise", "skip")
_INT32_MAX: Final = 2**31 - 1
_INT64_MAX: Final = 2**63 - 1
#: Deepest nesting accepted in a JSON value (a transformation's output, an ESM JSON record).
_MAX_JSON_DEPTH: Final = 256


class _ContextFunction(Protocol[_E_contra, _R_co]):
    """A per-record function that also takes the Lambda context (by keyword)."""

    def __call__(self, record: _E_contra, *, lambda_context: Any) -> _R_co: ...


#: What the helpers call per record: ``fn(record)``; ``fn(record, lambda_context=context)``
#: when ``fn`` declares a parameter named ``lambda_context``; ``fn(record, context)`` when it
#: requires exactly two positional arguments.
RecordFunction: TypeAlias = Callable[[E], R] | _ContextFunction[E, R] | Callable[[E, Any], R]


# ---------------------------------------------------------------------------------------------
# What the user's function receives


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


@dataclass(frozen=True, slots=True, kw_only=True)
class KafkaEventRecord:
    """One decoded record from an MSK or self-managed Kafka event.

    Parameters
    ----------
    value
        The decoded value; None for a tombstone.
    key
        The decoded key with ``key_deserializer``, else the raw key bytes (None if absent).
    topic, partition, offset
        Where the record lives.
    timestamp
        Epoch milliseconds.
    timestamp_type
        ``CREATE_TIME`` or ``LOG_APPEND_TIME``.
    headers
        ``(name, value)`` pairs in order; repeated names kept; Java's signed bytes masked.
    schema_version_id
        The value's writer schema version id (from the frame, or from ``valueSchemaMetadata``).
    key_schema_version_id
        The key's writer schema version id, when the key was decoded.
    """

    value: Datum
    key: Datum
    topic: str
    partition: int
    offset: int
    timestamp: int | None = None
    timestamp_type: str | None = None
    headers: Headers
    schema_version_id: uuid.UUID | None = None
    key_schema_version_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FirehoseEventRecord:
    """One decoded record from a Firehose transformation event.

    Parameters
    ----------
    value
        The decoded value.
    schema_version_id
        The writer schema version id from the frame's header.
    record_id
        Firehose's opaque id, echoed in the response.
    approximate_arrival_timestamp
        Epoch milliseconds.
    metadata
        ``kinesisRecordMetadata`` or ``mskRecordMetadata`` as received (empty for Direct PUT).
    data
        The Glue frame the value was decoded from.
    """

    value: Datum
    schema_version_id: uuid.UUID | None
    record_id: str
    approximate_arrival_timestamp: int | None = None
    metadata: Mapping[str, Any]
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class FirehoseResult:
    """What a Firehose transformation returns for one record when it needs more than data.

    A transformation may also return bytes, a str (UTF-8), any JSON value (written as compact
    JSON) or None (the record is ``Dropped``).

    Parameters
    ----------
    data
        The transformed record: bytes, str, or a JSON value.
    partition_keys
        Dynamic-partitioning keys (``metadata.partitionKeys``).
    dropped
        Answer ``Dropped`` instead of ``Ok`` (``data`` is then ignored).
    """

    data: object = None
    partition_keys: Mapping[str, str] | None = None
    dropped: bool = False


# ---------------------------------------------------------------------------------------------
# Shared helpers: event fields


def _check_policy(on_error: str) -> None:
    if on_error not in _ON_ERROR:
        from glue_serde.errors import ConfigurationError  # noqa: PLC0415

        raise ConfigurationError(f"on_error must be one of {_ON_ERROR}, not {_brief(on_error)}")


def _event_error(message: str) -> PayloadError:
    return PayloadError(f"malformed Lambda event: {message}")


def _raw_event(obj: object) -> Mapping[str, Any] | None:
    """Return ``obj`` if it is a mapping, or the ``raw_event`` dict of a Powertools wrapper."""
    if isinstance(obj, Mapping):
        return obj
    try:
        raw = getattr(obj, "raw_event", None)
    except Exception:  # a hostile or broken wrapper object
        return None
    return raw if isinstance(raw, Mapping) else None


def _as_mapping(obj: object, what: str) -> Mapping[str, Any]:
    raw = _raw_event(obj)
    if raw is None:
        raise _event_error(f"{what} is a {type(obj).__name__}, not a mapping")
    return raw


def _record_list(container: Mapping[str, Any], key: str, what: str) -> Sequence[Any]:
    records = container.get(key)
    if not isinstance(records, Sequence) or isinstance(records, str | bytes | bytearray):
        raise _event_error(f"{what} has no {key!r} list")
    return records


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise _event_error(f"{what} is a {type(value).__name__}, not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _event_error(f"{what} is not valid base64") from exc


def _int(value: object, what: str, *, minimum: int, maximum: int) -> int:
    """Read an integer field: an int, an integral float or a decimal string, within bounds.

    Refuses booleans, NaN, infinities, fractions and anything outside ``[minimum,
    maximum]`` with a PayloadError (never an OverflowError or ValueError).
    """
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and 0 < len(value) <= 20 and value.isascii():
        digits = value[1:] if value.startswith("-") else value
        if digits.isdigit():
            number = int(value)
    if number is None or not minimum <= number <= maximum:
        raise _event_error(
            f"{what} is {_brief(value, 40)}, not an integer in [{minimum}, {maximum}]"
        )
    return number


def _optional_str(value: object, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _event_error(f"{what} is a {type(value).__name__}, not a string")


def _log_failure(source: str, ident: object, exc: BaseException, on_error: str) -> None:
    action = "skipped" if on_error == "skip" else "failed"
    logger.warning(
        "%s record %s %s: %s: %s", source, ident, action, type(exc).__name__, exc, exc_info=exc
    )


def _decode(deserializer: Deserializer[Any], data: bytes) -> DecodedRecord[Any]:
    """Decode a Glue frame; a foreign exception from below becomes a chained PayloadError."""
    try:
        return deserializer.deserialize_record(data)
    except GlueSerdeError:
        raise
    except Exception as exc:
        raise PayloadError(f"record does not decode: {type(exc).__name__}: {exc}") from exc


def _version_id(record: object) -> uuid.UUID | None:
    version = getattr(record, "schema_version", None)
    return getattr(version, "schema_version_id", None)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _json_loads(payload: bytes, where: str) -> Any:
    """Parse strict JSON (no NaN/Infinity); PayloadError otherwise, deep nesting included."""
    try:
        return json.loads(payload, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"{where}: not strict JSON: {type(exc).__name__}") from exc


# ---------------------------------------------------------------------------------------------
# Shared helpers: the user's function and the on_error policy


_ContextMode: TypeAlias = Literal["none", "keyword", "positional"]


def _context_mode(fn: Callable[..., object]) -> _ContextMode:
    """Tell how ``fn`` takes the Lambda context, from its signature (read once).

    ``"keyword"`` when it declares a ``lambda_context`` parameter (Powertools' convention),
    ``"positional"`` when it requires exactly two positional arguments (``record, context``:
    such a function could not be called with the record alone before), else ``"none"``.
    """
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return "none"
    declared = parameters.get("lambda_context")
    if declared is not None and declared.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    ):
        return "keyword"
    required = [
        p
        for p in parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and p.default is inspect.Parameter.empty
    ]
    return "positional" if len(required) == 2 else "none"


def _call(fn: RecordFunction[E, R], mode: _ContextMode, context: Any, record: E) -> R:
    """Call ``fn`` on one record, handing it ``context`` the way it declares it."""
    if mode == "keyword":
        return fn(record, lambda_context=context)  # type: ignore[call-arg]
    if mode == "positional":
        return fn(record, context)  # type: ignore[call-arg]
    return fn(record)  # type: ignore[call-arg]


def _bind_context(fn: RecordFunction[E, R], context: Any) -> Callable[[E], R]:
    """Return ``fn`` as a one-argument function, handing it ``context`` if it asks for it."""
    return functools.partial(_call, fn, _context_mode(fn), context)


class _Failed:
    """The marker :meth:`_Policy.run` returns for a unit of work that failed."""

    __slots__ = ()


_FAILED: Final = _Failed()


class _Policy(Generic[K]):
    """The ``on_error`` policy, applied to every unit of work of one event.

    This is the only place that decides what a failure becomes: it logs it (with the
    traceback), re-raises it (``"raise"``), remembers the identifier to report
    (``"report"``, once per identifier, in event order) or lets it go (``"skip"``), and at
    the end raises :class:`BatchProcessingError` when asked to and every record failed.
    A unit of work is one record, or one user record of a KPL aggregate.
    """

    __slots__ = ("_raise_on_entire_batch_failure", "failed", "on_error", "source")

    def __init__(self, source: str, on_error: str, raise_on_entire_batch_failure: bool) -> None:
        _check_policy(on_error)
        self.source = source
        self.on_error = on_error
        self._raise_on_entire_batch_failure = raise_on_entire_batch_failure
        #: Identifier to report -> the first exception seen for it, in event order.
        self.failed: dict[K, Exception] = {}

    def run(self, key: K | None, ident: str, work: Callable[..., R], *args: Any) -> R | _Failed:
        """Run ``work(*args)``; on failure apply the policy and return ``_FAILED``.

        ``key`` is what a failure is reported by (None when the record has no usable
        identifier: reporting it is then impossible and fails the call).
        """
        try:
            return work(*args)
        except Exception as exc:
            _log_failure(self.source, ident, exc, self.on_error)
            if self.on_error == "raise":
                raise
            if self.on_error == "report":
                if key is None:
                    # Lambda fails the whole batch on an empty or invalid identifier: say why.
                    raise _event_error(
                        f"{self.source} record {ident} failed and has no identifier to report it by"
                    ) from exc
                self.failed.setdefault(key, exc)
            return _FAILED

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


# ---------------------------------------------------------------------------------------------
# Kinesis


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
        raise _event_error(f"{what} is {_brief(value, 40)}, not a time in seconds")
    return number


def _kinesis_fields(record: object) -> tuple[bytes, str, _KinesisMeta]:
    """Return the data, the partition key and the shared metadata of a Kinesis record."""
    rec = _raw_event(record)
    if rec is None:
        # A duck-typed Powertools-like object: record.kinesis.data_as_bytes() etc.
        try:
            kin = getattr(record, "kinesis", None)
            data_as_bytes = getattr(kin, "data_as_bytes", None)
            seq = getattr(kin, "sequence_number", None)
            if not callable(data_as_bytes) or not isinstance(seq, str) or not seq:
                raise _event_error(f"{type(record).__name__} is not a Kinesis record")
            pk = getattr(kin, "partition_key", "")
            arrival = getattr(kin, "approximate_arrival_timestamp", None)
            arn = getattr(record, "event_source_arn", None)
            data = data_as_bytes()
        except PayloadError:
            raise
        except Exception as exc:  # e.g. binascii.Error from the wrapper's own base64 decode
            raise _event_error(f"kinesis data of {type(record).__name__} does not decode") from exc
        if not isinstance(data, bytes | bytearray):
            raise _event_error("kinesis.data_as_bytes() did not return bytes")
        data = bytes(data)
    else:
        kin_map = rec.get("kinesis")
        if not isinstance(kin_map, Mapping):
            raise _event_error("Kinesis record has no 'kinesis' object")
        seq = kin_map.get("sequenceNumber")
        if not isinstance(seq, str) or not seq:
            raise _event_error("Kinesis record has no sequenceNumber")
        data = _b64(kin_map.get("data"), f"kinesis.data of record {seq}")
        pk = kin_map.get("partitionKey", "")
        arrival = kin_map.get("approximateArrivalTimestamp")
        arn = rec.get("eventSourceARN")
    if not isinstance(pk, str):
        raise _event_error(f"partitionKey of record {seq} is not a string")
    meta = _KinesisMeta(
        sequence_number=seq,
        arrival=_arrival_seconds(arrival, f"approximateArrivalTimestamp of record {seq}"),
        arn=_optional_str(arn, f"eventSourceARN of record {seq}"),
    )
    return data, pk, meta


def _kinesis_sequence_number(record: object) -> str | None:
    """Read only the sequence number (never the data), for reporting a failed record."""
    try:
        rec = _raw_event(record)
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
    decoded = _decode(deserializer, user.data)
    return KinesisEventRecord(
        value=decoded.value,
        schema_version_id=_version_id(decoded),
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
        the context when it asks for it (module docstring).
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"`` (see the module docstring).
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
    policy: _Policy[str] = _Policy("Kinesis", on_error, raise_on_entire_batch_failure)
    call = _bind_context(fn, context)
    records = _record_list(_as_mapping(event, "Kinesis event"), "Records", "Kinesis event")
    for index, record in enumerate(records):
        seq = _kinesis_sequence_number(record)
        split = policy.run(seq, seq or f"#{index}", _kinesis_users, record)
        if isinstance(split, _Failed):
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
    mode = _context_mode(fn)

    def handler(record: object, lambda_context: Any = None) -> list[R]:
        call = functools.partial(_call, fn, mode, lambda_context)
        meta, users = _kinesis_users(record)
        results: list[R] = []
        first_error: Exception | None = None
        for user in users:
            try:
                results.append(call(_kinesis_event_record(user, meta, deserializer)))
            except Exception as exc:
                if user.sub_sequence_number is None:
                    raise
                _log_failure("Kinesis", _user_ident(meta, user), exc, "report")
                if first_error is None:
                    first_error = exc
        if first_error is not None:
            raise first_error
        return results

    return handler


# Kafka (MSK and self-managed) --------------------------------------------------------------


def _kafka_headers(raw: object, where: str) -> Headers:
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes | bytearray):
        raise _event_error(f"headers of {where} are not a list")
    headers: Headers = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise _event_error(f"a header of {where} is not an object")
        for name, values in entry.items():
            if not isinstance(name, str):
                raise _event_error(f"a header name of {where} is not a string")
            if not isinstance(values, Sequence) or isinstance(values, str | bytes | bytearray):
                raise _event_error(f"header {name!r} of {where} is not a byte array")
            # Java sends signed bytes (-128..127): mask them into 0..255. Anything else is
            # refused rather than silently wrapped.
            if not all(
                isinstance(v, int) and not isinstance(v, bool) and -128 <= v <= 255 for v in values
            ):
                raise _event_error(f"header {name!r} of {where} holds a value that is not a byte")
            headers.append((name, bytes(v & 0xFF for v in values)))
    return headers


def _schema_id(metadata: Mapping[str, Any], where: str) -> uuid.UUID:
    schema_id = metadata.get("schemaId")
    try:
        if not isinstance(schema_id, str):
            raise ValueError(schema_id)
        return uuid.UUID(schema_id)
    except ValueError:
        raise PayloadError(
            f"{where}: schemaId {_brief(schema_id, 60)} is not a Glue schema version id (a "
            "Confluent registry id?); glue_serde decodes Glue schemas only"
        ) from None


def _optional_schema_id(metadata: Mapping[str, Any]) -> uuid.UUID | None:
    schema_id = metadata.get("schemaId")
    try:
        return uuid.UUID(schema_id) if isinstance(schema_id, str) else None
    except ValueError:
        return None


def _decode_kafka_field(
    raw: object,
    metadata: object,
    deserializer: Deserializer[Any] | None,
    esm_record_format: EsmRecordFormat | None,
    where: str,
) -> tuple[Datum, uuid.UUID | None, EsmRecordFormat | None]:
    """Decode a Kafka key or value: raw Glue frame, or ESM JSON / SOURCE output.

    Returns the value, its schema version id and the ESM record format it was read in (None
    without schema metadata).
    """
    if raw is None:
        return None, None, None  # tombstone (value) or keyless record (key)
    if metadata is not None and not isinstance(metadata, Mapping):
        raise _event_error(f"schema metadata of {where} is not an object")
    if isinstance(metadata, Mapping):
        if not isinstance(raw, str):
            return raw, _optional_schema_id(metadata), "JSON"  # delivered as an object
        payload = _b64(raw, where)
        if esm_record_format == "JSON":
            doc = _json_loads(payload, f"{where}: JSON-mode record")
            return doc, _optional_schema_id(metadata), "JSON"
        if esm_record_format is None:
            return _detect_esm_format(payload, metadata, deserializer, where)
        version_id = _schema_id(metadata, where)
        if deserializer is None:
            return payload, version_id, "SOURCE"
        # SOURCE: Lambda removed the header; rebuild it (uncompressed) from the id.
        decoded = _decode(deserializer, encode_header(version_id) + payload)
        return decoded.value, version_id, "SOURCE"
    data = _b64(raw, where)
    if deserializer is None:
        return data, None, None
    decoded = _decode(deserializer, data)
    return decoded.value, _version_id(decoded), None


def _detect_esm_format(
    payload: bytes,
    metadata: Mapping[str, Any],
    deserializer: Deserializer[Any] | None,
    where: str,
) -> tuple[Datum, uuid.UUID | None, EsmRecordFormat]:
    """Read an ESM payload whose record format was not given (see the module docstring).

    A JSON Schema payload reads the same in both formats. Otherwise the payload is read as
    SOURCE unless it is a JSON object or array that SOURCE cannot be: one that does not decode
    with the writer schema, or one that cannot be the JSON rendering of that schema. A payload
    that reads exactly both ways is refused rather than guessed.
    """
    try:
        doc = _json_loads(payload, where)
    except PayloadError:
        doc = None
    json_schema = str(metadata.get("dataFormat", "")).upper() == "JSON"
    if not isinstance(doc, dict | list) or json_schema:
        version_id = _schema_id(metadata, where)
        if deserializer is None:
            return payload, version_id, "SOURCE"
        decoded = _decode(deserializer, encode_header(version_id) + payload)
        return decoded.value, version_id, "SOURCE"
    glue_id = _optional_schema_id(metadata)
    if glue_id is None or deserializer is None:
        # Not a Glue id (SOURCE cannot be decoded here) or nothing to decode with: the JSON
        # document is the only reading available.
        return doc, glue_id, "JSON"
    try:
        decoded = _decode(deserializer, encode_header(glue_id) + payload)
    except DeserializationError:
        return doc, glue_id, "JSON"  # a JSON document that is no SOURCE payload
    version = decoded.schema_version
    if not _may_render_as_json(doc, version.data_format, version.schema_definition):
        return decoded.value, glue_id, "SOURCE"
    raise PayloadError(
        f"{where}: the payload reads both as a SOURCE {version.data_format.value} record and as "
        "a JSON-mode document; pass esm_record_format='SOURCE' or 'JSON' (the event source "
        "mapping's EventRecordFormat)"
    )


def _may_render_as_json(doc: object, data_format: DataFormat, definition: str) -> bool:
    """Whether ``doc`` can be what the JSON record format delivers for the writer schema.

    Lambda renders an Avro record with every one of its fields, an array as an array and a map
    as an object; anything else (unions, Protobuf) is not narrowed and counts as possible.
    """
    if data_format is not DataFormat.AVRO:
        return True
    try:
        schema = json.loads(definition)
    except ValueError:
        return True
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind in ("record", "error"):
        fields = schema.get("fields")
        if not isinstance(fields, list):
            return True
        names = {f.get("name") for f in fields if isinstance(f, dict)}
        return isinstance(doc, dict) and set(doc) == names
    if kind == "array":
        return isinstance(doc, list)
    if kind == "map":
        return isinstance(doc, dict)
    return not isinstance(schema, str) and kind not in (
        "fixed",
        "enum",
        "string",
        "bytes",
        "int",
        "long",
        "float",
        "double",
        "boolean",
        "null",
    )


def _kafka_dict(record: object) -> Mapping[str, Any]:
    rec = _raw_event(record)
    if rec is not None:
        return rec
    # Duck-typed record object: decoded_value / decoded_key are bytes properties.
    try:
        value = getattr(record, "decoded_value", None)
        key = getattr(record, "decoded_key", None)
        fields = {
            "topic": getattr(record, "topic", None),
            "partition": getattr(record, "partition", None),
            "offset": getattr(record, "offset", None),
            "timestamp": getattr(record, "timestamp", None),
            "timestampType": getattr(record, "timestamp_type", None),
            "headers": getattr(record, "headers", None),
        }
    except Exception as exc:  # e.g. binascii.Error from the wrapper's own base64 decode
        raise _event_error(f"{type(record).__name__}: a field does not decode") from exc
    for name, raw in (("key", key), ("value", value)):
        if raw is not None and not isinstance(raw, bytes | bytearray):
            raise _event_error(f"{type(record).__name__}.decoded_{name} is not bytes")
    return {
        **fields,
        "key": base64.b64encode(key).decode() if key is not None else None,
        "value": base64.b64encode(value).decode() if value is not None else None,
    }


def _kafka_position(rec: Mapping[str, Any]) -> tuple[str, int, int]:
    topic = rec.get("topic")
    if not isinstance(topic, str) or not topic:
        raise _event_error("Kafka record without a topic")
    partition = _int(rec.get("partition"), f"partition of {topic}", minimum=0, maximum=_INT32_MAX)
    offset = _int(
        rec.get("offset"), f"offset of {topic}-{partition}", minimum=0, maximum=_INT64_MAX
    )
    return topic, partition, offset


def decode_kafka_record(
    record: object,
    deserializer: Deserializer[Any],
    *,
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
) -> KafkaEventRecord:
    """Decode one record of a Lambda Kafka event.

    Parameters
    ----------
    record
        A record dict from the event's ``records`` lists, or a Powertools ``KafkaEventRecord``.
    deserializer
        Decodes the value.
    key_deserializer
        Decodes the key; without it the key is returned as raw bytes.
    esm_record_format
        ``"JSON"`` or ``"SOURCE"`` to fix how records with ``*SchemaMetadata`` are read;
        None detects it per record (module docstring).

    Returns
    -------
    KafkaEventRecord
        The value, key, position, headers and schema version ids.

    Raises
    ------
    PayloadError
        The record is malformed (bad base64, bad headers, no topic, a partition, offset or
        timestamp that is not an integer in range (NaN, infinity, negative, beyond 64
        bits), a non-Glue ``schemaId``) or its payload does not decode.
    DeserializationError, RegistryError
        As :meth:`~glue_serde.serde.Deserializer.deserialize`.
    """
    rec = _kafka_dict(record)
    topic, partition, offset = _kafka_position(rec)
    where = f"{topic}-{partition}@{offset}"
    timestamp = rec.get("timestamp")
    # Kafka uses -1 for "no timestamp" (old message formats); epoch milliseconds otherwise.
    timestamp = (
        None
        if timestamp is None
        else _int(timestamp, f"timestamp of {where}", minimum=-1, maximum=_INT64_MAX)
    )
    timestamp_type = _optional_str(rec.get("timestampType"), f"timestampType of {where}")
    headers = _kafka_headers(rec.get("headers"), where)
    value, value_id, value_format = _decode_kafka_field(
        rec.get("value"),
        rec.get("valueSchemaMetadata"),
        deserializer,
        esm_record_format,
        f"value of {where}",
    )
    # One event source mapping has one record format: a key follows its value's.
    key, key_id, _ = _decode_kafka_field(
        rec.get("key"),
        rec.get("keySchemaMetadata"),
        key_deserializer,
        esm_record_format or value_format,
        f"key of {where}",
    )
    return KafkaEventRecord(
        value=value,
        key=key,
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=timestamp,
        timestamp_type=timestamp_type,
        headers=headers,
        schema_version_id=value_id,
        key_schema_version_id=key_id,
    )


def _offset_of(record: object) -> int | None:
    """Read only the offset (never the value), for reporting a failed record."""
    try:
        rec = _raw_event(record)
        offset = rec.get("offset") if rec is not None else getattr(record, "offset", None)
        return _int(offset, "offset", minimum=0, maximum=_INT64_MAX)
    except Exception:
        return None


def _deliver_kafka(
    call: Callable[[KafkaEventRecord], object],
    record: object,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None,
    esm_record_format: EsmRecordFormat | None,
) -> None:
    call(
        decode_kafka_record(
            record,
            deserializer,
            key_deserializer=key_deserializer,
            esm_record_format=esm_record_format,
        )
    )


def process_kafka_event(
    event: LambdaEvent | object,
    fn: RecordFunction[KafkaEventRecord, object],
    *,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
    on_error: OnError = "report",
    context: Any = None,
    raise_on_entire_batch_failure: bool = False,
) -> LambdaResponse:
    """Decode every record of an MSK / self-managed Kafka event, call ``fn``, report failures.

    Parameters
    ----------
    event
        The Lambda event (``{"records": {"<topic>-<partition>": [...]}}``), or a Powertools
        ``KafkaEvent``.
    fn
        Called once per record, in order within each partition; also given
        the context when it asks for it (module docstring).
    deserializer, key_deserializer, esm_record_format
        As :func:`decode_kafka_record`.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.
    context
        The Lambda context object, for functions that ask for it.
    raise_on_entire_batch_failure
        Raise :class:`~glue_serde.errors.BatchProcessingError` instead of returning a
        response that lists every record.

    Returns
    -------
    dict
        ``{"batchItemFailures": [{"itemIdentifier": {"topic-partition": "<topic>-<partition>",
        "offset": N}}, ...]}``: one entry for every failed record, in event order (AWS's
        documented shape; Lambda may retry only what is listed).

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown.
    PayloadError
        The event has no ``records`` object, or a failing record has no offset to report.
    BatchProcessingError
        Every record failed and ``raise_on_entire_batch_failure`` is set.
    Exception
        With ``on_error="raise"``, whatever decoding or ``fn`` raised.
    """
    policy: _Policy[tuple[str, int]] = _Policy("Kafka", on_error, raise_on_entire_batch_failure)
    call = _bind_context(fn, context)
    groups = _as_mapping(event, "Kafka event").get("records")
    if not isinstance(groups, Mapping):
        raise _event_error("Kafka event has no 'records' object")
    total = 0
    for group_key in groups:
        if not isinstance(group_key, str) or not group_key:
            raise _event_error(f"records key {_brief(group_key, 60)} is not '<topic>-<partition>'")
        for index, record in enumerate(_record_list(groups, group_key, "Kafka event records")):
            total += 1
            offset = _offset_of(record)
            policy.run(
                None if offset is None else (group_key, offset),
                f"{group_key}@{offset if offset is not None else f'#{index}'}",
                _deliver_kafka,
                call,
                record,
                deserializer,
                key_deserializer,
                esm_record_format,
            )
    failures = [
        {"itemIdentifier": {"topic-partition": group_key, "offset": offset}}
        for group_key, offset in policy.failed
    ]
    return policy.finish(total, {"batchItemFailures": failures})


def kafka_record_handler(
    fn: RecordFunction[KafkaEventRecord, R],
    *,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
) -> Callable[..., R]:
    """Wrap ``fn`` as a record handler for Powertools' ``BatchProcessor`` (Kafka).

    Parameters
    ----------
    fn
        The per-record function; given the context when it asks for it (module docstring;
        the handler declares ``lambda_context``, so Powertools passes the context).
    deserializer, key_deserializer, esm_record_format
        As :func:`decode_kafka_record`.

    Returns
    -------
    callable
        ``handler(record, lambda_context=None) -> fn's result``; raises on a record that
        does not decode.

    Raises
    ------
    DeserializationError, RegistryError
        From the returned handler, when the record does not decode.
    """
    mode = _context_mode(fn)

    def handler(record: object, lambda_context: Any = None) -> R:
        decoded = decode_kafka_record(
            record,
            deserializer,
            key_deserializer=key_deserializer,
            esm_record_format=esm_record_format,
        )
        return _call(fn, mode, lambda_context, decoded)

    return handler


# ---------------------------------------------------------------------------------------------
# Firehose


def _check_json(value: object, path: str, depth: int) -> None:
    """Refuse what strict JSON cannot carry as it is, naming where it is."""
    if depth > _MAX_JSON_DEPTH:
        raise PayloadError(
            f"transformation result nests deeper than {_MAX_JSON_DEPTH} levels at {path} (a cycle?)"
        )
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PayloadError(
                f"transformation result holds {value!r} at {path}: strict JSON has no NaN or "
                "Infinity; return a number, null or a string there"
            )
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadError(
                    f"transformation result has a {type(key).__name__} key {_brief(key, 40)} at "
                    f"{path}: JSON object keys are strings; convert it yourself"
                )
            _check_json(item, f"{path}.{key}", depth + 1)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", depth + 1)
        return
    raise PayloadError(
        f"transformation result holds a {type(value).__name__} at {path}, which is not a JSON "
        "value; convert it (str(), float(), ...) or return bytes or str"
    )


def _strict_json(value: object) -> bytes:
    """Return ``value`` as compact, strict JSON (UTF-8), or raise PayloadError saying why."""
    _check_json(value, "$", 0)
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:  # huge ints, lone surrogates
        raise PayloadError(
            f"transformation result is not valid JSON: {type(exc).__name__}: {exc}"
        ) from exc


def _partition_keys(keys: object) -> dict[str, str] | None:
    if keys is None:
        return None
    if not isinstance(keys, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise PayloadError("FirehoseResult.partition_keys must map strings to strings")
    return dict(keys)


def _firehose_output(
    result: object, newline: bool
) -> tuple[str, bytes | None, dict[str, str] | None]:
    """Return the result string, the data (None: keep the original) and partition keys."""
    keys: dict[str, str] | None = None
    if isinstance(result, FirehoseResult):
        keys = _partition_keys(result.partition_keys)
        if result.dropped:
            return "Dropped", None, keys
        result = result.data
    if result is None:
        return "Dropped", None, keys
    if isinstance(result, bytes | bytearray | memoryview):
        data = bytes(result)
    elif isinstance(result, str):
        try:
            data = result.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PayloadError("transformation returned a str that is not valid Unicode") from exc
    else:
        data = _strict_json(result)
    if newline:
        data += b"\n"
    return "Ok", data, keys


def _transform_firehose(
    call: Callable[[FirehoseEventRecord], object],
    rec: Mapping[str, Any],
    record_id: str,
    deserializer: Deserializer[Any],
    newline: bool,
) -> tuple[str, bytes | None, dict[str, str] | None]:
    data_key = "kafkaRecordValue" if "kafkaRecordValue" in rec else "data"
    frame = _b64(rec.get(data_key), f"{data_key} of Firehose record {record_id}")
    metadata = rec.get("kinesisRecordMetadata")
    if metadata is None:
        metadata = rec.get("mskRecordMetadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, Mapping):
        raise _event_error(f"record metadata of Firehose record {record_id} is not an object")
    arrival = rec.get("approximateArrivalTimestamp", rec.get("approximateArrivalEpoch"))
    if arrival is not None:
        arrival = _int(
            arrival, f"arrival time of Firehose record {record_id}", minimum=0, maximum=_INT64_MAX
        )
    decoded = _decode(deserializer, frame)
    result = call(
        FirehoseEventRecord(
            value=decoded.value,
            schema_version_id=_version_id(decoded),
            record_id=record_id,
            approximate_arrival_timestamp=arrival,
            metadata=metadata,
            data=frame,
        )
    )
    return _firehose_output(result, newline)


def process_firehose_event(
    event: LambdaEvent | object,
    fn: RecordFunction[FirehoseEventRecord, object],
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
    newline: bool = False,
    context: Any = None,
    raise_on_entire_batch_failure: bool = False,
) -> LambdaResponse:
    r"""Transform every record of a Firehose event; failures become ``ProcessingFailed``.

    Parameters
    ----------
    event
        The Firehose transformation event (Kinesis, Direct PUT or MSK source).
    fn
        Returns the transformed record: bytes, str (UTF-8), a JSON value (compact, strict
        JSON: NaN, Infinity, non-string keys or non-JSON types fail the record), a
        :class:`FirehoseResult`, or None to drop the record. Also given
        the context when it asks for it (module docstring).
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"`` (``ProcessingFailed`` with the original bytes), ``"raise"`` or
        ``"skip"`` (``Dropped``).
    newline
        Append ``\n`` to every transformed record (useful for S3 delivery). Off by default.
    context
        The Lambda context object, for functions that ask for it.
    raise_on_entire_batch_failure
        Raise :class:`~glue_serde.errors.BatchProcessingError` instead of answering every
        record ``ProcessingFailed``.

    Returns
    -------
    dict
        ``{"records": [{"recordId", "result", "data" | "kafkaRecordValue", ...}]}``: every
        input id once, in order, answering in the dialect received.

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown.
    PayloadError
        The event has no records (Firehose rejects an empty answer), or a record is not an
        object or has no ``recordId`` (it could not be answered).
    BatchProcessingError
        Every record failed and ``raise_on_entire_batch_failure`` is set.
    Exception
        With ``on_error="raise"``, whatever decoding or ``fn`` raised.
    """
    policy: _Policy[int] = _Policy("Firehose", on_error, raise_on_entire_batch_failure)
    call = _bind_context(fn, context)
    records = _record_list(_as_mapping(event, "Firehose event"), "records", "Firehose event")
    if not records:
        raise _event_error("Firehose event has no records (Firehose rejects an empty answer)")
    out: list[dict[str, Any]] = []
    for index, raw_record in enumerate(records):
        rec = _as_mapping(raw_record, f"Firehose record #{index}")
        record_id = rec.get("recordId")
        if not isinstance(record_id, str) or not record_id:
            raise _event_error(f"Firehose record #{index} has no recordId")
        data_key = "kafkaRecordValue" if "kafkaRecordValue" in rec else "data"
        original = rec.get(data_key)
        answer: dict[str, Any] = {"recordId": record_id}
        outcome = policy.run(
            index,
            record_id,
            _transform_firehose,
            call,
            rec,
            record_id,
            deserializer,
            newline,
        )
        if isinstance(outcome, _Failed):
            answer["result"] = "ProcessingFailed" if on_error == "report" else "Dropped"
            answer[data_key] = original if isinstance(original, str) else ""
        else:
            status, data, keys = outcome
            answer["result"] = status
            answer[data_key] = original if data is None else base64.b64encode(data).decode()
            if keys:
                answer["metadata"] = {"partitionKeys": keys}
        out.append(answer)
    return policy.finish(len(records), {"records": out})


# ---------------------------------------------------------------------------------------------
# Decorators


Handler: TypeAlias = Callable[[Any, Any], LambdaResponse]


def kinesis_handler(
    *,
    deserializer: Deserializer[Any],
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
        ``on_error`` is unknown (at decoration time).

    Examples
    --------
    >>> # @kinesis_handler(deserializer=Deserializer(registry))
    >>> # def handler(record): save(record.value)
    """
    _check_policy(on_error)

    def decorate(fn: RecordFunction[KinesisEventRecord, object]) -> Handler:
        @functools.wraps(fn)
        def handler(event: Any, context: Any = None) -> LambdaResponse:
            return process_kinesis_event(
                event,
                fn,
                deserializer=deserializer,
                on_error=on_error,
                context=context,
                raise_on_entire_batch_failure=raise_on_entire_batch_failure,
            )

        return handler

    return decorate


def kafka_handler(
    *,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
    on_error: OnError = "report",
    raise_on_entire_batch_failure: bool = False,
) -> Callable[[RecordFunction[KafkaEventRecord, object]], Handler]:
    """Turn a per-record function into a Lambda handler for MSK / self-managed Kafka events.

    Parameters
    ----------
    deserializer, key_deserializer, esm_record_format
        As :func:`decode_kafka_record`.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.
    raise_on_entire_batch_failure
        As :func:`process_kafka_event`.

    Returns
    -------
    callable
        A decorator; the decorated function becomes ``handler(event, context)`` returning
        the ``batchItemFailures`` response. The function receives the context too when it
        asks for it (a ``lambda_context`` parameter, or two required positional ones).

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown (at decoration time).
    """
    _check_policy(on_error)

    def decorate(fn: RecordFunction[KafkaEventRecord, object]) -> Handler:
        @functools.wraps(fn)
        def handler(event: Any, context: Any = None) -> LambdaResponse:
            return process_kafka_event(
                event,
                fn,
                deserializer=deserializer,
                key_deserializer=key_deserializer,
                esm_record_format=esm_record_format,
                on_error=on_error,
                context=context,
                raise_on_entire_batch_failure=raise_on_entire_batch_failure,
            )

        return handler

    return decorate


def firehose_handler(
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
    newline: bool = False,
    raise_on_entire_batch_failure: bool = False,
) -> Callable[[RecordFunction[FirehoseEventRecord, object]], Handler]:
    r"""Turn a per-record transformation into a Lambda handler for Firehose events.

    Parameters
    ----------
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.
    newline
        Append ``\n`` to every transformed record.
    raise_on_entire_batch_failure
        As :func:`process_firehose_event`.

    Returns
    -------
    callable
        A decorator; the decorated function becomes ``handler(event, context)`` returning
        the Firehose ``records`` response. The function receives the context too when it
        asks for it (a ``lambda_context`` parameter, or two required positional ones).

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown (at decoration time).
    """
    _check_policy(on_error)

    def decorate(fn: RecordFunction[FirehoseEventRecord, object]) -> Handler:
        @functools.wraps(fn)
        def handler(event: Any, context: Any = None) -> LambdaResponse:
            return process_firehose_event(
                event,
                fn,
                deserializer=deserializer,
                on_error=on_error,
                newline=newline,
                context=context,
                raise_on_entire_batch_failure=raise_on_entire_batch_failure,
            )

        return handler

    return decorate
