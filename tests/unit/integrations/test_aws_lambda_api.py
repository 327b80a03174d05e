"""The public API of ``glue_serde.integrations.aws_lambda``, pinned name by name.

The names, signatures and record fields below are what the module exported when it was one
file; whatever shape the code takes inside, every user import and call keeps working.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import pickle
import subprocess
import sys
import typing
import uuid
from pathlib import Path

import pytest

from glue_serde.errors import ConfigurationError
from glue_serde.integrations import aws_lambda

ROOT = Path(__file__).resolve().parents[3]

#: ``__all__``, in its sorted order.
ALL = [
    "EsmRecordFormat",
    "FirehoseEventRecord",
    "FirehoseResult",
    "KafkaEventRecord",
    "KinesisEventRecord",
    "OnError",
    "decode_kafka_record",
    "firehose_handler",
    "iter_kinesis_records",
    "kafka_handler",
    "kafka_record_handler",
    "kinesis_handler",
    "kinesis_record_handler",
    "process_firehose_event",
    "process_kafka_event",
    "process_kinesis_event",
]

#: Public names outside ``__all__`` that signatures and the docs name: the type aliases and
#: the logger every failure is written to.
ALIASES = {
    "Handler": "collections.abc.Callable[[typing.Any, typing.Any], dict[str, typing.Any]]",
    "Headers": "list[tuple[str, bytes]]",
    "LambdaEvent": "collections.abc.Mapping[str, typing.Any]",
    "LambdaResponse": "dict[str, typing.Any]",
    "EsmRecordFormat": "typing.Literal['JSON', 'SOURCE']",
    "OnError": "typing.Literal['report', 'raise', 'skip']",
}

SIGNATURES = {
    "decode_kafka_record": (
        "(record: 'object', deserializer: 'Deserializer[Any]', *, "
        "key_deserializer: 'Deserializer[Any] | None' = None, "
        "esm_record_format: 'EsmRecordFormat | None' = None) -> 'KafkaEventRecord'"
    ),
    # The handler decorators' runtime signatures take the function positionally and no
    # deserializer only to refuse those uses clearly; their typed signatures (overloads)
    # require a deserializer (checked with mypy below).
    "firehose_handler": (
        "(_fn: 'object' = None, /, *, deserializer: 'Deserializer[Any] | None' = None, "
        "on_error: 'OnError' = 'report', "
        "newline: 'bool' = False, raise_on_entire_batch_failure: 'bool' = False) "
        "-> 'Callable[[RecordFunction[FirehoseEventRecord, object]], Handler]'"
    ),
    "iter_kinesis_records": (
        "(record: 'object', deserializer: 'Deserializer[Any]', *, "
        "on_error: 'Callable[[int | None, Exception], None] | None' = None) "
        "-> 'Iterator[KinesisEventRecord]'"
    ),
    "kafka_handler": (
        "(_fn: 'object' = None, /, *, deserializer: 'Deserializer[Any] | None' = None, "
        "key_deserializer: 'Deserializer[Any] | None' = None, "
        "esm_record_format: 'EsmRecordFormat | None' = None, on_error: 'OnError' = "
        "'report', raise_on_entire_batch_failure: 'bool' = False) "
        "-> 'Callable[[RecordFunction[KafkaEventRecord, object]], Handler]'"
    ),
    "kafka_record_handler": (
        "(fn: 'RecordFunction[KafkaEventRecord, R]', *, deserializer: 'Deserializer[Any]', "
        "key_deserializer: 'Deserializer[Any] | None' = None, "
        "esm_record_format: 'EsmRecordFormat | None' = None) -> 'Callable[..., R]'"
    ),
    "kinesis_handler": (
        "(_fn: 'object' = None, /, *, deserializer: 'Deserializer[Any] | None' = None, "
        "on_error: 'OnError' = 'report', "
        "raise_on_entire_batch_failure: 'bool' = False) "
        "-> 'Callable[[RecordFunction[KinesisEventRecord, object]], Handler]'"
    ),
    "kinesis_record_handler": (
        "(fn: 'RecordFunction[KinesisEventRecord, R]', *, deserializer: 'Deserializer[Any]') "
        "-> 'Callable[..., list[R]]'"
    ),
    "process_firehose_event": (
        "(event: 'LambdaEvent | object', fn: 'RecordFunction[FirehoseEventRecord, object]', "
        "*, deserializer: 'Deserializer[Any]', on_error: 'OnError' = 'report', "
        "newline: 'bool' = False, context: 'Any' = None, "
        "raise_on_entire_batch_failure: 'bool' = False) -> 'LambdaResponse'"
    ),
    "process_kafka_event": (
        "(event: 'LambdaEvent | object', fn: 'RecordFunction[KafkaEventRecord, object]', *, "
        "deserializer: 'Deserializer[Any]', key_deserializer: 'Deserializer[Any] | None' = "
        "None, esm_record_format: 'EsmRecordFormat | None' = None, on_error: 'OnError' = "
        "'report', context: 'Any' = None, raise_on_entire_batch_failure: 'bool' = False) "
        "-> 'LambdaResponse'"
    ),
    "process_kinesis_event": (
        "(event: 'LambdaEvent | object', fn: 'RecordFunction[KinesisEventRecord, object]', *, "
        "deserializer: 'Deserializer[Any]', on_error: 'OnError' = 'report', "
        "context: 'Any' = None, raise_on_entire_batch_failure: 'bool' = False) "
        "-> 'LambdaResponse'"
    ),
}

#: Record classes: (field, annotation, default) in order; ``...`` for no default.
FIELDS: dict[str, list[tuple[str, str, object]]] = {
    "FirehoseEventRecord": [
        ("value", "Datum", ...),
        ("schema_version_id", "uuid.UUID | None", ...),
        ("record_id", "str", ...),
        ("approximate_arrival_timestamp", "int | None", None),
        ("metadata", "Mapping[str, Any]", ...),
        ("data", "bytes", ...),
    ],
    "FirehoseResult": [
        ("data", "object", None),
        ("partition_keys", "Mapping[str, str] | None", None),
        ("dropped", "bool", False),
    ],
    "KafkaEventRecord": [
        ("value", "Datum", ...),
        ("key", "Datum", ...),
        ("topic", "str", ...),
        ("partition", "int", ...),
        ("offset", "int", ...),
        ("timestamp", "int | None", None),
        ("timestamp_type", "str | None", None),
        ("headers", "Headers", ...),
        ("schema_version_id", "uuid.UUID | None", None),
        ("key_schema_version_id", "uuid.UUID | None", None),
    ],
    "KinesisEventRecord": [
        ("value", "Datum", ...),
        ("schema_version_id", "uuid.UUID | None", ...),
        ("partition_key", "str", ...),
        ("sequence_number", "str", ...),
        ("sub_sequence_number", "int | None", None),
        ("explicit_hash_key", "str | None", None),
        ("approximate_arrival_timestamp", "float | None", None),
        ("event_source_arn", "str | None", None),
        ("data", "bytes", b""),
    ],
}


def test_all_lists_exactly_the_public_names_in_sorted_order() -> None:
    assert aws_lambda.__all__ == ALL


def test_star_import_gives_exactly_the_public_names() -> None:
    code = (
        "from glue_serde.integrations.aws_lambda import *\n"
        "print(sorted(n for n in dir() if not n.startswith('_')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == repr(sorted(ALL))


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_every_public_function_keeps_its_signature(name: str) -> None:
    assert str(inspect.signature(getattr(aws_lambda, name))) == SIGNATURES[name]


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_record_class_keeps_its_fields_and_defaults(name: str) -> None:
    cls = getattr(aws_lambda, name)
    fields = [
        (f.name, f.type, ... if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(cls)
    ]
    assert fields == FIELDS[name]
    params = cls.__dataclass_params__
    assert (params.frozen, hasattr(cls, "__slots__")) == (True, True)
    # The annotations resolve in the module that defines the class (typing tools need this).
    assert list(typing.get_type_hints(cls)) == [f[0] for f in FIELDS[name]]


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_the_type_aliases_are_importable_from_the_package(name: str) -> None:
    assert repr(getattr(aws_lambda, name)) == ALIASES[name]


def test_record_function_still_accepts_the_three_calling_conventions() -> None:
    args = typing.get_args(aws_lambda.RecordFunction)
    assert len(args) == 3


def test_failures_are_logged_on_the_packages_logger() -> None:
    assert isinstance(aws_lambda.logger, logging.Logger)
    assert aws_lambda.logger.name == "glue_serde.integrations.aws_lambda"


def test_a_pickled_record_loads_back_equal() -> None:
    record = aws_lambda.KinesisEventRecord(
        value={"a": 1},
        schema_version_id=uuid.UUID(int=7),
        partition_key="pk",
        sequence_number="1",
    )
    assert pickle.loads(pickle.dumps(record)) == record


#: Records pickled when the module was one file (``glue_serde.integrations.aws_lambda`` named
#: as their module), e.g. a result kept by a user's retry queue.
OLD_PICKLES = [
    (
        b'\x80\x04\x95}\x00\x00\x00\x00\x00\x00\x00\x8c"glue_serde.integrations.aws_lambda'
        b"\x94\x8c\x12KinesisEventRecord\x94\x93\x94)\x81\x94]\x94(}\x94\x8c\x01a\x94K\x01s"
        b"\x8c\x04uuid\x94\x8c\x04UUID\x94\x93\x94)\x81\x94}\x94\x8c\x03int\x94K\x07sb\x8c\x02pk"
        b"\x94\x8c\x011\x94NNNNC\x00\x94eb.",
        aws_lambda.KinesisEventRecord(
            value={"a": 1},
            schema_version_id=uuid.UUID(int=7),
            partition_key="pk",
            sequence_number="1",
        ),
    ),
    (
        b'\x80\x04\x95G\x00\x00\x00\x00\x00\x00\x00\x8c"glue_serde.integrations.aws_lambda'
        b"\x94\x8c\x0eFirehoseResult\x94\x93\x94)\x81\x94]\x94(C\x01x\x94N\x88eb.",
        aws_lambda.FirehoseResult(data=b"x", dropped=True),
    ),
]


@pytest.mark.parametrize(("data", "expected"), OLD_PICKLES, ids=["kinesis", "firehose"])
def test_records_pickled_by_the_single_module_still_load(data: bytes, expected: object) -> None:
    assert pickle.loads(data) == expected


@pytest.mark.parametrize("name", ["firehose_handler", "kafka_handler", "kinesis_handler"])
def test_handler_decorators_refuse_bare_use_and_a_missing_deserializer(name: str) -> None:
    decorator = getattr(aws_lambda, name)

    def on_record(record: object) -> None: ...

    with pytest.raises(ConfigurationError, match=rf"@{name}\(deserializer=.*parentheses"):
        decorator(on_record)
    with pytest.raises(ConfigurationError, match="needs a deserializer"):
        decorator()
    with pytest.raises(ConfigurationError, match=r"must be a glue_serde\.Deserializer"):
        decorator(deserializer="registry")
