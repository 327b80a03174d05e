"""Misbehaving registries: wrong answers, foreign exceptions, hangs, unresponsive Glue endpoints.

A user's own registry object may answer ``None``, a dict or a half-built ``SchemaVersion``, raise
anything, or never return. The caching layer and the serde must turn each into a
``RegistryError`` (cause chained), clear every in-flight state so that the next lookup of the
same id goes to the registry again, and never let a waiter block without bound. A Glue endpoint
that accepts connections and never answers must cost seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
import uuid
from typing import Any

import pytest

from tests.adversarial._harness import CaseSet
from tests.adversarial._support import AVRO_MEDIUM, AVRO_MEDIUM_VALUES, TcpServer

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
REGISTRY = ("RegistryError",)
#: Longest a second caller may wait behind a registry call that never returns.
WAIT_BOUND = 20.0


class Misbehaving:
    """Wraps a real registry; the first ``times`` calls of ``verb`` misbehave as ``mode`` says."""

    def __init__(self, real: Any, verb: str, mode: str, times: int = 1) -> None:
        self._real = real
        self._verb = verb
        self._mode = mode
        self._left = times
        self.release = threading.Event()
        self.calls = 0

    @property
    def registry_name(self) -> str:
        return self._real.registry_name  # type: ignore[no-any-return]

    def _misbehave(self, real_answer: Any) -> Any:
        from glue_serde import SchemaNotFoundError

        mode = self._mode
        if mode == "none":
            return None
        if mode == "dict":
            return dataclasses.asdict(real_answer) if real_answer is not None else {}
        if mode == "str":
            return "schema version"
        if mode == "wrong-id":
            return dataclasses.replace(real_answer, schema_version_id=uuid.uuid4())
        if mode == "definition-none":
            return dataclasses.replace(real_answer, schema_definition=None)
        if mode == "status-text":
            # The exact AWS string: converted to the enum (documented), then decodes.
            return dataclasses.replace(real_answer, status="AVAILABLE")
        if mode == "status-invalid-text":
            return dataclasses.replace(real_answer, status="available")
        if mode == "status-none":
            return dataclasses.replace(real_answer, status=None)
        if mode == "data-format-text-invalid":
            return dataclasses.replace(real_answer, data_format="avro")
        if mode == "schema-name-none":
            return dataclasses.replace(real_answer, schema_name=None)
        if mode == "version-number-text":
            return dataclasses.replace(real_answer, version_number="1")
        if mode == "raise-runtime":
            raise RuntimeError("the user's registry broke")
        if mode == "raise-keyerror":
            raise KeyError("schema")
        if mode == "raise-typeerror":
            raise TypeError("unexpected argument")
        if mode == "raise-oserror":
            raise ConnectionResetError(104, "Connection reset by peer")
        if mode == "raise-recursion":
            raise RecursionError("maximum recursion depth exceeded")
        if mode == "raise-not-found":
            raise SchemaNotFoundError("no such version", operation="GetSchemaVersion")
        if mode == "raise-keyboard-interrupt":
            raise KeyboardInterrupt
        if mode == "hang":
            self.release.wait()
            return real_answer
        raise ValueError(mode)

    def _call(self, verb: str, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        answer = getattr(self._real, verb)(*args, **kwargs)
        if verb == self._verb and self._left > 0:
            self._left -= 1
            return self._misbehave(answer)
        return answer

    def get_schema_version(self, schema_version_id: uuid.UUID) -> Any:
        return self._call("get_schema_version", schema_version_id)

    def find_schema_version(self, *args: Any) -> Any:
        return self._call("find_schema_version", *args)

    def create_schema(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("create_schema", *args, **kwargs)

    def register_schema_version(self, *args: Any) -> Any:
        return self._call("register_schema_version", *args)


def _cache_config() -> Any:
    """The default cache, with any wait bound it offers shortened to 2 s."""
    from glue_serde import CacheConfig

    shorter = {
        f.name: 2.0
        for f in dataclasses.fields(CacheConfig)
        if ("wait" in f.name or "timeout" in f.name) and f.type in ("float", float, "float | None")
    }
    return CacheConfig(**shorter)


def _in_thread(fn: Any, bound: float) -> tuple[bool, Any, BaseException | None]:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(bound)
    return (not t.is_alive(), box.get("value"), box.get("error"))


def _setup() -> tuple[Any, bytes]:
    from glue_serde import LocalSchemaRegistry, Serializer

    real = LocalSchemaRegistry()
    ser = Serializer(
        real, data_format="AVRO", schema=AVRO_MEDIUM, schema_name="m", auto_register=True
    )
    frame = ser.serialize(AVRO_MEDIUM_VALUES[0])
    assert frame is not None
    return real, frame


def _is_not_found(exc: BaseException) -> bool:
    from glue_serde import SchemaNotFoundError

    return isinstance(exc, SchemaNotFoundError)


def consumer(mode: str) -> str:
    """A consumer's first lookup misbehaves: an own error; the next lookup asks again and works."""
    from glue_serde import Deserializer

    real, frame = _setup()
    reg = Misbehaving(real, "get_schema_version", mode)
    de = Deserializer(reg, cache=_cache_config())
    first: BaseException | None = None
    try:
        de.deserialize(frame)
    except KeyboardInterrupt as exc:
        if mode != "raise-keyboard-interrupt":
            raise
        first = exc
    except Exception as exc:
        first = exc
    finished, value, error = _in_thread(lambda: de.deserialize(frame), WAIT_BOUND)
    if not finished:
        raise AssertionError(
            f"hang: after the registry answered {mode!r} once, the next lookup of the same id "
            f"blocked for more than {WAIT_BOUND:g} s"
        )
    if error is not None and not (mode == "raise-not-found" and _is_not_found(error)):
        # (a SchemaNotFoundError is remembered for CacheConfig.negative_ttl: by design)
        raise AssertionError(
            f"the registry behaves again, but the next lookup failed: "
            f"{type(error).__name__}: {error}"
        ) from error
    if error is None and value != AVRO_MEDIUM_VALUES[0]:
        raise AssertionError("the next lookup decoded a different value")
    if isinstance(first, KeyboardInterrupt):
        return "KeyboardInterrupt propagated; the next lookup worked"
    if first is None:
        if mode in ACCEPTABLE_ANSWERS:
            return "accepted (an answer of the documented form); the next lookup worked"
        raise AssertionError(f"the registry answered {mode!r} and deserialize returned a value")
    raise first


