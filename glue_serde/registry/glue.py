"""AWS Glue Schema Registry over boto3: the :class:`SchemaRegistry` for the real service.

The only module of the package that imports boto3 or botocore, and it does so lazily: the
client is built on first use (or passed in ready), never at import time.

What it calls (and the IAM actions a role needs):

=============================  =========================================================
consumer                       ``glue:GetSchemaVersion`` (by id only, so usually on
                               ``Resource: "*"``)
producer, registered schemas   ``glue:GetSchemaByDefinition``
producer, auto-registration    plus ``glue:CreateSchema``, ``glue:RegisterSchemaVersion``,
                               ``glue:GetSchemaVersion`` (polling PENDING versions) and
                               ``glue:PutSchemaVersionMetadata`` (metadata)
CLI ``check --registry``       plus ``glue:GetSchema``, ``glue:ListSchemaVersions``,
                               ``glue:GetRegistry`` (a missing registry vs a new schema)
CLI ``set-compatibility``      ``glue:UpdateSchema``, ``glue:GetSchema``
=============================  =========================================================

Error handling keys on ``ClientError.response["Error"]["Code"]`` through one table,
:data:`ERROR_CODE_MAP`, never on message text (moto and Glue word the same error
differently). Every botocore exception is translated and chained.

Client defaults, when this class builds the boto3 client: a 2 s connect timeout, a 3 s read
timeout and botocore's ``standard`` retries with 3 attempts in total
(:data:`DEFAULT_CONNECT_TIMEOUT`, :data:`DEFAULT_READ_TIMEOUT`, :data:`DEFAULT_MAX_ATTEMPTS`), so
an endpoint that accepts connections but never answers fails a call with
:class:`~glue_serde.errors.RegistryUnavailableError` after about 10 s instead of botocore's
3 x 60 s; a ``botocore_config`` is merged over them. A client passed in ready is used as it is.
Those timeouts are per socket read, so each call also runs under a total deadline,
``call_timeout`` (:data:`DEFAULT_CALL_TIMEOUT`, 15 s), that an endpoint trickling its answer
cannot evade (:mod:`glue_serde.registry._deadline`).

Without the ``glue`` extra (boto3 and botocore), constructing the class raises
:class:`~glue_serde.errors.ConfigurationError` naming ``pip install 'glue-serde[glue]'``.

Transport retries are botocore's ``standard`` mode, set explicitly. Waiting for a version that
Glue returns ``PENDING`` (its compatibility check still running) is a separate, bounded poll
with exponential backoff and jitter under a total deadline (:class:`PendingPollConfig`), not
Java's single 3 s sleep followed by ten back-to-back calls. ``FAILURE`` (rejected by the
compatibility mode; Glue keeps the failed version and its number) and ``DELETING`` end the poll
with :class:`~glue_serde.errors.IncompatibleSchemaError`.

Definition text: this class sends the text it is given, verbatim. The
:class:`~glue_serde.serde.Serializer` gives it the codec's canonical text (for Avro the compact
form Java's ``Schema.toString()`` writes), one stable text per schema, so
``GetSchemaByDefinition`` matches across runs and producers: exactly on moto, by canonical
hash on AWS.

Caching is not done here: :class:`~glue_serde.registry.caching.CachingSchemaRegistry` wraps
this class, once per instance (every ``Serializer`` and ``Deserializer`` on one instance shares
that cache: one ``GetSchemaVersion`` per version id).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import random
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NoReturn, Protocol

from glue_serde._version import __version__
from glue_serde.enums import Compatibility, DataFormat, SchemaStatus, SchemaVersionStatus
from glue_serde.errors import (
    ConfigurationError,
    GlueSerdeError,
    IncompatibleSchemaError,
    RegistryAccessDeniedError,
    RegistryError,
    RegistryThrottledError,
    RegistryUnavailableError,
    SchemaAlreadyExistsError,
    SchemaError,
    SchemaNotFoundError,
    _brief,
)
from glue_serde.registry._deadline import CallDeadline, check_call_timeout, refuse_abandoned
from glue_serde.registry._limits import check_metadata
from glue_serde.schema import (
    DEFAULT_REGISTRY_NAME,
    CompatibilityProblem,
    CompatibilityReport,
    SchemaInfo,
    SchemaVersion,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_READ_TIMEOUT",
    "ERROR_CODE_MAP",
    "GlueClient",
    "GlueSchemaRegistry",
    "PendingPollConfig",
]

#: Seconds to establish a connection, when glue_serde builds the client (botocore: 60).
DEFAULT_CONNECT_TIMEOUT: Final = 2.0
#: Seconds to wait for an answer on an open connection, when glue_serde builds the client
#: (botocore: 60). Glue answers its lookups in milliseconds.
DEFAULT_READ_TIMEOUT: Final = 3.0
#: Attempts per call, the first included (botocore ``standard`` retries; throttling and
#: timeouts are retried with backoff).
DEFAULT_MAX_ATTEMPTS: Final = 3
#: Total seconds one Glue API call may take, attempts and backoff included, whatever the
#: endpoint does (botocore's timeouts are per socket read: a trickling endpoint evades them).
DEFAULT_CALL_TIMEOUT: Final = 15.0

_MISSING_EXTRA: Final = (
    "the Glue backend needs an optional dependency that is not installed ({name}); install it "
    "with: pip install 'glue-serde[glue]'"
)


def _require(name: str) -> None:
    """Raise ConfigurationError if ``name`` cannot be imported (without importing it)."""
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ConfigurationError(_MISSING_EXTRA.format(name=name))


_log = logging.getLogger("glue_serde.registry.glue")


class GlueClient(Protocol):
    """The boto3 Glue client methods this module calls (a real client, or a Stubber's)."""

    def get_schema_version(self, **kwargs: Any) -> dict[str, Any]:
        """GetSchemaVersion."""
        ...

    def get_schema_by_definition(self, **kwargs: Any) -> dict[str, Any]:
        """GetSchemaByDefinition."""
        ...

    def create_schema(self, **kwargs: Any) -> dict[str, Any]:
        """CreateSchema."""
        ...

    def register_schema_version(self, **kwargs: Any) -> dict[str, Any]:
        """RegisterSchemaVersion."""
        ...

    def put_schema_version_metadata(self, **kwargs: Any) -> dict[str, Any]:
        """PutSchemaVersionMetadata."""
        ...

    def get_schema(self, **kwargs: Any) -> dict[str, Any]:
        """GetSchema."""
        ...

    def list_schema_versions(self, **kwargs: Any) -> dict[str, Any]:
        """ListSchemaVersions."""
        ...

    def update_schema(self, **kwargs: Any) -> dict[str, Any]:
        """UpdateSchema."""
        ...

    def get_registry(self, **kwargs: Any) -> dict[str, Any]:
        """GetRegistry."""
        ...


#: ``Error.Code`` -> (glue_serde error class, retryable). ``InvalidInputException`` is
#: special-cased per operation in :func:`_raise_client_error` (a rejection when registering).
ERROR_CODE_MAP: Final[dict[str, tuple[type[GlueSerdeError], bool]]] = {
    "EntityNotFoundException": (SchemaNotFoundError, False),
    "AlreadyExistsException": (SchemaAlreadyExistsError, False),
    "AccessDeniedException": (RegistryAccessDeniedError, False),
    "AccessDenied": (RegistryAccessDeniedError, False),
    "UnrecognizedClientException": (RegistryAccessDeniedError, False),
    "ExpiredTokenException": (RegistryAccessDeniedError, False),
    "InvalidInputException": (SchemaError, False),
    "ResourceNumberLimitExceededException": (RegistryError, False),
    "ConcurrentModificationException": (RegistryError, True),  # Java retries it too
    "ThrottlingException": (RegistryThrottledError, True),
    "Throttling": (RegistryThrottledError, True),
    "TooManyRequestsException": (RegistryThrottledError, True),
    "RequestLimitExceeded": (RegistryThrottledError, True),
    "InternalServiceException": (RegistryUnavailableError, True),
    "OperationTimeoutException": (RegistryUnavailableError, True),
    "ServiceUnavailable": (RegistryUnavailableError, True),
    "ServiceUnavailableException": (RegistryUnavailableError, True),
    "InternalFailure": (RegistryUnavailableError, True),
    "RequestTimeout": (RegistryUnavailableError, True),
    "RequestTimeoutException": (RegistryUnavailableError, True),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingPollConfig:
    """How long and how often to poll a version Glue returned ``PENDING``.

    Parameters
    ----------
    initial_delay
        Seconds before the first poll.
    max_delay
        Cap on one delay.
    multiplier
        Growth of the delay between polls.
    jitter
        Fraction of each delay drawn at random (0 = none, 1 = full jitter).
    timeout
        Total seconds to wait before giving up with a retryable
        :class:`~glue_serde.errors.RegistryUnavailableError`.

    Raises
    ------
    ConfigurationError
        If a value is out of range.
    """

    initial_delay: float = 0.25
    max_delay: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.5
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if not (0 < self.initial_delay <= self.max_delay):
            raise ConfigurationError("need 0 < initial_delay <= max_delay")
        if self.multiplier < 1:
            raise ConfigurationError("multiplier must be >= 1")
        if not 0 <= self.jitter <= 1:
            raise ConfigurationError("jitter must be between 0 and 1")
        if self.timeout <= 0:
            raise ConfigurationError("timeout must be positive")


def _raise_client_error(exc: Exception, operation: str) -> NoReturn:
    """Translate a botocore ``ClientError`` through :data:`ERROR_CODE_MAP` and raise it."""
    response: Mapping[str, Any] = getattr(exc, "response", {}) or {}
    error = response.get("Error", {}) or {}
    code = str(error.get("Code", "") or "")
    message = str(error.get("Message", "") or str(exc))
    status = int((response.get("ResponseMetadata", {}) or {}).get("HTTPStatusCode", 0) or 0)
    text = f"{operation} failed: {code or status}: {message}"
    if code in {"AccessDeniedException", "AccessDenied"}:
        text += f" (the caller needs IAM permission glue:{operation})"
    if code == "InvalidInputException" and operation == "RegisterSchemaVersion":
        # Glue answers some incompatible registrations synchronously with InvalidInput
        # (and DISABLED schemas always): a rejection, not a transient failure.
        report = CompatibilityReport(
            data_format=DataFormat.AVRO,
            compatibility=Compatibility.NONE,
            problems=(
                CompatibilityProblem(
                    kind="GLUE_INVALID_INPUT", path="", direction="backward", message=message
                ),
            ),
            notes=("rejected by AWS Glue; the data format and mode of the check are Glue's",),
        )
        raise IncompatibleSchemaError(text, report=report) from exc
    mapped = ERROR_CODE_MAP.get(code)
    if mapped is not None:
        cls, retryable = mapped
    elif status >= 500 or (code.isdigit() and int(code) >= 500):
        cls, retryable = RegistryUnavailableError, True
    elif status == 429:
        cls, retryable = RegistryThrottledError, True
    else:
        cls, retryable = RegistryError, False
    if cls is SchemaError:
        raise SchemaError(text) from exc
    if cls is SchemaNotFoundError:
        raise SchemaNotFoundError(text, operation=operation, aws_error_code=code) from exc
    assert issubclass(cls, RegistryError)
    raise cls(text, operation=operation, aws_error_code=code or None, retryable=retryable) from exc


@contextlib.contextmanager
def _translated(operation: str) -> Iterator[None]:
    """Turn every botocore exception raised inside into the most specific own error."""
    try:
        from botocore import exceptions as bce  # noqa: PLC0415
    except ImportError as exc:
        raise ConfigurationError(_MISSING_EXTRA.format(name="botocore")) from exc

    try:
        yield
    except bce.ClientError as exc:
        _raise_client_error(exc, operation)
    except (bce.NoCredentialsError, bce.PartialCredentialsError) as exc:
        raise ConfigurationError(
            f"{operation}: no AWS credentials found ({exc}); configure a profile, environment "
            "variables or a role"
        ) from exc
    except (bce.NoRegionError, bce.ParamValidationError) as exc:
        raise ConfigurationError(f"{operation}: {exc}") from exc
    except (
        bce.EndpointConnectionError,
        bce.ConnectionError,
        bce.ConnectTimeoutError,
        bce.ReadTimeoutError,
    ) as exc:
        raise RegistryUnavailableError(
            f"{operation}: cannot reach AWS Glue: {exc}", operation=operation
        ) from exc
    except bce.BotoCoreError as exc:
        raise RegistryUnavailableError(
            f"{operation}: {type(exc).__name__}: {exc}", operation=operation
        ) from exc


def _schema_name_from_arn(arn: str | None) -> str:
    """Return the schema name: the last ``/`` segment of a schema ARN (as Java does)."""
    return (arn or "").rsplit("/", 1)[-1]


def _registry_name_from_arn(arn: str | None, default: str) -> str:
    parts = (arn or "").split("/")
    return parts[-2] if len(parts) >= 3 else default


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class GlueSchemaRegistry:
    """AWS Glue Schema Registry as a :class:`~glue_serde.registry.SchemaRegistry`.

    Parameters
    ----------
    client
        A ready boto3 Glue client (``boto3.client("glue")``, one pointed at an emulator, or one
        wrapped by botocore's ``Stubber``). When omitted one is built on first use from the
        settings below.
    registry_name
        The registry to read and write (Java's default ``default-registry``).
    session
        A ``boto3.Session`` to build the client from.
    region_name, endpoint_url, profile_name
        Used when building the client.
    botocore_config
        A ``botocore.config.Config`` merged over glue_serde's defaults: ``connect_timeout``
        2 s, ``read_timeout`` 3 s, ``standard`` retries with 3 attempts in total, a user agent
        naming glue_serde. A ready ``client`` keeps its own configuration (botocore's defaults
        are 60 s timeouts: give it short ones too).
    pending_poll
        Bounds on waiting for ``PENDING`` versions.
    call_timeout
        Total seconds one Glue API call may take, botocore's attempts and backoff included
        (default :data:`DEFAULT_CALL_TIMEOUT`, 15 s): past it the caller gets a retryable
        :class:`~glue_serde.errors.RegistryUnavailableError`, even from an endpoint that
        trickles its answer a byte at a time. The call runs in a worker thread; an abandoned
        one sends no further retry, and at most four run on per registry (see
        ``glue_serde.registry._deadline``). ``None`` calls in the caller's thread, bounded
        only by the client's own timeouts.
    sleep, clock, rng
        Injected for tests: ``time.sleep``, ``time.monotonic`` and ``random.random`` by default.

    Raises
    ------
    ConfigurationError
        If an argument is invalid, or boto3/botocore is not installed (the ``glue`` extra).

    Examples
    --------
    >>> import boto3  # doctest: +SKIP
    >>> glue = boto3.client("glue", region_name="eu-west-1")  # doctest: +SKIP
    >>> registry = GlueSchemaRegistry(glue, registry_name="payments")  # doctest: +SKIP
    """

    def __init__(
        self,
        client: GlueClient | None = None,
        *,
        registry_name: str = DEFAULT_REGISTRY_NAME,
        session: Any = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        botocore_config: Any = None,
        pending_poll: PendingPollConfig | None = None,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not isinstance(registry_name, str) or not registry_name:
            raise ConfigurationError("registry_name must be a non-empty string")
        if client is not None and session is not None:
            raise ConfigurationError("give either a client or a session, not both")
        _require("botocore")  # every call translates botocore's errors
        if client is None:
            _require("boto3")
        self._client = client
        self._client_given = client is not None
        self._registry_name = registry_name
        self._session = session
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._profile_name = profile_name
        self._botocore_config = botocore_config
        self._poll = pending_poll or PendingPollConfig()
        self._deadline = CallDeadline(check_call_timeout(call_timeout))
        self._registry_found = False
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        parts = [f"registry_name={self._registry_name!r}"]
        endpoint = self._endpoint_url
        if endpoint is not None and "@" in endpoint:  # never show credentials in a URL
            url = urllib.parse.urlsplit(endpoint)
            endpoint = url._replace(netloc=url.netloc.rpartition("@")[2]).geturl()
        for name, value in (
            ("region_name", self._region_name),
            ("endpoint_url", endpoint),
            ("profile_name", self._profile_name),
        ):
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self._client_given:
            parts.append("client=<given>")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def registry_name(self) -> str:
        """The registry this instance reads and writes."""
        return self._registry_name

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the configuration: registry name, region, endpoint, profile; no secrets.

        Credentials, clients and sessions never travel: an unpickled copy (on a Spark
        executor, say) builds its own client from the default credential chain of the
        machine it runs on, with the given profile if any. A given client or session
        contributes its region and endpoint (and a session its explicitly chosen profile).
        The test hooks ``sleep``, ``clock`` and ``rng`` are not kept.
        """
        region, endpoint, profile = self._region_name, self._endpoint_url, self._profile_name
        meta = getattr(self._client, "meta", None)
        if meta is not None:
            region = region or getattr(meta, "region_name", None)
            endpoint = endpoint or getattr(meta, "endpoint_url", None)
        if self._session is not None:
            region = region or getattr(self._session, "region_name", None)
            chosen = getattr(self._session, "profile_name", None)
            if profile is None and chosen not in (None, "default"):
                profile = chosen
        settings: dict[str, Any] = {
            "registry_name": self._registry_name,
            "region_name": region,
            "endpoint_url": endpoint,
            "profile_name": profile,
            "botocore_config": self._botocore_config,
            "pending_poll": self._poll,
        }
        return (_rebuild, (settings,))

    @property
    def client(self) -> GlueClient:
        """The boto3 Glue client, built on first use when none was given.

        Raises
        ------
        ConfigurationError
            If boto3 is not installed or the client cannot be built (no region, bad profile).
        """
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._build_client()
        return self._client

    def _build_client(self) -> GlueClient:
        try:
            import boto3  # noqa: PLC0415
            from botocore.config import Config  # noqa: PLC0415
        except ImportError as exc:
            raise ConfigurationError(_MISSING_EXTRA.format(name=exc.name or "boto3")) from exc
        config = Config(
            connect_timeout=DEFAULT_CONNECT_TIMEOUT,
            read_timeout=DEFAULT_READ_TIMEOUT,
            retries={"mode": "standard", "total_max_attempts": DEFAULT_MAX_ATTEMPTS},
            user_agent_extra=f"glue-serde/{__version__}",
        )
        if self._botocore_config is not None:
            config = config.merge(self._botocore_config)
        with _translated("CreateClient"):
            session = self._session or boto3.Session(profile_name=self._profile_name)
            # Typed as Any: with boto3-stubs installed this is mypy_boto3_glue's client, whose
            # precise signatures are a structural match for GlueClient only at run time.
            client: Any = session.client(
                "glue",
                region_name=self._region_name,
                endpoint_url=self._endpoint_url,
                config=config,
            )
        # An abandoned call (past call_timeout) sends no retry: see registry._deadline.
        client.meta.events.register("before-send.glue", refuse_abandoned)
        glue: GlueClient = client
        return glue

    @contextlib.contextmanager
    def _in_registry(self, operation: str) -> Iterator[None]:
        """Translate a call scoped to this registry; a not-found names a missing registry."""
        try:
            with _translated(operation):
                yield
        except SchemaNotFoundError:
            self._require_registry(operation)
            raise

    def _require_registry(self, operation: str) -> None:
        """After a not-found answer, tell a missing registry from a missing schema.

        Glue answers ``EntityNotFoundException`` for both. One ``GetRegistry`` settles it (once
        it has found the registry, never again); an answer it cannot read (no
        ``glue:GetRegistry`` permission, an outage) leaves the original error standing. The
        default registry is not checked: Glue creates it on first use.
        """
        name = self._registry_name
        if self._registry_found or name == DEFAULT_REGISTRY_NAME:
            return
        try:
            with _translated("GetRegistry"):
                self._call("GetRegistry", "get_registry", RegistryId={"RegistryName": name})
        except SchemaNotFoundError as exc:
            region = getattr(getattr(self.client, "meta", None), "region_name", None)
            where = f" in region {region}" if isinstance(region, str) else ""
            raise ConfigurationError(
                f"{operation}: AWS Glue has no registry {name!r}{where}: check the registry "
                "name (registry_name=, or glue://NAME on the command line) and the region"
            ) from exc
        except GlueSerdeError:
            return  # cannot tell: the schema's not-found stands
        self._registry_found = True

    def _call(self, operation: str, method: str, /, **request: Any) -> Any:
        """Call one client method under the call deadline (see ``call_timeout``)."""
        return self._deadline.run(operation, lambda: getattr(self.client, method)(**request))

    def _schema_id(self, schema_name: str) -> dict[str, str]:
        return {"SchemaName": schema_name, "RegistryName": self._registry_name}

    # ------------------------------------------------------------------ consumer side

    def get_schema_version(self, schema_version_id: uuid.UUID) -> SchemaVersion:
        """Return the version with this id (``GetSchemaVersion``).

        Parameters
        ----------
        schema_version_id
            The id from a record's header.

        Returns
        -------
        SchemaVersion
            With the schema name taken from the ARN's last segment, as Java does.

        Raises
        ------
        SchemaNotFoundError
            Glue does not know the id.
        RegistryError
            Access denied, throttled, unreachable (``.retryable`` tells).
        ConfigurationError
            The id is not a UUID, or the client cannot be built.
        """
        if not isinstance(schema_version_id, uuid.UUID):
            raise ConfigurationError("schema_version_id must be a uuid.UUID")
        try:
            with _translated("GetSchemaVersion"):
                response = self._call(
                    "GetSchemaVersion",
                    "get_schema_version",
                    SchemaVersionId=str(schema_version_id),
                )
        except SchemaNotFoundError as exc:
            raise SchemaNotFoundError(
                str(exc),
                operation="GetSchemaVersion",
                aws_error_code=exc.aws_error_code,
                schema_version_id=schema_version_id,
            ) from exc.__cause__
        return self._version_from(response, schema_version_id)

    def _version_from(
        self,
        response: Mapping[str, Any],
        schema_version_id: uuid.UUID | None = None,
        definition: str | None = None,
        version_number: int | None = None,
    ) -> SchemaVersion:
        raw_id = response.get("SchemaVersionId")
        if raw_id is None and schema_version_id is None:
            raise RegistryError(
                "Glue answered without a schema version id", operation="GetSchemaVersion"
            )
        try:
            version_id = uuid.UUID(str(raw_id)) if raw_id is not None else schema_version_id
            data_format = DataFormat(response.get("DataFormat", "AVRO"))
            status = SchemaVersionStatus(response.get("Status", "AVAILABLE"))
        except ValueError as exc:
            raise RegistryError(f"Glue answered with an unexpected value: {exc}") from exc
        assert version_id is not None
        arn = _text(response.get("SchemaArn"))
        text = response.get("SchemaDefinition", definition)
        if text is None:
            raise RegistryError(
                f"schema definition is not present for schema version {version_id}",
                operation="GetSchemaVersion",
            )
        number = response.get("VersionNumber", version_number)
        return SchemaVersion(
            schema_version_id=version_id,
            schema_name=_schema_name_from_arn(arn),
            data_format=data_format,
            schema_definition=str(text),
            version_number=None if number is None else int(number),
            status=status,
            registry_name=_registry_name_from_arn(arn, self._registry_name),
            created_time=_text(response.get("CreatedTime")),
            schema_arn=arn,
        )

    # ------------------------------------------------------------------ producer side

    def find_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion | None:
        """Return the version of ``schema_name`` with this definition (``GetSchemaByDefinition``).

        A ``PENDING`` hit is polled like a fresh registration; an ``AVAILABLE`` one is completed
        with ``GetSchemaVersion`` (the lookup's answer carries no version number).

        Parameters
        ----------
        schema_name
            The schema inside this registry.
        schema_definition
            The exact text to look up.
        data_format
            The expected format.

        Returns
        -------
        SchemaVersion or None
            None when the schema or the version does not exist.

        Raises
        ------
        IncompatibleSchemaError
            The version exists but ended ``FAILURE``/``DELETING`` while being polled.
        RegistryError
            Access denied, throttled, unreachable, or the schema is of another format.
        """
        try:
            with self._in_registry("GetSchemaByDefinition"):
                response = self._call(
                    "GetSchemaByDefinition",
                    "get_schema_by_definition",
                    SchemaId=self._schema_id(schema_name),
                    SchemaDefinition=schema_definition,
                )
        except SchemaNotFoundError:
            return None
        version = self._version_from(response, definition=schema_definition)
        if version.data_format is not DataFormat(data_format):
            raise RegistryError(
                f"schema {schema_name!r} holds {version.data_format.value} definitions, not "
                f"{DataFormat(data_format).value}",
                operation="GetSchemaByDefinition",
            )
        if version.status is SchemaVersionStatus.PENDING:
            return self._wait_until_available(version, schema_name)
        if version.status is not SchemaVersionStatus.AVAILABLE:
            return None
        # GetSchemaByDefinition omits the version number; one GetSchemaVersion completes the
        # answer (a producer asks once per definition, behind the cache).
        return self.get_schema_version(version.schema_version_id)

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
        """Create a schema with its first version (``CreateSchema``, Compatibility always sent).

        Parameters
        ----------
        schema_name, schema_definition, data_format
            The new schema.
        compatibility
            Its mode (Java's default ``BACKWARD``).
        description, tags
            Optional attributes.

        Returns
        -------
        SchemaVersion
            Version 1 (Glue stores the first version at once).

        Raises
        ------
        SchemaAlreadyExistsError
            The schema exists (another producer won the race).
        SchemaError
            Glue refused the name or the definition (``InvalidInputException``).
        RegistryError
            Access denied, quota reached, throttled, unreachable.
        """
        request: dict[str, Any] = {
            "RegistryId": {"RegistryName": self._registry_name},
            "SchemaName": schema_name,
            "DataFormat": DataFormat(data_format).value,
            "Compatibility": Compatibility(compatibility).value,
            "SchemaDefinition": schema_definition,
        }
        if description is not None:
            request["Description"] = description
        if tags:
            request["Tags"] = dict(tags)
        with self._in_registry("CreateSchema"):
            response = self._call("CreateSchema", "create_schema", **request)
        return SchemaVersion(
            schema_version_id=uuid.UUID(str(response["SchemaVersionId"])),
            schema_name=str(response.get("SchemaName", schema_name)),
            data_format=DataFormat(response.get("DataFormat", data_format)),
            schema_definition=schema_definition,
            version_number=int(response.get("LatestSchemaVersion", 1) or 1),
            status=SchemaVersionStatus(response.get("SchemaVersionStatus", "AVAILABLE")),
            registry_name=str(response.get("RegistryName", self._registry_name)),
            schema_arn=_text(response.get("SchemaArn")),
        )

    def register_schema_version(
        self, schema_name: str, schema_definition: str, data_format: DataFormat
    ) -> SchemaVersion:
        """Add a version to an existing schema (``RegisterSchemaVersion``), polling PENDING.

        Parameters
        ----------
        schema_name, schema_definition
            The schema and the new definition.
        data_format
            The schema's format (Glue fixes it at creation; used for the returned value).

        Returns
        -------
        SchemaVersion
            The new version, or the existing one with an identical definition.

        Raises
        ------
        SchemaNotFoundError
            The schema does not exist.
        IncompatibleSchemaError
            Glue rejected the version: ``FAILURE`` (the version keeps its number) or
            ``InvalidInputException`` (e.g. a ``DISABLED`` schema).
        RegistryUnavailableError
            Still ``PENDING`` at the poll deadline (retryable).
        RegistryError
            Access denied, quota reached, throttled, unreachable.
        """
        with self._in_registry("RegisterSchemaVersion"):
            response = self._call(
                "RegisterSchemaVersion",
                "register_schema_version",
                SchemaId=self._schema_id(schema_name),
                SchemaDefinition=schema_definition,
            )
        version = SchemaVersion(
            schema_version_id=uuid.UUID(str(response["SchemaVersionId"])),
            schema_name=schema_name,
            data_format=DataFormat(data_format),
            schema_definition=schema_definition,
            version_number=int(response["VersionNumber"])
            if response.get("VersionNumber") is not None
            else None,
            status=SchemaVersionStatus(response.get("Status", "AVAILABLE")),
            registry_name=self._registry_name,
        )
        if version.status is SchemaVersionStatus.AVAILABLE:
            return version
        if version.status is SchemaVersionStatus.PENDING:
            return self._wait_until_available(version, schema_name)
        self._reject(version, schema_name)

    def _wait_until_available(self, version: SchemaVersion, schema_name: str) -> SchemaVersion:
        """Poll ``GetSchemaVersion`` with backoff until the version leaves PENDING."""
        poll = self._poll
        deadline = self._clock() + poll.timeout
        delay = poll.initial_delay
        current = version
        while current.status is SchemaVersionStatus.PENDING:
            wait = delay * (1 - poll.jitter * self._rng())
            if self._clock() + wait > deadline:
                raise RegistryUnavailableError(
                    f"schema version {version.schema_version_id} of {schema_name!r} is still "
                    f"PENDING after {poll.timeout:g} s (Glue's compatibility check is slow); "
                    "retry later",
                    operation="GetSchemaVersion",
                    retryable=True,
                )
            self._sleep(wait)
            delay = min(delay * poll.multiplier, poll.max_delay)
            current = self.get_schema_version(version.schema_version_id)
        if current.status is SchemaVersionStatus.AVAILABLE:
            return current
        self._reject(current, schema_name)

    def _reject(self, version: SchemaVersion, schema_name: str) -> NoReturn:
        report = CompatibilityReport(
            data_format=version.data_format,
            compatibility=Compatibility.NONE,
            problems=(
                CompatibilityProblem(
                    kind="GLUE_REJECTED",
                    path="",
                    direction="backward",
                    message=f"AWS Glue set version {version.version_number} to "
                    f"{version.status.value}; run `glue-serde check` for the details",
                    version_number=version.version_number,
                ),
            ),
            notes=("AWS Glue reports a verdict without its reasons",),
        )
        raise IncompatibleSchemaError(
            f"schema {schema_name!r}: AWS Glue rejected the new version "
            f"({version.status.value}, version {version.version_number}, "
            f"id {version.schema_version_id})",
            report=report,
            schema_name=schema_name,
            schema_version_id=version.schema_version_id,
            version_number=version.version_number,
        )

    def put_schema_version_metadata(
        self, schema_version_id: uuid.UUID, key: str, value: str
    ) -> None:
        """Attach a metadata pair to a version (``PutSchemaVersionMetadata``).

        A pair Glue already holds (``AlreadyExistsException``) counts as done. Unlike Java, which
        only logs failures, errors are raised: the caller decides whether metadata matters.

        Parameters
        ----------
        schema_version_id
            The version.
        key, value
            Key 1-128 and value 1-256 characters of Glue's pattern ``[a-zA-Z0-9+-=._./@]+``
            (where ``+-=`` is a range: see :mod:`glue_serde.registry._limits`); Glue keeps at
            most 10 pairs per version (an 11th is ``ResourceNumberLimitExceededException``).

        Raises
        ------
        ConfigurationError
            The pair breaks Glue's limits (checked before any call).
        RegistryError
            Glue refused or failed.
        """
        key, value = check_metadata(key, value)
        try:
            with _translated("PutSchemaVersionMetadata"):
                self._call(
                    "PutSchemaVersionMetadata",
                    "put_schema_version_metadata",
                    SchemaVersionId=str(schema_version_id),
                    MetadataKeyValue={"MetadataKey": key, "MetadataValue": value},
                )
        except SchemaAlreadyExistsError:
            _log.debug("metadata %s already set on %s", key, schema_version_id)

    # ------------------------------------------------------------------ schema-level reads

    def get_schema(self, schema_name: str) -> SchemaInfo:
        """Describe a schema (``GetSchema``).

        Raises
        ------
        SchemaNotFoundError
            The schema does not exist.
        RegistryError
            Access denied, throttled, unreachable.
        """
        with self._in_registry("GetSchema"):
            response = self._call("GetSchema", "get_schema", SchemaId=self._schema_id(schema_name))
        try:
            return SchemaInfo(
                schema_name=str(response.get("SchemaName", schema_name)),
                registry_name=str(response.get("RegistryName", self._registry_name)),
                data_format=DataFormat(response["DataFormat"]),
                compatibility=Compatibility(response.get("Compatibility", "BACKWARD")),
                checkpoint=int(response.get("SchemaCheckpoint", 1) or 1),
                latest_version=_int_or_none(response.get("LatestSchemaVersion")),
                next_version=int(response.get("NextSchemaVersion", 1) or 1),
                description=_text(response.get("Description")),
                status=SchemaStatus(response.get("SchemaStatus", "AVAILABLE")),
                created_time=_text(response.get("CreatedTime")),
                updated_time=_text(response.get("UpdatedTime")),
                schema_arn=_text(response.get("SchemaArn")),
            )
        except (KeyError, ValueError) as exc:
            raise RegistryError(
                f"GetSchema answered unexpectedly: {exc}", operation="GetSchema"
            ) from exc

    def update_compatibility(self, schema_name: str, compatibility: Compatibility) -> SchemaInfo:
        """Change a schema's compatibility mode (``UpdateSchema``), then describe it.

        Not retroactive: the checkpoint moves to the latest version
        (``SchemaVersionNumber={"LatestVersion": True}``, as Glue requires with a new mode), so
        later registrations are checked against it and the versions after it.

        Parameters
        ----------
        schema_name
            The schema.
        compatibility
            The new mode.

        Returns
        -------
        SchemaInfo
            The schema as ``GetSchema`` describes it afterwards.

        Raises
        ------
        ConfigurationError
            The mode or the name is invalid (checked before any call).
        SchemaNotFoundError
            The schema (or the registry) does not exist.
        RegistryError
            Access denied (``glue:UpdateSchema``), throttled, unreachable.
        """
        if not isinstance(schema_name, str) or not schema_name:
            raise ConfigurationError("schema_name must be a non-empty string")
        try:
            mode = Compatibility(compatibility)
        except ValueError:
            raise ConfigurationError(
                f"unknown compatibility mode {_brief(compatibility, 40)}"
            ) from None
        with self._in_registry("UpdateSchema"):
            self._call(
                "UpdateSchema",
                "update_schema",
                SchemaId=self._schema_id(schema_name),
                SchemaVersionNumber={"LatestVersion": True},
                Compatibility=mode.value,
            )
        return self.get_schema(schema_name)

    def list_schema_versions(self, schema_name: str) -> list[SchemaVersion]:
        """Every version of a schema, oldest first (``ListSchemaVersions`` + ``GetSchemaVersion``).

        Raises
        ------
        SchemaNotFoundError
            The schema does not exist.
        RegistryError
            Access denied, throttled, unreachable.
        """
        ids: list[tuple[int, uuid.UUID]] = []
        token: str | None = None
        while True:
            request: dict[str, Any] = {"SchemaId": self._schema_id(schema_name)}
            if token:
                request["NextToken"] = token
            with self._in_registry("ListSchemaVersions"):
                response = self._call("ListSchemaVersions", "list_schema_versions", **request)
            for item in response.get("Schemas", []):
                ids.append((int(item["VersionNumber"]), uuid.UUID(str(item["SchemaVersionId"]))))
            token = response.get("NextToken")
            if not token:
                break
        return [self.get_schema_version(vid) for _, vid in sorted(ids)]


def _rebuild(settings: dict[str, Any]) -> GlueSchemaRegistry:
    """Unpickle a :class:`GlueSchemaRegistry` from its configuration."""
    return GlueSchemaRegistry(**settings)


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(str(value))
