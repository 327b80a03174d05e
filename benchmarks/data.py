"""Deterministic records and schemas for the benchmarks (no randomness between runs).

The records look like production events rather than like the codec's best case: identifiers
are random version-4 UUIDs as 36-character strings (a seeded generator, so every run writes the
same ones), amounts are ``decimal`` logical types, timestamps are aware datetimes. Shapes:

- ``small``: a 9-field ping (one UUID, a 13-digit epoch id), about 80 bytes of Avro.
- ``medium``: a payment (three UUIDs, one decimal, an enum, a timestamp, optional strings, an
  array and a map), about 240 bytes.
- ``decimal``: a ledger entry of medium size with nine decimals (three precisions).
- ``large``: an invoice of about 1.5 KB with nine line items and 20 decimals.

``READER_SCHEMA`` reads ``medium`` records with Avro schema resolution (fields dropped, a field
added with its default, an ``int`` promoted to ``long``).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any

_EPOCH = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)


def _uuid(seed: int, i: int) -> str:
    """A random-looking version-4 UUID string, the same for the same (seed, i)."""
    return str(uuid.UUID(int=random.Random(seed * 1_000_003 + i).getrandbits(128), version=4))


def _decimal(rng: random.Random, digits: int, scale: int) -> Decimal:
    """A decimal of up to ``digits`` significant digits with exactly ``scale`` decimals."""
    return Decimal(rng.randrange(-(10 ** (digits - 1)), 10**digits)).scaleb(-scale)


def _money(precision: int = 12, scale: int = 2) -> dict[str, Any]:
    return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}


SMALL_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Ping",
    "namespace": "com.example.telemetry",
    "fields": [
        {"name": "event_id", "type": "string"},
        {"name": "id", "type": "long"},
        {"name": "source", "type": "string"},
        {"name": "ok", "type": "boolean"},
        {"name": "latency_ms", "type": "double"},
        {"name": "region", "type": "string"},
        {"name": "attempt", "type": "int"},
        {"name": "status", "type": "int"},
        {"name": "trace", "type": ["null", "string"], "default": None},
    ],
}

MEDIUM_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "PaymentCaptured",
    "namespace": "com.example.payments",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "order_id", "type": "string"},
        {"name": "customer_id", "type": "string"},
        {"name": "merchant_id", "type": "string"},
        {"name": "amount", "type": _money()},
        {"name": "currency", "type": "string"},
        {
            "name": "method",
            "type": {"type": "enum", "name": "Method", "symbols": ["CARD", "SEPA", "WALLET"]},
        },
        {"name": "captured_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "risk_score", "type": "double"},
        {"name": "attempt", "type": "int"},
        {"name": "three_ds", "type": "boolean"},
        {"name": "card_bin", "type": ["null", "string"], "default": None},
        {"name": "card_last4", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attributes", "type": {"type": "map", "values": "string"}},
        {"name": "settlement_currency", "type": ["null", "string"], "default": None},
    ],
}

#: A reader of ``medium`` records: two fields dropped, one added with a default, an int
#: promoted to long (Avro schema resolution on every read).
READER_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "PaymentCaptured",
    "namespace": "com.example.payments",
    "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "order_id", "type": "string"},
        {"name": "customer_id", "type": "string"},
        {"name": "amount", "type": _money()},
        {"name": "currency", "type": "string"},
        {
            "name": "method",
            "type": {"type": "enum", "name": "Method", "symbols": ["CARD", "SEPA", "WALLET"]},
        },
        {"name": "captured_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "risk_score", "type": "double"},
        {"name": "attempt", "type": "long"},
        {"name": "three_ds", "type": "boolean"},
        {"name": "card_last4", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "settlement_currency", "type": ["null", "string"], "default": None},
        {"name": "channel", "type": "string", "default": "unknown"},
    ],
}

DECIMAL_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "LedgerEntry",
    "namespace": "com.example.ledger",
    "fields": [
        {"name": "entry_id", "type": "string"},
        {"name": "account_id", "type": "string"},
        {"name": "booked_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "currency", "type": "string"},
        {"name": "amount", "type": _money()},
        {"name": "fee", "type": _money()},
        {"name": "tax", "type": _money()},
        {"name": "net", "type": _money()},
        {"name": "balance_before", "type": _money(18, 2)},
        {"name": "balance_after", "type": _money(18, 2)},
        {"name": "fx_rate", "type": _money(18, 8)},
        {"name": "interest_rate", "type": _money(9, 6)},
        {"name": "accrued_interest", "type": _money(14, 4)},
        {"name": "memo", "type": ["null", "string"], "default": None},
    ],
}

_LINE: dict[str, Any] = {
    "type": "record",
    "name": "InvoiceLine",
    "fields": [
        {"name": "line_id", "type": "string"},
        {"name": "sku", "type": "string"},
        {"name": "description", "type": "string"},
        {"name": "quantity", "type": "int"},
        {"name": "unit_price", "type": _money()},
        {"name": "line_tax", "type": _money()},
    ],
}

LARGE_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "InvoiceIssued",
    "namespace": "com.example.billing",
    "fields": [
        {"name": "invoice_id", "type": "string"},
        {"name": "customer_id", "type": "string"},
        {"name": "issued_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "currency", "type": "string"},
        {"name": "billing_address", "type": "string"},
        {"name": "lines", "type": {"type": "array", "items": _LINE}},
        {"name": "subtotal", "type": _money(14, 2)},
        {"name": "total", "type": _money(14, 2)},
        {"name": "notes", "type": ["null", "string"], "default": None},
    ],
}


def small_record(i: int) -> dict[str, Any]:
    return {
        "event_id": _uuid(1, i),
        "id": 1_764_331_200_000 + i * 7919,
        "source": "checkout-api",
        "ok": i % 5 != 0,
        "latency_ms": 12.5 + (i % 97) / 8,
        "region": "eu-west-1",
        "attempt": 1 + i % 3,
        "status": 200 if i % 5 else 503,
        "trace": None if i % 4 else _uuid(2, i),
    }


def medium_record(i: int) -> dict[str, Any]:
    rng = random.Random(i)
    return {
        "payment_id": _uuid(3, i),
        "order_id": _uuid(4, i),
        "customer_id": _uuid(5, i % 9973),
        "merchant_id": "mer_000042_acme_gmbh",
        "amount": _decimal(rng, 7, 2).copy_abs(),
        "currency": "EUR",
        "method": ("CARD", "SEPA", "WALLET")[i % 3],
        "captured_at": _EPOCH + dt.timedelta(milliseconds=i * 1013),
        "risk_score": rng.random(),
        "attempt": 1 + i % 3,
        "three_ds": i % 7 != 0,
        "card_bin": "424242" if i % 3 == 0 else None,
        "card_last4": f"{rng.randrange(10000):04d}" if i % 3 == 0 else None,
        "tags": ["web", "checkout", "eu"][: 1 + i % 3],
        "attributes": {"channel": "web", "campaign": "bf-2026", "ip_country": "DE"},
        "settlement_currency": None if i % 2 else "EUR",
    }


def decimal_record(i: int) -> dict[str, Any]:
    rng = random.Random(10_000 + i)
    amount = _decimal(rng, 8, 2)
    fee = _decimal(rng, 4, 2).copy_abs()
    tax = (amount * Decimal("0.19")).quantize(Decimal("0.01"))
    before = _decimal(rng, 12, 2)
    return {
        "entry_id": _uuid(6, i),
        "account_id": _uuid(7, i % 1009),
        "booked_at": _EPOCH + dt.timedelta(seconds=i * 17),
        "currency": "EUR",
        "amount": amount,
        "fee": fee,
        "tax": tax,
        "net": amount - fee - tax,
        "balance_before": before,
        "balance_after": before + amount,
        "fx_rate": _decimal(rng, 9, 8).copy_abs(),
        "interest_rate": _decimal(rng, 5, 6).copy_abs(),
        "accrued_interest": _decimal(rng, 8, 4),
        "memo": None if i % 3 else "card settlement",
    }


_WORDS = (
    "cotton",
    "organic",
    "merino",
    "recycled",
    "shirt",
    "jacket",
    "socks",
    "scarf",
    "navy",
    "charcoal",
    "size",
    "large",
)


def large_record(i: int) -> dict[str, Any]:
    rng = random.Random(20_000 + i)
    lines = []
    for j in range(9):
        words = " ".join(rng.choice(_WORDS) for _ in range(8))
        lines.append(
            {
                "line_id": _uuid(8, i * 16 + j),
                "sku": f"SKU-{rng.randrange(10**8):08d}",
                "description": f"{words}, item {j + 1} of order {i}",
                "quantity": rng.randrange(1, 12),
                "unit_price": _decimal(rng, 5, 2).copy_abs(),
                "line_tax": _decimal(rng, 4, 2).copy_abs(),
            }
        )
    subtotal = sum((line["unit_price"] * line["quantity"] for line in lines), Decimal("0.00"))
    taxes = sum((line["line_tax"] for line in lines), Decimal("0.00"))
    return {
        "invoice_id": _uuid(9, i),
        "customer_id": _uuid(5, i % 9973),
        "issued_at": _EPOCH + dt.timedelta(minutes=i),
        "currency": "EUR",
        "billing_address": "Acme GmbH, Hauptstrasse 42, 10115 Berlin, Germany",
        "lines": lines,
        "subtotal": subtotal,
        "total": subtotal + taxes,
        "notes": "Payable within 30 days. Thank you for your business." if i % 2 else None,
    }


RECORDS = {
    "small": small_record,
    "medium": medium_record,
    "decimal": decimal_record,
    "large": large_record,
}
SCHEMAS = {
    "small": SMALL_SCHEMA,
    "medium": MEDIUM_SCHEMA,
    "decimal": DECIMAL_SCHEMA,
    "large": LARGE_SCHEMA,
}


# JSON Schema and Protobuf: a payment event (UUID ids), the same event as a protobuf message.

JSON_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["id", "amount", "currency", "customer", "items"],
    "properties": {
        "id": {"type": "string"},
        "amount": {"type": "number", "minimum": 0},
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
        "customer": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "email": {"type": "string"},
            },
            "required": ["id", "name"],
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "qty": {"type": "integer", "minimum": 1},
                    "price": {"type": "number"},
                },
                "required": ["sku", "qty"],
            },
        },
        "ts": {"type": "integer"},
        "note": {"type": ["string", "null"]},
    },
    "additionalProperties": False,
}

JSON_RECORD: dict[str, Any] = {
    "id": _uuid(10, 1),
    "amount": 129.99,
    "currency": "EUR",
    "customer": {
        "id": _uuid(11, 1),
        "name": "Sansa Stark",
        "email": "sansa.stark@winterfell.example.com",
    },
    "items": [
        {"sku": "A-100", "qty": 2, "price": 49.5},
        {"sku": "B-200", "qty": 1, "price": 30.99},
    ],
    "ts": 1764331200123,
    "note": None,
}


def payment_message_class() -> type[Any]:
    """The protobuf class of :data:`JSON_RECORD`, as protoc would generate it (upb runtime).

    The file, in ``.proto`` terms::

        syntax = "proto3";
        package bench;
        message Customer { string id = 1; string name = 2; string email = 3; }
        message Item { string sku = 1; int32 qty = 2; double price = 3; }
        message Payment {
          string id = 1; double amount = 2; string currency = 3; Customer customer = 4;
          repeated Item items = 5; int64 ts = 6; string note = 7;
        }

    Built from a descriptor in a private pool, so no generated module and no protoc are needed.
    """
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    fdp = descriptor_pb2.FileDescriptorProto(name="bench/payment.proto", package="bench")
    fdp.syntax = "proto3"
    t = descriptor_pb2.FieldDescriptorProto
    optional, repeated = t.LABEL_OPTIONAL, t.LABEL_REPEATED
    messages: dict[str, list[tuple[str, int, int, str]]] = {
        "Customer": [
            ("id", t.TYPE_STRING, optional, ""),
            ("name", t.TYPE_STRING, optional, ""),
            ("email", t.TYPE_STRING, optional, ""),
        ],
        "Item": [
            ("sku", t.TYPE_STRING, optional, ""),
            ("qty", t.TYPE_INT32, optional, ""),
            ("price", t.TYPE_DOUBLE, optional, ""),
        ],
        "Payment": [
            ("id", t.TYPE_STRING, optional, ""),
            ("amount", t.TYPE_DOUBLE, optional, ""),
            ("currency", t.TYPE_STRING, optional, ""),
            ("customer", t.TYPE_MESSAGE, optional, ".bench.Customer"),
            ("items", t.TYPE_MESSAGE, repeated, ".bench.Item"),
            ("ts", t.TYPE_INT64, optional, ""),
            ("note", t.TYPE_STRING, optional, ""),
        ],
    }
    for name, fields in messages.items():
        message = fdp.message_type.add(name=name)
        for number, (field, kind, label, type_name) in enumerate(fields, start=1):
            message.field.add(
                name=field, number=number, type=kind, label=label, type_name=type_name or None
            )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("bench.Payment"))


def payment_message(cls: type[Any]) -> Any:
    """:data:`JSON_RECORD` as an instance of :func:`payment_message_class`."""
    record = JSON_RECORD
    return cls(
        id=record["id"],
        amount=record["amount"],
        currency=record["currency"],
        customer=record["customer"],
        items=record["items"],
        ts=record["ts"],
        note=record["note"] or "",
    )
