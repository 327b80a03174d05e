"""fastavro's union choice, reproduced in Python with a depth bound.

fastavro's writer writes a union value in the first branch its loose test accepts (its
``_validate``; among records, the one sharing most fields with the value; a ``float`` gives way
to a later ``double``). The strict check must check the value against that branch, so the
choice is reproduced here. fastavro's own test is compiled and recurses without a limit (a
self-referencing or very deep value crashes the process), and applies the logical-type writers
first (``Decimal("1E+30000000")`` costs minutes): this port counts the nesting it enters and
decides ``decimal`` branches from the decimal's digits and exponent, without building the value.

A test checks the port against the branch fastavro's writer actually picks.

Imports the Avro package's schema and fastavro modules only.
"""

from __future__ import annotations

import array
import decimal
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from glue_serde.codecs.avro import _fastavro
from glue_serde.codecs.avro._rules import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN

if TYPE_CHECKING:
    from glue_serde.codecs.avro._schema import Schema

__all__ = ["select_branch"]

_NO_VALUE: Final = object()
# 1 / log2(10): a positive integer of D decimal digits has at least (D - 1) / this many bits.
_DIGITS_PER_BIT: Final = 0.30103


class _Raises(Exception):
    """fastavro's test would raise here (so would its writer), or the value nests too deep."""


def select_branch(schema: Schema, value: object, branches: list[Any], max_depth: int) -> int:
    """Return the union branch fastavro's writer would pick for ``value``, or -1 for none.

    ``schema`` is the writer form of the schema (the one handed to fastavro's writer). When
    fastavro's test would raise on a branch, or the value nests deeper than ``max_depth``
    inside it, that branch is returned: the strict check then refuses the value.
    """
    if isinstance(value, tuple):
        return -1  # tuple notation is not supported: refuse rather than guess
    loose = _Loose(schema, max_depth)
    best = -1
    most_fields = -1
    could_be_float = False
    for index, candidate in enumerate(branches):
        resolved = schema.resolve(candidate)
        kind = resolved if isinstance(resolved, str) else resolved.get("type")
        if could_be_float:
            if kind == "double":
                return index
            continue
        try:
            ok = loose.valid(value, candidate, 0)
        except _Raises:
            return index
        except Exception:  # a hostile value (its __eq__, __iter__...) fails fastavro's test too
            return index
        if not ok:
            continue
        if kind == "record":
            fields = {f["name"] for f in resolved["fields"]}
            matched = len(fields.intersection(value))  # type: ignore[arg-type]
            if matched > most_fields:
                best, most_fields = index, matched
        elif kind == "float":
            best = index
            could_be_float = True
        else:
            return index
    return best


