"""Payload compression, keyed by the frame's header byte 1.

Only two bytes exist in the Glue wire format (Java ``AWSSchemaRegistryConstants``):
``0x00`` no compression and ``0x05`` zlib. zlib here is what ``java.util.zip.Deflater()``
writes: an RFC 1950 *zlib* stream (2-byte header, deflate data, Adler-32 trailer), not raw
deflate and not gzip. ``zlib.compress`` at the default level produced byte-identical output to
the JDK on stock zlib 1.2.13; other zlib builds may differ, so compare frames only after
decompressing.

**zstd (``0x5A``) is glue_serde's own extension**, for pipelines whose every reader is
glue_serde: Java's readers (and every other Glue SerDe) refuse any byte but ``0x00`` and
``0x05``, so it is never a default, writing it needs ``allow_non_java_compression=True``, and
reading it needs the ``zstd`` extra (``pip install 'glue-serde[zstd]'``, the ``zstandard``
package); without it the byte is an unknown compression, as for Java. The payload is one
Zstandard frame (RFC 8878) at level 3 with its content size and a checksum. The byte is
``0x5A`` (ASCII ``Z``): far from the small values (``0x01``-``0x0F``) a future version of the
Glue format would most likely assign to a codec of its own, so a frame written today cannot
come to mean something else to a later Java reader, and easy to spot in a hex dump
(``03 5a ...``).

Unlike the Java reader (``GlueSchemaRegistryDefaultCompression``), decompression here

* is **bounded**: output stops at ``max_size`` bytes, so a 130 KB record that inflates to
  128 MiB costs at most ``max_size`` of memory and raises :class:`DecompressionError` (a zstd
  frame declares its size, which is checked before anything is allocated; a frame without it
  is refused, as glue_serde always writes it);
* **never spins**: a truncated stream, or an empty payload, raises instead of looping (Java's
  ``while (!inflater.finished())`` loop has no ``needsInput()`` guard);
* **refuses trailing bytes** after the end of the stream (Java and ``zlib.decompress`` ignore
  them; no known writer emits them, so they mean corruption), and a second zstd frame;
* **checks its limit**: ``max_size`` must be an ``int`` from 1 to
  :data:`MAX_DECOMPRESSED_SIZE_LIMIT` (2 GiB - 1, the largest record Kafka or a Java byte array
  can hold); anything else (``-1``, ``0``, ``True``, a float, ``10**30``) is a
  :class:`~glue_serde.errors.ConfigurationError`. zlib reads a limit of 0 as "no limit", so an
  unchecked ``-1`` would have let a bomb inflate without bound.

Payloads are read by their bytes: ``bytes``, ``bytearray`` or a ``memoryview`` of format ``B``
(a view of wider items, such as ``memoryview(array('I', ...))``, is a
:class:`~glue_serde.errors.FrameError`, as everywhere a frame is read; cast it with
``.cast("B")``).

No I/O, no global state beyond one zstd context per thread. Imports only the package's base
modules (and ``zstandard`` on the first zstd payload).
"""

from __future__ import annotations

import threading
import zlib
from typing import TYPE_CHECKING, Any, Final, TypeVar

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
    from collections.abc import Callable

    from glue_serde._typing import Buffer

__all__ = [
    "COMPRESSION_BY_BYTE",
    "COMPRESSION_NONE",
    "COMPRESSION_ZLIB",
    "COMPRESSION_ZSTD",
    "DEFAULT_MAX_DECOMPRESSED_SIZE",
    "HEADER_BYTE",
    "JAVA_COMPRESSIONS",
    "MAX_DECOMPRESSED_SIZE_LIMIT",
    "byte_buffer",
    "check_max_decompressed_size",
    "check_writable",
    "compress",
    "compressor",
    "decompress",
    "decompressing",
    "zstd_available",
]

#: Header byte 1 for an uncompressed payload (Java ``COMPRESSION_DEFAULT_BYTE``).
COMPRESSION_NONE: Final = 0x00
#: Header byte 1 for a zlib payload (Java ``COMPRESSION_BYTE``).
COMPRESSION_ZLIB: Final = 0x05

#: Header byte 1 for a zstd payload: glue_serde's extension, refused by every Java reader.
COMPRESSION_ZSTD: Final = 0x5A

