"""Opening a registry file: read-only files and volumes, missing files, another process's lock.

The read-only cases are tested on real read-only files, as a user meets them, in a subprocess:

- a file and a directory without write permission: the tests run as root in CI, and root
  ignores permissions, so the reader runs as ``nobody`` through ``setpriv`` (util-linux); a
  non-root run needs no switch;
- a read-only file system: a read-only bind mount in a private mount namespace
  (``unshare --mount``, or ``unshare --map-root-user --mount`` without root), which binds root
  too, as a Lambda package or a read-only volume does.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from glue_serde.enums import Compatibility, DataFormat
from glue_serde.errors import (
    ConfigurationError,
    RegistryAccessDeniedError,
    RegistryUnavailableError,
)
from glue_serde.registry.local import LocalSchemaRegistry

ROOT = Path(__file__).resolve().parents[3]
AVRO = DataFormat.AVRO
V1 = '{"type":"record","name":"P","fields":[{"name":"id","type":"string"}]}'
V2 = (
    '{"type":"record","name":"P","fields":[{"name":"id","type":"string"},'
    '{"name":"memo","type":"string","default":""}]}'
)
WRITES = (
    "create_schema",
    "register_schema_version",
    "put_schema_version_metadata",
    "update_compatibility",
    "delete_schema",
    "delete_schema_versions",
    "create_registry",
)

# Run by the reader process: open, read everything, try every write; print what happened.
READER = f"""
import json, sys, uuid
from glue_serde.errors import GlueSerdeError
from glue_serde.registry.local import LocalSchemaRegistry

path, vid, mode = sys.argv[1], uuid.UUID(sys.argv[2]), sys.argv[3]
read_only = {{"auto": None, "ro": True, "rw": False}}[mode]
V1, V2 = {V1!r}, {V2!r}
try:
    registry = LocalSchemaRegistry(path, read_only=read_only, identity="reader@test")
except GlueSerdeError as exc:
    print(json.dumps({{"open": [type(exc).__name__, str(exc)]}}))
    raise SystemExit(0)
out = {{
    "repr": repr(registry),
    "read_only": registry.read_only,
    "definition": registry.get_schema_version(vid).schema_definition,
    "schemas": [s.schema_name for s in registry.list_schemas()],
    "metadata": {{k: list(v) for k, v in registry.get_schema_version_metadata(vid).items()}},
    "events": len(registry.audit_events()),
    "found": str(registry.find_schema_version("s", V1, "AVRO").schema_version_id),
    # Registering a definition the registry holds writes nothing: it answers.
    "again": str(registry.register_schema_version("s", V1, "AVRO").schema_version_id),
}}
writes = {{
    "create_schema": lambda: registry.create_schema("t", V1, "AVRO"),
    "register_schema_version": lambda: registry.register_schema_version("s", V2, "AVRO"),
    "put_schema_version_metadata": lambda: registry.put_schema_version_metadata(vid, "k", "v"),
    "update_compatibility": lambda: registry.update_compatibility("s", "NONE"),
    "delete_schema": lambda: registry.delete_schema("s"),
    "delete_schema_versions": lambda: registry.delete_schema_versions("s", "2"),
    "create_registry": lambda: registry.create_registry("other"),
}}
out["writes"] = {{}}
for name, call in writes.items():
    try:
        call()
        out["writes"][name] = None
    except GlueSerdeError as exc:
        out["writes"][name] = [type(exc).__name__, exc.operation, exc.retryable, str(exc)]
registry.close()
print(json.dumps(out))
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory another user can enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="glue-serde-access-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for p in (path, *path.rglob("*")):
            if not p.is_symlink():
                p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(path)


def _populate(path: Path) -> uuid.UUID:
    with LocalSchemaRegistry(path, identity="writer@test") as registry:
        v1 = registry.create_schema("s", V1, AVRO, compatibility=Compatibility.NONE)
        registry.put_schema_version_metadata(v1.schema_version_id, "owner", "payments")
    return v1.schema_version_id