class _Loose:
    """fastavro's ``_validate(datum, schema, named, "", False, {})``, bounded."""

    def __init__(self, schema: Schema, max_depth: int) -> None:
        self.named = schema.named
        self.max_depth = max_depth

    def valid(self, datum: Any, node: Any, depth: int) -> bool:
        if isinstance(node, dict):
            kind = node["type"]
            logical = node.get("logicalType")
            if logical:
                if kind in ("bytes", "fixed") and logical in (
                    "decimal",
                    _fastavro.FIXED_DECIMAL_LOGICAL_TYPE,
                ):
                    if isinstance(datum, decimal.Decimal):
                        return _decimal_valid(datum, node, kind == "fixed")
                else:
                    prepare = _fastavro.LOGICAL_WRITERS.get(f"{kind}-{logical}")
                    if prepare is not None:
                        try:
                            datum = prepare(datum, node)
                        except Exception as exc:
                            raise _Raises from exc
        elif isinstance(node, list):
            return self.union(datum, node, depth)
        else:
            kind = node
        if kind == "null":
            return datum is None
        if kind == "boolean":
            return isinstance(datum, bool)
        if kind == "string":
            return isinstance(datum, str)
        if kind == "int":
            return _integral(datum) and INT_MIN <= datum <= INT_MAX
        if kind == "long":
            return _integral(datum) and LONG_MIN <= datum <= LONG_MAX
        if kind in ("float", "double"):
            return isinstance(datum, (int, float, numbers.Real)) and not isinstance(datum, bool)
        if kind == "bytes":
            return isinstance(datum, (bytes, bytearray))
        if kind == "fixed":
            return isinstance(datum, (bytes, bytearray)) and len(datum) == node["size"]
        if kind == "enum":
            return bool(datum in node["symbols"])
        if kind in ("array", "map", "record", "error"):
            if depth >= self.max_depth:
                raise _Raises("nested deeper than max_depth")
            if kind == "array":
                return self.array(datum, node, depth + 1)
            if kind == "map":
                return self.map(datum, node, depth + 1)
            return self.record(datum, node, depth + 1)
        if kind in self.named:
            return self.valid(datum, self.named[kind], depth)
        raise _Raises(f"unknown type {kind!r}")

    def array(self, datum: Any, node: dict[str, Any], depth: int) -> bool:
        if not isinstance(datum, (Sequence, array.array)) or isinstance(datum, str):
            return False
        items = node["items"]
        return all(self.valid(item, items, depth) for item in datum)

    def map(self, datum: Any, node: dict[str, Any], depth: int) -> bool:
        if not isinstance(datum, Mapping):
            return False
        if not all(isinstance(key, str) for key in datum):
            return False
        values = node["values"]
        return all(self.valid(item, values, depth) for item in datum.values())

    def record(self, datum: Any, node: dict[str, Any], depth: int) -> bool:
        if not isinstance(datum, Mapping):
            return False
        if "-type" in datum and datum["-type"] != node["name"]:
            return False
        for field in node["fields"]:
            item = datum.get(field["name"], field.get("default", _NO_VALUE))
            if not self.valid(None if item is _NO_VALUE else item, field["type"], depth):
                return False
        return True

    def union(self, datum: Any, branches: list[Any], depth: int) -> bool:
        if isinstance(datum, tuple):  # fastavro's tuple notation: (type name, value)
            name, datum = datum  # ValueError (not a pair) is what fastavro raises too
            for candidate in branches:
                is_record = isinstance(candidate, dict) and candidate["type"] == "record"
                if (candidate["name"] if is_record else candidate) == name:
                    return self.valid(datum, candidate, depth)
            return False
        return any(self.valid(datum, branch, depth) for branch in branches)


def _integral(datum: object) -> bool:
    return isinstance(datum, (int, numbers.Integral)) and not isinstance(datum, bool)


def _decimal_valid(datum: decimal.Decimal, node: dict[str, Any], fixed: bool) -> bool:
    """Answer fastavro's decimal writer and bytes/fixed test from the digits alone."""
    sign, digits, exponent = datum.as_tuple()
    if not isinstance(exponent, int):  # NaN, infinities: fastavro's arithmetic raises
        raise _Raises("not a finite decimal")
    if len(digits) > node["precision"]:
        raise _Raises("more digits than the precision")
    scale = node.get("scale", 0)
    delta = exponent + scale
    if not fixed:
        if delta < 0:
            raise _Raises("more digits after the point than the scale")
        return True  # fastavro writes bytes: valid
    if -exponent > scale:
        raise _Raises("more digits after the point than the scale")
    if sign or not any(digits):
        return True  # negative values and zero are written in exactly `size` bytes
    bits = 8 * int(node["size"])
    # A positive value fits iff its bit length plus a sign bit fits the size; decide from the
    # digit count first so that an absurd exponent never builds the integer.
    if (len(digits) + max(delta, 0) - 1) / _DIGITS_PER_BIT >= bits:
        return False
    unscaled = int(decimal.Decimal((0, digits, max(delta, 0))))
    return unscaled.bit_length() + 1 <= bits
