"""The round-trip law for JSON and Protobuf, as properties.

Whatever ``encode`` accepts, ``decode`` returns equal; what cannot round-trip is refused at
write with a ``ValidationError`` naming the field. For Protobuf dicts "equal" is equality with
the dict form (``glue_serde.codecs._protodict``): a canonical dict reads back identical, and
the other spellings encoding accepts (enum numbers, JSON names, ``None`` for unset fields)
read back as their canonical form, with the same bytes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from glue_serde.codecs.json import JsonCodec
from glue_serde.codecs.protobuf import ProtobufCodec
from glue_serde.errors import ValidationError

ALL_TYPES = (Path(__file__).resolve().parents[1] / "data" / "all_types.proto").read_text()
writer = ProtobufCodec()
reader = ProtobufCodec(as_dict=True)


def same(a: Any, b: Any) -> bool:
    """Equality that tells NaN, -0.0 and types apart (bool is not int, int is not float)."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


# -- Protobuf ----------------------------------------------------------------------------------

I32 = st.integers(-(2**31), 2**31 - 1)
I64 = st.integers(-(2**63), 2**63 - 1)
U32 = st.integers(0, 2**32 - 1)
U64 = st.integers(0, 2**64 - 1)
DOUBLE = st.floats(allow_nan=True, allow_infinity=True)
FLOAT32 = st.floats(width=32, allow_nan=True, allow_infinity=True)
TEXT = st.text().filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s))
KEY = st.text(max_size=6).filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s))
COLOR = st.sampled_from(["RED", "GREEN", "BLUE"]) | st.integers(3, 2**31 - 1)
INNER = st.fixed_dictionaries({"n": I32, "s": TEXT})
json_values = st.recursive(
    st.none() | st.booleans() | DOUBLE | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEY, inner, max_size=3),
    max_leaves=8,
)
SCALAR_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "i32": I32,
    "i64": I64,
    "u32": U32,
    "u64": U64,
    "s32": I32,
    "s64": I64,
    "f32": U32,
    "f64": U64,
    "sf32": I32,
    "sf64": I64,
    "fl": FLOAT32,
    "db": DOUBLE,
    "b": st.booleans(),
    "str": TEXT,
    "by": st.binary(),
    "color": COLOR,
    "r64": st.lists(I64, max_size=4),
    "rinner": st.lists(INNER, max_size=3),
    "m64": st.dictionaries(KEY, I64, max_size=3),
    "mi": st.dictionaries(I64, INNER, max_size=3),
    "mb": st.dictionaries(st.booleans(), COLOR, max_size=2),
    "colors": st.lists(COLOR, max_size=4),
    "my_camel_field": TEXT,
    "rval": st.lists(json_values, max_size=3),
    "mval": st.dictionaries(KEY, json_values, max_size=3),
}
PRESENCE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "inner": INNER,
    "maybe": I32,
    "ts": st.fixed_dictionaries({"seconds": I64, "nanos": I32}),
    "dur": st.fixed_dictionaries({"seconds": I64, "nanos": I32}),
    "any": st.fixed_dictionaries({"type_url": TEXT, "value": st.binary()}),
    "st": st.dictionaries(KEY, json_values, max_size=3),
    "val": json_values,
    "lst": st.lists(json_values, max_size=3),
    "w64": I64,
    "wby": st.binary(),
    "wfl": FLOAT32,
    "mask": st.fixed_dictionaries({"paths": st.lists(TEXT, max_size=3)}),
    "empty": st.just({}),
}
ONEOF: dict[str, st.SearchStrategy[Any]] = {"text": TEXT, "as_inner": INNER, "as_u64": U64}
DEFAULTS: dict[str, Any] = {
    name: ([] if name in {"r64", "rinner", "colors", "rval"} else {})
    if name in {"r64", "rinner", "colors", "rval", "m64", "mi", "mb", "mval"}
    else 0.0
    if name in {"fl", "db"}
    else False
    if name == "b"
    else ""
    if name in {"str", "my_camel_field"}
    else b""
    if name == "by"
    else "RED"
    if name == "color"
    else 0
    for name in SCALAR_FIELDS
}


@st.composite
def canonical_dicts(draw: st.DrawFn) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for name, strategy in SCALAR_FIELDS.items():
        if draw(st.booleans()):
            value[name] = draw(strategy)
    for name, strategy in PRESENCE_FIELDS.items():
        if draw(st.booleans()):
            value[name] = draw(strategy)
    choice = draw(st.sampled_from([None, *ONEOF]))
    if choice is not None:
        value[choice] = draw(ONEOF[choice])
    return value


def canonical(value: dict[str, Any]) -> dict[str, Any]:
    """The dict form: every field without presence present; Struct numbers are doubles."""
    out = {**DEFAULTS, **value}
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canonical_dicts())
def test_protobuf_dicts_read_back_identical(value: dict[str, Any]) -> None:
    payload = writer.encode(ALL_TYPES, value)
    decoded = reader.decode(ALL_TYPES, payload)
    assert same(decoded, canonical(value)), (decoded, value)
    # and the dict form is a fixed point (bytes may differ: map entry order is unspecified)
    assert same(reader.decode(ALL_TYPES, writer.encode(ALL_TYPES, decoded)), decoded)