#: Header byte 1 -> compression, for the Glue wire format's two bytes. ``0x5A`` (zstd) is read
#: only where the ``zstandard`` package is installed; any other byte is a
#: :class:`~glue_serde.errors.FrameError`.
COMPRESSION_BY_BYTE: Final[dict[int, Compression]] = {
    COMPRESSION_NONE: Compression.NONE,
    COMPRESSION_ZLIB: Compression.ZLIB,
}
#: Compression -> header byte 1.
HEADER_BYTE: Final[dict[Compression, int]] = {
    **{c: b for b, c in COMPRESSION_BY_BYTE.items()},
    Compression.ZSTD: COMPRESSION_ZSTD,
}
#: The compressions every Glue reader, Java's included, reads.
JAVA_COMPRESSIONS: Final = frozenset({Compression.NONE, Compression.ZLIB})

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
_ZSTD: Final = Compression.ZSTD
_decompressobj: Final = zlib.decompressobj

#: The first four bytes of every Zstandard frame (RFC 8878).
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
#: zstd level written (the library's default: about zlib's ratio at several times its speed).
ZSTD_LEVEL: Final = 3
_ZSTD_EXTRA: Final = "pip install 'glue-serde[zstd]'"


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
        level, as Java's ``Deflater()`` does; ``ZSTD`` one Zstandard frame (level 3, content
        size and checksum written), which only glue_serde reads.
    payload
        The encoded datum (for Protobuf, message index included).

    Returns
    -------
    bytes
        The bytes to place after the 18-byte header.

    Raises
    ------
    ConfigurationError
        If ``compression`` is not a :class:`~glue_serde.enums.Compression`, or is ``ZSTD``
        and the ``zstandard`` package is not installed.
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
        if compression is Compression.ZSTD:
            compressor: Any = _zstd_context().compressor
            return compressor.compress(data)  # type: ignore[no-any-return]
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
        If ``max_size`` is not a usable limit (see :func:`check_max_decompressed_size`), or
        ``compression`` is ``ZSTD`` and the ``zstandard`` package is not installed.
    FrameError
        If ``payload`` is not a byte sequence (see :func:`byte_buffer`).
    DecompressionError
        If the stream is corrupt (bad header, bad data, bad Adler-32 or zstd checksum, a zstd
        frame without its content size), truncated or empty, followed by trailing bytes (a
        second zstd frame included), or would decompress to more than ``max_size`` bytes.
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
        if compression is _ZSTD:
            return _zstd_decompress(payload, max_size, schema_version_id)
        raise ConfigurationError(f"unsupported compression: {_brief(compression)}")
    inflater = _decompressobj()
    limit = max_size + 1  # one byte over the limit tells "at the limit" from "over it"
    try:
        # max_length bounds each call's output; input not yet turned into output stays in
        # unconsumed_tail. Records usually fit the first chunk; larger ones are inflated
        # chunk by chunk, so a bomb never costs more than about max_size of memory.
        out = inflater.decompress(payload, _CHUNK if limit > _CHUNK else limit)
    except zlib.error as exc:
        raise _zlib_corrupt(exc, schema_version_id) from exc
    if inflater.eof and not inflater.unused_data and len(out) <= max_size:
        return out  # the common case: one complete stream, nothing after it
    return _inflate_rest(inflater, out, payload, max_size, schema_version_id)


def _zlib_corrupt(exc: zlib.error, schema_version_id: uuid.UUID | None) -> DecompressionError:
    return DecompressionError(
        f"zlib payload is corrupt: {exc}",
        compression=_ZLIB,
        reason="corrupt",
        schema_version_id=schema_version_id,
    )


def _inflate_rest(
    inflater: Any,
    out: bytes,
    payload: Buffer,
    max_size: int,
    schema_version_id: uuid.UUID | None,
) -> bytes:
    """Finish what the first ``inflater.decompress`` call of a zlib payload left (or refuse it)."""
    limit = max_size + 1
    try:
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
                    compression=_ZLIB,
                    reason="too_large",
                    schema_version_id=schema_version_id,
                )
            out = b"".join(chunks)
    except zlib.error as exc:
        raise _zlib_corrupt(exc, schema_version_id) from exc
    if len(out) > max_size:
        raise DecompressionError(
            f"zlib payload decompresses to more than the limit of {max_size} bytes",
            compression=_ZLIB,
            reason="too_large",
            schema_version_id=schema_version_id,
        )
    if not inflater.eof:
        raise DecompressionError(
            "zlib payload is truncated (the stream ends before its end marker)"
            if payload
            else "zlib payload is empty",
            compression=_ZLIB,
            reason="truncated",
            schema_version_id=schema_version_id,
        )
    if inflater.unused_data:
        raise DecompressionError(
            f"{len(inflater.unused_data)} unexpected byte(s) follow the end of the zlib stream",
            compression=_ZLIB,
            reason="trailing_data",
            schema_version_id=schema_version_id,
        )
    return out


T = TypeVar("T")


