"""Serializer and Deserializer: the only module that joins wire, codec and registry.

Producer side::

    value --codec encoder--> payload --compression--> header + payload

The header (``03``, compression byte, 16 id bytes) is built once per resolved schema version;
per record the serializer only encodes, optionally compresses and concatenates.

Consumer side, in the Java reference's order (``GlueSchemaRegistryDeserializationFacade``):

1. check the header (length, byte 0, byte 1) and read the version id;
2. fetch the writer schema for that id (cache, then registry);
3. only then decompress and decode the payload.

The hot path keys every cache on the raw 16 header bytes; a ``uuid.UUID`` is built only on a
cache miss.

Registry answers come through the registry's one shared cache
(:func:`~glue_serde.registry.caching.shared_cache`), or, with ``cache=None``, straight from the
registry through :class:`~glue_serde.registry._checked.CheckedRegistry`: either way a wrong
answer or a foreign exception from a user's registry becomes a
:class:`~glue_serde.errors.RegistryError`. A deserializer keeps a decoder per writer version for
its hot path and drops it when the cache says the version's id expired (``CacheConfig.id_ttl``),
so that check costs nothing per record.

Imports :mod:`glue_serde.wire`, :mod:`glue_serde.compression`, :mod:`glue_serde.codecs` and
:mod:`glue_serde.registry`; no I/O of its own beyond the registry calls.
"""

from __future__ import annotations

import os
import stat
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast, overload

from glue_serde.codecs import DirectDecoder, DirectEncoder, FramedCodec, codec_for
from glue_serde.compression import (
    DEFAULT_MAX_DECOMPRESSED_SIZE,
    byte_buffer,
    check_max_decompressed_size,
    check_writable,
    compressor,
    decompressing,
)
from glue_serde.enums import Compatibility, Compression, DataFormat, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    PayloadError,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaError,
    SchemaNotFoundError,
    SchemaNotRegisteredError,
    SerializationError,
    ValidationError,
)
from glue_serde.registry._base import MetadataWriter
from glue_serde.registry._checked import CheckedRegistry
from glue_serde.registry._limits import MAX_DEFINITION_CHARS
from glue_serde.registry.caching import CacheConfig, shared_cache
from glue_serde.schema import SchemaVersion
from glue_serde.wire import HEADER_SIZE, HEADER_VERSION, encode_header, split_frame

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterable, Mapping

    from glue_serde._typing import Buffer, Datum
    from glue_serde.codecs import Codec, Decoder, DirectRead, DirectWrite, Encoder
    from glue_serde.registry import SchemaRegistry

__all__ = ["DecodedRecord", "Deserializer", "Serializer"]

T = TypeVar("T")


def _log() -> logging.Logger:
    """Return the module's logger (``logging`` is imported on the first message, not at import)."""
    import logging  # noqa: PLC0415 - a consumer's cold start never needs it

    return logging.getLogger("glue_serde.serde")


#: How many schema versions a deserializer keeps decoders for.
DEFAULT_DECODER_CACHE_SIZE: Final = 1000

_DEFAULT_CACHE: Final = CacheConfig()


