"""GlueSchemaRegistry against botocore's Stubber: what moto cannot produce."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from glue_serde import (
    ConfigurationError,
    DataFormat,
    GlueSerdeError,
    IncompatibleSchemaError,
    RegistryAccessDeniedError,
    RegistryError,
    RegistryThrottledError,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaError,
    SchemaNotFoundError,
    SchemaVersionStatus,
)
from glue_serde.registry.glue import ERROR_CODE_MAP, GlueSchemaRegistry, PendingPollConfig

VID = "b7b4a7f0-9c96-4e4a-a687-fb5de9ef0c63"
ARN = "arn:aws:glue:us-east-1:123456789012:schema/payments/users"
DEF = '{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}'
SCHEMA_ID = {"SchemaName": "users", "RegistryName": "payments"}


class FakeTime:
    """An injectable clock and sleep: sleeping advances the clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


@pytest.fixture
def stub(client: Any) -> Any:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def _registry(client: Any, fake_time: FakeTime, **kwargs: Any) -> GlueSchemaRegistry:
    return GlueSchemaRegistry(
        client,
        registry_name="payments",
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        rng=lambda: 0.0,
        **kwargs,
    )


def _version(status: str, number: int = 2) -> dict[str, Any]:
    return {
        "SchemaVersionId": VID,
        "SchemaDefinition": DEF,
        "DataFormat": "AVRO",
        "SchemaArn": ARN,
        "VersionNumber": number,
        "Status": status,
        "CreatedTime": "2026-11-28T12:00:00Z",
    }


