"""Full serialize/deserialize with a warm cache against the bare fastavro floor.

Run: ``python -m benchmarks.bench_serde`` (add ``--smoke`` for a seconds-long check).
The floor is what a minimal Glue reader/writer must do anyway: fastavro schemaless
write/read with a parsed schema (plus zlib where the row says so).
"""

from __future__ import annotations

import argparse
import io
import zlib
from typing import TYPE_CHECKING

import fastavro

from benchmarks.data import RECORDS, SCHEMAS
from benchmarks.harness import Result, environment, measure, table
from glue_serde import Compression, DataFormat
from glue_serde.registry.local import LocalSchemaRegistry
from glue_serde.serde import Deserializer, Serializer

if TYPE_CHECKING:
    from collections.abc import Callable


def run(*, smoke: bool = False) -> list[Result]:
    rounds = 1 if smoke else 7
    min_time = 0.001 if smoke else 0.05
    results: list[Result] = []
    registry = LocalSchemaRegistry()
    for size in ("small", "medium", "large"):
        schema = SCHEMAS[size]
        record = RECORDS[size](7)
        parsed = fastavro.parse_schema(schema)
        for compression in (Compression.NONE, Compression.ZLIB):
            zl = compression is Compression.ZLIB
            ser = Serializer(
                registry,
                data_format=DataFormat.AVRO,
                schema=schema,
                schema_name=f"bench-{size}",
                auto_register=True,
                compression=compression,
            )
            frame = ser.serialize(record)
            assert frame is not None
            des = Deserializer(registry)
            des.deserialize(frame)
            payload = frame[18:]

            def bare_write(rec: dict = record, p: dict = parsed, z: bool = zl) -> bytes:
                buf = io.BytesIO()
                fastavro.schemaless_writer(buf, p, rec)
                out = buf.getvalue()
                return zlib.compress(out) if z else out

            def bare_read(data: bytes = payload, p: dict = parsed, z: bool = zl) -> object:
                raw = zlib.decompress(data) if z else data
                return fastavro.schemaless_reader(io.BytesIO(raw), p, None)

            label = f"avro {size} {'zlib' if zl else 'none'}"
            write: dict[str, Callable[[], object]] = {
                "fastavro write (floor)": bare_write,
                "glue_serde serialize": lambda s=ser, r=record: s.serialize(r),
            }
            read: dict[str, Callable[[], object]] = {
                "fastavro read (floor)": bare_read,
                "glue_serde deserialize": lambda d=des, f=frame: d.deserialize(f),
            }
            results += measure(
                f"{label} write",
                write,
                floor="fastavro write (floor)",
                rounds=rounds,
                min_time=min_time,
            )
            results += measure(
                f"{label} read",
                read,
                floor="fastavro read (floor)",
                rounds=rounds,
                min_time=min_time,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one short round per contender")
    args = parser.parse_args()
    results = run(smoke=args.smoke)
    print(environment())
    print(table(results))


if __name__ == "__main__":
    main()
