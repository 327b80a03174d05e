"""Avro: Glue-strict parsing and the reader/writer compatibility check.

Parsing follows Java's ``org.apache.avro.Schema.Parser`` (1.11.x, the version Glue
documents), which is what decides whether Glue accepts a definition at all: illegal names
(each namespace component included), defaults that do not match their type (a union default
must match the *first* branch), duplicate field, type and enum-symbol names, an enum default
outside its symbols, a fixed without a valid size, unknown type names, nested or duplicated
union branches. Logical types are ignored, as Java's compatibility check ignores them.

The check follows Java's ``org.apache.avro.SchemaCompatibility`` rule for rule (the PyPI
``avro`` package has a port, ``avro.compatibility``, but its results merge incompatibility
kinds and locations into unrelated sets and drop union-branch locations, so one problem per
location cannot be rebuilt from them; it also compares raw alias strings with full names).
Unlike Java, which stops at nothing but keeps one memoised answer per (reader, writer) pair,
this module reports every problem with a dotted path such as
``PaymentCaptured.settlement_currency`` and a message a producer team can act on.

Imports only the package's base modules (:mod:`glue_serde.errors`, :mod:`glue_serde.schema`,
:mod:`glue_serde.enums`) and the standard library: no Avro library is needed to check.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from glue_serde.codecs._base import ParsedCache
from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError
from glue_serde.schema import CompatibilityProblem

if TYPE_CHECKING:
    from glue_serde.schema import Direction

__all__ = ["AvroSchema", "find_problems", "parse_schema", "validate_definition"]

PRIMITIVES: Final = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)
_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
#: Writer type -> reader types it promotes to (Avro specification, "Schema Resolution").
_PROMOTIONS: Final = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}


# ---------------------------------------------------------------------------------------------
# Parsed model (identity-hashed: recursive records point at themselves)


@dataclass(eq=False)
class AvroSchema:
    """One node of a parsed Avro schema.

    Parameters
    ----------
    type
        ``null`` .. ``string``, ``array``, ``map``, ``union``, ``record``, ``enum`` or ``fixed``.
    """

    type: str
    name: str = ""
    fullname: str = ""
    aliases: frozenset[str] = frozenset()
    items: AvroSchema | None = None
    values: AvroSchema | None = None
    branches: tuple[AvroSchema, ...] = ()
    fields: list[AvroField] = field(default_factory=list)
    symbols: tuple[str, ...] = ()
    enum_default: str | None = None
    size: int = 0

    @property
    def named(self) -> bool:
        """Whether this is a record, enum or fixed."""
        return self.type in ("record", "enum", "fixed")

    def describe(self) -> str:
        """Return a short human name: ``record Payment``, ``int``, ``array``."""
        return f"{self.type} {self.name}" if self.named else self.type


@dataclass(eq=False)
class AvroField:
    """One record field: name, type, aliases and whether it has a default."""

    name: str
    type: AvroSchema
    has_default: bool
    default: object
    aliases: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Glue-strict parsing


def _error(message: str) -> SchemaError:
    return SchemaError(f"invalid Avro schema: {message}", data_format=DataFormat.AVRO)


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise _error(f"{what} must be a non-empty string, got {name!r}")
    if not _NAME_RE.match(name):
        raise _error(f"Illegal character in: {name} ({what})")
    return name


def _check_namespace(namespace: str) -> None:
    for part in namespace.split("."):
        _check_name(part, f"namespace component of {namespace!r}")


class _Parser:
    """Java ``Schema.Parser`` rules over a JSON document."""

    def __init__(self) -> None:
        self.names: dict[str, AvroSchema] = {}
        self.pending_defaults: list[tuple[AvroField, str]] = []

    def full_name(self, name: str, namespace: str | None) -> tuple[str, str | None]:
        """Split ``name`` into (simple name, namespace) as Java's ``Schema.Name`` does."""
        if "." in name:
            space, _, simple = name.rpartition(".")
            return simple, (space or None)
        return name, namespace

    def lookup(self, name: str, namespace: str | None) -> AvroSchema:
        if name in PRIMITIVES:
            return AvroSchema(type=name)
        candidates = [name] if "." in name else []
        if "." not in name:
            if namespace:
                candidates.append(f"{namespace}.{name}")
            candidates.append(name)
        for candidate in candidates:
            if candidate in self.names:
                return self.names[candidate]
        raise _error(f"Undefined name: {name!r} (not a primitive type nor a type defined earlier)")

    def parse(self, node: object, namespace: str | None) -> AvroSchema:
        if isinstance(node, str):
            return self.lookup(node, namespace)
        if isinstance(node, list):
            return self.parse_union(node, namespace)
        if not isinstance(node, dict):
            raise _error(f"a schema must be a type name, an object or an array, got {node!r}")
        kind = node.get("type")
        if not isinstance(kind, str):
            raise _error(f"No type: {json.dumps(node)[:200]}")
        if kind in PRIMITIVES:
            return AvroSchema(type=kind)
        if kind == "array":
            if "items" not in node:
                raise _error("array has no items type")
            return AvroSchema(type="array", items=self.parse(node["items"], namespace))
        if kind == "map":
            if "values" not in node:
                raise _error("map has no values type")
            return AvroSchema(type="map", values=self.parse(node["values"], namespace))
        if kind in ("record", "error", "enum", "fixed"):
            return self.parse_named(node, kind, namespace)
        return self.lookup(kind, namespace)

    def parse_union(self, node: list[object], namespace: str | None) -> AvroSchema:
        branches: list[AvroSchema] = []
        seen: set[str] = set()
        for item in node:
            branch = self.parse(item, namespace)
            if branch.type == "union":
                raise _error("Nested union: a union may not immediately contain another union")
            key = branch.fullname if branch.named else branch.type
            if key in seen:
                raise _error(f"Duplicate in union: {key}")
            seen.add(key)
            branches.append(branch)
        return AvroSchema(type="union", branches=tuple(branches))

    def parse_named(self, node: dict[str, object], kind: str, namespace: str | None) -> AvroSchema:
        raw_name = node.get("name")
        if not isinstance(raw_name, str) or not raw_name:
            raise _error(f"No name in schema: {json.dumps(node)[:200]}")
        explicit_ns = node.get("namespace")
        if explicit_ns is not None and not isinstance(explicit_ns, str):
            raise _error(f"namespace must be a string, got {explicit_ns!r}")
        space = namespace if explicit_ns is None else (explicit_ns or None)
        simple, space = self.full_name(raw_name, space)
        _check_name(simple, f"{kind} name")
        if space:
            _check_namespace(space)
        fullname = f"{space}.{simple}" if space else simple
        if fullname in self.names or fullname in PRIMITIVES:
            raise _error(f"Can't redefine: {fullname}")
        aliases = node.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise _error(f"aliases of {fullname} must be an array of strings")
        full_aliases: set[str] = set()
        for alias in aliases:
            a_simple, a_space = self.full_name(alias, space)
            _check_name(a_simple, f"alias of {fullname}")
            if a_space:
                _check_namespace(a_space)
            # Java resolves aliases against the type's namespace (Schema.Name(alias, space)).
            full_aliases.add(f"{a_space}.{a_simple}" if a_space else a_simple)
        schema = AvroSchema(
            type="record" if kind == "error" else kind,
            name=simple,
            fullname=fullname,
            aliases=frozenset(full_aliases),
        )
        self.names[fullname] = schema
        if kind == "enum":
            self.fill_enum(schema, node)
        elif kind == "fixed":
            size = node.get("size")
            if isinstance(size, bool) or not isinstance(size, int) or size < 0 or size > _INT_MAX:
                raise _error(f"Invalid or no size: fixed {fullname}")
            schema.size = size
        else:
            self.fill_record(schema, node, space)
        return schema

    def fill_enum(self, schema: AvroSchema, node: dict[str, object]) -> None:
        symbols = node.get("symbols")
        if not isinstance(symbols, list):
            raise _error(f"Enum symbols must be an array: enum {schema.fullname}")
        seen: set[str] = set()
        for symbol in symbols:
            _check_name(symbol, f"symbol of enum {schema.fullname}")
            if symbol in seen:
                raise _error(f"Duplicate enum symbol: {symbol}")
            seen.add(symbol)
        schema.symbols = tuple(symbols)
        default = node.get("default")
        if default is not None:
            if default not in seen:
                raise _error(
                    f"The Enum Default: {default} is not in the enum symbol set: {symbols}"
                )
            schema.enum_default = str(default)

    def fill_record(self, schema: AvroSchema, node: dict[str, object], space: str | None) -> None:
        raw_fields = node.get("fields")
        if not isinstance(raw_fields, list):
            raise _error(f"Record has no fields: {schema.fullname}")
        seen: set[str] = set()
        for raw in raw_fields:
            if not isinstance(raw, dict):
                raise _error(f"a field of {schema.fullname} is not an object: {raw!r}")
            name = _check_name(raw.get("name"), f"field name in {schema.fullname}")
            if name in seen:
                raise _error(f"Duplicate field {name} in record {schema.fullname}")
            seen.add(name)
            if "type" not in raw:
                raise _error(f"No field type: {schema.fullname}.{name}")
            field_type = self.parse(raw["type"], space)
            aliases = raw.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise _error(f"aliases of field {schema.fullname}.{name} must be strings")
            has_default = "default" in raw
            avro_field = AvroField(
                name=name,
                type=field_type,
                has_default=has_default,
                default=raw.get("default"),
                aliases=tuple(aliases),
            )
            schema.fields.append(avro_field)
            if has_default:
                self.pending_defaults.append((avro_field, f"{schema.fullname}.{name}"))


