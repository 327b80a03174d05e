"""The import rules of the architecture, checked by parsing every module with ``ast``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "glue_serde"

BASE = {"enums", "_typing", "errors", "schema", "_version"}

_INTEGRATION_DEPS = {"wire", "compression", "codecs", "registry", "serde", "naming"}

# module (dotted, relative to glue_serde) -> package-internal prefixes it may import.
ALLOWED: dict[str, set[str]] = {
    "enums": set(),
    "_typing": set(),
    "_version": set(),
    "errors": BASE,
    "schema": BASE,
    "compression": BASE,
    "wire": BASE | {"compression"},
    "naming": BASE,
    "codecs": BASE | {"codecs"},
    "compat": BASE | {"codecs", "compat"},
    "registry": BASE | {"registry"},
    "registry.local": BASE | {"registry", "compat"},
    "serde": BASE | {"wire", "compression", "codecs", "registry", "naming"},
    "integrations": BASE | {"wire", "compression", "codecs", "registry", "serde", "naming"},
    # The KPL format is shared by the Kinesis and Lambda integrations, which never import
    # each other; it lives in one private module both may use.
    "integrations.kinesis": BASE | _INTEGRATION_DEPS | {"integrations._kpl"},
    "integrations.aws_lambda": BASE | _INTEGRATION_DEPS | {"integrations._kpl"},
    # The Spark integration is a package of its own: its modules import each other only.
    "integrations.spark": BASE | _INTEGRATION_DEPS | {"integrations.spark"},
    "cli": {"*"},
    "__main__": {"*"},
    "__init__": {"*"},
}

FOREIGN_ONLY_IN = {
    "boto3": {"registry.glue"},
    "botocore": {"registry.glue"},
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _rule_for(module: str) -> set[str]:
    candidates = [m for m in ALLOWED if module == m or module.startswith(m + ".")]
    assert candidates, f"no layering rule covers glue_serde.{module}; add one"
    return ALLOWED[max(candidates, key=len)]


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: use absolute imports")
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p) or "__init__")
def test_module_imports_follow_the_layering_rules(path: Path) -> None:
    module = _module_name(path) or "__init__"
    allowed = _rule_for(module)
    for name, line in _imports(path):
        top = name.split(".")[0]
        if top == "glue_serde" and "*" not in allowed:
            inner = name.removeprefix("glue_serde").lstrip(".")
            assert inner, f"{path}:{line}: import a module, not the package root"
            assert any(inner == a or inner.startswith(a + ".") for a in allowed), (
                f"glue_serde.{module} may not import glue_serde.{inner} (line {line})"
            )
        if top in FOREIGN_ONLY_IN:
            assert module in FOREIGN_ONLY_IN[top], f"glue_serde.{module} imports {name}"


def test_import_glue_serde_stays_light() -> None:
    heavy = [
        "fastavro",
        "boto3",
        "botocore",
        "google.protobuf",
        "jsonschema",
        "avro",
        "grpc_tools",
        "confluent_kafka",
        "kafka",
        "zstandard",
        "orjson",
    ]
    code = f"import sys, glue_serde\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert out.stdout.strip() == ""


def test_a_consumer_on_the_embedded_registry_loads_no_registration_machinery() -> None:
    """A Lambda consumer's cold start: no OpenSSL (hashlib), socket or getpass."""
    code = (
        "import sys\n"
        "from glue_serde import LocalSchemaRegistry\n"
        "from glue_serde.serde import Deserializer\n"
        "Deserializer(LocalSchemaRegistry())\n"
        "print(','.join(m for m in ('hashlib', 'socket', 'getpass') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert out.stdout.strip() == ""


def test_the_socket_guard_refuses_non_loopback_addresses() -> None:
    import socket

    with socket.socket() as s, pytest.raises(RuntimeError, match="loopback"):
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed
