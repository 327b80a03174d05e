"""Spark: decode and encode Glue-framed binary columns, like ``from_avro`` / ``to_avro``.

Install with ``pip install 'glue-serde[spark]'`` (pyspark, pyarrow, pandas). The functions
here build Column expressions on the driver; the work runs in Spark's Python workers, one
Arrow batch at a time:

- :func:`from_glue` turns a binary column of Glue frames into a struct column of the reader
  schema (a NULL struct for a bad row in ``PERMISSIVE`` mode);
- :func:`from_glue_with_errors` gives ``struct<value, error>`` so bad rows can go to a
  dead-letter table with their reason;
- :func:`to_glue` turns a column into Glue frames for a Kafka or Kinesis sink;
- :func:`to_spark_schema` is the type mapping (Avro as spark-avro, Protobuf as
  spark-protobuf, JSON Schema with a JSON-string fallback);
- :func:`check_workers` tells whether the workers run an interpreter with glue_serde.

The registry travels to the executors as its configuration (see ``docs/spark.md``): a
:class:`~glue_serde.registry.local.LocalSchemaRegistry` as its file path, a
:class:`~glue_serde.registry.glue.GlueSchemaRegistry` as registry name, region, endpoint and
profile (never credentials). Each Python worker builds its decoder once per column and keeps
it, with its registry cache, across tasks and batches.

On Spark 4.1 and later the UDFs are ``arrow_udf`` (Arrow arrays in and out); before, pandas
UDFs whose flat columns are Arrow-backed (nullable longs never go through float64).
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import TYPE_CHECKING, Any, Final

try:
    import pyarrow as pa  # checked here so the error names the extra
    from pyspark import __version__ as _PYSPARK_VERSION
    from pyspark.sql import Column
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as _exc:  # pragma: no cover - exercised on machines without the extra
    from glue_serde.errors import ConfigurationError

    raise ConfigurationError(
        "the Spark integration needs pyspark and pyarrow: pip install 'glue-serde[spark]'"
    ) from _exc

from glue_serde.codecs import codec_for
from glue_serde.enums import Compression, DataFormat, SchemaVersionStatus
from glue_serde.errors import ConfigurationError, SchemaError, SchemaNotFoundError, _brief
from glue_serde.integrations.spark import _runtime
from glue_serde.integrations.spark._runtime import (
    ERROR_MESSAGE,
    ERROR_TYPE,
    ERROR_VERSION,
    OK,
    BadRowError,
    DecodeSpec,
    EncodeSpec,
)
from glue_serde.integrations.spark._types import (
    Mapping,
    as_nullable,
    avro_mapping,
    json_mapping,
    protobuf_mapping,
    wrap_non_record,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from glue_serde.registry import SchemaRegistry
    from glue_serde.schema import SchemaVersion

__all__ = [
    "BadRowError",
    "check_workers",
    "from_glue",
    "from_glue_with_errors",
    "to_glue",
    "to_spark_schema",
]

#: The oldest pyspark the integration runs on: a pandas UDF of pyspark 3.4 and earlier cannot
#: return a struct nested in a struct ("Nested StructType not supported in conversion to
#: Arrow"), which every record with a nested record, a union or an error column needs.
_MIN_PYSPARK: Final = (3, 5)


def _check_pyspark_version(version: str) -> None:
    """Refuse a pyspark older than :data:`_MIN_PYSPARK` (checked when this module is imported).

    Parameters
    ----------
    version
        ``pyspark.__version__``.

    Raises
    ------
    ConfigurationError
        The version is older than 3.5 (or not a version), with what to do instead.
    """
    numbers = re.match(r"(\d+)\.(\d+)", version)
    if numbers is None or (int(numbers[1]), int(numbers[2])) < _MIN_PYSPARK:
        raise ConfigurationError(
            f"the Spark integration needs pyspark 3.5 or later, not {_brief(version)}: its "
            "pandas UDFs cannot return nested structs before 3.5 (AWS Glue 5.0 and EMR 7 run "
            "Spark 3.5). On an older Spark, decode with a plain glue_serde.Deserializer inside "
            "mapPartitions or mapInPandas (see docs/spark.md)"
        )


_check_pyspark_version(_PYSPARK_VERSION)

_MODES: Final = ("PERMISSIVE", "FAILFAST")
_ENGINES: Final = ("auto", "arrow", "pandas")

#: The error struct of :func:`from_glue_with_errors`.
ERROR_TYPE_SPARK: Final = T.StructType(
    [
        T.StructField("type", T.StringType(), True),
        T.StructField("message", T.StringType(), True),
        T.StructField("schema_version_id", T.StringType(), True),
    ]
)


def _has_arrow_udf() -> bool:
    import pyspark.sql.pandas.functions as udfs  # noqa: PLC0415

    return hasattr(udfs, "arrow_udf")


# ----------------------------------------------------------------------------- type mapping


@functools.lru_cache(maxsize=64)
def _protobuf_class(definition: str, message_name: str | None) -> Any:
    """Return a dynamic message class for a message of a ``.proto`` text (cached per text)."""
    from google.protobuf import descriptor_pool, message_factory  # noqa: PLC0415

    from glue_serde.codecs._protoparse import parse_proto  # noqa: PLC0415

    files = parse_proto(definition)
    pool = descriptor_pool.DescriptorPool()
    try:
        for proto in files.file:
            pool.Add(proto)
        file = pool.FindFileByName(files.file[-1].name)
    except (TypeError, ValueError, KeyError) as exc:
        raise SchemaError(
            f"cannot build descriptors: {exc}", data_format=DataFormat.PROTOBUF
        ) from exc
    top = list(file.message_types_by_name.values())
    if message_name is None:
        if len(top) != 1:
            raise ConfigurationError(
                "the .proto declares "
                f"{len(top)} top-level messages ({', '.join(d.full_name for d in top)}); "
                "pass message_name= to choose the one the column reads"
            )
        descriptor = top[0]
    else:
        try:
            descriptor = pool.FindMessageTypeByName(message_name)
        except KeyError:
            package = file.package
            try:
                descriptor = pool.FindMessageTypeByName(f"{package}.{message_name}")
            except KeyError:
                raise ConfigurationError(
                    f"message {message_name!r} is not declared in the .proto"
                ) from None
    return message_factory.GetMessageClass(descriptor)


def _mapping_for(
    data_format: DataFormat, definition: str, message_name: str | None = None
) -> tuple[Mapping, bool]:
    """Return the column mapping of a reader definition, and whether it was wrapped."""
    if data_format is DataFormat.AVRO:
        mapping = avro_mapping(definition)
    elif data_format is DataFormat.JSON:
        mapping = json_mapping(definition)
    else:
        mapping = protobuf_mapping(_protobuf_class(definition, message_name).DESCRIPTOR)
    wrapped = wrap_non_record(mapping)
    return wrapped, wrapped is not mapping


def to_spark_schema(
    schema: object,
    data_format: DataFormat | str = DataFormat.AVRO,
    *,
    message_name: str | None = None,
) -> T.StructType:
    """Return the Spark ``StructType`` a schema maps to (the type of :func:`from_glue`).

    Avro follows spark-avro's ``SchemaConverters`` (nullable unions, other unions as
    ``member0, member1, ...`` structs, enums as strings, fixed and bytes as binary, decimals,
    date, timestamp-millis/micros as ``TimestampType``, local timestamps as
    ``TimestampNTZType``, maps, arrays; recursive schemas refused). Protobuf follows
    spark-protobuf (messages as structs, oneof members as nullable fields, enums as strings,
    maps, ``Timestamp`` and ``Duration``), with ``uint32``/``fixed32`` widened to long and
    ``uint64``/``fixed64`` to ``decimal(20, 0)`` so no value is changed. JSON Schema objects
    with ``properties`` become structs, ``additionalProperties`` alone a map; what has no
    single Spark type (``oneOf``/``anyOf``/``allOf``, ``patternProperties``, several types,
    recursive ``$ref``, free-form objects) becomes a string column holding the value's JSON.
    A schema whose top level is not a record becomes a struct with one field, ``value``.

    Parameters
    ----------
    schema
        Avro schema (text or parsed JSON), JSON Schema (text or parsed JSON), or Protobuf
        ``.proto`` text or generated message class.
    data_format
        ``AVRO`` (default), ``JSON`` or ``PROTOBUF``.
    message_name
        Protobuf: the message of the ``.proto`` to map, when it declares several.

    Returns
    -------
    StructType
        The column type.

    Raises
    ------
    SchemaError
        The schema does not parse, or cannot be a Spark type (a recursive Avro or Protobuf
        schema, a decimal wider than 38 digits).
    ConfigurationError
        The data format is unknown or ``message_name`` is needed.
    """
    fmt = _format(data_format)
    definition, message_name = _definition(fmt, schema, message_name)
    mapping, _ = _mapping_for(fmt, definition, message_name)
    data_type = mapping.data_type
    assert isinstance(data_type, T.StructType)
    return data_type


def _format(data_format: DataFormat | str) -> DataFormat:
    try:
        return DataFormat(data_format)
    except ValueError:
        raise ConfigurationError(f"unknown data format: {data_format!r}") from None


def _definition(
    fmt: DataFormat, schema: object, message_name: str | None
) -> tuple[str, str | None]:
    """Normalise a user schema to its definition text (and a Protobuf class to its message)."""
    descriptor = getattr(schema, "DESCRIPTOR", None)
    if fmt is DataFormat.PROTOBUF and descriptor is not None and message_name is None:
        message_name = descriptor.full_name
    return codec_for(fmt).canonical_definition(schema), message_name


# ----------------------------------------------------------------------------- from_glue


def _latest(registry: SchemaRegistry, schema_name: str) -> SchemaVersion:
    lister = getattr(registry, "list_schema_versions", None)
    if lister is None:
        raise ConfigurationError(
            f"{type(registry).__name__} cannot list schema versions: pass reader_schema="
        )
    available = [v for v in lister(schema_name) if v.status is SchemaVersionStatus.AVAILABLE]
    if not available:
        raise SchemaNotFoundError(
            f"schema {schema_name!r} has no AVAILABLE version", schema_name=schema_name
        )
    latest = max(available, key=lambda v: v.version_number or 0)
    # list_schema_versions may omit definitions (Glue's ListSchemaVersions does).
    return registry.get_schema_version(latest.schema_version_id)


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value.upper() not in {a.upper() for a in allowed}:
        raise ConfigurationError(f"{what} must be one of {', '.join(allowed)}, got {value!r}")
    return next(a for a in allowed if a.upper() == value.upper())


def _column(col: Column | str) -> Column:
    if isinstance(col, str):
        return F.col(col)
    if isinstance(col, Column):
        return col
    raise ConfigurationError(f"col must be a Column or a column name, not {type(col).__name__}")


def _use_arrow(engine: str) -> bool:
    engine = _check_choice(engine, _ENGINES, "engine")
    if engine == "pandas":
        return False
    available = _has_arrow_udf()
    if engine == "arrow" and not available:
        raise ConfigurationError("engine='arrow' needs pyspark 4.1 or later (arrow_udf)")
    return available


def _udf(body: Any, spec: Any, return_type: T.DataType, arrow: bool, pandas_out: str) -> Any:
    """Wrap a ``_runtime`` batch function as an arrow_udf or a pandas UDF."""
    if arrow:
        import pyspark.sql.pandas.functions as udfs  # noqa: PLC0415

        def run_arrow(batch: Any) -> Any:
            return body(spec, batch)

        # Type hints select the scalar Arrow UDF (pyspark warns when the type is given).
        run_arrow.__annotations__ = {"batch": pa.Array, "return": pa.Array}
        arrow_udf = getattr(udfs, "arrow_udf")  # noqa: B009
        return arrow_udf(run_arrow, return_type)
    import pandas as pd  # noqa: PLC0415

    def run_pandas(batch: Any) -> Any:
        return body(spec, batch)

    # Type hints select the scalar pandas UDF (PandasUDFType is deprecated).
    run_pandas.__annotations__ = {
        "batch": pd.DataFrame if pandas_out == "encode" else pd.Series,
        "return": pd.DataFrame if pandas_out == "decode" else pd.Series,
    }
    return F.pandas_udf(run_pandas, return_type)


def _decode_plan(
    registry: SchemaRegistry,
    *,
    schema_name: str | None,
    reader_schema: object,
    data_format: DataFormat | str | None,
    message_name: str | None,
    mode: str,
) -> tuple[DecodeSpec, T.StructType, T.StructType]:
    """Return the workers' spec, the column's struct and the UDF's flat result struct."""
    mode = _check_choice(mode, _MODES, "mode")
    if reader_schema is None and schema_name is None:
        raise ConfigurationError("give reader_schema, or schema_name to read its latest version")
    if reader_schema is None:
        assert schema_name is not None
        latest = _latest(registry, schema_name)
        fmt = latest.data_format
        if data_format is not None and _format(data_format) is not fmt:
            raise ConfigurationError(
                f"schema {schema_name!r} is {fmt.value}, not {_format(data_format).value}"
            )
        definition = latest.schema_definition
    else:
        if data_format is not None:
            fmt = _format(data_format)
        elif getattr(reader_schema, "DESCRIPTOR", None) is not None:
            fmt = DataFormat.PROTOBUF
        else:
            fmt = DataFormat.AVRO
        definition, message_name = _definition(fmt, reader_schema, message_name)
    mapping, wrapped = _mapping_for(fmt, definition, message_name)
    struct = mapping.data_type
    assert isinstance(struct, T.StructType)
    spec = DecodeSpec(
        token=uuid.uuid4().hex,
        registry_blob=_runtime.registry_blob(registry),
        data_format=fmt,
        reader_definition=definition,
        message_name=message_name,
        failfast=mode == "FAILFAST",
        mapping_args=(definition, message_name),
        wrap=wrapped,
    )
    nullable = as_nullable(struct)
    assert isinstance(nullable, T.StructType)
    flat = T.StructType(
        [T.StructField(f"f{i}", f.dataType, True) for i, f in enumerate(nullable.fields)]
        + [
            T.StructField(OK, T.BooleanType(), True),
            T.StructField(ERROR_TYPE, T.StringType(), True),
            T.StructField(ERROR_MESSAGE, T.StringType(), True),
            T.StructField(ERROR_VERSION, T.StringType(), True),
        ]
    )
    return spec, struct, flat