@settings(max_examples=100, deadline=None)
@given(canonical_dicts(), st.data())
def test_other_spellings_read_back_in_the_dict_form(value: dict[str, Any], data: Any) -> None:
    names = {"RED": 0, "GREEN": 1, "BLUE": 2}
    spelled = dict(value)
    if isinstance(spelled.get("color"), str) and data.draw(st.booleans()):
        spelled["color"] = names[spelled["color"]]  # a number for a declared name
    if "colors" in spelled:
        spelled["colors"] = [names.get(c, c) if isinstance(c, str) else c for c in value["colors"]]
    if "my_camel_field" in spelled:
        spelled["myCamelField"] = spelled.pop("my_camel_field")  # the JSON name
    for name in PRESENCE_FIELDS:
        if name not in spelled and name != "val" and data.draw(st.booleans()):
            spelled[name] = None  # None leaves it unset
    if "by" in spelled:
        spelled["by"] = bytearray(spelled["by"])
    db = spelled.get("db")
    if isinstance(db, float) and db.is_integer() and math.copysign(1, db) > 0 and db <= 2**53:
        spelled["db"] = int(db)  # an exact int for a double
    assert same(reader.decode(ALL_TYPES, writer.encode(ALL_TYPES, spelled)), canonical(value))


anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text()
    | st.binary()
    | st.just(bytearray(b"ab"))
    | st.sampled_from(["RED", "1e2", "NaN", "YWJjZA==", "\ud800"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4) | st.integers() | st.booleans(), inner, max_size=3)
    ),
    max_leaves=6,
)
ENUM_NUMBERS = {"RED": 0, "GREEN": 1, "BLUE": 2}
ENUM_NAMES = {number: name for name, number in ENUM_NUMBERS.items()}


MESSAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "inner": {"n": 0, "s": ""},
    "as_inner": {"n": 0, "s": ""},
    "ts": {"seconds": 0, "nanos": 0},
    "dur": {"seconds": 0, "nanos": 0},
    "any": {"type_url": "", "value": b""},
    "mask": {"paths": []},
}


def _expected(field: str, given: Any) -> Any:
    """What an accepted value reads back as (the dict form's normalisations)."""
    if field in MESSAGE_DEFAULTS:
        return {**MESSAGE_DEFAULTS[field], **{k: _expected("", v) for k, v in given.items()}}
    if field == "rinner":
        return [_expected("inner", item) for item in given]
    if field == "mi":
        return {key: _expected("inner", item) for key, item in given.items()}
    if field in {"color"} and isinstance(given, int):
        return ENUM_NAMES.get(given, given)
    if field == "colors":
        return [ENUM_NAMES.get(c, c) if isinstance(c, int) else c for c in given]
    if field == "mb":
        return {k: ENUM_NAMES.get(v, v) if isinstance(v, int) else v for k, v in given.items()}
    if field in {"db", "fl", "wfl"} and isinstance(given, int):
        return float(given)
    if isinstance(given, bytearray):
        return bytes(given)
    return given


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted({*SCALAR_FIELDS, *PRESENCE_FIELDS, *ONEOF})), anything)
def test_protobuf_any_value_either_round_trips_or_is_refused_naming_the_field(
    field: str, value: Any
) -> None:
    try:
        payload = writer.encode(ALL_TYPES, {field: value})
    except ValidationError as exc:
        assert exc.errors, exc
        assert exc.errors[0].loc[:1] == (field,), exc.errors[0]
        return
    decoded = reader.decode(ALL_TYPES, payload)
    if value is None:
        assert field not in decoded or field == "val"
        return
    # containers of Struct-like fields normalise ints to floats: compare those with ==
    if field in {"st", "val", "lst", "rval", "mval"}:
        assume(not _has_nan(value))
        assert decoded[field] == _expected(field, value)
        return
    assert same(decoded[field], _expected(field, value)) or (
        isinstance(value, (list, dict)) and decoded[field] == _expected(field, value)
    ), (field, value, decoded[field])


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False


# -- JSON --------------------------------------------------------------------------------------

json_anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**200), 2**200)
    | st.floats()
    | st.sampled_from([-0.0, 5e-324, 1.7976931348623157e308, 2.0**64])
    | st.text()
    | st.sampled_from(["\ud800", "x\udfff", "\U0001f600", "\x00", "\\u0000", "\u2028"])
    | st.binary(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5) | st.sampled_from(["\udc00", ""]), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, min_size=1, max_size=2)
    ),
    max_leaves=12,
)


def _as_json(value: Any) -> Any:
    """What an accepted value reads back as: tuples become lists."""
    if isinstance(value, tuple):
        return [_as_json(v) for v in value]
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_anything)
def test_json_any_value_either_round_trips_or_is_refused(value: Any) -> None:
    for codec in (JsonCodec(use_orjson=True), JsonCodec(use_orjson=False)):
        try:
            payload = codec.encode("{}", value)
        except ValidationError as exc:
            assert exc.errors, exc
            continue
        assert same(codec.decode("{}", payload), _as_json(value)), (value, payload)


SCHEMA = (
    '{"type":"object","properties":{"n":{"type":"integer","minimum":-5},'
    '"x":{"type":"number"},"s":{"type":"string","maxLength":3},'
    '"l":{"type":"array","items":{"type":"boolean"}}},"additionalProperties":false}'
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["n", "x", "s", "l", "other"]),
        st.integers(-10, 10) | st.floats() | st.text(max_size=5) | st.lists(st.booleans()),
        max_size=5,
    )
)
def test_json_documents_the_schema_accepts_read_back_equal(value: dict[str, Any]) -> None:
    for codec in (JsonCodec(use_orjson=True), JsonCodec(use_orjson=False)):
        try:
            payload = codec.encode(SCHEMA, value)
        except ValidationError as exc:
            assert exc.errors
            continue
        assert same(codec.decode(SCHEMA, payload), value)
