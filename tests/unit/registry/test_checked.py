"""A user's registry that misbehaves: wrong answers and foreign exceptions never hang or escape.

Every verb of a hand-written registry is made to answer something that is not what the protocol
promises (None, a dict, another version, a version of another format) or to raise a foreign
exception; through the cache, through a serde with and without a cache, the caller gets a
RegistryError naming the registry class (the cause chained), and the next call is answered at
once instead of waiting on an in-flight entry nobody clears.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from glue_serde import (
    CacheConfig,
    CachingSchemaRegistry,
    Compatibility,
    ConfigurationError,
    DataFormat,
    Deserializer,
    GlueSerdeError,
    RegistryError,
    RegistryUnavailableError,
    SchemaNotFoundError,
    SchemaVersion,
    SchemaVersionStatus,
    Serializer,
    encode_frame,
)
from glue_serde.registry._checked import CheckedRegistry

VID = uuid.UUID("b7b4a7f0-9c23-4b4e-8f4e-2f1c3d5e6a70")
STRING = '"string"'
WAIT = 5.0  # bound on anything that must not hang; never reached when the tests pass


def _version(**changes: Any) -> SchemaVersion:
    base = SchemaVersion(
        schema_version_id=VID,
        schema_name="users",
        data_format=DataFormat.AVRO,
        schema_definition=STRING,
        version_number=1,
    )
    return dataclasses.replace(base, **changes)


class UserRegistry:
    """A registry as a user might write it; every verb does what ``behave`` says."""

    registry_name = "users-own"

    def __init__(self, behave: Callable[[str], object]) -> None:
        self.behave = behave
        self.calls: list[str] = []
        self.gate: threading.Event | None = None

    def _answer(self, verb: str) -> Any:
        self.calls.append(verb)
        if self.gate is not None:
            assert self.gate.wait(WAIT), "test gate never opened"
        return self.behave(verb)

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        return self._answer("get_schema_version")  # type: ignore[no-any-return]

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        return self._answer("find_schema_version")  # type: ignore[no-any-return]

    def create_schema(
        self,
        schema_name: str,
        schema_definition: str,
        data_format: DataFormat,
        *,
        compatibility: Compatibility = Compatibility.BACKWARD,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> SchemaVersion:
        return self._answer("create_schema")  # type: ignore[no-any-return]

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        return self._answer("register_schema_version")  # type: ignore[no-any-return]


def raises(exc: BaseException) -> Callable[[str], object]:
    def behave(verb: str) -> object:
        raise exc

    return behave


def answers(value: object) -> Callable[[str], object]:
    return lambda verb: value


def finishes(call: Callable[[], object]) -> BaseException | object:
    """Run ``call`` on a thread; fail if it has not returned or raised within WAIT seconds."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive(), "the call hung"
    return outcome[0]


CALLS: dict[str, Callable[[Any], object]] = {
    "get_schema_version": lambda r: r.get_schema_version(VID),
    "find_schema_version": lambda r: r.find_schema_version("users", STRING, DataFormat.AVRO),
    "create_schema": lambda r: r.create_schema("users", STRING, DataFormat.AVRO),
    "register_schema_version": lambda r: r.register_schema_version(
        "users", STRING, DataFormat.AVRO
    ),
}

WRONG_ANSWERS: dict[str, object] = {
    "a dict": {"SchemaVersionId": str(VID), "SchemaDefinition": STRING},
    "a string": "AVAILABLE",
    "a version with a text id": _version(schema_version_id=str(VID)),
    "a version with an unknown status": _version(status="BROKEN"),
    "a version with bytes for a definition": _version(schema_definition=b'"string"'),
    "a version with a lowercase status": _version(status="available"),
    "a version with no status": _version(status=None),
    "a version with a status of another enum": _version(status=DataFormat.AVRO),
    "a version with a data format of another enum": _version(
        data_format=SchemaVersionStatus.AVAILABLE
    ),
    "a version with an int for a data format": _version(data_format=1),
    "a version with no schema name": _version(schema_name=None),
    "a version with an empty schema name": _version(schema_name=""),
    "a version with an int for a registry name": _version(registry_name=7),
    "a version with a text version number": _version(version_number="1"),
    "a version with a bool version number": _version(version_number=True),
    "a version with version number 0": _version(version_number=0),
    "a version with a 5000-digit version number": _version(version_number=10**5000),
    "a version with bytes for created_time": _version(created_time=b"2026"),
    "a version with a list for schema_arn": _version(schema_arn=["arn"]),
}

