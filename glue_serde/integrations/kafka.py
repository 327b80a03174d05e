"""Kafka client adapters: confluent-kafka and kafka-python serializers and deserializers.

- :class:`KafkaSerializer` is a callable ``(obj, ctx) -> bytes | None`` for confluent-kafka's
  ``SerializingProducer`` (``ctx.topic``, ``ctx.field`` = ``"key"``/``"value"``,
  ``ctx.headers``). The schema name is chosen per topic by a naming strategy; one
  :class:`~glue_serde.serde.Serializer` per (topic, key/value) is created on first use and
  kept in a bounded cache.
- :class:`KafkaDeserializer` is a callable ``(bytes, ctx) -> value`` for
  ``DeserializingConsumer``. A record whose byte 0 is not 3 (for example Confluent framing,
  ``00`` + 4-byte id, written before a migration) goes to a ``secondary_deserializer`` when
  one is configured, as Java's ``secondaryDeserializer`` does; dispatch reads
  ``FrameError.header_version``, never message text.
- :func:`kafka_python_serializer` / :func:`kafka_python_deserializer` wrap them in subclasses of
  kafka-python's ``kafka.serializer.Serializer``/``Deserializer`` (defined on first use, so
  kafka-python stays optional), so topic and headers arrive and no DeprecationWarning fires.
  No ``TypeError`` ever escapes them: kafka-python retries a call that raised ``TypeError``
  with the 2.x signature, which would hide the real error.

Naming strategies (``naming=``; a ``schema_name=`` string fixes one name for every topic):

=====================  ========================  =========================================
strategy               value schema name         key schema name
=====================  ========================  =========================================
``"topic"`` (default)  ``<topic>``               refused: the Java default gives keys the
                                                 topic name too, so key and value schemas
                                                 collide; choose a strategy for keys
``"topic_key_value"``  ``<topic>-value``         ``<topic>-key``
``"record"``           record full name          record full name
``"topic_record"``     ``<topic>-<record name>`` ``<topic>-<record name>``
callable               ``f(topic, False)``       ``f(topic, True)``
=====================  ========================  =========================================

The record name is the Avro ``namespace.name``, the JSON Schema ``title`` or the Protobuf
message's full name.

No Kafka client library is imported at module level. Imports :mod:`glue_serde.serde`,
:mod:`glue_serde.errors` and the base modules; never another integration.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from glue_serde.enums import Compatibility, Compression, DataFormat
from glue_serde.errors import ConfigurationError, FrameError, SerializationError, _brief
from glue_serde.registry.caching import CacheConfig
from glue_serde.serde import Deserializer, Serializer
from glue_serde.wire import HEADER_VERSION

if TYPE_CHECKING:
    from glue_serde._typing import Buffer, Datum
    from glue_serde.registry import SchemaRegistry

__all__ = [
    "KafkaDeserializer",
    "KafkaSerializer",
    "NamingStrategy",
    "kafka_python_deserializer",
    "kafka_python_serializer",
]

#: ``callable(topic, is_key) -> schema name``.
NamingStrategy: TypeAlias = Callable[[str, bool], str]
StrategyName: TypeAlias = Literal["topic", "topic_key_value", "record", "topic_record"]
#: ``callable(data, ctx) -> value`` for records that are not Glue frames.
SecondaryDeserializer: TypeAlias = Callable[[bytes, Any], Any]

#: Distinct (topic, key/value) serializers kept; the oldest is dropped beyond.
DEFAULT_MAX_TOPICS: Final = 1000
_DEFAULT_CACHE: Final = CacheConfig()


def _is_key(ctx: object, default: bool | None) -> bool:
    field = getattr(ctx, "field", None)
    if field is None:
        if default is None:
            raise ConfigurationError(
                "the serialization context names no field (key/value); pass is_key= to the "
                "constructor"
            )
        return default
    # confluent-kafka's MessageField is a str enum ("key"/"value"); plain strings work too.
    return str(getattr(field, "value", field)).lower() == "key"


def _record_name(data_format: DataFormat, schema: object) -> str:
    """Return the record's full name from the writer schema (for the record strategies)."""
    if data_format is DataFormat.PROTOBUF:
        descriptor = getattr(schema, "DESCRIPTOR", None)
        name = getattr(descriptor, "full_name", None)
        if isinstance(name, str) and name:
            return name
        raise ConfigurationError(
            "record naming needs a generated Protobuf message class; pass a callable instead"
        )
    doc: object = schema
    if isinstance(schema, str):
        try:
            doc = json.loads(schema)
        except ValueError as exc:
            raise ConfigurationError("record naming: the schema is not JSON") from exc
    if isinstance(doc, dict):
        if data_format is DataFormat.JSON:
            title = doc.get("title")
            if isinstance(title, str) and title:
                return title
            raise ConfigurationError("record naming needs a JSON Schema with a 'title'")
        name, namespace = doc.get("name"), doc.get("namespace")
        if isinstance(name, str) and name:
            if "." in name or not namespace:
                return name
            return f"{namespace}.{name}"
    raise ConfigurationError("record naming needs a named Avro schema (record, enum or fixed)")