def _valid_default(schema: AvroSchema, value: object, depth: int = 0) -> bool:
    """Java ``Schema.isValidDefault`` (1.11), plus enum defaults among the symbols."""
    kind = schema.type
    if kind in ("string", "bytes", "fixed"):
        return isinstance(value, str)
    if kind == "enum":
        return isinstance(value, str) and value in schema.symbols
    if kind in ("int", "long"):
        low, high = (_INT_MIN, _INT_MAX) if kind == "int" else (_LONG_MIN, _LONG_MAX)
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind in ("float", "double"):
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and not (isinstance(value, float) and math.isinf(value))
        )
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        assert schema.items is not None
        return isinstance(value, list) and all(_valid_default(schema.items, v) for v in value)
    if kind == "map":
        assert schema.values is not None
        return isinstance(value, dict) and all(
            _valid_default(schema.values, v) for v in value.values()
        )
    if kind == "union":
        # Avro specification: a union's default corresponds to its FIRST branch.
        return _valid_default(schema.branches[0], value) if schema.branches else False
    # record: every field takes its value from the default object, or its own default
    if not isinstance(value, dict) or depth > 64:
        return False
    for f in schema.fields:
        if f.name in value:
            if not _valid_default(f.type, value[f.name], depth + 1):
                return False
        elif not f.has_default or not _valid_default(f.type, f.default, depth + 1):
            return False
    return True


