"""What a running command publishes for `harness migrate status` in another shell.

The command (start, complete, rollback, ...) writes the run, its journal so far and the
backfill's progress into `<target dir>/expand_contract/<migration>/live-<target>.json`, replaced
atomically after each journal line and each backfill call, and removes it when it ends. While
that process is alive, `migrate status` shows the file and never opens the warehouse: on DuckDB,
whose file one process writes at a time, a status check never takes the file from a running
migration, nor waits for it. A file left by a killed process is recognised (its pid is gone, or
belongs to a later process) and ignored: status then reads the state tables, as without a running
command. `harness validate` and the other commands that hold no run lock publish nothing.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.lifecycle.state import RunRecord
from harness.settings import Settings

RUNNING = ("command", "pid", "target", "updated_at")
_sequence = itertools.count(1)


@dataclass
class Status:
    """A migration's latest run (its journal in `run["steps"]`), its backfill's progress, and the
    command running it (`running`: command, pid, target, updated_at), if one is."""

    run: dict[str, Any] | None
    progress: dict[str, Any] | None
    running: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {**(self.run or {}), "backfill_progress": self.progress, "running": self.running}


def current(settings: Settings, migration: str) -> Status:
    """`migration`'s status on the settings' target (its profile's default when none is given)."""
    from harness.warehouse import Warehouse

    target = settings.target_name
    return status(path(settings.output_dir, migration, target), target,
                  lambda: Warehouse(settings).read_run(migration))  # fmt: skip


def follow(settings: Settings, migration: str, interval: float) -> Iterator[dict[str, Any]]:
    """What the command running `migration` publishes, each time it changes, until it ends."""
    where, seen = path(settings.output_dir, migration, settings.target_name), None
    while (published := read(where, settings.target_name)) is not None:
        if published.get("seq") != seen:
            seen = published.get("seq")
            yield published
        time.sleep(interval)


def status(where: Path, target: str | None, read_run: Callable[[], dict[str, Any] | None]) -> Status:
    """What a running command publishes (the warehouse is not opened), else `read_run()`: the
    state tables."""
    published = read(where, target)
    if published is not None:
        return Status(published.get("run"), published.get("backfill_progress"),
                      {key: published.get(key) for key in RUNNING})  # fmt: skip
    run = read_run()
    if run is None:
        return Status(None, None, None)
    progress = RunRecord.from_dict(run).backfill_progress()
    run.pop("snapshots", None)
    return Status(run, progress, None)


def path(output_dir: Path, migration: str, target: str) -> Path:
    """Where a command on `target` publishes `migration`'s progress (one file per target)."""
    return output_dir / "expand_contract" / migration / f"live-{target}.json"


def publish(where: Path, data: dict[str, Any]) -> None:
    """Replaces the file in one rename: a reader sees the old content or the new, never half."""
    where.parent.mkdir(parents=True, exist_ok=True)
    partial = where.with_name(f".{where.name}.{os.getpid()}")
    stamped = {**data, "pid": os.getpid(), "process_started": _started(os.getpid()), "seq": next(_sequence),
               "updated_at": datetime.now(UTC).isoformat(timespec="milliseconds")}  # fmt: skip
    partial.write_text(json.dumps(stamped, default=str, sort_keys=True))
    os.replace(partial, where)


def clear(where: Path) -> None:
    """Removes the file if this process wrote it."""
    current = _load(where)
    if current is not None and current.get("pid") == os.getpid():
        where.unlink(missing_ok=True)


def read(where: Path, target: str | None = None) -> dict[str, Any] | None:
    """What a running process published, if it is still running (and, with `target`, runs on that
    target); None otherwise."""
    data = _load(where)
    if data is None or not _alive(int(data.get("pid") or 0), data.get("process_started")):
        return None
    if target is not None and data.get("target") != target:
        return None
    return data


def _load(where: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(where.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid: int, started: str | None) -> bool:
    """The publishing process still runs: its pid exists and, where the system says when a process
    started (Linux), it is the same process, not a later one given the same pid."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        pass
    return started is None or _started(pid) in (None, started)


def _started(pid: int) -> str | None:
    """When process `pid` started, in clock ticks since boot (Linux: /proc/<pid>/stat's 22nd field)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19] if len(fields) > 19 else None