class KafkaSerializer:
    """Serialize Kafka keys or values into Glue frames, naming schemas per topic.

    Parameters
    ----------
    registry
        The schema registry.
    data_format, schema
        As :class:`~glue_serde.serde.Serializer`.
    schema_name
        One fixed schema name for every topic (overrides ``naming``).
    naming
        ``"topic"`` (default; values only), ``"topic_key_value"``, ``"record"``,
        ``"topic_record"`` or ``callable(topic, is_key) -> name``. See the module docstring.
    is_key
        Whether this serializer writes keys, for callers whose context has no ``field``
        (kafka-python). With confluent-kafka the context's field decides.
    auto_register, compatibility, description, compression, compression_threshold, cache
        As :class:`~glue_serde.serde.Serializer`.
    allow_non_java_compression, metadata, to_dict
        As :class:`~glue_serde.serde.Serializer` (zstd needs the first: Java consumers refuse it).
    max_topics
        Bound on the cached per-(topic, field) serializers (the oldest is dropped beyond).

    Raises
    ------
    ConfigurationError
        An argument is invalid, or ``is_key=True`` with the default topic naming (the
        key/value schema-name collision of the Java default).

    Examples
    --------
    >>> # SerializingProducer({"bootstrap.servers": ...,
    >>> #     "key.serializer": KafkaSerializer(reg, data_format="AVRO", schema=KEY,
    >>> #                                       naming="topic_key_value"),
    >>> #     "value.serializer": KafkaSerializer(reg, data_format="AVRO", schema=VALUE)})
    """

    def __init__(
        self,
        registry: SchemaRegistry,
        *,
        data_format: DataFormat | str,
        schema: object,
        schema_name: str | None = None,
        naming: StrategyName | NamingStrategy = "topic",
        is_key: bool | None = None,
        auto_register: bool = False,
        compatibility: Compatibility | str = Compatibility.BACKWARD,
        description: str | None = None,
        compression: Compression | str = Compression.NONE,
        compression_threshold: int = 0,
        allow_non_java_compression: bool = False,
        metadata: Mapping[str, str] | None = None,
        to_dict: Callable[[Any], Datum] | None = None,
        cache: CacheConfig | None = _DEFAULT_CACHE,
        max_topics: int = DEFAULT_MAX_TOPICS,
    ) -> None:
        try:
            self._data_format = DataFormat(data_format)
        except ValueError as exc:
            raise ConfigurationError(f"data_format: {exc}") from None
        if schema_name is not None and (not isinstance(schema_name, str) or not schema_name):
            raise ConfigurationError("schema_name must be a non-empty string")
        if not isinstance(max_topics, int) or max_topics < 1:
            raise ConfigurationError("max_topics must be a positive int")
        self._naming_repr = (
            f"schema_name={schema_name!r}"
            if schema_name is not None
            else f"naming={'<callable>' if callable(naming) else naming!r}"
        )
        self._explicit = schema_name is not None or naming != "topic"
        if is_key and not self._explicit:
            raise ConfigurationError(
                "key serializer with the default topic naming would register keys under the "
                "value's schema name (the Java default's key/value collision); pass "
                "naming='topic_key_value' (or another strategy) or schema_name="
            )
        self._registry = registry
        self._schema = schema
        self._is_key = is_key
        if isinstance(metadata, Mapping):  # as given now: a later change is no topic's
            metadata = dict(metadata)
        self._options: dict[str, Any] = {
            "auto_register": auto_register,
            "compatibility": compatibility,
            "description": description,
            "compression": compression,
            "compression_threshold": compression_threshold,
            "allow_non_java_compression": allow_non_java_compression,
            "metadata": metadata,
            "to_dict": to_dict,
            "cache": cache,
        }
        self._max_topics = max_topics
        self._serializers: OrderedDict[tuple[str, bool], Serializer] = OrderedDict()
        self._lock = threading.Lock()
        # Build one serializer now so a bad schema or option fails at construction.
        self._probe = Serializer(
            registry,
            data_format=self._data_format,
            schema=schema,
            schema_name="probe",
            **self._options,
        )
        if isinstance(schema, os.PathLike):
            # The file is read once: every topic writes the text read now, and producing
            # to a new topic never reads a file (that may have changed or gone since).
            self._schema = self._probe.schema_definition
        self._naming = self._strategy(schema_name, naming, self._schema)

    def _strategy(
        self, schema_name: str | None, naming: StrategyName | NamingStrategy, schema: object
    ) -> NamingStrategy:
        if schema_name is not None:
            fixed = schema_name
            return lambda topic, is_key: fixed
        if callable(naming):
            return naming
        if naming == "topic":
            return lambda topic, is_key: topic
        if naming == "topic_key_value":
            return lambda topic, is_key: f"{topic}-{'key' if is_key else 'value'}"
        if naming in ("record", "topic_record"):
            record = _record_name(self._data_format, schema)
            if naming == "record":
                return lambda topic, is_key: record
            return lambda topic, is_key: f"{topic}-{record}"
        raise ConfigurationError(
            f"unknown naming strategy: {_brief(naming)}; expected 'topic', 'topic_key_value', "
            "'record', 'topic_record' or a callable (topic, is_key) -> schema name"
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._registry!r}, data_format={self._data_format.value}, "
            f"{self._naming_repr}, topics={len(self._serializers)})"
        )

    def schema_name_for(self, topic: str, *, is_key: bool = False) -> str:
        """Return the schema name used for a topic's keys or values.

        Parameters
        ----------
        topic
            The Kafka topic.
        is_key
            Keys (True) or values (False).

        Returns
        -------
        str
            The schema name.

        Raises
        ------
        ConfigurationError
            Keys with the default topic naming, or a strategy returning a non-string.
        """
        if is_key and not self._explicit:
            raise ConfigurationError(
                f"refusing to name the key schema of topic {topic!r} after the topic: the "
                "value schema has that name (the Java default's collision); construct the key "
                "serializer with naming='topic_key_value' or schema_name="
            )
        name = self._naming(topic, is_key)
        if not isinstance(name, str) or not name:
            raise ConfigurationError(
                f"naming strategy returned {_brief(name)} for topic {_brief(topic)}"
            )
        return name

    def serializer_for(self, topic: str, *, is_key: bool = False) -> Serializer:
        """Return the (cached) serializer for a topic's keys or values.

        Parameters
        ----------
        topic
            The Kafka topic.
        is_key
            Keys (True) or values (False).

        Returns
        -------
        Serializer
            The serializer writing this topic's keys or values.

        Raises
        ------
        ConfigurationError
            As :meth:`schema_name_for`.
        """
        key = (topic, is_key)
        # Hot path without the lock (a dict read is atomic); eviction is by insertion order,
        # which only matters beyond ``max_topics`` distinct topics.
        found = self._serializers.get(key)
        if found is not None:
            return found
        created = Serializer(
            self._registry,
            data_format=self._data_format,
            schema=self._schema,
            schema_name=self.schema_name_for(topic, is_key=is_key),
            **self._options,
        )
        with self._lock:
            found = self._serializers.setdefault(key, created)
            while len(self._serializers) > self._max_topics:
                self._serializers.popitem(last=False)
        return found

    def __call__(self, obj: Datum, ctx: object = None) -> bytes | None:
        """Serialize ``obj`` for ``ctx.topic`` (the confluent-kafka serializer signature).

        Parameters
        ----------
        obj
            The key or value; None (a tombstone) gives None.
        ctx
            An object with ``topic`` and ``field`` (``"key"``/``"value"``); ``headers``
            is left as it is.

        Returns
        -------
        bytes or None
            The Glue frame.

        Raises
        ------
        ConfigurationError
            No topic in ``ctx``, or a key with the default topic naming.
        ValidationError, SerializationError, SchemaNotRegisteredError, RegistryError
            As :meth:`~glue_serde.serde.Serializer.serialize`.
        """
        if obj is None:
            return None
        topic = getattr(ctx, "topic", None)
        if not isinstance(topic, str) or not topic:
            raise ConfigurationError("the serialization context has no topic")
        return self.serializer_for(topic, is_key=_is_key(ctx, self._is_key)).serialize(obj)


