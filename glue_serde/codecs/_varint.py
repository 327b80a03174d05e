"""Unsigned base-128 varints, as protobuf's ``writeUInt32NoTag`` / ``readUInt32`` use them.

The Glue protobuf payload starts with the message index written by Java's
``CodedOutputStream.writeUInt32NoTag`` (``ProtobufWireFormatEncoder``): seven bits per byte,
least significant group first, high bit set on every byte but the last. It is **not** zig-zag
(the Java Javadoc says otherwise; the code does not) and **not** Confluent's array of indices.

Reading is strict where protobuf's own reader is lenient, because the index is a header field
and not part of any message:

- at most 5 bytes (a uint32 needs no more), and the value must fit in 32 bits;
- no overlong forms (a final ``0x00`` byte after a continuation, e.g. ``80 00`` for 0), so each
  index has exactly one encoding;
- a continuation bit on the last available byte is truncation.

Each violation raises :class:`~glue_serde.errors.PayloadError`.

Imports only :mod:`glue_serde.errors` and :mod:`glue_serde.enums`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from glue_serde.enums import DataFormat
from glue_serde.errors import PayloadError

if TYPE_CHECKING:
    from glue_serde._typing import Buffer

__all__ = ["MAX_UINT32", "MAX_VARINT32_SIZE", "decode_uvarint32", "encode_uvarint32"]

#: Largest value a message index can take.
MAX_UINT32: Final = 0xFFFFFFFF
#: Bytes needed for the largest uint32 (``ceil(32 / 7)``).
MAX_VARINT32_SIZE: Final = 5

# Indices 0-127 are one byte and cover nearly every real schema: precompute them.
_ONE_BYTE: Final = tuple(bytes((i,)) for i in range(128))


def encode_uvarint32(value: int) -> bytes:
    """Encode a uint32 as an unsigned base-128 varint.

    Parameters
    ----------
    value
        0 to 2**32 - 1.

    Returns
    -------
    bytes
        One to five bytes: 0 -> ``00``, 127 -> ``7f``, 128 -> ``80 01``, 300 -> ``ac 02``.

    Raises
    ------
    ValueError
        If ``value`` is negative or above 2**32 - 1 (a programming error, not a data error).
    """
    if 0 <= value < 128:
        return _ONE_BYTE[value]
    if value < 0 or value > MAX_UINT32:
        raise ValueError(f"varint value out of uint32 range: {value}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_uvarint32(data: Buffer, offset: int = 0) -> tuple[int, int]:
    """Decode one unsigned varint (uint32) starting at ``offset``.

    Parameters
    ----------
    data
        The buffer to read from.
    offset
        Where the varint starts.

    Returns
    -------
    tuple[int, int]
        The value and the offset just past the varint.

    Raises
    ------
    PayloadError
        If the buffer ends inside the varint (or is empty), the varint is longer than five
        bytes, its value exceeds 32 bits, or it is written in an overlong form.
    """
    end = len(data)
    if offset >= end:
        raise PayloadError(
            "protobuf payload is empty: the message index varint is missing",
            data_format=DataFormat.PROTOBUF,
        )
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    result = first & 0x7F
    shift = 7
    pos = offset + 1
    while True:
        if pos - offset >= MAX_VARINT32_SIZE:
            raise PayloadError(
                f"message index varint is longer than {MAX_VARINT32_SIZE} bytes",
                data_format=DataFormat.PROTOBUF,
            )
        if pos >= end:
            raise PayloadError(
                "protobuf payload ends inside the message index varint",
                data_format=DataFormat.PROTOBUF,
            )
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            if byte == 0:
                raise PayloadError(
                    "message index varint is overlong (ends with a zero byte)",
                    data_format=DataFormat.PROTOBUF,
                )
            if result > MAX_UINT32:
                raise PayloadError(
                    f"message index varint exceeds 32 bits: {result}",
                    data_format=DataFormat.PROTOBUF,
                )
            return result, pos
        shift += 7
