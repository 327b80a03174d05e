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

Decisions (see ``reference/integrations.md`` §3):

- no magic, or magic with a wrong MD5 -> one plain record, as the Java KCL's
  ``AggregatorUtil`` does. A plain record that starts with ``F3`` then fails the Glue frame
  check, so it is never silently lost.
- magic and a matching MD5 but a malformed body (truncated field, overlong varint, length past
  the end, index outside its table, missing required field) -> :class:`PayloadError`: the KPL
  wrote it, something is wrong, and guessing would drop or corrupt user records.

Shared by :mod:`glue_serde.integrations.kinesis` and :mod:`glue_serde.integrations.aws_lambda`.
Pure functions; imports only :mod:`glue_serde.errors`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from glue_serde.errors import PayloadError, SerializationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from glue_serde._typing import Buffer

__all__ = [
    "KPL_MAGIC",
    "MAX_RECORD_SIZE",
    "AggregatedRecord",
    "UserRecord",
    "aggregate",
    "aggregate_records",
    "aggregated_size",
    "deaggregate",
    "is_aggregated",
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


def is_aggregated(data: Buffer) -> bool:
    """Tell whether ``data`` is a well-formed KPL aggregate (magic present, MD5 matching).

    Parameters
    ----------
    data
        A Kinesis record's data.

    Returns
    -------
    bool
        True for an aggregate :func:`deaggregate` will split.

    Raises
    ------
    None
        Any bytes are accepted.
    """
    if len(data) < len(KPL_MAGIC) + _DIGEST_SIZE or bytes(data[:4]) != KPL_MAGIC:
        return False
    body = bytes(data[4:-_DIGEST_SIZE])
    return hashlib.md5(body, usedforsecurity=False).digest() == bytes(data[-_DIGEST_SIZE:])


# ---------------------------------------------------------------------------------------------
# Reading


def _malformed(reason: str) -> PayloadError:
    return PayloadError(f"malformed KPL aggregated record (MD5 matched): {reason}")


def _read_varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    for i in range(_MAX_VARINT_BYTES):
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
        if i == _MAX_VARINT_BYTES - 1:
            break
    raise _malformed("varint longer than 10 bytes")


def _fields(buf: bytes, pos: int, end: int) -> Iterable[tuple[int, int, int | bytes]]:
    """Yield ``(field number, wire type, value)``; LEN values as bytes, bounded by ``end``."""
    while pos < end:
        key, pos = _read_varint(buf, pos, end)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise _malformed("field number 0")
        value: int | bytes
        if wire_type == _WT_VARINT:
            value, pos = _read_varint(buf, pos, end)
        elif wire_type == _WT_LEN:
            length, pos = _read_varint(buf, pos, end)
            if length > end - pos:
                raise _malformed(f"field {number} claims {length} bytes, {end - pos} remain")
            value = buf[pos : pos + length]
            pos += length
        elif wire_type in (_WT_I64, _WT_I32):
            size = 8 if wire_type == _WT_I64 else 4
            if size > end - pos:
                raise _malformed(f"fixed-width field {number} runs past the end")
            value = int.from_bytes(buf[pos : pos + size], "little")
            pos += size
        else:
            raise _malformed(f"unsupported wire type {wire_type} for field {number}")
        yield number, wire_type, value


def _text(value: int | bytes, what: str) -> str:
    if not isinstance(value, bytes):
        raise _malformed(f"{what} is not length-delimited")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(f"{what} is not UTF-8") from exc


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
        an overlong varint, a length past the end, an index outside its table or a missing
        required field. Never a silent drop.

    Examples
    --------
    >>> blob = aggregate([UserRecord(partition_key="k", data=b"a")]).data
    >>> [r.data for r in deaggregate(blob)]
    [b'a']
    """
    raw = bytes(data)
    if not is_aggregated(raw):
        return [
            UserRecord(partition_key=partition_key, data=raw, explicit_hash_key=explicit_hash_key)
        ]
    end = len(raw) - _DIGEST_SIZE
    pk_table: list[str] = []
    ehk_table: list[str] = []
    bodies: list[bytes] = []
    for number, _, value in _fields(raw, len(KPL_MAGIC), end):
        if number == 1:
            pk_table.append(_text(value, "partition_key_table entry"))
        elif number == 2:
            ehk_table.append(_text(value, "explicit_hash_key_table entry"))
        elif number == 3:
            if not isinstance(value, bytes):
                raise _malformed("records entry is not length-delimited")
            bodies.append(value)
        # Unknown fields are skipped, as protobuf parsers do.
    records: list[UserRecord] = []
    for sub, body in enumerate(bodies):
        pk_index: int | None = None
        ehk_index: int | None = None
        payload: bytes | None = None
        for number, wire_type, value in _fields(body, 0, len(body)):
            if number == 1:
                if wire_type != _WT_VARINT or not isinstance(value, int):
                    raise _malformed(f"record {sub}: partition_key_index is not a varint")
                pk_index = value
            elif number == 2:
                if wire_type != _WT_VARINT or not isinstance(value, int):
                    raise _malformed(f"record {sub}: explicit_hash_key_index is not a varint")
                ehk_index = value
            elif number == 3:
                if not isinstance(value, bytes):
                    raise _malformed(f"record {sub}: data is not length-delimited")
                payload = value
        if pk_index is None or payload is None:
            raise _malformed(f"record {sub}: required partition_key_index or data missing")
        if pk_index >= len(pk_table):
            raise _malformed(
                f"record {sub}: partition_key_index {pk_index} outside a table of {len(pk_table)}"
            )
        if ehk_index is not None and ehk_index >= len(ehk_table):
            raise _malformed(
                f"record {sub}: explicit_hash_key_index {ehk_index} outside a table of "
                f"{len(ehk_table)}"
            )
        records.append(
            UserRecord(
                partition_key=pk_table[pk_index],
                data=payload,
                explicit_hash_key=None if ehk_index is None else ehk_table[ehk_index],
                sub_sequence_number=sub,
            )
        )
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
