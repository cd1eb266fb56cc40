"""Rollback before contract of TPC-H `orders` in PostgreSQL, after a full backfill: does its
time grow with the table? The same migration (a computed column, a retyped column, a changed
default, with sync triggers for writers) is started and then rolled back on the first 15,000
rows and on all 1.5M rows (sf=1), several trials each; the rollback's undo step (the DDL that
takes back what start added) is timed, and separately its proof (a checksum scan, which does
grow with the table). A writer updates random orders through the old shape during each
rollback; its latencies are compared with the same writer alone just before, and its longest
write is the longest lock hold it met (the bound is lock_timeout, 2 s).

    python benchmarks/rollback_postgres.py [trials, default 3]

The last line: RESULT rollback_postgres ratio=<undo seconds at 1.5M / at 15k (medians)> goal=3
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch
from backfill_postgres import percentiles, show, writer

SCHEMA = "bench_rollback"
SIZES = [15_000, 1_500_000]
SPEC = f"""
name: orders_rollback
table: orders
schema: {SCHEMA}
key: [o_orderkey]
batch_size: 10000
concurrent_writes: true
checks: {{sample_rows: 0, row_count_tolerance: 1.0}}
operations:
  - {{type: add_column, column: o_comment_upper, data_type: varchar(79), up: upper(o_comment)}}
  - {{type: change_type, column: o_totalprice, data_type: 'numeric(15, 2)'}}
  - {{type: set_default, column: o_orderpriority, default: "'5-LOW'"}}
"""


def fresh_table(cursor: Any, rows: int) -> None:
    cursor.execute(f"drop table if exists {SCHEMA}.orders cascade")
    cursor.execute(f"create table {SCHEMA}.orders as select * from {SCHEMA}.orders_pristine "
                   f"order by o_orderkey limit {rows}")  # fmt: skip
    cursor.execute(f"alter table {SCHEMA}.orders add primary key (o_orderkey)")
    cursor.execute(f"vacuum analyze {SCHEMA}.orders")
    for suffix in ("_meta", "_backup", "_backup_scratch"):
        cursor.execute(f"drop schema if exists {SCHEMA}{suffix} cascade")
    cursor.execute("checkpoint")


def with_writer(action: Any) -> tuple[Any, list[float], int]:
    """Runs `action()` with the writer in its own process; its latencies during the action."""
    stop, results = multiprocessing.Event(), multiprocessing.Queue()
    update = f"update {SCHEMA}.orders set o_clerk = o_clerk where o_orderkey = %s"
    process = multiprocessing.Process(target=writer, args=(stop, results, update, f"{SCHEMA}.orders"))
    process.start()
    time.sleep(0.5)
    start = time.time()
    value = action()
    end = time.time()
    stop.set()
    samples, errors = results.get(timeout=60)
    process.join(10)
    return value, [latency for at, latency in samples if start <= at <= end], errors


def trial(cursor: Any, rows: int, spec_path: Path) -> dict[str, Any]:
    from harness.lifecycle.migration import Migration
    from harness.spec import load_spec

    fresh_table(cursor, rows)
    _, alone, alone_errors = with_writer(lambda: time.sleep(4))
    warehouse = tpch.postgres_warehouse(SCHEMA, meta_schema=f"{SCHEMA}_meta", backup_schema=f"{SCHEMA}_backup")
    migration = Migration(warehouse, load_spec(spec_path))
    migration.start()
    cursor.execute("checkpoint")
    steps, during, errors = with_writer(lambda: {step.step: step for step in migration.rollback()})
    return {"undo": steps["undo"].seconds, "prove": steps["prove rollback"].seconds, "alone": percentiles(alone),
            "during": percentiles(during) if len(during) > 2 else None, "longest": max(during, default=0.0),
            "errors": errors + alone_errors}  # fmt: skip


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    cursor = tpch.tpch_in_postgres(["orders"], SCHEMA)
    cursor.execute(f"alter table {SCHEMA}.orders rename to orders_pristine")
    spec_path = Path(tempfile.mkdtemp()) / "orders_rollback.yml"
    spec_path.write_text(SPEC)
    medians: dict[int, float] = {}
    for rows in SIZES:
        results = [trial(cursor, rows, spec_path) for _ in range(trials)]
        medians[rows] = statistics.median(r["undo"] for r in results)
        undos = ", ".join(f"{r['undo']:.2f}" for r in results)
        print(f"{rows:,} rows: undo {undos} s (median {medians[rows]:.2f}); "
              f"proof {statistics.median(r['prove'] for r in results):.2f} s", flush=True)  # fmt: skip
        for number, result in enumerate(results, 1):
            show(f"alone (trial {number})", result["alone"])
            if result["during"]:
                show(f"during rollback (trial {number})", result["during"])
            print(f"  longest write during rollback {result['longest'] * 1000:.0f} ms; errors {result['errors']}")
    ratio = medians[SIZES[-1]] / medians[SIZES[0]]
    print(f"RESULT rollback_postgres ratio={ratio:.2f} goal=3", flush=True)


if __name__ == "__main__":
    main()
