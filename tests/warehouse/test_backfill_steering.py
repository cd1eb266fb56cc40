"""The backfill steering itself on PostgreSQL: `batch_seconds` (the batch size follows a time per
batch, at most doubled or halved after each batch, within 100..100,000 rows, carried from one
call to the next; DuckDB keeps `batch_size`) and `monitor` (a pause while a probe says readers
wait; refused on DuckDB). Either way every row is backfilled exactly once."""

from __future__ import annotations

import contextlib
import itertools
import json
from pathlib import Path

import psycopg2
import pytest

from harness.errors import InputError, RolledBack
from harness.lifecycle.migration import Migration
from harness.lifecycle.step import NullReporter
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.readings import ROWS, create_readings, spec_text, start_until_paused, wrong_rows
from tests.fixtures.warehouse import PG, Db, wait_for, write_spec

# A target no batch comes near (60 s): every batch is then doubled, a sequence known in advance.
STEERED = spec_text("batch_size: 100\nbatch_seconds: 60")
MONITORED = spec_text("batch_size: 100\nmonitor: {probe_table: probe_target, max_latency_ratio: 2}")


def test_the_batch_size_steers_towards_the_target_time(settings: Settings, db: Db, tmp_path: Path) -> None:
    create_readings(db.execute, db.schema)
    migration = Migration(Warehouse(settings), load_spec(write_spec(tmp_path, STEERED)), batches_per_call=3)
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
    assert db.query(wrong_rows(db.schema)) == [(0,)]


class LockAfterFirstCall(NullReporter):
    """After the backfill's first call, another session takes the probe table (as a long DDL of
    someone else's would): readers of it wait, and the probe sees them wait."""

    def __init__(self, db: Db) -> None:
        self.holder = psycopg2.connect(**PG)
        self.relation = f"{db.schema}.probe_target"
        self.locked = False

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
        if not self.locked:
            self.holder.cursor().execute(f"lock table {self.relation} in access exclusive mode")
            self.locked = True

    def release(self) -> None:
        self.holder.rollback()
        self.holder.close()


def test_the_backfill_pauses_while_readers_wait_and_resumes_after(settings: Settings, db: Db, tmp_path: Path) -> None:
    """monitor: the probe's baseline is taken before the backfill; once readers of the probe table
    wait (a lock held by another session), the backfill pauses, journaled with the probe's values,
    and resumes when they no longer wait; every row is backfilled exactly once. DuckDB refuses it
    before anything changes (one process per file: nobody to make room for)."""
    create_readings(db.execute, db.schema)
    db.execute(f"create table {db.schema}.probe_target (id integer primary key)")
    db.execute(f"insert into {db.schema}.probe_target values (1)")
    spec = load_spec(write_spec(tmp_path, MONITORED))
    if settings.target != "postgres":
        with pytest.raises(InputError, match=r"monitor: .* one process per file"):
            Migration(Warehouse(settings), spec).start()
        assert db.columns("readings") == ["id", "v"]
        return
    locker = LockAfterFirstCall(db)
    migration = Migration(Warehouse(settings), spec, locker, batches_per_call=2)
    journal = f"select step, status, detail from {settings.meta_schema}.migration_steps order by finished_at"
    steps = start_until_paused(migration, lambda: any(step == "backfill paused" for step, _, _ in db.query(journal)),
                               locker.release)  # fmt: skip
    lines = db.query(journal)
    assert [status for step, status, _ in lines if step == "monitor"] == ["ok"]
    paused = [detail for step, _, detail in lines if step == "backfill paused"]
    assert paused and "ms >" in paused[0] and "x the baseline" in paused[0]
    assert any(step == "backfill resumed" and "pause" in detail for step, _, detail in lines)
    backfill = next(step for step in steps if step.step == "backfill")
    assert "paused" in backfill.result and "while the server was busy" in backfill.result
    backfilled = f"select figures from {settings.meta_schema}.migration_steps where step = 'backfill' and status = 'ok'"
    figures = json.loads(db.query(backfilled)[0][0])
    page = Path(figures["signals_page"]).read_text()  # the signals charted, the pause listed
    assert page.count("<svg") >= 5 and "limit" in page and "probe " in page and "<script" not in page
    assert db.query(wrong_rows(db.schema)) == [(0,)]


