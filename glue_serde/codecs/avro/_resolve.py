"""Generated resolving decoders: one Python function per (writer schema, reader schema) pair.

fastavro resolves a writer schema to a reader schema again for every datum, value by value
(matching names, looking up fields, comparing types). Here the pair is resolved once, when the
decoder is built, and the generated function reads the payload by index as the plain decoders
of :mod:`~glue_serde.codecs.avro._decode` do, building the reader's shape directly: fields
renamed by aliases, writer-only fields skipped without building them, the reader's defaults for
fields the writer lacks, promoted numbers, mapped enum symbols, union branches chosen once.

The resolution is fastavro's (which follows the Avro specification):

- Named types match when their unqualified names are equal, or the writer's name (full or
  unqualified) is one of the reader's aliases; they must be of the same kind, ``fixed`` of the
  same size. Record fields match by name, or by the reader field's aliases.
- Promotions: ``int`` to ``long``, ``float``, ``double``; ``long`` to ``float``, ``double``;
  ``float`` to ``double``; ``string`` to ``bytes`` and back (a ``string`` must be UTF-8).
- A writer union reads its branch and resolves it against the reader's schema (the first
  reader branch it matches, when the reader is a union too); a reader union takes a writer
  value in its first matching branch.
- An enum symbol the reader lacks becomes the reader's ``default`` symbol.
- Logical types are read as the writer's schema says (the bytes are what the writer wrote):
  a value the writer wrote as a ``date`` is a ``date`` even for a reader's plain ``int``, and
  a reader's logical annotation on a type the writer wrote without it changes nothing.
- Resolution failures are errors when a payload reaches them (a union branch the reader cannot
  take fails only for payloads written in that branch, as in Java and fastavro); a failure
  every payload reaches (the top-level record lacks a field the reader requires) is refused
  when the decoder is built.

Where fastavro's resolving reader is not followed, on purpose:

- A reader default is the value the default would decode to when written: ``bytes`` and
  ``fixed`` defaults are ``bytes`` (fastavro returns the JSON string), logical types are
  converted (a ``date`` default of ``0`` is ``1970-01-01``), a ``float`` default is rounded
  to 32 bits, a record default holds its fields' own defaults; lists and dicts are new for
  every datum (fastavro hands out the schema's own objects, so changing one changes every
  later datum). This is what Java's resolving decoder does.
- Fields are in the reader's order (fastavro: the writer's matched fields, then defaults).
- Two writer fields that resolve to one reader field (a name and an alias) are refused when
  the decoder is built (fastavro fails with a ``KeyError`` on every datum).
- Arrays and maps whose items cannot resolve fail only when they hold items, as in Java
  (fastavro refuses them empty too).
- A payload fastavro reads leniently is refused as the plain decoders refuse it: a boolean
  byte other than 0 or 1, an out-of-range union or enum index, a ``time-millis`` outside one
  day (with a reader schema fastavro read -1 as 00:00:00.999 whenever the writer schema was
  neither recursive nor over budget), a decimal with more digits than its precision (fastavro
  rounds it; Java returns it unchanged).

Depth and value budget are the writer schema's (:mod:`~glue_serde.codecs.avro._bounds`):
skipped values are charged as read ones, so a payload costs the same with or without a reader
schema. The reader's defaults add values beyond the budget, by at most a factor fixed by the
reader schema (which the consumer configures, unlike the payload).

Imports the package's base modules and the Avro package's scaffold, schema, bounds, encoding
and decoding modules.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro._bounds import Bounds
from glue_serde.codecs.avro._codegen import dispatch
from glue_serde.codecs.avro._decode import (
    OUT_OF_RANGE,
    Generator,
    compile_decoder,
    generated_decoder,
)
from glue_serde.codecs.avro._encode import raw_bytes
from glue_serde.codecs.avro._schema import NAMED, Schema, default_datum
from glue_serde.enums import DataFormat
from glue_serde.errors import PayloadError, SchemaError

if TYPE_CHECKING:
    from collections.abc import Callable

    from glue_serde.codecs.avro._codegen import Function

__all__ = ["compile_resolving_decoder"]

_PROMOTIONS: Final = frozenset(
    (
        ("int", "long"),
        ("int", "float"),
        ("int", "double"),
        ("long", "float"),
        ("long", "double"),
        ("float", "double"),
        ("string", "bytes"),
        ("bytes", "string"),
    )
)
_RECORDS: Final = frozenset(("record", "error"))
# A part of the pair that would be emitted this many blocks deep becomes its own function.
_OUTLINE_AT: Final = 8
# Defaults nested deeper than this are copied with copy.deepcopy, not spelled as literals.
_LITERAL_DEPTH: Final = 20


def _kind(node: Any) -> str:
    return node if isinstance(node, str) else str(node.get("type"))


def _unqualified(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _unresolved(message: str) -> PayloadError:
    return PayloadError(
        f"the payload does not resolve to the reader schema: {message}",
        data_format=DataFormat.AVRO,
    )


class _Resolver(Generator):
    """The decoder generator, reading a writer schema into a reader schema's shape."""

    def __init__(
        self,
        writer: Schema,
        bounds: Bounds,
        reader: Schema,
        logical_readers: dict[str, Callable[..., Any]],
        *,
        max_depth: int,
        max_values_per_byte: int,
    ) -> None:
        super().__init__(writer, bounds, logical_readers, max_depth, max_values_per_byte)
        self.reader = reader
        self.program.env.update(_unresolved=_unresolved, _deepcopy=copy.deepcopy)
        self.pairs: dict[tuple[str, int], str] = {}  # (writer type, id(reader node)) -> function
        self.skips: dict[str, str] = {}  # recursive writer type -> its skipping function
        self.kept: list[Any] = []  # reader nodes whose ids key self.pairs
        self.unconditional: list[str] = []  # failures every payload reaches
        self.defaults: dict[int, object] = {}
        self.path: list[str] = []  # the fields being generated, for messages

    # -- matching ------------------------------------------------------------------------------

    def names_match(self, w: dict[str, Any], r: dict[str, Any]) -> bool:
        """Fastavro's (and the specification's) test for two named types."""
        w_kind, r_kind = _kind(w), _kind(r)
        if (w_kind in _RECORDS) != (r_kind in _RECORDS) or (
            w_kind not in _RECORDS and w_kind != r_kind
        ):
            return False
        if w_kind == "fixed" and w["size"] != r["size"]:
            return False
        w_name, r_name = str(w["name"]), str(r["name"])
        aliases = r.get("aliases") or ()
        return (
            _unqualified(w_name) == _unqualified(r_name)
            or w_name in aliases
            or _unqualified(w_name) in aliases
        )

    def matches(self, w: Any, r: Any) -> bool:
        """Whether a writer schema can be read as a reader schema (fastavro's match_types)."""
        w = self.schema.resolve(w)
        r = self.reader.resolve(r)
        if isinstance(w, list) or isinstance(r, list):
            return True
        w_kind, r_kind = _kind(w), _kind(r)
        if w_kind in NAMED and r_kind in NAMED:
            return self.names_match(w, r)
        if w_kind != r_kind:
            return (w_kind, r_kind) in _PROMOTIONS
        if w_kind == "array":
            return self.matches(w["items"], r["items"])
        if w_kind == "map":
            return self.matches(w["values"], r["values"])
        return True

    def first_match(self, w: Any, branches: list[Any]) -> Any | None:
        for branch in branches:
            if self.matches(w, branch):
                return branch
        return None

    # -- failures ------------------------------------------------------------------------------

    def located(self, message: str) -> str:
        """Prefix ``message`` with the field path being generated (``field a.b: ...``)."""
        return f"field {'.'.join(self.path)}: {message}" if self.path else message

    def fail(self, out: Function, depth: int, message: str, *, conditional: bool) -> None:
        message = self.located(message)
        if not conditional:
            self.unconditional.append(message)
        out.line(depth, f"raise _unresolved({self.const(message)})")

    @staticmethod
    def describe(node: Any) -> str:
        if isinstance(node, list):
            return "[" + ", ".join(_Resolver.describe(b) for b in node) + "]"
        if isinstance(node, str):
            return node
        if node.get("type") in NAMED:
            return f"{node['type']} {node['name']}"
        return str(node.get("type"))

    # -- reading a pair -----------------------------------------------------------------------

    def pair(
        self,
        w: Any,
        r: Any,
        target: str,
        out: Function,
        depth: int,
        *,
        k: int,
        conditional: bool,
        recursion: bool = True,
        outline: bool = True,
    ) -> None:
        """Emit code reading writer schema ``w`` into ``target`` in the shape of reader ``r``."""
        name = self.bounds.is_recursive(w) if recursion else None
        if name is not None:
            function = self.pair_function(name, r, conditional=conditional)
            out.line(depth, self.call(function, target, k))
            return
        w = self.schema.resolve(w)
        if (
            outline
            and depth >= _OUTLINE_AT
            and (isinstance(w, list) or _kind(w) in ("array", "map"))
        ):
            function = self.fresh("_part")
            inner = self.program.function(function, self.params)
            self.pair(w, r, "value", inner, 1, k=0, conditional=conditional, outline=False)
            inner.line(1, f"return value, {self.results}")
            out.line(depth, self.call(function, target, k))
            return
        if isinstance(w, list):
            self.writer_union(w, r, target, out, depth, k=k, conditional=conditional)
            return
        resolved = self.reader.resolve(r)
        if isinstance(resolved, list):
            branch = self.first_match(w, resolved)
            if branch is None:
                message = f"{self.describe(w)} is not in the reader's {self.describe(resolved)}"
                self.fail(out, depth, message, conditional=conditional)
                out.line(depth, f"{target} = None")
                return
            self.pair(w, branch, target, out, depth, k=k, conditional=conditional, recursion=False)
            return
        self.single(w, resolved, target, out, depth, k=k, conditional=conditional)

    def single(
        self, w: Any, r: Any, target: str, out: Function, depth: int, *, k: int, conditional: bool
    ) -> None:
        """Both sides resolved, neither a union."""
        w_kind, r_kind = _kind(w), _kind(r)
        if w_kind in NAMED or r_kind in NAMED:
            if not (w_kind in NAMED and r_kind in NAMED and self.names_match(w, r)):
                message = f"the writer's {self.describe(w)} is not the reader's {self.describe(r)}"
                self.fail(out, depth, message, conditional=conditional)
                out.line(depth, f"{target} = None")
                return
            if w_kind in _RECORDS:
                self.record(w, r, target, out, depth, k=k, conditional=conditional)
            elif w_kind == "enum":
                self.enum(w, r, target, out, depth)
            else:  # fixed: same size, read as the writer wrote it
                self.emit_definition(w, target, out, depth, k)
            return
        if w_kind in ("array", "map") and w_kind == r_kind:
            key = "items" if w_kind == "array" else "values"
            w_item, r_item = w[key], r[key]

            def item(out: Function, var: str | None, depth: int, k: int) -> None:
                assert var is not None
                self.pair(w_item, r_item, var, out, depth, k=k, conditional=True)

            self.block(w, w_kind, target, out, depth, k=k, item=item)
            return
        if w_kind == r_kind:
            self.emit_definition(w, target, out, depth, k)
            return
        if (w_kind, r_kind) not in _PROMOTIONS:
            message = f"the writer's {self.describe(w)} is not the reader's {self.describe(r)}"
            self.fail(out, depth, message, conditional=conditional)
            out.line(depth, f"{target} = None")
            return
        logical = None if isinstance(w, str) else w.get("logicalType")
        if logical is not None and f"{w_kind}-{logical}" in (self.logical_readers or {}):
            # fastavro: the writer's logical type is read, and not promoted.
            self.emit_definition(w, target, out, depth, k)
            return
        if w_kind == "string":  # to bytes: still UTF-8, as the writer promised
            raw = self.fresh("s")
            self.blob(out, raw, depth)
            out.line(depth, f"{raw}.decode()")
            out.line(depth, f"{target} = {raw}")
        elif w_kind == "bytes":
            raw = self.fresh("s")
            self.blob(out, raw, depth)
            out.line(depth, f"{target} = {raw}.decode()")
        elif w_kind == "float" or r_kind == "long":  # to double, int to long: as it is
            self.emit_kind(w, w_kind, target, out, depth, k=k)
        else:  # int or long to float or double
            raw = self.fresh("r")
            self.emit_kind(w, w_kind, raw, out, depth, k=k)
            out.line(depth, f"{target} = float({raw})")

    def writer_union(
        self,
        w: list[Any],
        r: Any,
        target: str,
        out: Function,
        depth: int,
        *,
        k: int,
        conditional: bool,
    ) -> None:
        index = self.fresh("u")
        self.varint(out, index, depth)
        resolved = self.reader.resolve(r)
        branch_conditional = conditional or len(w) > 1

        def read(number: int, depth: int) -> None:
            branch = w[number]
            if isinstance(resolved, list):
                chosen = self.first_match(branch, resolved)
                if chosen is None:
                    message = (
                        f"the writer's {self.describe(self.schema.resolve(branch))} is not in "
                        f"the reader's {self.describe(resolved)}"
                    )
                    self.fail(out, depth, message, conditional=branch_conditional)
                    return
                self.pair(branch, chosen, target, out, depth, k=k, conditional=branch_conditional)
            else:
                self.pair(branch, r, target, out, depth, k=k, conditional=branch_conditional)

        dispatch(out, depth, index, len(w), branch=read, otherwise=OUT_OF_RANGE)

    def pair_function(self, name: str, r: Any, *, conditional: bool) -> str:
        """Return the function reading one level of the recursive writer type ``name`` as ``r``."""
        key = (name, id(r))
        existing = self.pairs.get(key)
        if existing is not None:
            return existing
        self.kept.append(r)
        function = self.fresh("_level")
        self.pairs[key] = function
        out = self.program.function(function, self.params)
        if self.counted:
            cost = self.bounds.entry_cost(name)
            if cost:
                self.charge(out, 1, str(cost))
        self.pair(
            self.named[name], r, "value", out, 1, k=0, conditional=conditional, recursion=False
        )
        out.line(1, f"return value, {self.results}")
        return function

    def enum(
        self, w: dict[str, Any], r: dict[str, Any], target: str, out: Function, depth: int
    ) -> None:
        symbols = frozenset(r["symbols"])
        default = r.get("default")
        table = []
        missing = []
        for symbol in w["symbols"]:
            if symbol in symbols:
                table.append(symbol)
            elif default is not None:
                table.append(default)
            else:
                table.append(None)
                missing.append(symbol)
        index = self.fresh("i")
        self.varint(out, index, depth)
        out.line(depth, f"if not 0 <= {index} < {len(table)}:")
        out.line(depth + 1, "raise _bad('enum index out of range')")
        out.line(depth, f"{target} = {self.const(tuple(table))}[{index}]")
        if missing:
            out.line(depth, f"if {target} is None:")
            message = self.located(f"a symbol of enum {w['name']} is not in the reader's symbols")
            out.line(depth + 1, f"raise _unresolved({self.const(message)})")

    def record(
        self,
        w: dict[str, Any],
        r: dict[str, Any],
        target: str,
        out: Function,
        depth: int,
        *,
        k: int,
        conditional: bool,
    ) -> None:
        by_name = {f["name"]: f for f in r["fields"]}
        by_alias: dict[str, dict[str, Any]] = {}
        for field in r["fields"]:
            for alias in field.get("aliases") or ():
                by_alias.setdefault(alias, field)
        plan: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        taken: dict[str, str] = {}
        for field in w["fields"]:
            match = by_name.get(field["name"]) or by_alias.get(field["name"])
            if match is not None:
                if match["name"] in taken:
                    raise SchemaError(
                        f"writer fields {taken[match['name']]!r} and {field['name']!r} of "
                        f"{w['name']} both resolve to the reader's field {match['name']!r}",
                        data_format=DataFormat.AVRO,
                    )
                taken[match["name"]] = field["name"]
            plan.append((field, match))
        for field in r["fields"]:
            if field["name"] not in taken and "default" not in field:
                message = (
                    f"the reader's field {field['name']!r} of {r['name']} has no default and "
                    f"the writer's {w['name']} has no such field"
                )
                self.fail(out, depth, message, conditional=conditional)
                out.line(depth, f"{target} = None")
                return
        self.depth_guard(out, depth, k + 1)
        values: dict[str, str] = {}
        for field, match in plan:
            if match is None:
                self.skip(field["type"], out, depth, k + 1)
                continue
            var = self.fresh("f")
            self.path.append(match["name"])
            try:
                self.pair(
                    field["type"], match["type"], var, out, depth, k=k + 1, conditional=conditional
                )
            finally:
                self.path.pop()
            values[match["name"]] = var
        items = []
        for field in r["fields"]:
            name = field["name"]
            value = values[name] if name in values else self.default(field)
            items.append(f"{self.const(name)}: {value}")
        out.line(depth, f"{target} = {{{', '.join(items)}}}")

    # -- defaults ------------------------------------------------------------------------------

    def default(self, field: dict[str, Any]) -> str:
        """Return an expression building the reader default's value (new lists and dicts)."""
        key = id(field)
        if key not in self.defaults:
            self.defaults[key] = self.decoded_default(field)
            self.kept.append(field)
        return self.literal(self.defaults[key], 0)

    def decoded_default(self, field: dict[str, Any]) -> object:
        """Return the value the default decodes to when written (as in Java's resolving decoder)."""
        node = field["type"]
        try:
            value = default_datum(node, field["default"], self.reader.named)
            data = raw_bytes(self.reader, value, node, self.max_depth)
            part = Schema(node, self.reader.named)
            decode = compile_decoder(
                part,
                Bounds(part),
                self.logical_readers,
                max_depth=self.max_depth,
                max_values_per_byte=self.per_byte,
            )
            return decode(data)
        except Exception as exc:  # Refused, PayloadError, ...: the default cannot be written
            raise SchemaError(
                f"the reader's default of field {field['name']!r} does not fit its type: "
                f"{type(exc).__name__}: {exc}",
                data_format=DataFormat.AVRO,
            ) from exc

    def literal(self, value: object, level: int) -> str:
        if isinstance(value, (list, dict)) and level > _LITERAL_DEPTH:
            return f"_deepcopy({self.const(value)})"
        if isinstance(value, list):
            return "[" + ", ".join(self.literal(item, level + 1) for item in value) + "]"
        if isinstance(value, dict):
            return (
                "{"
                + ", ".join(
                    f"{self.const(key)}: {self.literal(item, level + 1)}"
                    for key, item in value.items()
                )
                + "}"
            )
        return self.const(value)  # None, bool, numbers, str, bytes, Decimal, dates, UUID

    # -- skipping ------------------------------------------------------------------------------

    def skip(self, w: Any, out: Function, depth: int, k: int, *, recursion: bool = True) -> None:
        """Emit code reading past a writer value nobody reads (checked, charged, not built)."""
        name = self.bounds.is_recursive(w) if recursion else None
        if name is not None:
            out.line(depth, self.call(self.skip_function(name), "_", k))
            return
        w = self.schema.resolve(w)
        if depth >= _OUTLINE_AT and (isinstance(w, list) or _kind(w) in ("array", "map")):
            function = self.fresh("_skip")
            inner = self.program.function(function, self.params)
            inner.line(1, "value = None")
            self.skip(w, inner, 1, 0)
            inner.line(1, f"return value, {self.results}")
            out.line(depth, self.call(function, "_", k))
            return
        if isinstance(w, list):
            index = self.fresh("u")
            self.varint(out, index, depth)
            branches = w

            def skip(number: int, depth: int) -> None:
                self.skip(branches[number], out, depth, k)

            dispatch(out, depth, index, len(w), branch=skip, otherwise=OUT_OF_RANGE)
            return
        kind = _kind(w)
        if kind == "null":
            return
        if kind in ("string", "bytes"):
            self.skip_blob(out, depth)
        elif kind in ("float", "double", "fixed"):
            width = {"float": 4, "double": 8}.get(kind) or int(w["size"])
            out.line(depth, f"if pos + {width} > size:")
            out.line(depth + 1, "raise _bad('value past the end of the payload')")
            out.line(depth, f"pos += {width}")
        elif kind in ("boolean", "int", "long", "enum"):
            self.emit_kind(w, kind, "_", out, depth, k=k)  # validated, as when read
        elif kind in _RECORDS:
            self.depth_guard(out, depth, k + 1)
            for field in w["fields"]:
                self.skip(field["type"], out, depth, k + 1)
        elif kind in ("array", "map"):
            key = "items" if kind == "array" else "values"
            item_schema = w[key]

            def item(out: Function, var: str | None, depth: int, k: int) -> None:
                self.skip(item_schema, out, depth, k)

            self.block(w, kind, None, out, depth, k=k, item=item)

    def skip_function(self, name: str) -> str:
        existing = self.skips.get(name)
        if existing is not None:
            return existing
        function = self.fresh("_skiplevel")
        self.skips[name] = function
        out = self.program.function(function, self.params)
        if self.counted:
            cost = self.bounds.entry_cost(name)
            if cost:
                self.charge(out, 1, str(cost))
        self.skip(self.named[name], out, 1, 0, recursion=False)
        out.line(1, f"return None, {self.results}")
        return function


