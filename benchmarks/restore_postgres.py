"""Restore of TPC-H `orders` (sf=1, 1.5M rows) from its backup in PostgreSQL, as `harness restore
--from-backup` and the restore script do it: into the table itself (TRUNCATE, `insert ...
overriding system value` from the backup, sequences moved forward, in one transaction), against a
plain `create table ... as select` copy of the same rows, same run. Then the same restore into the
table with a primary key (its index rebuilt by the insert; the CTAS copy has none).

    python benchmarks/restore_postgres.py

The last line: RESULT restore_postgres ratio=<restore / CTAS, without a key> goal=1.5
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

from harness.lifecycle.restore import RestorePlan

SCHEMA = "bench_restore"


def main() -> None:
    cursor = tpch.tpch_in_postgres(["orders"], SCHEMA)
    warehouse = tpch.postgres_warehouse(SCHEMA)
    warehouse.copy_table((SCHEMA, "orders"), (SCHEMA, "orders_backup"))  # what `harness backup` takes
    cursor.execute(f"select column_name from information_schema.columns where table_schema = '{SCHEMA}' "
                   "and table_name = 'orders' order by ordinal_position")  # fmt: skip
    plan = RestorePlan(columns=[name for (name,) in cursor.fetchall()])

    def baseline() -> None:
        cursor.execute(f"drop table if exists {SCHEMA}.orders_ctas")
        cursor.execute(f"create table {SCHEMA}.orders_ctas as select * from {SCHEMA}.orders_backup")

    def restore() -> None:
        warehouse.restore_table(SCHEMA, "orders", (SCHEMA, "orders_backup"), plan)

    baseline_seconds = tpch.best_of(3, baseline)
    ours = tpch.best_of(3, restore)
    print(f"baseline create table as select: {baseline_seconds:.2f}s")
    print(f"restore into the table itself (truncate + insert, one transaction): {ours:.2f}s "
          f"(ratio {ours / baseline_seconds:.2f})")  # fmt: skip
    cursor.execute(f"alter table {SCHEMA}.orders add primary key (o_orderkey)")
    with_key = tpch.best_of(3, restore)
    print(f"restore into the table with a primary key (index rebuilt too): {with_key:.2f}s "
          f"(ratio {with_key / baseline_seconds:.2f})")  # fmt: skip
    cursor.execute(f"drop schema {SCHEMA} cascade")
    print(f"RESULT restore_postgres ratio={ours / baseline_seconds:.2f} goal=1.5")


if __name__ == "__main__":
    main()
