"""Deterministic records and schemas for the benchmarks (no randomness between runs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

SMALL_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Ping",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "source", "type": "string"},
        {"name": "ok", "type": "boolean"},
        {"name": "latency_ms", "type": "double"},
        {"name": "region", "type": "string"},
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
        {"name": "amount_minor", "type": "long"},
        {"name": "currency", "type": "string"},
        {
            "name": "method",
            "type": {"type": "enum", "name": "Method", "symbols": ["CARD", "SEPA", "WALLET"]},
        },
        {"name": "captured_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "risk_score", "type": "double"},
        {"name": "three_ds", "type": "boolean"},
        {"name": "card_bin", "type": ["null", "string"], "default": None},
        {"name": "card_last4", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attributes", "type": {"type": "map", "values": "string"}},
        {"name": "settlement_currency", "type": ["null", "string"], "default": None},
    ],
}


def small_record(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "source": "svc-a",
        "ok": i % 2 == 0,
        "latency_ms": 12.5 + i % 7,
        "region": "eu-west-1",
    }


def medium_record(i: int) -> dict[str, Any]:
    return {
        "payment_id": f"pay_{i:012d}_3f9a1c2e",
        "order_id": f"ord_{i:012d}_77aa01",
        "customer_id": f"cus_{i % 9973:08d}",
        "merchant_id": "mer_000042_acme_gmbh",
        "amount_minor": 12999 + i % 1000,
        "currency": "EUR",
        "method": ["CARD", "SEPA", "WALLET"][i % 3],
        "captured_at": dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)
        + dt.timedelta(milliseconds=i),
        "risk_score": 0.0125 * (i % 80),
        "three_ds": True,
        "card_bin": "424242",
        "card_last4": f"{i % 10000:04d}",
        "tags": ["web", "checkout", "eu"],
        "attributes": {"channel": "web", "campaign": "bf-2026", "ip_country": "DE"},
        "settlement_currency": None if i % 2 else "EUR",
    }


def large_record(i: int) -> dict[str, Any]:
    rec = medium_record(i)
    rec["tags"] = [f"tag-{j:04d}-{i % 13}" for j in range(220)]
    return rec


RECORDS = {"small": small_record, "medium": medium_record, "large": large_record}
SCHEMAS = {"small": SMALL_SCHEMA, "medium": MEDIUM_SCHEMA, "large": MEDIUM_SCHEMA}


# JSON Schema and Protobuf: a ~220-byte payment event, the same event as a protobuf message.

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

JSON_RECORD: dict[str, Any] = {
    "id": "pay_0001234567",
    "amount": 129.99,
    "currency": "EUR",
    "customer": {"name": "Sansa Stark", "email": "sansa.stark@winterfell.example.com"},
    "items": [{"sku": "A-100", "qty": 2}, {"sku": "B-200", "qty": 1}],
    "ts": 1700000000123,
    "note": "gift wrap",
}


def payment_message_class() -> type[Any]:
    """The protobuf class of :data:`JSON_RECORD`, as protoc would generate it (upb runtime).

    The file, in ``.proto`` terms::

        syntax = "proto3";
        package bench;
        message Customer { string name = 1; string email = 2; }
        message Item { string sku = 1; int32 qty = 2; }
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
        "Customer": [("name", t.TYPE_STRING, optional, ""), ("email", t.TYPE_STRING, optional, "")],
        "Item": [("sku", t.TYPE_STRING, optional, ""), ("qty", t.TYPE_INT32, optional, "")],
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
        note=record["note"],
    )
