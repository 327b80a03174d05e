"""Generated Avro encoders against fastavro's writer and the strict rules' walker.

The encoder generated per writer schema checks and writes each value in one pass. For random
schemas (every type, logical type, default, union and recursion) and random values, valid or
damaged in one place:

- it accepts a value exactly when the walker finds no violation (or the value budget refuses
  it), and then writes fastavro's bytes for it;
- it refuses every other value with a ``ValidationError`` listing the walker's violations.

Its inline fast paths (decimals, timestamps, dates, times, UUIDs) are checked on their own
against the full rules and fastavro's logical-type writers, at their edges, with subclasses,
and whatever the thread's decimal context.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import uuid
from typing import Any

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glue_serde.codecs.avro import AvroCodec
from glue_serde.codecs.avro._check import Walker
from glue_serde.codecs.avro._rules import logical_rule
from glue_serde.codecs.avro._schema import build_schema, writer_form
from glue_serde.errors import ValidationError
from tests.property.test_avro_roundtrip import (
    WEIRD,
    _named,
    _positions,
    _replace,
    _tie_loops,
    _wrap,
    datums,
    schemas,
)

UTC = dt.timezone.utc
MAX_DEPTH = 100


def _fastavro_bytes(parsed: Any, value: Any) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, value)
    return out.getvalue()


def _same_errors(got: tuple[Any, ...], expected: tuple[Any, ...]) -> bool:
    """Equal error lists, an input equal to itself too (a NaN is the same object, not ==).

    Python 3.13's dataclass ``__eq__`` compares field by field, without the identity shortcut
    of tuple comparison that made ``ErrorDetail(input=nan)`` equal to itself before.
    """
    return len(got) == len(expected) and all(
        (a.type, a.loc, a.msg) == (b.type, b.loc, b.msg)
        and (a.input is b.input or a.input == b.input)
        for a, b in zip(got, expected, strict=True)
    )


def _check(definition: str, value: Any) -> None:
    """The encoder accepts exactly what the walker accepts, writing fastavro's bytes."""
    writer = writer_form(build_schema(definition))
    expected = Walker(writer, MAX_DEPTH).errors(value)
    codec = AvroCodec()
    try:
        payload = codec.encode(definition, value)
    except ValidationError as exc:
        if [e.type for e in exc.errors] == ["value_budget"]:
            assert expected == ()
            return
        assert _same_errors(exc.errors, expected), (value, exc.errors, expected)
        assert expected
        return
    assert expected == (), (value, expected)
    assert payload == _fastavro_bytes(writer.parsed, value), value
    framed = codec.framed_encoder(definition, b"\x03\x00" + bytes(16))
    assert framed(value) == b"\x03\x00" + bytes(16) + payload


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), schema=schemas)
def test_valid_values_are_written_as_fastavro_writes_them(data: st.DataObject, schema: Any) -> None:
    top = _wrap(schema)
    definition = AvroCodec().canonical_definition(top)
    _check(definition, data.draw(datums(top, _named(top))))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), schema=schemas)
def test_damaged_values_are_refused_with_the_walkers_errors(
    data: st.DataObject, schema: Any
) -> None:
    top = _wrap(schema)
    definition = AvroCodec().canonical_definition(top)
    valid = data.draw(datums(top, _named(top)))
    where = data.draw(st.sampled_from(_positions(valid)[1:]))
    value = _replace(valid, where, data.draw(st.sampled_from(WEIRD)))
    if isinstance(value, dict):
        value = _tie_loops(value, value)
    _check(definition, value)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), schema=schemas)
def test_missing_fields_write_their_defaults_as_fastavro_does(
    data: st.DataObject, schema: Any
) -> None:
    top = _wrap(schema)
    definition = AvroCodec().canonical_definition(top)
    value = data.draw(datums(top, _named(top)))

    def drop(node: Any) -> Any:  # leave keys out anywhere (a field with a default, or not)
        if isinstance(node, dict):
            return {k: drop(v) for k, v in node.items() if data.draw(st.booleans())}
        if isinstance(node, list):
            return [drop(item) for item in node]
        return node

    _check(definition, drop(value))


# ---------------------------------------------------------------------------------------------
# The inline fast paths


def _record(node: Any) -> str:
    return json.dumps({"type": "record", "name": "R", "fields": [{"name": "x", "type": node}]})


class _SubDecimal(decimal.Decimal):
    pass


