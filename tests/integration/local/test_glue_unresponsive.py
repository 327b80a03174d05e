"""A Glue endpoint that accepts connections and never answers costs seconds, not minutes.

A real socket server on loopback accepts every connection and never writes a byte; real boto3
calls it through GlueSchemaRegistry. botocore's own defaults (60 s read timeout, retried)
would block each call for about three minutes.
"""

from __future__ import annotations

import contextlib
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


class TrickleServer(SilentServer):
    """Answers every request with a header and then one byte of body every 0.2 s."""

    def __init__(self) -> None:
        self.attempts = 0
        super().__init__()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)
            self.attempts += 1
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        try:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not self._stop.is_set():
                connection.sendall(b" ")
                time.sleep(0.2)
        except OSError:
            pass

    def hang_up(self) -> None:
        """Close every connection: the abandoned calls' reads end."""
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def trickle() -> Iterator[TrickleServer]:
    server = TrickleServer()
    yield server
    server.close()


def _wait_until(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def test_a_trickling_endpoint_fails_a_call_at_its_deadline(trickle: TrickleServer) -> None:
    # botocore's read timeout is per socket read: a byte every 0.2 s never trips 3 s.
    registry = _registry(trickle.endpoint, call_timeout=1.5)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailableError, match=r"did not answer within 1\.5 s") as info:
        registry.get_schema_version(uuid.uuid4())
    assert 1.4 < time.monotonic() - started < 5.0
    assert info.value.retryable and info.value.operation == "GetSchemaVersion"
    assert isinstance(info.value.__cause__, TimeoutError)
    # The abandoned call keeps reading until the endpoint lets go, then ends, with no retry.
    assert registry._deadline.abandoned == 1
    trickle.hang_up()
    assert _wait_until(lambda: registry._deadline.abandoned == 0)
    time.sleep(0.5)
    assert trickle.attempts == 1


def test_abandoned_calls_are_bounded_then_calls_fail_fast(trickle: TrickleServer) -> None:
    from glue_serde.registry._deadline import MAX_ABANDONED

    registry = _registry(trickle.endpoint, call_timeout=0.3)
    assert registry.client is not None  # built now: a call abandoned before it sends never does
    threads_before = threading.active_count()
    for _ in range(MAX_ABANDONED):
        with pytest.raises(RegistryUnavailableError, match="did not answer"):
            registry.get_schema_version(uuid.uuid4())
    assert registry._deadline.abandoned == MAX_ABANDONED
    started = time.monotonic()
    for _ in range(20):  # no new thread, no new connection
        with pytest.raises(RegistryUnavailableError, match="still running"):
            registry.get_schema_version(uuid.uuid4())
    assert time.monotonic() - started < 1.0
    assert _wait_until(lambda: trickle.attempts == MAX_ABANDONED)
    assert threading.active_count() <= threads_before + MAX_ABANDONED + MAX_ABANDONED
    trickle.hang_up()
    assert _wait_until(lambda: registry._deadline.abandoned == 0)
    with pytest.raises(RegistryUnavailableError, match="did not answer"):  # calls again
        registry.get_schema_version(uuid.uuid4())


def test_without_a_deadline_the_call_runs_in_the_callers_thread(silent: SilentServer) -> None:
    registry = _registry(
        silent.endpoint,
        call_timeout=None,
        botocore_config=Config(read_timeout=0.3, retries={"total_max_attempts": 1}),
    )
    senders: list[threading.Thread] = []
    events = registry.client.meta.events  # type: ignore[attr-defined]
    events.register("before-send.glue", lambda **_: senders.append(threading.current_thread()))
    with pytest.raises(RegistryUnavailableError, match="cannot reach AWS Glue"):
        registry.get_schema_version(uuid.uuid4())
    assert senders == [threading.current_thread()]


def test_with_a_deadline_the_call_runs_in_a_worker_thread(silent: SilentServer) -> None:
    registry = _registry(
        silent.endpoint,
        botocore_config=Config(read_timeout=0.3, retries={"total_max_attempts": 1}),
    )
    senders: list[threading.Thread] = []
    events = registry.client.meta.events  # type: ignore[attr-defined]
    events.register("before-send.glue", lambda **_: senders.append(threading.current_thread()))
    with pytest.raises(RegistryUnavailableError, match="cannot reach AWS Glue"):
        registry.get_schema_version(uuid.uuid4())  # botocore's error, raised in the caller
    assert len(senders) == 1 and senders[0] is not threading.current_thread()
    assert senders[0].daemon and registry._deadline.abandoned == 0


@pytest.mark.parametrize(
    "value",
    [0, -1, float("nan"), float("inf"), 3601, True, "15", 10**5000],
    ids=["0", "-1", "nan", "inf", "3601", "True", "text", "5000-digits"],
)
def test_call_timeout_must_be_a_positive_number_of_seconds(value: object) -> None:
    from glue_serde import ConfigurationError

    with pytest.raises(ConfigurationError, match="call_timeout"):
        _registry("http://127.0.0.1:9", call_timeout=value)
