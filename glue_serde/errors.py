"""Every exception glue_serde raises.

The tree says who is at fault and whether retrying can help::

    GlueSerdeError                               root; abstract, never raised itself
    ├── ConfigurationError (also ValueError)     bad constructor arguments or settings
    ├── SchemaError (also ValueError)            schema text unparsable or unsupported
    ├── SerializationError                       producer side: the caller's data or schema
    │   ├── ValidationError (also ValueError)    datum does not fit the schema; .errors
    │   └── SchemaNotRegisteredError             auto-registration off, schema unknown
    ├── DeserializationError                     consumer side: the bytes are at fault; abstract
    │   ├── FrameError                           too short, bad header byte, bad compression byte
    │   ├── DecompressionError                   corrupt/truncated zlib, or over the size limit
    │   └── PayloadError                         payload does not decode with the writer schema
    ├── RegistryError                            .operation, .aws_error_code, .retryable
    │   ├── SchemaNotFoundError                  schema or schema version does not exist
    │   ├── SchemaAlreadyExistsError             create_schema on an existing name
    │   ├── RegistryAccessDeniedError
    │   ├── RegistryThrottledError               retryable
    │   └── RegistryUnavailableError             network errors and 5xx; retryable
    ├── IncompatibleSchemaError                  .report: CompatibilityReport
    └── BatchProcessingError                     every record of a Lambda batch failed (opt-in);
                                                 .errors, .response

Rules: no exception of a library glue_serde uses (zlib, struct, fastavro, protobuf,
jsonschema, botocore) reaches a caller; each is translated at the boundary where it occurs
and chained with ``raise ... from exc``. Callers dispatch on type and attributes, never on
message text. No data error is a ``TypeError`` (kafka-python retries a serializer call that
raises ``TypeError``).

Imports only :mod:`glue_serde.enums`, :mod:`glue_serde._typing` and :mod:`glue_serde.schema`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    import uuid
    from collections.abc import Mapping, Sequence

    from glue_serde.enums import Compression, DataFormat
    from glue_serde.schema import CompatibilityReport

__all__ = [
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
]


class GlueSerdeError(Exception):
    """Root of every glue_serde error. Abstract: raise a subclass.

    Parameters
    ----------
    message
        What went wrong and, where possible, what to do about it.

    Raises
    ------
    TypeError
        When an abstract class of the tree is constructed directly.
    """

    #: Set to True in the body of a class that exists only to be caught, never raised
    #: (h11's ``ProtocolError`` idea); subclasses are concrete unless they set it too.
    _abstract: ClassVar[bool] = True

    def __init__(self, message: str) -> None:
        if type(self).__dict__.get("_abstract", False):
            raise TypeError(f"{type(self).__name__} is abstract; raise one of its subclasses")
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigurationError(GlueSerdeError, ValueError):
    """A constructor argument or setting is invalid."""


class SchemaError(GlueSerdeError, ValueError):
    """A schema definition cannot be parsed or uses something unsupported.

    Parameters
    ----------
    message
        What is wrong with the schema.
    data_format
        The format the definition was parsed as, when known.
    """

    def __init__(self, message: str, *, data_format: DataFormat | None = None) -> None:
        super().__init__(message)
        self.data_format = data_format


# ---------------------------------------------------------------------------------------------
# Producer side


class SerializationError(GlueSerdeError):
    """A value could not be serialized; the caller's data or schema is at fault.

    Parameters
    ----------
    message
        What went wrong.
    schema_name
        The schema being written, when known.
    data_format
        The format being written, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        schema_name: str | None = None,
        data_format: DataFormat | None = None,
    ) -> None:
        super().__init__(message)
        self.schema_name = schema_name
        self.data_format = data_format


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorDetail:
    """One violation found while validating a datum (shaped like pydantic-core's ``ErrorDetails``).

    Parameters
    ----------
    type
        Machine-readable code, e.g. ``int_type``, ``missing``, ``extra_forbidden``.
    loc
        Path from the datum's root to the offending value (field names and list indices).
    msg
        A readable explanation.
    input
        The offending value.
    """

    type: str
    loc: tuple[str | int, ...]
    msg: str
    input: object = None


class ValidationError(SerializationError, ValueError):
    """A datum does not fit the schema it is written with.

    Parameters
    ----------
    message
        Summary of the failure.
    errors
        Every violation found, in document order.
    schema_name, data_format
        What was being written.
    """

    def __init__(
        self,
        message: str,
        *,
        errors: tuple[ErrorDetail, ...] = (),
        schema_name: str | None = None,
        data_format: DataFormat | None = None,
    ) -> None:
        super().__init__(message, schema_name=schema_name, data_format=data_format)
        self.errors = errors


class SchemaNotRegisteredError(SerializationError):
    """Auto-registration is off and the registry does not hold the schema being written.

    Parameters
    ----------
    message
        What is missing and how to register it.
    schema_name, data_format
        The schema being written.
    registry_name
        The registry that was asked.
    """

    def __init__(
        self,
        message: str,
        *,
        schema_name: str | None = None,
        data_format: DataFormat | None = None,
        registry_name: str | None = None,
    ) -> None:
        super().__init__(message, schema_name=schema_name, data_format=data_format)
        self.registry_name = registry_name


# ---------------------------------------------------------------------------------------------
# Consumer side


class DeserializationError(GlueSerdeError):
    """Bytes could not be deserialized; the bytes are at fault. Abstract.

    Parameters
    ----------
    message
        What is wrong with the bytes.
    schema_version_id
        The version id from the header, when it could be read.
    """

    _abstract = True

    def __init__(self, message: str, *, schema_version_id: uuid.UUID | None = None) -> None:
        super().__init__(message)
        self.schema_version_id = schema_version_id