class KafkaDeserializer:
    """Deserialize Kafka keys or values from Glue frames, with an optional secondary path.

    Parameters
    ----------
    registry
        The schema registry, or a ready :class:`~glue_serde.serde.Deserializer` (then
        ``options`` must be empty).
    secondary_deserializer
        ``callable(data, ctx)`` for records whose first byte is not 3 (e.g. a Confluent
        deserializer during a migration). Without it such records raise :class:`FrameError`.
    **options
        Keyword options of :class:`~glue_serde.serde.Deserializer` (``convert``,
        ``reader_schema``, ``message_class``, ``as_dict``, ``validate``,
        ``max_decompressed_size``, ``cache``).

    Raises
    ------
    ConfigurationError
        An option is invalid, or options are given with a ready deserializer.
    """

    def __init__(
        self,
        registry: SchemaRegistry | Deserializer[Any],
        *,
        secondary_deserializer: SecondaryDeserializer | None = None,
        **options: Any,
    ) -> None:
        if isinstance(registry, Deserializer):
            if options:
                raise ConfigurationError("options cannot be combined with a ready Deserializer")
            self._deserializer: Deserializer[Any] = registry
        else:
            try:
                self._deserializer = Deserializer(registry, **options)
            except TypeError as exc:
                raise ConfigurationError(f"invalid Deserializer option: {exc}") from None
        if secondary_deserializer is not None and not callable(secondary_deserializer):
            raise ConfigurationError("secondary_deserializer must be callable")
        self._secondary = secondary_deserializer

    @property
    def deserializer(self) -> Deserializer[Any]:
        """The Glue deserializer used for frames."""
        return self._deserializer

    def __repr__(self) -> str:
        secondary = "" if self._secondary is None else f", secondary={self._secondary!r}"
        return f"{type(self).__name__}({self._deserializer!r}{secondary})"

    def __call__(self, data: Buffer | None, ctx: object = None) -> Any:
        """Deserialize ``data`` (the confluent-kafka deserializer signature).

        Parameters
        ----------
        data
            The record's key or value bytes; None (a tombstone) gives None.
        ctx
            The serialization context, handed on to the secondary deserializer.

        Returns
        -------
        object
            The decoded value, or what the secondary deserializer returned.

        Raises
        ------
        FrameError
            Empty data, a short frame, a bad compression byte, or byte 0 not 3 without a
            secondary deserializer (the message names the byte).
        DecompressionError, PayloadError, SchemaNotFoundError, RegistryError
            As :meth:`~glue_serde.serde.Deserializer.deserialize`.
        """
        if data is None:
            return None
        try:
            return self._deserializer.deserialize(data)
        except FrameError as exc:
            if (
                self._secondary is None
                or exc.header_version is None
                or exc.header_version == HEADER_VERSION
            ):
                raise
        return self._secondary(bytes(data), ctx)


