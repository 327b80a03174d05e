from __future__ import annotations

import json
import threading
import time
import uuid
import zlib
from typing import Any

import pytest

from glue_serde import (
    Compatibility,
    Compression,
    DataFormat,
    DecompressionError,
    FrameError,
    IncompatibleSchemaError,
    PayloadError,
    RegistryUnavailableError,
    SchemaNotFoundError,
    SchemaNotRegisteredError,
    ValidationError,
    decode_frame,
    encode_frame,
)
from glue_serde.registry.caching import CacheConfig, CachingSchemaRegistry
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.registry.memory import InMemorySchemaRegistry
from glue_serde.serde import Deserializer, Serializer

USER = {
    "type": "record",
    "name": "User",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}],
}
USER_V2 = {
    "type": "record",
    "name": "User",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "email", "type": ["null", "string"], "default": None},
    ],
}
USER_V2_BREAKING = {
    "type": "record",
    "name": "User",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "age", "type": "int"},
        {"name": "email", "type": "string"},
    ],
}


@pytest.fixture
def registry() -> LocalSchemaRegistry:
    return LocalSchemaRegistry()


def _serializer(registry: Any, schema: Any = USER, **kwargs: Any) -> Serializer:
    return Serializer(
        registry, data_format=DataFormat.AVRO, schema=schema, schema_name="users", **kwargs
    )


def test_round_trip_through_the_embedded_registry(registry: LocalSchemaRegistry) -> None:
    ser = _serializer(registry, auto_register=True)
    frame = ser.serialize({"name": "Ann", "age": 31})
    assert frame is not None
    assert frame[:2] == b"\x03\x00"
    assert frame[2:18] == ser.schema_version_id.bytes
    assert frame[18:] == bytes.fromhex("06416e6e3e")
    assert Deserializer(registry).deserialize(frame) == {"name": "Ann", "age": 31}


def test_auto_registration_is_off_by_default_and_nothing_is_written(
    registry: LocalSchemaRegistry,
) -> None:
    ser = _serializer(registry)
    with pytest.raises(SchemaNotRegisteredError) as info:
        ser.serialize({"name": "Ann", "age": 31})
    assert info.value.schema_name == "users"
    assert "auto_register" in str(info.value)
    assert registry.find_schema_version("users", ser.schema_definition, DataFormat.AVRO) is None


def test_a_registered_schema_is_found_without_auto_registration(
    registry: LocalSchemaRegistry,
) -> None:
    definition = _serializer(registry).schema_definition
    version = registry.create_schema("users", definition, DataFormat.AVRO)
    ser = _serializer(registry)
    assert ser.resolve().schema_version_id == version.schema_version_id


def test_auto_registration_adds_a_version_to_an_existing_schema(
    registry: LocalSchemaRegistry,
) -> None:
    v1 = _serializer(registry, auto_register=True).resolve()
    v2 = _serializer(registry, USER_V2, auto_register=True).resolve()
    assert (v1.version_number, v2.version_number) == (1, 2)


def test_auto_registration_of_a_breaking_change_raises_incompatible(
    registry: LocalSchemaRegistry,
) -> None:
    _serializer(registry, auto_register=True).resolve()
    ser = _serializer(registry, USER_V2_BREAKING, auto_register=True)
    with pytest.raises(IncompatibleSchemaError) as info:
        ser.serialize({"name": "Ann", "age": 1, "email": "a@example.com"})
    assert not info.value.report.compatible
    assert any("email" in p.path for p in info.value.report.problems)


def test_none_gives_none_both_ways(registry: LocalSchemaRegistry) -> None:
    assert _serializer(registry).serialize(None) is None
    assert Deserializer(registry).deserialize(None) is None


def test_invalid_value_raises_validation_error_listing_violations(
    registry: LocalSchemaRegistry,
) -> None:
    ser = _serializer(registry, auto_register=True)
    with pytest.raises(ValidationError) as info:
        ser.serialize({"name": 5, "age": 129.99})
    locs = {e.loc for e in info.value.errors}
    assert ("name",) in locs and ("age",) in locs


