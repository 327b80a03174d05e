"""Schema registries: the :class:`SchemaRegistry` protocol and its implementations."""

from __future__ import annotations

from glue_serde.registry._base import SchemaRegistry

__all__ = ["SchemaRegistry"]
