"""The backfill's pacing by replication lag, against a real streaming standby (tests/fixtures/
replica.py): with the standby's replay paused, the WAL the backfill writes piles up unreplayed,
the backfill pauses (journaled with the lag), and it resumes once replay catches up; the standby
ends up with every row backfilled."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from harness.lifecycle.migration import Migration
from harness.settings import DEMO_PROJECT, Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.replica import primary_with_standby
from tests.fixtures.warehouse import wait_for, write_spec

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROWS = 13_000
SPEC = """
name: readings_doubled
table: readings
key: [id]
batch_size: 100
monitor: {max_replication_lag_bytes: 65536}
operations:
  - {type: add_column, column: doubled, data_type: bigint, up: "v * 2"}
"""
WRONG = "select count(*) from lag.readings where doubled is distinct from v * 2"


def test_the_backfill_pauses_while_a_replica_lags_and_resumes_when_it_catches_up(tmp_path: Path) -> None:
    with primary_with_standby() as pair:
        primary, standby = pair.primary_port, pair.standby_port
        pair.query(primary, "create schema lag")
        pair.query(primary, "create table lag.readings (id integer primary key, v integer)")
        pair.query(primary, f"insert into lag.readings select i, i % 97 from generate_series(1, {ROWS}) as t(i)")
        settings = Settings(project_dir=DEMO_PROJECT, target="postgres", pg_database="postgres", pg_port=primary,
                            schema="lag", target_dir=tmp_path / "target", meta_schema="lag_meta",
                            backup_schema="lag_backup")  # fmt: skip
        migration = Migration(Warehouse(settings), load_spec(write_spec(tmp_path, SPEC)), batches_per_call=2)
        migration.warehouse.ensure_state()
        pair.query(standby, "select pg_wal_replay_pause()")
        done: dict[str, Any] = {}
        worker = threading.Thread(target=lambda: done.update(steps=migration.start()))
        worker.start()
        journal = "select step, status, detail from lag_meta.migration_steps order by finished_at"
        try:
            wait_for(lambda: any(step == "backfill paused" for step, _, _ in pair.query(primary, journal)),
                     "the backfill paused", worker.is_alive)  # fmt: skip
        finally:
            pair.query(standby, "select pg_wal_replay_resume()")
        worker.join(timeout=300)
        lines = pair.query(primary, journal)
        paused = [detail for step, _, detail in lines if step == "backfill paused"]
        assert paused and "bytes of WAL not replayed > 65,536" in paused[0], paused
        assert any(step == "backfill resumed" for step, _, _ in lines)
        backfill = next(step for step in done["steps"] if step.step == "backfill")
        assert "while the server was busy" in backfill.result
        assert pair.query(primary, WRONG) == [(0,)]
        target = pair.query(primary, "select pg_current_wal_lsn()")[0][0]
        replayed = f"select pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
        wait_for(lambda: pair.query(standby, replayed)[0][0], "the standby replayed up to the primary's position")
        assert pair.query(standby, WRONG) == [(0,)]