def _schema_source(schema: object, argument: str) -> object:
    """Return a schema given as a path (``pathlib.Path``, any ``os.PathLike``) as its file's text.

    Anything else is returned as given. A ``str`` is always the definition itself.
    """
    if not isinstance(schema, os.PathLike):
        return schema
    try:
        path = os.fsdecode(os.fspath(schema))
    except TypeError as exc:  # an os.PathLike whose __fspath__ returns neither str nor bytes
        raise SchemaError(f"{argument}: not a file path: {exc}") from exc
    shown = repr(path) if len(path) <= 200 else f"{path[:120]!r}...{path[-60:]!r}"
    # A schema Glue accepts has at most MAX_DEFINITION_CHARS characters (4 bytes each at most):
    # only regular files are read (a FIFO or a device such as /dev/zero would block or never
    # end), and no more than one byte past that bound.
    limit = 4 * MAX_DEFINITION_CHARS
    if "\x00" in path:  # os.open would raise ValueError
        raise SchemaError(f"{argument}: schema file {shown}: a path holds no NUL character")
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait for a writer.
        # O_BINARY (Windows): bytes as written, no line-end translation, no end at Ctrl-Z.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise SchemaError(f"{argument}: schema file {shown} is not a regular file")
            chunks: list[bytes] = []
            size = 0
            while size <= limit:  # a read may return less than asked (network file systems)
                chunk = os.read(descriptor, limit + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            data = b"".join(chunks)
        finally:
            os.close(descriptor)
        if len(data) > limit:
            raise SchemaError(
                f"{argument}: schema file {shown} is larger than any schema Glue accepts "
                f"({MAX_DEFINITION_CHARS:,} characters)"
            )
        return data.decode("utf-8")
    except OSError as exc:  # its text repeats the path: the reason alone
        reason = exc.strerror or type(exc).__name__
        raise SchemaError(f"{argument}: cannot read schema file {shown}: {reason}") from exc
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{argument}: cannot read schema file {shown}: {exc}") from exc


def _path_hint(schema: object, argument: str, exc: SchemaError) -> SchemaError:
    """Add what to do to a parse error when the text ``schema`` looks like a file name."""
    if (
        isinstance(schema, str)
        and len(schema) <= 4096
        and not any(c in schema for c in '\n{}[]"')
        and (schema.endswith((".avsc", ".json", ".proto")) or os.path.isfile(schema))
    ):
        return SchemaError(
            f"{exc.message.rstrip('.')}. {argument}={schema!r} is read as the schema's text, "
            f"not as a file name: to read the file, pass pathlib.Path({schema!r})",
            data_format=exc.data_format,
        )
    return exc


def _object_kind(value: object) -> tuple[str, str] | None:
    """Return ``(kind, conversion)`` for an object that becomes a dict by a known call."""
    cls = type(value)
    if hasattr(cls, "__dataclass_fields__") and not isinstance(value, type):
        return "a dataclass", "dataclasses.asdict"
    if callable(getattr(cls, "model_dump", None)) and not isinstance(value, type):
        return "a pydantic model", "lambda m: m.model_dump()"
    return None


def _clipped(text: str, limit: int = 120) -> str:
    """Return ``text``, or its start and end around its length when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}...{text[-limit // 4 :]} ({len(text):,} characters)"


def _hinted(exc: ValidationError, value: object) -> ValidationError | None:
    """Return ``exc`` with what to do when the value (or a field) is a dataclass or model.

    None when neither the value nor a refused field is one.
    """
    root = _object_kind(value)
    if root is not None:
        hint = f"{type(value).__name__} is {root[0]}: pass to_dict={root[1]} to the Serializer"
    else:
        for detail in exc.errors:
            nested = _object_kind(detail.input)
            if nested is not None and detail.loc:
                where = _clipped(".".join(map(str, detail.loc)))  # map keys are the user's
                hint = (
                    f"{where} is {nested[0]} ({type(detail.input).__name__}): give its dict "
                    "instead, or pass a to_dict that converts the whole value"
                )
                break
        else:
            return None
    error = ValidationError(
        f"{exc.message}; {hint}",
        errors=exc.errors,
        schema_name=exc.schema_name,
        data_format=exc.data_format,
    )
    error.__cause__ = exc
    return error


def _registry_for(
    registry: SchemaRegistry, cache: CacheConfig | None
) -> tuple[SchemaRegistry, float]:
    """Return what a serde calls (the shared cache, or the checked registry) and its wait bound."""
    if cache is None:
        return CheckedRegistry(registry), _DEFAULT_CACHE.wait_timeout
    shared = shared_cache(registry, cache)
    return shared, shared.config.wait_timeout


class Serializer:
    r"""Turn values into Glue frames for one schema.

    Parameters
    ----------
    registry
        Where the schema is looked up (and registered, with ``auto_register``). Every
        serializer and deserializer on one registry object shares its
        :class:`~glue_serde.registry.caching.CachingSchemaRegistry` (unless ``cache`` is None);
        pass a ``CachingSchemaRegistry`` to choose that cache yourself.
    data_format
        ``AVRO``, ``JSON`` or ``PROTOBUF``.
    schema
        The writer schema: Avro JSON text or dict, JSON Schema text or dict, or a generated
        protobuf message class (or ``.proto`` text); or a ``pathlib.Path`` to a file holding
        the text (a ``str`` is always the text itself). Given a generated class, dicts are
        written as that message.
    schema_name
        Name of the schema in the registry (for Kafka and Kinesis the Java default is the
        topic or stream name).
    auto_register
        Off by default (as in Java): a schema the registry does not hold is refused with
        :class:`~glue_serde.errors.SchemaNotRegisteredError` before any byte is produced.
        On: the schema is created, or a new version registered, under the schema's
        compatibility mode.
    compatibility
        Mode given to a schema this serializer creates (Java sends ``BACKWARD``).
    description
        Description given to a schema this serializer creates.
    compression
        ``NONE`` (default) or ``ZLIB``, which every Glue reader reads; or ``ZSTD``, glue_serde's
        own extension (header byte ``0x5A``), only with ``allow_non_java_compression=True``.
    compression_threshold
        With ``ZLIB`` (or ``ZSTD``), payloads shorter than this many bytes are written
        uncompressed (each frame carries its own compression byte, so this stays valid Glue).
        zlib expands small payloads; about 1 KB is a good threshold. Default 0: compress
        everything.
    allow_non_java_compression
        Opt in to ``ZSTD``: every reader of these frames is glue_serde with the ``zstd`` extra.
        Java's readers (and every other Glue SerDe) refuse them. Needs the ``zstandard``
        package (``pip install 'glue-serde[zstd]'``).
    schema_version_id
        Pin a version id and never ask the registry (the Java serializer's fixed-id mode).
        The caller vouches that the id belongs to ``schema``.
    metadata
        Key-value pairs written on a version this serializer registers (Java writes
        ``x-amz-meta-transport`` = topic or stream this way), when the registry is a
        :class:`~glue_serde.registry.MetadataWriter`. As in Java, a failure is logged, not
        raised: the version is registered and usable.
    to_dict
        Applied to every value before encoding, to write objects the codec does not take
        directly (``dataclasses.asdict``, a pydantic model's ``model_dump``). Its exceptions
        become :class:`~glue_serde.errors.SerializationError`.
    cache
        The configuration of the registry's shared cache; None to talk to ``registry``
        directly (answers still checked). Its ``wait_timeout`` also bounds how long a thread
        waits for another thread's :meth:`resolve`.

    Raises
    ------
    ConfigurationError
        If an argument is invalid, ``registry`` is not a registry, or the format's optional
        dependency is missing.
    SchemaError
        If ``schema`` does not parse.

    Examples
    --------
    >>> from glue_serde import DataFormat, LocalSchemaRegistry, Serializer
    >>> reg = LocalSchemaRegistry()
    >>> ser = Serializer(reg, data_format=DataFormat.AVRO, schema='"string"',
    ...                  schema_name="greetings", auto_register=True)
    >>> ser.serialize("hi")[:2]
    b'\\x03\\x00'
    """

    def __init__(
        self,
        registry: SchemaRegistry,
        *,
        data_format: DataFormat | str,
        schema: object,
        schema_name: str,
        auto_register: bool = False,
        compatibility: Compatibility | str = Compatibility.BACKWARD,
        description: str | None = None,
        compression: Compression | str = Compression.NONE,
        compression_threshold: int = 0,
        allow_non_java_compression: bool = False,
        schema_version_id: uuid.UUID | None = None,
        metadata: Mapping[str, str] | None = None,
        to_dict: Callable[[Any], Datum] | None = None,
        cache: CacheConfig | None = _DEFAULT_CACHE,
    ) -> None:
        name = "data_format"
        try:
            self._data_format = DataFormat(data_format)
            name = "compression"
            self._compression = Compression(compression)
            name = "compatibility"
            self._compatibility = Compatibility(compatibility)
        except ValueError as exc:
            raise ConfigurationError(f"{name}: {exc}") from None
        if not isinstance(schema_name, str) or not schema_name:
            raise ConfigurationError("schema_name must be a non-empty string")
        if not isinstance(compression_threshold, int) or compression_threshold < 0:
            raise ConfigurationError("compression_threshold must be a non-negative int")
        check_writable(self._compression, allow_non_java_compression)
        self._allow_non_java = allow_non_java_compression is True
        #: payload -> compressed payload, None without compression.
        self._compress: Callable[[bytes], bytes] | None = (
            None if self._compression is Compression.NONE else compressor(self._compression)
        )
        if schema_version_id is not None and not isinstance(schema_version_id, uuid.UUID):
            raise ConfigurationError("schema_version_id must be a uuid.UUID")
        self._source = registry
        self._registry, self._wait_timeout = _registry_for(registry, cache)
        self._metadata_writer = registry if isinstance(registry, MetadataWriter) else None
        self._schema_name = schema_name
        self._auto_register = auto_register
        self._description = description
        self._threshold = compression_threshold
        self._metadata = dict(metadata or {})
        if to_dict is not None and not callable(to_dict):
            raise ConfigurationError("to_dict must be callable")
        self._to_dict = to_dict
        self._codec: Codec = codec_for(self._data_format)
        given, schema = schema, _schema_source(schema, "schema")
        try:
            if self._data_format is DataFormat.PROTOBUF:
                # Protobuf's errors (an import no reader bundles, ...) name the schema.
                self._definition = self._codec.canonical_definition(  # type: ignore[call-arg]
                    schema, schema_name=schema_name
                )
            else:
                self._definition = self._codec.canonical_definition(schema)
        except SchemaError as exc:
            hinted = _path_hint(given, "schema", exc)
            if hinted is exc:
                raise
            raise hinted from exc
        if self._data_format is DataFormat.PROTOBUF and not isinstance(schema, str):
            # A generated class (or instance): dicts are written as that message.
            self._codec = codec_for(
                self._data_format,
                message_class=schema if isinstance(schema, type) else type(schema),
            )
        self._encoder: Encoder = self._codec.encoder(self._definition)
        self._lock = threading.Lock()
        self._version: SchemaVersion | None = None
        self._pinned_id = schema_version_id
        self._header_plain = b""
        self._header_compressed = b""
        self._framed: Encoder | None = None
        #: The framed encoder's fast path, when it is a ``DirectEncoder``: class -> (frame
        #: prefix, C callable writing the rest) for values whose frame is the prefix plus that.
        self._direct: DirectWrite | None = None
        #: (class, prefix, callable): the last class ``_direct`` answered for (serialize's
        #: first test); a class no value has, until then.
        self._hot: tuple[type, bytes, Callable[[Any], bytes]] = _NO_HOT_WRITE
        if schema_version_id is not None:
            self._set_headers(schema_version_id)

    def __repr__(self) -> str:
        version = self._version
        resolved = self._pinned_id or (version.schema_version_id if version else None)
        return (
            f"{type(self).__name__}(schema_name={self._schema_name!r}, "
            f"data_format={self._data_format.value}, registry={self._source!r}, "
            f"auto_register={self._auto_register}, compression={self._compression.value}, "
            f"schema_version_id={str(resolved) if resolved else 'unresolved'})"
        )

    @property
    def schema_definition(self) -> str:
        """The definition text this serializer registers and looks up."""
        return self._definition

    @property
    def schema_name(self) -> str:
        """The schema name in the registry."""
        return self._schema_name

    @property
    def data_format(self) -> DataFormat:
        """The data format written."""
        return self._data_format

    def _set_headers(self, version_id: uuid.UUID) -> None:
        header = encode_header(version_id, compression=Compression.NONE)
        codec = self._codec
        if isinstance(codec, FramedCodec) and self._compress is None:
            # The codec writes the payload after the header in one buffer (one copy less).
            framed = codec.framed_encoder(self._definition, header)
            self._framed = framed
            if self._to_dict is None and isinstance(framed, DirectEncoder):
                self._direct = framed.direct
        self._header_compressed = encode_header(
            version_id,
            compression=self._compression,
            allow_non_java_compression=self._allow_non_java,
        )
        self._header_plain = header  # last: a non-empty header means everything is set

    @property
    def schema_version_id(self) -> uuid.UUID:
        """The version id written into every frame, resolving it on first use.

        Raises
        ------
        SchemaNotRegisteredError, IncompatibleSchemaError, RegistryError
            As :meth:`resolve`.
        """
        if self._pinned_id is not None:
            return self._pinned_id
        return self.resolve().schema_version_id

    def resolve(self) -> SchemaVersion:
        """Find (or, with ``auto_register``, register) the schema version and return it.

        Called implicitly by the first :meth:`serialize`; call it at start-up to fail fast.
        Thread-safe: concurrent first calls make one registry round; the others wait for it
        at most ``cache.wait_timeout`` seconds.

        Returns
        -------
        SchemaVersion
            The registered version whose id every frame carries.

        Raises
        ------
        SchemaNotRegisteredError
            Auto-registration is off and the registry lacks this definition.
        IncompatibleSchemaError
            Auto-registration is on and the schema's compatibility mode rejects it.
        SchemaError
            The registry refused the definition as invalid.
        RegistryError
            The registry failed (``.retryable`` says whether to try again); a
            :class:`~glue_serde.errors.RegistryUnavailableError` when another thread's resolve
            did not finish within the wait bound.
        """
        version = self._version
        if version is not None:
            return version
        if not self._lock.acquire(timeout=self._wait_timeout):
            raise RegistryUnavailableError(
                f"gave up after {self._wait_timeout:g} s waiting for another thread to resolve "
                f"schema {self._schema_name!r} (the registry has not answered it yet); retry "
                "later",
                operation="GetSchemaByDefinition",
                retryable=True,
            )
        try:
            if self._version is None:
                found = self._lookup()
                self._set_headers(found.schema_version_id)
                self._version = found
            return self._version
        finally:
            self._lock.release()

    def _lookup(self) -> SchemaVersion:
        name, definition, fmt = self._schema_name, self._definition, self._data_format
        if self._pinned_id is not None:
            return self._registry.get_schema_version(self._pinned_id)
        found = self._registry.find_schema_version(name, definition, fmt)
        if found is not None:
            return found
        if not self._auto_register:
            raise SchemaNotRegisteredError(
                f"schema {name!r} in registry {self._registry.registry_name!r} has no "
                f"{fmt.value} version with this definition, and auto-registration is off. "
                "Register it first (for example `glue-serde register`) or pass "
                "auto_register=True.",
                schema_name=name,
                data_format=fmt,
                registry_name=self._registry.registry_name,
            )
        # Keyed on error types, never on messages (Glue and moto word them differently):
        # register first; a missing schema is created; a producer that lost the creation race
        # registers again.
        try:
            version = self._registry.register_schema_version(name, definition, fmt)
        except SchemaNotFoundError:
            try:
                version = self._registry.create_schema(
                    name,
                    definition,
                    fmt,
                    compatibility=self._compatibility,
                    description=self._description,
                )
            except SchemaAlreadyExistsError:
                version = self._registry.register_schema_version(name, definition, fmt)
        self._put_metadata(version)
        return version

    def _put_metadata(self, version: SchemaVersion) -> None:
        writer = self._metadata_writer
        if not self._metadata or writer is None:
            return
        for key, value in self._metadata.items():
            try:
                writer.put_schema_version_metadata(version.schema_version_id, key, value)
            except Exception as exc:  # logged, not raised (Java): the version is usable
                _log().warning(
                    "could not write metadata %s=%s on schema version %s: %s: %s",
                    key,
                    value,
                    version.schema_version_id,
                    type(exc).__name__,
                    exc,
                )

    @overload
    def serialize(self, value: None) -> None: ...

    @overload
    def serialize(self, value: Datum) -> bytes: ...

    def serialize(self, value: Datum) -> bytes | None:
        """Serialize one value into a Glue frame; ``None`` gives ``None`` (Kafka tombstones).

        Typed by overloads: a value gives ``bytes``, ``None`` gives ``None``.

        Parameters
        ----------
        value
            A datum of the schema's shape.

        Returns
        -------
        bytes or None
            The frame.

        Raises
        ------
        ValidationError
            The value does not fit the schema (``.errors`` lists every violation).
        SerializationError
            The value could not be encoded for another reason.
        SchemaNotRegisteredError, IncompatibleSchemaError, RegistryError
            On the first call, as :meth:`resolve`.
        """
        hot = self._hot
        if type(value) is hot[0]:
            # A class the codec writes in one C call after a fixed prefix (Protobuf messages
            # of the schema): the frame without a Python frame of the codec's.
            try:
                return hot[1] + hot[2](value)
            except Exception:  # the codec's encoder says what is wrong (and raises) below
                pass
        if value is None:
            return None
        if not self._header_plain:
            self.resolve()
        if self._to_dict is not None:
            try:
                value = self._to_dict(value)
            except Exception as exc:  # user code: translate, keep the cause
                raise SerializationError(
                    f"to_dict failed on a {type(value).__name__}: {type(exc).__name__}: {exc}",
                    schema_name=self._schema_name,
                    data_format=self._data_format,
                ) from exc
        if self._framed is not None:
            try:
                out = self._framed(value)
            except ValidationError as exc:
                hinted = None if self._to_dict is not None else _hinted(exc, value)
                if hinted is None:
                    raise
                raise hinted from exc
            direct = self._direct
            if direct is not None and type(value) is not hot[0]:
                found = direct(type(value))
                if found is not None:
                    self._hot = (type(value), *found)
            return out
        try:
            payload = self._encoder(value)
        except ValidationError as exc:
            hinted = None if self._to_dict is not None else _hinted(exc, value)
            if hinted is None:
                raise
            raise hinted from exc
        squeeze = self._compress
        if squeeze is not None and len(payload) >= self._threshold:
            return self._header_compressed + squeeze(payload)
        return self._header_plain + payload

    def serialize_many(self, values: Iterable[Datum]) -> list[bytes | None]:
        """Serialize many values; the whole batch fails on the first invalid one.

        Parameters
        ----------
        values
            Datums (``None`` entries stay ``None``).

        Returns
        -------
        list
            One frame per value, in order.

        Raises
        ------
        ValidationError, SerializationError, SchemaNotRegisteredError, RegistryError
            As :meth:`serialize`.
        """
        values = list(values)
        if not self._header_plain and any(v is not None for v in values):
            self.resolve()  # as serialize() would on the first value (and only then)
        framed = self._framed
        if framed is not None and self._to_dict is None:
            # serialize() inlined for the common case: no per-record method call.
            try:
                return [None if v is None else framed(v) for v in values]
            except ValidationError:
                pass  # serialize() raises it again, with what to pass as to_dict if it helps
        serialize = self.serialize
        return [serialize(v) for v in values]

    @overload
    def __call__(self, value: None, ctx: object = None) -> None: ...

    @overload
    def __call__(self, value: Datum, ctx: object = None) -> bytes: ...

    def __call__(self, value: Datum, ctx: object = None) -> bytes | None:
        """Serialize ``value``; the signature confluent-kafka calls (``ctx`` is unused here).

        Raises
        ------
        ValidationError, SerializationError, SchemaNotRegisteredError, RegistryError
            As :meth:`serialize`.
        """
        return self.serialize(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodedRecord(Generic[T]):
    """A decoded value with the schema version it was written with.

    Parameters
    ----------
    value
        The decoded (and converted) value.
    schema_version
        The writer schema version named in the frame's header.
    """

    value: T
    schema_version: SchemaVersion


class _NeverWritten:
    """A class no value has: the hot slot of a serializer before its first direct write."""


def _never_called(value: object) -> bytes:  # pragma: no cover - never reached
    raise AssertionError("the empty hot slot of a serializer was called")


_NO_HOT_WRITE: Final[tuple[type, bytes, Callable[[Any], bytes]]] = (
    _NeverWritten,
    b"",
    _never_called,
)


class _Entry:
    """A writer schema version and the function that decodes a payload written with it.

    ``decode`` takes the frame's bytes after the header (inflating them first for a zlib
    frame); a ``PayloadError`` it raises is tagged with the version id by the caller.
    ``expired`` is set when the registry's cache stops holding the version fresh: the entry is
    then never made the hot one again.
    """

    __slots__ = ("decode", "direct", "expired", "version")

    def __init__(
        self,
        version: SchemaVersion,
        decode: Callable[[Buffer], Datum],
        direct: DirectRead | None = None,
    ) -> None:
        self.version = version
        self.decode = decode
        #: Payload byte 0 -> a callable decoding the payload's bytes after it, exactly as
        #: ``decode`` does when it succeeds (the codec's ``direct`` table; see ``_hot_for``).
        self.direct = direct
        self.expired = False


#: The hot slot: (key, key length, entry, direct). A frame whose first ``key length`` bytes
#: equal ``key`` (its header, and with a direct decoder the payload's first byte) belongs to
#: ``entry``; ``direct``, when not None, decodes the bytes after the key in one C call.
_Hot = tuple[bytes, int, _Entry, "Callable[[Buffer], Datum] | None"]
#: The hot slot's value when no entry is hot: a 19-byte key compared with 18 bytes never matches.
_COLD: Final[_Hot] = (bytes(HEADER_SIZE + 1), HEADER_SIZE, cast("_Entry", None), None)


def _tag(exc: PayloadError, entry: _Entry) -> None:
    if exc.schema_version_id is None:
        exc.schema_version_id = entry.version.schema_version_id


def _decode(entry: _Entry, data: Buffer) -> Datum:
    """Decode a frame's payload with its entry's decoder, tagging a PayloadError."""
    try:
        return entry.decode(data[HEADER_SIZE:])
    except PayloadError as exc:
        _tag(exc, entry)
        raise


class Deserializer(Generic[T]):
    """Turn Glue frames back into values, fetching each writer schema once.

    Parameters
    ----------
    registry
        Where writer schemas are fetched by version id. Every serializer and deserializer on
        one registry object shares its
        :class:`~glue_serde.registry.caching.CachingSchemaRegistry` (unless ``cache`` is None),
        so two deserializers make one registry call per id; pass a ``CachingSchemaRegistry``
        to choose that cache yourself.
    convert
        Optional hook applied to every decoded value (makes the deserializer generic in its
        output type, like ``msgspec.json.Decoder[T]``).
    reader_schema
        Avro only: resolve every record to this reader schema (Avro schema resolution):
        JSON text, a dict, or a ``pathlib.Path`` to a ``.avsc`` file.
        Read by fastavro's resolving reader: about 2.3x the generated plain decoder on a medium
        record, so only when asked.
    message_class
        Protobuf only: decode into this generated class when the frame's message type is
        this class's type; otherwise a dynamic message built from the registered ``.proto``.
    as_dict
        Protobuf only: return dicts instead of messages.
    validate
        JSON only: validate decoded documents against the writer schema (Java does not).
    max_decompressed_size
        Largest payload accepted after decompression (zip-bomb guard): an ``int`` from 1 to
        :data:`~glue_serde.compression.MAX_DECOMPRESSED_SIZE_LIMIT` (2 GiB - 1).
    cache
        The configuration of the registry's shared cache. Its ``id_ttl`` (24 h) is how long a
        writer schema is used before the registry is asked again, so a version deleted from
        the registry stops decoding after it (served stale while the registry is unreachable).
        None: talk to ``registry`` directly, and keep each writer schema for the life of the
        deserializer (at most 1,000 of them).

    Raises
    ------
    ConfigurationError
        If an argument is invalid (``max_decompressed_size`` included) or ``registry`` is
        not a registry.
    """

    @overload
    def __init__(
        self: Deserializer[Any],
        registry: SchemaRegistry,
        *,
        convert: None = None,
        reader_schema: object = None,
        message_class: type | None = None,
        as_dict: bool = False,
        validate: bool = False,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        cache: CacheConfig | None = _DEFAULT_CACHE,
    ) -> None: ...

    @overload
    def __init__(
        self: Deserializer[T],
        registry: SchemaRegistry,
        *,
        convert: Callable[[Any], T],
        reader_schema: object = None,
        message_class: type | None = None,
        as_dict: bool = False,
        validate: bool = False,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        cache: CacheConfig | None = _DEFAULT_CACHE,
    ) -> None: ...

    def __init__(
        self,
        registry: SchemaRegistry,
        *,
        convert: Callable[[Any], T] | None = None,
        reader_schema: object = None,
        message_class: type | None = None,
        as_dict: bool = False,
        validate: bool = False,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
        cache: CacheConfig | None = _DEFAULT_CACHE,
    ) -> None:
        check_max_decompressed_size(max_decompressed_size)
        self._source = registry
        if cache is None:
            checked = CheckedRegistry(registry)

            def lookup(raw_id: bytes) -> SchemaVersion:
                return checked.get_schema_version(uuid.UUID(bytes=raw_id))

            self._lookup: Callable[[bytes], SchemaVersion] = lookup
        else:
            shared = shared_cache(registry, cache)
            self._lookup = shared.get_schema_version_by_bytes
            shared.subscribe(self._forget)
        self._convert = convert
        self._max_size = max_decompressed_size
        self._codec_options: dict[DataFormat, dict[str, Any]] = {
            DataFormat.AVRO: {},
            DataFormat.JSON: {"validate_on_decode": validate},
            DataFormat.PROTOBUF: {"message_class": message_class, "as_dict": as_dict},
        }
        self._reader_schema = _schema_source(reader_schema, "reader_schema")
        self._codecs: dict[DataFormat, Codec] = {}
        self._entries: dict[bytes, _Entry] = {}
        # The header of the last frame decoded and its entry, as one tuple so that threads
        # always see a matching pair.
        self._hot: _Hot = _COLD
        #: Incremented whenever the cache makes this deserializer forget entries.
        self._epoch = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        options = ", ".join(
            f"{name}={value!r}"
            for name, value in (
                ("convert", self._convert),
                ("reader_schema", "given" if self._reader_schema is not None else None),
                ("message_class", self._codec_options[DataFormat.PROTOBUF]["message_class"]),
            )
            if value is not None
        )
        return (
            f"{type(self).__name__}(registry={self._source!r}"
            f"{', ' + options if options else ''}, writer_versions={len(self._entries)})"
        )

    def _forget(self, version_ids: frozenset[bytes]) -> None:
        """Drop the decoders of these version ids (the cache no longer holds them fresh).

        Called by the registry's cache, from whatever thread expired or evicted them. Marks
        each dropped entry expired before the hot slot is cleared, and :meth:`_entry` checks
        the mark after setting the slot, so a frame decoded concurrently cannot make an
        expired entry hot again.
        """
        with self._lock:
            self._epoch += 1
            gone = [key for key in self._entries if key[1:] in version_ids]
            for key in gone:
                self._entries.pop(key).expired = True
            hot = self._hot[2]
            # The hot entry may be one the bounded table dropped already: check its id too.
            if hot is not None and (
                hot.expired or hot.version.schema_version_id.bytes in version_ids
            ):
                hot.expired = True
                self._hot = _COLD

    def _codec(self, data_format: DataFormat) -> Codec:
        codec = self._codecs.get(data_format)
        if codec is None:
            options = dict(self._codec_options[data_format])
            if data_format is DataFormat.AVRO and self._reader_schema is not None:
                # The reader schema is normalised by a plain codec first (dict or text).
                try:
                    options["reader_schema"] = codec_for(DataFormat.AVRO).canonical_definition(
                        self._reader_schema
                    )
                except SchemaError as exc:
                    hinted = _path_hint(self._reader_schema, "reader_schema", exc)
                    if hinted is exc:
                        raise
                    raise hinted from exc
            codec = codec_for(data_format, **options)
            self._codecs[data_format] = codec
        return codec

    def _miss(self, data: Buffer) -> _Entry:
        """Check the header, fetch the writer schema and build a reader (cache miss path).

        Readers are keyed by header bytes 1-17 (compression byte and version id), so the hot
        path is one slice and one dict lookup; the version id becomes a ``uuid.UUID`` only here.
        """
        compression, raw_id, _ = split_frame(data)  # FrameError before any registry call
        epoch = self._epoch
        version = self._lookup(raw_id)
        if version.status is not SchemaVersionStatus.AVAILABLE:
            raise SchemaNotFoundError(
                f"schema version {version.schema_version_id} is {version.status.value}, not "
                "AVAILABLE; records written with it are not decoded",
                operation="GetSchemaVersion",
                schema_version_id=version.schema_version_id,
                schema_name=version.schema_name,
            )
        decode = self._codec(version.data_format).decoder(version.schema_definition)
        # A codec's decoder may offer C callables that decode a payload from its second byte
        # (Protobuf: the message class's FromString per one-byte message index); only for
        # uncompressed frames, whose payload follows the header as written.
        direct = (
            decode.direct
            if compression is Compression.NONE and isinstance(decode, DirectDecoder)
            else None
        )
        entry = _Entry(version, self._reader(version, decode, compression), direct)
        with self._lock:
            if self._epoch != epoch:
                # The cache forgot ids while this one was fetched: use the entry for this
                # frame, and ask the cache again for the next one.
                entry.expired = True
                return entry
            if len(self._entries) >= DEFAULT_DECODER_CACHE_SIZE:
                # Bounded: drop the oldest entry (dicts keep insertion order).
                self._entries.pop(next(iter(self._entries)))
            self._entries[bytes(data[1:HEADER_SIZE])] = entry
        return entry

    def _reader(
        self, version: SchemaVersion, decode: Decoder, compression: Compression
    ) -> Callable[[Buffer], Datum]:
        """Return payload -> datum for one (version, compression)."""
        if compression is Compression.NONE:
            return decode
        return decompressing(
            compression,
            decode,
            max_size=self._max_size,
            schema_version_id=version.schema_version_id,
        )

    def _hot_for(self, data: Buffer) -> _Hot:
        """Return the hot slot for a frame (cache, then registry) and make it the hot one.

        ``data`` is a byte sequence (checked by the caller).
        """
        hot = self._hot
        if data[: hot[1]] == hot[0]:
            return hot
        key = data[1:HEADER_SIZE]
        entry = self._entries.get(key if type(key) is bytes else bytes(key))
        # A short frame's key can never match (every key is 17 bytes), so data[0] exists here.
        if entry is None or data[0] != HEADER_VERSION:
            entry = self._miss(data)
        table = entry.direct
        direct = table.get(data[HEADER_SIZE]) if table and len(data) > HEADER_SIZE else None
        if direct is None:
            hot = (bytes(data[:HEADER_SIZE]), HEADER_SIZE, entry, None)
        else:
            hot = (bytes(data[: HEADER_SIZE + 1]), HEADER_SIZE + 1, entry, direct)
        self._hot = hot
        if entry.expired:  # forgotten meanwhile (see _forget): never leave it hot
            self._hot = _COLD
        return hot

    def _entry(self, data: Buffer) -> _Entry:
        """Return the entry for a frame's header (cache, then registry) and make it the hot one."""
        if type(data) is not bytes:
            # FrameError for what is not a byte sequence, a memoryview of wider items included
            # (its first 18 items could equal a header).
            data = byte_buffer(data)
        return self._hot_for(data)[2]

    @overload
    def deserialize(self, data: None) -> None: ...

    @overload
    def deserialize(self, data: Buffer) -> T: ...

    def deserialize(self, data: Buffer | None) -> T | None:
        """Deserialize one frame; ``None`` gives ``None`` (Kafka tombstones).

        Typed by overloads: a frame gives ``T``, ``None`` gives ``None``.

        Parameters
        ----------
        data
            A whole Glue frame (bytes, bytearray or memoryview).

        Returns
        -------
        object or None
            The decoded value (passed through ``convert`` when given).

        Raises
        ------
        FrameError
            The header is short or malformed (no registry call is made).
        DecompressionError
            A compressed payload is corrupt, truncated, padded or too large.
        PayloadError
            The payload does not decode with the writer schema.
        SchemaNotFoundError
            The registry does not know the version id (or it is not AVAILABLE).
        RegistryError
            The registry failed.
        """
        if data is None:
            return None
        if type(data) is not bytes:
            # FrameError for what is not a byte sequence, a memoryview of wider items included
            # (18 items equal to the cached header must not pass for it).
            data = byte_buffer(data)
        # The hot slot's test inlined: this is the per-record path. Comparing 18 bytes costs
        # half of hashing a 17-byte key for the dict lookup.
        key, size, entry, direct = self._hot
        if data[:size] != key:
            key, size, entry, direct = self._hot_for(data)
        if direct is not None:
            try:
                value = direct(data[size:])
            except Exception:  # the codec's decoder says what is wrong (and raises)
                value = _decode(entry, data)
        else:
            try:
                value = entry.decode(data[HEADER_SIZE:])
            except PayloadError as exc:
                _tag(exc, entry)
                raise
        if self._convert is None:
            return value  # type: ignore[no-any-return]
        return self._convert(value)

    def deserialize_record(self, data: Buffer) -> DecodedRecord[T]:
        """Deserialize one frame and also return the writer schema version.

        Parameters
        ----------
        data
            A whole Glue frame.

        Returns
        -------
        DecodedRecord
            The value and its writer schema version.

        Raises
        ------
        FrameError, DecompressionError, PayloadError, SchemaNotFoundError, RegistryError
            As :meth:`deserialize`.
        """
        entry = self._entry(data)
        value = _decode(entry, data)
        if self._convert is not None:
            value = self._convert(value)
        return DecodedRecord(value=value, schema_version=entry.version)

    @overload
    def deserialize_many(self, frames: Iterable[Buffer]) -> list[T]: ...

    @overload
    def deserialize_many(self, frames: Iterable[Buffer | None]) -> list[T | None]: ...

    def deserialize_many(self, frames: Iterable[Buffer | None]) -> list[T] | list[T | None]:
        """Deserialize many frames; the batch fails on the first bad one.

        Typed by overloads: frames without ``None`` give a ``list[T]``.

        Parameters
        ----------
        frames
            Frames (``None`` entries stay ``None``).

        Returns
        -------
        list
            One value per frame, in order.

        Raises
        ------
        FrameError, DecompressionError, PayloadError, SchemaNotFoundError, RegistryError
            As :meth:`deserialize`.
        """
        # deserialize() inlined once more: a batch pays no per-record method call.
        find, convert = self._hot_for, self._convert
        key, size, entry, direct = self._hot
        out: list[T | None] = []
        append = out.append
        for frame in frames:
            if frame is None:
                append(None)
                continue
            # FrameError for what is not a byte sequence
            data = frame if type(frame) is bytes else byte_buffer(frame)
            if data[:size] != key:
                key, size, entry, direct = find(data)
            if direct is not None:
                try:
                    value = direct(data[size:])
                except Exception:  # the codec's decoder says what is wrong (and raises)
                    value = _decode(entry, data)
            else:
                try:
                    value = entry.decode(data[HEADER_SIZE:])
                except PayloadError as exc:
                    _tag(exc, entry)
                    raise
            append(value if convert is None else convert(value))
        return out

    @overload
    def __call__(self, data: None, ctx: object = None) -> None: ...

    @overload
    def __call__(self, data: Buffer, ctx: object = None) -> T: ...

    def __call__(self, data: Buffer | None, ctx: object = None) -> T | None:
        """Deserialize ``data``; the signature confluent-kafka calls (``ctx`` is unused here).

        Raises
        ------
        FrameError, DecompressionError, PayloadError, SchemaNotFoundError, RegistryError
            As :meth:`deserialize`.
        """
        return self.deserialize(data)

    def schema_version_for(self, data: Buffer) -> SchemaVersion:
        """Return the writer schema version of a frame without decoding its payload.

        Raises
        ------
        FrameError, SchemaNotFoundError, RegistryError
            As :meth:`deserialize`.
        """
        return self._entry(data).version
