from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2, timestamp_pb2

from glue_serde.codecs._protoparse import parse_proto
from glue_serde.codecs._protorender import render_file
from glue_serde.codecs.protobuf import ProtobufCodec, message_index, message_types_in_order
from glue_serde.enums import DataFormat
from glue_serde.errors import (
    ConfigurationError,
    PayloadError,
    SchemaError,
    ValidationError,
)
from tests.data import (
    basic_pb2,
    complex_nesting_pb2,
    complex_nesting_proto2_pb2,
    kitchen_sink2_pb2,
    kitchen_sink3_pb2,
)

DATA = Path(__file__).resolve().parents[2] / "data"
SHOP = (DATA / "shop.proto").read_text()
BASIC = (DATA / "basic.proto").read_text()
NESTING = (DATA / "complex_nesting.proto").read_text()
NESTING2 = (DATA / "complex_nesting_proto2.proto").read_text()
ALL_PROTOS = sorted(DATA.glob("*.proto"))

# Java MessageIndexFinderTest expectations (docs/wire-format.md, "Protobuf").
NESTING_INDICES = [
    "A",
    "A.B",
    "A.B.C",
    "A.B.C.J",
    "A.B.C.J.K",
    "A.B.C.X",
    "A.B.C.X.D",
    "A.B.C.X.D.F",
    "A.B.C.X.D.F.M",
    "A.B.C.X.D.G",
    "A.B.C.X.L",
    "A.I",
    "A.X",
    "N",
    "O",
    "O.A",
]


def _dynamic(codec: ProtobufCodec, definition: str, full_name: str):
    parsed = codec._parse(definition)
    return parsed.dynamic_class(parsed.file.pool.FindMessageTypeByName(full_name))


def _strip_default_json_names(fdp: descriptor_pb2.FileDescriptorProto) -> None:
    # protoc fills json_name in descriptor sets; generated modules keep only explicit ones.
    from glue_serde.codecs._protorender import _camel_json_name

    def walk(msg: descriptor_pb2.DescriptorProto) -> None:
        for f in msg.field:
            if f.json_name == _camel_json_name(f.name):
                f.ClearField("json_name")
        for nested in msg.nested_type:
            walk(nested)

    for msg in fdp.message_type:
        walk(msg)
    fdp.ClearField("name")
    fdp.ClearField("source_code_info")


# -- the index rule ----------------------------------------------------------------------------


def test_shop_example_indices_follow_the_full_name_sort() -> None:
    parsed = ProtobufCodec()._parse(SHOP)
    assert [d.full_name for d in parsed.ordered] == [
        "shop.Address",
        "shop.Customer",
        "shop.Order",
        "shop.Order.AttributesEntry",
        "shop.Order.Line",
        "shop.OrderItem",
    ]


@pytest.mark.parametrize(
    ("definition", "package"),
    [(NESTING, "glue.tests.syntax3"), (NESTING2, "glue.tests.syntax2")],
    ids=["proto3", "proto2"],
)
def test_complex_nesting_indices_match_the_java_reference(definition: str, package: str) -> None:
    codec = ProtobufCodec()
    assert [d.full_name for d in codec._parse(definition).ordered] == [
        f"{package}.{name}" for name in NESTING_INDICES
    ]
    for index, name in enumerate(NESTING_INDICES):
        cls = _dynamic(codec, definition, f"{package}.{name}")
        assert codec.encode(definition, cls())[:1] == bytes([index])


def test_generated_classes_get_the_java_indices() -> None:
    assert message_index(basic_pb2.Address) == 0
    assert message_index(basic_pb2.Customer(name="x")) == 1
    for index, name in enumerate(NESTING_INDICES):
        cls = complex_nesting_pb2
        for part in name.split("."):
            cls = getattr(cls, part)
        assert message_index(cls) == index
        cls2 = complex_nesting_proto2_pb2
        for part in name.split("."):
            cls2 = getattr(cls2, part)
        assert message_index(cls2) == index


