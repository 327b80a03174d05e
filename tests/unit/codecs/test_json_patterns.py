"""JSON Schema patterns whose backtracking is catastrophic are refused; everyday ones are not.

Python's ``re`` has no timeout: a ``pattern`` such as ``^(a+)+$`` hangs validation on a few
dozen characters. The check decides it from the pattern's automaton (see
``glue_serde.codecs._backtracking``); these tests hold it to shapes it was not written for.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from glue_serde import DataFormat, Serializer
from glue_serde.codecs._backtracking import catastrophic_backtracking
from glue_serde.codecs.json import JsonCodec
from glue_serde.errors import SchemaError
from glue_serde.registry.memory import InMemorySchemaRegistry

EXPONENTIAL = [
    r"^(a+)+$",
    r"(a*)*b",
    r"(?:a+)+",
    r"(a|a?)+",
    r"^(a|aa)+$",
    r"(x+x+)+y",
    r"(\d+\d*)*x",
    r"^(\w+\s?)*$",
    r"([a-z]+)*\.",
    r"(a{1,20})+b",  # a counted repeat inside an unbounded one
    r"((a?|b?)c)*d",  # two ways to match nothing before c
    r"(?=(a+)+$)b",  # inside a lookahead
    r"(?!(\d+)+$)x",  # inside a negative lookahead
    r"^(\s*,?\s*\w+)*$",  # optional separators
    r"(?i)(A+a+)+!",  # case-insensitive classes overlap
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}"
    r"(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",  # the classic e-mail ReDoS
    r"(.*,)*x",
]

POLYNOMIAL = [
    r"\d*\d*\d*x",
    r"^.*a.*b.*c$",
    r"(.*a){12}",
    r"^[a-z]+[a-z0-9]+[a-z0-9_]+$",
]

HARMLESS = [
    r"^\d{4}-\d{2}-\d{2}$",
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+"
    r"(?:\.[0-9a-zA-Z-]+)*))?$",  # semver.org's own pattern
    r"^([a-z0-9]+(-[a-z0-9]+)*\.)+[a-z]{2,}$",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    r"^[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-z]{2,}$",
    r"^\w+(,\s*\w+)*$",
    r"^(?=.*[A-Z])(?=.*\d).{8,}$",
    r"^\+?[1-9]\d{1,14}$",
    r"^https?://[^\s/$.?#].[^\s]*$",
    r'"(?:\\.|[^"\\])*"',
    r"^[a-z]+(_[a-z]+)*$",
    r"^([01]?\d|2[0-3]):[0-5]\d$",
    r"^[A-Za-z ]{1,255}$",
    r"^-?\d+(\.\d{1,2})?$",
    r"^arn:aws:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$",
    r"^(a|ab)*$",  # overlapping first characters, yet one way to match
    r"(\w|\d)+$",  # re merges these alternatives into one class
    r"(\w|_)+$",  # likewise: one class, one way
    r"^(?:" + "|".join(f"{c}{d}" for c in "ABCDEFGHIJ" for d in "KLMNOPQRST") + r")$",
    r"^(?:[a-z]{1,16}\.){1,16}$",
    r"^.*$",
    "",
]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_exponential_patterns_are_refused(pattern: str) -> None:
    reason = catastrophic_backtracking(pattern)
    assert reason is not None and "exponential" in reason


@pytest.mark.parametrize("pattern", POLYNOMIAL)
def test_patterns_slower_than_quadratic_are_refused(pattern: str) -> None:
    reason = catastrophic_backtracking(pattern)
    assert reason is not None and "power" in reason


@pytest.mark.parametrize("pattern", HARMLESS)
def test_everyday_patterns_are_accepted(pattern: str) -> None:
    re.compile(pattern)
    assert catastrophic_backtracking(pattern) is None


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^(a+)+$"},
        {"properties": {"name": {"pattern": "(x+x+)+y"}}},
        {"patternProperties": {"^(\\w+\\s?)*$": {}}},
        {"propertyNames": {"pattern": "(a|aa)+$"}},
        {"items": [{"pattern": "\\d*\\d*\\d*x"}]},
    ],
)
def test_a_schema_holding_one_is_a_schema_error_naming_the_pattern(
    schema: dict[str, Any],
) -> None:
    with pytest.raises(SchemaError, match=r"pattern .* can take"):
        JsonCodec().canonical_definition(schema)


def test_a_producer_never_registers_it() -> None:
    registry = InMemorySchemaRegistry()
    with pytest.raises(SchemaError, match="exponential"):
        Serializer(
            registry,
            data_format=DataFormat.JSON,
            schema={"type": "string", "pattern": "^(a+)+$"},
            schema_name="names",
            auto_register=True,
        ).serialize("a")
    assert list(registry.list_schemas()) == []


def test_a_schema_with_everyday_patterns_validates_as_before() -> None:
    codec = JsonCodec()
    schema = {
        "type": "object",
        "properties": {
            "when": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "host": {"type": "string", "pattern": r"^([a-z0-9]+(-[a-z0-9]+)*\.)+[a-z]{2,}$"},
        },
    }
    codec.canonical_definition(schema)
    text = codec.canonical_definition(schema)
    assert codec.decode(text, codec.encode(text, {"when": "2026-01-31"})) == {"when": "2026-01-31"}
