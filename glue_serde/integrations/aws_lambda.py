"""AWS Lambda helpers: Kinesis, Amazon MSK / self-managed Kafka and Firehose events.

Each helper takes the raw event dict Lambda hands a function (a Powertools event or record
object works too: its ``raw_event`` dict is read), decodes every record with a
:class:`~glue_serde.serde.Deserializer`, calls the user's function once per record with the
value and its metadata, and builds the response Lambda expects, so that **one bad record never
fails the batch**:

- Kinesis: ``{"batchItemFailures": [{"itemIdentifier": "<sequenceNumber>"}]}``. KPL aggregates
  are split here (Lambda does not); all user records of an aggregate share their parent's
  sequence number, so a failure redelivers the whole aggregate: handlers must be idempotent.
- Kafka: ``{"batchItemFailures": [{"itemIdentifier": {"partition": "<topic>-<partition>",
  "offset": N}}]}`` with the first failing offset of each partition (the object form
  Powertools emits; not confirmed against AWS's own documentation).
- Firehose: every ``recordId`` answered once; a failure is ``ProcessingFailed`` carrying the
  original bytes, in the dialect received (``data``, or ``kafkaRecordValue`` for an MSK source).

The ``on_error`` policy: ``"report"`` (default; the failure goes into the response),
``"raise"`` (the exception propagates and Lambda retries the whole batch) or ``"skip"`` (the
record is logged and counted as a success; Firehose answers ``Dropped``). Every failure is
logged on the ``glue_serde.integrations.aws_lambda`` logger with the record and the reason.

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
  a non-string value, or base64 text that parses as a JSON object or array when the schema is
  not JSON Schema, is JSON mode; anything else is SOURCE. Pass ``esm_record_format`` to fix it.

Imports :mod:`glue_serde.wire`, :mod:`glue_serde.errors` and the private KPL reader; never
Powertools, boto3 or another integration module.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from glue_serde._typing import Datum
from glue_serde.errors import PayloadError
from glue_serde.integrations._kpl import deaggregate
from glue_serde.wire import encode_header

if TYPE_CHECKING:
    from glue_serde.serde import Deserializer

__all__ = [
    "EsmRecordFormat",
    "FirehoseEventRecord",
    "FirehoseResult",
    "KafkaEventRecord",
    "KinesisEventRecord",
    "OnError",
    "decode_kafka_record",
    "firehose_handler",
    "kafka_handler",
    "kafka_record_handler",
    "kinesis_handler",
    "iter_kinesis_records",
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

R = TypeVar("R")
_ON_ERROR = ("report", "raise", "skip")


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
# Shared helpers


def _check_policy(on_error: str) -> None:
    if on_error not in _ON_ERROR:
        from glue_serde.errors import ConfigurationError  # noqa: PLC0415

        raise ConfigurationError(f"on_error must be one of {_ON_ERROR}, not {on_error!r}")


def _event_error(message: str) -> PayloadError:
    return PayloadError(f"malformed Lambda event: {message}")


def _as_mapping(obj: object, what: str) -> Mapping[str, Any]:
    """Return a raw event/record dict, or the ``raw_event`` dict of a Powertools wrapper."""
    if isinstance(obj, Mapping):
        return obj
    raw = getattr(obj, "raw_event", None)
    if isinstance(raw, Mapping):
        return raw
    raise _event_error(f"{what} is a {type(obj).__name__}, not a mapping")


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise _event_error(f"{what} is a {type(value).__name__}, not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _event_error(f"{what} is not valid base64") from exc


def _log_failure(source: str, ident: object, exc: BaseException, on_error: str) -> None:
    action = "skipped" if on_error == "skip" else "failed"
    logger.warning(
        "%s record %s %s: %s: %s", source, ident, action, type(exc).__name__, exc, exc_info=False
    )


def _version_id(record: object) -> uuid.UUID | None:
    version = getattr(record, "schema_version", None)
    return getattr(version, "schema_version_id", None)


# ---------------------------------------------------------------------------------------------
# Kinesis


def _kinesis_fields(record: object) -> tuple[bytes, str, str, float | None, str | None]:
    """Return data, sequence number, partition key, arrival time and ARN of a record."""
    if not isinstance(record, Mapping) and not isinstance(
        getattr(record, "raw_event", None), Mapping
    ):
        # A duck-typed Powertools-like object: record.kinesis.data_as_bytes() etc.
        kin = getattr(record, "kinesis", None)
        data_as_bytes = getattr(kin, "data_as_bytes", None)
        seq = getattr(kin, "sequence_number", None)
        if not callable(data_as_bytes) or not isinstance(seq, str):
            raise _event_error(f"{type(record).__name__} is not a Kinesis record")
        try:
            data = data_as_bytes()
        except Exception as exc:  # e.g. binascii.Error from the wrapper's own base64 decode
            raise _event_error(f"kinesis data of record {seq} does not decode") from exc
        if not isinstance(data, bytes | bytearray):
            raise _event_error("kinesis.data_as_bytes() did not return bytes")
        return (
            bytes(data),
            seq,
            str(getattr(kin, "partition_key", "")),
            getattr(kin, "approximate_arrival_timestamp", None),
            getattr(record, "event_source_arn", None),
        )
    rec = _as_mapping(record, "Kinesis record")
    kin_map = rec.get("kinesis")
    if not isinstance(kin_map, Mapping):
        raise _event_error("Kinesis record has no 'kinesis' object")
    seq = kin_map.get("sequenceNumber")
    if not isinstance(seq, str) or not seq:
        raise _event_error("Kinesis record has no sequenceNumber")
    data = _b64(kin_map.get("data"), f"kinesis.data of record {seq}")
    arrival = kin_map.get("approximateArrivalTimestamp")
    return (
        data,
        seq,
        str(kin_map.get("partitionKey", "")),
        float(arrival) if isinstance(arrival, int | float) else None,
        rec.get("eventSourceARN"),
    )


def _kinesis_sequence_number(record: object) -> str | None:
    """Read only the sequence number (never the data), for reporting a failed record."""
    rec = record if isinstance(record, Mapping) else getattr(record, "raw_event", None)
    if isinstance(rec, Mapping):
        kin = rec.get("kinesis")
        seq = kin.get("sequenceNumber") if isinstance(kin, Mapping) else None
    else:
        seq = getattr(getattr(record, "kinesis", None), "sequence_number", None)
    return seq if isinstance(seq, str) and seq else None


def iter_kinesis_records(
    record: object, deserializer: Deserializer[Any]
) -> Iterator[KinesisEventRecord]:
    """Decode one Lambda Kinesis record (split when it is a KPL aggregate), lazily.

    Parameters
    ----------
    record
        An element of the event's ``Records`` (dict, or a Powertools record object).
    deserializer
        Decodes each Glue frame.

    Yields
    ------
    KinesisEventRecord
        One per user record.

    Raises
    ------
    PayloadError
        The record is malformed (bad base64, missing fields, malformed aggregate), or the
        payload does not decode.
    DeserializationError, RegistryError
        As :meth:`~glue_serde.serde.Deserializer.deserialize`.
    """
    data, seq, pk, arrival, arn = _kinesis_fields(record)
    for user in deaggregate(data, partition_key=pk):
        decoded = deserializer.deserialize_record(user.data)
        yield KinesisEventRecord(
            value=decoded.value,
            schema_version_id=_version_id(decoded),
            partition_key=user.partition_key,
            sequence_number=seq,
            sub_sequence_number=user.sub_sequence_number,
            explicit_hash_key=user.explicit_hash_key,
            approximate_arrival_timestamp=arrival,
            event_source_arn=arn if isinstance(arn, str) else None,
            data=user.data,
        )


def process_kinesis_event(
    event: LambdaEvent | object,
    fn: Callable[[KinesisEventRecord], object],
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
) -> LambdaResponse:
    """Decode every record of a Kinesis event, call ``fn`` on each, report failures.

    Parameters
    ----------
    event
        The Lambda event (``{"Records": [...]}``) or a Powertools ``KinesisStreamEvent``.
    fn
        Called once per user record (KPL aggregates split).
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"`` (see the module docstring).

    Returns
    -------
    dict
        ``{"batchItemFailures": [{"itemIdentifier": "<sequenceNumber>"}, ...]}``.

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown.
    PayloadError
        The event has no ``Records`` list, or a record has no sequence number to report.
    Exception
        With ``on_error="raise"``, whatever decoding or ``fn`` raised.
    """
    _check_policy(on_error)
    records = _as_mapping(event, "Kinesis event").get("Records")
    if not isinstance(records, Sequence):
        raise _event_error("Kinesis event has no 'Records' list")
    failures: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        try:
            for decoded in iter_kinesis_records(record, deserializer):
                fn(decoded)
        except Exception as exc:
            seq = _kinesis_sequence_number(record)
            _log_failure("Kinesis", seq if seq else f"#{index}", exc, on_error)
            if on_error == "raise":
                raise
            if on_error == "report":
                if seq is None:
                    # An empty or null identifier fails the batch anyway: say why, loudly.
                    raise _event_error(f"record #{index} failed and has no sequenceNumber") from exc
                failures.append({"itemIdentifier": seq})
    return {"batchItemFailures": failures}


def kinesis_record_handler(
    fn: Callable[[KinesisEventRecord], R], *, deserializer: Deserializer[Any]
) -> Callable[..., list[R]]:
    """Wrap ``fn`` as a record handler for Powertools' ``BatchProcessor`` (Kinesis).

    The returned handler is called as ``handler(record=...)`` with a Powertools
    ``KinesisStreamRecord`` (or a raw record dict); it decodes the record (splitting KPL
    aggregates), calls ``fn`` per user record and returns the results. A decoding failure
    raises a glue_serde error, which the batch processor reports for that record.

    Parameters
    ----------
    fn
        The per-record function.
    deserializer
        Decodes each Glue frame.

    Returns
    -------
    callable
        ``handler(record) -> list`` of ``fn``'s results.

    Raises
    ------
    DeserializationError, RegistryError
        From the returned handler, when the record does not decode.
    """

    def handler(record: object) -> list[R]:
        return [fn(decoded) for decoded in iter_kinesis_records(record, deserializer)]

    return handler


# Kafka (MSK and self-managed) --------------------------------------------------------------


def _kafka_headers(raw: object, where: str) -> Headers:
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise _event_error(f"headers of {where} are not a list")
    headers: Headers = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise _event_error(f"a header of {where} is not an object")
        for name, values in entry.items():
            if not isinstance(values, Sequence) or isinstance(values, str | bytes):
                raise _event_error(f"header {name!r} of {where} is not a byte array")
            # Java sends signed bytes (-128..127): mask them into 0..255. Anything else is
            # refused rather than silently wrapped.
            if not all(
                isinstance(v, int) and not isinstance(v, bool) and -128 <= v <= 255 for v in values
            ):
                raise _event_error(f"header {name!r} of {where} holds a value that is not a byte")
            value = bytes(v & 0xFF for v in values)
            headers.append((str(name), value))
    return headers


def _schema_id(metadata: Mapping[str, Any], where: str) -> uuid.UUID:
    schema_id = metadata.get("schemaId")
    try:
        return uuid.UUID(str(schema_id))
    except ValueError:
        raise PayloadError(
            f"{where}: schemaId {schema_id!r} is not a Glue schema version id (a Confluent "
            "registry id?); glue_serde decodes Glue schemas only"
        ) from None


def _decode_kafka_field(
    raw: object,
    metadata: object,
    deserializer: Deserializer[Any] | None,
    esm_record_format: EsmRecordFormat | None,
    where: str,
) -> tuple[Datum, uuid.UUID | None]:
    """Decode a Kafka key or value: raw Glue frame, or ESM JSON / SOURCE output."""
    if raw is None:
        return None, None  # tombstone (value) or keyless record (key)
    if isinstance(metadata, Mapping):
        if not isinstance(raw, str):
            return raw, _optional_schema_id(metadata)  # JSON mode, delivered as an object
        payload = _b64(raw, where)
        mode = esm_record_format
        if mode is None:
            mode = "SOURCE"
            if str(metadata.get("dataFormat", "")).upper() != "JSON":
                try:
                    doc = json.loads(payload)
                except ValueError:
                    doc = None
                if isinstance(doc, dict | list):
                    mode = "JSON"
        if mode == "JSON":
            try:
                return json.loads(payload), _optional_schema_id(metadata)
            except ValueError as exc:
                raise PayloadError(f"{where}: JSON-mode record is not JSON") from exc
        version_id = _schema_id(metadata, where)
        if deserializer is None:
            return payload, version_id
        # SOURCE: Lambda removed the header; rebuild it (uncompressed) from the id.
        decoded = deserializer.deserialize_record(encode_header(version_id) + payload)
        return decoded.value, version_id
    data = _b64(raw, where)
    if deserializer is None:
        return data, None
    decoded = deserializer.deserialize_record(data)
    return decoded.value, _version_id(decoded)


def _optional_schema_id(metadata: Mapping[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(metadata.get("schemaId")))
    except ValueError:
        return None


def _kafka_dict(record: object) -> Mapping[str, Any]:
    if isinstance(record, Mapping) or isinstance(getattr(record, "raw_event", None), Mapping):
        return _as_mapping(record, "Kafka record")
    # Duck-typed record object: decoded_value / decoded_key are bytes properties.
    try:
        value = getattr(record, "decoded_value", None)
        key = getattr(record, "decoded_key", None)
    except Exception as exc:  # e.g. binascii.Error from the wrapper's own base64 decode
        raise _event_error(f"{type(record).__name__}: key or value does not decode") from exc
    return {
        "topic": getattr(record, "topic", None),
        "partition": getattr(record, "partition", None),
        "offset": getattr(record, "offset", None),
        "timestamp": getattr(record, "timestamp", None),
        "timestampType": getattr(record, "timestamp_type", None),
        "key": base64.b64encode(key).decode() if isinstance(key, bytes) else None,
        "value": base64.b64encode(value).decode() if isinstance(value, bytes) else None,
        "headers": getattr(record, "headers", None),
    }


def _kafka_position(rec: Mapping[str, Any]) -> tuple[str, int, int]:
    topic = rec.get("topic")
    try:
        partition = int(rec["partition"])
        offset = int(rec["offset"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _event_error("Kafka record without an integer partition and offset") from exc
    if not isinstance(topic, str):
        raise _event_error("Kafka record without a topic")
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
        The record is malformed (bad base64, bad headers, no position, a non-Glue
        ``schemaId``) or its payload does not decode.
    DeserializationError, RegistryError
        As :meth:`~glue_serde.serde.Deserializer.deserialize`.
    """
    rec = _kafka_dict(record)
    topic, partition, offset = _kafka_position(rec)
    where = f"{topic}-{partition}@{offset}"
    value, value_id = _decode_kafka_field(
        rec.get("value"),
        rec.get("valueSchemaMetadata"),
        deserializer,
        esm_record_format,
        f"value of {where}",
    )
    key, key_id = _decode_kafka_field(
        rec.get("key"),
        rec.get("keySchemaMetadata"),
        key_deserializer,
        esm_record_format,
        f"key of {where}",
    )
    timestamp = rec.get("timestamp")
    return KafkaEventRecord(
        value=value,
        key=key,
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=int(timestamp) if isinstance(timestamp, int | float) else None,
        timestamp_type=rec.get("timestampType"),
        headers=_kafka_headers(rec.get("headers"), where),
        schema_version_id=value_id,
        key_schema_version_id=key_id,
    )


