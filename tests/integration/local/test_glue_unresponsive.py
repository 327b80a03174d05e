"""A Glue endpoint that accepts connections and never answers costs seconds, not minutes.

A real socket server on loopback accepts every connection and never writes a byte; real boto3
calls it through GlueSchemaRegistry. botocore's own defaults (60 s read timeout, retried)
would block each call for about three minutes.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from glue_serde import Deserializer, RegistryUnavailableError, encode_frame
from glue_serde.registry.glue import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    GlueSchemaRegistry,
)


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(32)
        self._socket.settimeout(0.1)
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for connection in self.connections:
            connection.close()
        self._socket.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def _registry(endpoint: str, **kwargs: Any) -> GlueSchemaRegistry:
    return GlueSchemaRegistry(
        registry_name="payments", region_name="us-east-1", endpoint_url=endpoint, **kwargs
    )


@pytest.mark.slow
def test_with_the_default_client_a_silent_endpoint_fails_within_seconds(
    silent: SilentServer,
) -> None:
    registry = _registry(silent.endpoint)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailableError) as info:
        registry.get_schema_version(uuid.uuid4())
    elapsed = time.monotonic() - started
    assert info.value.retryable
    assert info.value.operation == "GetSchemaVersion"
    # DEFAULT_MAX_ATTEMPTS attempts of DEFAULT_READ_TIMEOUT each (9 s), plus short backoffs.
    assert DEFAULT_READ_TIMEOUT * DEFAULT_MAX_ATTEMPTS <= elapsed < 20.0
    assert len(silent.connections) == DEFAULT_MAX_ATTEMPTS


def test_a_deserializer_on_a_silent_endpoint_fails_retryably_and_quickly(
    silent: SilentServer,
) -> None:
    registry = _registry(
        silent.endpoint,
        botocore_config=Config(read_timeout=0.5, retries={"total_max_attempts": 1}),
    )
    started = time.monotonic()
    with pytest.raises(RegistryUnavailableError) as info:
        Deserializer(registry).deserialize(encode_frame(uuid.uuid4(), b"\x02a"))
    assert time.monotonic() - started < 5.0
    assert info.value.retryable
    assert len(silent.connections) == 1


def test_the_client_the_library_builds_has_short_timeouts_and_bounded_retries() -> None:
    config = _registry("http://127.0.0.1:9").client.meta.config  # type: ignore[attr-defined]
    assert config.connect_timeout == DEFAULT_CONNECT_TIMEOUT == 2.0
    assert config.read_timeout == DEFAULT_READ_TIMEOUT == 3.0
    assert config.retries == {"mode": "standard", "total_max_attempts": DEFAULT_MAX_ATTEMPTS}
    assert "glue-serde/" in config.user_agent_extra


def test_a_botocore_config_is_merged_over_the_defaults() -> None:
    registry = _registry("http://127.0.0.1:9", botocore_config=Config(read_timeout=20))
    config = registry.client.meta.config  # type: ignore[attr-defined]
    assert config.read_timeout == 20
    assert config.connect_timeout == DEFAULT_CONNECT_TIMEOUT


def test_a_client_passed_in_is_used_as_it_is() -> None:
    client = boto3.client("glue", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    registry = GlueSchemaRegistry(client)
    assert registry.client is client
    assert client.meta.config.read_timeout == 60  # botocore's default: the docs say to set it