def decompressing(
    compression: Compression,
    then: Callable[[bytes], T],
    *,
    max_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
    schema_version_id: uuid.UUID | None = None,
) -> Callable[[Buffer], T]:
    """Return ``payload -> then(decompress(compression, payload, ...))`` as one function.

    For a consumer's per-record path: the checks of :func:`decompress` that depend only on
    the arguments are made once, here, and a zlib record that inflates in one step within the
    limit costs one Python call. Every payload is accepted or refused exactly as
    :func:`decompress` would.

    Parameters
    ----------
    compression
        The compression named by the frame header.
    then
        Called with the decompressed payload (a decoder).
    max_size
        Largest decompressed payload accepted (see :func:`decompress`).
    schema_version_id
        Carried into errors for context.

    Returns
    -------
    Callable
        ``payload -> then(decompressed payload)``.

    Raises
    ------
    ConfigurationError
        If ``max_size`` is not a usable limit, or ``compression`` is unknown.
    """
    check_max_decompressed_size(max_size)
    if compression is _ZSTD:
        return _unzstd_then(then, max_size, schema_version_id)
    if compression is not _ZLIB:
        if compression not in HEADER_BYTE:
            raise ConfigurationError(f"unsupported compression: {compression!r}")

        def decompress_then(payload: Buffer) -> T:
            return then(
                decompress(
                    compression, payload, max_size=max_size, schema_version_id=schema_version_id
                )
            )

        return decompress_then
    first = min(_CHUNK, max_size + 1)
    decompressobj = _decompressobj
    error = zlib.error

    def inflate_then(payload: Buffer) -> T:
        # decompress()'s common case inlined: one complete stream that fits the first step.
        if type(payload) is bytes:
            inflater = decompressobj()
            try:
                out = inflater.decompress(payload, first)
            except error as exc:
                raise _zlib_corrupt(exc, schema_version_id) from exc
            if inflater.eof and not inflater.unused_data and len(out) <= max_size:
                return then(out)
            return then(_inflate_rest(inflater, out, payload, max_size, schema_version_id))
        return then(
            decompress(_ZLIB, payload, max_size=max_size, schema_version_id=schema_version_id)
        )

    return inflate_then


# ---------------------------------------------------------------------------------------------
# zstd (glue_serde's extension; the zstandard package loads on first use)


def check_writable(compression: Compression, allow_non_java_compression: bool) -> None:
    """Refuse to write a compression Java's readers refuse, unless the caller opted in.

    Parameters
    ----------
    compression
        The compression to write.
    allow_non_java_compression
        The caller's explicit opt-in: every reader of the frames is glue_serde.

    Raises
    ------
    ConfigurationError
        If ``compression`` is not one of :data:`JAVA_COMPRESSIONS` and the caller did not opt
        in, or it is ``ZSTD`` and the ``zstandard`` package is not installed.
    """
    if compression in JAVA_COMPRESSIONS:
        return
    compression = Compression(compression)
    if allow_non_java_compression is not True:
        raise ConfigurationError(
            f"compression {compression.value} (header byte 0x{HEADER_BYTE[compression]:02x}) is "
            "glue_serde's own: Java's Glue readers, and every other Glue SerDe, refuse every "
            "byte but 0x00 and 0x05. Pass allow_non_java_compression=True if every reader of "
            "these frames is glue_serde with the zstd extra; otherwise use ZLIB."
        )
    if compression is Compression.ZSTD:
        _zstd_module()


class _ZstdModule:
    """The ``zstandard`` module once imported (``None`` when it is not installed)."""

    module: Any = None
    checked = False


def _load_zstd() -> Any:
    if not _ZstdModule.checked:
        try:
            import zstandard  # noqa: PLC0415 - optional, imported on first use
        except ImportError:
            _ZstdModule.module = None
        else:
            _ZstdModule.module = zstandard
        _ZstdModule.checked = True
    return _ZstdModule.module


def zstd_available() -> bool:
    """Return whether zstd payloads can be read and written (``zstandard`` is installed)."""
    return _load_zstd() is not None


def _zstd_module() -> Any:
    module = _load_zstd()
    if module is None:
        raise ConfigurationError(f"zstd compression needs the zstandard package: {_ZSTD_EXTRA}")
    return module


class _ZstdContext(threading.local):
    """One compressor and one decompressor per thread (zstandard's are not thread-safe)."""

    def __init__(self) -> None:
        module = _zstd_module()
        self.module = module
        self.error: type[Exception] = module.ZstdError
        self.compressor = module.ZstdCompressor(
            level=ZSTD_LEVEL, write_checksum=True, write_content_size=True
        )
        self.decompressor = module.ZstdDecompressor()


class _ZstdContexts:
    local: _ZstdContext | None = None


