"""Backfill of `upper(o_comment)` into a new column of TPC-H `orders` (sf=1, 1.5M rows) in
PostgreSQL: the harness's keyset backfill (10,000-row batches, each its own transaction with
its checkpoint) against one `UPDATE` of the whole table, same run, each on a fresh copy of the
table; and the same change through rewrite_table (a copy into a new table). Then a writer
process updates random orders during the backfill, unthrottled and throttled, and during the
UPDATE; its latency percentiles are compared with the same writer alone just before.

    python benchmarks/backfill_postgres.py [trials, default 3] [live settings, comma-separated,
        default all: defaults, throttle, steered, rewrite]

`steered` is `batch_seconds: 0.01`: the batch size steers itself towards 10 ms per batch (and
each batch commits without waiting for its WAL flush, as every backfill batch now does).
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

SCHEMA = "bench_backfill"
THROTTLE = 0.03  # seconds between batches, for the trade-off line
STEERED = 0.01  # seconds per batch the steered setting aims at
SPEC = """
name: orders_comment_upper
table: orders
schema: {schema}
key: [o_orderkey]
batch_size: 10000{batch}
concurrent_writes: {concurrent}
throttle_seconds: {throttle}
checks: {{sample_rows: 0, row_count_tolerance: 0.0}}
operations:
  - {{type: add_column, column: o_comment_upper, data_type: varchar(79), up: upper(o_comment)}}
