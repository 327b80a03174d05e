"""Payload compression, keyed by the frame's header byte 1.

Only two bytes exist in the Glue wire format (Java ``AWSSchemaRegistryConstants``):
``0x00`` no compression and ``0x05`` zlib. zlib here is what ``java.util.zip.Deflater()``
writes: an RFC 1950 *zlib* stream (2-byte header, deflate data, Adler-32 trailer), not raw
deflate and not gzip. ``zlib.compress`` at the default level produced byte-identical output to
the JDK on stock zlib 1.2.13; other zlib builds may differ, so compare frames only after
decompressing.

Unlike the Java reader (``GlueSchemaRegistryDefaultCompression``), decompression here

* is **bounded**: output stops at ``max_size`` bytes, so a 130 KB record that inflates to
  128 MiB costs at most ``max_size`` of memory and raises :class:`DecompressionError`;
* **never spins**: a truncated stream, or an empty payload, raises instead of looping (Java's
  ``while (!inflater.finished())`` loop has no ``needsInput()`` guard);
* **refuses trailing bytes** after the end of the stream (Java and ``zlib.decompress`` ignore
  them; no known writer emits them, so they mean corruption);
* **checks its limit**: ``max_size`` must be an ``int`` from 1 to
  :data:`MAX_DECOMPRESSED_SIZE_LIMIT` (2 GiB - 1, the largest record Kafka or a Java byte array
  can hold); anything else (``-1``, ``0``, ``True``, a float, ``10**30``) is a
  :class:`~glue_serde.errors.ConfigurationError`. zlib reads a limit of 0 as "no limit", so an
  unchecked ``-1`` would have let a bomb inflate without bound.

Payloads are read by their bytes: ``bytes``, ``bytearray`` or a ``memoryview`` of format ``B``
(a view of wider items, such as ``memoryview(array('I', ...))``, is a
:class:`~glue_serde.errors.FrameError`, as everywhere a frame is read; cast it with
``.cast("B")``).

No I/O, no global state. Imports only the package's base modules.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Final

from glue_serde.enums import Compression
from glue_serde.errors import (
    ConfigurationError,
    DecompressionError,
    FrameError,
    ValidationError,
    _brief,
)

if TYPE_CHECKING:
    import uuid

    from glue_serde._typing import Buffer

__all__ = [
    "COMPRESSION_BY_BYTE",
    "COMPRESSION_NONE",
    "COMPRESSION_ZLIB",
    "DEFAULT_MAX_DECOMPRESSED_SIZE",
    "HEADER_BYTE",
    "MAX_DECOMPRESSED_SIZE_LIMIT",
    "byte_buffer",
    "check_max_decompressed_size",
    "compress",
    "decompress",
]

#: Header byte 1 for an uncompressed payload (Java ``COMPRESSION_DEFAULT_BYTE``).
COMPRESSION_NONE: Final = 0x00
#: Header byte 1 for a zlib payload (Java ``COMPRESSION_BYTE``).
COMPRESSION_ZLIB: Final = 0x05

#: Header byte 1 -> compression. Any other byte is a :class:`~glue_serde.errors.FrameError`.
COMPRESSION_BY_BYTE: Final[dict[int, Compression]] = {
    COMPRESSION_NONE: Compression.NONE,
    COMPRESSION_ZLIB: Compression.ZLIB,
}
#: Compression -> header byte 1.
HEADER_BYTE: Final[dict[Compression, int]] = {c: b for b, c in COMPRESSION_BY_BYTE.items()}

#: Default bound on a decompressed payload. Kafka's default maximum message is 1 MB and a
#: Kinesis record at most 10 MiB, so 16 MiB leaves room without letting a zip bomb in.
DEFAULT_MAX_DECOMPRESSED_SIZE: Final = 16 * 1024 * 1024
#: Largest ``max_decompressed_size`` accepted: 2 GiB - 1 (Kafka's ``message.max.bytes`` and a
#: Java byte array are both bounded by it). Larger values are configuration mistakes.
MAX_DECOMPRESSED_SIZE_LIMIT: Final = 2**31 - 1

#: Output produced per inflate step once a payload outgrows the first step.
_CHUNK: Final = 256 * 1024
# Module-level aliases: the per-record path avoids an enum and a module attribute lookup.
_NONE: Final = Compression.NONE
_ZLIB: Final = Compression.ZLIB
_decompressobj: Final = zlib.decompressobj


def check_max_decompressed_size(value: object, name: str = "max_decompressed_size") -> int:
    """Return ``value`` if it is a usable decompression limit, else raise.

    Parameters
    ----------
    value
        The limit, in bytes.
    name
        The parameter's name, for the message.

    Returns
    -------
    int
        ``value`` unchanged.

    Raises
    ------
    ConfigurationError
        If ``value`` is not an ``int`` (``bool`` included) from 1 to
        :data:`MAX_DECOMPRESSED_SIZE_LIMIT`.
    """
    if type(value) is not int or not 0 < value <= MAX_DECOMPRESSED_SIZE_LIMIT:
        raise ConfigurationError(
            f"{name} must be an int from 1 to {MAX_DECOMPRESSED_SIZE_LIMIT} bytes, "
            f"not {_brief(value)}"
        )
    return value


def byte_buffer(data: object, what: str = "a Glue schema registry frame") -> Buffer:
    """Return ``data`` if it reads as a sequence of bytes, else raise :class:`FrameError`.

    ``bytes``, ``bytearray`` and ``memoryview`` objects of format ``B`` are byte sequences.
    A ``memoryview`` of wider items (``memoryview(array("I", ...))``) indexes and measures in
    items, not bytes, so it is refused rather than read wrongly; so is anything that is not
    bytes-like.

    Parameters
    ----------
    data
        The object to check.
    what
        What the bytes are, for the message.

    Returns
    -------
    Buffer
        ``data`` itself.

    Raises
    ------
    FrameError
        With ``reason="not_bytes"``.
    """
    kind = type(data)
    if kind is bytes or kind is bytearray:
        return data  # type: ignore[return-value]
    if isinstance(data, memoryview):
        try:
            if data.format == "B" and data.ndim == 1:
                return data
        except ValueError as exc:  # a released view refuses every access
            raise FrameError(
                f"{what} is a released memoryview", reason="not_bytes", length=0
            ) from exc
        raise FrameError(
            f"{what} is read as bytes: a memoryview of format {data.format!r} "
            f"({data.itemsize}-byte items, {data.ndim} dimension(s)) is not; pass "
            "memoryview(...).cast('B') or bytes(...)",
            reason="not_bytes",
            length=data.nbytes,
        )
    if isinstance(data, (bytes, bytearray)):  # subclasses
        return data
    raise FrameError(
        f"{what} is bytes, bytearray or memoryview, not {kind.__name__}",
        reason="not_bytes",
        length=0,
    )


def compress(compression: Compression, payload: Buffer) -> bytes:
    """Compress a payload as the header's compression byte will announce.

    Parameters
    ----------
    compression
        ``NONE`` returns the payload unchanged; ``ZLIB`` writes a zlib stream at the default
        level, as Java's ``Deflater()`` does.
    payload
        The encoded datum (for Protobuf, message index included).

    Returns
    -------
    bytes
        The bytes to place after the 18-byte header.

    Raises
    ------
    ConfigurationError
        If ``compression`` is not a :class:`~glue_serde.enums.Compression`.
    ValidationError
        If ``payload`` is not bytes-like.
    """
    try:
        # memoryview() accepts exactly the objects with the buffer protocol (bytes(3) or
        # bytes([1, 2]) would build bytes from an int or a list).
        data = payload if type(payload) is bytes else memoryview(payload)
        if compression is Compression.NONE:
            return bytes(data)
        if compression is Compression.ZLIB:
            return zlib.compress(data)
    except TypeError as exc:
        raise ValidationError(
            f"a payload to frame is bytes-like, not {type(payload).__name__}"
        ) from exc
    raise ConfigurationError(f"unsupported compression: {_brief(compression)}")


def decompress(
    compression: Compression,
    payload: Buffer,
    *,
    max_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
    schema_version_id: uuid.UUID | None = None,
) -> bytes:
    """Undo :func:`compress`, refusing corrupt, truncated, padded or oversized input.

    Parameters
    ----------
    compression
        The compression named by the frame header.
    payload
        Bytes after the 18-byte header.
    max_size
        Largest decompressed payload accepted, in bytes: an ``int`` from 1 to
        :data:`MAX_DECOMPRESSED_SIZE_LIMIT`.
    schema_version_id
        Carried into the error for context.

    Returns
    -------
    bytes
        The decompressed payload.

    Raises
    ------
    ConfigurationError
        If ``max_size`` is not a usable limit (see :func:`check_max_decompressed_size`).
    FrameError
        If ``payload`` is not a byte sequence (see :func:`byte_buffer`).
    DecompressionError
        If the stream is corrupt (bad header, bad data, bad Adler-32), truncated or empty,
        followed by trailing bytes, or would decompress to more than ``max_size`` bytes.
    """
    if type(max_size) is not int or not 0 < max_size <= MAX_DECOMPRESSED_SIZE_LIMIT:
        check_max_decompressed_size(max_size)
    if type(payload) is not bytes:
        payload = byte_buffer(payload, "a payload")
    if compression is _NONE:
        if len(payload) > max_size:
            raise DecompressionError(
                f"payload of {len(payload)} bytes exceeds the limit of {max_size} bytes",
                compression=compression,
                reason="too_large",
                schema_version_id=schema_version_id,
            )
        return bytes(payload)
    if compression is not _ZLIB:
        raise ConfigurationError(f"unsupported compression: {_brief(compression)}")
    inflater = _decompressobj()
    limit = max_size + 1  # one byte over the limit tells "at the limit" from "over it"
    try:
        # max_length bounds each call's output; input not yet turned into output stays in
        # unconsumed_tail. Records usually fit the first chunk; larger ones are inflated
        # chunk by chunk, so a bomb never costs more than about max_size of memory.
        out = inflater.decompress(payload, _CHUNK if limit > _CHUNK else limit)
        if inflater.eof and not inflater.unused_data and len(out) <= max_size:
            return out  # the common case: one complete stream, nothing after it
        if not inflater.eof and _CHUNK <= len(out) < limit:
            chunks = [out]
            size = len(out)
            while not inflater.eof and size < limit:
                chunk = inflater.decompress(inflater.unconsumed_tail, min(_CHUNK, limit - size))
                if not chunk:
                    break  # input exhausted: truncated, reported below
                chunks.append(chunk)
                size += len(chunk)
            if size >= limit:
                raise DecompressionError(
                    f"zlib payload decompresses to more than the limit of {max_size} bytes",
                    compression=compression,
                    reason="too_large",
                    schema_version_id=schema_version_id,
                )
            out = b"".join(chunks)
    except zlib.error as exc:
        raise DecompressionError(
            f"zlib payload is corrupt: {exc}",
            compression=compression,
            reason="corrupt",
            schema_version_id=schema_version_id,
        ) from exc
    if len(out) > max_size:
        raise DecompressionError(
            f"zlib payload decompresses to more than the limit of {max_size} bytes",
            compression=compression,
            reason="too_large",
            schema_version_id=schema_version_id,
        )
    if not inflater.eof:
        raise DecompressionError(
            "zlib payload is truncated (the stream ends before its end marker)"
            if payload
            else "zlib payload is empty",
            compression=compression,
            reason="truncated",
            schema_version_id=schema_version_id,
        )
    if inflater.unused_data:
        raise DecompressionError(
            f"{len(inflater.unused_data)} unexpected byte(s) follow the end of the zlib stream",
            compression=compression,
            reason="trailing_data",
            schema_version_id=schema_version_id,
        )
    return out
