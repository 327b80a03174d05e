"""Value checking: the compiled boolean checker, and the walker that explains a refusal.

Per schema, once, :class:`CheckerCompiler` generates a boolean function (Python source, built
with the shared scaffold) that runs on every datum; only when it answers "invalid" does
:class:`Walker` walk the datum and list every violation with its location. Both apply the rules
of :mod:`glue_serde.codecs.avro._rules`.

Imports the package's base modules and the Avro package's scaffold, rules and schema modules.
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
    select_branch,
    type_name,
)
from glue_serde.enums import DataFormat
from glue_serde.errors import ErrorDetail, SchemaError

if TYPE_CHECKING:
    from glue_serde.codecs.avro._schema import Schema

__all__ = ["CheckerCompiler", "Walker"]

_MISSING: Final = object()


class Walker:
    """Find every violation of a datum, with its location (the slow path after a refusal)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def errors(self, value: object) -> tuple[ErrorDetail, ...]:
        found: list[ErrorDetail] = []
        try:
            self.walk(value, self.schema.parsed, (), found, False)
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
        in_union: bool,
    ) -> None:
        schema = self.schema.resolve(schema)

        def err(code: str, msg: str) -> None:
            out.append(ErrorDetail(type=code, loc=loc, msg=msg, input=value))

        if isinstance(schema, list):
            self._union(value, schema, loc, out)
            return
        if isinstance(schema, str):
            kind, logical = schema, None
        else:
            kind, logical = schema["type"], logical_rule(schema)
        if logical is not None:
            problem = logical(value)
            if problem is not None:
                err(*problem)
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
                self.walk(item, schema["items"], (*loc, index), out, False)
        elif kind == "map":
            if not isinstance(value, Mapping):
                err("map_type", "Input should be a mapping")
                return
            for key, item in value.items():
                if not isinstance(key, str):
                    out.append(
                        ErrorDetail(
                            type="map_key_type",
                            loc=(*loc, repr(key)),
                            msg="Map keys should be strings",
                            input=key,
                        )
                    )
                    continue
                self.walk(item, schema["values"], (*loc, key), out, False)
        elif kind in ("record", "error"):
            self._record(value, schema, loc, out)
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            err("schema_type", f"Unsupported Avro type {kind!r}")

    def _record(
        self,
        value: object,
        schema: Mapping[str, Any],
        loc: tuple[str | int, ...],
        out: list[ErrorDetail],
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
                self.walk(value[name], field["type"], (*loc, name), out, False)
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
        self, value: object, branches: list[Any], loc: tuple[str | int, ...], out: list[ErrorDetail]
    ) -> None:
        index = select_branch(self.schema, value, branches)
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
        self.walk(value, branches[index], loc, out, True)


class CheckerCompiler:
    """Generate ``check(value) -> bool`` for a schema; the walker explains a ``False``."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
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
        top = self.schema.resolve(self.schema.parsed)
        if isinstance(top, dict) and top["type"] in ("record", "error"):
            # The usual top level: the record's own function is the checker (one call less).
            entry = self.record_function(top["name"])
        else:
            entry = "check"
            body = self.program.function(entry, "v")
            self.emit(self.schema.parsed, "v", body, 1, False)
            body.line(1, "return True")
        checker: Callable[[object], bool] = self.program.compile()[entry]
        return checker

    def emit(self, schema: Any, v: str, out: Function, depth: int, in_union: bool) -> None:
        fail = "return False"
        if isinstance(schema, str) and schema in self.schema.named:
            resolved = self.schema.named[schema]
            if resolved["type"] in ("record", "error"):
                out.line(depth, f"if not {self.record_function(schema)}({v}):")
                out.line(depth + 1, fail)
                return
            schema = resolved
        if isinstance(schema, list):
            self.union(schema, v, out, depth)
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
            out.line(depth, f"if not isinstance({v}, {allowed}):")
            out.line(depth + 1, fail)
            out.line(depth, f"for {item} in {v}:")
            self.emit(schema["items"], item, out, depth + 1, False)
            return
        elif kind == "map":
            key, item = self.program.fresh("k"), self.program.fresh("m")
            out.line(depth, f"if type({v}) is not dict and not isinstance({v}, Mapping):")
            out.line(depth + 1, fail)
            out.line(depth, f"for {key}, {item} in {v}.items():")
            out.line(depth + 1, f"if type({key}) is not str and not isinstance({key}, str):")
            out.line(depth + 2, fail)
            self.emit(schema["values"], item, out, depth + 1, False)
            return
        elif kind in ("record", "error"):
            # An anonymous or inline record: fastavro always names records, so register it.
            out.line(depth, f"if not {self.record_function(schema['name'])}({v}):")
        else:  # pragma: no cover - fastavro.parse_schema refuses unknown types
            raise SchemaError(f"unsupported Avro type {kind!r}", data_format=DataFormat.AVRO)
        out.line(depth + 1, fail)

    def record_function(self, full_name: str) -> str:
        existing = self.functions.get(full_name)
        if existing is not None:
            return existing
        fname = self.program.fresh("_record")
        self.functions[full_name] = fname
        schema = self.schema.named[full_name]
        body = self.program.function(fname, "v")
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
                self.emit(field["type"], var, body, 3, False)
            else:
                body.line(2, f"{var} = v[{name}]")
                self.emit(field["type"], var, body, 2, False)
        body.line(1, "except KeyError:")
        body.line(2, "return False")
        # With every required field present, a length above the count means extra keys.
        body.line(1, f"return len(v) == {'n' if optional else required}")
        return fname

    def union(self, branches: list[Any], v: str, out: Function, depth: int) -> None:
        kinds = [self.schema.resolve(b) for b in branches]
        if len(branches) == 2 and "null" in kinds:
            # ["null", X] / [X, "null"]: only "null" claims None and nothing else does, so
            # fastavro's choice is plain; X is checked as a union branch (lists, bytes).
            other = branches[1 - kinds.index("null")]
            out.line(depth, f"if {v} is not None:")
            self.emit(other, v, out, depth + 1, True)
            return
        select = self.program.const(functools.partial(select_branch, self.schema))
        table = self.program.const(branches)
        index = self.program.fresh("u")
        out.line(depth, f"{index} = {select}({v}, {table})")
        out.line(depth, f"if {index} < 0:")
        out.line(depth + 1, "return False")
        for position, branch in enumerate(branches):
            keyword = "if" if position == 0 else "elif"
            out.line(depth, f"{keyword} {index} == {position}:")
            before = len(out.lines)
            self.emit(branch, v, out, depth + 1, True)
            if len(out.lines) == before:  # pragma: no cover - every branch emits a check
                out.line(depth + 1, "pass")
