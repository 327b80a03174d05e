"""Avro schemas in: loading user input, parsing with fastavro, interning, named types.

A definition arrives as JSON text, a plain type name (``"string"``) or parsed JSON (a dict or a
list). :func:`load` turns it into parsed JSON, :func:`parse` checks what fastavro lets through
and parses it, and :class:`Schema` is the parsed writer schema every other module works on:
fastavro's parsed form plus its named types, resolved by :meth:`Schema.resolve`.

Imports fastavro's public API, the package's base modules and the Avro package's fastavro
boundary.
"""

from __future__ import annotations

import collections
import json
import math
import re
import sys
from typing import Any, Final

import fastavro

from glue_serde.codecs.avro import _fastavro
from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError

__all__ = [
    "NAMED",
    "PRIMITIVES",
    "TYPE_NAMES",
    "Schema",
    "MAX_SCHEMA_NESTING",
    "build_schema",
    "check_structure",
    "default_datum",
    "writer_form",
    "interned",
    "load",
    "parse",
]

PRIMITIVES: Final = frozenset(
    ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
)
NAMED: Final = frozenset(("record", "error", "enum", "fixed"))
# Avro Java ``Schema.Type`` names: a named type sharing one is always written fully qualified.
TYPE_NAMES: Final = frozenset((*PRIMITIVES, "record", "enum", "array", "map", "union", "fixed"))
#: Deepest JSON nesting (objects and arrays) accepted in a schema: 66 nested records or 200
#: nested arrays, far beyond real schemas, and well inside Python's recursion limit for every
#: walk of a schema (each level costs one to three frames).
MAX_SCHEMA_NESTING: Final = 200
_NAME_RE: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_LEAVE: Final = object()


def load(schema: object) -> object:
    """Turn user input (JSON text, a plain type name, or parsed JSON) into parsed JSON."""
    if isinstance(schema, (dict, list)):
        return schema
    if isinstance(schema, (bytes, bytearray)):
        try:
            schema = bytes(schema).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemaError(
                f"Avro schema is not UTF-8: {exc}", data_format=DataFormat.AVRO
            ) from exc
    if not isinstance(schema, str):
        raise SchemaError(
            f"an Avro schema is JSON text, a dict or a list, not {type(schema).__name__}",
            data_format=DataFormat.AVRO,
        )
    text = schema.strip()
    if _NAME_RE.match(text):
        return text
    try:
        loaded: object = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise SchemaError(
            f"Avro schema is not valid JSON: {exc}", data_format=DataFormat.AVRO
        ) from exc
    return loaded


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def check_structure(node: object) -> None:
    """Refuse parsed JSON that fastavro would take but must not, before fastavro sees it.

    - A record without a ``fields`` list, as Java's ``Schema.Parser`` does (fastavro quietly
      reads a missing ``fields`` as an empty list).
    - NaN or an infinity anywhere (a default, a property): not JSON, so Java and the registry's
      other readers cannot parse the text (Python's ``json`` accepts them). A *quoted*
      ``"NaN"`` default of a ``float``/``double`` field is JSON, and Java reads it as NaN.
    - Nesting deeper than :data:`MAX_SCHEMA_NESTING` JSON levels: fastavro's parser recurses
      in C without a limit (a dict built in Python can crash the process), and every walker
      of a schema recurses.
    - A schema object that contains itself (only possible when built in Python), which would
      be walked forever; one object used in two places is fine.
    """
    # Depth-first, iteratively: _LEAVE marks leaving the container below it on the stack.
    stack: list[object] = [node]
    path: set[int] = set()
    while stack:
        item = stack.pop()
        if item is _LEAVE:
            path.discard(id(stack.pop()))
            continue
        if isinstance(item, float) and not math.isfinite(item):
            raise SchemaError(
                f"invalid Avro schema: {item!r} is not a JSON number", data_format=DataFormat.AVRO
            )
        if not isinstance(item, (list, dict)):
            continue
        if id(item) in path:
            raise SchemaError(
                "invalid Avro schema: it contains itself", data_format=DataFormat.AVRO
            )
        if len(path) >= MAX_SCHEMA_NESTING:
            raise SchemaError(
                f"invalid Avro schema: nested deeper than {MAX_SCHEMA_NESTING} JSON levels",
                data_format=DataFormat.AVRO,
            )
        if (
            isinstance(item, dict)
            and item.get("type") in ("record", "error")
            and not isinstance(item.get("fields"), list)
        ):
            raise SchemaError(
                f"invalid Avro schema: record {item.get('name')!r} has no fields list",
                data_format=DataFormat.AVRO,
            )
        path.add(id(item))
        stack += (item, _LEAVE)
        stack.extend(item if isinstance(item, list) else item.values())


