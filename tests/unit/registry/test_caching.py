"""CachingSchemaRegistry: every claim is proved by counting calls to a fake registry."""

from __future__ import annotations

import dataclasses
import gc
import io
import math
import operator
import subprocess
import sys
import textwrap
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from glue_serde.enums import Compatibility, DataFormat, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    RegistryAccessDeniedError,
    RegistryError,
    RegistryThrottledError,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaNotFoundError,
)
from glue_serde.registry import (
    CompatibilityAdmin,
    MetadataWriter,
    SchemaCatalog,
    SchemaRegistry,
)
from glue_serde.registry.caching import (
    CacheConfig,
    CacheStats,
    CachingSchemaRegistry,
    shared_cache,
)
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.registry.memory import InMemorySchemaRegistry
from glue_serde.schema import SchemaVersion

AVRO = DataFormat.AVRO
DEF_V1 = '{"type":"record","name":"Payment","fields":[{"name":"id","type":"long"}]}'
DEF_V2 = (
    '{"type":"record","name":"Payment","fields":[{"name":"id","type":"long"},'
    '{"name":"note","type":"string","default":""}]}'
)
THREADS = 16
WAIT = 5.0  # upper bound for any wait on another thread; never reached when tests pass


class Interrupted(BaseException):
    """Stands in for KeyboardInterrupt inside a worker thread."""


class FakeRegistry(InMemorySchemaRegistry):
    """The in-memory registry, made to fail or block on demand (through ``on_call``)."""

    def __init__(self) -> None:
        super().__init__(registry_name="fake-registry")
        #: Calls that begin while this is set raise what it returns (a fresh exception each).
        self.fail_with: Callable[[], BaseException] | None = None
        #: Calls to a method named here block until the event is set.
        self.gates: dict[str, threading.Event] = {}
        self.entered = threading.Event()
        #: Status given to versions added by register_schema_version.
        self.new_version_status = SchemaVersionStatus.AVAILABLE

    def on_call(self, verb: str) -> None:
        failure = self.fail_with  # decided when the call begins
        self.entered.set()
        gate = self.gates.get(verb)
        if gate is not None:
            assert gate.wait(WAIT), "test gate never opened"
        if failure is not None:
            raise failure()

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        """Answer with versions of any status, as Glue's own GetSchemaByDefinition does."""
        found = super().find_schema_version(schema_name, schema_definition, data_format)
        if found is None:
            found = next(
                (
                    v
                    for v in self._by_id.values()
                    if (v.schema_name, v.schema_definition, v.data_format)
                    == (schema_name, schema_definition, data_format)
                ),
                None,
            )
        return found

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        known = set(self._by_id)
        version = super().register_schema_version(schema_name, schema_definition, data_format)
        if version.schema_version_id not in known:  # a new version: give it the test's status
            version = self.set_status(version.schema_version_id, self.new_version_status)
        return version


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_cache(fake: FakeRegistry, clock: FakeClock, **config: Any) -> CachingSchemaRegistry:
    return CachingSchemaRegistry(fake, config=CacheConfig(**config), clock=clock)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.001)


def run_concurrently(
    target: Callable[[], object], count: int = THREADS
) -> tuple[list[threading.Thread], list[object], list[BaseException]]:
    """Start ``count`` threads that call ``target`` at the same moment (after a barrier)."""
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait(WAIT)
        try:
            value = target()
        except BaseException as exc:
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(value)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, results, errors


def join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive()


# ---------------------------------------------------------------------------------------------
# CacheConfig


def test_cache_config_defaults_mirror_the_java_client() -> None:
    config = CacheConfig()
    assert config.max_size == 200  # Java cacheSize
    assert config.ttl == 86_400.0  # Java timeToLiveMillis, in seconds
    assert config.serve_stale is True
    assert config.id_cache_size == 1_000
    assert config.stale_retry_interval == 30.0
    assert config.negative_ttl == 5.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_size", 0),
        ("max_size", -1),
        ("max_size", True),
        ("max_size", 1.5),
        ("id_cache_size", 0),
        ("id_cache_size", "10"),
        ("ttl", -1.0),
        ("ttl", math.nan),
        ("ttl", "60"),
        ("stale_retry_interval", -0.5),
        ("negative_ttl", math.nan),
        ("negative_ttl", False),
        ("serve_stale", "yes"),
    ],
)
def test_cache_config_rejects_invalid_values(field: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=field):
        CacheConfig(**{field: value})


def test_cache_config_accepts_zero_and_infinite_durations() -> None:
    config = CacheConfig(ttl=math.inf, negative_ttl=0, stale_retry_interval=0.0)
    assert config.ttl == math.inf


def test_cache_config_is_frozen() -> None:
    config = CacheConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.ttl = 1.0  # type: ignore[misc]


def test_constructor_rejects_a_config_that_is_not_a_cache_config(fake: FakeRegistry) -> None:
    with pytest.raises(ConfigurationError, match="CacheConfig"):
        CachingSchemaRegistry(fake, config={"ttl": 1.0})  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# The protocol and delegation