#: Deepest JSON nesting (objects and arrays) of a definition: the Avro codec's bound, far
#: beyond real schemas and well inside Python's recursion limit for the parse and the check.
MAX_SCHEMA_NESTING: Final = 200


def _not_json_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def _nesting_exceeds(document: object, limit: int) -> bool:
    """Whether objects and arrays nest deeper than ``limit`` in ``document`` (iteratively)."""
    level: list[object] = [document]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return any(isinstance(item, dict | list) for item in level)


def _parse_text(definition: str) -> AvroSchema:
    try:
        document = json.loads(definition, parse_constant=_not_json_constant, parse_float=_finite)
    except RecursionError as exc:
        raise _error(
            f"nested deeper than {MAX_SCHEMA_NESTING} JSON levels (objects and arrays inside "
            "one another)"
        ) from exc
    except ValueError as exc:
        raise _error(f"not valid JSON: {exc}") from exc
    if _nesting_exceeds(document, MAX_SCHEMA_NESTING):
        raise _error(
            f"nested deeper than {MAX_SCHEMA_NESTING} JSON levels (objects and arrays inside "
            "one another)"
        )
    parser = _Parser()
    try:
        root = parser.parse(document, None)
        for avro_field, where in parser.pending_defaults:
            if not _valid_default(avro_field.type, avro_field.default):
                raise _error(
                    f"Invalid default for field {where}: {json.dumps(avro_field.default)} "
                    f"not a {_type_text(avro_field.type)}"
                    + (
                        " (a union default must match the union's first branch)"
                        if avro_field.type.type == "union"
                        else ""
                    )
                )
    except RecursionError as exc:
        raise _error("schema nested too deeply") from exc
    return root


def _type_text(schema: AvroSchema) -> str:
    if schema.type == "union":
        return "[" + ",".join(_type_text(b) for b in schema.branches) + "]"
    return schema.fullname if schema.named else schema.type


_CACHE: ParsedCache[str, AvroSchema] = ParsedCache(maxsize=256)


