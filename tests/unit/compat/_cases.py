"""The shape of a compatibility case, shared by the per-format tables and the docs check."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One change from ``old`` to ``new`` and its expected verdicts.

    ``kinds`` is the set of problem kinds expected over both directions (empty when the change
    is compatible both ways). ``unproved`` names the directions refused only because the
    checker cannot prove the inclusion (no document breaks them; their problems say so).
    """

    id: str
    old: str
    new: str
    backward: bool
    forward: bool
    kinds: frozenset[str] = frozenset()
    unproved: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return self.id


def case(id: str, old: str, new: str, backward: bool, forward: bool, *kinds: str) -> Case:
    return Case(id, old, new, backward, forward, frozenset(kinds))


def unproved(c: Case, *directions: str) -> Case:
    """Mark directions of a case as refused for want of a proof, not for a breaking document."""
    assert all(not getattr(c, d) for d in directions)
    return Case(c.id, c.old, c.new, c.backward, c.forward, c.kinds, frozenset(directions))
