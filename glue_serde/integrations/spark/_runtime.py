"""What runs inside Spark's Python workers: batch decode and encode, kept warm per worker.

A UDF carries a small picklable spec (the registry as its pickled configuration, the reader
schema, the mode). Each Python worker process keeps, per spec token, one
:class:`ColumnDecoder` (or :class:`ColumnEncoder`), and per registry configuration one
:class:`~glue_serde.registry.caching.CachingSchemaRegistry`: a worker asks the registry once
per schema version, whatever the number of tasks and batches it serves.

Imports pyarrow (pandas only on the pandas-UDF path), the package's own modules and pyspark's
type classes.
"""

from __future__ import annotations

import json
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa

from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    DeserializationError,
    ErrorDetail,
    GlueSerdeError,
    PayloadError,
    SchemaNotFoundError,
    ValidationError,
)
from glue_serde.integrations.spark._types import Mapping, Mismatch, avro_mapping, json_mapping
from glue_serde.registry.caching import CachingSchemaRegistry
from glue_serde.serde import Deserializer, Serializer
from glue_serde.wire import HEADER_SIZE, split_frame

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable

    from glue_serde.registry import SchemaRegistry
    from glue_serde.schema import SchemaVersion

__all__ = ["BadRowError", "DecodeSpec", "EncodeSpec", "decode_arrow", "decode_pandas"]

#: Specs (columns) a worker keeps warm; the oldest is dropped beyond this.
_MAX_SPECS: Final = 32
#: Writer versions a column decoder keeps a route for.
_MAX_ROUTES: Final = 1000

#: Output fields after the reader's own ones (f0, f1, ...).
OK, ERROR_TYPE, ERROR_MESSAGE, ERROR_VERSION = "ok", "error_type", "error_message", "error_version"


class BadRowError(DeserializationError):
    """``mode="FAILFAST"``: a row could not be decoded into the column; the job stops.

    Parameters
    ----------
    message
        What went wrong, naming the row.
    row
        Position of the row in its Arrow batch.
    schema_version_id
        The writer version named in the frame's header, when it could be read.
    """

    def __init__(
        self, message: str, *, row: int, schema_version_id: uuid.UUID | None = None
    ) -> None:
        super().__init__(message, schema_version_id=schema_version_id)
        self.row = row


@dataclass(frozen=True, slots=True)
class DecodeSpec:
    """Everything a worker needs to decode one column (pickled into the UDF)."""

    token: str
    registry_blob: bytes
    data_format: DataFormat
    reader_definition: str
    message_name: str | None
    failfast: bool
    mapping_args: tuple[Any, ...]  # rebuilt into a Mapping on the worker, see build_mapping
    wrap: bool


@dataclass(frozen=True, slots=True)
class EncodeSpec:
    """Everything a worker needs to encode one column (pickled into the UDF)."""

    token: str
    registry_blob: bytes
    data_format: DataFormat
    schema_definition: str
    schema_name: str
    compression: str
    compression_threshold: int
    allow_non_java_compression: bool
    session_time_zone: str | None  # pandas path: naive timestamps are in this zone


_lock = threading.Lock()
_registries: dict[bytes, CachingSchemaRegistry] = {}
_workers: OrderedDict[str, Any] = OrderedDict()


def registry_for(blob: bytes) -> CachingSchemaRegistry:
    """Return this worker's registry for a pickled configuration, built on first use."""
    with _lock:
        registry = _registries.get(blob)
        if registry is None:
            registry = CachingSchemaRegistry(pickle.loads(blob))
            _registries[blob] = registry
        return registry


def _worker(token: str, build: Callable[[], Any]) -> Any:
    with _lock:
        found = _workers.get(token)
        if found is not None:
            _workers.move_to_end(token)
            return found
    built = build()
    with _lock:
        found = _workers.setdefault(token, built)
        while len(_workers) > _MAX_SPECS:
            _workers.popitem(last=False)
        return found