def from_glue_with_errors(
    col: Column | str,
    registry: SchemaRegistry,
    *,
    schema_name: str | None = None,
    reader_schema: object = None,
    data_format: DataFormat | str | None = None,
    message_name: str | None = None,
    mode: str = "PERMISSIVE",
    engine: str = "auto",
) -> Column:
    """Decode a binary column of Glue frames into ``struct<value, error>``.

    ``value`` is the record as :func:`to_spark_schema` types it (NULL for a bad or null
    frame); ``error`` is NULL for a good row and ``struct<type, message, schema_version_id>``
    for a bad one: the exception class (``FrameError``, ``DecompressionError``,
    ``PayloadError``, ``SchemaNotFoundError``), its message, and the writer version id when
    the header could be read. Filter on ``error IS NOT NULL`` to build a dead-letter table.

    Parameters
    ----------
    col
        The binary column (or its name), e.g. Kafka's ``value`` or Kinesis' ``data``.
    registry
        Where writer schemas are fetched; it is shipped to the executors as its
        configuration (pickled), so it must be a file-backed
        :class:`~glue_serde.registry.local.LocalSchemaRegistry`, a
        :class:`~glue_serde.registry.glue.GlueSchemaRegistry`, or a caching wrapper of one.
    schema_name
        Without ``reader_schema``: the column reads the latest AVAILABLE version of this
        schema, looked up now, on the driver (the output type is fixed at plan time).
    reader_schema
        The schema the column reads: Avro schema text or dict, JSON Schema text or dict, or a
        Protobuf generated class or ``.proto`` text. Records written with other versions are
        resolved to it: Avro schema resolution, JSON by property name, Protobuf by field
        number.
    data_format
        The reader schema's format when ``reader_schema`` is given (``AVRO`` by default, or
        ``PROTOBUF`` for a generated class); taken from the registry with ``schema_name``.
    message_name
        Protobuf: the message the column reads, when the ``.proto`` declares several.
    mode
        ``PERMISSIVE`` (default): bad rows get a NULL value and an error. ``FAILFAST``: the
        first bad row fails the task with :class:`BadRowError` naming it.
    engine
        ``auto`` (``arrow_udf`` on pyspark 4.1+, else a pandas UDF), ``arrow`` or ``pandas``.

    Returns
    -------
    Column
        ``struct<value: struct<...>, error: struct<type, message, schema_version_id>>``.

    Raises
    ------
    ConfigurationError
        Bad arguments, a registry that cannot be shipped (an in-memory one), or pyspark
        without ``arrow_udf`` for ``engine="arrow"``.
    SchemaError
        The reader schema cannot be a Spark type (see :func:`to_spark_schema`).
    SchemaNotFoundError
        ``schema_name`` has no AVAILABLE version.

    Notes
    -----
    A registry failure other than a missing version (throttling, network, access denied)
    is not a bad row: it fails the task, and Spark retries it.
    """
    column = _column(col)
    arrow = _use_arrow(engine)
    spec, struct, flat = _decode_plan(
        registry,
        schema_name=schema_name,
        reader_schema=reader_schema,
        data_format=data_format,
        message_name=message_name,
        mode=mode,
    )
    body = _runtime.decode_arrow if arrow else _runtime.decode_pandas
    result = _udf(body, spec, flat, arrow, "decode")(column)
    value = F.when(
        result[OK], F.struct(*[result[f"f{i}"].alias(f.name) for i, f in enumerate(struct.fields)])
    )
    error = F.when(
        result[ERROR_TYPE].isNotNull(),
        F.struct(
            result[ERROR_TYPE].alias("type"),
            result[ERROR_MESSAGE].alias("message"),
            result[ERROR_VERSION].alias("schema_version_id"),
        ),
    )
    return F.struct(value.alias("value"), error.alias("error"))


