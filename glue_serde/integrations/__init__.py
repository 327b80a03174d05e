"""Integrations with Kafka clients, Kinesis and AWS Lambda.

One module per outside system, imported explicitly
(``from glue_serde.integrations.kafka import KafkaSerializer``); each imports its client library
lazily and none imports another (they share only the private KPL reader, ``_kpl``).
"""
