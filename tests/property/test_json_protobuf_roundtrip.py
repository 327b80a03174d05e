"""Hypothesis round trips for the JSON and Protobuf codecs; bad bytes raise only PayloadError."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glue_serde.codecs.json import JsonCodec
from glue_serde.codecs.protobuf import ProtobufCodec
from glue_serde.errors import PayloadError, ValidationError
from tests.data import kitchen_sink3_pb2

DATA = Path(__file__).resolve().parents[1] / "data"
SHOP = (DATA / "shop.proto").read_text()
NESTING = (DATA / "complex_nesting.proto").read_text()
BASIC = (DATA / "basic.proto").read_text()
SINK3 = ProtobufCodec().canonical_definition(kitchen_sink3_pb2.Event)

JSON_CODECS = [JsonCodec(use_orjson=True), JsonCodec(use_orjson=False)]
PROTO_CODECS = [ProtobufCodec(), ProtobufCodec(as_dict=True)]

json_documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text().filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s)),
    lambda c: (
        st.lists(c, max_size=5)
        | st.dictionaries(
            st.text(max_size=8).filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s)),
            c,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=False))
    return type(a) is type(b) and a == b


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(json_documents)
def test_json_documents_round_trip_exactly_with_both_engines(document: Any) -> None:
    for codec in JSON_CODECS:
        payload = codec.encode("{}", document)
        assert _same(codec.decode("{}", payload), document)
        # the payload is standard JSON for any other reader
        assert _same(json.loads(payload.decode("utf-8")), document)


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_random_bytes_decode_to_json_or_raise_only_payload_error(data: bytes) -> None:
    for codec in (JsonCodec(validate_on_decode=True), JsonCodec(use_orjson=False)):
        with contextlib.suppress(PayloadError):
            codec.decode('{"type":"object"}', data)


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_random_bytes_decode_to_protobuf_or_raise_only_payload_error(data: bytes) -> None:
    for codec in PROTO_CODECS:
        for definition in (SHOP, NESTING, BASIC, SINK3):
            with contextlib.suppress(PayloadError):
                codec.decode(definition, data)


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=6).filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s)),
            st.integers(min_value=-(2**31), max_value=2**31 - 1),
        ),
        max_size=4,
    ),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3).filter(
        lambda d: not any("\ud800" <= c <= "\udfff" for kv in d.items() for s in kv for c in s)
    ),
    st.sampled_from([0, 1]),
)
def test_shop_orders_round_trip_through_index_and_bytes(
    lines: list[tuple[str, int]], attributes: dict[str, str], status: int
) -> None:
    codec = ProtobufCodec()
    parsed = codec._parse(SHOP)
    order = parsed.dynamic_class(parsed.file.pool.FindMessageTypeByName("shop.Order"))()
    for sku, qty in lines:
        order.lines.add(sku=sku, qty=qty)
    order.attributes.update(attributes)
    order.status = status
    payload = codec.encode(SHOP, order)
    assert payload[0] == 2
    assert codec.decode(SHOP, payload) == order


@settings(max_examples=100)
@given(
    st.text(max_size=10).filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s)),
    st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    st.lists(st.integers(min_value=-(2**31), max_value=2**31 - 1), max_size=5),
    st.floats(allow_nan=False),
)
def test_generated_messages_round_trip_through_their_rendered_definition(
    ident: str, sequence: int | None, numbers: list[int], ratio: float
) -> None:
    event = kitchen_sink3_pb2.Event(id=ident, packed_numbers=numbers, ratio=ratio)
    if sequence is not None:
        event.sequence = sequence
    typed = ProtobufCodec(message_class=kitchen_sink3_pb2.Event)
    assert typed.decode(SINK3, typed.encode(SINK3, event)) == event


@settings(max_examples=100)
@given(st.dictionaries(st.text(max_size=3), st.integers() | st.text(max_size=3), max_size=3))
def test_protobuf_dict_input_either_encodes_or_raises_validation_error(
    value: dict[str, Any],
) -> None:
    definition = 'syntax = "proto3"; message Ping { int32 n = 1; string s = 2; }'
    with contextlib.suppress(ValidationError):
        ProtobufCodec().encode(definition, value)
