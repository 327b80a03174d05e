"""The one boundary with fastavro's internals: every private import, probed, with a fallback.

``schemaless_reader``/``schemaless_writer`` re-run per call what a bound codec does once: they
build a named-types dict, re-enter ``parse_schema`` on the parsed schema, compare the writer
schema with the reader schema and build an options dict (about 0.4 µs, a fifth of a small
record's decode). The compiled functions they delegate to (``fastavro._read._read_data``,
``fastavro._write.write_data``) are used directly when, at import, they behave exactly like
the public API on a probe schema; otherwise the public API is used. The same holds for the
union test of fastavro's writer (``fastavro._validation._validate``). Nothing outside this
module imports a private fastavro module (a layering test checks).

fastavro is a core dependency of glue_serde: if it is missing the package is broken, not
short of an extra.

Imports fastavro only.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import io
from typing import TYPE_CHECKING, Any, Final

import fastavro
import fastavro.read

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "COMPILED",
    "LOGICAL_READERS",
    "READ_OPTIONS",
    "UNION_VALIDATE",
    "WRITE_OPTIONS",
    "compiled_entry_points",
    "public_read_data",
    "union_validator",
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


def union_validator() -> Callable[..., Any] | None:
    """Return fastavro's union test ``_validate(datum, schema, named, field, raise, options)``.

    The compiled one when present, else fastavro's pure-Python twin; each must answer a probe
    as the writer does. ``None`` when neither does.
    """
    strings = {"type": "array", "items": "string"}
    probes = ((None, "null", True), (5, "long", True), (["x"], strings, True), ("x", "long", False))
    for module_name in ("fastavro._validation", "fastavro._validation_py"):
        try:
            module = importlib.import_module(module_name)
            validate: Callable[..., Any] = module._validate
            if all(
                bool(validate(value, schema, {}, "", False, {})) is expected
                for value, schema, expected in probes
            ):
                return validate
        except Exception:  # another fastavro layout: try the next one
            continue
    return None


COMPILED: Final = compiled_entry_points()
#: fastavro's logical-type readers, keyed "long-timestamp-millis" and so on (its public,
#: user-extensible table): generated decoders call them, so logical values are exactly
#: fastavro's. Without the table no decoder is generated.
LOGICAL_READERS: Final[dict[str, Callable[..., Any]] | None] = getattr(
    fastavro.read, "LOGICAL_READERS", None
)
UNION_VALIDATE: Final = union_validator()
