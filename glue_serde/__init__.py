"""glue_serde: serializer/deserializer for the AWS Glue Schema Registry wire format.

Importing this package loads neither boto3 nor any format library (fastavro, protobuf,
jsonschema): those load on first use.
"""

from __future__ import annotations

from glue_serde._version import __version__
from glue_serde.enums import (
    Compatibility,
    Compression,
    DataFormat,
    SchemaStatus,
    SchemaVersionStatus,
)
from glue_serde.errors import (
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
from glue_serde.schema import (
    CompatibilityProblem,
    CompatibilityReport,
    SchemaRef,
    SchemaVersion,
)
from glue_serde.wire import Frame, decode_frame, encode_frame, peek_schema_version_id

__all__ = [
    "Compatibility",
    "CompatibilityProblem",
    "CompatibilityReport",
    "Compression",
    "ConfigurationError",
    "DataFormat",
    "DecompressionError",
    "DeserializationError",
    "ErrorDetail",
    "Frame",
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
    "SchemaRef",
    "SchemaRegistry",
    "SchemaStatus",
    "SchemaVersion",
    "SchemaVersionStatus",
    "SerializationError",
    "ValidationError",
    "__version__",
    "decode_frame",
    "encode_frame",
    "peek_schema_version_id",
]
