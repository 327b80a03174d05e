"""The one boundary with fastavro's internals: every private import, probed, with a fallback.

The codec writes with its generated encoders and reads with its generated decoders, which call
fastavro's logical-type readers (``fastavro.read.LOGICAL_READERS``, a public table) for
logical values. fastavro's own reader is used only on a fastavro without that table: then
``schemaless_reader`` would re-run per call what a bound codec does once (a named-types dict,
``parse_schema`` on the parsed schema, comparing writer and reader schemas, an options dict),
so the compiled function it delegates to (``fastavro._read._read_data``) is called directly
when, at import, it and ``fastavro._write.write_data`` behave exactly like the public API on a
probe schema; otherwise the public API is used. Nothing outside this module imports a private
fastavro module (a layering test checks). ``fastavro.write.LOGICAL_WRITERS`` is public too: the
union choice calls it as fastavro's writer does, and one corrected ``fixed`` decimal writer is
registered in it under a logical type of glue_serde's own (what fastavro writes for a writer
schema in glue_serde's writer form, which the differential tests compare with).

fastavro is a core dependency of glue_serde: if it is missing the package is broken, not
short of an extra.

Imports fastavro only.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import io
from typing import TYPE_CHECKING, Any, Final

import fastavro
import fastavro.read
import fastavro.write

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "COMPILED",
    "FIXED_DECIMAL_LOGICAL_TYPE",
    "LOGICAL_READERS",
    "LOGICAL_WRITERS",
    "READ_OPTIONS",
    "WRITE_OPTIONS",
    "compiled_entry_points",
    "public_read_data",
]

READ_OPTIONS: Final[dict[str, object]] = {
    "return_record_name": False,
    "return_record_name_override": False,
    "handle_unicode_errors": "strict",
    "return_named_type": False,
    "return_named_type_override": False,
}
WRITE_OPTIONS: Final[dict[str, object]] = {
    "strict": False,
    "strict_allow_default": False,
    "disable_tuple_notation": False,
}
_PROBE_SCHEMA: Final = {
    "type": "record",
    "name": "Probe",
    "namespace": "glue_serde.probe",
    "fields": [
        {"name": "n", "type": "long"},
        {"name": "s", "type": ["null", "string"]},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
        {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "m", "type": {"type": "map", "values": "E"}},
    ],
}


def compiled_entry_points() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """Return fastavro's compiled ``(_read_data, write_data)`` if they match the public API."""
    try:
        from fastavro._read import _read_data  # type: ignore[attr-defined]  # noqa: PLC0415
        from fastavro._write import write_data  # type: ignore[attr-defined]  # noqa: PLC0415

        named: dict[str, Any] = {}
        parsed = fastavro.parse_schema(_PROBE_SCHEMA, named_schemas=named)
        datum = {
            "n": -(2**40),
            "s": "é",
            "e": "B",
            "t": _dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=_dt.timezone.utc),
            "m": {"k": "A"},
        }
        public = io.BytesIO()
        fastavro.schemaless_writer(public, parsed, datum)
        expected = public.getvalue()
        direct = bytearray()
        write_data(direct, datum, parsed, named, "", dict(WRITE_OPTIONS))
        if bytes(direct) != expected:
            return None
        stream = io.BytesIO(expected)
        got = _read_data(stream, parsed, {"writer": named, "reader": {}}, None, READ_OPTIONS)
        if got != fastavro.schemaless_reader(io.BytesIO(expected), parsed, None) or (
            stream.tell() != len(expected)
        ):
            return None
    except Exception:  # any other fastavro build: the public API is always correct
        return None
    return _read_data, write_data


def public_read_data(
    stream: io.BytesIO, writer: Any, named: object, reader: Any, options: object
) -> Any:
    """``_read_data``'s signature over the public API (for fastavro builds without it)."""
    return fastavro.schemaless_reader(stream, writer, reader)


def _fixed_decimal_writer() -> Callable[[Any, Any], Any] | None:
    """Return a ``fixed`` decimal writer that writes a negative zero as zero.

    fastavro's own (``LOGICAL_WRITERS["fixed-decimal"]``) sign-extends ``Decimal("-0.00")`` to
    the bytes of ``-0.02``; for every other value it writes the right two's complement. The
    writer returned delegates to it with the sign of a zero dropped.
    """
    original = getattr(fastavro.write, "LOGICAL_WRITERS", {}).get("fixed-decimal")
    if original is None:
        return None

    def prepare_fixed_decimal(data: Any, schema: Any) -> Any:
        if isinstance(data, decimal.Decimal) and data.is_zero() and data.is_signed():
            data = data.copy_abs()
        return original(data, schema)

    return prepare_fixed_decimal


def _register_fixed_decimal() -> str:
    """Register the corrected writer under a logical type of glue_serde's own; return its name.

    ``LOGICAL_WRITERS`` is fastavro's public, user-extensible table: adding a key only this
    package's writer schemas name changes nothing for anyone else. Without the table (another
    fastavro layout) fixed decimals keep fastavro's own writer.
    """
    writer = _fixed_decimal_writer()
    table = getattr(fastavro.write, "LOGICAL_WRITERS", None)
    if writer is None or not isinstance(table, dict):
        return "decimal"
    table[f"fixed-{_FIXED_DECIMAL}"] = writer
    return _FIXED_DECIMAL


_FIXED_DECIMAL: Final = "glue_serde-decimal"
COMPILED: Final = compiled_entry_points()
#: fastavro's logical-type readers, keyed "long-timestamp-millis" and so on (its public,
#: user-extensible table): generated decoders call them, so logical values are exactly
#: fastavro's. Without the table, generated decoders only check payloads and fastavro reads.
LOGICAL_READERS: Final[dict[str, Callable[..., Any]] | None] = getattr(
    fastavro.read, "LOGICAL_READERS", None
)
#: The ``logicalType`` writer schemas give ``fixed`` decimals (see ``_register_fixed_decimal``).
FIXED_DECIMAL_LOGICAL_TYPE: Final = _register_fixed_decimal()
#: fastavro's logical-type writers (what its writer applies before writing a logical value):
#: the union choice calls them as fastavro's writer does.
LOGICAL_WRITERS: Final[dict[str, Callable[..., Any]]] = getattr(
    fastavro.write, "LOGICAL_WRITERS", {}
)