def process_kafka_event(
    event: LambdaEvent | object,
    fn: Callable[[KafkaEventRecord], object],
    *,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
    on_error: OnError = "report",
) -> LambdaResponse:
    """Decode every record of an MSK / self-managed Kafka event, call ``fn``, report failures.

    Parameters
    ----------
    event
        The Lambda event (``{"records": {"<topic>-<partition>": [...]}}``), or a Powertools
        ``KafkaEvent``.
    fn
        Called once per record, in order within each partition.
    deserializer, key_deserializer, esm_record_format
        As :func:`decode_kafka_record`.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.

    Returns
    -------
    dict
        ``{"batchItemFailures": [{"itemIdentifier": {"partition": "<topic>-<partition>",
        "offset": N}}, ...]}``: the first failing offset of each partition.

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown.
    PayloadError
        The event has no ``records`` object, or a failing record has no offset to report.
    Exception
        With ``on_error="raise"``, whatever decoding or ``fn`` raised.
    """
    _check_policy(on_error)
    groups = _as_mapping(event, "Kafka event").get("records")
    if not isinstance(groups, Mapping):
        raise _event_error("Kafka event has no 'records' object")
    failures: list[dict[str, Any]] = []
    for group_key, records in groups.items():
        if not isinstance(records, Sequence):
            raise _event_error(f"records[{group_key!r}] is not a list")
        failed = False
        for index, record in enumerate(records):
            try:
                fn(
                    decode_kafka_record(
                        record,
                        deserializer,
                        key_deserializer=key_deserializer,
                        esm_record_format=esm_record_format,
                    )
                )
            except Exception as exc:
                offset = _offset_of(record)
                ident = f"{group_key}@{offset if offset is not None else f'#{index}'}"
                _log_failure("Kafka", ident, exc, on_error)
                if on_error == "raise":
                    raise
                if on_error == "report" and not failed:
                    if offset is None:
                        raise _event_error(f"record {ident} failed and has no offset") from exc
                    failed = True
                    failures.append(
                        {"itemIdentifier": {"partition": str(group_key), "offset": offset}}
                    )
    return {"batchItemFailures": failures}