def test_caching_registry_is_a_schema_registry_with_the_wrapped_name(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    assert isinstance(cached, SchemaRegistry)
    assert cached.registry_name == "fake-registry"
    assert cached.wrapped is fake
    assert cached.config == CacheConfig()


def test_administrative_verbs_are_forwarded_typed_and_uncached(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    assert isinstance(cached, SchemaCatalog)
    assert isinstance(cached, CompatibilityAdmin)
    assert isinstance(cached, MetadataWriter)
    for _ in range(2):
        assert cached.get_schema("payments").latest_version == 1
        assert cached.list_schema_versions("payments") == [version]
    assert cached.update_compatibility("payments", Compatibility.FULL).compatibility is (
        Compatibility.FULL
    )
    cached.put_schema_version_metadata(version.schema_version_id, "team", "payments")
    assert fake.get_schema_version_metadata(version.schema_version_id) == {"team": ("payments",)}
    assert fake.calls["get_schema"] == 2
    assert fake.calls["list_schema_versions"] == 2
    assert fake.calls["update_compatibility"] == 1


def test_a_verb_the_wrapped_registry_lacks_is_a_configuration_error_naming_it(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    with pytest.raises(ConfigurationError, match=r"FakeRegistry has no audit_events.*AuditTrail"):
        cached.audit_events()
    with pytest.raises(ConfigurationError, match="export_audit_jsonl"):
        cached.export_audit_jsonl(io.StringIO())


def test_the_audit_trail_of_the_embedded_registry_is_reachable_through_the_cache() -> None:
    local = LocalSchemaRegistry()
    cached = CachingSchemaRegistry(local)
    cached.create_schema("payments", DEF_V1, AVRO)
    assert [e.event_name for e in cached.audit_events("payments")] == ["CreateSchema"]
    out = io.StringIO()
    assert cached.export_audit_jsonl(out, schema_name="payments") == 1
    assert '"eventName":"CreateSchema"' in out.getvalue()


def test_unknown_and_private_attributes_are_not_found_through_the_cache(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    with pytest.raises(AttributeError):
        _ = cached.no_such_method
    with pytest.raises(AttributeError):
        _ = cached._lock_of_the_fake


# ---------------------------------------------------------------------------------------------
# By id: immutable, LRU, no TTL


def test_n_lookups_of_k_ids_cost_k_registry_calls(fake: FakeRegistry, clock: FakeClock) -> None:
    versions = [fake.add(f"schema-{i}", DEF_V1) for i in range(5)]
    cached = make_cache(fake, clock)
    for _ in range(40):
        for version in versions:
            assert cached.get_schema_version(version.schema_version_id) == version
            raw = version.schema_version_id.bytes
            assert cached.get_schema_version_by_bytes(raw) == version
    assert fake.calls["get_schema_version"] == 5
    stats = cached.stats
    assert stats.loads == 5
    assert stats.misses == 5
    assert stats.hits == 40 * 5 * 2 - 5
    assert stats.id_entries == 5


def test_get_schema_version_by_bytes_agrees_with_get_schema_version(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    first = fake.add("payments", DEF_V1)
    second = fake.add("payments", DEF_V2)
    cached = make_cache(fake, clock)
    # Miss through bytes, hit through the UUID, and the other way round.
    assert cached.get_schema_version_by_bytes(first.schema_version_id.bytes) is (
        cached.get_schema_version(first.schema_version_id)
    )
    assert cached.get_schema_version(second.schema_version_id) is (
        cached.get_schema_version_by_bytes(second.schema_version_id.bytes)
    )
    assert cached.get_schema_version(second.schema_version_id) == second
    assert fake.calls["get_schema_version"] == 2


def test_get_schema_version_by_bytes_accepts_bytearray_and_memoryview(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    raw = version.schema_version_id.bytes
    cached = make_cache(fake, clock)
    assert cached.get_schema_version_by_bytes(bytearray(raw)) == version  # type: ignore[arg-type]
    assert cached.get_schema_version_by_bytes(memoryview(raw)) == version  # type: ignore[arg-type]
    writable = memoryview(bytearray(raw))
    assert cached.get_schema_version_by_bytes(writable) == version  # type: ignore[arg-type]
    assert fake.calls["get_schema_version"] == 1


@pytest.mark.parametrize("raw", [b"", b"\x00" * 15, b"\x00" * 17, "0" * 16, 16])
def test_get_schema_version_by_bytes_rejects_anything_but_16_bytes(
    fake: FakeRegistry, clock: FakeClock, raw: object
) -> None:
    cached = make_cache(fake, clock)
    with pytest.raises(ConfigurationError, match="16 bytes"):
        cached.get_schema_version_by_bytes(raw)  # type: ignore[arg-type]
    assert fake.calls["get_schema_version"] == 0


def test_get_schema_version_rejects_an_id_that_is_not_a_uuid(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    with pytest.raises(ConfigurationError, match=r"uuid\.UUID, got str"):
        cached.get_schema_version(str(uuid.uuid4()))  # type: ignore[arg-type]


def test_id_cache_keeps_ids_for_id_ttl_not_the_definition_ttl(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=1.0)
    cached.get_schema_version(version.schema_version_id)
    clock.advance(86_400.0 - 1)
    cached.get_schema_version(version.schema_version_id)
    assert fake.calls["get_schema_version"] == 1
    clock.advance(1)  # the default id_ttl, 24 h, is over: asked again
    cached.get_schema_version(version.schema_version_id)
    assert fake.calls["get_schema_version"] == 2


def test_an_infinite_id_ttl_keeps_ids_for_the_life_of_the_cache(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=1.0, id_ttl=math.inf)
    cached.get_schema_version(version.schema_version_id)
    clock.advance(365 * 86_400.0)
    cached.get_schema_version(version.schema_version_id)
    assert fake.calls["get_schema_version"] == 1


def test_id_cache_evicts_the_least_recently_used_version_beyond_its_size(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    a, b, c, d = (fake.add(f"s{i}", DEF_V1) for i in range(4))
    cached = make_cache(fake, clock, id_cache_size=3)
    for version in (a, b, c):
        cached.get_schema_version(version.schema_version_id)
    cached.get_schema_version_by_bytes(a.schema_version_id.bytes)  # a is now most recent
    cached.get_schema_version(d.schema_version_id)  # evicts b
    assert fake.calls["get_schema_version"] == 4
    assert cached.stats.id_entries == 3
    for version in (a, c, d):
        cached.get_schema_version(version.schema_version_id)
    assert fake.calls["get_schema_version"] == 4
    cached.get_schema_version(b.schema_version_id)
    assert fake.calls["get_schema_version"] == 5


def test_id_cache_memory_stays_bounded_over_many_versions(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    versions = [fake.add(f"s{i}", DEF_V1) for i in range(500)]
    cached = make_cache(fake, clock, id_cache_size=10)
    for version in versions:
        cached.get_schema_version(version.schema_version_id)
    assert cached.stats.id_entries == 10
    assert fake.calls["get_schema_version"] == 500


@pytest.mark.parametrize(
    "status",
    [SchemaVersionStatus.PENDING, SchemaVersionStatus.FAILURE, SchemaVersionStatus.DELETING],
)
def test_versions_that_are_not_available_are_not_cached_by_id(
    fake: FakeRegistry, clock: FakeClock, status: SchemaVersionStatus
) -> None:
    version = fake.add("payments", DEF_V1, status=status)
    cached = make_cache(fake, clock)
    assert cached.get_schema_version(version.schema_version_id).status is status
    assert cached.get_schema_version(version.schema_version_id).status is status
    assert fake.calls["get_schema_version"] == 2
    assert cached.stats.id_entries == 0


def test_a_pending_version_polled_by_id_is_seen_when_it_becomes_available(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    pending = fake.add("payments", DEF_V1, status=SchemaVersionStatus.PENDING)
    cached = make_cache(fake, clock)
    assert cached.get_schema_version(pending.schema_version_id).status is (
        SchemaVersionStatus.PENDING
    )
    fake.set_status(pending.schema_version_id, SchemaVersionStatus.AVAILABLE)
    for _ in range(3):
        assert cached.get_schema_version(pending.schema_version_id).status is (
            SchemaVersionStatus.AVAILABLE
        )
    assert fake.calls["get_schema_version"] == 2


# ---------------------------------------------------------------------------------------------
# Unknown ids: negative cache


def test_a_flood_of_one_unknown_id_costs_one_call_per_negative_ttl_window(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    unknown = uuid.uuid4()
    cached = make_cache(fake, clock, negative_ttl=5.0)
    for _ in range(100):
        with pytest.raises(SchemaNotFoundError) as info:
            cached.get_schema_version_by_bytes(unknown.bytes)
        assert info.value.schema_version_id == unknown
        assert info.value.aws_error_code == "EntityNotFoundException"
        clock.advance(0.04)  # 100 x 0.04 s = 4 s: still inside the window
    assert fake.calls["get_schema_version"] == 1
    assert cached.stats.negative_hits == 99
    clock.advance(1.5)
    with pytest.raises(SchemaNotFoundError):
        cached.get_schema_version(unknown)
    assert fake.calls["get_schema_version"] == 2


def test_remembered_not_found_errors_are_fresh_objects_chained_to_the_original(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    unknown = uuid.uuid4()
    cached = make_cache(fake, clock)
    with pytest.raises(SchemaNotFoundError) as original:
        cached.get_schema_version(unknown)
    with pytest.raises(SchemaNotFoundError) as first:
        cached.get_schema_version(unknown)
    with pytest.raises(SchemaNotFoundError) as second:
        cached.get_schema_version(unknown)
    assert first.value is not second.value
    assert first.value.__cause__ is original.value
    assert second.value.__cause__ is original.value
    assert str(first.value) == str(original.value)


def test_zero_negative_ttl_disables_negative_caching_of_ids(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock, negative_ttl=0)
    unknown = uuid.uuid4()
    for _ in range(3):
        with pytest.raises(SchemaNotFoundError):
            cached.get_schema_version(unknown)
    assert fake.calls["get_schema_version"] == 3


def test_negative_id_cache_is_bounded_by_the_id_cache_size(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock, id_cache_size=2)
    x, y, z = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for unknown in (x, y, z, y, z):  # x is dropped when z arrives
        with pytest.raises(SchemaNotFoundError):
            cached.get_schema_version(unknown)
    assert fake.calls["get_schema_version"] == 3
    with pytest.raises(SchemaNotFoundError):
        cached.get_schema_version(x)
    assert fake.calls["get_schema_version"] == 4


def test_registry_errors_on_an_id_miss_are_not_cached(fake: FakeRegistry, clock: FakeClock) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    fake.fail_with = lambda: RegistryUnavailableError("down", operation="GetSchemaVersion")
    with pytest.raises(RegistryUnavailableError):
        cached.get_schema_version(version.schema_version_id)
    fake.fail_with = None
    assert cached.get_schema_version(version.schema_version_id) == version
    assert fake.calls["get_schema_version"] == 2


# ---------------------------------------------------------------------------------------------
# By id: the TTL, serve-stale, and what subscribers hear


class Listener:
    """Records what a cache tells its subscribers (held weakly: keep the object alive)."""

    def __init__(self) -> None:
        self.heard: list[frozenset[bytes]] = []
        self.event = threading.Event()

    def __call__(self, ids: frozenset[bytes]) -> None:
        self.heard.append(ids)
        self.event.set()

    def forget(self, ids: frozenset[bytes]) -> None:
        self(ids)

    def ids(self) -> set[bytes]:
        return set().union(*self.heard)


def test_an_expired_id_is_served_stale_during_an_outage_and_refreshes_are_rate_limited(
    fake: FakeRegistry, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, id_ttl=100.0, stale_retry_interval=30.0)
    cached.get_schema_version(version.schema_version_id)
    clock.advance(100.0)
    fake.fail_with = lambda: RegistryThrottledError("slow down", operation="GetSchemaVersion")
    for _ in range(5):
        assert cached.get_schema_version(version.schema_version_id) == version
    assert fake.calls["get_schema_version"] == 2  # one refresh attempt, then stale answers
    assert cached.stats.stale_served == 1
    assert caplog.text.count("serving a stale schema version") == 1
    clock.advance(30.0)
    assert cached.get_schema_version(version.schema_version_id) == version
    assert fake.calls["get_schema_version"] == 3  # at most one attempt per retry interval
    fake.fail_with = None
    clock.advance(30.0)
    assert cached.get_schema_version(version.schema_version_id) == version
    assert fake.calls["get_schema_version"] == 4
    clock.advance(99.0)  # refreshed: fresh for a whole id_ttl again
    assert cached.get_schema_version(version.schema_version_id) == version
    assert fake.calls["get_schema_version"] == 4


def test_a_version_deleted_from_the_registry_stops_resolving_after_id_ttl(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, id_ttl=60.0)
    cached.get_schema_version(version.schema_version_id)
    fake.delete_schema("payments")
    clock.advance(59.0)
    assert cached.get_schema_version(version.schema_version_id) == version  # within the TTL
    clock.advance(1.0)
    for _ in range(3):  # not served stale: the registry answered, the version is gone
        with pytest.raises(SchemaNotFoundError):
            cached.get_schema_version(version.schema_version_id)
    assert fake.calls["get_schema_version"] == 2  # then remembered as missing
    assert cached.stats.id_entries == 0


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({}, lambda: RegistryAccessDeniedError("denied", operation="GetSchemaVersion")),
        (
            {"serve_stale": False},
            lambda: RegistryUnavailableError("down", operation="GetSchemaVersion"),
        ),
    ],
    ids=["non-retryable", "serve-stale-off"],
)
def test_an_expired_id_is_not_served_stale_for_these_errors(
    fake: FakeRegistry, clock: FakeClock, config: dict[str, Any], error: Callable[[], Exception]
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, id_ttl=10.0, **config)
    cached.get_schema_version(version.schema_version_id)
    clock.advance(10.0)
    fake.fail_with = error
    with pytest.raises(RegistryError):
        cached.get_schema_version(version.schema_version_id)
    fake.fail_with = None
    assert cached.get_schema_version(version.schema_version_id) == version


def test_others_get_the_previous_version_while_one_caller_refreshes_an_id(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, id_ttl=10.0)
    cached.get_schema_version(version.schema_version_id)
    clock.advance(10.0)
    gate = fake.gates["get_schema_version"] = threading.Event()
    refresher = run_concurrently(lambda: cached.get_schema_version(version.schema_version_id), 1)
    wait_until(lambda: fake.calls["get_schema_version"] == 2)
    # Not blocked behind the slow refresh: answered at once with the previous version.
    assert cached.get_schema_version(version.schema_version_id) == version
    assert cached.stats.stale_served == 1
    gate.set()
    join(refresher[0])
    assert refresher[1] == [version]


def test_subscribers_hear_of_expired_evicted_and_cleared_ids(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    a, b, c = (fake.add(f"s{i}", DEF_V1) for i in range(3))
    cached = make_cache(fake, clock, id_ttl=60.0, id_cache_size=2)
    listener = Listener()
    cached.subscribe(listener.forget)
    cached.get_schema_version(a.schema_version_id)
    clock.advance(30.0)
    cached.get_schema_version(b.schema_version_id)  # fresh until 90
    assert listener.heard == []
    clock.advance(10.0)
    cached.get_schema_version(c.schema_version_id)  # fresh until 100; evicts a (LRU)
    assert listener.heard == [frozenset({a.schema_version_id.bytes})]
    clock.advance(50.0)
    cached._sweep()  # what the expiry timer runs: b expired, c did not
    assert listener.heard[-1] == frozenset({b.schema_version_id.bytes})
    assert cached.stats.id_entries == 1
    cached.clear()
    assert listener.heard[-1] == frozenset({c.schema_version_id.bytes})


def test_subscribers_are_held_weakly_and_their_failures_are_logged(
    fake: FakeRegistry, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    kept = Listener()
    dropped = Listener()

    def failing(ids: frozenset[bytes]) -> None:
        raise RuntimeError("listener bug")

    cached.subscribe(failing)
    cached.subscribe(kept.forget)
    cached.subscribe(dropped.forget)
    del dropped
    cached.get_schema_version(version.schema_version_id)
    cached.clear()
    assert kept.heard == [frozenset({version.schema_version_id.bytes})]
    assert "listener failed" in caplog.text
    with pytest.raises(ConfigurationError, match="weak"):
        cached.subscribe(operator.itemgetter(0))  # cannot be referenced weakly


def test_the_expiry_timer_tells_subscribers_on_its_own() -> None:
    registry = InMemorySchemaRegistry()
    version = registry.add("payments", DEF_V1)
    cached = CachingSchemaRegistry(registry, config=CacheConfig(id_ttl=0.2))
    listener = Listener()
    cached.subscribe(listener.forget)
    cached.get_schema_version(version.schema_version_id)
    assert listener.event.wait(WAIT), "the timer never swept the expired id"
    assert listener.ids() == {version.schema_version_id.bytes}
    assert cached.get_schema_version(version.schema_version_id) == version
    assert registry.calls["get_schema_version"] == 2


def test_the_expiry_timer_works_in_a_forked_child() -> None:
    script = textwrap.dedent(
        """
        import os, threading
        from glue_serde import CacheConfig, CachingSchemaRegistry, InMemorySchemaRegistry
        registry = InMemorySchemaRegistry()
        version = registry.add("s", '"string"')
        cached = CachingSchemaRegistry(registry, config=CacheConfig(id_ttl=0.3))
        heard = threading.Event()
        def listener(ids): heard.set()
        cached.subscribe(listener)
        cached.get_schema_version(version.schema_version_id)
        pid = os.fork()
        if pid == 0:
            os._exit(0 if heard.wait(10) else 3)
        _, status = os.waitpid(pid, 0)
        raise SystemExit(os.waitstatus_to_exitcode(status))
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_idle_timer_thread_ends_and_a_later_call_starts_a_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from glue_serde.registry import _expiry

    monkeypatch.setattr(_expiry, "IDLE_EXIT", 0.05)
    timer = _expiry.ExpiryTimer()
    for _ in range(2):
        fired = threading.Event()
        timer.call_later(0.01, _strong(fired.set))
        assert fired.wait(WAIT)
        wait_until(lambda: timer._thread is None)


class _Holder:
    """Keeps a callable alive so that a weak reference to its bound method stays valid."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self.fn = fn

    def __call__(self) -> None:
        self.fn()


_HOLDERS: list[_Holder] = []


def _strong(fn: Callable[[], object]) -> Any:
    holder = _Holder(fn)
    _HOLDERS.append(holder)
    return weakref.ref(holder)


# ---------------------------------------------------------------------------------------------
# Single-flight


def test_sixteen_threads_missing_on_one_id_make_one_registry_call(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    gate = fake.gates["get_schema_version"] = threading.Event()
    threads, results, errors = run_concurrently(
        lambda: cached.get_schema_version_by_bytes(version.schema_version_id.bytes)
    )
    wait_until(lambda: cached.stats.coalesced == THREADS - 1)  # all but the leader wait
    gate.set()
    join(threads)
    assert errors == []
    assert len(results) == THREADS
    assert all(result is version for result in results)
    assert fake.calls["get_schema_version"] == 1
    assert cached.stats.loads == 1


def test_single_flight_delivers_the_same_exception_to_every_waiter(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    gate = fake.gates["get_schema_version"] = threading.Event()
    fake.fail_with = lambda: RegistryThrottledError("slow down", operation="GetSchemaVersion")
    threads, results, errors = run_concurrently(
        lambda: cached.get_schema_version(version.schema_version_id)
    )
    wait_until(lambda: cached.stats.misses == THREADS)
    gate.set()
    join(threads)
    assert results == []
    assert len(errors) == THREADS
    assert isinstance(errors[0], RegistryThrottledError)
    assert all(error is errors[0] for error in errors)
    assert fake.calls["get_schema_version"] == 1
    # The failure is not remembered: the next call asks again.
    fake.fail_with = None
    assert cached.get_schema_version(version.schema_version_id) == version
    assert fake.calls["get_schema_version"] == 2


def test_concurrent_misses_on_an_unknown_id_share_one_not_found(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    unknown = uuid.uuid4()
    gate = fake.gates["get_schema_version"] = threading.Event()
    threads, _, errors = run_concurrently(lambda: cached.get_schema_version(unknown))
    wait_until(lambda: cached.stats.misses == THREADS)
    gate.set()
    join(threads)
    assert len(errors) == THREADS
    assert all(isinstance(error, SchemaNotFoundError) for error in errors)
    assert fake.calls["get_schema_version"] == 1


CALLS: dict[str, Callable[[CachingSchemaRegistry, SchemaVersion], object]] = {
    "get_schema_version": lambda cached, v: cached.get_schema_version(v.schema_version_id),
    "find_schema_version": lambda cached, v: cached.find_schema_version("payments", DEF_V1, AVRO),
    "register_schema_version": lambda cached, v: cached.register_schema_version(
        "payments", DEF_V1, AVRO
    ),
}


@pytest.mark.parametrize("method", sorted(CALLS))
def test_a_waiter_takes_over_when_the_leading_call_is_interrupted(
    fake: FakeRegistry, clock: FakeClock, method: str
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    gate = fake.gates[method] = threading.Event()
    fake.fail_with = Interrupted
    threads, results, errors = run_concurrently(lambda: CALLS[method](cached, version), count=2)
    wait_until(lambda: cached.stats.coalesced == 1)  # one leads, one waits
    fake.fail_with = None  # the second attempt succeeds
    fake.gates.clear()
    gate.set()
    join(threads)
    assert [type(error) for error in errors] == [Interrupted]
    assert results == [version]
    assert fake.calls[method] == 2


def test_repr_names_the_wrapped_registry_and_the_config(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    text = repr(make_cache(fake, clock, ttl=60.0))
    # The wrapped registry's own repr (the in-memory registry has a useful one).
    assert text.startswith("CachingSchemaRegistry(FakeRegistry(registry_name='fake-registry'")
    assert "FakeRegistry" in text
    assert "ttl=60.0" in text


def test_sixteen_threads_missing_on_one_definition_make_one_registry_call(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    gate = fake.gates["find_schema_version"] = threading.Event()
    threads, results, errors = run_concurrently(
        lambda: cached.find_schema_version("payments", DEF_V1, AVRO)
    )
    wait_until(lambda: cached.stats.misses == THREADS)
    gate.set()
    join(threads)
    assert errors == []
    assert all(result is version for result in results)
    assert fake.calls["find_schema_version"] == 1


def test_concurrent_identical_registrations_make_one_registry_call(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    gate = fake.gates["register_schema_version"] = threading.Event()
    threads, results, errors = run_concurrently(
        lambda: cached.register_schema_version("payments", DEF_V2, AVRO)
    )
    wait_until(lambda: cached.stats.coalesced == THREADS - 1)  # all but the leader wait
    gate.set()
    join(threads)
    assert errors == []
    assert len(results) == THREADS
    assert all(result is results[0] for result in results)
    assert fake.calls["register_schema_version"] == 1


def test_concurrent_identical_create_schema_calls_make_one_call_and_share_the_version(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    gate = fake.gates["create_schema"] = threading.Event()
    threads, results, errors = run_concurrently(
        lambda: cached.create_schema(
            "payments", DEF_V1, AVRO, compatibility=Compatibility.FULL, tags={"team": "pay"}
        )
    )
    wait_until(lambda: cached.stats.coalesced == THREADS - 1)
    gate.set()
    join(threads)
    # Without single-flight, 15 of them would get SchemaAlreadyExistsError.
    assert errors == []
    assert all(result is results[0] for result in results)
    assert fake.calls["create_schema"] == 1


def test_concurrent_registrations_of_different_definitions_are_not_merged(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    gate = fake.gates["register_schema_version"] = threading.Event()
    definitions = iter([DEF_V1, DEF_V2])
    lock = threading.Lock()

    def register() -> SchemaVersion:
        with lock:
            definition = next(definitions)
        return cached.register_schema_version("payments", definition, AVRO)

    threads, results, errors = run_concurrently(register, count=2)
    wait_until(lambda: fake.calls["register_schema_version"] == 2)
    gate.set()
    join(threads)
    assert errors == []
    assert len({r.schema_version_id for r in results if isinstance(r, SchemaVersion)}) == 2


def test_registration_errors_reach_every_concurrent_caller(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    gate = fake.gates["register_schema_version"] = threading.Event()
    threads, results, errors = run_concurrently(
        lambda: cached.register_schema_version("missing", DEF_V1, AVRO)
    )
    wait_until(lambda: cached.stats.coalesced == THREADS - 1)
    gate.set()
    join(threads)
    assert results == []
    assert len(errors) == THREADS
    assert isinstance(errors[0], SchemaNotFoundError)
    assert all(error is errors[0] for error in errors)
    assert fake.calls["register_schema_version"] == 1


# ---------------------------------------------------------------------------------------------
# By definition: TTL, refresh-after-write, serve-stale


def test_find_is_cached_for_the_ttl_then_reloaded_on_next_use(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=60.0)
    for _ in range(10):
        assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
        clock.advance(5.0)  # 50 s in total: still fresh
    assert fake.calls["find_schema_version"] == 1
    clock.advance(10.0)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 2
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 2
    assert cached.stats.hits == 10


def test_a_reload_after_the_ttl_picks_up_a_changed_answer(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    old = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=60.0)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == old
    fake.delete_schema("payments")
    new = fake.add("payments", DEF_V1)  # re-created: same definition, new id
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == old  # within the TTL
    clock.advance(60.0)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == new


def test_find_keys_on_name_definition_and_format(fake: FakeRegistry, clock: FakeClock) -> None:
    fake.add("payments", DEF_V1)
    fake.add("refunds", DEF_V1)
    cached = make_cache(fake, clock)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    cached.find_schema_version("refunds", DEF_V1, AVRO)
    cached.find_schema_version("payments", DEF_V2, AVRO)
    cached.find_schema_version("payments", DEF_V1, DataFormat.JSON)
    assert fake.calls["find_schema_version"] == 4
    # An equal definition built separately is the same key.
    cached.find_schema_version("payments", "".join(list(DEF_V1)), AVRO)
    assert fake.calls["find_schema_version"] == 4


@pytest.mark.parametrize(
    "outage",
    [
        lambda: RegistryUnavailableError("connection reset", operation="GetSchemaByDefinition"),
        lambda: RegistryThrottledError("rate exceeded", aws_error_code="ThrottlingException"),
    ],
    ids=["unavailable", "throttled"],
)
def test_stale_answer_is_served_during_an_outage_and_refreshes_are_rate_limited(
    fake: FakeRegistry, clock: FakeClock, outage: Callable[[], RegistryError]
) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=100.0, stale_retry_interval=30.0)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    clock.advance(100.0)
    fake.fail_with = outage
    # First call after the TTL tries the registry, fails, serves the old answer.
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 2
    # For the next 30 s nobody asks the registry.
    for _ in range(29):
        clock.advance(1.0)
        assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 2
    clock.advance(1.0)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 3
    assert cached.stats.stale_served == 31
    # The registry recovers: the next permitted attempt reloads and the entry is fresh again.
    fake.fail_with = None
    clock.advance(30.0)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 4
    clock.advance(99.0)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 4
    assert cached.stats.stale_served == 31


def test_non_retryable_refresh_errors_propagate_even_with_a_stale_answer(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=100.0)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    clock.advance(100.0)
    fake.fail_with = lambda: RegistryAccessDeniedError(
        "not allowed", aws_error_code="AccessDeniedException"
    )
    for expected_calls in (2, 3):
        with pytest.raises(RegistryAccessDeniedError):
            cached.find_schema_version("payments", DEF_V1, AVRO)
        assert fake.calls["find_schema_version"] == expected_calls
    assert cached.stats.stale_served == 0


def test_retryable_errors_propagate_when_serve_stale_is_off(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=100.0, serve_stale=False)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    clock.advance(100.0)
    fake.fail_with = lambda: RegistryUnavailableError("down")
    with pytest.raises(RegistryUnavailableError):
        cached.find_schema_version("payments", DEF_V1, AVRO)


def test_retryable_errors_propagate_when_nothing_was_cached_yet(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    fake.fail_with = lambda: RegistryUnavailableError("down")
    with pytest.raises(RegistryUnavailableError):
        cached.find_schema_version("payments", DEF_V1, AVRO)


def test_other_callers_get_the_previous_answer_while_one_refreshes(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    old = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=100.0)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    fake.delete_schema("payments")
    new = fake.add("payments", DEF_V1)
    clock.advance(100.0)
    gate = fake.gates["find_schema_version"] = threading.Event()
    refresher = run_concurrently(
        lambda: cached.find_schema_version("payments", DEF_V1, AVRO), count=1
    )
    wait_until(lambda: fake.calls["find_schema_version"] == 2)
    # Not blocked behind the slow refresh: answered at once with the previous version.
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == old
    assert cached.stats.stale_served == 1
    gate.set()
    join(refresher[0])
    assert refresher[1] == [new]
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == new
    assert fake.calls["find_schema_version"] == 2


def test_without_serve_stale_other_callers_wait_for_the_refresh(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock, ttl=100.0, serve_stale=False)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    clock.advance(100.0)
    gate = fake.gates["find_schema_version"] = threading.Event()
    threads, results, errors = run_concurrently(
        lambda: cached.find_schema_version("payments", DEF_V1, AVRO)
    )
    wait_until(lambda: cached.stats.misses == 1 + THREADS)
    gate.set()
    join(threads)
    assert errors == []
    assert len(results) == THREADS
    assert fake.calls["find_schema_version"] == 2
    assert cached.stats.stale_served == 0


def test_a_not_registered_answer_is_remembered_for_negative_ttl_only(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock, negative_ttl=5.0, ttl=3600.0)
    for _ in range(50):
        assert cached.find_schema_version("payments", DEF_V1, AVRO) is None
        clock.advance(0.09)
    assert fake.calls["find_schema_version"] == 1
    assert cached.stats.negative_hits == 49
    clock.advance(1.0)
    version = fake.add("payments", DEF_V1)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == version
    assert fake.calls["find_schema_version"] == 2


def test_a_not_registered_answer_is_never_served_stale(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock, negative_ttl=5.0)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) is None
    clock.advance(5.0)
    fake.fail_with = lambda: RegistryUnavailableError("down")
    with pytest.raises(RegistryUnavailableError):
        cached.find_schema_version("payments", DEF_V1, AVRO)


def test_zero_negative_ttl_disables_negative_caching_of_definitions(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock, negative_ttl=0.0)
    for _ in range(3):
        assert cached.find_schema_version("payments", DEF_V1, AVRO) is None
    assert fake.calls["find_schema_version"] == 3
    assert cached.stats.definition_entries == 0


def test_find_caches_only_available_versions(fake: FakeRegistry, clock: FakeClock) -> None:
    pending = fake.add("payments", DEF_V1, status=SchemaVersionStatus.PENDING)
    cached = make_cache(fake, clock)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == pending
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == pending
    assert fake.calls["find_schema_version"] == 2


def test_a_found_version_also_fills_the_id_cache(fake: FakeRegistry, clock: FakeClock) -> None:
    version = fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    assert cached.get_schema_version_by_bytes(version.schema_version_id.bytes) == version
    assert fake.calls["get_schema_version"] == 0


def test_definition_cache_evicts_beyond_max_size(fake: FakeRegistry, clock: FakeClock) -> None:
    for i in range(10):
        fake.add(f"s{i}", DEF_V1)
    cached = make_cache(fake, clock, max_size=4)
    for i in range(10):
        cached.find_schema_version(f"s{i}", DEF_V1, AVRO)
    assert cached.stats.definition_entries == 4
    cached.find_schema_version("s9", DEF_V1, AVRO)
    assert fake.calls["find_schema_version"] == 10
    cached.find_schema_version("s0", DEF_V1, AVRO)
    assert fake.calls["find_schema_version"] == 11


# ---------------------------------------------------------------------------------------------
# Registrations fill the caches


def test_registrations_are_not_cached_but_fill_the_lookup_caches(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    cached = make_cache(fake, clock)
    created = cached.create_schema("payments", DEF_V1, AVRO)
    registered = cached.register_schema_version("payments", DEF_V2, AVRO)
    assert cached.find_schema_version("payments", DEF_V1, AVRO) == created
    assert cached.find_schema_version("payments", DEF_V2, AVRO) == registered
    assert cached.get_schema_version(created.schema_version_id) == created
    assert cached.get_schema_version(registered.schema_version_id) == registered
    assert fake.calls["find_schema_version"] == 0
    assert fake.calls["get_schema_version"] == 0
    # Registering again still asks the registry (idempotent there, not cached here).
    assert cached.register_schema_version("payments", DEF_V2, AVRO) == registered
    assert fake.calls["register_schema_version"] == 2
    with pytest.raises(SchemaAlreadyExistsError):
        cached.create_schema("payments", DEF_V1, AVRO)


def test_a_registration_replaces_a_remembered_not_registered_answer(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    assert cached.find_schema_version("payments", DEF_V2, AVRO) is None
    registered = cached.register_schema_version("payments", DEF_V2, AVRO)
    assert cached.find_schema_version("payments", DEF_V2, AVRO) == registered
    assert fake.calls["find_schema_version"] == 1


def test_a_pending_registration_is_not_cached_and_drops_the_not_registered_answer(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    fake.new_version_status = SchemaVersionStatus.PENDING
    cached = make_cache(fake, clock)
    assert cached.find_schema_version("payments", DEF_V2, AVRO) is None
    pending = cached.register_schema_version("payments", DEF_V2, AVRO)
    assert pending.status is SchemaVersionStatus.PENDING
    assert cached.find_schema_version("payments", DEF_V2, AVRO) == pending
    assert cached.get_schema_version(pending.schema_version_id) == pending
    assert fake.calls["find_schema_version"] == 2
    assert fake.calls["get_schema_version"] == 1


def test_a_lookup_started_before_a_registration_does_not_overwrite_its_result(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    fake.add("payments", DEF_V1)
    cached = make_cache(fake, clock)
    gate = fake.gates["find_schema_version"] = threading.Event()
    lookup = run_concurrently(lambda: cached.find_schema_version("payments", DEF_V2, AVRO), count=1)
    fake.entered.wait(WAIT)
    # The lookup is inside the registry (it will answer "not registered"); meanwhile:
    registered = cached.register_schema_version("payments", DEF_V2, AVRO)
    fake.delete_schema_versions("payments", "2")  # make the gated lookup answer None
    gate.set()
    join(lookup[0])
    assert lookup[1] == [None]
    assert cached.find_schema_version("payments", DEF_V2, AVRO) == registered
    assert fake.calls["find_schema_version"] == 1


# ---------------------------------------------------------------------------------------------
# Stats and clear


def test_stats_is_a_frozen_snapshot(fake: FakeRegistry, clock: FakeClock) -> None:
    cached = make_cache(fake, clock)
    before = cached.stats
    assert before == CacheStats(
        hits=0,
        misses=0,
        loads=0,
        stale_served=0,
        negative_hits=0,
        coalesced=0,
        id_entries=0,
        definition_entries=0,
    )
    cached.find_schema_version("payments", DEF_V1, AVRO)
    assert before.loads == 0
    assert cached.stats.loads == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.hits = 3  # type: ignore[misc]


def test_clear_drops_every_cached_answer_and_keeps_the_counters(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    version = fake.add("payments", DEF_V1)
    unknown = uuid.uuid4()
    cached = make_cache(fake, clock)
    cached.get_schema_version(version.schema_version_id)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    with pytest.raises(SchemaNotFoundError):
        cached.get_schema_version(unknown)
    cached.clear()
    assert cached.stats.id_entries == 0
    assert cached.stats.definition_entries == 0
    assert cached.stats.loads == 3
    cached.get_schema_version(version.schema_version_id)
    cached.find_schema_version("payments", DEF_V1, AVRO)
    with pytest.raises(SchemaNotFoundError):
        cached.get_schema_version(unknown)
    assert fake.calls == Counter({"get_schema_version": 4, "find_schema_version": 2})


def test_concurrent_lookups_with_constant_eviction_stay_correct_and_bounded(
    fake: FakeRegistry, clock: FakeClock
) -> None:
    versions = [fake.add(f"s{i}", DEF_V1) for i in range(40)]
    unknown = [uuid.uuid4() for _ in range(10)]
    cached = make_cache(fake, clock, id_cache_size=8)
    wrong: list[object] = []

    def churn() -> None:
        for n in range(400):
            version = versions[(n * 7) % len(versions)]
            if cached.get_schema_version_by_bytes(version.schema_version_id.bytes) != version:
                wrong.append(version)
            if n % 10 == 0:
                with pytest.raises(SchemaNotFoundError):
                    cached.get_schema_version(unknown[n % len(unknown)])

    threads, _, errors = run_concurrently(churn, count=8)
    join(threads)
    assert errors == []
    assert wrong == []
    stats = cached.stats
    assert stats.id_entries == 8
    assert stats.hits + stats.misses + stats.negative_hits == 8 * (400 + 40)
    assert stats.loads == fake.calls["get_schema_version"]


# ---------------------------------------------------------------------------------------------
# One cache per registry


def test_shared_cache_is_one_per_registry_object_and_config() -> None:
    registry, other = InMemorySchemaRegistry(), InMemorySchemaRegistry()
    cache = shared_cache(registry)
    assert shared_cache(registry) is cache
    assert shared_cache(registry, CacheConfig()) is cache  # equal configs are one key
    assert shared_cache(other) is not cache
    assert shared_cache(registry, CacheConfig(ttl=1.0)) is not cache
    assert cache.wrapped is registry


def test_shared_cache_returns_a_caching_registry_as_it_is() -> None:
    cached = CachingSchemaRegistry(InMemorySchemaRegistry(), config=CacheConfig(ttl=1.0))
    assert shared_cache(cached) is cached
    assert shared_cache(cached, CacheConfig(ttl=99.0)) is cached


def test_a_shared_cache_nobody_uses_is_collected() -> None:
    registry = InMemorySchemaRegistry()
    ref = weakref.ref(shared_cache(registry))
    gc.collect()
    assert ref() is None
    assert shared_cache(registry).wrapped is registry  # a new one, on first use again


def test_shared_cache_refuses_a_config_that_is_not_a_cache_config() -> None:
    with pytest.raises(ConfigurationError, match="CacheConfig"):
        shared_cache(InMemorySchemaRegistry(), {"ttl": 1.0})  # type: ignore[arg-type]
