"""A DuckDB file has one writing process at a time, and the harness holds it only while a call
runs: a call that finds it held by another process (a second harness command, a notebook) waits
for it, backing off, and goes on once it is free; past EC_DUCKDB_BUSY_TIMEOUT it stops with a
message naming the holder (exit 2), nothing changed."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.errors import ConnectionFailed
from harness.settings import Settings
from harness.warehouse import Warehouse

pytestmark = pytest.mark.duckdb


@contextmanager
def held(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process with the file open (DuckDB's lock), until the block ends."""
    code = f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('held', flush=True); sys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()


def test_a_call_waits_for_the_file_another_process_holds(duckdb_settings: Settings) -> None:
    warehouse = Warehouse(duckdb_settings)
    warehouse.ensure_state()  # the file exists
    outcome: dict[str, object] = {}

    def call() -> None:
        try:
            outcome["run"] = warehouse.read_run("nothing_yet")
        except Exception as exc:  # (reported below)
            outcome["error"] = exc

    with held(duckdb_settings.duckdb_path):
        worker = threading.Thread(target=call)
        worker.start()
        while not warehouse.project.busy_waits and worker.is_alive():  # observed: it found the file held
            time.sleep(0.01)
        assert warehouse.project.busy_waits >= 1, outcome
    worker.join()
    assert outcome == {"run": None}  # it went on once the file was free


def test_past_the_timeout_the_holder_is_named(duckdb_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = Warehouse(duckdb_settings)
    warehouse.ensure_state()
    monkeypatch.setenv("EC_DUCKDB_BUSY_TIMEOUT", "0")
    with held(duckdb_settings.duckdb_path) as holder, pytest.raises(ConnectionFailed) as raised:
        warehouse.read_run("nothing_yet")
    assert "in use by another process" in raised.value.message and f"PID {holder.pid}" in raised.value.message
    assert raised.value.exit_code == 2