def interned(node: object) -> object:
    """Copy parsed JSON with every key and string value interned (defaults left as they are).

    fastavro dispatches on the type name per value (``record_type == "string"`` and so on, in
    compiled code that first compares identity). Schema text parsed by ``json`` yields fresh
    strings that fail the identity test and fall back to comparing characters: interning them
    makes encoding a medium record about 6% cheaper, and decoding about 4%.
    """
    if isinstance(node, str):
        return sys.intern(node)
    if isinstance(node, list):
        return [interned(item) for item in node]
    if isinstance(node, dict):
        return {
            (sys.intern(key) if isinstance(key, str) else key): (
                value if key == "default" else interned(value)
            )
            for key, value in node.items()
        }
    return node


def parse(loaded: object) -> tuple[Any, dict[str, Any]]:
    """Parse with fastavro; return the parsed schema and its named types."""
    check_structure(loaded)
    named: dict[str, Any] = {}
    try:
        parsed = fastavro.parse_schema(interned(loaded), named_schemas=named)  # type: ignore[arg-type]
    except Exception as exc:  # fastavro raises many types (SchemaParseException, KeyError, ...)
        raise SchemaError(
            f"invalid Avro schema: {type(exc).__name__}: {exc}", data_format=DataFormat.AVRO
        ) from exc
    problem = _java_refuses(parsed, named)
    if problem is not None:
        raise SchemaError(f"invalid Avro schema: {problem}", data_format=DataFormat.AVRO)
    return parsed, named


def _java_refuses(parsed: Any, named: dict[str, Any]) -> str | None:
    """Return what Java's parser refuses and fastavro lets through, if anything.

    A union inside a union, two branches of one type (``["int", "int"]``, an ``int`` and a
    ``date``), a ``fixed`` size that is not an integer from 0 to 2**31 - 1 (fastavro takes
    -1 or 1.5, which no payload can honour), a field name that is not a string or is used
    twice in one record.
    """
    stack: list[Any] = [parsed, *named.values()]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            keys = []
            for branch in node:
                if isinstance(branch, list):
                    return "a union may not contain a union"
                if isinstance(branch, str):
                    keys.append(branch)
                elif branch.get("type") in NAMED:
                    keys.append(str(branch.get("name")))
                else:
                    keys.append(str(branch.get("type")))
            duplicates = sorted(key for key, n in collections.Counter(keys).items() if n > 1)
            if duplicates:
                return f"a union holds {', '.join(duplicates)} more than once"
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("type")
            if kind == "fixed":
                size = node.get("size")
                if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < 2**31:
                    name = node.get("name")
                    return f"fixed {name!r} has size {size!r}, not an int from 0 to 2**31-1"
            elif kind == "array":
                stack.append(node.get("items"))
            elif kind == "map":
                stack.append(node.get("values"))
            elif kind in ("record", "error"):
                problem = _field_names_problem(node)
                if problem is not None:
                    return problem
                stack.extend(field.get("type") for field in node.get("fields", ()))
    return None


def _field_names_problem(record: dict[str, Any]) -> str | None:
    """Return a field name that is not a string or is used twice (fastavro takes both).

    Records are dicts keyed by field name: ``{"name": 5}`` or two fields ``a`` would lose or
    mix up values.
    """
    seen: set[str] = set()
    for field in record.get("fields", ()):
        name = field.get("name")
        if not isinstance(name, str):
            return f"record {record.get('name')!r} has a field name {name!r} that is not a string"
        if name in seen:
            return f"record {record.get('name')!r} has two fields named {name!r}"
        seen.add(name)
    return None


class Schema:
    """A parsed schema: fastavro's parsed form and its named types by full name."""

    __slots__ = ("named", "parsed")

    def __init__(self, parsed: Any, named: dict[str, Any]) -> None:
        self.parsed = parsed
        self.named = named

    def resolve(self, schema: Any) -> Any:
        """Follow named-type references until a definition (or an unnamed type) is reached."""
        while isinstance(schema, str) and schema in self.named:
            schema = self.named[schema]
        return schema


def writer_form(schema: Schema) -> Schema:
    """Return the form of ``schema`` handed to fastavro's writer.

    The same object unless the schema has a ``fixed`` decimal (written by glue_serde's
    corrected writer, see :mod:`~glue_serde.codecs.avro._fastavro`) or a default whose JSON
    form is not the Python value fastavro writes (``bytes``/``fixed`` defaults are JSON
    strings of code points 0-255; a ``float``/``double`` default may be ``"NaN"`` or an
    integer, also inside unions, records, arrays and maps). Only the parts that change are
    copied; the given schema is never modified.
    """
    parsed, named = _WriterForm(schema.named).build(schema.parsed)
    if parsed is schema.parsed:
        return schema
    return Schema(parsed, named)


