"""Protobuf dicts: exact values both ways, strict writes, imports, depth and budget bounds."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from glue_serde.codecs._protodict import DICT_ITEMS_FLOOR, DICT_ITEMS_PER_BYTE
from glue_serde.codecs.protobuf import ProtobufCodec
from glue_serde.errors import ConfigurationError, PayloadError, SchemaError, ValidationError

SCALARS = (Path(__file__).resolve().parents[2] / "data" / "all_types.proto").read_text()

DEFAULTS: dict[str, Any] = {
    "i32": 0,
    "i64": 0,
    "u32": 0,
    "u64": 0,
    "s32": 0,
    "s64": 0,
    "f32": 0,
    "f64": 0,
    "sf32": 0,
    "sf64": 0,
    "fl": 0.0,
    "db": 0.0,
    "b": False,
    "str": "",
    "by": b"",
    "color": "RED",
    "r64": [],
    "rinner": [],
    "m64": {},
    "mi": {},
    "mb": {},
    "colors": [],
    "my_camel_field": "",
    "rval": [],
    "mval": {},
}

writer = ProtobufCodec()
reader = ProtobufCodec(as_dict=True)


def round_trip(value: dict[str, Any], definition: str = SCALARS) -> dict[str, Any]:
    decoded: dict[str, Any] = reader.decode(definition, writer.encode(definition, value))
    return decoded


def refused(value: dict[str, Any], definition: str = SCALARS) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        writer.encode(definition, value)
    return info.value


# -- values come back as written ---------------------------------------------------------------


def test_bytes_are_written_as_given_never_base64_decoded() -> None:
    # b"abcd" is valid base64; json_format used to write its decoding (3 bytes).
    for raw in (b"abcd", b"", b"\x00\xff", b"=" * 4, bytes(range(256))):
        assert round_trip({"by": raw})["by"] == raw
    assert round_trip({"by": bytearray(b"abcd")})["by"] == b"abcd"
    payload = writer.encode(SCALARS, {"by": b"abcd"})
    assert payload.endswith(b"z\x04abcd")  # field 15, length 4, the four bytes


@pytest.mark.parametrize(
    ("field", "lo", "hi"),
    [
        ("i32", -(2**31), 2**31 - 1),
        ("s32", -(2**31), 2**31 - 1),
        ("sf32", -(2**31), 2**31 - 1),
        ("i64", -(2**63), 2**63 - 1),
        ("s64", -(2**63), 2**63 - 1),
        ("sf64", -(2**63), 2**63 - 1),
        ("u32", 0, 2**32 - 1),
        ("f32", 0, 2**32 - 1),
        ("u64", 0, 2**64 - 1),
        ("f64", 0, 2**64 - 1),
    ],
)
def test_every_integer_width_round_trips_as_int_at_its_bounds(field: str, lo: int, hi: int) -> None:
    for value in (lo, hi, 1, 12999):
        out = round_trip({field: value})[field]
        assert out == value
        assert type(out) is int  # never "12999"
    for value in (lo - 1, hi + 1, 10**30):
        error = refused({field: value})
        assert error.errors[0].loc == (field,)
        assert error.errors[0].type == "int_range"


@pytest.mark.parametrize("field", ["i32", "i64", "u32", "u64", "s64", "f64", "sf32", "color"])
@pytest.mark.parametrize("value", [True, False, 1.0, 1.5, "1", "1e2", b"1", None, [1]])
def test_integer_fields_take_only_ints(field: str, value: object) -> None:
    if field == "color" and isinstance(value, str):
        return  # enum names are strings (tested below)
    error = refused({field: value})
    assert error.errors[0].loc == (field,)
    assert field in str(error)


def test_int_subclasses_are_written_as_their_int_value() -> None:
    import enum

    class Level(enum.IntEnum):
        HIGH = 7

    assert round_trip({"i64": Level.HIGH})["i64"] == 7


def test_doubles_take_floats_and_exact_ints_only() -> None:
    for value in (0.0, -0.0, 1.5, 1e308, 5e-324, 2.0**53):
        out = round_trip({"db": value})["db"]
        assert out == value
        assert math.copysign(1, out) == math.copysign(1, value)
    assert round_trip({"db": 2**53})["db"] == 2**53
    for value, kind in ((2**53 + 1, "float_precision"), (10**400, "float_range")):
        error = refused({"db": value})  # 10**400 used to raise OverflowError
        assert error.errors[0].type == kind
        assert error.errors[0].loc == ("db",)
    for value in (True, "1.5", "NaN", None, b"1"):
        assert refused({"db": value}).errors[0].loc == ("db",)


def test_nan_and_infinities_round_trip_in_float_and_double() -> None:
    for field in ("db", "fl", "wfl"):
        for value in (math.inf, -math.inf):
            assert round_trip({field: value})[field] == value
        assert math.isnan(round_trip({field: math.nan})[field])
    assert math.isnan(round_trip({"st": {"x": math.nan}})["st"]["x"])


def test_32_bit_floats_take_only_what_float32_holds_exactly() -> None:
    for value in (0.5, -2.25, 3.4028234663852886e38, 0.10000000149011612, 1.401298464324817e-45):
        assert round_trip({"fl": value})["fl"] == value
        assert round_trip({"wfl": value})["wfl"] == value
    error = refused({"fl": 0.1})
    assert error.errors[0].type == "float_precision"
    assert "0.10000000149011612" in error.errors[0].msg
    assert refused({"fl": 1e39}).errors[0].type == "float_range"
    assert refused({"fl": 16777217}).errors[0].type == "float_precision"
    assert round_trip({"fl": 16777216})["fl"] == 16777216.0


def test_bool_string_and_bytes_take_exact_types() -> None:
    assert round_trip({"b": True, "str": "héllo ✓"})["str"] == "héllo ✓"
    for field, value in (
        ("b", 1),
        ("b", "true"),
        ("str", b"x"),
        ("str", 5),
        ("by", "YWJjZA=="),  # a base64 string is not bytes
        ("by", memoryview(b"x")),
        ("str", "\ud800"),  # a lone surrogate cannot be UTF-8
    ):
        assert refused({field: value}).errors[0].loc == (field,)


def test_enums_take_names_or_numbers_and_read_back_as_names() -> None:
    assert round_trip({"color": "GREEN"})["color"] == "GREEN"
    assert round_trip({"color": 2})["color"] == "BLUE"
    # proto3 enums are open: an undeclared number is kept, and read back as that number
    assert round_trip({"color": 9})["color"] == 9
    assert round_trip({"colors": ["BLUE", 0, 9]})["colors"] == ["BLUE", "RED", 9]
    for value in ("PURPLE", True, 1.0, 2**31):
        assert refused({"color": value}).errors[0].loc == ("color",)


def test_closed_proto2_enums_refuse_undeclared_numbers() -> None:
    proto2 = 'syntax = "proto2"; enum E { A = 1; B = 2; } message M { optional E e = 1; }'
    assert round_trip({"e": 2}, proto2) == {"e": "B"}
    assert refused({"e": 3}, proto2).errors[0].type == "enum"


def test_nested_repeated_map_and_oneof_values_round_trip() -> None:
    value = {
        "inner": {"n": -1, "s": "x"},
        "r64": [2**63 - 1, -(2**63)],
        "rinner": [{"n": 1, "s": ""}, {"n": 0, "s": "y"}],
        "m64": {"a": 2**62, "": 0},
        "mi": {-(2**63): {"n": 5, "s": ""}, 0: {"n": 0, "s": ""}},
        "mb": {True: "BLUE", False: "RED"},
        "as_u64": 2**64 - 1,
        "maybe": 0,
    }
    assert round_trip(value) == {**DEFAULTS, **value}


def test_map_keys_are_checked_like_fields() -> None:
    error = refused({"mi": {"1": {"n": 1}}})
    assert error.errors[0].loc == ("mi", "1")
    assert error.errors[0].type == "map_key"
    assert refused({"mb": {1: "RED"}}).errors[0].loc == ("mb", 1)
    assert refused({"m64": {"a": 1.5}}).errors[0].loc == ("m64", "a")


def test_errors_name_the_field_path() -> None:
    error = refused({"rinner": [{"n": 1}, {"n": "2"}]})
    assert error.errors[0].loc == ("rinner", 1, "n")
    assert "rinner.1.n" in str(error)
    assert refused({"mi": {7: {"s": 5}}}).errors[0].loc == ("mi", 7, "s")
    assert refused({"st": {"a": [1, {"b": object()}]}}).errors[0].loc == ("st", "a", 1, "b")
    assert refused({"nope": 1}).errors[0].loc == ("nope",)
    assert refused({"inner": {"nope": 1}}).errors[0].loc == ("inner", "nope")


def test_only_one_member_of_a_oneof() -> None:
    error = refused({"text": "a", "as_u64": 1})
    assert error.errors[0].type == "oneof"
    # None leaves a member unset
    assert round_trip({"text": "a", "as_u64": None})["text"] == "a"


def test_none_unsets_fields_with_presence_and_is_refused_elsewhere() -> None:
    assert round_trip({"inner": None, "maybe": None, "ts": None, "w64": None}) == DEFAULTS
    for field in ("i32", "str", "r64", "m64"):
        assert refused({field: None}).errors[0].type == "none"
    assert refused({"r64": [1, None]}).errors[0].loc == ("r64", 1)
    assert refused({"mi": {1: None}}).errors[0].loc == ("mi", 1)


def test_fields_without_presence_read_back_at_their_defaults() -> None:
    assert round_trip({}) == DEFAULTS
    # explicit presence: set at zero is kept, unset is absent
    assert round_trip({"maybe": 0})["maybe"] == 0
    assert "maybe" not in round_trip({})


def test_json_names_are_accepted_once_and_read_back_as_proto_names() -> None:
    assert round_trip({"myCamelField": "x"})["my_camel_field"] == "x"
    assert refused({"myCamelField": "x", "my_camel_field": "y"}).errors[0].type == "duplicate"


def test_well_known_types_have_exact_dict_forms() -> None:
    value = {
        "ts": {"seconds": -62135596800, "nanos": 999_999_999},
        "dur": {"seconds": -5, "nanos": -1},
        "w64": 2**63 - 1,
        "wby": b"abcd",
        "st": {"a": 1.5, "b": None, "c": [True, "x", {"d": []}], "e": {}},
        "val": [1.0, None],
        "lst": ["x", {"y": False}],
        "mask": {"paths": ["a.b", "c"]},
        "empty": {},
        "rval": [None, 2.5, "s"],
        "mval": {"k": None, "j": {"z": 1.0}},
    }
    assert round_trip(value) == {**DEFAULTS, **value}
    # A wrapper set to its default is still present (it has presence)
    assert round_trip({"w64": 0})["w64"] == 0
    # Value None is JSON null (set), not "unset"
    assert round_trip({"val": None})["val"] is None
    # Struct numbers are doubles: an exact int is written, and reads back as a float
    assert round_trip({"st": {"n": 3}})["st"] == {"n": 3.0}
    assert refused({"st": {"n": 2**53 + 1}}).errors[0].loc == ("st", "n")
    assert refused({"st": {1: 2}}).errors[0].type == "map_key"


def test_any_reads_back_as_its_type_url_and_packed_bytes() -> None:
    from google.protobuf import timestamp_pb2

    packed = timestamp_pb2.Timestamp(seconds=5).SerializeToString()
    value = {"any": {"type_url": "type.googleapis.com/google.protobuf.Timestamp", "value": packed}}
    assert round_trip(value)["any"] == value["any"]
    # an Any of a type no reader knows is still decodable (json_format raised TypeError)
    unknown = {"any": {"type_url": "type.example.com/not.Known", "value": b"\x08\x01"}}
    assert round_trip(unknown)["any"] == unknown["any"]
    # and from a message instance, packed with Pack()
    parsed = writer._parse(SCALARS)
    message = parsed.dynamic_class(parsed.file.pool.FindMessageTypeByName("scalars.All"))()
    message.any.Pack(timestamp_pb2.Timestamp(seconds=7))
    decoded = reader.decode(SCALARS, writer.encode(SCALARS, message))
    assert decoded["any"]["type_url"].endswith("google.protobuf.Timestamp")
    assert timestamp_pb2.Timestamp.FromString(decoded["any"]["value"]).seconds == 7


def test_a_decoded_dict_encodes_to_the_same_bytes() -> None:
    payload = writer.encode(
        SCALARS, {"i64": -5, "st": {"a": [1.0]}, "mi": {3: {"n": 1}}, "color": "BLUE"}
    )
    assert writer.encode(SCALARS, reader.decode(SCALARS, payload)) == payload


def test_generated_classes_give_the_same_dicts() -> None:
    from tests.data import kitchen_sink3_pb2

    codec = ProtobufCodec(message_class=kitchen_sink3_pb2.Event, as_dict=True)
    definition = codec.canonical_definition(kitchen_sink3_pb2.Event)
    value = {
        "id": "x",
        "sequence": 0,
        "u64": 2**64 - 1,
        "js_number": 2**63 - 1,
        "tags_by_id": {2**62: {"key": "k", "value": ""}},
        "extra": {"nested": {"list": [None, 1.0]}},
        "note": "",
        "created_at": {"seconds": 1, "nanos": 2},
    }
    decoded = codec.decode(definition, codec.encode(definition, value))
    assert {k: decoded[k] for k in value} == value
    assert decoded["js_number"] == 2**63 - 1  # jstype=JS_STRING changes nothing here


# -- bounds ------------------------------------------------------------------------------------

RECURSIVE = (
    'syntax = "proto3"; package rec; import "google/protobuf/struct.proto";'
    "message Node { Node child = 1; int32 v = 2; map<string, Node> kids = 3;"
    " google.protobuf.Struct extra = 4; }"
)


def _chain(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"v": 1}
    for _ in range(depth):
        node = {"child": node}
    return node


def test_max_depth_is_checked_and_documented() -> None:
    for bad in (0, -1, 101, True, 2.0, "5"):
        with pytest.raises(ConfigurationError, match="max_depth"):
            ProtobufCodec(max_depth=bad)  # type: ignore[arg-type]


def test_dicts_deeper_than_max_depth_are_refused_at_write() -> None:
    assert round_trip(_chain(100), RECURSIVE)["child"]["child"]["child"]["v"] == 0
    error = refused(_chain(101), RECURSIVE)
    assert error.errors[0].type == "depth"
    # map entries count as a level, as on the wire
    assert round_trip({"kids": {"a": _chain(98)}}, RECURSIVE)["kids"]["a"]["v"] == 0
    assert refused({"kids": {"a": _chain(99)}}, RECURSIVE).errors[0].type == "depth"
    shallow = ProtobufCodec(max_depth=3)
    shallow.encode(RECURSIVE, _chain(3))
    with pytest.raises(ValidationError):
        shallow.encode(RECURSIVE, _chain(4))
    with pytest.raises(ValidationError):
        shallow.encode(RECURSIVE, {"extra": {"a": {"b": 1.0}}})  # Struct levels count too


def test_a_dict_containing_itself_is_refused() -> None:
    loop: dict[str, Any] = {"v": 1}
    loop["child"] = loop
    assert refused(loop, RECURSIVE).errors[0].type == "depth"
    cyclic: dict[str, Any] = {}
    cyclic["again"] = cyclic
    assert refused({"extra": cyclic}, RECURSIVE).errors[0].type == "depth"


def test_a_very_deep_message_instance_is_refused_not_crashed_on() -> None:
    # upb's serializer recurses in C without a bound: ~100,000 levels crash the process.
    script = textwrap.dedent(
        f"""
        from glue_serde.codecs.protobuf import ProtobufCodec
        from glue_serde.errors import ValidationError
        definition = {RECURSIVE!r}
        codec = ProtobufCodec()
        parsed = codec._parse(definition)
        Node = parsed.dynamic_class(parsed.top_level[0])
        root = Node()
        node = root
        for _ in range(200_000):
            node = node.child
        node.v = 1
        try:
            codec.encode(definition, root)
        except ValidationError as exc:
            print("refused", exc.errors[0].type)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "refused depth"