def test_zlib_frames_decode_and_threshold_skips_small_payloads(
    registry: LocalSchemaRegistry,
) -> None:
    ser = _serializer(registry, auto_register=True, compression=Compression.ZLIB)
    frame = ser.serialize({"name": "Bob", "age": 42})
    assert frame is not None and frame[1] == 5
    assert zlib.decompress(frame[18:]) == bytes.fromhex("06426f6254")
    small = _serializer(
        registry, auto_register=True, compression=Compression.ZLIB, compression_threshold=100
    ).serialize({"name": "Bob", "age": 42})
    assert small is not None and small[1] == 0
    des = Deserializer(registry)
    assert des.deserialize(frame) == des.deserialize(small) == {"name": "Bob", "age": 42}


def test_schema_is_fetched_once_per_version_id() -> None:
    counting = InMemorySchemaRegistry()
    # cache=None: the registrations do not fill the deserializer's cache.
    frames = [
        _serializer(counting, auto_register=True, cache=None).serialize({"name": "a", "age": i})
        for i in range(50)
    ]
    frames += [
        _serializer(counting, USER_V2, auto_register=True, cache=None).serialize(
            {"name": "b", "age": i, "email": None}
        )
        for i in range(50)
    ]
    counting.calls.clear()
    des = Deserializer(counting)
    assert len(des.deserialize_many(frames)) == 100
    assert counting.calls == {"get_schema_version": 2}


def test_bad_compression_byte_fails_before_any_registry_call() -> None:
    counting = InMemorySchemaRegistry()
    with pytest.raises(FrameError):
        Deserializer(counting).deserialize(b"\x03\x07" + uuid.uuid4().bytes + b"x")
    assert counting.calls == {}


def test_corrupt_zlib_fails_after_the_schema_fetch(registry: LocalSchemaRegistry) -> None:
    version = _serializer(registry, auto_register=True).resolve()
    data = b"\x03\x05" + version.schema_version_id.bytes + b"not zlib"
    with pytest.raises(DecompressionError) as info:
        Deserializer(registry).deserialize(data)
    assert info.value.schema_version_id == version.schema_version_id


