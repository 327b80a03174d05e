"""Glue's limits on registry arguments, and the validators both registry backends share.

The numbers and patterns are those of the Glue API (botocore service model ``glue``
2017-03-31, the API reference and the CloudFormation reference). The embedded registry
(:mod:`glue_serde.registry.local`) enforces them all; the Glue backend
(:mod:`glue_serde.registry.glue`) checks the ones it validates before a call with the same
functions, so both backends refuse the same input with the same error. Character limits count
Unicode code points, as Glue counts characters.

Metadata keys and values follow the documented pattern ``[a-zA-Z0-9+-=._./@]+`` verbatim. Read
as a regular expression (Java's, which the service validates with, or Python's), ``+-=`` is
the range from ``+`` to ``=``: ``+ , - . / 0-9 : ; < =``, so ``a:b`` is a valid key and
``a>b`` is not. moto reads the pattern as a list of characters and refuses ``,:;<``.

Every validator raises :class:`~glue_serde.errors.ConfigurationError` (or
:class:`~glue_serde.errors.SchemaError` for a definition), never a foreign exception, whatever
the argument's type or size. This module imports only the package's base modules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Final

from glue_serde.enums import Compatibility, DataFormat
from glue_serde.errors import ConfigurationError, SchemaError

__all__ = [
    "MAX_DEFINITION_CHARS",
    "MAX_DESCRIPTION_CHARS",
    "MAX_METADATA_KEY_CHARS",
    "MAX_METADATA_PAIRS",
    "MAX_METADATA_VALUE_CHARS",
    "MAX_NAME_CHARS",
    "MAX_TAGS",
    "MAX_TAG_KEY_CHARS",
    "MAX_TAG_VALUE_CHARS",
    "MAX_VERSION_NUMBER",
    "METADATA_PATTERN",
    "check_definition_text",
    "check_description",
    "check_metadata",
    "check_name",
    "check_tags",
    "check_utf8",
    "coerce_compatibility",
    "coerce_format",
    "coerce_version_id",
    "parse_versions",
]

MAX_NAME_CHARS: Final = 255
MAX_DEFINITION_CHARS: Final = 170_000
MAX_DESCRIPTION_CHARS: Final = 2_048
MAX_METADATA_KEY_CHARS: Final = 128
MAX_METADATA_VALUE_CHARS: Final = 256
MAX_METADATA_PAIRS: Final = 10
MAX_TAGS: Final = 50
MAX_TAG_KEY_CHARS: Final = 128
MAX_TAG_VALUE_CHARS: Final = 256
#: Highest version number (and checkpoint) Glue accepts; a schema holds at most this many.
MAX_VERSION_NUMBER: Final = 100_000

#: Registry and schema names (``SchemaRegistryNameString``).
_NAME_RE: Final = re.compile(r"[a-zA-Z0-9\-_$#.]{1,255}")
#: Metadata keys and values (``MetadataKeyString``, ``MetadataValueString``), verbatim.
METADATA_PATTERN: Final = "[a-zA-Z0-9+-=._./@]+"
_METADATA_RE: Final = re.compile(METADATA_PATTERN)
#: Descriptions (``DescriptionString``): no control character other than tab, CR and LF, no
#: lone surrogate, no U+FFFE/U+FFFF (the model's UTF-16 pattern, in code points). The
#: characters refused besides lone surrogates (which :func:`check_utf8` refuses first): a set,
#: not the model's pattern as a regular expression, whose compilation alone costs a consumer's
#: cold start about 29 million instructions.
_REFUSED_IN_DESCRIPTION: Final = frozenset(
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"]
)
#: ``DeleteSchemaVersions`` ranges (``VersionsString``), with at most six digits per number so
#: that a huge number is refused before ``int()`` sees it.
_VERSIONS_RE: Final = re.compile(r"([1-9][0-9]{0,5})(?:-([1-9][0-9]{0,5}))?")


def check_utf8(text: str, what: str, error: type[ConfigurationError | SchemaError]) -> None:
    """Refuse text that cannot be stored or sent as UTF-8 (a lone surrogate).

    Raises
    ------
    ConfigurationError or SchemaError
        ``error``, naming ``what``.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise error(f"{what} is not valid Unicode text (lone surrogate): {exc}") from exc


