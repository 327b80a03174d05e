"""AWS Lambda helpers: Kinesis, Amazon MSK / self-managed Kafka and Firehose events.

Each helper takes the raw event dict Lambda hands a function (a Powertools event or record
object works too: its ``raw_event`` dict is read), decodes every record with a
:class:`~glue_serde.serde.Deserializer`, calls the user's function once per record with the
value and its metadata, and builds the response Lambda expects. **Every record is delivered
or reported on its own**: one bad record never fails the batch, and never hides a sibling.

- Kinesis: ``{"batchItemFailures": [{"itemIdentifier": "<sequenceNumber>"}]}``. KPL aggregates
  are split here (Lambda does not). Every user record of an aggregate is delivered even when
  one of them fails; a failure is reported as the aggregate's sequence number (the only
  identifier Lambda has), so Lambda redelivers the whole aggregate, and the siblings that
  succeeded are delivered again: at-least-once, handlers must be idempotent
  (``sequence_number`` plus ``sub_sequence_number`` identifies a user record).
- Kafka: ``{"batchItemFailures": [{"itemIdentifier": {"topic-partition": "<topic>-<partition>",
  "offset": N}}]}``, one entry for **every** failed record, as AWS documents it
  (aws-lambda-powertools 3.37 writes the key ``"partition"``, see docs/integrations.md).
- Firehose: every ``recordId`` answered once; a failure is ``ProcessingFailed`` carrying the
  original bytes, in the dialect received (``data``, or ``kafkaRecordValue`` for an MSK source).
  A transformation's output must be strict JSON (no NaN or Infinity, string keys): anything
  else fails that record with the reason, never a silent change.

The ``on_error`` policy, applied by one piece of code to every source:
``"report"`` (default; the failure goes into the response), ``"raise"`` (the exception
propagates at once and Lambda retries the whole batch; records after it wait for the retry)
or ``"skip"`` (the record is logged and counted as a success; Firehose answers ``Dropped``).
Every failure is logged on the ``glue_serde.integrations.aws_lambda`` logger with the record's
identifier, the reason and the traceback. When every record fails, the response lists them
all (Lambda then retries the batch); ``raise_on_entire_batch_failure=True`` raises
:class:`~glue_serde.errors.BatchProcessingError` instead, as Powertools does by default, so
the invocation counts as an error.

The user's function receives the Lambda ``context`` when it declares a parameter named
``lambda_context`` (Powertools' convention: ``def handle(record, lambda_context)``, passed by
keyword) or requires exactly two positional arguments (``def handle(record, context)``, passed
by position). Any other function is called with the record alone, as before.

Kafka records decoded by the event source mapping's schema-registry integration carry
``valueSchemaMetadata``/``keySchemaMetadata``:

- ``JSON`` record format: the value is already decoded (a JSON object, or base64 JSON text);
  it is passed through untouched (parsed from JSON when base64 text).
- ``SOURCE`` record format: Lambda strips the 18-byte Glue header; the version id survives as
  ``schemaId``. glue_serde rebuilds an uncompressed header from that id and decodes the payload
  with the deserializer (same cache, same options). Unverified against AWS (no account was
  available): whether SOURCE keeps the Protobuf message index (assumed yes, as Powertools
  assumes) and whether it undoes zlib (assumed yes: a still-compressed payload fails as a
  ``PayloadError`` and is reported, never mis-decoded silently).
- With metadata present, the record format is detected per record (``esm_record_format=None``):
  a non-string value is JSON mode; for JSON Schema both formats read the same. Otherwise the
  payload is SOURCE unless it is a JSON object or array that cannot be a SOURCE payload: it does
  not decode with the writer schema, or it cannot be the JSON rendering of that schema (an Avro
  record is rendered with every field, so ``{}`` is the Avro record ``{a: -62, b: -63}``, not an
  empty JSON object). A payload that reads exactly both ways is a ``PayloadError`` asking for
  ``esm_record_format``; a record's key follows the format found for its value. Pass
  ``esm_record_format`` to fix it (it also skips the trial decode a JSON-mode record costs).

Every field of an event is checked before use (types, base64, integer ranges: no NaN,
infinity, negative offset or 2**64 timestamp gets through): a malformed record fails alone
with a :class:`~glue_serde.errors.PayloadError`; only what cannot be answered at all (no
``Records`` list, a failed record without an identifier to report it by) fails the call.

The package holds one concern per module: ``_events`` reads and checks event fields and
decodes each record's frame; ``_policy`` applies ``on_error`` and the entire-batch rule;
``_context`` calls the user's function with the context it asks for; ``kinesis``, ``kafka``
(with ``_esm``, the event source mapping's record formats) and ``firehose`` each handle one
event source. Import from the package: its names are the API. The modules import
:mod:`glue_serde.wire`, :mod:`glue_serde.errors`, the private KPL reader and the package's
private modules; never Powertools, boto3 or another integration module, and no event source
imports another.
"""

from __future__ import annotations

# Named by the public signatures and the docs, outside ``__all__`` as before: re-exported.
from glue_serde.integrations.aws_lambda._context import Handler as Handler
from glue_serde.integrations.aws_lambda._context import RecordFunction as RecordFunction
from glue_serde.integrations.aws_lambda._events import LambdaEvent as LambdaEvent
from glue_serde.integrations.aws_lambda._policy import LambdaResponse as LambdaResponse
from glue_serde.integrations.aws_lambda._policy import OnError
from glue_serde.integrations.aws_lambda._policy import logger as logger
from glue_serde.integrations.aws_lambda.firehose import (
    FirehoseEventRecord,
    FirehoseResult,
    firehose_handler,
    process_firehose_event,
)
from glue_serde.integrations.aws_lambda.kafka import (
    EsmRecordFormat,
    KafkaEventRecord,
    decode_kafka_record,
    kafka_handler,
    kafka_record_handler,
    process_kafka_event,
)
from glue_serde.integrations.aws_lambda.kafka import Headers as Headers
from glue_serde.integrations.aws_lambda.kinesis import (
    KinesisEventRecord,
    iter_kinesis_records,
    kinesis_handler,
    kinesis_record_handler,
    process_kinesis_event,
)

__all__ = [
    "EsmRecordFormat",
    "FirehoseEventRecord",
    "FirehoseResult",
    "KafkaEventRecord",
    "KinesisEventRecord",
    "OnError",
    "decode_kafka_record",
    "firehose_handler",
    "iter_kinesis_records",
    "kafka_handler",
    "kafka_record_handler",
    "kinesis_handler",
    "kinesis_record_handler",
    "process_firehose_event",
    "process_kafka_event",
    "process_kinesis_event",
]
