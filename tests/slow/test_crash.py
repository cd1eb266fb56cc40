"""kill -9 during the backfill, at random batches early, midway and late, then resume: every
batch commits once with its checkpoint, the resumed run starts after the last one, and the
final data is exact."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from harness import faults
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import PG, Db, write_spec

ROWS, BATCH = 600, 20
BATCHES = ROWS // BATCH
pytestmark = pytest.mark.slow

SPEC = f"""
name: orders_total
table: orders
key: [region, id]              # composite key: the keyset walks (region, id)
batch_size: {BATCH}
throttle_seconds: 0.05         # one batch per call: the kill lands between or inside batches
operations:
  - {{type: add_column, column: total_cents, data_type: bigint, up: "amount * 100 + region"}}
  - {{type: drop_column, column: amount, down: "total_cents / 100"}}
"""


def create_orders(db: Db) -> None:
    db.execute(f"create schema if not exists {db.schema}")
    db.execute(f"create table {db.schema}.orders (region integer not null, id integer not null, amount integer)")
    db.execute(
        f"insert into {db.schema}.orders select cast(i % 3 as integer), cast(i as integer), cast(i * 7 as integer) "
        f"from generate_series(1, {ROWS}) as t(i)"
    )


def harness_command(settings: Settings, spec: Path, step: str = "start") -> tuple[list[str], dict[str, str]]:
    command = [
        sys.executable, "-m", "harness.cli", "--target", settings.target or "duckdb",
        "--meta-schema", settings.meta_schema, "--backup-schema", settings.backup_schema,
        "--target-dir", str(settings.output_dir), "migrate", step, str(spec),
    ]  # fmt: skip
    return command, {**os.environ, **settings.environment()}


def backfill_backends(db: Db) -> str:
    """The server sessions running this test's backfill block: the DO block names the test's own
    schema (per test process), so another pytest-xdist worker's backfill never matches."""
    return (
        "from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() "
        f"and strpos(query, '$ec_backfill$') > 0 and strpos(query, '{db.schema}') > 0"
    )


def wait_until(fact: Callable[[], object], what: str, process: subprocess.Popen[Any] | None = None) -> None:
    """Polls an observed fact (generous deadline: a busy machine only makes it slower)."""
    deadline = time.monotonic() + 300
    while not fact():
        assert process is None or process.poll() is None, f"the harness ended before {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


class BatchBlocker:
    """PostgreSQL: holds batch `n`'s checkpoint row in an open transaction of its own, so the
    backfill's batch `n` (its update done, its checkpoint insert waiting on the primary key) can
    never commit while the test looks: batch n - 1 is the last committed one, whatever the timing."""

    def __init__(self, db: Db, wanted: int) -> None:
        self.db, self.batch = db, wanted
        self.connection = psycopg2.connect(**PG, options=f"-c search_path={db.schema}")
        self.pid = self.connection.get_backend_pid()

    def hold(self, process: subprocess.Popen[Any]) -> int:
        meta = self.db.settings.meta_schema
        runs: list[tuple[Any, ...]] = []

        def run_recorded() -> bool:
            try:
                runs[:] = self.db.query(f"select run_id from {meta}.migration_runs")
            except psycopg2.Error:  # the state tables do not exist yet
                return False
            return bool(runs)

        wait_until(run_recorded, "the run was recorded", process)
        with self.connection.cursor() as cursor:
            while True:  # a batch already committed (a very slow test process) moves the block on
                cursor.execute(
                    f"insert into {meta}.backfill_checkpoints (run_id, batch_no, last_key, rows_affected) "
                    "values (%s, %s, '[]', 0) on conflict do nothing",
                    (runs[0][0], self.batch),
                )
                if cursor.rowcount == 1:
                    break
                self.batch += 1
                assert self.batch <= BATCHES, "the backfill finished before it could be blocked"
        waiting = f"select count(*) {backfill_backends(self.db)} and {self.pid} = any(pg_blocking_pids(pid))"
        wait_until(lambda: self.db.query(waiting)[0][0], f"batch {self.batch} waited on the blocker", process)
        return self.batch

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def wait_for_orphan(db: Db) -> None:
    """PostgreSQL: the killed harness's backend notices within 100 ms and rolls its batch back."""
    wait_until(lambda: not db.query(f"select count(*) {backfill_backends(db)}")[0][0], "the orphan ended")


def kill_9_after_batch(db: Db, settings: Settings, spec: Path, kill_after: int) -> None:
    """Runs `migrate start` and kill -9s it with exactly `kill_after` batches committed: on
    PostgreSQL inside batch kill_after + 1 (held by a BatchBlocker), on DuckDB (one file, one
    writer: nothing can hold a batch from outside) at the fault point after batch `kill_after`."""
    command, env = harness_command(settings, spec)
    if db.adapter == "postgres":
        blocker = BatchBlocker(db, kill_after + 1)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            blocked = blocker.hold(process)
            assert blocked == kill_after + 1, f"batch {kill_after + 1} committed before the block was in place"
            process.send_signal(signal.SIGKILL)
            process.wait()
            wait_for_orphan(db)
        finally:
            process.kill()
            blocker.release()
        return
    kill_9_at("backfill.after_batch", command, env, kill_after)


