"""The Glue Schema Registry frame: an 18-byte header, then the payload.

::

    offset  size  content
    0       1     header version, always 0x03        (Java HEADER_VERSION_BYTE)
    1       1     compression: 0x00 none, 0x05 zlib  (Java COMPRESSION_*_BYTE);
                  0x5A zstd, glue_serde's own extension (see glue_serde.compression)
    2       16    schema version id, RFC 4122 order  (Java putLong(msb); putLong(lsb), big-endian)
    18      n     payload; with 0x05 the whole payload is one zlib stream

The version id bytes are ``uuid.UUID(...).bytes``, **not** ``bytes_le``: the Java encoder
(``SerializationDataEncoder``) writes the most significant long first into a big-endian
buffer, which is the textual UUID's hex digits in order.

Readers check, in the Java order (``GlueSchemaRegistryDeserializerDataParser``): length >= 18,
then byte 0, then byte 1. :func:`peek_schema_version_id` and :func:`split_frame` stop there, so
a consumer can fetch the writer schema before it decompresses, as Java does; a bad compression
byte therefore fails before any registry call and a corrupt zlib body after it.

Every reader takes the frame as a sequence of bytes: ``bytes``, ``bytearray`` or a
``memoryview`` of format ``B``. Anything else, including a ``memoryview`` of wider items
(``memoryview(array("I", ...))``, which would index and measure in 4-byte items), is a
:class:`~glue_serde.errors.FrameError` with ``reason="not_bytes"``; cast such a view with
``.cast("B")``. A frame shorter than the header is ``reason="too_short"``; its message and
``header_version`` name byte 0 when there is one, and say so when it is ``0x00``, the first
byte of Confluent's framing (a Confluent-framed key or value read as a Glue frame).

The format byte by byte, payloads and test vectors included, is in ``docs/wire-format.md``.

No I/O. Imports only the package's base modules and :mod:`glue_serde.compression`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from glue_serde.compression import (
    COMPRESSION_BY_BYTE,
    COMPRESSION_ZSTD,
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    HEADER_BYTE,
    byte_buffer,
    check_max_decompressed_size,
    check_writable,
    compress,
    decompress,
    zstd_available,
)
from glue_serde.enums import Compression
from glue_serde.errors import ConfigurationError, FrameError, _brief

if TYPE_CHECKING:
    from glue_serde._typing import Buffer

__all__ = [
    "HEADER_SIZE",
    "HEADER_VERSION",
    "SCHEMA_VERSION_ID_SIZE",
    "Frame",
    "decode_frame",
    "encode_frame",
    "encode_header",
    "peek_schema_version_id",
    "split_frame",
]

#: Byte 0 of every frame (Java ``HEADER_VERSION_BYTE``).
HEADER_VERSION: Final = 3
#: Length of the version id (Java ``SCHEMA_VERSION_ID_SIZE``).
SCHEMA_VERSION_ID_SIZE: Final = 16
#: Header length: version byte, compression byte, version id.
HEADER_SIZE: Final = 2 + SCHEMA_VERSION_ID_SIZE


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    """A decoded frame.

    Parameters
    ----------
    header_version
        Byte 0; always 3 for a frame that decoded.
    compression
        The compression named by byte 1.
    schema_version_id
        The writer schema's version id.
    payload
        The payload after decompression: the datum's encoding (for Protobuf, the message
        index varint then the message).
    """

    header_version: int
    compression: Compression
    schema_version_id: uuid.UUID
    payload: bytes


def encode_header(
    schema_version_id: uuid.UUID,
    *,
    compression: Compression = Compression.NONE,
    allow_non_java_compression: bool = False,
) -> bytes:
    """Return the 18-byte header for a version id.

    Producers build this once per schema version and prepend it to every payload.

    Parameters
    ----------
    schema_version_id
        The version id to embed.
    compression
        The compression the payload will use.
    allow_non_java_compression
        Required (``True``) for ``ZSTD``, which only glue_serde reads.

    Returns
    -------
    bytes
        ``03``, the compression byte, the 16 id bytes.

    Raises
    ------
    ConfigurationError
        If ``schema_version_id`` is not a ``uuid.UUID``, ``compression`` is unknown, or it is
        ``ZSTD`` without ``allow_non_java_compression=True`` (or without ``zstandard``).
    """
    if not isinstance(schema_version_id, uuid.UUID):
        raise ConfigurationError(
            f"schema_version_id must be a uuid.UUID, not {type(schema_version_id).__name__}"
        )
    try:
        byte1 = HEADER_BYTE[compression]
    except (KeyError, TypeError):  # TypeError: an unhashable value
        raise ConfigurationError(f"unsupported compression: {_brief(compression)}") from None
    check_writable(compression, allow_non_java_compression)
    return bytes((HEADER_VERSION, byte1)) + schema_version_id.bytes


def encode_frame(
    schema_version_id: uuid.UUID,
    payload: Buffer,
    *,
    compression: Compression = Compression.NONE,
    allow_non_java_compression: bool = False,
) -> bytes:
    r"""Frame an encoded datum: header, then the (optionally compressed) payload.

    Parameters
    ----------
    schema_version_id
        The writer schema's version id.
    payload
        The datum's encoding (for Protobuf, message index included).
    compression
        ``NONE`` (the Java default) or ``ZLIB``; compression covers the whole payload.
        ``ZSTD`` only with ``allow_non_java_compression=True``.
    allow_non_java_compression
        Opt in to ``ZSTD``, which only glue_serde reads (Java's readers refuse the frame).

    Returns
    -------
    bytes
        A frame any Glue reader accepts (with ``NONE`` or ``ZLIB``).

    Raises
    ------
    ConfigurationError
        If ``schema_version_id`` is not a ``uuid.UUID``, ``compression`` is unknown, or it is
        ``ZSTD`` without the opt-in (or without ``zstandard``).
    ValidationError
        If ``payload`` is not bytes-like.

    Examples
    --------
    >>> import uuid
    >>> from glue_serde import encode_frame
    >>> encode_frame(uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63"), b"\\x02").hex()
    '0300b7b4a7f09c964e4aa687fb5de9ef0c6302'
    """
    header = encode_header(
        schema_version_id,
        compression=compression,
        allow_non_java_compression=allow_non_java_compression,
    )
    return header + compress(compression, payload)


def split_frame(data: Buffer) -> tuple[Compression, bytes, Buffer]:
    """Check a frame's header and split it, without decompressing.

    This is the hot-path primitive: it returns the version id as its raw 16 bytes so callers
    can key caches on them without building a ``uuid.UUID`` per record.

    Parameters
    ----------
    data
        A whole frame.

    Returns
    -------
    tuple
        ``(compression, raw 16-byte version id, payload as stored)``. The payload is a slice of
        ``data`` (a ``memoryview`` slice when ``data`` is one).

    Raises
    ------
    FrameError
        If ``data`` is not a byte sequence (see the module docstring), is shorter than 18
        bytes, byte 0 is not 3 or byte 1 is not a known compression (``0x5A``, zstd, is known
        only where the ``zstandard`` package is installed), checked in that order.
    """
    if type(data) is not bytes:
        data = byte_buffer(data)
    if len(data) < HEADER_SIZE:
        raise _too_short(data)
    byte0 = data[0]
    if byte0 != HEADER_VERSION:
        raise FrameError(
            f"invalid header version byte 0x{byte0:02x}; Glue frames start with 0x03"
            + _CONFLUENT_HINT * (byte0 == 0),
            reason="header_version",
            length=len(data),
            header_version=byte0,
            compression_byte=data[1],
        )
    byte1 = data[1]
    compression = COMPRESSION_BY_BYTE.get(byte1)
    if compression is None:
        if byte1 == COMPRESSION_ZSTD and zstd_available():
            compression = Compression.ZSTD
        else:
            raise _bad_compression(data, byte1)
    return compression, bytes(data[2:HEADER_SIZE]), data[HEADER_SIZE:]


def _bad_compression(data: Buffer, byte1: int) -> FrameError:
    hint = (
        "; 0x5a is glue_serde's zstd, readable with the zstandard package: "
        "pip install 'glue-serde[zstd]'"
        if byte1 == COMPRESSION_ZSTD
        else ""
    )
    return FrameError(
        f"invalid compression byte 0x{byte1:02x}; the Glue wire format knows only "
        f"0x00 (none) and 0x05 (zlib){hint}",
        reason="compression",
        length=len(data),
        header_version=data[0],
        compression_byte=byte1,
    )


_CONFLUENT_HINT: Final = (
    " (0x00 starts Confluent framing: 0x00, a 4-byte schema id, the datum; was the record "
    "written by a Confluent serializer?)"
)


def _too_short(data: Buffer) -> FrameError:
    length = len(data)
    if length == 0:
        where = "it is empty"
    else:
        byte0 = data[0]
        where = f"its header version byte is 0x{byte0:02x}"
        if byte0 == HEADER_VERSION:
            where += " (a Glue frame cut short?)"
        elif byte0 == 0:
            where += _CONFLUENT_HINT
        else:
            where += "; Glue frames start with 0x03"
    return FrameError(
        f"data is not a Glue schema registry frame: {length} byte{'s' * (length != 1)}, the "
        f"header alone is {HEADER_SIZE}; {where}",
        reason="too_short",
        length=length,
        header_version=data[0] if length else None,
        compression_byte=data[1] if length > 1 else None,
    )


def peek_schema_version_id(data: Buffer) -> uuid.UUID:
    """Return the version id of a frame without decompressing its payload.

    Parameters
    ----------
    data
        A whole frame.

    Returns
    -------
    uuid.UUID
        The writer schema's version id.

    Raises
    ------
    FrameError
        As :func:`split_frame`.
    """
    return uuid.UUID(bytes=split_frame(data)[1])


def decode_frame(
    data: Buffer, *, max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE
) -> Frame:
    r"""Check and decode a frame, decompressing its payload.

    Parameters
    ----------
    data
        A whole frame.
    max_decompressed_size
        Largest payload accepted after decompression, in bytes: an ``int`` from 1 to
        :data:`~glue_serde.compression.MAX_DECOMPRESSED_SIZE_LIMIT`.

    Returns
    -------
    Frame
        The header fields and the decompressed payload.

    Raises
    ------
    ConfigurationError
        If ``max_decompressed_size`` is not a usable limit (checked before the frame).
    FrameError
        If the header is short or malformed (see :func:`split_frame`).
    DecompressionError
        If a zlib payload is corrupt, truncated, followed by trailing bytes or too large.

    Examples
    --------
    >>> from glue_serde import decode_frame
    >>> f = decode_frame(bytes.fromhex("0300b7b4a7f09c964e4aa687fb5de9ef0c6302"))
    >>> str(f.schema_version_id), f.payload
    ('b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63', b'\\x02')
    """
    check_max_decompressed_size(max_decompressed_size)
    compression, raw_id, stored = split_frame(data)
    version_id = uuid.UUID(bytes=raw_id)
    return Frame(
        header_version=HEADER_VERSION,
        compression=compression,
        schema_version_id=version_id,
        payload=decompress(
            compression, stored, max_size=max_decompressed_size, schema_version_id=version_id
        ),
    )
