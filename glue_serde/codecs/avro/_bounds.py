"""Depth and value budget: how deep one datum may nest, how many values one payload may build.

Depth
    A datum's depth is the nesting of its records, arrays and maps (the top-level record is at
    depth 1; unions and primitives add nothing). A schema without recursion bounds it
    statically; for a recursive schema (or one nested deeper than ``max_depth``) generated
    code counts it, and a datum deeper than ``max_depth`` is refused on write and on read.

Value budget
    Decoding a payload of ``n`` bytes builds at most ``VALUE_BUDGET_FLOOR +
    max_values_per_byte * n`` values: every value counts once (a record, each of its fields,
    an array, each item, a map, each key and each value), zero-width ones included (``null``,
    empty records, ``fixed`` of size 0 take no byte). Per schema, each repeated part (an array
    item, a map entry, one level of a recursive type) has a static *cost* (the values it
    builds, not counting nested arrays, maps and recursive levels, which count themselves) and
    a static *width* (the fewest payload bytes it takes, on the same terms). When no cost
    exceeds ``max_values_per_byte`` times its width, the payload's own length keeps every
    payload within the budget and nothing is counted at run time. Otherwise the schema is
    *counted*: the generated decoder charges ``count * cost`` per block and ``cost`` per
    recursive level before building anything, and the encoder refuses a datum whose payload
    would exceed the budget, so that whatever is written can be read.

Imports the Avro package's schema and union modules only.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro._schema import NAMED
from glue_serde.codecs.avro._union import select_branch

if TYPE_CHECKING:
    from collections.abc import Mapping

    from glue_serde.codecs.avro._schema import Schema

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_VALUES_PER_BYTE",
    "MAX_DEPTH_LIMIT",
    "VALUE_BUDGET_FLOOR",
    "Bounds",
    "value_budget",
]

#: Default deepest nesting of records, arrays and maps in one datum. Protobuf's parsers use the
#: same limit; no real record comes near it, and it keeps every recursive path (generated code,
#: the walker, fastavro's compiled writer) far from Python's recursion limit and the C stack.
DEFAULT_MAX_DEPTH: Final = 100
#: Largest ``max_depth`` accepted.
MAX_DEPTH_LIMIT: Final = 1000
#: Default values one payload byte may build (4: the most an honest record needs is about 2,
#: for a map of nulls or records of booleans).
DEFAULT_MAX_VALUES_PER_BYTE: Final = 4
#: Values any payload may build, whatever its length.
VALUE_BUDGET_FLOOR: Final = 65_536


def value_budget(payload_size: int, max_values_per_byte: int) -> int:
    """Return how many values a payload of ``payload_size`` bytes may build."""
    return VALUE_BUDGET_FLOOR + max_values_per_byte * payload_size


class Bounds:
    """What a parsed schema lets a datum nest and a payload build (computed once per schema).

    Attributes
    ----------
    recursive
        Full names of the named types that can contain themselves.
    static_depth
        The deepest nesting any datum can have, or ``None`` for a recursive schema.
    ratio
        The largest cost per byte of width over the schema's repeated parts (``inf`` when a
        part that builds values can take no byte).
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.named = schema.named
        self.recursive = _recursive_types(schema.named)
        self._inline: dict[str, tuple[int, int]] = {}
        self._bodies: dict[str, tuple[int, int]] = {}
        self._min: dict[str, int] = {}
        self._depths: dict[str, int] = {}
        self.static_depth = None if self.recursive else self._depth(schema.parsed)
        self.ratio = self._max_ratio()

    def tracked(self, max_depth: int) -> bool:
        """Whether the depth of a datum must be counted at run time."""
        return self.static_depth is None or self.static_depth > max_depth

    def counted(self, max_values_per_byte: int) -> bool:
        """Whether the values a payload builds must be counted at run time."""
        return self.ratio > max_values_per_byte

    def is_recursive(self, node: Any) -> str | None:
        """Return the full name if ``node`` is (a reference to) a recursive named type."""
        if isinstance(node, str):
            return node if node in self.recursive else None
        if isinstance(node, dict) and node.get("type") in NAMED:
            name = node.get("name")
            return name if name in self.recursive else None
        return None

    def cost(self, node: Any) -> int:
        """Values one value of ``node`` builds (nested arrays, maps and recursion excluded)."""
        return self._inline_of(node)[0]

    def entry_cost(self, name: str) -> int:
        """Values one level of the recursive type ``name`` builds."""
        return self._body(name)[0]

    def min_width(self, node: Any) -> int:
        """Return the fewest payload bytes a whole value of ``node`` takes."""
        name = self.is_recursive(node)
        if name is not None:
            return self._body(name)[1]
        if isinstance(node, str) and node in self.named:
            if node not in self._min:
                self._min[node] = self.min_width(self.named[node])
            return self._min[node]
        if isinstance(node, list):
            return 1 + min((self.min_width(branch) for branch in node), default=0)
        if isinstance(node, dict) and node.get("type") in ("record", "error"):
            return sum(self.min_width(field["type"]) for field in node["fields"])
        return self._inline_of(node)[1]

    # -- internals --------------------------------------------------------------------------

    def _inline_of(self, node: Any) -> tuple[int, int]:
        if self.is_recursive(node) is not None:
            return 0, 0  # counted where the recursive level is entered
        if isinstance(node, str):
            if node in self.named:
                if node not in self._inline:
                    self._inline[node] = self._inline_of(self.named[node])
                return self._inline[node]
            return _PRIMITIVE.get(node, (1, 1))
        if isinstance(node, list):
            parts = [self._inline_of(branch) for branch in node]
            # An empty union holds no value; its index still takes a byte.
            return max((c for c, _ in parts), default=0), 1 + min((w for _, w in parts), default=0)
        return self._definition(node)

    def _definition(self, node: Mapping[str, Any]) -> tuple[int, int]:
        kind = node.get("type")
        if kind in ("record", "error"):
            cost, width = 1, 0
            for field in node["fields"]:
                c, w = self._inline_of(field["type"])
                cost, width = cost + c, width + w
            return cost, width
        if kind in ("array", "map"):
            return 1, 1  # the container and its closing count; its items count themselves
        if kind == "fixed":
            return 1, int(node["size"])
        if kind == "enum":
            return 1, 1
        if isinstance(kind, str):
            return self._inline_of(kind)
        return 1, 1  # pragma: no cover - parsed schemas name every type

    def _body(self, name: str) -> tuple[int, int]:
        if name not in self._bodies:
            self._bodies[name] = self._definition(self.named[name])
        return self._bodies[name]

    def _depth(self, node: Any) -> int:
        if isinstance(node, str):
            if node not in self.named:
                return 0
            if node not in self._depths:
                self._depths[node] = self._depth(self.named[node])
            return self._depths[node]
        if isinstance(node, list):
            return max((self._depth(branch) for branch in node), default=0)
        kind = node.get("type")
        if kind in ("record", "error"):
            return 1 + max((self._depth(f["type"]) for f in node["fields"]), default=0)
        if kind == "array":
            return 1 + self._depth(node["items"])
        if kind == "map":
            return 1 + self._depth(node["values"])
        return 0

    def _max_ratio(self) -> float:
        ratio = 0.0
        parts: list[tuple[int, int]] = [self._body(name) for name in self.recursive]
        for node in _nodes(self.schema.parsed, self.named):
            kind = node.get("type")
            if kind == "array":
                parts.append(self._inline_of(node["items"]))
            elif kind == "map":
                cost, width = self._inline_of(node["values"])
                parts.append((1 + cost, 1 + width))
        for cost, width in parts:
            if cost:
                ratio = max(ratio, cost / width if width else math.inf)
        return ratio

    # -- the encoder's count ----------------------------------------------------------------

    def first_over_budget(
        self, datum: object, limit: int, max_depth: int
    ) -> tuple[tuple[str | int, ...], int] | None:
        """Count the values decoding ``datum``'s payload charges, as the decoder charges them.

        ``datum`` has passed the strict check (so it nests at most ``max_depth`` deep).
        Returns the location where the count first exceeds ``limit``, with the count there,
        or ``None`` when it never does.
        """
        counter = _Counter(self, limit, max_depth)
        try:
            counter.walk(datum, self.schema.parsed, ())
        except _OverBudget as over:
            return over.loc, counter.total
        return None


