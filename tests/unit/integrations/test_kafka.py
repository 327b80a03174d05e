"""Kafka adapters with hand-made serialization contexts."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from glue_serde.enums import DataFormat
from glue_serde.errors import ConfigurationError, FrameError, SerializationError
from glue_serde.integrations.kafka import (
    KafkaDeserializer,
    KafkaSerializer,
    kafka_python_deserializer,
    kafka_python_serializer,
)
from glue_serde.registry.memory import InMemorySchemaRegistry
from glue_serde.serde import Deserializer, Serializer
from tests.unit.integrations._registry import USER_SCHEMA, MemoryRegistry

KEY_SCHEMA = (
    '{"type":"record","name":"UserKey","namespace":"com.example",'
    '"fields":[{"name":"id","type":"string"}]}'
)
ANN = {"name": "Ann", "age": 31}


@dataclass
class Ctx:
    topic: str
    field: str | None = "value"
    headers: list[tuple[str, bytes]] | None = dataclasses.field(default_factory=list)


@pytest.fixture
def registry() -> MemoryRegistry:
    return MemoryRegistry()


def _values(registry: MemoryRegistry, **kw: Any) -> KafkaSerializer:
    return KafkaSerializer(
        registry, data_format="AVRO", schema=USER_SCHEMA, auto_register=True, **kw
    )


def test_value_schema_is_named_after_the_topic_by_default(registry: MemoryRegistry) -> None:
    ser = _values(registry)
    frame = ser(ANN, Ctx("users"))
    assert frame is not None and frame[0] == 3
    assert ser.schema_name_for("users") == "users"
    assert registry.get_schema_version(uuid.UUID(bytes=frame[2:18])).schema_name == "users"
    assert KafkaDeserializer(registry)(frame, Ctx("users")) == ANN


def test_key_with_default_naming_is_refused(registry: MemoryRegistry) -> None:
    ser = _values(registry)
    with pytest.raises(ConfigurationError, match="collision"):
        ser("k", Ctx("users", field="key"))
    with pytest.raises(ConfigurationError, match="collision"):
        KafkaSerializer(registry, data_format="AVRO", schema=KEY_SCHEMA, is_key=True)


@pytest.mark.parametrize(
    ("naming", "key_name", "value_name"),
    [
        ("topic_key_value", "orders-key", "orders-value"),
        ("record", "com.example.UserKey", "User"),
        ("topic_record", "orders-com.example.UserKey", "orders-User"),
        (lambda topic, is_key: f"{topic}.{'k' if is_key else 'v'}", "orders.k", "orders.v"),
    ],
)
def test_naming_strategies_give_keys_and_values_distinct_names(
    registry: MemoryRegistry, naming: Any, key_name: str, value_name: str
) -> None:
    keys = KafkaSerializer(
        registry, data_format="AVRO", schema=KEY_SCHEMA, naming=naming, auto_register=True
    )
    values = _values(registry, naming=naming)
    key_frame = keys({"id": "u1"}, Ctx("orders", field="key"))
    value_frame = values(ANN, Ctx("orders", field="value"))
    assert key_frame is not None and value_frame is not None
    names = {
        registry.get_schema_version(uuid.UUID(bytes=f[2:18])).schema_name
        for f in (key_frame, value_frame)
    }
    assert names == {key_name, value_name}


def test_confluent_message_field_enum_is_understood(registry: MemoryRegistry) -> None:
    from confluent_kafka.serialization import MessageField, SerializationContext

    ser = KafkaSerializer(
        registry,
        data_format="AVRO",
        schema=KEY_SCHEMA,
        naming="topic_key_value",
        auto_register=True,
    )
    frame = ser({"id": "x"}, SerializationContext("t", MessageField.KEY))
    assert frame is not None
    assert registry.get_schema_version(uuid.UUID(bytes=frame[2:18])).schema_name == "t-key"


def test_fixed_schema_name_and_serializer_cache_is_bounded(registry: MemoryRegistry) -> None:
    ser = _values(registry, schema_name="all-users", max_topics=2)
    for topic in ("a", "b", "c", "a"):
        ser(ANN, Ctx(topic))
    assert len(ser._serializers) == 2
    assert ser.serializer_for("a") is ser.serializer_for("a")
    assert {v.schema_name for v in registry._by_id.values()} == {"all-users"}


def test_tombstones_pass_through_both_ways(registry: MemoryRegistry) -> None:
    assert _values(registry)(None, Ctx("users")) is None
    assert KafkaDeserializer(registry)(None, Ctx("users")) is None
    assert sum(registry.calls.values()) == 0


def test_zero_length_value_is_a_frame_error_even_with_a_secondary(registry: MemoryRegistry) -> None:
    de = KafkaDeserializer(registry, secondary_deserializer=lambda d, c: "secondary")
    with pytest.raises(FrameError) as info:
        de(b"", Ctx("users"))
    assert info.value.reason == "too_short"


def test_non_glue_bytes_go_to_the_secondary_deserializer(registry: MemoryRegistry) -> None:
    seen: list[tuple[bytes, Any]] = []
    confluent = b"\x00\x00\x00\x00\x2a" + b"legacy avro payload"
    ctx = Ctx("users")

    def secondary(data: bytes, context: Any) -> str:
        seen.append((data, context))
        return "legacy"

    de = KafkaDeserializer(registry, secondary_deserializer=secondary)
    assert de(confluent, ctx) == "legacy"
    assert seen == [(confluent, ctx)]
    assert de(b"\x00\x01", ctx) == "legacy"  # short, but byte 0 is not 3


def test_without_a_secondary_the_frame_error_names_the_byte(registry: MemoryRegistry) -> None:
    with pytest.raises(FrameError, match="0x00") as info:
        KafkaDeserializer(registry)(b"\x00\x00\x00\x00\x2a" + b"x" * 20, Ctx("t"))
    assert info.value.header_version == 0


def test_bad_compression_byte_is_not_sent_to_the_secondary(registry: MemoryRegistry) -> None:
    de = KafkaDeserializer(registry, secondary_deserializer=lambda d, c: "secondary")
    with pytest.raises(FrameError) as info:
        de(b"\x03\x07" + bytes(20), Ctx("t"))
    assert info.value.reason == "compression"


def test_ready_deserializer_and_options(registry: MemoryRegistry) -> None:
    ready = Deserializer(registry)
    assert KafkaDeserializer(ready).deserializer is ready
    with pytest.raises(ConfigurationError):
        KafkaDeserializer(ready, as_dict=True)
    with pytest.raises(ConfigurationError):
        KafkaDeserializer(registry, no_such_option=1)


def test_context_without_topic_or_field_is_a_configuration_error(registry: MemoryRegistry) -> None:
    ser = _values(registry)
    with pytest.raises(ConfigurationError, match="topic"):
        ser(ANN, None)
    with pytest.raises(ConfigurationError, match="is_key"):
        ser(ANN, Ctx("t", field=None))
    assert _values(registry, is_key=False)(ANN, Ctx("t", field=None)) is not None


def test_kafka_python_adapters_subclass_its_base_classes(registry: MemoryRegistry) -> None:
    ser = kafka_python_serializer(_values(registry))  # imports kafka-python quietly
    de = kafka_python_deserializer(KafkaDeserializer(registry))
    from kafka.serializer import Deserializer as KPDeserializer
    from kafka.serializer import Serializer as KPSerializer

    assert isinstance(ser, KPSerializer) and isinstance(de, KPDeserializer)
    headers: list[tuple[str, bytes]] = []
    frame = ser.serialize("users", headers, ANN)
    assert de.deserialize("users", headers, frame) == ANN
    assert ser.serialize("users", ANN) == frame  # kafka-python 2.x call form
    assert de.deserialize("users", frame) == ANN
    assert ser.serialize("users", [], None) is None
    with pytest.raises(ConfigurationError):
        kafka_python_serializer(_values(registry), is_key=True)


def test_kafka_python_adapter_never_lets_type_error_escape(registry: MemoryRegistry) -> None:
    def bad_naming(topic: str, is_key: bool) -> str:
        raise TypeError("strategy bug")

    ser = kafka_python_serializer(_values(registry, naming=bad_naming))
    with pytest.raises(SerializationError) as info:
        ser.serialize("users", [], ANN)
    assert not isinstance(info.value, TypeError)
    assert isinstance(info.value.__cause__, TypeError)


def test_invalid_constructor_arguments(registry: MemoryRegistry) -> None:
    with pytest.raises(ConfigurationError):
        KafkaSerializer(registry, data_format="XML", schema=USER_SCHEMA)
    with pytest.raises(ConfigurationError):
        _values(registry, naming="nonsense")
    with pytest.raises(ConfigurationError, match="named Avro"):
        KafkaSerializer(registry, data_format="AVRO", schema='"string"', naming="record")
    with pytest.raises(ConfigurationError):
        _values(registry, max_topics=0)
    assert DataFormat.AVRO.value == "AVRO"


def test_zstd_needs_the_same_explicit_opt_in_as_a_serializer(registry: MemoryRegistry) -> None:
    with pytest.raises(ConfigurationError, match="allow_non_java_compression"):
        _values(registry, compression="ZSTD")
    ser = _values(registry, compression="ZSTD", allow_non_java_compression=True)
    frame = ser(ANN, Ctx("users"))
    assert frame is not None and frame[:2] == b"\x03\x5a"
    assert KafkaDeserializer(registry)(frame, Ctx("users")) == ANN


def test_serializer_options_are_forwarded_to_every_topic(registry: MemoryRegistry) -> None:
    @dataclass
    class User:
        name: str
        age: int

    ser = _values(registry, to_dict=dataclasses.asdict, compression="ZLIB")
    frame = ser(User("Ann", 31), Ctx("users"))
    assert frame is not None and frame[1] == 5
    assert KafkaDeserializer(registry)(frame, Ctx("users")) == ANN


def test_reprs_say_what_the_adapters_wrap(registry: MemoryRegistry) -> None:
    ser = _values(registry, naming="topic_key_value")
    ser(ANN, Ctx("users"))
    assert repr(ser) == (
        f"KafkaSerializer({registry!r}, data_format=AVRO, naming='topic_key_value', topics=1)"
    )
    fixed = _values(registry, schema_name="users")
    assert "schema_name='users'" in repr(fixed)
    assert "naming='<callable>'" in repr(_values(registry, naming=lambda topic, is_key: topic))
    des = KafkaDeserializer(registry)
    assert repr(des) == f"KafkaDeserializer({des.deserializer!r})"


def test_a_schema_file_and_metadata_are_taken_once_at_construction(tmp_path: Path) -> None:
    registry = InMemorySchemaRegistry()
    schema = tmp_path / "user.avsc"
    schema.write_text(USER_SCHEMA)
    metadata = {"owner": "team-a"}
    ser = KafkaSerializer(
        registry, data_format="AVRO", schema=schema, auto_register=True, metadata=metadata
    )
    by_record = KafkaSerializer(registry, data_format="AVRO", schema=schema, naming="record")
    assert by_record.schema_name_for("users") == "User"
    first = ser(ANN, Ctx("users"))
    # Neither the file nor the dict is read again for a new topic: it writes what was given.
    schema.unlink()
    metadata["owner"] = "team-b"
    second = ser(ANN, Ctx("orders"))
    assert first is not None and second is not None
    for topic, frame in (("users", first), ("orders", second)):
        version = registry.get_schema_version(uuid.UUID(bytes=frame[2:18]))
        assert version.schema_name == topic
        assert (
            version.schema_definition
            == Serializer(
                registry, data_format="AVRO", schema=USER_SCHEMA, schema_name=topic
            ).schema_definition
        )
        assert registry.get_schema_version_metadata(version.schema_version_id) == {
            "owner": ("team-a",)
        }