def parse_schema(definition: str) -> AvroSchema:
    """Parse an Avro definition with Glue's (Java ``Schema.Parser``) strictness.

    Parameters
    ----------
    definition
        The schema as JSON text.

    Returns
    -------
    AvroSchema
        The parsed root type (cached per definition text).

    Raises
    ------
    SchemaError
        If the text is not JSON or not a valid Avro schema under Java's rules.
    """
    if not isinstance(definition, str):
        raise _error(f"a definition must be a str, got {type(definition).__name__}")
    return _CACHE.get_or_build(definition, _parse_text)


def validate_definition(definition: str) -> None:
    """Raise :class:`SchemaError` if Glue would refuse ``definition``.

    Parameters
    ----------
    definition
        The schema as JSON text.

    Raises
    ------
    SchemaError
        If the definition does not parse under Java's rules.
    """
    parse_schema(definition)


# ---------------------------------------------------------------------------------------------
# Reader/writer check (Java SchemaCompatibility.ReaderWriterCompatibilityChecker)


@dataclass(frozen=True, slots=True)
class _Issue:
    kind: str
    path: tuple[str, ...]  # relative to the (reader, writer) pair that produced it
    detail: str


class _Checker:
    def __init__(self) -> None:
        # (id(reader), id(writer)) -> issues, or None while being computed (recursion).
        self.memo: dict[tuple[int, int], tuple[_Issue, ...] | None] = {}
        self.keep: list[AvroSchema] = []  # keeps ids stable for the memo's lifetime

    def check(self, reader: AvroSchema, writer: AvroSchema) -> tuple[_Issue, ...]:
        key = (id(reader), id(writer))
        if key in self.memo:
            # A pair already being checked is compatible until proven otherwise (Java).
            return self.memo[key] or ()
        self.memo[key] = None
        self.keep += (reader, writer)
        result = tuple(self.calculate(reader, writer))
        self.memo[key] = result
        return result

    def calculate(self, reader: AvroSchema, writer: AvroSchema) -> list[_Issue]:
        if reader.type == writer.type:
            kind = reader.type
            if kind in PRIMITIVES:
                return []
            if kind == "array":
                assert reader.items is not None and writer.items is not None
                return _prefix("[]", self.check(reader.items, writer.items))
            if kind == "map":
                assert reader.values is not None and writer.values is not None
                return _prefix("{}", self.check(reader.values, writer.values))
            if kind == "union":
                issues: list[_Issue] = []
                for writer_branch in writer.branches:
                    if self.check(reader, writer_branch):
                        issues.append(self.missing_branch(reader, writer_branch))
                return issues
            issues = self.check_names(reader, writer)
            if kind == "fixed" and reader.size != writer.size:
                issues.append(
                    _Issue(
                        "FIXED_SIZE_MISMATCH",
                        (),
                        f"fixed {reader.name} has size {reader.size} in the reader but "
                        f"{writer.size} in the writer; a fixed's size can never change",
                    )
                )
            elif kind == "enum":
                issues += _check_enum(reader, writer)
            elif kind == "record":
                issues += self.check_fields(reader, writer)
            return issues
        if writer.type == "union":
            issues = []
            for writer_branch in writer.branches:
                issues += self.check(reader, writer_branch)
            return issues
        if reader.type == "union":
            for reader_branch in reader.branches:
                if not self.check(reader_branch, writer):
                    return []
            return [self.missing_branch(reader, writer)]
        if reader.type in _PROMOTIONS.get(writer.type, ()):
            return []
        return [
            _Issue(
                "TYPE_MISMATCH",
                (),
                f"reader type {_type_text(reader)} cannot read writer type {_type_text(writer)}",
            )
        ]

    def missing_branch(self, reader_union: AvroSchema, writer: AvroSchema) -> _Issue:
        detail = (
            f"the reader union {_type_text(reader_union)} has no branch for {_type_text(writer)}"
        )
        # Say why the closest branch (same kind and name) does not fit, when there is one.
        for branch in reader_union.branches:
            if branch.type == writer.type and branch.name == writer.name:
                inner = self.check(branch, writer)
                if inner:
                    first = inner[0]
                    where = ".".join(first.path)
                    detail += (
                        f" ({branch.describe()}{'.' + where if where else ''}: {first.detail})"
                    )
                break
        return _Issue("MISSING_UNION_BRANCH", (), detail)

    def check_names(self, reader: AvroSchema, writer: AvroSchema) -> list[_Issue]:
        # Java schemaNameEquals: unqualified names equal, or a reader alias equals the
        # writer's FULL name (aliases are already resolved against the namespace at parse).
        if reader.name == writer.name or writer.fullname in reader.aliases:
            return []
        return [
            _Issue(
                "NAME_MISMATCH",
                (),
                f"{reader.type} {reader.fullname} cannot read {writer.type} {writer.fullname}: "
                f'the names differ; keep the name or add "aliases": ["{writer.fullname}"] '
                "to the reader's type",
            )
        ]

    def check_fields(self, reader: AvroSchema, writer: AvroSchema) -> list[_Issue]:
        issues: list[_Issue] = []
        writer_fields = {f.name: f for f in writer.fields}
        for reader_field in reader.fields:
            matches = [
                writer_fields[n]
                for n in (reader_field.name, *reader_field.aliases)
                if n in writer_fields
            ]
            if len(matches) > 1:
                names = ", ".join(m.name for m in matches)
                issues.append(
                    _Issue(
                        "AMBIGUOUS_FIELD_ALIAS",
                        (reader_field.name,),
                        f"reader field {reader_field.name} matches several writer fields "
                        f"({names}) through its name and aliases",
                    )
                )
            elif matches:
                issues += _prefix(reader_field.name, self.check(reader_field.type, matches[0].type))
            elif not reader_field.has_default:
                if reader_field.type.type == "enum" and reader_field.type.enum_default is not None:
                    # Java compares the enum with the writer record here (always a mismatch).
                    issues += _prefix(reader_field.name, self.check(reader_field.type, writer))
                else:
                    issues.append(
                        _Issue(
                            "READER_FIELD_MISSING_DEFAULT_VALUE",
                            (reader_field.name,),
                            reader_field.name,
                        )
                    )
        return issues


