"""The walker that explains a refusal: every violation of a datum, with its location.

The generated encoder of :mod:`~glue_serde.codecs.avro._encode` checks each value as it
writes it; only when it refuses a value (or something raises while it writes) does
:class:`Walker` walk the datum and list every violation with its location. Both apply the rules
of :mod:`~glue_serde.codecs.avro._rules` and check a union value against the branch fastavro's
writer picks (:mod:`~glue_serde.codecs.avro._union`). The walker also checks the defaults of a
schema when it is prepared.

Imports the package's base modules and the Avro package's rules and union modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro._rules import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    default_rule,
    float_problem,
    is_integral,
    logical_rule,
    type_name,
)
from glue_serde.codecs.avro._union import select_branch
from glue_serde.errors import ErrorDetail

if TYPE_CHECKING:
    from glue_serde.codecs.avro._schema import Schema

__all__ = ["Walker"]

_MISSING: Final = object()
# A part of the schema that would be emitted this many blocks deep becomes its own function.
_OUTLINE_AT: Final = 8
_BLOCKS: Final = frozenset(("array", "map"))


def _utf8_problem(text: str) -> bool:
    """Whether ``text`` cannot be written as UTF-8 (a lone surrogate)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class Walker:
    """Find every violation of a datum, with its location (the slow path after a refusal)."""

    def __init__(self, schema: Schema, max_depth: int, *, logical: bool = True) -> None:
        self.schema = schema
        self.max_depth = max_depth
        self.logical = logical

    def default_errors(self) -> tuple[ErrorDetail, ...]:
        """Return the violations of the schema's field defaults (in their writer form).

        A default is written whenever its field is left out, so it must fit its type and read
        back: a logical type's default is in its underlying type's form (an ``int`` for a
        ``date``) and must be one readers turn into a value (see
        :func:`~glue_serde.codecs.avro._rules.default_rule`). Locations start with the
        record's full name.
        """
        found: list[ErrorDetail] = []
        checker = Walker(self.schema, self.max_depth, logical=False)
        for name, definition in self.schema.named.items():
            if definition.get("type") not in ("record", "error"):
                continue
            for field in definition["fields"]:
                if "default" in field:
                    loc = (name, field["name"])
                    checker.walk(
                        field["default"], field["type"], loc, found, in_union=False, depth=0
                    )
        return tuple(found)

    def errors(self, value: object) -> tuple[ErrorDetail, ...]:
        """Return every violation in ``value`` (empty when it fits the schema)."""
        found: list[ErrorDetail] = []
        try:
            self.walk(value, self.schema.parsed, (), found, in_union=False, depth=0)
        except RecursionError:
            found.append(
                ErrorDetail(
                    type="recursion_depth",
                    loc=(),
                    msg="Datum is nested too deeply to validate",
                    input=None,
                )
            )
        return tuple(found)

    def walk(
        self,
        value: object,
        schema: Any,
        loc: tuple[str | int, ...],
        out: list[ErrorDetail],
        *,
        in_union: bool,
        depth: int,
    ) -> None:
        schema = self.schema.resolve(schema)

        def err(code: str, msg: str) -> None:
            out.append(ErrorDetail(type=code, loc=loc, msg=msg, input=value))

        if isinstance(schema, list):
            self._union(value, schema, loc, out, depth)
            return
        if isinstance(schema, str):
            kind, logical = schema, None
        else:
            kind = schema["type"]
            logical = logical_rule(schema) if self.logical else default_rule(schema)
        if logical is not None:
            problem = logical(value)
            if problem is not None:
                err(*problem)
            return
        if kind in ("array", "map", "record", "error") and depth >= self.max_depth:
            err("too_deep", f"Records, arrays and maps nest deeper than max_depth={self.max_depth}")
            return
        if kind == "null":
            if value is not None:
                err("none_required", "Input should be None")
        elif kind == "boolean":
            if not isinstance(value, bool):
                err("bool_type", "Input should be a valid boolean")
        elif kind in ("int", "long"):
            if not is_integral(value):
                err("int_type", "Input should be a valid integer (not bool, not float)")
            else:
                low, high = (INT_MIN, INT_MAX) if kind == "int" else (LONG_MIN, LONG_MAX)
                if not low <= value <= high:  # type: ignore[operator]
                    bits = 32 if kind == "int" else 64
                    err("int_range", f"Input should fit a {bits}-bit signed integer")
        elif kind in ("float", "double"):
            problem = float_problem(value, kind == "float")
            if problem is not None:
                err(*problem)
        elif kind == "string":
            if not isinstance(value, str):
                err("string_type", "Input should be a valid string")
            elif _utf8_problem(value):
                err("string_unicode", "String holds a lone surrogate, which UTF-8 cannot encode")
        elif kind == "bytes":
            if not isinstance(value, (bytes, bytearray)):
                err("bytes_type", "Input should be bytes or bytearray")
        elif kind == "fixed":
            allowed: tuple[type, ...] = (bytes,) if in_union else (bytes, bytearray)
            if not isinstance(value, allowed):
                err("bytes_type", "Input should be bytes" + ("" if in_union else " or bytearray"))
            elif len(value) != schema["size"]:  # type: ignore[arg-type]
                err("fixed_size", f"Input should be exactly {schema['size']} bytes")
        elif kind == "enum":
            if not isinstance(value, str) or value not in schema["symbols"]:
                symbols = ", ".join(schema["symbols"])
                err("enum_symbol", f"Input should be one of: {symbols}")
        elif kind == "array":
            allowed = (list,) if in_union else (list, tuple)
            if not isinstance(value, allowed):
                err("array_type", "Input should be a list" + ("" if in_union else " or tuple"))
                return
            for index, item in enumerate(value):
                self.walk(
                    item, schema["items"], (*loc, index), out, in_union=False, depth=depth + 1
                )
        elif kind == "map":
            if not isinstance(value, Mapping):
                err("map_type", "Input should be a mapping")
                return
            for key, item in value.items():
                if not isinstance(key, str) or _utf8_problem(key):
                    out.append(
                        ErrorDetail(
                            type="map_key_type",
                            loc=(*loc, repr(key)),
                            msg="Map keys should be strings UTF-8 can encode",
                            input=key,
                        )
                    )
                    continue
                self.walk(item, schema["values"], (*loc, key), out, in_union=False, depth=depth + 1)
        elif kind in ("record", "error"):
            self._record(value, schema, loc, out, depth + 1)
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            err("schema_type", f"Unsupported Avro type {kind!r}")

    def _record(
        self,
        value: object,
        schema: Mapping[str, Any],
        loc: tuple[str | int, ...],
        out: list[ErrorDetail],
        depth: int,
    ) -> None:
        if not isinstance(value, Mapping):
            out.append(
                ErrorDetail(
                    type="record_type",
                    loc=loc,
                    msg=f"Input should be a mapping for record {schema['name']}",
                    input=value,
                )
            )
            return
        names = set()
        for field in schema["fields"]:
            name = field["name"]
            names.add(name)
            if name in value:
                self.walk(
                    value[name], field["type"], (*loc, name), out, in_union=False, depth=depth
                )
            elif "default" not in field:
                out.append(
                    ErrorDetail(type="missing", loc=(*loc, name), msg="Field required", input=value)
                )
        for key in value:
            if key not in names:
                out.append(
                    ErrorDetail(
                        type="extra_forbidden",
                        loc=(*loc, key if isinstance(key, str) else repr(key)),
                        msg="Extra inputs are not permitted",
                        input=value[key],
                    )
                )

    def _union(
        self,
        value: object,
        branches: list[Any],
        loc: tuple[str | int, ...],
        out: list[ErrorDetail],
        depth: int,
    ) -> None:
        index = select_branch(self.schema, value, branches, self.max_depth - depth)
        nullable = len(branches) == 2 and "null" in branches
        if index < 0 and nullable and value is not None and not isinstance(value, tuple):
            # A nullable field: the other branch's own error says more than "no match".
            index = 1 - branches.index("null")
        if index < 0:
            names = ", ".join(type_name(b) for b in branches)
            msg = f"Input matches no branch of the union [{names}]"
            if isinstance(value, tuple):
                msg += " (tuple notation is not supported; arrays in unions must be lists)"
            out.append(ErrorDetail(type="union_no_match", loc=loc, msg=msg, input=value))
            return
        self.walk(value, branches[index], loc, out, in_union=True, depth=depth)