def build_mapping(spec: DecodeSpec) -> Mapping:
    """Rebuild the reader's mapping (type and converter) from the spec, on the worker."""
    from glue_serde.integrations.spark import _mapping_for  # noqa: PLC0415 (cycle)

    mapping, _ = _mapping_for(spec.data_format, *spec.mapping_args)
    return mapping


class UnderlyingAvroView:
    """A read-only view of a registry whose Avro definitions go through ``avro_underlying``.

    Decoders built from it read ``uuid`` and ``time-*`` fields as the base values the Spark
    column holds. Only :class:`~glue_serde.Deserializer`'s lookups by id are served.
    """

    def __init__(self, registry: SchemaRegistry) -> None:
        self._registry = registry

    @property
    def registry_name(self) -> str:
        return self._registry.registry_name

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        from glue_serde.integrations.spark._types import avro_underlying  # noqa: PLC0415

        version = self._registry.get_schema_version(schema_version_id)
        if version.data_format is not DataFormat.AVRO:
            return version
        text = avro_underlying(version.schema_definition)
        return (
            version
            if text == version.schema_definition
            else replace(version, schema_definition=text)
        )

    def find_schema_version(self, *args: Any, **kwargs: Any) -> SchemaVersion | None:
        raise _by_id_only("find_schema_version")

    def create_schema(self, *args: Any, **kwargs: Any) -> SchemaVersion:
        raise _by_id_only("create_schema")

    def register_schema_version(self, *args: Any, **kwargs: Any) -> SchemaVersion:
        raise _by_id_only("register_schema_version")


def _by_id_only(verb: str) -> ConfigurationError:
    """Return the error a decoding view raises for anything but a lookup by id."""
    return ConfigurationError(
        f"{verb} on a Spark worker's decoding view of the registry: it serves lookups of "
        "schema versions by id only"
    )


