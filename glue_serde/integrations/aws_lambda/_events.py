"""Reading a Lambda event: every field checked before use, and each record's frame decoded.

Lambda hands a function a dict (or a Powertools object whose ``raw_event`` is that dict).
Nothing in it is trusted: each helper here reads one kind of field (a mapping, a list, base64
text, an integer within bounds, an optional string, strict JSON) and raises a
:class:`~glue_serde.errors.PayloadError` that says what is wrong, never a foreign exception (no
NaN, infinity, negative offset or 2**64 timestamp gets through). Decoding a record's Glue frame
is here too, so that a foreign exception from below becomes a chained PayloadError in one place
for every event source.

Imports :mod:`glue_serde.errors` only (the deserializer is a type here).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from glue_serde.errors import GlueSerdeError, PayloadError, _brief

if TYPE_CHECKING:
    import uuid

    from glue_serde.serde import DecodedRecord, Deserializer

#: The event a handler receives, as Lambda hands it over.
LambdaEvent: TypeAlias = Mapping[str, Any]

INT32_MAX: Final = 2**31 - 1
INT64_MAX: Final = 2**63 - 1


def event_error(message: str) -> PayloadError:
    """Return the PayloadError for an event field that is missing or malformed."""
    return PayloadError(f"malformed Lambda event: {message}")


def raw_event(obj: object) -> Mapping[str, Any] | None:
    """Return ``obj`` if it is a mapping, or the ``raw_event`` dict of a Powertools wrapper."""
    if isinstance(obj, Mapping):
        return obj
    try:
        raw = getattr(obj, "raw_event", None)
    except Exception:  # a hostile or broken wrapper object
        return None
    return raw if isinstance(raw, Mapping) else None


def as_mapping(obj: object, what: str) -> Mapping[str, Any]:
    """Return ``obj`` (or its Powertools ``raw_event``) as a mapping; PayloadError otherwise."""
    raw = raw_event(obj)
    if raw is None:
        raise event_error(f"{what} is a {type(obj).__name__}, not a mapping")
    return raw


def record_list(container: Mapping[str, Any], key: str, what: str) -> Sequence[Any]:
    """Return ``container[key]`` if it is a list (not text or bytes); PayloadError otherwise."""
    records = container.get(key)
    if not isinstance(records, Sequence) or isinstance(records, str | bytes | bytearray):
        raise event_error(f"{what} has no {key!r} list")
    return records


def b64(value: object, what: str) -> bytes:
    """Decode a base64 text field strictly; PayloadError for anything else."""
    if not isinstance(value, str):
        raise event_error(f"{what} is a {type(value).__name__}, not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise event_error(f"{what} is not valid base64") from exc


def read_int(value: object, what: str, *, minimum: int, maximum: int) -> int:
    """Read an integer field: an int, an integral float or a decimal string, within bounds.

    Refuses booleans, NaN, infinities, fractions and anything outside ``[minimum,
    maximum]`` with a PayloadError (never an OverflowError or ValueError).
    """
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and 0 < len(value) <= 20 and value.isascii():
        digits = value[1:] if value.startswith("-") else value
        if digits.isdigit():
            number = int(value)
    if number is None or not minimum <= number <= maximum:
        raise event_error(
            f"{what} is {_brief(value, 40)}, not an integer in [{minimum}, {maximum}]"
        )
    return number


def optional_str(value: object, what: str) -> str | None:
    """Return a string field, or None when absent; PayloadError for another type."""
    if value is None or isinstance(value, str):
        return value
    raise event_error(f"{what} is a {type(value).__name__}, not a string")


def decode_record(deserializer: Deserializer[Any], data: bytes) -> DecodedRecord[Any]:
    """Decode a Glue frame; a foreign exception from below becomes a chained PayloadError."""
    try:
        return deserializer.deserialize_record(data)
    except GlueSerdeError:
        raise
    except Exception as exc:
        raise PayloadError(f"record does not decode: {type(exc).__name__}: {exc}") from exc


def version_id_of(record: object) -> uuid.UUID | None:
    """Return the writer schema version id of a decoded record, if it has one."""
    version = getattr(record, "schema_version", None)
    return getattr(version, "schema_version_id", None)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def json_loads(payload: bytes, where: str) -> Any:
    """Parse strict JSON (no NaN/Infinity); PayloadError otherwise, deep nesting included."""
    try:
        return json.loads(payload, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"{where}: not strict JSON: {type(exc).__name__}") from exc