def test_pending_then_available_is_polled_with_growing_delays(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_response(
        "register_schema_version",
        {"SchemaVersionId": VID, "VersionNumber": 2, "Status": "PENDING"},
        {"SchemaId": SCHEMA_ID, "SchemaDefinition": DEF},
    )
    for status in ("PENDING", "PENDING", "AVAILABLE"):
        stub.add_response("get_schema_version", _version(status), {"SchemaVersionId": VID})
    version = _registry(client, fake_time).register_schema_version("users", DEF, DataFormat.AVRO)
    assert version.status is SchemaVersionStatus.AVAILABLE
    assert version.version_number == 2
    assert fake_time.sleeps == [0.25, 0.5, 1.0]


def test_pending_then_failure_is_a_rejection_keeping_the_version_number(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_response(
        "register_schema_version",
        {"SchemaVersionId": VID, "VersionNumber": 4, "Status": "PENDING"},
        {"SchemaId": SCHEMA_ID, "SchemaDefinition": DEF},
    )
    stub.add_response("get_schema_version", _version("FAILURE", 4), {"SchemaVersionId": VID})
    with pytest.raises(IncompatibleSchemaError) as info:
        _registry(client, fake_time).register_schema_version("users", DEF, DataFormat.AVRO)
    assert info.value.version_number == 4
    assert info.value.schema_version_id == uuid.UUID(VID)
    assert info.value.report.problems[0].kind == "GLUE_REJECTED"


def test_failure_returned_at_once_is_a_rejection(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_response(
        "register_schema_version",
        {"SchemaVersionId": VID, "VersionNumber": 4, "Status": "FAILURE"},
        {"SchemaId": SCHEMA_ID, "SchemaDefinition": DEF},
    )
    with pytest.raises(IncompatibleSchemaError):
        _registry(client, fake_time).register_schema_version("users", DEF, DataFormat.AVRO)
    assert fake_time.sleeps == []


def test_deleting_while_polling_is_a_rejection(client: Any, stub: Any, fake_time: FakeTime) -> None:
    stub.add_response(
        "register_schema_version",
        {"SchemaVersionId": VID, "VersionNumber": 3, "Status": "PENDING"},
        {"SchemaId": SCHEMA_ID, "SchemaDefinition": DEF},
    )
    stub.add_response("get_schema_version", _version("DELETING", 3), {"SchemaVersionId": VID})
    with pytest.raises(IncompatibleSchemaError):
        _registry(client, fake_time).register_schema_version("users", DEF, DataFormat.AVRO)


def test_pending_forever_stops_at_the_deadline_with_a_retryable_error(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    poll = PendingPollConfig(initial_delay=1.0, max_delay=4.0, timeout=20.0, jitter=0.0)
    stub.add_response(
        "register_schema_version",
        {"SchemaVersionId": VID, "VersionNumber": 2, "Status": "PENDING"},
        {"SchemaId": SCHEMA_ID, "SchemaDefinition": DEF},
    )
    for _ in range(6):
        stub.add_response("get_schema_version", _version("PENDING"), {"SchemaVersionId": VID})
    registry = _registry(client, fake_time, pending_poll=poll)
    with pytest.raises(RegistryUnavailableError) as info:
        registry.register_schema_version("users", DEF, DataFormat.AVRO)
    assert info.value.retryable
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert sum(fake_time.sleeps) <= poll.timeout


def test_a_pending_definition_hit_is_polled_too(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_response(
        "get_schema_by_definition",
        {"SchemaVersionId": VID, "SchemaArn": ARN, "DataFormat": "AVRO", "Status": "PENDING"},
        {"SchemaId": SCHEMA_ID, "SchemaDefinition": DEF},
    )
    stub.add_response("get_schema_version", _version("AVAILABLE"), {"SchemaVersionId": VID})
    found = _registry(client, fake_time).find_schema_version("users", DEF, DataFormat.AVRO)
    assert found is not None and found.status is SchemaVersionStatus.AVAILABLE


def test_a_definition_of_another_format_is_an_error(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_response(
        "get_schema_by_definition",
        {"SchemaVersionId": VID, "SchemaArn": ARN, "DataFormat": "JSON", "Status": "AVAILABLE"},
        {"SchemaId": SCHEMA_ID, "SchemaDefinition": DEF},
    )
    with pytest.raises(RegistryError, match="JSON"):
        _registry(client, fake_time).find_schema_version("users", DEF, DataFormat.AVRO)


@pytest.mark.parametrize(
    ("code", "status", "expected", "retryable"),
    [
        ("ThrottlingException", 400, RegistryThrottledError, True),
        ("AccessDeniedException", 400, RegistryAccessDeniedError, False),
        ("InternalServiceException", 500, RegistryUnavailableError, True),
        ("OperationTimeoutException", 400, RegistryUnavailableError, True),
        ("ConcurrentModificationException", 400, RegistryError, True),
        ("ResourceNumberLimitExceededException", 400, RegistryError, False),
        ("SomethingNewException", 503, RegistryUnavailableError, True),
        ("SomethingNewException", 400, RegistryError, False),
        ("EntityNotFoundException", 400, SchemaNotFoundError, False),
    ],
)
def test_error_codes_map_to_library_errors(
    client: Any,
    stub: Any,
    fake_time: FakeTime,
    code: str,
    status: int,
    expected: type[RegistryError],
    retryable: bool,
) -> None:
    stub.add_client_error(
        "get_schema_version",
        service_error_code=code,
        service_message="boom",
        http_status_code=status,
    )
    with pytest.raises(expected) as info:
        _registry(client, fake_time).get_schema_version(uuid.UUID(VID))
    assert type(info.value) is expected
    assert info.value.retryable is retryable
    assert info.value.operation == "GetSchemaVersion"
    assert info.value.__cause__ is not None  # chained to the botocore error


def test_access_denied_names_the_iam_action(client: Any, stub: Any, fake_time: FakeTime) -> None:
    stub.add_client_error("get_schema_by_definition", service_error_code="AccessDeniedException")
    with pytest.raises(RegistryAccessDeniedError, match="glue:GetSchemaByDefinition"):
        _registry(client, fake_time).find_schema_version("users", DEF, DataFormat.AVRO)


def test_invalid_input_when_registering_is_a_rejection(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_client_error(
        "register_schema_version",
        service_error_code="InvalidInputException",
        service_message="Compatibility DISABLED does not allow versioning.",
    )
    with pytest.raises(IncompatibleSchemaError) as info:
        _registry(client, fake_time).register_schema_version("users", DEF, DataFormat.AVRO)
    assert "DISABLED" in info.value.report.problems[0].message


def test_invalid_input_when_creating_is_a_schema_error(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_client_error("create_schema", service_error_code="InvalidInputException")
    with pytest.raises(SchemaError):
        _registry(client, fake_time).create_schema("users", DEF, DataFormat.AVRO)


def test_create_schema_always_sends_compatibility(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    stub.add_response(
        "create_schema",
        {
            "SchemaName": "users",
            "RegistryName": "payments",
            "SchemaVersionId": VID,
            "SchemaVersionStatus": "AVAILABLE",
            "LatestSchemaVersion": 1,
            "DataFormat": "AVRO",
        },
        {
            "RegistryId": {"RegistryName": "payments"},
            "SchemaName": "users",
            "DataFormat": "AVRO",
            "Compatibility": "BACKWARD",
            "SchemaDefinition": DEF,
        },
    )
    version = _registry(client, fake_time).create_schema("users", DEF, DataFormat.AVRO)
    assert version.version_number == 1


def test_already_exists_on_create(client: Any, stub: Any, fake_time: FakeTime) -> None:
    stub.add_client_error("create_schema", service_error_code="AlreadyExistsException")
    with pytest.raises(SchemaAlreadyExistsError):
        _registry(client, fake_time).create_schema("users", DEF, DataFormat.AVRO)


def test_list_schema_versions_follows_pagination(
    client: Any, stub: Any, fake_time: FakeTime
) -> None:
    other = "00112233-4455-6677-8899-aabbccddeeff"
    stub.add_response(
        "list_schema_versions",
        {"Schemas": [{"SchemaVersionId": VID, "VersionNumber": 2}], "NextToken": "t"},
        {"SchemaId": SCHEMA_ID},
    )
    stub.add_response(
        "list_schema_versions",
        {"Schemas": [{"SchemaVersionId": other, "VersionNumber": 1}]},
        {"SchemaId": SCHEMA_ID, "NextToken": "t"},
    )
    stub.add_response(
        "get_schema_version",
        {**_version("AVAILABLE", 1), "SchemaVersionId": other},
        {"SchemaVersionId": other},
    )
    stub.add_response("get_schema_version", _version("AVAILABLE", 2), {"SchemaVersionId": VID})
    versions = _registry(client, fake_time).list_schema_versions("users")
    assert [v.version_number for v in versions] == [1, 2]


def test_an_unreachable_endpoint_is_unavailable_and_retryable() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = boto3.client(
        "glue",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(RegistryUnavailableError) as info:
        GlueSchemaRegistry(client).get_schema_version(uuid.UUID(VID))
    assert info.value.retryable


def test_missing_credentials_are_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    registry = GlueSchemaRegistry(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match="credentials"):
        registry.get_schema_version(uuid.UUID(VID))


def test_the_client_is_built_lazily_with_standard_retries() -> None:
    registry = GlueSchemaRegistry(region_name="eu-west-1", endpoint_url="http://127.0.0.1:9")
    assert registry._client is None
    client = registry.client
    assert client.meta.config.retries["mode"] == "standard"
    # botocore's max_attempts counts retries; total_max_attempts counts every attempt.
    assert client.meta.config.retries["total_max_attempts"] == 3
    assert "glue-serde/" in client.meta.config.user_agent_extra


def test_error_table_is_complete_and_points_into_the_tree() -> None:
    documented = {
        "EntityNotFoundException",
        "AlreadyExistsException",
        "InvalidInputException",
        "ResourceNumberLimitExceededException",
        "ConcurrentModificationException",
        "AccessDeniedException",
        "InternalServiceException",
        "OperationTimeoutException",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
    }
    assert documented <= set(ERROR_CODE_MAP)
    for code, (cls, retryable) in ERROR_CODE_MAP.items():
        assert issubclass(cls, GlueSerdeError), code
        if issubclass(cls, RegistryError) and cls.default_retryable:
            assert retryable, code


def test_bad_poll_settings_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        PendingPollConfig(initial_delay=0)
    with pytest.raises(ConfigurationError):
        PendingPollConfig(jitter=2)
