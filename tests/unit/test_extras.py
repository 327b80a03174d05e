"""Without an optional extra, the first use says which one to install (no raw ImportError).

Each case runs in a fresh interpreter whose import system refuses the extra's modules (a
``sys.meta_path`` finder raising ``ModuleNotFoundError``, as a machine without them would), then
does what a user would do first, and reports the exception's type and message.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_RUNNER = textwrap.dedent(
    """
    import importlib.abc, json, sys
    HIDDEN = set(sys.argv[1].split(","))

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in HIDDEN or name in HIDDEN:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    try:
        exec(sys.argv[2])
    except BaseException as exc:
        print(json.dumps({"type": type(exc).__module__ + "." + type(exc).__name__,
                          "message": str(exc)}))
    else:
        print(json.dumps({"type": None, "message": ""}))
    """
)


def _first_use(hidden: str, code: str) -> dict[str, str | None]:
    """Run ``code`` with ``hidden`` modules refused; its outcome, plus what it wrote to stderr."""
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER, hidden, textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome: dict[str, str | None] = json.loads(result.stdout.strip().splitlines()[-1])
    outcome["stderr"] = result.stderr
    return outcome


CONFIG_ERROR = "glue_serde.errors.ConfigurationError"

MISSING_EXTRA = {
    "glue: building the registry": (
        "boto3,botocore",
        "from glue_serde import GlueSchemaRegistry\n"
        "GlueSchemaRegistry(registry_name='payments', region_name='eu-west-1')",
        "pip install 'glue-serde[glue]'",
    ),
    "glue: botocore alone missing, with a client given": (
        "botocore",
        "from glue_serde.registry.glue import GlueSchemaRegistry\nGlueSchemaRegistry(object())",
        "pip install 'glue-serde[glue]'",
    ),
    "json: a JSON Schema serializer": (
        "jsonschema",
        "from glue_serde import DataFormat, InMemorySchemaRegistry, Serializer\n"
        "Serializer(InMemorySchemaRegistry(), data_format=DataFormat.JSON,\n"
        "           schema={'type': 'object'}, schema_name='s')",
        "pip install 'glue-serde[json]'",
    ),
    "json: a JSON compatibility check": (
        "jsonschema",
        "from glue_serde import Compatibility, DataFormat, check_compatibility\n"
        "check_compatibility(DataFormat.JSON, '{}', ['{}'], Compatibility.BACKWARD)",
        "pip install 'glue-serde[json]'",
    ),
    "protobuf: a Protobuf serializer": (
        "google",
        "from glue_serde import DataFormat, InMemorySchemaRegistry, Serializer\n"
        "Serializer(InMemorySchemaRegistry(), data_format=DataFormat.PROTOBUF,\n"
        "           schema='syntax = \"proto3\"; message M { int32 a = 1; }', schema_name='s')",
        "pip install 'glue-serde[protobuf]'",
    ),
    "protobuf: .proto text without grpcio-tools": (
        "grpc_tools",
        "from glue_serde import DataFormat, InMemorySchemaRegistry, Serializer\n"
        "Serializer(InMemorySchemaRegistry(), data_format=DataFormat.PROTOBUF,\n"
        "           schema='syntax = \"proto3\"; message M { int32 a = 1; }', schema_name='s')",
        "pip install 'glue-serde[protobuf]'",
    ),
    "protobuf: a Protobuf compatibility check": (
        "google",
        "from glue_serde import Compatibility, DataFormat, check_compatibility\n"
        "p = 'syntax = \"proto3\"; message M { int32 a = 1; }'\n"
        "check_compatibility(DataFormat.PROTOBUF, p, [p], Compatibility.BACKWARD)",
        "pip install 'glue-serde[protobuf]'",
    ),
    "kafka-python adapters": (
        "kafka",
        "from glue_serde import DataFormat, InMemorySchemaRegistry\n"
        "from glue_serde.integrations.kafka import KafkaSerializer, kafka_python_serializer\n"
        "s = KafkaSerializer(InMemorySchemaRegistry(), data_format=DataFormat.AVRO,\n"
        "                    schema='\"string\"')\n"
        "kafka_python_serializer(s)",
        "pip install kafka-python",
    ),
}


@pytest.mark.parametrize("case", sorted(MISSING_EXTRA))
def test_a_missing_extra_is_a_configuration_error_naming_the_install_command(case: str) -> None:
    hidden, code, hint = MISSING_EXTRA[case]
    outcome = _first_use(hidden, code)
    assert outcome["type"] == CONFIG_ERROR, outcome
    assert hint in str(outcome["message"])


def test_the_cli_names_the_glue_extra_instead_of_a_traceback(tmp_path: Path) -> None:
    schema = tmp_path / "user.avsc"
    schema.write_text('"string"', encoding="utf-8")
    code = (
        "from glue_serde.cli import main\n"
        f"code = main(['register', {str(schema)!r}, '--schema', 's', '--registry', 'glue://r',"
        " '--region', 'eu-west-1'])\n"
        "raise SystemExit(code)"
    )
    outcome = _first_use("boto3,botocore", code)
    assert outcome["type"] == "builtins.SystemExit", outcome
    assert outcome["message"] != "0"
    assert outcome["message"] == "2"  # a missing extra is a configuration error
    assert "pip install 'glue-serde[glue]'" in str(outcome["stderr"])
    assert "Traceback" not in str(outcome["stderr"])


@pytest.mark.parametrize(
    ("hidden", "code"),
    [
        # json-fast is a speed-up: without it JSON still works (jsonschema validates).
        (
            "fastjsonschema,orjson",
            "from glue_serde import DataFormat, Deserializer, InMemorySchemaRegistry, Serializer\n"
            "r = InMemorySchemaRegistry()\n"
            "s = Serializer(r, data_format=DataFormat.JSON, schema={'type': 'object'},\n"
            "               schema_name='s', auto_register=True)\n"
            "assert Deserializer(r).deserialize(s.serialize({'a': 1})) == {'a': 1}",
        ),
        # The kafka extra (confluent-kafka) is never imported: the adapters take any client.
        (
            "confluent_kafka",
            "from glue_serde import DataFormat, InMemorySchemaRegistry\n"
            "from glue_serde.integrations.kafka import KafkaDeserializer, KafkaSerializer\n"
            "r = InMemorySchemaRegistry()\n"
            "s = KafkaSerializer(r, data_format=DataFormat.AVRO, schema='\"string\"',\n"
            "                    auto_register=True)\n"
            "class Ctx: topic = 't'; field = 'value'\n"
            "assert KafkaDeserializer(r)(s('x', Ctx()), Ctx()) == 'x'",
        ),
        # Nothing optional is needed to import the package or to use Avro.
        (
            "boto3,botocore,jsonschema,fastjsonschema,orjson,google,grpc_tools,confluent_kafka,"
            "kafka",
            "from glue_serde import DataFormat, Deserializer, InMemorySchemaRegistry, Serializer\n"
            "r = InMemorySchemaRegistry()\n"
            "s = Serializer(r, data_format=DataFormat.AVRO, schema='\"string\"', schema_name='s',\n"
            "               auto_register=True)\n"
            "assert Deserializer(r).deserialize(s.serialize('x')) == 'x'",
        ),
    ],
    ids=["json-fast", "kafka", "no-extras-at-all"],
)
def test_what_needs_no_extra_works_without_it(hidden: str, code: str) -> None:
    outcome = _first_use(hidden, code)
    assert outcome["type"] is None, outcome
