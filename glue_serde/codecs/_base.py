"""The codec seam: what every data-format module provides, under the same names.

A codec turns a datum into payload bytes and back, given a schema definition. It never sees
the 18-byte header (that is :mod:`glue_serde.wire`) and never calls a registry (that is
:mod:`glue_serde.serde`): verbs here are ``encode``/``decode``, never ``serialize``.

Hot paths do not call :meth:`Codec.encode` per record: they ask once per schema version for
an :data:`Encoder` or :data:`Decoder` (a callable bound to the parsed schema) and call that.
Parsed artefacts are cached per definition inside each codec instance, bounded.

Imports only the package's base modules.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from glue_serde._typing import Buffer, Datum
    from glue_serde.enums import DataFormat

__all__ = ["DEFAULT_PARSED_CACHE_SIZE", "Codec", "Decoder", "Encoder", "ParsedCache"]

#: A callable bound to one parsed schema: datum -> payload bytes.
#: Raises :class:`~glue_serde.errors.SerializationError` (usually ``ValidationError``).
Encoder = Callable[["Datum"], bytes]
#: A callable bound to one parsed writer schema: payload bytes -> datum.
#: Raises :class:`~glue_serde.errors.PayloadError`.
Decoder = Callable[["Buffer"], "Datum"]

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
