"""glue_serde: serializer/deserializer for the AWS Glue Schema Registry wire format.

Importing this package loads nothing but its version: every exported name is imported on first
access (PEP 562), so ``from glue_serde import Deserializer`` loads the serde and its registry
cache, and a consumer that needs only ``Deserializer`` never loads SQLite, the Glue backend,
boto3 or a format library (fastavro, protobuf, jsonschema, avro load on first use), which keeps
Lambda cold starts small.
"""

from __future__ import annotations

import importlib

from glue_serde._version import __version__

# Not typing.TYPE_CHECKING: importing typing costs more than the rest of this file.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from glue_serde.compat import check_compatibility
    from glue_serde.enums import (
        Compatibility,
        Compression,
        DataFormat,
        SchemaStatus,
        SchemaVersionStatus,
    )
    from glue_serde.errors import (
        BatchProcessingError,
        ConfigurationError,
        DecompressionError,
        DeserializationError,
        ErrorDetail,
        FrameError,
        GlueSerdeError,
        IncompatibleSchemaError,
        PayloadError,
        RegistryAccessDeniedError,
        RegistryError,
        RegistryThrottledError,
        RegistryUnavailableError,
        SchemaAlreadyExistsError,
        SchemaError,
        SchemaNotFoundError,
        SchemaNotRegisteredError,
        SerializationError,
        ValidationError,
    )
    from glue_serde.registry import SchemaRegistry
    from glue_serde.registry.audit import AuditEvent
    from glue_serde.registry.caching import CacheConfig, CachingSchemaRegistry
    from glue_serde.registry.glue import GlueSchemaRegistry, PendingPollConfig
    from glue_serde.registry.local import LocalSchemaRegistry
    from glue_serde.registry.memory import InMemorySchemaRegistry
    from glue_serde.schema import (
        CompatibilityProblem,
        CompatibilityReport,
        SchemaInfo,
        SchemaRef,
        SchemaVersion,
    )
    from glue_serde.serde import DecodedRecord, Deserializer, Serializer
    from glue_serde.wire import Frame, decode_frame, encode_frame, peek_schema_version_id


def _names(module: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, module)


#: Every exported name -> the module that defines it, imported on first access (PEP 562):
#: ``import glue_serde`` itself loads nothing but this file and the version.
_LAZY = {
    **_names("glue_serde.enums", "Compatibility", "Compression", "DataFormat"),
    **_names("glue_serde.enums", "SchemaStatus", "SchemaVersionStatus"),
    **_names(
        "glue_serde.errors",
        "BatchProcessingError",
        "ConfigurationError",
        "DecompressionError",
        "DeserializationError",
        "ErrorDetail",
        "FrameError",
        "GlueSerdeError",
        "IncompatibleSchemaError",
        "PayloadError",
        "RegistryAccessDeniedError",
        "RegistryError",
        "RegistryThrottledError",
        "RegistryUnavailableError",
        "SchemaAlreadyExistsError",
        "SchemaError",
        "SchemaNotFoundError",
        "SchemaNotRegisteredError",
        "SerializationError",
        "ValidationError",
    ),
    "SchemaRegistry": "glue_serde.registry",
    "AuditEvent": "glue_serde.registry.audit",
    **_names("glue_serde.registry.caching", "CacheConfig", "CachingSchemaRegistry"),
    **_names("glue_serde.registry.glue", "GlueSchemaRegistry", "PendingPollConfig"),
    "LocalSchemaRegistry": "glue_serde.registry.local",
    "InMemorySchemaRegistry": "glue_serde.registry.memory",
    **_names(
        "glue_serde.schema",
        "CompatibilityProblem",
        "CompatibilityReport",
        "SchemaInfo",
        "SchemaRef",
        "SchemaVersion",
    ),
    **_names("glue_serde.serde", "DecodedRecord", "Deserializer", "Serializer"),
    **_names("glue_serde.wire", "Frame", "decode_frame", "encode_frame", "peek_schema_version_id"),
    "check_compatibility": "glue_serde.compat",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'glue_serde' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AuditEvent",
    "BatchProcessingError",
    "CacheConfig",
    "CachingSchemaRegistry",
    "Compatibility",
    "CompatibilityProblem",
    "CompatibilityReport",
    "Compression",
    "ConfigurationError",
    "DataFormat",
    "DecodedRecord",
    "DecompressionError",
    "DeserializationError",
    "Deserializer",
    "ErrorDetail",
    "Frame",
    "FrameError",
    "GlueSchemaRegistry",
    "GlueSerdeError",
    "InMemorySchemaRegistry",
    "IncompatibleSchemaError",
    "LocalSchemaRegistry",
    "PayloadError",
    "PendingPollConfig",
    "RegistryAccessDeniedError",
    "RegistryError",
    "RegistryThrottledError",
    "RegistryUnavailableError",
    "SchemaAlreadyExistsError",
    "SchemaError",
    "SchemaInfo",
    "SchemaNotFoundError",
    "SchemaNotRegisteredError",
    "SchemaRef",
    "SchemaRegistry",
    "SchemaStatus",
    "SchemaVersion",
    "SchemaVersionStatus",
    "SerializationError",
    "Serializer",
    "ValidationError",
    "__version__",
    "check_compatibility",
    "decode_frame",
    "encode_frame",
    "peek_schema_version_id",
]