def test_enums_services_and_imported_types_take_no_index() -> None:
    names = [d.full_name for d in message_types_in_order(complex_nesting_pb2.DESCRIPTOR)]
    assert len(names) == 16
    assert "glue.tests.syntax3.P" not in names  # enum
    assert "glue.tests.syntax3.A.B.C.X.D.F.M.K" not in names  # nested enum
    assert "glue.tests.syntax3.Lookup" not in names  # service
    assert not any(n.startswith("google.") for n in names)  # imported


def test_map_entry_names_keep_protoc_case() -> None:
    text = 'syntax = "proto3"; package p; message M { map<string, int32> myHTTP_map = 1; }'
    names = [d.full_name for d in ProtobufCodec()._parse(text).ordered]
    # protoc keeps the case (the Java rebuild would say MyhttpMapEntry).
    assert names == ["p.M", "p.M.MyHTTPMapEntry"]


# -- encoding ----------------------------------------------------------------------------------


def test_encode_generated_customer_gives_index_one_then_the_message() -> None:
    codec = ProtobufCodec()
    payload = codec.encode(BASIC, basic_pb2.Customer(name="sansa"))
    assert payload.hex() == "01" + "0a0573616e7361"


def test_encode_dynamic_message_from_the_definition() -> None:
    codec = ProtobufCodec()
    line = _dynamic(codec, SHOP, "shop.Order.Line")(sku="A1", qty=2)
    assert codec.encode(SHOP, line).hex() == "040a0241311002"


def test_encode_refuses_missing_proto2_required_fields_with_details() -> None:
    codec = ProtobufCodec()
    with pytest.raises(ValidationError) as info:
        codec.encode(BASIC, basic_pb2.Address(postcode=1))
    assert info.value.data_format is DataFormat.PROTOBUF
    assert [(e.type, e.loc) for e in info.value.errors] == [("missing", ("street",))]


def test_encode_refuses_a_message_not_declared_in_the_schema_file() -> None:
    codec = ProtobufCodec()
    with pytest.raises(ValidationError, match="not declared") as info:
        codec.encode(SHOP, basic_pb2.Customer(name="x"))
    assert info.value.errors[0].type == "message_type"
    with pytest.raises(ValidationError, match="not declared"):
        codec.encode(NESTING, timestamp_pb2.Timestamp(seconds=1))


@pytest.mark.parametrize("datum", [b"\x01", "text", 5, None, ["a"]])
def test_encode_refuses_non_messages_with_validation_error(datum: object) -> None:
    with pytest.raises(ValidationError) as info:
        ProtobufCodec().encode(BASIC, datum)
    assert not isinstance(info.value, TypeError)


def test_encode_builds_a_dict_into_the_single_top_level_message() -> None:
    text = 'syntax = "proto3"; package p; message Ping { int32 n = 1; message Inner {} }'
    codec = ProtobufCodec()
    assert codec.encode(text, {"n": 5}).hex() == "000805"


def test_encode_builds_a_dict_into_the_configured_message_class() -> None:
    codec = ProtobufCodec(message_class=basic_pb2.Customer)
    assert codec.encode(BASIC, {"name": "sansa"}).hex() == "010a0573616e7361"


def test_encode_refuses_a_dict_when_the_message_type_is_ambiguous() -> None:
    with pytest.raises(ValidationError, match=r"the schema declares \d+ top-level messages"):
        ProtobufCodec().encode(SHOP, {"sku": "A1"})


@pytest.mark.parametrize("bad", [{"n": 129.99}, {"n": "x"}, {"nope": 1}, {"n": 2**40}])
def test_encode_refuses_dict_values_that_do_not_fit(bad: dict[str, object]) -> None:
    text = 'syntax = "proto3"; message Ping { int32 n = 1; }'
    with pytest.raises(ValidationError):
        ProtobufCodec().encode(text, bad)


