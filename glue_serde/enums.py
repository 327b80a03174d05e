"""Closed string sets of the Glue Schema Registry API.

Enum values are the exact strings of the AWS API (botocore service model), so a boto3
response value converts with ``DataFormat(response["DataFormat"])`` and no lookup table.

This module imports nothing from the package.
"""

from __future__ import annotations

from enum import Enum, EnumMeta
from typing import Any

__all__ = ["Compatibility", "Compression", "DataFormat", "SchemaStatus", "SchemaVersionStatus"]


class _TextOnly(EnumMeta):
    """Look members up by text only.

    ``Enum``'s own error quotes ``repr(value)``, which raises for an int past Python's digit
    limit or a caller's object with a failing ``__repr__``.
    """

    def __call__(cls, value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:  # the functional API: Enum("Name", "A B")
            return super().__call__(value, *args, **kwargs)
        if not isinstance(value, str):
            raise ValueError(f"a {type(value).__name__} is not a valid {cls.__qualname__}")
        try:
            return super().__call__(value)
        except ValueError:
            raise ValueError(_refusal(cls, value)) from None


def _refusal(cls: Any, value: str) -> str:
    """Explain why ``value`` is no member's value: list the values, and suggest the likely one."""
    values = [member.value for member in cls]
    key = value.strip().upper().replace("-", "_").replace(" ", "_")
    close = [v for v in values if v == key]
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = repr(value) if len(value) <= 40 else repr(value[:40]) + "..."
    return f"{shown} is not a valid {cls.__qualname__}; expected one of {', '.join(values)}{hint}"


class _StrEnum(str, Enum, metaclass=_TextOnly):
    """A ``str`` enum whose ``str()`` is its value (``enum.StrEnum`` exists only from 3.11)."""

    def __str__(self) -> str:
        return str(self.value)


class DataFormat(_StrEnum):
    """Serialization format of a schema (Glue ``DataFormat``)."""

    AVRO = "AVRO"
    JSON = "JSON"
    PROTOBUF = "PROTOBUF"


class Compatibility(_StrEnum):
    """Compatibility mode of a schema (Glue ``Compatibility``).

    ``BACKWARD``: the new schema reads data written with the previous version.
    ``FORWARD``: the previous version reads data written with the new schema.
    ``FULL``: both. The ``_ALL`` variants compare with every earlier version instead of the
    previous one. ``NONE`` checks nothing; ``DISABLED`` refuses every version after the first.
    """

    NONE = "NONE"
    DISABLED = "DISABLED"
    BACKWARD = "BACKWARD"
    BACKWARD_ALL = "BACKWARD_ALL"
    FORWARD = "FORWARD"
    FORWARD_ALL = "FORWARD_ALL"
    FULL = "FULL"
    FULL_ALL = "FULL_ALL"


class Compression(_StrEnum):
    """Compression of a frame's payload.

    ``NONE`` and ``ZLIB`` are the Java reference's ``AWSSchemaRegistryConstants.COMPRESSION``
    enum, and the only two in the Glue wire format (header bytes ``0x00`` and ``0x05``).
    ``ZSTD`` (header byte ``0x5A``) is glue_serde's own extension for pipelines whose every
    reader is glue_serde: Java readers refuse it, so writing it needs an explicit
    ``allow_non_java_compression=True``, and reading it the ``zstd`` extra. The byte values live
    in :mod:`glue_serde.compression`.
    """

    NONE = "NONE"
    ZLIB = "ZLIB"
    ZSTD = "ZSTD"


class SchemaVersionStatus(_StrEnum):
    """Status of a schema version (Glue ``SchemaVersionStatus``)."""

    AVAILABLE = "AVAILABLE"
    PENDING = "PENDING"
    FAILURE = "FAILURE"
    DELETING = "DELETING"


class SchemaStatus(_StrEnum):
    """Status of a schema (Glue ``SchemaStatus``)."""

    AVAILABLE = "AVAILABLE"
    PENDING = "PENDING"
    DELETING = "DELETING"