def _offset_of(record: object) -> int | None:
    """Read only the offset (never the value), for reporting a failed record."""
    rec = record if isinstance(record, Mapping) else getattr(record, "raw_event", None)
    offset = rec.get("offset") if isinstance(rec, Mapping) else getattr(record, "offset", None)
    try:
        return (
            int(offset) if isinstance(offset, int | str) and not isinstance(offset, bool) else None
        )
    except ValueError:
        return None


def kafka_record_handler(
    fn: Callable[[KafkaEventRecord], R],
    *,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
) -> Callable[..., R]:
    """Wrap ``fn`` as a record handler for Powertools' ``BatchProcessor`` (Kafka).

    Parameters
    ----------
    fn
        The per-record function.
    deserializer, key_deserializer, esm_record_format
        As :func:`decode_kafka_record`.

    Returns
    -------
    callable
        ``handler(record) -> fn's result``; raises on a record that does not decode.

    Raises
    ------
    DeserializationError, RegistryError
        From the returned handler, when the record does not decode.
    """

    def handler(record: object) -> R:
        return fn(
            decode_kafka_record(
                record,
                deserializer,
                key_deserializer=key_deserializer,
                esm_record_format=esm_record_format,
            )
        )

    return handler


# ---------------------------------------------------------------------------------------------
# Firehose


