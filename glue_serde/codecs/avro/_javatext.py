"""The Java schema-text writer: the compact text Avro Java's ``Schema.toString()`` sends.

The Java serializer registers and looks up ``schema.toString()``, so sending the same text finds
the versions Java producers registered. :func:`java_schema_text` renders parsed JSON the way
``Schema.toJson`` does; :meth:`~glue_serde.codecs.avro.AvroCodec.canonical_definition`
documents the rules it follows.

Imports the package's base modules and :mod:`glue_serde.codecs.avro._schema` only.
"""

from __future__ import annotations

import contextlib
import decimal
import json
import math
from typing import Any, Final

from glue_serde.codecs.avro._schema import NAMED, PRIMITIVES, TYPE_NAMES
from glue_serde.enums import DataFormat
from glue_serde.errors import SchemaError

__all__ = ["java_schema_text"]

# Avro Java ``SCHEMA_RESERVED`` / ``ENUM_RESERVED`` / ``FIELD_RESERVED``: every other key is a
# property, written after the standard attributes in input order.
_SCHEMA_RESERVED: Final = frozenset(
    ("doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases")
)
_ENUM_RESERVED: Final = _SCHEMA_RESERVED | {"default"}
_FIELD_RESERVED: Final = frozenset(("default", "doc", "name", "order", "type", "aliases"))


def java_schema_text(loaded: object) -> str:
    """Return the text Java's ``Schema.toString()`` writes for parsed JSON (already validated).

    Raises
    ------
    SchemaError
        If a part of the schema cannot be rendered (an unknown reference, a non-JSON value).
    """
    return _JavaSchemaWriter().schema(loaded, None)


def _java_double(value: float) -> str:
    """Format a double as Jackson writes it (Java ``Double.toString``)."""
    if math.isnan(value):
        return '"NaN"'
    if math.isinf(value):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    tup = decimal.Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, tup.digits)).rstrip("0") or "0"
    assert isinstance(tup.exponent, int)
    # Position of the decimal point relative to the first digit: value = 0.d1d2... * 10**point.
    point = len(tup.digits) + tup.exponent
    if 1e-3 <= abs(value) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    frac = digits[1:] or "0"
    return f"{sign}{digits[0]}.{frac}E{point - 1}"


