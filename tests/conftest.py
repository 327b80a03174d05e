"""Fixtures shared by every test: loopback-only network guard, seeded randomness, samples."""

from __future__ import annotations

import ipaddress
import os
import random
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import settings
from moto.server import ThreadedMotoServer

settings.register_profile("ci", deadline=None, print_blob=True, derandomize=False)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


#: The opt-in real-AWS tests (tests/integration/aws) are the only ones allowed off the machine.
_REAL_AWS = bool(os.environ.get("GLUE_SERDE_AWS_REGISTRY"))


def _is_loopback(address: Any) -> bool:
    if _REAL_AWS:
        return True
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths and the like never leave the machine


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_loopback(address):
        raise RuntimeError(f"tests may only connect to loopback, not {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_loopback(address):
        raise RuntimeError(f"tests may only connect to loopback, not {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Refuse any connection to a non-loopback address for the whole run."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    # AWS SDKs must never find real credentials or a real endpoint.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


class SeededRandom(random.Random):
    """A ``random.Random`` whose repr shows its seed, so a failure can be replayed."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.seed_value = seed

    def __repr__(self) -> str:
        return f"SeededRandom(seed={self.seed_value})"


def pytest_report_header(config: pytest.Config) -> str:
    return f"glue_serde random seed: {_SEED} (set GLUE_SERDE_SEED to replay)"


_SEED = int(os.environ.get("GLUE_SERDE_SEED", random.SystemRandom().randrange(2**32)))


@pytest.fixture
def rng() -> SeededRandom:
    """A seeded RNG; the seed is printed in the report header and in the repr."""
    return SeededRandom(_SEED)


PAYMENT_V1: dict[str, Any] = {
    "type": "record",
    "name": "PaymentCaptured",
    "namespace": "com.example.payments",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "currency", "type": "string"},
        {"name": "captured_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}


@pytest.fixture
def payment_v1() -> dict[str, Any]:
    """The PaymentCaptured v1 Avro schema of the incident."""
    return PAYMENT_V1


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server on 127.0.0.1 for the whole run (real HTTP, real boto3)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def glue_client(moto_endpoint: str) -> Any:
    """A real boto3 Glue client pointed at the moto server, with dummy credentials."""
    return boto3.client(
        "glue",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def kinesis(moto_endpoint: str) -> Any:
    """A real boto3 Kinesis client pointed at the same moto server."""
    return boto3.client(
        "kinesis",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
