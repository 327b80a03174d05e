"""Damaged embedded-registry files: flipped bytes, bad rows written with sqlite3, non-databases.

A real SQLite registry file is built once per worker (three formats, two versions each,
metadata, audit rows), copied per case and damaged. Every read and write verb is then called;
each may succeed or raise a ``RegistryError`` (the storage is at fault). A consumer reading a
frame through the damaged registry may also get a ``DeserializationError`` or a
``SchemaError`` (the stored definition no longer parses). Nothing else may come out: no
``ValueError``/``UnicodeDecodeError``/``JSONDecodeError``/``OverflowError``, no crash, no hang.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import io
import os
import random
import shutil
import sqlite3
import tempfile
import uuid
from typing import Any
from unittest import mock

import pytest

from tests.adversarial._harness import (
    Batch,
    Case,
    CaseSet,
    fuzz_volume,
    session_results,
    summarize,
)
from tests.adversarial._support import (
    AVRO_MEDIUM,
    AVRO_MEDIUM_VALUES,
    JSON_DOC,
    JSON_VALUES,
    PROTO_DOC,
    PROTO_VALUES,
)

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
#: What a damaged registry may answer (each verb is checked on its own, see _exercise).
REGISTRY = ("RegistryError",)


@functools.cache
def _workdir() -> str:
    return tempfile.mkdtemp(prefix="adv-registry-")


@functools.cache
def base_file() -> tuple[str, tuple[bytes, ...], tuple[str, ...]]:
    """Build the pristine registry file; return its path, frames written and the version ids."""
    from glue_serde import DataFormat, IncompatibleSchemaError, LocalSchemaRegistry, Serializer

    path = os.path.join(_workdir(), "base.sqlite")
    frames: list[bytes] = []
    ids: list[str] = []
    # Byte-for-byte the same file in every run: seeded version and event ids, a fixed clock.
    rng = random.Random("registry-base-file")
    seeded = mock.patch("uuid.uuid4", lambda: uuid.UUID(int=rng.getrandbits(128), version=4))
    clock = lambda: datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.timezone.utc)  # noqa: E731
    with seeded, LocalSchemaRegistry(path, identity="adversarial", clock=clock) as reg:
        reg.create_registry("second-registry", "for damage")
        for fmt, schema, values in (
            ("AVRO", AVRO_MEDIUM, AVRO_MEDIUM_VALUES),
            ("JSON", JSON_DOC, JSON_VALUES),
            ("PROTOBUF", PROTO_DOC, PROTO_VALUES),
        ):
            ser = Serializer(
                reg,
                data_format=fmt,
                schema=schema,
                schema_name=f"s-{fmt.lower()}",
                auto_register=True,
            )
            for value in values:
                frame = ser.serialize(value)
                assert frame is not None
                frames.append(frame)
            ids.append(str(ser.schema_version_id))
            reg.put_schema_version_metadata(ser.schema_version_id, "owner", "team-a")
        # A second version of the Avro schema (a new optional field keeps it BACKWARD).
        v2 = dict(AVRO_MEDIUM)
        v2["fields"] = [
            *AVRO_MEDIUM["fields"],
            {"name": "extra", "type": ["null", "int"], "default": None},
        ]
        ser2 = Serializer(
            reg, data_format="AVRO", schema=v2, schema_name="s-avro", auto_register=True
        )
        frames.append(ser2.serialize({**AVRO_MEDIUM_VALUES[0], "extra": 5}))  # type: ignore[arg-type]
        ids.append(str(ser2.schema_version_id))
        # A rejected attempt: a FAILURE version and a "rejected" audit row in the file.
        with contextlib.suppress(IncompatibleSchemaError):
            reg.register_schema_version(
                "s-avro",
                '{"type":"record","name":"Payment","namespace":"adv","fields":[]}',
                DataFormat.AVRO,
            )
    return path, tuple(frames), tuple(ids)


def _copy(name: str) -> str:
    src, _, _ = base_file()
    dst = os.path.join(_workdir(), f"{name}-{uuid.uuid4().hex[:8]}.sqlite")
    shutil.copyfile(src, dst)
    return dst


def _allowed(exc: BaseException, extra: tuple[type, ...] = ()) -> bool:
    from glue_serde.errors import RegistryError

    return isinstance(exc, (RegistryError, *extra))


def _exercise(path: str, *, open_extra: tuple[type, ...] = ()) -> str:
    """Call every verb on a damaged file; raise the first answer that is not allowed."""
    from glue_serde import DataFormat, Deserializer, LocalSchemaRegistry
    from glue_serde.errors import DeserializationError, SchemaError

    _, frames, ids = base_file()
    try:
        reg = LocalSchemaRegistry(path, identity="adversarial", busy_timeout=0.5)
    except Exception as exc:
        if _allowed(exc, open_extra):
            return f"refused at open: {type(exc).__name__}"
        raise
    outcomes = []
    try:
        calls: list[tuple[str, Any]] = [
            ("get_schema_version", lambda: [reg.get_schema_version(uuid.UUID(i)) for i in ids]),
            (
                "find_schema_version",
                lambda: reg.find_schema_version("s-avro", '{"type":"int"}', DataFormat.AVRO),
            ),
            ("list_schemas", reg.list_schemas),
            ("list_registries", reg.list_registries),
            ("list_schema_versions", lambda: reg.list_schema_versions("s-avro")),
            ("get_schema", lambda: reg.get_schema("s-json")),
            ("get_latest_schema_version", lambda: reg.get_latest_schema_version("s-protobuf")),
            (
                "get_schema_version_metadata",
                lambda: reg.get_schema_version_metadata(uuid.UUID(ids[0])),
            ),
            ("audit_events", reg.audit_events),
            ("export_audit_jsonl", lambda: reg.export_audit_jsonl(io.StringIO())),
            (
                "register_schema_version",
                lambda: reg.register_schema_version(
                    "s-json", '{"type":"object","properties":{"z":{}}}', DataFormat.JSON
                ),
            ),
            (
                "create_schema",
                lambda: reg.create_schema("s-new", '{"type":"string"}', DataFormat.AVRO),
            ),
            (
                "put_schema_version_metadata",
                lambda: reg.put_schema_version_metadata(uuid.UUID(ids[1]), "k", "v"),
            ),
            ("delete_schema_versions", lambda: reg.delete_schema_versions("s-avro", "2")),
            (
                "update_compatibility",
                lambda: reg.update_compatibility("s-avro", "FULL"),  # type: ignore[arg-type]
            ),
        ]
        for name, call in calls:
            try:
                call()
                outcomes.append(f"{name}: ok")
            except Exception as exc:
                # Verbs that parse stored definitions may say one no longer parses.
                parses = (
                    (SchemaError,) if name in ("register_schema_version", "create_schema") else ()
                )
                if not _allowed(exc, parses):
                    raise AssertionError(
                        f"{name} raised {type(exc).__module__}.{type(exc).__name__}: {exc}"
                    ) from exc
                outcomes.append(f"{name}: {type(exc).__name__}")
        de = Deserializer(reg)
        for frame in frames:
            try:
                de.deserialize(frame)
            except Exception as exc:
                if not _allowed(exc, (DeserializationError, SchemaError)):
                    raise AssertionError(
                        f"deserialize raised {type(exc).__module__}.{type(exc).__name__}: {exc}"
                    ) from exc
    finally:
        try:
            reg.close()
        except Exception as exc:
            if not _allowed(exc):
                raise
    return "; ".join(outcomes)


# ---------------------------------------------------------------------------------------------
# Flipped bytes


def flipped(seed: int, flips: int, region: str) -> str:
    path = _copy(f"flip{seed}")
    size = os.path.getsize(path)
    rng = random.Random(f"registry-flip:{seed}:{flips}:{region}")
    with open(path, "r+b") as fh:
        for _ in range(flips):
            if region == "header":
                pos = rng.randrange(0, 100)
            elif region == "first-pages":
                pos = rng.randrange(100, min(size, 4 * 4096))
            else:
                pos = rng.randrange(100, size)
            fh.seek(pos)
            byte = fh.read(1)[0]
            fh.seek(pos)
            fh.write(bytes([byte ^ (1 << rng.randrange(8))]))
    return _exercise(path)


#: Flipped-byte files per run (``GLUE_SERDE_FUZZ_VOLUME`` scales it like the frame fuzz).
FLIPS = max(40, fuzz_volume() // 4)
_REGIONS = ("any", "any", "first-pages", "header")


def _flip_cases() -> list[Case]:
    return [
        Case(
            id=f"flip-{seed}",
            target=f"{__name__}:flipped",
            kwargs={
                "seed": seed,
                "flips": (1, 1, 4, 16)[seed % 4],
                "region": _REGIONS[seed // 4 % 4],
            },
            expect=("ok", *REGISTRY),
        )
        for seed in range(FLIPS)
    ]


@pytest.mark.parametrize("batch", [pytest.param(Batch("flips", _flip_cases()), id=f"n{FLIPS}")])
def test_flipped_bytes(batch: Batch, request: pytest.FixtureRequest) -> None:
    """Every verb on a registry file with flipped bytes answers, or raises a RegistryError."""
    results = session_results(request.session)
    failing, report = summarize(batch.cases, results)
    assert failing == 0, f"{failing} of {len(batch.cases)} damaged files failed:\n{report}"


# ---------------------------------------------------------------------------------------------
# A flipped byte inside a stored definition: served as it is, the schema silently changes


def definition_flip(fmt: str, target: str) -> str:
    """Flip one byte inside a stored definition; the registry must not serve the changed text.

    The file keeps each definition's SHA-256 next to it, so the damage is detectable: the
    answer must be the original definition or a RegistryError.
    """
    from glue_serde import LocalSchemaRegistry

    src, _, ids = base_file()
    version_id = uuid.UUID(ids[("AVRO", "JSON", "PROTOBUF").index(fmt)])
    with LocalSchemaRegistry(src) as reg:
        original = reg.get_schema_version(version_id).schema_definition
    path = _copy(f"defflip-{fmt}")
    with open(path, "rb") as fh:
        data = bytearray(fh.read())
    text = original.encode()
    start = data.find(text)
    if start < 0:
        raise AssertionError("setup: the definition is not stored verbatim in the file")
    offset = text.find(target.encode())
    if offset < 0:
        raise AssertionError(f"setup: {target!r} is not in the definition")
    data[start + offset] ^= 0x01  # e.g. "amount" -> "`mount": still a valid schema
    with open(path, "wb") as fh:
        fh.write(data)
    with LocalSchemaRegistry(path) as reg:
        served = reg.get_schema_version(version_id).schema_definition
    if served != original:
        raise AssertionError(
            f"silent corruption: the registry served a changed {fmt} definition "
            f"(byte {offset} {target[0]!r} -> {chr(ord(target[0]) ^ 1)!r})"
        )
    return "served the original"


for _fmt, _target in (("AVRO", "amount"), ("JSON", "ratio"), ("PROTOBUF", "int64 i64")):
    CASES.add(
        definition_flip,
        f"definition-flip-{_fmt.lower()}",
        expect=("ok", *REGISTRY),
        fmt=_fmt,
        target=_target,
    )


# ---------------------------------------------------------------------------------------------
# Bad rows written with sqlite3 directly

_ONE_VERSION = (
    "rowid = (SELECT v.rowid FROM schema_versions v JOIN schemas s ON s.schema_id = v.schema_id "
    "WHERE s.name = 's-avro' AND v.version_number = 1)"
)
BAD_ROWS: dict[str, str] = {
    "version-id-not-uuid": (
        "UPDATE schema_versions SET version_id = 'not-a-uuid' WHERE " + _ONE_VERSION
    ),
    "version-status-unknown": "UPDATE schema_versions SET status = 'BOGUS'",
    "version-number-text": "UPDATE schema_versions SET version_number = 'abc' WHERE "
    + _ONE_VERSION,
    "version-number-real": "UPDATE schema_versions SET version_number = 1.5 WHERE " + _ONE_VERSION,
    "version-created-int": "UPDATE schema_versions SET created_time = 42",
    "definition-blob": "UPDATE schema_versions SET definition = X'FFFE00'",
    "definition-invalid-utf8": "UPDATE schema_versions SET definition = CAST(X'7BC328' AS TEXT)",
    "definition-empty": "UPDATE schema_versions SET definition = ''",
    "definition-nan": (
        'UPDATE schema_versions SET definition = \'{"type":"record","name":"Payment",'
        '"namespace":"adv","fields":[{"name":"id","type":"double","default":NaN}]}\''
    ),
    "definition-deep": "UPDATE schema_versions SET definition = '" + "[" * 50_000 + "'",
    "schema-format-unknown": "UPDATE schemas SET data_format = 'XML'",
    "schema-format-swapped": "UPDATE schemas SET data_format = 'PROTOBUF' WHERE name = 's-avro'",
    "schema-compatibility-unknown": "UPDATE schemas SET compatibility = 'SOMETIMES'",
    "schema-status-unknown": "UPDATE schemas SET status = 'GONE'",
    "schema-tags-not-json": "UPDATE schemas SET tags = '{not json'",
    "schema-tags-list": "UPDATE schemas SET tags = '[1, 2]'",
    "schema-tags-invalid-utf8": "UPDATE schemas SET tags = CAST(X'7BC3' AS TEXT)",
    "schema-checkpoint-text": "UPDATE schemas SET checkpoint = 'x'",
    "schema-next-version-max": "UPDATE schemas SET next_version = 9223372036854775807",
    "schema-next-version-text": "UPDATE schemas SET next_version = 'n'",
    "schema-name-blob": "UPDATE schemas SET name = X'FF00' WHERE name = 's-json'",
    "meta-layout-text": "UPDATE meta SET value = 'abc' WHERE key = 'schema_version'",
    "meta-layout-5000-digits": "UPDATE meta SET value = '"
    + "9" * 5000
    + "' WHERE key = 'schema_version'",
    "meta-deleted": "DELETE FROM meta",
    "audit-problems-not-json": "UPDATE audit_events SET problems = 'nope'",
    "audit-request-not-json": "UPDATE audit_events SET request_parameters = '{'",
    "audit-response-not-json": "UPDATE audit_events SET response_elements = '[['",
    "audit-time-int": "UPDATE audit_events SET event_time = 12345",
    "audit-problems-wrong-shape": "UPDATE audit_events SET problems = '[{\"x\": 1}]'",
    "audit-version-text": "UPDATE audit_events SET version_number = 'v'",
    "metadata-value-blob": "UPDATE version_metadata SET value = X'FF'",
    "registry-renamed": "UPDATE registries SET name = 'gone' WHERE name = 'default-registry'",
    "audit-table-dropped": "DROP TABLE audit_events",
    "versions-table-dropped": "DROP TABLE schema_versions",
}


def bad_row(key: str) -> str:
    path = _copy(key)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.executescript(BAD_ROWS[key])
        conn.commit()
    finally:
        conn.close()
    from glue_serde.errors import ConfigurationError

    # A layout number from the future is refused as ConfigurationError (upgrade glue_serde).
    extra = (ConfigurationError,) if key.startswith("meta-layout") else ()
    return _exercise(path, open_extra=extra)


for _key in BAD_ROWS:
    CASES.add(bad_row, f"row-{_key}", expect=("ok", *REGISTRY), key=_key)


# ---------------------------------------------------------------------------------------------
# Files that are not (whole) registries


def not_a_registry(kind: str) -> str:
    from glue_serde import LocalSchemaRegistry

    path = os.path.join(_workdir(), f"{kind}-{uuid.uuid4().hex[:8]}.sqlite")
    src, _, _ = base_file()
    if kind == "random-bytes":
        with open(path, "wb") as fh:
            fh.write(random.Random(kind).randbytes(8192))
    elif kind == "text":
        with open(path, "w") as fh:
            fh.write("hello, I am not a database\n")
    elif kind == "directory":
        os.mkdir(path)
    elif kind == "truncated-half":
        with open(src, "rb") as fh:
            data = fh.read()
        with open(path, "wb") as fh:
            fh.write(data[: len(data) // 2])
    elif kind == "truncated-header":
        with open(src, "rb") as fh:
            data = fh.read(100)
        with open(path, "wb") as fh:
            fh.write(data)
    elif kind == "garbage-wal":
        shutil.copyfile(src, path)
        with open(path + "-wal", "wb") as fh:
            fh.write(random.Random(kind).randbytes(4096 * 3))
    elif kind == "garbage-shm":
        shutil.copyfile(src, path)
        with open(path + "-shm", "wb") as fh:
            fh.write(b"\xff" * 32768)
    elif kind == "other-sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE schemas (x)")
        conn.execute("CREATE TABLE meta (key, value)")
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.commit()
        conn.close()
    else:
        raise ValueError(kind)
    if kind in ("garbage-wal", "garbage-shm", "truncated-half"):
        return _exercise(path)
    with LocalSchemaRegistry(path) as reg:
        reg.list_schemas()
        reg.get_schema_version(uuid.uuid4())
    return "opened"


for _kind in (
    "random-bytes",
    "text",
    "directory",
    "truncated-half",
    "truncated-header",
    "garbage-wal",
    "garbage-shm",
    "other-sqlite",
):
    CASES.add(not_a_registry, f"file-{_kind}", expect=("ok", *REGISTRY), kind=_kind)


# ---------------------------------------------------------------------------------------------
# A file another process keeps locked: every wait is bounded by busy_timeout


def locked_file(when: str) -> str:
    """``opened-before``: a writer holds the file (WAL readers go on, writers wait);
    ``opened-after``: an exclusive lock (even opening waits). Waits end after busy_timeout.
    """
    from glue_serde import DataFormat, Deserializer, LocalSchemaRegistry

    path = _copy(f"locked-{when}")
    _, frames, ids = base_file()
    reg = LocalSchemaRegistry(path, busy_timeout=1.0) if when == "opened-before" else None
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        if reg is None:
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
        else:
            holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE meta SET value = value")
        if reg is None:
            reg = LocalSchemaRegistry(path, busy_timeout=1.0)
        Deserializer(reg, cache=None).deserialize(frames[0])
        reg.get_schema_version(uuid.UUID(ids[0]))
        reg.create_schema("while-locked", '"int"', DataFormat.AVRO)
    finally:
        holder.close()
        if reg is not None:
            with contextlib.suppress(Exception):
                reg.close()
    return "written through the lock"


for _when in ("opened-before", "opened-after"):
    CASES.add(
        locked_file, f"locked-by-another-connection-{_when}", expect=("ok", *REGISTRY), when=_when
    )


# ---------------------------------------------------------------------------------------------
# Hostile arguments to registry verbs


def hostile_argument(verb: str) -> str:
    from glue_serde import DataFormat, LocalSchemaRegistry

    with LocalSchemaRegistry() as reg:
        reg.create_schema("s", '{"type":"string"}', DataFormat.AVRO)
        if verb == "delete-versions-5000-digits":
            reg.delete_schema_versions("s", "9" * 5000)
        elif verb == "delete-versions-range-5000-digits":
            reg.delete_schema_versions("s", "2-" + "9" * 5000)
        elif verb == "delete-versions-huge-int":
            reg.delete_schema_versions("s", 10**5000)  # type: ignore[arg-type]
        elif verb == "delete-versions-float":
            reg.delete_schema_versions("s", 2.0)  # type: ignore[arg-type]
        elif verb == "version-id-5000-digits":
            reg.get_schema_version("9" * 5000)  # type: ignore[arg-type]
        elif verb == "definition-surrogate":
            reg.create_schema("t", '"\ud800"', DataFormat.AVRO)
        elif verb == "definition-deep":
            reg.create_schema("t", "[" * 100_000 + "]" * 100_000, DataFormat.JSON)
        elif verb == "definition-bytes":
            reg.create_schema("t", b'{"type":"string"}', DataFormat.AVRO)  # type: ignore[arg-type]
        elif verb == "metadata-surrogate":
            reg.put_schema_version_metadata(
                reg.get_latest_schema_version("s").schema_version_id, "k\ud800", "v"
            )
        elif verb == "compatibility-garbage":
            reg.update_compatibility("s", "SOMETIMES")  # type: ignore[arg-type]
        elif verb == "audit-since-garbage":
            reg.audit_events(schema_name=5)  # type: ignore[arg-type]
    return "accepted"


for _verb in (
    "delete-versions-5000-digits",
    "delete-versions-range-5000-digits",
    "delete-versions-huge-int",
    "delete-versions-float",
    "version-id-5000-digits",
    "definition-surrogate",
    "definition-deep",
    "definition-bytes",
    "metadata-surrogate",
    "compatibility-garbage",
    "audit-since-garbage",
):
    CASES.add(
        hostile_argument,
        f"argument-{_verb}",
        expect=("ConfigurationError", "SchemaError", "RegistryError"),
        verb=_verb,
    )

KNOWN: dict[str, str] = {}
CASES.mark_xfail(KNOWN)

test_registry_file = CASES.make_test()