def check_name(name: object, what: str) -> str:
    """Return a registry or schema name: 1-255 characters from ``[a-zA-Z0-9-_$#.]``.

    Raises
    ------
    ConfigurationError
        If ``name`` is not such text.
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        shown = _shown(name)
        raise ConfigurationError(
            f"invalid {what} {shown}: 1-{MAX_NAME_CHARS} characters from letters, digits, "
            "'-', '_', '$', '#' and '.'"
        )
    return name


def check_description(description: object) -> str | None:
    """Return a description (``None`` allowed): at most 2,048 characters, no control character.

    Raises
    ------
    ConfigurationError
        If the description is not text, too long, or has a character Glue refuses.
    """
    if description is None:
        return None
    if not isinstance(description, str):
        raise ConfigurationError(f"description must be text, got {type(description).__name__}")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise ConfigurationError(
            f"description has {len(description)} characters; Glue allows at most "
            f"{MAX_DESCRIPTION_CHARS}"
        )
    check_utf8(description, "description", ConfigurationError)
    if not _REFUSED_IN_DESCRIPTION.isdisjoint(description):
        raise ConfigurationError(
            "description has a control character Glue refuses (only tab, CR and LF are allowed)"
        )
    return description


def check_tags(tags: object) -> dict[str, str]:
    """Return tags as a dict: at most 50, keys 1-128 and values 0-256 characters.

    Raises
    ------
    ConfigurationError
        If ``tags`` is not a mapping of text to text within the limits.
    """
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise ConfigurationError(f"tags must be a mapping, got {type(tags).__name__}")
    if len(tags) > MAX_TAGS:
        raise ConfigurationError(f"{len(tags)} tags given; Glue allows at most {MAX_TAGS}")
    out: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_TAG_KEY_CHARS:
            raise ConfigurationError(
                f"invalid tag key {_shown(key)}: 1-{MAX_TAG_KEY_CHARS} characters"
            )
        if not isinstance(value, str) or len(value) > MAX_TAG_VALUE_CHARS:
            raise ConfigurationError(
                f"invalid value for tag {key!r}: text of at most {MAX_TAG_VALUE_CHARS} characters"
            )
        check_utf8(key, "tag key", ConfigurationError)
        check_utf8(value, "tag value", ConfigurationError)
        out[key] = value
    return out


def check_metadata(key: object, value: object) -> tuple[str, str]:
    """Return a metadata pair: key 1-128, value 1-256 characters of ``[a-zA-Z0-9+-=._./@]``.

    Raises
    ------
    ConfigurationError
        If the key or the value breaks Glue's limits (checked before any storage or call).
    """
    for what, text, limit in (
        ("key", key, MAX_METADATA_KEY_CHARS),
        ("value", value, MAX_METADATA_VALUE_CHARS),
    ):
        if (
            not isinstance(text, str)
            or not 1 <= len(text) <= limit
            or not _METADATA_RE.fullmatch(text)
        ):
            raise ConfigurationError(
                f"invalid metadata {what} {_shown(text)}: 1-{limit} characters from letters, "
                "digits and '+' to '=' (+,-./0-9:;<=), '_', '@'"
            )
    return str(key), str(value)


def coerce_format(data_format: object) -> DataFormat:
    """Return a :class:`DataFormat` from the enum or its AWS string.

    Raises
    ------
    ConfigurationError
        If it is neither.
    """
    try:
        return DataFormat(data_format)
    except (ValueError, TypeError):
        raise ConfigurationError(
            f"unknown data format {_shown(data_format)}: expected AVRO, JSON or PROTOBUF"
        ) from None


def coerce_compatibility(compatibility: object) -> Compatibility:
    """Return a :class:`Compatibility` from the enum or its AWS string.

    Raises
    ------
    ConfigurationError
        If it is neither.
    """
    try:
        return Compatibility(compatibility)
    except (ValueError, TypeError):
        modes = ", ".join(m.value for m in Compatibility)
        raise ConfigurationError(
            f"unknown compatibility mode {_shown(compatibility)}: expected one of {modes}"
        ) from None


def coerce_version_id(schema_version_id: object) -> str:
    """Return a schema version id as Glue's lowercase 36-character UUID text.

    Accepts a :class:`uuid.UUID` or UUID text.

    Raises
    ------
    ConfigurationError
        If it is neither.
    """
    if isinstance(schema_version_id, uuid.UUID):
        return str(schema_version_id)
    if isinstance(schema_version_id, str) and len(schema_version_id) <= 64:
        try:
            return str(uuid.UUID(schema_version_id))
        except ValueError:
            pass
    raise ConfigurationError(
        f"invalid schema version id {_shown(schema_version_id)}: expected a UUID"
    )


def check_definition_text(definition: object, data_format: DataFormat) -> str:
    """Return a definition within Glue's limits: 1-170,000 characters, not blank, UTF-8.

    Only the limits: whether the text parses is the registry's and the codec's business.

    Raises
    ------
    SchemaError
        If the definition is not text or breaks a limit.
    """
    if not isinstance(definition, str):
        raise SchemaError(
            f"schema definition must be text, got {type(definition).__name__}",
            data_format=data_format,
        )
    if not 1 <= len(definition) <= MAX_DEFINITION_CHARS:
        raise SchemaError(
            f"schema definition has {len(definition)} characters; Glue allows "
            f"1-{MAX_DEFINITION_CHARS}",
            data_format=data_format,
        )
    if definition.isspace():
        raise SchemaError(
            "schema definition is blank: it must contain a non-space character",
            data_format=data_format,
        )
    check_utf8(definition, "schema definition", SchemaError)
    return definition


def parse_versions(versions: object) -> tuple[int, int]:
    """Return ``(low, high)`` from ``"N"``, ``"N-M"`` or an int, with 1 <= N <= M <= 100,000.

    Raises
    ------
    ConfigurationError
        If ``versions`` is malformed or out of Glue's range (checked before any conversion,
        so a number of any size is refused quickly).
    """
    if isinstance(versions, int) and not isinstance(versions, bool):
        if not 1 <= versions <= MAX_VERSION_NUMBER:
            raise ConfigurationError(f"invalid version number: need 1 <= N <= {MAX_VERSION_NUMBER}")
        return versions, versions
    match = _VERSIONS_RE.fullmatch(versions) if isinstance(versions, str) else None
    if match is None:
        raise ConfigurationError(
            f"invalid version range {_shown(versions)}: expected 'N' or 'N-M' with "
            f"1 <= N <= M <= {MAX_VERSION_NUMBER}"
        )
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if high < low or high > MAX_VERSION_NUMBER:
        raise ConfigurationError(
            f"invalid version range {versions!r}: need N <= M <= {MAX_VERSION_NUMBER}"
        )
    return low, high


def _shown(value: object) -> str:
    """``repr`` of an argument for a message, cut short (arguments may be megabytes)."""
    if isinstance(value, str | bytes):
        if len(value) <= 80:
            return repr(value)
        return f"{value[:60]!r}... ({len(value)} characters)"
    if isinstance(value, int) and value.bit_length() > 256:
        # repr() of an int past Python's digit limit raises ValueError.
        return "a very large integer"
    if value is None or isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"