@pytest.mark.parametrize(("phase", "rewrite"), [("early", False), ("midway", False), ("late", False), ("midway", True)])
def test_kill_9_mid_backfill_then_resume_is_exact(
    settings: Settings, db: Db, tmp_path: Path, phase: str, rewrite: bool
) -> None:
    """(`rewrite`: the batches copy into a rewrite_table's new table instead of updating in place.)"""
    low, high = {"early": (1, 5), "midway": (11, 18), "late": (22, BATCHES - 1)}[phase]
    kill_after = random.randint(low, high)
    create_orders(db)
    expected = db.query(f"select region, id, amount * 100 + region from {db.schema}.orders order by region, id")
    spec = write_spec(tmp_path, SPEC + ("  - {type: rewrite_table}\n" if rewrite else ""))
    kill_9_after_batch(db, settings, spec, kill_after)
    log = settings.output_dir / "logs" / "dbt.log"
    migration = Migration(Warehouse(settings), load_spec(spec))
    run = migration.current_run()
    assert run is not None and run.state == "expanded", f"killed after batch {kill_after}"
    committed = int(run.last_checkpoint["batch_no"])  # type: ignore[index]
    assert committed == kill_after
    steps = migration.start()  # resume
    backfill = next(step for step in steps if step.step == "backfill")
    assert f"resumed after checkpoint {committed}" in backfill.result
    assert backfill.rows == ROWS - committed * BATCH
    # Every batch exactly once, in key order, covering every row.
    checkpoints = db.query(
        f"select batch_no, last_key, rows_affected from {settings.meta_schema}.backfill_checkpoints "
        f"where run_id = '{run.run_id}' order by batch_no"
    )
    assert [row[0] for row in checkpoints] == list(range(1, BATCHES + 1))
    assert sum(row[2] for row in checkpoints) == ROWS
    keys = [tuple(json.loads(row[1])) for row in checkpoints]
    assert keys == sorted(set(keys))
    assert f"{ROWS}/{ROWS} rows, ETA 0.0 s" in log.read_text()  # progress in dbt's log too
    migration.complete()
    assert db.query(f"select region, id, total_cents from {db.schema}.orders order by region, id") == expected


@pytest.mark.postgres
def test_session_ended_by_the_server_mid_backfill_then_resume_is_exact(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    """What a client sees of a server restart: its session ends mid-batch (that batch rolls back)
    and the harness exits with an error; `migrate start` then resumes from the last checkpoint."""
    db = Db(postgres_settings)
    create_orders(db)
    expected = db.query(f"select region, id, amount * 100 + region from {db.schema}.orders order by region, id")
    spec = write_spec(tmp_path, SPEC)
    command, env = harness_command(postgres_settings, spec)
    blocker = BatchBlocker(db, 9)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert blocker.hold(process) == 9
        # Ends the session waiting inside batch 9 (batch 8 is the last committed); between a
        # lock timeout and its retry no session waits: end the next one.
        terminate = f"select pg_terminate_backend(pid) {backfill_backends(db)}"
        wait_until(lambda: db.query(terminate) == [(True,)], "the backfill's session was ended", process)
        output, _ = process.communicate(timeout=300)
    finally:
        process.kill()
        blocker.release()
    assert process.returncode != 0 and "backfill" in output
    migration = Migration(Warehouse(postgres_settings), load_spec(spec))
    run = migration.current_run()
    assert run is not None and run.state == "expanded"
    committed = int(run.last_checkpoint["batch_no"])  # type: ignore[index]
    assert committed == 8
    backfill = next(step for step in migration.start() if step.step == "backfill")
    assert f"resumed after checkpoint {committed}" in backfill.result
    migration.complete()
    assert db.query(f"select region, id, total_cents from {db.schema}.orders order by region, id") == expected


def kill_9_at(point: str, command: list[str], env: dict[str, str], number: int = 1) -> None:
    """Runs a harness command and kill -9s it at a fault point (seen on its stderr)."""
    process = subprocess.Popen(command, env={**env, faults.ENV: f"{point}:{number}"}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith(faults.FAULT_MARKER):
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL, f"the harness ended before {point} {number}"


def test_rollback_after_a_kill_9_mid_backfill_restores_rows_and_catalog(
    settings: Settings, db: Db, tmp_path: Path
) -> None:
    """A run killed inside the backfill (state expanded, some batches committed) rolls back to
    exactly the rows and the catalog from before the migration."""
    from tests.fixtures.catalog import catalog, relations

    create_orders(db)
    rows, schema, tables = db.rows("orders", order_by="region, id"), catalog(db, "orders"), relations(db)
    spec = write_spec(tmp_path, SPEC)
    kill_9_after_batch(db, settings, spec, random.randint(3, BATCHES - 3))
    migration = Migration(Warehouse(settings), load_spec(spec))
    run = migration.current_run()
    assert run is not None and run.state == "expanded" and run.last_checkpoint is not None
    steps = migration.rollback()
    assert steps[0].step == "undo" and steps[-1].result == "checksum equals before-snapshot"
    assert db.rows("orders", order_by="region, id") == rows
    assert catalog(db, "orders") == schema and relations(db) == tables
