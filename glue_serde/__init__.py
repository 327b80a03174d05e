"""glue_serde: serializer/deserializer for the AWS Glue Schema Registry wire format.

Importing this package loads neither boto3 nor any format library (fastavro, protobuf,
jsonschema, avro): those load on first use, which keeps Lambda cold starts small. The
registries and the compatibility checker are imported on first access too (PEP 562), so a
consumer that needs only ``Deserializer`` never loads SQLite or the Glue backend.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from glue_serde._version import __version__
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
from glue_serde.registry.caching import CacheConfig, CachingSchemaRegistry
from glue_serde.schema import (
    CompatibilityProblem,
    CompatibilityReport,
    SchemaInfo,
    SchemaRef,
    SchemaVersion,
)
from glue_serde.serde import DecodedRecord, Deserializer, Serializer
from glue_serde.wire import Frame, decode_frame, encode_frame, peek_schema_version_id

if TYPE_CHECKING:
    from glue_serde.compat import check_compatibility
    from glue_serde.registry.glue import GlueSchemaRegistry, PendingPollConfig
    from glue_serde.registry.local import AuditEvent, LocalSchemaRegistry
    from glue_serde.registry.memory import InMemorySchemaRegistry

#: Exported names whose modules load on first access.
_LAZY = {
    "AuditEvent": "glue_serde.registry.local",
    "GlueSchemaRegistry": "glue_serde.registry.glue",
    "InMemorySchemaRegistry": "glue_serde.registry.memory",
    "LocalSchemaRegistry": "glue_serde.registry.local",
    "PendingPollConfig": "glue_serde.registry.glue",
    "check_compatibility": "glue_serde.compat",
}


def __getattr__(name: str) -> Any:
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