def _json_value(value: object) -> str:
    """Write a JSON value (a default or a property) as Jackson would."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_json_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{_json_value(str(k))}:{_json_value(v)}" for k, v in value.items())
            + "}"
        )
    raise SchemaError(f"not a JSON value: {value!r}", data_format=DataFormat.AVRO)


def _split_name(name: str, space: str | None) -> tuple[str, str | None]:
    """Java ``Schema.Name``: a dotted name carries its namespace; ``""`` means none."""
    if "." in name:
        space, _, name = name.rpartition(".")
    return name, (space or None)


def _full(name: str, space: str | None) -> str:
    return name if space is None else f"{space}.{name}"


def _qualified(name: str, space: str | None, current: str | None) -> str:
    """Java ``Name.getQualified``: short only inside the same namespace and not a type name."""
    if space is not None and space == current and name not in TYPE_NAMES:
        return name
    return _full(name, space)


class _JavaSchemaWriter:
    """Render parsed JSON as Avro Java's ``Schema.toString()`` does (``Schema.toJson``)."""

    def __init__(self) -> None:
        self.known: set[str] = set()

    def schema(self, node: object, space: str | None) -> str:
        if isinstance(node, str):
            return self._ref(node, space)
        if isinstance(node, list):
            return "[" + ",".join(self.schema(branch, space) for branch in node) + "]"
        if not isinstance(node, dict):
            raise SchemaError(f"not an Avro schema: {node!r}", data_format=DataFormat.AVRO)
        kind = node.get("type")
        if isinstance(kind, (dict, list)):
            return self.schema(kind, space)
        if not isinstance(kind, str):
            raise SchemaError(f"schema without a type: {node!r}", data_format=DataFormat.AVRO)
        if kind in PRIMITIVES:
            props = self._props(node, _SCHEMA_RESERVED)
            return f'{{"type":"{kind}"{props}}}' if props else f'"{kind}"'
        if kind == "array":
            items = self.schema(node["items"], space)
            return f'{{"type":"array","items":{items}{self._props(node, _SCHEMA_RESERVED)}}}'
        if kind == "map":
            values = self.schema(node["values"], space)
            return f'{{"type":"map","values":{values}{self._props(node, _SCHEMA_RESERVED)}}}'
        if kind in NAMED:
            return self._named(node, kind, space)
        # ``{"type": "Name"}``: a reference in object form; Java returns the named schema.
        return self._ref(kind, space)

    def _ref(self, ref: str, space: str | None) -> str:
        if ref in PRIMITIVES:
            return f'"{ref}"'
        name, ref_space = _split_name(ref, space)
        full = _full(name, ref_space)
        if full not in self.known and "." not in ref and name in self.known:
            # Java ``Names.get``: an unqualified name falls back to the null namespace.
            full, ref_space = name, None
        if full not in self.known:
            raise SchemaError(f"unknown Avro type: {ref}", data_format=DataFormat.AVRO)
        return json.dumps(_qualified(name, ref_space, space), ensure_ascii=False)

    def _named(self, node: dict[str, Any], kind: str, current: str | None) -> str:
        raw_space = node.get("namespace")
        space_in = raw_space if isinstance(raw_space, str) else current
        name, space = _split_name(str(node["name"]), space_in)
        full = _full(name, space)
        if full in self.known:  # Java ``writeNameRef``: only the first occurrence is a definition
            return json.dumps(_qualified(name, space, current), ensure_ascii=False)
        self.known.add(full)
        out = [f'"type":"{kind}"', f'"name":{json.dumps(name, ensure_ascii=False)}']
        if space is not None:
            if space != current:
                out.append(f'"namespace":{json.dumps(space, ensure_ascii=False)}')
        elif current is not None:  # null namespace inside a non-null one
            out.append('"namespace":""')
        doc = node.get("doc")
        if isinstance(doc, str):
            out.append(f'"doc":{json.dumps(doc, ensure_ascii=False)}')
        reserved = _SCHEMA_RESERVED
        if kind in ("record", "error"):
            out.append('"fields":[' + ",".join(self._field(f, space) for f in node["fields"]) + "]")
        elif kind == "enum":
            reserved = _ENUM_RESERVED
            out.append('"symbols":' + _json_value(list(node["symbols"])))
            default = node.get("default")
            if isinstance(default, str):
                out.append(f'"default":{json.dumps(default, ensure_ascii=False)}')
        else:
            out.append(f'"size":{int(node["size"])}')
        props = self._props(node, reserved)
        aliases = self._aliases(node.get("aliases"), space)
        return "{" + ",".join(out) + props + aliases + "}"

    def _field(self, field: dict[str, Any], space: str | None) -> str:
        out = [
            f'"name":{json.dumps(field["name"], ensure_ascii=False)}',
            f'"type":{self.schema(field["type"], space)}',
        ]
        doc = field.get("doc")
        if isinstance(doc, str):
            out.append(f'"doc":{json.dumps(doc, ensure_ascii=False)}')
        if "default" in field:
            default = field["default"]
            if isinstance(default, str) and _base_kind(field["type"]) in ("float", "double"):
                # Java ``Schema.parse`` turns a textual float default ("NaN", "1.5") into a double.
                with contextlib.suppress(ValueError):
                    default = float(default)
            out.append(f'"default":{_json_value(default)}')
        order = field.get("order")
        if isinstance(order, str) and order.lower() != "ascending":
            out.append(f'"order":"{order.lower()}"')
        aliases = field.get("aliases")
        if isinstance(aliases, list) and aliases:
            unique = list(dict.fromkeys(a for a in aliases if isinstance(a, str)))
            out.append('"aliases":' + _json_value(unique))
        props = self._props(field, _FIELD_RESERVED)
        return "{" + ",".join(out) + props + "}"

    @staticmethod
    def _props(node: dict[str, Any], reserved: frozenset[str]) -> str:
        return "".join(
            f",{_json_value(str(k))}:{_json_value(v)}" for k, v in node.items() if k not in reserved
        )

    @staticmethod
    def _aliases(aliases: object, space: str | None) -> str:
        if not isinstance(aliases, list) or not aliases:
            return ""
        names: dict[str, str] = {}
        for alias in aliases:
            if isinstance(alias, str):
                name, alias_space = _split_name(alias, space)
                names.setdefault(_full(name, alias_space), _qualified(name, alias_space, space))
        return ',"aliases":' + _json_value(list(names.values()))


def _base_kind(node: object) -> object:
    if isinstance(node, dict):
        return _base_kind(node.get("type"))
    return node
