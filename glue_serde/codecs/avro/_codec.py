"""The Avro codec: strict encoding, bounded decoding, the schema text Java sends.

:class:`AvroCodec` joins the parts of this package: schemas from
:mod:`~glue_serde.codecs.avro._schema`, the Java text from
:mod:`~glue_serde.codecs.avro._javatext`, the walker from
:mod:`~glue_serde.codecs.avro._check`, depth and value budget from
:mod:`~glue_serde.codecs.avro._bounds`, the generated encoders from
:mod:`~glue_serde.codecs.avro._encode`, the generated decoders from
:mod:`~glue_serde.codecs.avro._decode` and :mod:`~glue_serde.codecs.avro._resolve`, and
fastavro's entry points from :mod:`~glue_serde.codecs.avro._fastavro` (reads fall back to
them only on a fastavro without its logical-type table).

Imports fastavro's public API, the package's base modules and the Avro package's modules.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, TypeVar

import fastavro

from glue_serde.codecs._base import DEFAULT_PARSED_CACHE_SIZE, ParsedCache
from glue_serde.codecs.avro import _fastavro
from glue_serde.codecs.avro._bounds import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_VALUES_PER_BYTE,
    MAX_DEPTH_LIMIT,
    Bounds,
    value_budget,
)
from glue_serde.codecs.avro._decode import as_bytes, compile_decoder
from glue_serde.codecs.avro._javatext import java_schema_text
from glue_serde.codecs.avro._schema import Schema, build_schema, load, parse, writer_form
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    ErrorDetail,
    GlueSerdeError,
    PayloadError,
    SchemaError,
    SerializationError,
    ValidationError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from glue_serde._typing import Buffer, Datum
    from glue_serde.codecs._base import Decoder, Encoder
    from glue_serde.codecs.avro._check import Walker

# The write side (walker, generated encoders) and the resolving decoders are imported when first
# needed: a consumer without a reader schema never loads them (cold start).

__all__ = ["AvroCodec"]


class _Prepared:
    """One writer schema, prepared once per codec.

    The read side (parsed schema, bounds) is built at once; the write side (writer form, its
    bounds, the walker, the generated encoder) on first use, so a consumer never generates an
    encoder.
    """

    __slots__ = ("_writing", "max_depth", "per_byte", "read_bounds", "schema")

    def __init__(self, schema: Schema, max_depth: int, per_byte: int) -> None:
        self.schema = schema
        self.max_depth = max_depth
        self.per_byte = per_byte
        self.read_bounds = Bounds(schema)
        self._writing: _Writing | None = None

    def writing(self) -> _Writing:
        """Return the write side (built on first use)."""
        if self._writing is None:
            self._writing = _Writing(self, self.max_depth, self.per_byte)
        return self._writing


class _Writing:
    """The write side of a prepared schema: writer form, bounds, walker, generated encoder."""

    __slots__ = ("bounds", "program", "walker", "writer")

    def __init__(self, prepared: _Prepared, max_depth: int, per_byte: int) -> None:
        from glue_serde.codecs.avro._check import Walker  # noqa: PLC0415
        from glue_serde.codecs.avro._encode import EncoderProgram  # noqa: PLC0415

        self.writer = writer_form(prepared.schema)
        self.bounds = (
            prepared.read_bounds if self.writer is prepared.schema else Bounds(self.writer)
        )
        self.walker = Walker(self.writer, max_depth)
        _check_defaults(self.walker)
        self.program = EncoderProgram(
            self.writer, self.bounds, max_depth, counted=self.bounds.counted(per_byte)
        )


def _invalid(errors: tuple[ErrorDetail, ...], cause: BaseException | None) -> ValidationError:
    error = ValidationError(
        f"datum does not fit the Avro schema: {_summary(errors)}",
        errors=errors,
        data_format=DataFormat.AVRO,
    )
    error.__cause__ = cause
    return error


def _refusal(walker: Walker, datum: Datum, failure: BaseException | None) -> SerializationError:
    """Explain why the checker refused ``datum`` (or why fastavro's writer failed on it)."""
    try:
        errors = walker.errors(datum)
    except Exception as exc:  # a hostile object raising in the walker too
        error = SerializationError(
            f"the datum could not be validated against the Avro schema: {type(exc).__name__}: "
            f"{exc}",
            data_format=DataFormat.AVRO,
        )
        error.__cause__ = exc
        return error
    if errors:
        return _invalid(errors, failure)
    # Nothing wrong was found, but the datum could not be fully inspected (its keys or length
    # raised) or written: writing it could drop what the check never saw.
    reason = f"{type(failure).__name__}: {failure}" if failure is not None else "refused"
    error = SerializationError(
        f"the datum could not be validated against the Avro schema: {reason}",
        data_format=DataFormat.AVRO,
    )
    error.__cause__ = failure
    return error


class AvroCodec:
    r"""Avro through fastavro: strict encoding, bounded decoding, the schema text Java sends.

    Parameters
    ----------
    reader_schema
        When given (Avro JSON text), decoded datums are resolved from the writer schema to this
        schema (Avro schema resolution, by a decoder generated per writer schema; the rules and
        where they differ from fastavro's resolving reader are in
        :mod:`~glue_serde.codecs.avro._resolve`); otherwise they are read with the writer
        schema alone, as Java's ``GENERIC_RECORD`` mode does.
    parsed_cache_size
        Parsed schemas (with their compiled checkers and bound encoder/decoder) kept per codec.
    max_depth
        Deepest nesting of records, arrays and maps in one datum (the top-level record is at
        depth 1), 1 to 1000. A deeper datum is refused on write (``ValidationError``) and on
        read (``PayloadError``), before it reaches any code that recurses. The default, 100,
        is Protobuf's own limit: far beyond real records, and far from Python's recursion
        limit and the C stack of fastavro's compiled writer.
    max_values_per_byte
        Decoding a payload of ``n`` bytes builds at most ``65536 + max_values_per_byte * n``
        values (a record, each field, an array, each item, a map, each key and each value),
        including values that take no byte (``null``, empty records). Encoding refuses a datum
        whose payload would exceed it, so that what is written can be read. The default, 4,
        is twice what honest records need (a map of nulls, records of booleans); most schemas
        cannot exceed it at all and pay nothing at run time.

    Raises
    ------
    SchemaError
        If ``reader_schema`` does not parse, or has a default its field cannot hold.
    ConfigurationError
        If ``parsed_cache_size``, ``max_depth`` or ``max_values_per_byte`` is out of range.

    Examples
    --------
    >>> codec = AvroCodec()
    >>> schema = '{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}'
    >>> codec.encode(schema, {"name": "Ann"})
    b'\x06Ann'
    >>> codec.decode(schema, b"\x06Ann")
    {'name': 'Ann'}
    """

    def __init__(
        self,
        *,
        reader_schema: str | None = None,
        parsed_cache_size: int = DEFAULT_PARSED_CACHE_SIZE,
        max_depth: int = DEFAULT_MAX_DEPTH,
        max_values_per_byte: int = DEFAULT_MAX_VALUES_PER_BYTE,
    ) -> None:
        _check_int("parsed_cache_size", parsed_cache_size, 1, None)
        _check_int("max_depth", max_depth, 1, MAX_DEPTH_LIMIT)
        _check_int("max_values_per_byte", max_values_per_byte, 1, None)
        self._max_depth = max_depth
        self._per_byte = max_values_per_byte
        self._reader: Schema | None = None
        if reader_schema is not None:
            self.canonical_definition(reader_schema)  # its defaults must fit their fields
            self._reader = Schema(*parse(load(reader_schema)))
        self._reader_schema = reader_schema
        self._encoders: ParsedCache[str, Encoder] = ParsedCache(parsed_cache_size)
        self._decoders: ParsedCache[str, Decoder] = ParsedCache(parsed_cache_size)
        self._schemas: ParsedCache[str, _Prepared] = ParsedCache(parsed_cache_size)

    @property
    def data_format(self) -> DataFormat:
        """The format this codec reads and writes: ``DataFormat.AVRO``."""
        return DataFormat.AVRO

    @property
    def reader_schema(self) -> str | None:
        """The reader schema datums are resolved to, if any."""
        return self._reader_schema

    @property
    def max_depth(self) -> int:
        """Deepest nesting of records, arrays and maps accepted in one datum."""
        return self._max_depth

    @property
    def max_values_per_byte(self) -> int:
        """Values one payload byte may build (beyond the 65536 any payload may)."""
        return self._per_byte

    def canonical_definition(self, schema_definition: object) -> str:
        """Return the schema text Avro Java's ``Schema.toString()`` produces for a schema.

        The Java serializer registers and looks up ``schema.toString()``, so sending the same
        text finds the versions Java producers registered (moto compares text exactly; AWS
        compares a canonical hash). What Java writes, and this method matches:

        - compact JSON, no spaces; non-ASCII characters unescaped (Jackson's default);
        - a primitive without properties as a bare string (``"string"``), with properties as
          ``{"type":"string",...props}``; ``{"type":"string"}`` becomes ``"string"``;
        - records: ``type``, ``name``, ``namespace``, ``doc``, ``fields``, then custom
          properties, then ``aliases``; enums: ``type``, ``name``, ``namespace``, ``doc``,
          ``symbols``, ``default``, properties, ``aliases``; fixed: ``type``, ``name``,
          ``namespace``, ``doc``, ``size``, properties, ``aliases``; arrays/maps: ``type``,
          ``items``/``values``, properties;
        - fields: ``name``, ``type``, ``doc``, ``default``, ``order`` (only when not
          ``ascending``), ``aliases``, then custom properties;
        - ``name`` is the short name; ``namespace`` only when it differs from the enclosing
          one (``""`` for a null namespace inside a non-null one); a dotted name is split;
        - a named type is defined at its first occurrence and referenced by name afterwards,
          short inside its own namespace, fully qualified elsewhere (and always qualified when
          the short name is an Avro type name);
        - properties, including ``logicalType``, ``precision`` and ``scale``, keep the input
          order, as Java's ``LinkedHashMap`` does; the standard attributes do not depend on
          the input's key order;
        - doubles in defaults and properties as Java's ``Double.toString`` (``1.0E20``,
          ``1.0E-4``, ``100.0``); a textual default of a float/double field becomes a number,
          as Java's parser makes it (``"NaN"`` and ``"Infinity"`` stay quoted, Jackson's
          default). A bare ``NaN`` or ``Infinity`` anywhere (Python's ``json`` reads them, a
          dict may hold them) is not JSON and is refused.

        Unsure: JDKs before 19 occasionally print a double with more digits than the shortest
        form used here; exotic inputs Java's parser rejects but fastavro accepts (a nested
        ``{"type": {...}}``) are rendered as their inner schema.

        Parameters
        ----------
        schema_definition
            JSON text, a plain type name such as ``string``, or already-parsed JSON (a dict
            or a list).

        Returns
        -------
        str
            The compact schema text.

        Raises
        ------
        SchemaError
            If the input is not JSON or not a valid Avro schema (the reason is in the message),
            or nests deeper than 200 JSON levels.

        Examples
        --------
        >>> AvroCodec().canonical_definition('{"fields": [], "name": "E", "type": "record"}')
        '{"type":"record","name":"E","fields":[]}'
        """
        from glue_serde.codecs.avro._check import Walker  # noqa: PLC0415

        loaded = load(schema_definition)
        parsed, named = parse(loaded)
        try:
            _check_defaults(Walker(writer_form(Schema(parsed, named)), MAX_DEPTH_LIMIT))
            return java_schema_text(loaded)
        except SchemaError:
            raise
        except Exception as exc:  # KeyError, TypeError, OverflowError, RecursionError, ...
            raise SchemaError(
                f"invalid Avro schema: {type(exc).__name__}: {exc}", data_format=DataFormat.AVRO
            ) from exc

    def _schema(self, schema_definition: str) -> _Prepared:
        return self._schemas.get_or_build(schema_definition, self._prepare)

    def _prepare(self, schema_definition: str) -> _Prepared:
        schema = build_schema(schema_definition)
        return _translated(lambda: _Prepared(schema, self._max_depth, self._per_byte))

    def _writing(self, schema_definition: str) -> _Writing:
        prepared = self._schema(schema_definition)
        return _translated(prepared.writing)

    def encoder(self, schema_definition: str) -> Encoder:
        """Return a strict encoder bound to one writer schema (built once per definition).

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.

        Returns
        -------
        Encoder
            ``encode(datum) -> bytes``; raises ``ValidationError`` (every violation in
            ``.errors``) or ``SerializationError``.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        return self._encoders.get_or_build(schema_definition, self._build_encoder)

    def framed_encoder(self, schema_definition: str, header: bytes) -> Encoder:
        """Return a strict encoder whose output is ``header`` followed by the payload.

        For the serializer: writing the payload after the Glue header in one buffer saves a
        copy per record. Not cached (the caller keeps it); checks as :meth:`encoder`.

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.
        header
            Bytes to put before every payload.

        Returns
        -------
        Encoder
            ``encode(datum) -> header + payload``.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        return self._build_encoder(schema_definition, bytes(header))

    def _build_encoder(self, schema_definition: str, header: bytes = b"") -> Encoder:
        from glue_serde.codecs.avro._encode import Refused  # noqa: PLC0415

        writing = self._writing(schema_definition)
        walker = writing.walker

        def refuse(datum: Datum, exc: BaseException) -> BaseException:
            # The generated encoder refused a value (Refused) or something raised while it
            # wrote (a lone surrogate, a hostile Mapping, RecursionError): the walker explains.
            return _refusal(walker, datum, None if isinstance(exc, Refused) else exc)

        budget = _budget_check(writing.bounds, len(header), self._max_depth, self._per_byte)
        return _translated(lambda: writing.program.instantiate(header, refuse, budget))

    def decoder(self, schema_definition: str) -> Decoder:
        """Return a decoder bound to one writer schema (built once per definition).

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.

        Returns
        -------
        Decoder
            ``decode(payload) -> datum`` (fastavro's Python values); raises ``PayloadError``.

        Raises
        ------
        SchemaError
            If the definition does not parse, or (with a reader schema) two of its fields
            resolve to one reader field.
        PayloadError
            With a reader schema, if no payload of this writer schema can resolve to it (the
            top-level record lacks a field the reader requires, the types do not match); the
            cause, a ``SchemaError``, says why.
        """
        return self._decoders.get_or_build(schema_definition, self._build_decoder)

    def _build_decoder(self, schema_definition: str) -> Decoder:
        prepared = self._schema(schema_definition)
        schema = prepared.schema
        bounds = prepared.read_bounds
        writer = schema.parsed
        limits = {"max_depth": self._max_depth, "max_values_per_byte": self._per_byte}
        logical_readers = _fastavro.LOGICAL_READERS
        reader = self._reader
        resolving = reader is not None and reader.parsed != writer
        if logical_readers is not None:
            if reader is None or not resolving:
                return _translated(
                    lambda: compile_decoder(schema, bounds, logical_readers, **limits)
                )
            from glue_serde.codecs.avro import _resolve  # noqa: PLC0415

            return _translated(
                lambda: _resolve.compile_resolving_decoder(
                    schema, bounds, reader, logical_readers, **limits
                )
            )
        # fastavro reads (schema resolution, or no logical-type table): a generated decoder
        # first checks the payload's depth and budget when the schema does not bound them.
        guard = None
        if bounds.tracked(self._max_depth) or bounds.counted(self._per_byte):
            guard = _translated(lambda: compile_decoder(schema, bounds, None, **limits))
        compiled = _fastavro.COMPILED
        if compiled is not None:
            # What schemaless_reader does per call, done once: named types, the reader schema
            # dropped when it equals the writer schema, and fastavro's default options.
            read_data = compiled[0]
            named: dict[str, dict[str, Any]] = {"writer": dict(schema.named), "reader": {}}
            reader_schema: Any = None
            if reader is not None and resolving:
                reader_schema = fastavro.parse_schema(reader.parsed, named_schemas=named["reader"])
            options = dict(_fastavro.READ_OPTIONS)
        else:
            read_data = _fastavro.public_read_data
            named, options = {}, {}
            reader_schema = reader.parsed if reader is not None and resolving else None
        bytes_io = io.BytesIO

        def decode(payload: Buffer) -> Datum:
            if type(payload) is not bytes:
                payload = as_bytes(payload)
            if guard is not None:
                guard(payload)
            stream = bytes_io(payload)
            try:
                datum = read_data(stream, writer, named, reader_schema, options)
            except Exception as exc:
                raise PayloadError(
                    f"payload does not decode with the Avro writer schema: "
                    f"{type(exc).__name__}: {exc}",
                    data_format=DataFormat.AVRO,
                ) from exc
            if stream.read(1):
                raise PayloadError("bytes left after the Avro datum", data_format=DataFormat.AVRO)
            return datum

        return decode

    def encode(self, schema_definition: str, datum: Datum) -> bytes:
        """Encode one datum as a bare Avro binary datum.

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.
        datum
            The value, in fastavro's Python representation.

        Returns
        -------
        bytes
            The payload (no header).

        Raises
        ------
        SchemaError
            If the definition does not parse.
        ValidationError
            If the datum does not fit the schema, nests deeper than ``max_depth``, or would
            build more values on read than its payload's budget (every violation in
            ``.errors``, each with its location).
        SerializationError
            If fastavro fails to write a datum the checks accepted.
        """
        return self.encoder(schema_definition)(datum)

    def decode(self, schema_definition: str, payload: Buffer) -> Datum:
        """Decode one bare Avro binary datum.

        Parameters
        ----------
        schema_definition
            The writer schema's Avro JSON text.
        payload
            The payload bytes (no header).

        Returns
        -------
        Datum
            The value, in fastavro's Python representation.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        PayloadError
            If the payload does not decode, does not resolve to the reader schema, has bytes
            left after the datum, nests deeper than ``max_depth`` or would build more values
            than its budget.
        """
        return self.decoder(schema_definition)(payload)


def _where(loc: tuple[str | int, ...]) -> str:
    if not loc:
        return "<root>"
    if len(loc) > 8:  # a path max_depth long: its ends say enough (the error keeps all of it)
        return ".".join(map(str, (*loc[:3], f"...{len(loc) - 6} more...", *loc[-3:])))
    return ".".join(map(str, loc))


def _summary(errors: tuple[ErrorDetail, ...]) -> str:
    shown = "; ".join(f"{_where(e.loc)}: {e.msg} [{e.type}]" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return shown + more


T = TypeVar("T")


def _translated(build: Callable[[], T]) -> T:
    """Run a schema's preparation; anything but the library's own error is a SchemaError."""
    try:
        return build()
    except GlueSerdeError:
        raise
    except Exception as exc:  # RecursionError, ... on a schema fastavro accepted
        raise SchemaError(
            f"invalid Avro schema: {type(exc).__name__}: {exc}", data_format=DataFormat.AVRO
        ) from exc


def _check_defaults(walker: Walker) -> None:
    """Refuse a schema with a default its field cannot hold (Java's parser refuses it too)."""
    errors = walker.default_errors()
    if errors:
        raise SchemaError(
            f"invalid Avro schema: a default does not fit its field: {_summary(errors)}",
            data_format=DataFormat.AVRO,
        )


def _check_int(name: str, value: object, low: int, high: int | None) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigurationError(f"{name} must be an integer {bounds}, not {value!r}")


def _budget_check(
    bounds: Bounds, header: int, max_depth: int, per_byte: int
) -> Callable[[Datum, bytearray], None] | None:
    """Return the encoder's value-budget check, or ``None`` when the schema cannot exceed it."""
    if not bounds.counted(per_byte):
        return None

    def check(datum: Datum, framed: bytearray) -> None:
        size = len(framed) - header
        limit = value_budget(size, per_byte)
        over = bounds.first_over_budget(datum, limit, max_depth)
        if over is not None:
            loc, total = over
            raise _invalid(
                (
                    ErrorDetail(
                        type="value_budget",
                        loc=loc,
                        msg=(
                            f"The datum builds {total}+ values on read, more than its "
                            f"{size}-byte payload may ({limit}); raise max_values_per_byte "
                            "on both sides to write it"
                        ),
                        input=None,
                    ),
                ),
                None,
            )

    return check
