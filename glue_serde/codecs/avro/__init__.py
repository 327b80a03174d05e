"""Avro codec: bare binary datums through fastavro, strict on write, bounded on read.

Payload
    A bare Avro binary datum (Java ``EncoderFactory.directBinaryEncoder``; fastavro
    ``schemaless_writer``/``schemaless_reader``): no single-object header, no container file,
    no fingerprint. The reader decodes with the writer schema, and resolves to a reader schema
    only when :class:`AvroCodec` is given one.

Strict writes
    fastavro's writer silently truncates or drops what does not fit (``129.99`` into a
    ``long``, ``True`` into an ``int``, ``2**40`` into an ``int``, unknown keys, a naive
    ``datetime`` read in local time). :class:`AvroCodec` refuses all of it with a
    :class:`~glue_serde.errors.ValidationError` listing every violation. Per schema it
    generates, once, an encoder (Python source, compiled) that checks each value and writes it
    in one pass, into one buffer (after the Glue header for a framed encoder), writing the
    bytes fastavro writes; only when it refuses a value does a thorough walker build the
    :class:`~glue_serde.errors.ErrorDetail` list. The rules, by Avro type:

    ``null`` ``None`` only. ``boolean`` ``bool`` only. ``int``/``long`` an integral value that
    is not a ``bool``, inside int32/int64. ``float``/``double`` a real that is not a ``bool``: a
    ``float`` as it is (into a 32-bit ``float`` it is rounded to the nearest 32-bit value, as
    Java's ``(float)`` cast does, and refused beyond its range); an ``int`` or another real
    (``Fraction``, numpy scalars) only when the type holds it exactly. ``string`` a ``str``
    UTF-8 can encode (no lone surrogate). ``bytes`` ``bytes``/``bytearray``. ``fixed``
    ``bytes``/``bytearray`` of the exact size. ``enum`` one of the symbols. ``array``
    ``list``/``tuple``. ``map`` a ``Mapping`` with ``str`` keys. ``record`` a ``Mapping``
    holding every field without a default and nothing else (a missing field is written as its
    default). ``union`` the value must fit the branch fastavro would pick for it (fastavro's
    own selection is reproduced); tuple notation and ``-type`` hints are not supported, so a
    ``tuple`` never matches a union and arrays inside unions must be lists.

    Logical types: ``timestamp-millis``/``-micros`` take a timezone-aware ``datetime`` (fastavro
    would read a naive one in the machine's local zone) or an ``int``; ``local-timestamp-*`` take
    a naive ``datetime`` or an ``int``. ``date`` takes a ``date`` that is not a ``datetime``
    (fastavro would drop the time) or an ``int``. ``time-millis``/``-micros`` take a naive
    ``time`` or an ``int`` within one day. The ``-millis`` types truncate a ``datetime`` or
    ``time`` to the millisecond, toward the past, as Java's ``Instant.toEpochMilli`` and
    fastavro do (``datetime.now(timezone.utc)`` is accepted); what is refused is only what the
    type would lose otherwise or what readers cannot turn back into a value: an instant outside
    years 1-9999 in UTC, a ``date`` number outside them, a time number outside one day.
    ``uuid`` takes a ``uuid.UUID`` or a ``str`` in the 8-4-4-4-12 hex form. ``decimal`` takes a
    finite ``decimal.Decimal`` whose exponent fits the schema's scale and whose digits fit its
    precision (and, for ``fixed``, its size), checked from its digits and exponent alone (an
    absurd exponent is refused at once); a ``float`` is refused, since a binary float written
    as a decimal silently changes value. A negative zero is written as zero.

    The round trip: whatever :meth:`AvroCodec.encode` accepts, :meth:`AvroCodec.decode`
    returns equal, at the type's precision (millisecond truncation, 32-bit rounding), with
    logical values in their Python type (``uuid.UUID``, ``datetime`` in UTC, ``Decimal`` at the
    schema's scale) and missing fields as their defaults.

Bounds
    A datum nests records, arrays and maps at most ``max_depth`` deep (default 100), checked on
    write and on read before any code that recurses sees it. A payload of ``n`` bytes builds at
    most ``65536 + max_values_per_byte * n`` values (default 4 per byte), zero-width values
    (``null``, empty records) included; encoding refuses a datum that would exceed it on read.
    Schemas nest at most 200 JSON levels. Details in :mod:`~glue_serde.codecs.avro._bounds`.

Reads
    A decoder is generated per writer schema, and per (writer, reader) pair when a reader schema
    is given (Avro schema resolution, resolved once: see
    :mod:`~glue_serde.codecs.avro._resolve`). Any failure of the reader (truncated or garbage
    bytes, bad UTF-8, an out-of-range union or enum index, a decimal with more digits than its
    precision, a time of day outside one day, a part of the writer schema the reader schema
    cannot take, a depth or budget beyond the bounds) is a
    :class:`~glue_serde.errors.PayloadError`, as are bytes left after the datum. Lengths in the
    payload never cause an allocation larger than the payload.

Schema text
    :meth:`AvroCodec.canonical_definition` renders what Avro Java's ``Schema.toString()`` sends
    (see its docstring).

Modules, one reason to change each
    ``_schema`` loading, parsing, interning, named types and the writer form of a schema;
    ``_javatext`` the schema text Java sends; ``_rules`` the value rules; ``_union`` fastavro's
    union choice; ``_check`` the violation walker; ``_bounds`` depth and value budget;
    ``_encode`` the generated encoders; ``_decode`` the generated decoders; ``_resolve`` the
    generated resolving decoders; ``_codegen`` the code-generation scaffold the generators
    share; ``_fastavro`` every private fastavro import, probed, with its fallback; ``_codec``
    the codec on top.

Imports fastavro and the package's base modules only.
"""

from __future__ import annotations

from glue_serde.codecs.avro._bounds import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_VALUES_PER_BYTE,
    MAX_DEPTH_LIMIT,
    VALUE_BUDGET_FLOOR,
)
from glue_serde.codecs.avro._codec import AvroCodec
from glue_serde.codecs.avro._schema import MAX_SCHEMA_NESTING

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_VALUES_PER_BYTE",
    "MAX_DEPTH_LIMIT",
    "MAX_SCHEMA_NESTING",
    "VALUE_BUDGET_FLOOR",
    "AvroCodec",
]