def test_a_pause_past_its_limit_stops_the_backfill_and_auto_rollback_undoes_it(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    """The probe trigger: readers kept waiting longer than max_pause_seconds stop the backfill;
    with auto-rollback the lossless rollback follows (exit 1), the journal says which trigger
    fired with its values, and the table is as it was."""
    db = Db(postgres_settings)
    create_readings(db.execute, db.schema)
    db.execute(f"create table {db.schema}.probe_target (id integer primary key)")
    rows = db.rows("readings")
    spec = load_spec(write_spec(tmp_path, MONITORED.replace("max_latency_ratio: 2", "max_pause_seconds: 1")))
    locker = LockAfterFirstCall(db)  # held until the test ends: the pause outlasts its limit
    try:
        with pytest.raises(RolledBack, match=r"backfill stopped: paused for 1 s and still probe \d+ ms > "):
            Migration(Warehouse(postgres_settings), spec, locker, batches_per_call=2).start(auto_rollback=True)
    finally:
        locker.release()
    journal = db.query(f"select step, status, detail from {postgres_settings.meta_schema}.migration_steps "
                       "order by finished_at")  # fmt: skip
    failed = [detail for step, status, detail in journal if step == "backfill" and status == "failed"]
    assert failed and "probe" in failed[0] and "x the baseline" in failed[0]
    assert db.rows("readings") == rows and db.columns("readings") == ["id", "v"]


def test_an_old_transaction_pauses_the_backfill_and_the_signals_are_journaled(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    """monitor.max_transaction_seconds: another client's transaction open longer than the limit
    (it keeps VACUUM from the row versions the backfill leaves) pauses the backfill; its commit
    resumes it. Every look at the signals is journaled with the backfill, as a time series."""
    db = Db(postgres_settings)
    create_readings(db.execute, db.schema)
    spec = load_spec(write_spec(tmp_path, MONITORED.replace("probe_table: probe_target, max_latency_ratio: 2",
                                                            "max_transaction_seconds: 1")))  # fmt: skip
    old = psycopg2.connect(**PG)
    old.cursor().execute("select txid_current()")  # a transaction, open until the test commits it
    pid = old.get_backend_pid()
    age = f"select extract(epoch from clock_timestamp() - xact_start) > 1.5 from pg_stat_activity where pid = {pid}"
    wait_for(lambda: db.query(age)[0][0], "the transaction grew older than the limit")
    migration = Migration(Warehouse(postgres_settings), spec, batches_per_call=2)
    journal = f"select step, detail, figures from {postgres_settings.meta_schema}.migration_steps order by finished_at"

    def commit() -> None:
        old.commit()
        old.close()

    start_until_paused(migration, lambda: any(step == "backfill paused" for step, _, _ in db.query(journal)), commit)
    lines = db.query(journal)
    paused = [detail for step, detail, _ in lines if step == "backfill paused"]
    assert "another client's transaction open" in paused[0] and "> 1 s" in paused[0]
    figures = json.loads(next(f for step, _, f in lines if step == "backfill"))
    samples = figures["signals"]
    assert len(samples) >= 2 and {"at", "probe_ms", "standbys", "lag_bytes", "oldest_transaction_seconds"} <= set(
        samples[0]
    )
    assert samples[0]["oldest_transaction_seconds"] > 1 and samples[-1]["oldest_transaction_seconds"] < 1
    assert db.query(wrong_rows(db.schema)) == [(0,)]


class FailingWriter(NullReporter):
    """After the backfill's first call, a writer's transactions fail (a duplicate key, 50 times),
    and the failures are in pg_stat_database before the backfill goes on (an observed fact)."""

    def __init__(self, db: Db) -> None:
        self.db, self.failed = db, False

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
        if self.failed:
            return
        self.failed = True
        counted = "select xact_rollback from pg_stat_database where datname = current_database()"
        before = self.db.query(counted)[0][0]
        writer = psycopg2.connect(**PG)
        for _ in range(50):
            with contextlib.suppress(psycopg2.errors.UniqueViolation):
                writer.cursor().execute(f"insert into {self.db.schema}.readings (id, v) values (1, 1)")
            writer.rollback()
        writer.close()
        wait_for(lambda: self.db.query(counted)[0][0] >= before + 50, "the failures reached pg_stat_database")


def test_writers_failing_pause_the_backfill(postgres_settings: Settings, tmp_path: Path) -> None:
    """monitor.max_error_rate: a share of the database's transactions rolled back between two looks
    above the limit pauses the backfill (journaled with the rate); once writers stop failing it
    resumes and finishes exactly."""
    db = Db(postgres_settings)
    create_readings(db.execute, db.schema)
    spec = load_spec(write_spec(tmp_path, MONITORED.replace("probe_table: probe_target, max_latency_ratio: 2",
                                                            "max_error_rate: 0.2")))  # fmt: skip
    steps = Migration(Warehouse(postgres_settings), spec, FailingWriter(db), batches_per_call=2).start()
    journal = db.query(f"select step, detail from {postgres_settings.meta_schema}.migration_steps "
                       "order by finished_at")  # fmt: skip
    paused = [detail for step, detail in journal if step == "backfill paused"]
    assert paused and paused[0].startswith("error rate ") and "rolled back since the last look > 20.0%" in paused[0]
    assert any(step == "backfill resumed" for step, _ in journal)
    assert "while the server was busy" in next(step for step in steps if step.step == "backfill").result
    assert db.query(wrong_rows(db.schema)) == [(0,)]


def test_the_batch_size_shrinks_to_its_floor_when_batches_take_longer_than_the_target(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    """A target no batch can meet (1 ms for 1,000 rows): the size falls at most by half a batch,
    down to the floor of 100 rows, never below, and the spec's batch_size stays the ceiling's
    reference across calls (the size reached is carried, the limits are not)."""
    db = Db(postgres_settings)
    create_readings(db.execute, db.schema)
    text = spec_text("batch_size: 1000\nbatch_seconds: 0.001")
    migration = Migration(Warehouse(postgres_settings), load_spec(write_spec(tmp_path, text)), batches_per_call=3)
    migration.start()
    run = migration.current_run()
    assert run is not None
    checkpoints = f"{postgres_settings.meta_schema}.backfill_checkpoints where run_id = '{run.run_id}'"
    sizes = [rows for (rows,) in db.query(f"select rows_affected from {checkpoints} order by batch_no")]
    steady = sizes[:-1]  # (the last batch is what was left)
    assert steady[0] == 1000 and 500 <= steady[1] < 1000  # at most halved at once
    assert all(later >= earlier / 2 for earlier, later in itertools.pairwise(steady))
    assert min(steady) == 100 and all(100 <= size <= 1000 for size in steady)
    assert sum(sizes) == ROWS
    assert db.query(wrong_rows(db.schema)) == [(0,)]
