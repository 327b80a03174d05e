"""Amazon MSK and self-managed Kafka events: records decoded, every failure reported by offset.

:func:`process_kafka_event` and the :func:`kafka_handler` decorator answer
``{"batchItemFailures": [{"itemIdentifier": {"topic-partition": "<topic>-<partition>",
"offset": N}}]}``, one entry for every failed record; :func:`kafka_record_handler` serves
Powertools' ``BatchProcessor``; :func:`decode_kafka_record` decodes one record. A value or key
is a Glue frame, or the event source mapping's JSON or SOURCE output (read by the package's
``_esm`` module).

Imports the package's event-field, ESM, policy and context modules and :mod:`glue_serde.errors`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias, TypeVar, overload

from glue_serde._typing import Datum
from glue_serde.errors import _brief
from glue_serde.integrations.aws_lambda._context import (
    Handler,
    RecordFunction,
    bind_context,
    context_mode,
    invoke,
)
from glue_serde.integrations.aws_lambda._esm import EsmRecordFormat, decode_esm_field
from glue_serde.integrations.aws_lambda._events import (
    INT32_MAX,
    INT64_MAX,
    LambdaEvent,
    as_mapping,
    b64,
    decode_record,
    event_error,
    optional_str,
    raw_event,
    read_int,
    record_list,
    version_id_of,
)
from glue_serde.integrations.aws_lambda._policy import (
    LambdaResponse,
    OnError,
    Policy,
    handler_decorator,
)

if TYPE_CHECKING:
    from glue_serde.serde import Deserializer

__all__ = [
    "EsmRecordFormat",
    "KafkaEventRecord",
    "decode_kafka_record",
    "kafka_handler",
    "kafka_record_handler",
    "process_kafka_event",
]

#: Kafka record headers: ``(name, value)`` pairs in order, repeated names kept.
Headers: TypeAlias = list[tuple[str, bytes]]

R = TypeVar("R")


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


def _kafka_headers(raw: object, where: str) -> Headers:
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes | bytearray):
        raise event_error(f"headers of {where} are not a list")
    headers: Headers = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise event_error(f"a header of {where} is not an object")
        for name, values in entry.items():
            if not isinstance(name, str):
                raise event_error(f"a header name of {where} is not a string")
            if not isinstance(values, Sequence) or isinstance(values, str | bytes | bytearray):
                raise event_error(f"header {name!r} of {where} is not a byte array")
            # Java sends signed bytes (-128..127): mask them into 0..255. Anything else is
            # refused rather than silently wrapped.
            if not all(
                isinstance(v, int) and not isinstance(v, bool) and -128 <= v <= 255 for v in values
            ):
                raise event_error(f"header {name!r} of {where} holds a value that is not a byte")
            headers.append((name, bytes(v & 0xFF for v in values)))
    return headers


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
    if metadata is not None:
        return decode_esm_field(raw, metadata, deserializer, esm_record_format, where)
    data = b64(raw, where)
    if deserializer is None:
        return data, None, None
    decoded = decode_record(deserializer, data)
    return decoded.value, version_id_of(decoded), None


def _kafka_dict(record: object) -> Mapping[str, Any]:
    rec = raw_event(record)
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
        raise event_error(f"{type(record).__name__}: a field does not decode") from exc
    for name, raw in (("key", key), ("value", value)):
        if raw is not None and not isinstance(raw, bytes | bytearray):
            raise event_error(f"{type(record).__name__}.decoded_{name} is not bytes")
    return {
        **fields,
        "key": base64.b64encode(key).decode() if key is not None else None,
        "value": base64.b64encode(value).decode() if value is not None else None,
    }


def _kafka_position(rec: Mapping[str, Any]) -> tuple[str, int, int]:
    topic = rec.get("topic")
    if not isinstance(topic, str) or not topic:
        raise event_error("Kafka record without a topic")
    partition = read_int(
        rec.get("partition"), f"partition of {topic}", minimum=0, maximum=INT32_MAX
    )
    offset = read_int(
        rec.get("offset"), f"offset of {topic}-{partition}", minimum=0, maximum=INT64_MAX
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
        None detects it per record (package docstring).

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
        else read_int(timestamp, f"timestamp of {where}", minimum=-1, maximum=INT64_MAX)
    )
    timestamp_type = optional_str(rec.get("timestampType"), f"timestampType of {where}")
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
        rec = raw_event(record)
        offset = rec.get("offset") if rec is not None else getattr(record, "offset", None)
        return read_int(offset, "offset", minimum=0, maximum=INT64_MAX)
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
        the context when it asks for it (package docstring).
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
    policy: Policy[tuple[str, int]] = Policy("Kafka", on_error, raise_on_entire_batch_failure)
    call = bind_context(fn, context)
    groups = as_mapping(event, "Kafka event").get("records")
    if not isinstance(groups, Mapping):
        raise event_error("Kafka event has no 'records' object")
    total = 0
    for group_key in groups:
        if not isinstance(group_key, str) or not group_key:
            raise event_error(f"records key {_brief(group_key, 60)} is not '<topic>-<partition>'")
        for index, record in enumerate(record_list(groups, group_key, "Kafka event records")):
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
        The per-record function; given the context when it asks for it (package docstring;
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
    mode = context_mode(fn)

    def handler(record: object, lambda_context: Any = None) -> R:
        decoded = decode_kafka_record(
            record,
            deserializer,
            key_deserializer=key_deserializer,
            esm_record_format=esm_record_format,
        )
        return invoke(fn, mode, lambda_context, decoded)

    return handler


# The typed signature: a deserializer is required. The implementation also takes the function
# positionally and no deserializer, only to refuse a bare ``@kafka_handler`` with a clear error.
@overload
def kafka_handler(
    *,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
    on_error: OnError = "report",
    raise_on_entire_batch_failure: bool = False,
) -> Callable[[RecordFunction[KafkaEventRecord, object]], Handler]: ...


@overload
def kafka_handler(_fn: Callable[..., object], /) -> NoReturn: ...  # bare use: refused


def kafka_handler(
    _fn: object = None,
    /,
    *,
    deserializer: Deserializer[Any] | None = None,
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
        ``on_error`` is unknown, no deserializer is given, or the decorator is used bare
        (``@kafka_handler`` without its parentheses), at decoration time.
    """
    return handler_decorator(
        "kafka_handler",
        _fn,
        deserializer,
        on_error,
        process_kafka_event,
        key_deserializer=key_deserializer,
        esm_record_format=esm_record_format,
        raise_on_entire_batch_failure=raise_on_entire_batch_failure,
    )
