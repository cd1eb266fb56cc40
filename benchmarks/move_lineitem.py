"""`harness move` of TPC-H `lineitem` (sf=1, 6,001,215 rows, 16 columns) from a DuckDB file into
PostgreSQL, including its end-to-end verification (row count and portable checksum per key range,
computed by PostgreSQL itself), against the plain way in the same run: DuckDB's postgres extension
`CREATE TABLE pg.lineitem AS SELECT * FROM lineitem` (one binary COPY, no verification). Then the
peak memory (RSS) of a fresh process moving 1M rows and 6M rows, to show it does not grow with
the table.

    python benchmarks/move_lineitem.py [runs, default 2]

The source has no primary key (dbgen makes none): the move is by --key l_orderkey,l_linenumber,
and builds no key after the load, as the plain copy builds none. dbt parses the project once per
process before the first move (a fixed cost of the harness, not of the move): both are timed after it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch

from harness.move import Endpoint, MoveOptions, MoveResult, run_move
from harness.runner import DbtProject
from harness.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "target" / "bench" / "move"
DATABASE = BENCH / "tpch.duckdb"
SCHEMA, META = "bench_move", "bench_move_meta"
KEY = ["l_orderkey", "l_linenumber"]

PEAK_RSS = r"""
import json, sys
from pathlib import Path
from harness.move import Endpoint, MoveOptions, run_move
from harness.settings import Settings
source = Settings(target="duckdb", duckdb_path=Path(sys.argv[1]), target_dir=Path(sys.argv[2]))
dest = Settings(target="postgres", schema=sys.argv[4], meta_schema=sys.argv[5], target_dir=Path(sys.argv[2]))
result = run_move(Endpoint(settings=source, schema="main", table=sys.argv[3]),
                  Endpoint(settings=dest, schema=sys.argv[4], table=sys.argv[3]),
                  MoveOptions(key=["l_orderkey", "l_linenumber"]))
assert result.verified
# VmHWM, not ru_maxrss: Linux carries the parent's peak over fork and exec into ru_maxrss.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(json.dumps({"rows": result.rows_total, "peak_rss_mb": peak, "seconds": result.seconds}))
"""


def reset_postgres() -> None:
    tpch.postgres_cursor().execute(
        f"drop schema if exists {SCHEMA} cascade; drop schema if exists {META} cascade; create schema {SCHEMA}"
    )


def plain_copy() -> None:
    """The fastest plain way measured here: the postgres extension's binary COPY of the whole table."""
    reset_postgres()
    with duckdb.connect() as connection:
        tpch.load_extension(connection, "postgres_scanner")
        connection.execute(f"attach '{DATABASE}' as source (read_only)")
        connection.execute(f"attach '{tpch.PG_DSN}' as pg (type postgres)")
        connection.execute(f"create table pg.{SCHEMA}.lineitem as select * from source.main.lineitem")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    BENCH.mkdir(parents=True, exist_ok=True)
    if not DATABASE.exists():
        with duckdb.connect(str(DATABASE)) as connection:
            tpch.generate(connection, 1)
            connection.execute("create table lineitem_1m as select * from lineitem order by l_orderkey, "
                               "l_linenumber limit 1000000")  # fmt: skip
            for table in ("customer", "nation", "orders", "part", "partsupp", "region", "supplier"):
                connection.execute(f"drop table {table}")
            connection.execute("checkpoint")
    source = Settings(target="duckdb", duckdb_path=DATABASE, target_dir=BENCH)
    dest = Settings(target="postgres", schema=SCHEMA, meta_schema=META, target_dir=BENCH)
    for settings in (source, dest):
        DbtProject(settings).credentials()  # dbt parses the project once per process
    results: list[MoveResult] = []

    def ours() -> None:
        reset_postgres()
        source_table = Endpoint(settings=source, schema="main", table="lineitem")
        results.append(
            run_move(source_table, Endpoint(settings=dest, schema=SCHEMA, table="lineitem"), MoveOptions(key=KEY))
        )
        assert results[-1].verified, results[-1].summary()

    plain = tpch.best_of(runs, plain_copy)
    print(f"plain copy (postgres extension, no verification): {plain:.2f}s", flush=True)
    moved = tpch.best_of(runs, ours)
    fastest = min(results, key=lambda result: result.seconds)
    steps = {step.step: step.seconds for step in fastest.steps}
    print(f"harness move (load + verify): {moved:.2f}s = load {steps['load']:.2f}s + verify {steps['verify']:.2f}s "
          f"(+ planning and setup {moved - steps['load'] - steps['verify']:.2f}s), "
          f"{fastest.ranges} ranges", flush=True)  # fmt: skip

    # The same move with 100,000-row batches (fewer, larger transactions), for the trade-off.
    reset_postgres()
    larger = run_move(
        Endpoint(settings=source, schema="main", table="lineitem"),
        Endpoint(settings=dest, schema=SCHEMA, table="lineitem"),
        MoveOptions(key=KEY, batch_size=100_000),
    )
    assert larger.verified, larger.summary()
    steps = {step.step: step.seconds for step in larger.steps}
    print(f"harness move --batch-size 100000: {larger.seconds:.2f}s = load {steps['load']:.2f}s + verify "
          f"{steps['verify']:.2f}s, ratio {larger.seconds / plain:.2f}", flush=True)  # fmt: skip

    peaks = {}
    for table in ("lineitem_1m", "lineitem"):
        reset_postgres()
        completed = subprocess.run(
            [sys.executable, "-c", PEAK_RSS, str(DATABASE), str(BENCH), table, SCHEMA, META],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        peaks[table] = json.loads(completed.stdout.strip().splitlines()[-1])
        print(f"peak RSS moving {peaks[table]['rows']:,} rows: {peaks[table]['peak_rss_mb']:.0f} MB "
              f"({peaks[table]['seconds']:.1f}s)", flush=True)  # fmt: skip
    growth = peaks["lineitem"]["peak_rss_mb"] / peaks["lineitem_1m"]["peak_rss_mb"] - 1
    print(f"peak RSS 6M vs 1M: {growth:+.1%} (goal: within 10%)")
    reset_postgres()
    print(f"RESULT move_lineitem ratio={moved / plain:.2f} goal=1.3")


if __name__ == "__main__":
    main()