#: Answers CheckedRegistry documents as valid: an enum field given as its exact AWS string.
ACCEPTABLE_ANSWERS = frozenset({"status-text"})


for _mode in (
    "none",
    "dict",
    "str",
    "wrong-id",
    "definition-none",
    "status-text",
    "status-invalid-text",
    "status-none",
    "data-format-text-invalid",
    "schema-name-none",
    "version-number-text",
    "raise-runtime",
    "raise-keyerror",
    "raise-typeerror",
    "raise-oserror",
    "raise-recursion",
    "raise-not-found",
    "raise-keyboard-interrupt",
):
    _expect = ("ok",) if _mode == "raise-keyboard-interrupt" else REGISTRY
    if _mode in ACCEPTABLE_ANSWERS:
        _expect = ("ok",)
    CASES.add(
        consumer,
        f"consumer-{_mode}",
        expect=_expect,
        mode=_mode,
        timeout=WAIT_BOUND + 10,
        idle=True,
        chained=_mode.startswith("raise-") and _mode != "raise-not-found",
    )


def uncached(side: str, mode: str) -> str:
    """With ``cache=None`` the serde talks to the registry directly: the same rules apply."""
    from glue_serde import Deserializer, LocalSchemaRegistry, Serializer

    if side == "consumer":
        real, frame = _setup()
        Deserializer(Misbehaving(real, "get_schema_version", mode), cache=None).deserialize(frame)
    else:
        reg = Misbehaving(LocalSchemaRegistry(), "create_schema", mode)
        ser = Serializer(
            reg,
            data_format="AVRO",
            schema=AVRO_MEDIUM,
            schema_name="u",
            auto_register=True,
            cache=None,
        )
        ser.serialize(AVRO_MEDIUM_VALUES[0])
    return "accepted"


for _side in ("consumer", "producer"):
    for _mode in ("none", "dict", "raise-runtime", "raise-oserror"):
        CASES.add(
            uncached,
            f"no-cache-{_side}-{_mode}",
            expect=REGISTRY,
            side=_side,
            mode=_mode,
            chained=_mode.startswith("raise-"),
        )


