"""JSON Schema compatibility: inclusion of validation sets (docs/compatibility.md).

BACKWARD(old, new) holds when every document valid under old is valid under new; FORWARD the
reverse. Every incompatible verdict in the table comes with a witness document: valid under
the writer's schema and invalid under the reader's, checked here with jsonschema itself. Every
compatible verdict survives a search for counterexamples among generated documents.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glue_serde import Compatibility, DataFormat, SchemaError
from glue_serde.compat import check_compatibility, validate_definition

from ._cases import Case, case, unproved

D7 = "http://json-schema.org/draft-07/schema#"
D6 = "http://json-schema.org/draft-06/schema#"
D4 = "http://json-schema.org/draft-04/schema#"


def s(schema: dict[str, Any]) -> str:
    return json.dumps(schema)


def obj(props: dict[str, Any], *, required: list[str] | None = None, closed: Any = None) -> str:
    schema: dict[str, Any] = {"$schema": D7, "type": "object", "properties": props}
    if required:
        schema["required"] = required
    if closed is not None:
        schema["additionalProperties"] = closed
    return s(schema)


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
NULL = {"type": "null"}
BASE = obj({"id": STR})
CLOSED = obj({"id": STR}, closed=False)

CASES: list[Case] = [
    # content models: open and closed (docs/compatibility.md, "Per format")
    case(
        "json-add-optional-property-open-model",
        BASE,
        obj({"id": STR, "note": STR}),
        False,
        True,
        "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    ),
    case(
        "json-add-optional-property-closed-model",
        CLOSED,
        obj({"id": STR, "note": STR}, closed=False),
        True,
        False,
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ),
    case(
        "json-remove-property-open-model",
        obj({"id": STR, "note": STR}),
        BASE,
        True,
        False,
        "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    ),
    case(
        "json-remove-property-closed-model",
        obj({"id": STR, "note": STR}, closed=False),
        CLOSED,
        False,
        True,
        "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ),
    case(
        "json-add-unconstrained-property-open-model", BASE, obj({"id": STR, "any": {}}), True, True
    ),
    case(
        "json-add-property-covered-by-partially-open-model",
        obj({"id": STR}, closed=STR),
        obj({"id": STR, "note": STR}, closed=STR),
        True,
        True,
    ),
    case("json-close-an-open-model", BASE, CLOSED, False, True, "ADDITIONAL_PROPERTIES_REMOVED"),
    case("json-open-a-closed-model", CLOSED, BASE, True, False, "ADDITIONAL_PROPERTIES_REMOVED"),
    # required
    case(
        "json-make-property-required",
        BASE,
        obj({"id": STR}, required=["id"]),
        False,
        True,
        "REQUIRED_ATTRIBUTE_ADDED",
    ),
    case(
        "json-drop-required",
        obj({"id": STR}, required=["id"]),
        BASE,
        True,
        False,
        "REQUIRED_ATTRIBUTE_ADDED",
    ),
    case(
        "json-required-with-default-still-required",
        BASE,
        obj({"id": {"type": "string", "default": "x"}}, required=["id"]),
        False,
        True,
        "REQUIRED_ATTRIBUTE_ADDED",
    ),
    # types
    case(
        "json-integer-to-number",
        s({"type": "integer"}),
        s({"type": "number"}),
        True,
        False,
        "TYPE_CHANGED",
    ),
    case(
        "json-number-to-integer",
        s({"type": "number"}),
        s({"type": "integer"}),
        False,
        True,
        "TYPE_CHANGED",
    ),
    case(
        "json-add-null-to-type",
        s({"type": "string"}),
        s({"type": ["string", "null"]}),
        True,
        False,
        "TYPE_NARROWED",
    ),
    case(
        "json-string-to-integer",
        s({"type": "string"}),
        s({"type": "integer"}),
        False,
        False,
        "TYPE_CHANGED",
    ),
    case("json-property-type-changed", BASE, obj({"id": INT}), False, False, "TYPE_CHANGED"),
    # strings
    case(
        "json-max-length-decreased",
        s({"type": "string", "maxLength": 10}),
        s({"type": "string", "maxLength": 5}),
        False,
        True,
        "MAX_LENGTH_DECREASED",
    ),
    case(
        "json-max-length-increased",
        s({"type": "string", "maxLength": 5}),
        s({"type": "string", "maxLength": 10}),
        True,
        False,
        "MAX_LENGTH_DECREASED",
    ),
    case(
        "json-min-length-added",
        s({"type": "string"}),
        s({"type": "string", "minLength": 2}),
        False,
        True,
        "MIN_LENGTH_ADDED",
    ),
    case(
        "json-pattern-added",
        s({"type": "string"}),
        s({"type": "string", "pattern": "^[A-Z]{3}$"}),
        False,
        True,
        "PATTERN_ADDED",
    ),
    case(
        "json-pattern-removed",
        s({"type": "string", "pattern": "^[A-Z]{3}$"}),
        s({"type": "string"}),
        True,
        False,
        "PATTERN_ADDED",
    ),
    # numbers
    case(
        "json-maximum-decreased",
        s({"type": "number", "maximum": 100}),
        s({"type": "number", "maximum": 50}),
        False,
        True,
        "MAXIMUM_DECREASED",
    ),
    case(
        "json-minimum-decreased",
        s({"type": "number", "minimum": 10}),
        s({"type": "number", "minimum": 0}),
        True,
        False,
        "MINIMUM_INCREASED",
    ),
    case(
        "json-exclusive-maximum-draft4",
        s({"$schema": D4, "type": "number", "maximum": 5}),
        s({"$schema": D4, "type": "number", "maximum": 5, "exclusiveMaximum": True}),
        False,
        True,
        "MAXIMUM_DECREASED",
    ),
    case(
        "json-exclusive-minimum-draft6",
        s({"$schema": D6, "type": "number", "minimum": 0}),
        s({"$schema": D6, "type": "number", "exclusiveMinimum": 0}),
        False,
        True,
        "MINIMUM_INCREASED",
    ),
    # enums
    case(
        "json-enum-extended",
        s({"enum": ["a", "b"]}),
        s({"enum": ["a", "b", "c"]}),
        True,
        False,
        "ENUM_ARRAY_NARROWED",
    ),
    case(
        "json-enum-narrowed",
        s({"enum": ["a", "b"]}),
        s({"enum": ["a"]}),
        False,
        True,
        "ENUM_ARRAY_NARROWED",
    ),
    # arrays
    case(
        "json-array-items-type-changed",
        s({"type": "array", "items": STR}),
        s({"type": "array", "items": INT}),
        False,
        False,
        "TYPE_CHANGED",
    ),
    case(
        "json-max-items-decreased",
        s({"type": "array", "items": STR, "maxItems": 5}),
        s({"type": "array", "items": STR, "maxItems": 2}),
        False,
        True,
        "MAX_ITEMS_DECREASED",
    ),
    case(
        "json-unique-items-added",
        s({"type": "array", "items": STR}),
        s({"type": "array", "items": STR, "uniqueItems": True}),
        False,
        True,
        "UNIQUE_ITEMS_ADDED",
    ),
    # nesting and $ref
    case(
        "json-nested-property-type-changed",
        obj({"payment": {"type": "object", "properties": {"amount": NUM}}}),
        obj({"payment": {"type": "object", "properties": {"amount": STR}}}),
        False,
        False,
        "TYPE_CHANGED",
    ),
    case(
        "json-inline-moved-into-definitions",
        obj({"id": STR}),
        s(
            {
                "$schema": D7,
                "type": "object",
                "definitions": {"Id": STR},
                "properties": {"id": {"$ref": "#/definitions/Id"}},
            }
        ),
        True,
        True,
    ),
    case(
        "json-referenced-definition-tightened",
        s(
            {
                "$schema": D7,
                "type": "object",
                "definitions": {"Id": STR},
                "properties": {"id": {"$ref": "#/definitions/Id"}},
            }
        ),
        s(
            {
                "$schema": D7,
                "type": "object",
                "definitions": {"Id": {"type": "string", "maxLength": 3}},
                "properties": {"id": {"$ref": "#/definitions/Id"}},
            }
        ),
        False,
        True,
        "MAX_LENGTH_ADDED",
    ),
    case(
        "json-unreferenced-definition-changed",
        s(
            {
                "$schema": D7,
                "type": "object",
                "definitions": {"Unused": STR},
                "properties": {"id": STR},
            }
        ),
        s(
            {
                "$schema": D7,
                "type": "object",
                "definitions": {"Unused": INT},
                "properties": {"id": STR},
            }
        ),
        True,
        True,
    ),
    # annotations are neutral
    case(
        "json-annotations-changed",
        s({"$schema": D7, "type": "string", "title": "A", "description": "x"}),
        s({"$schema": D7, "type": "string", "title": "B", "description": "y", "examples": ["z"]}),
        True,
        True,
    ),
    # combinators
    case(
        "json-any-of-branch-added",
        s({"anyOf": [STR, INT]}),
        s({"anyOf": [STR, INT, {"type": "boolean"}]}),
        True,
        False,
    ),
    case("json-any-of-branch-removed", s({"anyOf": [STR, INT]}), s({"anyOf": [STR]}), False, True),
    case(
        "json-one-of-branch-added",
        s({"oneOf": [STR, INT]}),
        s({"oneOf": [STR, INT, {"type": "boolean"}]}),
        True,
        False,
    ),
    case(
        "json-all-of-branch-added",
        s({"allOf": [STR]}),
        s({"allOf": [STR, {"maxLength": 3}]}),
        False,
        True,
        "MAX_LENGTH_ADDED",
    ),
    case(
        "json-all-of-branch-removed",
        s({"allOf": [STR, {"maxLength": 3}]}),
        s({"allOf": [STR]}),
        True,
        False,
        "MAX_LENGTH_ADDED",
    ),
    case(
        "json-not-added",
        s({"type": "string"}),
        s({"type": "string", "not": {"enum": ["x"]}}),
        False,
        True,
        "NOT_TYPE_EXTENDED",
    ),
    case(
        "json-const-changed",
        s({"$schema": D7, "const": "a"}),
        s({"$schema": D7, "const": "b"}),
        False,
        False,
    ),
    case(
        "json-const-widened-to-enum",
        s({"$schema": D7, "const": "a"}),
        s({"$schema": D7, "enum": ["a", "b"]}),
        True,
        False,
    ),
    case(
        "json-min-properties-added",
        s({"type": "object"}),
        s({"type": "object", "minProperties": 1}),
        False,
        True,
        "MIN_PROPERTIES_ADDED",
    ),
    case(
        "json-max-properties-increased",
        s({"type": "object", "maxProperties": 1}),
        s({"type": "object", "maxProperties": 2}),
        True,
        False,
        "MAX_PROPERTIES_DECREASED",
    ),
    case(
        "json-pattern-properties-opened-in-closed-model",
        s({"type": "object", "additionalProperties": False}),
        s({"type": "object", "additionalProperties": False, "patternProperties": {"^x-": STR}}),
        True,
        False,
    ),
    case(
        "json-dependencies-added",
        s({"type": "object", "properties": {"a": {}, "b": {}}}),
        s({"type": "object", "properties": {"a": {}, "b": {}}, "dependencies": {"a": ["b"]}}),
        False,
        True,
        "DEPENDENCY_ARRAY_ADDED",
    ),
    case(
        "json-if-then-added-draft7",
        s({"$schema": D7, "type": "object"}),
        s(
            {
                "$schema": D7,
                "type": "object",
                "if": {"required": ["a"]},
                "then": {"required": ["b"]},
            }
        ),
        False,
        True,
        "CONDITIONAL_CHANGED",
    ),
    case(
        "json-tuple-items-added",
        s({"type": "array"}),
        s({"type": "array", "items": [STR]}),
        False,
        True,
    ),
    case(
        "json-min-items-removed",
        s({"type": "array", "minItems": 2}),
        s({"type": "array"}),
        True,
        False,
        "MIN_ITEMS_ADDED",
    ),
    case(
        "json-multiple-of-relaxed-to-a-divisor",
        s({"type": "integer", "multipleOf": 4}),
        s({"type": "integer", "multipleOf": 2}),
        True,
        False,
        "MULTIPLE_OF_CHANGED",
    ),
    case(
        "json-multiple-of-tightened-to-a-multiple",
        s({"type": "integer", "multipleOf": 2}),
        s({"type": "integer", "multipleOf": 4}),
        False,
        True,
        "MULTIPLE_OF_CHANGED",
    ),
    case(
        "json-required-property-made-nullable",
        obj({"id": STR}, required=["id"]),
        obj({"id": {"type": ["string", "null"]}}, required=["id"]),
        True,
        False,
    ),
    # inclusion through combinators: allOf on the writer side is an intersection, anyOf/oneOf
    # on the reader side a union (oneOf: one branch and no other)
    case(
        "json-all-of-narrower-part-into-any-of",
        s({"allOf": [{"type": "string", "maxLength": 10}, {"type": "string", "maxLength": 5}]}),
        s({"anyOf": [{"type": "string", "maxLength": 5}]}),
        True,
        True,
    ),
    case(
        "json-all-of-of-clashing-types-into-one-of",
        s({"allOf": [{"type": "number"}, {"type": "string"}]}),
        s({"oneOf": [{"type": "string"}]}),
        True,
        False,
        "TYPE_CHANGED",
    ),
    case(
        "json-all-of-parts-into-any-of-with-null",
        s({"allOf": [{"type": "object", "required": ["id"]}, {"properties": {"id": STR}}]}),
        s({"anyOf": [{"type": "object", "properties": {"id": STR}, "required": ["id"]}, NULL]}),
        True,
        False,
        "ENUM_ARRAY_NARROWED",
    ),
    case(
        "json-type-list-into-any-of-branches",
        s({"type": ["string", "integer"]}),
        s({"anyOf": [STR, INT]}),
        True,
        True,
    ),
    case(
        "json-type-list-into-one-of-branches",
        s({"type": ["string", "integer"]}),
        s({"oneOf": [STR, NUM]}),
        True,
        False,
        "TYPE_CHANGED",
    ),
    case(
        "json-one-of-overlapping-branches",
        s({"type": "integer"}),
        s({"oneOf": [INT, {"type": "number", "minimum": 0}]}),
        False,
        False,
        "SUM_TYPE_NARROWED",
    ),
    unproved(
        case(
            "json-one-of-disjoint-lengths",
            s({"type": "string", "maxLength": 2}),
            s({"oneOf": [{"type": "string", "maxLength": 2}, {"type": "string", "minLength": 3}]}),
            False,
            False,
            "SUM_TYPE_NARROWED",
        ),
        "backward",
    ),
    case(
        "json-all-of-content-models-are-not-mixed",
        s(
            {
                "type": "object",
                "allOf": [
                    {"patternProperties": {"^a": {}}},
                    {"patternProperties": {"^x": {}}, "additionalProperties": False},
                ],
            }
        ),
        s({"type": "object", "patternProperties": {"^a": {}}, "additionalProperties": False}),
        False,
        False,
        "ADDITIONAL_PROPERTIES_REMOVED",
    ),
    case(
        "json-overlapping-pattern-properties",
        s({"type": "object", "patternProperties": {"^x": {}}, "additionalProperties": False}),
        s({"type": "object", "patternProperties": {"^xy": INT}}),
        False,
        False,
        "ADDITIONAL_PROPERTIES_NARROWED",
    ),
    case(
        "json-property-covered-by-disjoint-patterns",
        s(
            {
                "type": "object",
                "patternProperties": {"^S_": STR, "^I_": INT},
                "additionalProperties": False,
            }
        ),
        s(
            {
                "type": "object",
                "properties": {"I_count": NUM},
                "patternProperties": {"^S_": STR, "^I_": INT},
                "additionalProperties": False,
            }
        ),
        True,
        True,
    ),
    # patterns that every string matches restrict nothing
    case(
        "json-pattern-a-star-added",
        s({"type": "string"}),
        s({"type": "string", "pattern": "a*"}),
        True,
        True,
    ),
    case(
        "json-pattern-dot-star-added",
        s({"type": "string"}),
        s({"type": "string", "pattern": ".*"}),
        True,
        True,
    ),
    case(
        "json-unanchored-pattern-matching-empty-replaced",
        s({"type": "string", "pattern": "x|"}),
        s({"type": "string", "pattern": "^a*"}),
        True,
        True,
    ),
    case(
        "json-pattern-any-character-run-anchored",
        s({"type": "string"}),
        s({"type": "string", "pattern": "^[\\s\\S]*$"}),
        True,
        True,
    ),
    case(
        "json-pattern-dot-star-anchored-rejects-newlines",
        s({"type": "string"}),
        s({"type": "string", "pattern": "^.*$"}),
        False,
        True,
        "PATTERN_ADDED",
    ),
    case(
        "json-pattern-empty-string-only",
        s({"type": "string"}),
        s({"type": "string", "pattern": "^$"}),
        False,
        True,
        "PATTERN_ADDED",
    ),
    unproved(
        case(
            "json-pattern-widened",
            s({"type": "string", "pattern": "^[a-z]+$"}),
            s({"type": "string", "pattern": "^[a-z]*$"}),
            False,
            False,
            "PATTERN_CHANGED",
        ),
        "backward",
    ),
    case(
        "json-property-names-pattern-matching-everything",
        s({"$schema": D7, "type": "object"}),
        s({"$schema": D7, "type": "object", "propertyNames": {"pattern": "a*"}}),
        True,
        True,
    ),
    case(
        "json-property-names-max-length-added",
        s({"$schema": D7, "type": "object"}),
        s({"$schema": D7, "type": "object", "propertyNames": {"maxLength": 3}}),
        False,
        True,
        "PROPERTY_NAMES_NARROWED",
    ),
    case(
        "json-pattern-properties-matching-every-name",
        s({"type": "object", "additionalProperties": STR}),
        s({"type": "object", "patternProperties": {"^a*": STR}}),
        True,
        True,
    ),
    # bounds over the integers, unsatisfiable dependencies, empty writers
    case(
        "json-integer-minimum-half-and-exclusive-minimum-zero",
        s({"$schema": D7, "type": "integer", "exclusiveMinimum": 0}),
        s({"$schema": D7, "type": "integer", "minimum": 0.5}),
        True,
        True,
    ),
    case(
        "json-integer-exclusive-maximum-draft4",
        s({"$schema": D4, "type": "integer", "maximum": 10, "exclusiveMaximum": True}),
        s({"$schema": D4, "type": "integer", "maximum": 9.5}),
        True,
        True,
    ),
    case(
        "json-number-minimum-half-and-exclusive-minimum-zero",
        s({"$schema": D7, "type": "number", "exclusiveMinimum": 0}),
        s({"$schema": D7, "type": "number", "minimum": 0.5}),
        False,
        True,
        "MINIMUM_INCREASED",
    ),
    case(
        "json-integer-multiple-of-a-half",
        s({"type": "integer"}),
        s({"type": "integer", "multipleOf": 0.5}),
        True,
        True,
    ),
    case(
        "json-integer-multiple-of-two-added",
        s({"type": "integer"}),
        s({"type": "integer", "multipleOf": 2}),
        False,
        True,
        "MULTIPLE_OF_ADDED",
    ),
    case(
        "json-integer-range-holding-no-integer",
        s({"type": "integer", "minimum": 0.2, "maximum": 0.8}),
        s({"type": "string"}),
        True,
        False,
        "TYPE_CHANGED",
    ),
    case(
        "json-dependency-no-object-satisfies",
        s({"$schema": D7, "type": "object", "dependencies": {"a": False}}),
        s({"$schema": D7, "type": "object", "properties": {"a": INT}}),
        True,
        False,
        "DEPENDENCY_SCHEMA_ADDED",
    ),
    case(
        "json-dependency-array-needing-a-forbidden-property",
        s({"type": "object", "properties": {"b": {"not": {}}}, "dependencies": {"a": ["b"]}}),
        s({"type": "object", "properties": {"b": {"not": {}}, "a": STR}}),
        True,
        False,
        "DEPENDENCY_ARRAY_ADDED",
    ),
    case(
        "json-dependency-on-a-forbidden-property-added",
        s({"type": "object", "properties": {"a": {"not": {}}}}),
        s({"type": "object", "properties": {"a": {"not": {}}}, "dependencies": {"a": ["b"]}}),
        True,
        True,
    ),
    case(
        "json-required-property-the-writer-forbids",
        s({"type": "object", "properties": {"a": {"not": {}}}, "required": ["a"]}),
        s({"type": "object", "required": ["a", "b"]}),
        True,
        False,
        "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    ),
    case(
        "json-dependent-required-is-not-a-draft-07-keyword",
        s({"$schema": D7, "type": "object"}),
        s({"$schema": D7, "type": "object", "dependentRequired": {"a": ["b"]}}),
        True,
        True,
    ),
]

# For every failing direction: a document valid under the writer's schema and invalid under
# the reader's. BACKWARD's writer is the old schema, FORWARD's the new one.
WITNESSES: dict[str, dict[str, Any]] = {
    "json-add-optional-property-open-model": {"backward": {"id": "a", "note": 5}},
    "json-add-optional-property-closed-model": {"forward": {"id": "a", "note": "n"}},
    "json-remove-property-open-model": {"forward": {"id": "a", "note": 5}},
    "json-remove-property-closed-model": {"backward": {"id": "a", "note": "n"}},
    "json-close-an-open-model": {"backward": {"id": "a", "extra": 1}},
    "json-open-a-closed-model": {"forward": {"id": "a", "extra": 1}},
    "json-make-property-required": {"backward": {}},
    "json-drop-required": {"forward": {}},
    "json-required-with-default-still-required": {"backward": {}},
    "json-integer-to-number": {"forward": 1.5},
    "json-number-to-integer": {"backward": 1.5},
    "json-add-null-to-type": {"forward": None},
    "json-string-to-integer": {"backward": "a", "forward": 1},
    "json-property-type-changed": {"backward": {"id": "a"}, "forward": {"id": 1}},
    "json-max-length-decreased": {"backward": "abcdefg"},
    "json-max-length-increased": {"forward": "abcdefg"},
    "json-min-length-added": {"backward": "a"},
    "json-pattern-added": {"backward": "eur"},
    "json-pattern-removed": {"forward": "eur"},
    "json-maximum-decreased": {"backward": 75},
    "json-minimum-decreased": {"forward": 5},
    "json-exclusive-maximum-draft4": {"backward": 5},
    "json-exclusive-minimum-draft6": {"backward": 0},
    "json-enum-extended": {"forward": "c"},
    "json-enum-narrowed": {"backward": "b"},
    "json-array-items-type-changed": {"backward": ["a"], "forward": [1]},
    "json-max-items-decreased": {"backward": ["a", "b", "c"]},
    "json-unique-items-added": {"backward": ["a", "a"]},
    "json-nested-property-type-changed": {
        "backward": {"payment": {"amount": 1}},
        "forward": {"payment": {"amount": "1"}},
    },
    "json-referenced-definition-tightened": {"backward": {"id": "abcd"}},
    "json-any-of-branch-added": {"forward": True},
    "json-any-of-branch-removed": {"backward": 1},
    "json-one-of-branch-added": {"forward": True},
    "json-all-of-branch-added": {"backward": "abcd"},
    "json-all-of-branch-removed": {"forward": "abcd"},
    "json-not-added": {"backward": "x"},
    "json-const-changed": {"backward": "a", "forward": "b"},
    "json-const-widened-to-enum": {"forward": "b"},
    "json-min-properties-added": {"backward": {}},
    "json-max-properties-increased": {"forward": {"a": 1, "b": 2}},
    "json-pattern-properties-opened-in-closed-model": {"forward": {"x-a": "s"}},
    "json-dependencies-added": {"backward": {"a": 1}},
    "json-if-then-added-draft7": {"backward": {"a": 1}},
    "json-tuple-items-added": {"backward": [1]},
    "json-min-items-removed": {"forward": []},
    "json-multiple-of-relaxed-to-a-divisor": {"forward": 2},
    "json-multiple-of-tightened-to-a-multiple": {"backward": 2},
    "json-required-property-made-nullable": {"forward": {"id": None}},
    "json-all-of-of-clashing-types-into-one-of": {"forward": "a"},
    "json-all-of-parts-into-any-of-with-null": {"forward": None},
    "json-type-list-into-one-of-branches": {"forward": 1.5},
    "json-one-of-overlapping-branches": {"backward": 1, "forward": 0.5},
    "json-one-of-disjoint-lengths": {"forward": "abc"},
    "json-all-of-content-models-are-not-mixed": {"backward": {"x1": 1}, "forward": {"a1": 1}},
    "json-overlapping-pattern-properties": {"backward": {"xy1": "s"}, "forward": {"b": 1}},
    "json-pattern-dot-star-anchored-rejects-newlines": {"backward": "a\nb"},
    "json-pattern-empty-string-only": {"backward": "a"},
    "json-pattern-widened": {"forward": ""},
    "json-property-names-max-length-added": {"backward": {"abcd": 1}},
    "json-number-minimum-half-and-exclusive-minimum-zero": {"backward": 0.25},
    "json-integer-multiple-of-two-added": {"backward": 3},
    "json-integer-range-holding-no-integer": {"forward": "a"},
    "json-dependency-no-object-satisfies": {"forward": {"a": 1}},
    "json-dependency-array-needing-a-forbidden-property": {"forward": {"a": "x"}},
    "json-required-property-the-writer-forbids": {"forward": {"a": 1, "b": 1}},
}


def _valid(schema_text: str, doc: Any) -> bool:
    """Validate as glue_serde reads the schema: draft from ``$schema``, draft-04 when absent."""
    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    return bool(cls(schema).is_valid(doc))


def _verdict(c: Case, mode: Compatibility) -> Any:
    return check_compatibility(DataFormat.JSON, c.new, [c.old], mode)


@pytest.mark.parametrize("c", CASES, ids=repr)
def test_case_verdicts_and_problem_kinds_match_the_table(c: Case) -> None:
    backward = _verdict(c, Compatibility.BACKWARD)
    forward = _verdict(c, Compatibility.FORWARD)
    assert (backward.compatible, forward.compatible) == (c.backward, c.forward)
    kinds = {p.kind for p in (*backward.problems, *forward.problems)}
    assert c.kinds <= kinds
    assert all(p.direction == "backward" for p in backward.problems)
    assert all(p.direction == "forward" for p in forward.problems)


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("c", CASES, ids=repr)
def test_every_incompatible_verdict_has_a_witness_document(c: Case) -> None:
    witnesses = WITNESSES.get(c.id, {})
    for direction, ok in (("backward", c.backward), ("forward", c.forward)):
        if ok or direction in c.unproved:
            assert direction not in witnesses
            continue
        doc = witnesses[direction]
        writer, reader = (c.old, c.new) if direction == "backward" else (c.new, c.old)
        assert _valid(writer, doc)
        assert not _valid(reader, doc)


@pytest.mark.parametrize("c", [c for c in CASES if c.unproved], ids=repr)
def test_unproved_refusals_say_the_inclusion_cannot_be_proved(c: Case) -> None:
    for direction in c.unproved:
        report = _verdict(c, Compatibility[direction.upper()])
        assert report.problems
        assert all("cannot prove" in p.message for p in report.problems)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-200, 200)
    | st.floats(-200, 200, allow_nan=False)
    | st.sampled_from(["a", "b", "c", "eur", "EUR", "abcdefg", "", "a\nb", "\n", "abc", "x1"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    *("id", "note", "extra", "payment", "amount", "any", "a", "b", "x-a"),
                    *("x1", "xy1", "a1", "abcd", "I_count", "I_1", "S_name", ""),
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(doc=json_values)
def test_compatible_verdicts_survive_a_search_for_counterexamples(doc: Any) -> None:
    for c in CASES:
        valid_old, valid_new = _valid(c.old, doc), _valid(c.new, doc)
        if c.backward and valid_old:
            assert valid_new, (c.id, doc)
        if c.forward and valid_new:
            assert valid_old, (c.id, doc)


def test_all_modes_compare_with_every_earlier_version() -> None:
    v1 = obj({"id": STR, "note": STR}, closed=False)
    v2 = obj({"id": STR, "note": STR})  # opened: BACKWARD-compatible with v1
    v3 = obj({"id": STR})  # removing from an open model: BACKWARD-compatible with v2
    assert check_compatibility(DataFormat.JSON, v3, [v1, v2], Compatibility.BACKWARD).compatible
    report = check_compatibility(DataFormat.JSON, v3, [v1, v2], Compatibility.BACKWARD_ALL)
    assert report.compatible  # inclusion is transitive


def test_unknown_keywords_are_reported_as_notes() -> None:
    report = check_compatibility(
        DataFormat.JSON,
        s({"type": "string", "x-custom": 1}),
        [s({"type": "string"})],
        Compatibility.FULL,
    )
    assert report.compatible
    assert any("x-custom" in note for note in report.notes)


@pytest.mark.parametrize(
    "definition",
    [
        "not json",
        s({"type": "no-such-type"}),
        s({"$ref": "http://example.com/schema.json"}),
        s({"$ref": "other.json#/definitions/A"}),
    ],
)
def test_invalid_or_external_schemas_are_schema_errors(definition: str) -> None:
    with pytest.raises(SchemaError):
        validate_definition(DataFormat.JSON, definition)
    with pytest.raises(SchemaError):
        check_compatibility(DataFormat.JSON, definition, [BASE], Compatibility.NONE)
