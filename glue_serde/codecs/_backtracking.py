r"""Find regular expressions whose backtracking takes catastrophic time, before they are used.

JSON Schema's ``pattern`` and ``patternProperties`` are evaluated by Python's ``re``, a
backtracking engine. On a string it fails to match, a pattern such as ``^(a+)+$`` tries every
way of splitting the text among its repetitions: 2**n of them for n characters, a hang for a
few dozen. Python's ``re`` has no timeout, so such a pattern is refused when the schema is
checked.

The test is exact for the pattern as ``re`` parses it, not a list of shapes. The parsed
pattern becomes a position automaton (one state per character-consuming atom) whose edges
count the distinct ways ``re`` can get from one atom to the next (two loops around the same
atom, as in ``(a+)+``, are two ways). Backtracking is exponential exactly when some state can
return to itself along two different paths that read the same text (exponential degree of
ambiguity). That is decided on the product of the automaton with itself: a cycle through a
pair ``(q, q)`` that also passes a pair of different states, or takes two different parallel
edges at once. Without it, backtracking is polynomial, of the degree of the longest chain of
loops that can share one text (``(.*a){12}`` is of degree 12: hopeless too); patterns above
:data:`MAX_DEGREE` are refused. Character classes are compared as exact sets of code points
(``\d``, ``\w`` and ``\s`` as ``re`` defines them, case-insensitive matching included).

Approximations, each on the side of refusing: a counted repeat above :data:`_MAX_COUNT` is
treated as unbounded; a back-reference as "any text"; atomic groups and possessive repeats as
ordinary ones; chains of loops are built from pairs. Lookaround contents are checked as
patterns of their own. A pattern too large to decide within the budget is refused too.

What remains is at most quadratic: ``re.search`` tries every start position, and two loops
that overlap (``[^@]+\.[^@]+``) try every split point, so validating a very long string can
cost the square of its length. Bound long strings with ``maxLength``.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

try:  # Python 3.11+
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse

__all__ = ["MAX_DEGREE", "catastrophic_backtracking"]

#: Counted repeats up to this many copies are expanded exactly; larger ones count as unbounded.
_MAX_COUNT: Final = 16
#: Atoms (after expanding counted repeats) of a pattern the check accepts to decide.
_MAX_POSITIONS: Final = 4000
#: Pairs of states the product automaton may visit before the check gives up (and refuses).
_MAX_PAIRS: Final = 400_000
#: Highest polynomial degree of backtracking accepted: quadratic, the cost every unanchored
#: search already has (``re.search`` tries each start position).
MAX_DEGREE: Final = 2
_UNICODE_SIZE: Final = 0x110000
_IGNORECASE: Final = re.IGNORECASE.value
_DOTALL: Final = re.DOTALL.value
_ASCII: Final = re.ASCII.value

_CATEGORY_TEXT: Final = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}

Ranges = tuple[tuple[int, int], ...]
_EVERYTHING: Final[Ranges] = ((0, _UNICODE_SIZE - 1),)


class _TooComplex(Exception):
    """The pattern is too large to decide within the budget."""


def _cap(n: int) -> int:
    return 2 if n >= 2 else n


def _every_code_point() -> str:
    """Return every code point in order (4.4 MB), built from bytes without per-item objects."""
    planes = _UNICODE_SIZE >> 16  # 17
    utf32 = bytearray(4 * _UNICODE_SIZE)
    utf32[0::4] = bytes(range(256)) * (_UNICODE_SIZE >> 8)
    utf32[1::4] = b"".join(bytes((i,)) * 256 for i in range(256)) * planes
    utf32[2::4] = b"".join(bytes((i,)) * 65536 for i in range(planes))
    return utf32.decode("utf-32-le", "surrogatepass")


@functools.lru_cache(maxsize=512)
def _class_ranges(text: str, flags: int) -> Ranges:
    """Return the code points a one-character class (``[...]``) matches, as sorted ranges."""
    runs = re.compile(f"(?:{text})+", flags)
    return tuple((m.start(), m.end() - 1) for m in runs.finditer(_every_code_point()))


def _escape(code: int) -> str:
    return f"\\U{code:08x}"


@dataclass(frozen=True, slots=True)
class _Atom:
    """One character-consuming atom: a literal, a class or ``.``, under its flags."""

    text: str  # a one-character regular expression equivalent to the atom
    flags: int
    literal: int | None = None  # the code point of a plain literal (no IGNORECASE)

    def ranges(self) -> Ranges:
        if self.literal is not None:
            return ((self.literal, self.literal),)
        if self.text == "(?s:.)":
            return _EVERYTHING
        return _class_ranges(self.text, self.flags)


def _overlap(a: _Atom, b: _Atom) -> bool:
    if a.literal is not None and b.literal is not None:
        return a.literal == b.literal
    if a.literal is not None or b.literal is not None:
        code = a.literal if a.literal is not None else b.literal
        ranges = (b if a.literal is not None else a).ranges()
        i = bisect.bisect_right(ranges, (code, _UNICODE_SIZE)) - 1
        return i >= 0 and ranges[i][0] <= code <= ranges[i][1]  # type: ignore[operator]
    ra, rb = a.ranges(), b.ranges()
    i = j = 0
    while i < len(ra) and j < len(rb):
        if ra[i][1] < rb[j][0]:
            i += 1
        elif rb[j][1] < ra[i][0]:
            j += 1
        else:
            return True
    return False


@dataclass(slots=True)
class _Fragment:
    """Glushkov sets of a sub-pattern, each position with how many ways lead there (capped)."""

    nullable: int  # ways to match the empty string: 0, 1 or 2 (two or more)
    first: dict[int, int] = field(default_factory=dict)
    last: dict[int, int] = field(default_factory=dict)


def _add(into: dict[int, int], other: dict[int, int], times: int = 1) -> None:
    if not times:
        return
    for pos, ways in other.items():
        into[pos] = _cap(into.get(pos, 0) + ways * times)


class _Automaton:
    """The position automaton of one pattern (lookarounds are collected, not included)."""

    def __init__(self) -> None:
        self.atoms: list[_Atom] = [_Atom("", 0)]  # position 0: the start state
        self.follow: list[dict[int, int]] = [{}]
        self.lookarounds: list[Any] = []

    def _position(self, atom: _Atom) -> _Fragment:
        if len(self.atoms) > _MAX_POSITIONS:
            raise _TooComplex
        pos = len(self.atoms)
        self.atoms.append(atom)
        self.follow.append({})
        return _Fragment(0, {pos: 1}, {pos: 1})

    def _link(self, last: dict[int, int], first: dict[int, int]) -> None:
        for p, ways_p in last.items():
            _add(self.follow[p], first, ways_p)

    # -- composition -----------------------------------------------------------------------

    def concat(self, parts: Iterable[_Fragment]) -> _Fragment:
        out = _Fragment(1)
        for part in parts:
            self._link(out.last, part.first)
            first = dict(out.first)
            _add(first, part.first, out.nullable)
            last = dict(part.last)
            _add(last, out.last, part.nullable)
            out = _Fragment(_cap(out.nullable * part.nullable), first, last)
        return out

    @staticmethod
    def alternate(parts: Sequence[_Fragment]) -> _Fragment:
        out = _Fragment(0)
        for part in parts:
            out.nullable = _cap(out.nullable + part.nullable)
            _add(out.first, part.first)
            _add(out.last, part.last)
        return out

    def loop(self, body: _Fragment, nullable: bool) -> _Fragment:
        """``body*`` (``nullable``) or ``body+``; an empty iteration ends the loop, as in re."""
        self._link(body.last, body.first)
        ways_empty = _cap(1 + body.nullable) if nullable else body.nullable
        return _Fragment(ways_empty, dict(body.first), dict(body.last))

    # -- the parse tree ----------------------------------------------------------------------

    def sequence(self, items: Iterable[tuple[Any, Any]], flags: int) -> _Fragment:
        return self.concat(self.item(op, av, flags) for op, av in items)

    def item(self, op: Any, av: Any, flags: int) -> _Fragment:
        name = str(op)
        if name == "LITERAL":
            if flags & _IGNORECASE:
                return self._position(_Atom(_escape(av), flags & (_IGNORECASE | _ASCII)))
            return self._position(_Atom(_escape(av), 0, literal=av))
        if name == "NOT_LITERAL":
            return self._position(_Atom(f"[^{_escape(av)}]", flags & (_IGNORECASE | _ASCII)))
        if name == "ANY":
            # Without DOTALL "." excludes a newline; counting it in only refuses more.
            return self._position(_Atom("(?s:.)", 0))
        if name == "IN":
            return self._position(_Atom(_class_text(av), flags & (_IGNORECASE | _ASCII)))
        if name == "BRANCH":
            return self.alternate([self.sequence(branch, flags) for branch in av[1]])
        if name == "SUBPATTERN":
            _group, add_flags, del_flags, sub = av
            return self.sequence(sub, (flags | add_flags) & ~del_flags)
        if name == "ATOMIC_GROUP":
            return self.sequence(av, flags)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            return self.repeat(low, high, sub, flags)
        if name in ("ASSERT", "ASSERT_NOT"):
            self.lookarounds.append((av[1], flags))
            return _Fragment(1)
        if name == "AT":
            return _Fragment(1)
        if name == "GROUPREF":
            # The text a group matched: counted as any text, which refuses more, never less.
            return self.loop(self._position(_Atom("(?s:.)", 0)), nullable=True)
        if name == "GROUPREF_EXISTS":
            _group, yes, no = av
            branches = [self.sequence(yes, flags)]
            branches.append(self.sequence(no, flags) if no else _Fragment(1))
            return self.alternate(branches)
        raise _TooComplex  # an opcode this check does not know: refuse rather than guess

    def repeat(self, low: int, high: int, sub: Any, flags: int) -> _Fragment:
        unbounded = high == _sre_parse.MAXREPEAT or high > _MAX_COUNT
        low = min(low, _MAX_COUNT)
        parts: list[_Fragment] = [self.sequence(sub, flags) for _ in range(low)]
        if unbounded:
            parts.append(self.loop(self.sequence(sub, flags), nullable=True))
        else:
            # x{0,k} as (x(x(x)?)?)?: nested, so the expansion adds no ambiguity of its own.
            optional: _Fragment | None = None
            for _ in range(high - low):
                body = self.sequence(sub, flags)
                inner = body if optional is None else self.concat([body, optional])
                optional = self.alternate([inner, _Fragment(1)])
            if optional is not None:
                parts.append(optional)
        return self.concat(parts)


def _class_text(items: Sequence[tuple[Any, Any]]) -> str:
    parts: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            parts.insert(0, "^")
        elif name == "LITERAL":
            parts.append(_escape(av))
        elif name == "RANGE":
            parts.append(f"{_escape(av[0])}-{_escape(av[1])}")
        elif name == "CATEGORY" and str(av) in _CATEGORY_TEXT:
            parts.append(_CATEGORY_TEXT[str(av)])
        else:
            raise _TooComplex
    return f"[{''.join(parts)}]"


def _exponential(automaton: _Automaton) -> bool:
    """Whether a state returns to itself along two different paths reading the same text."""
    follow, atoms = automaton.follow, automaton.atoms
    overlaps: dict[tuple[int, int], bool] = {}

    def compatible(x: int, y: int) -> bool:
        key = (x, y) if x <= y else (y, x)
        known = overlaps.get(key)
        if known is None:
            known = overlaps[key] = x == y or _overlap(atoms[x], atoms[y])
        return known

    # Nodes: pairs (a, b) of states after reading the same text. An edge is "divergent" when it
    # leaves the diagonal, or takes two parallel edges of one automaton edge at once.
    index: dict[tuple[int, int], int] = {}
    nodes: list[tuple[int, int]] = []
    edges: list[list[tuple[int, bool]]] = []

    def node(pair: tuple[int, int]) -> int:
        found = index.get(pair)
        if found is None:
            if len(nodes) >= _MAX_PAIRS:
                raise _TooComplex
            found = index[pair] = len(nodes)
            nodes.append(pair)
            edges.append([])
        return found

    stack = [node((q, q)) for q in range(len(atoms)) if follow[q]]
    seen = set(stack)
    while stack:
        n = stack.pop()
        a, b = nodes[n]
        for x, ways_x in follow[a].items():
            for y in follow[b]:
                if not compatible(x, y):
                    continue
                target = node((x, y))
                divergent = x != y or (a == b and ways_x > 1)
                edges[n].append((target, divergent))
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
    # Strongly connected components (iterative Tarjan); a component holding a diagonal pair
    # and a divergent edge inside it is a pair of different same-text loops.
    component = _components(len(nodes), [[t for t, _ in out] for out in edges])
    diagonal = {component[i] for i, (a, b) in enumerate(nodes) if a == b}
    for i, out in enumerate(edges):
        for target, divergent in out:
            if divergent and component[i] == component[target] and component[i] in diagonal:
                return True
    return False


def _components(count: int, successors: list[list[int]]) -> list[int]:
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    component = [-1] * count
    stack: list[int] = []
    counter = 0
    found = 0
    for root in range(count):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            recurse = False
            out = successors[v]
            while i < len(out):
                w = out[i]
                i += 1
                if index[w] == -1:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component[w] = found
                    if w == v:
                        break
                found += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return component


def _degree(automaton: _Automaton) -> int:
    r"""Bound the polynomial degree of ambiguity from above (the automaton has no EDA).

    States ``p != q`` are chained when one text ``v`` loops ``p``, leads from ``p`` to ``q`` and
    loops ``q`` (in ``\d*\d*`` the two loops share every digit string): then ``re`` tries
    every split point between them. A chain of ``k`` such states costs about ``n**k`` steps.
    Chains are built from pairs (not one ``v`` for the whole chain), which can only overstate.
    """
    follow, atoms = automaton.follow, automaton.atoms
    successors = [list(f) for f in follow]
    component = _components(len(atoms), successors)
    looping = {p for p in range(len(atoms)) if any(component[x] == component[p] for x in follow[p])}
    reach = _reachability(successors)
    budget = [_MAX_PAIRS]
    chained: dict[int, list[int]] = {p: [] for p in looping}
    for p in looping:
        for q in looping:
            if (
                p != q
                and component[p] != component[q]
                and q in reach[p]
                and _shares_a_loop(automaton, p, q, budget)
            ):
                chained[p].append(q)
    longest: dict[int, int] = {}

    def chain(p: int) -> int:
        if p not in longest:
            longest[p] = 1 + max((chain(q) for q in chained[p]), default=0)
        return longest[p]

    return max((chain(p) for p in looping), default=0)


def _reachability(successors: list[list[int]]) -> list[set[int]]:
    out = []
    for start in range(len(successors)):
        seen: set[int] = set()
        stack = list(successors[start])
        while stack:
            x = stack.pop()
            if x not in seen:
                seen.add(x)
                stack.extend(successors[x])
        out.append(seen)
    return out


def _shares_a_loop(automaton: _Automaton, p: int, q: int, budget: list[int]) -> bool:
    """Whether one non-empty text loops ``p``, leads ``p`` to ``q`` and loops ``q``."""
    follow, atoms = automaton.follow, automaton.atoms
    start = (p, p, q)
    seen = {start}
    stack = [start]
    while stack:
        a, b, c = stack.pop()
        for x in follow[a]:
            for y in follow[b]:
                if not (x == y or _overlap(atoms[x], atoms[y])):
                    continue
                for z in follow[c]:
                    if not (y == z or _overlap(atoms[y], atoms[z])) or not (
                        x == z or _overlap(atoms[x], atoms[z])
                    ):
                        continue
                    if (x, y, z) == (p, q, q):
                        return True
                    if (x, y, z) not in seen:
                        budget[0] -= 1
                        if budget[0] < 0:
                            raise _TooComplex
                        seen.add((x, y, z))
                        stack.append((x, y, z))
    return False


def _check(items: Any, flags: int) -> str | None:
    automaton = _Automaton()
    root = automaton.sequence(items, flags)
    automaton.follow[0] = dict(root.first)
    if _exponential(automaton):
        return (
            "can take exponential time to evaluate: a repetition can match the same text in "
            "more than one way (as in (a+)+, (a|a?)* or (\\d+\\d*)*), and Python's re tries "
            "every way before it fails; rewrite it so that each character can be matched one "
            "way only"
        )
    degree = _degree(automaton)
    if degree > MAX_DEGREE:
        return (
            f"can take time growing as the power {degree} of a string's length to evaluate: "
            f"{degree} repetitions in a row can share the same text (as in \\d*\\d*\\d* or "
            "(.*a){3}), and Python's re tries every way to split it among them before it "
            "fails; make the repetitions exclude each other's characters"
        )
    for sub, sub_flags in automaton.lookarounds:
        reason = _check(sub, sub_flags)
        if reason is not None:
            return reason
    return None


@functools.lru_cache(maxsize=1024)
def catastrophic_backtracking(pattern: str) -> str | None:
    """Say why ``pattern`` can backtrack exponentially in Python's ``re``, or return None.

    Parameters
    ----------
    pattern
        A regular expression ``re.compile`` accepts.

    Returns
    -------
    str or None
        The reason to refuse it, or None when its backtracking is at most polynomial.
    """
    try:
        parsed = _sre_parse.parse(pattern)
        return _check(list(parsed), parsed.state.flags)
    except (_TooComplex, RecursionError):
        return (
            "is too large or too deeply nested to prove that it cannot take exponential time "
            "to evaluate"
        )