def test_unknown_version_id_is_schema_not_found(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(SchemaNotFoundError):
        Deserializer(registry).deserialize(encode_frame(uuid.uuid4(), b"\x02"))


def test_payload_error_carries_the_version_id(registry: LocalSchemaRegistry) -> None:
    version = _serializer(registry, auto_register=True).resolve()
    with pytest.raises(PayloadError) as info:
        Deserializer(registry).deserialize(encode_frame(version.schema_version_id, b"\x06An"))
    assert info.value.schema_version_id == version.schema_version_id


def test_reader_schema_resolves_old_records_to_the_new_shape(
    registry: LocalSchemaRegistry,
) -> None:
    frame = _serializer(registry, auto_register=True).serialize({"name": "a", "age": 1})
    des = Deserializer(registry, reader_schema=USER_V2)
    assert des.deserialize(frame) == {"name": "a", "age": 1, "email": None}


def test_convert_hook_shapes_the_output(registry: LocalSchemaRegistry) -> None:
    frame = _serializer(registry, auto_register=True).serialize({"name": "a", "age": 1})
    des = Deserializer(registry, convert=lambda d: (d["name"], d["age"]))
    assert des.deserialize(frame) == ("a", 1)
    record = des.deserialize_record(frame)  # type: ignore[arg-type]
    assert record.value == ("a", 1)
    assert record.schema_version.schema_name == "users"


def test_pinned_version_id_never_asks_the_registry() -> None:
    counting = InMemorySchemaRegistry()
    vid = uuid.UUID("b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70")
    ser = _serializer(counting, schema_version_id=vid, cache=None)
    assert ser.serialize({"name": "Ann", "age": 31}) == bytes.fromhex(
        "0300b7b4a7f09c234b4e8f4e2f1c3d5e6a7006416e6e3e"
    )
    assert counting.calls == {}


def test_concurrent_first_serializations_resolve_once() -> None:
    counting = InMemorySchemaRegistry()
    ser = _serializer(counting, auto_register=True, cache=None)
    barrier = threading.Barrier(8)
    results: list[bytes | None] = []

    def work() -> None:
        barrier.wait()
        results.append(ser.serialize({"name": "x", "age": 1}))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert counting.calls["find_schema_version"] == 1


def test_serializers_wrap_the_registry_in_the_cache_by_default(
    registry: LocalSchemaRegistry,
) -> None:
    ser = _serializer(registry, auto_register=True)
    assert isinstance(ser._registry, CachingSchemaRegistry)
    uncached = _serializer(registry, cache=None)._registry
    assert not isinstance(uncached, CachingSchemaRegistry)
    assert uncached.wrapped is registry  # type: ignore[attr-defined]


def test_version_that_is_not_available_is_not_used_for_decoding() -> None:
    vid = uuid.uuid4()

    from glue_serde.enums import SchemaVersionStatus

    registry = InMemorySchemaRegistry()
    registry.add("users", '"string"', schema_version_id=vid, status=SchemaVersionStatus.FAILURE)
    with pytest.raises(SchemaNotFoundError, match="FAILURE"):
        Deserializer(registry, cache=None).deserialize(encode_frame(vid, b"\x02a"))


def test_decode_frame_and_deserializer_agree(registry: LocalSchemaRegistry) -> None:
    ser = _serializer(registry, auto_register=True, compression=Compression.ZLIB)
    frame = ser.serialize({"name": "Zed", "age": 7})
    assert frame is not None
    assert decode_frame(frame).payload == bytes.fromhex("065a65640e")
    assert Deserializer(registry).deserialize(bytearray(frame)) == {"name": "Zed", "age": 7}
    assert Deserializer(registry).deserialize(memoryview(frame)) == {"name": "Zed", "age": 7}


def test_create_schema_compatibility_is_passed_on(registry: LocalSchemaRegistry) -> None:
    _serializer(registry, auto_register=True, compatibility=Compatibility.NONE).resolve()
    assert registry.get_schema("users").compatibility is Compatibility.NONE


def test_metadata_is_written_on_a_version_the_serializer_registers(
    registry: LocalSchemaRegistry,
) -> None:
    ser = _serializer(
        registry, auto_register=True, metadata={"x-amz-meta-transport": "users-topic"}
    )
    version = ser.resolve()
    assert registry.get_schema_version_metadata(version.schema_version_id) == {
        "x-amz-meta-transport": ("users-topic",)
    }


def test_metadata_failures_are_logged_not_raised(
    registry: LocalSchemaRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    ser = _serializer(registry, auto_register=True, metadata={"bad key": "v"})
    version = ser.resolve()
    assert version.version_number == 1
    assert "could not write metadata" in caplog.text


def test_to_dict_hook_writes_dataclasses(registry: LocalSchemaRegistry) -> None:
    import dataclasses

    from glue_serde import SerializationError

    @dataclasses.dataclass
    class User:
        name: str
        age: int

    ser = _serializer(registry, auto_register=True, to_dict=dataclasses.asdict)
    frame = ser.serialize(User("Ann", 31))
    assert frame is not None and frame[18:] == bytes.fromhex("06416e6e3e")
    with pytest.raises(SerializationError):
        ser.serialize({"name": "not a dataclass"})  # asdict raises TypeError: translated


def test_deserialize_many_matches_deserialize_frame_by_frame(
    registry: LocalSchemaRegistry,
) -> None:
    plain = _serializer(registry, auto_register=True)
    packed = _serializer(registry, auto_register=True, compression=Compression.ZLIB)
    values = [{"name": f"n{i}", "age": i} for i in range(6)]
    frames: list[bytes | None] = [plain.serialize(v) for v in values[:3]]
    frames += [None, *(packed.serialize(v) for v in values[3:])]
    frames.append(memoryview(plain.serialize(values[0]) or b""))  # type: ignore[arg-type]
    des = Deserializer(registry, convert=lambda v: (v["name"], v["age"]))
    expected = [des.deserialize(f) for f in frames]
    assert des.deserialize_many(frames) == expected
    assert expected[3] is None and expected[4] == ("n3", 3) and expected[-1] == ("n0", 0)


@pytest.mark.parametrize("method", ["deserialize", "deserialize_record", "deserialize_many"])
def test_every_read_path_tags_payload_errors_with_the_version_id(
    registry: LocalSchemaRegistry, method: str
) -> None:
    version = _serializer(registry, auto_register=True).resolve()
    good = encode_frame(version.schema_version_id, b"\x06Ann\x02")
    bad = encode_frame(version.schema_version_id, b"\x06Ann\x02\x00")  # a byte left over
    des = Deserializer(registry)
    with pytest.raises(PayloadError, match="bytes left") as info:
        if method == "deserialize_many":
            des.deserialize_many([good, bad])
        else:
            getattr(des, method)(bad)
    assert info.value.schema_version_id == version.schema_version_id


@pytest.mark.parametrize(
    "options",
    [{}, {"compression": Compression.ZLIB}, {"to_dict": lambda v: {"name": v[0], "age": v[1]}}],
    ids=["framed", "zlib", "to_dict"],
)
def test_serialize_many_matches_serialize_value_by_value(
    registry: LocalSchemaRegistry, options: dict[str, Any]
) -> None:
    ser = _serializer(registry, auto_register=True, **options)
    raw = [("a", 1), None, ("b", 2)]
    values = raw if "to_dict" in options else [v and {"name": v[0], "age": v[1]} for v in raw]
    frames = ser.serialize_many(iter(values))
    assert frames == [ser.serialize(v) for v in values]
    assert frames[1] is None and frames[0] is not None


def test_serialize_many_resolves_only_when_there_is_a_value(
    registry: LocalSchemaRegistry,
) -> None:
    counting = InMemorySchemaRegistry()
    ser = _serializer(counting)  # not registered, auto-registration off
    assert ser.serialize_many([]) == []
    assert ser.serialize_many([None, None]) == [None, None]
    assert counting.calls == {}
    with pytest.raises(SchemaNotRegisteredError):
        ser.serialize_many([None, {"name": "a", "age": 1}])
    with pytest.raises(ValidationError):
        _serializer(registry, auto_register=True).serialize_many([{"name": "a", "age": 1.5}])


@pytest.mark.parametrize("bad", ["\x03\x00" + "0" * 20, 12, [3, 0, *range(20)], 1.5])
@pytest.mark.parametrize(
    "method", ["deserialize", "deserialize_record", "deserialize_many", "schema_version_for"]
)
def test_what_is_not_bytes_like_is_a_frame_error(
    registry: LocalSchemaRegistry, bad: Any, method: str
) -> None:
    des = Deserializer(registry)
    des.deserialize(_serializer(registry, auto_register=True).serialize({"name": "a", "age": 1}))
    with pytest.raises(FrameError, match="bytes, bytearray or memoryview") as info:
        if method == "deserialize_many":
            des.deserialize_many([bad])
        else:
            getattr(des, method)(bad)
    assert info.value.reason == "not_bytes"


# ---------------------------------------------------------------------------------------------
# One cache per registry, and what happens when a version expires


def _frame_and_registry(**add: Any) -> tuple[bytes, InMemorySchemaRegistry, uuid.UUID]:
    registry = InMemorySchemaRegistry()
    vid = uuid.uuid4()
    registry.add("users", json.dumps(USER), schema_version_id=vid, **add)
    frame = Serializer(
        registry,
        data_format=DataFormat.AVRO,
        schema=USER,
        schema_name="users",
        schema_version_id=vid,
    ).serialize({"name": "Ann", "age": 31})
    return frame, registry, vid


def test_deserializers_and_serializers_on_one_registry_share_one_cache() -> None:
    registry = InMemorySchemaRegistry()
    serializers = [
        _serializer(registry, schema, auto_register=True)
        for schema in (USER, USER_V2)
        for _ in range(5)  # ten per-topic serializers, two schemas
    ]
    frames = [s.serialize({"name": "a", "age": 1}) for s in serializers]
    assert registry.calls["find_schema_version"] == 2  # one per definition, not per serializer
    registry.calls.clear()
    key, value = Deserializer(registry), Deserializer(registry, convert=dict)
    for des in (key, value, Deserializer(registry)):
        des.deserialize_many(frames)
    # The registrations filled the shared cache: no deserializer asked the registry.
    assert registry.calls == {}
    assert key._lookup.__self__ is value._lookup.__self__  # type: ignore[attr-defined]
    assert serializers[0]._registry is key._lookup.__self__  # type: ignore[attr-defined]


def test_two_deserializers_make_one_registry_call_per_id() -> None:
    frame, registry, _ = _frame_and_registry()
    first, second = Deserializer(registry), Deserializer(registry)
    assert first.deserialize(frame) == second.deserialize(frame) == {"name": "Ann", "age": 31}
    assert registry.calls == {"get_schema_version": 1}


def test_a_different_cache_config_or_no_cache_gets_its_own_answers() -> None:
    frame, registry, _ = _frame_and_registry()
    Deserializer(registry).deserialize(frame)
    Deserializer(registry, cache=CacheConfig(max_size=10)).deserialize(frame)
    Deserializer(registry, cache=None).deserialize(frame)
    assert registry.calls == {"get_schema_version": 3}


def test_a_caching_registry_given_by_the_user_is_used_as_it_is() -> None:
    frame, registry, _ = _frame_and_registry()
    cached = CachingSchemaRegistry(registry, config=CacheConfig(id_cache_size=5))
    for des in (Deserializer(cached), Deserializer(cached, cache=CacheConfig(max_size=9))):
        des.deserialize(frame)
    assert registry.calls == {"get_schema_version": 1}
    assert cached.stats.hits == 1


def test_a_version_deleted_from_the_registry_stops_decoding_after_id_ttl() -> None:
    frame, registry, _ = _frame_and_registry()
    des = Deserializer(registry, cache=CacheConfig(id_ttl=0.3))
    assert des.deserialize(frame) == {"name": "Ann", "age": 31}
    registry.delete_schema("users")
    deadline = time.monotonic() + 10
    while True:  # decoded from the hot entry until the cache says the id expired
        try:
            des.deserialize(frame)
        except SchemaNotFoundError:
            break
        assert time.monotonic() < deadline, "the deleted version kept decoding"
        time.sleep(0.01)
    with pytest.raises(SchemaNotFoundError):
        des.deserialize_many([frame])


def test_an_expired_version_keeps_decoding_while_the_registry_is_down() -> None:
    class Flaky(InMemorySchemaRegistry):
        down = False

        def on_call(self, verb: str) -> None:
            if self.down:
                raise RegistryUnavailableError("down", operation="GetSchemaVersion")

    registry = Flaky()
    vid = uuid.uuid4()
    registry.add("users", json.dumps(USER), schema_version_id=vid)
    frame = encode_frame(vid, b"\x06Ann\x3e")
    des = Deserializer(registry, cache=CacheConfig(id_ttl=0.2, stale_retry_interval=0.2))
    assert des.deserialize(frame) == {"name": "Ann", "age": 31}
    registry.down = True
    deadline = time.monotonic() + 10
    while registry.calls["get_schema_version"] < 3:  # expired and retried at least twice
        assert des.deserialize(frame) == {"name": "Ann", "age": 31}
        assert time.monotonic() < deadline, "the expired id was never refreshed"
        time.sleep(0.01)
    registry.down = False
    assert des.deserialize(frame) == {"name": "Ann", "age": 31}


def test_a_forgotten_entry_is_never_left_hot() -> None:
    frame, registry, vid = _frame_and_registry()
    des = Deserializer(registry, cache=None)
    des.deserialize(frame)
    assert des._hot[2] is not None
    des._forget(frozenset({vid.bytes}))
    assert des._hot[2] is None and des._entries == {}
    des.deserialize(frame)
    assert registry.calls == {"get_schema_version": 2}


def test_a_hot_entry_the_bounded_table_dropped_is_still_forgotten() -> None:
    frame, registry, vid = _frame_and_registry()
    des = Deserializer(registry, cache=None)
    des.deserialize(frame)
    des._entries.clear()  # as if evicted by DEFAULT_DECODER_CACHE_SIZE while still hot
    des._forget(frozenset({vid.bytes}))
    assert des._hot[2] is None
    des.deserialize(frame)
    assert registry.calls == {"get_schema_version": 2}


def test_an_entry_fetched_while_the_cache_forgets_is_used_once_then_fetched_again() -> None:
    frame, _, vid = _frame_and_registry()

    class Forgetting(InMemorySchemaRegistry):
        def on_call(self, verb: str) -> None:
            des._forget(frozenset({vid.bytes}))  # the cache expiring ids mid-fetch

    registry = Forgetting()
    registry.add("users", json.dumps(USER), schema_version_id=vid)
    des = Deserializer(registry, cache=None)
    for _ in range(3):
        assert des.deserialize(frame) == {"name": "Ann", "age": 31}
    assert registry.calls == {"get_schema_version": 3}  # never installed, never hot
    assert des._entries == {} and des._hot[2] is None


# ---------------------------------------------------------------------------------------------
# Metadata, reprs


def test_metadata_is_written_through_the_metadata_writer_protocol() -> None:
    registry = InMemorySchemaRegistry()
    version = _serializer(
        registry, auto_register=True, metadata={"x-amz-meta-transport": "users"}
    ).resolve()
    assert registry.get_schema_version_metadata(version.schema_version_id) == {
        "x-amz-meta-transport": ("users",)
    }


def test_a_metadata_failure_of_any_kind_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(InMemorySchemaRegistry):
        def put_schema_version_metadata(self, *args: Any) -> None:
            raise KeyError("metadata store")

    ser = _serializer(Broken(), auto_register=True, metadata={"k": "v"})
    assert ser.resolve().version_number == 1
    assert "could not write metadata k=v" in caplog.text and "KeyError" in caplog.text


def test_reprs_say_what_a_serde_is_without_secrets() -> None:
    registry = InMemorySchemaRegistry(registry_name="payments")
    ser = _serializer(registry, auto_register=True)
    assert repr(ser) == (
        "Serializer(schema_name='users', data_format=AVRO, registry=InMemorySchemaRegistry("
        "registry_name='payments', schemas=0, versions=0), auto_register=True, "
        "compression=NONE, schema_version_id=unresolved)"
    )
    version = ser.resolve()
    assert f"schema_version_id={version.schema_version_id})" in repr(ser)
    des = Deserializer(registry, convert=dict)
    assert repr(des).startswith("Deserializer(registry=InMemorySchemaRegistry(")
    assert "convert=<class 'dict'>" in repr(des) and repr(des).endswith("writer_versions=0)")
    des.deserialize(ser.serialize({"name": "a", "age": 1}))
    assert repr(des).endswith("writer_versions=1)")


# ---------------------------------------------------------------------------------------------
# Arguments checked at construction, and frames read as bytes only


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, 2**31, 10**30, "16"])
def test_a_deserializer_refuses_an_unusable_decompression_limit_at_construction(
    registry: LocalSchemaRegistry, limit: Any
) -> None:
    from glue_serde import ConfigurationError

    with pytest.raises(ConfigurationError, match="max_decompressed_size"):
        Deserializer(registry, max_decompressed_size=limit)


