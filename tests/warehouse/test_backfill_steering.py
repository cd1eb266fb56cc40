"""`batch_seconds`: on PostgreSQL the backfill's batch size steers itself towards a time per
batch (at most doubled or halved after each batch, within 100..100,000 rows), carried from one
call to the next; DuckDB keeps `batch_size`. Either way every row is backfilled exactly once."""

from __future__ import annotations

from pathlib import Path

from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, write_spec

ROWS = 13_000
# A target no batch comes near (60 s): every batch is then doubled, a sequence known in advance.
SPEC = """
name: readings_doubled
table: readings
key: [id]
batch_size: 100
batch_seconds: 60
operations:
  - {type: add_column, column: doubled, data_type: bigint, up: "v * 2"}
"""


def test_the_batch_size_steers_towards_the_target_time(settings: Settings, db: Db, tmp_path: Path) -> None:
    db.execute(f"create schema if not exists {db.schema}")
    db.execute(f"create table {db.schema}.readings (id integer primary key, v integer)")
    db.execute(f"insert into {db.schema}.readings select cast(i as integer), cast(i % 97 as integer) "
               f"from generate_series(1, {ROWS}) as t(i)")  # fmt: skip
    migration = Migration(Warehouse(settings), load_spec(write_spec(tmp_path, SPEC)), batches_per_call=3)
    steps = migration.start()
    run = migration.current_run()
    assert run is not None
    sizes = [rows for (rows,) in db.query(f"select rows_affected from {settings.meta_schema}.backfill_checkpoints "
                                          f"where run_id = '{run.run_id}' order by batch_no")]  # fmt: skip
    backfill = next(step for step in steps if step.step == "backfill")
    if settings.target == "postgres":  # doubled after each batch, across calls of 3 batches
        assert sizes == [100, 200, 400, 800, 1600, 3200, 6400, 300]
        assert "8 batch(es) steered to ~60 s each: 100..6,400 rows" in backfill.result
    else:
        assert sizes == [100] * (ROWS // 100)
        assert "130 batch(es) of ≤100" in backfill.result
    assert db.query(f"select count(*) from {db.schema}.readings where doubled is distinct from v * 2") == [(0,)]
