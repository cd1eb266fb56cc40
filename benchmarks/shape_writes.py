"""Writes through the new shape while both shapes exist (PostgreSQL, `concurrent_writes: true`):
single-row INSERTs through `<table>_v2` (its INSTEAD OF trigger marks them for the sync trigger,
which computes the old column with `down`) against the same INSERTs into the table itself (the old
shape: the sync trigger computes the new column with `up`), same run, median of 5 trials of 2,000
autocommit statements each. A table without any trigger is printed for scale.

    python benchmarks/shape_writes.py

The last line: RESULT shape_writes ratio=<through v2 / into the table> goal=2.0
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

from harness.lifecycle.migration import Migration
from harness.spec import load_spec

SCHEMA = "bench_shape_writes"
ROWS, WRITES, TRIALS = 10_000, 2_000, 5
SPEC = f"""
name: shape_writes
table: accounts
schema: {SCHEMA}
key: [id]
concurrent_writes: true
checks: {{row_count_tolerance: 1.0}}
operations:
  - {{type: change_type, column: score, data_type: 'numeric(12, 2)', up: score / 2.0, down: cast(score * 2 as integer)}}
"""


def main() -> None:
    cursor = tpch.postgres_cursor()
    cursor.execute(f"drop schema if exists {SCHEMA} cascade")
    cursor.execute(f"create schema {SCHEMA}")
    for table in ("accounts", "plain"):
        cursor.execute(f"create table {SCHEMA}.{table} (id bigint primary key, score integer default 0, "
                       "nickname text not null default 'x')")  # fmt: skip
        cursor.execute(f"insert into {SCHEMA}.{table} select i, i % 100, 'n' || i from generate_series(1, {ROWS}) i")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yml"
        path.write_text(SPEC)
        migration = Migration(tpch.postgres_warehouse(SCHEMA), load_spec(path))
        migration.start()
        next_id = [ROWS]

        def trial(relation: str, score: str) -> float:
            started = time.perf_counter()
            for _ in range(WRITES):
                next_id[0] += 1
                cursor.execute(
                    f"insert into {SCHEMA}.{relation} (id, score, nickname) values ({next_id[0]}, {score}, 'w')"
                )
            return (time.perf_counter() - started) / WRITES * 1000

        timings: dict[str, list[float]] = {"plain": [], "accounts": [], "accounts_v2": []}
        for _ in range(TRIALS):  # interleaved, so drift on a busy machine hits each alike
            timings["plain"].append(trial("plain", "7"))
            timings["accounts"].append(trial("accounts", "7"))
            timings["accounts_v2"].append(trial("accounts_v2", "3.5"))
        median = {name: statistics.median(values) for name, values in timings.items()}
        cursor.execute(f"select count(*) from {SCHEMA}.accounts_v1 a join {SCHEMA}.accounts_v2 b using (id) "
                       "where a.score <> b.score * 2")  # fmt: skip
        (wrong,) = cursor.fetchone()
        migration.rollback()
    cursor.execute(f"drop schema {SCHEMA} cascade")
    print(f"a table without triggers: {median['plain']:.3f} ms per insert (for scale)")
    print(f"into the table (old shape, sync trigger computes the new column): {median['accounts']:.3f} ms")
    print(f"through accounts_v2 (INSTEAD OF, then the sync trigger computes the old column): "
          f"{median['accounts_v2']:.3f} ms; rows whose shapes disagree: {wrong}")  # fmt: skip
    print(f"RESULT shape_writes ratio={median['accounts_v2'] / median['accounts']:.2f} goal=2.0")


if __name__ == "__main__":
    main()