# ---------------------------------------------------------------------------------------------
# kafka-python


class _Context:
    """The context kafka-python cannot give: topic, field and headers."""

    __slots__ = ("field", "headers", "topic")

    def __init__(self, topic: str, field: str, headers: object) -> None:
        self.topic = topic
        self.field = field
        self.headers = headers


_MISSING: Final = object()
_ADAPTERS: dict[str, type] = {}


def _adapter_classes() -> tuple[type, type]:
    """Define (once) the adapter classes over kafka-python's base classes."""
    if not _ADAPTERS:
        try:
            # kafka-python 3.0 calls the deprecated importlib.resources.read_text while its
            # package imports (Python 3.11+); that warning is about kafka-python, not the caller.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                from kafka.serializer import (  # noqa: PLC0415
                    Deserializer as KafkaPythonDeserializer,
                )
                from kafka.serializer import (  # noqa: PLC0415
                    Serializer as KafkaPythonSerializer,
                )
        except ImportError as exc:
            raise ConfigurationError(
                "kafka-python is not installed; install it with: pip install kafka-python"
            ) from exc

        class GlueKafkaPythonSerializer(KafkaPythonSerializer):  # type: ignore[misc]
            """kafka-python serializer over a :class:`KafkaSerializer`."""

            def __init__(self, inner: KafkaSerializer, field: str) -> None:
                self.inner = inner
                self.field = field

            def serialize(self, topic: str, headers: Any, data: Any = _MISSING) -> Any:
                if data is _MISSING:  # kafka-python 2.x: serialize(topic, value)
                    headers, data = None, headers
                try:
                    return self.inner(data, _Context(topic, self.field, headers))
                except TypeError as exc:
                    # kafka-python 3 retries on TypeError with another signature.
                    raise SerializationError(f"cannot serialize for {topic!r}: {exc}") from exc

        class GlueKafkaPythonDeserializer(KafkaPythonDeserializer):  # type: ignore[misc]
            """kafka-python deserializer over a :class:`KafkaDeserializer`."""

            def __init__(self, inner: KafkaDeserializer, field: str) -> None:
                self.inner = inner
                self.field = field

            def deserialize(self, topic: str, headers: Any, data: Any = _MISSING) -> Any:
                if data is _MISSING:  # kafka-python 2.x: deserialize(topic, bytes)
                    headers, data = None, headers
                try:
                    return self.inner(data, _Context(topic, self.field, headers))
                except TypeError as exc:
                    from glue_serde.errors import PayloadError  # noqa: PLC0415

                    raise PayloadError(f"cannot deserialize from {topic!r}: {exc}") from exc

        _ADAPTERS["serializer"] = GlueKafkaPythonSerializer
        _ADAPTERS["deserializer"] = GlueKafkaPythonDeserializer
    return _ADAPTERS["serializer"], _ADAPTERS["deserializer"]


