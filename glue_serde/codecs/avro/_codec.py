"""The Avro codec: strict encoding, bounded decoding, the schema text Java sends.

:class:`AvroCodec` joins the parts of this package: schemas from
:mod:`~glue_serde.codecs.avro._schema`, the Java text from
:mod:`~glue_serde.codecs.avro._javatext`, the checker and walker from
:mod:`~glue_serde.codecs.avro._check`, the generated decoders from
:mod:`~glue_serde.codecs.avro._decode`, and fastavro's entry points from
:mod:`~glue_serde.codecs.avro._fastavro`.

Imports fastavro's public API, the package's base modules and the Avro package's modules.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import fastavro

from glue_serde.codecs._base import DEFAULT_PARSED_CACHE_SIZE, ParsedCache
from glue_serde.codecs.avro import _fastavro
from glue_serde.codecs.avro._check import CheckerCompiler, Walker
from glue_serde.codecs.avro._decode import compile_decoder
from glue_serde.codecs.avro._javatext import java_schema_text
from glue_serde.codecs.avro._layout import Skipper, has_zero_width_array, zero_width
from glue_serde.codecs.avro._schema import Schema, build_schema, load, parse
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    ErrorDetail,
    PayloadError,
    SchemaError,
    SerializationError,
    ValidationError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from glue_serde._typing import Buffer, Datum
    from glue_serde.codecs._base import Decoder, Encoder

__all__ = ["AvroCodec"]


class _Prepared:
    """A parsed writer schema with its checker, compiled on first use and kept."""

    __slots__ = ("_checker", "schema")

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._checker: Callable[[object], bool] | None = None

    @classmethod
    def build(cls, schema_definition: str) -> _Prepared:
        return cls(build_schema(schema_definition))

    def checker(self) -> Callable[[object], bool]:
        """Return the compiled boolean checker for this schema (compiled on first use)."""
        if self._checker is None:
            self._checker = CheckerCompiler(self.schema).compile()
        return self._checker


def _check_layout(schema: Schema, payload: Buffer) -> None:
    """Walk the payload's layout before decoding (schemas with zero-width array items)."""
    data = bytes(payload)
    if Skipper(schema, data).skip(schema.parsed, 0) != len(data):
        raise PayloadError(
            "payload does not match the writer schema's layout", data_format=DataFormat.AVRO
        )