def _check_enum(reader: AvroSchema, writer: AvroSchema) -> list[_Issue]:
    missing = [s for s in writer.symbols if s not in reader.symbols]
    if not missing or reader.enum_default is not None:
        return []
    return [
        _Issue(
            "MISSING_ENUM_SYMBOLS",
            (),
            f"enum {reader.name} lacks symbol(s) {', '.join(missing)} that the writer may "
            f'write; keep them, or give the enum a "default" symbol',
        )
    ]


def _prefix(segment: str, issues: tuple[_Issue, ...]) -> list[_Issue]:
    return [_Issue(i.kind, (segment, *i.path), i.detail) for i in issues]


def _join(root: str, path: tuple[str, ...]) -> str:
    out = root
    for segment in path:
        out += segment if segment in ("[]", "{}") else (f".{segment}" if out else segment)
    return out


def _message(issue: _Issue, path: str, direction: Direction) -> str:
    if issue.kind == "READER_FIELD_MISSING_DEFAULT_VALUE":
        name = issue.detail
        if direction == "backward":
            return (
                f"field {name} was added without a default, so the new schema cannot read "
                f'data written with the previous version; add "default": null and make it '
                f'nullable ("type": ["null", ...]), or coordinate a FULL-compatible rollout'
            )
        return (
            f"field {name} was removed, but the previous version declares it without a default, "
            "so consumers still on the previous version cannot read new data; keep the field, "
            "or first register a version that gives it a default"
        )
    side = (
        "new schema reading data of the previous version"
        if direction == "backward"
        else ("previous version reading data of the new schema")
    )
    return f"{issue.detail} (the {side}, at {path or '<root>'})"


def find_problems(
    old_definition: str, new_definition: str, direction: Direction
) -> tuple[list[CompatibilityProblem], list[str]]:
    """Return every problem of one direction between two Avro definitions, and notes.

    Parameters
    ----------
    old_definition
        The earlier version.
    new_definition
        The candidate version.
    direction
        ``"backward"``: can the new schema read old data (reader = new, writer = old);
        ``"forward"``: can the old schema read new data (reader = old, writer = new).

    Returns
    -------
    tuple of (list of CompatibilityProblem, list of str)
        The problems (empty when compatible; ``version_number`` left unset) and notes.

    Raises
    ------
    SchemaError
        If either definition does not parse.
    """
    old, new = parse_schema(old_definition), parse_schema(new_definition)
    reader, writer = (new, old) if direction == "backward" else (old, new)
    root = reader.name if reader.named else ""
    problems: list[CompatibilityProblem] = []
    seen: set[tuple[str, str, str]] = set()
    for issue in _Checker().check(reader, writer):
        path = _join(root, issue.path)
        if (issue.kind, path, issue.detail) in seen:
            continue
        seen.add((issue.kind, path, issue.detail))
        problems.append(
            CompatibilityProblem(
                kind=issue.kind,
                path=path,
                direction=direction,
                message=_message(issue, path, direction),
            )
        )
    return problems, []
