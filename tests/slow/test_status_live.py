"""`harness migrate status` from a second shell while `migrate start` runs the backfill: it shows
what the running process publishes (harness/live.py) without opening the warehouse, so on DuckDB
it answers even while the file is held, and never holds the running migration up; once that
process is gone, the state tables, with the last batch's time instead of a time left."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from harness import faults
from harness.runner import BUSY_TIMEOUT
from harness.settings import Settings
from tests.fixtures.warehouse import Db, write_spec
from tests.slow.test_crash import SPEC, create_orders, harness_command

pytestmark = pytest.mark.slow


def test_status_reads_what_the_running_migration_publishes(settings: Settings, db: Db, tmp_path: Path) -> None:
    create_orders(db)
    # Slow batches: PostgreSQL's server-side loop commits a few per call (2 s), not all 30 at once.
    spec = write_spec(tmp_path, SPEC.replace("throttle_seconds: 0.05", "throttle_seconds: 0.2"))
    command, env = harness_command(settings, spec)
    running = subprocess.Popen(command, env={**env, faults.ENV: "backfill.after_batch:3"}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert running.stderr is not None
    watching: subprocess.Popen[str] | None = None
    try:
        for line in running.stderr:  # paused after the call that committed batch 3, its progress published
            if line.startswith(faults.FAULT_MARKER):
                break
        status, status_env = harness_command(settings, spec, "status")
        status_env[BUSY_TIMEOUT] = "0"  # a status that touched a held file would fail at once
        holder = duckdb.connect(str(settings.duckdb_path)) if settings.target == "duckdb" else None
        try:  # (DuckDB: the file held, as by a call of the running migration)
            shown = subprocess.run(status, env=status_env, capture_output=True, text=True, timeout=300)
            as_json = subprocess.run([*status, "--json", "-"], env=status_env, capture_output=True, text=True,
                                     timeout=300)  # fmt: skip
        finally:
            if holder is not None:
                holder.close()
        assert shown.returncode == 0, shown.stdout + shown.stderr
        published = json.loads(as_json.stdout)
        assert published["running"]["pid"] == running.pid and published["state"] == "expanded"
        progress = published["backfill_progress"]
        batches = progress["batches"]
        assert 3 <= batches < 30 and progress["rows_done"] == 20 * batches and not progress["finished"]
        text = " ".join(shown.stdout.split())
        assert f"running: harness migrate start (pid {running.pid}" in text and "expanded" in text
        assert f"backfill: {20 * batches} of 600 rows ({20 * batches / 600:.0%}), {batches} batch(es)" in text
        assert "s left" in text
        watch, _ = harness_command(settings, spec, "watch")
        watching = subprocess.Popen([*watch, "--interval", "0.1"], env=status_env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)  # fmt: skip
        assert watching.stdout is not None
        first = watching.stdout.readline()  # one look at the paused run, without opening the file
        assert (
            f"harness migrate start (pid {running.pid}): expanded; last step expand (ok); backfill: {20 * batches}"
            in first
        )
    finally:
        running.send_signal(signal.SIGKILL)
        running.wait()
        running.stderr.close()
    assert watching is not None
    watched, _ = watching.communicate(timeout=300)  # the command ended: watch says so, then the state
    assert watching.returncode == 0, first + watched
    assert "the command ended; the migration now:" in watched and "last batch committed at" in " ".join(watched.split())
    after = subprocess.run(status, env=status_env, capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stdout + after.stderr
    text = " ".join(after.stdout.split())
    assert "running:" not in text  # the killed process's file is recognised as stale
    assert f"backfill: {20 * batches} of 600 rows" in text  # from the checkpoints: the same batches committed
    assert "last batch committed at" in text and "resumes it" in text and "s left" not in text
