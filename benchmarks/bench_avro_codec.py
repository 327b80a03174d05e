"""Avro codec vs the bare fastavro floor, per record (timeit autorange, best of 5).

Run: python -m benchmarks.bench_avro_codec
"""

from __future__ import annotations

import io
import json
import platform
import timeit
from typing import Any

import fastavro

from glue_serde.codecs.avro import AvroCodec

SMALL = {
    "type": "record",
    "name": "User",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}],
}
SMALL_DATUM = {"name": "Ann", "age": 31}

MEDIUM = {
    "type": "record",
    "name": "Payment",
    "namespace": "bench",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "account_id", "type": "string"},
        {"name": "amount_cents", "type": "long"},
        {
            "name": "currency",
            "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD", "GBP"]},
        },
        {"name": "created_at", "type": "long"},
        {"name": "merchant", "type": "string"},
        {"name": "description", "type": ["null", "string"], "default": None},
        {"name": "fee", "type": "double"},
        {"name": "approved", "type": "boolean"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attributes", "type": {"type": "map", "values": "string"}},
        {
            "name": "address",
            "type": {
                "type": "record",
                "name": "Address",
                "fields": [
                    {"name": "street", "type": "string"},
                    {"name": "city", "type": "string"},
                    {"name": "zip", "type": "string"},
                    {"name": "country", "type": "string"},
                ],
            },
        },
    ],
}
MEDIUM_DATUM = {
    "payment_id": "pay_7f3c2a9b4e1d4c0f8a6b5d3e2f1a0b9c",
    "account_id": "acct_0123456789abcdef",
    "amount_cents": 129999,
    "currency": "EUR",
    "created_at": 1732780800000,
    "merchant": "Example Coffee Roasters GmbH",
    "description": "Monthly subscription, premium beans",
    "fee": 1.25,
    "approved": True,
    "tags": ["subscription", "coffee", "recurring"],
    "attributes": {"channel": "web", "campaign": "autumn-2026"},
    "address": {"street": "Hauptstrasse 12", "city": "Berlin", "zip": "10115", "country": "DE"},
}


def per_call(fn: Any) -> float:
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(5, number)) / number * 1e6


def main() -> None:
    print(f"Python {platform.python_version()}, fastavro {fastavro.__version__}")
    codec = AvroCodec()
    for label, schema, datum in (("small", SMALL, SMALL_DATUM), ("medium", MEDIUM, MEDIUM_DATUM)):
        text = json.dumps(schema)
        parsed = fastavro.parse_schema(schema)
        encode = codec.encoder(text)
        decode = codec.decoder(text)
        payload = encode(datum)

        def bare_write(parsed: Any = parsed, datum: Any = datum) -> bytes:
            out = io.BytesIO()
            fastavro.schemaless_writer(out, parsed, datum)
            return out.getvalue()

        def bare_read(parsed: Any = parsed, payload: bytes = payload) -> Any:
            return fastavro.schemaless_reader(io.BytesIO(payload), parsed, None)

        def bare_validate(parsed: Any = parsed, datum: Any = datum) -> bool:
            return fastavro.validation.validate(datum, parsed)

        w0, w1 = per_call(bare_write), per_call(lambda e=encode, d=datum: e(d))
        r0, r1 = per_call(bare_read), per_call(lambda d=decode, p=payload: d(p))
        v0 = per_call(bare_validate)
        print(
            f"{label} ({len(payload)} B): write bare {w0:.2f} us, "
            f"codec {w1:.2f} us ({w1 / w0:.2f}x);"
            f" read bare {r0:.2f} us, codec {r1:.2f} us ({r1 / r0:.2f}x);"
            f" fastavro.validate alone {v0:.2f} us"
        )


if __name__ == "__main__":
    main()
