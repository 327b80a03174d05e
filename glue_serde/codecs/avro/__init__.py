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
    :class:`~glue_serde.errors.ValidationError` listing every violation. Per schema it builds,
    once, a boolean checker (Python source generated for the schema and compiled) that runs on
    every datum; only when it answers "invalid" does a thorough walker build the
    :class:`~glue_serde.errors.ErrorDetail` list. The rules, by Avro type:

    ``null`` ``None`` only. ``boolean`` ``bool`` only. ``int``/``long`` an integral value that
    is not a ``bool``, inside int32/int64. ``float``/``double`` a real that is not a ``bool``;
    an ``int`` only when the double holds it exactly, and a ``float`` only inside float32's
    range. ``string`` ``str``. ``bytes`` ``bytes``/``bytearray``. ``fixed`` ``bytes``/``bytearray``
    of the exact size. ``enum`` one of the symbols. ``array`` ``list``/``tuple``. ``map`` a
    ``Mapping`` with ``str`` keys. ``record`` a ``Mapping`` holding every field without a
    default and nothing else. ``union`` the value must fit the branch fastavro would pick for it
    (fastavro's own selection is reproduced); tuple notation and ``-type`` hints are not
    supported, so a ``tuple`` never matches a union and arrays inside unions must be lists.

    Logical types: ``timestamp-millis``/``-micros`` take a timezone-aware ``datetime`` (fastavro
    would read a naive one in the machine's local zone) or an ``int``; ``local-timestamp-*`` take
    a naive ``datetime`` or an ``int``; ``-millis`` types refuse a value with sub-millisecond
    digits (fastavro drops them). ``date`` takes a ``date`` that is not a ``datetime`` (fastavro
    would drop the time) or an ``int``. ``time-millis``/``-micros`` take a ``time`` or an ``int``.
    ``uuid`` takes a ``uuid.UUID`` or a ``str`` that parses as one. ``decimal`` takes a finite
    ``decimal.Decimal`` whose exponent fits the schema's scale and whose digits fit its
    precision (and, for ``fixed``, its size); a ``float`` is refused, since a binary float
    written as a decimal silently changes value.

Reads
    Any failure of the reader (truncated or garbage bytes, bad UTF-8, an out-of-range union or
    enum index, a reader schema that does not resolve) is a
    :class:`~glue_serde.errors.PayloadError`, as are bytes left after the datum. Lengths in the
    payload never cause an allocation larger than the payload (reads come from an
    ``io.BytesIO``); arrays whose items take zero bytes (``null``, empty records, ``fixed`` of
    size 0) are capped at :data:`MAX_ZERO_WIDTH_ITEMS` items, because there the payload length
    bounds nothing.

Schema text
    :meth:`AvroCodec.canonical_definition` renders what Avro Java's ``Schema.toString()`` sends
    (see its docstring).

Modules, one reason to change each
    ``_schema`` loading, parsing, interning and named types; ``_javatext`` the schema text
    Java sends; ``_rules`` the value rules and fastavro's union choice; ``_check`` the compiled
    checker and the violation walker; ``_decode`` the generated decoders; ``_codegen`` the
    code-generation scaffold both generators share; ``_layout`` where the payload length
    bounds nothing; ``_fastavro`` every private fastavro import, probed, with its fallback;
    ``_codec`` the codec on top.

Imports fastavro and the package's base modules only.
"""

from __future__ import annotations

from glue_serde.codecs.avro._codec import AvroCodec
from glue_serde.codecs.avro._layout import MAX_ZERO_WIDTH_ITEMS

__all__ = ["MAX_ZERO_WIDTH_ITEMS", "AvroCodec"]
