"""An error about a caller's value is the library's error, whatever that value prints like.

Messages quote the offending value. ``repr`` of an int past Python's digit limit (4,300) raises
``ValueError``, a caller's object may have a ``__repr__`` that raises, and a very deep list
raises ``RecursionError``: quoting must never replace the error being reported.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from glue_serde import (
    Deserializer,
    InMemorySchemaRegistry,
    LocalSchemaRegistry,
    Serializer,
    decode_frame,
    encode_frame,
)
from glue_serde.errors import GlueSerdeError, PayloadError, _brief
from glue_serde.registry.caching import CacheConfig


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr fails")


def _deep_list(depth: int) -> list[Any]:
    root: list[Any] = []
    node = root
    for _ in range(depth):
        child: list[Any] = []
        node.append(child)
        node = child
    return root


HOSTILE: dict[str, object] = {
    "int-5000-digits": 10**5000,
    "negative-int-5000-digits": -(10**5000),
    "bad-repr": BadRepr(),
    "deep-list": _deep_list(100_000),
    "list-with-huge-int": [1, 10**5000],
}


def _frame() -> bytes:
    return b"\x03\x00" + uuid.UUID(int=1).bytes + b"\x02"


def _kafka_event_record(**fields: object) -> dict[str, Any]:
    record: dict[str, Any] = {
        "topic": "t",
        "partition": 0,
        "offset": 1,
        "timestamp": 0,
        "value": base64.b64encode(b"\x02").decode(),
        "valueSchemaMetadata": {"dataFormat": "AVRO", "schemaId": str(uuid.UUID(int=1))},
    }
    record.update(fields)
    return record


def _decode_kafka(**fields: object) -> object:
    from glue_serde.integrations.aws_lambda import decode_kafka_record

    return decode_kafka_record(
        _kafka_event_record(**fields), Deserializer(InMemorySchemaRegistry())
    )


CALLS: dict[str, Callable[[object], object]] = {
    "decode_frame(max_decompressed_size)": lambda v: decode_frame(
        _frame(),
        max_decompressed_size=v,  # type: ignore[arg-type]
    ),
    "encode_frame(compression)": lambda v: encode_frame(
        uuid.UUID(int=1),
        b"",
        compression=v,  # type: ignore[arg-type]
    ),
    "Deserializer(max_decompressed_size)": lambda v: Deserializer(
        InMemorySchemaRegistry(),
        max_decompressed_size=v,  # type: ignore[arg-type]
    ),
    "Serializer(data_format)": lambda v: Serializer(
        InMemorySchemaRegistry(),
        data_format=v,  # type: ignore[arg-type]
        schema='"int"',
        schema_name="s",
    ),
    "Serializer(compression)": lambda v: Serializer(
        InMemorySchemaRegistry(),
        data_format="AVRO",
        schema='"int"',
        schema_name="s",
        compression=v,  # type: ignore[arg-type]
    ),
    "CacheConfig(serve_stale)": lambda v: CacheConfig(serve_stale=v),  # type: ignore[arg-type]
    "LocalSchemaRegistry(busy_timeout)": lambda v: LocalSchemaRegistry(busy_timeout=v),  # type: ignore[arg-type]
    "LocalSchemaRegistry(identity)": lambda v: LocalSchemaRegistry(identity=v),  # type: ignore[arg-type]
    "LocalSchemaRegistry(read_only)": lambda v: LocalSchemaRegistry(read_only=v),  # type: ignore[arg-type]
    "LocalSchemaRegistry(create)": lambda v: LocalSchemaRegistry(create=v),  # type: ignore[arg-type]
    "InMemorySchemaRegistry(registry_name)": lambda v: InMemorySchemaRegistry(
        registry_name=v,  # type: ignore[arg-type]
    ),
    "InMemorySchemaRegistry.delete_schema_versions": lambda v: (
        InMemorySchemaRegistry().delete_schema_versions("s", v)  # type: ignore[arg-type]
    ),
    "InMemorySchemaRegistry.update_compatibility": lambda v: (
        InMemorySchemaRegistry().update_compatibility("s", v)  # type: ignore[arg-type]
    ),
    "decode_kafka_record(schemaId)": lambda v: _decode_kafka(
        valueSchemaMetadata={"dataFormat": "AVRO", "schemaId": v}
    ),
    "decode_kafka_record(offset)": lambda v: _decode_kafka(offset=v),
    "decode_kafka_record(timestamp)": lambda v: _decode_kafka(timestamp=v),
    "process_kinesis_event(on_error)": lambda v: _kinesis_on_error(v),
    "kinesis deserialize_records(SequenceNumber)": lambda v: list(_get_records(v)),
    "KafkaSerializer(data_format)": lambda v: _kafka_serializer(v),
    "firehose transformation key": lambda v: _firehose({v: 1} if _hashable(v) else {"k": v}),
}


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _kinesis_on_error(value: object) -> object:
    from glue_serde.integrations.aws_lambda import process_kinesis_event

    return process_kinesis_event(
        {"Records": []},
        lambda r: None,
        deserializer=Deserializer(InMemorySchemaRegistry()),
        on_error=value,  # type: ignore[arg-type]
    )


def _get_records(sequence_number: object) -> Any:
    from glue_serde.integrations.kinesis import deserialize_records

    return deserialize_records(
        {"Records": [{"Data": _frame(), "SequenceNumber": sequence_number}]},
        Deserializer(InMemorySchemaRegistry()),
    )


def _kafka_serializer(data_format: object) -> object:
    from glue_serde.integrations.kafka import KafkaSerializer

    return KafkaSerializer(
        InMemorySchemaRegistry(),
        data_format=data_format,  # type: ignore[arg-type]
        schema='"int"',
    )


def _firehose(result: object) -> object:
    from glue_serde.integrations.aws_lambda import process_firehose_event

    registry = InMemorySchemaRegistry()
    frame = Serializer(
        registry, data_format="AVRO", schema='"int"', schema_name="s", auto_register=True
    ).serialize(1)
    assert frame is not None
    event = {"records": [{"recordId": "1", "data": base64.b64encode(frame).decode()}]}
    return process_firehose_event(
        event, lambda record: result, deserializer=Deserializer(registry), on_error="raise"
    )


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
def test_a_hostile_value_gets_the_library_error(
    call: Callable[[object], object], value: object
) -> None:
    try:
        call(value)
    except GlueSerdeError as exc:
        assert str(exc)  # the message was built
    else:
        # Only a value the call accepts may pass (none of these is a usable argument).
        pytest.fail(f"accepted {type(value).__name__}")


def test_brief_quotes_what_it_can_and_names_the_rest() -> None:
    assert _brief("abc") == "'abc'"
    assert _brief(12) == "12"
    assert _brief(10**5000) == "an int of 16610 bits"
    assert _brief(BadRepr()) == "a BadRepr"
    assert _brief(_deep_list(100_000)) == "a list"
    long = _brief("x" * 10_000, 40)
    assert len(long) <= 40 and long.startswith("'xxx") and long.endswith("...")
    assert len(_brief(list(range(10_000)))) <= 60


def test_the_kafka_schema_id_error_still_says_what_it_is() -> None:
    with pytest.raises(PayloadError, match="is not a Glue schema version id"):
        _decode_kafka(valueSchemaMetadata={"dataFormat": "AVRO", "schemaId": 10**5000})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"data_format": "avro"},
            "data_format: 'avro' is not a valid DataFormat; expected one of AVRO, JSON, PROTOBUF"
            " (did you mean 'AVRO'?)",
        ),
        (
            {"data_format": "JSONSCHEMA"},
            "data_format: 'JSONSCHEMA' is not a valid DataFormat;"
            " expected one of AVRO, JSON, PROTOBUF",
        ),
        (
            {"compression": "zlib"},
            "compression: 'zlib' is not a valid Compression; expected one of NONE, ZLIB, ZSTD"
            " (did you mean 'ZLIB'?)",
        ),
        ({"compatibility": "full-all"}, "(did you mean 'FULL_ALL'?)"),
        (
            {"compatibility": "SOMETIMES"},
            "compatibility: 'SOMETIMES' is not a valid Compatibility;"
            " expected one of NONE, DISABLED,",
        ),
    ],
)
def test_a_misspelt_option_names_the_argument_the_choices_and_the_likely_one(
    kwargs: dict[str, str], expected: str
) -> None:
    from glue_serde.errors import ConfigurationError

    options: dict[str, Any] = {"data_format": "AVRO", **kwargs}
    with pytest.raises(ConfigurationError) as info:
        Serializer(LocalSchemaRegistry(), schema='"string"', schema_name="s", **options)
    assert expected in str(info.value)
    if "did you mean" not in expected:
        assert "did you mean" not in str(info.value)


def test_the_kafka_and_compat_entry_points_list_the_choices_too() -> None:
    from glue_serde.compat import check_compatibility
    from glue_serde.errors import ConfigurationError
    from glue_serde.integrations.kafka import KafkaSerializer

    registry = LocalSchemaRegistry()
    with pytest.raises(
        ConfigurationError, match=r"data_format: 'avro' .* \(did you mean 'AVRO'\?\)"
    ):
        KafkaSerializer(registry, data_format="avro", schema='"string"')
    with pytest.raises(ConfigurationError, match="expected 'topic', 'topic_key_value', 'record'"):
        KafkaSerializer(registry, data_format="AVRO", schema='"string"', naming="topic_value")
    with pytest.raises(ConfigurationError, match=r"compatibility: .*did you mean 'BACKWARD'"):
        check_compatibility("AVRO", '"string"', ['"string"'], "backward")
    with pytest.raises(ConfigurationError, match=r"data_format: .*did you mean 'JSON'"):
        check_compatibility("json", "{}", ["{}"], "BACKWARD")
