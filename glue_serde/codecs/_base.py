"""The codec seam: what every data-format module provides, under the same names.

A codec turns a datum into payload bytes and back, given a schema definition. It never sees
the 18-byte header (that is :mod:`glue_serde.wire`) and never calls a registry (that is
:mod:`glue_serde.serde`): verbs here are ``encode``/``decode``, never ``serialize``.

Hot paths do not call :meth:`Codec.encode` per record: they ask once per schema version for
an :data:`Encoder` or :data:`Decoder` (a callable bound to the parsed schema) and call that.
Parsed artefacts are cached per definition inside each codec instance, bounded.

Optional capabilities are named by protocols too, so the serializer and deserializer test for
them with ``isinstance`` once per schema version instead of probing attributes:
:class:`FramedCodec` (a codec that writes the payload after a given header in one buffer),
:class:`DirectEncoder` and :class:`DirectDecoder` (an encoder or decoder that also offers
one-C-call fast paths, as its ``direct`` attribute).

Imports only the package's base modules.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from glue_serde._typing import Buffer, Datum
    from glue_serde.enums import DataFormat

__all__ = [
    "DEFAULT_PARSED_CACHE_SIZE",
    "Codec",
    "Decoder",
    "DirectDecoder",
    "DirectEncoder",
    "DirectRead",
    "DirectWrite",
    "Encoder",
    "FramedCodec",
    "ParsedCache",
]

#: A callable bound to one parsed schema: datum -> payload bytes.
#: Raises :class:`~glue_serde.errors.SerializationError` (usually ``ValidationError``).
Encoder = Callable[["Datum"], bytes]
#: A callable bound to one parsed writer schema: payload bytes -> datum.
#: Raises :class:`~glue_serde.errors.PayloadError`.
Decoder = Callable[["Buffer"], "Datum"]

#: An encoder's fast path, asked once per value class: ``(prefix, write)`` when the encoder's
#: output for a value of that class is exactly ``prefix + write(value)`` whenever ``write``
#: succeeds (the encoder itself then says what is wrong), or None for a class without one.
#: ``write`` is a C callable (Protobuf: the class's ``SerializeToString``).
DirectWrite = Callable[[type], tuple[bytes, Callable[[Any], bytes]] | None]
#: A decoder's fast path: payload byte 0 -> a callable decoding the payload's bytes after it,
#: exactly as the decoder does when it succeeds (Protobuf: ``FromString`` per one-byte index).
DirectRead = Mapping[int, Callable[["Buffer"], "Datum"]]

#: How many parsed schemas each codec instance keeps.
DEFAULT_PARSED_CACHE_SIZE = 1000


class Codec(Protocol):
    """One data format: schema handling plus datum encoding, with identical names per format."""

    @property
    def data_format(self) -> DataFormat:
        """The format this codec reads and writes."""
        ...

    def canonical_definition(self, schema_definition: object) -> str:
        """Return the one stable text to register and look up for a schema the user gave.

        Accepts the format's schema text, or its in-memory form (an Avro or JSON Schema
        dict, a generated protobuf message class).

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        ...

    def encoder(self, schema_definition: str) -> Encoder:
        """Return a callable encoding datums with this schema (cached per definition).

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        ...

    def decoder(self, schema_definition: str) -> Decoder:
        """Return a callable decoding payloads written with this schema (cached per definition).

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        ...

    def encode(self, schema_definition: str, datum: Datum) -> bytes:
        """Encode one datum (convenience over :meth:`encoder`).

        Raises
        ------
        SchemaError
            If the definition does not parse.
        SerializationError
            If the datum does not fit the schema (``ValidationError``).
        """
        ...

    def decode(self, schema_definition: str, payload: Buffer) -> Datum:
        """Decode one payload (convenience over :meth:`decoder`).

        Raises
        ------
        SchemaError
            If the definition does not parse.
        PayloadError
            If the payload does not decode with the schema.
        """
        ...


@runtime_checkable
class FramedCodec(Protocol):
    """A codec that can write the payload after a given header, in one buffer.

    The serializer uses it when the codec has it and the serializer does not compress: a
    record then costs no concatenation with the header (Avro, Protobuf).
    """

    def framed_encoder(self, schema_definition: str, header: bytes) -> Encoder:
        """Return an encoder whose output is ``header`` followed by the payload.

        Not cached (the caller keeps it); it checks a datum exactly as :meth:`Codec.encoder`.

        Raises
        ------
        SchemaError
            If the definition does not parse.
        """
        ...


@runtime_checkable
class DirectEncoder(Protocol):
    """An :data:`Encoder` that also offers a per-class fast path (:data:`DirectWrite`).

    A caller asks ``direct(type(value))`` once per class and may then write values of that
    class as ``prefix + write(value)``, falling back to the encoder when ``write`` raises.
    """

    direct: DirectWrite

    def __call__(self, datum: Datum, /) -> bytes:
        """Encode one datum, as any :data:`Encoder`."""
        ...


@runtime_checkable
class DirectDecoder(Protocol):
    """A :data:`Decoder` that also offers a table of fast paths (:data:`DirectRead`).

    Only valid for a payload as written (an uncompressed frame's): a caller that finds
    payload byte 0 in ``direct`` may decode the bytes after it with that callable, falling
    back to the decoder when it raises.
    """

    direct: DirectRead

    def __call__(self, payload: Buffer, /) -> Datum:
        """Decode one payload, as any :data:`Decoder`."""
        ...


K = TypeVar("K")
V = TypeVar("V")


class ParsedCache(Generic[K, V]):
    """A small thread-safe LRU for parsed schemas, keyed by definition text.

    Parameters
    ----------
    maxsize
        Entries kept; the least recently used is dropped beyond it.
    """

    def __init__(self, maxsize: int = DEFAULT_PARSED_CACHE_SIZE) -> None:
        self._maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: K, build: Callable[[K], V]) -> V:
        """Return the cached value for ``key``, building it once on a miss.

        Parameters
        ----------
        key
            The cache key (a definition text).
        build
            Called with ``key`` on a miss; its exceptions propagate and nothing is cached.

        Returns
        -------
        V
            The cached or newly built value.
        """
        with self._lock:
            try:
                value = self._data[key]
            except KeyError:
                pass
            else:
                self._data.move_to_end(key)
                return value
        value = build(key)
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._data)