_PRIMITIVE: Final = {
    "null": (1, 0),
    "boolean": (1, 1),
    "int": (1, 1),
    "long": (1, 1),
    "float": (1, 4),
    "double": (1, 8),
    "bytes": (1, 1),
    "string": (1, 1),
}


class _OverBudget(Exception):
    def __init__(self, loc: tuple[str | int, ...]) -> None:
        super().__init__(loc)
        self.loc = loc


class _Counter:
    def __init__(self, bounds: Bounds, limit: int, max_depth: int) -> None:
        self.bounds = bounds
        self.schema = bounds.schema
        self.limit = limit
        self.max_depth = max_depth
        self.total = 0

    def charge(self, values: int, loc: tuple[str | int, ...]) -> None:
        self.total += values
        if self.total > self.limit:
            raise _OverBudget(loc)

    def walk(self, value: Any, node: Any, loc: tuple[str | int, ...]) -> None:
        name = self.bounds.is_recursive(node)
        if name is not None:
            self.charge(self.bounds.entry_cost(name), loc)
        node = self.schema.resolve(node)
        if isinstance(node, list):
            index = select_branch(self.schema, value, node, self.max_depth)
            if index >= 0:
                self.walk(value, node[index], loc)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "array":
            items = node["items"]
            self.charge(len(value) * self.bounds.cost(items), loc)
            for index, item in enumerate(value):
                self.walk(item, items, (*loc, index))
        elif kind == "map":
            values = node["values"]
            self.charge(len(value) * (1 + self.bounds.cost(values)), loc)
            for key, item in value.items():
                self.walk(item, values, (*loc, key))
        elif kind in ("record", "error"):
            for field in node["fields"]:
                field_name = field["name"]
                if field_name in value:
                    self.walk(value[field_name], field["type"], (*loc, field_name))
                elif "default" in field:
                    self.walk(field["default"], field["type"], (*loc, field_name))