def kafka_python_serializer(serializer: KafkaSerializer, *, is_key: bool = False) -> Any:
    """Wrap a :class:`KafkaSerializer` for kafka-python's ``KafkaProducer``.

    The returned object subclasses ``kafka.serializer.Serializer``, so kafka-python 3 passes
    topic and headers (and kafka-python 2 the topic) and no DeprecationWarning fires.

    Parameters
    ----------
    serializer
        The serializer to wrap.
    is_key
        True for ``key_serializer`` (the key naming rules apply).

    Returns
    -------
    kafka.serializer.Serializer
        The adapter.

    Raises
    ------
    ConfigurationError
        kafka-python is not installed, or a key adapter over the default topic naming.
    """
    if is_key and not serializer._explicit:
        raise ConfigurationError(
            "key serializer with the default topic naming would collide with the value schema; "
            "use naming='topic_key_value' or schema_name="
        )
    cls = _adapter_classes()[0]
    return cls(serializer, "key" if is_key else "value")


def kafka_python_deserializer(deserializer: KafkaDeserializer, *, is_key: bool = False) -> Any:
    """Wrap a :class:`KafkaDeserializer` for kafka-python's ``KafkaConsumer``.

    Parameters
    ----------
    deserializer
        The deserializer to wrap.
    is_key
        True for ``key_deserializer``.

    Returns
    -------
    kafka.serializer.Deserializer
        The adapter.

    Raises
    ------
    ConfigurationError
        kafka-python is not installed.
    """
    cls = _adapter_classes()[1]
    return cls(deserializer, "key" if is_key else "value")
