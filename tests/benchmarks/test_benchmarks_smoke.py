"""``python -m benchmarks.run --smoke`` runs (briefly) in every test run, so the harness cannot rot.

The smoke numbers mean nothing; what is checked is that every group is measured against its
floor, every target is evaluated, the counting proxy sees registry calls when there are some,
and the report is written. Peers are optional: each is measured or named in a note.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from benchmarks import run as bench
from benchmarks.harness import Result, measure
from benchmarks.peers import PEERS
from glue_serde import (
    DataFormat,
    Deserializer,
    InMemorySchemaRegistry,
    SchemaNotFoundError,
    Serializer,
)

AVRO_GROUPS = {
    f"avro {size} {compression} {op}"
    for size in bench.SIZES
    for compression in ("none", "zlib", "zstd")
    for op in ("write", "read")
    if compression != "zstd" or size in bench.ZSTD_SIZES
} | {bench.READER_GROUP}
BATCH_GROUPS = {f"avro {size} batch {op}" for size in bench.BATCH_SIZES for op in ("write", "read")}
OTHER_GROUPS = {
    "json write",
    "json read",
    "json validated read",
    "protobuf write",
    "protobuf read",
}
TARGETS = (
    "Avro small serialize",
    "Avro medium serialize",
    "Avro decimal serialize",
    "Avro large serialize",
    "Avro medium deserialize",
    "Avro medium reader-schema read",
    "Avro batch read small (deserialize_many)",
    "Avro batch read medium (deserialize_many)",
    "Avro small zlib deserialize",
    "JSON serialize",
    "JSON deserialize",
    "JSON deserialize (validate=True)",
    "Protobuf serialize",
    "Protobuf deserialize",
    "Ahead of every peer",
    "Registry calls once warm",
    "Light import",
    "Cold start with .pyc: import glue_serde",
    "Cold start with .pyc: + first record",
    "Flat memory",
)
#: Groups each peer joins when it is installed.
PEER_GROUPS = {
    "aws-glue-schema-registry": {g for g in AVRO_GROUPS if " none " in g}
    | {g for g in AVRO_GROUPS if " zlib read" in g}
    | {"json write", "json validated read"},
    "confluent-kafka[avro]": {g for g in AVRO_GROUPS if " none " in g}
    | {bench.READER_GROUP, "json write", "json read", "json validated read"}
    | {"protobuf write", "protobuf read"},
}


@pytest.fixture(scope="module")
def smoke() -> tuple[bench.Run, list[bench.Target]]:
    return bench.run_all(smoke=True)


def _names(run: bench.Run, group: str) -> set[str]:
    return {r.name for r in run.results if r.group == group}


def test_every_group_is_measured_against_its_floor(
    smoke: tuple[bench.Run, list[bench.Target]],
) -> None:
    run, _ = smoke
    groups = {r.group for r in run.results}
    assert groups == AVRO_GROUPS | BATCH_GROUPS | OTHER_GROUPS
    for group in groups:
        floors = {r.floor for r in run.results if r.group == group}
        assert len(floors) == 1, group
        (floor,) = floors
        assert "(floor)" in floor
        names = _names(run, group)
        assert floor in names, group
        assert any(name.startswith("glue_serde ") for name in names), group


def test_times_and_ratios_are_positive_and_finite(
    smoke: tuple[bench.Run, list[bench.Target]],
) -> None:
    run, _ = smoke
    assert len(run.results) >= 2 * len(AVRO_GROUPS | BATCH_GROUPS | OTHER_GROUPS)
    for result in run.results:
        ratio = result.ratio(run.results)
        assert result.seconds_per_call > 0, result
        assert 0 < ratio < math.inf, result
        if result.name == result.floor:
            assert ratio == 1.0


def test_batches_compare_the_batch_calls_with_the_floor_loop(
    smoke: tuple[bench.Run, list[bench.Target]],
) -> None:
    run, _ = smoke
    for size in bench.BATCH_SIZES:
        assert _names(run, f"avro {size} batch read") == {
            bench.AVRO_READ_LOOP_FLOOR,
            bench.DESERIALIZE_MANY,
            bench.DESERIALIZE_LOOP,
        }
        assert _names(run, f"avro {size} batch write") == {
            bench.AVRO_WRITE_LOOP_FLOOR,
            bench.SERIALIZE_MANY,
            bench.SERIALIZE_LOOP,
        }


def test_each_peer_is_measured_or_named_in_a_note(
    smoke: tuple[bench.Run, list[bench.Target]],
) -> None:
    run, _ = smoke
    for peer in PEERS:
        measured = [r for r in run.results if r.name.startswith(f"{peer} ")]
        if measured:
            # Every group whose work the peer can do has it, and no other.
            assert {r.group for r in measured} == PEER_GROUPS[peer]
        else:
            assert any(peer in note for note in run.notes), (peer, run.notes)


def test_glue_serde_does_the_same_work_as_the_floor(
    smoke: tuple[bench.Run, list[bench.Target]],
) -> None:
    run, _ = smoke
    assert not [n for n in run.notes if "differs from the floor" in n]


def test_every_target_is_checked(smoke: tuple[bench.Run, list[bench.Target]]) -> None:
    run, rows = smoke
    assert len(rows) == len(TARGETS)
    for target, name in zip(rows, TARGETS, strict=True):
        assert target.name.startswith(name)
        if name == "Ahead of every peer" and not any(
            r.name.startswith(f"{p} ") for p in PEERS for r in run.results
        ):
            assert target.status == "SKIP"  # no peer installed here
            continue
        assert target.status in {"PASS", "MISS"}, target  # all measured: no SKIP
    status = {t.name.split(" (")[0]: t for t in rows}
    assert status["Registry calls once warm"].status == "PASS"
    assert run.registry_calls == {}
    assert status["Light import"].status == "PASS"
    assert run.cold is not None and set(run.cold.milliseconds) == set(bench.startup.STAGES)
    assert set(run.cold.without_pyc) == set(bench.startup.STAGES)
    assert all(ms > 0 for ms in run.cold.milliseconds.values())
    assert all(ms > 0 for ms in run.cold.without_pyc.values())
    assert run.memory is not None and run.memory[-1][0] == bench.SMOKE.memory_records
    assert bench.startup.growth_after_warmup_mib(run.memory) < 10


def test_report_and_printed_tables(
    smoke: tuple[bench.Run, list[bench.Target]],
) -> None:
    run, rows = smoke
    report = bench.markdown(run, rows)
    printed = bench.text(run, rows)
    for out in (report, printed):
        assert "| target | goal | measured | status |" in out
        assert "| group | contender | µs per record | ratio to floor | p25-p75 |" in out
        for name in TARGETS:
            assert f"| {name}" in out
        for group in AVRO_GROUPS | BATCH_GROUPS | OTHER_GROUPS:
            assert f"| {group} | " in out
        assert "Python 3." in out and "fastavro" in out
    for section in ("## Environment", "## Targets", "## Ratios to the floor", "## Rerun"):
        assert section in report
    assert "python -m benchmarks.run" in report
    assert "- Bytecode: " in report and "load average" in report
    assert "## zstd against zlib" in report and "| medium | ZSTD |" in report
    assert "| stage | ms with .pyc | ms without .pyc |" in report


def test_main_writes_the_report(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sub" / "report.md"
    assert bench.main(["--smoke", "--sizes", "small", "--report", str(path)]) == 0
    report = path.read_text(encoding="utf-8")
    assert "| target | goal | measured | status |" in report
    assert "| avro small none read | glue_serde deserialize |" in report
    assert "avro medium none read" not in report  # --sizes small
    # The medium targets were not measured, and say so.
    assert "| Avro medium serialize | <= 1.00x | not measured | **SKIP** |" in report
    out = capsys.readouterr().out
    assert "| Avro medium serialize |" in out and f"report written to {path}" in out


def _fake_run(ratio: float) -> bench.Run:
    run = bench.Run(settings=bench.SMOKE, smoke=True, argv=[])
    group = bench.avro_group("medium", bench.Compression.NONE, "write")
    run.results = [
        Result(group, bench.AVRO_WRITE_FLOOR, 1e-6, bench.AVRO_WRITE_FLOOR),
        Result(group, bench.SERIALIZE, ratio * 1e-6, bench.AVRO_WRITE_FLOOR),
    ]
    run.registry_calls = {"get_schema_version": 3}
    run.registry_records = 10
    return run


@pytest.mark.parametrize(("ratio", "status"), [(0.9, "PASS"), (1.0, "PASS"), (1.05, "MISS")])
def test_ratio_targets_pass_at_the_bound_and_miss_above(ratio: float, status: str) -> None:
    rows = {t.name: t for t in bench.targets(_fake_run(ratio))}
    assert rows["Avro medium serialize"].status == status
    assert rows["Avro medium serialize"].measured == f"{ratio:.2f}x"
    assert rows["Avro medium deserialize"].status == "SKIP"  # not in the fake run
    assert rows["Registry calls once warm"].status == "MISS"


def test_fail_on_miss_sets_the_exit_status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fake_run_all(**_: object) -> tuple[bench.Run, list[bench.Target]]:
        run = _fake_run(2.0)
        return run, bench.targets(run)

    monkeypatch.setattr(bench, "run_all", fake_run_all)
    assert bench.main(["--smoke"]) == 0
    assert bench.main(["--smoke", "--fail-on-miss"]) == 1
    assert "**MISS**" in capsys.readouterr().out


def test_the_registry_of_the_call_count_sees_every_call_when_there_is_no_cache() -> None:
    counting = InMemorySchemaRegistry()  # what bench.registry_calls counts with
    ser = Serializer(
        counting,
        data_format=DataFormat.AVRO,
        schema='"string"',
        schema_name="counted",
        auto_register=True,
        cache=None,
    )
    frame = ser.serialize("x")
    assert counting.calls["find_schema_version"] == 1
    assert counting.calls["create_schema"] + counting.calls["register_schema_version"] >= 1
    counting.calls.clear()
    des: Deserializer[Any] = Deserializer(counting, cache=None)
    for _ in range(3):
        des.deserialize(frame)
    # Decoders are cached per version, so one fetch; an unknown id is fetched (and counted).
    assert counting.calls["get_schema_version"] >= 1
    unknown = frame[:2] + uuid.UUID(int=1).bytes + frame[18:]
    before = counting.calls["get_schema_version"]
    with pytest.raises(SchemaNotFoundError):
        des.deserialize(unknown)
    assert counting.calls["get_schema_version"] == before + 1


def test_the_registry_of_the_call_count_counts_administrative_verbs_too() -> None:
    counting = InMemorySchemaRegistry()
    counting.create_schema("s", '"string"', DataFormat.AVRO)
    assert counting.calls["create_schema"] == 1
    assert counting.get_schema("s").latest_version == 1
    assert counting.calls["get_schema"] == 1


def test_measure_reports_each_contender_per_call() -> None:
    results = measure(
        "g",
        {"floor": lambda: None, "other": lambda: sum(range(50))},
        floor="floor",
        rounds=2,
        min_time=0.001,
    )
    assert [r.name for r in results] == ["floor", "other"]
    assert all(r.seconds_per_call > 0 for r in results)
    with pytest.raises(ValueError, match="floor"):
        measure("g", {"a": lambda: None}, floor="b", rounds=1, min_time=0.001)


def test_ratio_is_the_median_of_the_per_round_ratios() -> None:
    floor = Result("g", "f", 2.0, "f", (1.0, 2.0, 10.0))
    ours = Result("g", "o", 2.2, "f", (1.1, 2.2, 3.0))
    # Per round 1.1, 1.1, 0.3: the slow third round of the floor does not skew the ratio.
    assert ours.ratio([floor, ours]) == pytest.approx(1.1)
    assert floor.ratio([floor, ours]) == 1.0
    per_record = ours.scaled(2)
    assert per_record.seconds_per_call == pytest.approx(1.1)
    assert per_record.samples == pytest.approx((0.55, 1.1, 1.5))


def test_a_row_where_a_peer_is_faster_misses_the_peer_target() -> None:
    run = _fake_run(1.0)
    group = bench.avro_group("medium", bench.Compression.NONE, "write")
    run.results.append(Result(group, f"{PEERS[1]} serialize", 0.9e-6, bench.AVRO_WRITE_FLOOR))
    rows = {t.name: t for t in bench.targets(run)}
    assert rows["Ahead of every peer"].status == "MISS"
    assert f"{group} ({PEERS[1]})" in rows["Ahead of every peer"].measured
    run.results[-1] = Result(group, f"{PEERS[1]} serialize", 1.1e-6, bench.AVRO_WRITE_FLOOR)
    assert {t.name: t for t in bench.targets(run)}["Ahead of every peer"].status == "PASS"


def test_the_ratio_spread_is_the_interquartile_range_of_the_round_ratios() -> None:
    floor = Result("g", "f", 1.0, "f", (1.0, 1.0, 1.0, 1.0, 1.0))
    ours = Result("g", "o", 1.2, "f", (1.0, 1.1, 1.2, 1.3, 1.4))
    assert ours.spread([floor, ours]) == pytest.approx((1.1, 1.3))
    assert floor.spread([floor, ours]) == (1.0, 1.0)


def test_instruction_counts_are_reported_with_ratios_to_their_floor() -> None:
    run = _fake_run(1.0)
    run.instructions = {
        "json-write": 150.0,
        "json-write-floor": 100.0,
        "json-write-aws-glue": 180.0,
    }
    run.cold_instructions = dict.fromkeys(bench.startup.STAGES, 1e6)
    report = bench.markdown(run, bench.targets(run))
    assert "## Instructions per call" in report
    assert "| + first record | 1,000,000 |" in report
    assert "| json-write | 150 | 1.50x |" in report
    assert "| json-write-aws-glue | 180 | 1.80x |" in report
    assert "| json-write-floor | 100 | 1.00x |" in report