def test_message_instances_are_depth_checked_only_for_types_that_can_nest_deep() -> None:
    codec = ProtobufCodec(max_depth=2)
    parsed = codec._parse(RECURSIVE)
    node_cls = parsed.dynamic_class(parsed.top_level[0])
    node = node_cls()
    node.child.child.v = 1
    codec.encode(RECURSIVE, node)
    node.child.child.child.v = 1
    with pytest.raises(ValidationError, match="max_depth=2"):
        codec.encode(RECURSIVE, node)
    # A lower max_depth also bounds what is read (upb alone reads 100 levels).
    payload = ProtobufCodec().encode(RECURSIVE, node)
    for reading in (ProtobufCodec(max_depth=2), ProtobufCodec(max_depth=2, as_dict=True)):
        with pytest.raises(PayloadError, match="max_depth=2"):
            reading.decode(RECURSIVE, payload)


def test_payloads_nested_deeper_than_readers_accept_are_payload_errors() -> None:
    from glue_serde.codecs._varint import encode_uvarint32

    body = b"\x10\x01"
    for _ in range(5000):
        body = b"\x0a" + encode_uvarint32(len(body)) + body
    for codec in (ProtobufCodec(), ProtobufCodec(as_dict=True)):
        with pytest.raises(PayloadError):
            codec.decode(RECURSIVE, b"\x00" + body)