def _nodes(parsed: Any, named: dict[str, Any]) -> list[dict[str, Any]]:
    """Every schema object (dict) reachable from the parsed schema and the named types."""
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack: list[Any] = [parsed, *named.values()]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        kind = node.get("type")
        if kind == "array":
            stack.append(node["items"])
        elif kind == "map":
            stack.append(node["values"])
        elif kind in ("record", "error"):
            stack.extend(field["type"] for field in node["fields"])
    return found


def _recursive_types(named: dict[str, Any]) -> frozenset[str]:
    """Full names of the named types from which a path of references leads back to them."""
    edges: dict[str, set[str]] = {}
    for name, definition in named.items():
        refs: set[str] = set()
        stack: list[Any] = [definition]
        first = True
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                if node in named:
                    refs.add(node)
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("type")
                if kind in NAMED and not first:
                    refs.add(str(node.get("name")))  # a nested definition: its own entry
                    continue
                first = False
                if kind == "array":
                    stack.append(node["items"])
                elif kind == "map":
                    stack.append(node["values"])
                elif kind in ("record", "error"):
                    stack.extend(field["type"] for field in node["fields"])
                elif isinstance(kind, str):
                    stack.append(kind)
        edges[name] = refs
    recursive = set()
    for start, targets in edges.items():
        stack2 = list(targets)
        seen: set[str] = set()
        while stack2:
            current = stack2.pop()
            if current == start:
                recursive.add(start)
                break
            if current in seen:
                continue
            seen.add(current)
            stack2.extend(edges.get(current, ()))
    return frozenset(recursive)
