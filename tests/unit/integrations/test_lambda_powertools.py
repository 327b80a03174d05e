"""The record handlers inside aws-lambda-powertools' real BatchProcessor (Powertools >= 3.37).

What a user writes who already runs Powertools: ``process_partial_response`` with a glue_serde
record handler. Also pins down the two documented differences from glue_serde's own helpers
(the whole-batch failure and the Kafka identifier), by comparing both on the same event.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.exceptions import (
    BatchProcessingError as PowertoolsBatchProcessingError,
)
from aws_lambda_powertools.utilities.data_classes import KafkaEvent, KinesisStreamEvent

from glue_serde.enums import DataFormat
from glue_serde.errors import BatchProcessingError
from glue_serde.integrations.aws_lambda import (
    KafkaEventRecord,
    KinesisEventRecord,
    kafka_record_handler,
    kinesis_record_handler,
    process_kafka_event,
    process_kinesis_event,
)
from glue_serde.integrations.kinesis import UserRecord, aggregate
from glue_serde.serde import Deserializer, Serializer
from tests.unit.integrations._events import fixture, kinesis_event
from tests.unit.integrations._registry import USER_SCHEMA, user_registry


class LambdaContext:
    function_name = "consumer"
    aws_request_id = "req-1"


@pytest.fixture
def deserializer() -> Deserializer[Any]:
    return Deserializer(user_registry())


@pytest.fixture
def serializer() -> Serializer:
    return Serializer(
        user_registry(), data_format=DataFormat.AVRO, schema=USER_SCHEMA, schema_name="users"
    )


def test_kinesis_aggregate_with_a_poison_user_record_inside_the_batch_processor(
    serializer: Serializer, deserializer: Deserializer[Any]
) -> None:
    frames = [serializer.serialize({"name": n, "age": 1}) for n in ("Ann", "Bob", "Cid", "Dee")]
    assert all(frames)
    users = [UserRecord(partition_key="k", data=f) for f in frames if f]
    users[1] = UserRecord(partition_key="k", data=users[1].data[:-1])  # Bob is damaged
    event = kinesis_event([("100", aggregate(users).data), ("200", users[0].data)])
    seen: list[tuple[str, Any]] = []

    def store(record: KinesisEventRecord, lambda_context: Any) -> None:
        seen.append((record.value["name"], lambda_context.function_name))

    context = LambdaContext()
    response = process_partial_response(
        event=event,
        record_handler=kinesis_record_handler(store, deserializer=deserializer),
        processor=BatchProcessor(event_type=EventType.KinesisDataStreams),
        context=context,  # type: ignore[arg-type]
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "100"}]}
    # The siblings after the damaged user record were delivered, the context reached them.
    assert seen == [
        ("Ann", "consumer"),
        ("Cid", "consumer"),
        ("Dee", "consumer"),
        ("Ann", "consumer"),
    ]
    # glue_serde's own helper answers the same.
    assert process_kinesis_event(event, lambda r: None, deserializer=deserializer) == response


def test_kafka_records_decode_inside_the_batch_processor(deserializer: Deserializer[Any]) -> None:
    seen: list[tuple[int, Any]] = []

    def store(record: KafkaEventRecord) -> None:
        if record.value["name"] == "Bob":
            raise RuntimeError("Bob is refused")
        seen.append((record.offset, record.key))

    handler = kafka_record_handler(store, deserializer=deserializer)
    response = process_partial_response(
        event=fixture("msk.json"),
        record_handler=handler,
        processor=BatchProcessor(event_type=EventType.Kafka),
        context=LambdaContext(),  # type: ignore[arg-type]
    )
    assert seen == [(1041, b"user-1")]
    (failure,) = response["batchItemFailures"]
    assert failure["itemIdentifier"]["offset"] == 1042
    # glue_serde's helper reports the same record under the key AWS documents.
    ours = process_kafka_event(fixture("msk.json"), store, deserializer=deserializer)
    assert ours == {
        "batchItemFailures": [{"itemIdentifier": {"topic-partition": "users-0", "offset": 1042}}]
    }


def test_when_every_record_fails_powertools_raises_and_glue_serde_does_so_on_request(
    deserializer: Deserializer[Any],
) -> None:
    def refuse(record: Any) -> None:
        raise RuntimeError("downstream is down")

    event = fixture("kinesis.json")
    with pytest.raises(PowertoolsBatchProcessingError):
        process_partial_response(
            event=event,
            record_handler=kinesis_record_handler(refuse, deserializer=deserializer),
            processor=BatchProcessor(event_type=EventType.KinesisDataStreams),
        )
    assert (
        len(process_kinesis_event(event, refuse, deserializer=deserializer)["batchItemFailures"])
        == 2
    )
    with pytest.raises(BatchProcessingError):
        process_kinesis_event(
            event, refuse, deserializer=deserializer, raise_on_entire_batch_failure=True
        )


def test_powertools_event_objects_are_accepted_by_the_helpers(
    deserializer: Deserializer[Any],
) -> None:
    names: list[str] = []
    process_kinesis_event(
        KinesisStreamEvent(fixture("kinesis.json")),
        lambda r: names.append(r.value["name"]),
        deserializer=deserializer,
    )
    process_kafka_event(
        KafkaEvent(fixture("msk.json")),
        lambda r: names.append(r.value["name"]),
        deserializer=deserializer,
    )
    handler = kinesis_record_handler(lambda r: r.value["name"], deserializer=deserializer)
    for record in KinesisStreamEvent(fixture("kinesis.json")).records:
        names.extend(handler(record=record))
    kafka = kafka_record_handler(lambda r: r.value["name"], deserializer=deserializer)
    names.extend(kafka(record=record) for record in KafkaEvent(fixture("msk.json")).records)
    assert names == ["Ann", "Bob"] * 4
