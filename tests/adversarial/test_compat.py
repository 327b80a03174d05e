"""Hostile schemas through the compatibility check that every registration runs.

Recursive, mutually recursive, deeply nested and self-referencing schemas (Avro, JSON Schema,
Protobuf) registered as a second version: the embedded registry answers with a version, an
``IncompatibleSchemaError`` or a ``SchemaError``; never a foreign exception, a crash or a hang.
"""

from __future__ import annotations

import json

import pytest

from tests.adversarial._harness import OK, CaseSet

pytestmark = pytest.mark.adversarial

CASES = CaseSet(__name__)
ANSWER = (OK, "IncompatibleSchemaError", "SchemaError")


def _nested_records(depth: int, extra: bool) -> str:
    text = '"int"'
    for i in range(depth):
        tail = (
            ',{"name":"y","type":["null","int"],"default":null}' if extra and i == depth - 1 else ""
        )
        text = f'{{"type":"record","name":"N{i}","fields":[{{"name":"x","type":{text}}}{tail}]}}'
    return text


def _nested_arrays(depth: int) -> str:
    return '{"type":"array","items":' * depth + '"int"' + "}" * depth


def _json_items(depth: int) -> str:
    return '{"items":' * depth + '{"type":"integer"}' + "}" * depth


def _proto_nested(depth: int) -> str:
    body = "int32 v = 1;"
    for i in range(depth):
        body = f"message M{i} {{ {body} }} M{i} f{i} = {i + 2};"
    return 'syntax = "proto3";\nmessage Root { ' + body + " }\n"


_LIST = {"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]}
_LIST2 = {
    "type": "record",
    "name": "L",
    "fields": [
        {"name": "next", "type": ["null", "L"]},
        {"name": "x", "type": ["null", "int"], "default": None},
    ],
}
_MUTUAL = {
    "type": "record",
    "name": "A",
    "fields": [
        {
            "name": "b",
            "type": {
                "type": "record",
                "name": "B",
                "fields": [{"name": "a", "type": ["null", "A"]}],
            },
        }
    ],
}
_INFINITE = {"type": "record", "name": "Inf", "fields": [{"name": "a", "type": "Inf"}]}
_JSON_REC = {
    "definitions": {"n": {"type": "object", "properties": {"next": {"$ref": "#/definitions/n"}}}},
    "$ref": "#/definitions/n",
}
_JSON_CYCLE = (
    '{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},'
    '"$ref":"#/definitions/a"}'
)
_PROTO_REC = 'syntax = "proto3";\nmessage N { N next = 1; repeated N kids = 2; }\n'
_PROTO_REC2 = 'syntax = "proto3";\nmessage N { N next = 1; repeated N kids = 2; int32 x = 3; }\n'

#: case id -> (format, first definition, second definition)
PAIRS: dict[str, tuple[str, str, str]] = {
    "avro-recursive": ("AVRO", json.dumps(_LIST), json.dumps(_LIST2)),
    "avro-mutually-recursive": ("AVRO", json.dumps(_MUTUAL), json.dumps(_MUTUAL) + " "),
    "avro-no-base-case": ("AVRO", json.dumps(_INFINITE), json.dumps(_LIST)),
    "avro-nested-records-300": ("AVRO", _nested_records(300, False), _nested_records(300, True)),
    "avro-nested-records-2000": ("AVRO", _nested_records(2000, False), _nested_records(2000, True)),
    "avro-nested-arrays-2000": ("AVRO", _nested_arrays(2000), _nested_arrays(1999)),
    "json-recursive-ref": (
        "JSON",
        json.dumps(_JSON_REC),
        json.dumps({**_JSON_REC, "type": "object"}),
    ),
    "json-self-ref": ("JSON", '{"type":"object"}', '{"$ref":"#"}'),
    "json-ref-cycle": ("JSON", '{"type":"object"}', _JSON_CYCLE),
    "json-nested-900": ("JSON", _json_items(900), _json_items(899)),
    "json-nested-5000": ("JSON", _json_items(5000), _json_items(4999)),
    "protobuf-recursive": ("PROTOBUF", _PROTO_REC, _PROTO_REC2),
    "protobuf-nested-60": ("PROTOBUF", _proto_nested(2), _proto_nested(60)),
}


def register_pair(key: str, mode: str) -> str:
    from glue_serde import DataFormat, LocalSchemaRegistry

    fmt, first, second = PAIRS[key]
    with LocalSchemaRegistry() as reg:
        try:
            reg.create_schema("s", first, DataFormat(fmt), compatibility=mode)  # type: ignore[arg-type]
        except Exception as exc:
            from glue_serde import SchemaError

            if isinstance(exc, SchemaError):  # refused at creation: the second never runs
                return "first version refused"
            raise
        reg.register_schema_version("s", second, DataFormat(fmt))
    return "registered"


for _key in PAIRS:
    for _mode in ("BACKWARD", "FULL_ALL"):
        CASES.add(register_pair, f"{_key}-{_mode.lower()}", expect=ANSWER, key=_key, mode=_mode)

test_compat = CASES.make_test()
