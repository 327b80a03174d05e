"""A KCL (amazon-kclpy MultiLangDaemon) record processor decoding Glue frames.

In an application, subclass ``amazon_kclpy.v3.processor.RecordProcessorBase`` and run
``amazon_kclpy.kcl.KCLProcess(GlueRecordProcessor(...)).run()``. The Java KCL behind the
daemon has already split KPL aggregates; ``record.binary_data`` is one Glue frame.
"""

from glue_serde.errors import DeserializationError
from glue_serde.serde import Deserializer


class GlueRecordProcessor:
    def __init__(self, registry, handle, dead_letter):
        self.deserializer = Deserializer(registry)
        self.handle, self.dead_letter = handle, dead_letter

    def process_records(self, process_records_input):
        for record in process_records_input.records:
            try:
                self.handle(record, self.deserializer.deserialize(record.binary_data))
            except DeserializationError as exc:  # keep the bytes: never lose a record
                self.dead_letter(record, exc)
        process_records_input.checkpointer.checkpoint()

    def _ignore(self, _input):
        pass

    def shard_ended(self, shard_ended_input):
        shard_ended_input.checkpointer.checkpoint()

    initialize = lease_lost = _ignore
    shutdown_requested = shard_ended  # checkpoint before a graceful shutdown too