FOREIGN: dict[str, BaseException] = {
    "KeyError": KeyError("users"),
    "TypeError": TypeError("unsupported operand"),
    "RecursionError": RecursionError("maximum recursion depth exceeded"),
    "ValueError": ValueError("bad"),
}


@pytest.fixture(params=["cached", "checked"])
def wrap(request: pytest.FixtureRequest) -> Callable[[UserRegistry], Any]:
    if request.param == "cached":
        return lambda registry: CachingSchemaRegistry(registry)
    return CheckedRegistry


@pytest.mark.parametrize("verb", sorted(CALLS))
@pytest.mark.parametrize("answer", sorted(WRONG_ANSWERS))
def test_a_wrong_answer_is_a_registry_error_naming_the_class_and_nothing_stays_in_flight(
    wrap: Callable[[UserRegistry], Any], verb: str, answer: str
) -> None:
    registry = wrap(UserRegistry(answers(WRONG_ANSWERS[answer])))
    for _ in range(2):  # the second call must not wait for the first one's flight
        error = finishes(lambda: CALLS[verb](registry))
        assert isinstance(error, RegistryError), error
        assert f"UserRegistry.{verb}" in str(error)
        assert error.retryable is False


@pytest.mark.parametrize("verb", ["create_schema", "get_schema_version", "register_schema_version"])
def test_none_for_a_version_is_a_registry_error(
    wrap: Callable[[UserRegistry], Any], verb: str
) -> None:
    registry = wrap(UserRegistry(answers(None)))
    for _ in range(2):
        error = finishes(lambda: CALLS[verb](registry))
        assert isinstance(error, RegistryError)
        assert "answered a NoneType, not a SchemaVersion" in str(error)


def test_none_from_find_means_not_registered(wrap: Callable[[UserRegistry], Any]) -> None:
    registry = wrap(UserRegistry(answers(None)))
    assert CALLS["find_schema_version"](registry) is None


def test_a_version_for_another_id_is_refused(wrap: Callable[[UserRegistry], Any]) -> None:
    registry = wrap(UserRegistry(answers(_version(schema_version_id=uuid.uuid4()))))
    with pytest.raises(RegistryError, match=f"when asked for {VID}"):
        registry.get_schema_version(VID)


def test_a_version_of_another_format_is_refused_by_find(
    wrap: Callable[[UserRegistry], Any],
) -> None:
    registry = wrap(UserRegistry(answers(_version(data_format=DataFormat.JSON))))
    with pytest.raises(RegistryError, match="a JSON version when asked for AVRO"):
        CALLS["find_schema_version"](registry)


def test_enum_fields_given_as_their_aws_strings_are_converted(
    wrap: Callable[[UserRegistry], Any],
) -> None:
    registry = wrap(UserRegistry(answers(_version(data_format="AVRO", status="AVAILABLE"))))
    version = registry.get_schema_version(VID)
    assert version.data_format is DataFormat.AVRO
    assert version.status is SchemaVersionStatus.AVAILABLE


@pytest.mark.parametrize("verb", sorted(CALLS))
@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_a_foreign_exception_is_a_registry_error_with_the_cause_chained(
    wrap: Callable[[UserRegistry], Any], verb: str, name: str
) -> None:
    cause = FOREIGN[name]
    registry = wrap(UserRegistry(raises(cause)))
    for _ in range(2):
        error = finishes(lambda: CALLS[verb](registry))
        assert type(error) is RegistryError
        assert error.__cause__ is cause
        assert f"UserRegistry.{verb} raised {name}" in str(error)
        assert error.retryable is False


@pytest.mark.parametrize("cause", [ConnectionResetError("reset"), TimeoutError("slow"), OSError()])
def test_an_os_error_is_a_retryable_registry_unavailable_error(
    wrap: Callable[[UserRegistry], Any], cause: OSError
) -> None:
    registry = wrap(UserRegistry(raises(cause)))
    with pytest.raises(RegistryUnavailableError) as info:
        registry.get_schema_version(VID)
    assert info.value.retryable is True
    assert info.value.__cause__ is cause


def test_the_library_s_own_errors_pass_unchanged(wrap: Callable[[UserRegistry], Any]) -> None:
    own = SchemaNotFoundError("no such version", schema_version_id=VID)
    registry = wrap(UserRegistry(raises(own)))
    with pytest.raises(SchemaNotFoundError) as info:
        registry.get_schema_version(VID)
    assert info.value is own