def compile_resolving_decoder(
    writer: Schema,
    bounds: Bounds,
    reader: Schema,
    logical_readers: dict[str, Callable[..., Any]],
    *,
    max_depth: int,
    max_values_per_byte: int,
) -> Callable[[Any], Any]:
    """Return ``decode(payload) -> datum`` reading ``writer`` payloads as ``reader`` values.

    ``decode`` raises only :class:`~glue_serde.errors.PayloadError`, as the plain decoders do,
    and for a payload reaching a part of the writer schema the reader cannot take.

    Raises
    ------
    PayloadError
        If no payload of the writer schema can resolve (the cause, a ``SchemaError``, says
        why).
    SchemaError
        If a reader default does not fit its type, or two writer fields resolve to one reader
        field.
    """
    generator = _Resolver(
        writer,
        bounds,
        reader,
        logical_readers,
        max_depth=max_depth,
        max_values_per_byte=max_values_per_byte,
    )
    decode = generated_decoder(
        generator,
        lambda out, depth: generator.pair(
            writer.parsed, reader.parsed, "value", out, depth, k=0, conditional=False
        ),
    )
    if generator.unconditional:
        reason = generator.unconditional[0]
        error = PayloadError(
            f"no payload of the writer schema resolves to the reader schema: {reason}",
            data_format=DataFormat.AVRO,
        )
        error.__cause__ = SchemaError(reason, data_format=DataFormat.AVRO)
        raise error
    return decode