# -- decoding ----------------------------------------------------------------------------------


def test_decode_returns_the_users_class_when_the_index_selects_it() -> None:
    codec = ProtobufCodec(message_class=basic_pb2.Customer)
    message = codec.decode(BASIC, bytes.fromhex("010a0573616e7361"))
    assert type(message) is basic_pb2.Customer
    assert message.name == "sansa"


def test_decode_returns_a_dynamic_message_for_other_indices() -> None:
    codec = ProtobufCodec(message_class=basic_pb2.Customer)
    message = codec.decode(
        BASIC, bytes.fromhex("00") + basic_pb2.Address(street="s").SerializeToString()
    )
    assert type(message) is not basic_pb2.Address
    assert message.DESCRIPTOR.full_name == "glue.tests.syntax2.Address"
    assert message.street == "s"


def test_decode_without_message_class_gives_dynamic_messages() -> None:
    message = ProtobufCodec().decode(SHOP, bytes.fromhex("040a0241311002"))
    assert message.DESCRIPTOR.full_name == "shop.Order.Line"
    assert (message.sku, message.qty) == ("A1", 2)


def test_decode_as_dict_uses_proto_field_names() -> None:
    codec = ProtobufCodec(as_dict=True)
    order = _dynamic(codec, SHOP, "shop.Order")()
    order.lines.add(sku="A1", qty=2)
    order.attributes["gift_wrap"] = "yes"
    order.status = 1
    decoded = codec.decode(SHOP, codec.encode(SHOP, order))
    assert decoded == {
        "lines": [{"sku": "A1", "qty": 2}],
        "attributes": {"gift_wrap": "yes"},
        "status": "PAID",
    }


def test_decode_as_dict_renders_well_known_types_from_a_fresh_pool() -> None:
    codec = ProtobufCodec(as_dict=True)
    payload = (
        bytes([15])
        + complex_nesting_pb2.O.A(when=[timestamp_pb2.Timestamp(seconds=1)]).SerializeToString()
    )
    # A Timestamp is the dict of its fields: exact to the nanosecond, no string parsing.
    assert codec.decode(NESTING, payload) == {"when": [{"seconds": 1, "nanos": 0}]}


def test_decode_rejects_an_index_beyond_the_file() -> None:
    with pytest.raises(PayloadError, match="No corresponding descriptor found for the index: 100"):
        ProtobufCodec().decode(NESTING, bytes([100]))


@pytest.mark.parametrize(
    "payload_hex",
    ["", "80", "8000", "ffffffffff01", "01ff", "010a05", "01" + "0b" * 3, "0108"],
)
def test_decode_rejects_malformed_payloads_with_payload_error(payload_hex: str) -> None:
    with pytest.raises(PayloadError):
        ProtobufCodec().decode(BASIC, bytes.fromhex(payload_hex))


MANY = 'syntax = "proto3";\npackage many;\n' + "".join(
    f"message M{i:03d} {{ int32 n = 1; }}\n" for i in range(200)
)


@pytest.mark.parametrize(
    ("definition", "payload_hex", "name"),
    [
        (BASIC, "01ff", "glue.tests.syntax2.Customer"),  # one-byte index
        (MANY, "7fff", "many.M127"),  # the last one-byte index
        (MANY, "8001ff", "many.M128"),  # two-byte index
    ],
)
def test_decode_names_the_message_whose_body_does_not_parse(
    definition: str, payload_hex: str, name: str
) -> None:
    with pytest.raises(PayloadError, match=f"does not parse as {name}"):
        ProtobufCodec().decode(definition, bytes.fromhex(payload_hex))


