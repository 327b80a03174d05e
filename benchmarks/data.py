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
