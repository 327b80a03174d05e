"""Kinesis Data Streams helpers: a producer over ``put_records`` and a consumer decoder.

- :class:`KinesisProducer` serializes values with a :class:`~glue_serde.serde.Serializer` and
  writes them with the caller's boto3 Kinesis client in batches within the Kinesis limits
  (500 records and 5 MiB per request, 1 MiB per record counting data plus partition key),
  retrying **only the entries that failed** (``FailedRecordCount`` / per-entry ``ErrorCode``)
  with bounded, jittered exponential backoff. The result lists what finally failed; nothing
  is dropped silently. Optional KPL aggregation packs many user records into one Kinesis
  record (each user record keeps its own Glue header, as the Java KPL integration writes).
- :func:`deserialize_records` decodes a ``get_records`` response (``Records[].Data`` bytes),
  splitting KPL aggregates, and yields each value with its metadata.
- :func:`deaggregate` / :func:`aggregate` expose the KPL format itself.

The boto3 client is passed in (never created here; boto3 is never imported). Imports
:mod:`glue_serde.errors` and the private KPL module; never another integration.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

from glue_serde._typing import Datum
from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    PayloadError,
    SerializationError,
    _brief,
)
from glue_serde.integrations._kpl import (
    KPL_MAGIC,
    MAX_RECORD_SIZE,
    AggregatedRecord,
    BrokenUserRecord,
    UserRecord,
    aggregate,
    aggregate_records,
    deaggregate,
    is_aggregated,
    iter_user_records,
)

if TYPE_CHECKING:
    from glue_serde.serde import Deserializer, Serializer

__all__ = [
    "KPL_MAGIC",
    "MAX_RECORDS_PER_REQUEST",
    "MAX_RECORD_SIZE",
    "MAX_REQUEST_SIZE",
    "AggregatedRecord",
    "FailedRecord",
    "KinesisClient",
    "KinesisProducer",
    "KinesisRecord",
    "PutRecordsResult",
    "SentRecord",
    "UserRecord",
    "aggregate",
    "aggregate_records",
    "deaggregate",
    "deserialize_records",
    "is_aggregated",
]

#: ``PutRecords`` accepts at most this many entries per request.
MAX_RECORDS_PER_REQUEST: Final = 500
#: ``PutRecords`` accepts at most this many bytes (data plus partition keys) per request.
MAX_REQUEST_SIZE: Final = 5 * 1024 * 1024
_MAX_PARTITION_KEY_CHARS: Final = 256

#: Error codes worth another attempt when the whole call fails (the rest are permanent).
_RETRYABLE_CALL_ERRORS: Final = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "KMSThrottlingException",
        "LimitExceededException",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "ThrottlingException",
    }
)


class KinesisClient(Protocol):
    """The one boto3 Kinesis method the producer calls."""

    def put_records(self, **kwargs: Any) -> Mapping[str, Any]:
        """Write entries (boto3 ``Kinesis.Client.put_records``)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SentRecord:
    """A Kinesis record the stream accepted.

    Parameters
    ----------
    indices
        Positions in the input of the values it carries (several for an aggregate).
    sequence_number, shard_id
        Where Kinesis stored it.
    """

    indices: tuple[int, ...]
    sequence_number: str
    shard_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FailedRecord:
    """A Kinesis record that still failed after the last attempt.

    Parameters
    ----------
    indices
        Positions in the input of the values it carries (several for an aggregate).
    partition_key
        Its partition key.
    data
        The bytes that were sent (a Glue frame or an aggregate): resend them later as is.
    error_code, error_message
        The last error Kinesis reported for it.
    """

    indices: tuple[int, ...]
    partition_key: str
    data: bytes
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PutRecordsResult:
    """What happened to every value of a :meth:`KinesisProducer.put_records` call.

    Parameters
    ----------
    succeeded
        Accepted records, in input order.
    failed
        Records that failed after the last attempt, in input order.
    attempts
        Rounds made (1 when nothing needed a retry).
    requests
        ``PutRecords`` calls made.
    """

    succeeded: tuple[SentRecord, ...]
    failed: tuple[FailedRecord, ...]
    attempts: int
    requests: int

    @property
    def ok(self) -> bool:
        """True when every value was accepted."""
        return not self.failed

    @property
    def failed_indices(self) -> tuple[int, ...]:
        """Input positions of every value that was not accepted, sorted."""
        return tuple(sorted(i for f in self.failed for i in f.indices))


@dataclass(slots=True)
class _Entry:
    indices: tuple[int, ...]
    partition_key: str
    data: bytes
    explicit_hash_key: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) + len(self.partition_key.encode("utf-8"))

    def request(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"Data": self.data, "PartitionKey": self.partition_key}
        if self.explicit_hash_key is not None:
            entry["ExplicitHashKey"] = self.explicit_hash_key
        return entry


