"""Protobuf codec: the Glue message index, then the message's standard bytes.

Payload layout (Java ``ProtobufWireFormatEncoder``)::

    uvarint  message index  (CodedOutputStream.writeUInt32NoTag: plain base-128, not zig-zag,
                             not Confluent's array of path indices)
    bytes    message.SerializeToString()

Compression, when the frame asks for it, covers both; that is :mod:`glue_serde.wire`'s job.

**The index rule** (Java ``MessageIndexFinder.getAll``): collect every message type declared
in the ``.proto`` file of the schema -- top-level, nested at any depth, and the synthetic
``...Entry`` messages protoc makes for ``map<K, V>`` fields; not enums, services, or types of
imported files -- sort them by full name (package-qualified, no leading dot; Java ``String``
order, which is Python ``str`` order for ASCII identifiers), and take the message's position.
Declaration order does not matter. Indices are computed from the registered definition, not
from the producer's class, so a consumer rebuilding descriptors from the same text agrees.

**Definitions.** :meth:`ProtobufCodec.canonical_definition` accepts ``.proto`` text (checked
with protoc and returned unchanged: Glue compares definitions as text, and the text the user
wrote is the least surprising one to find in the registry), or a generated message class or
instance, whose file descriptor is rendered to ``.proto`` text deterministically (see
:mod:`glue_serde.codecs._protorender`, which also says how this differs from the Square Wire
rendering the Java producer sends).

**Imports** in a definition are limited to what every Glue reader bundles: the protobuf
well-known types and 15 ``google/type/*.proto`` files (see :mod:`glue_serde.codecs._protoparse`);
any other import is a :class:`~glue_serde.errors.SchemaError` naming it and the schema.

**Consumers** get a dynamic message class built from the registered text (protoc from
grpcio-tools; one fresh ``DescriptorPool`` per definition, so two versions declaring the same
message names never clash with each other or with generated code), or instances of their own
generated class when ``message_class`` is given and its full name is the one the index
selects, or a ``dict`` when ``as_dict=True``.

**Dicts** (``as_dict=True`` output, and producer input when the target message is
unambiguous: the ``message_class`` option, or else the definition's only top-level message)
follow one exact form, described in :mod:`glue_serde.codecs._protodict`: proto field names,
``int`` for every integer width (never strings), ``bytes`` for bytes (never base64), enum
names, every field without presence present at its default, well-known wrappers as their
scalar, ``Struct``/``Value``/``ListValue`` as JSON-like values, ``Timestamp``, ``Duration``
and ``Any`` as the dicts of their fields. Writing is strict: a value of the wrong type, out of
its range or not exactly representable (``0.1`` for a 32-bit ``float``, ``2**53 + 1`` or
``10**400`` for a ``double``) is a :class:`~glue_serde.errors.ValidationError` naming the
field path, never coerced; so whatever a dict encodes to reads back equal.

**Depth.** ``max_depth`` (default and maximum 100, the bound protobuf runtimes read) limits
how deeply messages nest, map entries included: a deeper message or dict is a
``ValidationError`` on write (the upb serializer would otherwise recurse in C without a
bound and crash on a message nested ~100,000 deep), a deeper payload a
:class:`~glue_serde.errors.PayloadError` on read. Checking a message instance costs a walk only
for schemas whose types can nest deeper than ``max_depth`` (recursive ones, such as any using
``google.protobuf.Struct``). Decoding to dicts is also bounded in the number of values it
produces per payload byte (an empty nested message is two bytes on the wire but a dict of all
its fields).

Imports only the package's base modules (and its private ``_varint``, ``_protoparse``,
``_protorender``, ``_protodict`` helpers) plus ``google.protobuf`` and ``grpc_tools``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, cast

from google.protobuf import (  # type: ignore[import-untyped,unused-ignore]
    descriptor_pb2,
    descriptor_pool,
    message_factory,
)
from google.protobuf.descriptor import (  # type: ignore[import-untyped,unused-ignore]
    Descriptor,
    FileDescriptor,
)
from google.protobuf.message import EncodeError, Message  # type: ignore[import-untyped,unused-ignore]

from glue_serde.codecs._base import DEFAULT_PARSED_CACHE_SIZE, ParsedCache
from glue_serde.codecs._protodict import DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT, DictConverter
from glue_serde.codecs._protoparse import parse_proto
from glue_serde.codecs._protorender import render_file
from glue_serde.codecs._varint import decode_uvarint32, encode_uvarint32
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    ErrorDetail,
    GlueSerdeError,
    PayloadError,
    SchemaError,
    ValidationError,
    _brief,
)

if TYPE_CHECKING:
    from glue_serde._typing import Buffer, Datum
    from glue_serde.codecs._base import Decoder, Encoder

__all__ = ["DEFAULT_MAX_DEPTH", "ProtobufCodec", "message_index", "message_types_in_order"]

_FORMAT: Final = DataFormat.PROTOBUF


def message_types_in_order(file: FileDescriptor) -> list[Descriptor]:
    """Return the file's message types in Glue message-index order.

    Parameters
    ----------
    file
        A file descriptor.

    Returns
    -------
    list[Descriptor]
        Every message declared in the file (nested and map-entry messages included, enums
        and imported types excluded), sorted by full name: position = message index.
    """
    collected: list[Descriptor] = []
    stack = list(file.message_types_by_name.values())
    while stack:
        desc = stack.pop()
        collected.append(desc)
        stack.extend(desc.nested_types)
    collected.sort(key=lambda d: d.full_name)
    return collected


def message_index(message: Message | type[Message]) -> int:
    """Return the Glue message index of a message within its own ``.proto`` file.

    Parameters
    ----------
    message
        A generated message class or instance.

    Returns
    -------
    int
        The position of its full name among the file's sorted message types.
    """
    desc = message.DESCRIPTOR
    names = [d.full_name for d in message_types_in_order(cast("FileDescriptor", desc.file))]
    return names.index(desc.full_name)


@dataclass(slots=True)
class _Parsed:
    """Everything derived once from one definition text."""

    file: FileDescriptor
    ordered: list[Descriptor]
    # full name -> varint prefix, computed once per descriptor
    prefixes: dict[str, bytes]
    top_level: list[Descriptor]
    # proto2 files can declare required fields; proto3 cannot
    proto2: bool
    classes: dict[str, type[Message]] = field(default_factory=dict)

    def dynamic_class(self, desc: Descriptor) -> type[Message]:
        cls = self.classes.get(desc.full_name)
        if cls is None:
            cls = message_factory.GetMessageClass(desc)
            self.classes[desc.full_name] = cls
        return cls


def _build(definition: str) -> _Parsed:
    fds = parse_proto(definition)
    pool = descriptor_pool.DescriptorPool()
    try:
        for fdp in fds.file:
            pool.Add(fdp)
        file = pool.FindFileByName(fds.file[-1].name)
    except Exception as exc:  # any runtime refusal of what protoc accepted
        raise SchemaError(f"cannot build descriptors: {exc}", data_format=_FORMAT) from exc
    ordered = message_types_in_order(file)
    prefixes = {d.full_name: encode_uvarint32(i) for i, d in enumerate(ordered)}
    return _Parsed(
        file=file,
        ordered=ordered,
        prefixes=prefixes,
        top_level=list(file.message_types_by_name.values()),
        proto2=fds.file[-1].syntax in ("", "proto2"),
    )


def _initialization_errors(message: Message) -> list[str]:
    # Present on every runtime message; missing from some type stubs.
    errors: list[str] = getattr(message, "FindInitializationErrors")()  # noqa: B009
    return errors


def _field_path(path: str) -> tuple[str | int, ...]:
    # FindInitializationErrors paths look like "a.b[2].c"
    loc: list[str | int] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        loc.append(name)
        while rest:
            number, _, rest = rest.partition("]")
            loc.append(int(number) if number.isdigit() else number)
            rest = rest.lstrip("[")
    return tuple(loc)


class ProtobufCodec:
    """Protobuf payloads in the Glue layout: message-index varint, then the message.

    Parameters
    ----------
    message_class
        A generated message class. The decoder returns instances of it when the payload's
        index selects its full name (other indices give dynamic messages); the encoder uses
        it to build messages from dicts.
    as_dict
        Decode to ``dict`` (the exact form described in the module docstring: ints for
        every integer width, bytes for bytes, enum names, defaults present) instead of
        messages.
    parsed_cache_size
        How many parsed definitions to keep.
    max_depth
        Deepest message nesting written or read (levels below the top-level message, map
        entries included): 1 to 100, default 100 (what protobuf runtimes read).

    Raises
    ------
    ConfigurationError
        If ``message_class`` is not a generated message class, or an option is out of range.

    Examples
    --------
    >>> codec = ProtobufCodec()
    >>> text = 'syntax = "proto3"; message Ping { int32 n = 1; }'
    >>> payload = codec.encode(text, {"n": 5})
    >>> payload.hex()
    '000805'
    >>> codec.decode(text, payload).n
    5
    """

    def __init__(
        self,
        *,
        message_class: type[Message] | None = None,
        as_dict: bool = False,
        parsed_cache_size: int = DEFAULT_PARSED_CACHE_SIZE,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> None:
        if message_class is not None and not (
            isinstance(message_class, type) and issubclass(message_class, Message)
        ):
            raise ConfigurationError(
                "message_class must be a generated protobuf message class, not "
                f"{_brief(message_class)}"
            )
        if type(parsed_cache_size) is not int or parsed_cache_size < 1:
            raise ConfigurationError("parsed_cache_size must be an int of at least 1")
        if type(max_depth) is not int or not 1 <= max_depth <= MAX_DEPTH_LIMIT:
            raise ConfigurationError(
                f"max_depth must be an int from 1 to {MAX_DEPTH_LIMIT} (protobuf readers refuse "
                f"deeper messages), not {_brief(max_depth)}"
            )
        self._message_class = message_class
        self._as_dict = bool(as_dict)
        self._max_depth = max_depth
        self._parsed: ParsedCache[str, _Parsed] = ParsedCache(parsed_cache_size)
        self._encoders: ParsedCache[str, Encoder] = ParsedCache(parsed_cache_size)
        self._decoders: ParsedCache[str, Decoder] = ParsedCache(parsed_cache_size)

    @property
    def data_format(self) -> DataFormat:
        """``DataFormat.PROTOBUF``."""
        return _FORMAT

    def _parse(self, schema_definition: str) -> _Parsed:
        if not isinstance(schema_definition, str):
            raise SchemaError(
                f"a protobuf schema definition must be .proto text, not "
                f"{type(schema_definition).__name__}",
                data_format=_FORMAT,
            )
        return self._parsed.get_or_build(schema_definition, _build)

    def canonical_definition(
        self, schema_definition: object, *, schema_name: str | None = None
    ) -> str:
        """Return the ``.proto`` text to register for a schema.

        Parameters
        ----------
        schema_definition
            ``.proto`` text (validated with protoc, returned unchanged), or a generated
            message class or instance (its file rendered to ``.proto`` text, deterministically).
        schema_name
            The schema's name in the registry, named by any error (optional).

        Returns
        -------
        str
            The definition text.

        Raises
        ------
        SchemaError
            If the text does not compile, imports a file other than the well-known types and
            the bundled ``google/type/*.proto`` files, or uses extensions, groups or editions.
        """
        try:
            return self._canonical(schema_definition)
        except SchemaError as exc:
            if schema_name is None:
                raise
            raise SchemaError(
                f"schema {schema_name!r}: {exc.message}", data_format=_FORMAT
            ) from exc

    def _canonical(self, schema_definition: object) -> str:
        if isinstance(schema_definition, str):
            self._parse(schema_definition)
            return schema_definition
        if isinstance(schema_definition, Message) or (
            isinstance(schema_definition, type) and issubclass(schema_definition, Message)
        ):
            fdp = descriptor_pb2.FileDescriptorProto()
            descriptor: Descriptor = getattr(schema_definition, "DESCRIPTOR")  # noqa: B009
            try:
                descriptor.file.CopyToProto(fdp)
                text = render_file(fdp)
            except GlueSerdeError:
                raise
            except Exception as exc:
                raise SchemaError(
                    f"cannot render {descriptor.full_name} ({descriptor.file.name}) as .proto "
                    f"text: {exc}",
                    data_format=_FORMAT,
                ) from exc
            # Compile what will be registered now, so an unresolvable import (generated code
            # importing a non-well-known .proto) fails at registration, not at first encode.
            try:
                self._parse(text)
            except SchemaError as exc:
                raise SchemaError(
                    f"generated file {descriptor.file.name} ({descriptor.full_name}): "
                    f"{exc.message}",
                    data_format=_FORMAT,
                ) from exc
            return text
        raise SchemaError(
            "a protobuf schema is .proto text or a generated message class or instance, not "
            f"{type(schema_definition).__name__}",
            data_format=_FORMAT,
        )

    def encoder(self, schema_definition: str) -> Encoder:
        """Return a callable encoding messages (or dicts) written with this definition.

        Parameters
        ----------
        schema_definition
            Registered ``.proto`` text.

        Returns
        -------
        Encoder
            ``message -> payload``; it raises ``ValidationError`` when the message's type is
            not declared in the definition's file, a proto2 required field is missing, or a
            dict does not fit the message.

        Raises
        ------
        SchemaError
            If the definition does not compile.
        """
        _require_text(schema_definition)
        return self._encoders.get_or_build(schema_definition, self._make_encoder)

    def framed_encoder(self, schema_definition: str, header: bytes) -> Encoder:
        """Return an encoder whose output is ``header``, the message index, then the message.

        For the serializer: the Glue header and the index are joined once per message class,
        so a record costs one concatenation. Not cached (the caller keeps it); checks as
        :meth:`encoder`.

        Parameters
        ----------
        schema_definition
            Registered ``.proto`` text of the writer.
        header
            Bytes to put before every payload.

        Returns
        -------
        Encoder
            ``encode(message) -> header + payload``.

        Raises
        ------
        SchemaError
            If the definition does not compile.
        """
        _require_text(schema_definition)
        return self._make_encoder(schema_definition, bytes(header))

    def _make_encoder(self, schema_definition: str, header: bytes = b"") -> Encoder:
        parsed = self._parse(schema_definition)
        # The header joined to each message's index once, not per dict record.
        prefixes = (
            {name: header + index for name, index in parsed.prefixes.items()}
            if header
            else parsed.prefixes
        )
        message_class = self._message_class
        if message_class is not None:
            dict_target: type[Message] | None = message_class
        elif len(parsed.top_level) == 1:
            dict_target = parsed.dynamic_class(parsed.top_level[0])
        else:
            dict_target = None
        converter = DictConverter(self._max_depth)
        max_depth = self._max_depth

        # Message class -> (index prefix, the class's SerializeToString), filled on first use
        # of each class: the hot path is one dict lookup on type(datum) (the full-name lookup
        # alone costs ~0.15 us) and an unbound call (upb's instance attribute lookup costs
        # ~0.05 us more than the class's). A class whose messages can nest deeper than
        # max_depth (a recursive type) gets a serializer that walks the message first: upb's
        # serializer recurses in C without a bound.
        by_class: dict[type, tuple[bytes, Callable[[Message], bytes]]] = {}
        get_entry = by_class.get

        def checked_serializer(cls: type[Message]) -> Callable[[Message], bytes]:
            serialize: Callable[[Message], bytes] = cls.SerializeToString
            if not converter.needs_depth_check(cls.DESCRIPTOR):
                return serialize

            def serialize_bounded(message: Message) -> bytes:
                if converter.depth_exceeds(message):
                    raise _too_deep(message, max_depth)
                return serialize(message)

            return serialize_bounded

        def resolve(datum: Datum) -> tuple[bytes, Message, bool]:
            from_dict = False
            if isinstance(datum, Message):
                message = datum
            elif isinstance(datum, Mapping):
                message = _from_dict(datum, dict_target, converter, parsed.top_level)
                from_dict = True
            else:
                raise ValidationError(
                    f"protobuf encoder expects a message (or a dict), not {type(datum).__name__}",
                    errors=(
                        ErrorDetail(
                            type="message_type",
                            loc=(),
                            msg="expected a protobuf message",
                            input=datum,
                        ),
                    ),
                    data_format=_FORMAT,
                )
            full_name = message.DESCRIPTOR.full_name
            prefix = prefixes.get(full_name)
            if prefix is None:
                raise ValidationError(
                    f"message type {full_name} is not declared in the schema's .proto file",
                    errors=(
                        ErrorDetail(
                            type="message_type",
                            loc=(),
                            msg=f"{full_name} is not a message of this schema",
                            input=full_name,
                        ),
                    ),
                    data_format=_FORMAT,
                )
            if not from_dict:
                cls = type(message)
                entry = (prefix, checked_serializer(cls))
                by_class[cls] = entry
                return prefix, message, False
            return prefix, message, True

        def encode_resolving(datum: Datum) -> bytes:
            prefix, message, from_dict = resolve(datum)
            if from_dict:
                # Built from a checked dict: its nesting is already bounded.
                return prefix + _serialize(message, type(message).SerializeToString)
            return prefix + _serialize(message, by_class[type(message)][1])

        def encode(datum: Datum) -> bytes:
            entry = get_entry(type(datum))
            if entry is None:
                return encode_resolving(datum)
            prefix, serialize = entry
            try:
                return prefix + serialize(datum)
            except EncodeError as exc:
                raise _incomplete(datum) from exc
            except GlueSerdeError:
                raise
            except Exception as exc:
                raise _unserializable(datum, exc) from exc

        def direct(cls: type) -> tuple[bytes, Callable[[Message], bytes]] | None:
            # For a caller's fast path: (prefix, C callable) when encode(message) of this
            # class is exactly prefix + callable(message) whenever the call succeeds (and
            # encode's error otherwise). Not for classes whose messages are walked first.
            entry = by_class.get(cls)
            if entry is None or entry[1] is not cast("type[Message]", cls).SerializeToString:
                return None
            return entry

        encode.__dict__["direct"] = direct
        return encode

    def decoder(self, schema_definition: str) -> Decoder:
        """Return a callable decoding payloads written with this definition.

        Parameters
        ----------
        schema_definition
            Registered ``.proto`` text of the writer.

        Returns
        -------
        Decoder
            ``payload -> message`` (or ``dict`` with ``as_dict``); raises ``PayloadError`` for
            a bad or out-of-range index or bytes that do not parse.

        Raises
        ------
        SchemaError
            If the definition does not compile.
        """
        _require_text(schema_definition)
        return self._decoders.get_or_build(schema_definition, self._make_decoder)

    def _make_decoder(self, schema_definition: str) -> Decoder:
        parsed = self._parse(schema_definition)
        user_class = self._message_class
        user_name = user_class.DESCRIPTOR.full_name if user_class is not None else None
        classes: list[type[Message]] = [
            user_class
            if user_class is not None and desc.full_name == user_name
            else parsed.dynamic_class(desc)
            for desc in parsed.ordered
        ]
        count = len(classes)
        as_dict = self._as_dict
        check_required = parsed.proto2
        # First payload byte -> FromString of its class, for the one-byte indices (0-127) the
        # definition has; None sends the payload to the general reader.
        by_first_byte: tuple[Callable[[bytes], Message] | None, ...] = tuple(
            classes[i].FromString if i < count and i < 0x80 else None for i in range(256)
        )

        converter = DictConverter(self._max_depth)
        # upb refuses payloads nesting deeper than MAX_DEPTH_LIMIT; a lower max_depth is
        # checked here, for the types that can nest that deep.
        check_depth = self._max_depth < MAX_DEPTH_LIMIT and not as_dict
        max_depth = self._max_depth

        def parse(index: int, body: Buffer) -> Message:
            cls = classes[index]
            try:
                message: Message = cls.FromString(body)  # type: ignore[arg-type,unused-ignore]
            except Exception as exc:  # DecodeError, and anything else the runtime raises
                raise _unparsable(cls, exc) from exc
            return message

        def decode_general(payload: Buffer) -> Message:
            if not isinstance(payload, (bytes, bytearray, memoryview)):
                raise PayloadError(
                    f"a protobuf payload is bytes-like, not {type(payload).__name__}",
                    data_format=_FORMAT,
                )
            index, offset = decode_uvarint32(payload)
            if index >= count:
                # Java ProtobufWireFormatDecoder's message, kept for familiarity.
                raise PayloadError(
                    f"No corresponding descriptor found for the index: {index}",
                    data_format=_FORMAT,
                )
            return parse(index, memoryview(payload)[offset:])

        def decode_message(payload: Buffer) -> Datum:
            try:
                from_string = by_first_byte[payload[0]]
            except (IndexError, TypeError):  # empty, or not bytes: the general reader says
                return decode_general(payload)
            if from_string is None:
                return decode_general(payload)
            try:
                # Copying the body costs less than a memoryview (~0.25 us) up to tens of KB
                # and about the same beyond, where parsing dominates.
                return from_string(payload[1:])  # type: ignore[arg-type]
            except Exception as exc:  # DecodeError, and anything else the runtime raises
                raise _unparsable(classes[payload[0]], exc) from exc

        if not check_required and not as_dict and not check_depth:
            # For a caller's fast path: payload byte 0 -> the C callable decoding the rest, as
            # decode_message does when it succeeds (it raises the PayloadError otherwise).
            decode_message.__dict__["direct"] = {
                index: from_string
                for index, from_string in enumerate(by_first_byte)
                if from_string is not None
            }
            return decode_message

        deep_types = frozenset(
            cls for cls in classes if check_depth and converter.needs_depth_check(cls.DESCRIPTOR)
        )

        def decode(payload: Buffer) -> Datum:
            message = decode_message(payload)
            if check_required and not message.IsInitialized():
                # Java's DynamicMessage.parseFrom refuses these too.
                missing = ", ".join(_initialization_errors(message))
                raise PayloadError(
                    f"{message.DESCRIPTOR.full_name} is missing required fields: {missing}",
                    data_format=_FORMAT,
                )
            if as_dict:
                return converter.to_dict(message, len(payload))
            if type(message) in deep_types and converter.depth_exceeds(message):
                raise PayloadError(
                    f"decoded {message.DESCRIPTOR.full_name} nests deeper than "
                    f"max_depth={max_depth}",
                    data_format=_FORMAT,
                )
            return message

        return decode

    def encode(self, schema_definition: str, datum: Datum) -> bytes:
        """Encode one message (convenience over :meth:`encoder`).

        Parameters
        ----------
        schema_definition
            Registered ``.proto`` text.
        datum
            A message instance, or a dict (see the class docstring).

        Returns
        -------
        bytes
            The payload: message-index varint, then the message bytes.

        Raises
        ------
        SchemaError
            If the definition does not compile.
        ValidationError
            If the message does not belong to the schema or is incomplete.
        """
        return self.encoder(schema_definition)(datum)

    def decode(self, schema_definition: str, payload: Buffer) -> Datum:
        """Decode one payload (convenience over :meth:`decoder`).

        Parameters
        ----------
        schema_definition
            The writer's ``.proto`` text.
        payload
            Message-index varint then message bytes.

        Returns
        -------
        Datum
            A message, or a ``dict`` with ``as_dict``.

        Raises
        ------
        SchemaError
            If the definition does not compile.
        PayloadError
            If the index is malformed or out of range, or the bytes do not parse.
        """
        return self.decoder(schema_definition)(payload)


def _from_dict(
    datum: Mapping[str, object],
    target: type[Message] | None,
    converter: DictConverter,
    top_level: Sequence[Descriptor] = (),
) -> Message:
    if target is None:
        names = ", ".join(d.full_name for d in top_level[:5]) + (
            ", ..." if len(top_level) > 5 else ""
        )
        raise ValidationError(
            f"a dict does not say which message it is: the schema declares {len(top_level)} "
            f"top-level messages ({names}); give the Serializer the generated class as "
            "schema= (or the codec message_class=), or pass a message instance",
            errors=(
                ErrorDetail(type="message_type", loc=(), msg="ambiguous message type", input=datum),
            ),
            data_format=_FORMAT,
        )
    return converter.to_message(datum, target)


def _serialize(message: Message, serialize: Callable[[Message], bytes]) -> bytes:
    try:
        return serialize(message)
    except EncodeError as exc:
        raise _incomplete(message) from exc
    except GlueSerdeError:
        raise
    except Exception as exc:
        raise _unserializable(message, exc) from exc


def _too_deep(message: Message, max_depth: int) -> ValidationError:
    return ValidationError(
        f"{message.DESCRIPTOR.full_name} nests deeper than max_depth={max_depth} (messages "
        "below the top-level one, map entries included); protobuf readers refuse it",
        errors=(
            ErrorDetail(
                type="depth", loc=(), msg=f"nesting exceeds max_depth={max_depth}", input=None
            ),
        ),
        data_format=_FORMAT,
    )


def _unserializable(message: object, exc: Exception) -> ValidationError:
    name = getattr(getattr(message, "DESCRIPTOR", None), "full_name", type(message).__name__)
    return ValidationError(
        f"{name} cannot be serialized: {exc}",
        errors=(ErrorDetail(type="serialize", loc=(), msg=str(exc), input=None),),
        data_format=_FORMAT,
    )


def _incomplete(message: Message) -> ValidationError:
    missing = _initialization_errors(message)
    return ValidationError(
        f"{message.DESCRIPTOR.full_name} is missing required fields: {', '.join(missing)}",
        errors=tuple(
            ErrorDetail(
                type="missing", loc=_field_path(path), msg="required field is not set", input=None
            )
            for path in missing
        ),
        data_format=_FORMAT,
    )


def _unparsable(cls: type[Message], exc: Exception) -> PayloadError:
    return PayloadError(
        f"payload does not parse as {cls.DESCRIPTOR.full_name}: {exc}", data_format=_FORMAT
    )


def _require_text(schema_definition: object) -> None:
    if not isinstance(schema_definition, str):
        raise SchemaError(
            f"a schema definition must be str, not {type(schema_definition).__name__} "
            "(use canonical_definition() to turn a schema object into its text)",
            data_format=_FORMAT,
        )
