"""Locate 3 changed rows between TPC-H `orders` (sf=1, 1.5M rows, 9 columns) and a copy, in
PostgreSQL: `harness diff` (segment checksums) against reladiff 0.6.0, in the same run.

reladiff is a peer to beat, not a dependency: it is installed into its own virtual environment
under target/bench/. Both are timed in-process, connection already open, best of 3 runs; for
reladiff the faster of its two algorithms (joindiff, hashdiff) is the baseline.

    python benchmarks/diff_vs_reladiff.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

import duckdb
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

from harness.diff import diff_relations
from harness.settings import Settings
from harness.warehouse import Warehouse

SCHEMA = "bench_diff"
ROW_POSITIONS = (5, 750_000, 1_499_990)  # three existing keys: start, middle, end of the range
ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "bench" / "reladiff-venv"
COLUMNS = ["o_custkey", "o_orderstatus", "o_totalprice", "o_orderdate", "o_orderpriority", "o_clerk",
           "o_shippriority", "o_comment"]  # fmt: skip

RELADIFF_RUN = r"""
import json, sys, time
from reladiff import connect_to_table, diff_tables, Algorithm
dsn, schema, columns, algorithm = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
a = connect_to_table(dsn, f"{schema}.orders", "o_orderkey", extra_columns=tuple(columns))
b = connect_to_table(dsn, f"{schema}.orders_copy", "o_orderkey", extra_columns=tuple(columns))
a.count(); b.count()  # connections open and warm
times, keys = [], set()
for _ in range(3):
    clock = time.perf_counter()
    found = list(diff_tables(a, b, algorithm=getattr(Algorithm, algorithm)))
    times.append(time.perf_counter() - clock)
    keys = sorted({int(row[1][0]) for row in found})
print(json.dumps({"seconds": min(times), "keys": keys}))
"""


def prepare() -> list[int]:
    connection = duckdb.connect()
    tpch.generate(connection, 1)
    tpch.copy_to_postgres(connection, ["orders"], SCHEMA)
    with psycopg2.connect(tpch.PG_DSN) as pg, pg.cursor() as cursor:
        cursor.execute(f"create table {SCHEMA}.orders_copy as select * from {SCHEMA}.orders")
        cursor.execute(f"alter table {SCHEMA}.orders add primary key (o_orderkey)")
        cursor.execute(f"alter table {SCHEMA}.orders_copy add primary key (o_orderkey)")
        changed = []
        for position in ROW_POSITIONS:
            cursor.execute(f"select o_orderkey from {SCHEMA}.orders order by o_orderkey offset {position} limit 1")
            changed.append(cursor.fetchone()[0])
        cursor.execute(
            f"update {SCHEMA}.orders_copy set o_comment = o_comment || ' (changed)' where o_orderkey = any(%s)",
            (changed,),
        )
        cursor.execute(f"analyze {SCHEMA}.orders")
        cursor.execute(f"analyze {SCHEMA}.orders_copy")
    return changed


def reladiff_seconds(changed: list[int]) -> tuple[float, str]:
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "reladiff==0.6.0", "psycopg2-binary"], check=True)
    dsn = "postgresql://{user}@{host}:{port}/{dbname}".format(**dict(p.split("=") for p in tpch.PG_DSN.split()))
    best: tuple[float, str] | None = None
    for algorithm in ("JOINDIFF", "HASHDIFF"):
        output = subprocess.run(
            [str(python), "-c", RELADIFF_RUN, dsn, SCHEMA, json.dumps(COLUMNS), algorithm],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        measured = json.loads(output.strip().splitlines()[-1])
        assert measured["keys"] == changed, measured
        print(f"reladiff {algorithm.lower()}: {measured['seconds']:.2f}s", flush=True)
        if best is None or measured["seconds"] < best[0]:
            best = (measured["seconds"], algorithm.lower())
    assert best is not None
    return best


def harness_seconds(changed: list[int]) -> float:
    warehouse = Warehouse(Settings(target="postgres", schema=SCHEMA, target_dir=ROOT / "target" / "bench"))
    warehouse.info()  # parse once and connect, as reladiff's connections are opened before timing
    times = []
    for _ in range(3):
        clock = time.perf_counter()
        result = diff_relations(warehouse, (SCHEMA, "orders"), (SCHEMA, "orders_copy"), "o_orderkey")
        times.append(time.perf_counter() - clock)
        assert [d.key for d in result.differences] == changed, result.differences
    print(f"harness diff: {min(times):.2f}s (runs: {', '.join(f'{t:.2f}' for t in times)}; "
          f"median {statistics.median(times):.2f}s)", flush=True)  # fmt: skip
    return min(times)


def main() -> None:
    changed = prepare()
    baseline, algorithm = reladiff_seconds(changed)
    ours = harness_seconds(changed)
    with psycopg2.connect(tpch.PG_DSN) as pg, pg.cursor() as cursor:
        cursor.execute(f"drop schema {SCHEMA} cascade")
    print(f"baseline reladiff 0.6.0 ({algorithm}) {baseline:.2f}s, harness diff {ours:.2f}s")
    print(f"RESULT diff_vs_reladiff ratio={ours / baseline:.2f} goal=0.5")


if __name__ == "__main__":
    main()