class AvroCodec:
    r"""Avro through fastavro: strict encoding, bounded decoding, the schema text Java sends.

    Parameters
    ----------
    reader_schema
        When given (Avro JSON text), decoded datums are resolved from the writer schema to this
        schema (Avro schema resolution); otherwise they are read with the writer schema alone,
        as Java's ``GENERIC_RECORD`` mode does.
    parsed_cache_size
        Parsed schemas (with their compiled checkers and bound encoder/decoder) kept per codec.

    Raises
    ------
    SchemaError
        If ``reader_schema`` does not parse.
    ConfigurationError
        If ``parsed_cache_size`` is not a positive integer.

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
    ) -> None:
        if (
            isinstance(parsed_cache_size, bool)
            or not isinstance(parsed_cache_size, int)
            or parsed_cache_size < 1
        ):
            raise ConfigurationError(
                f"parsed_cache_size must be a positive integer, not {parsed_cache_size!r}"
            )
        self._reader: Any = None
        if reader_schema is not None:
            self._reader = parse(load(reader_schema))[0]
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
          ``1.0E-4``, ``100.0``); NaN and infinities quoted (Jackson's default); a textual
          default of a float/double field becomes a number, as Java's parser makes it.

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
            If the input is not JSON or not a valid Avro schema (the reason is in the message).

        Examples
        --------
        >>> AvroCodec().canonical_definition('{"fields": [], "name": "E", "type": "record"}')
        '{"type":"record","name":"E","fields":[]}'
        """
        loaded = load(schema_definition)
        parse(loaded)
        try:
            return java_schema_text(loaded)
        except SchemaError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            raise SchemaError(
                f"invalid Avro schema: {type(exc).__name__}: {exc}", data_format=DataFormat.AVRO
            ) from exc

    def _schema(self, schema_definition: str) -> _Prepared:
        return self._schemas.get_or_build(schema_definition, _Prepared.build)

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
        prepared = self._schema(schema_definition)
        check = prepared.checker()
        walker = Walker(prepared.schema)
        parsed = prepared.schema.parsed
        named = prepared.schema.named
        compiled = _fastavro.COMPILED
        write_data = compiled[1] if compiled is not None else None
        writer = fastavro.schemaless_writer
        bytes_io = io.BytesIO
        options = dict(_fastavro.WRITE_OPTIONS)

        def encode(datum: Datum) -> bytes:
            failure: Exception | None = None
            try:
                ok = check(datum)
            except Exception as exc:  # a hostile Mapping or RecursionError: let the walker explain
                ok, failure = False, exc
            if not ok:
                errors = walker.errors(datum)
                if errors:
                    raise ValidationError(
                        f"datum does not fit the Avro schema: {_summary(errors)}",
                        errors=errors,
                        data_format=DataFormat.AVRO,
                    )
                if failure is not None:
                    # Nothing wrong was found, but the datum could not be fully inspected (its
                    # keys or length raised): writing it could drop what the check never saw.
                    raise SerializationError(
                        "the datum could not be validated against the Avro schema: "
                        f"{type(failure).__name__}: {failure}",
                        data_format=DataFormat.AVRO,
                    ) from failure
            try:
                if write_data is not None:
                    buffer = bytearray(header)
                    write_data(buffer, datum, parsed, named, "", options)
                    return bytes(buffer)
                out = bytes_io(header)
                out.seek(len(header))
                writer(out, parsed, datum)
            except Exception as exc:
                raise SerializationError(
                    f"fastavro could not write the datum: {type(exc).__name__}: {exc}",
                    data_format=DataFormat.AVRO,
                ) from exc
            return out.getvalue()

        return encode

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
            If the definition does not parse.
        """
        return self._decoders.get_or_build(schema_definition, self._build_decoder)

    def _build_decoder(self, schema_definition: str) -> Decoder:
        schema = self._schema(schema_definition).schema
        writer = schema.parsed
        bytes_io = io.BytesIO
        guard = has_zero_width_array(schema)
        logical_readers = _fastavro.LOGICAL_READERS
        if logical_readers is not None and (self._reader is None or self._reader == writer):
            generated = compile_decoder(
                writer, schema.named, logical_readers, lambda node: zero_width(schema, node)
            )
            if generated is not None:
                return generated
        compiled = _fastavro.COMPILED
        if compiled is not None:
            # What schemaless_reader does per call, done once: named types, the reader schema
            # dropped when it equals the writer schema, and fastavro's default options.
            read_data = compiled[0]
            named: dict[str, dict[str, Any]] = {"writer": dict(schema.named), "reader": {}}
            reader_schema: Any = None
            if self._reader is not None and self._reader != writer:
                reader_schema = fastavro.parse_schema(self._reader, named_schemas=named["reader"])
            options = dict(_fastavro.READ_OPTIONS)
        else:
            read_data = _fastavro.public_read_data
            named, reader_schema, options = {}, self._reader, {}

        def decode(payload: Buffer) -> Datum:
            if guard:
                _check_layout(schema, payload)
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
            If the datum does not fit the schema (every violation in ``.errors``).
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
            If the payload does not decode, does not resolve to the reader schema, or has bytes
            left after the datum.
        """
        return self.decoder(schema_definition)(payload)


def _summary(errors: tuple[ErrorDetail, ...]) -> str:
    shown = "; ".join(
        f"{'.'.join(map(str, e.loc)) or '<root>'}: {e.msg} [{e.type}]" for e in errors[:5]
    )
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return shown + more