class ColumnDecoder:
    """Decodes batches of frames into the reader's struct for one column."""

    def __init__(self, spec: DecodeSpec) -> None:
        from glue_serde.integrations.spark import _mapping_for  # noqa: PLC0415 (cycle)
        from glue_serde.integrations.spark._types import (  # noqa: PLC0415
            arrow_type,
            as_nullable,
            avro_underlying,
        )

        self.spec = spec
        self.registry = registry_for(spec.registry_blob)
        mapping = build_mapping(spec)
        self.convert = mapping.convert
        self.arrow_type = arrow_type(as_nullable(mapping.data_type))
        self.field_names = [f.name for f in self.arrow_type]
        self.failfast = spec.failfast
        fmt = spec.data_format
        source: SchemaRegistry = self.registry
        reader_definition = spec.reader_definition
        if fmt is DataFormat.AVRO:
            # Read uuid / time-* fields as the base values the column holds (the writer's
            # logical types are the ones Avro resolution applies, so writers are read through
            # the view even when the reader has none), unless that changes the column type:
            # a reader union such as [time-millis, long] tells its members apart by them.
            lean = avro_underlying(reader_definition)
            if lean == reader_definition:
                source = UnderlyingAvroView(self.registry)
            else:
                lean_mapping, _ = _mapping_for(fmt, lean, spec.message_name)
                if lean_mapping.data_type == mapping.data_type:
                    source = UnderlyingAvroView(self.registry)
                    reader_definition = lean
                    self.convert = lean_mapping.convert
        # No cache of the deserializers' own: the worker's caching registry is behind both.
        self.plain: Deserializer[Any] = Deserializer(source, cache=None)
        self.resolving: Deserializer[Any] | None = None
        self.reader_text: Any = None
        self.reader_class: Any = None  # Protobuf: the reader's message class
        if fmt is DataFormat.AVRO:
            self.resolving = Deserializer(source, reader_schema=reader_definition, cache=None)
            self.reader_text = _avro_identity(reader_definition)
        elif fmt is DataFormat.PROTOBUF:
            from glue_serde.integrations.spark import _protobuf_class  # noqa: PLC0415

            self.reader_class = _protobuf_class(spec.reader_definition, spec.message_name)
        self.routes: dict[bytes, Callable[[bytes], Any]] = {}

    # -- routing: which function decodes frames of one writer version -----------------------

    def _route(self, frame: bytes) -> Callable[[bytes], Any]:
        version = self.plain.schema_version_for(frame)
        fmt = self.spec.data_format
        if version.data_format is not fmt:
            raise PayloadError(
                f"the frame was written as {version.data_format.value} (schema "
                f"{version.schema_name!r}); the column reads {fmt.value}",
                schema_version_id=version.schema_version_id,
            )
        route: Callable[[bytes], Any]
        if fmt is DataFormat.AVRO:
            assert self.resolving is not None
            same = _avro_identity(version.schema_definition) == self.reader_text
            # Writer schema equal to the reader's: no resolution to do, the plain decoder reads it.
            route = self.plain.deserialize if same else self.resolving.deserialize
        elif fmt is DataFormat.PROTOBUF:
            route = self._protobuf_route(version.schema_definition)
        else:
            route = self.plain.deserialize
        if len(self.routes) >= _MAX_ROUTES:
            self.routes.clear()
        self.routes[bytes(frame[:HEADER_SIZE])] = route
        return route

    def _protobuf_route(self, writer_definition: str) -> Callable[[bytes], Any]:
        reader: Any = self.reader_class
        plain = self.plain.deserialize
        if writer_definition == self.spec.reader_definition:
            return plain  # same text: the writer's message has the reader's fields
        full_name = reader.DESCRIPTOR.full_name

        def decode(frame: bytes) -> Any:
            message: Any = plain(frame)
            if message.DESCRIPTOR.full_name != full_name:
                raise PayloadError(
                    f"the frame holds a {message.DESCRIPTOR.full_name}; the column reads "
                    f"{full_name}"
                )
            # Resolution by field number: the reader's class parses the writer's bytes.
            try:
                return reader.FromString(message.SerializeToString())
            except Exception as exc:  # protobuf's DecodeError and friends
                raise PayloadError(f"cannot read the message as {full_name}: {exc}") from exc

        return decode

    # -- batches --------------------------------------------------------------------------------

    def decode(self, frames: list[Any]) -> tuple[pa.StructArray, list[Any]]:
        """Decode a batch; return the UDF's flat struct (fields, ok, error columns).

        The decoded values (None for bad rows) come too: the pandas path hands nested
        columns to pyspark as these Python objects.
        """
        values: list[Any] = []
        ok: list[bool | None] = []
        errors: dict[int, tuple[str, str, str | None]] = {}
        routes, convert = self.routes, self.convert
        append, ok_append = values.append, ok.append
        for row, frame in enumerate(frames):
            if frame is None:
                append(None)
                ok_append(None)
                continue
            try:
                data = frame if type(frame) is bytes else _as_bytes(frame)
                route = routes.get(data[:HEADER_SIZE])
                if route is None:
                    route = self._route(data)
                value = route(data)
                if convert is not None:
                    value = convert(value)
            except (DeserializationError, SchemaNotFoundError, Mismatch) as exc:
                self._bad(row, frame, exc, errors)
                append(None)
                ok_append(False)
                continue
            append(value)
            ok_append(True)
        struct = self._to_arrow(values, ok, frames, errors)
        return self._assemble(struct, ok, errors, len(frames)), values

    def _bad(
        self, row: int, frame: Any, exc: Exception, errors: dict[int, tuple[str, str, str | None]]
    ) -> None:
        version = _version_of(frame, exc)
        kind = "PayloadError" if isinstance(exc, Mismatch) else type(exc).__name__
        message = str(exc)
        if self.failfast:
            raise BadRowError(
                f"from_glue (FAILFAST): row {row} of a batch of rows cannot be decoded "
                f"(writer version {version or 'unknown'}): {kind}: {message}",
                row=row,
            ) from exc
        errors[row] = (kind, message, version)

    def _to_arrow(
        self,
        values: list[Any],
        ok: list[bool | None],
        frames: list[Any],
        errors: dict[int, tuple[str, str, str | None]],
    ) -> pa.StructArray:
        arrow_type = self.arrow_type
        try:
            return pa.array(values, type=arrow_type)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            pass
        # One value does not fit its column: find it row by row, dead-letter it, keep the rest.
        for row, value in enumerate(values):
            if value is None:
                continue
            try:
                pa.array([value], type=arrow_type)
            except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
                mismatch = Mismatch(f"the decoded record does not fit the column type: {exc}")
                mismatch.__cause__ = exc
                self._bad(row, frames[row], mismatch, errors)
                values[row] = None
                ok[row] = False
        return pa.array(values, type=arrow_type)

    def _assemble(
        self,
        struct: pa.StructArray,
        ok: list[bool | None],
        errors: dict[int, tuple[str, str, str | None]],
        size: int,
    ) -> pa.StructArray:
        children = struct.flatten() if struct.type.num_fields else []
        names = [f"f{i}" for i in range(len(children))]
        kinds: list[str | None] = [None] * size
        messages: list[str | None] = [None] * size
        versions: list[str | None] = [None] * size
        for row, (kind, message, version) in errors.items():
            kinds[row], messages[row], versions[row] = kind, message, version
        arrays = [
            *children,
            pa.array(ok, type=pa.bool_()),
            pa.array(kinds, type=pa.string()),
            pa.array(messages, type=pa.string()),
            pa.array(versions, type=pa.string()),
        ]
        return pa.StructArray.from_arrays(
            arrays, names=[*names, OK, ERROR_TYPE, ERROR_MESSAGE, ERROR_VERSION]
        )


