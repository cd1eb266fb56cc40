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
from pathlib import Path

import pytest

from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, write_spec

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


def harness_command(settings: Settings, spec: Path) -> tuple[list[str], dict[str, str]]:
    command = [
        sys.executable, "-m", "harness.cli", "--target", settings.target or "duckdb",
        "--meta-schema", settings.meta_schema, "--backup-schema", settings.backup_schema,
        "--target-dir", str(settings.output_dir), "migrate", "start", str(spec),
    ]  # fmt: skip
    return command, {**os.environ, **settings.environment()}


def batches_committed(db: Db, log: Path) -> int:
    """PostgreSQL: the checkpoint rows (readable while the harness works). DuckDB: the batches the
    harness logged (the file is locked while it works; it logs each batch as it commits)."""
    if db.adapter == "postgres":
        try:
            return int(db.query(f"select count(*) from {db.settings.meta_schema}.backfill_checkpoints")[0][0])
        except Exception:  # the state tables do not exist yet
            return 0
    if not log.exists():
        return 0
    lines = log.read_text(errors="replace").splitlines()
    return sum("expand_contract backfill orders: batch" in line for line in lines)


def backfill_backends(db: Db) -> str:
    """The server sessions running this test's backfill block: the DO block names the test's own
    schema (per test process), so another pytest-xdist worker's backfill never matches."""
    return (
        "from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() "
        f"and strpos(query, '$ec_backfill$') > 0 and strpos(query, '{db.schema}') > 0"
    )


def wait_for_orphan(db: Db) -> None:
    """PostgreSQL: the killed harness's backend notices within 100 ms and rolls its batch back."""
    if db.adapter != "postgres":
        return
    deadline = time.monotonic() + 30
    busy = f"select count(*) {backfill_backends(db)}"
    while db.query(busy)[0][0] and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize(("phase", "rewrite"), [("early", False), ("midway", False), ("late", False), ("midway", True)])
def test_kill_9_mid_backfill_then_resume_is_exact(
    settings: Settings, db: Db, tmp_path: Path, phase: str, rewrite: bool
) -> None:
    """(`rewrite`: the batches copy into a rewrite_table's new table instead of updating in place.)"""
    low, high = {"early": (1, 5), "midway": (11, 18), "late": (22, BATCHES - 3)}[phase]
    kill_after = random.randint(low, high)
    create_orders(db)
    expected = db.query(f"select region, id, amount * 100 + region from {db.schema}.orders order by region, id")
    spec = write_spec(tmp_path, SPEC + ("  - {type: rewrite_table}\n" if rewrite else ""))
    command, env = harness_command(settings, spec)
    log = settings.output_dir / "logs" / "dbt.log"
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while batches_committed(db, log) < kill_after and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, f"the harness ended before batch {kill_after}"
    process.send_signal(signal.SIGKILL)
    process.wait()
    wait_for_orphan(db)
    migration = Migration(Warehouse(settings), load_spec(spec))
    run = migration.current_run()
    assert run is not None and run.state == "expanded", f"killed after batch {kill_after}"
    committed = int(run.last_checkpoint["batch_no"])  # type: ignore[index]
    assert kill_after <= committed < BATCHES, f"killed after batch {kill_after}"
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
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while batches_committed(db, Path("/nonexistent")) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    terminate = f"select pg_terminate_backend(pid) {backfill_backends(db)}"
    while db.query(terminate) != [(True,)]:  # between two calls no backfill runs: try again
        assert process.poll() is None, "the backfill ended before its session could be ended"
        time.sleep(0.01)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0 and "backfill" in output
    migration = Migration(Warehouse(postgres_settings), load_spec(spec))
    run = migration.current_run()
    assert run is not None and run.state == "expanded"
    committed = int(run.last_checkpoint["batch_no"])  # type: ignore[index]
    assert 8 <= committed < BATCHES
    backfill = next(step for step in migration.start() if step.step == "backfill")
    assert f"resumed after checkpoint {committed}" in backfill.result
    migration.complete()
    assert db.query(f"select region, id, total_cents from {db.schema}.orders order by region, id") == expected