@functools.cache
def _drop_privileges() -> tuple[str, ...]:
    """The ``setpriv`` prefix that runs this interpreter without root's file-access rights.

    As ``nobody`` when that user can start this interpreter; otherwise (an interpreter whose
    shared library lives in root's private home) as root with every capability dropped, for
    which the permission bits of root's own files and directories apply just the same.
    """
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root: setpriv (util-linux) is needed to drop privileges"
    nobody = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
    probe = subprocess.run(
        [*nobody, sys.executable, "-c", "pass"], capture_output=True, check=False
    )
    if probe.returncode == 0:
        return nobody
    return (setpriv, "--bounding-set=-all", "--inh-caps=-all")


def _as_unprivileged(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return [*_drop_privileges(), *argv]


def _read(path: Path, vid: uuid.UUID, mode: str) -> dict:
    argv = [sys.executable, "-c", READER, str(path), str(vid), mode]
    result = subprocess.run(
        _as_unprivileged(argv),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out: dict = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in directory.iterdir()}


def _assert_reads_and_refused_writes(out: dict, vid: uuid.UUID, reason: str) -> None:
    assert "open" not in out, out
    assert out["read_only"] is True
    assert "read_only=True" in out["repr"]
    assert out["definition"] == V1
    assert out["schemas"] == ["s"]
    assert out["metadata"] == {"owner": ["payments"]}
    assert out["events"] == 2
    assert out["found"] == out["again"] == str(vid)
    assert set(out["writes"]) == set(WRITES)
    for name, refusal in out["writes"].items():
        assert refusal is not None, f"{name} was not refused"
        kind, operation, retryable, message = refusal
        assert kind == "RegistryAccessDeniedError", (name, message)
        assert retryable is False
        assert operation and operation in message
        assert "read-only" in message
        assert reason in message


def test_a_file_without_write_permission_is_opened_read_only(shared_dir: Path) -> None:
    directory = shared_dir / "registry"
    directory.mkdir()
    directory.chmod(0o777)  # SQLite may create its -shm next to the file
    path = directory / "schemas.sqlite"
    vid = _populate(path)
    path.chmod(0o444)
    before = path.read_bytes()
    out = _read(path, vid, "auto")
    _assert_reads_and_refused_writes(out, vid, "the file is not writable")
    assert path.read_bytes() == before


def test_a_directory_without_write_permission_is_read_as_a_snapshot(shared_dir: Path) -> None:
    directory = shared_dir / "snapshot"
    directory.mkdir()
    path = directory / "schemas.sqlite"
    vid = _populate(path)
    path.chmod(0o444)  # nobody may write it: reading it as an immutable snapshot is safe
    directory.chmod(0o555)
    before = _snapshot(directory)
    out = _read(path, vid, "auto")
    _assert_reads_and_refused_writes(out, vid, "is not writable")
    assert _snapshot(directory) == before  # no -wal, no -shm, nothing touched


def test_a_snapshot_that_may_still_change_is_refused_with_the_fix(shared_dir: Path) -> None:
    directory = shared_dir / "shared"
    directory.mkdir()
    path = directory / "schemas.sqlite"
    vid = _populate(path)
    path.chmod(0o644)  # its owner may write it: an immutable read could see a torn file
    directory.chmod(0o555)
    out = _read(path, vid, "auto")
    kind, message = out["open"]
    assert kind == "RegistryAccessDeniedError"
    assert "-shm" in message and "chmod a-w" in message


def test_read_only_false_on_a_file_that_is_not_writable_is_access_denied(
    shared_dir: Path,
) -> None:
    path = shared_dir / "schemas.sqlite"
    vid = _populate(path)
    path.chmod(0o444)
    kind, message = _read(path, vid, "rw")["open"]
    assert kind == "RegistryAccessDeniedError"
    assert "read_only=True" in message


def test_a_new_file_in_a_directory_without_write_permission_is_access_denied(
    shared_dir: Path,
) -> None:
    directory = shared_dir / "locked"
    directory.mkdir()
    directory.chmod(0o555)
    code = (
        "import sys\n"
        "from glue_serde.errors import RegistryAccessDeniedError\n"
        "from glue_serde.registry.local import LocalSchemaRegistry\n"
        "try:\n"
        "    LocalSchemaRegistry(sys.argv[1])\n"
        "except RegistryAccessDeniedError as exc:\n"
        "    print(exc)\n"
    )
    target = directory / "new.sqlite"
    result = subprocess.run(
        _as_unprivileged([sys.executable, "-c", code, str(target)]),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"cannot create registry file {target}" in result.stdout
    assert "is not writable" in result.stdout
    assert list(directory.iterdir()) == []


def _mount_namespace_wrapper() -> list[str] | None:
    """``unshare`` arguments that give a private mount namespace, or None on this machine."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return None
    for flags in (["--mount"], ["--map-root-user", "--mount"]):
        probe = subprocess.run([unshare, *flags, "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [unshare, *flags]
    return None


def test_a_registry_on_a_read_only_file_system_is_read_as_a_snapshot(shared_dir: Path) -> None:
    wrapper = _mount_namespace_wrapper()
    if wrapper is None:  # pragma: no cover - depends on the machine's namespaces
        pytest.skip("no private mount namespace here; the permission tests cover the logic")
    source = shared_dir / "volume"
    source.mkdir()
    path = source / "schemas.sqlite"
    vid = _populate(path)  # mode 0644, directory writable: only the mount is read-only
    mount = shared_dir / "mnt"
    mount.mkdir()
    script = (
        f"mount --bind {source} {mount} && mount -o remount,bind,ro {mount} && "
        f'exec {sys.executable} -c "$READER" {mount / path.name} {vid} auto'
    )
    result = subprocess.run(
        [*wrapper, "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "READER": READER},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    _assert_reads_and_refused_writes(out, vid, "is not writable")
    assert sorted(p.name for p in source.iterdir()) == ["schemas.sqlite"]


def test_explicit_read_only_refuses_writes_and_leaves_the_file_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "schemas.sqlite"
    vid = _populate(path)
    before = path.read_bytes()
    with LocalSchemaRegistry(path, read_only=True) as registry:
        assert registry.read_only is True
        assert registry.get_schema_version(vid).schema_definition == V1
        with pytest.raises(RegistryAccessDeniedError, match="read_only=True") as info:
            registry.register_schema_version("s", V2, AVRO)
        assert info.value.operation == "RegisterSchemaVersion"
        assert info.value.aws_error_code == "AccessDeniedException"
        # A writer elsewhere is seen by the reader (WAL): read-only is not a stale copy.
        with LocalSchemaRegistry(path) as writer:
            v2 = writer.register_schema_version("s", V2, AVRO)
        assert registry.get_schema_version(v2.schema_version_id).version_number == 2
    assert len(path.read_bytes()) >= len(before)


def test_a_read_only_registry_in_a_writable_directory_leaves_no_index_files(
    tmp_path: Path,
) -> None:
    # SQLite's -wal/-shm files are created by any reader of a WAL file and removed by the
    # last connection to close, if it may write: a read-only open must not leave them behind.
    path = tmp_path / "schemas.sqlite"
    vid = _populate(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schemas.sqlite"]
    before = path.read_bytes()
    with LocalSchemaRegistry(path, read_only=True) as registry:
        assert registry.get_schema_version(vid).schema_definition == V1
        list(registry.audit_events())
        with pytest.raises(RegistryAccessDeniedError):
            registry.create_schema("t", V1, AVRO)
        # The connection itself refuses writes too, whatever a verb would do.
        conn = registry._storage._conn
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM schema_versions")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schemas.sqlite"]
    assert path.read_bytes() == before


@pytest.mark.parametrize("kwargs", [{"read_only": True}, {"create": False}])
def test_a_missing_file_is_not_created_when_asked_not_to(
    tmp_path: Path, kwargs: dict[str, bool]
) -> None:
    path = tmp_path / "typo.sqlite"
    with pytest.raises(ConfigurationError, match="does not exist"):
        LocalSchemaRegistry(path, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_create_false_opens_an_existing_file_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "schemas.sqlite"
    _populate(path)
    with LocalSchemaRegistry(path, create=False) as registry:
        assert registry.read_only is False
        assert registry.register_schema_version("s", V2, AVRO).version_number == 2


@pytest.mark.parametrize(
    "kwargs",
    [{"read_only": True}, {"read_only": "yes"}, {"create": None}, {"create": 1}],
    ids=["memory read-only", "read_only str", "create None", "create int"],
)
def test_read_only_and_create_arguments_are_checked(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        LocalSchemaRegistry(**kwargs)  # type: ignore[arg-type]


def test_a_read_only_file_of_another_layout_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    empty.write_bytes(b"")
    with pytest.raises(ConfigurationError, match="cannot be migrated"):
        LocalSchemaRegistry(empty, read_only=True)
    newer = tmp_path / "newer.sqlite"
    _populate(newer)
    conn = sqlite3.connect(newer)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(ConfigurationError, match="upgrade"):
        LocalSchemaRegistry(newer, read_only=True)


# ---------------------------------------------------------------------------------------------
# Another process holds the write lock

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('holder', 'x')")
print("locked", flush=True)
sys.stdin.read()  # until the test closes stdin
conn.execute("ROLLBACK")
"""


def test_opening_while_another_process_writes_does_not_wait_for_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "schemas.sqlite"
    vid = _populate(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        # busy_timeout=0: any wait for the lock would fail at once. Opening only reads.
        with LocalSchemaRegistry(path, busy_timeout=0) as registry:
            assert registry.read_only is False
            assert registry.get_schema_version(vid).schema_definition == V1
            assert [s.schema_name for s in registry.list_schemas()] == ["s"]
            with pytest.raises(RegistryUnavailableError) as info:
                registry.register_schema_version("s", V2, AVRO)
            assert info.value.retryable is True
            assert holder.stdin is not None
            holder.stdin.close()
            assert holder.wait(60) == 0
            assert registry.register_schema_version("s", V2, AVRO).version_number == 2
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(60)
        for stream in (holder.stdin, holder.stdout):
            if stream is not None:
                stream.close()


def test_a_new_file_still_needs_the_write_lock_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "schemas.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        blocker.execute("CREATE TABLE other (x)")  # rolled back: the file stays empty
        with pytest.raises(RegistryUnavailableError, match="locked") as info:
            LocalSchemaRegistry(path, busy_timeout=0)
        assert info.value.retryable is True
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with LocalSchemaRegistry(path) as registry:
        assert registry.list_schemas() == []


def test_the_python_blocks_of_the_embedded_registry_doc_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import re

    text = (ROOT / "docs" / "embedded-registry.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "embedded-registry.md", "exec"), {})
    assert capsys.readouterr().out.split() == ["1"]


@pytest.mark.parametrize("read_only", [None, True, False])
def test_a_database_that_is_not_a_registry_is_never_turned_into_one(
    tmp_path: Path, read_only: bool | None
) -> None:
    app = tmp_path / "app.db"
    conn = sqlite3.connect(app)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = app.read_bytes()
    with pytest.raises(ConfigurationError, match=r"app\.db is a SQLite database but not a"):
        LocalSchemaRegistry(app, read_only=read_only)
    assert app.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


@pytest.mark.parametrize(
    "ddl",
    [
        # A generic table name the registry also uses, in the registry's own columns or not.
        [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
            "INSERT INTO meta VALUES ('a', 'b')",
        ],
        ["CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"],
        ["CREATE TABLE meta (k, v)", "INSERT INTO meta VALUES (1, 2)"],
        ["CREATE VIEW answer AS SELECT 42"],
    ],
    ids=["meta-with-rows", "meta-empty", "meta-other-columns", "view-only"],
)
@pytest.mark.parametrize("read_only", [None, True, False])
def test_a_database_holding_only_a_meta_table_or_a_view_is_not_a_registry(
    tmp_path: Path, ddl: list[str], read_only: bool | None
) -> None:
    app = tmp_path / "app.db"
    conn = sqlite3.connect(app)
    for statement in ddl:
        conn.execute(statement)
    conn.commit()
    conn.close()
    before = app.read_bytes()
    with pytest.raises(ConfigurationError, match=r"app\.db is a SQLite database but not a"):
        LocalSchemaRegistry(app, read_only=read_only)
    assert app.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


def test_a_new_file_whose_write_lock_is_held_waits_for_it_instead_of_failing(
    tmp_path: Path,
) -> None:
    # Several processes creating one registry at once: switching the new file to WAL mode
    # finds another connection's write lock, and SQLite answers "locked" without waiting.
    path = tmp_path / "schemas.sqlite"
    path.write_bytes(b"")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with LocalSchemaRegistry(path, busy_timeout=10) as registry:
            registry.create_schema("s", '"int"', DataFormat.AVRO)
    finally:
        release.join()
        other.close()
    # The wait is bounded by busy_timeout: a lock never released is a retryable error.
    held = tmp_path / "held.sqlite"
    held.write_bytes(b"")
    other = sqlite3.connect(held, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(RegistryUnavailableError, match="locked") as info:
            LocalSchemaRegistry(held, busy_timeout=0.2)
        assert info.value.retryable
    finally:
        other.execute("COMMIT")
        other.close()


def test_an_empty_file_becomes_a_registry(tmp_path: Path) -> None:
    empty = tmp_path / "schemas.sqlite"
    empty.write_bytes(b"")
    with LocalSchemaRegistry(empty) as registry:
        registry.create_schema("s", '"int"', DataFormat.AVRO)
    with LocalSchemaRegistry(empty, read_only=True) as registry:
        assert registry.get_latest_schema_version("s").version_number == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"hello, not a database\n" * 50, "not a SQLite database, so not a registry file"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, "damaged"),
    ],
    ids=["text", "damaged-sqlite"],
)
def test_a_file_that_does_not_open_says_whether_it_is_sqlite(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "schemas.sqlite"
    path.write_bytes(content)
    with pytest.raises(RegistryUnavailableError, match=expected) as info:
        LocalSchemaRegistry(path)
    assert not info.value.retryable
    assert path.read_bytes() == content


def test_a_directory_is_named_as_one(tmp_path: Path) -> None:
    with pytest.raises(RegistryUnavailableError, match="it is a directory"):
        LocalSchemaRegistry(tmp_path)


def test_a_registry_that_lost_its_layout_row_is_damaged_not_foreign(tmp_path: Path) -> None:
    path = tmp_path / "schemas.sqlite"
    with LocalSchemaRegistry(path) as registry:
        registry.create_schema("s", '"int"', DataFormat.AVRO)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM meta")
    conn.commit()
    conn.close()
    with pytest.raises(RegistryUnavailableError, match="is damaged") as info:
        LocalSchemaRegistry(path)
    assert not info.value.retryable
    # An application's database with one table of a generic name is still foreign.
    app = tmp_path / "app.db"
    conn = sqlite3.connect(app)
    conn.execute("CREATE TABLE schemas (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(ConfigurationError, match="not a glue_serde registry"):
        LocalSchemaRegistry(app)


def test_refusals_to_read_in_place_are_recognised_without_error_names() -> None:
    # Python 3.10's sqlite3 errors carry no sqlite_errorname: the message decides there.
    from glue_serde.registry._sqlite import _cannot_read_in_place

    for text in ("attempt to write a readonly database", "unable to open database file"):
        error = sqlite3.OperationalError(text)
        assert getattr(error, "sqlite_errorname", None) is None
        assert _cannot_read_in_place(error)
    assert not _cannot_read_in_place(sqlite3.OperationalError("database is locked"))
