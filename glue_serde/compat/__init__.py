"""Schema compatibility: decide whether a new definition may follow the earlier ones.

:func:`check_compatibility` applies a Glue compatibility mode (NONE, DISABLED, BACKWARD,
BACKWARD_ALL, FORWARD, FORWARD_ALL, FULL, FULL_ALL) to a candidate definition and the
definitions registered before it, and returns a :class:`~glue_serde.schema.CompatibilityReport`
listing every problem. It never raises for an incompatible change (the registry turns the
report into ``IncompatibleSchemaError``); it raises :class:`~glue_serde.errors.SchemaError`
when the candidate is not a valid definition, under every mode, NONE included (Glue parses
before it compares).

Mode semantics (``docs/compatibility.md``): BACKWARD(old, new) means the new
schema reads data written with the old one (reader = new, writer = old); FORWARD(old, new)
means the old schema reads data written with the new one. The plain modes compare with the
latest earlier definition, the ``_ALL`` modes with each of them.

The format modules (:mod:`.avro`, :mod:`.json`, :mod:`.protobuf`) are imported on first use,
so ``import glue_serde`` loads neither jsonschema nor protobuf. This package may import the
base modules and :mod:`glue_serde.codecs`; nothing here does I/O.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import TYPE_CHECKING, Protocol, cast

from glue_serde.enums import Compatibility, DataFormat
from glue_serde.errors import ConfigurationError, SchemaError
from glue_serde.schema import CompatibilityProblem, CompatibilityReport

if TYPE_CHECKING:
    from collections.abc import Sequence

    from glue_serde.schema import Direction

__all__ = ["check_compatibility", "validate_definition"]


class _FormatModule(Protocol):
    def validate_definition(self, definition: str) -> None: ...

    def find_problems(
        self, old_definition: str, new_definition: str, direction: Direction
    ) -> tuple[list[CompatibilityProblem], list[str]]: ...


_MODULES = {
    DataFormat.AVRO: "glue_serde.compat.avro",
    DataFormat.JSON: "glue_serde.compat.json",
    DataFormat.PROTOBUF: "glue_serde.compat.protobuf",
}
_EXTRAS = {DataFormat.AVRO: "all", DataFormat.JSON: "json", DataFormat.PROTOBUF: "protobuf"}

_DIRECTIONS: dict[Compatibility, tuple[Direction, ...]] = {
    Compatibility.BACKWARD: ("backward",),
    Compatibility.BACKWARD_ALL: ("backward",),
    Compatibility.FORWARD: ("forward",),
    Compatibility.FORWARD_ALL: ("forward",),
    Compatibility.FULL: ("backward", "forward"),
    Compatibility.FULL_ALL: ("backward", "forward"),
}
_ALL_MODES = frozenset(
    {Compatibility.BACKWARD_ALL, Compatibility.FORWARD_ALL, Compatibility.FULL_ALL}
)


def _format_module(data_format: DataFormat | str) -> tuple[DataFormat, _FormatModule]:
    try:
        fmt = DataFormat(data_format)
    except ValueError as exc:
        raise ConfigurationError(f"data_format: {exc}") from None
    try:
        module = importlib.import_module(_MODULES[fmt])
    except ImportError as exc:
        raise ConfigurationError(
            f"{fmt.value} compatibility checks need an optional dependency that is not "
            f"installed ({exc.name}); install it with: pip install 'glue-serde[{_EXTRAS[fmt]}]'"
        ) from exc
    return fmt, cast("_FormatModule", module)


def validate_definition(data_format: DataFormat | str, schema_definition: str) -> None:
    """Check that a definition parses as Glue would parse it.

    Parameters
    ----------
    data_format
        ``AVRO``, ``JSON`` or ``PROTOBUF``.
    schema_definition
        The schema text (Avro JSON, JSON Schema JSON, or ``.proto`` source).

    Raises
    ------
    SchemaError
        If the definition is invalid (Avro: Java ``Schema.Parser`` strictness; JSON: the
        draft's meta-schema, no external ``$ref``; Protobuf: protoc errors, extensions, groups).
    ConfigurationError
        If the data format is unknown or its optional dependency is missing.
    """
    _, module = _format_module(data_format)
    module.validate_definition(schema_definition)


def check_compatibility(
    data_format: DataFormat | str,
    schema_definition: str,
    previous: Sequence[str],
    compatibility: Compatibility | str,
    *,
    previous_version_numbers: Sequence[int] | None = None,
) -> CompatibilityReport:
    """Decide whether ``schema_definition`` may follow ``previous`` under a mode.

    Parameters
    ----------
    data_format
        ``AVRO``, ``JSON`` or ``PROTOBUF``.
    schema_definition
        The candidate definition.
    previous
        The definitions registered before it, oldest first (may be empty).
    compatibility
        The schema's compatibility mode.
    previous_version_numbers
        The version numbers of ``previous`` (same length); by default their 1-based positions.

    Returns
    -------
    CompatibilityReport
        Every problem found (empty when the candidate may be registered), with the version
        numbers compared with and notes (e.g. keywords whose rules are not modelled).

    Raises
    ------
    SchemaError
        If the candidate definition is invalid, under every mode; or if an earlier definition
        that must be compared does not parse.
    ConfigurationError
        If the data format or mode is unknown, ``previous_version_numbers`` does not match
        ``previous``, or the format's optional dependency is missing.

    Examples
    --------
    >>> from glue_serde.compat import check_compatibility
    >>> v1 = '{"type":"record","name":"P","fields":[{"name":"id","type":"string"}]}'
    >>> v2 = '{"type":"record","name":"P","fields":[{"name":"id","type":"string"},'
    ...       '{"name":"qty","type":"int"}]}'
    >>> check_compatibility("AVRO", v2, [v1], "BACKWARD").compatible
    False
    """
    fmt, module = _format_module(data_format)
    try:
        mode = Compatibility(compatibility)
    except ValueError as exc:
        raise ConfigurationError(f"compatibility: {exc}") from None
    previous = list(previous)
    if previous_version_numbers is None:
        numbers = list(range(1, len(previous) + 1))
    else:
        numbers = list(previous_version_numbers)
        if len(numbers) != len(previous):
            raise ConfigurationError(
                f"previous_version_numbers has {len(numbers)} entries for "
                f"{len(previous)} previous definitions"
            )
    # Parse before compare: an invalid candidate is refused under every mode.
    module.validate_definition(schema_definition)

    if not previous or mode is Compatibility.NONE:
        return CompatibilityReport(data_format=fmt, compatibility=mode)
    if mode is Compatibility.DISABLED:
        problem = CompatibilityProblem(
            kind="VERSIONING_DISABLED",
            path="",
            direction="backward",
            message=(
                "compatibility is DISABLED for this schema: no version may be added after the "
                "first; change the schema's compatibility mode to add versions"
            ),
            version_number=numbers[-1],
        )
        return CompatibilityReport(
            data_format=fmt,
            compatibility=mode,
            problems=(problem,),
            compared_with=(numbers[-1],),
        )

    pairs = (
        list(zip(previous, numbers, strict=True))
        if mode in _ALL_MODES
        else [(previous[-1], numbers[-1])]
    )
    problems: list[CompatibilityProblem] = []
    notes: list[str] = []
    for old, number in pairs:
        for direction in _DIRECTIONS[mode]:
            try:
                found, found_notes = module.find_problems(old, schema_definition, direction)
            except SchemaError as exc:
                raise SchemaError(
                    f"earlier version {number} does not parse, so it cannot be compared: {exc}",
                    data_format=fmt,
                ) from exc
            notes += [n for n in found_notes if n not in notes]
            for problem in found:
                problems.append(dataclasses.replace(problem, version_number=number))
    return CompatibilityReport(
        data_format=fmt,
        compatibility=mode,
        problems=tuple(problems),
        compared_with=tuple(n for _, n in pairs),
        notes=tuple(notes),
    )
