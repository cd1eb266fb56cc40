"""PostgreSQL snapshot of TPC-H `lineitem` (sf=1, 6M rows, 16 columns) against one
`select sum(hashtextextended(t::text, 0)) from lineitem t`, in the same run.

The snapshot measured is what the issue names: row count + whole-table checksum + every column's
checksum (and NULL count), from one scan; the profiled snapshot (adds min, max, distinct estimate)
is timed too and reported. Best of 3, connection open, manifest parsed.

    python benchmarks/snapshot_postgres.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

SCHEMA = "bench_snapshot"


def main() -> None:
    cursor = tpch.tpch_in_postgres(["lineitem"], SCHEMA)
    cursor.execute(f"analyze {SCHEMA}.lineitem")

    def baseline() -> None:
        cursor.execute(f"select sum(hashtextextended(t::text, 0)) from {SCHEMA}.lineitem t")
        cursor.fetchall()

    warehouse = tpch.postgres_warehouse(SCHEMA)
    warehouse.info()
    baseline_seconds = tpch.best_of(3, baseline)
    ours = tpch.best_of(3, lambda: warehouse.snapshot(SCHEMA, "lineitem", profile=False))
    profiled = tpch.best_of(3, lambda: warehouse.snapshot(SCHEMA, "lineitem", profile=True))
    snapshot = warehouse.snapshot(SCHEMA, "lineitem", profile=False)
    assert snapshot.row_count == 6_001_215 and len(snapshot.columns) == 16
    cursor.execute(f"drop schema {SCHEMA} cascade")
    print(f"baseline sum(hashtextextended(t::text, 0)): {baseline_seconds:.2f}s")
    print(f"snapshot (count + table + 16 column checksums + NULL counts): {ours:.2f}s")
    print(f"snapshot with profile (+ min, max, distinct estimate): {profiled:.2f}s "
          f"(ratio {profiled / baseline_seconds:.2f})")  # fmt: skip
    print(f"RESULT snapshot_postgres ratio={ours / baseline_seconds:.2f} goal=1.2")


if __name__ == "__main__":
    main()