def test_dict_decoding_is_bounded_by_the_payload_size() -> None:
    wide = (
        'syntax = "proto3"; package wide; message Item {'
        + "".join(f" int32 f{i} = {i};" for i in range(1, 61))
        + " } message Batch { repeated Item items = 1; }"
    )
    # an empty Item is 2 bytes on the wire and a 60-key dict once decoded
    ok_count = 500
    payload = b"\x00" + b"\x0a\x00" * ok_count
    decoded = ProtobufCodec(as_dict=True).decode(wide, payload)
    assert len(decoded["items"]) == ok_count
    assert decoded["items"][0]["f60"] == 0
    bomb_count = (DICT_ITEMS_FLOOR // 60) * 4
    bomb = b"\x00" + b"\x0a\x00" * bomb_count
    assert bomb_count * 61 > DICT_ITEMS_FLOOR + DICT_ITEMS_PER_BYTE * len(bomb)
    with pytest.raises(PayloadError, match="expansion"):
        ProtobufCodec(as_dict=True).decode(wide, bomb)
    # messages themselves stay available
    assert len(ProtobufCodec().decode(wide, bomb).items) == bomb_count


def test_packed_repeated_fields_decode_within_the_budget() -> None:
    packed = 'syntax = "proto3"; package p; message P { repeated bool flags = 1; }'
    count = 200_000
    from glue_serde.codecs._varint import encode_uvarint32

    payload = b"\x00\x0a" + encode_uvarint32(count)
    payload += b"\x01" * count
    assert len(ProtobufCodec(as_dict=True).decode(packed, payload)["flags"]) == count


# -- imports -----------------------------------------------------------------------------------

PAYMENT = """
syntax = "proto3";
package payments;
import "google/type/money.proto";
import "google/protobuf/timestamp.proto";

message PaymentCaptured {
  string payment_id = 1;
  google.type.Money amount = 2;
  google.protobuf.Timestamp captured_at = 3;
}
"""


def test_a_schema_importing_google_type_money_and_timestamp_works_end_to_end() -> None:
    from glue_serde import DataFormat, Deserializer, Serializer
    from glue_serde.registry.local import LocalSchemaRegistry

    registry = LocalSchemaRegistry()
    serializer = Serializer(
        registry,
        data_format=DataFormat.PROTOBUF,
        schema=PAYMENT,
        schema_name="payments.PaymentCaptured",
        auto_register=True,
    )
    value = {
        "payment_id": "p-1",
        "amount": {"currency_code": "EUR", "units": 129, "nanos": 990_000_000},
        "captured_at": {"seconds": 1_700_000_000, "nanos": 123_456_789},
    }
    frame = serializer.serialize(value)
    assert frame is not None
    assert Deserializer(registry, as_dict=True).deserialize(frame) == value
    message = Deserializer(registry).deserialize(frame)
    assert message.DESCRIPTOR.full_name == "payments.PaymentCaptured"
    assert message.amount.DESCRIPTOR.full_name == "google.type.Money"
    assert (message.amount.units, message.amount.nanos) == (129, 990_000_000)
    assert message.captured_at.ToNanoseconds() == 1_700_000_000_123_456_789


@pytest.mark.parametrize(
    "path",
    [
        "google/type/money.proto",
        "google/type/date.proto",
        "google/type/timeofday.proto",
        "google/type/color.proto",  # imports google/protobuf/wrappers.proto
        "google/type/interval.proto",  # imports google/protobuf/timestamp.proto
        "google/type/postal_address.proto",
        "google/protobuf/any.proto",
        "google/protobuf/api.proto",  # imports source_context.proto and type.proto
        "google/protobuf/field_mask.proto",
        "google/protobuf/descriptor.proto",
    ],
)
def test_every_import_the_java_serde_bundles_resolves(path: str) -> None:
    text = f'syntax = "proto3"; package imp; import "{path}"; message M {{ int32 a = 1; }}'
    assert ProtobufCodec().canonical_definition(text) == text


@pytest.mark.parametrize(
    "path",
    [
        "common/money.proto",
        "google/type/datetime.proto",  # shipped by googleapis, not bundled by Java
        "google/protobuf/compiler/plugin.proto",
        "google/rpc/status.proto",
        "metadata/metadata.proto",
    ],
)
def test_other_imports_name_the_import_and_the_schema(path: str) -> None:
    text = (
        f'syntax = "proto3";\npackage orders;\nimport "{path}";\nmessage Order {{ int32 a = 1; }}'
    )
    with pytest.raises(SchemaError) as info:
        ProtobufCodec().canonical_definition(text)
    message = str(info.value)
    assert path in message
    assert "package orders" in message
    assert "Order" in message
    assert "schema.proto" not in message  # the internal file name is never shown
    with pytest.raises(SchemaError, match=r"^schema 'orders\.Order': .*" + path):
        ProtobufCodec().canonical_definition(text, schema_name="orders.Order")


def test_compile_errors_locate_the_users_text_by_line_and_column() -> None:
    text = 'syntax = "proto3";\npackage orders;\nmessage Order {\n  Unknown x = 1;\n}\n'
    with pytest.raises(SchemaError) as info:
        ProtobufCodec().canonical_definition(text)
    assert "line 4, column 3" in str(info.value)
    assert "schema.proto" not in str(info.value)


# -- nothing foreign escapes -------------------------------------------------------------------


@pytest.mark.parametrize("payload", ["text", 5, None, [0, 1]])
def test_a_payload_that_is_not_bytes_is_a_payload_error(payload: object) -> None:
    for codec in (writer, reader):
        with pytest.raises(PayloadError):
            codec.decode(SCALARS, payload)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        {"inner": 5},
        {"inner": [1]},
        {"r64": 5},
        {"r64": "12"},
        {"m64": [("a", 1)]},
        {"st": [1]},
        {"lst": {"a": 1}},
        {"val": object()},
        {1: 2},
        {"ts": "2020-01-01T00:00:00Z"},
        {"any": {"@type": "type.googleapis.com/x.Y"}},
    ],
)
def test_wrong_shapes_are_validation_errors(value: dict[Any, Any]) -> None:
    refused(value)