def producer(mode: str, verb: str) -> str:
    """``Serializer.resolve()`` meets a misbehaving registry; a second resolve() must not block."""
    from glue_serde import LocalSchemaRegistry, Serializer

    real = LocalSchemaRegistry()
    reg = Misbehaving(real, verb, mode)
    ser = Serializer(
        reg,
        data_format="AVRO",
        schema=AVRO_MEDIUM,
        schema_name="p",
        auto_register=True,
        cache=_cache_config(),
    )
    first: BaseException | None = None
    try:
        ser.resolve()
    except KeyboardInterrupt as exc:
        first = exc
    except Exception as exc:
        first = exc
    finished, _, error = _in_thread(ser.resolve, WAIT_BOUND)
    if not finished:
        raise AssertionError(
            f"hang: after {verb} answered {mode!r} once, a second resolve() blocked for more "
            f"than {WAIT_BOUND:g} s"
        )
    if error is not None and verb == "find_schema_version":
        raise AssertionError(
            f"the registry behaves again, but resolve() failed: {type(error).__name__}: {error}"
        ) from error
    if first is None:
        raise AssertionError(f"{verb} answered {mode!r} and resolve() accepted it")
    if isinstance(first, KeyboardInterrupt):
        return "KeyboardInterrupt propagated; resolve() worked again"
    raise first


for _verb in ("find_schema_version", "create_schema"):
    for _mode in ("none", "dict", "raise-runtime", "raise-typeerror", "raise-keyboard-interrupt"):
        if _mode == "none" and _verb == "find_schema_version":
            continue  # None is find's answer for "not registered"
        _expect = ("ok",) if _mode == "raise-keyboard-interrupt" else REGISTRY
        CASES.add(
            producer,
            f"producer-{_verb.replace('_', '-')}-{_mode}",
            expect=_expect,
            mode=_mode,
            verb=_verb,
            timeout=WAIT_BOUND + 10,
            idle=True,
            chained=_mode.startswith("raise-"),
        )


def hanging_registry() -> str:
    """The registry never answers the leader; a second lookup of the same id must give up."""
    from glue_serde import Deserializer

    real, frame = _setup()
    reg = Misbehaving(real, "get_schema_version", "hang")
    de = Deserializer(reg, cache=_cache_config())
    leader = threading.Thread(target=lambda: _swallow(de.deserialize, frame), daemon=True)
    leader.start()
    deadline = time.monotonic() + 5
    while reg.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    finished, _, error = _in_thread(lambda: de.deserialize(frame), WAIT_BOUND)
    reg.release.set()
    if not finished:
        raise AssertionError(
            f"hang: a second lookup waited more than {WAIT_BOUND:g} s behind a registry call "
            "that never returns"
        )
    if error is None:
        raise AssertionError("the second lookup returned although the registry never answered")
    raise error


def _swallow(fn: Any, *args: Any) -> None:
    with contextlib.suppress(BaseException):  # the leader's outcome is not under test
        fn(*args)


CASES.add(
    hanging_registry,
    "hanging-registry-second-lookup",
    expect=REGISTRY,
    timeout=WAIT_BOUND + 10,
    idle=True,
)


class _SlowThen:
    """The first get_schema_version blocks ``delay`` seconds, then misbehaves as ``mode``."""

    def __init__(self, real: Any, mode: str, delay: float) -> None:
        self._real = real
        self._mode = mode
        self._delay = delay
        self.started = threading.Event()
        self._first = True

    @property
    def registry_name(self) -> str:
        return self._real.registry_name  # type: ignore[no-any-return]

    def get_schema_version(self, schema_version_id: uuid.UUID) -> Any:
        if not self._first:
            return self._real.get_schema_version(schema_version_id)
        self._first = False
        self.started.set()
        time.sleep(self._delay)
        if self._mode == "none":
            return None
        raise RuntimeError("the user's registry broke while others waited")

    def find_schema_version(self, *args: Any) -> Any:
        return self._real.find_schema_version(*args)

    def create_schema(self, *args: Any, **kwargs: Any) -> Any:
        return self._real.create_schema(*args, **kwargs)

    def register_schema_version(self, *args: Any) -> Any:
        return self._real.register_schema_version(*args)


def concurrent_waiter(mode: str) -> str:
    """A lookup waiting on the leader's call gets the leader's error, translated, promptly."""
    from glue_serde import Deserializer

    real, frame = _setup()
    reg = _SlowThen(real, mode, delay=1.0)
    de = Deserializer(reg, cache=_cache_config())
    leader = threading.Thread(target=lambda: _swallow(de.deserialize, frame), daemon=True)
    leader.start()
    reg.started.wait(5)
    finished, _, error = _in_thread(lambda: de.deserialize(frame), WAIT_BOUND)
    if not finished:
        raise AssertionError(
            f"hang: a lookup waiting on the leader did not return within {WAIT_BOUND:g} s after "
            f"the leader's registry call answered {mode!r}"
        )
    if error is None:
        return "the waiter retried and succeeded"
    raise error