@st.composite
def decimal_schemas(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        precision = draw(st.integers(1, 40))
        scale = draw(st.integers(0, precision))
        return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}
    size = draw(st.integers(1, 18))
    precision = draw(st.integers(1, len(str(2 ** (8 * size - 1) - 1)) - 1))
    scale = draw(st.integers(0, precision))
    return {
        "type": "fixed",
        "name": "F",
        "size": size,
        "logicalType": "decimal",
        "precision": precision,
        "scale": scale,
    }


decimals = st.one_of(
    st.builds(
        lambda sign, digits, exponent: decimal.Decimal((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=42),
        st.integers(-45, 45),
    ),
    st.sampled_from(
        [
            decimal.Decimal("NaN"),
            decimal.Decimal("-Infinity"),
            decimal.Decimal("sNaN"),
            decimal.Decimal("-0.00"),
            decimal.Decimal("0E+3"),
            decimal.Decimal("1E+30000000"),
            decimal.Decimal("-1E-30000000"),
        ]
    ),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(_SubDecimal),
    st.decimals(places=4),
    st.sampled_from([1.5, 2, "1.5", None]),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(schema=decimal_schemas(), value=decimals, precision=st.sampled_from([None, 1, 3, 50]))
def test_decimals_take_the_fast_path_only_where_the_rule_accepts(
    schema: dict[str, Any], value: Any, precision: int | None
) -> None:
    definition = _record(schema)
    writer = writer_form(build_schema(definition))
    rule = logical_rule(writer.parsed["fields"][0]["type"])
    assert rule is not None
    accepted = rule(value) is None
    with decimal.localcontext() as context:
        if precision is not None:  # a thread context that would round: never used
            context.prec = precision
        try:
            payload = AvroCodec().encode(definition, {"x": value})
        except ValidationError as exc:
            assert not accepted, value
            assert [e.loc for e in exc.errors] == [("x",)]
            return
    assert accepted, value
    assert payload == _fastavro_bytes(writer.parsed, {"x": value})
    decoded = AvroCodec().decode(definition, payload)["x"]
    assert decoded == value and decoded.as_tuple().exponent == -schema["scale"]


aware = st.datetimes(
    min_value=dt.datetime(1, 1, 2),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(-dt.timedelta(hours=8))]
    ),
)


class _SubDatetime(dt.datetime):
    pass


LOGICAL_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "timestamp-millis": st.one_of(
        aware, st.datetimes(), aware.map(lambda d: _SubDatetime.fromisoformat(d.isoformat()))
    ),
    "timestamp-micros": st.one_of(aware, st.datetimes()),
    "local-timestamp-millis": st.one_of(st.datetimes(), aware),
    "local-timestamp-micros": st.one_of(st.datetimes(), aware),
    "date": st.one_of(st.dates(), st.datetimes(), st.integers(-(10**7), 10**7)),
    "time-millis": st.one_of(st.times(), st.times(timezones=st.just(UTC)), st.integers(-5, 10**8)),
    "time-micros": st.one_of(st.times(), st.integers(-5, 10**11)),
    "uuid": st.one_of(
        st.uuids(), st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.text()
    ),
}
BASES = {
    "timestamp-millis": "long",
    "timestamp-micros": "long",
    "local-timestamp-millis": "long",
    "local-timestamp-micros": "long",
    "date": "int",
    "time-millis": "int",
    "time-micros": "long",
    "uuid": "string",
}


@pytest.mark.parametrize("logical", sorted(LOGICAL_VALUES))
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_logical_values_are_written_as_fastavro_writes_them(
    logical: str, data: st.DataObject
) -> None:
    node = {"type": BASES[logical], "logicalType": logical}
    value = data.draw(st.one_of(LOGICAL_VALUES[logical], st.integers(), st.none()))
    definition = _record(node)
    rule = logical_rule(node)
    assert rule is not None
    try:
        payload = AvroCodec().encode(definition, {"x": value})
    except ValidationError:
        assert rule(value) is not None, value
        return
    assert rule(value) is None, value
    assert payload == _fastavro_bytes(fastavro.parse_schema(json.loads(definition)), {"x": value})


def test_a_uuid_is_written_in_its_canonical_text() -> None:
    value = uuid.uuid4()
    definition = _record({"type": "string", "logicalType": "uuid"})
    assert AvroCodec().encode(definition, {"x": value}) == b"\x48" + str(value).encode()
