"""kill -9 during `harness move` (DuckDB -> PostgreSQL, two workers) at random batches, early,
midway and late, then `--resume`: every batch committed with its checkpoint or not at all, the
resumed run moves only the unfinished ranges, and the result is exact (portable checksums of
the whole table on both engines)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from harness import faults
from harness.settings import Settings
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, wait_for

ROWS, BATCH = 20_000, 400
BATCHES = ROWS // BATCH
pytestmark = pytest.mark.slow


def create_source(settings: Settings) -> None:
    """Events with NULLs, decimals, instants, and text with quotes, a newline and non-ASCII letters."""
    with duckdb.connect(str(settings.duckdb_path)) as connection:
        connection.execute(
            "create table main.events (id bigint primary key, kind varchar, amount decimal(14, 4), "
            "happened_at timestamptz, payload varchar)"
        )
        payload = "repeat(chr(cast(65 + i % 26 as integer)), cast(i % 50 as integer)) || '''\"' || chr(10) || 'ü'"
        connection.execute(
            "insert into main.events select i, case when i % 7 = 0 then null else 'k' || (i % 13) end, "
            "(i * 7919 % 1000003) / 10000.0, timestamptz '2025-01-01 00:00:00+00' + i * interval '61 seconds', "
            f"{payload} from range({ROWS}) as t(i)"
        )


def move_command(source: Settings, dest: Settings, *extra: str) -> tuple[list[str], dict[str, str]]:
    command = [
        sys.executable, "-m", "harness.cli", "--meta-schema", dest.meta_schema, "--backup-schema", dest.backup_schema,
        "--target-dir", str(dest.output_dir), "move", "main.events", f"{dest.schema}.events",
        "--source-target", "duckdb", "--dest-target", "postgres", "--batch-size", str(BATCH), "--workers", "2", *extra,
    ]  # fmt: skip
    return command, {**os.environ, **source.environment(), **dest.environment()}


def checkpoints(db: Db) -> tuple[int, int]:
    """(ranges committed, rows they hold) in the destination's checkpoint table."""
    try:
        rows = db.query(f"select count(*), coalesce(sum(row_count), 0) from {db.settings.meta_schema}.move_checkpoints")
    except Exception:  # the state tables do not exist yet
        return (0, 0)
    return int(rows[0][0]), int(rows[0][1])


def copies_running(db: Db) -> int:
    """Server sessions still writing into the test's destination (the killed process's orphans)."""
    return int(db.query(
        "select count(*) from pg_stat_activity where pid <> pg_backend_pid() and state <> 'idle' "
        f"and strpos(query, '{db.schema}') > 0 and strpos(query, 'events') > 0"
    )[0][0])  # fmt: skip


@pytest.mark.parametrize("where", ["early", "midway", "late"])
def test_kill_9_mid_move_then_resume_is_exact(
    where: str, duckdb_settings: Settings, postgres_settings: Settings, tmp_path: Path
) -> None:
    rng = random.Random(f"move-{where}")
    kill_after = {"early": rng.randint(1, 5), "midway": rng.randint(20, 30), "late": rng.randint(40, 46)}[where]
    create_source(duckdb_settings)
    db = Db(postgres_settings)
    command, env = move_command(duckdb_settings, postgres_settings)
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as sink:
        process = subprocess.Popen(command, env={**env, faults.ENV: f"move.after_batch:{kill_after}"},
                                   stdout=subprocess.DEVNULL, stderr=sink)  # fmt: skip
        try:
            wait_for(
                lambda: faults.FAULT_MARKER in stderr.read_text(), "the fault point", lambda: process.poll() is None
            )
            assert checkpoints(db)[0] >= kill_after  # observed: the batches it reported are committed
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    wait_for(lambda: copies_running(db) == 0, "the killed move's server sessions ended")
    committed, committed_rows = checkpoints(db)
    assert kill_after <= committed < BATCHES, "the kill must land before the move finished"
    # Every committed batch is in the table with its checkpoint, and nothing else is.
    assert db.query(f"select count(*) from {db.schema}.events")[0][0] == committed_rows

    refused = subprocess.run(command, env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "--resume" in refused.stderr  # a second start is refused, not doubled

    report = tmp_path / "resume.json"
    resumed = subprocess.run([*command, "--resume", "--json", str(report)], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    result = json.loads(report.read_text())
    assert result["verified"] and result["ranges_resumed"] == committed
    assert result["rows_moved"] == ROWS - committed_rows and result["rows_total"] == ROWS
    # Exact: the whole table's portable checksum on DuckDB equals PostgreSQL's, column by column too.
    source = Warehouse(duckdb_settings).snapshot("main", "events", profile=False, portable=True)
    moved = Warehouse(postgres_settings).snapshot(postgres_settings.schema or "", "events", profile=False,
                                                  portable=True)  # fmt: skip
    assert (moved.row_count, moved.table_checksum) == (source.row_count, source.table_checksum) == (
        ROWS, source.table_checksum)  # fmt: skip
    assert {name: stats.checksum for name, stats in moved.columns.items()} == {
        name: stats.checksum for name, stats in source.columns.items()}  # fmt: skip
    assert db.query(f"select count(distinct range_no) from {postgres_settings.meta_schema}.move_checkpoints") == [
        (BATCHES,)]  # fmt: skip
