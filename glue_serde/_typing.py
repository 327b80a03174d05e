"""Type aliases shared by the package: buffers and datums.

Named ``_typing`` rather than ``types`` so it never shadows the standard library.
Imports nothing from the package.
"""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["AvroDatum", "Buffer", "Datum", "JsonValue"]

#: Every decode path accepts any of these and never keeps a reference to it.
Buffer: TypeAlias = bytes | bytearray | memoryview

#: A JSON document as the standard library models it.
JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None

#: An Avro datum in fastavro's Python representation (dict for records, list for arrays,
#: datetime/Decimal/UUID for logical types, ...). Its shape depends on the schema, so it
#: cannot be narrowed statically.
AvroDatum: TypeAlias = Any

#: What a codec accepts or returns: its shape is decided by the schema, not the signature.
Datum: TypeAlias = Any
