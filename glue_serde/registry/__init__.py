"""Schema registries: the protocols (seams) and their implementations.

The protocols live here; the implementations in their modules: ``local`` (embedded), ``glue``
(AWS Glue), ``memory`` (in memory, for tests), ``caching`` (wraps any of them).
"""

from __future__ import annotations

from glue_serde.registry._base import (
    AuditTrail,
    CompatibilityAdmin,
    MetadataWriter,
    SchemaCatalog,
    SchemaRegistry,
)

__all__ = [
    "AuditTrail",
    "CompatibilityAdmin",
    "MetadataWriter",
    "SchemaCatalog",
    "SchemaRegistry",
]
