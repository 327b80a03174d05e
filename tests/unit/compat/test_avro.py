"""Avro compatibility: Glue-strict parsing and the reader/writer check.

Every case is checked three ways: against the expected verdicts and problem kinds, against
the PyPI ``avro`` package's port of Java ``SchemaCompatibility`` (with aliases resolved to full
names first, which is the one gap of that port), and, for every compatible direction, with
data: samples written by fastavro with the writer schema are read back with the reader schema.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from glue_serde import Compatibility, DataFormat, SchemaError
from glue_serde.compat import check_compatibility, validate_definition
from glue_serde.compat.avro import AvroSchema, find_problems, parse_schema

from ._cases import Case, case

RFMDV = "READER_FIELD_MISSING_DEFAULT_VALUE"
TM = "TYPE_MISMATCH"
NM = "NAME_MISMATCH"
MES = "MISSING_ENUM_SYMBOLS"
FSM = "FIXED_SIZE_MISMATCH"
MUB = "MISSING_UNION_BRANCH"


def rec(*fields: Any, name: str = "Payment", **extra: Any) -> str:
    doc: dict[str, Any] = {"type": "record", "name": name, **extra}
    doc["fields"] = [{"name": f[0], "type": f[1]} if isinstance(f, tuple) else f for f in fields]
    return json.dumps(doc)


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


ID = ("id", "string")
V1 = rec(ID)


def one(type_old: Any, type_new: Any) -> tuple[str, str]:
    """Payment records whose only other field ``x`` changes type."""
    return rec(ID, ("x", type_old)), rec(ID, ("x", type_new))


def enum(symbols: list[str], name: str = "Status", **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": name, "symbols": symbols, **extra}


def fixed(size: int, name: str = "Hash") -> dict[str, Any]:
    return {"type": "fixed", "name": name, "size": size}


INNER = {"type": "record", "name": "Amount", "fields": [{"name": "units", "type": "long"}]}
INNER_PLUS = {
    "type": "record",
    "name": "Amount",
    "fields": [{"name": "units", "type": "long"}, {"name": "currency", "type": "string"}],
}
LIST1 = json.dumps(
    {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "value", "type": "int"}, {"name": "next", "type": ["null", "Node"]}],
    }
)
LIST2_OPTIONAL = json.dumps(
    {
        "type": "record",
        "name": "Node",
        "fields": [
            {"name": "value", "type": "int"},
            {"name": "next", "type": ["null", "Node"]},
            {"name": "label", "type": ["null", "string"], "default": None},
        ],
    }
)
LIST2_REQUIRED = json.dumps(
    {
        "type": "record",
        "name": "Node",
        "fields": [
            {"name": "value", "type": "int"},
            {"name": "next", "type": ["null", "Node"]},
            {"name": "label", "type": "string"},
        ],
    }
)

CASES: list[Case] = [
    # the three textbook cases of Avro schema resolution (docs/compatibility.md, "Per format")
    case(
        "avro-add-nullable-field-with-default",
        V1,
        rec(ID, field("note", ["null", "string"], default=None)),
        True,
        True,
    ),
    case("avro-add-field-without-default", V1, rec(ID, ("qty", "int")), False, True, RFMDV),
    case("avro-string-to-bytes", V1, rec(("id", "bytes")), True, True),
    # fields
    case("avro-add-field-with-default", V1, rec(ID, field("qty", "int", default=0)), True, True),
    case(
        "avro-remove-field-without-default",
        rec(ID, ("qty", "int")),
        V1,
        True,
        False,
        RFMDV,
    ),
    case(
        "avro-remove-field-with-default",
        rec(ID, field("qty", "int", default=0)),
        V1,
        True,
        True,
    ),
    case(
        "avro-add-union-field-without-default",
        V1,
        rec(ID, ("note", ["null", "string"])),
        False,
        True,
        RFMDV,
    ),
    case(
        "avro-two-fields-added-without-default",
        V1,
        rec(ID, ("qty", "int"), ("currency", "string")),
        False,
        True,
        RFMDV,
    ),
    case(
        "avro-field-reordered",
        rec(ID, ("qty", "int")),
        rec(("qty", "int"), ID),
        True,
        True,
    ),
    case(
        "avro-doc-and-order-changed",
        V1,
        rec(field("id", "string", doc="the id", order="descending"), doc="a payment"),
        True,
        True,
    ),
    case(
        "avro-default-value-changed",
        rec(ID, field("qty", "int", default=0)),
        rec(ID, field("qty", "int", default=7)),
        True,
        True,
    ),
    case(
        "avro-field-renamed-with-alias",
        rec(("payment_id", "string")),
        rec(field("id", "string", aliases=["payment_id"])),
        True,
        False,
        RFMDV,
    ),
    case(
        "avro-field-renamed-without-alias",
        rec(("payment_id", "string")),
        V1,
        False,
        False,
        RFMDV,
    ),
    # primitive promotions
    case("avro-int-to-long", *one("int", "long"), True, False, TM),
    case("avro-int-to-float", *one("int", "float"), True, False, TM),
    case("avro-int-to-double", *one("int", "double"), True, False, TM),
    case("avro-long-to-float", *one("long", "float"), True, False, TM),
    case("avro-long-to-double", *one("long", "double"), True, False, TM),
    case("avro-float-to-double", *one("float", "double"), True, False, TM),
    case("avro-long-to-int", *one("long", "int"), False, True, TM),
    case("avro-int-to-string", *one("int", "string"), False, False, TM),
    case("avro-boolean-to-int", *one("boolean", "int"), False, False, TM),
    case("avro-double-to-float", *one("double", "float"), False, True, TM),
    case("avro-bytes-to-string", *one("bytes", "string"), True, True),
    case("avro-top-level-int-to-long", '"int"', '"long"', True, False, TM),
    case("avro-top-level-string-to-bytes", '"string"', '"bytes"', True, True),
    # unions
    case("avro-string-made-nullable", *one("string", ["null", "string"]), True, False, TM),
    case("avro-nullable-made-required", *one(["null", "string"], "string"), False, True, TM),
    case(
        "avro-union-branch-added",
        *one(["null", "string"], ["null", "string", "int"]),
        True,
        False,
        MUB,
    ),
    case(
        "avro-union-branch-removed",
        *one(["null", "string", "int"], ["null", "string"]),
        False,
        True,
        MUB,
    ),
    case(
        "avro-union-branch-promoted",
        *one(["null", "int"], ["null", "long"]),
        True,
        False,
        MUB,
    ),
    case("avro-union-collapsed-to-promotable-type", *one(["int", "long"], "long"), True, True),
    case(
        "avro-nullable-record-gains-required-field",
        *one(["null", INNER], ["null", INNER_PLUS]),
        False,
        True,
        MUB,
    ),
    # arrays and maps
    case(
        "avro-array-items-int-to-long",
        *one({"type": "array", "items": "int"}, {"type": "array", "items": "long"}),
        True,
        False,
        TM,
    ),
    case(
        "avro-map-values-string-to-bytes",
        *one({"type": "map", "values": "string"}, {"type": "map", "values": "bytes"}),
        True,
        True,
    ),
    case(
        "avro-array-to-map",
        *one({"type": "array", "items": "string"}, {"type": "map", "values": "string"}),
        False,
        False,
        TM,
    ),
    # named types
    case("avro-record-renamed", V1, rec(ID, name="Charge"), False, False, NM),
    case(
        "avro-record-renamed-with-alias",
        V1,
        rec(ID, name="Charge", aliases=["Payment"]),
        True,
        False,
        NM,
    ),
    case(
        "avro-namespace-changed",
        rec(ID, namespace="com.example"),
        rec(ID, namespace="org.example"),
        True,
        True,
    ),
    case(
        "avro-record-renamed-with-namespace-relative-alias",
        rec(ID, namespace="com.example"),
        rec(ID, name="PaymentV2", namespace="com.example", aliases=["Payment"]),
        True,
        False,
        NM,
    ),
    case(
        "avro-nested-record-gains-required-field",
        *one(INNER, INNER_PLUS),
        False,
        True,
        RFMDV,
    ),
    case("avro-record-to-string", *one(INNER, "string"), False, False, TM),
    case("avro-enum-symbol-added", *one(enum(["A", "B"]), enum(["A", "B", "C"])), True, False, MES),
    case("avro-enum-symbol-removed", *one(enum(["A", "B"]), enum(["A"])), False, True, MES),
    case(
        "avro-enum-symbol-added-with-reader-default",
        *one(enum(["U", "A"], default="U"), enum(["U", "A", "B"], default="U")),
        True,
        True,
    ),
    case("avro-enum-reordered", *one(enum(["A", "B"]), enum(["B", "A"])), True, True),
    case(
        "avro-enum-renamed",
        *one(enum(["A"]), enum(["A"], name="State")),
        False,
        False,
        NM,
    ),
    case("avro-enum-to-string", *one(enum(["A"]), "string"), False, False, TM),
    case(
        "avro-enum-field-with-symbol-default-added",
        V1,
        rec(ID, ("status", enum(["U", "A"], default="U"))),
        False,
        True,
        TM,  # Java compares the enum with the writer record here
    ),
    case("avro-fixed-size-changed", *one(fixed(16), fixed(32)), False, False, FSM),
    case("avro-fixed-renamed", *one(fixed(16), fixed(16, name="Digest")), False, False, NM),
    case("avro-fixed-to-bytes", *one(fixed(16), "bytes"), False, False, TM),
    # logical types are ignored (Java)
    case(
        "avro-timestamp-millis-to-micros",
        *one(
            {"type": "long", "logicalType": "timestamp-millis"},
            {"type": "long", "logicalType": "timestamp-micros"},
        ),
        True,
        True,
    ),
    case(
        "avro-date-to-timestamp-millis",
        *one(
            {"type": "int", "logicalType": "date"},
            {"type": "long", "logicalType": "timestamp-millis"},
        ),
        True,
        False,
        TM,
    ),
    case(
        "avro-decimal-precision-changed",
        *one(
            {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2},
            {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 4},
        ),
        True,
        True,
    ),
    # recursion
    case("avro-recursive-unchanged", LIST1, LIST1, True, True),
    case("avro-recursive-gains-optional-field", LIST1, LIST2_OPTIONAL, True, True),
    case("avro-recursive-gains-required-field", LIST1, LIST2_REQUIRED, False, True, RFMDV),
]

PAYMENT_V1 = json.dumps(
    {
        "type": "record",
        "name": "PaymentCaptured",
        "namespace": "com.example.payments",
        "fields": [
            {"name": "payment_id", "type": "string"},
            {"name": "amount_minor", "type": "long"},
            {"name": "currency", "type": "string"},
        ],
    }
)


def _payment_v2(new_field: dict[str, Any]) -> str:
    doc = json.loads(PAYMENT_V1)
    doc["fields"].append(new_field)
    return json.dumps(doc)


def _verdicts(c: Case) -> tuple[bool, bool, set[str]]:
    backward, _ = find_problems(c.old, c.new, "backward")
    forward, _ = find_problems(c.old, c.new, "forward")
    return not backward, not forward, {p.kind for p in backward + forward}


@pytest.mark.parametrize("c", CASES, ids=repr)
def test_case_verdicts_and_problem_kinds_match_the_table(c: Case) -> None:
    backward, forward, kinds = _verdicts(c)
    assert (backward, forward) == (c.backward, c.forward)
    assert kinds == set(c.kinds)


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


# --- cross-check with the avro package's port of Java SchemaCompatibility ------------------


def _resolve_aliases(node: Any, namespace: str | None = None) -> Any:
    """Rewrite named-type aliases as full names (the gap of the avro package's checker)."""
    if isinstance(node, list):
        return [_resolve_aliases(n, namespace) for n in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    if node.get("type") in ("record", "error", "enum", "fixed"):
        name = node["name"]
        space = node.get("namespace", namespace)
        if "." in name:
            space = name.rpartition(".")[0]
        if "aliases" in node:
            node["aliases"] = [
                a if "." in a or not space else f"{space}.{a}" for a in node["aliases"]
            ]
        if "fields" in node:
            node["fields"] = [
                {**f, "type": _resolve_aliases(f["type"], space)} for f in node["fields"]
            ]
        return node
    for key in ("items", "values"):
        if key in node:
            node[key] = _resolve_aliases(node[key], namespace)
    return node


def _avro_package_verdict(reader: str, writer: str) -> bool:
    import avro.schema
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

    parse = avro.schema.parse
    r = parse(json.dumps(_resolve_aliases(json.loads(reader))))
    w = parse(json.dumps(_resolve_aliases(json.loads(writer))))
    result = ReaderWriterCompatibilityChecker().get_compatibility(r, w)
    return result.compatibility is SchemaCompatibilityType.compatible


@pytest.mark.parametrize("c", CASES, ids=repr)
def test_case_verdicts_agree_with_the_avro_package_port_of_java(c: Case) -> None:
    assert _avro_package_verdict(reader=c.new, writer=c.old) == c.backward
    assert _avro_package_verdict(reader=c.old, writer=c.new) == c.forward


def test_avro_package_alone_misses_namespace_relative_aliases() -> None:
    # Documents why aliases are resolved before comparing: the raw port says NAME_MISMATCH.
    import avro.schema
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

    c = next(c for c in CASES if c.id == "avro-record-renamed-with-namespace-relative-alias")
    result = ReaderWriterCompatibilityChecker().get_compatibility(
        avro.schema.parse(c.new), avro.schema.parse(c.old)
    )
    assert result.compatibility is SchemaCompatibilityType.incompatible
    assert c.backward is True


# --- cross-check compatible verdicts with data ---------------------------------------------


def _samples(schema: AvroSchema, variant: int, depth: int = 0) -> Any:
    t = schema.type
    simple = {
        "null": None,
        "boolean": variant % 2 == 0,
        "int": 7 + variant,
        "long": 2**40 + variant,
        "float": 1.5,
        "double": 2.25,
        "bytes": b"ab",
        "string": "ab",
    }
    if t in simple:
        return simple[t]
    if t == "array":
        assert schema.items is not None
        return [_samples(schema.items, variant, depth + 1) for _ in range(2)]
    if t == "map":
        assert schema.values is not None
        return {"k": _samples(schema.values, variant, depth + 1)}
    if t == "union":
        branches = schema.branches
        if depth > 3:  # stop recursive types at a null branch
            nulls = [b for b in branches if b.type == "null"]
            if nulls:
                return None
        return _samples(branches[(variant + depth) % len(branches)], variant, depth + 1)
    if t == "enum":
        return schema.symbols[variant % len(schema.symbols)]
    if t == "fixed":
        return b"\x01" * schema.size
    return {f.name: _samples(f.type, variant, depth + 1) for f in schema.fields}


def _round_trip(writer: str, reader: str) -> None:
    import fastavro

    writer_parsed = fastavro.parse_schema(json.loads(writer))
    reader_parsed = fastavro.parse_schema(json.loads(reader))
    for variant in range(4):
        datum = _samples(parse_schema(writer), variant)
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, writer_parsed, datum)
        buffer.seek(0)
        fastavro.schemaless_reader(buffer, writer_parsed, reader_parsed)
        assert buffer.read() == b""


@pytest.mark.parametrize("c", [c for c in CASES if c.backward], ids=repr)
def test_backward_compatible_cases_read_old_data_with_the_new_schema(c: Case) -> None:
    _round_trip(writer=c.old, reader=c.new)


@pytest.mark.parametrize("c", [c for c in CASES if c.forward], ids=repr)
def test_forward_compatible_cases_read_new_data_with_the_old_schema(c: Case) -> None:
    _round_trip(writer=c.new, reader=c.old)


# --- problems: paths, messages, completeness -----------------------------------------------


def test_incident_required_settlement_currency_is_rejected_with_an_actionable_problem() -> None:
    v2 = _payment_v2({"name": "settlement_currency", "type": "string"})
    report = check_compatibility(DataFormat.AVRO, v2, [PAYMENT_V1], Compatibility.BACKWARD)
    assert not report.compatible
    (problem,) = report.problems
    assert problem.kind == RFMDV
    assert problem.path == "PaymentCaptured.settlement_currency"
    assert problem.direction == "backward"
    assert problem.version_number == 1
    assert '"default": null' in problem.message
    assert '["null", ...]' in problem.message
    assert "FULL-compatible rollout" in problem.message


def test_incident_fix_with_nullable_default_null_is_accepted_under_full() -> None:
    v2 = _payment_v2({"name": "settlement_currency", "type": ["null", "string"], "default": None})
    for mode in (Compatibility.BACKWARD, Compatibility.FORWARD, Compatibility.FULL):
        assert check_compatibility(DataFormat.AVRO, v2, [PAYMENT_V1], mode).compatible


def test_every_missing_field_is_reported_not_only_the_first() -> None:
    c = next(c for c in CASES if c.id == "avro-two-fields-added-without-default")
    problems, _ = find_problems(c.old, c.new, "backward")
    assert [p.path for p in problems] == ["Payment.qty", "Payment.currency"]


def test_problems_in_several_branches_of_the_tree_are_all_reported() -> None:
    old = rec(ID, ("a", INNER), ("b", "int"), ("c", enum(["A", "B"])))
    new = rec(ID, ("a", INNER_PLUS), ("b", "string"), ("c", enum(["A"])), ("d", "int"))
    problems, _ = find_problems(old, new, "backward")
    assert {(p.kind, p.path) for p in problems} == {
        (RFMDV, "Payment.a.currency"),
        (TM, "Payment.b"),
        (MES, "Payment.c"),
        (RFMDV, "Payment.d"),
    }


def test_forward_problem_for_a_removed_required_field_names_the_field_and_direction() -> None:
    problems, _ = find_problems(rec(ID, ("qty", "int")), V1, "forward")
    (problem,) = problems
    assert (problem.path, problem.direction) == ("Payment.qty", "forward")
    assert "qty was removed" in problem.message


def test_array_item_problems_carry_an_items_marker_in_the_path() -> None:
    old, new = one({"type": "array", "items": INNER}, {"type": "array", "items": INNER_PLUS})
    problems, _ = find_problems(old, new, "backward")
    assert [p.path for p in problems] == ["Payment.x[].currency"]


def test_union_problem_message_explains_the_closest_branch() -> None:
    c = next(c for c in CASES if c.id == "avro-nullable-record-gains-required-field")
    problems, _ = find_problems(c.old, c.new, "backward")
    (problem,) = problems
    assert problem.path == "Payment.x"
    assert "currency" in problem.message


def test_reader_field_matching_two_writer_fields_through_aliases_is_a_problem() -> None:
    old = rec(("a", "int"), ("b", "int"))
    new = rec(field("a", "int", aliases=["b"]))
    problems, _ = find_problems(old, new, "backward")
    assert [p.kind for p in problems] == ["AMBIGUOUS_FIELD_ALIAS"]


# --- Glue-strict parsing --------------------------------------------------------------------

INVALID = {
    "illegal-field-name": rec(("tax-rate", "double")),
    "illegal-record-name": rec(ID, name="Pay-ment"),
    "illegal-namespace-component": rec(ID, namespace="com.1example"),
    "illegal-enum-symbol": rec(("s", enum(["A-1"]))),
    "union-default-not-first-branch": rec(field("note", ["string", "null"], default=None)),
    "string-default-for-int": rec(field("qty", "int", default="0")),
    "fractional-default-for-int": rec(field("qty", "int", default=1.5)),
    "int-default-out-of-range": rec(field("qty", "int", default=2**31)),
    "long-default-out-of-range": rec(field("qty", "long", default=2**63)),
    "boolean-default-for-long": rec(field("qty", "long", default=True)),
    "null-default-for-string": rec(field("note", "string", default=None)),
    "number-default-for-boolean": rec(field("flag", "boolean", default=0)),
    "array-default-with-wrong-item": rec(
        field("xs", {"type": "array", "items": "int"}, default=["a"])
    ),
    "record-default-missing-field": rec(field("amount", INNER, default={})),
    "enum-field-default-not-a-symbol": rec(field("s", enum(["A"]), default="Z")),
    "duplicate-field": rec(ID, ("id", "int")),
    "duplicate-type-name": rec(("a", INNER), ("b", INNER)),
    "enum-default-not-a-symbol": rec(("s", enum(["A", "B"], default="C"))),
    "duplicate-enum-symbol": rec(("s", enum(["A", "A"]))),
    "fixed-negative-size": rec(("h", fixed(-1))),
    "fixed-without-size": rec(("h", {"type": "fixed", "name": "Hash"})),
    "undefined-type-name": rec(("a", "Missing")),
    "nested-union": rec(("a", ["null", ["int", "string"]])),
    "duplicate-union-branch": rec(("a", ["null", "int", "int"])),
    "record-without-fields": json.dumps({"type": "record", "name": "Payment"}),
    "array-without-items": rec(("a", {"type": "array"})),
    "nested-type-object": json.dumps({"type": {"type": "int"}}),
    "not-json": "{not json",
    "not-a-schema": "42",
    "unknown-type": json.dumps({"type": "decimal"}),
    "deeply-nested": "[" * 100_000 + "]" * 100_000,
}

VALID = {
    "nullable-default-null-first": rec(field("note", ["null", "string"], default=None)),
    "union-default-matches-first-branch": rec(field("note", ["string", "null"], default="")),
    "record-default-with-field-defaults": rec(
        field(
            "amount",
            {"type": "record", "name": "A", "fields": [field("u", "long", default=0)]},
            default={},
        )
    ),
    "enum-default-among-symbols": rec(("s", enum(["U", "A"], default="U"))),
    "namespaced-reference": json.dumps(
        {
            "type": "record",
            "name": "P",
            "namespace": "com.example",
            "fields": [{"name": "a", "type": INNER}, {"name": "b", "type": "com.example.Amount"}],
        }
    ),
    "double-default-from-integer": rec(field("d", "double", default=1)),
    "bytes-default-string": rec(field("b", "bytes", default="\u00ff")),
    "error-type": json.dumps({"type": "error", "name": "Oops", "fields": []}),
    "primitive-object-form": json.dumps({"type": "string", "logicalType": "uuid"}),
}


@pytest.mark.parametrize("definition", INVALID.values(), ids=INVALID.keys())
def test_invalid_definitions_are_refused_with_schema_error(definition: str) -> None:
    with pytest.raises(SchemaError) as info:
        validate_definition(DataFormat.AVRO, definition)
    assert info.value.data_format is DataFormat.AVRO


@pytest.mark.parametrize("definition", VALID.values(), ids=VALID.keys())
def test_valid_definitions_parse(definition: str) -> None:
    validate_definition(DataFormat.AVRO, definition)


def test_illegal_name_message_names_the_offender_like_java() -> None:
    with pytest.raises(SchemaError, match="Illegal character in: tax-rate"):
        validate_definition(DataFormat.AVRO, INVALID["illegal-field-name"])


def test_union_default_message_points_at_the_first_branch() -> None:
    with pytest.raises(SchemaError, match=r"Invalid default for field Payment\.note.*first"):
        validate_definition(DataFormat.AVRO, INVALID["union-default-not-first-branch"])


def test_invalid_new_definition_raises_even_under_none() -> None:
    with pytest.raises(SchemaError):
        check_compatibility(DataFormat.AVRO, INVALID["illegal-field-name"], [V1], "NONE")


def test_unparsable_earlier_version_is_reported_with_its_number() -> None:
    with pytest.raises(SchemaError, match="earlier version 4"):
        check_compatibility(
            DataFormat.AVRO,
            V1,
            [INVALID["illegal-field-name"]],
            "BACKWARD",
            previous_version_numbers=[4],
        )


def test_non_string_definition_is_a_schema_error() -> None:
    with pytest.raises(SchemaError):
        validate_definition(DataFormat.AVRO, {"type": "string"})  # type: ignore[arg-type]


def _nested(kind: str, depth: int) -> str:
    if kind == "arrays":
        return '{"type":"array","items":' * depth + '"int"' + "}" * depth
    if kind == "maps":
        return '{"type":"map","values":' * depth + '"int"' + "}" * depth
    opening = (
        f'{{"type":"record","name":"N{i}","fields":[{{"name":"x","type":' for i in range(depth)
    )
    return "".join(opening) + '"int"' + "}]}" * depth


@pytest.mark.parametrize("kind", ["arrays", "maps", "records"])
@pytest.mark.parametrize("depth", [300, 900, 5000, 100_000])
def test_deep_definitions_are_schema_errors_naming_the_bound(kind: str, depth: int) -> None:
    # Never a RecursionError, in the parse or in the check that follows it.
    from glue_serde.compat.avro import MAX_SCHEMA_NESTING
    from glue_serde.compat.avro import validate_definition as validate_avro

    text = _nested(kind, depth)
    for call in (
        lambda: validate_avro(text),
        lambda: check_compatibility(DataFormat.AVRO, text, ['"int"'], Compatibility.BACKWARD),
        lambda: check_compatibility(DataFormat.AVRO, '"int"', [text], Compatibility.FULL_ALL),
    ):
        with pytest.raises(SchemaError, match=f"nested deeper than {MAX_SCHEMA_NESTING}"):
            call()


@pytest.mark.parametrize(("kind", "depth"), [("arrays", 199), ("maps", 199), ("records", 49)])
def test_definitions_nested_within_the_bound_are_checked(kind: str, depth: int) -> None:
    text = _nested(kind, depth)
    report = check_compatibility(DataFormat.AVRO, text, [text], Compatibility.FULL_ALL)
    assert report.compatible


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400", "1" * 5000])
def test_definitions_with_numbers_json_cannot_hold_are_refused(literal: str) -> None:
    text = (
        '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":'
        + literal
        + "}]}"
    )
    from glue_serde.compat.avro import validate_definition as validate_avro

    with pytest.raises(SchemaError, match="not valid JSON"):
        validate_avro(text)
    with pytest.raises(SchemaError):
        check_compatibility(DataFormat.AVRO, text, ['"int"'], Compatibility.BACKWARD)
