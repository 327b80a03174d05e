"""Value checking: the compiled boolean checker, and the walker that explains a refusal.

Per schema, once, :class:`CheckerCompiler` generates a boolean function (Python source, built
with the shared scaffold) that runs on every datum; only when it answers "invalid" (or
fastavro's writer then fails) does :class:`Walker` walk the datum and list every violation with
its location. Both apply the rules of :mod:`~glue_serde.codecs.avro._rules` and check a union
value against the branch fastavro's writer picks (:mod:`~glue_serde.codecs.avro._union`).

Depth: when the schema is recursive or nested deeper than ``max_depth``, the generated
functions take the depth of the enclosing value and refuse a record, array or map beyond
``max_depth``; otherwise the schema itself bounds the depth and nothing is counted. Parts of the
schema nested deeper than a few blocks are generated as functions of their own, so the source
compiles for any schema (CPython allows 20 nested blocks).

Imports the package's base modules and the Avro package's scaffold, rules, union and bounds
modules.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro._codegen import Function, Program
from glue_serde.codecs.avro._rules import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    float32_ok,
    float_ok,
    float_problem,
    is_integral,
    logical_fast_path,
    logical_rule,
    type_name,
)
from glue_serde.codecs.avro._union import select_branch
from glue_serde.enums import DataFormat
from glue_serde.errors import ErrorDetail, SchemaError

if TYPE_CHECKING:
    from glue_serde.codecs.avro._bounds import Bounds
    from glue_serde.codecs.avro._schema import Schema

__all__ = ["CheckerCompiler", "Walker"]

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

        A default is written whenever its field is left out, so it must fit its type; logical
        types are checked on their underlying type (defaults are written in that form, as an
        ``int`` for a ``date``). Locations start with the record's full name.
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
            logical = logical_rule(schema) if self.logical else None
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


class CheckerCompiler:
    """Generate ``check(value) -> bool`` for a schema; the walker explains a ``False``.

    Parameters
    ----------
    schema
        The writer form of the schema (what fastavro's writer is given).
    bounds
        Its bounds; with ``max_depth`` they decide whether the depth is counted.
    max_depth
        Deepest nesting of records, arrays and maps accepted.
    """

    def __init__(self, schema: Schema, bounds: Bounds, max_depth: int) -> None:
        self.schema = schema
        self.max_depth = max_depth
        self.tracked = bounds.tracked(max_depth)
        self.program = Program(
            "<glue_serde avro checker>",
            {
                "Mapping": Mapping,
                "_MISSING": _MISSING,
                "is_integral": is_integral,
                "float_ok": float_ok,
                "float32_ok": float32_ok,
                "_datetime": _dt.datetime,
                "_UTC": _dt.timezone.utc,
            },
        )
        self.functions: dict[str, str] = {}  # full name -> generated function name

    def compile(self) -> Callable[[object], bool]:
        """Generate and compile the checker.

        Raises
        ------
        SchemaError
            If CPython cannot compile the generated source.
        """
        top = self.schema.resolve(self.schema.parsed)
        if isinstance(top, dict) and top["type"] in ("record", "error") and not self.tracked:
            # The usual top level: the record's own function is the checker (one call less).
            entry = self.record_function(top["name"])
        else:
            entry = "check"
            body = self.program.function(entry, "v")
            if self.tracked:
                body.line(1, "d = 0")
            self.emit(self.schema.parsed, "v", body, 1, in_union=False, k=0)
            body.line(1, "return True")
        try:
            namespace = self.program.compile()
        except (SyntaxError, RecursionError, MemoryError) as exc:  # pragma: no cover - a bug
            raise SchemaError(
                f"the Avro checker for this schema does not compile: {exc}",
                data_format=DataFormat.AVRO,
            ) from exc
        checker: Callable[[object], bool] = namespace[entry]
        return checker

    def depth_guard(self, out: Function, depth: int, offset: int) -> None:
        """Refuse a container at ``offset`` below ``d`` when it lies beyond ``max_depth``."""
        if self.tracked:
            out.line(depth, f"if d > {self.max_depth - offset}:")
            out.line(depth + 1, "return False")

    def outline(
        self, schema: Any, v: str, out: Function, depth: int, *, in_union: bool, k: int
    ) -> None:
        """Check ``schema`` in a function of its own (keeps the nesting of blocks bounded)."""
        name = self.program.fresh("_part")
        inner = self.program.function(name, "v, d" if self.tracked else "v")
        self.emit(schema, "v", inner, 1, in_union=in_union, k=0, outline=False)
        inner.line(1, "return True")
        args = f"{v}, d + {k}" if self.tracked else v
        out.line(depth, f"if not {name}({args}):")
        out.line(depth + 1, "return False")

    def emit(
        self,
        schema: Any,
        v: str,
        out: Function,
        depth: int,
        *,
        in_union: bool,
        k: int,
        outline: bool = True,
    ) -> None:
        """Emit the check of ``v`` against ``schema``.

        ``depth`` is the block nesting in ``out``; ``k`` the records, arrays and maps entered
        since ``out``'s ``d`` (the depth of its caller's enclosing value).
        """
        fail = "return False"
        if isinstance(schema, str) and schema in self.schema.named:
            resolved = self.schema.named[schema]
            if resolved["type"] in ("record", "error"):
                args = f"{v}, d + {k}" if self.tracked else v
                out.line(depth, f"if not {self.record_function(schema)}({args}):")
                out.line(depth + 1, fail)
                return
            schema = resolved
        if (
            outline
            and depth >= _OUTLINE_AT
            and (
                isinstance(schema, list) or (isinstance(schema, dict) and schema["type"] in _BLOCKS)
            )
        ):
            self.outline(schema, v, out, depth, in_union=in_union, k=k)
            return
        if isinstance(schema, list):
            self.union(schema, v, out, depth, k)
            return
        if isinstance(schema, str):
            kind: str = schema
        else:
            kind = schema["type"]
            rule = logical_rule(schema)
            if rule is not None:
                fast = logical_fast_path(schema, v)
                name = self.program.const(rule)
                if fast:
                    # The common value is accepted inline; anything else asks the full rule.
                    out.line(depth, f"if not ({fast}) and {name}({v}) is not None:")
                else:
                    out.line(depth, f"if {name}({v}) is not None:")
                out.line(depth + 1, fail)
                return
        if kind == "null":
            out.line(depth, f"if {v} is not None:")
        elif kind == "boolean":
            out.line(depth, f"if {v} is not True and {v} is not False:")
        elif kind in ("int", "long"):
            low, high = (INT_MIN, INT_MAX) if kind == "int" else (LONG_MIN, LONG_MAX)
            out.line(
                depth,
                f"if (type({v}) is not int and not is_integral({v}))"
                f" or not ({low} <= {v} <= {high}):",
            )
        elif kind == "double":
            out.line(depth, f"if type({v}) is not float and not float_ok({v}):")
        elif kind == "float":
            out.line(depth, f"if not float32_ok({v}):")
        elif kind == "string":
            out.line(depth, f"if type({v}) is not str and not isinstance({v}, str):")
        elif kind == "bytes":
            out.line(
                depth, f"if type({v}) is not bytes and not isinstance({v}, (bytes, bytearray)):"
            )
        elif kind == "fixed":
            allowed = "bytes" if in_union else "(bytes, bytearray)"
            out.line(depth, f"if not isinstance({v}, {allowed}) or len({v}) != {schema['size']}:")
        elif kind == "enum":
            symbols = self.program.const(frozenset(schema["symbols"]))
            out.line(depth, f"if not isinstance({v}, str) or {v} not in {symbols}:")
        elif kind == "array":
            allowed = "list" if in_union else "(list, tuple)"
            item = self.program.fresh("i")
            self.depth_guard(out, depth, k + 1)
            out.line(depth, f"if not isinstance({v}, {allowed}):")
            out.line(depth + 1, fail)
            out.line(depth, f"for {item} in {v}:")
            self.emit(schema["items"], item, out, depth + 1, in_union=False, k=k + 1)
            return
        elif kind == "map":
            key, item = self.program.fresh("k"), self.program.fresh("m")
            self.depth_guard(out, depth, k + 1)
            out.line(depth, f"if type({v}) is not dict and not isinstance({v}, Mapping):")
            out.line(depth + 1, fail)
            out.line(depth, f"for {key}, {item} in {v}.items():")
            out.line(depth + 1, f"if type({key}) is not str and not isinstance({key}, str):")
            out.line(depth + 2, fail)
            self.emit(schema["values"], item, out, depth + 1, in_union=False, k=k + 1)
            return
        elif kind in ("record", "error"):
            # An anonymous or inline record: fastavro always names records, so register it.
            args = f"{v}, d + {k}" if self.tracked else v
            out.line(depth, f"if not {self.record_function(schema['name'])}({args}):")
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            raise SchemaError(f"unsupported Avro type {kind!r}", data_format=DataFormat.AVRO)
        out.line(depth + 1, fail)

    def record_function(self, full_name: str) -> str:
        """Return the name of the function checking the record ``full_name`` (generated once).

        When the depth is counted it takes ``(v, d)``, ``d`` being the depth of the value
        enclosing the record.
        """
        existing = self.functions.get(full_name)
        if existing is not None:
            return existing
        fname = self.program.fresh("_record")
        self.functions[full_name] = fname
        schema = self.schema.named[full_name]
        body = self.program.function(fname, "v, d" if self.tracked else "v")
        self.depth_guard(body, 1, 1)
        body.line(1, "if type(v) is not dict and not isinstance(v, Mapping):")
        body.line(2, "return False")
        required = sum(1 for f in schema["fields"] if "default" not in f)
        optional = len(schema["fields"]) - required
        if optional:
            body.line(1, f"n = {required}")
        if not schema["fields"]:  # an empty record: only an empty mapping fits
            body.line(1, "return len(v) == 0")
            return fname
        body.line(1, "try:")
        for field in schema["fields"]:
            var = self.program.fresh("f")
            name = repr(field["name"])
            if "default" in field:
                body.line(2, f"{var} = v.get({name}, _MISSING)")
                body.line(2, f"if {var} is not _MISSING:")
                body.line(3, "n += 1")
                self.emit(field["type"], var, body, 3, in_union=False, k=1)
            else:
                body.line(2, f"{var} = v[{name}]")
                self.emit(field["type"], var, body, 2, in_union=False, k=1)
        body.line(1, "except KeyError:")
        body.line(2, "return False")
        # With every required field present, a length above the count means extra keys.
        body.line(1, f"return len(v) == {'n' if optional else required}")
        return fname

    def union(self, branches: list[Any], v: str, out: Function, depth: int, k: int) -> None:
        """Emit the check of a union value against the branch fastavro's writer picks."""
        kinds = [self.schema.resolve(b) for b in branches]
        if len(branches) == 2 and "null" in kinds:
            # ["null", X] / [X, "null"]: only "null" claims None and nothing else does, so
            # fastavro's choice is plain; X is checked as a union branch (lists, bytes).
            other = branches[1 - kinds.index("null")]
            out.line(depth, f"if {v} is not None:")
            self.emit(other, v, out, depth + 1, in_union=True, k=k)
            return
        # The union test is bounded by what is left of max_depth below this value.
        select = self.program.const(functools.partial(select_branch, self.schema))
        table = self.program.const(branches)
        index = self.program.fresh("u")
        left = f"{self.max_depth - k} - d" if self.tracked else str(self.max_depth - k)
        out.line(depth, f"{index} = {select}({v}, {table}, {left})")
        out.line(depth, f"if {index} < 0:")
        out.line(depth + 1, "return False")
        for position, branch in enumerate(branches):
            keyword = "if" if position == 0 else "elif"
            out.line(depth, f"{keyword} {index} == {position}:")
            before = len(out.lines)
            self.emit(branch, v, out, depth + 1, in_union=True, k=k)
            if len(out.lines) == before:  # pragma: no cover - every branch emits a check
                out.line(depth + 1, "pass")