class _WriterForm:
    """Copy a parsed schema for fastavro's writer (only the parts that change are copied)."""

    def __init__(self, named: dict[str, Any]) -> None:
        self.named = named
        self.done: dict[int, Any] = {}  # id of an original dict/list -> its writer form

    def build(self, parsed: Any) -> tuple[Any, dict[str, Any]]:
        out = self.node(parsed)
        if out is parsed:
            return parsed, self.named
        named = {name: self.node(schema) for name, schema in self.named.items()}
        if isinstance(out, dict) and "__named_schemas" in out:
            out["__named_schemas"] = named
        return out, named

    def node(self, node: Any) -> Any:
        if not isinstance(node, (dict, list)):
            return node
        key = id(node)
        if key in self.done:
            return self.done[key]
        self.done[key] = node  # a recursive reference seen again keeps the original
        if isinstance(node, list):
            branches = [self.node(branch) for branch in node]
            changed = any(a is not b for a, b in zip(branches, node, strict=True))
            out: Any = branches if changed else node
        else:
            out = self.schema(node)
        self.done[key] = out
        return out

    def schema(self, node: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        kind = node.get("type")
        if kind == "fixed" and node.get("logicalType") == "decimal":
            if _fastavro.FIXED_DECIMAL_LOGICAL_TYPE != "decimal":
                changes["logicalType"] = _fastavro.FIXED_DECIMAL_LOGICAL_TYPE
        elif kind in ("array", "map"):
            key = "items" if kind == "array" else "values"
            inner = self.node(node[key])
            if inner is not node[key]:
                changes[key] = inner
        elif kind in ("record", "error"):
            fields = [self.field(field) for field in node["fields"]]
            if any(a is not b for a, b in zip(fields, node["fields"], strict=True)):
                changes["fields"] = fields
        return {**node, **changes} if changes else node

    def field(self, field: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        kind = self.node(field["type"])
        if kind is not field["type"]:
            changes["type"] = kind
        if "default" in field:
            default = _default_datum(field["type"], field["default"], self.named, 0)
            if default is not field["default"]:
                changes["default"] = default
        return {**field, **changes} if changes else field


def default_datum(node: Any, value: Any, named: dict[str, Any]) -> Any:
    """Turn a field default's JSON form into the Python value fastavro's writer takes."""
    return _default_datum(node, value, named, 0)


def _default_datum(node: Any, value: Any, named: dict[str, Any], depth: int) -> Any:
    """Turn a default's JSON form into the Python value fastavro's writer takes.

    Returns ``value`` itself when nothing changes. Unconvertible values are returned as they
    are (fastavro validated defaults when it parsed the schema).
    """
    if depth > MAX_SCHEMA_NESTING:
        return value
    while isinstance(node, str) and node in named:
        node = named[node]
    if isinstance(node, list):  # a union's default belongs to its first branch
        return _default_datum(node[0], value, named, depth + 1) if node else value
    kind = node.get("type") if isinstance(node, dict) else node
    if kind in ("bytes", "fixed") and isinstance(value, str):
        try:
            return value.encode("latin-1")  # JSON strings of code points 0-255
        except UnicodeEncodeError:
            return value
    if kind in ("float", "double") and isinstance(value, (str, int)) and value is not True:
        try:
            return float(value) if value is not False else value
        except ValueError:
            return value
    if kind in ("record", "error") and isinstance(value, dict) and isinstance(node, dict):
        out = dict(value)
        for field in node["fields"]:
            name = field["name"]
            if name in out:
                out[name] = _default_datum(field["type"], out[name], named, depth + 1)
        return out if any(out[k] is not value[k] for k in value) else value
    if kind == "array" and isinstance(value, list) and isinstance(node, dict):
        items = [_default_datum(node["items"], item, named, depth + 1) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if kind == "map" and isinstance(value, dict) and isinstance(node, dict):
        values = {k: _default_datum(node["values"], v, named, depth + 1) for k, v in value.items()}
        return values if any(values[k] is not value[k] for k in value) else value
    return value


def build_schema(schema_definition: object) -> Schema:
    """Load and parse a definition (text or parsed JSON) into a :class:`Schema`."""
    parsed, named = parse(load(schema_definition))
    return Schema(parsed, named)