def _zstd_context() -> _ZstdContext:
    local = _ZstdContexts.local
    if local is None:
        _zstd_module()  # ConfigurationError when the extra is missing
        local = _ZstdContexts.local = _ZstdContext()
    return local


def _zstd_decompress(payload: Buffer, max_size: int, schema_version_id: uuid.UUID | None) -> bytes:
    """Decompress one zstd frame: content size declared and within ``max_size``, nothing after."""
    context = _zstd_context()
    module = context.module
    fail = _ZstdFailure(schema_version_id)
    size = len(payload)
    if payload[:4] != _ZSTD_MAGIC:
        if size < 4 and _ZSTD_MAGIC.startswith(bytes(payload)):
            raise fail(
                "truncated", "zstd payload is truncated" if size else "zstd payload is empty"
            )
        raise fail("corrupt", "zstd payload is corrupt: it does not start a Zstandard frame")
    try:
        if size < 5:  # the frame header descriptor is the fifth byte
            raise fail("truncated", "zstd payload is truncated (in its frame header)")
        if size < module.frame_header_size(payload):
            raise fail("truncated", "zstd payload is truncated (in its frame header)")
        content = module.frame_content_size(payload)
    except context.error as exc:
        raise fail("corrupt", f"zstd payload is corrupt: {exc}") from exc
    if content < 0:
        raise fail(
            "corrupt",
            "zstd frame does not declare its content size (glue_serde writes it in every frame)",
        )
    if content > max_size:
        raise fail(
            "too_large",
            f"zstd payload declares {content} bytes, more than the limit of {max_size} bytes",
        )
    try:
        out: bytes = context.decompressor.decompress(payload, allow_extra_data=False)
    except context.error as exc:
        raise _zstd_failure(context, payload, fail, exc) from exc
    return out


def compressor(compression: Compression) -> Callable[[bytes], bytes]:
    """Return ``payload -> compressed payload`` for a writer's per-record path.

    The same bytes as :func:`compress` for ``bytes`` payloads, without its per-call checks.

    Parameters
    ----------
    compression
        ``ZLIB`` or ``ZSTD``.

    Returns
    -------
    Callable
        The compressing function (zstd: one context per thread).

    Raises
    ------
    ConfigurationError
        If ``compression`` is neither, or is ``ZSTD`` without the ``zstandard`` package.
    """
    if compression is _ZLIB:
        return zlib.compress
    if compression is not _ZSTD:
        raise ConfigurationError(f"no compressor for {compression!r}")
    local = _zstd_context()

    def zstd_compress(payload: bytes) -> bytes:
        out: bytes = local.compressor.compress(payload)
        return out

    return zstd_compress


def _unzstd_then(
    then: Callable[[bytes], T], max_size: int, schema_version_id: uuid.UUID | None
) -> Callable[[Buffer], T]:
    """Return :func:`decompressing`'s function for zstd.

    A frame that declares a size within the limit and decompresses is read in one step;
    anything else goes through the checks of :func:`decompress`, which decide and explain.
    """
    local = _zstd_context()
    module = local.module
    content_size = module.frame_content_size
    error = module.ZstdError
    magic = _ZSTD_MAGIC

    def unzstd_then(payload: Buffer) -> T:
        out = None
        if type(payload) is bytes and payload[:4] == magic:
            try:
                if 0 <= content_size(payload) <= max_size:
                    out = local.decompressor.decompress(payload, allow_extra_data=False)
            except error:
                out = None  # decompress() below says what is wrong
        if out is None:
            out = _zstd_decompress(payload, max_size, schema_version_id)
        return then(out)

    return unzstd_then


class _ZstdFailure:
    """Builds the DecompressionError of one zstd payload."""

    __slots__ = ("schema_version_id",)

    def __init__(self, schema_version_id: uuid.UUID | None) -> None:
        self.schema_version_id = schema_version_id

    def __call__(self, reason: Any, message: str) -> DecompressionError:
        return DecompressionError(
            message, compression=_ZSTD, reason=reason, schema_version_id=self.schema_version_id
        )


def _zstd_failure(
    context: _ZstdContext, payload: Buffer, fail: _ZstdFailure, exc: Exception
) -> DecompressionError:
    """Say why a frame whose header was sound did not decompress (streamed, bounded by it)."""
    stream = context.decompressor.decompressobj()
    try:
        stream.decompress(payload)
    except context.error:
        return fail("corrupt", f"zstd payload is corrupt: {exc}")
    if not stream.eof:
        return fail("truncated", "zstd payload is truncated (the frame ends before its end)")
    if stream.unused_data:
        return fail(
            "trailing_data",
            f"{len(stream.unused_data)} unexpected byte(s) follow the end of the zstd frame",
        )
    return fail("corrupt", f"zstd payload is corrupt: {exc}")
