"""The single place the package version is written."""

from __future__ import annotations

__version__ = "0.1.0"