def from_glue(
    col: Column | str,
    registry: SchemaRegistry,
    *,
    schema_name: str | None = None,
    reader_schema: object = None,
    mode: str = "PERMISSIVE",
    data_format: DataFormat | str | None = None,
    message_name: str | None = None,
    engine: str = "auto",
) -> Column:
    """Decode a binary column of Glue frames into a struct column, like ``from_avro``.

    A bad row is NULL in ``PERMISSIVE`` mode (use :func:`from_glue_with_errors` to keep the
    reason); ``FAILFAST`` fails the task on it. Parameters, errors and the type mapping are
    those of :func:`from_glue_with_errors` and :func:`to_spark_schema`; the struct's fields
    are all nullable.

    Returns
    -------
    Column
        The decoded record.

    Raises
    ------
    ConfigurationError, SchemaError, SchemaNotFoundError
        As :func:`from_glue_with_errors`.

    Examples
    --------
    >>> from glue_serde.integrations.spark import from_glue  # doctest: +SKIP
    >>> kafka = spark.readStream.format("kafka").load()  # doctest: +SKIP
    >>> decoded = from_glue("value", registry, schema_name="payments")  # doctest: +SKIP
    >>> payments = kafka.select(decoded.alias("p")).select("p.*")  # doctest: +SKIP
    """
    return from_glue_with_errors(
        col,
        registry,
        schema_name=schema_name,
        reader_schema=reader_schema,
        data_format=data_format,
        message_name=message_name,
        mode=mode,
        engine=engine,
    )["value"]


