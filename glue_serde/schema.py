"""Frozen, hashable value objects describing schemas, versions and compatibility verdicts.

They are cache keys and travel between layers, so they are immutable by construction
(``frozen=True, slots=True``) and compare by value. Nothing here does I/O or parses a schema.

May import only :mod:`glue_serde.enums` and :mod:`glue_serde._typing`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from glue_serde.enums import Compatibility, DataFormat, SchemaStatus, SchemaVersionStatus

__all__ = [
    "DEFAULT_REGISTRY_NAME",
    "CompatibilityProblem",
    "CompatibilityReport",
    "SchemaInfo",
    "SchemaRef",
    "SchemaVersion",
]

#: The registry the Java reference uses when none is configured (``registry.name``).
DEFAULT_REGISTRY_NAME = "default-registry"


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaRef:
    """The identity of a schema: its registry and its name.

    Parameters
    ----------
    schema_name
        Name of the schema inside the registry.
    registry_name
        Name of the registry; ``default-registry`` unless given.
    """

    schema_name: str
    registry_name: str = DEFAULT_REGISTRY_NAME


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaVersion:
    """One registered version of a schema, as a registry returns it.

    Only the first four fields are needed to decode; the others describe the version and
    default to "unknown".

    Parameters
    ----------
    schema_version_id
        The version's UUID: the 16 bytes every record carries in its header.
    schema_name
        Name of the schema the version belongs to.
    data_format
        AVRO, JSON or PROTOBUF.
    schema_definition
        The schema text as stored in the registry.
    version_number
        1, 2, ... within the schema, when known.
    status
        AVAILABLE, PENDING, FAILURE or DELETING. Only AVAILABLE versions decode records.
    registry_name
        The registry holding the schema.
    created_time
        Creation time as the registry reports it (opaque text; Glue does not fix a format).
    schema_arn
        The schema's ARN, when the registry has one.

    Examples
    --------
    >>> import uuid
    >>> from glue_serde import DataFormat, SchemaVersion
    >>> v = SchemaVersion(
    ...     schema_version_id=uuid.UUID("b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63"),
    ...     schema_name="payments",
    ...     data_format=DataFormat.AVRO,
    ...     schema_definition='"string"',
    ... )
    >>> v.status
    <SchemaVersionStatus.AVAILABLE: 'AVAILABLE'>
    """

    schema_version_id: uuid.UUID
    schema_name: str
    data_format: DataFormat
    schema_definition: str
    version_number: int | None = None
    status: SchemaVersionStatus = SchemaVersionStatus.AVAILABLE
    registry_name: str = DEFAULT_REGISTRY_NAME
    created_time: str | None = None
    schema_arn: str | None = None

    @property
    def ref(self) -> SchemaRef:
        """The schema this version belongs to."""
        return SchemaRef(schema_name=self.schema_name, registry_name=self.registry_name)


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaInfo:
    """A schema's settings and version counters, as a registry reports them (Glue ``GetSchema``).

    Parameters
    ----------
    schema_name
        Name of the schema inside its registry.
    registry_name
        The registry holding the schema.
    data_format
        AVRO, JSON or PROTOBUF; fixed when the schema is created.
    compatibility
        The mode new versions are checked under.
    checkpoint
        Version number from which compatibility checks look back (Glue ``SchemaCheckpoint``);
        starts at 1 and moves to the latest version when the mode changes.
    latest_version
        Number of the latest AVAILABLE version, or ``None`` when none is available.
    next_version
        The number the next registered version will receive (Glue ``NextSchemaVersion``).
    description
        Free text given at creation.
    status
        AVAILABLE, PENDING or DELETING.
    tags
        Tags given at creation, as sorted ``(key, value)`` pairs (hashable).
    created_time, updated_time
        ISO-8601 UTC timestamps, when known.
    schema_arn
        The schema's ARN, when the registry has one.
    """

    schema_name: str
    registry_name: str = DEFAULT_REGISTRY_NAME
    data_format: DataFormat
    compatibility: Compatibility
    checkpoint: int = 1
    latest_version: int | None = None
    next_version: int = 1
    description: str | None = None
    status: SchemaStatus = SchemaStatus.AVAILABLE
    tags: tuple[tuple[str, str], ...] = ()
    created_time: str | None = None
    updated_time: str | None = None
    schema_arn: str | None = None

    @property
    def ref(self) -> SchemaRef:
        """The schema's identity."""
        return SchemaRef(schema_name=self.schema_name, registry_name=self.registry_name)


Direction = Literal["backward", "forward"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompatibilityProblem:
    """One reason a new schema definition is incompatible with an earlier one.

    Parameters
    ----------
    kind
        Machine-readable code, e.g. ``READER_FIELD_MISSING_DEFAULT_VALUE``.
    path
        Where in the schema, e.g. ``PaymentCaptured.settlement_currency``.
    direction
        ``"backward"`` when the new schema cannot read old data, ``"forward"`` when the old
        schema cannot read new data.
    message
        A sentence a producer team can act on.
    version_number
        The earlier version the new definition was compared with, when known.
    """

    kind: str
    path: str
    direction: Direction
    message: str
    version_number: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompatibilityReport:
    """The verdict of a compatibility check: every problem found, or none.

    Parameters
    ----------
    data_format
        Format of the compared definitions.
    compatibility
        The mode that was checked.
    problems
        Every incompatibility found; empty when the change is compatible.
    compared_with
        Version numbers (or 1-based positions in ``previous``) the new definition was
        compared with.
    notes
        Remarks that are not problems (e.g. a rule where Glue's behaviour is unknown).
    """

    data_format: DataFormat
    compatibility: Compatibility
    problems: tuple[CompatibilityProblem, ...] = ()
    compared_with: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def compatible(self) -> bool:
        """Whether the new definition may be registered under :attr:`compatibility`."""
        return not self.problems

    def summary(self) -> str:
        """Return a short human-readable account of the verdict, one problem per line."""
        if self.compatible:
            return f"compatible under {self.compatibility.value}"
        lines = [
            f"incompatible under {self.compatibility.value} ({len(self.problems)} problem(s)):"
        ]
        for p in self.problems:
            where = f" (vs version {p.version_number})" if p.version_number is not None else ""
            lines.append(
                f"  - [{p.direction}] {p.kind} at {p.path or '<root>'}{where}: {p.message}"
            )
        return "\n".join(lines)
