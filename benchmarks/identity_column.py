"""An identity column added to a live 1M-row table (PostgreSQL), with a writer inserting rows the
whole time: the writer's worst single INSERT while `add_column` with `identity: always` runs
through the harness (a sequence default at expand, the rows numbered in keyset batches, the
identity at contract), against the same writer while a plain
`ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS IDENTITY` rewrites the table under its ACCESS
EXCLUSIVE lock. Same run, same table shape, median of 3 trials each.

    python benchmarks/identity_column.py

The last line: RESULT identity_column ratio=<worst write, harness / worst write, plain ALTER> goal=0.2
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

from harness.lifecycle.migration import Migration
from harness.spec import load_spec

SCHEMA = "bench_identity"
ROWS, TRIALS = 1_000_000, 3
SPEC = f"""
name: identity_column
table: accounts
schema: {SCHEMA}
key: [id]
batch_size: 20000
concurrent_writes: true
checks: {{row_count_tolerance: 1.0, sample_rows: 0}}
operations:
  - {{type: add_column, column: ticket, data_type: bigint, identity: always}}
"""


class Writer(threading.Thread):
    """Inserts rows one by one (autocommit) until stopped; keeps each INSERT's latency."""

    def __init__(self, first_id: int) -> None:
        super().__init__(daemon=True)
        self.cursor = tpch.postgres_cursor()
        self.next_id = first_id
        self.latencies: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.next_id += 1
            started = time.perf_counter()
            self.cursor.execute(f"insert into {SCHEMA}.accounts (id, score) values ({self.next_id}, 1)")
            self.latencies.append(time.perf_counter() - started)


def fresh_table(cursor: Any) -> None:
    cursor.execute(f"drop schema if exists {SCHEMA} cascade")
    cursor.execute(f"create schema {SCHEMA}")
    cursor.execute(f"create table {SCHEMA}.accounts (id bigint primary key, score integer)")
    cursor.execute(f"insert into {SCHEMA}.accounts select i, i % 100 from generate_series(1, {ROWS}) i")
    cursor.execute(f"analyze {SCHEMA}.accounts")


def with_writer(action: Callable[[], object]) -> tuple[float, float, int]:
    """(worst INSERT seconds, the action's seconds, INSERTs made) while `action` runs."""
    writer = Writer(ROWS * 10)
    writer.start()
    while not writer.latencies:  # the writer is writing before the action starts
        time.sleep(0.001)
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    return max(writer.latencies), seconds, len(writer.latencies)


def main() -> None:
    cursor = tpch.postgres_cursor()
    plain: list[tuple[float, float, int]] = []
    ours: list[tuple[float, float, int]] = []
    numbered_ok = True
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yml"
        path.write_text(SPEC)
        for _ in range(TRIALS):  # interleaved, so drift on a busy machine hits each alike
            fresh_table(cursor)
            plain.append(with_writer(lambda: cursor.execute(
                f"alter table {SCHEMA}.accounts add column ticket bigint generated always as identity")))  # fmt: skip
            fresh_table(cursor)
            migration = Migration(tpch.postgres_warehouse(SCHEMA), load_spec(path))
            ours.append(with_writer(lambda: (migration.start(), migration.complete())))  # noqa: B023
            cursor.execute(f"select count(*) - count(distinct ticket), count(*) filter (where ticket is null) "
                           f"from {SCHEMA}.accounts")  # fmt: skip
            numbered_ok = numbered_ok and cursor.fetchone() == (0, 0)
    cursor.execute(f"drop schema {SCHEMA} cascade")
    worst = {name: statistics.median(trial[0] for trial in runs) for name, runs in (("plain", plain), ("ours", ours))}
    took = {name: statistics.median(trial[1] for trial in runs) for name, runs in (("plain", plain), ("ours", ours))}
    writes = {name: statistics.median(trial[2] for trial in runs) for name, runs in (("plain", plain), ("ours", ours))}
    print(f"{ROWS:,} rows; a writer inserting one row per statement throughout; median of {TRIALS} trials")
    print(f"plain ALTER ... ADD ... GENERATED ALWAYS AS IDENTITY: {took['plain']:.2f} s, worst insert "
          f"{worst['plain'] * 1000:.0f} ms, {writes['plain']:,.0f} inserts")  # fmt: skip
    print(f"harness add_column identity (start + complete): {took['ours']:.2f} s, worst insert "
          f"{worst['ours'] * 1000:.0f} ms, {writes['ours']:,.0f} inserts")  # fmt: skip
    print(f"every row numbered exactly once: {numbered_ok}")
    print(f"RESULT identity_column ratio={worst['ours'] / worst['plain']:.2f} goal=0.2")


if __name__ == "__main__":
    main()
