"""Backfill of `upper(o_comment)` into a new column of TPC-H `orders` (sf=1, 1.5M rows) in
PostgreSQL: the harness's keyset backfill (10,000-row batches, each its own transaction with
its checkpoint, sync trigger installed) against one `UPDATE` of the whole table, same run, each
on a fresh copy of the table. A writer process updates random orders during both; its latency
percentiles are compared with the same writer on the idle table.

    python benchmarks/backfill_postgres.py
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

SCHEMA = "bench_backfill"
THROTTLE = 0.03  # seconds between batches, for the trade-off line
SPEC = """
name: orders_comment_upper
table: orders
schema: {schema}
key: [o_orderkey]
batch_size: 10000
concurrent_writes: {concurrent}
throttle_seconds: {throttle}
checks: {{sample_rows: 0, row_count_tolerance: 0.0}}
operations:
  - {{type: add_column, column: o_comment_upper, data_type: varchar(79), up: upper(o_comment)}}
"""


def fresh_table(cursor: Any) -> None:
    """`orders` as loaded: a copy of the pristine table with its primary key, vacuumed and analyzed."""
    cursor.execute(f"drop table if exists {SCHEMA}.orders")
    cursor.execute(f"create table {SCHEMA}.orders as select * from {SCHEMA}.orders_pristine")
    cursor.execute(f"alter table {SCHEMA}.orders add primary key (o_orderkey)")
    cursor.execute(f"vacuum analyze {SCHEMA}.orders")
    cursor.execute("checkpoint")


UPDATE = f"update {SCHEMA}.orders set o_orderpriority = o_orderpriority where o_orderkey = %s"


def writer(stop: Any, results: Any) -> None:
    """Single-row updates of random orders through the old shape, one every 2 ms."""
    cursor = tpch.postgres_cursor()
    rng = random.Random(11)
    cursor.execute(f"select o_orderkey from {SCHEMA}.orders_pristine tablesample system (1)")
    keys = [key for (key,) in cursor.fetchall()]
    samples: list[tuple[float, float]] = []  # (start time, latency)
    errors = 0
    while not stop.is_set():
        key = rng.choice(keys)
        clock = time.perf_counter()
        try:
            cursor.execute(UPDATE, (key,))
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
    from harness.lifecycle import Migration, NullReporter, StepResult
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


def main() -> None:
    cursor = tpch.tpch_in_postgres(["orders"], SCHEMA)
    cursor.execute(f"alter table {SCHEMA}.orders rename to orders_pristine")
    folder = Path(tempfile.mkdtemp())
    spec_path, live_spec_path = folder / "spec.yml", folder / "live.yml"
    spec_path.write_text(SPEC.format(schema=SCHEMA, concurrent="false", throttle=0))  # nobody writes: no trigger
    live_spec_path.write_text(SPEC.format(schema=SCHEMA, concurrent="true", throttle=0))  # dual write: the trigger
    throttled_spec_path = folder / "throttled.yml"
    throttled_spec_path.write_text(SPEC.format(schema=SCHEMA, concurrent="true", throttle=THROTTLE))

    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    baseline_times, our_times = [], []
    for trial in range(trials):  # alternate, each on a fresh table: the noise hits both alike
        baseline_times.append(single_update(cursor))
        seconds, _, _, _ = harness_backfill(cursor, spec_path)
        our_times.append(seconds)
        print(f"trial {trial + 1}: single UPDATE {baseline_times[-1]:.2f}s, keyset backfill {seconds:.2f}s", flush=True)
    baseline, ours = min(baseline_times), min(our_times)

    print("writer latency (single-row updates of random orders, one every 2 ms):")
    fresh_table(cursor)
    idle = Load().start()
    time.sleep(8)
    idle.finish()
    idle_stats = percentiles(idle.latencies(0, time.time()))
    show("alone", idle_stats)
    during = Load()
    live_seconds, start, end, run = harness_backfill(cursor, live_spec_path, during)
    during_stats = percentiles(during.latencies(start, end))
    during_longest = max(during.latencies(start, end))
    show("during the keyset backfill (concurrent_writes: sync trigger installed)", during_stats)
    print(f"  that backfill took {live_seconds:.2f}s ({live_seconds / baseline:.2f}x the single UPDATE)")
    lock_waits = [step for step in run.steps if step["step"] == "lock_wait"]
    throttled = Load()
    throttled_seconds, start, end, _ = harness_backfill(cursor, throttled_spec_path, throttled)
    throttled_stats = percentiles(throttled.latencies(start, end))
    show(f"during the keyset backfill with throttle_seconds: {THROTTLE}", throttled_stats)
    print(f"  that backfill took {throttled_seconds:.2f}s ({throttled_seconds / baseline:.2f}x the single UPDATE); "
          f"writer p99 {throttled_stats['p99'] / idle_stats['p99']:.2f}x alone")  # fmt: skip
    fresh_table(cursor)
    cursor.execute(f"alter table {SCHEMA}.orders add column o_comment_upper varchar(79)")
    blocked = Load().start()
    start = time.time()
    cursor.execute(f"update {SCHEMA}.orders set o_comment_upper = upper(o_comment)")
    end = time.time()
    time.sleep(0.2)
    blocked.finish()
    blocked_latencies = blocked.latencies(start, end + 0.2)
    show("during the single UPDATE", percentiles(blocked_latencies))
    print(f"  longest write during the single UPDATE: {max(blocked_latencies) * 1000:.0f} ms; "
          f"during the keyset backfill: {during_longest * 1000:.0f} ms")  # fmt: skip
    errors = idle.errors + during.errors + throttled.errors + blocked.errors
    waits = f" ({[w['detail'] for w in lock_waits]})" if lock_waits else ""
    print(f"writer errors: {errors}; harness lock waits (each ≤ lock_timeout, 2 s) during the backfill: "
          f"{len(lock_waits)}{waits}")  # fmt: skip
    latency_ratio = during_stats["p99"] / idle_stats["p99"]
    print(f"RESULT backfill_postgres_writer_p99 ratio={latency_ratio:.2f} goal=2")
    cursor.execute(f"drop schema {SCHEMA} cascade")
    for suffix in ("_meta", "_backup", "_backup_scratch"):
        cursor.execute(f"drop schema if exists {SCHEMA}{suffix} cascade")
    print(f"single UPDATE (best of 3): {baseline:.2f}s; keyset backfill (best of 3): {ours:.2f}s")
    print(f"RESULT backfill_postgres ratio={ours / baseline:.2f} goal=1.25")


if __name__ == "__main__":
    main()
