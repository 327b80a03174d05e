"""A caching layer that wraps any :class:`~glue_serde.registry.SchemaRegistry`.

Caches are split by mutability (``ARCHITECTURE.md`` section 8, ``glue-registry.md`` sections 6
and 10):

- **Version id -> version.** A Glue version id never changes meaning, so an AVAILABLE version
  is kept without TTL in a bounded LRU. The deserializer's hot path,
  :meth:`CachingSchemaRegistry.get_schema_version_by_bytes`, is keyed on the raw 16 header
  bytes: a hit is one dictionary lookup under a lock, and a ``uuid.UUID`` is built only on a
  miss (building one per record costs about as much as the rest of the lookup several times
  over). Versions in any other status (PENDING, FAILURE, DELETING) are **not cached**: a PENDING
  version is polled by id until it settles, and a cache would hide the change.
- **Unknown id.** :class:`~glue_serde.errors.SchemaNotFoundError` is remembered for
  ``negative_ttl`` seconds, so a stream full of one unknown id costs one registry call per
  window instead of one per record.
- **(schema name, definition, format) -> version** (Glue ``GetSchemaByDefinition``). This can
  change (a schema can be deleted and re-created), so it is refreshed after ``ttl`` (Java's
  ``timeToLiveMillis``, 24 h): the first call after the TTL reloads. If that reload fails with
  a retryable :class:`~glue_serde.errors.RegistryError` and ``serve_stale`` is set, the old
  answer keeps being served and the registry is asked again at most once per
  ``stale_retry_interval`` (Java retries on every call). Non-retryable errors propagate. A
  ``None`` answer is remembered for ``negative_ttl`` only and is never served stale (during an
  outage "not registered" would be a wrong answer; the caller gets the error instead). Only
  AVAILABLE versions are cached here too.

Every miss is **single-flighted**: concurrent callers missing on the same key wait for one
registry call and all get its result or its exception. Registrations
(:meth:`~CachingSchemaRegistry.create_schema`,
:meth:`~CachingSchemaRegistry.register_schema_version`) are not cached but are single-flighted
per (registry, name, definition, format and options), so concurrent producers registering the
same schema make one call (Java makes one per producer); an AVAILABLE result fills both caches.
No lock is held during a registry call. While one caller refreshes an expired definition entry,
concurrent callers are served the previous answer (Guava's refresh-after-write), unless
``serve_stale`` is off.

Imports only the package's base modules (and :mod:`cachetools`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

from cachetools import LRUCache

from glue_serde.enums import Compatibility, DataFormat, SchemaVersionStatus
from glue_serde.errors import ConfigurationError, RegistryError, SchemaNotFoundError
from glue_serde.schema import SchemaVersion

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from glue_serde.registry._base import SchemaRegistry

__all__ = ["CacheConfig", "CacheStats", "CachingSchemaRegistry"]

_log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Length of a schema version id on the wire (``glue_serde.wire.SCHEMA_VERSION_ID_SIZE``;
#: not imported, the registry layer does not depend on ``wire``).
_ID_SIZE = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheConfig:
    """Sizes and lifetimes of :class:`CachingSchemaRegistry`'s caches.

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
        Version ids have no TTL: their meaning never changes.
    serve_stale
        When a refresh fails with a retryable :class:`~glue_serde.errors.RegistryError`, keep
        serving the previous answer (Java's behaviour). When off, the error propagates.
    stale_retry_interval
        While serving a stale answer, ask the registry again at most this often (seconds).
    negative_ttl
        Seconds a "not found" answer is remembered (an unknown version id, or a definition the
        registry does not hold). ``0`` disables negative caching.

    Raises
    ------
    ConfigurationError
        If a size is not a positive integer, or a duration is negative or not a number.

    Examples
    --------
    >>> from glue_serde.registry.caching import CacheConfig
    >>> CacheConfig(max_size=50, ttl=300.0).ttl
    300.0
    """

    max_size: int = 200
    id_cache_size: int = 1_000
    ttl: float = 86_400.0
    serve_stale: bool = True
    stale_retry_interval: float = 30.0
    negative_ttl: float = 5.0

    def __post_init__(self) -> None:
        for name in ("max_size", "id_cache_size"):
            value: object = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"CacheConfig.{name} must be a positive integer, got {value!r}"
                )
        for name in ("ttl", "stale_retry_interval", "negative_ttl"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or math.isnan(value)
                or value < 0
            ):
                raise ConfigurationError(
                    f"CacheConfig.{name} must be a number of seconds >= 0, got {value!r}"
                )
        if not isinstance(self.serve_stale, bool):
            raise ConfigurationError(
                f"CacheConfig.serve_stale must be True or False, got {self.serve_stale!r}"
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
        Lookups answered with an expired definition entry: during an outage, or while
        another caller refreshes it.
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


@dataclass(frozen=True, slots=True, kw_only=True)
class _DefinitionKey:
    """What ``find_schema_version`` is keyed on; also the core of a registration key."""

    registry_name: str
    schema_name: str
    schema_definition: str
    data_format: DataFormat


@dataclass(frozen=True, slots=True, kw_only=True)
class _RegistrationKey:
    """Identifies one registration call, so identical concurrent ones share a flight."""

    operation: Literal["CreateSchema", "RegisterSchemaVersion"]
    definition: _DefinitionKey
    compatibility: Compatibility | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _DefinitionEntry:
    """A cached ``find_schema_version`` answer (``None`` for a negative one)."""

    version: SchemaVersion | None
    #: Clock reading until which the entry is fresh.
    fresh_until: float
    #: Clock reading before which no refresh is attempted (set after a failed refresh).
    retry_at: float
    #: Write generation; a lookup never overwrites an entry a later registration wrote.
    generation: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _MissingId:
    """A remembered ``SchemaNotFoundError`` for one version id."""

    error: SchemaNotFoundError
    until: float


class _Abandoned(Exception):
    """The leading caller was interrupted (``KeyboardInterrupt``...); a waiter should retry."""


class _Flight(Generic[_T]):
    """One in-flight registry call; callers missing on the same key wait on it."""

    __slots__ = ("_abandoned", "_done", "_error", "_value")

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: _T | None = None
        self._error: Exception | None = None
        self._abandoned = False

    def resolve(self, value: _T) -> None:
        self._value = value
        self._done.set()

    def fail(self, error: Exception) -> None:
        self._error = error
        self._done.set()

    def abandon(self) -> None:
        self._abandoned = True
        self._done.set()

    def wait(self) -> _T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        if self._abandoned:
            raise _Abandoned
        return cast("_T", self._value)


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


class CachingSchemaRegistry:
    """Wrap a schema registry with id, definition and negative caches plus single-flight.

    Implements :class:`~glue_serde.registry.SchemaRegistry`. Any other attribute (for example
    a registry's audit methods) is looked up on the wrapped registry. Thread-safe.

    Parameters
    ----------
    registry
        The registry to wrap (embedded, Glue, or your own).
    config
        Cache sizes and lifetimes.
    clock
        Monotonic time source in seconds; inject one in tests.

    Raises
    ------
    ConfigurationError
        If ``config`` is not a :class:`CacheConfig`.

    Examples
    --------
    >>> from glue_serde.registry.caching import CacheConfig, CachingSchemaRegistry
    >>> cached = CachingSchemaRegistry(registry, config=CacheConfig(ttl=600.0))  # doctest: +SKIP
    >>> version = cached.get_schema_version(version_id)  # doctest: +SKIP
    """

    __slots__ = (
        "_clock",
        "_coalesced",
        "_config",
        "_definition_flights",
        "_definitions",
        "_generation",
        "_hits",
        "_id_flights",
        "_ids",
        "_loads",
        "_lock",
        "_misses",
        "_missing_ids",
        "_negative_hits",
        "_registrations",
        "_registry",
        "_registry_name",
        "_stale_served",
    )

    def __init__(
        self,
        registry: SchemaRegistry,
        *,
        config: CacheConfig = CacheConfig(),  # frozen: one shared default is safe
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(config, CacheConfig):
            raise ConfigurationError(f"config must be a CacheConfig, got {config!r}")
        self._registry = registry
        self._registry_name = registry.registry_name
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        # The id cache is a plain OrderedDict LRU rather than cachetools.LRUCache: it is hit
        # once per record, and the C-level move_to_end hit measured ~40 % cheaper.
        self._ids: OrderedDict[bytes, SchemaVersion] = OrderedDict()
        self._missing_ids: OrderedDict[bytes, _MissingId] = OrderedDict()
        self._definitions: LRUCache[_DefinitionKey, _DefinitionEntry] = LRUCache(
            maxsize=config.max_size
        )
        self._id_flights: dict[bytes, _Flight[SchemaVersion]] = {}
        self._definition_flights: dict[_DefinitionKey, _Flight[SchemaVersion | None]] = {}
        self._registrations: dict[_RegistrationKey, _Flight[SchemaVersion]] = {}
        self._generation = 0
        self._hits = 0
        self._misses = 0
        self._loads = 0
        self._stale_served = 0
        self._negative_hits = 0
        self._coalesced = 0

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
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                loads=self._loads,
                stale_served=self._stale_served,
                negative_hits=self._negative_hits,
                coalesced=self._coalesced,
                id_entries=len(self._ids),
                definition_entries=len(self._definitions),
            )

    def clear(self) -> None:
        """Drop every cached answer, positive and negative. Counters are kept.

        Calls already in flight complete normally and may store their answer afterwards.
        """
        with self._lock:
            self._ids.clear()
            self._missing_ids.clear()
            self._definitions.clear()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the wrapped registry and the cache settings; the copy starts empty.

        The wrapped registry pickles as its own configuration; cached entries and statistics
        are not carried over.
        """
        return (_rewrap, (self._registry, self._config))

    def __getattr__(self, name: str) -> Any:  # dynamic by nature: whatever the registry has
        """Look up registry-specific extras (e.g. audit methods) on the wrapped registry.

        Raises
        ------
        AttributeError
            If neither this object nor the wrapped registry has the attribute.
        """
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._registry, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._registry!r}, config={self._config!r})"

    # -----------------------------------------------------------------------------------------
    # By id: immutable, LRU without TTL

    def get_schema_version_by_bytes(self, raw: bytes) -> SchemaVersion:
        """Return the version whose id is these 16 header bytes (the consumer's hot path).

        A hit is one dictionary lookup; a ``uuid.UUID`` is built only on a miss.

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
            If the registry cannot answer.
        ConfigurationError
            If ``raw`` is not 16 bytes (a caller bug, not bad record data).
        """
        # Attribute lookups are not specialised on a class with __getattr__: read each once.
        ids = self._ids
        with self._lock:
            try:
                version = ids[raw]
            except (KeyError, TypeError, ValueError):
                # Missing, or not hashable as given (bytearray, writable memoryview):
                # the miss path normalises and validates.
                pass
            else:
                ids.move_to_end(raw)
                self._hits += 1
                return version
        return self._load_id(raw)

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        """Return the version with this id (Glue ``GetSchemaVersion``), cached without TTL.

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
            If the registry cannot answer.
        ConfigurationError
            If ``schema_version_id`` is not a ``uuid.UUID``.
        """
        try:
            raw = schema_version_id.bytes
        except AttributeError:
            raise ConfigurationError(
                f"schema_version_id must be a uuid.UUID, got {type(schema_version_id).__name__}"
            ) from None
        return self.get_schema_version_by_bytes(raw)

    def _load_id(self, raw: bytes) -> SchemaVersion:
        """Answer an id-cache miss: negative cache, then single-flighted registry call."""
        if isinstance(raw, (bytearray, memoryview)):
            raw = bytes(raw)
        if not isinstance(raw, bytes) or len(raw) != _ID_SIZE:
            size = len(raw) if isinstance(raw, bytes) else type(raw).__name__
            raise ConfigurationError(
                f"a schema version id is {_ID_SIZE} bytes (uuid.UUID.bytes), got {size}"
            )
        while True:
            with self._lock:
                version = self._ids.get(raw)
                if version is not None:
                    self._ids.move_to_end(raw)
                    self._hits += 1
                    return version
                missing = self._missing_ids.get(raw)
                if missing is not None:
                    if self._clock() < missing.until:
                        self._negative_hits += 1
                        raise _copy_not_found(missing.error) from missing.error
                    del self._missing_ids[raw]
                self._misses += 1
                flight = self._id_flights.get(raw)
                lead = flight is None
                if flight is None:
                    flight = self._id_flights[raw] = _Flight()
                else:
                    self._coalesced += 1
            if lead:
                return self._fetch_id(raw, flight)
            try:
                return flight.wait()
            except _Abandoned:
                continue

    def _fetch_id(self, raw: bytes, flight: _Flight[SchemaVersion]) -> SchemaVersion:
        """Make the one registry call for an id and publish its outcome to the waiters."""
        try:
            version = self._registry.get_schema_version(uuid.UUID(bytes=raw))
        except SchemaNotFoundError as exc:
            with self._lock:
                self._loads += 1
                negative_ttl = self._config.negative_ttl
                if negative_ttl > 0:
                    self._missing_ids[raw] = _MissingId(
                        error=exc, until=self._clock() + negative_ttl
                    )
                    self._missing_ids.move_to_end(raw)
                    while len(self._missing_ids) > self._config.id_cache_size:
                        self._missing_ids.popitem(last=False)
                del self._id_flights[raw]
            flight.fail(exc)
            raise
        except Exception as exc:
            with self._lock:
                self._loads += 1
                del self._id_flights[raw]
            flight.fail(exc)
            raise
        except BaseException:
            with self._lock:
                del self._id_flights[raw]
            flight.abandon()
            raise
        with self._lock:
            self._loads += 1
            if version.status is SchemaVersionStatus.AVAILABLE:
                self._remember_id(raw, version)
            del self._id_flights[raw]
        flight.resolve(version)
        return version

    def _remember_id(self, raw: bytes, version: SchemaVersion) -> None:
        """Store an AVAILABLE version in the id LRU. The caller holds the lock."""
        ids = self._ids
        ids[raw] = version
        ids.move_to_end(raw)
        while len(ids) > self._config.id_cache_size:
            ids.popitem(last=False)
        self._missing_ids.pop(raw, None)

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
        while True:
            with self._lock:
                now = self._clock()
                entry = self._definitions.get(key)
                stale: SchemaVersion | None = None
                if entry is not None:
                    if now < entry.fresh_until:
                        if entry.version is None:
                            self._negative_hits += 1
                        else:
                            self._hits += 1
                        return entry.version
                    if entry.version is not None and self._config.serve_stale:
                        stale = entry.version
                        if now < entry.retry_at or key in self._definition_flights:
                            # An outage is being waited out, or another caller is refreshing.
                            self._stale_served += 1
                            return stale
                self._misses += 1
                flight = self._definition_flights.get(key)
                lead = flight is None
                if flight is None:
                    flight = self._definition_flights[key] = _Flight()
                else:
                    self._coalesced += 1
                generation = self._generation
            if lead:
                return self._fetch_definition(key, flight, stale, generation)
            try:
                return flight.wait()
            except _Abandoned:
                continue

    def _fetch_definition(
        self,
        key: _DefinitionKey,
        flight: _Flight[SchemaVersion | None],
        stale: SchemaVersion | None,
        generation: int,
    ) -> SchemaVersion | None:
        """Make the one registry call for a definition and publish its outcome."""
        try:
            version = self._registry.find_schema_version(
                key.schema_name, key.schema_definition, key.data_format
            )
        except Exception as exc:
            serve = stale is not None and isinstance(exc, RegistryError) and exc.retryable
            with self._lock:
                self._loads += 1
                del self._definition_flights[key]
                if serve:
                    self._stale_served += 1
                    entry = self._definitions.get(key)
                    if entry is not None and entry.version is stale:
                        self._definitions[key] = _DefinitionEntry(
                            version=stale,
                            fresh_until=entry.fresh_until,
                            retry_at=self._clock() + self._config.stale_retry_interval,
                            generation=entry.generation,
                        )
            if serve:
                _log.warning(
                    "serving a stale schema version for %r after a failed refresh "
                    "(next attempt in %.0f s): %s",
                    key.schema_name,
                    self._config.stale_retry_interval,
                    exc,
                )
                flight.resolve(stale)
                return stale
            flight.fail(exc)
            raise
        except BaseException:
            with self._lock:
                del self._definition_flights[key]
            flight.abandon()
            raise
        with self._lock:
            self._loads += 1
            current = self._definitions.get(key)
            if current is None or current.generation <= generation:
                self._store_definition(key, version, generation)
            elif version is not None and version.status is SchemaVersionStatus.AVAILABLE:
                self._remember_id(version.schema_version_id.bytes, version)
            del self._definition_flights[key]
        flight.resolve(version)
        return version

    def _store_definition(
        self, key: _DefinitionKey, version: SchemaVersion | None, generation: int
    ) -> None:
        """Cache a ``find_schema_version`` answer. The caller holds the lock."""
        now = self._clock()
        if version is None:
            if self._config.negative_ttl > 0:
                self._definitions[key] = _DefinitionEntry(
                    version=None,
                    fresh_until=now + self._config.negative_ttl,
                    retry_at=now,
                    generation=generation,
                )
            else:
                self._definitions.pop(key, None)
        elif version.status is SchemaVersionStatus.AVAILABLE:
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
            lambda: self._registry.create_schema(
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
            lambda: self._registry.register_schema_version(
                schema_name, schema_definition, data_format
            ),
        )

    def _register(self, key: _RegistrationKey, call: Callable[[], SchemaVersion]) -> SchemaVersion:
        """Run one registration call per key at a time and share its outcome."""
        while True:
            with self._lock:
                flight = self._registrations.get(key)
                lead = flight is None
                if flight is None:
                    flight = self._registrations[key] = _Flight()
                else:
                    self._coalesced += 1
            if not lead:
                try:
                    return flight.wait()
                except _Abandoned:
                    continue
            try:
                version = call()
            except Exception as exc:
                with self._lock:
                    self._loads += 1
                    del self._registrations[key]
                flight.fail(exc)
                raise
            except BaseException:
                with self._lock:
                    del self._registrations[key]
                flight.abandon()
                raise
            with self._lock:
                self._loads += 1
                self._generation += 1
                self._store_definition(key.definition, version, self._generation)
                del self._registrations[key]
            flight.resolve(version)
            return version


def _rewrap(registry: SchemaRegistry, config: CacheConfig) -> CachingSchemaRegistry:
    """Unpickle a :class:`CachingSchemaRegistry`: an empty cache over the same registry."""
    return CachingSchemaRegistry(registry, config=config)