@pytest.mark.parametrize("as_dict", [False, True])
@pytest.mark.parametrize("payload_hex", ["000801", "7f0802", "80010803", "c7010804"])
def test_decode_reads_one_and_two_byte_indices(payload_hex: str, as_dict: bool) -> None:
    payload = bytes.fromhex(payload_hex)
    index = {1: 0, 2: 127, 3: 128, 4: 199}[payload[-1]]
    decoded = ProtobufCodec(as_dict=as_dict).decode(MANY, payload)
    if as_dict:
        assert decoded == {"n": payload[-1]}
    else:
        assert decoded.DESCRIPTOR.full_name == f"many.M{index:03d}"
        assert decoded.n == payload[-1]


def test_decode_refuses_an_index_past_the_last_in_one_or_two_bytes() -> None:
    codec = ProtobufCodec()
    for payload_hex, index in (("030801", 3), ("c8010801", 200)):
        definition = BASIC if index == 3 else MANY
        with pytest.raises(PayloadError, match=f"for the index: {index}$"):
            codec.decode(definition, bytes.fromhex(payload_hex))


def test_decode_rejects_missing_required_fields_of_proto2_messages() -> None:
    with pytest.raises(PayloadError, match="missing required fields: name"):
        ProtobufCodec().decode(BASIC, bytes.fromhex("01"))


def test_decode_accepts_bytearray_and_memoryview() -> None:
    codec = ProtobufCodec()
    for buf in (bytearray.fromhex("040a0241311002"), memoryview(bytes.fromhex("040a0241311002"))):
        assert codec.decode(SHOP, buf).sku == "A1"


def test_same_message_names_in_two_definitions_do_not_clash() -> None:
    v1 = 'syntax = "proto3"; package same; message M { string a = 1; }'
    v2 = 'syntax = "proto3"; package same; message M { int64 a = 1; string b = 2; }'
    codec = ProtobufCodec(as_dict=True)
    assert codec.decode(v1, codec.encode(v1, {"a": "x"})) == {"a": "x"}
    assert codec.decode(v2, codec.encode(v2, {"a": 7, "b": "y"})) == {"a": 7, "b": "y"}


def test_encoders_decoders_and_parsed_definitions_are_cached() -> None:
    codec = ProtobufCodec()
    assert codec.encoder(SHOP) is codec.encoder(SHOP)
    assert codec.decoder(SHOP) is codec.decoder(SHOP)
    assert len(codec._parsed) == 1


def test_codec_reports_its_data_format() -> None:
    assert ProtobufCodec().data_format is DataFormat.PROTOBUF


@pytest.mark.parametrize("bad", [object(), dict, 5, "basic_pb2.Customer"])
def test_message_class_must_be_a_generated_class(bad: object) -> None:
    with pytest.raises(ConfigurationError):
        ProtobufCodec(message_class=bad)  # type: ignore[arg-type]


def test_parsed_cache_size_must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        ProtobufCodec(parsed_cache_size=0)


# -- definitions -------------------------------------------------------------------------------


def test_canonical_definition_of_text_is_the_text_unchanged() -> None:
    assert ProtobufCodec().canonical_definition(SHOP) == SHOP


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('syntax = "proto3"; message A { Foo x = 1; }', '"Foo" is not defined'),
        ('syntax = "proto3"; message A { int32 x = 1 }', "Expected"),
        ('syntax = "proto3"; import "other.proto"; message A {}', "other.proto"),
        ('syntax = "proto2"; message A { extensions 100 to 200; }', "extensions"),
        (
            'syntax = "proto2"; message A { extensions 100 to 200; } '
            "extend A { optional int32 e = 100; }",
            "extensions",
        ),
        (
            'syntax = "proto2"; message A { optional group G = 1 { optional int32 x = 2; } }',
            "groups",
        ),
        ('edition = "2023"; message A {}', "syntax"),
        ("", ""),
    ],
)
def test_invalid_or_unsupported_proto_text_is_a_schema_error(text: str, message: str) -> None:
    codec = ProtobufCodec()
    if not text:
        # An empty file compiles but declares no message: encoding anything is refused.
        assert codec.canonical_definition(text) == ""
        with pytest.raises(ValidationError):
            codec.encode(text, timestamp_pb2.Timestamp())
        return
    with pytest.raises(SchemaError, match=message) as info:
        codec.canonical_definition(text)
    assert info.value.data_format is DataFormat.PROTOBUF


