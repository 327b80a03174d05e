"""JSON and Protobuf codecs against the bare library floor, per record, in one run.

Run: ``python -m benchmarks.bench_json_protobuf`` (``--smoke`` for a seconds-long check).

Floors:

- JSON write: ``orjson.dumps`` (or ``json.dumps`` compact) + the compiled validator
  (fastjsonschema) / + the jsonschema validator; JSON read: ``orjson.loads`` / ``json.loads``
  (+ the compiled validator when the codec validates on decode).
- Protobuf: ``SerializeToString`` / ``FromString`` of the upb runtime.

Every codec callable is timed directly (``functools.partial``, no extra Python frame), and
every floor at most one Python function deep, so a ratio measures the codec's own overhead.
The summary at the end prints each codec path against its floor from the same run.

Records are a ~230-byte payment event (JSON; also with 100 line items for one write) and the
same event as a protobuf message.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import sys
import timeit
from importlib import metadata
from typing import TYPE_CHECKING

from glue_serde.codecs.json import JsonCodec
from glue_serde.codecs.protobuf import ProtobufCodec

if TYPE_CHECKING:
    from collections.abc import Callable

SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["id", "amount", "currency", "customer", "items"],
    "properties": {
        "id": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
        "customer": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
            "required": ["name"],
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
                "required": ["sku", "qty"],
            },
        },
        "ts": {"type": "integer"},
        "note": {"type": "string"},
    },
    "additionalProperties": False,
}
RECORD = {
    "id": "pay_0001234567",
    "amount": 129.99,
    "currency": "EUR",
    "customer": {"name": "Sansa Stark", "email": "sansa.stark@winterfell.example.com"},
    "items": [{"sku": "A-100", "qty": 2}, {"sku": "B-200", "qty": 1}],
    "ts": 1700000000123,
    "note": "gift wrap",
}
# The same event with 100 line items (~2.6 KB of JSON).
LARGE_RECORD = dict(RECORD, items=[{"sku": f"A-{i:03d}", "qty": i + 1} for i in range(100)])
PROTO = """syntax = "proto3";
package bench;
message Customer { string name = 1; string email = 2; }
message Item { string sku = 1; int32 qty = 2; }
message Payment {
  string id = 1;
  double amount = 2;
  string currency = 3;
  Customer customer = 4;
  repeated Item items = 5;
  int64 ts = 6;
  string note = 7;
}
"""


def _per_call(fn: Callable[[], object], *, rounds: int, min_time: float) -> float:
    timer = timeit.Timer(fn)
    number = 1
    while timer.timeit(number) < min_time:
        number *= 2
    return min(timer.repeat(repeat=rounds, number=number)) / number


def _versions() -> str:
    names = ["protobuf", "jsonschema", "orjson", "fastjsonschema"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return f"Python {platform.python_version()} ({sys.platform}); " + ", ".join(found)


def run(*, smoke: bool = False) -> list[tuple[str, float]]:
    import jsonschema
    import orjson

    rounds, min_time = (1, 0.001) if smoke else (7, 0.05)
    rows: list[tuple[str, Callable[[], object]]] = []
    partial = functools.partial

    # JSON
    schema_text = JsonCodec().canonical_definition(SCHEMA)
    payload = JsonCodec().encode(schema_text, RECORD)
    reference = jsonschema.Draft7Validator(SCHEMA)
    rows += [
        ("json: orjson.dumps", lambda: orjson.dumps(RECORD)),
        (
            "json: json.dumps compact",
            lambda: json.dumps(RECORD, separators=(",", ":"), ensure_ascii=False).encode(),
        ),
        ("json: jsonschema is_valid (cached validator)", lambda: reference.is_valid(RECORD)),
    ]
    try:
        import fastjsonschema

        compiled = fastjsonschema.compile(SCHEMA, use_formats=False, use_default=False)
        dumps, loads = orjson.dumps, orjson.loads

        def floor_write() -> bytes:
            compiled(RECORD)
            return dumps(RECORD)

        def floor_read_validated() -> object:
            document = loads(payload)
            compiled(document)
            return document

        def floor_write_large() -> bytes:
            compiled(LARGE_RECORD)
            return dumps(LARGE_RECORD)

        rows += [
            ("json: fastjsonschema compiled validate", partial(compiled, RECORD)),
            ("json: floor write = orjson.dumps + compiled validate", floor_write),
            ("json: floor write, 100 items", floor_write_large),
        ]
    except ImportError:
        pass
    rows.append(
        (
            "json: floor write = orjson.dumps + jsonschema is_valid",
            lambda: (reference.is_valid(RECORD), orjson.dumps(RECORD)),
        )
    )
    for name, codec in [
        ("auto", JsonCodec()),
        ("jsonschema", JsonCodec(validator="jsonschema")),
        ("auto, stdlib json", JsonCodec(use_orjson=False)),
    ]:
        enc = codec.encoder(schema_text)
        rows.append((f"json: JsonCodec encode [{name}]", partial(enc, RECORD)))
        if name == "auto":
            rows.append(("json: JsonCodec encode [auto], 100 items", partial(enc, LARGE_RECORD)))
    rows += [
        ("json: orjson.loads (floor read)", partial(orjson.loads, payload)),
        ("json: json.loads", partial(json.loads, payload)),
    ]
    if "fastjsonschema" in sys.modules:
        rows.append(("json: floor read = orjson.loads + compiled validate", floor_read_validated))
    for name, codec in [
        ("orjson", JsonCodec()),
        ("stdlib json", JsonCodec(use_orjson=False)),
        ("orjson, validate_on_decode", JsonCodec(validate_on_decode=True)),
    ]:
        dec = codec.decoder(schema_text)
        rows.append((f"json: JsonCodec decode [{name}]", partial(dec, payload)))

    # Protobuf
    codec = ProtobufCodec()
    parsed = codec._parse(PROTO)
    payment_cls = parsed.dynamic_class(parsed.file.pool.FindMessageTypeByName("bench.Payment"))
    message = payment_cls()
    json_to_message = dict(RECORD)
    from google.protobuf import json_format

    json_format.ParseDict(json_to_message, message)
    body = message.SerializeToString()
    proto_payload = codec.encode(PROTO, message)
    enc = codec.encoder(PROTO)
    dec = codec.decoder(PROTO)
    dict_dec = ProtobufCodec(as_dict=True).decoder(PROTO)

    def bare_parse() -> object:
        m = payment_cls()
        m.ParseFromString(body)
        return m

    rows += [
        ("protobuf: SerializeToString (floor)", message.SerializeToString),
        ("protobuf: ProtobufCodec encode", partial(enc, message)),
        ("protobuf: FromString (floor)", partial(payment_cls.FromString, body)),
        ("protobuf: new message + ParseFromString", bare_parse),
        ("protobuf: ProtobufCodec decode", partial(dec, proto_payload)),
        ("protobuf: ProtobufCodec decode as_dict", partial(dict_dec, proto_payload)),
    ]
    print(_versions())
    print(f"JSON payload {len(payload)} bytes; protobuf payload {len(proto_payload)} bytes")
    results = [(label, _per_call(fn, rounds=rounds, min_time=min_time)) for label, fn in rows]
    for label, seconds in results:
        print(f"{label:58s} {seconds * 1e6:8.2f} us")
    _print_ratios(dict(results))
    return results


# codec row -> its floor row
RATIOS = [
    (
        "json: JsonCodec encode [auto]",
        "json: floor write = orjson.dumps + compiled validate",
    ),
    ("json: JsonCodec encode [auto], 100 items", "json: floor write, 100 items"),
    ("json: JsonCodec decode [orjson]", "json: orjson.loads (floor read)"),
    (
        "json: JsonCodec decode [orjson, validate_on_decode]",
        "json: floor read = orjson.loads + compiled validate",
    ),
    ("protobuf: ProtobufCodec encode", "protobuf: SerializeToString (floor)"),
    ("protobuf: ProtobufCodec decode", "protobuf: FromString (floor)"),
]


def _print_ratios(times: dict[str, float]) -> None:
    print("ratios to the floor (same run):")
    for codec_row, floor_row in RATIOS:
        if codec_row in times and floor_row in times:
            ratio = times[codec_row] / times[floor_row]
            print(f"  {codec_row:56s} {ratio:5.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one quick round")
    args = parser.parse_args(argv)
    run(smoke=args.smoke)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