def _firehose_output(result: object, newline: bool) -> tuple[str, bytes | None, object]:
    """Return the result string, the data (None: keep the original) and partition keys."""
    keys: object = None
    if isinstance(result, FirehoseResult):
        keys = result.partition_keys
        if result.dropped:
            return "Dropped", None, keys
        result = result.data
    if result is None:
        return "Dropped", None, keys
    if isinstance(result, bytes | bytearray | memoryview):
        data = bytes(result)
    elif isinstance(result, str):
        data = result.encode("utf-8")
    else:
        try:
            data = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode()
        except (TypeError, ValueError) as exc:
            raise PayloadError(
                f"transformation returned a {type(result).__name__} that is not JSON "
                "serializable; return bytes or str"
            ) from exc
    if newline:
        data += b"\n"
    return "Ok", data, keys


def process_firehose_event(
    event: LambdaEvent | object,
    fn: Callable[[FirehoseEventRecord], object],
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
    newline: bool = False,
) -> LambdaResponse:
    r"""Transform every record of a Firehose event; failures become ``ProcessingFailed``.

    Parameters
    ----------
    event
        The Firehose transformation event (Kinesis, Direct PUT or MSK source).
    fn
        Returns the transformed record: bytes, str (UTF-8), a JSON value (compact JSON),
        a :class:`FirehoseResult`, or None to drop the record.
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"`` (``ProcessingFailed`` with the original bytes), ``"raise"`` or
        ``"skip"`` (``Dropped``).
    newline
        Append ``\n`` to every transformed record (useful for S3 delivery). Off by default.

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
        The event has no records (Firehose rejects an empty answer), or a record has no
        ``recordId`` or no data field.
    Exception
        With ``on_error="raise"``, whatever decoding or ``fn`` raised.
    """
    _check_policy(on_error)
    ev = _as_mapping(event, "Firehose event")
    records = ev.get("records")
    if not isinstance(records, Sequence) or not records:
        raise _event_error("Firehose event has no records (Firehose rejects an empty answer)")
    out: list[dict[str, Any]] = []
    for raw_record in records:
        rec = _as_mapping(raw_record, "Firehose record")
        record_id = rec.get("recordId")
        if not isinstance(record_id, str):
            raise _event_error("Firehose record without a recordId")
        data_key = "kafkaRecordValue" if "kafkaRecordValue" in rec else "data"
        original = rec.get(data_key)
        if not isinstance(original, str):
            raise _event_error(f"Firehose record {record_id} has no {data_key}")
        answer: dict[str, Any] = {"recordId": record_id}
        try:
            frame = _b64(original, f"{data_key} of Firehose record {record_id}")
            decoded = deserializer.deserialize_record(frame)
            metadata = rec.get("kinesisRecordMetadata") or rec.get("mskRecordMetadata") or {}
            arrival = rec.get("approximateArrivalTimestamp", rec.get("approximateArrivalEpoch"))
            status, data, keys = _firehose_output(
                fn(
                    FirehoseEventRecord(
                        value=decoded.value,
                        schema_version_id=_version_id(decoded),
                        record_id=record_id,
                        approximate_arrival_timestamp=(
                            int(arrival) if isinstance(arrival, int | float) else None
                        ),
                        metadata=metadata if isinstance(metadata, Mapping) else {},
                        data=frame,
                    )
                ),
                newline,
            )
        except Exception as exc:
            _log_failure("Firehose", record_id, exc, on_error)
            if on_error == "raise":
                raise
            answer["result"] = "ProcessingFailed" if on_error == "report" else "Dropped"
            answer[data_key] = original
        else:
            answer["result"] = status
            answer[data_key] = original if data is None else base64.b64encode(data).decode()
            if keys:
                answer["metadata"] = {"partitionKeys": dict(keys)}  # type: ignore[call-overload]
        out.append(answer)
    return {"records": out}


