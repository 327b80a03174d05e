"""The JSON Schema inclusion proofs, checked against jsonschema itself on generated schemas.

A "compatible" answer must be provable, so the building blocks of the proofs are checked on
their own: the intersection of two schemas (``_conjoin``) accepts every document both accept;
a pattern said to match every string matches every string; patterns said to be disjoint share
no string. Then whole verdicts: a BACKWARD-compatible answer for a generated pair of schemas
survives the documents generated for it. The suite runs a few examples of each; set
GLUE_SERDE_SOUNDNESS_EXAMPLES (say 3000) for a deeper search.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glue_serde import SchemaError
from glue_serde.compat.json import (
    _conjoin,
    _disjoint_patterns,
    _matches_every_string,
    find_problems,
)

D7 = "http://json-schema.org/draft-07/schema#"
D4 = "http://json-schema.org/draft-04/schema#"

EVERY_STRING = [
    "", "a*", ".*", "^a*", "(?:)", "x|", "a*$", "$", "(a*)+", "a{0}", "[\\s\\S]*",
    "^[\\s\\S]*$", "^(?:[\\d\\D])*$", "[\\w\\W]*", "^[\\x00-\\U0010ffff]*$",
]  # fmt: skip
#: patterns that do not match every string, each with a string it does not match
NOT_EVERY_STRING = {
    "^.*$": "a\nb",  # `.` stops at a newline
    "^$": "a",
    "x$": "a",
    "a": "b",
    "^x": "ax",
    "[\\s\\S]+": "",
    ".+": "",
    "\\b": "",
    "(?=a)": "b",
    "^\\S*$": " ",
    "x{3}": "xx",
    "^a*$": "b",
}


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_patterns_said_to_match_every_string_do(text: str) -> None:
    for pattern in EVERY_STRING:
        assert _matches_every_string(pattern), pattern
        assert re.search(pattern, text) is not None, (pattern, text)


@pytest.mark.parametrize("pattern", NOT_EVERY_STRING)
def test_patterns_missing_a_string_are_not_said_to_match_every_string(pattern: str) -> None:
    assert re.search(pattern, NOT_EVERY_STRING[pattern]) is None
    assert not _matches_every_string(pattern)


DISJOINT = [("^S_", "^I_"), ("^ab", "^ac"), ("^x-", "^y")]
OVERLAPPING = [("^x", "^xy"), ("^x", "a*"), ("^S_", "S_"), ("^a", "^a")]


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["", "S_", "I_", "ab", "ac", "x-", "y"]), rest=st.text(max_size=5))
def test_patterns_said_to_be_disjoint_share_no_string(prefix: str, rest: str) -> None:
    for p, q in DISJOINT:
        assert _disjoint_patterns(p, q)
        assert not (re.search(p, prefix + rest) and re.search(q, prefix + rest))


@pytest.mark.parametrize(("p", "q"), OVERLAPPING)
def test_overlapping_patterns_are_not_said_to_be_disjoint(p: str, q: str) -> None:
    assert not _disjoint_patterns(p, q)


# --- generated schemas and documents ----------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "x1", "xy1", "I_1", "ab"])
NUMBERS = st.sampled_from([0, 1, 2, 3, -1, 0.5, 1.5, 2.5, 10])
VALUES = st.sampled_from([None, True, False, 0, 1, 2, 0.5, "", "a", "ab", "x1", "a\nb"])
PATTERNS = st.sampled_from(["^x", "^xy", "a*", "^I_", "^.*$", "b|", "^a$"])


def _schemas(draft: int) -> st.SearchStrategy[Any]:
    bound_flags = (
        {"exclusiveMinimum": st.booleans(), "exclusiveMaximum": st.booleans()}
        if draft == 4
        else {"exclusiveMinimum": NUMBERS, "exclusiveMaximum": NUMBERS}
    )
    leaf = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(
                ["string", "integer", "number", "object", "array", "null", ["string", "integer"]]
            ),
            "minimum": NUMBERS,
            "maximum": NUMBERS,
            **bound_flags,
            "multipleOf": st.sampled_from([1, 2, 3, 0.5]),
            "minLength": st.integers(0, 3),
            "maxLength": st.integers(0, 3),
            "pattern": PATTERNS,
            "enum": st.lists(VALUES, min_size=1, max_size=3, unique_by=json.dumps),
            "required": st.lists(NAMES, min_size=1, max_size=2, unique=True),
            "minProperties": st.integers(0, 2),
            "maxProperties": st.integers(0, 2),
            "minItems": st.integers(0, 2),
            "maxItems": st.integers(0, 2),
            "uniqueItems": st.booleans(),
        },
    )

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["object", "array", "string", ["object", "null"]]),
                "properties": st.dictionaries(NAMES, inner, max_size=2),
                "patternProperties": st.dictionaries(PATTERNS, inner, max_size=2),
                "additionalProperties": st.one_of(st.booleans(), inner),
                "dependencies": st.dictionaries(
                    NAMES, st.one_of(st.lists(NAMES, min_size=1, max_size=2, unique=True), inner)
                ),
                "items": st.one_of(inner, st.lists(inner, min_size=1, max_size=2)),
                "additionalItems": st.one_of(st.booleans(), inner),
                "allOf": st.lists(inner, min_size=1, max_size=2),
                "anyOf": st.lists(inner, min_size=1, max_size=2),
                "oneOf": st.lists(inner, min_size=1, max_size=2),
                "not": inner,
                **({} if draft == 4 else {"propertyNames": inner, "contains": inner}),
            },
        )

    return st.recursive(leaf, extend, max_leaves=6)


def _documents() -> st.SearchStrategy[Any]:
    return st.recursive(
        VALUES | NUMBERS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
        max_leaves=6,
    )


def _validator(schema: Any, draft: int) -> Any:
    cls = jsonschema.Draft4Validator if draft == 4 else jsonschema.Draft7Validator
    return cls(schema)


@pytest.mark.parametrize("draft", [4, 7])
def test_the_intersection_accepts_every_document_both_parts_accept(draft: int) -> None:
    @settings(
        max_examples=int(os.environ.get("GLUE_SERDE_SOUNDNESS_EXAMPLES", "60")),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(a=_schemas(draft), b=_schemas(draft), docs=st.lists(_documents(), max_size=12))
    def check(a: Any, b: Any, docs: list[Any]) -> None:
        both = _conjoin(a, b, draft)
        va, vb, vboth = (_validator(s, draft) for s in (a, b, both))
        for doc in docs:
            if va.is_valid(doc) and vb.is_valid(doc):
                assert vboth.is_valid(doc), (doc, both)

    check()


KEYWORDS = st.sets(
    st.sampled_from(
        [
            *("type", "properties", "patternProperties", "required", "additionalProperties"),
            *("allOf", "anyOf", "oneOf", "not", "minimum", "maximum", "pattern", "items", "enum"),
        ]
    )
)


@pytest.mark.parametrize("draft", [4, 7])
def test_backward_compatible_verdicts_survive_generated_documents(draft: int) -> None:
    uri = D4 if draft == 4 else D7

    @settings(
        max_examples=int(os.environ.get("GLUE_SERDE_SOUNDNESS_EXAMPLES", "60")),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(
        old=_schemas(draft),
        extra=_schemas(draft),
        dropped=KEYWORDS,
        how=st.sampled_from(["drop", "drop-and-add", "unrelated"]),
        docs=st.lists(_documents(), max_size=12),
    )
    def check(old: Any, extra: Any, dropped: set[str], how: str, docs: list[Any]) -> None:
        # new versions near the old one (keywords dropped, some added) as well as unrelated
        kept = {k: v for k, v in old.items() if k not in dropped}
        new = {"drop": kept, "drop-and-add": {**kept, **extra}, "unrelated": extra}[how]
        old_text, new_text = (
            json.dumps({"$schema": uri, **old}),
            json.dumps({"$schema": uri, **new}),
        )
        try:
            problems, _ = find_problems(old_text, new_text, "backward")
        except SchemaError:
            return  # not a valid pair of definitions
        if problems:
            return
        v_old = _validator(json.loads(old_text), draft)
        v_new = _validator(json.loads(new_text), draft)
        for doc in docs:
            if v_old.is_valid(doc):
                assert v_new.is_valid(doc), (doc, old_text, new_text)

    check()