def _default_partition_key(value: object) -> str:
    return uuid.uuid4().hex


class KinesisProducer:
    """Serialize values and write them to a Kinesis stream with ``put_records``.

    Parameters
    ----------
    client
        A boto3 Kinesis client (anything with ``put_records``).
    stream_name
        The stream's name (or give ``stream_arn``).
    stream_arn
        The stream's ARN.
    serializer
        Turns each value into a Glue frame.
    partition_key
        ``callable(value) -> str``; default a random key per record (uniform spread).
    aggregate
        Pack user records into KPL aggregates (readable by the KCL, by this module's
        consumer and by glue_serde's Lambda helpers; **not** by a plain Lambda consumer
        without deaggregation). Records of one aggregate share its routing key.
    max_attempts
        Rounds of ``put_records`` for failed entries (1 = no retry).
    base_delay, max_delay
        Backoff: ``min(max_delay, base_delay * 2**(attempt - 1))`` seconds, jittered to
        between half and all of it.
    sleep
        Called with the delay between rounds (inject a fake in tests).

    Raises
    ------
    ConfigurationError
        If an argument is invalid.

    Examples
    --------
    >>> # producer = KinesisProducer(boto3.client("kinesis"), stream_name="payments",
    >>> #                            serializer=serializer)
    >>> # result = producer.put_records(values); assert result.ok, result.failed
    """

    def __init__(
        self,
        client: KinesisClient,
        *,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        serializer: Serializer,
        partition_key: Callable[[Any], str] | None = None,
        aggregate: bool = False,
        max_attempts: int = 5,
        base_delay: float = 0.1,
        max_delay: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if (stream_name is None) == (stream_arn is None):
            raise ConfigurationError("give exactly one of stream_name and stream_arn")
        if not isinstance(max_attempts, int) or max_attempts < 1:
            raise ConfigurationError("max_attempts must be an int >= 1")
        if base_delay < 0 or max_delay < 0:
            raise ConfigurationError("base_delay and max_delay must be >= 0")
        self._client = client
        self._stream: dict[str, str] = (
            {"StreamARN": stream_arn}
            if stream_arn is not None
            else {"StreamName": str(stream_name)}
        )
        self._serializer = serializer
        self._partition_key = partition_key or _default_partition_key
        self._aggregate = aggregate
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep

    def _key_for(self, value: object, index: int) -> str:
        key = self._partition_key(value)
        if not isinstance(key, str) or not 1 <= len(key) <= _MAX_PARTITION_KEY_CHARS:
            raise SerializationError(
                f"value #{index}: partition key must be a str of 1 to "
                f"{_MAX_PARTITION_KEY_CHARS} characters, got {_brief(key)}"
            )
        try:
            key.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SerializationError(
                f"value #{index}: partition key {key!r} is not valid Unicode (lone surrogate)"
            ) from exc
        return key

    def _entries(self, values: Sequence[Datum]) -> list[_Entry]:
        users: list[tuple[int, UserRecord]] = []
        for index, value in enumerate(values):
            if value is None:
                raise SerializationError(f"value #{index} is None; Kinesis has no tombstones")
            frame = self._serializer.serialize(value)
            assert frame is not None
            key = self._key_for(value, index)
            size = len(frame) + len(key.encode("utf-8"))
            if size > MAX_RECORD_SIZE:
                raise SerializationError(
                    f"value #{index} is {size} bytes with its partition key; Kinesis accepts "
                    f"at most {MAX_RECORD_SIZE}"
                )
            users.append((index, UserRecord(partition_key=key, data=frame)))
        if not self._aggregate:
            return [_Entry((i,), u.partition_key, u.data) for i, u in users]
        entries: list[_Entry] = []
        position = 0
        for agg in aggregate_records([u for _, u in users]):
            indices = tuple(i for i, _ in users[position : position + agg.count])
            position += agg.count
            entries.append(_Entry(indices, agg.partition_key, agg.data, agg.explicit_hash_key))
        return entries

    def put_records(self, values: Iterable[Datum]) -> PutRecordsResult:
        """Serialize and write values; retry only failed entries; report what still failed.

        Every value is serialized before anything is sent, so an invalid value fails the
        call without writing a partial batch.

        Parameters
        ----------
        values
            The values to write, in order (none may be None).

        Returns
        -------
        PutRecordsResult
            Accepted records and the ones still failing after ``max_attempts`` rounds.

        Raises
        ------
        ValidationError, SerializationError
            A value does not fit the schema, is None, or is too large for Kinesis.
        SchemaNotRegisteredError, RegistryError
            The serializer could not resolve its schema version.
        """
        pending = self._entries(list(values))
        succeeded: list[SentRecord] = []
        failed: list[_Entry] = []
        attempts = requests = 0
        while pending:
            attempts += 1
            if attempts > 1:
                delay = min(self._max_delay, self._base_delay * 2 ** (attempts - 2))
                self._sleep(delay * (0.5 + random.random() / 2))
            retry: list[_Entry] = []
            for batch in _batches(pending):
                requests += 1
                permanent = self._send(batch, succeeded, retry)
                if permanent:
                    failed.extend(batch)
            if attempts >= self._max_attempts:
                failed.extend(retry)
                break
            pending = retry
        return PutRecordsResult(
            succeeded=tuple(sorted(succeeded, key=lambda s: s.indices)),
            failed=tuple(
                FailedRecord(
                    indices=e.indices,
                    partition_key=e.partition_key,
                    data=e.data,
                    error_code=e.error_code,
                    error_message=e.error_message,
                )
                for e in sorted(failed, key=lambda e: e.indices)
            ),
            attempts=attempts,
            requests=requests,
        )

    def _send(self, batch: list[_Entry], succeeded: list[SentRecord], retry: list[_Entry]) -> bool:
        """Send one request; return True when the whole batch failed permanently."""
        try:
            response = self._client.put_records(
                Records=[e.request() for e in batch], **self._stream
            )
        except Exception as exc:  # a boto3 ClientError, or a connection error
            error = getattr(exc, "response", None)
            code = error.get("Error", {}).get("Code") if isinstance(error, Mapping) else None
            for entry in batch:
                entry.error_code = code or type(exc).__name__
                entry.error_message = str(exc)
            if code is not None and code not in _RETRYABLE_CALL_ERRORS:
                return True
            retry.extend(batch)
            return False
        results = response.get("Records") if isinstance(response, Mapping) else None
        if not isinstance(results, Sequence) or len(results) != len(batch):
            count = len(results) if isinstance(results, Sequence) else "no"
            for entry in batch:
                entry.error_code = "MalformedResponse"
                entry.error_message = f"{count} results for {len(batch)} records"
            retry.extend(batch)
            return False
        for entry, result in zip(batch, results, strict=True):
            if not isinstance(result, Mapping):
                entry.error_code = "MalformedResponse"
                entry.error_message = f"result entry is a {type(result).__name__}"
                retry.append(entry)
            elif result.get("ErrorCode"):
                entry.error_code = str(result["ErrorCode"])
                message = result.get("ErrorMessage")
                entry.error_message = None if message is None else str(message)
                retry.append(entry)
            else:
                sequence_number = result.get("SequenceNumber")
                shard_id = result.get("ShardId")
                if not (isinstance(sequence_number, str) and sequence_number) or not (
                    isinstance(shard_id, str) and shard_id
                ):
                    # Neither an error nor where Kinesis stored it: not known to be sent.
                    entry.error_code = "MalformedResponse"
                    entry.error_message = (
                        "result entry has neither ErrorCode nor SequenceNumber and ShardId"
                    )
                    retry.append(entry)
                    continue
                succeeded.append(
                    SentRecord(
                        indices=entry.indices, sequence_number=sequence_number, shard_id=shard_id
                    )
                )
        return False

    def put_record(self, value: Datum) -> PutRecordsResult:
        """Serialize and write one value (through ``put_records``, with the same retries).

        Parameters
        ----------
        value
            The value to write.

        Returns
        -------
        PutRecordsResult
            One succeeded or one failed record.

        Raises
        ------
        ValidationError, SerializationError, SchemaNotRegisteredError, RegistryError
            As :meth:`put_records`.
        """
        return self.put_records([value])


def _batches(entries: list[_Entry]) -> Iterator[list[_Entry]]:
    batch: list[_Entry] = []
    size = 0
    for entry in entries:
        if batch and (
            len(batch) == MAX_RECORDS_PER_REQUEST or size + entry.size > MAX_REQUEST_SIZE
        ):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry.size
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------------
# Consumer


@dataclass(frozen=True, slots=True, kw_only=True)
class KinesisRecord:
    """One decoded user record from ``get_records``.

    Parameters
    ----------
    value
        The decoded value.
    schema_version_id
        The writer schema version id from the frame's header.
    partition_key
        The user record's partition key.
    sequence_number
        The Kinesis record's sequence number (shared inside an aggregate).
    sub_sequence_number
        Position inside a KPL aggregate; None for a plain record.
    explicit_hash_key
        The user record's explicit hash key (aggregates only).
    approximate_arrival_timestamp
        As boto3 returns it (a ``datetime``).
    data
        The Glue frame the value was decoded from.
    """

    value: Datum
    schema_version_id: uuid.UUID | None
    partition_key: str
    sequence_number: str
    sub_sequence_number: int | None = None
    explicit_hash_key: str | None = None
    approximate_arrival_timestamp: object = None
    data: bytes = b""


def _records_of(response: object) -> Iterable[Any]:
    """Return the records of a ``get_records`` response, or of a list of records."""
    if isinstance(response, Mapping):
        if "Records" not in response:
            raise PayloadError("the get_records response has no 'Records'")
        response = response["Records"]
    if isinstance(response, str | bytes | bytearray | memoryview | Mapping) or not isinstance(
        response, Iterable
    ):
        raise PayloadError(
            f"expected a get_records response or a list of records, got {type(response).__name__}"
        )
    return response


def _record_fields(record: object) -> tuple[bytes, str, str]:
    """Return the data, sequence number and partition key of one ``get_records`` record."""
    if not isinstance(record, Mapping):
        raise PayloadError(f"Kinesis record is a {type(record).__name__}, not a mapping")
    seq = record.get("SequenceNumber")
    if not isinstance(seq, str) or not seq:
        raise PayloadError(f"Kinesis record has no SequenceNumber string (got {_brief(seq, 40)})")
    data = record.get("Data")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise PayloadError(f"Kinesis record {seq} has no Data bytes")
    partition_key = record.get("PartitionKey", "")
    if not isinstance(partition_key, str):
        raise PayloadError(f"Kinesis record {seq} has a PartitionKey that is not a string")
    return bytes(data), seq, partition_key


def _user_view(record: Mapping[str, Any], user: UserRecord | BrokenUserRecord) -> Mapping[str, Any]:
    """Narrow a record to one of its user records, for ``on_error``."""
    view = dict(record)
    view["SubSequenceNumber"] = user.sub_sequence_number
    if isinstance(user, UserRecord):
        view["Data"] = user.data
        view["PartitionKey"] = user.partition_key
        if user.explicit_hash_key is not None:
            view["ExplicitHashKey"] = user.explicit_hash_key
    return view


def _decode(deserializer: Deserializer[Any], data: bytes) -> Any:
    try:
        return deserializer.deserialize_record(data)
    except GlueSerdeError:
        raise
    except Exception as exc:  # a foreign exception is a bug below; name it, keep the cause
        raise PayloadError(f"record does not decode: {type(exc).__name__}: {exc}") from exc


def deserialize_records(
    response: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    deserializer: Deserializer[Any],
    *,
    on_error: Callable[[Any, Exception], None] | None = None,
) -> Iterator[KinesisRecord]:
    """Decode the records of a ``get_records`` response, splitting KPL aggregates.

    Every user record is decoded on its own: inside a KPL aggregate, one user record that
    does not decode is handed to ``on_error`` (or raised) while its siblings are still
    yielded.

    Parameters
    ----------
    response
        A ``get_records`` response, or its ``Records`` list.
    deserializer
        Decodes each Glue frame.
    on_error
        ``callable(record, exception)`` for a record that does not decode; decoding then
        continues with the next (user) record. ``record`` is the ``get_records`` record as
        received, or, for one user record of an aggregate, a copy of it carrying that user
        record's ``Data``, ``PartitionKey``, ``ExplicitHashKey`` and ``SubSequenceNumber``
        (for a user record that could not even be read, the aggregate's ``Data`` and the
        ``SubSequenceNumber``): what a dead-letter store needs. Without ``on_error`` the
        error propagates, after the user records before it were yielded.

    Yields
    ------
    KinesisRecord
        One per user record, in order.

    Raises
    ------
    PayloadError
        The response is not a ``get_records`` response or a list; or, without ``on_error``,
        a record is malformed (not a mapping, no ``SequenceNumber`` or ``Data`` bytes, a
        malformed KPL aggregate or user record).
    DeserializationError, RegistryError
        As :meth:`~glue_serde.serde.Deserializer.deserialize`, without ``on_error``.
    """
    for record in _records_of(response):
        try:
            data, seq, partition_key = _record_fields(record)
            users = iter_user_records(data, partition_key=partition_key)
            first = next(users)  # reads the aggregate's outer message: fails it whole
        except Exception as exc:
            if on_error is None:
                raise
            on_error(record, exc)
            continue
        for user in itertools.chain((first,), users):
            try:
                if isinstance(user, BrokenUserRecord):
                    raise user.error
                decoded = _decode(deserializer, user.data)
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(
                    record if user.sub_sequence_number is None else _user_view(record, user), exc
                )
                continue
            yield KinesisRecord(
                value=decoded.value,
                schema_version_id=decoded.schema_version.schema_version_id,
                partition_key=user.partition_key,
                sequence_number=seq,
                sub_sequence_number=user.sub_sequence_number,
                explicit_hash_key=user.explicit_hash_key,
                approximate_arrival_timestamp=record.get("ApproximateArrivalTimestamp"),
                data=user.data,
            )