@pytest.mark.parametrize("bad", [5, None, {"a": 1}, b"syntax"])
def test_canonical_definition_refuses_other_objects(bad: object) -> None:
    with pytest.raises(SchemaError):
        ProtobufCodec().canonical_definition(bad)


def test_encoder_refuses_a_non_text_definition() -> None:
    with pytest.raises(SchemaError):
        ProtobufCodec().encoder(basic_pb2.Customer)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "module",
    [
        basic_pb2,
        complex_nesting_pb2,
        complex_nesting_proto2_pb2,
        kitchen_sink2_pb2,
        kitchen_sink3_pb2,
    ],
)
def test_definition_rendered_from_a_generated_class_compiles_back_to_its_descriptor(
    module: object,
) -> None:
    codec = ProtobufCodec()
    file = module.DESCRIPTOR  # type: ignore[attr-defined]
    some_class = next(iter(file.message_types_by_name.values()))._concrete_class
    text = codec.canonical_definition(some_class)
    assert text == codec.canonical_definition(some_class())  # class or instance
    assert text == codec.canonical_definition(some_class)  # deterministic
    original = descriptor_pb2.FileDescriptorProto()
    file.CopyToProto(original)
    reparsed = parse_proto(text).file[-1]
    _strip_default_json_names(original)
    _strip_default_json_names(reparsed)
    assert reparsed == original


@pytest.mark.parametrize("path", ALL_PROTOS, ids=lambda p: p.name)
def test_rendering_parsed_text_round_trips_through_protoc(path: Path) -> None:
    original = parse_proto(path.read_text()).file[-1]
    reparsed = parse_proto(render_file(original)).file[-1]
    for fdp in (original, reparsed):
        fdp.ClearField("source_code_info")
    assert reparsed == original


def test_rendered_definition_keeps_well_known_imports_and_indices() -> None:
    codec = ProtobufCodec()
    text = codec.canonical_definition(complex_nesting_pb2.O.A)
    assert 'import "google/protobuf/timestamp.proto";' in text
    payload = codec.encode(text, complex_nesting_pb2.O.A())
    assert payload == bytes([15])


def test_rendering_refuses_descriptors_with_extensions() -> None:
    fdp = descriptor_pb2.FileDescriptorProto(name="x.proto", syntax="proto2")
    msg = fdp.message_type.add(name="A")
    msg.extension_range.add(start=100, end=200)
    with pytest.raises(SchemaError, match="extensions"):
        render_file(fdp)


def test_parse_proto_refuses_bad_file_names() -> None:
    for name in ("../x.proto", "x.txt", "google/x.proto", ""):
        with pytest.raises(SchemaError, match="file name"):
            parse_proto('syntax = "proto3";', file_name=name)


def test_parse_proto_puts_imports_first_and_the_file_last() -> None:
    fds = parse_proto(NESTING, file_name="orders.proto")
    assert [f.name for f in fds.file] == ["google/protobuf/timestamp.proto", "orders.proto"]


def test_round_trip_of_a_rich_proto3_message_through_generated_and_dynamic_classes() -> None:
    event = kitchen_sink3_pb2.Event(id="e1", sequence=0, kind=2, text="hello", flag=True)
    event.tags.add(key="k", value="v")
    event.counters["a"] = 1
    event.tags_by_id[7].key = "seven"
    event.created_at.seconds = 10
    event.extra.update({"x": [1, "two", None]})
    event.note.value = "n"
    event.times["t"].nanos = 5
    codec = ProtobufCodec()
    text = codec.canonical_definition(kitchen_sink3_pb2.Event)
    payload = codec.encode(text, event)
    dynamic = codec.decode(text, payload)
    assert dynamic.SerializeToString(deterministic=True) == event.SerializeToString(
        deterministic=True
    )
    typed = ProtobufCodec(message_class=kitchen_sink3_pb2.Event).decode(text, payload)
    assert typed == event
    assert typed.HasField("sequence")