def test_keyboard_interrupt_is_never_translated(wrap: Callable[[UserRegistry], Any]) -> None:
    registry = wrap(UserRegistry(raises(KeyboardInterrupt())))
    with pytest.raises(KeyboardInterrupt):
        registry.get_schema_version(VID)


@pytest.mark.parametrize(
    "thing",
    [object(), "glue://payments", type("NoName", (), {"get_schema_version": lambda s, i: None})()],
)
def test_what_is_not_a_registry_is_refused_at_construction(thing: object) -> None:
    for build in (
        CheckedRegistry,
        CachingSchemaRegistry,
        lambda r: Deserializer(r),
        lambda r: Serializer(r, data_format=DataFormat.AVRO, schema=STRING, schema_name="s"),
    ):
        with pytest.raises(ConfigurationError, match="a schema registry is needed"):
            build(thing)


@pytest.mark.parametrize("name", [None, "", 42])
def test_a_registry_name_that_is_not_text_is_refused(name: object) -> None:
    registry = UserRegistry(answers(None))
    registry.registry_name = name  # type: ignore[assignment]
    with pytest.raises(ConfigurationError, match="registry_name"):
        CachingSchemaRegistry(registry)


# ---------------------------------------------------------------------------------------------
# Through the serializer and the deserializer


@pytest.mark.parametrize("cache", [CacheConfig(), None], ids=["cached", "uncached"])
@pytest.mark.parametrize(
    "behave",
    [answers(None), answers({"id": 1}), raises(KeyError("x")), raises(RecursionError())],
    ids=["None", "dict", "KeyError", "RecursionError"],
)
def test_a_deserializer_raises_a_registry_error_every_time_and_never_hangs(
    cache: CacheConfig | None, behave: Callable[[str], object]
) -> None:
    des = Deserializer(UserRegistry(behave), cache=cache)
    frame = encode_frame(VID, b"\x04hi")
    for _ in range(3):
        error = finishes(lambda: des.deserialize(frame))
        assert isinstance(error, RegistryError)
        assert "UserRegistry.get_schema_version" in str(error)


@pytest.mark.parametrize("cache", [CacheConfig(), None], ids=["cached", "uncached"])
def test_a_second_resolve_after_a_bad_answer_raises_instead_of_hanging(
    cache: CacheConfig | None,
) -> None:
    ser = Serializer(
        UserRegistry(answers({"no": "version"})),
        data_format=DataFormat.AVRO,
        schema=STRING,
        schema_name="users",
        cache=cache,
    )
    for _ in range(2):
        error = finishes(ser.resolve)
        assert isinstance(error, RegistryError)
        assert "UserRegistry.find_schema_version" in str(error)


def test_every_concurrent_caller_gets_the_leader_s_translated_error() -> None:
    cause = KeyError("users")
    user = UserRegistry(raises(cause))
    user.gate = threading.Event()
    cached = CachingSchemaRegistry(user)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work() -> None:
        barrier.wait(WAIT)
        try:
            cached.get_schema_version(VID)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = threading.Event()
    while cached.stats.misses < 8 and not deadline.wait(0.001):
        pass
    user.gate.set()
    for thread in threads:
        thread.join(WAIT)
    assert len(errors) == 8
    assert all(error is errors[0] for error in errors)  # the leader's, not another error
    assert isinstance(errors[0], RegistryError) and errors[0].__cause__ is cause
    assert user.calls == ["get_schema_version"]


def test_a_waiter_gives_up_after_wait_timeout_and_the_leader_still_completes() -> None:
    user = UserRegistry(answers(_version()))
    user.gate = threading.Event()
    cached = CachingSchemaRegistry(user, config=CacheConfig(wait_timeout=0.2))
    leader = threading.Thread(target=lambda: cached.get_schema_version(VID))
    leader.start()
    while not user.calls:
        threading.Event().wait(0.001)
    error = finishes(lambda: cached.get_schema_version(VID))
    assert isinstance(error, RegistryUnavailableError)
    assert error.retryable is True
    assert "wait_timeout" in str(error)
    user.gate.set()
    leader.join(WAIT)
    assert cached.get_schema_version(VID) == _version()  # stored by the leader: a hit
    assert user.calls == ["get_schema_version"]


