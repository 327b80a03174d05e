"""Firehose transformation events: every ``recordId`` answered once, in the dialect received.

:func:`process_firehose_event` and the :func:`firehose_handler` decorator call the user's
transformation on each decoded record and answer ``Ok`` with its output (bytes, UTF-8 text, or
a JSON value written as compact, strict JSON), ``Dropped``, or ``ProcessingFailed`` carrying the
original bytes (``data``, or ``kafkaRecordValue`` for an MSK source). Output that strict JSON
cannot carry as it is (NaN, Infinity, a non-string key, a non-JSON type, nesting beyond 256
levels) fails that record with the reason, never a silent change.

Imports the package's event-field, policy and context modules and :mod:`glue_serde.errors`.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NoReturn, overload

from glue_serde._typing import Datum
from glue_serde.errors import PayloadError, _brief
from glue_serde.integrations.aws_lambda._context import Handler, RecordFunction, bind_context
from glue_serde.integrations.aws_lambda._events import (
    INT64_MAX,
    LambdaEvent,
    as_mapping,
    b64,
    decode_record,
    event_error,
    read_int,
    record_list,
    version_id_of,
)
from glue_serde.integrations.aws_lambda._policy import (
    Failed,
    LambdaResponse,
    OnError,
    Policy,
    handler_decorator,
)

if TYPE_CHECKING:
    from glue_serde.serde import Deserializer

__all__ = [
    "FirehoseEventRecord",
    "FirehoseResult",
    "firehose_handler",
    "process_firehose_event",
]

#: Deepest nesting accepted in a transformation's JSON output.
_MAX_JSON_DEPTH: Final = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class FirehoseEventRecord:
    """One decoded record from a Firehose transformation event.

    Parameters
    ----------
    value
        The decoded value.
    schema_version_id
        The writer schema version id from the frame's header.
    record_id
        Firehose's opaque id, echoed in the response.
    approximate_arrival_timestamp
        Epoch milliseconds.
    metadata
        ``kinesisRecordMetadata`` or ``mskRecordMetadata`` as received (empty for Direct PUT).
    data
        The Glue frame the value was decoded from.
    """

    value: Datum
    schema_version_id: uuid.UUID | None
    record_id: str
    approximate_arrival_timestamp: int | None = None
    metadata: Mapping[str, Any]
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class FirehoseResult:
    """What a Firehose transformation returns for one record when it needs more than data.

    A transformation may also return bytes, a str (UTF-8), any JSON value (written as compact
    JSON) or None (the record is ``Dropped``).

    Parameters
    ----------
    data
        The transformed record: bytes, str, or a JSON value.
    partition_keys
        Dynamic-partitioning keys (``metadata.partitionKeys``).
    dropped
        Answer ``Dropped`` instead of ``Ok`` (``data`` is then ignored).
    """

    data: object = None
    partition_keys: Mapping[str, str] | None = None
    dropped: bool = False


def _check_json(value: object, path: str, depth: int) -> None:
    """Refuse what strict JSON cannot carry as it is, naming where it is."""
    if depth > _MAX_JSON_DEPTH:
        raise PayloadError(
            f"transformation result nests deeper than {_MAX_JSON_DEPTH} levels at {path} (a cycle?)"
        )
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PayloadError(
                f"transformation result holds {value!r} at {path}: strict JSON has no NaN or "
                "Infinity; return a number, null or a string there"
            )
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadError(
                    f"transformation result has a {type(key).__name__} key {_brief(key, 40)} at "
                    f"{path}: JSON object keys are strings; convert it yourself"
                )
            _check_json(item, f"{path}.{key}", depth + 1)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", depth + 1)
        return
    raise PayloadError(
        f"transformation result holds a {type(value).__name__} at {path}, which is not a JSON "
        "value; convert it (str(), float(), ...) or return bytes or str"
    )


def _strict_json(value: object) -> bytes:
    """Return ``value`` as compact, strict JSON (UTF-8), or raise PayloadError saying why."""
    _check_json(value, "$", 0)
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:  # huge ints, lone surrogates
        raise PayloadError(
            f"transformation result is not valid JSON: {type(exc).__name__}: {exc}"
        ) from exc


def _partition_keys(keys: object) -> dict[str, str] | None:
    if keys is None:
        return None
    if not isinstance(keys, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise PayloadError("FirehoseResult.partition_keys must map strings to strings")
    return dict(keys)


def _firehose_output(
    result: object, newline: bool
) -> tuple[str, bytes | None, dict[str, str] | None]:
    """Return the result string, the data (None: keep the original) and partition keys."""
    keys: dict[str, str] | None = None
    if isinstance(result, FirehoseResult):
        keys = _partition_keys(result.partition_keys)
        if result.dropped:
            return "Dropped", None, keys
        result = result.data
    if result is None:
        return "Dropped", None, keys
    if isinstance(result, bytes | bytearray | memoryview):
        data = bytes(result)
    elif isinstance(result, str):
        try:
            data = result.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PayloadError("transformation returned a str that is not valid Unicode") from exc
    else:
        data = _strict_json(result)
    if newline:
        data += b"\n"
    return "Ok", data, keys


def _transform_firehose(
    call: Callable[[FirehoseEventRecord], object],
    rec: Mapping[str, Any],
    record_id: str,
    deserializer: Deserializer[Any],
    newline: bool,
) -> tuple[str, bytes | None, dict[str, str] | None]:
    data_key = "kafkaRecordValue" if "kafkaRecordValue" in rec else "data"
    frame = b64(rec.get(data_key), f"{data_key} of Firehose record {record_id}")
    metadata = rec.get("kinesisRecordMetadata")
    if metadata is None:
        metadata = rec.get("mskRecordMetadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, Mapping):
        raise event_error(f"record metadata of Firehose record {record_id} is not an object")
    arrival = rec.get("approximateArrivalTimestamp", rec.get("approximateArrivalEpoch"))
    if arrival is not None:
        arrival = read_int(
            arrival, f"arrival time of Firehose record {record_id}", minimum=0, maximum=INT64_MAX
        )
    decoded = decode_record(deserializer, frame)
    result = call(
        FirehoseEventRecord(
            value=decoded.value,
            schema_version_id=version_id_of(decoded),
            record_id=record_id,
            approximate_arrival_timestamp=arrival,
            metadata=metadata,
            data=frame,
        )
    )
    return _firehose_output(result, newline)


def process_firehose_event(
    event: LambdaEvent | object,
    fn: RecordFunction[FirehoseEventRecord, object],
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
    newline: bool = False,
    context: Any = None,
    raise_on_entire_batch_failure: bool = False,
) -> LambdaResponse:
    r"""Transform every record of a Firehose event; failures become ``ProcessingFailed``.

    Parameters
    ----------
    event
        The Firehose transformation event (Kinesis, Direct PUT or MSK source).
    fn
        Returns the transformed record: bytes, str (UTF-8), a JSON value (compact, strict
        JSON: NaN, Infinity, non-string keys or non-JSON types fail the record), a
        :class:`FirehoseResult`, or None to drop the record. Also given
        the context when it asks for it (package docstring).
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"`` (``ProcessingFailed`` with the original bytes), ``"raise"`` or
        ``"skip"`` (``Dropped``).
    newline
        Append ``\n`` to every transformed record (useful for S3 delivery). Off by default.
    context
        The Lambda context object, for functions that ask for it.
    raise_on_entire_batch_failure
        Raise :class:`~glue_serde.errors.BatchProcessingError` instead of answering every
        record ``ProcessingFailed``.

    Returns
    -------
    dict
        ``{"records": [{"recordId", "result", "data" | "kafkaRecordValue", ...}]}``: every
        input id once, in order, answering in the dialect received.

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown.
    PayloadError
        The event has no records (Firehose rejects an empty answer), or a record is not an
        object or has no ``recordId`` (it could not be answered).
    BatchProcessingError
        Every record failed and ``raise_on_entire_batch_failure`` is set.
    Exception
        With ``on_error="raise"``, whatever decoding or ``fn`` raised.
    """
    policy: Policy[int] = Policy("Firehose", on_error, raise_on_entire_batch_failure)
    call = bind_context(fn, context)
    records = record_list(as_mapping(event, "Firehose event"), "records", "Firehose event")
    if not records:
        raise event_error("Firehose event has no records (Firehose rejects an empty answer)")
    out: list[dict[str, Any]] = []
    for index, raw_record in enumerate(records):
        rec = as_mapping(raw_record, f"Firehose record #{index}")
        record_id = rec.get("recordId")
        if not isinstance(record_id, str) or not record_id:
            raise event_error(f"Firehose record #{index} has no recordId")
        data_key = "kafkaRecordValue" if "kafkaRecordValue" in rec else "data"
        original = rec.get(data_key)
        answer: dict[str, Any] = {"recordId": record_id}
        outcome = policy.run(
            index,
            record_id,
            _transform_firehose,
            call,
            rec,
            record_id,
            deserializer,
            newline,
        )
        if isinstance(outcome, Failed):
            answer["result"] = "ProcessingFailed" if on_error == "report" else "Dropped"
            answer[data_key] = original if isinstance(original, str) else ""
        else:
            status, data, keys = outcome
            answer["result"] = status
            answer[data_key] = original if data is None else base64.b64encode(data).decode()
            if keys:
                answer["metadata"] = {"partitionKeys": keys}
        out.append(answer)
    return policy.finish(len(records), {"records": out})


# The typed signature: a deserializer is required. The implementation also takes the function
# positionally and no deserializer, only to refuse a bare ``@firehose_handler`` with a clear error.
@overload
def firehose_handler(
    *,
    deserializer: Deserializer[Any],
    on_error: OnError = "report",
    newline: bool = False,
    raise_on_entire_batch_failure: bool = False,
) -> Callable[[RecordFunction[FirehoseEventRecord, object]], Handler]: ...


@overload
def firehose_handler(_fn: Callable[..., object], /) -> NoReturn: ...  # bare use: refused


def firehose_handler(
    _fn: object = None,
    /,
    *,
    deserializer: Deserializer[Any] | None = None,
    on_error: OnError = "report",
    newline: bool = False,
    raise_on_entire_batch_failure: bool = False,
) -> Callable[[RecordFunction[FirehoseEventRecord, object]], Handler]:
    r"""Turn a per-record transformation into a Lambda handler for Firehose events.

    Parameters
    ----------
    deserializer
        Decodes each Glue frame.
    on_error
        ``"report"``, ``"raise"`` or ``"skip"``.
    newline
        Append ``\n`` to every transformed record.
    raise_on_entire_batch_failure
        As :func:`process_firehose_event`.

    Returns
    -------
    callable
        A decorator; the decorated function becomes ``handler(event, context)`` returning
        the Firehose ``records`` response. The function receives the context too when it
        asks for it (a ``lambda_context`` parameter, or two required positional ones).

    Raises
    ------
    ConfigurationError
        ``on_error`` is unknown, no deserializer is given, or the decorator is used bare
        (``@firehose_handler`` without its parentheses), at decoration time.
    """
    return handler_decorator(
        "firehose_handler",
        _fn,
        deserializer,
        on_error,
        process_firehose_event,
        newline=newline,
        raise_on_entire_batch_failure=raise_on_entire_batch_failure,
    )
