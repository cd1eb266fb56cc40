"""The backfill's pacing by replication lag, against a real streaming standby (tests/fixtures/
replica.py): with the standby's replay paused, the WAL the backfill writes piles up unreplayed,
the backfill pauses (journaled with the lag), and it resumes once replay catches up; the standby
ends up with every row backfilled."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.lifecycle.migration import Migration
from harness.settings import DEMO_PROJECT, Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.readings import create_readings, spec_text, start_until_paused, wrong_rows
from tests.fixtures.replica import primary_with_standby
from tests.fixtures.warehouse import wait_for, write_spec

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
SPEC = spec_text("batch_size: 100\nmonitor: {max_replication_lag_bytes: 65536}")


def test_the_backfill_pauses_while_a_replica_lags_and_resumes_when_it_catches_up(tmp_path: Path) -> None:
    with primary_with_standby() as pair:
        primary, standby = pair.primary_port, pair.standby_port
        create_readings(lambda sql: pair.query(primary, sql), "lag")
        settings = Settings(project_dir=DEMO_PROJECT, target="postgres", pg_database="postgres", pg_port=primary,
                            schema="lag", target_dir=tmp_path / "target", meta_schema="lag_meta",
                            backup_schema="lag_backup")  # fmt: skip
        migration = Migration(Warehouse(settings), load_spec(write_spec(tmp_path, SPEC)), batches_per_call=2)
        pair.query(standby, "select pg_wal_replay_pause()")
        journal = "select step, status, detail from lag_meta.migration_steps order by finished_at"

        def resume_replay() -> None:
            pair.query(standby, "select pg_wal_replay_resume()")

        def paused() -> bool:
            return any(step == "backfill paused" for step, _, _ in pair.query(primary, journal))

        steps = start_until_paused(migration, paused, resume_replay)
        lines = pair.query(primary, journal)
        paused = [detail for step, _, detail in lines if step == "backfill paused"]
        assert paused and "bytes of WAL not replayed > 65,536" in paused[0], paused
        assert any(step == "backfill resumed" for step, _, _ in lines)
        backfill = next(step for step in steps if step.step == "backfill")
        assert "while the server was busy" in backfill.result
        assert pair.query(primary, wrong_rows("lag")) == [(0,)]
        target = pair.query(primary, "select pg_current_wal_lsn()")[0][0]
        replayed = f"select pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
        wait_for(lambda: pair.query(standby, replayed)[0][0], "the standby replayed up to the primary's position")
        assert pair.query(standby, wrong_rows("lag")) == [(0,)]