# ------------------------------------------------------------------------------- to_glue


def to_glue(
    col: Column | str,
    registry: SchemaRegistry,
    *,
    schema_name: str,
    schema: object = None,
    data_format: DataFormat | str | None = None,
    compression: Compression | str = Compression.NONE,
    compression_threshold: int = 0,
    allow_non_java_compression: bool = False,
    engine: str = "auto",
) -> Column:
    """Encode a column into Glue frames (binary), like ``to_avro``, for a Kafka/Kinesis sink.

    Each value goes through a :class:`~glue_serde.Serializer` kept warm per worker, with its
    strict checks: a value that does not fit the schema fails the task with
    ``ValidationError`` naming the field. Auto-registration is off: the schema must be
    registered already. A NULL value gives a NULL frame.

    Parameters
    ----------
    col
        The column to encode (usually a struct; ``struct(*df.columns)`` for whole rows).
    registry
        As :func:`from_glue_with_errors` (shipped as its configuration).
    schema_name
        The registered schema.
    schema
        The writer schema; the latest AVAILABLE version of ``schema_name`` when omitted.
    data_format
        The schema's format (``AVRO`` by default when ``schema`` is given).
    compression, compression_threshold, allow_non_java_compression
        As :class:`~glue_serde.Serializer` (``ZSTD`` needs the opt-in: Java readers refuse it).
    engine
        As :func:`from_glue_with_errors`.

    Returns
    -------
    Column
        Binary Glue frames.

    Raises
    ------
    ConfigurationError, SchemaError, SchemaNotFoundError
        Bad arguments, a schema that does not parse, no AVAILABLE version.
    SchemaNotRegisteredError
        The registry does not hold ``schema`` under ``schema_name`` (checked now, on the
        driver).
    """
    from glue_serde.serde import Serializer  # noqa: PLC0415

    column = _column(col)
    arrow = _use_arrow(engine)
    if schema is None:
        latest = _latest(registry, schema_name)
        fmt, definition = latest.data_format, latest.schema_definition
    else:
        fmt = (
            _format(data_format)
            if data_format is not None
            else (
                DataFormat.PROTOBUF
                if getattr(schema, "DESCRIPTOR", None) is not None
                else DataFormat.AVRO
            )
        )
        definition, _ = _definition(fmt, schema, None)
    # Fail on the driver, not in every task: the schema must be registered.
    Serializer(
        registry,
        data_format=fmt,
        schema=definition,
        schema_name=schema_name,
        compression=compression,
        compression_threshold=compression_threshold,
        allow_non_java_compression=allow_non_java_compression,
    ).resolve()
    spec = EncodeSpec(
        token=uuid.uuid4().hex,
        registry_blob=_runtime.registry_blob(registry),
        data_format=fmt,
        schema_definition=definition,
        schema_name=schema_name,
        compression=Compression(compression).value,
        compression_threshold=compression_threshold,
        allow_non_java_compression=allow_non_java_compression is True,
        session_time_zone=None if arrow else _session_time_zone(),
    )
    if arrow:
        return _udf(_runtime.encode_arrow, spec, T.BinaryType(), True, "encode")(column)
    # pyspark's pandas path turns nullable integers into float64 (2**53 + 1 becomes 2**53),
    # at any depth: longs travel as text and are parsed back on the worker, and the value is
    # wrapped in a struct so that it arrives as Python objects.
    writer_type, _ = _mapping_for(fmt, definition)
    wrapped = F.struct(_longs_as_text(column, writer_type.data_type).alias("v"))
    # Aliased: Spark 3.5 cannot derive a name for a UDF over this struct expression.
    return _udf(_runtime.encode_pandas, spec, T.BinaryType(), False, "encode")(wrapped).alias(
        "frame"
    )


