"""The import rules of the architecture, checked by parsing every module with ``ast``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "glue_serde"

BASE = {"enums", "_typing", "errors", "schema", "_version"}

_INTEGRATION_DEPS = {"wire", "compression", "codecs", "registry", "serde"}
_LAMBDA = "integrations.aws_lambda"
#: What every Lambda event source module may use of its own package.
_LAMBDA_SHARED = {_LAMBDA + "._events", _LAMBDA + "._policy", _LAMBDA + "._context"}

# module (dotted, relative to glue_serde) -> package-internal prefixes it may import.
ALLOWED: dict[str, set[str]] = {
    "enums": set(),
    "_typing": set(),
    "_version": set(),
    "errors": BASE,
    "schema": BASE,
    "compression": BASE,
    "wire": BASE | {"compression"},
    "codecs": BASE | {"codecs"},
    "compat": BASE | {"codecs", "compat"},
    "registry": BASE | {"registry"},
    # Glue's limits are shared by both backends and depend on nothing else of the registry.
    "registry._limits": BASE,
    # The embedded registry: storage knows tables, not Glue; the audit trail reads its rows;
    # the verbs sit on top and call the compatibility checks.
    "registry._sqlite": BASE,
    "registry._definitions": BASE | {"registry._limits"},
    "registry.audit": BASE | {"registry._sqlite"},
    "registry.local": BASE
    | {
        "registry._base",
        "registry._definitions",
        "registry._limits",
        "registry._sqlite",
        "registry.audit",
        "compat",
    },
    "serde": BASE | {"wire", "compression", "codecs", "registry"},
    "integrations": BASE | _INTEGRATION_DEPS,
    # The KPL format is shared by the Kinesis integration and the Lambda one's Kinesis source,
    # which never import each other; it lives in one private module both may use.
    "integrations.kinesis": BASE | _INTEGRATION_DEPS | {"integrations._kpl"},
    # The Lambda integration is a package: one module per event source, on top of private
    # modules they share (event fields, the on_error policy, the user's function and its
    # context, the ESM record formats). No event source imports another; the package's
    # __init__ re-exports them.
    "integrations.aws_lambda": BASE | _INTEGRATION_DEPS | {"integrations.aws_lambda"},
    "integrations.aws_lambda._events": BASE | _INTEGRATION_DEPS,
    "integrations.aws_lambda._policy": BASE | _INTEGRATION_DEPS | {_LAMBDA + "._events"},
    "integrations.aws_lambda._context": BASE | _INTEGRATION_DEPS | {_LAMBDA + "._policy"},
    "integrations.aws_lambda._esm": BASE | _INTEGRATION_DEPS | {_LAMBDA + "._events"},
    "integrations.aws_lambda.kinesis": BASE
    | _INTEGRATION_DEPS
    | _LAMBDA_SHARED
    | {"integrations._kpl"},
    "integrations.aws_lambda.kafka": BASE
    | _INTEGRATION_DEPS
    | _LAMBDA_SHARED
    | {_LAMBDA + "._esm"},
    "integrations.aws_lambda.firehose": BASE | _INTEGRATION_DEPS | _LAMBDA_SHARED,
    # The Spark integration is a package of its own: its modules import each other only.
    "integrations.spark": BASE | _INTEGRATION_DEPS | {"integrations.spark"},
    "cli": {"*"},
    "__main__": {"*"},
    "__init__": {"*"},
}

FOREIGN_ONLY_IN: dict[str, set[str]] = {
    "boto3": {"registry.glue"},
    "botocore": {"registry.glue"},
    # a test-only dependency (pyproject's `test` extra): the package must not import it
    "avro": set(),
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


@pytest.mark.parametrize("rule", sorted(ALLOWED))
def test_every_rule_names_a_module_that_exists(rule: str) -> None:
    base = PACKAGE.joinpath(*rule.split("."))
    exists = base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()
    assert exists, f"the layering rule for glue_serde.{rule} names no module: remove it"


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


# fastavro's private modules (``fastavro._read``, ``_write``, ``_validation``, ...) change
# between releases: one module probes them and falls back to the public API.
FASTAVRO_PRIVATE_ONLY_IN = "codecs.avro._fastavro"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p) or "__init__")
def test_private_fastavro_modules_are_imported_in_one_module_only(path: Path) -> None:
    module = _module_name(path) or "__init__"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [name for name, _ in _imports(path)]
    # importlib.import_module("fastavro._x") and friends: any string naming a private module.
    names += [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    private = sorted({n for n in names if n.startswith("fastavro._")})
    if module != FASTAVRO_PRIVATE_ONLY_IN:
        assert not private, f"glue_serde.{module} uses fastavro internals: {private}"


def test_without_fastavro_the_avro_codec_says_it_is_a_core_dependency() -> None:
    code = (
        "import sys\n"
        "sys.modules['fastavro'] = None\n"  # import fastavro now raises ImportError
        "from glue_serde.codecs import codec_for\n"
        "from glue_serde.errors import ConfigurationError\n"
        "try:\n"
        "    codec_for('AVRO')\n"
        "except ConfigurationError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert "fastavro" in out.stdout
    assert "reinstall glue-serde" in out.stdout
    assert "[avro]" not in out.stdout


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
