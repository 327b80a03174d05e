"""A caching layer that wraps any :class:`~glue_serde.registry.SchemaRegistry`, once per registry.

**One cache per registry.** :class:`~glue_serde.serde.Serializer` and
:class:`~glue_serde.serde.Deserializer` do not wrap a registry themselves: they call
:func:`shared_cache`, which returns the one :class:`CachingSchemaRegistry` of that registry
object and :class:`CacheConfig` (created on first use, kept while any serializer or
deserializer uses it). So a key and a value deserializer, or ten per-topic serializers, on one
registry share one cache, and concurrent misses across all of them make one registry call per
key. Passing a ``CachingSchemaRegistry`` ("wrap once") uses that cache as it is.

Caches are split by mutability (the Java client's ``cacheSize`` and ``timeToLiveMillis``):

- **Version id -> version.** A bounded LRU keyed on the raw 16 header bytes
  (:meth:`CachingSchemaRegistry.get_schema_version_by_bytes`; a ``uuid.UUID`` is built only on a
  miss). An entry expires ``id_ttl`` seconds after it was loaded (24 h, like Java), so a version
  deleted from the registry stops resolving after the TTL. Expiry costs nothing per record:
  deserializers keep their own decoders for their hot path, and the cache *tells* them
  (:meth:`CachingSchemaRegistry.subscribe`) when it stops holding an id fresh (expired, evicted,
  cleared), from one background timer thread per process that wakes at most once a second per
  cache. Versions in any other status than AVAILABLE (PENDING, FAILURE, DELETING) are not
  cached: a PENDING version is polled by id until it settles.
- **Unknown id.** :class:`~glue_serde.errors.SchemaNotFoundError` is remembered for
  ``negative_ttl`` seconds, so a stream full of one unknown id costs one registry call per
  window instead of one per record.
- **(schema name, definition, format) -> version** (Glue ``GetSchemaByDefinition``). Refreshed
  after ``ttl`` (24 h): the first call after the TTL reloads. A ``None`` answer is remembered
  for ``negative_ttl`` only and is never served stale (during an outage "not registered" would
  be a wrong answer; the caller gets the error instead). Only AVAILABLE versions are cached.

**Serve stale.** When the reload of an expired id or definition fails with a retryable
:class:`~glue_serde.errors.RegistryError` and ``serve_stale`` is set, the old answer keeps being
served and the registry is asked again at most once per ``stale_retry_interval`` (Java retries
on every call). Non-retryable errors propagate. While one caller refreshes an expired entry,
concurrent callers are served the previous answer (Guava's refresh-after-write).

**Single-flight.** Every miss, and every registration
(:meth:`~CachingSchemaRegistry.create_schema`,
:meth:`~CachingSchemaRegistry.register_schema_version`, keyed on every argument), is run by one
caller while concurrent callers of the same key wait for its outcome: its result, or the very
exception it raised. The in-flight entry is removed in a ``finally`` in the same critical section
that stores the answer; a caller interrupted by a ``BaseException`` (``KeyboardInterrupt``) hands
the call to a waiter; every wait is bounded by ``wait_timeout`` (then a retryable
:class:`~glue_serde.errors.RegistryUnavailableError`). No lock is held during a registry call.

**Checked answers.** The wrapped registry is called through
:class:`~glue_serde.registry._checked.CheckedRegistry`: an answer of the wrong type (``None``
or a dict for a version, another id than the one asked for) and any foreign exception become a
:class:`~glue_serde.errors.RegistryError` naming the registry's class, chained to the cause.

The single-flight helper lives in :mod:`glue_serde.registry._flight`, the expiry timer in
:mod:`glue_serde.registry._expiry`, the answer checks in :mod:`glue_serde.registry._checked`.
Imports only the package's base modules, those registry modules and :mod:`cachetools`.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from types import MethodType
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from cachetools import LRUCache, TTLCache

from glue_serde.enums import Compatibility, DataFormat, SchemaVersionStatus
from glue_serde.errors import ConfigurationError, RegistryError, SchemaNotFoundError, _brief
from glue_serde.registry._checked import CheckedRegistry
from glue_serde.registry._expiry import TIMER
from glue_serde.registry._flight import MISS, Miss, SingleFlight

if TYPE_CHECKING:
    import logging
    import os
    from collections.abc import Callable, Mapping
    from typing import IO

    from glue_serde.registry._base import SchemaRegistry
    from glue_serde.registry.audit import AuditEvent
    from glue_serde.schema import SchemaInfo, SchemaVersion

__all__ = ["CacheConfig", "CacheStats", "CachingSchemaRegistry", "shared_cache"]


def _log() -> logging.Logger:
    """Return the module's logger (``logging`` is imported on the first message, not at import)."""
    import logging  # noqa: PLC0415 - a consumer's cold start never needs it

    return logging.getLogger(__name__)