for _mode in ("none", "raise-runtime"):
    CASES.add(
        concurrent_waiter,
        f"concurrent-waiter-leader-{_mode}",
        expect=("ok", *REGISTRY),
        mode=_mode,
        timeout=WAIT_BOUND + 10,
        idle=True,
        chained=_mode.startswith("raise-"),
    )


def producer_hanging_registry() -> str:
    """A serializer whose first resolve() hangs must not block every other thread's serialize()."""
    from glue_serde import LocalSchemaRegistry, Serializer

    real = LocalSchemaRegistry()
    Serializer(
        real, data_format="AVRO", schema=AVRO_MEDIUM, schema_name="h", auto_register=True
    ).resolve()
    reg = Misbehaving(real, "find_schema_version", "hang")
    ser = Serializer(
        reg, data_format="AVRO", schema=AVRO_MEDIUM, schema_name="h", cache=_cache_config()
    )
    leader = threading.Thread(target=lambda: _swallow(ser.resolve), daemon=True)
    leader.start()
    deadline = time.monotonic() + 5
    while reg.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    finished, _, error = _in_thread(lambda: ser.serialize(AVRO_MEDIUM_VALUES[0]), WAIT_BOUND)
    reg.release.set()
    if not finished:
        raise AssertionError(
            f"hang: serialize() in a second thread waited more than {WAIT_BOUND:g} s behind a "
            "resolve() whose registry call never returns"
        )
    if error is None:
        raise AssertionError("serialize() returned a frame although the registry never answered")
    raise error


CASES.add(
    producer_hanging_registry,
    "producer-hanging-registry-second-serialize",
    expect=REGISTRY,
    timeout=WAIT_BOUND + 10,
    idle=True,
)


def not_a_registry(kind: str) -> str:
    from glue_serde import Deserializer, Serializer

    obj: Any = {"object": object(), "none": None, "dict": {}, "class": type}[kind]
    try:
        de = Deserializer(obj)
        de.deserialize(bytes((3, 0)) + uuid.uuid4().bytes + b"\x00")
    finally:
        ser = None
    ser = Serializer(obj, data_format="AVRO", schema='"int"', schema_name="x")
    ser.serialize(1)
    return "accepted"


for _kind in ("object", "none", "dict", "class"):
    CASES.add(
        not_a_registry,
        f"not-a-registry-{_kind}",
        expect=("ConfigurationError", "RegistryError"),
        kind=_kind,
    )


# ---------------------------------------------------------------------------------------------
# AWS Glue endpoints on loopback that misbehave at the socket level


def glue_endpoint(behaviour: str, bound: float) -> str:
    from glue_serde import GlueSchemaRegistry

    server = TcpServer(behaviour)
    reg = GlueSchemaRegistry(
        region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{server.port}"
    )
    t0 = time.monotonic()
    finished, _, error = _in_thread(lambda: reg.get_schema_version(uuid.uuid4()), bound)
    elapsed = time.monotonic() - t0
    if not finished:
        raise AssertionError(
            f"hang: GetSchemaVersion against a {behaviour!r} endpoint did not finish within "
            f"{bound:g} s (the client's timeouts and retries are unbounded or too long)"
        )
    if error is None:
        raise AssertionError(f"GetSchemaVersion returned a version from a {behaviour!r} endpoint")
    if elapsed > bound:
        raise AssertionError(f"took {elapsed:.0f} s")
    raise error


for _behaviour, _bound in (
    ("silent", 30.0),
    ("trickle", 30.0),
    ("close", 20.0),
    ("garbage", 20.0),
    ("server-error", 20.0),
    ("wrong-shape", 20.0),
):
    CASES.add(
        glue_endpoint,
        f"glue-endpoint-{_behaviour}",
        expect=REGISTRY,
        behaviour=_behaviour,
        bound=_bound,
        timeout=_bound + 10,
        idle=True,
        # A transport failure must chain botocore's error; a parsed but wrong answer has none.
        chained=_behaviour in ("silent", "trickle", "close", "server-error"),
    )

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_registry_objects = CASES.make_test()