def test_encode_caches_message_classes_but_never_dicts() -> None:
    codec = ProtobufCodec()
    text = 'syntax = "proto3"; message Ping { int32 n = 1; }'
    ping = codec.decode(text, codec.encode(text, {"n": 1}))
    assert codec.encode(text, ping) == codec.encode(text, ping) == bytes.fromhex("000801")
    assert codec.encode(text, {"n": 2}) == bytes.fromhex("000802")
    with pytest.raises(ValidationError, match="does not fit"):
        codec.encode(text, {"n": "two"})
    with pytest.raises(ValidationError, match="not declared"):
        codec.encode(text, basic_pb2.Customer(name="x"))  # a class seen by no encoder yet
    assert codec.encode(text, ping)[:1] == b"\x00"


def test_cached_class_lookup_still_checks_required_fields_on_every_message() -> None:
    codec = ProtobufCodec()
    assert codec.encode(BASIC, basic_pb2.Address(street="s")) == bytes([0]) + bytes.fromhex(
        "0a0173"
    )
    with pytest.raises(ValidationError, match="street"):
        codec.encode(BASIC, basic_pb2.Address(town="t"))
    assert codec.encode(BASIC, basic_pb2.Customer(name="sansa"))[:1] == b"\x01"


def test_rendered_definition_with_an_unresolvable_import_fails_at_canonical_definition() -> None:
    from google.protobuf import descriptor_pool, message_factory

    pool = descriptor_pool.DescriptorPool()
    pool.Add(
        descriptor_pb2.FileDescriptorProto(
            name="dep.proto", package="dep", message_type=[{"name": "D"}]
        )
    )
    main = descriptor_pb2.FileDescriptorProto(
        name="main.proto", package="m", syntax="proto3", dependency=["dep.proto"]
    )
    msg = main.message_type.add(name="M")
    msg.field.add(name="d", number=1, type=11, label=1, type_name=".dep.D")
    pool.Add(main)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName("m.M"))
    with pytest.raises(SchemaError, match=r"dep\.proto"):
        ProtobufCodec().canonical_definition(cls)


def test_codec_for_builds_the_protobuf_codec_with_options() -> None:
    from glue_serde.codecs import codec_for

    codec = codec_for(DataFormat.PROTOBUF, as_dict=True)
    assert isinstance(codec, ProtobufCodec)
    assert codec.decode(BASIC, bytes.fromhex("010a0573616e7361")) == {"name": "sansa"}


def test_framed_encoder_puts_the_header_before_index_and_message() -> None:
    codec = ProtobufCodec()
    header = b"\x03\x00" + bytes(range(16))
    framed = codec.framed_encoder(BASIC, header)
    customer = basic_pb2.Customer(name="sansa")
    for _ in range(2):  # the first call resolves the class, the second uses the cached entry
        assert framed(customer) == header + codec.encode(BASIC, customer)
    assert framed(basic_pb2.Address(street="s")) == header + bytes([0]) + bytes.fromhex("0a0173")
    with pytest.raises(ValidationError, match="street"):
        framed(basic_pb2.Address(town="t"))
    with pytest.raises(ValidationError, match="not declared"):
        framed(_dynamic(codec, SHOP, "shop.Order.Line")(sku="A1", qty=2))
    with pytest.raises(SchemaError):
        codec.framed_encoder(b"syntax", header)  # type: ignore[arg-type]
    ping = 'syntax = "proto3"; message Ping { int32 n = 1; }'
    for _ in range(2):  # dicts are never cached: each one resolves its prefix again
        assert codec.framed_encoder(ping, header)({"n": 1}) == header + bytes.fromhex("000801")