def test_a_second_resolve_waits_at_most_wait_timeout_for_the_first() -> None:
    user = UserRegistry(answers(_version()))
    user.gate = threading.Event()
    ser = Serializer(
        user,
        data_format=DataFormat.AVRO,
        schema=STRING,
        schema_name="users",
        cache=CacheConfig(wait_timeout=0.2),
    )
    first = threading.Thread(target=ser.resolve)
    first.start()
    while not user.calls:
        threading.Event().wait(0.001)
    error = finishes(ser.resolve)
    assert isinstance(error, RegistryUnavailableError)
    assert "resolve" in str(error) and error.retryable
    user.gate.set()
    first.join(WAIT)
    assert ser.resolve() == _version()


def test_the_wait_timeout_must_be_finite_and_positive() -> None:
    for value in (0, -1.0, float("inf"), float("nan"), True):
        with pytest.raises(ConfigurationError, match="wait_timeout"):
            CacheConfig(wait_timeout=value)


def test_every_error_raised_here_is_the_library_s_own() -> None:
    # The classes the boundary produces are part of the library's tree.
    for cls in (RegistryError, RegistryUnavailableError, ConfigurationError):
        assert issubclass(cls, GlueSerdeError)


# ---------------------------------------------------------------------------------------------
# The administrative verbs, forwarded through the cache


class UserAdminRegistry(UserRegistry):
    """Also has the administrative verbs, which do what ``behave`` says."""

    def get_schema(self, schema_name: str) -> Any:
        return self._answer("get_schema")

    def list_schema_versions(self, schema_name: str) -> Any:
        return self._answer("list_schema_versions")

    def update_compatibility(self, schema_name: str, compatibility: Compatibility) -> Any:
        return self._answer("update_compatibility")

    def put_schema_version_metadata(
        self, schema_version_id: uuid.UUID, key: str, value: str
    ) -> Any:
        return self._answer("put_schema_version_metadata")

    def audit_events(self, schema_name: str | None = None) -> Any:
        return self._answer("audit_events")

    def export_audit_jsonl(self, file: Any, *, schema_name: str | None = None) -> Any:
        return self._answer("export_audit_jsonl")


ADMIN: dict[str, Callable[[CachingSchemaRegistry], object]] = {
    "get_schema": lambda c: c.get_schema("users"),
    "list_schema_versions": lambda c: c.list_schema_versions("users"),
    "update_compatibility": lambda c: c.update_compatibility("users", Compatibility.FULL),
    "put_schema_version_metadata": lambda c: c.put_schema_version_metadata(VID, "k", "v"),
    "audit_events": lambda c: c.audit_events(),
    "export_audit_jsonl": lambda c: c.export_audit_jsonl("unused.jsonl"),
}


@pytest.mark.parametrize("verb", sorted(ADMIN))
def test_a_foreign_exception_from_an_administrative_verb_is_a_registry_error(verb: str) -> None:
    cause = ValueError("broken")
    cached = CachingSchemaRegistry(UserAdminRegistry(raises(cause)))
    with pytest.raises(RegistryError, match=f"UserAdminRegistry.{verb} raised ValueError") as info:
        ADMIN[verb](cached)
    assert info.value.__cause__ is cause


@pytest.mark.parametrize(
    ("verb", "answer"),
    [
        ("get_schema", {"SchemaName": "users"}),
        ("update_compatibility", None),
        ("list_schema_versions", ({"id": 1},)),
        ("list_schema_versions", [{"id": 1}]),
    ],
)
def test_a_wrong_answer_from_an_administrative_verb_is_a_registry_error(
    verb: str, answer: object
) -> None:
    cached = CachingSchemaRegistry(UserAdminRegistry(answers(answer)))
    with pytest.raises(RegistryError, match=f"UserAdminRegistry.{verb} answered"):
        ADMIN[verb](cached)


@pytest.mark.parametrize("verb", sorted(ADMIN))
def test_an_administrative_verb_the_registry_lacks_is_a_configuration_error(verb: str) -> None:
    cached = CachingSchemaRegistry(UserRegistry(answers(None)))
    with pytest.raises(ConfigurationError, match=f"UserRegistry has no {verb}"):
        ADMIN[verb](cached)


def test_a_registry_name_property_that_raises_is_a_configuration_error() -> None:
    class Nameless(UserRegistry):
        @property  # type: ignore[override]
        def registry_name(self) -> str:
            raise LookupError("no name yet")

    with pytest.raises(ConfigurationError, match="registry_name raised LookupError") as info:
        CachingSchemaRegistry(Nameless(answers(None)))
    assert isinstance(info.value.__cause__, LookupError)