FrameErrorReason = Literal["not_bytes", "too_short", "header_version", "compression"]


class FrameError(DeserializationError):
    """The 18-byte header is missing or malformed.

    Checked in the Java reference's order: length, then byte 0, then byte 1.

    Parameters
    ----------
    message
        What is wrong.
    reason
        ``"not_bytes"`` (not a bytes-like object), ``"too_short"``, ``"header_version"`` or
        ``"compression"``.
    length
        Length of the input (0 when it is not bytes-like).
    header_version
        Byte 0, when present. A Kafka consumer hands the record to a secondary deserializer
        when this is not 3.
    compression_byte
        Byte 1, when present.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: FrameErrorReason,
        length: int,
        header_version: int | None = None,
        compression_byte: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.length = length
        self.header_version = header_version
        self.compression_byte = compression_byte


class DecompressionError(DeserializationError):
    """The compressed payload is corrupt, truncated, followed by junk, or too large.

    Parameters
    ----------
    message
        What is wrong.
    compression
        The compression named by the header.
    reason
        ``"corrupt"``, ``"truncated"``, ``"trailing_data"`` or ``"too_large"``.
    schema_version_id
        The version id from the header.
    """

    def __init__(
        self,
        message: str,
        *,
        compression: Compression,
        reason: Literal["corrupt", "truncated", "trailing_data", "too_large"],
        schema_version_id: uuid.UUID | None = None,
    ) -> None:
        super().__init__(message, schema_version_id=schema_version_id)
        self.compression = compression
        self.reason = reason


class PayloadError(DeserializationError):
    """The payload does not decode with the writer schema named in the header.

    Parameters
    ----------
    message
        What is wrong.
    data_format
        The format of the writer schema.
    schema_version_id
        The writer schema's version id.
    """

    def __init__(
        self,
        message: str,
        *,
        data_format: DataFormat | None = None,
        schema_version_id: uuid.UUID | None = None,
    ) -> None:
        super().__init__(message, schema_version_id=schema_version_id)
        self.data_format = data_format


# ---------------------------------------------------------------------------------------------
# Registry


class RegistryError(GlueSerdeError):
    """A schema registry call failed.

    Parameters
    ----------
    message
        What failed, naming the operation.
    operation
        The registry operation (AWS API name, e.g. ``GetSchemaVersion``).
    aws_error_code
        ``Error.Code`` of the AWS response, when there was one.
    retryable
        Whether the same call may succeed later.
    """

    #: Default for :attr:`retryable` when the constructor is not told.
    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        aws_error_code: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.aws_error_code = aws_error_code
        self.retryable = self.default_retryable if retryable is None else retryable


class SchemaNotFoundError(RegistryError):
    """The schema, or the schema version, does not exist in the registry.

    Parameters
    ----------
    message, operation, aws_error_code
        As for :class:`RegistryError`.
    schema_version_id
        The version id asked for, when the lookup was by id.
    schema_name
        The schema asked for, when the lookup was by name.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        aws_error_code: str | None = None,
        schema_version_id: uuid.UUID | None = None,
        schema_name: str | None = None,
    ) -> None:
        super().__init__(
            message, operation=operation, aws_error_code=aws_error_code, retryable=False
        )
        self.schema_version_id = schema_version_id
        self.schema_name = schema_name


class SchemaAlreadyExistsError(RegistryError):
    """``create_schema`` was called for a name the registry already holds.

    The registration flow answers it by registering a new version instead (producers racing).
    """


class RegistryAccessDeniedError(RegistryError):
    """The registry refused the call for lack of permission (IAM)."""


class RegistryThrottledError(RegistryError):
    """The registry throttled the call. Retryable."""

    default_retryable = True


class RegistryUnavailableError(RegistryError):
    """The registry could not be reached or failed internally. Retryable."""

    default_retryable = True


class IncompatibleSchemaError(GlueSerdeError):
    """A new schema version was rejected by the schema's compatibility mode.

    Parameters
    ----------
    message
        Summary, naming the schema and the mode.
    report
        Every problem found.
    schema_name
        The schema the version was registered into.
    schema_version_id, version_number
        The rejected version, when the registry assigned one (Glue keeps FAILURE versions).
    """

    def __init__(
        self,
        message: str,
        *,
        report: CompatibilityReport,
        schema_name: str | None = None,
        schema_version_id: uuid.UUID | None = None,
        version_number: int | None = None,
    ) -> None:
        super().__init__(message)
        self.report = report
        self.schema_name = schema_name
        self.schema_version_id = schema_version_id
        self.version_number = version_number


# ---------------------------------------------------------------------------------------------
# Integrations


class BatchProcessingError(GlueSerdeError):
    """Every record of a Lambda batch failed (raised only when asked for).

    The Lambda helpers report failed records in their response; with
    ``raise_on_entire_batch_failure=True`` they raise this instead when the response would
    list every record, so the invocation counts as an error (as aws-lambda-powertools'
    ``BatchProcessor`` does by default). Chained from the first record's exception.

    Parameters
    ----------
    message
        How many records failed.
    errors
        Each failed record's exception, in event order.
    response
        The response that would have been returned.
    """

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[BaseException] = (),
        response: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = tuple(errors)
        self.response = dict(response) if response is not None else {}


def _brief(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for an error message; never raises.

    The value being reported is the caller's: ``repr`` of an int past Python's digit limit
    raises ``ValueError``, a deep container ``RecursionError``, a caller's object whatever its
    ``__repr__`` raises. None of those may replace the error being reported.
    """
    if isinstance(value, int) and value.bit_length() > 256:
        return f"an int of {value.bit_length()} bits"
    if isinstance(value, str | bytes | bytearray) and len(value) > limit:
        value = value[:limit]
    try:
        text = repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else f"{text[: max(limit - 3, 1)]}..."
