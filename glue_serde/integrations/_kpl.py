"""KPL record aggregation: the format, read and written by hand (no protobuf dependency).

Format (awslabs/amazon-kinesis-producer ``aggregation-format.md``)::

    F3 89 9A C2 | protobuf AggregatedRecord | MD5 (16 bytes, over the protobuf bytes only)

    message AggregatedRecord {            // proto2
      repeated string partition_key_table     = 1;
      repeated string explicit_hash_key_table = 2;
      repeated Record records                 = 3;
    }
    message Record {
      required uint64 partition_key_index     = 1;
      optional uint64 explicit_hash_key_index = 2;
      required bytes  data                    = 3;
      repeated Tag    tags                    = 4;   // unused by the KPL; skipped
    }

Each ``Record.data`` is a complete Glue frame: the KPL calls the Glue serializer per user
record before aggregating, so byte 0 (``F3`` against ``03``) tells an aggregate from a frame.

Decisions (docs/integrations.md, "KPL aggregates"):

- no magic, or magic with a wrong MD5 -> one plain record, as the Java KCL's
  ``AggregatorUtil`` does. A plain record that starts with ``F3`` then fails the Glue frame
  check, so it is never silently lost.
- magic and a matching MD5 but a malformed outer message (truncated field, overlong varint,
  length past the end, a key table entry that is not UTF-8, no user record at all) ->
  :class:`PayloadError` for the whole Kinesis record, raised before any user record is
  handed out: the boundaries between user records cannot be trusted.
- a well-formed outer message with one malformed user record (index outside its table,
  missing required field, a nested aggregate) -> that user record alone fails
  (:class:`BrokenUserRecord` from :func:`iter_user_records`); its siblings are read.
- reading is lazy: memory is bounded by the key tables, whatever the record count claims.

Shared by :mod:`glue_serde.integrations.kinesis` and
:mod:`glue_serde.integrations.aws_lambda.kinesis`. Pure functions; imports only
:mod:`glue_serde.errors`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from glue_serde.errors import PayloadError, SerializationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from glue_serde._typing import Buffer

__all__ = [
    "KPL_MAGIC",
    "MAX_RECORD_SIZE",
    "AggregatedRecord",
    "BrokenUserRecord",
    "UserRecord",
    "aggregate",
    "aggregate_records",
    "aggregated_size",
    "deaggregate",
    "is_aggregated",
    "iter_user_records",
]

#: First four bytes of every KPL aggregate.
KPL_MAGIC: Final = b"\xf3\x89\x9a\xc2"
_DIGEST_SIZE: Final = 16
#: Kinesis limit for one record: data plus partition key, in bytes.
MAX_RECORD_SIZE: Final = 1024 * 1024
_MAX_VARINT_BYTES: Final = 10

_WT_VARINT: Final = 0
_WT_I64: Final = 1
_WT_LEN: Final = 2
_WT_I32: Final = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRecord:
    """One user record: what a producer put, before or after aggregation.

    Parameters
    ----------
    partition_key
        The record's partition key.
    data
        The record's bytes (a Glue frame when written by glue_serde).
    explicit_hash_key
        The explicit hash key, when one was given.
    sub_sequence_number
        Position inside its aggregate (0-based); None for a record that was not aggregated.
    """

    partition_key: str
    data: bytes
    explicit_hash_key: str | None = None
    sub_sequence_number: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AggregatedRecord:
    """An aggregate ready for ``put_record(s)``.

    Parameters
    ----------
    partition_key
        The partition key Kinesis routes the aggregate by (the first user record's).
    explicit_hash_key
        The first user record's explicit hash key, when it had one.
    data
        Magic, protobuf body and MD5.
    count
        How many user records it holds.
    """

    partition_key: str
    explicit_hash_key: str | None
    data: bytes
    count: int


def _as_bytes(data: object) -> bytes | None:
    """Return ``data`` as bytes, or None when it is not a bytes-like object."""
    if isinstance(data, bytes):
        return data
    try:
        return bytes(memoryview(data))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def is_aggregated(data: Buffer) -> bool:
    """Tell whether ``data`` is a well-formed KPL aggregate (magic present, MD5 matching).

    Parameters
    ----------
    data
        A Kinesis record's data.

    Returns
    -------
    bool
        True for an aggregate :func:`deaggregate` will split (it may still hold malformed
        user records); False for anything else, a non-bytes object included.

    Raises
    ------
    None
        Any object is accepted.
    """
    raw = _as_bytes(data)
    if raw is None or len(raw) < len(KPL_MAGIC) + _DIGEST_SIZE or raw[:4] != KPL_MAGIC:
        return False
    body = memoryview(raw)[len(KPL_MAGIC) : -_DIGEST_SIZE]  # hashed in place, not copied
    return hashlib.md5(body, usedforsecurity=False).digest() == raw[-_DIGEST_SIZE:]


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokenUserRecord:
    """A user record of a well-formed aggregate that cannot be read; its siblings can.

    Parameters
    ----------
    sub_sequence_number
        Its position inside the aggregate (0-based).
    error
        Why it cannot be read (index outside its table, missing field, nested aggregate...).
    body
        Its raw protobuf ``Record`` bytes, for a dead-letter store.
    """

    sub_sequence_number: int
    error: PayloadError
    body: bytes


def _malformed(reason: str) -> PayloadError:
    return PayloadError(f"malformed KPL aggregated record (MD5 matched): {reason}")


def _read_varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    for _ in range(_MAX_VARINT_BYTES):
        if pos >= end:
            raise _malformed("varint runs past the end")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if result >= 1 << 64:
                raise _malformed("varint larger than 64 bits")
            return result, pos
        shift += 7
    raise _malformed("varint longer than 10 bytes")


def _fields(buf: bytes, pos: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield ``(field number, wire type, value, end)`` inside ``buf[pos:end]``.

    For a varint or fixed-width field ``value`` is the number and ``end`` is unused (0); for
    a length-delimited field the value spans ``buf[value:end]``: nothing is copied here.
    """
    while pos < end:
        key, pos = _read_varint(buf, pos, end)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise _malformed("field number 0")
        if wire_type == _WT_VARINT:
            value, pos = _read_varint(buf, pos, end)
            yield number, wire_type, value, 0
        elif wire_type == _WT_LEN:
            length, pos = _read_varint(buf, pos, end)
            if length > end - pos:
                raise _malformed(f"field {number} claims {length} bytes, {end - pos} remain")
            yield number, wire_type, pos, pos + length
            pos += length
        elif wire_type in (_WT_I64, _WT_I32):
            size = 8 if wire_type == _WT_I64 else 4
            if size > end - pos:
                raise _malformed(f"fixed-width field {number} runs past the end")
            yield number, wire_type, int.from_bytes(buf[pos : pos + size], "little"), 0
            pos += size
        else:
            raise _malformed(f"unsupported wire type {wire_type} for field {number}")


def _text(buf: bytes, wire_type: int, start: int, end: int, what: str) -> str:
    if wire_type != _WT_LEN:
        raise _malformed(f"{what} is not length-delimited")
    try:
        return buf[start:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(f"{what} is not UTF-8") from exc


def _tables(raw: bytes, end: int) -> tuple[list[str], list[str], int]:
    """First pass over the aggregate: both key tables and the number of user records.

    Protobuf allows the tables after the records, so they must be read before any record
    can be resolved. Only the tables are kept (their strings are bounded by the input);
    a structural error anywhere in the outer message is raised here, before any user record
    is handed out, so a damaged aggregate never delivers a prefix and loses the rest.
    """
    pk_table: list[str] = []
    ehk_table: list[str] = []
    count = 0
    for number, wire_type, start, stop in _fields(raw, len(KPL_MAGIC), end):
        if number == 1:
            pk_table.append(_text(raw, wire_type, start, stop, "partition_key_table entry"))
        elif number == 2:
            ehk_table.append(_text(raw, wire_type, start, stop, "explicit_hash_key_table entry"))
        elif number == 3:
            if wire_type != _WT_LEN:
                raise _malformed("records entry is not length-delimited")
            count += 1
        # Unknown fields are skipped, as protobuf parsers do.
    if count == 0:
        raise _malformed("the aggregate holds no user records")
    return pk_table, ehk_table, count


def _user_record(
    raw: bytes, span: tuple[int, int], sub: int, tables: tuple[list[str], list[str]]
) -> UserRecord:
    """Read one ``Record`` message (``raw[span[0]:span[1]]``); raise PayloadError if bad."""
    pk_table, ehk_table = tables
    pk_index: int | None = None
    ehk_index: int | None = None
    payload: tuple[int, int] | None = None
    for number, wire_type, value, value_end in _fields(raw, *span):
        if number == 1:
            if wire_type != _WT_VARINT:
                raise _malformed(f"record {sub}: partition_key_index is not a varint")
            pk_index = value
        elif number == 2:
            if wire_type != _WT_VARINT:
                raise _malformed(f"record {sub}: explicit_hash_key_index is not a varint")
            ehk_index = value
        elif number == 3:
            if wire_type != _WT_LEN:
                raise _malformed(f"record {sub}: data is not length-delimited")
            payload = (value, value_end)
    if pk_index is None or payload is None:
        raise _malformed(f"record {sub}: required partition_key_index or data missing")
    if pk_index >= len(pk_table):
        raise _malformed(
            f"record {sub}: partition_key_index {pk_index} outside a table of {len(pk_table)}"
        )
    if ehk_index is not None and ehk_index >= len(ehk_table):
        raise _malformed(
            f"record {sub}: explicit_hash_key_index {ehk_index} outside a table of {len(ehk_table)}"
        )
    data = raw[payload[0] : payload[1]]
    if is_aggregated(data):
        raise _malformed(f"record {sub}: holds another KPL aggregate (the KPL never nests them)")
    return UserRecord(
        partition_key=pk_table[pk_index],
        data=data,
        explicit_hash_key=None if ehk_index is None else ehk_table[ehk_index],
        sub_sequence_number=sub,
    )


def iter_user_records(
    data: Buffer,
    *,
    partition_key: str = "",
    explicit_hash_key: str | None = None,
) -> Iterator[UserRecord | BrokenUserRecord]:
    """Yield the user records of a KPL aggregate one at a time, each on its own.

    The consumers' reader: a user record that cannot be read comes out as a
    :class:`BrokenUserRecord` in its place, and its siblings still come out. Memory stays
    bounded by the key tables: user records are read lazily.

    Parameters
    ----------
    data
        A Kinesis record's data.
    partition_key, explicit_hash_key
        Given to a plain (non-aggregated) record.

    Yields
    ------
    UserRecord or BrokenUserRecord
        In order; a plain record once, with ``sub_sequence_number`` None.

    Raises
    ------
    PayloadError
        ``data`` is not bytes-like, or the magic and MD5 are right but the outer message is
        malformed (truncated field, overlong varint, length past the end, a table entry that
        is not UTF-8) or holds no user record. Raised before anything is yielded.
    """
    raw = _as_bytes(data)
    if raw is None:
        raise PayloadError(f"Kinesis record data is a {type(data).__name__}, not bytes")
    if not is_aggregated(raw):
        yield UserRecord(partition_key=partition_key, data=raw, explicit_hash_key=explicit_hash_key)
        return
    end = len(raw) - _DIGEST_SIZE
    pk_table, ehk_table, _ = _tables(raw, end)
    tables = (pk_table, ehk_table)
    sub = 0
    for number, _wire_type, start, stop in _fields(raw, len(KPL_MAGIC), end):
        if number != 3:
            continue
        try:
            yield _user_record(raw, (start, stop), sub, tables)
        except PayloadError as exc:
            yield BrokenUserRecord(sub_sequence_number=sub, error=exc, body=raw[start:stop])
        sub += 1


def deaggregate(
    data: Buffer,
    *,
    partition_key: str = "",
    explicit_hash_key: str | None = None,
) -> list[UserRecord]:
    """Split a KPL aggregate into its user records; anything else is one plain record.

    Parameters
    ----------
    data
        A Kinesis record's data.
    partition_key
        The Kinesis record's partition key, given to a plain (non-aggregated) record.
    explicit_hash_key
        The Kinesis record's explicit hash key, given to a plain record.

    Returns
    -------
    list of UserRecord
        The user records in order (``sub_sequence_number`` 0, 1, ...), or the input as one
        plain record (``sub_sequence_number`` None) when it is not a valid aggregate.

    Raises
    ------
    PayloadError
        The magic and MD5 are right but the protobuf body is malformed: a truncated field,
        an overlong varint, a length past the end, an index outside its table, a missing
        required field, a nested aggregate or no user record at all. Never a silent drop.
        (The consumers in :mod:`~glue_serde.integrations.kinesis` and
        :mod:`~glue_serde.integrations.aws_lambda.kinesis` read user records one by one instead,
        so one malformed user record does not take its siblings with it.)

    Examples
    --------
    >>> blob = aggregate([UserRecord(partition_key="k", data=b"a")]).data
    >>> [r.data for r in deaggregate(blob)]
    [b'a']
    """
    records: list[UserRecord] = []
    for user in iter_user_records(
        data, partition_key=partition_key, explicit_hash_key=explicit_hash_key
    ):
        if isinstance(user, BrokenUserRecord):
            raise user.error
        records.append(user)
    return records


# ---------------------------------------------------------------------------------------------
# Writing


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _len_field(number: int, payload: bytes) -> bytes:
    return _varint((number << 3) | _WT_LEN) + _varint(len(payload)) + payload


def _record_body(pk_index: int, ehk_index: int | None, data: bytes) -> bytes:
    body = _varint((1 << 3) | _WT_VARINT) + _varint(pk_index)
    if ehk_index is not None:
        body += _varint((2 << 3) | _WT_VARINT) + _varint(ehk_index)
    return body + _len_field(3, data)


class _Builder:
    """Accumulates user records into one aggregate, tracking its exact size."""

    def __init__(self) -> None:
        self.pk_index: dict[str, int] = {}
        self.ehk_index: dict[str, int] = {}
        self.tables = bytearray()
        self.records = bytearray()
        self.first: UserRecord | None = None
        self.count = 0

    def size_with(self, record: UserRecord) -> int:
        """Size of the aggregate (plus its partition key) if ``record`` were added."""
        extra_tables = 0
        pk_i = self.pk_index.get(record.partition_key, len(self.pk_index))
        if record.partition_key not in self.pk_index:
            extra_tables += len(_len_field(1, record.partition_key.encode()))
        ehk_i: int | None = None
        if record.explicit_hash_key is not None:
            ehk_i = self.ehk_index.get(record.explicit_hash_key, len(self.ehk_index))
            if record.explicit_hash_key not in self.ehk_index:
                extra_tables += len(_len_field(2, record.explicit_hash_key.encode()))
        rec = len(_len_field(3, _record_body(pk_i, ehk_i, record.data)))
        first = self.first or record
        key_size = len(first.partition_key.encode())
        body = len(self.tables) + extra_tables + len(self.records) + rec
        return len(KPL_MAGIC) + body + _DIGEST_SIZE + key_size

    def add(self, record: UserRecord) -> None:
        if record.partition_key not in self.pk_index:
            self.pk_index[record.partition_key] = len(self.pk_index)
            self.tables += _len_field(1, record.partition_key.encode())
        ehk_i: int | None = None
        if record.explicit_hash_key is not None:
            if record.explicit_hash_key not in self.ehk_index:
                self.ehk_index[record.explicit_hash_key] = len(self.ehk_index)
                self.tables += _len_field(2, record.explicit_hash_key.encode())
            ehk_i = self.ehk_index[record.explicit_hash_key]
        body = _record_body(self.pk_index[record.partition_key], ehk_i, record.data)
        self.records += _len_field(3, body)
        if self.first is None:
            self.first = record
        self.count += 1

    def build(self) -> AggregatedRecord:
        assert self.first is not None
        # Fields may appear in any order in protobuf; tables first reads naturally.
        body = bytes(self.tables + self.records)
        digest = hashlib.md5(body, usedforsecurity=False).digest()
        return AggregatedRecord(
            partition_key=self.first.partition_key,
            explicit_hash_key=self.first.explicit_hash_key,
            data=KPL_MAGIC + body + digest,
            count=self.count,
        )


def aggregated_size(records: Iterable[UserRecord]) -> int:
    """Return the Kinesis-counted size (data + partition key) of aggregating ``records``.

    Parameters
    ----------
    records
        User records.

    Returns
    -------
    int
        Bytes the aggregate would count against the 1 MiB record limit.

    Raises
    ------
    None
        Any records are accepted.
    """
    builder = _Builder()
    size = 0
    for record in records:
        size = builder.size_with(record)
        builder.add(record)
    return size


def aggregate(
    records: Iterable[UserRecord], *, max_size: int = MAX_RECORD_SIZE
) -> AggregatedRecord:
    """Pack user records into one KPL aggregate (tables deduplicated).

    Parameters
    ----------
    records
        At least one user record.
    max_size
        Limit on data plus partition key (Kinesis: 1 MiB).

    Returns
    -------
    AggregatedRecord
        The aggregate, routed by the first record's partition key.

    Raises
    ------
    SerializationError
        ``records`` is empty, or the aggregate would exceed ``max_size``.
    """
    packed = aggregate_records(records, max_size=max_size)
    if len(packed) > 1:
        raise SerializationError(
            f"{sum(a.count for a in packed)} user records do not fit in one {max_size}-byte "
            "aggregate; use aggregate_records() to split them"
        )
    return packed[0]


def aggregate_records(
    records: Iterable[UserRecord], *, max_size: int = MAX_RECORD_SIZE
) -> list[AggregatedRecord]:
    """Pack user records, in order, into as few aggregates as fit ``max_size`` each.

    Parameters
    ----------
    records
        At least one user record.
    max_size
        Limit on data plus partition key of each aggregate (Kinesis: 1 MiB).

    Returns
    -------
    list of AggregatedRecord
        Aggregates holding every record exactly once, in order.

    Raises
    ------
    SerializationError
        ``records`` is empty, or one record alone exceeds ``max_size``.
    """
    records = list(records)
    if not records:
        raise SerializationError("cannot aggregate zero records")
    out: list[AggregatedRecord] = []
    builder = _Builder()
    for record in records:
        if builder.size_with(record) > max_size:
            if builder.count == 0:
                raise SerializationError(
                    f"user record of {len(record.data)} bytes does not fit in a "
                    f"{max_size}-byte aggregate"
                )
            out.append(builder.build())
            builder = _Builder()
            if builder.size_with(record) > max_size:
                raise SerializationError(
                    f"user record of {len(record.data)} bytes does not fit in a "
                    f"{max_size}-byte aggregate"
                )
        builder.add(record)
    out.append(builder.build())
    return out
