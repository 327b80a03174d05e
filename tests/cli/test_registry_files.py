"""Read-only commands never create a registry file; a missing one is a usage error naming it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli._run import V1, glue_serde, write_schema

FRAME_HEX = "0300b7b4a7f09c234b4e8f4e2f1c3d5e6a7006416e6e3e"


def _read_only_commands(schema: str) -> dict[str, list[str]]:
    return {
        "audit": ["audit", "--registry", "{reg}", "--output", "json"],
        "inspect": ["inspect", FRAME_HEX, "--registry", "{reg}", "--output", "json"],
        "check": ["check", schema, "--schema", "s", "--registry", "{reg}", "--output", "json"],
        "set-compatibility": [
            "set-compatibility",
            "FULL",
            "--schema",
            "s",
            "--registry",
            "{reg}",
            "--output",
            "json",
        ],
    }


@pytest.mark.parametrize("command", ["audit", "inspect", "check", "set-compatibility"])
def test_a_missing_registry_file_is_a_usage_error_and_nothing_is_created(
    tmp_path: Path, command: str
) -> None:
    schema = write_schema(tmp_path / "new.avsc", V1)
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [a.replace("{reg}", "typo.sqlite") for a in _read_only_commands(schema)[command]]
    run = glue_serde(*argv, cwd=tmp_path)
    assert run.code == 2
    assert "typo.sqlite" in run.err and "does not exist" in run.err
    assert run.err.startswith(f"usage: glue-serde {command} ")
    answer = run.json()
    assert answer["exit_code"] == 2 and answer["command"] == command
    assert answer["error"]["type"] == "UsageError"
    assert "typo.sqlite" in answer["error"]["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file, no -wal, no -shm


def test_audit_of_a_typo_prints_no_empty_table(tmp_path: Path) -> None:
    run = glue_serde("audit", "--registry", "typo.sqlite", cwd=tmp_path, script=True)
    assert run.code == 2
    assert run.out == ""
    assert not (tmp_path / "typo.sqlite").exists()


@pytest.mark.parametrize(
    ("spec", "message"),
    [(".", "is a directory"), (":memory:", "empty in-memory registry"), ("", "is empty")],
)
def test_a_registry_that_cannot_hold_anything_is_refused(
    tmp_path: Path, spec: str, message: str
) -> None:
    run = glue_serde("audit", "--registry", spec, cwd=tmp_path)
    assert run.code == 2
    assert message in run.err


def test_a_file_that_is_not_a_registry_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"not a database, not at all" * 100)
    run = glue_serde("audit", "--registry", "notes.txt", "--output", "json", cwd=tmp_path)
    assert run.code == 2
    assert run.json()["error"]["type"] == "RegistryUnavailableError"
    assert (tmp_path / "notes.txt").read_bytes() == b"not a database, not at all" * 100


@pytest.mark.parametrize("command", ["register", "check", "audit", "set-compatibility"])
def test_a_file_that_is_not_sqlite_is_named_as_such_not_as_damaged(
    tmp_path: Path, command: str
) -> None:
    # A user points --registry at the schema file (or any file that is not a registry).
    schema = write_schema(tmp_path / "v1.avsc", V1)
    original = (tmp_path / "v1.avsc").read_bytes()
    argv = {
        **_read_only_commands(schema),
        "register": ["register", schema, "--schema", "s", "--registry", "{reg}"],
    }[command]
    run = glue_serde(*[a.replace("{reg}", "v1.avsc") for a in argv], cwd=tmp_path)
    assert run.code == 2, run.err
    assert "v1.avsc" in run.err and "not a SQLite database" in run.err
    assert "check the path" in run.err and "damaged" not in run.err
    assert (tmp_path / "v1.avsc").read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1.avsc"]


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
@pytest.mark.parametrize("command", ["register", "check", "audit"])
def test_another_applications_database_is_refused_and_left_unchanged(
    tmp_path: Path, command: str, journal_mode: str
) -> None:
    # A typo in --registry names an application's SQLite database: registry tables must not
    # be added to it, and nothing in it may change (not even its journal mode).
    app = tmp_path / "app.db"
    conn = sqlite3.connect(app)
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total TEXT)")
    conn.execute("INSERT INTO orders (total) VALUES ('12.50')")
    conn.commit()
    conn.close()
    before = app.read_bytes()
    schema = write_schema(tmp_path / "v1.avsc", V1)
    argv = {
        "register": ["register", schema, "--schema", "s", "--registry", "app.db"],
        "check": ["check", schema, "--schema", "s", "--registry", "app.db"],
        "audit": ["audit", "--registry", "app.db"],
    }[command]
    run = glue_serde(*argv, "--output", "json", cwd=tmp_path)
    assert run.code == 2, run.err
    error = run.json()["error"]
    assert error["type"] == "ConfigurationError"
    assert "not a glue_serde registry" in error["message"] and "orders" in error["message"]
    assert app.read_bytes() == before
    conn = sqlite3.connect(app)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert tables == ["orders"]


def test_register_creates_the_registry_file_it_names(tmp_path: Path) -> None:
    schema = write_schema(tmp_path / "v1.avsc", V1)
    run = glue_serde("register", schema, "--schema", "s", "--registry", "new.sqlite", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "created as s version 1" in run.out
    assert (tmp_path / "new.sqlite").is_file()
    # ... which the read-only commands then read.
    audit = glue_serde("audit", "--registry", "new.sqlite", "--output", "json", cwd=tmp_path)
    assert audit.code == 0
    assert audit.json()["event_name"] == "CreateSchema"


def test_read_only_commands_open_the_registry_read_only_and_leave_it_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process, to see how each command opens the file; the file itself is the witness too.
    from glue_serde.cli import main
    from glue_serde.registry import local

    schema = write_schema(tmp_path / "v1.avsc", V1)
    assert glue_serde("register", schema, "--schema", "s", "--registry", "r.sqlite", cwd=tmp_path)
    registry_file = tmp_path / "r.sqlite"
    opened: list[dict[str, object]] = []
    instances: list[local.LocalSchemaRegistry] = []
    real = local.LocalSchemaRegistry

    def spy(*args: object, **kwargs: object) -> local.LocalSchemaRegistry:
        opened.append(kwargs)
        instances.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return instances[-1]

    monkeypatch.setattr(local, "LocalSchemaRegistry", spy)
    monkeypatch.chdir(tmp_path)
    before = registry_file.read_bytes()
    for command in ("audit", "inspect", "check"):
        argv = [a.replace("{reg}", "r.sqlite") for a in _read_only_commands(schema)[command]]
        opened.clear()
        main(argv)
        assert [(k.get("read_only"), k.get("create")) for k in opened] == [(True, False)], command
        for registry in instances:  # what the end of the process does
            registry.close()
    assert registry_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.sqlite", "v1.avsc"]
    # A command that writes opens it for writing (and never creates it: set-compatibility).
    opened.clear()
    main([a.replace("{reg}", "r.sqlite") for a in _read_only_commands(schema)["set-compatibility"]])
    assert [(k.get("read_only"), k.get("create")) for k in opened] == [(None, False)]