def _as_bytes(frame: Any) -> bytes:
    if isinstance(frame, bytearray | memoryview):
        return bytes(frame)  # some pyspark paths give bytearray: a hashable key is needed
    split_frame(frame)  # raises FrameError: not bytes-like (a string column, say)
    raise PayloadError(f"not a frame: {type(frame).__name__}")  # pragma: no cover


def _avro_identity(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _version_of(frame: Any, exc: Exception) -> str | None:
    found = getattr(exc, "schema_version_id", None)
    if found is not None:
        return str(found)
    try:
        _, raw_id, _ = split_frame(frame)
    except GlueSerdeError:
        return None
    import uuid  # noqa: PLC0415

    return str(uuid.UUID(bytes=raw_id))


def decoder_for(spec: DecodeSpec) -> ColumnDecoder:
    """Return this worker's decoder for a spec, built on first use."""
    decoder: ColumnDecoder = _worker(spec.token, lambda: ColumnDecoder(spec))
    return decoder


def decode_arrow(spec: DecodeSpec, frames: pa.Array) -> pa.StructArray:
    """``arrow_udf`` body: a binary Arrow array in, the flat result struct out."""
    return decoder_for(spec).decode(frames.to_pylist())[0]


def decode_pandas(spec: DecodeSpec, frames: Any) -> Any:
    """``pandas_udf`` body: a Series of bytes in, a DataFrame of the flat result out.

    Flat primitive columns go back as Arrow-backed Series (no per-value conversion, and no
    float64 detour for nullable longs); nested columns as Python objects, which is what
    pyspark's pandas converter expects.
    """
    import pandas as pd  # noqa: PLC0415

    decoder = decoder_for(spec)
    result, values = decoder.decode(frames.tolist())
    names = decoder.field_names
    columns: dict[str, Any] = {}
    for index, (field, child) in enumerate(zip(result.type, result.flatten(), strict=True)):
        if pa.types.is_nested(child.type):
            # The decoded objects themselves (maps as dicts: pyspark's converter wants those).
            key = names[index]
            column = [None if v is None else v.get(key) for v in values]
            columns[field.name] = pd.Series(column, dtype=object)
        else:
            columns[field.name] = pd.Series(pd.arrays.ArrowExtensionArray(child))
    return pd.DataFrame(columns)


# ------------------------------------------------------------------------------- encoding


class ColumnEncoder:
    """Encodes rows of one column into Glue frames with a warm :class:`Serializer`."""

    def __init__(self, spec: EncodeSpec) -> None:
        from glue_serde.integrations.spark._values import python_converter  # noqa: PLC0415

        self.serializer = Serializer(
            registry_for(spec.registry_blob),
            data_format=spec.data_format,
            schema=spec.schema_definition,
            schema_name=spec.schema_name,
            compression=spec.compression,
            compression_threshold=spec.compression_threshold,
            allow_non_java_compression=spec.allow_non_java_compression,
        )
        # The writer schema's Spark type says which values are maps (Arrow hands maps over
        # as lists of pairs) and timestamps; the mapping's encode undoes the column's form
        # (Avro member structs to their branch, JSON fallback text to its value).
        writer: Mapping | None
        try:
            if spec.data_format is DataFormat.AVRO:
                writer = avro_mapping(spec.schema_definition)
            elif spec.data_format is DataFormat.JSON:
                writer = json_mapping(spec.schema_definition)
            else:
                from glue_serde.integrations.spark import _mapping_for  # noqa: PLC0415

                writer = _mapping_for(spec.data_format, spec.schema_definition)[0]
        except GlueSerdeError:
            writer = None  # no Spark type (a recursive schema): values as given
        self.convert = python_converter(
            spec.data_format,
            None if writer is None else writer.data_type,
            spec.session_time_zone,
        )
        self.unmap: Callable[[Any], Any] | None = None if writer is None else writer.encode
        self.data_format = spec.data_format
        self.schema_name = spec.schema_name

    def encode(self, values: list[Any]) -> pa.Array:
        """Encode a batch; a value that does not fit the schema fails the task (strict writes)."""
        convert, serialize, unmap = self.convert, self.serializer.serialize, self.unmap
        frames: list[bytes | None] = []
        append = frames.append
        for raw in values:
            if raw is None:
                append(None)
                continue
            value = convert(raw)
            if unmap is not None:
                try:
                    value = unmap(value)
                except Mismatch as exc:
                    raise self._invalid(exc, raw) from exc
            append(serialize(value))
        return pa.array(frames, type=pa.binary())

    def _invalid(self, exc: Mismatch, value: Any) -> ValidationError:
        where = ".".join(map(str, exc.loc)) or "(root)"
        return ValidationError(
            f"to_glue: {where}: {exc}",
            errors=(ErrorDetail(type=exc.code, loc=exc.loc, msg=str(exc), input=value),),
            schema_name=self.schema_name,
            data_format=self.data_format,
        )


def encoder_for(spec: EncodeSpec) -> ColumnEncoder:
    """Return this worker's encoder for a spec, built on first use."""
    encoder: ColumnEncoder = _worker(spec.token, lambda: ColumnEncoder(spec))
    return encoder


def encode_arrow(spec: EncodeSpec, values: pa.Array) -> pa.Array:
    """``arrow_udf`` body for ``to_glue``."""
    return encoder_for(spec).encode(values.to_pylist())


def encode_pandas(spec: EncodeSpec, values: Any) -> Any:
    """``pandas_udf`` body for ``to_glue``: the value arrives wrapped in a one-field struct.

    The wrapper (``struct(col AS v)``) makes pyspark hand the value over as Python objects
    (dicts of Python ints) instead of float64 columns for nullable longs.
    """
    import pandas as pd  # noqa: PLC0415

    frames = encoder_for(spec).encode(values["v"].tolist())
    return pd.Series(pd.arrays.ArrowExtensionArray(frames))


def registry_blob(registry: SchemaRegistry) -> bytes:
    """Pickle a registry's configuration for the workers (clear error if it cannot be)."""
    try:
        return pickle.dumps(registry)
    except ConfigurationError:
        raise
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise ConfigurationError(
            f"{type(registry).__name__} cannot be shipped to Spark executors: {exc}. Use a "
            "LocalSchemaRegistry on a file every executor can read, or a GlueSchemaRegistry."
        ) from exc