# ---------------------------------------------------------------------------------------------
# Decorators


Handler: TypeAlias = Callable[[Any, Any], LambdaResponse]


def kinesis_handler(
    *, deserializer: Deserializer[Any], on_error: OnError = "report"
) -> Callable[[Callable[[KinesisEventRecord], object]], Handler]:
    """Turn a per-record function into a Lambda handler for Kinesis events.

    Parameters
    ----------
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.

    Returns
    -------
    callable
        A decorator; the decorated function becomes ``handler(event, context)`` returning
        the ``batchItemFailures`` response.

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

    def decorate(fn: Callable[[KinesisEventRecord], object]) -> Handler:
        @functools.wraps(fn)
        def handler(event: Any, context: Any = None) -> LambdaResponse:
            return process_kinesis_event(event, fn, deserializer=deserializer, on_error=on_error)

        return handler

    return decorate


def kafka_handler(
    *,
    deserializer: Deserializer[Any],
    key_deserializer: Deserializer[Any] | None = None,
    esm_record_format: EsmRecordFormat | None = None,
    on_error: OnError = "report",
) -> Callable[[Callable[[KafkaEventRecord], object]], Handler]:
    """Turn a per-record function into a Lambda handler for MSK / self-managed Kafka events.

    Parameters
    ----------
    deserializer, key_deserializer, esm_record_format
        As :func:`decode_kafka_record`.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.

    Returns
    -------
    callable
        A decorator; the decorated function becomes ``handler(event, context)`` returning
        the ``batchItemFailures`` response.

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown (at decoration time).
    """
    _check_policy(on_error)

    def decorate(fn: Callable[[KafkaEventRecord], object]) -> Handler:
        @functools.wraps(fn)
        def handler(event: Any, context: Any = None) -> LambdaResponse:
            return process_kafka_event(
                event,
                fn,
                deserializer=deserializer,
                key_deserializer=key_deserializer,
                esm_record_format=esm_record_format,
                on_error=on_error,
            )

        return handler

    return decorate


def firehose_handler(
    *, deserializer: Deserializer[Any], on_error: OnError = "report", newline: bool = False
) -> Callable[[Callable[[FirehoseEventRecord], object]], Handler]:
    r"""Turn a per-record transformation into a Lambda handler for Firehose events.

    Parameters
    ----------
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.
    newline
        Append ``\n`` to every transformed record.

    Returns
    -------
    callable
        A decorator; the decorated function becomes ``handler(event, context)`` returning
        the Firehose ``records`` response.

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown (at decoration time).
    """
    _check_policy(on_error)

    def decorate(fn: Callable[[FirehoseEventRecord], object]) -> Handler:
        @functools.wraps(fn)
        def handler(event: Any, context: Any = None) -> LambdaResponse:
            return process_firehose_event(
                event, fn, deserializer=deserializer, on_error=on_error, newline=newline
            )

        return handler

    return decorate