def test_the_largest_decompression_limit_is_accepted(registry: LocalSchemaRegistry) -> None:
    from glue_serde.compression import MAX_DECOMPRESSED_SIZE_LIMIT

    ser = _serializer(registry, auto_register=True, compression=Compression.ZLIB)
    des = Deserializer(registry, max_decompressed_size=MAX_DECOMPRESSED_SIZE_LIMIT)
    assert des.deserialize(ser.serialize({"name": "a", "age": 1})) == {"name": "a", "age": 1}


@pytest.mark.parametrize("typecode", ["H", "I", "L", "Q"])
@pytest.mark.parametrize(
    "method", ["deserialize", "deserialize_record", "deserialize_many", "schema_version_for"]
)
def test_a_view_of_wide_items_equal_to_the_hot_header_is_refused(
    registry: LocalSchemaRegistry, typecode: str, method: str
) -> None:
    from array import array

    des = Deserializer(registry)
    frame = _serializer(registry, auto_register=True).serialize({"name": "a", "age": 1})
    assert des.deserialize(frame) == {"name": "a", "age": 1}  # its header is now the hot one
    # 18 items equal to the header's 18 bytes, then the payload's bytes as items.
    wide = memoryview(array(typecode, list(frame)))
    assert wide[:18] == frame[:18]  # compares equal item by item: must not pass for a header
    with pytest.raises(FrameError, match="memoryview of format") as info:
        if method == "deserialize_many":
            des.deserialize_many([frame, wide])  # type: ignore[list-item]
        else:
            getattr(des, method)(wide)
    assert info.value.reason == "not_bytes"
    assert des.deserialize(memoryview(frame)) == {"name": "a", "age": 1}  # bytes: read


def test_a_protobuf_serializer_names_its_schema_in_definition_errors(
    registry: LocalSchemaRegistry,
) -> None:
    from glue_serde import SchemaError

    text = 'syntax = "proto3"; package orders; import "other.proto"; message Order { int32 a = 1; }'
    with pytest.raises(SchemaError, match=r"^schema 'orders-value': .*other\.proto"):
        Serializer(
            registry, data_format=DataFormat.PROTOBUF, schema=text, schema_name="orders-value"
        )