def _longs_as_text(column: Column, data_type: T.DataType) -> Column:
    """Cast every long of a column (by the writer's Spark type) to text, at any depth."""
    if isinstance(data_type, T.LongType):
        return column.cast("string")
    if isinstance(data_type, T.StructType):
        return F.when(
            column.isNotNull(),
            F.struct(
                *[_longs_as_text(column[f.name], f.dataType).alias(f.name) for f in data_type]
            ),
        )
    if isinstance(data_type, T.ArrayType):
        element = data_type.elementType
        return F.transform(column, lambda item: _longs_as_text(item, element))
    if isinstance(data_type, T.MapType):
        value = data_type.valueType
        return F.transform_values(column, lambda _, item: _longs_as_text(item, value))
    return column


def _session_time_zone() -> str:
    from pyspark.sql import SparkSession  # noqa: PLC0415

    session = SparkSession.getActiveSession()
    zone = session.conf.get("spark.sql.session.timeZone") if session is not None else None
    if zone is None:
        import datetime  # noqa: PLC0415

        zone = str(datetime.datetime.now().astimezone().tzinfo)
    return str(zone)


# ---------------------------------------------------------------------------- diagnostics


def check_workers(spark: SparkSession) -> None:
    """Check that Spark's Python workers can import this glue_serde (fail fast at start-up).

    Workers run ``python3`` from the ``PATH`` unless ``PYSPARK_PYTHON`` (or
    ``spark.pyspark.python``) names the job's interpreter; such a worker fails every task
    with ``ModuleNotFoundError``. Call this once after building the session.

    Parameters
    ----------
    spark
        The session.

    Raises
    ------
    ConfigurationError
        A worker runs an interpreter without glue_serde, or another glue_serde version or
        Python minor version than the driver.
    """
    import sys  # noqa: PLC0415

    from glue_serde._version import __version__  # noqa: PLC0415

    def probe(_: Any) -> Any:
        # Nested, so it is pickled by value: unpickling it needs no glue_serde on the worker.
        import sys  # noqa: PLC0415

        try:
            from glue_serde._version import __version__  # noqa: PLC0415

            version: str | None = __version__
        except ImportError:
            version = None
        yield (sys.executable, f"{sys.version_info[0]}.{sys.version_info[1]}", version)

    context = spark.sparkContext
    try:
        found = set(context.parallelize([0], 1).mapPartitions(probe).collect())
    except Exception as exc:  # py4j / PythonException: the worker did not even start
        raise ConfigurationError(
            f"Spark's Python workers cannot run ({type(exc).__name__}); check PYSPARK_PYTHON "
            "(or spark.pyspark.python) names an interpreter with glue-serde[spark] installed"
        ) from exc
    driver = (f"{sys.version_info[0]}.{sys.version_info[1]}", __version__)
    for executable, python, version in found:
        if (python, version) != driver:
            raise ConfigurationError(
                f"Spark's Python workers run {executable} (Python {python}, glue_serde "
                f"{version or 'not installed'}); the driver runs Python {driver[0]} with "
                f"glue_serde {driver[1]}. Set PYSPARK_PYTHON (or spark.pyspark.python) to "
                "an interpreter with glue-serde[spark] installed."
            )
