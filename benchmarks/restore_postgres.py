"""Restore of TPC-H `orders` (sf=1, 1.5M rows) from its backup in PostgreSQL, as `harness
rollback` does it (drop, `create table (like backup including all)`, `insert ... select` in one
transaction), against a plain `create table ... as select` copy of the same table, same run.

    python benchmarks/restore_postgres.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

SCHEMA = "bench_restore"


def main() -> None:
    cursor = tpch.tpch_in_postgres(["orders"], SCHEMA)
    warehouse = tpch.postgres_warehouse(SCHEMA)
    warehouse.copy_table((SCHEMA, "orders"), (SCHEMA, "orders_backup"))  # what `harness backup` takes

    def baseline() -> None:
        cursor.execute(f"drop table if exists {SCHEMA}.orders_ctas")
        cursor.execute(f"create table {SCHEMA}.orders_ctas as select * from {SCHEMA}.orders_backup")

    def restore() -> None:
        warehouse.copy_table((SCHEMA, "orders_backup"), (SCHEMA, "orders"))

    baseline_seconds = tpch.best_of(3, baseline)
    ours = tpch.best_of(3, restore)
    print(f"baseline create table as select: {baseline_seconds:.2f}s")
    print(f"restore (like ... including all + insert, one transaction): {ours:.2f}s")
    # With a primary key the restore also rebuilds the index, which a CTAS copy does not have.
    cursor.execute(f"alter table {SCHEMA}.orders_backup add primary key (o_orderkey)")
    with_key = tpch.best_of(3, restore)
    print(f"restore of a table with a primary key (index rebuilt too): {with_key:.2f}s "
          f"(ratio {with_key / baseline_seconds:.2f})")  # fmt: skip
    cursor.execute(f"drop schema {SCHEMA} cascade")
    print(f"RESULT restore_postgres ratio={ours / baseline_seconds:.2f} goal=1.5")


if __name__ == "__main__":
    main()