"""
REWRITE = "  - {type: rewrite_table}\n"


def fresh_table(cursor: Any) -> None:
    """`orders` as loaded: a copy of the pristine table with its primary key, vacuumed and analyzed."""
    cursor.execute(f"drop table if exists {SCHEMA}.orders")
    cursor.execute(f"create table {SCHEMA}.orders as select * from {SCHEMA}.orders_pristine")
    cursor.execute(f"alter table {SCHEMA}.orders add primary key (o_orderkey)")
    cursor.execute(f"vacuum analyze {SCHEMA}.orders")
    cursor.execute("checkpoint")


UPDATE = f"update {SCHEMA}.orders set o_orderpriority = o_orderpriority where o_orderkey = %s"


def writer(stop: Any, results: Any, update: str = UPDATE, keys_from: str = f"{SCHEMA}.orders_pristine") -> None:
    """Single-row updates (`update`, with the key as parameter) of random orders sampled from
    `keys_from`, one every 2 ms."""
    cursor = tpch.postgres_cursor()
    rng = random.Random(11)
    cursor.execute(f"select o_orderkey from {keys_from} tablesample bernoulli (1)")
    keys = [key for (key,) in cursor.fetchall()]
    samples: list[tuple[float, float]] = []  # (start time, latency)
    errors = 0
    while not stop.is_set():
        key = rng.choice(keys)
        clock = time.perf_counter()
        try:
            cursor.execute(update, (key,))
        except psycopg2.Error:
            errors += 1
            continue
        samples.append((time.time(), time.perf_counter() - clock))
        time.sleep(0.002)
    cursor.connection.close()
    results.put((samples, errors))


class Load:
    """The writer in its own process (the harness's own work must not steal its interpreter)."""

    def start(self) -> Load:
        self.stop = multiprocessing.Event()
        self.results: Any = multiprocessing.Queue()
        self.process = multiprocessing.Process(target=writer, args=(self.stop, self.results))
        self.process.start()
        time.sleep(0.5)
        return self

    def finish(self) -> None:
        self.stop.set()
        self.samples, self.errors = self.results.get(timeout=60)
        self.process.join(10)

    def latencies(self, start: float, end: float) -> list[float]:
        return [latency for at, latency in self.samples if start <= at <= end]


def percentiles(latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000, "n": len(latencies)}


def show(label: str, stats: dict[str, float]) -> None:
    print(f"  writer {label}: p50 {stats['p50']:.2f} ms, p95 {stats['p95']:.2f} ms, p99 {stats['p99']:.2f} ms "
          f"({stats['n']:.0f} writes)", flush=True)  # fmt: skip


def single_update(cursor: Any) -> float:
    fresh_table(cursor)
    cursor.execute(f"alter table {SCHEMA}.orders add column o_comment_upper varchar(79)")
    clock = time.perf_counter()
    cursor.execute(f"update {SCHEMA}.orders set o_comment_upper = upper(o_comment)")
    return time.perf_counter() - clock


def harness_backfill(cursor: Any, spec_path: Path, load: Load | None = None) -> tuple[float, float, float, Any]:
    """On a fresh table, takes the verified backup, then runs `migrate start` (re-verify, expand,
    backfill, validate) with the writer `load` running throughout; returns the
    backfill step's seconds and wall-clock window, and the run. Rolls back after."""
    from harness.lifecycle.migration import Migration
    from harness.lifecycle.step import NullReporter, StepResult
    from harness.spec import load_spec

    fresh_table(cursor)
    cursor.execute(f"drop schema if exists {SCHEMA}_meta cascade")
    window: dict[str, float] = {}

    class Clock(NullReporter):
        def step_finished(self, step: StepResult) -> None:
            if step.step == "expand":
                window["start"] = time.time()
            if step.step == "backfill":
                window["end"] = time.time()

    warehouse = tpch.postgres_warehouse(SCHEMA, meta_schema=f"{SCHEMA}_meta", backup_schema=f"{SCHEMA}_backup")
    migration = Migration(warehouse, load_spec(spec_path), Clock())
    # The verified backup writes the table twice more; its dirty pages are flushed before the
    # measured part starts (as a DBA would let them settle), so the writer meets the backfill's
    # own cost, not the backup's aftermath.
    migration.backup()
    cursor.execute("checkpoint")
    if load:
        load.start()
    try:
        steps = {step.step: step for step in migration.start()}
    finally:
        if load:
            load.finish()
    run = migration.current_run()
    migration.rollback()  # leaves no trigger or views behind for the next trial
    return steps["backfill"].seconds, window["start"], window["end"], run


@dataclass
class LiveTrial:
    """One backfill with the writer running, and the same writer alone on a fresh table just before."""

    alone: dict[str, float]
    during: dict[str, float]
    seconds: float
    longest: float
    errors: int
    lock_waits: int

    @property
    def ratio(self) -> float:
        return self.during["p99"] / self.alone["p99"]


def live_trial(cursor: Any, spec_path: Path) -> LiveTrial:
    fresh_table(cursor)
    alone = Load().start()
    time.sleep(6)
    alone.finish()
    during = Load()
    seconds, start, end, run = harness_backfill(cursor, spec_path, during)
    latencies = during.latencies(start, end)
    waits = sum(step["step"] == "lock_wait" for step in run.steps)
    return LiveTrial(percentiles(alone.latencies(0, time.time())), percentiles(latencies), seconds,
                     max(latencies), alone.errors + during.errors, waits)  # fmt: skip


def single_update_under_load(cursor: Any) -> tuple[dict[str, float], float, int]:
    """The baseline's effect on the same writer: latencies while one UPDATE runs, the longest, errors."""
    fresh_table(cursor)
    cursor.execute(f"alter table {SCHEMA}.orders add column o_comment_upper varchar(79)")
    blocked = Load().start()
    start = time.time()
    cursor.execute(f"update {SCHEMA}.orders set o_comment_upper = upper(o_comment)")
    end = time.time()
    time.sleep(0.2)
    blocked.finish()
    latencies = blocked.latencies(start, end + 0.2)
    return percentiles(latencies), max(latencies), blocked.errors


def main() -> None:
    cursor = tpch.tpch_in_postgres(["orders"], SCHEMA)
    cursor.execute(f"alter table {SCHEMA}.orders rename to orders_pristine")
    folder = Path(tempfile.mkdtemp())
    specs = {}
    wanted = sys.argv[2].split(",") if len(sys.argv) > 2 else ["defaults", "throttle", "steered", "rewrite"]
    steered = f"\nbatch_seconds: {STEERED}"
    for label, concurrent, throttle, extra, batch, group in [
        ("no writers declared", "false", 0, "", "", "time"),
        ("concurrent_writes (sync trigger)", "true", 0, "", "", "defaults"),
        (f"concurrent_writes, throttle_seconds {THROTTLE}", "true", THROTTLE, "", "", "throttle"),
        (f"concurrent_writes, batch_seconds {STEERED} (steered)", "true", 0, "", steered, "steered"),
        ("rewrite_table, no writers declared", "false", 0, REWRITE, "", "time"),
        ("rewrite_table with concurrent_writes (triggers, FOR SHARE)", "true", 0, REWRITE, "", "rewrite"),
    ]:
        if group != "time" and group not in wanted:
            continue
        specs[label] = folder / f"spec{len(specs)}.yml"
        specs[label].write_text(SPEC.format(schema=SCHEMA, concurrent=concurrent, throttle=throttle, batch=batch)
                                + extra)  # fmt: skip

    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    baseline_times, our_times, rewrite_times = [], [], []
    for trial in range(trials):  # alternate, each on a fresh table: the noise hits both alike
        baseline_times.append(single_update(cursor))
        our_times.append(harness_backfill(cursor, specs["no writers declared"])[0])
        rewrite_times.append(harness_backfill(cursor, specs["rewrite_table, no writers declared"])[0])
        print(f"trial {trial + 1}: single UPDATE {baseline_times[-1]:.2f}s, keyset backfill {our_times[-1]:.2f}s, "
              f"rewrite_table copy {rewrite_times[-1]:.2f}s", flush=True)  # fmt: skip
    baseline, ours = min(baseline_times), min(our_times)
    print(f"rewrite_table copy (best of {trials}): {min(rewrite_times):.2f}s ({min(rewrite_times) / baseline:.2f}x)")

    print("writer latency (single-row updates of random orders, one every 2 ms), alone then during the backfill,")
    print(f"on a fresh table each time, {trials} trials per setting (medians below):")
    medians: dict[str, LiveTrial] = {}
    for label in [label for label in specs if "no writers" not in label]:
        runs = [live_trial(cursor, specs[label]) for _ in range(trials)]
        for run in runs:
            print(f"  {label}: alone p99 {run.alone['p99']:.2f} ms, during p50 {run.during['p50']:.2f} / "
                  f"p95 {run.during['p95']:.2f} / p99 {run.during['p99']:.2f} ms ({run.ratio:.2f}x), "
                  f"longest {run.longest * 1000:.0f} ms, {run.seconds:.2f}s ({run.seconds / baseline:.2f}x), "
                  f"errors {run.errors}, lock waits {run.lock_waits}", flush=True)  # fmt: skip
        medians[label] = sorted(runs, key=lambda run: run.ratio)[len(runs) // 2]
    for label, run in medians.items():
        print(f"median {label}: p99 {run.ratio:.2f}x alone; that backfill {run.seconds / baseline:.2f}x the UPDATE")
    stats, longest, errors = single_update_under_load(cursor)
    show("during the single UPDATE", stats)
    print(f"  longest write during the single UPDATE: {longest * 1000:.0f} ms (errors {errors})")
    errors += sum(run.errors for run in medians.values())
    print(f"writer errors: {errors}")
    default = medians.get("concurrent_writes (sync trigger)")  # the defaults, as a user with writers runs it
    if default is not None:
        print(f"RESULT backfill_postgres_writer_p99 ratio={default.ratio:.2f} goal=2")
    steered_run = medians.get(f"concurrent_writes, batch_seconds {STEERED} (steered)")
    if steered_run is not None:
        print(f"RESULT backfill_postgres_steered_writer_p99 ratio={steered_run.ratio:.2f} goal=2")
        print(f"RESULT backfill_postgres_steered ratio={steered_run.seconds / baseline:.2f} goal=1.5")
    cursor.execute(f"drop schema {SCHEMA} cascade")
    for suffix in ("_meta", "_backup", "_backup_scratch"):
        cursor.execute(f"drop schema if exists {SCHEMA}{suffix} cascade")
    print(f"single UPDATE (best of {trials}): {baseline:.2f}s; keyset backfill (best of {trials}): {ours:.2f}s")
    print(f"RESULT backfill_postgres ratio={ours / baseline:.2f} goal=1.25")


if __name__ == "__main__":
    main()