#: Length of a schema version id on the wire (``glue_serde.wire.SCHEMA_VERSION_ID_SIZE``;
#: not imported, the registry layer does not depend on ``wire``).
_ID_SIZE = 16

#: The expiry timer wakes a cache at most this often (seconds): expiry is coarse on purpose.
_SWEEP_GAP: Final = 1.0


def _check_seconds(owner: str, name: str, value: object, *, positive: bool = False) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or value < 0
        or (positive and (value == 0 or math.isinf(value)))
    ):
        want = "a finite number of seconds > 0" if positive else "a number of seconds >= 0"
        raise ConfigurationError(f"{owner}.{name} must be {want}, got {_brief(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheConfig:
    """Sizes, lifetimes and wait bounds of :class:`CachingSchemaRegistry`.

    Parameters
    ----------
    max_size
        Entries kept in the definition cache (Java ``cacheSize``, 200). The least recently
        used entry is dropped beyond it.
    id_cache_size
        Versions kept in the id cache, and unknown ids remembered in the negative id cache.
        The default, 1,000, is the default account quota of schema versions per region, so a
        consumer can hold every version an account can have by default; memory stays bounded
        by this times the definition size (at most 170,000 characters in Glue).
    ttl
        Seconds after which a definition entry is refreshed on its next use (Java
        ``timeToLiveMillis``, 24 h). ``0`` reloads on every call; ``math.inf`` never reloads.
    id_ttl
        Seconds after which a version id is asked of the registry again (Java
        ``timeToLiveMillis``, 24 h), so a deleted version stops resolving; ``math.inf`` keeps
        ids for the life of the process. Deserializers drop their decoders for the id at the
        same time (within about a second).
    serve_stale
        When a refresh fails with a retryable :class:`~glue_serde.errors.RegistryError`, keep
        serving the previous answer (Java's behaviour). When off, the error propagates.
    stale_retry_interval
        While serving a stale answer, ask the registry again at most this often (seconds).
    negative_ttl
        Seconds a "not found" answer is remembered (an unknown version id, or a definition the
        registry does not hold). ``0`` disables negative caching.
    wait_timeout
        Longest wait, in seconds, for another caller's identical registry call (single-flight)
        or for another thread's :meth:`~glue_serde.serde.Serializer.resolve`; then a retryable
        :class:`~glue_serde.errors.RegistryUnavailableError`. The default, 120 s, outlasts a
        Glue call with its retries and the 60 s PENDING poll of a registration.

    Raises
    ------
    ConfigurationError
        If a size is not a positive integer, a duration is negative or not a number, or
        ``wait_timeout`` is not finite and positive.

    Examples
    --------
    >>> from glue_serde.registry.caching import CacheConfig
    >>> CacheConfig(max_size=50, ttl=300.0).ttl
    300.0
    """

    max_size: int = 200
    id_cache_size: int = 1_000
    ttl: float = 86_400.0
    id_ttl: float = 86_400.0
    serve_stale: bool = True
    stale_retry_interval: float = 30.0
    negative_ttl: float = 5.0
    wait_timeout: float = 120.0

    def __post_init__(self) -> None:
        for name in ("max_size", "id_cache_size"):
            value: object = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"CacheConfig.{name} must be a positive integer, got {_brief(value)}"
                )
        for name in ("ttl", "id_ttl", "stale_retry_interval", "negative_ttl"):
            _check_seconds("CacheConfig", name, getattr(self, name))
        _check_seconds("CacheConfig", "wait_timeout", self.wait_timeout, positive=True)
        if not isinstance(self.serve_stale, bool):
            raise ConfigurationError(
                f"CacheConfig.serve_stale must be True or False, got {_brief(self.serve_stale)}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheStats:
    """A snapshot of :class:`CachingSchemaRegistry`'s counters (cumulative since creation).

    Parameters
    ----------
    hits
        Lookups answered from a fresh cache entry.
    misses
        Lookups that needed the registry (the caller made the call or waited for another
        caller's identical call).
    loads
        Calls made to the wrapped registry (lookups and registrations).
    stale_served
        Lookups answered with an expired entry: during an outage, or while another caller
        refreshes it.
    negative_hits
        Lookups answered from a remembered "not found".
    coalesced
        Calls (lookups and registrations) that waited for another caller's identical
        registry call instead of making their own (single-flight).
    id_entries
        Versions currently held in the id cache.
    definition_entries
        Entries currently held in the definition cache (negative ones included).
    """

    hits: int
    misses: int
    loads: int
    stale_served: int
    negative_hits: int
    coalesced: int
    id_entries: int
    definition_entries: int


class _DefinitionKey(NamedTuple):
    """What ``find_schema_version`` is keyed on; also the core of a registration key."""

    registry_name: str
    schema_name: str
    schema_definition: str
    data_format: DataFormat


class _RegistrationKey(NamedTuple):
    """Identifies one registration call, so identical concurrent ones share a flight."""

    operation: Literal["CreateSchema", "RegisterSchemaVersion"]
    definition: _DefinitionKey
    compatibility: Compatibility | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None


class _DefinitionEntry(NamedTuple):
    """A cached ``find_schema_version`` answer."""

    version: SchemaVersion
    #: Clock reading until which the entry is fresh.
    fresh_until: float
    #: Clock reading before which no refresh is attempted (set after a failed refresh).
    retry_at: float
    #: Write generation; a lookup never overwrites an entry a later registration wrote.
    generation: int


class _IdEntry(NamedTuple):
    """A cached version and the clock reading at which it stops being fresh."""

    version: SchemaVersion
    expires_at: float


def _copy_not_found(error: SchemaNotFoundError) -> SchemaNotFoundError:
    """Return a fresh error equal to a remembered one.

    Re-raising one exception object from many calls would grow its traceback without bound.
    """
    return SchemaNotFoundError(
        error.message,
        operation=error.operation,
        aws_error_code=error.aws_error_code,
        schema_version_id=error.schema_version_id,
        schema_name=error.schema_name,
    )


def _weak(listener: Callable[[frozenset[bytes]], None]) -> weakref.ref[Callable[..., None]]:
    try:
        if isinstance(listener, MethodType):
            return weakref.WeakMethod(listener)
        return weakref.ref(listener)
    except TypeError:
        raise ConfigurationError(
            f"a cache listener must support weak references; got {type(listener).__name__}"
        ) from None


class CachingSchemaRegistry:
    """Wrap a schema registry with id, definition and negative caches plus single-flight.

    Implements :class:`~glue_serde.registry.SchemaRegistry`, and forwards the administrative
    verbs (:class:`~glue_serde.registry.SchemaCatalog`,
    :class:`~glue_serde.registry.CompatibilityAdmin`,
    :class:`~glue_serde.registry.MetadataWriter`, :class:`~glue_serde.registry.AuditTrail`)
    to the wrapped registry, uncached. Anything else is on :attr:`wrapped`. Thread-safe.

    Serializers and deserializers share one cache per registry (:func:`shared_cache`): build
    this class yourself to choose the configuration once and pass the same instance to every
    serializer and deserializer ("wrap once").

    Parameters
    ----------
    registry
        The registry to wrap (embedded, Glue, in-memory, or your own).
    config
        Cache sizes, lifetimes and wait bounds.
    clock
        Monotonic time source in seconds; inject one in tests.

    Raises
    ------
    ConfigurationError
        If ``config`` is not a :class:`CacheConfig`, or ``registry`` is not a registry.

    Examples
    --------
    >>> from glue_serde.registry.caching import CacheConfig, CachingSchemaRegistry
    >>> cached = CachingSchemaRegistry(registry, config=CacheConfig(ttl=600.0))  # doctest: +SKIP
    >>> version = cached.get_schema_version(version_id)  # doctest: +SKIP
    """

    __slots__ = (
        "__weakref__",
        "_checked",
        "_clock",
        "_config",
        "_definition_flights",
        "_definitions",
        "_forgotten",
        "_generation",
        "_hits",
        "_id_flights",
        "_ids",
        "_listeners",
        "_loads",
        "_lock",
        "_misses",
        "_missing_definitions",
        "_missing_ids",
        "_negative_hits",
        "_registrations",
        "_registry",
        "_registry_name",
        "_stale_ids",
        "_stale_served",
        "_sweep_at",
        "_sweep_ref",
    )

    def __init__(
        self,
        registry: SchemaRegistry,
        *,
        config: CacheConfig = CacheConfig(),  # frozen: one shared default is safe
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(config, CacheConfig):
            raise ConfigurationError(f"config must be a CacheConfig, got {_brief(config)}")
        self._checked = CheckedRegistry(registry)
        self._registry = registry
        self._registry_name = self._checked.registry_name
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        # The id cache is a plain OrderedDict LRU rather than cachetools.LRUCache: it is hit
        # on every deserializer miss, and the C-level move_to_end hit measured ~40 % cheaper.
        self._ids: OrderedDict[bytes, _IdEntry] = OrderedDict()
        #: Expired versions kept as the answer to serve if their refresh fails (serve-stale).
        self._stale_ids: OrderedDict[bytes, SchemaVersion] = OrderedDict()
        self._definitions: LRUCache[_DefinitionKey, _DefinitionEntry] = LRUCache(
            maxsize=config.max_size
        )
        # The negative caches only ever expire, which is what cachetools.TTLCache does. The
        # positive caches cannot be TTLCaches: a TTLCache drops an entry at its TTL, and
        # serve-stale needs the expired answer when the refresh fails; nor does cachetools
        # single-flight (its @cached lock lets concurrent misses each call, and a waiter can
        # never receive the leader's exception). Those parts are written here.
        negative_ttl = max(config.negative_ttl, 1e-9)
        self._missing_ids: TTLCache[bytes, SchemaNotFoundError] = TTLCache(
            maxsize=config.id_cache_size, ttl=negative_ttl, timer=clock
        )
        self._missing_definitions: TTLCache[_DefinitionKey, int] = TTLCache(
            maxsize=config.max_size, ttl=negative_ttl, timer=clock
        )
        self._id_flights: SingleFlight[bytes, SchemaVersion] = SingleFlight(self._lock)
        self._definition_flights: SingleFlight[_DefinitionKey, SchemaVersion | None] = SingleFlight(
            self._lock
        )
        self._registrations: SingleFlight[_RegistrationKey, SchemaVersion] = SingleFlight(
            self._lock
        )
        self._listeners: list[weakref.ref[Callable[..., None]]] = []
        #: Ids no longer held fresh, to announce to the listeners once the lock is released.
        self._forgotten: list[bytes] = []
        self._sweep_at = math.inf
        self._sweep_ref: weakref.ref[Callable[[], None]] = weakref.WeakMethod(self._sweep)
        self._generation = 0
        self._hits = 0
        self._misses = 0
        self._loads = 0
        self._stale_served = 0
        self._negative_hits = 0

    # -----------------------------------------------------------------------------------------
    # Introspection

    @property
    def registry_name(self) -> str:
        """The wrapped registry's name."""
        return self._registry_name

    @property
    def wrapped(self) -> SchemaRegistry:
        """The registry this cache wraps."""
        return self._registry

    @property
    def config(self) -> CacheConfig:
        """The cache sizes and lifetimes in use."""
        return self._config

    @property
    def stats(self) -> CacheStats:
        """A consistent snapshot of the counters and cache sizes."""
        with self._lock:
            self._missing_definitions.expire()
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                loads=self._loads,
                stale_served=self._stale_served,
                negative_hits=self._negative_hits,
                coalesced=(
                    self._id_flights.coalesced
                    + self._definition_flights.coalesced
                    + self._registrations.coalesced
                ),
                id_entries=len(self._ids),
                definition_entries=len(self._definitions) + len(self._missing_definitions),
            )

    def clear(self) -> None:
        """Drop every cached answer, positive and negative. Counters are kept.

        Listeners (:meth:`subscribe`) are told about every id dropped. Calls already in flight
        complete normally and may store their answer afterwards.
        """
        with self._lock:
            self._forgotten.extend(self._ids)
            self._ids.clear()
            self._stale_ids.clear()
            self._missing_ids.clear()
            self._definitions.clear()
            self._missing_definitions.clear()
        self._announce()

    def subscribe(self, listener: Callable[[frozenset[bytes]], None]) -> None:
        """Call ``listener`` with the ids this cache stops holding fresh.

        The ids (16 raw bytes each, ``uuid.UUID.bytes``) of versions that expired, were evicted
        or were cleared. :class:`~glue_serde.serde.Deserializer` subscribes to drop its
        decoders for them. The listener is held weakly (keep a reference to it; a bound method
        lives as long as its object) and is called without any lock of the cache held, from
        the thread that evicted or cleared, or from the expiry timer's thread.

        Parameters
        ----------
        listener
            Called with a frozenset of ids; its exceptions are logged, not raised.

        Raises
        ------
        ConfigurationError
            If ``listener`` cannot be referenced weakly.
        """
        ref = _weak(listener)
        with self._lock:
            self._listeners = [r for r in self._listeners if r() is not None]
            self._listeners.append(ref)

    def _announce(self) -> None:
        """Tell the listeners about the ids forgotten so far (never with the lock held)."""
        if not self._forgotten:
            return
        with self._lock:
            forgotten, self._forgotten = frozenset(self._forgotten), []
            listeners = [r() for r in self._listeners]
        for listener in listeners:
            if listener is None:
                continue
            try:
                listener(forgotten)
            except Exception:
                _log().exception("a schema cache listener failed")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._registry!r}, config={self._config!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the wrapped registry and the cache settings; the copy starts empty.

        The wrapped registry pickles as its own configuration; cached entries, listeners and
        statistics are not carried over.
        """
        return (_rewrap, (self._registry, self._config))

    # -----------------------------------------------------------------------------------------
    # Expiry of ids: a coarse timer, off every hot path

    def _schedule_sweep(self, expires_at: float, now: float) -> None:
        """Make sure a sweep runs at (or soon after) ``expires_at``. The caller holds the lock."""
        if expires_at == math.inf:
            return
        at = max(expires_at, now + _SWEEP_GAP)
        if at < self._sweep_at:
            self._sweep_at = at
            TIMER.call_later(at - now, self._sweep_ref)

    def _sweep(self) -> None:
        """Move expired ids out of the fresh cache and tell the listeners (timer thread)."""
        with self._lock:
            now = self._clock()
            self._sweep_at = math.inf
            earliest = math.inf
            for raw, entry in list(self._ids.items()):
                if entry.expires_at <= now:
                    del self._ids[raw]
                    self._keep_stale(raw, entry.version)
                    self._forgotten.append(raw)
                else:
                    earliest = min(earliest, entry.expires_at)
            self._schedule_sweep(earliest, now)
        self._announce()

    def _keep_stale(self, raw: bytes, version: SchemaVersion) -> None:
        """Remember an expired version for serve-stale. The caller holds the lock."""
        stale = self._stale_ids
        stale[raw] = version
        stale.move_to_end(raw)
        while len(stale) > self._config.id_cache_size:
            stale.popitem(last=False)

    # -----------------------------------------------------------------------------------------
    # By id: LRU with a TTL, serve-stale, negative cache

    def get_schema_version_by_bytes(self, raw: bytes) -> SchemaVersion:
        """Return the version whose id is these 16 header bytes (the consumer's miss path).

        A hit is one dictionary lookup and a clock reading; a ``uuid.UUID`` is built only on a
        miss.

        Parameters
        ----------
        raw
            The version id as it appears in a record header (bytes 2 to 17), big-endian
            RFC 4122 order (``uuid.UUID.bytes``).

        Returns
        -------
        SchemaVersion
            The version, from the cache or the wrapped registry.

        Raises
        ------
        SchemaNotFoundError
            If no version has this id (remembered for ``negative_ttl`` seconds).
        RegistryError
            If the registry cannot answer (and no stale answer may be served), or answers
            something else than the version asked for.
        ConfigurationError
            If ``raw`` is not 16 bytes (a caller bug, not bad record data).
        """
        ids = self._ids
        with self._lock:
            try:
                entry = ids[raw]
            except (KeyError, TypeError, ValueError):
                # Missing, or not hashable as given (bytearray, writable memoryview):
                # the miss path normalises and validates.
                pass
            else:
                if entry.expires_at > self._clock():
                    ids.move_to_end(raw)
                    self._hits += 1
                    return entry.version
        return self._load_id(raw)

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        """Return the version with this id (Glue ``GetSchemaVersion``), cached for ``id_ttl``.

        Parameters
        ----------
        schema_version_id
            The version id.

        Returns
        -------
        SchemaVersion
            The version, from the cache or the wrapped registry.

        Raises
        ------
        SchemaNotFoundError
            If no version has this id (remembered for ``negative_ttl`` seconds).
        RegistryError
            If the registry cannot answer (and no stale answer may be served), or answers
            something else than the version asked for.
        ConfigurationError
            If ``schema_version_id`` is not a ``uuid.UUID``.
        """
        if not isinstance(schema_version_id, uuid.UUID):
            raise ConfigurationError(
                f"schema_version_id must be a uuid.UUID, got {type(schema_version_id).__name__}"
            )
        return self.get_schema_version_by_bytes(schema_version_id.bytes)

    def _load_id(self, raw: bytes) -> SchemaVersion:
        """Answer an id-cache miss: negative cache, stale answer, or one registry call."""
        if isinstance(raw, (bytearray, memoryview)):
            raw = bytes(raw)
        if not isinstance(raw, bytes) or len(raw) != _ID_SIZE:
            size = len(raw) if isinstance(raw, bytes) else type(raw).__name__
            raise ConfigurationError(
                f"a schema version id is {_ID_SIZE} bytes (uuid.UUID.bytes), got {size}"
            )
        with self._lock:  # the common answers first, without building the closures below
            entry = self._ids.get(raw)
            if entry is not None and entry.expires_at > self._clock():
                self._ids.move_to_end(raw)
                self._hits += 1
                return entry.version
            missing = self._missing_ids.get(raw)
            if missing is not None:
                self._negative_hits += 1
                raise _copy_not_found(missing) from missing
        config = self._config
        stale: SchemaVersion | None = None
        failure: Exception | None = None  # a failed refresh answered with the stale version

        def lookup() -> SchemaVersion | Miss:
            nonlocal stale
            now = self._clock()
            entry = self._ids.get(raw)
            if entry is not None:
                if now < entry.expires_at:
                    self._ids.move_to_end(raw)
                    self._hits += 1
                    return entry.version
                stale = entry.version
            else:
                stale = self._stale_ids.get(raw)
            missing = self._missing_ids.get(raw)
            if missing is not None:
                self._negative_hits += 1
                raise _copy_not_found(missing) from missing
            if stale is not None and config.serve_stale and self._id_flights.busy(raw):
                self._stale_served += 1  # another caller is refreshing it
                return stale
            self._misses += 1
            return MISS

        def settle(version: SchemaVersion | None, error: Exception | None) -> SchemaVersion:
            nonlocal failure
            self._loads += 1
            if error is None:
                assert version is not None
                if version.status is SchemaVersionStatus.AVAILABLE:
                    self._remember_id(raw, version)
                return version
            if isinstance(error, SchemaNotFoundError):
                # Deleted (or never there): forget the old answer, remember the absence.
                if self._ids.pop(raw, None) is not None:
                    self._forgotten.append(raw)
                self._stale_ids.pop(raw, None)
                if config.negative_ttl > 0:
                    self._missing_ids[raw] = error
                raise error
            if stale is not None and self._may_serve_stale(error):
                failure = error
                now = self._clock()
                self._stale_served += 1
                self._ids[raw] = _IdEntry(stale, now + config.stale_retry_interval)
                self._ids.move_to_end(raw)
                self._stale_ids.pop(raw, None)
                self._schedule_sweep(now + config.stale_retry_interval, now)
                return stale
            raise error

        try:
            version = self._id_flights.run(
                raw,
                operation="GetSchemaVersion",
                timeout=config.wait_timeout,
                lookup=lookup,
                call=lambda: self._checked.get_schema_version(uuid.UUID(bytes=raw)),
                settle=settle,
            )
        finally:
            self._announce()
        if failure is not None:
            self._log_stale(f"schema version {version.schema_version_id}", failure)
        return version

    def _may_serve_stale(self, error: Exception) -> bool:
        """Whether a refresh that failed with ``error`` may keep serving the old answer."""
        return self._config.serve_stale and isinstance(error, RegistryError) and error.retryable

    def _log_stale(self, what: str, error: Exception) -> None:
        """Log a stale answer served after a failed refresh (never with the lock held)."""
        _log().warning(
            "serving a stale %s after a failed refresh (next attempt in %.0f s): %s",
            what,
            self._config.stale_retry_interval,
            error,
        )

    def _remember_id(self, raw: bytes, version: SchemaVersion) -> None:
        """Store an AVAILABLE version in the id LRU. The caller holds the lock."""
        now = self._clock()
        expires_at = now + self._config.id_ttl
        ids = self._ids
        ids[raw] = _IdEntry(version, expires_at)
        ids.move_to_end(raw)
        while len(ids) > self._config.id_cache_size:
            evicted, _ = ids.popitem(last=False)
            self._forgotten.append(evicted)
        self._stale_ids.pop(raw, None)
        self._missing_ids.pop(raw, None)
        self._schedule_sweep(expires_at, now)

    # -----------------------------------------------------------------------------------------
    # By definition: TTL with refresh-after-write and serve-stale

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        """Return the version of ``schema_name`` with this definition, or ``None``.

        Glue ``GetSchemaByDefinition``, cached for ``ttl`` seconds (``None`` for
        ``negative_ttl``). After the TTL the next call reloads; if that fails with a retryable
        registry error and ``serve_stale`` is set, the previous version is returned and the
        registry is retried at most once per ``stale_retry_interval``.

        Parameters
        ----------
        schema_name
            The schema to search.
        schema_definition
            The definition text, exactly as it would be registered.
        data_format
            The definition's format.

        Returns
        -------
        SchemaVersion or None
            The matching version, or ``None`` if the registry does not hold it.

        Raises
        ------
        RegistryError
            If the registry cannot answer and no stale answer may be served.
        """
        key = _DefinitionKey(
            registry_name=self._registry_name,
            schema_name=schema_name,
            schema_definition=schema_definition,
            data_format=data_format,
        )
        with self._lock:  # the common answers first, without building the closures below
            entry = self._definitions.get(key)
            if entry is not None and self._clock() < entry.fresh_until:
                self._hits += 1
                return entry.version
            if entry is None and key in self._missing_definitions:
                self._negative_hits += 1
                return None
        config = self._config
        stale: SchemaVersion | None = None
        failure: Exception | None = None  # a failed refresh answered with the stale version
        generation = 0

        def lookup() -> SchemaVersion | Miss | None:
            nonlocal stale, generation
            now = self._clock()
            entry = self._definitions.get(key)
            if entry is not None:
                if now < entry.fresh_until:
                    self._hits += 1
                    return entry.version
                if config.serve_stale:
                    stale = entry.version
                    if now < entry.retry_at or self._definition_flights.busy(key):
                        # An outage is being waited out, or another caller is refreshing.
                        self._stale_served += 1
                        return stale
            elif key in self._missing_definitions:
                self._negative_hits += 1
                return None
            self._misses += 1
            generation = self._generation
            return MISS

        def settle(version: SchemaVersion | None, error: Exception | None) -> SchemaVersion | None:
            nonlocal failure
            self._loads += 1
            if error is not None:
                if stale is not None and self._may_serve_stale(error):
                    failure = error
                    self._stale_served += 1
                    entry = self._definitions.get(key)
                    if entry is not None and entry.version is stale:
                        self._definitions[key] = _DefinitionEntry(
                            version=stale,
                            fresh_until=entry.fresh_until,
                            retry_at=self._clock() + config.stale_retry_interval,
                            generation=entry.generation,
                        )
                    return stale
                raise error
            current = self._definitions.get(key)
            if current is None or current.generation <= generation:
                self._store_definition(key, version, generation)
            elif version is not None and version.status is SchemaVersionStatus.AVAILABLE:
                self._remember_id(version.schema_version_id.bytes, version)
            return version

        try:
            found = self._definition_flights.run(
                key,
                operation="GetSchemaByDefinition",
                timeout=config.wait_timeout,
                lookup=lookup,
                call=lambda: self._checked.find_schema_version(
                    schema_name, schema_definition, data_format
                ),
                settle=settle,
            )
        finally:
            self._announce()
        if failure is not None:
            self._log_stale(f"schema version for {schema_name!r}", failure)
        return found

    def _store_definition(
        self, key: _DefinitionKey, version: SchemaVersion | None, generation: int
    ) -> None:
        """Cache a ``find_schema_version`` answer. The caller holds the lock."""
        now = self._clock()
        if version is None:
            self._definitions.pop(key, None)
            if self._config.negative_ttl > 0:
                self._missing_definitions[key] = generation
        elif version.status is SchemaVersionStatus.AVAILABLE:
            self._missing_definitions.pop(key, None)
            self._definitions[key] = _DefinitionEntry(
                version=version,
                fresh_until=now + self._config.ttl,
                retry_at=now,
                generation=generation,
            )
            self._remember_id(version.schema_version_id.bytes, version)
        else:
            # PENDING and friends may still change: never cached.
            self._definitions.pop(key, None)
            self._missing_definitions.pop(key, None)

    # -----------------------------------------------------------------------------------------
    # Registrations: not cached, single-flighted, results fill the caches

    def create_schema(
        self,
        schema_name: str,
        schema_definition: str,
        data_format: DataFormat,
        *,
        compatibility: Compatibility = Compatibility.BACKWARD,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> SchemaVersion:
        """Create a schema with its first version (Glue ``CreateSchema``), single-flighted.

        Concurrent calls with identical arguments make one registry call and share its
        result or error. An AVAILABLE result fills the id and definition caches.

        Parameters
        ----------
        schema_name, schema_definition, data_format
            The schema and its first definition.
        compatibility
            The schema's compatibility mode.
        description
            Free text stored with the schema.
        tags
            AWS tags for the schema.

        Returns
        -------
        SchemaVersion
            The first version.

        Raises
        ------
        SchemaAlreadyExistsError
            If the schema exists already.
        SchemaError
            If the definition is invalid.
        RegistryError
            If the registry refuses or cannot answer.
        """
        definition = _DefinitionKey(
            registry_name=self._registry_name,
            schema_name=schema_name,
            schema_definition=schema_definition,
            data_format=data_format,
        )
        key = _RegistrationKey(
            operation="CreateSchema",
            definition=definition,
            compatibility=compatibility,
            description=description,
            tags=None if tags is None else tuple(sorted(tags.items())),
        )
        return self._register(
            key,
            lambda: self._checked.create_schema(
                schema_name,
                schema_definition,
                data_format,
                compatibility=compatibility,
                description=description,
                tags=tags,
            ),
        )

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        """Add a version to a schema (Glue ``RegisterSchemaVersion``), single-flighted.

        Concurrent calls with identical arguments make one registry call and share its
        result or error. An AVAILABLE result fills the id and definition caches; a PENDING
        one only drops a remembered "not found" for the definition.

        Parameters
        ----------
        schema_name, schema_definition, data_format
            The schema and the definition to add.

        Returns
        -------
        SchemaVersion
            The new version, or the existing one with an identical definition.

        Raises
        ------
        SchemaNotFoundError
            If the schema does not exist.
        IncompatibleSchemaError
            If the schema's compatibility mode rejects the definition.
        SchemaError
            If the definition is invalid.
        RegistryError
            If the registry refuses or cannot answer.
        """
        key = _RegistrationKey(
            operation="RegisterSchemaVersion",
            definition=_DefinitionKey(
                registry_name=self._registry_name,
                schema_name=schema_name,
                schema_definition=schema_definition,
                data_format=data_format,
            ),
        )
        return self._register(
            key,
            lambda: self._checked.register_schema_version(
                schema_name, schema_definition, data_format
            ),
        )

    def _register(self, key: _RegistrationKey, call: Callable[[], SchemaVersion]) -> SchemaVersion:
        """Run one registration call per key at a time and share its outcome."""

        def settle(version: SchemaVersion | None, error: Exception | None) -> SchemaVersion:
            self._loads += 1
            if error is not None:
                raise error
            assert version is not None
            self._generation += 1
            self._store_definition(key.definition, version, self._generation)
            return version

        try:
            return self._registrations.run(
                key,
                operation=key.operation,
                timeout=self._config.wait_timeout,
                lookup=lambda: MISS,
                call=call,
                settle=settle,
            )
        finally:
            self._announce()

    # -----------------------------------------------------------------------------------------
    # Administrative verbs: forwarded, uncached

    def get_schema(self, schema_name: str) -> SchemaInfo:
        """Forward :meth:`SchemaCatalog.get_schema <glue_serde.registry.SchemaCatalog>`.

        Raises
        ------
        ConfigurationError
            If the wrapped registry has no schema catalog.
        SchemaNotFoundError, RegistryError
            As the wrapped registry.
        """
        return self._checked.get_schema(schema_name)

    def list_schema_versions(self, schema_name: str) -> list[SchemaVersion]:
        """Forward ``list_schema_versions`` (:class:`~glue_serde.registry.SchemaCatalog`).

        Raises
        ------
        ConfigurationError
            If the wrapped registry has no schema catalog.
        SchemaNotFoundError, RegistryError
            As the wrapped registry.
        """
        return self._checked.list_schema_versions(schema_name)

    def update_compatibility(self, schema_name: str, compatibility: Compatibility) -> SchemaInfo:
        """Forward ``update_compatibility`` (:class:`~glue_serde.registry.CompatibilityAdmin`).

        Raises
        ------
        ConfigurationError
            If the wrapped registry cannot change modes.
        SchemaNotFoundError, RegistryError
            As the wrapped registry.
        """
        return self._checked.update_compatibility(schema_name, compatibility)

    def put_schema_version_metadata(
        self, schema_version_id: uuid.UUID, key: str, value: str
    ) -> None:
        """Forward ``put_schema_version_metadata`` (:class:`~glue_serde.registry.MetadataWriter`).

        Raises
        ------
        ConfigurationError
            If the wrapped registry keeps no metadata, or the pair breaks Glue's limits.
        SchemaNotFoundError, RegistryError
            As the wrapped registry.
        """
        self._checked.put_schema_version_metadata(schema_version_id, key, value)

    def audit_events(self, schema_name: str | None = None) -> list[AuditEvent]:
        """Forward ``audit_events`` (:class:`~glue_serde.registry.AuditTrail`).

        Raises
        ------
        ConfigurationError
            If the wrapped registry keeps no audit trail.
        RegistryError
            As the wrapped registry.
        """
        return self._checked.audit_events(schema_name)

    def export_audit_jsonl(
        self, file: str | os.PathLike[str] | IO[str], *, schema_name: str | None = None
    ) -> int:
        """Forward ``export_audit_jsonl`` (:class:`~glue_serde.registry.AuditTrail`).

        Raises
        ------
        ConfigurationError
            If the wrapped registry keeps no audit trail, or the file cannot be written.
        RegistryError
            As the wrapped registry.
        """
        return self._checked.export_audit_jsonl(file, schema_name=schema_name)


# ---------------------------------------------------------------------------------------------
# One cache per registry

_SHARED_LOCK: Final = threading.Lock()
#: (id of the registry, config) -> its cache, while something uses the cache. The cache holds
#: its registry, so the id cannot be reused while the entry exists.
_SHARED: Final[weakref.WeakValueDictionary[tuple[int, CacheConfig], CachingSchemaRegistry]] = (
    weakref.WeakValueDictionary()
)


def shared_cache(
    registry: SchemaRegistry, config: CacheConfig = CacheConfig()
) -> CachingSchemaRegistry:
    """Return the one cache of ``registry`` for ``config``, created on first use.

    What :class:`~glue_serde.serde.Serializer` and :class:`~glue_serde.serde.Deserializer` call,
    so that every serializer and deserializer on one registry object (and one configuration)
    shares one cache: one registry call per id across all of them. The cache lives while any of
    them holds it. A :class:`CachingSchemaRegistry` is returned as it is, whatever ``config``.

    Parameters
    ----------
    registry
        A registry, or a cache.
    config
        The configuration of a cache created here.

    Returns
    -------
    CachingSchemaRegistry
        The shared cache.

    Raises
    ------
    ConfigurationError
        If ``registry`` is not a registry or ``config`` is not a :class:`CacheConfig`.

    Examples
    --------
    >>> from glue_serde.registry.caching import shared_cache
    >>> from glue_serde.registry.memory import InMemorySchemaRegistry
    >>> registry = InMemorySchemaRegistry()
    >>> shared_cache(registry) is shared_cache(registry)
    True
    """
    if isinstance(registry, CachingSchemaRegistry):
        return registry
    if not isinstance(config, CacheConfig):
        raise ConfigurationError(f"cache must be a CacheConfig or None, got {_brief(config)}")
    key = (id(registry), config)
    with _SHARED_LOCK:
        cache = _SHARED.get(key)
        if cache is None or cache.wrapped is not registry:
            cache = CachingSchemaRegistry(registry, config=config)
            _SHARED[key] = cache
    return cache


def _rewrap(registry: SchemaRegistry, config: CacheConfig) -> CachingSchemaRegistry:
    """Unpickle a :class:`CachingSchemaRegistry`: an empty cache over the same registry."""
    return CachingSchemaRegistry(registry, config=config)
