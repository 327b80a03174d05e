"""Kafka records decoded by the event source mapping's schema-registry integration.

Such a record carries ``valueSchemaMetadata``/``keySchemaMetadata`` and comes in one of two
record formats: ``JSON`` (the value already decoded, as a JSON object or base64 JSON text) or
``SOURCE`` (the payload without its 18-byte Glue header, the version id kept as ``schemaId``:
the header is rebuilt, uncompressed, and the payload decoded with the deserializer). When the
caller does not name the format it is detected per record, exactly or not at all (the rules are
in the package docstring).

Imports :mod:`glue_serde.wire` (to rebuild the header), :mod:`glue_serde.enums`,
:mod:`glue_serde.errors` and the package's event-field module.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from glue_serde.enums import DataFormat
from glue_serde.errors import DeserializationError, PayloadError, _brief
from glue_serde.integrations.aws_lambda._events import (
    b64,
    decode_record,
    event_error,
    json_loads,
)
from glue_serde.wire import encode_header

if TYPE_CHECKING:
    from glue_serde._typing import Datum
    from glue_serde.serde import Deserializer

EsmRecordFormat: TypeAlias = Literal["JSON", "SOURCE"]


def _glue_schema_id(metadata: Mapping[str, Any], where: str) -> uuid.UUID:
    schema_id = metadata.get("schemaId")
    try:
        if not isinstance(schema_id, str):
            raise ValueError(schema_id)
        return uuid.UUID(schema_id)
    except ValueError:
        raise PayloadError(
            f"{where}: schemaId {_brief(schema_id, 60)} is not a Glue schema version id (a "
            "Confluent registry id?); glue_serde decodes Glue schemas only"
        ) from None


def _optional_glue_schema_id(metadata: Mapping[str, Any]) -> uuid.UUID | None:
    schema_id = metadata.get("schemaId")
    try:
        return uuid.UUID(schema_id) if isinstance(schema_id, str) else None
    except ValueError:
        return None


def decode_esm_field(
    raw: object,
    metadata: object,
    deserializer: Deserializer[Any] | None,
    esm_record_format: EsmRecordFormat | None,
    where: str,
) -> tuple[Datum, uuid.UUID | None, EsmRecordFormat]:
    """Decode a Kafka key or value that came with schema metadata (JSON or SOURCE output).

    ``raw`` is not None. Returns the value, its schema version id and the ESM record format
    it was read in.
    """
    if not isinstance(metadata, Mapping):
        raise event_error(f"schema metadata of {where} is not an object")
    if not isinstance(raw, str):
        return raw, _optional_glue_schema_id(metadata), "JSON"  # delivered as an object
    payload = b64(raw, where)
    if esm_record_format == "JSON":
        doc = json_loads(payload, f"{where}: JSON-mode record")
        return doc, _optional_glue_schema_id(metadata), "JSON"
    if esm_record_format is None:
        return _detect_esm_format(payload, metadata, deserializer, where)
    version_id = _glue_schema_id(metadata, where)
    if deserializer is None:
        return payload, version_id, "SOURCE"
    # SOURCE: Lambda removed the header; rebuild it (uncompressed) from the id.
    decoded = decode_record(deserializer, encode_header(version_id) + payload)
    return decoded.value, version_id, "SOURCE"


def _detect_esm_format(
    payload: bytes,
    metadata: Mapping[str, Any],
    deserializer: Deserializer[Any] | None,
    where: str,
) -> tuple[Datum, uuid.UUID | None, EsmRecordFormat]:
    """Read an ESM payload whose record format was not given (see the package docstring).

    A JSON Schema payload reads the same in both formats. Otherwise the payload is read as
    SOURCE unless it is a JSON object or array that SOURCE cannot be: one that does not decode
    with the writer schema, or one that cannot be the JSON rendering of that schema. A payload
    that reads exactly both ways is refused rather than guessed.
    """
    try:
        doc = json_loads(payload, where)
    except PayloadError:
        doc = None
    json_schema = str(metadata.get("dataFormat", "")).upper() == "JSON"
    if not isinstance(doc, dict | list) or json_schema:
        version_id = _glue_schema_id(metadata, where)
        if deserializer is None:
            return payload, version_id, "SOURCE"
        decoded = decode_record(deserializer, encode_header(version_id) + payload)
        return decoded.value, version_id, "SOURCE"
    glue_id = _optional_glue_schema_id(metadata)
    if glue_id is None or deserializer is None:
        # Not a Glue id (SOURCE cannot be decoded here) or nothing to decode with: the JSON
        # document is the only reading available.
        return doc, glue_id, "JSON"
    try:
        decoded = decode_record(deserializer, encode_header(glue_id) + payload)
    except DeserializationError:
        return doc, glue_id, "JSON"  # a JSON document that is no SOURCE payload
    version = decoded.schema_version
    if not _may_render_as_json(doc, version.data_format, version.schema_definition):
        return decoded.value, glue_id, "SOURCE"
    raise PayloadError(
        f"{where}: the payload reads both as a SOURCE {version.data_format.value} record and as "
        "a JSON-mode document; pass esm_record_format='SOURCE' or 'JSON' (the event source "
        "mapping's EventRecordFormat)"
    )


def _may_render_as_json(doc: object, data_format: DataFormat, definition: str) -> bool:
    """Whether ``doc`` can be what the JSON record format delivers for the writer schema.

    Lambda renders an Avro record with every one of its fields, an array as an array and a map
    as an object; anything else (unions, Protobuf) is not narrowed and counts as possible.
    """
    if data_format is not DataFormat.AVRO:
        return True
    try:
        schema = json.loads(definition)
    except ValueError:
        return True
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind in ("record", "error"):
        fields = schema.get("fields")
        if not isinstance(fields, list):
            return True
        names = {f.get("name") for f in fields if isinstance(f, dict)}
        return isinstance(doc, dict) and set(doc) == names
    if kind == "array":
        return isinstance(doc, list)
    if kind == "map":
        return isinstance(doc, dict)
    return not isinstance(schema, str) and kind not in (
        "fixed",
        "enum",
        "string",
        "bytes",
        "int",
        "long",
        "float",
        "double",
        "boolean",
        "null",
    )
